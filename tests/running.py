"""`chatforge` run as a user runs it: in a process of its own, from a folder of the test's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# How the tests start chatforge, in a process of its own.
COMMAND = (sys.executable, "-m", "chatforge")


def chatforge(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command with `args`, its output captured as text; the exit code is the caller's to
    check."""
    return subprocess.run(
        [*COMMAND, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def generated(spec: Path, base: Path, *flags: str) -> Path:
    """`spec` generated into `base/out` (where the run must succeed), which is returned."""
    result = chatforge("generate", spec, "--out", base / "out", *flags, cwd=base)
    assert result.returncode == 0, result.stderr
    return base / "out"
