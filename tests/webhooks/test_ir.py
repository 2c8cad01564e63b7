"""The webhook extensions read into typed objects with their defaults, and the IR built from
the fixture specs: each event's names, payload model, encoding, receiver and signature."""

from __future__ import annotations

from chatforge.ir.model import (
    WebhookAnswer,
    WebhookPlace,
    WebhookScheme,
    WebhookTimestamp,
)
from chatforge.spec import webhooks as spec
from tests.webhooks.test_receivers import FIXTURES, build


def test_the_extensions_defaults() -> None:
    assert spec.read_delivery(None) == (None, [])
    assert spec.read_delivery({}) == (spec.Delivery(), [])
    assert spec.Delivery().path == "/webhooks" and spec.Delivery().answer == spec.Answer(200)
    signature, problems = spec.read_signature({"carried": {"in": "header", "name": "X-Sig"}}, "")
    assert problems == []
    assert signature == spec.WebhookSignature(
        carried=spec.Place("header", "X-Sig"),
        algorithm="hmac-sha256",
        encoding="hex",
        message=("body",),
        timestamp=None,
        id=None,
    )
    stamp, _ = spec.read_signature(
        {
            "carried": {"in": "query", "name": "sig"},
            "timestamp": {"in": "query", "name": "ts"},
        },
        "",
    )
    assert stamp is not None and stamp.timestamp == spec.Timestamp(
        spec.Place("query", "ts"), milliseconds=False, tolerance=300.0
    )
    assert spec.read_event(None, "/x") == (spec.Event(), [])


def test_the_shared_url_events() -> None:
    api = build(FIXTURES / "shared_hmac.yaml")
    hooks = api.webhooks
    assert hooks is not None
    assert (hooks.path, hooks.answer, hooks.timeout, hooks.retries) == (
        "/hooks/events",
        WebhookAnswer(200, "OK", "text/plain"),
        3.0,
        3,
    )
    assert [(e.name, e.operation_id, e.handler, e.model) for e in hooks.events] == [
        ("message.new", "message_new", "on_message_new", "MessageNewEvent"),
        ("message.deleted", "message_deleted", "on_message_deleted", "MessageDeletedEvent"),
        ("member.added", "member_added", "on_member_added", "MemberAddedEvent"),
    ]
    first = hooks.events[0]
    assert (first.match, first.path, first.own_path, first.encoding, first.tag) == (
        (("type", '"message.new"'),),
        "/hooks/events",
        False,
        "json",
        "Message events",
    )
    # An inline payload becomes a model of its own, beside the components.
    assert "MessageDeletedEvent" in {model.name for model in api.models}
    assert hooks.schemes == (
        WebhookScheme(
            name="hook_signature",
            kind="signature",
            carried=WebhookPlace("header", "X-Signature"),
            algorithm="hmac-sha256",
            encoding="hex",
            message=(WebhookPlace("header", "X-Webhook-Timestamp"), "body"),
            timestamp=WebhookTimestamp(WebhookPlace("header", "X-Webhook-Timestamp"), False, 300.0),
            id=WebhookPlace("header", "X-Webhook-Id"),
            description=(
                "The hex HMAC-SHA256, keyed with the app secret, of the sending time then the body."
            ),
        ),
    )


def test_form_callbacks_with_urls_of_their_own() -> None:
    api = build(FIXTURES / "form_callbacks.yaml")
    assert api.webhooks is not None
    routing, status = api.webhooks.events
    assert (routing.path, routing.own_path, routing.encoding, routing.match) == (
        "/callbacks/message-routing",
        True,
        "form",
        (),
    )
    assert routing.arrays == ("toUserIds",)
    assert routing.kinds == (("msgTimestamp", "integer"),)
    assert status.kinds == (("status", "integer"), ("time", "integer"))
    assert api.webhooks.paths == ("/callbacks/message-routing", "/callbacks/user-status")
    scheme = routing.scheme
    assert (scheme.algorithm, scheme.carried, scheme.message) == (
        "sha1",
        WebhookPlace("query", "signature"),
        ("secret", WebhookPlace("query", "nonce"), WebhookPlace("query", "timestamp")),
    )
    assert scheme.timestamp == WebhookTimestamp(WebhookPlace("query", "timestamp"), True, 600.0)


def test_a_spec_without_the_extensions_reads_its_security() -> None:
    api = build(FIXTURES / "third_party.yaml")
    assert api.webhooks is not None
    (order,) = api.webhooks.events
    assert order.scheme == WebhookScheme(
        "hook_key", "api_key", WebhookPlace("header", "X-Hook-Key")
    )
    assert (order.path, order.model, order.handler) == (
        "/webhooks",
        "NewOrderEvent",
        "on_new_order",
    )
    only = build(FIXTURES / "only_webhooks.yaml")
    assert only.webhooks is not None and only.webhooks.answer.status == 204
    assert {event.scheme.kind for event in only.webhooks.events} == {"bearer"}
