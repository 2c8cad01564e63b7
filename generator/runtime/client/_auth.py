"""Authentication schemes, as httpx auth flows. Secrets never appear in a repr."""

from __future__ import annotations

import base64
from collections.abc import Callable, Generator

import httpx

Secret = str | Callable[[], str]


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
