"""What a request says on the wire, in a form two requests can be compared in: method, path,
query, media type, body (JSON, form or multipart, decoded) and credentials. Left out: what
differs by design between two correct clients (user agent, nonce, time, header order and case,
connection headers, the multipart boundary, JSON spacing and key order)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from tests.conformance.recorder import Request

Wire = dict[str, Any]

# Headers of the signed-header schemes (RongCloud, Nexconn), in either spelling.
SIGNED = ("app-key", "nonce", "timestamp", "signature")


def _value(text: str) -> Any:
    """A form or query value: JSON text of an object or an array is compared as JSON."""
    if text[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _pairs(text: str) -> dict[str, list[Any]]:
    """Form or query pairs, repeated keys in order, keys sorted."""
    pairs: dict[str, list[Any]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        pairs.setdefault(key, []).append(_value(value))
    return dict(sorted(pairs.items()))


def _multipart(content_type: str, body: bytes) -> list[dict[str, Any]]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True) or b""
        described: dict[str, Any] = {"name": part.get_param("name", header="content-disposition")}
        filename = part.get_filename()
        if filename is None:
            described["value"] = _value(payload.decode())
        else:
            described["filename"] = filename
            described["sha1"] = hashlib.sha1(payload).hexdigest()
        parts.append(described)
    return sorted(parts, key=lambda part: str(part["name"]))


def _jwt_claims(token: str, secret: str) -> dict[str, Any]:
    """The claims of an HS256 token, without its times, and whether its signature holds."""
    head, payload, signature = token.split(".")
    expected = hmac.new(secret.encode(), f"{head}.{payload}".encode(), hashlib.sha256).digest()
    given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    kept = {k: v for k, v in claims.items() if k not in ("iat", "exp", "nbf")}
    return {"claims": kept, "signature_valid": hmac.compare_digest(expected, given)}


def _auth(headers: dict[str, str], query: dict[str, list[Any]], secret: str) -> dict[str, Any]:
    auth: dict[str, Any] = {}
    signed = {name: headers.get(name, headers.get(f"rc-{name}")) for name in SIGNED}
    if signed["app-key"] is not None:
        nonce, stamp = signed["nonce"] or "", signed["timestamp"] or ""
        expected = hashlib.sha1((secret + nonce + stamp).encode()).hexdigest()
        auth["signed"] = {
            "app_key": signed["app-key"],
            "spelling": "rc-" if "rc-app-key" in headers else "plain",
            "timestamp": "milliseconds" if len(stamp) > 11 else "seconds",
            "signature_valid": hmac.compare_digest(expected, signed["signature"] or ""),
        }
    if "stream-auth-type" in headers:
        auth["stream_auth_type"] = headers["stream-auth-type"]
    if "api_key" in query:
        auth["api_key"] = query.pop("api_key")
    token = headers.get("authorization")
    if token is not None:
        scheme, _, rest = token.partition(" ")
        if scheme.lower() == "bearer":
            auth["bearer"] = rest
        else:
            auth["jwt"] = _jwt_claims(token, secret)
    return auth


def wire(request: Request, secret: str) -> Wire:
    headers = dict(request.headers)
    query = _pairs(request.query)
    content_type = headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    body: Any
    if not request.body:
        body = None
    elif media == "application/json":
        body = json.loads(request.body)
    elif media == "application/x-www-form-urlencoded":
        body = _pairs(request.body.decode("latin-1"))
    elif media == "multipart/form-data":
        body = _multipart(content_type, request.body)
    else:
        body = {"bytes": len(request.body)}
    return {
        "method": request.method,
        "path": request.path,
        "query": query,
        "auth": _auth(headers, query, secret),
        # A media type names a body: without one it says nothing.
        "media_type": (media or None) if request.body else None,
        "body": body,
    }


def differences(sdk: Any, ours: Any, where: str = "") -> list[str]:
    """Where two wire forms differ, as `where: sdk ... / ours ...` lines."""
    if isinstance(sdk, dict) and isinstance(ours, dict):
        found = []
        for key in sorted(set(sdk) | set(ours), key=str):
            here = f"{where}.{key}" if where else str(key)
            if key not in ours:
                found.append(f"{here}: only the SDK sends {json.dumps(sdk[key])[:200]}")
            elif key not in sdk:
                found.append(f"{here}: only ours sends {json.dumps(ours[key])[:200]}")
            else:
                found += differences(sdk[key], ours[key], here)
        return found
    if isinstance(sdk, list) and isinstance(ours, list) and len(sdk) == len(ours):
        return [
            d
            for i, (a, b) in enumerate(zip(sdk, ours, strict=True))
            for d in differences(a, b, f"{where}[{i}]")
        ]
    if sdk == ours and type(sdk) is type(ours):
        return []
    return [f"{where}: SDK {json.dumps(sdk)[:200]} / ours {json.dumps(ours)[:200]}"]
