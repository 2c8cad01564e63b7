"""The recording server: a generated server in mock mode, behind an ASGI layer that keeps every
request it is sent and the status it answered, grouped by the call that sent it.

A driver marks each SDK call with `POST /__conformance__/mark` before making it; the suite marks
the calls it makes through the generated client with `Recorder.mark`. The requests that follow a
mark, up to the next one, belong to that call.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.functional.harness import read_body, replaying

MARK = "/__conformance__/mark"


@dataclass
class Request:
    method: str
    path: str  # percent-decoded, as the server routes it
    raw_path: str  # as sent
    query: str  # the raw query string
    headers: list[tuple[str, str]]  # names in lower case
    body: bytes
    status: int = 0
    answer: bytes = b""


@dataclass
class Call:
    side: str  # "sdk" or "ours"
    name: str
    ours: dict[str, Any] | None  # the same call through the generated client, as marked
    requests: list[Request] = field(default_factory=list)


class Recorder:
    """ASGI app: records every request to `app`, and takes the marks of the calls."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def mark(self, side: str, name: str, ours: dict[str, Any] | None) -> None:
        with self._lock:
            self.calls.append(Call(side, name, ours))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if scope["path"] == MARK:
            marked = json.loads(body)
            self.mark("sdk", marked["call"], marked["ours"])
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        request = Request(
            method=scope["method"],
            path=scope["path"],
            raw_path=scope.get("raw_path", scope["path"].encode()).decode("latin-1"),
            query=scope["query_string"].decode("latin-1"),
            headers=[
                (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]
            ],
            body=body,
        )
        with self._lock:
            if not self.calls:
                raise RuntimeError(f"a request before any mark: {request.method} {request.path}")
            self.calls[-1].requests.append(request)

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                request.status = message["status"]
            elif message["type"] == "http.response.body":
                request.answer += message.get("body", b"")
            await send(message)

        await self.app(scope, replaying(body), keep)
