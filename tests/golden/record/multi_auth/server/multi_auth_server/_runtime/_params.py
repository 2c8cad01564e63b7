"""Request parts FastAPI cannot declare by itself: form bodies with repeated keys, deepObject and
JSON-string fields, multipart uploads, text and raw bodies, and deepObject query parameters."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import unquote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

M = TypeVar("M", bound=BaseModel)
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
MAX_FIELDS = 1000
MAX_DEPTH = 64


def coerce(value: Any, kind: str | None) -> Any:
    """A form string read as the JSON type its schema declares, where it spells one. Text that
    names no value of that type (an integer of more digits than Python reads, a number beyond
    the range of a float) stays text, for the model to refuse."""
    if not isinstance(value, str) or kind is None:
        return value
    if kind == "integer" and _INTEGER.fullmatch(value):
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "number" and _NUMBER.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(text: str | bytes) -> Any:
    """JSON text as Python data; ValueError for anything that is not JSON (`NaN` and
    `Infinity` included) or that nests arrays and objects deeper than MAX_DEPTH."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise ValueError("nested too deeply")
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return value


def _insert(target: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        child = target.get(key)
        if not isinstance(child, dict):
            child = {}
            target[key] = child
        target = child
    last = keys[-1]
    if last in target:
        existing = target[last]
        target[last] = [*existing, value] if isinstance(existing, list) else [existing, value]
    else:
        target[last] = value


def _invalid(loc: tuple[str, ...], message: str, kind: str = "value_error") -> None:
    raise RequestValidationError([{"loc": loc, "msg": message, "type": kind}])


def decode_pairs(
    items: Iterable[tuple[str, Any]],
    where: str,
    styles: Mapping[str, str],
    arrays: Iterable[str],
    kinds: Mapping[str, str],
) -> dict[str, Any]:
    """Form or query pairs back into JSON data, as the operation's encodings declare them."""
    data: dict[str, Any] = {}
    deep: dict[str, Any] = {}
    count = 0
    for key, value in items:
        count += 1
        if count > MAX_FIELDS:
            _invalid((where,), f"more than {MAX_FIELDS} fields")
        match = _KEY.match(key)
        if match and styles.get(match.group(1)) == "deepObject":
            path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
            if len(path) > MAX_DEPTH:
                _invalid((where, match.group(1)), f"nests deeper than {MAX_DEPTH} levels")
            _insert(deep, path, value)
            continue
        if styles.get(key) == "json" and isinstance(value, str):
            try:
                value = read_json(value)
            except ValueError:
                _invalid((where, key), "is not valid JSON", "json_invalid")
        else:
            value = coerce(value, kinds.get(key))
        _insert(data, [key], value)
    for name in arrays:
        if name in data and not isinstance(data[name], list):
            data[name] = [data[name]]
        if isinstance(deep.get(name), dict):
            deep[name] = _indexed(deep[name], (where, name))
    data.update(deep)
    return data


def _indexed(found: dict[str, Any], loc: tuple[str, ...]) -> list[Any]:
    """A deepObject array's items, `name[0]=a&name[1]=b` (or `name[]=a&name[]=b`), in the
    order of their indexes."""
    items: list[tuple[int, Any]] = []
    for key, value in found.items():
        if key == "":
            items.extend((-1, item) for item in (value if isinstance(value, list) else [value]))
        elif key.isdigit() and len(key) <= 6:
            items.append((int(key), value))
        else:
            _invalid(loc, f"{key!r} is no index of an array", "list_type")
    return [value for _, value in sorted(items, key=lambda item: item[0])]


def _located(exc: ValidationError, where: str) -> RequestValidationError:
    """pydantic's errors as FastAPI's, each located under `where` ("body", "query.payload")."""
    errors = [
        {**error, "loc": (where, *error.get("loc", ()))}
        for error in exc.errors(include_url=False, include_input=False)
    ]
    return RequestValidationError(errors)


def validate(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _located(exc, where) from None


def _from_json(model: type[M], raw: bytes | str, where: str) -> M:
    """`model` read from JSON text: numbers and booleans must be JSON numbers and booleans, as
    the spec says (pydantic alone would take `"10"` for 10 and `"True"` for true); see
    `JsonInt` in `_checks`, which the validation context turns on."""
    try:
        return model.model_validate_json(raw, context={"json": True})
    except ValidationError as exc:
        raise _located(exc, where) from None


def json_body(model: type[M], *, required: bool = True) -> Callable[[Request], Awaitable[M | None]]:
    """A dependency reading a JSON body into `model` (see `_from_json`); None for an optional
    body that was left out. A body of `null` is not left out: it is refused."""

    async def dependency(request: Request) -> M | None:
        raw = await request.body()
        if not raw.strip():
            if required:
                _invalid(("body",), "field required", "missing")
            return None
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media and media != "application/json" and not media.endswith("+json"):
            _invalid(("body",), f"expected a JSON body, got {media}", "content_type")
        return _from_json(model, raw, "body")

    return dependency


def text_body(*, required: bool = True) -> Callable[[Request], Awaitable[str | None]]:
    """A dependency reading a `text/*` body as text (UTF-8 unless its Content-Type names another
    charset); None for an optional body that was left out."""

    async def dependency(request: Request) -> str | None:
        raw = await request.body()
        if not raw:
            if required:
                _invalid(("body",), "field required", "missing")
            return None
        header = request.headers.get("content-type", "")
        media = header.split(";")[0].strip().lower()
        if media and not media.startswith("text/"):
            _invalid(("body",), f"expected a text body, got {media}", "content_type")
        charset = "utf-8"
        for part in header.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            error = {"loc": ("body",), "msg": f"the body is not text in {charset}"}
            raise RequestValidationError([{**error, "type": "unicode_decode"}]) from None

    return dependency


def raw_body(*, required: bool = True) -> Callable[[Request], Awaitable[bytes | None]]:
    """A dependency reading a body of any other media type (`application/octet-stream`, `*/*`)
    as its bytes; None for an optional body that was left out."""

    async def dependency(request: Request) -> bytes | None:
        raw = await request.body()
        if not raw:
            if required:
                _invalid(("body",), "field required", "missing")
            return None
        return raw

    return dependency


def form_body(
    model: type[M],
    *,
    styles: Mapping[str, str] | None = None,
    arrays: Iterable[str] = (),
    kinds: Mapping[str, str] | None = None,
    required: bool = True,
) -> Callable[[Request], Awaitable[M | None]]:
    """A dependency reading a form or multipart body into `model`; None for an optional body
    that was left out."""
    styles = dict(styles or {})
    array_names = tuple(arrays)
    kind_map = dict(kinds or {})

    async def dependency(request: Request) -> M | None:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not required and not media and not await request.body():
            return None
        if media not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _invalid(("body",), f"expected a form body, got {media or 'none'}", "content_type")
        async with request.form() as form:
            items: list[tuple[str, Any]] = []
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    items.append((key, await value.read()))
                else:
                    items.append((key, value))
        data = decode_pairs(items, "body", styles, array_names, kind_map)
        return validate(model, data, "body")

    return dependency


def deep_object_query(
    name: str, model: type[M], required: bool = False
) -> Callable[[Request], Awaitable[M | None]]:
    """A dependency reading `name[key]=value` query parameters into `model`."""

    async def dependency(request: Request) -> M | None:
        prefix = f"{name}["
        items = [(k, v) for k, v in request.query_params.multi_items() if k.startswith(prefix)]
        if not items:
            if required:
                _invalid(("query", name), "field required", "missing")
            return None
        data = decode_pairs(items, "query", {name: "deepObject"}, (), {})
        return validate(model, data.get(name), f"query.{name}")

    return dependency


def csv_query(
    name: str, kind: str | None = None, required: bool = False, check: Any = None
) -> Callable[[Request], Awaitable[list[Any] | None]]:
    """A dependency reading an array sent as one comma-separated query value; its items read
    as the JSON type `kind`, and the whole checked against the type `check` (its items' type
    and constraints, its length) when one is given."""
    adapter = None if check is None else TypeAdapter(check)

    async def dependency(request: Request) -> list[Any] | None:
        raw = request.query_params.get(name)
        if raw is None:
            if required:
                _invalid(("query", name), "field required", "missing")
            return None
        items = [coerce(item, kind) for item in raw.split(",")] if raw else []
        if adapter is None:
            return items
        try:
            checked: list[Any] = adapter.validate_python(items)
        except ValidationError as exc:
            raise _located(exc, f"query.{name}") from None
        return checked

    return dependency


def json_query(
    name: str, model: type[M], required: bool = False
) -> Callable[[Request], Awaitable[M | None]]:
    """A dependency reading a query parameter that carries JSON text into `model`.
    Async, like the other readers here, so that FastAPI runs it without a worker thread."""

    async def dependency(request: Request) -> M | None:
        raw = request.query_params.get(name)
        if raw is None:
            if required:
                _invalid(("query", name), "field required", "missing")
            return None
        return _from_json(model, raw, f"query.{name}")

    return dependency


def _simple(text: str, shape: str, explode: bool) -> Any:
    """A path or header value in the `simple` style: an array as `a,b`, an object as `k,v,k,v`
    (or `k=v,k=v` exploded)."""
    if shape == "scalar":
        return text
    items = text.split(",") if text else []
    if shape != "object":
        return items
    if explode:
        return dict(item.partition("=")[::2] for item in items)
    if len(items) % 2:
        raise ValueError("is not a list of key,value pairs")
    return dict(zip(items[::2], items[1::2], strict=True))


def _query(request: Request, name: str, style: str, shape: str, members: tuple[str, ...]) -> Any:
    """The JSON data of a query parameter in `style`; None when it is not in the query."""
    query = request.query_params
    if style == "deepObject":
        prefix = f"{name}["
        arrays = (name,) if shape == "array" else ()
        items = [(k, v) for k, v in query.multi_items() if k.startswith(prefix)]
        if arrays:  # an array's items may also come as repeated names
            items += [(k, v) for k, v in query.multi_items() if k == name]
        return decode_pairs(items, "query", {name: "deepObject"}, arrays, {}).get(name)
    if style == "json":
        raw = query.get(name)
        return None if raw is None else read_json(raw)
    if style == "csv" and shape == "object":  # form, not exploded: `k1,v1,k2,v2`
        raw = query.get(name)
        return None if raw is None else _simple(raw, "object", False)
    if shape == "object":  # form, exploded: each member a key of its own
        found = {k: v for k, v in query.multi_items() if k in members}
        return found or None
    values = query.getlist(name)
    if not values:
        return None
    if shape == "objects":  # an array whose items are objects: each item a JSON text
        return [read_json(value) for value in values]
    return values if shape == "array" else values[-1]


def cookie_text(value: Any) -> Any:
    """A cookie parameter's text, its percent-encoded characters decoded (a client writes those
    a cookie may not hold, `;` and spaces among them, so)."""
    return unquote(value) if isinstance(value, str) else value


def styled_param(
    location: str,
    name: str,
    kind: Any,
    *,
    style: str,
    shape: str,
    explode: bool = False,
    members: tuple[str, ...] = (),
    key: str | None = None,
    required: bool = False,
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading a parameter FastAPI cannot declare by itself (an object or an
    array in a path or a header, an object or an array of objects in a query, a map in a
    `deepObject` query) as its style spells it, checked against the type `kind`. `shape` is
    `array`, `objects` (an array of objects), `object` or `scalar`; `key` is the name the route
    gives a path parameter."""
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    where = f"{location}.{name}"

    async def dependency(request: Request) -> Any:
        try:
            if location == "query":
                data = _query(request, name, style, shape, members)
            else:
                text = (
                    request.path_params.get(key or name)
                    if location == "path"
                    else request.headers.get(name)
                )
                data = None if text is None else _simple(text, shape, explode)
        except ValueError as exc:
            raise RequestValidationError(
                [{"loc": (location, name), "msg": str(exc), "type": "value_error"}]
            ) from None
        if data is None:
            if required:
                _invalid((location, name), "field required", "missing")
            return None
        try:
            return adapter.validate_python(data)
        except ValidationError as exc:
            raise _located(exc, where) from None

    return dependency
