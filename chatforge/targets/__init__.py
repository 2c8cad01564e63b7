"""Targets: each turns the IR into {relative path: text}, in memory."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from chatforge.config import Target

if TYPE_CHECKING:  # a run the cache answers renders nothing, and needs no IR classes
    from chatforge.ir.model import Api

Files = dict[str, str]
Renderer = Callable[..., Files]

# The targets that embed the models module (`modelgen.models_module`), which their `render`
# takes as its second argument; the others take the API alone.
WITH_MODELS: frozenset[Target] = frozenset({"models", "client", "server"})


def renderer(target: Target) -> Renderer:
    """The `render` function of a target module (`chatforge.targets.<target>`)."""
    module = importlib.import_module(f"chatforge.targets.{target}")
    return cast(Renderer, module.render)


def render(target: Target, api: Api, models: str | None) -> Files:
    """The files of one target; `models` is the API's models module, for the targets that
    embed it."""
    if target in WITH_MODELS:
        if models is None:
            raise ValueError(f"the {target} target needs the models module")
        return renderer(target)(api, models)
    return renderer(target)(api)
