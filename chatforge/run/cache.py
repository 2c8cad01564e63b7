"""The content-hash cache: what a spec gave last time, found by the hash of all it depends on.

A key is the SHA-256 of the spec's bytes (of each of its files, for a spec split over files),
how it is named, the chosen targets and the toolkit's
fingerprint: the source of the generator, its templates and runtime, and the versions of the tools
that shape the output (datamodel-code-generator, ruff, pydantic, Python). Any change to any of
them gives a new key, so an entry is never stale, only unused.

The cache holds data, never code: every entry is JSON, read back into known types only
(`records`), behind a header with the SHA-256 of its kind, name and content. Entries are written
to a temporary file and renamed into place, so a reader sees a whole entry or none; an entry that
cannot be read, does not match its hash or does not hold what its kind holds is a miss, and is
made again. A folder that other users may write is not used at all.

Layout, under the cache folder (the user's cache folder, `config.user_cache_folder`, by
default):

    checks/<key>.json     diagnostics and warnings of checking a spec
    apis/<key>.json       the intermediate model it built
    outputs/<key>.json    the rendered files: path -> SHA-256 of the text
    overviews/<key>.json  the pages about every API at once
    parts/<key>.json      the other files a spec split over files was read from, by the key
                          of its entry file alone
    blobs/<sha256>        the texts, stored once however many outputs share them

Only the most recently used entries are kept (`KEEP` of each kind); blobs no entry names go with
them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from chatforge import __version__
from chatforge.config import PACKAGE_ROOT

# The packages whose version changes the generated text.
SHAPING_PACKAGES = ("datamodel-code-generator", "ruff", "pydantic", "pyyaml", "jinja2")
KEEP = 64
# The largest entry read (the largest spec's model is a few MiB).
MAX_ENTRY = 256 * 1024 * 1024
_KINDS = ("checks", "apis", "outputs", "overviews", "parts")
_MAGIC = b"chatforge-cache 1 "
_DIGEST = re.compile(r"[0-9a-f]{64}")
_GITIGNORE = "# Made by chatforge; safe to delete.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is chatforge's cache; see https://bford.info/cachedir/\n"
)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _versions(packages: Iterable[str]) -> dict[str, str]:
    """The installed version of each package, as `importlib.metadata.version` gives it: that of
    the first distribution on `sys.path`, read here from its `.dist-info` folder's name, which
    spares a warm run the import of `importlib.metadata` (a tenth of its time). A package
    installed otherwise is asked of `importlib.metadata`; "absent" when it is not installed."""
    wanted = {_normal(package): package for package in packages}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            distribution, _, version = name.removesuffix(".dist-info").partition("-")
            package = wanted.get(_normal(distribution))
            if package is not None and version and package not in found:
                found[package] = version
    for package in wanted.values():
        if package not in found:
            from importlib import metadata

            try:
                found[package] = metadata.version(package)
            except metadata.PackageNotFoundError:
                found[package] = "absent"
    return found


def _source_files() -> list[Path]:
    """The package's code, templates and runtime; not the curated specs a wheel carries."""
    found = [
        path
        for path in PACKAGE_ROOT.rglob("*")
        if path.is_file()
        and path.relative_to(PACKAGE_ROOT).parts[0] != "specs"
        and "__pycache__" not in path.parts
        and path.suffix != ".pyc"
    ]
    return sorted(found)


