"""Generated packages imported for one test and forgotten after it: the folders they were
imported from leave `sys.path` and their modules leave `sys.modules`, so the next test, or a
package of the same name generated elsewhere, meets none of them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType


@contextmanager
def imported(folders: list[Path], *packages: str) -> Iterator[list[ModuleType]]:
    """`packages` imported from `folders`, removed again when the block ends."""
    paths = [str(folder) for folder in folders]
    sys.path[:0] = paths
    try:
        yield [importlib.import_module(package) for package in packages]
    finally:
        for path in paths:
            sys.path.remove(path)
        for name in list(sys.modules):
            if any(name == p or name.startswith(f"{p}.") for p in packages):
                del sys.modules[name]
        importlib.invalidate_caches()
