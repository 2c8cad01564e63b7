"""The webhook extensions, each read once into a frozen object with its defaults.

`x-webhooks` (root) says how a platform delivers its events, `x-event` (a webhook's operation)
how one event is recognised and where it arrives, and `x-webhook-signature` (a security scheme)
how a delivery is signed. Each reader returns the object and the problems of its shape, as
(message, JSON pointer) pairs: lint reports them, the IR reads the objects.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from chatforge.diagnostics import escape_pointer_token
from chatforge.spec.document import follow, webhook_operations

Json = Any
Problems = list[tuple[str, str]]
PlaceKind = Literal["header", "query", "body"]

# The extensions' names, as they are spelled in a document.
DELIVERY = "x-webhooks"
EVENT = "x-event"
SIGNATURE = "x-webhook-signature"

ALGORITHMS = ("hmac-sha256", "hmac-sha1", "sha256", "sha1", "md5")
ENCODINGS = ("hex", "base64")
UNITS = ("seconds", "milliseconds")
PLACES: tuple[PlaceKind, ...] = ("header", "query", "body")
DEFAULT_PATH = "/webhooks"
DEFAULT_TOLERANCE = 300.0
# The media types a delivery may be posted as.
MEDIA_TYPES = ("application/json", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Answer:
    """What the platform expects back from a receiver."""

    status: int = 200
    body: str = ""  # the exact text expected; '' for any or none
    content_type: str | None = None


@dataclass(frozen=True)
class Retries:
    count: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Delivery:
    """`x-webhooks`: how the platform delivers events."""

    documented: bool = True
    path: str = DEFAULT_PATH
    answer: Answer = Answer()
    timeout: float | None = None
    retries: Retries | None = None
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Event:
    """`x-event`: what identifies one event and where it arrives."""

    match: tuple[tuple[str, Json], ...] = ()
    path: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Place:
    """A value a delivery carries: a header, a query parameter or a top-level body field."""

    location: PlaceKind
    name: str


@dataclass(frozen=True)
class Timestamp:
    place: Place
    milliseconds: bool = False
    tolerance: float = DEFAULT_TOLERANCE


# One part of the signed message: `body` (the raw bytes), `secret`, or a value the delivery carries.
Part = Literal["body", "secret"] | Place


@dataclass(frozen=True)
class WebhookSignature:
    """`x-webhook-signature`: how a delivery is signed."""

    carried: Place
    algorithm: str = "hmac-sha256"
    encoding: str = "hex"
    message: tuple[Part, ...] = ("body",)
    timestamp: Timestamp | None = None
    id: Place | None = None


def _is_int(value: Json) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Json) -> bool:
    """A finite number (YAML's `.inf` and `.nan` are none)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(?:; ?[ -~]*)?")


def read_delivery(raw: Json, pointer: str = "/x-webhooks") -> tuple[Delivery | None, Problems]:
    """`x-webhooks`, or None where the document has none."""
    if raw is None:
        return None, []
    if not isinstance(raw, dict):
        return None, [("x-webhooks must be a mapping (documented, path, answer...)", pointer)]
    problems: Problems = []
    known = {"documented", "path", "answer", "timeout", "retries", "note", "source"}
    for key in raw:
        if key not in known:
            problems.append(
                (
                    f"x-webhooks has no member {key!r}; the members are {', '.join(sorted(known))}",
                    f"{pointer}/{escape_pointer_token(key)}",
                )
            )
    documented = raw.get("documented", True)
    if not isinstance(documented, bool):
        problems.append(("x-webhooks.documented must be true or false", f"{pointer}/documented"))
        documented = True
    path = raw.get("path", DEFAULT_PATH)
    if not isinstance(path, str) or not path.startswith("/"):
        problems.append(("x-webhooks.path must be a path starting with /", f"{pointer}/path"))
        path = DEFAULT_PATH
    answer = Answer()
    given = raw.get("answer")
    if given is not None:
        where = f"{pointer}/answer"
        if not isinstance(given, dict):
            problems.append(("x-webhooks.answer must be a mapping with status", where))
        else:
            status = given.get("status", 200)
            body = given.get("body", "")
            content_type = given.get("content-type")
            if not _is_int(status) or not 200 <= status <= 299:
                problems.append(
                    ("x-webhooks.answer.status must be a 2xx HTTP status", f"{where}/status")
                )
                status = 200
            if not isinstance(body, str):
                problems.append(("x-webhooks.answer.body must be text", f"{where}/body"))
                body = ""
            if content_type is not None and not (
                isinstance(content_type, str) and _MEDIA_TYPE.fullmatch(content_type)
            ):
                problems.append(
                    ("x-webhooks.answer.content-type must be a media type", f"{where}/content-type")
                )
                content_type = None
            answer = Answer(status, body, content_type)
    timeout = raw.get("timeout")
    if timeout is not None and (not _is_number(timeout) or timeout <= 0):
        problems.append(("x-webhooks.timeout must be a positive number of seconds", pointer))
        timeout = None
    retries = None
    raw_retries = raw.get("retries")
    if raw_retries is not None:
        where = f"{pointer}/retries"
        count = raw_retries.get("count") if isinstance(raw_retries, dict) else None
        note = raw_retries.get("note", "") if isinstance(raw_retries, dict) else ""
        if (
            not isinstance(raw_retries, dict)
            or (count is not None and (not _is_int(count) or count < 0))
            or not isinstance(note, str)
        ):
            problems.append(
                ("x-webhooks.retries may give count (a whole number) and note (text)", where)
            )
        else:
            retries = Retries(count, note)
    note, source = raw.get("note", ""), raw.get("source", "")
    for key, value in (("note", note), ("source", source)):
        if not isinstance(value, str):
            problems.append((f"x-webhooks.{key} must be text", f"{pointer}/{key}"))
    if documented is False and not (isinstance(note, str) and note.strip()):
        problems.append(
            (
                "x-webhooks.documented is false: say in note where the callbacks were looked for",
                pointer,
            )
        )
    delivery = Delivery(
        documented=documented,
        path=path,
        answer=answer,
        timeout=float(timeout) if timeout is not None else None,
        retries=retries,
        note=note if isinstance(note, str) else "",
        source=source if isinstance(source, str) else "",
    )
    return delivery, problems


def read_event(raw: Json, pointer: str) -> tuple[Event, Problems]:
    """`x-event` of a webhook's operation (an empty Event where it has none)."""
    if raw is None:
        return Event(), []
    if not isinstance(raw, dict):
        return Event(), [("x-event must be a mapping (match, path, source)", pointer)]
    problems: Problems = []
    for key in raw:
        if key not in ("match", "path", "source"):
            problems.append(
                (
                    f"x-event has no member {key!r}; the members are match, path and source",
                    f"{pointer}/{escape_pointer_token(key)}",
                )
            )
    match: tuple[tuple[str, Json], ...] = ()
    given = raw.get("match")
    if given is not None:
        if not isinstance(given, dict) or not given:
            problems.append(
                (
                    "x-event.match must map body fields to the values that identify the event",
                    f"{pointer}/match",
                ),
            )
        else:
            for name, value in given.items():
                if isinstance(value, dict | list) or (
                    isinstance(value, float) and not math.isfinite(value)
                ):
                    problems.append(
                        (
                            f"x-event.match.{name} must be a plain value (text, a finite "
                            "number, true or false)",
                            f"{pointer}/match/{escape_pointer_token(name)}",
                        )
                    )
                else:
                    match += ((str(name), value),)
    path = raw.get("path")
    if path is not None and not (isinstance(path, str) and path.startswith("/")):
        problems.append(("x-event.path must be a path starting with /", f"{pointer}/path"))
        path = None
    source = raw.get("source", "")
    if not isinstance(source, str):
        problems.append(("x-event.source must be text", f"{pointer}/source"))
        source = ""
    return Event(match, path, source), problems


def _place(raw: Json, pointer: str, what: str, problems: Problems) -> Place | None:
    if (
        isinstance(raw, dict)
        and raw.get("in") in PLACES
        and isinstance(raw.get("name"), str)
        and raw["name"]
    ):
        return Place(raw["in"], raw["name"])
    problems.append((f"{what} must be {{in: header, query or body, name: <its name>}}", pointer))
    return None


def read_signature(raw: Json, pointer: str) -> tuple[WebhookSignature | None, Problems]:
    """`x-webhook-signature` of a security scheme, or None where the scheme has none."""
    if raw is None:
        return None, []
    if not isinstance(raw, dict):
        return None, [
            (
                "x-webhook-signature must be a mapping (carried, algorithm, encoding, message...)",
                pointer,
            )
        ]
    problems: Problems = []
    known = {"carried", "algorithm", "encoding", "message", "timestamp", "id"}
    for key in raw:
        if key not in known:
            problems.append(
                (
                    f"x-webhook-signature has no member {key!r}; the members are "
                    f"{', '.join(sorted(known))}",
                    f"{pointer}/{escape_pointer_token(key)}",
                )
            )
    carried = _place(
        raw.get("carried"), f"{pointer}/carried", "x-webhook-signature.carried", problems
    )
    algorithm = raw.get("algorithm", "hmac-sha256")
    if algorithm not in ALGORITHMS:
        problems.append(
            (
                f"x-webhook-signature.algorithm is {algorithm!r}; use one of "
                f"{', '.join(ALGORITHMS)}",
                f"{pointer}/algorithm",
            )
        )
        algorithm = "hmac-sha256"
    encoding = raw.get("encoding", "hex")
    if encoding not in ENCODINGS:
        problems.append(
            (
                f"x-webhook-signature.encoding is {encoding!r}; use hex or base64",
                f"{pointer}/encoding",
            )
        )
        encoding = "hex"
    message: list[Part] = []
    given = raw.get("message", ["body"])
    if not isinstance(given, list) or not given:
        problems.append(
            (
                "x-webhook-signature.message must list the parts signed, in order",
                f"{pointer}/message",
            )
        )
        given = []
    for index, part in enumerate(given):
        where = f"{pointer}/message/{index}"
        if part in ("body", "secret"):
            message.append(part)
        else:
            found = _place(part, where, "a message part other than body or secret", problems)
            if found is not None:
                message.append(found)
    if algorithm.startswith("hmac-") and "secret" in message:
        problems.append(
            (
                "an hmac signature is keyed with the secret; leave secret out of message",
                f"{pointer}/message",
            )
        )
    if not algorithm.startswith("hmac-") and "secret" not in message:
        problems.append(
            (
                f"a {algorithm} digest without the secret in message proves nothing; add secret",
                f"{pointer}/message",
            )
        )
    timestamp = None
    raw_stamp = raw.get("timestamp")
    if raw_stamp is not None:
        where = f"{pointer}/timestamp"
        place = _place(raw_stamp, where, "x-webhook-signature.timestamp", problems)
        unit = raw_stamp.get("unit", "seconds") if isinstance(raw_stamp, dict) else "seconds"
        tolerance = (
            raw_stamp.get("tolerance", DEFAULT_TOLERANCE)
            if isinstance(raw_stamp, dict)
            else DEFAULT_TOLERANCE
        )
        if unit not in UNITS:
            problems.append(
                (
                    "x-webhook-signature.timestamp.unit must be seconds or milliseconds",
                    f"{where}/unit",
                )
            )
        if not _is_number(tolerance) or tolerance <= 0:
            problems.append(
                (
                    "x-webhook-signature.timestamp.tolerance must be a positive number of seconds",
                    f"{where}/tolerance",
                )
            )
            tolerance = DEFAULT_TOLERANCE
        if place is not None:
            timestamp = Timestamp(place, unit == "milliseconds", float(tolerance))
    delivery_id = None
    if raw.get("id") is not None:
        delivery_id = _place(raw["id"], f"{pointer}/id", "x-webhook-signature.id", problems)
    if carried is None:
        return None, problems
    return (
        WebhookSignature(
            carried=carried,
            algorithm=str(algorithm),
            encoding=str(encoding),
            message=tuple(message),
            timestamp=timestamp,
            id=delivery_id,
        ),
        problems,
    )


def delivery_of(doc: Json) -> tuple[Delivery | None, Problems]:
    """`x-webhooks` of the document."""
    return read_delivery(doc.get(DELIVERY) if isinstance(doc, dict) else None, f"/{DELIVERY}")


def event_of(op: Mapping[str, Any], pointer: str) -> tuple[Event, Problems]:
    """`x-event` of the webhook operation at `pointer`."""
    return read_event(op.get(EVENT), f"{pointer}/{EVENT}")


def signs_deliveries(scheme: Json) -> bool:
    """Whether a security scheme carries `x-webhook-signature`."""
    return isinstance(scheme, dict) and SIGNATURE in scheme


def signature_of(scheme: Json, pointer: str) -> tuple[WebhookSignature | None, Problems]:
    """`x-webhook-signature` of the security scheme at `pointer`."""
    raw = scheme.get(SIGNATURE) if isinstance(scheme, dict) else None
    return read_signature(raw, f"{pointer}/{SIGNATURE}")


def webhooks(doc: Json) -> Iterator[tuple[str, str, Mapping[str, Any], str]]:
    """(event name, method, operation, pointer) of every webhook operation, in document order."""
    return webhook_operations(doc)


def payload_properties(doc: Json, schema: Json, depth: int = 0) -> dict[str, Json] | None:
    """The top-level properties of a payload schema (through `$ref` and `allOf`), or None where
    it is no object with properties."""
    schema, _ = follow(doc, schema)
    if not isinstance(schema, dict) or depth > 32:
        return None
    found: dict[str, Json] = {}
    known = False
    if isinstance(schema.get("properties"), dict):
        found.update(schema["properties"])
        known = True
    for member in schema.get("allOf") or []:
        more = payload_properties(doc, member, depth + 1)
        if more is not None:
            found.update(more)
            known = True
    return found if known else None


def payload(doc: Json, op: Mapping[str, Any], pointer: str) -> tuple[str, Json, str] | None:
    """(media type, schema, pointer of the media type) of a webhook's delivery."""
    body, _ = follow(doc, op.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return None
    for media in MEDIA_TYPES:
        if isinstance(content.get(media), dict):
            where = f"{pointer}/requestBody/content/{escape_pointer_token(media)}"
            return media, content[media].get("schema"), where
    return None


def security_names(doc: Json, op: Mapping[str, Any]) -> tuple[str, ...]:
    """The schemes a webhook's deliveries are checked with: its own `security` (not the root's,
    which is about the calls a customer makes)."""
    requirements = op.get("security") or []
    names = {name for req in requirements if isinstance(req, dict) for name in req}
    return tuple(sorted(names))


def webhook_only_schemes(doc: Json) -> frozenset[str]:
    """The security schemes that check the deliveries a platform sends, never the calls a
    customer makes: those carrying `x-webhook-signature`, and those named by webhooks but by no
    operation nor the document's own `security`. They give no client credential, no request
    check in the server and no authentication section in the docs."""
    components = doc.get("components") if isinstance(doc, dict) else None
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        return frozenset()
    found = {str(name) for name, scheme in schemes.items() if signs_deliveries(scheme)}
    by_webhooks = {name for _, _, op, _ in webhooks(doc) for name in security_names(doc, op)}
    by_requests = set(_requirement_names(doc.get("security")))
    paths = doc.get("paths")
    for item in (paths if isinstance(paths, dict) else {}).values():
        for op in (item if isinstance(item, dict) else {}).values():
            if isinstance(op, dict):
                by_requests.update(_requirement_names(op.get("security")))
    return frozenset(found | (by_webhooks - by_requests))


def _requirement_names(requirements: Json) -> Iterator[str]:
    for requirement in requirements if isinstance(requirements, list) else ():
        if isinstance(requirement, dict):
            yield from (str(name) for name in requirement)
