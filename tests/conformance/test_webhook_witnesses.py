"""The vendors' own webhook verifiers as witnesses of the events in the specs.

Every event example of the Stream spec is serialised and signed the way Stream signs a delivery
(the lowercase hex HMAC-SHA256 of the raw body, keyed with the API secret, in `X-Signature`).
Stream's SDKs, the Python one (`StreamChat.verify_webhook`) and the Node one
(`StreamChat#verifyWebhook`), must accept every such delivery and refuse it once its body is
changed; the generated client's `verify_webhook` must agree with them on both, and
`parse_webhook` must give the event's own model for each example. Agora documents no SDK
verifier, so its deliveries are signed by the documented recipe (MD5 of `callId`, the secret and
`timestamp`, in the body's `security` field) and checked against the generated client alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conformance.test_conformance import sdk_node, sdk_python
from tests.conformance.witnesses import WITNESSES, Witness
from tests.conftest import ROOT, import_generated, read_yaml

KEY, SECRET = "conformance-key", "conformance-secret"
OTHER_SECRET = "not-the-secret"

PYTHON_VERIFIER = """
import json, sys
from stream_chat import StreamChat
client = StreamChat(api_key=sys.argv[1], api_secret=sys.argv[2])
for line in sys.stdin:
    case = json.loads(line)
    body = bytes.fromhex(case["body"])
    print(json.dumps(client.verify_webhook(body, case["signature"])))
