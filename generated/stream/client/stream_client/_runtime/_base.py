"""The HTTP core of a generated client, sync and async; generated code only describes operations."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar, cast

import httpx
from pydantic import BaseModel

from . import _encoding as encoding
from ._errors import APIConnectionError, APIEnvelopeError, APITimeoutError, status_error
from ._types import RequestOptions

T = TypeVar("T")
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Endpoint:
    """What the runtime needs to know about one operation."""

    method: str
    path: str
    body: Literal["json", "form", "multipart"] | None = None
    # Wire names whose encoding is not the plain one: "deepObject", "json" or "file".
    styles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Envelope:
    """How the vendor wraps its answers: a success status can still carry a failure code."""

    code_field: str
    success_codes: tuple[int | str, ...]


@dataclass(frozen=True)
class APIResponse:
    """The raw answer next to the parsed one: status, headers and body."""

    status_code: int
    headers: httpx.Headers
    content: bytes


@contextlib.contextmanager
def transport_errors(endpoint: Endpoint) -> Iterator[None]:
    """httpx's network failures as this client's typed errors."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"{endpoint.method} {endpoint.path} timed out") from exc
    except httpx.TransportError as exc:
        raise APIConnectionError(f"{endpoint.method} {endpoint.path} failed: {exc}") from exc


class _Core:
    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None,
        timeout: float,
        headers: Mapping[str, str] | None,
        envelope: Envelope | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._envelope = envelope
        self._auth = auth
        self.timeout = timeout
        self._headers = dict(headers or {})
        self.last_response: APIResponse | None = None

    def build_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        endpoint: Endpoint,
        *,
        path: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, Any] | None,
        body: Mapping[str, Any] | Any | None,
        options: RequestOptions,
    ) -> httpx.Request:
        url = self.base_url + encoding.expand_path(endpoint.path, path or {})
        pairs = encoding.pairs(encoding.given(query), endpoint.styles)
        pairs.extend((options.get("extra_query") or {}).items())
        params = httpx.QueryParams(tuple(pairs))
        sent = {k: encoding.scalar(v) for k, v in encoding.given(headers).items()}
        sent.update(self._headers)
        sent.update(options.get("extra_headers") or {})
        timeout = options.get("timeout", self.timeout)
        extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        if endpoint.body == "json":
            values = encoding.given(body) if isinstance(body, Mapping) else body
            sent.setdefault("Content-Type", "application/json")
            return http.build_request(
                endpoint.method,
                url,
                params=params,
                headers=sent,
                content=encoding.json_body(values),
                extensions=extensions,
            )
        if endpoint.body == "form":
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
            return http.build_request(
                endpoint.method,
                url,
                params=params,
                headers=sent,
                content=encoding.form_body(encoding.given(body), endpoint.styles),
                extensions=extensions,
            )
        if endpoint.body == "multipart":
            data, files = encoding.multipart(encoding.given(body), endpoint.styles)
            data_dict: dict[str, list[str]] = {}
            for key, value in data:
                data_dict.setdefault(key, []).append(value)
            return http.build_request(
                endpoint.method,
                url,
                params=params,
                headers=sent,
                data=data_dict,
                files=files,
                extensions=extensions,
            )
        return http.build_request(
            endpoint.method, url, params=params, headers=sent, extensions=extensions
        )

    def finish(self, response: httpx.Response, cast_to: type[T]) -> T:
        self.last_response = APIResponse(response.status_code, response.headers, response.content)
        if response.is_error:
            raise status_error(response)
        parsed: object
        if cast_to is bytes:
            parsed = response.content
        elif cast_to is type(None):
            parsed = None
        elif isinstance(cast_to, type) and issubclass(cast_to, BaseModel):
            envelope = self._envelope
            if envelope is None:
                return cast(T, cast_to.model_validate_json(response.content or b"null"))
            data = json.loads(response.content or b"null")
            if (
                isinstance(data, dict)
                and envelope.code_field in data
                and data[envelope.code_field] not in envelope.success_codes
            ):
                raise APIEnvelopeError(response, data)
            parsed = cast_to.model_validate(data)
        else:
            raise TypeError(f"cannot parse a response into {cast_to!r}")
        return cast(T, parsed)


class SyncAPIClient(_Core):
    """Sends requests with one pooled httpx.Client; close it, or use `with`."""

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        envelope: Envelope | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url, auth=auth, timeout=timeout, headers=headers, envelope=envelope
        )
        self._http = httpx.Client(auth=auth, transport=transport, verify=True)

    def request(
        self,
        endpoint: Endpoint,
        cast_to: type[T],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Any | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        request = self.build_request(
            self._http,
            endpoint,
            path=path,
            query=query,
            headers=headers,
            body=body,
            options=options or {},
        )
        with transport_errors(endpoint):
            response = self._http.send(request)
        return self.finish(response, cast_to)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class AsyncAPIClient(_Core):
    """The async twin of SyncAPIClient."""

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        envelope: Envelope | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url, auth=auth, timeout=timeout, headers=headers, envelope=envelope
        )
        self._http = httpx.AsyncClient(auth=auth, transport=transport, verify=True)

    async def request(
        self,
        endpoint: Endpoint,
        cast_to: type[T],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Any | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        request = self.build_request(
            self._http,
            endpoint,
            path=path,
            query=query,
            headers=headers,
            body=body,
            options=options or {},
        )
        with transport_errors(endpoint):
            response = await self._http.send(request)
        return self.finish(response, cast_to)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class SyncResource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client
