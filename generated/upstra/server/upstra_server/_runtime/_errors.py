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
    fixed: Mapping[str, Any] = field(default_factory=lambda: {"status": "error"})

    def body(
        self,
        status: int,
        kind: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        code: int | str | None = None,
    ) -> dict[str, Any]:
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


def _problems(errors: Any) -> dict[str, str]:
    """Each offending field and what is wrong with it, without the input echoed back."""
    found: dict[str, str] = {}
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ()))
        found.setdefault(where, str(error.get("msg", "invalid")))
    return found


def _shown(request: Request) -> str:
    """The request's method and path for a log line: one line, short, control characters
    escaped."""
    path = request.url.path
    if len(path) > 200:
        path = path[:200] + "..."
    text = f"{request.method} {path}"
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def install_error_handlers(app: FastAPI, shape: ErrorShape | None = None) -> None:
    """Every failure answers in `shape`: validation, routing, unimplemented and unexpected."""
    shape = shape or ErrorShape()

    def answer(
        status: int,
        kind: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        code: int | str | None = None,
    ) -> JSONResponse:
        return JSONResponse(
            shape.body(status, kind, message, fields, code),
            status_code=status,
            headers=dict(headers or {}),
        )

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = _problems(exc.errors())
        where, text = next(iter(problems.items()), ("", "invalid request"))
        return answer(400, "validation", f"{where}: {text}" if where else text, problems)

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
        return answer(400, "validation", "the request ended before its body was complete")

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error in %s", _shown(request))
        return answer(500, "internal", "internal error")

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(APIError, api_error)
    app.add_exception_handler(NotImplementedOperation, not_implemented)
    app.add_exception_handler(ClientDisconnect, disconnected)
    app.add_exception_handler(Exception, unexpected)
