"""What leaves chatforge: formatting with the pinned ruff, and the writer that swaps a rendered
tree into place in one step."""
