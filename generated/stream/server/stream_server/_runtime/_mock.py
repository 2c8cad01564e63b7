"""Mock handlers: every operation answers with its example response."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

H = TypeVar("H")


def _answer(value: Any) -> Callable[..., Awaitable[Any]]:
    async def handler(self: Any, **_: Any) -> Any:
        return copy.deepcopy(value)

    return handler


def mock_handlers(base: type[H], examples: Mapping[str, Any]) -> H:
    """An instance of a subclass of `base` whose methods return the examples by name."""
    namespace = {name: _answer(value) for name, value in examples.items() if hasattr(base, name)}
    mocked: type[H] = type(f"Mock{base.__name__}", (base,), namespace)
    return mocked()
