"""The requests the server benchmark sends (bench/server_rps.py): each case's request, a request
breaking the model and credentials as the API's own clients would send them; and the generated
servers' apps as uvicorn imports them (`server_cases:generated_<slug>`; the hand-written ones
live in handwritten_server.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from common import ROOT

# The generated tree measured: generated/, or another one (server_rps.py --generated), which the
# servers, started by server_rps.py, read from the environment they inherit.
GENERATED_ENV = "SERVER_RPS_GENERATED"


def generated_tree() -> Path:
    return Path(os.environ.get(GENERATED_ENV) or ROOT / "generated")


@dataclass(frozen=True)
class Case:
    id: str
    slug: str
    method: str
    path: str  # with its query string, except the credentials added by `credentials`
    status: int  # the success status the spec declares
    kind: str  # what the case exercises
    body: bytes = b""
    content_type: str | None = None
    invalid_path: str | None = None  # a request breaking the model: path, body (else the same)
    invalid_body: bytes | None = None


def _form(**fields: str) -> bytes:
    return urlencode(fields).encode()


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


QUERY_PAYLOAD = {
    "filter_conditions": {"id": {"$in": ["ann", "bob"]}},
    "sort": [{"field": "last_active", "direction": -1}],
    "limit": 10,
}
UPSERT_USER = {
    "id": "ann",
    "name": "Ann Lee",
    "role": "user",
    "teams": ["blue"],
    "custom": {"plan": "pro"},
}

CASES = [
    Case(
        "rongcloud.register_user",
        "rongcloud",
        "POST",
        "/user/getToken.json",
        200,
        "POST, form body into a model (max_length), signed headers (SHA1)",
        body=_form(userId="jlk456j5", name="Ann Lee", portraitUri="https://example.com/a.png"),
        content_type="application/x-www-form-urlencoded",
        invalid_body=_form(userId="jlk456j5", name="x" * 129),
    ),
    Case(
        "rongcloud.get_user_remarks",
        "rongcloud",
        "POST",
        "/user/remarks/get.json",
        200,
        "POST, form body with integers (`size` ≤ 50), signed headers; late in the route table",
        body=_form(userId="jlk456j5", page="1", size="20"),
        content_type="application/x-www-form-urlencoded",
        invalid_body=_form(userId="jlk456j5", page="1", size="51"),
    ),
    Case(
        "stream.upsert_users",
        "stream",
        "POST",
        "/users",
        201,
        "POST, JSON body into nested models, JWT (HS256) + api_key query",
        body=_json({"users": {"ann": UPSERT_USER}}),
        content_type="application/json",
        invalid_body=_json({"users": {"ann": {"name": "no id"}}}),
    ),
    Case(
        "stream.query_users",
        "stream",
        "GET",
        "/users?payload=" + quote(json.dumps(QUERY_PAYLOAD, separators=(",", ":"))),
        200,
        "GET, JSON-encoded query parameter into a model, JWT (HS256) + api_key query",
        invalid_path="/users?payload=" + quote(json.dumps({**QUERY_PAYLOAD, "limit": 1000})),
    ),
    Case(
        "upstra.query_users",
        "upstra",
        "GET",
        "/api/v2/users?search=ali&filter=all&limit=20",
        200,
        "GET, query parameters (enum, integer), bearer token",
        invalid_path="/api/v2/users?search=ali&filter=bogus&limit=20",
    ),
]


# --------------------------------------------------------------------------------------------
# The apps uvicorn runs: the generated servers' factories (the hand-written ones live in
# handwritten_server.py). Both are imported from bench/ (`--app-dir bench`).


def _generated_package(slug: str) -> Any:
    folder = generated_tree() / slug / "server"
    (package,) = (p.parent.name for p in folder.glob("*_server/app.py"))
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return importlib.import_module(package)


def generated_rongcloud() -> Any:
    from handwritten_server import RONGCLOUD_APP_KEY, RONGCLOUD_APP_SECRET, RONGCLOUD_WINDOW_SECONDS

    server = _generated_package("rongcloud")
    auth = server.security.signature_check(
        {RONGCLOUD_APP_KEY: RONGCLOUD_APP_SECRET}, window_seconds=RONGCLOUD_WINDOW_SECONDS
    )
    return server.create_app(mock=True, auth=auth)


def generated_stream() -> Any:
    from handwritten_server import STREAM_API_KEY, STREAM_API_SECRET

    server = _generated_package("stream")
    return server.create_app(
        mock=True, auth=server.security.jwt_check(STREAM_API_KEY, STREAM_API_SECRET)
    )


def generated_upstra() -> Any:
    from handwritten_server import UPSTRA_TOKEN

    server = _generated_package("upstra")

    def verify(token: str) -> bool:
        return hmac.compare_digest(token, UPSTRA_TOKEN)

    return server.create_app(mock=True, auth=server.security.bearer_check(verify))


def route_position(case: Case) -> str:
    """Where the case's route comes in the generated app's route table, which Starlette alone
    tries in order: "8 of 123" (routes of included routers counted one by one)."""
    from starlette.routing import BaseRoute

    def flat(routes: list[BaseRoute]) -> list[BaseRoute]:
        found: list[BaseRoute] = []
        for route in routes:
            inner = getattr(route, "original_router", None)
            found += flat(inner.routes) if inner is not None else [route]
        return found

    app = globals()[f"generated_{case.slug}"]()
    table = [r for r in flat(app.router.routes) if getattr(r, "path_regex", None) is not None]
    path = case.path.split("?", 1)[0]
    for number, route in enumerate(table, 1):
        pattern: re.Pattern[str] = route.path_regex  # type: ignore[attr-defined]
        if case.method in (getattr(route, "methods", None) or ()) and pattern.match(path):
            return f"{number} of {len(table)}"
    return f"? of {len(table)}"


def factory(side: str, slug: str) -> str:
    """The `module:function` uvicorn imports for one side of one API."""
    if side == "hand":
        return f"handwritten_server:{slug}_app"
    return f"server_cases:generated_{slug}"


# --------------------------------------------------------------------------------------------
# Credentials, as the API's own clients would send them.


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def stream_token(secret: str) -> str:
    """A server-side JWT, HS256, valid for a day."""
    header = _b64(_json({"alg": "HS256", "typ": "JWT"}))
    claims = _b64(_json({"server": True, "exp": int(time.time()) + 86400}))
    signing_input = f"{header}.{claims}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{claims}.{_b64(signature)}"


def credentials(slug: str, *, valid: bool = True) -> tuple[dict[str, str], str]:
    """Headers and query (`&`-joined, may be empty) authenticating a request now; with
    `valid=False`, the same signed with the wrong secret."""
    import handwritten_server as hw

    if slug == "rongcloud":
        nonce, stamp = "8372619", str(int(time.time()))
        secret = hw.RONGCLOUD_APP_SECRET if valid else "wrong-secret"
        signature = hashlib.sha1(f"{secret}{nonce}{stamp}".encode()).hexdigest()
        headers = {"App-Key": hw.RONGCLOUD_APP_KEY, "Nonce": nonce, "Timestamp": stamp}
        return {**headers, "Signature": signature}, ""
    if slug == "stream":
        token = stream_token(hw.STREAM_API_SECRET if valid else "wrong-secret")
        headers = {"Authorization": token, "Stream-Auth-Type": "jwt"}
        return headers, f"api_key={hw.STREAM_API_KEY}"
    token = hw.UPSTRA_TOKEN if valid else "wrong-token"
    return {"Authorization": f"Bearer {token}"}, ""


def with_query(path: str, query: str) -> str:
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{query}"
