"""Retries, Retry-After, fail-over and client-side rate limiting, on an httpx MockTransport."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable

import httpx
import pytest
from pydantic import BaseModel

from chatforge.runtime.client._base import AsyncAPIClient, Endpoint, SyncAPIClient
from chatforge.runtime.client._errors import (
    APIConnectionError,
    InternalServerError,
    RateLimitError,
)
from chatforge.runtime.client._resilience import RateLimiter, RetryPolicy, retry_after


class Ok(BaseModel):
    ok: bool


Script = list[Callable[[httpx.Request], httpx.Response]]


def scripted(script: Script, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        # A copy: a retried request is the same object, moved to another host.
        seen.append(
            httpx.Request(
                request.method, request.url, headers=request.headers, content=request.content
            )
        )
        return script[len(seen) - 1](request)

    return httpx.MockTransport(handle)


def status(code: int, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(code, json={"ok": code < 400}, headers=headers)


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def sync_client(
    script: Script, seen: list[httpx.Request], slept: list[float], **options: object
) -> SyncAPIClient:
    api = SyncAPIClient(
        base_url="https://primary.example",
        transport=scripted(script, seen),
        retry=RetryPolicy(random=lambda: 1.0),
        **options,
    )  # type: ignore[arg-type]
    api.sleep = slept.append
    return api


GET = Endpoint("GET", "/things")
POST = Endpoint("POST", "/things", body="json")


def test_idempotent_requests_are_retried_with_backoff() -> None:
    seen: list[httpx.Request] = []
    slept: list[float] = []
    api = sync_client([status(503), status(502), status(200)], seen, slept)
    assert api.request(GET, Ok) == Ok(ok=True)
    assert len(seen) == 3 and slept == [0.5, 1.0]


def test_unsafe_requests_are_not_retried_after_a_server_error() -> None:
    seen: list[httpx.Request] = []
    api = sync_client([status(503), status(200)], seen, [])
    with pytest.raises(InternalServerError):
        api.request(POST, Ok, body={})
    assert len(seen) == 1


def test_a_refused_request_honours_retry_after_seconds_and_dates() -> None:
    seen: list[httpx.Request] = []
    slept: list[float] = []
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    api = sync_client(
        [status(429, **{"Retry-After": "2"}), status(429, **{"Retry-After": later}), status(200)],
        seen,
        slept,
        max_retries=3,
    )
    assert api.request(POST, Ok, body={}).ok
    assert slept[0] == 2.0 and 27.0 < slept[1] <= 30.0


def test_retry_after_is_capped_and_retries_end() -> None:
    seen: list[httpx.Request] = []
    slept: list[float] = []
    script = [status(429, **{"Retry-After": "3600"})] * 3
    api = sync_client(script, seen, slept)
    with pytest.raises(RateLimitError):
        api.request(POST, Ok, body={})
    assert len(seen) == 3 and slept == [60.0, 60.0]


def test_per_call_max_retries() -> None:
    seen: list[httpx.Request] = []
    api = sync_client([status(503), status(200)], seen, [])
    with pytest.raises(InternalServerError):
        api.request(GET, Ok, options={"max_retries": 0})
    assert len(seen) == 1


def test_connection_errors_fail_over_to_the_backup_host() -> None:
    seen: list[httpx.Request] = []
    api = sync_client([refuse, status(200)], seen, [], backup_url="https://backup.example/")
    assert api.request(POST, Ok, body={"a": 1}).ok
    assert [r.url.host for r in seen] == ["primary.example", "backup.example"]
    assert seen[1].content == b'{"a":1}'
    assert api.base_url == "https://primary.example"


def test_connection_errors_without_retries_left_raise_typed() -> None:
    seen: list[httpx.Request] = []
    api = sync_client([refuse] * 3, seen, [])
    with pytest.raises(APIConnectionError):
        api.request(GET, Ok)
    assert len(seen) == 3


def test_retry_after_parsing() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("-3") == 0.0
    assert retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0


def test_rate_limiter_spaces_a_burst_to_the_documented_limit() -> None:
    now = [100.0]
    limiter = RateLimiter(clock=lambda: now[0])
    keys = (("operation:POST /x", 3, 1.0),)
    waits = [limiter.reserve(keys) for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1 / 3) and waits[4] == pytest.approx(2 / 3)
    now[0] += 10
    assert limiter.reserve(keys) == 0.0


def test_operations_of_one_group_share_a_bucket() -> None:
    seen: list[httpx.Request] = []
    slept: list[float] = []
    api = sync_client([status(200)] * 3, seen, slept, rate_limit=True)
    first = Endpoint("POST", "/push/a", body="json", limit=(2, 3600.0), group="push")
    second = Endpoint("POST", "/push/b", body="json", limit=(2, 3600.0), group="push")
    api.request(first, Ok, body={})
    api.request(second, Ok, body={})
    assert slept == []
    api.request(first, Ok, body={})
    assert len(slept) == 1 and 1700 < slept[0] <= 1800


def test_async_client_retries_too() -> None:
    seen: list[httpx.Request] = []
    slept: list[float] = []

    async def run() -> Ok:
        def handle(request: httpx.Request) -> httpx.Response:
            seen.append(httpx.Request(request.method, request.url))
            return httpx.Response(503 if len(seen) == 1 else 200, json={"ok": True})

        api = AsyncAPIClient(
            base_url="https://primary.example",
            backup_url="https://b.example",
            transport=httpx.MockTransport(handle),
            retry=RetryPolicy(random=lambda: 0.0),
        )

        async def fake_sleep(seconds: float) -> None:
            slept.append(seconds)

        api.sleep = fake_sleep
        async with api:
            return await api.request(GET, Ok)

    assert asyncio.run(run()) == Ok(ok=True)
    assert slept == [0.25] and [r.url.host for r in seen] == ["primary.example", "b.example"]
