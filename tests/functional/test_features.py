"""The generator's features the chat APIs rely on, end to end on a small spec of its own
(tests/fixtures/specs/features.yaml): generated into a temporary folder, then client against
server over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from chatforge.config import load_config
from chatforge.ir.model import Api
from chatforge.run import pipeline
from tests.conftest import ROOT, LiveServer
from tests.functional.harness import (
    Generated,
    Recorder,
    arguments,
    check_arrival,
    credentials,
    load_generated,
    project_apis,
)
from tests.running import chatforge

SPEC = ROOT / "tests/fixtures/specs/features.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    out = tmp_path_factory.mktemp("features")
    result = chatforge("generate", SPEC, "--out", out, "-q", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    source = pipeline.find_specs(load_config(ROOT), [str(SPEC)])[0]
    api: Api = pipeline.build(pipeline.check(source))
    return load_generated(api, out)


@pytest.fixture(scope="module")
def live(generated: Generated) -> Iterator[tuple[Recorder, LiveServer]]:
    recorder = Recorder(generated)
    app = generated.server.create_app(**recorder.handlers())
    with LiveServer(recorder.wrap(app)) as server:
        yield recorder, server


def client(generated: Generated, server: LiveServer) -> Any:
    assert credentials(generated.api) == {
        "app_key": "test-app_key",
        "app_secret": "test-app_secret",
    }
    return generated.client.Client(app_key="key-1", app_secret="secret-1", base_url=server.url)


def test_every_function_reaches_its_handler(
    generated: Generated, live: tuple[Recorder, LiveServer]
) -> None:
    recorder, server = live
    for op in generated.api.operations:
        for function in op.functions:
            kwargs = arguments(function)
            recorder.clear()
            with client(generated, server) as c:
                getattr(c.users, function.method)(**kwargs)
            check_arrival(op, function, kwargs, recorder.calls[0])


def test_requests_are_signed(generated: Generated, live: tuple[Recorder, LiveServer]) -> None:
    recorder, server = live
    recorder.clear()
    with client(generated, server) as c:
        c.users.delete_user(names="ann")
    headers = {k.decode(): v.decode() for k, v in recorder.raw[0][3].items()}
    assert headers["app-key"] == "key-1"
    digest = hashlib.sha1(
        ("secret-1" + headers["nonce"] + headers["timestamp"]).encode()
    ).hexdigest()
    assert headers["signature"] == digest


def test_whole_body_array_and_form_map(
    generated: Generated, live: tuple[Recorder, LiveServer]
) -> None:
    recorder, server = live
    recorder.clear()
    with client(generated, server) as c:
        c.users.register_users(users=[{"username": "ann"}, {"username": "bob", "nickname": "B"}])
        c.users.set_metadata(name="ann", fields={"city": "Lyon"}, x_trace_id="t-1")
    assert json.loads(recorder.raw[0][2]) == [
        {"username": "ann"},
        {"username": "bob", "nickname": "B"},
    ]
    assert parse_qsl(recorder.raw[1][2].decode()) == [("city", "Lyon")]
    assert recorder.calls[1].kwargs["x_trace_id"] == "t-1"
    assert recorder.calls[1].kwargs["body"].root == {"city": "Lyon"}


def test_json_string_form_field_and_json_query(
    generated: Generated, live: tuple[Recorder, LiveServer]
) -> None:
    recorder, server = live
    recorder.clear()
    with client(generated, server) as c:
        c.users.send_message(to_user_id=["a", "b"], content={"text": "hé"}, is_persisted=0)
        c.users.search(payload={"query": "q", "limit": 3})
    assert parse_qsl(recorder.raw[0][2].decode()) == [
        ("toUserId", "a"),
        ("toUserId", "b"),
        ("content", '{"text":"hé"}'),
        ("isPersisted", "0"),
    ]
    assert recorder.calls[0].kwargs["body"].is_persisted == 0
    query = dict(parse_qsl(recorder.raw[1][0].split("?", 1)[1]))
    assert json.loads(query["payload"]) == {"query": "q", "limit": 3}
    assert recorder.calls[1].kwargs["payload"].limit == 3


def test_alias_paths_are_served(generated: Generated, live: tuple[Recorder, LiveServer]) -> None:
    recorder, server = live
    recorder.clear()
    response = httpx.delete(f"{server.url}/user/ann,bob/delete")
    assert response.status_code == 200 and response.json() == {"code": 200}
    assert recorder.calls[0].kwargs["names"] == "ann,bob"


def test_envelope_failures_raise(generated: Generated) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 1008, "errorMessage": "too many requests"})

    with generated.client.Client(
        app_key="k", app_secret="s", transport=httpx.MockTransport(handle)
    ) as c:
        with pytest.raises(generated.client.APIEnvelopeError) as caught:
            c.users.delete_user(names="ann")
    assert caught.value.code == 1008 and "too many requests" in str(caught.value)


def test_invalid_json_string_field_is_a_400(
    generated: Generated, live: tuple[Recorder, LiveServer]
) -> None:
    _, server = live
    response = httpx.post(
        f"{server.url}/messages/send", data={"toUserId": "a", "content": "{not json"}
    )
    assert response.status_code == 400
    assert "content" in response.json()["errorMessage"]
    assert response.json()["code"] == 1002


@pytest.fixture(scope="module")
def guarded(generated: Generated) -> Iterator[LiveServer]:
    check = generated.server.security.signature_check({"key-1": "secret-1"})
    app = generated.server.create_app(mock=True, auth=check)
    with LiveServer(app) as server:
        yield server


def test_the_server_verifies_signatures(generated: Generated, guarded: LiveServer) -> None:
    with client(generated, guarded) as good:
        assert good.users.delete_user(names="ann").code == 200
    with generated.client.Client(app_key="key-1", app_secret="wrong", base_url=guarded.url) as c:
        with pytest.raises(generated.client.AuthenticationError) as caught:
            c.users.delete_user(names="ann")
    assert caught.value.status_code == 401
    assert caught.value.body == {"code": 1004, "errorMessage": "the signature does not match"}


def test_prefixed_headers_and_millisecond_timestamps_are_accepted(guarded: LiveServer) -> None:
    stamp = str(int(time.time() * 1000))
    signature = hashlib.sha1(f"secret-1n0nce{stamp}".encode()).hexdigest()
    headers = {
        "RC-App-Key": "key-1",
        "RC-Nonce": "n0nce",
        "RC-Timestamp": stamp,
        "RC-Signature": signature,
    }
    assert httpx.delete(f"{guarded.url}/users/ann", headers=headers).status_code == 200
    stale = {**headers, "RC-Timestamp": str(int(time.time()) - 3600)}
    refused = httpx.delete(f"{guarded.url}/users/ann", headers=stale)
    assert refused.status_code == 401 and "window" in refused.json()["errorMessage"]
    missing = httpx.delete(f"{guarded.url}/users/ann")
    assert missing.status_code == 401 and missing.json()["code"] == 1004


def test_validation_errors_use_the_vendor_envelope(
    guarded: LiveServer, generated: Generated
) -> None:
    with client(generated, guarded) as c:
        with pytest.raises(generated.client.BadRequestError) as caught:
            c.users.send_message(to_user_id=["a"], content={"text": 5})  # type: ignore[dict-item]
    assert caught.value.code == 1002
    assert caught.value.body == {"code": 1002, "errorMessage": caught.value.body["errorMessage"]}
    assert caught.value.body["errorMessage"] == "body member 'content.text' must be a string"


def test_comma_separated_query_arrays() -> None:
    """`style: form, explode: false`: Stream's `ids=m1,m2` on the wire, a list in the handler."""
    stream = load_generated(next(api for api in project_apis() if api.slug == "stream"))
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=stream.examples["get_many_messages"])

    with stream.client.Client(
        api_key="k", api_secret="s", transport=httpx.MockTransport(handle)
    ) as c:
        c.messages.get_many_messages(type="messaging", id="general", ids=["m1", "m 2"])
    assert dict(parse_qsl(seen[0].url.query.decode()))["ids"] == "m1,m 2"
    app = stream.server.create_app(mock=True)
    transport = httpx.ASGITransport(app=app)

    async def ask(query: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get(f"/channels/messaging/general/messages?{query}")

    assert asyncio.run(ask("ids=m1,m2")).status_code == 200
    assert asyncio.run(ask("other=1")).status_code == 400