"""

NODE_VERIFIER = """
// With `node -e`, the arguments after the script start at process.argv[1].
const { StreamChat } = require("stream-chat");
const client = new StreamChat(process.argv[1], process.argv[2]);
const lines = require("fs").readFileSync(0, "utf8").split("\\n").filter(Boolean);
for (const line of lines) {
  const item = JSON.parse(line);
  const body = Buffer.from(item.body, "hex");
  console.log(JSON.stringify(client.verifyWebhook(body, item.signature)));
}
"""


@dataclass(frozen=True)
class Delivery:
    event: str  # the webhook's key in the spec
    schema: str  # the name of its payload schema
    body: bytes
    shared: bool  # posted to the shared URL (told apart by `x-event.match`)


def _spec(slug: str) -> dict[str, Any]:
    loaded: dict[str, Any] = read_yaml(ROOT / "specs" / f"{slug}.yaml")
    return loaded


def _deliveries(slug: str) -> Iterator[Delivery]:
    for name, item in _spec(slug)["webhooks"].items():
        operation = item["post"]
        media = operation["requestBody"]["content"]["application/json"]
        body = json.dumps(media["example"], ensure_ascii=False, separators=(",", ":"))
        yield Delivery(
            event=name,
            schema=media["schema"]["$ref"].rsplit("/", 1)[1],
            body=body.encode(),
            shared="match" in operation["x-event"],
        )


STREAM = list(_deliveries("stream"))
AGORA = list(_deliveries("agora"))


def _stream_signature(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _tampered(body: bytes) -> bytes:
    """The same delivery with one value changed (its `created_at`, or else its first member)."""
    event = json.loads(body)
    if "created_at" in event:
        event["created_at"] = "2031-01-01T00:00:00Z"
    else:
        first = next(iter(event))
        event[first] = {"changed": True}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def _stream_headers(body: bytes, index: int, signature: str | None = None) -> dict[str, str]:
    return {
        "x-signature": signature or _stream_signature(body),
        "X-Webhook-Id": f"00000000-0000-4000-8000-{index:012d}",
        "X-Webhook-Attempt": "1",
        "X-Api-Key": KEY,
        "Content-Type": "application/json",
    }


def _cases() -> list[dict[str, str]]:
    """Each Stream delivery signed, then the same signature over a changed body."""
    cases = []
    for delivery in STREAM:
        signature = _stream_signature(delivery.body)
        cases.append({"body": delivery.body.hex(), "signature": signature})
        cases.append({"body": _tampered(delivery.body).hex(), "signature": signature})
    return cases


def _expected() -> list[bool]:
    return [accepted for _ in STREAM for accepted in (True, False)]


def _witness(registry: str) -> Witness:
    return next(w for w in WITNESSES if w.api == "stream" and w.registry == registry)


def test_the_stream_spec_has_its_documented_events() -> None:
    names = {delivery.event for delivery in STREAM}
    assert {"message.new", "message.updated", "message.deleted", "message.read"} <= names
    assert {"reaction.new", "reaction.updated", "reaction.deleted"} <= names
    assert {"member.added", "member.updated", "member.removed"} <= names
    assert {"user.banned", "user.deactivated", "user.deleted", "message.flagged"} <= names
    assert {"before_message_send", "custom_command"} <= names


def test_stream_python_sdk_accepts_our_signatures() -> None:
    witness = _witness("pypi")
    python = sdk_python(witness.key, witness.requirements)
    lines = "".join(json.dumps(case) + "\n" for case in _cases())
    result = subprocess.run(
        [str(python), "-c", PYTHON_VERIFIER, KEY, SECRET],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert verdicts == _expected()


def test_stream_node_sdk_accepts_our_signatures() -> None:
    witness = _witness("npm")
    node = shutil.which("node")
    assert node is not None, "the npm witnesses need Node.js"
    lines = "".join(json.dumps(case) + "\n" for case in _cases())
    result = subprocess.run(
        [node, "-e", NODE_VERIFIER, KEY, SECRET],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NODE_PATH": str(sdk_node(witness.key, witness.requirements))},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert verdicts == _expected()


def _client_webhooks(slug: str, package: str) -> Any:
    import_generated(slug, "client", package)
    return import_generated(slug, "client", f"{package}.webhooks")


@pytest.mark.parametrize("delivery", STREAM, ids=[d.event for d in STREAM])
def test_stream_client_verifies_like_the_sdks(delivery: Delivery) -> None:
    webhooks = _client_webhooks("stream", "stream_client")
    index = STREAM.index(delivery)
    headers = _stream_headers(delivery.body, index)
    webhooks.verify_webhook(delivery.body, headers=headers, secret=SECRET)
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(_tampered(delivery.body), headers=headers, secret=SECRET)
    forged = _stream_headers(delivery.body, index, _stream_signature(delivery.body, OTHER_SECRET))
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(delivery.body, headers=forged, secret=SECRET)
    unsigned = {k: v for k, v in headers.items() if k.lower() != "x-signature"}
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(delivery.body, headers=unsigned, secret=SECRET)


@pytest.mark.parametrize("delivery", STREAM, ids=[d.event for d in STREAM])
def test_stream_client_parses_each_event_into_its_model(delivery: Delivery) -> None:
    webhooks = _client_webhooks("stream", "stream_client")
    headers = _stream_headers(delivery.body, STREAM.index(delivery))
    path = None if delivery.shared else _event_path("stream", delivery.event)
    event = webhooks.parse_webhook(delivery.body, headers=headers, secret=SECRET, path=path)
    assert type(event).__name__ == delivery.schema
    if delivery.shared:
        assert event.type == json.loads(delivery.body)["type"]


def _event_path(slug: str, event: str) -> str:
    path: str = _spec(slug)["webhooks"][event]["post"]["x-event"]["path"]
    return path


def _agora_signed(body: bytes, secret: str = SECRET) -> bytes:
    event = json.loads(body)
    text = f"{event['callId']}{secret}{event['timestamp']}"
    event["security"] = hashlib.md5(text.encode()).hexdigest()
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("delivery", AGORA, ids=[d.event for d in AGORA])
def test_agora_client_verifies_the_documented_recipe(delivery: Delivery) -> None:
    webhooks = _client_webhooks("agora", "agora_chat_client")
    headers = {"Content-Type": "application/json"}
    signed = _agora_signed(delivery.body)
    webhooks.verify_webhook(signed, headers=headers, secret=SECRET)
    path = None if delivery.shared else _event_path("agora", delivery.event)
    event = webhooks.parse_webhook(signed, headers=headers, secret=SECRET, path=path)
    assert type(event).__name__ == delivery.schema
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(
            _agora_signed(delivery.body, OTHER_SECRET), headers=headers, secret=SECRET
        )
    moved = json.loads(signed)
    moved["timestamp"] += 1
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(
            json.dumps(moved, separators=(",", ":")).encode(), headers=headers, secret=SECRET
        )
