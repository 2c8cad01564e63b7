"""Shared fixtures: the repository root, generated packages on sys.path, a live server."""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"

# With its example database off Hypothesis still keeps caches (constants found in the code under
# test, Unicode tables) in ./.hypothesis; keep them out of the work tree.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "chatforge-hypothesis")
)
# Every `chatforge` the tests run shares a cache of the test session's own, so the project's
# cache is left alone and a session starts cold.
os.environ["CHATFORGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="chatforge-test-cache-")
atexit.register(shutil.rmtree, os.environ["CHATFORGE_CACHE_DIR"], ignore_errors=True)


# YAML as chatforge reads a spec: with libyaml's loader where PyYAML has it (the pure-Python one
# takes seconds over a curated spec).
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The YAML document at `path`, loaded safely."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def import_generated(slug: str, target: str, package: str, root: Path = GENERATED) -> ModuleType:
    """Import a package from <root>/<slug>/<target>/ as a user who vendored it would."""
    folder = str(root / slug / target)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(package)


class LiveServer:
    """A uvicorn server on 127.0.0.1 in a background thread; `options` go to uvicorn.Config."""

    def __init__(self, app: Any, **options: Any) -> None:
        import uvicorn

        # The socket is bound here and handed to uvicorn, so no other process (a test running
        # beside this one) can take the port between choosing it and serving on it. It names
        # TCP as its protocol, as the sockets uvicorn binds itself do: asyncio turns Nagle's
        # algorithm off only on such connections, and with it on, every answer written in two
        # parts (head, then body) waits some 40 ms for the client's delayed acknowledgement.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        options = {"log_level": "warning", "lifespan": "off", **options}
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def live_server_factory() -> Iterator[type[LiveServer]]:
    yield LiveServer


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Without pytest-xdist (`-p no:xdist`) the options of it that the project's addopts give are
    taken and do nothing: the suite runs in this one process."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist", "distributed testing (pytest-xdist is not loaded)")
    group.addoption("--numprocesses", dest="numprocesses", help="ignored")
    group.addoption("--maxprocesses", dest="maxprocesses", help="ignored")
    group.addoption("--dist", dest="dist", default="no", help="ignored")
    group.addoption("--no-loadscope-reorder", action="store_true", help="ignored")


# The modules that take longest, longest first. pytest-xdist hands out whole modules (`--dist
# loadfile`) in the order they were collected (`--no-loadscope-reorder`), so these start first
# and no worker is left running one of them alone at the end while the others wait.
LONGEST = (
    "docs/test_site.py",
    "run/test_cache.py",
    "conformance/test_conformance.py",
    "functional/test_every_operation.py",
    "golden/test_generated.py",
    "server/test_schemathesis.py",
    "test_package.py",
    "server/test_errors.py",
    "server/test_anyspec.py",
    "test_broken_specs.py",
    "spec/test_precheck.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONGEST)}
    tests = ROOT / "tests"

    def place(item: pytest.Item) -> int:
        try:
            return rank.get(item.path.relative_to(tests).as_posix(), len(LONGEST))
        except ValueError:
            return len(LONGEST)

    items.sort(key=place)
