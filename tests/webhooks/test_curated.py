"""Every event a curated spec declares, received by its committed generated server and read by
its generated client: signed deliveries reach their handler typed, forged ones are refused.
The specs gain events over time; this covers whichever they hold."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatforge.config import load_config
from chatforge.diagnostics import Level
from chatforge.ir.model import Api, Webhook
from chatforge.ir.synth import synthesize
from chatforge.run import pipeline
from chatforge.spec.document import resolve_pointer
from tests.conftest import GENERATED, ROOT, LiveServer, import_generated
from tests.running import chatforge
from tests.webhooks.signing import deliver

SLUGS = ["nexconn", "rongcloud", "stream", "agora", "upstra"]
SECRET = "curated-secret"
FIXTURES = ROOT / "tests/fixtures/webhooks"


def build(slug: str) -> Api:
    """The IR of a curated spec (by slug) or of a spec file."""
    (source,) = pipeline.find_specs(load_config(ROOT), [slug])
    checked = pipeline.check(source)
    assert checked.ok, [d.render() for d in checked.diagnostics if d.level is Level.ERROR]
    return pipeline.build(checked)


def payload_of(api: Api, event: Webhook) -> dict[str, Any] | list[Any]:
    """The event's example delivery, else one built from its schema."""
    if event.example_json is not None:
        found = json.loads(event.example_json)
    else:
        media = event.media_type.replace("~", "~0").replace("/", "~1")
        pointer = f"{event.pointer}/requestBody/content/{media}/schema"
        document = json.loads(api.document)
        found = synthesize(resolve_pointer(document, pointer), document, pointer)
    if isinstance(found, list):  # a batched delivery, at a URL of its own
        assert event.own_path and not event.match, event.name
        return found
    assert isinstance(found, dict)
    # The fields that identify the event carry its values (a dotted name: a nested field).
    for name, value in event.match:
        holder = found
        *outer, last = name.split(".") if name not in found else [name]
        for part in outer:
            holder = holder.setdefault(part, {})
        holder[last] = json.loads(value)
    return found


def answer_of(api: Api, event: Webhook) -> Any:
    """The answer an event that wants one gets back: built from its response's schema."""
    pointer = f"{event.pointer}/responses/{event.reply_status}/content/application~1json/schema"
    document = json.loads(api.document)
    return synthesize(resolve_pointer(document, pointer), document, pointer)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_declared_event_is_received(slug: str) -> None:
    exercise(build(slug), GENERATED)


@pytest.mark.parametrize("spec", sorted(p.stem for p in FIXTURES.glob("*.yaml")))
def test_every_event_of_the_fixture_specs_is_received(
    spec: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp(spec)
    result = chatforge("generate", FIXTURES / f"{spec}.yaml", "--out", out, "-q", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    api = build(str(FIXTURES / f"{spec}.yaml"))
    assert api.webhooks is not None and api.webhooks.events
    exercise(api, out)


def exercise(api: Api, root: Path) -> None:
    """Post every event of `api` to its generated server under `root`, and parse it with its
    generated client."""
    slug, hooks = api.slug, api.webhooks
    server_folder = root / slug / "server" / f"{api.package}_server"
    client_folder = root / slug / "client" / f"{api.package}_client"
    if hooks is None or not hooks.events:
        # Nothing to receive: no receiver is generated, and the spec does not claim callbacks.
        assert hooks is None or not hooks.documented
        assert not (server_folder / "webhooks.py").exists()
        assert not (client_folder / "webhooks.py").exists()
        return
    server = import_generated(slug, "server", f"{api.package}_server", root)
    client = import_generated(slug, "client", f"{api.package}_client", root)
    seen: list[tuple[str, Any]] = []

    class Recording(server.Webhooks):  # type: ignore[name-defined,misc]
        pass

    answers = {event.handler: answer_of(api, event) for event in hooks.events if event.reply}
    for event in hooks.events:

        async def record(self: Any, model: Any, name: str = event.handler) -> Any:
            seen.append((name, model))
            return answers.get(name)

        setattr(Recording, event.handler, record)
    with LiveServer(server.create_app(webhooks=Recording(), webhook_secret=SECRET)) as live:
        for index, event in enumerate(hooks.events):
            payload = payload_of(api, event)
            now = time.time()
            delivery = deliver(event, payload, SECRET, sent=now, delivery_id=f"c-{index}")
            media = event.media_type
            answer = httpx.post(
                live.url + delivery.path,
                content=delivery.body,
                headers={"Content-Type": media, **delivery.headers},
                params=delivery.query,
            )
            if event.reply is None:
                assert answer.status_code == hooks.answer.status, (event.name, answer.text)
            else:
                # The handler's answer goes back as the body, read into the answer's model.
                assert answer.status_code == event.reply_status, (event.name, answer.text)
                assert answer.headers["content-type"] == "application/json"
                expected = getattr(server.models, event.reply).model_validate(
                    answers[event.handler]
                )
                assert answer.json() == expected.model_dump(
                    mode="json", by_alias=True, exclude_unset=True
                )
            assert seen and seen[-1][0] == event.handler, event.name
            assert type(seen[-1][1]).__name__ == event.model
            parsed = client.parse_webhook(
                delivery.body,
                headers=delivery.headers,
                query=delivery.query,
                secret=SECRET,
                path=delivery.path if event.own_path else None,
                now=now,
            )
            if isinstance(payload, list):
                # The client's models spell a list payload as a type alias: the list itself.
                assert isinstance(parsed, list) and len(parsed) == len(payload), event.name
            else:
                assert type(parsed).__name__ == event.model, event.name
            if event.scheme.kind != "none":
                forged = deliver(event, payload, "forged", sent=now, delivery_id=f"f-{index}")
                refused = httpx.post(
                    live.url + forged.path,
                    content=forged.body,
                    headers={"Content-Type": media, **forged.headers},
                    params=forged.query,
                )
                assert refused.status_code == 401, (event.name, refused.text)
