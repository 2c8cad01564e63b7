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

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        options = {"log_level": "warning", "lifespan": "off", **options}
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

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


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def live_server_factory() -> Iterator[type[LiveServer]]:
    yield LiveServer
