"""Checks of the credentials a request carries, as FastAPI dependencies: signed headers, JSON
Web Tokens and bearer tokens. Keys and secrets come from the application's configuration."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import inspect
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import Request

from ._errors import AuthenticationFailed
from ._params import read_json

# A timestamp: Unix seconds or milliseconds in ASCII digits, 16 at most (enough for either).
_TIMESTAMP = re.compile(r"[0-9]{1,16}")
# The longest token read, far beyond any real one.
MAX_TOKEN_CHARS = 8192


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that any text may take part in, not only ASCII."""
    return hmac.compare_digest(given.encode(), expected.encode())


class SignatureCheck:
    """Signed headers: a known app key, a timestamp inside the window, and a digest of the
    secret, nonce and timestamp that matches (compared in constant time)."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        *,
        app_key_header: str = "App-Key",
        nonce_header: str = "Nonce",
        timestamp_header: str = "Timestamp",
        signature_header: str = "Signature",
        prefixes: tuple[str, ...] = ("",),
        signed: tuple[str, ...] = ("secret", "nonce", "timestamp"),
        algorithm: str = "sha1",
        window_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = dict(secrets)
        self._names = (app_key_header, nonce_header, timestamp_header, signature_header)
        self._prefixes = prefixes
        self._signed = signed
        self._algorithm = algorithm
        self._window = window_seconds
        self._clock = clock

    def _header(self, request: Request, name: str) -> str:
        for prefix in self._prefixes:
            value = request.headers.get(f"{prefix}{name}")
            if value:
                return value
        raise AuthenticationFailed(f"the {name} header is missing")

    async def __call__(self, request: Request) -> None:
        key, nonce, stamp, signature = (self._header(request, n) for n in self._names)
        secret = self._secrets.get(key)
        if secret is None:
            raise AuthenticationFailed("unknown app key")
        if not _TIMESTAMP.fullmatch(stamp):
            raise AuthenticationFailed("the timestamp is not a number")
        seconds = int(stamp)
        if seconds > 10**11:  # milliseconds
            seconds //= 1000
        if abs(self._clock() - seconds) > self._window:
            raise AuthenticationFailed("the timestamp is outside the accepted window")
        parts = {"secret": secret, "nonce": nonce, "timestamp": stamp}
        text = "".join(parts[name] for name in self._signed)
        expected = hashlib.new(self._algorithm, text.encode("utf-8")).hexdigest()
        if not _same(expected, signature.lower()):
            raise AuthenticationFailed("the signature does not match")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _segment(text: str, what: str) -> dict[str, Any]:
    """One JSON segment of a token: an object in base64url; AuthenticationFailed otherwise."""
    try:
        value = read_json(_unb64(text))
    except (ValueError, binascii.Error):
        raise AuthenticationFailed(f"the token's {what} is not JSON") from None
    if not isinstance(value, dict):
        raise AuthenticationFailed(f"the token's {what} is not an object")
    return value


class JWTCheck:
    """An HS256 token signed with the API secret, and the API key in the query; with
    `allow_anonymous`, requests that say they are anonymous pass without a token."""

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        header: str = "Authorization",
        prefix: str = "",
        api_key_param: str | None = "api_key",
        auth_type_header: str | None = None,
        allow_anonymous: bool = False,
    ) -> None:
        self._key = api_key
        self._secret = api_secret.encode("utf-8")
        self._header = header
        self._prefix = prefix
        self._key_param = api_key_param
        self._type_header = auth_type_header
        self._anonymous = allow_anonymous

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of a token signed with the secret; AuthenticationFailed otherwise."""
        parts = token.split(".")
        if len(token) > MAX_TOKEN_CHARS or len(parts) != 3 or not token.isascii():
            raise AuthenticationFailed("the token is not a JSON Web Token")
        header_b64, payload_b64, signature_b64 = parts
        header = _segment(header_b64, "header")
        if header.get("alg") != "HS256":
            raise AuthenticationFailed("the token is not signed with HS256")
        try:
            signature = _unb64(signature_b64)
        except (ValueError, binascii.Error):
            raise AuthenticationFailed("the token is not a JSON Web Token") from None
        signing_input = f"{header_b64}.{payload_b64}".encode()
        expected = hmac.new(self._secret, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise AuthenticationFailed("the token's signature does not match")
        claims = _segment(payload_b64, "claims")
        expires = claims.get("exp")
        if isinstance(expires, bool) or not isinstance(expires, int | float | None):
            raise AuthenticationFailed("the token's exp claim is not a number")
        if expires is not None and expires < time.time():
            raise AuthenticationFailed("the token has expired")
        return claims

    async def __call__(self, request: Request) -> None:
        if self._key_param is not None:
            given = request.query_params.get(self._key_param)
            if given is None or not _same(given, self._key):
                raise AuthenticationFailed(f"the {self._key_param} parameter is missing or wrong")
        kind = request.headers.get(self._type_header, "") if self._type_header else ""
        if self._anonymous and kind == "anonymous" and self._header not in request.headers:
            return
        value = request.headers.get(self._header)
        if not value or not value.startswith(self._prefix):
            raise AuthenticationFailed(f"the {self._header} header is missing")
        self.claims(value[len(self._prefix) :])


Verifier = Callable[[str], bool | Awaitable[bool]]


class BearerCheck:
    """`Authorization: Bearer <token>`, accepted when `verify(token)` says so."""

    def __init__(self, verify: Verifier) -> None:
        self._verify = verify

    async def __call__(self, request: Request) -> None:
        value = request.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationFailed("a bearer token is required")
        verdict = self._verify(token)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        if not verdict:
            raise AuthenticationFailed("the token is not valid")
