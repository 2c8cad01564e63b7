"""Checks of the spec that pydantic does not make of itself, on the members of request models."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
)

from ._params import coerce

M = TypeVar("M", bound=BaseModel)


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("must not be null (it may be left out)")
    return value


# On a member whose type takes None only to stand for "left out": pydantic does not validate a
# default, so this refuses an explicit null alone. (After the member's own validation: a check
# before it would make pydantic read the value as Python, not JSON, and refuse a date as text.)
NOT_NULL = AfterValidator(_refuse_null)


def _canonical(value: Any) -> Any:
    """`value` as JSON data in which two values are equal exactly when JSON Schema says they
    are: `1` and `1.0` alike, `1` and `true` not, objects whatever the order of their keys."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Enum):  # a member of an enum model: its JSON value
        value = value.value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return str(value)


def _unique(items: list[Any] | None) -> list[Any] | None:
    if items is None:  # a nullable member's null: the member's own schema has taken it
        return items
    seen: set[str] = set()
    for item in items:
        key = json.dumps(_canonical(item), sort_keys=True, separators=(",", ":"))
        if key in seen:
            raise ValueError(f"items must be unique; {key[:80]} is repeated")
        seen.add(key)
    return items


# `uniqueItems`.
UNIQUE = AfterValidator(_unique)


def _within(low: int, high: int, what: str) -> AfterValidator:
    def check(value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            raise ValueError(f"must be within the range of {what} ({low} to {high})")
        return value

    return AfterValidator(check)


def end_of_text(pattern: str) -> str:
    """`pattern` with each `$` outside a class written `\\Z`: in JSON Schema, as in pydantic's
    own engine, `$` is the end of the text, where Python's `re` also takes it before a final
    newline (`^[a-z]+$` matches `"abc\\n"`)."""
    out, index, in_class = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]" or out[-1] in ("[", "[^")
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", index):
                char, index = "[^", index + 1
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return "".join(out)


def matching(pattern: str) -> AfterValidator:
    """A parameter's `pattern`, checked with Python's `re`: for patterns pydantic's own engine
    cannot compile (look-around, back-references). The spec's checks keep such patterns to
    ones `re` checks in bounded time on the values the schema allows."""
    compiled = re.compile(end_of_text(pattern))

    def check(value: object) -> object:
        if isinstance(value, str) and compiled.search(value) is None:
            raise ValueError(f"must match the pattern {pattern!r}")
        return value

    return AfterValidator(check)


def constrained(**options: Any) -> Any:
    """pydantic's constraints (`ge`, `max_length`, `allow_inf_nan`...) on the items of an array
    parameter, or on the whole of one read by `csv_query`."""
    return Field(**options)


def read_as(kind: str) -> BeforeValidator:
    """A path, query or header value (text) read as the JSON type `kind` (integer, number,
    boolean) where it spells one, before an enum of that type checks it."""
    return BeforeValidator(lambda value: coerce(value, kind))


# Integers of `format: int32` and `int64`.
INT32 = _within(-(2**31), 2**31 - 1, "int32")
INT64 = _within(-(2**63), 2**63 - 1, "int64")


def _count(size: int, low: int, high: int | None) -> None:
    if size < low:
        raise ValueError(f"must have at least {low} member{'s' * (low != 1)}")
    if high is not None and size > high:
        raise ValueError(f"must have at most {high} member{'s' * (high != 1)}")


def members_between(low: int, high: int | None) -> Callable[[M], M]:
    """`minProperties` and `maxProperties` on a model: the members a request gives, counted
    once it is read (a member left out is not counted, whatever its default)."""

    def check(model: M) -> M:
        _count(len(model.model_fields_set), low, high)
        return model

    return check


def _json_typed(kind: type, name: str) -> Callable[[Any, ValidationInfo], Any]:
    """A check that, in a request read as JSON, a value of this type is written as one: a JSON
    number for a number (`232.0` is an integer, as JSON Schema says), a JSON boolean for a
    boolean. Values read from forms and query strings, which are text, pass to pydantic's own
    reading."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if isinstance(info.context, dict) and info.context.get("json"):
            wrong = isinstance(value, bool) != (kind is bool) or not isinstance(value, int | float)
            if wrong:
                raise ValueError(f"must be a JSON {name}")
        return value

    return check


# Numbers and booleans of request models (the models target puts them in place of `int`,
# `float` and `bool`). A number is finite: JSON has no infinity, and a number too large for a
# float (`1e999999`) is not read as one.
JsonInt = Annotated[int, BeforeValidator(_json_typed(int, "integer"))]
JsonFloat = Annotated[float, AllowInfNan(False), BeforeValidator(_json_typed(float, "number"))]
JsonBool = Annotated[bool, BeforeValidator(_json_typed(bool, "boolean"))]
