"""Every error a generated server answers, in one JSON shape, and never a stack trace."""

from __future__ import annotations

import logging
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


def error_body(status: int, message: str, details: list[dict[str, Any]] | None = None) -> Any:
    body: dict[str, Any] = {"status": "error", "code": status, "message": message}
    if details:
        body["details"] = details
    return body


def _clean(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the inputs echoed back or pydantic's documentation links."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        result.append({"loc": loc, "message": str(error.get("msg", "")), "type": error.get("type")})
    return result


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _clean(exc.errors())
    first = details[0] if details else {"loc": [], "message": "invalid request"}
    where = ".".join(first["loc"])
    text = str(first["message"])
    message = f"{where}: {text}" if where else text
    return JSONResponse(error_body(400, message, details), status_code=400)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        error_body(exc.status_code, str(exc.detail)),
        status_code=exc.status_code,
        headers=exc.headers,
    )


async def _not_implemented(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotImplementedOperation)
    message = f"operation {exc.operation_id} is not implemented by this server"
    return JSONResponse(error_body(501, message), status_code=501)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error in %s %s", request.method, request.url.path)
    return JSONResponse(error_body(500, "internal error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(NotImplementedOperation, _not_implemented)
    app.add_exception_handler(Exception, _unexpected)
