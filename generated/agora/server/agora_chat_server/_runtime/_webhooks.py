"""Checking and reading the deliveries a platform posts to its customer's server.

A `Scheme` describes how deliveries are signed: a digest (HMAC-SHA256, HMAC-SHA1, SHA-256, SHA-1
or MD5, in hex or base64) of parts concatenated in order (the raw body, the secret, headers,
query parameters or top-level body fields), carried in a header, the query or the body; an
optional sending time, refused outside a tolerance; an optional delivery id, remembered for that
tolerance (see `ReplayGuard`). Platforms without a signature carry the secret itself: as an API
key, a bearer token or basic credentials (`user:password`). Digests are compared in constant
time. Every refusal raises `WebhookVerificationError` with the reason.

An `EventKind` describes one kind of delivery: its payload model, how its body is encoded, the body
fields that identify it and the path it arrives at. `read` verifies a delivery, then returns the
typed event, or an `UnknownEvent` holding the payload.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, TypeAdapter, ValidationError

Where = Literal["header", "query", "body"]


class WebhookVerificationError(Exception):
    """A delivery that is not proven to come from the platform: forged, tampered with, stale or
    replayed. `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WebhookPayloadError(ValueError):
    """A verified delivery whose body is not the event's payload."""


@dataclass(frozen=True)
class Place:
    """A value a delivery carries: a header, a query parameter or a top-level body field."""

    where: Where
    name: str


@dataclass(frozen=True)
class Stamp:
    """Where the sending time is, its unit, and how far from now it may be (seconds)."""

    place: Place
    milliseconds: bool = False
    tolerance: float = 300.0


@dataclass(frozen=True)
class Scheme:
    """How deliveries are checked. `kind`: signature, api_key, bearer, basic or none."""

    kind: Literal["signature", "api_key", "bearer", "basic", "none"]
    carried: Place | None = None
    algorithm: str = "hmac-sha256"
    encoding: Literal["hex", "base64"] = "hex"
    message: tuple[Literal["body", "secret"] | Place, ...] = ("body",)
    timestamp: Stamp | None = None
    id: Place | None = None


@dataclass(frozen=True)
class EventKind:
    """One kind of delivery."""

    name: str  # the platform's name of the event
    handler: str  # the receiver method that handles it
    model: Any  # the payload's model class, or the type alias of a batched (list) payload
    form: bool = False  # posted as application/x-www-form-urlencoded
    match: tuple[tuple[str, Any], ...] = ()  # body fields and the values identifying it
    path: str = "/webhooks"
    arrays: tuple[str, ...] = ()  # form fields read as lists
    kinds: tuple[tuple[str, str], ...] = ()  # form fields read as integer, number or boolean
    scheme: Scheme = Scheme("none")
    # Events that want a verdict back: the answer's model, sent as the response body with
    # `reply_status`; None where the platform expects the API's usual answer.
    reply: type[BaseModel] | None = None
    reply_status: int = 200


@dataclass(frozen=True)
class UnknownEvent:
    """A verified delivery that matches no event this package knows: kept as it came."""

    payload: Any
    path: str | None = None


class ReplayGuard:
    """Delivery ids seen within their window. Safe to share between threads.

    `check` refuses an id seen before. A receiver instead calls `begin` before handling a
    delivery, then `done` with its answer or `abandon` when handling failed: a platform's retry
    of a delivery whose answer was lost gets that answer again without the handler running
    twice, and a retry of one whose handling failed is handled again."""

    def __init__(self, limit: int = 100_000) -> None:
        # id -> (until when it is remembered, the answer kept for it or _BUSY while handled)
        self._seen: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def _room(self, now: float) -> None:
        if len(self._seen) >= self._limit:
            self._seen = {key: kept for key, kept in self._seen.items() if kept[0] > now}
            while len(self._seen) >= self._limit:
                del self._seen[next(iter(self._seen))]

    def _live(self, delivery_id: str, now: float) -> tuple[float, object] | None:
        kept = self._seen.get(delivery_id)
        return kept if kept is not None and kept[0] > now else None

    def check(self, delivery_id: str, now: float, window: float) -> None:
        with self._lock:
            self._room(now)
            if self._live(delivery_id, now) is not None:
                raise WebhookVerificationError(f"delivery {delivery_id!r} was already received")
            self._seen[delivery_id] = (now + window, None)

    def begin(self, delivery_id: str, now: float, window: float) -> tuple[bool, object]:
        """(True, None) when the id is new, now being handled; (False, answer) when it was
        handled and `done` kept that answer; (False, None) while it is being handled."""
        with self._lock:
            self._room(now)
            kept = self._live(delivery_id, now)
            if kept is not None:
                return False, None if kept[1] is _BUSY else kept[1]
            self._seen[delivery_id] = (now + window, _BUSY)
            return True, None

    def done(self, delivery_id: str, answer: object) -> None:
        """Keeps the answer sent to the delivery `begin` let through, for its repeats."""
        with self._lock:
            kept = self._seen.get(delivery_id)
            if kept is not None:
                self._seen[delivery_id] = (kept[0], answer)

    def abandon(self, delivery_id: str) -> None:
        """Forgets a delivery whose handling failed, so that the platform's retry runs it."""
        with self._lock:
            self._seen.pop(delivery_id, None)


_BUSY = object()


class Delivery:
    """A delivery as it arrived: raw body, headers (any case) and query."""

    def __init__(
        self,
        body: bytes,
        headers: Mapping[str, str],
        query: Mapping[str, str] | None,
        form: bool,
    ) -> None:
        self.body = body
        self.headers = {str(key).lower(): str(value) for key, value in headers.items()}
        self.query = {str(key): str(value) for key, value in (query or {}).items()}
        self.form = form
        self._fields: Any = None
        self._read = False

    def fields(self) -> Any:
        """The body as JSON or form fields, read once; None where it is neither."""
        if not self._read:
            self._read = True
            try:
                text = self.body.decode("utf-8")
                if self.form:
                    self._fields = dict(parse_qsl(text, keep_blank_values=True))
                else:
                    self._fields = json.loads(text, parse_constant=_no_constant)
            except (ValueError, RecursionError):  # not text, not JSON, or nested past reading
                self._fields = None
        return self._fields

    def value(self, place: Place) -> str | None:
        if place.where == "header":
            return self.headers.get(place.name.lower())
        if place.where == "query":
            return self.query.get(place.name)
        fields = self.fields()
        if not isinstance(fields, dict) or place.name not in fields:
            return None
        found = fields[place.name]
        if isinstance(found, str):
            return found
        return json.dumps(found, separators=(",", ":"), ensure_ascii=False)


_HASHES = {"sha256": hashlib.sha256, "sha1": hashlib.sha1, "md5": hashlib.md5}


def _digest(scheme: Scheme, delivery: Delivery, secret: str) -> str:
    parts: list[bytes] = []
    for part in scheme.message:
        if part == "body":
            parts.append(delivery.body)
        elif part == "secret":
            parts.append(secret.encode("utf-8"))
        else:
            value = delivery.value(part)
            if value is None:
                raise WebhookVerificationError(f"the signed {part.where} {part.name!r} is missing")
            parts.append(value.encode("utf-8"))
    message = b"".join(parts)
    name = scheme.algorithm.removeprefix("hmac-")
    if scheme.algorithm.startswith("hmac-"):
        raw = hmac.new(secret.encode("utf-8"), message, _HASHES[name]).digest()
    else:
        raw = _HASHES[name](message).digest()
    if scheme.encoding == "base64":
        return base64.b64encode(raw).decode("ascii")
    return binascii.hexlify(raw).decode("ascii")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def verify(
    scheme: Scheme,
    delivery: Delivery,
    secret: str,
    *,
    now: float | None = None,
    replays: ReplayGuard | None = None,
) -> None:
    """Raise WebhookVerificationError unless `delivery` is proven to come from the platform."""
    if scheme.kind == "none":
        return
    if scheme.kind == "api_key":
        assert scheme.carried is not None
        given = delivery.value(scheme.carried)
        if given is None or not _same(given, secret):
            raise WebhookVerificationError(f"the {scheme.carried.name!r} key is missing or wrong")
        return
    if scheme.kind in ("bearer", "basic"):
        header = delivery.headers.get("authorization", "")
        if scheme.kind == "bearer":
            expected = f"Bearer {secret}"
        else:
            expected = "Basic " + base64.b64encode(secret.encode("utf-8")).decode("ascii")
        if not _same(header, expected):
            raise WebhookVerificationError("the Authorization header is missing or wrong")
        return
    assert scheme.carried is not None
    given = delivery.value(scheme.carried)
    if not given:
        raise WebhookVerificationError(
            f"the delivery carries no signature in {scheme.carried.where} {scheme.carried.name!r}"
        )
    expected = _digest(scheme, delivery, secret)
    matched = _same(given, expected) or (
        scheme.encoding == "hex" and _same(given.lower(), expected)
    )
    if not matched:
        raise WebhookVerificationError("the signature does not match the delivery")
    clock = time.time() if now is None else now
    fresh = freshness(scheme)
    if scheme.timestamp is not None:
        text = delivery.value(scheme.timestamp.place)
        try:
            sent = float(text) if text is not None else None
        except ValueError:
            sent = None
        if sent is None or sent != sent:
            raise WebhookVerificationError("the delivery carries no readable sending time")
        if scheme.timestamp.milliseconds:
            sent /= 1000
        if abs(clock - sent) > fresh:
            raise WebhookVerificationError(
                f"the delivery was sent {abs(clock - sent):.0f} s from now, more than the "
                f"{fresh:.0f} s allowed"
            )
    if replays is not None:
        delivery_id = identity(scheme, delivery)
        if delivery_id is not None:
            replays.check(delivery_id, clock, fresh)


def identity(scheme: Scheme, delivery: Delivery) -> str | None:
    """The id a delivery carries, for schemes that give one (None for the others)."""
    if scheme.kind != "signature" or scheme.id is None:
        return None
    delivery_id = delivery.value(scheme.id)
    if not delivery_id:
        raise WebhookVerificationError(f"the delivery carries no id in {scheme.id.name!r}")
    return delivery_id


def freshness(scheme: Scheme) -> float:
    """How long a delivery of `scheme` counts as fresh, and its id is remembered, in seconds."""
    return scheme.timestamp.tolerance if scheme.timestamp is not None else 300.0


@dataclass(frozen=True)
class Receiver:
    """The events of an API, and where those that share one URL arrive."""

    events: tuple[EventKind, ...]
    path: str = "/webhooks"
    _by_path: dict[str, tuple[EventKind, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for event in self.events:
            self._by_path[event.path] = (*self._by_path.get(event.path, ()), event)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._by_path)

    def candidates(self, path: str | None) -> tuple[EventKind, ...]:
        """The events a delivery to `path` may be; with no path, those of the shared URL (or
        every event, where none shares it)."""
        if path is None:
            return self._by_path.get(self.path) or self.events
        return self._by_path.get(path, ())

    def scheme(self, path: str | None) -> Scheme:
        """How deliveries to `path` are checked: the events arriving there share one scheme."""
        found = {event.scheme for event in self.candidates(path)}
        if not found and path is None:
            found = {event.scheme for event in self.events}
        if len(found) > 1:
            raise ValueError("events with their own URLs are checked differently: give path=")
        return next(iter(found)) if found else Scheme("none")

    def delivery(
        self,
        body: bytes,
        headers: Mapping[str, str],
        query: Mapping[str, str] | None,
        path: str | None,
    ) -> Delivery:
        events = self.candidates(path)
        form = bool(events) and all(event.form for event in events)
        return Delivery(body, headers, query, form)

    def identify(self, delivery: Delivery, path: str | None) -> EventKind | None:
        """The event a verified delivery is, or None where it matches none; a body that is no
        JSON object (or form) is no event at all: WebhookPayloadError. A JSON array is taken only
        where one event without `match` is received at the path (batched deliveries)."""
        events = self.candidates(path)
        fields = delivery.fields()
        batched = isinstance(fields, list) and not delivery.form
        if not isinstance(fields, dict) and not (batched and path is not None):
            kind = "form" if delivery.form else "JSON object"
            raise WebhookPayloadError(f"the body is not a {kind}")
        for event in events:
            if not event.match:
                if len(events) == 1 or path is not None:
                    return event
                continue
            if isinstance(fields, dict) and all(
                _equal(_field(fields, name), value) for name, value in event.match
            ):
                return event
        if batched:
            raise WebhookPayloadError("the body is not a JSON object")
        return None

    def parse(self, event: EventKind, delivery: Delivery) -> Any:
        """The event's model from the delivery's body; WebhookPayloadError where it is not."""
        if event.form:
            pairs = parse_qsl(delivery.body.decode("utf-8", "replace"), keep_blank_values=True)
            data: dict[str, Any] = {}
            kinds = dict(event.kinds)
            for key, text in pairs:
                value = _coerce(text, kinds.get(key))
                if key in event.arrays:
                    data.setdefault(key, []).append(value)
                else:
                    data[key] = value
            payload: Any = data
        else:
            payload = delivery.fields()
            if payload is None:
                raise WebhookPayloadError("the body is not JSON")
        try:
            if isinstance(event.model, type) and issubclass(event.model, BaseModel):
                return event.model.model_validate(payload)
            return TypeAdapter(event.model).validate_python(payload)
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "body"
            raise WebhookPayloadError(
                f"the {event.name!r} payload is not valid: {where}: {problem['msg']}"
            ) from None

    def read(
        self,
        body: bytes,
        *,
        headers: Mapping[str, str],
        query: Mapping[str, str] | None,
        secret: str,
        path: str | None,
        now: float | None,
        replays: ReplayGuard | None = None,
    ) -> Any:
        delivery = self.delivery(body, headers, query, path)
        verify(self.scheme(path), delivery, secret, now=now, replays=replays)
        event = self.identify(delivery, path)
        if event is None:
            return UnknownEvent(delivery.fields(), path)
        return self.parse(event, delivery)


_ABSENT = object()
_INTEGER = re.compile(r"-?[0-9]{1,640}")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _coerce(text: str, kind: str | None) -> Any:
    """A form value read as the JSON type its schema declares, where it spells one; otherwise
    the text, for the model to refuse."""
    if kind == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if kind == "number" and _NUMBER.fullmatch(text) and len(text) < 400:
        number = float(text)
        return number if math.isfinite(number) else text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def _field(fields: dict[str, Any], name: str) -> Any:
    """A body field by its name, or a nested one by a dotted path (`payload.operation`)."""
    if name in fields:
        return fields[name]
    found: Any = fields
    for part in name.split("."):
        if not isinstance(found, dict) or part not in found:
            return _ABSENT
        found = found[part]
    return found


def _equal(given: Any, expected: Any) -> bool:
    """A body field against a match value; form fields are text, so compare as the text too."""
    if given is _ABSENT:
        return False
    if given == expected and type(given) is type(expected):
        return True
    if isinstance(given, str) and not isinstance(expected, str):
        text = json.dumps(expected) if not isinstance(expected, bool) else str(expected).lower()
        return given == text
    return False
