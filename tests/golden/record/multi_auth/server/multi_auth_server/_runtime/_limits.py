"""A limit on the size of request bodies, answered in the API's own error shape."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._errors import ErrorShape


class BodyLimit:
    """ASGI middleware refusing bodies over `max_bytes` with 413: at once when Content-Length
    says so, and while reading a body sent in chunks without one."""

    def __init__(self, app: ASGIApp, max_bytes: int, shape: ErrorShape) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.shape = shape

    async def _refuse(self, send: Send, status: int, kind: str, message: str) -> None:
        body = json.dumps(self.shape.body(status, kind, message)).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = [value for name, value in scope["headers"] if name == b"content-length"]
        if declared:
            if len(declared) > 1 or not declared[0].isdigit():
                await self._refuse(send, 400, "validation", "invalid Content-Length header")
                return
            digits = declared[0].lstrip(b"0")
            if len(digits) > len(str(self.max_bytes)) or int(digits or b"0") > self.max_bytes:
                message = f"the request body is larger than {self.max_bytes} bytes"
                await self._refuse(send, 413, "too_large", message)
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    detail = f"the request body is larger than {self.max_bytes} bytes"
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counted, send)
