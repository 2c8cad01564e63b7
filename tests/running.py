"""`chatforge` run as a user runs it: in a process of its own, from a folder of the test's
(started through `tests.launcher`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests import launcher
from tests.launcher import COMMAND as COMMAND


def chatforge(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command with `args`, its output captured as text; the exit code is the caller's to
    check."""
    return launcher.run(*args, cwd=cwd)


def generated(spec: Path, base: Path, *flags: str) -> Path:
    """`spec` generated into `base/out` (where the run must succeed), which is returned."""
    result = chatforge("generate", spec, "--out", base / "out", *flags, cwd=base)
    assert result.returncode == 0, result.stderr
    return base / "out"


def announced_port(process: subprocess.Popen[str]) -> int:
    """The port a `chatforge serve --port 0` started as `process` announces it serves on, read
    from its log (the process's stderr, or its stdout where stderr goes there)."""
    log = process.stderr or process.stdout
    assert log is not None, "the server's log is not captured"
    lines: list[str] = []
    while not (found := re.search(r"running on http://127\.0\.0\.1:(\d+)", "".join(lines))):
        line = log.readline()
        assert line, "the server stopped before it served:\n" + "".join(lines)
        lines.append(line)
    return int(found.group(1))
