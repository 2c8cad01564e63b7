"""The hand-written code meets the bar the generated code does: ruff and mypy --strict."""

from __future__ import annotations

import subprocess
import sys

from chatforge.output.formatting import ruff_binary
from tests.conftest import ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check_passes_on_the_project() -> None:
    result = run(ruff_binary(), "check", "--no-cache", "chatforge", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_the_project_unchanged() -> None:
    result = run(ruff_binary(), "format", "--check", "--no-cache", "chatforge", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generator_passes_mypy_strict() -> None:
    result = run(sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr
