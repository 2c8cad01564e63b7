"""`webhooks` and their extensions -> the IR's Webhooks: every event, its payload model, how a
delivery is checked and what the platform expects back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from chatforge import naming, reserved
from chatforge.diagnostics import Diagnostics, escape_pointer_token
from chatforge.ir.model import (
    Webhook,
    WebhookAnswer,
    WebhookPlace,
    Webhooks,
    WebhookScheme,
    WebhookTimestamp,
)
from chatforge.ir.schemas import COMPONENT_PREFIX, SchemaRegistry, canonical_json
from chatforge.spec import webhooks as spec
from chatforge.spec.webhooks import payload, security_names

Json = Any


class _Builder(Protocol):
    """What the webhooks take of the IR builder of the whole document (chatforge.ir.build)."""

    doc: Json
    diagnostics: Diagnostics
    registry: SchemaRegistry

    def deref(self, node: Json, pointer: str) -> tuple[Json, str]: ...

    def example_of(self, holder: Mapping[str, Any]) -> Json: ...


NO_SCHEME = WebhookScheme("", "none")

# Names the generated `webhooks` modules define beside the models they import.
MODULE_NAMES = frozenset(
    {
        "Answer",
        "EventKind",
        "Place",
        "Receiver",
        "ReplayGuard",
        "Scheme",
        "Stamp",
        "TypeAlias",
        "UnknownEvent",
        "WebhookEvent",
        "WebhookPayloadError",
        "WebhookVerificationError",
        "Webhooks",
    }
)


def _place(place: spec.Place) -> WebhookPlace:
    return WebhookPlace(place.location, place.name)


def scheme_of(builder: _Builder, name: str) -> WebhookScheme:
    """How deliveries checked by the security scheme `name` are verified."""
    schemes = (builder.doc.get("components") or {}).get("securitySchemes") or {}
    raw, where = builder.deref(
        schemes.get(name), f"/components/securitySchemes/{escape_pointer_token(name)}"
    )
    if not isinstance(raw, dict):
        return NO_SCHEME
    description = " ".join(str(raw.get("description") or "").split())
    signature, _ = spec.signature_of(raw, where)
    if signature is not None:
        return WebhookScheme(
            name=name,
            kind="signature",
            carried=_place(signature.carried),
            algorithm=signature.algorithm,
            encoding=signature.encoding,
            message=tuple(p if isinstance(p, str) else _place(p) for p in signature.message),
            timestamp=(
                WebhookTimestamp(
                    _place(signature.timestamp.place),
                    signature.timestamp.milliseconds,
                    signature.timestamp.tolerance,
                )
                if signature.timestamp
                else None
            ),
            id=_place(signature.id) if signature.id else None,
            description=description,
        )
    kind = raw.get("type")
    if kind == "apiKey":
        return WebhookScheme(
            name, "api_key", WebhookPlace(raw["in"], str(raw["name"])), description=description
        )
    if str(raw.get("scheme", "")).lower() == "bearer":
        return WebhookScheme(name, "bearer", description=description)
    return WebhookScheme(name, "basic", description=description)


def build_webhooks(builder: _Builder) -> Webhooks | None:
    """The API's events, or None where the spec neither has webhooks nor `x-webhooks`."""
    doc = builder.doc
    delivery, _ = spec.delivery_of(doc)
    found = [item for item in spec.webhooks(doc) if item[1] == "post"]
    if delivery is None and not found:
        return None
    delivery = delivery or spec.Delivery()
    events = []
    for name, _method, op, pointer in found:
        events.append(_event(builder, name, op, pointer, delivery.path))
    answer = delivery.answer
    return Webhooks(
        documented=delivery.documented,
        path=delivery.path,
        answer=WebhookAnswer(answer.status, answer.body, answer.content_type),
        events=tuple(events),
        timeout=delivery.timeout,
        retries=delivery.retries.count if delivery.retries else None,
        retries_note=" ".join(delivery.retries.note.split()) if delivery.retries else "",
        note=" ".join(delivery.note.split()),
        source=delivery.source,
    )


