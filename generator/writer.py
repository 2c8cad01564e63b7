"""The only code that writes generated output: the whole tree is swapped in at once.

A new tree is built beside the output folder, then exchanged with it in one atomic
`renameat2(RENAME_EXCHANGE)` where the system has it, so a reader or a crash sees the complete
old tree or the complete new one. `--check` compares instead of writing.
"""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _libc(name: str, *argtypes: Any) -> Any | None:
    """A function of the C library taking `argtypes` and returning an int; None where the system
    has no such function (the callers then do without)."""
    import ctypes
    import ctypes.util

    try:
        function = getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None
    function.argtypes, function.restype = list(argtypes), ctypes.c_int
    return function


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    from ctypes import c_char_p, c_int, c_uint

    renameat2 = _libc("renameat2", c_int, c_char_p, c_int, c_char_p, c_uint)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def read_tree(root: Path, owned: Iterable[str]) -> dict[str, str]:
    """The files under the owned prefixes of an output folder, as text."""
    found: dict[str, str] = {}
    for prefix in owned:
        base = root / prefix
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[path.relative_to(root).as_posix()] = path.read_text(
                    encoding="utf-8", errors="replace"
                )
    return found


def diff(root: Path, files: dict[str, str], owned: Iterable[str]) -> list[str]:
    """A unified diff from what is on disk to what would be written; empty when current."""
    current = read_tree(root, owned)
    lines: list[str] = []
    for path in sorted(set(current) | set(files)):
        old, new = current.get(path), files.get(path)
        if old == new:
            continue
        lines.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if old is not None else "/dev/null",
                tofile=f"b/{path}" if new is not None else "/dev/null",
            )
        )
    return lines


def _make_durable(folder: Path, files: Iterable[Path]) -> None:
    """Every file on disk before the tree is swapped in, so that even a power cut leaves a whole
    tree: by one `syncfs` of the folder's file system where the system has it (one flush instead
    of one per file), else by `fsync` of each file."""
    from ctypes import c_int

    syncfs = _libc("syncfs", c_int)
    if syncfs is not None:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            if syncfs(descriptor) == 0:
                return
        finally:
            os.close(descriptor)
    for path in files:
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())


def _cleanup_leftovers(root: Path) -> None:
    for leftover in root.parent.glob(f".{root.name}.chatforge-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def write(root: Path, files: dict[str, str], owned: Iterable[str]) -> bool:
    """Replace the owned prefixes of `root` with `files`, keeping everything else, atomically.
    A tree that already holds exactly these files is left as it is; False says so."""
    owned = tuple(owned)
    if root.is_dir() and read_tree(root, owned) == files:
        return False
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    _cleanup_leftovers(root)
    staging = root.parent / f".{root.name}.chatforge-new-{os.getpid()}"
    if root.exists():
        shutil.copytree(
            root,
            staging,
            symlinks=True,
            ignore=lambda folder, names: [
                n
                for n in names
                if n == "__pycache__" or Path(folder, n).relative_to(root).as_posix() in owned
            ],
        )
    else:
        staging.mkdir()
    written = []
    for relative, text in sorted(files.items()):
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(target)
    _make_durable(staging, written)
    if not root.exists():
        os.rename(staging, root)
        return True
    if _exchange(staging, root):
        shutil.rmtree(staging, ignore_errors=True)
        return True
    retired = root.parent / f".{root.name}.chatforge-old-{os.getpid()}"
    os.rename(root, retired)
    os.rename(staging, root)
    shutil.rmtree(retired, ignore_errors=True)
    return True
