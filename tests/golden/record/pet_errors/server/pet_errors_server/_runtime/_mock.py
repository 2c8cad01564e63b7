"""Mock handlers: every operation answers with its example response, and a list operation pages
through a small data set built from its example item, as the spec says it pages."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

H = TypeVar("H")

# The items a list operation has in mock mode: its example's items, repeated to this many.
MOCK_ITEMS = 5


@dataclass(frozen=True)
class Paging:
    """How a list operation pages (`x-pagination`), in the handler's terms: each argument is a
    path, the handler's argument name, then wire names inside it (a request body, say); `items`
    and `next` are paths of wire names into the answer."""

    style: str  # page | offset | cursor | token
    items: tuple[str, ...]
    page: tuple[str, ...] | None = None
    size: tuple[str, ...] | None = None
    offset: tuple[str, ...] | None = None
    cursor: tuple[str, ...] | None = None
    next: tuple[str, ...] | None = None


def _read(arguments: Mapping[str, Any], path: tuple[str, ...] | None) -> Any:
    if path is None:
        return None
    value: Any = arguments.get(path[0])
    for key in path[1:]:
        if isinstance(value, BaseModel):
            value = value.model_dump(by_alias=True, exclude_unset=True)
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _number(value: Any) -> int | None:
    """A whole number given as one, or as its decimal text; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _at(answer: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(answer, Mapping):
            return None
        answer = answer.get(key)
    return answer


def _put(answer: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set the member at `path`, making the objects on the way; None removes the member."""
    holder = answer
    for key in path[:-1]:
        inner = holder.get(key)
        if not isinstance(inner, dict):
            inner = holder[key] = {}
        holder = inner
    if value is None:
        holder.pop(path[-1], None)
    else:
        holder[path[-1]] = value


def _window(paging: Paging, arguments: Mapping[str, Any], total: int) -> tuple[int, int]:
    """The first item and the item after the last of the page the arguments ask for."""
    size = _number(_read(arguments, paging.size))
    if size is None or size < 1:
        size = total
    if paging.style == "page":
        number = _number(_read(arguments, paging.page)) or 1
        start = (max(number, 1) - 1) * size
    elif paging.style == "offset":
        start = _number(_read(arguments, paging.offset)) or 0
    else:
        token = _read(arguments, paging.cursor)
        # The mock's tokens are the positions of the pages they start; any other token starts
        # past the end, an empty page.
        given = _number(token)
        start = 0 if token is None or token == "" else given if given else total
    start = min(start, total)
    return start, min(start + size, total)


def _paged(example: Any, paging: Paging) -> Callable[..., Awaitable[Any]]:
    found = _at(example, paging.items)
    keyed = isinstance(found, Mapping)
    # Items listed in an object (keys to values) are its members, a new key for each copy.
    sample = list(found.items()) if isinstance(found, Mapping) else found
    sample = sample if isinstance(sample, list) else []
    data = [sample[index % len(sample)] for index in range(MOCK_ITEMS)] if sample else []
    if keyed:
        data = [
            (key if index < len(sample) else f"{key}-{index}", value)
            for index, (key, value) in enumerate(data)
        ]

    async def handler(self: Any, **arguments: Any) -> Any:
        if not isinstance(example, dict):
            return example
        start, end = _window(paging, arguments, len(data))
        answer = copy.deepcopy(example)
        page = data[start:end]
        _put(answer, paging.items, dict(page) if keyed else page)
        if paging.next is not None:
            more = paging.style in ("cursor", "token") and end < len(data)
            _put(answer, paging.next, str(end) if more else None)
        return answer

    return handler


def _answer(value: Any) -> Callable[..., Awaitable[Any]]:
    # The example is shared, not copied: FastAPI validates it into a new response object and
    # never changes what a handler returns.
    async def handler(self: Any, **_: Any) -> Any:
        return value

    return handler


def mock_handlers(
    base: type[H], examples: Mapping[str, Any], paging: Mapping[str, Paging] | None = None
) -> H:
    """An instance of a subclass of `base` whose methods return the examples by name; those in
    `paging` answer one page at a time of a data set of `MOCK_ITEMS` items."""
    paging = paging or {}
    namespace = {
        name: _paged(value, paging[name]) if name in paging else _answer(value)
        for name, value in examples.items()
        if hasattr(base, name)
    }
    mocked: type[H] = type(f"Mock{base.__name__}", (base,), namespace)
    return mocked()
