"""Targets: each turns the IR into {relative path: text}, in memory."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from chatforge.config import Target
from chatforge.ir.model import Api

Files = dict[str, str]
Renderer = Callable[[Api], Files]


def renderer(target: Target) -> Renderer:
    """The `render` function of a target module (`chatforge.targets.<target>`)."""
    module = importlib.import_module(f"chatforge.targets.{target}")
    return cast(Renderer, module.render)
