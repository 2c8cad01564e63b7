"""Turning keyword arguments into the wire format an operation declares."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

from pydantic import BaseModel

from ._types import FileInput, NotGiven

Pairs = list[tuple[str, str]]


def jsonable(value: Any) -> Any:
    """Plain JSON data from arguments: models by alias, unset values dropped."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if not isinstance(v, NotGiven)}
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, Sequence):
        return [jsonable(item) for item in value]
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, UUID | Decimal):  # a Decimal is exact text, as the models write it
        return str(value)
    return value


def given(values: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (values or {}).items() if not isinstance(v, NotGiven)}


def scalar(value: Any) -> str:
    """A scalar as form and query strings spell it: booleans lowercase, like JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _deep(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _deep(f"{prefix}[{key}]", item)
    elif isinstance(value, list):
        for item in value:
            yield from _deep(prefix, item)
    elif value is not None:
        yield prefix, scalar(value)


def _text(value: Any) -> str:
    """A scalar as `scalar` spells it; an object or an array as JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return scalar(value)


def cookie_header(values: Mapping[str, Any]) -> str:
    """Cookie parameters as one `Cookie` header, `name=value; name=value`, each value in the
    form style (an array `a,b`, an object `k,v,k,v`) and percent-encoded where a cookie may not
    hold a character as it is."""
    return "; ".join(
        f"{name}={quote(simple(value), safe=_COOKIE_SAFE)}"
        for name, value in values.items()
        if value is not None
    )


# What a cookie value holds as it is (RFC 6265's cookie-octet, less `%`, which encodes the rest).
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~,"


def simple(value: Any, explode: bool = False) -> str:
    """A path or header value in the `simple` style: an array as `a,b`, an object as `k,v,k,v`,
    or `k=v,k=v` when exploded."""
    value = jsonable(value)
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    if isinstance(value, dict):
        if explode:
            return ",".join(f"{k}={_text(v)}" for k, v in value.items() if v is not None)
        return ",".join(f"{k},{_text(v)}" for k, v in value.items() if v is not None)
    return scalar(value)


def pairs(values: Mapping[str, Any], styles: Mapping[str, str], *, members: bool = False) -> Pairs:
    """Form or query pairs: arrays as repeated keys (an item that is an object as JSON text),
    `deepObject` as `name[key]` (an array as `name[0]`, `name[1]`...), `json` as text. An
    object is JSON text, or with `members` (a query, in the form style) its members as keys of
    their own."""
    result: Pairs = []
    for name, raw in values.items():
        value = jsonable(raw)
        style = styles.get(name, "form")
        if value is None:
            continue
        if style == "json":
            result.append((name, json.dumps(value, separators=(",", ":"), ensure_ascii=False)))
        elif style == "deepObject" and isinstance(value, list):
            # An array in the deepObject style: each item under its index, `name[0]=a`.
            for index, item in enumerate(value):
                result.extend(_deep(f"{name}[{index}]", item))
        elif style == "deepObject":
            result.extend(_deep(name, value))
        elif style == "csv" and isinstance(value, list):
            result.append((name, ",".join(scalar(item) for item in value)))
        elif style == "csv" and isinstance(value, dict):
            spelled = (f"{key},{_text(item)}" for key, item in value.items() if item is not None)
            result.append((name, ",".join(spelled)))
        elif isinstance(value, list):
            result.extend((name, _text(item)) for item in value)
        elif isinstance(value, dict) and members:
            result.extend((key, _text(item)) for key, item in value.items() if item is not None)
        elif isinstance(value, dict):
            result.append((name, json.dumps(value, separators=(",", ":"), ensure_ascii=False)))
        else:
            result.append((name, scalar(value)))
    return result


def form_body(values: Mapping[str, Any], styles: Mapping[str, str]) -> bytes:
    return urlencode(pairs(values, styles)).encode("ascii")


def json_body(values: Any) -> bytes:
    return json.dumps(jsonable(values), separators=(",", ":"), ensure_ascii=False).encode()


def expand_path(
    template: str, values: Mapping[str, Any], exploded: Mapping[str, str] | None = None
) -> str:
    """The path with each `{name}` replaced by its value, percent-encoded. An empty value is
    refused: it would send the request to another route. Arrays and objects are spelled in the
    `simple` style (see `simple`), exploded where `exploded` says so."""
    exploded = exploded or {}
    for name, value in values.items():
        text = simple(value, exploded.get(name) == "exploded")
        if not text:
            raise ValueError(f"path parameter {name!r} must not be empty")
        template = template.replace("{" + name + "}", quote(text, safe=""))
    return template


FilePart = tuple[str, bytes, str]


def file_part(name: str, value: FileInput) -> FilePart:
    """(file name, content, media type) of an upload given as bytes, a file, a path or a tuple."""
    media = "application/octet-stream"
    if isinstance(value, tuple):
        filename, content = value[0], value[1]
        if len(value) == 3:
            media = value[2]
        data = content if isinstance(content, bytes) else content.read()
        return filename, data, media
    if isinstance(value, bytes):
        return name, value, media
    if isinstance(value, os.PathLike):
        path = Path(value)
        return path.name, path.read_bytes(), media
    if isinstance(value, io.IOBase) or hasattr(value, "read"):
        filename = os.path.basename(str(getattr(value, "name", name)))
        return filename, value.read(), media
    raise TypeError(f"cannot upload a {type(value).__name__}; give bytes, a file or a path")


def _one_file(value: Sequence[Any]) -> bool:
    """Whether a tuple is one upload, `(file name, content[, media type])`, not several."""
    return isinstance(value, tuple) and len(value) in (2, 3) and isinstance(value[0], str)


def multipart(
    values: Mapping[str, Any], styles: Mapping[str, str]
) -> tuple[list[tuple[str, str]], list[tuple[str, FilePart]]]:
    """Form fields and file parts for httpx's `data` and `files`."""
    files = [
        (k, file_part(k, item))
        for k, v in values.items()
        if styles.get(k) == "file"
        for item in (v if isinstance(v, list | tuple) and not _one_file(v) else [v])
    ]
    rest = {k: v for k, v in values.items() if styles.get(k) != "file"}
    return pairs(rest, styles), files
