"""Every error a generated server answers, in one JSON shape, and never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

logger = logging.getLogger(__name__)


class NotImplementedOperation(Exception):
    """Raised by handler methods that the application has not implemented."""

    def __init__(self, operation_id: str) -> None:
        super().__init__(operation_id)
        self.operation_id = operation_id


@dataclass(frozen=True)
class ErrorShape:
    """How the API words its errors: where the code and message go, the vendor's code for
    each kind of failure (HTTP status where it has none), and members every error carries."""

    code_field: str = "code"
    message_field: str = "message"
    codes: Mapping[str, int] = field(default_factory=dict)
    constant: Mapping[str, Any] = field(default_factory=lambda: {"status": "error"})

    def body(
        self, status: int, kind: str, message: str, details: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.constant)
        body[self.code_field] = self.codes.get(kind, status)
        body[self.message_field] = message
        if details:
            body["details"] = details
        return body


class APIError(Exception):
    """Raise from a handler to answer an error in the API's own shape."""

    def __init__(self, status: int, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind


class AuthenticationFailed(APIError):
    def __init__(self, message: str) -> None:
        super().__init__(401, message, "authentication")


_KIND_BY_STATUS = {
    400: "validation",
    401: "authentication",
    403: "permission",
    404: "not_found",
    405: "not_found",
    413: "too_large",
    429: "rate_limited",
    501: "not_implemented",
}


def _clean(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the inputs echoed back or pydantic's documentation links."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        result.append({"loc": loc, "message": str(error.get("msg", "")), "type": error.get("type")})
    return result


def install_error_handlers(app: FastAPI, shape: ErrorShape | None = None) -> None:
    """Every failure answers in `shape`: validation, routing, unimplemented and unexpected."""
    shape = shape or ErrorShape()

    def answer(
        status: int,
        kind: str,
        message: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> JSONResponse:
        return JSONResponse(
            shape.body(status, kind, message, details),
            status_code=status,
            headers=dict(headers or {}),
        )

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = _clean(exc.errors())
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        where = ".".join(first["loc"])
        text = str(first["message"])
        return answer(400, "validation", f"{where}: {text}" if where else text, details)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        kind = _KIND_BY_STATUS.get(exc.status_code, "error")
        return answer(exc.status_code, kind, str(exc.detail), headers=exc.headers)

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, APIError)
        return answer(exc.status, exc.kind, exc.message)

    async def not_implemented(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, NotImplementedOperation)
        message = f"operation {exc.operation_id} is not implemented by this server"
        return answer(501, "not_implemented", message)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error in %s %s", request.method, request.url.path)
        return answer(500, "internal", "internal error")

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(APIError, api_error)
    app.add_exception_handler(NotImplementedOperation, not_implemented)
    app.add_exception_handler(Exception, unexpected)
