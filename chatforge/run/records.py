"""The intermediate model and the diagnostics as JSON data, and back.

`encode` turns frozen dataclasses, tuples and enums into JSON values. `decode` rebuilds a value of
a type given by the caller, led by that type's annotations alone: a JSON object becomes the
dataclass the annotation names, with exactly its fields; nothing in the data names a type, so
reading data can make only the types the caller asked for, and anything that does not fit them
exactly raises `ValueError`.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

Decoder = Callable[[Any], Any]


def encode(value: Any) -> Any:
    """A JSON value for a dataclass (without the fields left at their defaults), a tuple (as an
    array), an enum (as its value) or a JSON value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {}
        for item in dataclasses.fields(value):
            member = getattr(value, item.name)
            if item.default is not dataclasses.MISSING and member == item.default:
                continue
            encoded[item.name] = encode(member)
        return encoded
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, tuple | list):
        return [encode(member) for member in value]
    if isinstance(value, dict):
        return {str(name): encode(member) for name, member in value.items()}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"{type(value).__name__} is not data")


@typing.overload
def decode(kind: type[T], data: Any) -> T: ...
@typing.overload
def decode(kind: Any, data: Any) -> Any: ...
def decode(kind: Any, data: Any) -> Any:
    """The value of type `kind` (a class or an annotation such as `tuple[int, ...]`) that `data`
    encodes; ValueError when it encodes none."""
    try:
        return _decoder(kind)(data)
    except (TypeError, KeyError, RecursionError) as exc:
        raise ValueError(f"not a {kind}: {exc}") from None


def _fail(expected: str, data: Any) -> typing.NoReturn:
    raise ValueError(f"expected {expected}, found {type(data).__name__}")


def _exact(kind: type) -> Decoder:
    def read(data: Any) -> Any:
        if type(data) is not kind:
            _fail(kind.__name__, data)
        return data

    return read


def _none(data: Any) -> None:
    if data is not None:
        _fail("null", data)


def _any(data: Any) -> Any:
    return data


@functools.cache
def _decoder(hint: Any) -> Decoder:
    """The decoder of one annotation, made once."""
    if hint is Any:
        return _any
    if hint is None or hint is type(None):
        return _none
    if hint in (str, int, bool, float):
        return _exact(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return _literal(args)
    if origin in (typing.Union, types.UnionType):
        return _union(tuple(_decoder(arg) for arg in args))
    if origin is tuple:
        return _tuple(args)
    if origin is list:
        return _list(_decoder(args[0]))
    if origin is dict and args[0] is str:
        return _dict(_decoder(args[1]))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    raise TypeError(f"no decoder for {hint!r}")


def _literal(allowed: tuple[Any, ...]) -> Decoder:
    def read(data: Any) -> Any:
        for value in allowed:
            if type(data) is type(value) and data == value:
                return value
        _fail(f"one of {allowed}", data)

    return read


def _union(choices: tuple[Decoder, ...]) -> Decoder:
    def read(data: Any) -> Any:
        for choice in choices:
            try:
                return choice(data)
            except ValueError:
                continue
        _fail("a value of the union", data)

    return read


def _tuple(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        member = _decoder(args[0])

        def read_all(data: Any) -> tuple[Any, ...]:
            if type(data) is not list:
                _fail("an array", data)
            return tuple(member(item) for item in data)

        return read_all
    members = tuple(_decoder(arg) for arg in args)

    def read_fixed(data: Any) -> tuple[Any, ...]:
        if type(data) is not list or len(data) != len(members):
            _fail(f"an array of {len(members)}", data)
        return tuple(decoder(item) for decoder, item in zip(members, data, strict=True))

    return read_fixed


def _list(member: Decoder) -> Decoder:
    def read(data: Any) -> list[Any]:
        if type(data) is not list:
            _fail("an array", data)
        return [member(item) for item in data]

    return read


def _dict(member: Decoder) -> Decoder:
    def read(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            _fail("an object", data)
        return {name: member(value) for name, value in data.items()}

    return read


def _enum(kind: type[enum.Enum]) -> Decoder:
    def read(data: Any) -> enum.Enum:
        if type(data) is not str and type(data) is not int:
            _fail(kind.__name__, data)
        return kind(data)

    return read


def _dataclass(kind: type) -> Decoder:
    hints = typing.get_type_hints(kind)
    members: dict[str, Decoder] = {}
    required: set[str] = set()
    for item in dataclasses.fields(kind):
        if not item.init:
            continue
        members[item.name] = _decoder(hints[item.name])
        if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            required.add(item.name)
    optional = frozenset(members.keys() - required)

    def read(data: Any) -> Any:
        if type(data) is not dict:
            _fail(kind.__name__, data)
        values = {}
        for name, value in data.items():
            member = members.get(name)
            if member is None:
                raise ValueError(f"{kind.__name__} has no field {name!r}")
            values[name] = member(value)
        if len(values) - len(optional.intersection(values)) < len(required):
            raise ValueError(f"{kind.__name__}: missing {sorted(required - values.keys())}")
        return kind(**values)

    return read
