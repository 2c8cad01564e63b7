"""Deliveries signed as a platform signs them, computed here from the IR's description of the
scheme (independently of the generated runtime that checks them)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from chatforge.ir.model import Webhook, WebhookPlace, WebhookScheme

_HASHES = {"sha256": hashlib.sha256, "sha1": hashlib.sha1, "md5": hashlib.md5}


@dataclass
class Delivery:
    """A request a platform would post: path, body, headers and query."""

    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def digest(scheme: WebhookScheme, message: bytes, secret: str) -> str:
    name = scheme.algorithm.removeprefix("hmac-")
    if scheme.algorithm.startswith("hmac-"):
        raw = hmac.new(secret.encode(), message, _HASHES[name]).digest()
    else:
        raw = _HASHES[name](message).digest()
    return base64.b64encode(raw).decode() if scheme.encoding == "base64" else raw.hex()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _put(
    place: WebhookPlace,
    value: Any,
    headers: dict[str, str],
    query: dict[str, str],
    payload: dict[str, Any] | list[Any],
) -> None:
    if place.location == "header":
        headers[place.name] = str(value)
    elif place.location == "query":
        query[place.name] = str(value)
    else:
        assert isinstance(payload, dict), "a batched (list) payload carries no fields"
        payload[place.name] = value


def deliver(
    event: Webhook,
    payload: dict[str, Any] | list[Any],
    secret: str,
    *,
    sent: float,
    delivery_id: str = "d-1",
    nonce: str = "n-1",
) -> Delivery:
    """`payload` posted as `event` is, signed with `secret` at time `sent` (Unix seconds)."""
    scheme = event.scheme
    payload = dict(payload) if isinstance(payload, dict) else list(payload)
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    if scheme.timestamp is not None:
        stamp = scheme.timestamp
        value = int(sent * 1000) if stamp.milliseconds else int(sent)
        _put(stamp.place, value, headers, query, payload)
    if scheme.id is not None:
        _put(scheme.id, delivery_id, headers, query, payload)
    for part in scheme.message:
        if not isinstance(part, WebhookPlace):
            continue
        source = {"header": headers, "query": query, "body": payload}[part.location]
        if part.name.lower() == "nonce":
            _put(part, nonce, headers, query, payload)
        elif part.name not in source:  # another signed value the delivery carries (an app key)
            _put(part, f"v-{part.name}", headers, query, payload)

    def body_bytes() -> bytes:
        if event.encoding == "form":
            assert isinstance(payload, dict)
            pairs = []
            for key, value in payload.items():
                for item in value if isinstance(value, list) else [value]:
                    pairs.append((key, _text(item)))
            return urlencode(pairs).encode()
        return json.dumps(payload).encode()

    if scheme.kind == "signature":
        assert scheme.carried is not None
        if scheme.carried.location == "body":
            assert isinstance(payload, dict)
            payload[scheme.carried.name] = ""  # in its place, as the platform sends it
        parts = []
        for part in scheme.message:
            if part == "body":
                parts.append(body_bytes())
            elif part == "secret":
                parts.append(secret.encode())
            else:
                assert isinstance(part, WebhookPlace)
                source = {"header": headers, "query": query, "body": payload}[part.location]
                parts.append(_text(source[part.name]).encode())
        _put(scheme.carried, digest(scheme, b"".join(parts), secret), headers, query, payload)
    elif scheme.kind == "api_key":
        assert scheme.carried is not None
        _put(scheme.carried, secret, headers, query, payload)
    elif scheme.kind == "bearer":
        headers["Authorization"] = f"Bearer {secret}"
    elif scheme.kind == "basic":
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return Delivery(event.path, body_bytes(), headers, query)
