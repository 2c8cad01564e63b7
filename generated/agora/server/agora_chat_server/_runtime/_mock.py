"""Mock handlers: every operation answers with its example response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

H = TypeVar("H")


def _answer(value: Any) -> Callable[..., Awaitable[Any]]:
    # The example is shared, not copied: FastAPI validates it into a new response object and
    # never changes what a handler returns.
    async def handler(self: Any, **_: Any) -> Any:
        return value

    return handler


def mock_handlers(base: type[H], examples: Mapping[str, Any]) -> H:
    """An instance of a subclass of `base` whose methods return the examples by name."""
    namespace = {name: _answer(value) for name, value in examples.items() if hasattr(base, name)}
    mocked: type[H] = type(f"Mock{base.__name__}", (base,), namespace)
    return mocked()