@functools.cache
def fingerprint() -> str:
    """The hash of what the output depends on besides the specs."""
    digest = hashlib.sha256(f"chatforge {__version__}\n".encode())
    digest.update(f"python {sys.version_info.major}.{sys.version_info.minor}\n".encode())
    versions = _versions(SHAPING_PACKAGES)
    for package in SHAPING_PACKAGES:
        digest.update(f"{package} {versions[package]}\n".encode())
    for path in _source_files():
        digest.update(f"{path.relative_to(PACKAGE_ROOT).as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def key(*parts: str | bytes) -> str:
    """A key from parts; each part is length-prefixed, so no two lists of parts collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def safe_relative(path: str) -> bool:
    """Whether `path` names a file below a folder: relative, in `/`-separated parts, none of them
    empty, `.` or `..`, and no character a file name may not hold on some system."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path or ":" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _seal(kind: str, name: str, payload: bytes) -> bytes:
    digest = hashlib.sha256(f"{kind}/{name}\n".encode() + payload).hexdigest()
    return _MAGIC + digest.encode() + b"\n" + payload


def _unseal(kind: str, name: str, data: bytes) -> bytes | None:
    """The content of an entry whose header matches it; None for anything else."""
    if not data.startswith(_MAGIC):
        return None
    header, newline, payload = data[len(_MAGIC) :].partition(b"\n")
    if not newline:
        return None
    digest = hashlib.sha256(f"{kind}/{name}\n".encode() + payload).hexdigest()
    return payload if hmac.compare_digest(header, digest.encode()) else None


class Cache:
    """A cache folder. Reading never fails (a damaged entry is a miss); writing is best effort,
    so a read-only or full disk costs speed, not a run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._used: set[Path] = set()
        # Why the folder is not used, when it is not.
        self.refused: str | None = _unsafe(folder)

    def _path(self, kind: str, name: str) -> Path:
        return self.folder / kind / name

    def _read(self, path: Path) -> bytes | None:
        """The bytes of a regular file of the cache (not a link, a pipe or a device, which
        could stand for endless data or block the run), or None."""
        if self.refused:
            return None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0))
        except OSError:
            return None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY:
                return None
            with os.fdopen(descriptor, "rb", closefd=False) as stream:
                data = stream.read(MAX_ENTRY + 1)
        except OSError:
            return None
        finally:
            os.close(descriptor)
        if len(data) > MAX_ENTRY:
            return None
        self._used.add(path)
        return data

    def _write(self, path: Path, data: bytes) -> None:
        if self.refused:
            return
        try:
            self._prepare()
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return
        self._used.add(path)

    def _prepare(self) -> None:
        if (self.folder / "CACHEDIR.TAG").is_file():
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
        (self.folder / "CACHEDIR.TAG").write_text(_CACHEDIR_TAG, encoding="utf-8")

    def load(self, kind: str, name: str) -> Any | None:
        """The JSON value of an entry, or None when it is absent, damaged or altered."""
        data = self._read(self._path(kind, f"{name}.json"))
        payload = _unseal(kind, name, data) if data is not None else None
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except (ValueError, RecursionError):
            return None

    def has(self, kind: str, name: str) -> bool:
        return not self.refused and self._path(kind, f"{name}.json").is_file()

    def store(self, kind: str, name: str, value: Any) -> None:
        """Keep a JSON value (see `records.encode`); one that is not JSON data is not kept."""
        try:
            payload = json.dumps(
                value, ensure_ascii=False, allow_nan=False, separators=(",", ":")
            ).encode("utf-8")
        except (TypeError, ValueError, RecursionError):
            return
        self._write(self._path(kind, f"{name}.json"), _seal(kind, name, payload))

    def load_files(self, name: str) -> dict[str, str] | None:
        """Rendered files by path, or None unless the entry and all its texts are whole."""
        hashes = self.load("outputs", name)
        if not isinstance(hashes, dict):
            return None
        files: dict[str, str] = {}
        for path, digest in hashes.items():
            if not (isinstance(digest, str) and _DIGEST.fullmatch(digest) and safe_relative(path)):
                return None
            blob = self._read(self._path("blobs", digest))
            if blob is None:
                return None
            try:
                text = blob.decode("utf-8")
            except UnicodeDecodeError:
                return None
            if not hmac.compare_digest(text_hash(text), digest):
                return None
            files[path] = text
        return files

    def store_files(self, name: str, files: Mapping[str, str]) -> None:
        hashes = {}
        for path, text in sorted(files.items()):
            digest = text_hash(text)
            hashes[path] = digest
            blob = self._path("blobs", digest)
            if blob.is_file():
                self._used.add(blob)
            else:
                self._write(blob, text.encode("utf-8"))
        self.store("outputs", name, hashes)

    def prune(self, keep: int = KEEP) -> None:
        """Keep the `keep` most recently used entries of each kind, and the blobs they name."""
        if self.refused:
            return
        try:
            for path in self._used:
                if path.exists():
                    os.utime(path)
            removed = False
            for kind in (*_KINDS, "blobs"):
                _remove_abandoned(self.folder / kind)
            for kind in _KINDS:
                entries = _by_age(self.folder / kind)
                for old in entries[keep:]:
                    old.unlink(missing_ok=True)
                    removed = True
            if removed:
                self._collect_blobs()
        except OSError:
            return

    def _collect_blobs(self) -> None:
        named: set[str] = set()
        for entry in _entries(self.folder / "outputs"):
            hashes = self.load("outputs", entry.name.removesuffix(".json"))
            if isinstance(hashes, dict):
                named.update(str(digest) for digest in hashes.values())
            else:
                entry.unlink(missing_ok=True)
        for blob in _entries(self.folder / "blobs"):
            if blob.name not in named:
                blob.unlink(missing_ok=True)


def _unsafe(folder: Path) -> str | None:
    """Why a folder may not hold the cache: it belongs to another user, or others may write it
    (whoever writes the cache chooses what the next run generates). None when it is safe, or
    does not exist yet (it is then made for this user alone)."""
    if os.name != "posix":
        return None
    try:
        info = folder.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    if info.st_uid != os.geteuid():
        return f"{folder} belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"other users may write {folder}"
    return None


def _remove_abandoned(folder: Path) -> None:
    """Temporary files that a run killed while writing left behind (an hour old or more: a
    running writer renames its own within moments)."""
    if not folder.is_dir():
        return
    cutoff = time.time() - 3600
    for path in folder.glob(".tmp-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _entries(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")]


def _by_age(folder: Path) -> list[Path]:
    """Entries, most recently used first."""
    dated = []
    for path in _entries(folder):
        try:
            dated.append((path.stat().st_mtime_ns, path.name, path))
        except OSError:
            continue
    return [path for _, _, path in sorted(dated, reverse=True)]
