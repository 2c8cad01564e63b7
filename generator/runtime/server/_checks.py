"""Checks of the spec that pydantic does not make of itself, on the members of request models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import AfterValidator, BeforeValidator


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("must not be null (it may be left out)")
    return value


# On a member whose type takes None only to stand for "left out": pydantic does not validate a
# default, so this refuses an explicit null alone.
NOT_NULL = BeforeValidator(_refuse_null)


def _unique(items: list[Any]) -> list[Any]:
    for index, item in enumerate(items):
        if item in items[:index]:
            raise ValueError(f"items must be unique; {item!r} is repeated")
    return items


# `uniqueItems`.
UNIQUE = AfterValidator(_unique)


def _within(low: int, high: int, what: str) -> AfterValidator:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be within the range of {what} ({low} to {high})")
        return value

    return AfterValidator(check)


# Integers of `format: int32` and `int64`.
INT32 = _within(-(2**31), 2**31 - 1, "int32")
INT64 = _within(-(2**63), 2**63 - 1, "int64")


def _count(size: int, low: int, high: int | None) -> None:
    if size < low:
        raise ValueError(f"must have at least {low} member{'s' * (low != 1)}")
    if high is not None and size > high:
        raise ValueError(f"must have at most {high} member{'s' * (high != 1)}")


def members_between(low: int, high: int | None) -> Callable[[Any, Any], Any]:
    """`minProperties` and `maxProperties` on a model: the members a request gives, counted
    before validation (a member left out is not counted, whatever its default)."""

    def check(cls: Any, data: Any) -> Any:
        if isinstance(data, dict):
            _count(len(data), low, high)
        return data

    return check
