"""Authentication schemes, as httpx auth flows. Secrets never appear in a repr.

This module imports httpx, so the generated client imports it only when a client is made.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable, Generator

import httpx

from ._jwt import hs256_token
from ._types import Secret as Secret


def _value(secret: Secret) -> str:
    return secret() if callable(secret) else secret


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`; a callable is asked for the token on every request."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {_value(self._token)}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


class BasicAuth(httpx.Auth):
    def __init__(self, username: str, password: Secret) -> None:
        self._username = username
        self._password = password

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raw = f"{self._username}:{_value(self._password)}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")
        yield request

    def __repr__(self) -> str:
        return f"BasicAuth(username={self._username!r}, password=***)"


class ApiKeyAuth(httpx.Auth):
    """A key sent in a header or in the query string."""

    def __init__(self, key: Secret, name: str, location: str = "header") -> None:
        self._key = key
        self._name = name
        self._location = location

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._location == "query":
            request.url = request.url.copy_merge_params({self._name: _value(self._key)})
        else:
            request.headers[self._name] = _value(self._key)
        yield request

    def __repr__(self) -> str:
        return f"ApiKeyAuth(name={self._name!r}, key=***)"


class MultiAuth(httpx.Auth):
    """Several schemes applied to one request; those not configured (None) are skipped."""

    def __init__(self, *schemes: httpx.Auth | None) -> None:
        self._schemes = tuple(scheme for scheme in schemes if scheme is not None)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for scheme in self._schemes:
            flow = scheme.auth_flow(request)
            request = next(flow)
        yield request

    def __repr__(self) -> str:
        return f"MultiAuth{self._schemes!r}"


class FixedHeader(httpx.Auth):
    """A header whose value the API fixes (Stream's `Stream-Auth-Type: jwt`)."""

    def __init__(self, name: str, value: str) -> None:
        self._name = name
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._name] = self._value
        yield request

    def __repr__(self) -> str:
        return f"FixedHeader({self._name!r}, {self._value!r})"


class SignatureAuth(httpx.Auth):
    """Signed headers: an app key, a fresh nonce and timestamp, and a digest of the secret,
    nonce and timestamp (in the order the API declares) on every request."""

    def __init__(
        self,
        app_key: str,
        app_secret: Secret,
        *,
        app_key_header: str = "App-Key",
        nonce_header: str = "Nonce",
        timestamp_header: str = "Timestamp",
        signature_header: str = "Signature",
        milliseconds: bool = False,
        signed: tuple[str, ...] = ("secret", "nonce", "timestamp"),
        algorithm: str = "sha1",
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        self._app_key = app_key
        self._secret = app_secret
        self._headers = (app_key_header, nonce_header, timestamp_header, signature_header)
        self._milliseconds = milliseconds
        self._signed = signed
        self._algorithm = algorithm
        self._clock = clock
        self._nonce = nonce or (lambda: secrets.token_hex(8))

    def sign(self, nonce: str, timestamp: str) -> str:
        """The signature of one request: pure, so it can be checked against known answers."""
        parts = {"secret": _value(self._secret), "nonce": nonce, "timestamp": timestamp}
        text = "".join(parts[name] for name in self._signed)
        return hashlib.new(self._algorithm, text.encode("utf-8")).hexdigest()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        now = self._clock()
        timestamp = str(int(now * 1000) if self._milliseconds else int(now))
        nonce = self._nonce()
        key_header, nonce_header, time_header, signature_header = self._headers
        request.headers[key_header] = self._app_key
        request.headers[nonce_header] = nonce
        request.headers[time_header] = timestamp
        request.headers[signature_header] = self.sign(nonce, timestamp)
        yield request

    def __repr__(self) -> str:
        return f"SignatureAuth(app_key={self._app_key!r}, app_secret=***)"


class JWTAuth(httpx.Auth):
    """A JSON Web Token in a header: a given token (a user's), or a server token minted once
    from the API secret."""

    def __init__(
        self,
        *,
        secret: Secret | None = None,
        token: Secret | None = None,
        header: str = "Authorization",
        prefix: str = "",
        server_claims: dict[str, object] | None = None,
    ) -> None:
        if secret is None and token is None:
            raise ValueError("give the API secret (for a server token) or a token")
        self._secret = secret
        self._token = token
        self._header = header
        self._prefix = prefix
        self._claims = dict(server_claims or {"server": True})
        self._minted: str | None = None

    def token(self) -> str:
        if self._token is not None:
            return _value(self._token)
        if self._minted is None:
            assert self._secret is not None
            self._minted = hs256_token(self._claims, _value(self._secret))
        return self._minted

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = f"{self._prefix}{self.token()}"
        yield request

    def __repr__(self) -> str:
        return f"JWTAuth(header={self._header!r}, token=***)"
