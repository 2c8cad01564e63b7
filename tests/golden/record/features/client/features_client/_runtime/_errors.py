"""The exception hierarchy of a generated client."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

_MESSAGE_KEYS = ("message", "errorMessage", "error_description", "detail", "error")
_CODE_KEYS = ("code", "error_code", "errorCode")


class APIError(Exception):
    """Base of every error this client raises.

    Attributes:
        message: What went wrong, in words. `str(error)` gives the whole line.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(APIError):
    """The service could not be reached, or the connection broke."""


class APITimeoutError(APIConnectionError):
    """The request took longer than its timeout."""


class APIStatusError(APIError):
    """The service answered with an error status. `str(error)` reads
    `HTTP 404 (code 16): Not Found`.

    Attributes:
        message: The vendor's own message from the body; the status's reason phrase when the
            body carries none.
        status_code: The HTTP status.
        code: The vendor's error code from the body, or None.
        request_id: The `X-Request-Id` header of the answer, or None.
        body: The body, parsed from JSON (its text where it is not JSON; None when empty).
        response: The `httpx.Response` itself.
    """

    def __init__(self, response: httpx.Response, body: Any) -> None:
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.code = _first(body, _CODE_KEYS)
        found = _first(body, _MESSAGE_KEYS)
        self.request_id = response.headers.get("x-request-id")
        text = f"HTTP {response.status_code}"
        if self.code is not None:
            text += f" (code {self.code})"
        if found is not None:
            text += f": {found}"
        super().__init__(text)
        self.message = str(found) if found is not None else response.reason_phrase or text


class APIEnvelopeError(APIStatusError):
    """The service answered with a success status, but its envelope reports a failure."""


class BadRequestError(APIStatusError):
    """400 Bad Request: the service refused the request as malformed or invalid."""


class AuthenticationError(APIStatusError):
    """401 Unauthorized: the credentials are missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403 Forbidden: the credentials may not do this."""


class NotFoundError(APIStatusError):
    """404 Not Found: what the request names does not exist."""


class ConflictError(APIStatusError):
    """409 Conflict: the request clashes with the current state (an id already taken...)."""


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity: the request is well-formed but its values are refused."""


class RateLimitError(APIStatusError):
    """429 Too Many Requests: past the vendor's rate limit (retried first, see `max_retries`)."""


class InternalServerError(APIStatusError):
    """5xx: the service failed (retried first for idempotent methods)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _first(body: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(body, dict):
        for key in keys:
            value = body.get(key)
            if value is not None and not isinstance(value, dict | list):
                return value
    return None


def status_error(response: httpx.Response) -> APIStatusError:
    """The exception for an error response, by status, with the vendor's body parsed."""
    try:
        body: Any = json.loads(response.content) if response.content else None
    except ValueError:
        body = response.text
    cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    return cls(response, body)
