"""Iterating over every item of a list operation, whatever its paging style: page number,
offset, cursor or page token. The sync and async iterators share one decision function."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Paging:
    """How one operation pages. Arguments are paths: the method's argument name, then keys
    inside it when the value travels inside an object (a JSON `payload`, say)."""

    style: str  # page | offset | cursor | token
    items: tuple[str, ...]
    page: tuple[str, ...] | None = None
    size: tuple[str, ...] | None = None
    offset: tuple[str, ...] | None = None
    cursor: tuple[str, ...] | None = None
    next: tuple[str, ...] | None = None


def pick(value: Any, tokens: tuple[str, ...]) -> Any:
    """The value at a path of wire names inside a parsed answer (models read by alias)."""
    for token in tokens:
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            name = next((n for n, f in fields.items() if (f.alias or n) == token), token)
            value = getattr(value, name, None)
        elif isinstance(value, Mapping):
            value = value.get(token)
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return None
        if isinstance(value, BaseModel) and hasattr(value, "root"):
            value = value.root
    return value


def _read(kwargs: Mapping[str, Any], path: tuple[str, ...] | None) -> Any:
    if path is None:
        return None
    value: Any = kwargs.get(path[0])
    for key in path[1:]:
        if isinstance(value, BaseModel):
            value = value.model_dump(by_alias=True, exclude_unset=True)
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _write(kwargs: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    if len(path) == 1:
        kwargs[path[0]] = value
        return
    holder = kwargs.get(path[0])
    if isinstance(holder, BaseModel):
        holder = holder.model_dump(by_alias=True, exclude_unset=True)
    holder = dict(holder) if isinstance(holder, Mapping) else {}
    _write_into(holder, path[1:], value)
    kwargs[path[0]] = holder


def _write_into(holder: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    if len(keys) == 1:
        holder[keys[0]] = value
        return
    inner = holder.get(keys[0])
    inner = dict(inner) if isinstance(inner, Mapping) else {}
    _write_into(inner, keys[1:], value)
    holder[keys[0]] = inner


def following(
    paging: Paging,
    kwargs: dict[str, Any],
    page: Any,
    items: list[Any],
    seen: set[str] | None = None,
) -> dict[str, Any] | None:
    """The arguments of the next call after `page`, or None when this was the last page: an
    empty page, a short one, or one whose next token is one already followed (`seen`, which
    this adds the token to), since a server that repeats a token would repeat its pages."""
    if not items:
        return None
    size = _read(kwargs, paging.size)
    short = isinstance(size, int) and len(items) < size
    following_kwargs = dict(kwargs)
    if paging.style in ("cursor", "token"):
        token = pick(page, paging.next) if paging.next else None
        if not token or paging.cursor is None or token == _read(kwargs, paging.cursor):
            return None
        if seen is not None:
            key = repr(token)
            if key in seen:
                return None
            seen.add(key)
        _write(following_kwargs, paging.cursor, token)
        return following_kwargs
    if short:
        return None
    if paging.style == "offset" and paging.offset is not None:
        start = _read(kwargs, paging.offset) or 0
        _write(following_kwargs, paging.offset, int(start) + len(items))
        return following_kwargs
    if paging.style == "page" and paging.page is not None:
        number = _read(kwargs, paging.page) or 1
        _write(following_kwargs, paging.page, int(number) + 1)
        return following_kwargs
    return None


def _items(paging: Paging, page: Any) -> list[Any]:
    found = pick(page, paging.items)
    if isinstance(found, Mapping):
        return list(found.values())
    return list(found) if isinstance(found, list | tuple) else []


def iterate(
    call: Callable[..., Any], paging: Paging, kwargs: dict[str, Any], options: Mapping[str, Any]
) -> Iterator[Any]:
    """Every item of every page, fetching pages as the caller goes."""
    current: dict[str, Any] | None = {k: v for k, v in kwargs.items()}
    seen: set[str] = set()
    while current is not None:
        page = call(**current, **options)
        items = _items(paging, page)
        yield from items
        current = following(paging, current, page, items, seen)


async def iterate_async(
    call: Callable[..., Awaitable[Any]],
    paging: Paging,
    kwargs: dict[str, Any],
    options: Mapping[str, Any],
) -> AsyncIterator[Any]:
    current: dict[str, Any] | None = {k: v for k, v in kwargs.items()}
    seen: set[str] = set()
    while current is not None:
        page = await call(**current, **options)
        items = _items(paging, page)
        for item in items:
            yield item
        current = following(paging, current, page, items, seen)
