"""Temporary folders named after the process that made them, and their removal once it is gone.

A run that is killed cannot remove what it was working in; the next run does, knowing the folder
is abandoned because the process named in it no longer exists.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether process `pid` may still be running (when in doubt, it is)."""
    if os.name != "posix":
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    if sys.platform.startswith("linux"):
        try:
            state = Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            return True
        return state not in (b"Z", b"X")  # a zombie holds nothing any more
    return True


def owner(name: str, prefix: str) -> int | None:
    """The process id in a name made as `<prefix><pid>` or `<prefix><pid>-<anything>`."""
    if not name.startswith(prefix):
        return None
    digits = name[len(prefix) :].split("-", 1)[0]
    return int(digits) if digits.isdecimal() and digits.isascii() else None


def remove_abandoned(folder: Path, *prefixes: str) -> None:
    """Remove the folders in `folder` named by one of the prefixes after a process that is gone,
    where this user made them; anything else is left alone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        pid = next((p for p in (owner(name, prefix) for prefix in prefixes) if p is not None), None)
        if pid is None or pid == os.getpid() or alive(pid):
            continue
        path = folder / name
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            continue
        if os.name == "posix" and info.st_uid != os.geteuid():
            continue
        shutil.rmtree(path, ignore_errors=True)
