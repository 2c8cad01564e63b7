"""ruff (pinned) as the last rendering step: imports sorted, code formatted, in one batch."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

Files = dict[str, str]

RUFF_CONFIG = """\
line-length = 100
target-version = "py311"

[lint]
select = ["E", "F", "W", "I", "UP", "B"]
ignore = ["E501"]
"""


# The folder ruff works in: `chatforge-format-<pid>-<random>` in the system's temporary folder.
_PREFIX = "chatforge-format-"


class FormatError(Exception):
    pass


def remove_abandoned() -> None:
    """Remove the working folders of runs that were killed while formatting."""
    from chatforge.output import leftovers

    leftovers.remove_abandoned(Path(tempfile.gettempdir()), _PREFIX)


def ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        candidate = Path(sys.executable).with_name("ruff")
        return str(candidate) if candidate.exists() else "ruff"


def _run(args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [ruff_binary(), *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )


def format_python(files: Files) -> Files:
    """Sort imports, apply safe fixes and format every `.py` file; other files pass through."""
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return dict(files)
    with tempfile.TemporaryDirectory(prefix=f"{_PREFIX}{os.getpid()}-") as tmp:
        root = Path(tmp)
        (root / "ruff.toml").write_text(RUFF_CONFIG, encoding="utf-8")
        for path, text in python.items():
            target = root / "src" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        fix = _run(
            ["check", "--fix", "--select", "I,UP", "--exit-zero", "--quiet", "--no-cache", "src"],
            tmp,
        )
        if fix.returncode != 0:
            raise FormatError(f"ruff check --fix failed:\n{fix.stderr or fix.stdout}")
        formatted = _run(["format", "--no-cache", "src"], tmp)
        if formatted.returncode != 0:
            raise FormatError(
                f"ruff format failed (the generated code does not parse):\n"
                f"{formatted.stderr or formatted.stdout}"
            )
        result = dict(files)
        for path in python:
            result[path] = (root / "src" / path).read_text(encoding="utf-8")
    return result
