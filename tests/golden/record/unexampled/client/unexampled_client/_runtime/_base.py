"""The HTTP core of a generated client, sync and async; generated code only describes operations.

httpx and asyncio are imported when the first client is made, not with this module, so that
importing a generated package stays quick.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar, cast

from pydantic import BaseModel

from . import _encoding as encoding
from ._errors import APIConnectionError, APIEnvelopeError, APITimeoutError, status_error
from ._raw import seen
from ._resilience import Hosts, RateLimiter, RetryPolicy
from ._types import RequestOptions, Secret

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2


@dataclass(frozen=True)
class Endpoint:
    """What the runtime needs to know about one operation."""

    method: str
    path: str
    body: Literal["json", "form", "multipart", "text", "raw"] | None = None
    # Wire names whose encoding is not the plain one: "deepObject", "json" or "file".
    styles: Mapping[str, str] = field(default_factory=dict)
    # The vendor's documented limit (requests, seconds), and the group sharing it, if any.
    limit: tuple[int, float] | None = None
    group: str | None = None
    # The Content-Type of a text or raw body (`text/plain; charset=utf-8`).
    media: str | None = None

    def buckets(self) -> tuple[tuple[str, int, float], ...]:
        if self.limit is None:
            return ()
        requests, period = self.limit
        key = f"group:{self.group}" if self.group else f"operation:{self.method} {self.path}"
        return ((key, requests, period),)


@dataclass(frozen=True)
class Envelope:
    """How the vendor wraps its answers: a success status can still carry a failure code."""

    code_field: str
    success_codes: tuple[int | str, ...]


class As(Generic[T]):
    """A type to parse an answer into that is not a class: a type alias such as
    `list[Item]`, written `As[Alias](Alias)`."""

    __slots__ = ("kind",)

    def __init__(self, kind: object) -> None:
        self.kind = kind


_ADAPTERS: dict[object, Any] = {}


def _adapter(kind: object) -> Any:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        from pydantic import TypeAdapter

        adapter = _ADAPTERS[kind] = TypeAdapter(cast(Any, kind))
    return adapter


@contextlib.contextmanager
def atomic_file(destination: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A file written beside `destination` and moved onto it only when complete."""
    target = Path(destination)
    partial = target.with_name(f".{target.name}.part")
    try:
        with open(partial, "wb") as handle:
            yield handle
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


