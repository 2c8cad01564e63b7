"""The only code that writes generated output: the whole tree is swapped in at once.

A new tree is built beside the output folder, then exchanged with it in one atomic
`renameat2(RENAME_EXCHANGE)` where the system has it, so a reader or a crash sees the complete
old tree or the complete new one. `--check` compares instead of writing.

An output folder that cannot be renamed (a mount point) keeps its place: the new folders are built
inside it, and each top-level folder the run writes (one per API) is exchanged in one step, so a
reader or a crash sees each of them whole, old or new. An output folder that is a symbolic link
stays one: the tree is written where it points. Whatever fails, the copy being built is removed;
and every run removes what runs that were killed left behind.
"""

from __future__ import annotations

import difflib
import errno
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chatforge.output import leftovers
from chatforge.run.cache import safe_relative

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# What a file system that cannot exchange two paths answers.
_NO_EXCHANGE = (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP)
# The names of the copies being built and retired: `<prefix><pid>`, beside the output folder
# (with its name before the prefix) or, for a mount point, inside it.
_NEW, _OLD = ".chatforge-new-", ".chatforge-old-"


def _libc(name: str, *argtypes: Any) -> Any | None:
    """A function of the C library taking `argtypes` and returning an int; None where the system
    has no such function (the callers then do without)."""
    import ctypes
    import ctypes.util

    try:
        library = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = getattr(library, name)
    except (OSError, AttributeError):
        return None
    function.argtypes, function.restype = list(argtypes), ctypes.c_int
    return function


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot. Raises OSError when it can but
    the swap fails (EBUSY for a mount point)."""
    from ctypes import c_char_p, c_int, c_uint, get_errno

    renameat2 = _libc("renameat2", c_int, c_char_p, c_int, c_char_p, c_uint)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(b))


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _replace(new: Path, old: Path, retired: Path) -> None:
    """Put `new` in the place of `old` (which exists), leaving the old one at `retired`: in one
    exchange where the system can, else by two renames, undoing the first if the second fails."""
    if _exchange(new, old):
        os.rename(new, retired)
        return
    os.rename(old, retired)
    try:
        os.rename(new, old)
    except BaseException:
        os.rename(retired, old)
        raise


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
    """Remove the copies that killed runs left, beside the output folder and inside it."""
    leftovers.remove_abandoned(root.parent, f".{root.name}{_NEW}", f".{root.name}{_OLD}")
    leftovers.remove_abandoned(root, _NEW, _OLD)


def _ours(name: str) -> bool:
    return name.startswith((_NEW, _OLD))


def _stage(source: Path, staging: Path, root: Path, owned: tuple[str, ...]) -> None:
    """Copy `source` (under `root`) to `staging`, without the owned parts and the caches."""

    def ignore(folder: str, names: list[str]) -> list[str]:
        relative = Path(folder).relative_to(root)
        return [
            name
            for name in names
            if name == "__pycache__"
            or (relative / name).as_posix() in owned
            or (relative == Path(".") and _ours(name))
        ]

    try:
        shutil.copytree(source, staging, symlinks=True, ignore=ignore)
    except shutil.Error as exc:  # the first of the errors of copying, as the system gave it
        _, target, why = exc.args[0][0]
        raise OSError(f"{why}: {target}") from None


def _fill(staging: Path, files: dict[str, str], below: str = "") -> None:
    """Write the files (those under `below`, relative to it, when given) into `staging`."""
    written = []
    for relative, text in sorted(files.items()):
        if below:
            if not relative.startswith(f"{below}/"):
                continue
            relative = relative[len(below) + 1 :]
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_file(target, text)
        written.append(target)
    _make_durable(staging, written)


def write(root: Path, files: dict[str, str], owned: Iterable[str]) -> bool:
    """Replace the owned prefixes of `root` with `files`, keeping everything else, atomically.
    A tree that already holds exactly these files is left as it is; False says so."""
    owned = tuple(owned)
    for path in (*files, *owned):
        if not safe_relative(path):
            raise ValueError(f"refusing to write outside the output folder: {path!r}")
    # A symbolic link stays: what it points to is the output folder.
    root = Path(os.path.realpath(root.absolute()))
    _cleanup_leftovers(root)
    if root.is_dir() and read_tree(root, owned) == files:
        return False
    root.parent.mkdir(parents=True, exist_ok=True)
    if not (root.is_dir() and os.path.ismount(root)):
        try:
            _swap_folder(root, files, owned)
            return True
        except OSError as exc:
            # A folder that cannot be renamed; a bind mount is not seen as a mount point.
            if exc.errno != errno.EBUSY:
                raise
    _swap_contents(root, files, owned)
    return True


def _swap_folder(root: Path, files: dict[str, str], owned: tuple[str, ...]) -> None:
    """Build the new tree beside `root` and swap the two folders in one step."""
    pid = os.getpid()
    staging = root.parent / f".{root.name}{_NEW}{pid}"
    retired = root.parent / f".{root.name}{_OLD}{pid}"
    try:
        if root.exists():
            _stage(root, staging, root, owned)
        else:
            staging.mkdir()
        _fill(staging, files)
        if not root.exists():
            os.rename(staging, root)
        else:
            _replace(staging, root, retired)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)


def _swap_contents(root: Path, files: dict[str, str], owned: tuple[str, ...]) -> None:
    """Build the new top-level folders inside `root` and swap each in one step: for an output
    folder that must keep its place."""
    pid = os.getpid()
    staging, retired = root / f"{_NEW}{pid}", root / f"{_OLD}{pid}"
    tops = sorted({path.split("/")[0] for path in (*owned, *files)})
    try:
        staging.mkdir()
        retired.mkdir()
        for top in tops:
            if (root / top).is_dir() and top not in owned:
                _stage(root / top, staging / top, root, owned)
        _fill(staging, files)
        done: list[str] = []
        try:
            for top in tops:
                new, old = staging / top, root / top
                if new.exists() and old.exists():
                    _replace(new, old, retired / top)
                elif new.exists():
                    os.rename(new, old)
                elif old.exists():
                    os.rename(old, retired / top)
                done.append(top)
        except BaseException:
            _put_back(root, staging, retired, done)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)


def _put_back(root: Path, staging: Path, retired: Path, done: list[str]) -> None:
    """Undo the swaps of `_swap_contents` that were made, last first, as far as the system
    lets."""
    for top in reversed(done):
        try:
            if (root / top).exists():
                os.rename(root / top, staging / top)
            if (retired / top).exists():
                os.rename(retired / top, root / top)
        except OSError:
            continue
