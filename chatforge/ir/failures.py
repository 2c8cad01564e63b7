"""Each kind of failure a generated server answers, its HTTP status, and the exception a
generated client raises for that status: one table that lint, the IR and every target read."""

from __future__ import annotations

from chatforge.ir.model import ErrorStyle, Failure

# Each kind of failure a generated server answers, with its HTTP status.
ERROR_KINDS = {
    "validation": 400,
    "authentication": 401,
    "permission": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "internal": 500,
    "not_implemented": 501,
}

# The exception class the generated client's runtime raises for each status it names
# (`runtime/client/_errors.py`); any other 5xx is `InternalServerError`, any other status
# `APIStatusError`.
CLIENT_EXCEPTIONS = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}


def raised(status: int) -> str:
    """The exception the generated client raises for an answer with this status."""
    if status in CLIENT_EXCEPTIONS:
        return CLIENT_EXCEPTIONS[status]
    return "InternalServerError" if status >= 500 else "APIStatusError"


def failures(style: ErrorStyle) -> tuple[Failure, ...]:
    """Every kind of failure, with the status the API answers it with (validation's is the
    spec's), the vendor's code for it and the client's exception."""
    codes = dict(style.codes)
    result = []
    for kind, status in ERROR_KINDS.items():
        status = style.validation_status if kind == "validation" else status
        result.append(Failure(kind, status, codes.get(kind), raised(status)))
    return tuple(result)
