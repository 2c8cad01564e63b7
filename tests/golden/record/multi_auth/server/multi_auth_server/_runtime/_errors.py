"""Every error a generated server answers, in one JSON shape, and never a stack trace."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

logger = logging.getLogger(__name__)


class NotImplementedOperation(Exception):
    """Raised by handler methods that the application has not implemented."""

    def __init__(self, operation_id: str) -> None:
        super().__init__(operation_id)
        self.operation_id = operation_id


@dataclass(frozen=True)
class ErrorShape:
    """How the API words its errors: the member for the message, the vendor's code for each kind
    of failure (the HTTP status where it has none), and the members every error carries."""

    message_field: str = "message"
    code_field: str | None = "code"
    codes: Mapping[str, int | str] = field(default_factory=dict)
    status_field: str | None = None  # a member repeating the HTTP status
    timestamp_field: str | None = None  # a member with the time of the answer, Unix ms
    fields_field: str | None = None  # a member mapping request fields to their problems
    fixed: Mapping[str, Any] = field(default_factory=dict)
    validation_status: int = 400  # the status of a request that fails validation
    # FastAPI's own shape: `{"detail": message}`, and for a request that fails validation
    # `{"detail": [{"loc": [...], "msg": ..., "type": ...}, ...]}`.
    detail: bool = False

    def body(
        self,
        status: int,
        kind: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        code: int | str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        if self.detail:
            return {"detail": errors if errors else message}
        body: dict[str, Any] = dict(self.fixed)
        if self.code_field is not None:
            body[self.code_field] = code if code is not None else self.codes.get(kind, status)
        body[self.message_field] = message
        if self.status_field is not None:
            body[self.status_field] = status
        if self.timestamp_field is not None:
            body[self.timestamp_field] = int(time.time() * 1000)
        if fields and self.fields_field is not None:
            body[self.fields_field] = dict(fields)
        return body


class APIError(Exception):
    """Raise from a handler to answer an error in the API's own shape."""

    def __init__(
        self, status: int, message: str, kind: str = "error", code: int | str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code  # the vendor's code, when not the one the shape gives `kind`


class AuthenticationFailed(APIError):
    def __init__(self, message: str) -> None:
        super().__init__(401, message, "authentication")


_KIND_BY_STATUS = {
    400: "validation",
    401: "authentication",
    403: "permission",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    501: "not_implemented",
}


# What each kind of pydantic error says, in plain words; `{name}` takes the error's context.
_SAYS = {
    "missing": "is required",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "int_parsing_size": "must be an integer of at most 4300 digits",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "string_too_short": "must be at least {min_length} character(s) long",
    "string_too_long": "must be at most {max_length} character(s) long",
    "string_pattern_mismatch": "must match the pattern {pattern}",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "multiple_of": "must be a multiple of {multiple_of}",
    "too_short": "must have at least {min_length} item(s)",
    "too_long": "must have at most {max_length} item(s)",
    "enum": "must be one of {expected}",
    "literal_error": "must be {expected}",
    "list_type": "must be an array",
    "tuple_type": "must be an array",
    "set_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "extra_forbidden": "is not a member this request takes",
    "json_invalid": "is not valid JSON",
    "json_type": "must be JSON text",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "datetime_type": "must be a date and time (RFC 3339)",
    "datetime_parsing": "must be a date and time (RFC 3339)",
    "datetime_from_date_parsing": "must be a date and time (RFC 3339)",
    "time_parsing": "must be a time of day (HH:MM:SS)",
    "uuid_type": "must be a UUID",
    "uuid_parsing": "must be a UUID",
    "url_type": "must be a URL",
    "url_parsing": "must be a URL",
    "url_scheme": "must be a URL of scheme {expected_schemes}",
    "bytes_type": "must be binary data",
    "union_tag_invalid": "must have {discriminator} of {expected_tags}",
    "union_tag_not_found": "must have the member {discriminator}",
    "no_such_attribute": "is not a member this request takes",
}

# Where a request part is: the first item of an error's location.
_PARTS = {
    "path": "path parameter",
    "query": "query parameter",
    "header": "header",
    "cookie": "cookie",
    "body": "body member",
}


def _said(error: Mapping[str, Any]) -> str:
    """What is wrong, in plain words: never pydantic's own wording, nor the value given."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    template = _SAYS.get(kind)
    if template is not None:
        try:
            return template.format(**context)
        except (KeyError, IndexError, ValueError):
            pass
    text = str(error.get("msg") or "is not valid")
    for pydantic, plain in (
        ("Value error, ", ""),
        ("Assertion failed, ", ""),
        ("Field required", "is required"),
        ("Input should be", "must be"),
        ("Input should", "must"),
    ):
        text = text.replace(pydantic, plain)
    return text[:1].lower() + text[1:]


def _located(loc: Any, wire_names: Mapping[str, str]) -> tuple[tuple[str | int, ...], str]:
    """An error's location with the request's own names (a path parameter's as the spec spells
    it, not its Python name), and the same in words: `query parameter 'limit'`."""
    parts: list[str | int] = []
    for part in loc or ():
        if isinstance(part, str) and not parts and "." in part:
            parts.extend(part.split("."))  # "query.payload": a parameter read by the runtime
        else:
            parts.append(part if isinstance(part, int) else str(part))
    if len(parts) > 1 and parts[0] == "path" and isinstance(parts[1], str):
        parts[1] = wire_names.get(parts[1], parts[1])
    if not parts:
        return (), "the request"
    kind, rest = parts[0], parts[1:]
    if kind == "body" and not rest:
        return tuple(parts), "the request body"
    name = ""
    for part in rest:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else part
    if kind in _PARTS and name:
        return tuple(parts), f"{_PARTS[str(kind)]} '{name}'"
    return tuple(parts), f"'{'.'.join(str(part) for part in parts)}'"


def _problems(
    errors: Any, wire_names: Mapping[str, str] | None = None
) -> list[tuple[tuple[str | int, ...], str, str, str]]:
    """Each offending field: its location, its name in words, what is wrong with it, and the
    kind of error, without the input echoed back. One problem per field."""
    found: dict[tuple[str | int, ...], tuple[tuple[str | int, ...], str, str, str]] = {}
    for error in errors:
        loc, named = _located(error.get("loc", ()), wire_names or {})
        found.setdefault(loc, (loc, named, _said(error), str(error.get("type", "value_error"))))
    return list(found.values())


def _shown(request: Request) -> str:
    """The request's method and path for a log line: one line, short, control characters
    escaped."""
    path = request.url.path
    if len(path) > 200:
        path = path[:200] + "..."
    text = f"{request.method} {path}"
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def install_error_handlers(
    app: FastAPI,
    shape: ErrorShape | None = None,
    path_names: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Every failure answers in `shape`: validation, routing, unimplemented and unexpected.
    `path_names` gives, by route path, the spec's name of each path parameter whose Python name
    differs, for the messages."""
    shape = shape or ErrorShape()
    path_names = path_names or {}

    def answer(
        status: int,
        kind: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        code: int | str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> JSONResponse:
        return JSONResponse(
            shape.body(status, kind, message, fields, code, errors),
            status_code=status,
            headers=dict(headers or {}),
        )

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        route = request.scope.get("route")
        names = path_names.get(str(getattr(route, "path", "")), {})
        problems = _problems(exc.errors(), names)
        if problems:
            _, named, text, _ = problems[0]
            message = f"{named} {text}"
            if len(problems) > 1:
                message += f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})"
        else:
            message = "the request is not valid"
        fields = {".".join(str(p) for p in loc): text for loc, _, text, _ in problems}
        errors = [
            {"loc": list(loc), "msg": f"{named} {text}", "type": kind}
            for loc, named, text, kind in problems
        ]
        return answer(shape.validation_status, "validation", message, fields, errors=errors)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        kind = _KIND_BY_STATUS.get(exc.status_code, "error")
        return answer(exc.status_code, kind, str(exc.detail), headers=exc.headers)

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, APIError)
        return answer(exc.status, exc.kind, exc.message, code=exc.code)

    async def not_implemented(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, NotImplementedOperation)
        message = f"operation {exc.operation_id} is not implemented by this server"
        return answer(501, "not_implemented", message)

    async def disconnected(request: Request, exc: Exception) -> JSONResponse:
        # The client is gone: this answer is never delivered.
        logger.info("client went away before sending the whole request: %s", _shown(request))
        message = "the request ended before its body was complete"
        return answer(shape.validation_status, "validation", message)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error in %s", _shown(request))
        return answer(500, "internal", "internal error")

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(APIError, api_error)
    app.add_exception_handler(NotImplementedOperation, not_implemented)
    app.add_exception_handler(ClientDisconnect, disconnected)
    app.add_exception_handler(Exception, unexpected)
