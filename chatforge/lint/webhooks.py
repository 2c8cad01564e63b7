"""The `webhooks` rule: the events a platform sends (`webhooks`, `x-webhooks`, `x-event`,
`x-webhook-signature`), checked so that a receiver can be generated for each of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatforge import naming, reserved
from chatforge.diagnostics import Diagnostics, Level, escape_pointer_token
from chatforge.lint.paths import path_problem
from chatforge.spec import webhooks as spec
from chatforge.spec.document import follow, operations
from chatforge.spec.extensions import is_project
from chatforge.spec.webhooks import payload, payload_properties, security_names

Json = Any


def _scheme_problem(scheme: Json) -> str | None:
    """Why a scheme without `x-webhook-signature` cannot check a delivery, if it cannot."""
    if not isinstance(scheme, dict):
        return "is not a security scheme"
    kind = scheme.get("type")
    if kind == "apiKey" and scheme.get("in") in ("header", "query"):
        return None
    if kind == "http" and str(scheme.get("scheme", "")).lower() in ("bearer", "basic"):
        return None
    return (
        f"cannot check a delivery; give it {spec.SIGNATURE}, or use apiKey in a header or the "
        "query, http bearer or http basic"
    )


def rule_webhooks(doc: Json, out: Diagnostics, level: Level) -> None:
    project = is_project(doc)
    convention = Level.ERROR if project else Level.WARNING
    delivery, problems = spec.delivery_of(doc)
    for message, where in problems:
        out.error(message, where)
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    signed: dict[str, spec.WebhookSignature] = {}
    for name, raw in (schemes if isinstance(schemes, dict) else {}).items():
        scheme, _ = follow(doc, raw)
        if not spec.signs_deliveries(scheme):
            continue
        at = f"/components/securitySchemes/{escape_pointer_token(name)}"
        where = f"{at}/{spec.SIGNATURE}"
        signature, problems = spec.signature_of(scheme, at)
        for message, at in problems:
            out.error(message, at)
        if scheme.get("type") != "apiKey":
            out.error(
                f"{spec.SIGNATURE} goes on an apiKey scheme (its in and name give the nearest "
                "standard shape)",
                where,
            )
        if signature is not None:
            signed[str(name)] = signature
    events = list(spec.webhooks(doc))
    declared = doc.get("webhooks")
    received = {found[0] for found in events}
    for name in declared if isinstance(declared, dict) else {}:
        if str(name) not in received:
            out.error(
                f"webhook {name!r} holds no operation; write its post operation in place (a "
                "reference to a path item is not followed here)",
                f"/webhooks/{escape_pointer_token(name)}",
            )
    if delivery is not None:
        problem = path_problem(delivery.path)
        if problem is not None or "{" in delivery.path:
            out.error(
                f"{spec.DELIVERY}.path {delivery.path!r} "
                f"{problem or 'must be a fixed path (no templates)'}",
                f"/{spec.DELIVERY}/path",
            )
    if delivery is not None and not delivery.documented and events:
        out.error(
            f"{spec.DELIVERY}.documented is false, yet the document has webhooks; remove one or "
            "the other",
            f"/{spec.DELIVERY}/documented",
        )
    if delivery is not None and delivery.documented and not events:
        out.error(
            f"{spec.DELIVERY} says the vendor documents callbacks, yet the document has no "
            "webhooks; add them, or set documented: false with a note",
            f"/{spec.DELIVERY}",
        )
    _operation_ids(doc, events, out, convention)
    declared_tags = {t.get("name") for t in doc.get("tags") or [] if isinstance(t, dict)}
    default_path = delivery.path if delivery is not None else spec.DEFAULT_PATH
    receivers: dict[str, list[tuple[str, spec.Event, tuple[str, ...], str]]] = {}
    for name, method, op, pointer in events:
        if method != "post":
            out.error(
                f"webhook {name!r} is received as {method.upper()}; platforms post their events, "
                "so describe it under post",
                pointer,
            )
            continue
        if not str(op.get("summary") or "").strip():
            out.add(convention, f"webhook {name!r} has no summary; add a one-line summary", pointer)
        tags = op.get("tags") or []
        if len(tags) != 1:
            out.add(
                convention, f"webhook {name!r} has {len(tags)} tags; give it exactly one", pointer
            )
        elif tags[0] not in declared_tags:
            out.add(
                convention,
                f"tag {tags[0]!r} is not declared under the root tags; declare it with a "
                "description",
                f"{pointer}/tags/0",
            )
        event, problems = spec.event_of(op, pointer)
        for message, where in problems:
            out.error(message, where)
        path = event.path or default_path
        if event.path is not None:
            problem = path_problem(event.path)
            if problem is not None or "{" in event.path:
                out.error(
                    f"{spec.EVENT}.path {event.path!r} "
                    f"{problem or 'must be a fixed path (no templates)'}",
                    f"{pointer}/{spec.EVENT}/path",
                )
        found = payload(doc, op, pointer)
        if found is None:
            out.error(
                f"webhook {name!r} needs a requestBody with content {' or '.join(spec.MEDIA_TYPES)}"
                ": the delivery the receiver reads",
                f"{pointer}/requestBody" if "requestBody" in op else pointer,
            )
        else:
            media, schema, where = found
            properties = payload_properties(doc, schema)
            if properties is None and _batched(doc, schema, media):
                if not event.path or event.match:
                    out.error(
                        f"the payload of webhook {name!r} is a JSON array, which only an event "
                        f"received at a path of its own ({spec.EVENT}.path, no match) can have",
                        f"{where}/schema",
                    )
            elif properties is None:
                out.error(
                    f"the payload of webhook {name!r} must be an object schema with properties "
                    "(or, for an event with a path of its own, an array of such objects)",
                    f"{where}/schema",
                )
            else:
                for field, _value in event.match:
                    if not _has_field(doc, properties, field):
                        out.error(
                            f"{spec.EVENT}.match names {field!r}, which is no property of the "
                            "payload schema (nor, dotted, a nested one)",
                            f"{pointer}/{spec.EVENT}/match/{escape_pointer_token(field)}",
                        )
        names = security_names(doc, op)
        for scheme_name in names:
            scheme, _ = follow(doc, schemes.get(scheme_name) if isinstance(schemes, dict) else None)
            if scheme is None:
                out.error(
                    f"webhook {name!r} names security scheme {scheme_name!r}, which "
                    "components.securitySchemes does not declare",
                    f"{pointer}/security",
                )
            elif scheme_name not in signed and not spec.signs_deliveries(scheme):
                problem = _scheme_problem(scheme)
                if problem is not None:
                    out.error(f"security scheme {scheme_name!r} {problem}", f"{pointer}/security")
        if len(names) > 1:
            out.error(
                f"webhook {name!r} names {len(names)} security schemes; a delivery is checked "
                "with one",
                f"{pointer}/security",
            )
        receivers.setdefault(path, []).append((name, event, names, pointer))
    _receivers(doc, receivers, out)


def _operation_ids(
    doc: Json, events: list[tuple[str, str, Mapping[str, Any], str]], out: Diagnostics, level: Level
) -> None:
    """Webhook operation ids: present, snake_case, unique among operations and webhooks."""
    seen: dict[str, str] = {}
    python: dict[str, str] = {}
    for _path, _method, op, where in operations(doc):
        if isinstance(op.get("operationId"), str):
            seen.setdefault(op["operationId"], where)
            python.setdefault(reserved.operation_name(op["operationId"]), op["operationId"])
    for name, _method, op, pointer in events:
        op_id = op.get("operationId")
        if not isinstance(op_id, str):
            out.add(
                level,
                f"webhook {name!r} has no operationId; add one in snake_case (its handler is "
                "on_<operationId>)",
                pointer,
            )
            continue
        where = f"{pointer}/operationId"
        if not naming.is_snake_case(op_id):
            out.add(
                level,
                f"operationId {op_id!r} is not snake_case; use {naming.identifier(op_id)!r}",
                where,
            )
        if op_id in seen:
            out.error(
                f"operationId {op_id!r} is already used at {seen[op_id]}; operation ids must be "
                "unique among operations and webhooks",
                where,
            )
            continue
        seen[op_id] = pointer
        py = reserved.operation_name(op_id)
        if py == "unknown_event":
            out.error(
                "operationId 'unknown_event' would name the handler of events no webhook "
                "describes (on_unknown_event); choose another",
                where,
            )
        if py in python and python[py] != op_id:
            out.error(
                f"operationId {op_id!r} and {python[py]!r} both become the Python name {py!r}; "
                "rename one of them",
                where,
            )
        python.setdefault(py, op_id)


def _receivers(
    doc: Json,
    receivers: Mapping[str, list[tuple[str, spec.Event, tuple[str, ...], str]]],
    out: Diagnostics,
) -> None:
    """Events that share a receiver path: told apart by match, checked with one scheme."""
    posted = {
        str(path)
        for path, item in (doc.get("paths") or {}).items()
        if isinstance(item, dict) and isinstance(item.get("post"), dict)
    }
    for path, group in receivers.items():
        first_pointer = group[0][3]
        if path in posted:
            out.error(
                f"webhooks are received at {path!r}, where an operation is posted too; give the "
                "receiver a path of its own",
                f"{first_pointer}/{spec.EVENT}" if group[0][1].path else f"/{spec.DELIVERY}",
            )
        if len({names for _, _, names, _ in group}) > 1:
            out.error(
                f"the webhooks received at {path!r} are checked with different security "
                "schemes; deliveries to one URL share one",
                f"{group[-1][3]}/security",
            )
        if len(group) < 2:
            continue
        matches: dict[tuple[tuple[str, str], ...], str] = {}
        for name, event, _, pointer in group:
            if not event.match:
                out.error(
                    f"webhook {name!r} shares the receiver {path!r} with other events; give it "
                    f"{spec.EVENT}.match (the body fields that identify it) or a path of its own",
                    pointer,
                )
                continue
            key = tuple(sorted((field, repr(value)) for field, value in event.match))
            if key in matches:
                out.error(
                    f"webhook {name!r} has the same {spec.EVENT}.match as {matches[key]!r} at "
                    f"{path!r}; no delivery could tell them apart",
                    f"{pointer}/{spec.EVENT}/match",
                )
            matches.setdefault(key, name)


def _batched(doc: Json, schema: Json, media: str) -> bool:
    """A JSON payload that is an array of objects with properties (several changes at once)."""
    schema, _ = follow(doc, schema)
    return (
        media == "application/json"
        and isinstance(schema, dict)
        and schema.get("type") == "array"
        and payload_properties(doc, schema.get("items")) is not None
    )


def _has_field(doc: Json, properties: dict[str, Json], name: str) -> bool:
    """`name` is a property of the payload, or a dotted path through nested object properties
    (`payload.operation`)."""
    if name in properties:
        return True
    found: dict[str, Json] | None = properties
    parts = name.split(".")
    for index, part in enumerate(parts):
        if found is None or part not in found:
            return False
        if index < len(parts) - 1:
            found = payload_properties(doc, found[part])
    return True
