"""Every documented function of every API: its generated client calls its generated server over
HTTP on 127.0.0.1, sync and async, and the handler receives exactly what was sent."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from tests.conftest import LiveServer
from tests.functional.harness import (
    Generated,
    Recorder,
    arguments,
    check_arrival,
    credentials,
    load_generated,
    project_apis,
    resource,
    same,
    server_check,
)

APIS = {api.slug: api for api in project_apis()}
CASES = [
    (slug, op, fn) for slug, api in APIS.items() for op in api.operations for fn in op.functions
]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, tuple[Generated, Recorder, LiveServer]]]:
    running: dict[str, tuple[Generated, Recorder, LiveServer]] = {}
    try:
        for slug, api in APIS.items():
            generated = load_generated(api)
            recorder = Recorder(generated)
            app = generated.server.create_app(**recorder.handlers())
            live = LiveServer(recorder.wrap(app)).__enter__()
            running[slug] = (generated, recorder, live)
        yield running
    finally:
        for _, _, live in running.values():
            live.__exit__(None, None, None)


@pytest.fixture(scope="module")
def clients(servers: dict[str, tuple[Generated, Recorder, LiveServer]]) -> Iterator[Clients]:
    """A sync and an async client of each API, each kept open for every call, as a program
    keeps its clients (the async ones on one event loop)."""
    with asyncio.Runner() as loop:
        opened = Clients(loop)
        try:
            for slug, (generated, _, live) in servers.items():
                given = credentials(generated.api)
                opened.sync[slug] = generated.client.Client(base_url=live.url, **given)
                opened.asynchronous[slug] = generated.client.AsyncClient(base_url=live.url, **given)
            yield opened
        finally:
            for client in opened.sync.values():
                client.close()
            for async_client in opened.asynchronous.values():
                loop.run(async_client.close())


@dataclass
class Clients:
    loop: asyncio.Runner
    sync: dict[str, Any] = field(default_factory=dict)
    asynchronous: dict[str, Any] = field(default_factory=dict)


@pytest.mark.parametrize("slug", sorted(APIS))
def test_every_documented_function_has_a_client_method(slug: str) -> None:
    api = APIS[slug]
    rows = sorted(fn.row for op in api.operations for fn in op.functions if fn.row)
    if api.source_functions:
        assert rows == list(range(1, api.source_functions + 1))
    generated = load_generated(api)
    for op in api.operations:
        for fn in op.functions:
            tag = next(t for t in api.tags if t.name == op.tag)
            module = importlib.import_module(f"{api.client_package}.resources.{tag.py}")
            sync_cls = getattr(module, tag.resource)
            async_cls = getattr(module, f"Async{tag.resource}")
            assert isinstance(getattr(generated.client.Client, tag.py), cached_property)
            assert callable(getattr(sync_cls, fn.method))
            assert callable(getattr(async_cls, fn.method))


def expected_result(generated: Generated, op_py: str, kind: str, result: Any) -> None:
    expected = generated.examples[op_py]
    if kind == "binary":
        assert result == expected
    elif kind == "empty":
        assert result is None
    else:
        assert same(result, expected)


@pytest.mark.parametrize(
    ("slug", "op", "function"), CASES, ids=[f"{s}.{fn.method}" for s, _, fn in CASES]
)
def test_sync_call_reaches_the_handler(
    slug: str, op: Any, function: Any, servers: dict[str, Any], clients: Clients
) -> None:
    generated, recorder, _ = servers[slug]
    kwargs = arguments(function)
    recorder.clear()
    client = clients.sync[slug]
    result = getattr(resource(client, generated.api, op), function.method)(**kwargs)
    assert len(recorder.calls) == 1, recorder.raw
    check_arrival(op, function, kwargs, recorder.calls[0])
    target, content_type, raw, _ = recorder.raw[0]
    assert target.startswith(f"{op.method} ")
    if op.body is not None:
        assert content_type.split(";")[0] == op.body.media_type
    else:
        assert raw == b""
    expected_result(generated, op.py, op.success.kind, result)


@pytest.mark.parametrize(
    ("slug", "op", "function"), CASES, ids=[f"{s}.{fn.method}" for s, _, fn in CASES]
)
def test_async_call_reaches_the_handler(
    slug: str, op: Any, function: Any, servers: dict[str, Any], clients: Clients
) -> None:
    generated, recorder, _ = servers[slug]
    kwargs = arguments(function)
    client = clients.asynchronous[slug]
    recorder.clear()
    result = clients.loop.run(
        getattr(resource(client, generated.api, op), function.method)(**kwargs)
    )
    assert len(recorder.calls) == 1
    check_arrival(op, function, kwargs, recorder.calls[0])
    expected_result(generated, op.py, op.success.kind, result)


class _Rewrite(httpx.BaseTransport):
    """Sends every request to another path of the same server, query kept."""

    def __init__(self, path: str) -> None:
        self._inner = httpx.HTTPTransport()
        self._path = path

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        query = request.url.query
        request.url = request.url.copy_with(
            raw_path=self._path.encode() + (b"?" + query if query else b"")
        )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


ALIASED = [
    (slug, op, alias) for slug, api in APIS.items() for op in api.operations for alias in op.aliases
]


@pytest.mark.parametrize(
    ("slug", "op", "alias"), ALIASED, ids=[f"{s}.{op.py}:{a}" for s, op, a in ALIASED]
)
def test_documented_alias_paths_are_served(
    slug: str, op: Any, alias: str, servers: dict[str, Any]
) -> None:
    generated, recorder, live = servers[slug]
    function = op.functions[0]
    kwargs = arguments(function)
    values = {p.wire: quote(str(kwargs[p.py]), safe="") for p in op.path_params}
    path = alias
    for wire, value in values.items():
        path = path.replace("{" + wire + "}", value)
    recorder.clear()
    with generated.client.Client(
        base_url=live.url, transport=_Rewrite(path), **credentials(generated.api)
    ) as client:
        getattr(resource(client, generated.api, op), function.method)(**kwargs)
    assert recorder.raw[0][0].startswith(f"{op.method} {unquote(path)}?")
    check_arrival(op, function, kwargs, recorder.calls[0])


@pytest.mark.parametrize("slug", sorted(APIS))
def test_the_client_authenticates_to_the_server(slug: str) -> None:
    generated = load_generated(APIS[slug])
    op = next(o for o in generated.api.operations if not o.body or o.body.kind == "json")
    function = op.functions[0]
    app = generated.server.create_app(mock=True, auth=server_check(generated))
    right = credentials(generated.api)
    wrong = {
        name: value + "-wrong" if "key" not in name else value for name, value in right.items()
    }
    with LiveServer(app) as live:
        with generated.client.Client(base_url=live.url, **right) as client:
            getattr(resource(client, generated.api, op), function.method)(**arguments(function))
        with generated.client.Client(base_url=live.url, **wrong) as client:
            with pytest.raises(generated.client.AuthenticationError) as caught:
                getattr(resource(client, generated.api, op), function.method)(**arguments(function))
    assert caught.value.status_code == 401