@contextlib.contextmanager
def transport_errors(endpoint: Endpoint) -> Iterator[None]:
    """httpx's network failures as this client's typed errors."""
    import httpx

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
        max_retries: int = DEFAULT_MAX_RETRIES,
        backup_url: str | None = None,
        rate_limit: bool = False,
        retry: RetryPolicy | None = None,
        query_credentials: Mapping[str, Secret] | None = None,
    ) -> None:
        import httpx

        self.hosts = Hosts(base_url.rstrip("/"), backup_url.rstrip("/") if backup_url else None)
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self._limiter = RateLimiter() if rate_limit else None
        self._envelope = envelope
        self.timeout = timeout
        self._extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        self._query_credentials: dict[str, Secret] = dict(query_credentials or {})
        self._headers = dict(headers or {})

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
        cookies: Mapping[str, Any] | None = None,
    ) -> httpx.Request:
        import httpx

        url = self.hosts.primary + encoding.expand_path(endpoint.path, path or {}, endpoint.styles)
        given = encoding.given(query)
        pairs = encoding.pairs(given, endpoint.styles, members=True) if query else []
        pairs.extend((options.get("extra_query") or {}).items())
        for name, secret in self._query_credentials.items():
            pairs.append((name, secret() if callable(secret) else secret))
        if pairs:  # built here so that httpx parses the URL once
            url += "?" + str(httpx.QueryParams(tuple(pairs)))
        sent = {
            k: encoding.simple(v, endpoint.styles.get(k) == "exploded")
            for k, v in encoding.given(headers).items()
        }
        cookie = encoding.cookie_header(encoding.given(cookies))
        if cookie:
            sent["Cookie"] = cookie
        sent.update(self._headers)
        sent.update(options.get("extra_headers") or {})
        timeout = options.get("timeout")
        extensions = self._extensions
        if timeout is not None:
            extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        if endpoint.body == "json":
            values = encoding.given(body) if isinstance(body, Mapping) else body
            sent.setdefault("Content-Type", "application/json")
            return http.build_request(
                endpoint.method,
                url,
                headers=sent,
                content=encoding.json_body(values),
                extensions=extensions,
            )
        if endpoint.body == "form":
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
            return http.build_request(
                endpoint.method,
                url,
                headers=sent,
                content=encoding.form_body(encoding.given(body), endpoint.styles),
                extensions=extensions,
            )
        if endpoint.body in ("text", "raw") and isinstance(body, str | bytes):
            sent.setdefault("Content-Type", endpoint.media or "application/octet-stream")
            return http.build_request(
                endpoint.method,
                url,
                headers=sent,
                content=body.encode() if isinstance(body, str) else body,
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
                headers=sent,
                data=data_dict,
                files=files,
                extensions=extensions,
            )
        return http.build_request(endpoint.method, url, headers=sent, extensions=extensions)

    @property
    def base_url(self) -> str:
        return self.hosts.primary

    def throttle(self, endpoint: Endpoint) -> float:
        """Seconds to wait before sending, when client-side rate limiting is on."""
        return self._limiter.reserve(endpoint.buckets()) if self._limiter else 0.0

    def again(
        self,
        request: httpx.Request,
        attempt: int,
        options: RequestOptions,
        *,
        response: httpx.Response | None = None,
        error: httpx.TransportError | None = None,
    ) -> float | None:
        """After a failed attempt: None to give up, or the seconds to wait before sending the
        request again (moved to the backup host when the primary looks down)."""
        limit = options.get("max_retries", self.retry.max_retries)
        method = request.method
        if error is not None:
            if not self.retry.should_retry_error(method, error, attempt, limit):
                return None
            self._fail_over(request)
            return self.retry.delay(attempt)
        assert response is not None
        if not self.retry.should_retry_response(method, response, attempt, limit):
            return None
        if response.status_code >= 500:
            self._fail_over(request)
        return self.retry.delay(attempt, response)

    def _fail_over(self, request: httpx.Request) -> None:
        current = str(request.url)
        primary, backup = self.hosts.primary, self.hosts.backup
        if backup and current.startswith(primary):
            import httpx

            request.url = httpx.URL(backup + current[len(primary) :])

    def finish(self, response: httpx.Response, cast_to: type[T] | As[T]) -> T:
        seen(response)
        if response.is_error:
            raise status_error(response)
        parsed: object
        if cast_to is bytes:
            parsed = response.content
        elif cast_to is type(None):
            parsed = None
        elif isinstance(cast_to, type) and issubclass(cast_to, BaseModel):
            if self._envelope is None:
                return cast(T, cast_to.model_validate_json(response.content or b"null"))
            parsed = cast_to.model_validate(self._unwrapped(response))
        elif isinstance(cast_to, As):
            data = self._unwrapped(response)
            return cast(T, _adapter(cast_to.kind).validate_python(data))
        else:
            raise TypeError(f"cannot parse a response into {cast_to!r}")
        return cast(T, parsed)

    def _unwrapped(self, response: httpx.Response) -> Any:
        """The answer's JSON, after its envelope (if the API has one) reports success."""
        data = json.loads(response.content or b"null")
        envelope = self._envelope
        if (
            envelope is not None
            and isinstance(data, dict)
            and envelope.code_field in data
            and data[envelope.code_field] not in envelope.success_codes
        ):
            raise APIEnvelopeError(response, data)
        return data


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
        max_retries: int = DEFAULT_MAX_RETRIES,
        backup_url: str | None = None,
        rate_limit: bool = False,
        retry: RetryPolicy | None = None,
        query_credentials: Mapping[str, Secret] | None = None,
    ) -> None:
        import httpx

        super().__init__(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            headers=headers,
            envelope=envelope,
            max_retries=max_retries,
            backup_url=backup_url,
            rate_limit=rate_limit,
            retry=retry,
            query_credentials=query_credentials,
        )
        self._http = httpx.Client(auth=auth, transport=transport, verify=True)
        self.sleep: Callable[[float], None] = time.sleep

    def request(
        self,
        endpoint: Endpoint,
        cast_to: type[T] | As[T],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Any | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        options = options or {}
        request = self.build_request(
            self._http,
            endpoint,
            path=path,
            query=query,
            headers=headers,
            cookies=cookies,
            body=body,
            options=options,
        )
        return self.finish(self._send(endpoint, request, options, stream=False), cast_to)

    def download(
        self,
        endpoint: Endpoint,
        destination: str | os.PathLike[str],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Any | None = None,
        options: RequestOptions | None = None,
    ) -> Path:
        """Stream a binary answer to a file, whole or not at all (written beside, then moved)."""
        options = options or {}
        request = self.build_request(
            self._http,
            endpoint,
            path=path,
            query=query,
            headers=headers,
            cookies=cookies,
            body=body,
            options=options,
        )
        response = self._send(endpoint, request, options, stream=True)
        try:
            if response.is_error:
                response.read()
                self.finish(response, bytes)
            with atomic_file(destination) as handle, transport_errors(endpoint):
                for chunk in response.iter_bytes():
                    handle.write(chunk)
        finally:
            response.close()
        seen(response)
        return Path(destination)

    def _send(
        self, endpoint: Endpoint, request: httpx.Request, options: RequestOptions, stream: bool
    ) -> httpx.Response:
        attempt = 0
        while True:
            wait = self.throttle(endpoint)
            if wait:
                self.sleep(wait)
            try:
                with transport_errors(endpoint):
                    response = self._http.send(request, stream=stream)
            except APIConnectionError as exc:
                import httpx

                cause = exc.__cause__
                assert isinstance(cause, httpx.TransportError)
                delay = self.again(request, attempt, options, error=cause)
                if delay is None:
                    raise
            else:
                delay = self.again(request, attempt, options, response=response)
                if delay is None:
                    return response
                response.close()
            self.sleep(delay)
            attempt += 1

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
        max_retries: int = DEFAULT_MAX_RETRIES,
        backup_url: str | None = None,
        rate_limit: bool = False,
        retry: RetryPolicy | None = None,
        query_credentials: Mapping[str, Secret] | None = None,
    ) -> None:
        import asyncio

        import httpx

        super().__init__(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            headers=headers,
            envelope=envelope,
            max_retries=max_retries,
            backup_url=backup_url,
            rate_limit=rate_limit,
            retry=retry,
            query_credentials=query_credentials,
        )
        self._http = httpx.AsyncClient(auth=auth, transport=transport, verify=True)
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def request(
        self,
        endpoint: Endpoint,
        cast_to: type[T] | As[T],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Any | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        options = options or {}
        request = self.build_request(
            self._http,
            endpoint,
            path=path,
            query=query,
            headers=headers,
            cookies=cookies,
            body=body,
            options=options,
        )
        response = await self._send(endpoint, request, options, stream=False)
        return self.finish(response, cast_to)

    async def download(
        self,
        endpoint: Endpoint,
        destination: str | os.PathLike[str],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Any | None = None,
        options: RequestOptions | None = None,
    ) -> Path:
        """Stream a binary answer to a file, whole or not at all (written beside, then moved)."""
        options = options or {}
        request = self.build_request(
            self._http,
            endpoint,
            path=path,
            query=query,
            headers=headers,
            cookies=cookies,
            body=body,
            options=options,
        )
        response = await self._send(endpoint, request, options, stream=True)
        try:
            if response.is_error:
                await response.aread()
                self.finish(response, bytes)
            with atomic_file(destination) as handle, transport_errors(endpoint):
                async for chunk in response.aiter_bytes():
                    handle.write(chunk)
        finally:
            await response.aclose()
        seen(response)
        return Path(destination)

    async def _send(
        self, endpoint: Endpoint, request: httpx.Request, options: RequestOptions, stream: bool
    ) -> httpx.Response:
        attempt = 0
        while True:
            wait = self.throttle(endpoint)
            if wait:
                await self.sleep(wait)
            try:
                with transport_errors(endpoint):
                    response = await self._http.send(request, stream=stream)
            except APIConnectionError as exc:
                import httpx

                cause = exc.__cause__
                assert isinstance(cause, httpx.TransportError)
                delay = self.again(request, attempt, options, error=cause)
                if delay is None:
                    raise
            else:
                delay = self.again(request, attempt, options, response=response)
                if delay is None:
                    return response
                await response.aclose()
            await self.sleep(delay)
            attempt += 1

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class SyncResource:
    """A group of operations of a client (one tag of the spec)."""

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncResource:
    """A group of operations of an async client (one tag of the spec)."""

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client
