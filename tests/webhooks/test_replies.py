"""Events that want an answer back, batched deliveries, and schemes that only sign deliveries:
the `verdicts` fixture generated, its server started on a 127.0.0.1 port and posted to."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from chatforge.ir.model import Api
from tests.conftest import LiveServer, import_generated
from tests.running import chatforge
from tests.webhooks.signing import deliver
from tests.webhooks.test_receivers import FIXTURES, ROOT, SECRET, build, event_of, post

SPEC = FIXTURES / "verdicts.yaml"


@pytest.fixture(scope="module")
def api() -> Api:
    return build(SPEC)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("verdicts")
    specs = folder / "specs"
    specs.mkdir()
    (specs / SPEC.name).write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    result = chatforge("generate", "--specs", specs, "--out", folder / "out", "-q", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return folder / "out"


@pytest.fixture(scope="module")
def server(out: Path) -> ModuleType:
    return import_generated("verdicts", "server", "verdicts_server", out)


def handlers_of(server: ModuleType) -> Any:
    models = server.models

    class Moderator(server.Webhooks):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            self.sent: list[str] = []
            self.presence: list[Any] = []

        async def on_message_pending(self, event: Any) -> Any:
            if "spam" in event.text:
                return models.MessagePendingAnswer(allow=False)
            return models.MessagePendingAnswer(allow=True, text=event.text.upper())

        async def on_message_reported(self, event: Any) -> Any:
            # A plain mapping is read into the answer's model.
            return {"ticket": f"t-{event.message_id}", "priority": 2}

        async def on_message_sent(self, event: Any) -> None:
            self.sent.append(event.message_id)

        async def on_presence(self, event: Any) -> None:
            self.presence.append(event)

    return Moderator()


@pytest.fixture(scope="module")
def live(server: ModuleType) -> Iterator[tuple[Any, LiveServer]]:
    handlers = handlers_of(server)
    with LiveServer(server.create_app(webhooks=handlers, webhook_secret=SECRET)) as running:
        yield handlers, running


def test_the_ir_gives_each_event_its_answer_model_and_status(api: Api) -> None:
    assert (
        event_of(api, "message.pending").reply,
        event_of(api, "message.pending").reply_status,
    ) == (
        "MessagePendingAnswer",
        200,
    )
    assert (
        event_of(api, "message.reported").reply,
        event_of(api, "message.reported").reply_status,
    ) == (
        "Ticket",
        202,
    )
    assert event_of(api, "message.sent").reply is None
    assert event_of(api, "presence").reply is None


def test_handlers_are_declared_with_the_answer_they_return(server: ModuleType) -> None:
    hints = {
        name: typing.get_type_hints(getattr(server.Webhooks, name), vars(server.webhooks))
        for name in ("on_message_pending", "on_message_reported", "on_message_sent")
    }
    assert hints["on_message_pending"]["return"] is server.models.MessagePendingAnswer
    assert hints["on_message_reported"]["return"] is server.models.Ticket
    assert hints["on_message_sent"]["return"] is type(None)


def test_the_answer_goes_back_as_the_response_body_with_its_status(
    api: Api, live: tuple[Any, LiveServer]
) -> None:
    handlers, running = live
    pending = event_of(api, "message.pending")
    payload = {"type": "message.pending", "room": "lobby", "text": "hello"}
    answer = post(running, deliver(pending, payload, SECRET, sent=0))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"allow": True, "text": "HELLO"}
    refused = post(running, deliver(pending, {**payload, "text": "spam!"}, SECRET, sent=0))
    assert refused.json() == {"allow": False}

    reported = event_of(api, "message.reported")
    ticket = post(
        running, deliver(reported, {"type": "message.reported", "message_id": "m7"}, SECRET, sent=0)
    )
    assert ticket.status_code == 202
    assert ticket.json() == {"ticket": "t-m7", "priority": 2}


def test_events_without_an_answer_schema_get_the_usual_answer(
    api: Api, live: tuple[Any, LiveServer]
) -> None:
    handlers, running = live
    sent = event_of(api, "message.sent")
    answer = post(
        running, deliver(sent, {"type": "message.sent", "message_id": "m9"}, SECRET, sent=0)
    )
    assert (answer.status_code, answer.text) == (200, "ok")
    assert answer.headers["content-type"].startswith("text/plain")
    assert handlers.sent[-1] == "m9"


def test_a_forged_delivery_of_an_answered_event_reaches_no_handler(
    api: Api, live: tuple[Any, LiveServer]
) -> None:
    _, running = live
    pending = event_of(api, "message.pending")
    payload = {"type": "message.pending", "room": "lobby", "text": "hello"}
    forged = post(running, deliver(pending, payload, "not the secret", sent=0))
    assert forged.status_code == 401
    assert "HELLO" not in forged.text


def test_a_handler_not_overridden_gets_the_usual_answer(api: Api, server: ModuleType) -> None:
    with LiveServer(
        server.create_app(webhooks=server.Webhooks(), webhook_secret=SECRET)
    ) as running:
        pending = event_of(api, "message.pending")
        payload = {"type": "message.pending", "room": "lobby", "text": "hello"}
        answer = post(running, deliver(pending, payload, SECRET, sent=0))
        assert (answer.status_code, answer.text) == (200, "ok")


def test_a_batched_delivery_reaches_its_handler_as_a_list(
    api: Api, live: tuple[Any, LiveServer]
) -> None:
    handlers, running = live
    changes = [{"user": "ann", "online": True}, {"user": "bob", "online": False}]
    body = json.dumps(changes).encode()
    headers = {"Content-Type": "application/json"}
    answer = httpx.post(
        f"{running.url}/hooks/presence", content=body, headers={**headers, "X-Hook-Key": SECRET}
    )
    assert (answer.status_code, answer.text) == (200, "ok")
    assert [(c.user, c.online) for c in handlers.presence[-1].root] == [
        ("ann", True),
        ("bob", False),
    ]
    wrong_key = httpx.post(
        f"{running.url}/hooks/presence", content=body, headers={**headers, "X-Hook-Key": "nope"}
    )
    assert wrong_key.status_code == 401
    # At the shared URL an array is no event: the events there are told apart by their fields.
    pending = event_of(api, "message.pending")
    shared = deliver(pending, {"type": "message.pending", "room": "r", "text": "t"}, SECRET, sent=0)
    shared.body = json.dumps([{"type": "message.pending"}]).encode()
    from tests.webhooks.signing import digest

    assert pending.scheme.carried is not None
    shared.headers[pending.scheme.carried.name] = digest(pending.scheme, shared.body, SECRET)
    assert post(running, shared).status_code == 400


def test_the_client_parses_a_batched_delivery(api: Api, out: Path) -> None:
    client = import_generated("verdicts", "client", "verdicts_client", out)
    body = json.dumps([{"user": "ann", "online": True}]).encode()
    event = client.parse_webhook(
        body, headers={"x-hook-key": SECRET}, secret=SECRET, path="/hooks/presence"
    )
    # The client's models spell a list payload as a type alias: the event is the list itself.
    assert [(change.user, change.online) for change in event] == [("ann", True)]


def test_schemes_that_only_sign_deliveries_are_no_request_credentials(
    api: Api, out: Path, server: ModuleType
) -> None:
    assert [scheme.name for scheme in api.security] == ["api_key"]
    client = import_generated("verdicts", "client", "verdicts_client", out)
    parameters = inspect.signature(client.Client).parameters
    assert "api_key" in parameters
    assert not [name for name in parameters if "hook" in name]
    docs = out / "verdicts/docs"
    for page in ("index.md", "rooms.md", "quickstart.md"):
        text = (docs / page).read_text(encoding="utf-8")
        assert "X-Api-Key" in text or page != "rooms.md"
        assert "X-Hook" not in text and "hook_signature" not in text, page
    assert "hook" not in (out / "verdicts/server/verdicts_server/security.py").read_text().lower()
    # The Events page still says how deliveries are signed.
    events = (docs / "events.md").read_text(encoding="utf-8")
    assert "X-Hook-Signature" in events and "X-Hook-Key" in events


def test_events_told_apart_by_a_nested_field_reach_their_own_handlers(
    api: Api, server: ModuleType
) -> None:
    seen: list[tuple[str, str]] = []

    class Groups(server.Webhooks):  # type: ignore[name-defined,misc]
        async def on_group_member_added(self, event: Any) -> None:
            seen.append(("added", event.payload.user))

        async def on_group_member_removed(self, event: Any) -> None:
            seen.append(("removed", event.payload.user))

    added, removed = event_of(api, "group.member_added"), event_of(api, "group.member_removed")
    assert added.match == (("type", '"group"'), ("payload.operation", '"add_member"'))
    with LiveServer(server.create_app(webhooks=Groups(), webhook_secret=SECRET)) as running:
        for event, operation, user in (
            (added, "add_member", "ann"),
            (removed, "remove_member", "bob"),
        ):
            payload = {
                "type": "group",
                "payload": {"operation": operation, "group": "g", "user": user},
            }
            assert post(running, deliver(event, payload, SECRET, sent=0)).status_code == 200
        # Another operation matches neither event: accepted as unknown, no handler runs.
        other = {"type": "group", "payload": {"operation": "rename", "group": "g", "user": "cy"}}
        assert post(running, deliver(added, other, SECRET, sent=0)).text == "ok"
    assert seen == [("added", "ann"), ("removed", "bob")]
