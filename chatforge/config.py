"""One frozen configuration object: `[tool.chatforge]` in pyproject.toml, then flags."""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

Target = Literal["models", "client", "server", "docs"]
TARGETS: tuple[Target, ...] = ("models", "client", "server", "docs")
SLUGS = ("nexconn", "rongcloud", "stream", "agora", "upstra")
PACKAGE_ROOT = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_ROOT / "targets" / "templates"
# The comparison of the APIs, in the specs folder.
COMPARISON = Path("comparison") / "capabilities.yaml"
RUNTIME = PACKAGE_ROOT / "runtime"


@dataclass(frozen=True)
class Config:
    root: Path  # the project folder: where pyproject.toml is, or the working folder
    specs: Path
    out: Path
    targets: tuple[Target, ...] = TARGETS
    check: bool = False
    quiet: bool = False
    # The content-hash cache's folder; None turns the cache off.
    cache: Path | None = None
    jobs: int = 0  # worker processes; 0 means one per CPU
    # The folder the references of a spec split over files may reach; None: each spec's own.
    ref_root: Path | None = None

    def with_flags(self, **changes: object) -> Config:
        given = {key: value for key, value in changes.items() if value not in (None, ())}
        return replace(self, **given)  # type: ignore[arg-type]


def user_cache_folder() -> Path | None:
    """Where the cache lives unless configured: the user's own cache folder, as each system
    names it (`$XDG_CACHE_HOME/chatforge` or `~/.cache/chatforge` on Linux), never a folder of
    the project that others may write. None where the user has no home folder."""
    try:
        home = Path.home()
    except RuntimeError:
        return None
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "")
        base = Path(local) if local and Path(local).is_absolute() else home / "AppData" / "Local"
        return base / "chatforge" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "chatforge"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG rules ignore a relative path.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return base / "chatforge"


def curated_specs() -> Path:
    """The five curated specs: package data in an installed wheel, `specs/` in a source tree."""
    packaged = PACKAGE_ROOT / "specs"
    return packaged if packaged.is_dir() else PACKAGE_ROOT.parent / "specs"


def find_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return start


def load_config(cwd: Path | None = None) -> Config:
    """The defaults, overridden by `[tool.chatforge]` of the nearest pyproject.toml."""
    root = find_root((cwd or Path.cwd()).resolve())
    settings: dict[str, object] = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            data = {}
        settings = data.get("tool", {}).get("chatforge", {})
    specs = root / str(settings["specs"]) if "specs" in settings else curated_specs()
    out = root / str(settings.get("out", "generated"))
    chosen = os.environ.get("CHATFORGE_CACHE_DIR") or settings.get("cache-dir")
    cache = root / str(chosen) if chosen else user_cache_folder()
    return Config(root=root, specs=specs, out=out, cache=cache)
