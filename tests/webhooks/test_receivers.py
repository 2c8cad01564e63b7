"""Generated webhook receivers and client helpers on real deliveries: each fixture spec is
generated, its server started on a 127.0.0.1 port, and every event posted signed as the
platform signs it, then forged, tampered with, stale, replayed, unknown and malformed."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import HTTPException, Request
from hypothesis import given, settings
from hypothesis import strategies as st

from chatforge.config import load_config
from chatforge.diagnostics import Level
from chatforge.ir.model import Api, Webhook
from chatforge.run import pipeline
from tests.conftest import ROOT, LiveServer, import_generated
from tests.running import chatforge
from tests.webhooks.signing import Delivery, deliver, digest

FIXTURES = ROOT / "tests/fixtures/webhooks"
SECRET = "s3cret-key"


def build(spec: str | Path) -> Api:
    (source,) = pipeline.find_specs(load_config(ROOT), [str(spec)])
    checked = pipeline.check(source)
    assert checked.ok, [d.render() for d in checked.diagnostics if d.level is Level.ERROR]
    return pipeline.build(checked)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("webhooks")
    result = chatforge("generate", "--specs", FIXTURES, "--out", folder, "-q", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return folder


def event_of(api: Api, name: str) -> Webhook:
    assert api.webhooks is not None
    (found,) = [event for event in api.webhooks.events if event.name == name]
    return found


class Recorder:
    """A `Webhooks` subclass recording every event it is handed."""

    @staticmethod
    def of(server: ModuleType) -> Any:
        class Recording(server.Webhooks):  # type: ignore[name-defined,misc]
            def __init__(self) -> None:
                self.seen: list[tuple[str, Any]] = []

            def __getattribute__(self, name: str) -> Any:
                found = object.__getattribute__(self, name)
                if name.startswith("on_"):
                    seen = object.__getattribute__(self, "seen")

                    async def record(event: Any) -> None:
                        seen.append((name, event))
                        await found(event)

                    return record
                return found

        return Recording()


def post(live: LiveServer, delivery: Delivery, **changes: Any) -> httpx.Response:
    body = changes.get("body", delivery.body)
    headers = {**delivery.headers, **changes.get("headers", {})}
    query = {**delivery.query, **changes.get("query", {})}
    content_type = changes.get("content_type", "application/json")
    return httpx.post(
        live.url + delivery.path,
        content=body,
        headers={"Content-Type": content_type, **headers},
        params=query,
    )


@pytest.fixture(scope="module")
def shared(out: Path) -> Iterator[tuple[Api, ModuleType, Any, LiveServer]]:
    api = build(FIXTURES / "shared_hmac.yaml")
    server = import_generated("shared_hmac", "server", "shared_hmac_server", out)
    handlers = Recorder.of(server)
    with LiveServer(server.create_app(webhooks=handlers, webhook_secret=SECRET)) as live:
        yield api, server, handlers, live


PAYLOADS = {
    "message.new": {
        "type": "message.new",
        "room": "lobby",
        "message": {"id": "m1", "text": "hello"},
        "created_at": 1767225600,
    },
    "message.deleted": {"type": "message.deleted", "message_id": "m1", "hard": True},
    "member.added": {"type": "member.added", "room": "lobby", "user_id": "ann"},
}


def test_the_shared_url_signature_is_an_hmac_of_the_time_and_body() -> None:
    api = build(FIXTURES / "shared_hmac.yaml")
    event = event_of(api, "message.new")
    delivery = deliver(event, PAYLOADS["message.new"], SECRET, sent=1767225600)
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), b"1767225600" + delivery.body, hashlib.sha256)
    assert delivery.headers["X-Signature"] == expected.hexdigest()
    assert delivery.path == "/hooks/events"


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_each_event_signed_reaches_its_handler_typed(
    shared: tuple[Api, ModuleType, Any, LiveServer], name: str
) -> None:
    api, server, handlers, live = shared
    event = event_of(api, name)
    delivery = deliver(event, PAYLOADS[name], SECRET, sent=time.time(), delivery_id=f"ok-{name}")
    before = len(handlers.seen)
    answer = post(live, delivery)
    assert (answer.status_code, answer.text) == (200, "OK")
    assert answer.headers["content-type"].startswith("text/plain")
    handler, model = handlers.seen[before]
    assert handler == event.handler
    assert type(model).__name__ == event.model
    assert model.model_dump(mode="json", exclude_unset=True) == PAYLOADS[name]


def _refused(answer: httpx.Response, words: str) -> None:
    assert answer.status_code == 401, answer.text
    assert words in json.dumps(answer.json())


def test_forged_tampered_and_stale_deliveries_are_refused_and_a_repeat_never_runs_twice(
    shared: tuple[Api, ModuleType, Any, LiveServer],
) -> None:
    api, _server, handlers, live = shared
    event = event_of(api, "message.new")
    payload = PAYLOADS["message.new"]
    before = len(handlers.seen)
    forged = deliver(event, payload, "not-the-secret", sent=time.time(), delivery_id="f-1")
    _refused(post(live, forged), "signature does not match")
    good = deliver(event, payload, SECRET, sent=time.time(), delivery_id="t-1")
    tampered = good.body.replace(b"hello", b"HELLO")
    _refused(post(live, good, body=tampered), "signature does not match")
    unsigned = deliver(event, payload, SECRET, sent=time.time(), delivery_id="u-1")
    del unsigned.headers["X-Signature"]
    _refused(post(live, unsigned), "carries no signature")
    stale = deliver(event, payload, SECRET, sent=time.time() - 301, delivery_id="s-1")
    _refused(post(live, stale), "more than the 300 s allowed")
    assert len(handlers.seen) == before  # no handler ran for any of them
    fresh = deliver(event, payload, SECRET, sent=time.time(), delivery_id="r-1")
    first = post(live, fresh)
    assert (first.status_code, first.text) == (200, "OK")
    again = post(live, fresh)  # the platform's retry after a lost answer, or a replay
    assert (again.status_code, again.text, again.headers["content-type"]) == (
        200,
        "OK",
        first.headers["content-type"],
    )
    assert len(handlers.seen) == before + 1  # handled once


def test_a_retry_of_a_failed_delivery_is_handled_and_one_in_progress_gets_409(out: Path) -> None:
    api = build(FIXTURES / "shared_hmac.yaml")
    server = import_generated("shared_hmac", "server", "shared_hmac_server", out)
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []

    class Flaky(server.Webhooks):  # type: ignore[name-defined,misc]
        async def on_message_new(self, event: Any) -> None:
            calls.append(event.message.id)
            if len(calls) == 1:
                raise RuntimeError("the database is down")

        async def on_member_added(self, event: Any) -> None:
            entered.set()
            await asyncio.get_running_loop().run_in_executor(None, release.wait, 10)

    app = server.create_app(webhooks=Flaky(), webhook_secret=SECRET)
    with LiveServer(app) as live:
        delivery = deliver(
            event_of(api, "message.new"),
            PAYLOADS["message.new"],
            SECRET,
            sent=time.time(),
            delivery_id="flaky-1",
        )
        assert post(live, delivery).status_code == 500
        assert post(live, delivery).status_code == 200  # the platform's retry runs again
        assert post(live, delivery).status_code == 200
        assert calls == ["m1", "m1"]
        slow = deliver(
            event_of(api, "member.added"),
            PAYLOADS["member.added"],
            SECRET,
            sent=time.time(),
            delivery_id="slow-1",
        )
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(post, live, slow)
            assert entered.wait(10)
            busy = post(live, slow)
            assert busy.status_code == 409, busy.text
            assert "is being handled" in busy.text
            release.set()
            assert pending.result().status_code == 200


def test_an_unknown_event_is_accepted_and_logged(
    shared: tuple[Api, ModuleType, Any, LiveServer], caplog: pytest.LogCaptureFixture
) -> None:
    api, server, handlers, live = shared
    event = event_of(api, "message.new")
    payload = {"type": "channel.frozen", "room": "lobby"}
    delivery = deliver(event, payload, SECRET, sent=time.time(), delivery_id="x-1")
    with caplog.at_level(logging.WARNING):
        answer = post(live, delivery)
    assert (answer.status_code, answer.text) == (200, "OK")
    assert "matches no known event" in caplog.text
    handler, unknown = handlers.seen[-1]
    assert handler == "on_unknown_event"
    assert isinstance(unknown, server.UnknownEvent)
    assert unknown.payload == payload


def test_a_payload_that_is_not_its_events_is_refused_with_400(
    shared: tuple[Api, ModuleType, Any, LiveServer],
) -> None:
    api, _server, handlers, live = shared
    event = event_of(api, "message.new")
    payload = {"type": "message.new", "room": "lobby", "created_at": "yesterday"}
    before = len(handlers.seen)
    answer = post(live, deliver(event, payload, SECRET, sent=time.time(), delivery_id="m-1"))
    assert answer.status_code == 400, answer.text
    assert "'message.new' payload is not valid" in json.dumps(answer.json())
    assert len(handlers.seen) == before


def test_the_client_verifies_and_parses_the_same_deliveries(out: Path) -> None:
    api = build(FIXTURES / "shared_hmac.yaml")
    client = import_generated("shared_hmac", "client", "shared_hmac_client", out)
    models = import_generated("shared_hmac", "client", "shared_hmac_client.models", out)
    now = 1767225600.0
    for name, payload in PAYLOADS.items():
        delivery = deliver(event_of(api, name), payload, SECRET, sent=now)
        client.verify_webhook(delivery.body, headers=delivery.headers, secret=SECRET, now=now)
        parsed = client.parse_webhook(
            delivery.body, headers=delivery.headers, secret=SECRET, now=now
        )
        assert isinstance(parsed, getattr(models, event_of(api, name).model))
    delivery = deliver(event_of(api, "message.new"), PAYLOADS["message.new"], SECRET, sent=now)
    lower = {key.lower(): value for key, value in delivery.headers.items()}
    client.verify_webhook(delivery.body, headers=lower, secret=SECRET, now=now)
    with pytest.raises(client.WebhookVerificationError, match="does not match"):
        client.verify_webhook(delivery.body, headers=delivery.headers, secret="other", now=now)
    with pytest.raises(client.WebhookVerificationError, match="more than the 300 s"):
        client.parse_webhook(delivery.body, headers=delivery.headers, secret=SECRET, now=now + 400)
    guard = import_generated("shared_hmac", "client", "shared_hmac_client.webhooks", out)
    replays = guard.ReplayGuard()
    client.verify_webhook(
        delivery.body, headers=delivery.headers, secret=SECRET, now=now, replays=replays
    )
    with pytest.raises(client.WebhookVerificationError, match="already received"):
        client.verify_webhook(
            delivery.body, headers=delivery.headers, secret=SECRET, now=now, replays=replays
        )
    odd = deliver(event_of(api, "message.new"), {"type": "poll.closed"}, SECRET, sent=now)
    unknown = client.parse_webhook(odd.body, headers=odd.headers, secret=SECRET, now=now)
    assert isinstance(unknown, client.UnknownEvent) and unknown.payload == {"type": "poll.closed"}


FORM = {
    "fromUserId": "ann",
    "toUserId": "bob",
    "objectName": "RC:TxtMsg",
    "content": '{"content":"hi"}',
    "msgTimestamp": 1767225600000,
    "toUserIds": ["bob", "cy"],
}


def test_form_callbacks_at_their_own_urls(out: Path) -> None:
    api = build(FIXTURES / "form_callbacks.yaml")
    routing, status = event_of(api, "message_routing"), event_of(api, "user_status")
    delivery = deliver(routing, FORM, SECRET, sent=time.time(), nonce="n-42")
    stamp = delivery.query["timestamp"]
    expected = digest(routing.scheme, f"{SECRET}n-42{stamp}".encode(), SECRET)
    assert (
        delivery.query["signature"]
        == expected
        == __import__("hashlib").sha1(f"{SECRET}n-42{stamp}".encode()).hexdigest()
    )
    server = import_generated("form_callbacks", "server", "form_callbacks_server", out)
    handlers = Recorder.of(server)
    form = "application/x-www-form-urlencoded"
    with LiveServer(server.create_app(webhooks=handlers, webhook_secret=SECRET)) as live:
        answer = post(live, delivery, content_type=form)
        assert answer.status_code == 200, answer.text
        handler, model = handlers.seen[-1]
        assert handler == "on_message_routing"
        dumped = model.model_dump(by_alias=True)
        assert dumped["toUserIds"] == ["bob", "cy"] and dumped["msgTimestamp"] == 1767225600000
        user = {"userid": "ann", "status": 1, "os": "iOS", "time": 1767225600000}
        answer = post(live, deliver(status, user, SECRET, sent=time.time()), content_type=form)
        assert answer.status_code == 200, answer.text
        assert handlers.seen[-1][0] == "on_user_status" and handlers.seen[-1][1].status == 1
        stale = deliver(routing, FORM, SECRET, sent=time.time() - 601)
        assert post(live, stale, content_type=form).status_code == 401
        bad = deliver(status, {**user, "status": "away"}, SECRET, sent=time.time())
        assert post(live, bad, content_type=form).status_code == 400
        forged = deliver(status, user, "guess", sent=time.time())
        assert post(live, forged, content_type=form).status_code == 401
    client = import_generated("form_callbacks", "client", "form_callbacks_client", out)
    parsed = client.parse_webhook(
        delivery.body,
        headers={},
        query=delivery.query,
        secret=SECRET,
        path="/callbacks/message-routing",
    )
    assert type(parsed).__name__ == routing.model
    assert parsed.model_dump(by_alias=True)["toUserIds"] == ["bob", "cy"]


def test_a_signature_in_a_body_field(out: Path) -> None:
    api = build(FIXTURES / "body_signed.yaml")
    chat, offline = event_of(api, "chat_message"), event_of(api, "user_offline")
    base = {"callId": "c-9", "eventType": 1, "timestamp": 1767225600000, "from": "ann", "to": "bob"}
    delivery = deliver(chat, base, SECRET, sent=1767225600)
    sent = json.loads(delivery.body)
    expected = __import__("hashlib").md5(f"c-9{SECRET}{sent['timestamp']}".encode()).hexdigest()
    assert sent["security"] == expected
    server = import_generated("body_signed", "server", "body_signed_server", out)
    handlers = Recorder.of(server)
    with LiveServer(server.create_app(webhooks=handlers, webhook_secret=SECRET)) as live:
        answer = post(live, delivery)
        assert (answer.status_code, answer.text) == (200, "")
        assert handlers.seen[-1][0] == "on_chat_message"
        gone = {"callId": "c-10", "eventType": 2, "timestamp": 1, "user": "ann"}
        assert post(live, deliver(offline, gone, SECRET, sent=1)).status_code == 200
        assert handlers.seen[-1][0] == "on_user_offline"
        retold = json.loads(delivery.body)
        retold["callId"] = "c-11"
        assert post(live, delivery, body=json.dumps(retold).encode()).status_code == 401
        other = deliver(chat, {**base, "eventType": 99}, SECRET, sent=1)
        assert post(live, other).status_code == 200
        assert handlers.seen[-1][0] == "on_unknown_event"
        assert post(live, delivery, body=b"{not json").status_code == 401


def test_a_third_party_spec_checks_its_api_key(out: Path) -> None:
    api = build(FIXTURES / "third_party.yaml")
    order = event_of(api, "newOrder")
    assert (order.scheme.kind, order.path) == ("api_key", "/webhooks")
    server = import_generated("third_party", "server", "third_party_server", out)
    handlers = Recorder.of(server)
    payload = {"order_id": "o-1", "total": 12.5}
    with LiveServer(server.create_app(webhooks=handlers, webhook_secret=SECRET)) as live:
        delivery = deliver(order, payload, SECRET, sent=0)
        assert delivery.headers == {"X-Hook-Key": SECRET}
        assert post(live, delivery).status_code == 200
        assert handlers.seen[-1][1].total == 12.5
        assert post(live, delivery, headers={"X-Hook-Key": "wrong"}).status_code == 401
        # The operations are still served beside the receiver.
        assert httpx.get(f"{live.url}/status").status_code == 501


def test_a_spec_with_only_webhooks(out: Path) -> None:
    api = build(FIXTURES / "only_webhooks.yaml")
    assert api.operations == ()
    ping = event_of(api, "ping")
    server = import_generated("only_webhooks", "server", "only_webhooks_server", out)
    handlers = Recorder.of(server)
    with LiveServer(server.create_app(webhooks=handlers, webhook_secret=SECRET)) as live:
        payload = {"kind": "ping", "sent": "2026-01-01T00:00:00Z"}
        answer = post(live, deliver(ping, payload, SECRET, sent=0))
        assert answer.status_code == 204 and answer.content == b""
        assert handlers.seen[-1][1].sent.year == 2026
        wrong = post(live, deliver(ping, payload, "nope", sent=0))
        assert wrong.status_code == 401
        negative = deliver(ping, {"kind": "report", "count": -1}, SECRET, sent=0)
        assert post(live, negative).status_code == 400
    client = import_generated("only_webhooks", "client", "only_webhooks_client", out)
    delivery = deliver(event_of(api, "report"), {"kind": "report", "count": 3}, SECRET, sent=0)
    assert client.parse_webhook(delivery.body, headers=delivery.headers, secret=SECRET).count == 3


def test_mock_mode_accepts_deliveries_and_a_real_receiver_needs_a_secret(out: Path) -> None:
    api = build(FIXTURES / "shared_hmac.yaml")
    server = import_generated("shared_hmac", "server", "shared_hmac_server", out)
    with pytest.raises(ValueError, match="webhook_secret"):
        server.create_app(webhooks=server.Webhooks())
    event = event_of(api, "member.added")
    with LiveServer(server.create_app(mock=True)) as live:
        unsigned = deliver(event, PAYLOADS["member.added"], "anything", sent=0)
        assert post(live, unsigned).text == "OK"
    with LiveServer(server.create_app(mock=True, webhook_secret=SECRET)) as live:
        assert post(live, unsigned).status_code == 401
        signed = deliver(event, PAYLOADS["member.added"], SECRET, sent=time.time())
        assert post(live, signed).text == "OK"


def test_generated_webhook_code_is_ruff_and_mypy_strict_clean(out: Path) -> None:
    import os
    import subprocess
    import sys

    from chatforge.output.formatting import RUFF_CONFIG, ruff_binary

    config = out / "ruff.toml"
    config.write_text(RUFF_CONFIG, encoding="utf-8")
    linted = subprocess.run(
        [ruff_binary(), "check", "--no-cache", "--config", str(config), str(out)],
        capture_output=True,
        text=True,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    folders, packages = [], []
    for spec in sorted(p.stem for p in FIXTURES.glob("*.yaml")):
        for target in ("client", "server"):
            assert (out / spec / target / f"{spec}_{target}" / "webhooks.py").is_file()
            folders.append(str(out / spec / target))
            packages += ["-p", f"{spec}_{target}"]
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null"]
        + packages,
        cwd=out,
        env={**os.environ, "MYPYPATH": os.pathsep.join(folders)},
        capture_output=True,
        text=True,
    )
    assert typed.returncode == 0, typed.stdout + typed.stderr


def test_the_receiver_is_checked_by_its_signature_not_by_the_apps_auth(out: Path) -> None:
    api = build(FIXTURES / "third_party.yaml")
    server = import_generated("third_party", "server", "third_party_server", out)

    async def deny(request: Request) -> None:
        raise HTTPException(401, "no credentials")

    app = server.create_app(auth=deny, webhooks=server.Webhooks(), webhook_secret=SECRET)
    with LiveServer(app) as live:
        assert httpx.get(f"{live.url}/status").status_code == 401
        delivery = deliver(event_of(api, "newOrder"), {"order_id": "o", "total": 1}, SECRET, sent=0)
        assert post(live, delivery).status_code == 200


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_signed_body_that_is_no_event_at_all_is_refused_with_400(
    shared: tuple[Api, ModuleType, Any, LiveServer], body: bytes
) -> None:
    api, _server, handlers, live = shared
    event = event_of(api, "message.new")
    sent = str(int(time.time()))
    signature = digest(event.scheme, sent.encode() + body, SECRET)
    headers = {"X-Signature": signature, "X-Webhook-Timestamp": sent, "X-Webhook-Id": body.hex()}
    before = len(handlers.seen)
    answer = post(live, Delivery(event.path, body, headers))
    assert answer.status_code == 400, answer.text
    assert "the body is not a JSON object" in answer.text
    assert len(handlers.seen) == before


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_change_to_a_signed_body_is_refused(out: Path, data: st.DataObject) -> None:
    """Change one byte anywhere in a signed delivery: the client refuses it."""
    api = build(FIXTURES / "shared_hmac.yaml")
    client = import_generated("shared_hmac", "client", "shared_hmac_client", out)
    now = 1767225600.0
    delivery = deliver(event_of(api, "message.new"), PAYLOADS["message.new"], SECRET, sent=now)
    index = data.draw(st.integers(0, len(delivery.body) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != delivery.body[index]))
    body = delivery.body[:index] + bytes([replacement]) + delivery.body[index + 1 :]
    with pytest.raises(client.WebhookVerificationError, match="signature does not match"):
        client.verify_webhook(body, headers=delivery.headers, secret=SECRET, now=now)