def _event(
    builder: _Builder, name: str, op: Mapping[str, Any], pointer: str, default_path: str
) -> Webhook:
    operation_id = str(op.get("operationId") or naming.snake(name) or "event")
    event, _ = spec.event_of(op, pointer)
    pascal = naming.pascal(operation_id)
    found = payload(builder.doc, op, pointer)
    if found is None:
        builder.diagnostics.error(
            f"webhook {name!r} has no JSON or form payload to generate a model from", pointer
        )
        media, schema, where = "application/json", None, pointer
    else:
        media, schema, where = found
    if isinstance(schema, dict) and "$ref" not in schema:
        hint = pascal if pascal.endswith("Event") else f"{pascal}Event"
    else:
        hint = f"{pascal}Event"
    model = builder.registry.hoist(schema or {}, hint, f"{where}/schema")
    target = builder.registry.target({"$ref": COMPONENT_PREFIX + model})
    arrays: list[str] = []
    kinds: list[tuple[str, str]] = []
    if media != "application/json" and isinstance(target, dict):
        for prop, sub in sorted((target.get("properties") or {}).items()):
            resolved = builder.registry.target(sub)
            if isinstance(resolved, dict) and resolved.get("type") == "array":
                arrays.append(prop)
            kind = builder.registry.scalar_kind(sub)
            if kind is not None:
                kinds.append((prop, kind))
    media_object = _media_object(builder, op, media)
    example = builder.example_of(media_object) if media_object is not None else None
    names = security_names(builder.doc, op)
    scheme = scheme_of(builder, names[0]) if names else NO_SCHEME
    reply, reply_status = _reply(builder, op, pointer, pascal)
    return Webhook(
        name=name,
        operation_id=operation_id,
        handler=f"on_{reserved.operation_name(operation_id)}",
        summary=" ".join(str(op.get("summary") or name).split()),
        description="\n".join(
            line.rstrip() for line in str(op.get("description") or "").strip().splitlines()
        ),
        tag=str((op.get("tags") or ["Events"])[0]),
        model=model,
        encoding="json" if media == "application/json" else "form",
        media_type=media,
        match=tuple((field, json.dumps(value, ensure_ascii=False)) for field, value in event.match),
        path=event.path or default_path,
        own_path=event.path is not None,
        scheme=scheme,
        arrays=tuple(arrays),
        kinds=tuple(kinds),
        example_json=(canonical_json(example) if example is not None and _given(example) else None),
        source=event.source,
        pointer=pointer,
        reply=reply,
        reply_status=reply_status,
    )


def _reply(
    builder: _Builder, op: Mapping[str, Any], pointer: str, pascal: str
) -> tuple[str | None, int]:
    """The model and status of the answer an event wants back: its first 2xx response with a
    JSON schema; (None, 200) where no response has one."""
    responses, _ = builder.deref(op.get("responses"), f"{pointer}/responses")
    if not isinstance(responses, dict):
        return None, 200
    for code in sorted(str(code) for code in responses):
        if not (len(code) == 3 and code.startswith("2") and code.isdigit()):
            continue
        where = f"{pointer}/responses/{code}"
        response, _ = builder.deref(responses[code], where)
        content = response.get("content") if isinstance(response, dict) else None
        media = content.get("application/json") if isinstance(content, dict) else None
        if isinstance(media, dict) and isinstance(media.get("schema"), dict):
            schema = media["schema"]
            hint = f"{pascal.removesuffix('Event')}Answer"
            where = f"{where}/content/application~1json/schema"
            return builder.registry.hoist(schema, hint, where), int(code)
    return None, 200


def _given(value: Json) -> bool:
    return type(value).__name__ != "_Missing"


def _media_object(builder: _Builder, op: Mapping[str, Any], media: str) -> Json:
    body, _ = builder.deref(op.get("requestBody"), "")
    content = body.get("content") if isinstance(body, dict) else None
    found = content.get(media) if isinstance(content, dict) else None
    return found if isinstance(found, dict) else None
