"""Reading a spec: its file, YAML or JSON with positions and limits, its references, and
validation (the compiled first pass, then openapi-spec-validator)."""
