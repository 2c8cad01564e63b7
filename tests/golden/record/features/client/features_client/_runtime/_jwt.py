"""JSON Web Tokens signed with HMAC-SHA256, as the JWT auth flow mints them (apart from the
flows, so minting a token needs no HTTP library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hs256_token(claims: dict[str, object], secret: str) -> str:
    """A compact JSON Web Token signed with HMAC-SHA256."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
