"""The exception hierarchy of a generated client."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

_MESSAGE_KEYS = ("message", "errorMessage", "error_description", "detail", "error")
_CODE_KEYS = ("code", "error_code", "errorCode")


class APIError(Exception):
    """Base of every error this client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(APIError):
    """The service could not be reached, or the connection broke."""


class APITimeoutError(APIConnectionError):
    """The request took longer than its timeout."""


class APIStatusError(APIError):
    """The service answered with an error status."""

    def __init__(self, response: httpx.Response, body: Any) -> None:
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.code = _first(body, _CODE_KEYS)
        vendor_message = _first(body, _MESSAGE_KEYS)
        self.request_id = response.headers.get("x-request-id")
        text = f"HTTP {response.status_code}"
        if self.code is not None:
            text += f" (code {self.code})"
        if vendor_message is not None:
            text += f": {vendor_message}"
        super().__init__(text)
        self.vendor_message = vendor_message


class APIEnvelopeError(APIStatusError):
    """The service answered with a success status, but its envelope reports a failure."""


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


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
