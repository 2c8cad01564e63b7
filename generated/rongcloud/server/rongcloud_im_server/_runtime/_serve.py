"""Running a generated server with uvicorn so that no client holds a connection longer than it
needs to: deadlines for a connection that sends nothing, for a request's line and headers, and
for its body, and a cap on the connections open at once.

uvicorn by itself closes a connection left idle between two requests, but not one that never
completes its first request: a client sending its headers a byte at a time, or nothing at all,
holds its connection for as long as it likes. `HTTPProtocol` is uvicorn's HTTP/1.1 protocol
with the deadlines added; `serve` runs an app with it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any, ClassVar, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

# Seconds a connection may stay open without sending a request.
IDLE_TIMEOUT = 5.0
# Seconds from the first byte of a request to the end of its headers.
HEADERS_TIMEOUT = 10.0
# Seconds from the end of a request's headers to the end of its body.
BODY_TIMEOUT = 60.0
# Connections open at once; more are answered 503 and closed at once.
MAX_CONNECTIONS = 512

logger = logging.getLogger(__name__)

Phase = Literal["idle", "headers", "body"]


def _plain(status: str, text: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection."""
    body = text.encode("ascii")
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


_TIMED_OUT = _plain("408 Request Timeout", "Request Timeout")
_BUSY = _plain("503 Service Unavailable", "Service Unavailable")


class HTTPProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with deadlines on what a client sends.

    A connection that sends nothing is closed after `idle_timeout` seconds (uvicorn's
    `timeout_keep_alive` when None), a request whose line and headers are not complete
    `headers_timeout` seconds after its first byte, or whose body is not complete
    `body_timeout` seconds after its headers, is answered 408 and closed. The time a handler
    takes is not limited. Over `max_connections` connections, a new one is answered 503 and
    closed. Subclass, or call `protocol`, for other values."""

    idle_timeout: ClassVar[float | None] = None
    headers_timeout: ClassVar[float] = HEADERS_TIMEOUT
    body_timeout: ClassVar[float] = BODY_TIMEOUT
    max_connections: ClassVar[int] = MAX_CONNECTIONS

    _last_refusal: ClassVar[float] = 0.0
    _phase: Phase | None = None
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            now = time.monotonic()
            if now - HTTPProtocol._last_refusal > 10:
                HTTPProtocol._last_refusal = now
                logger.warning("over %d connections: refusing new ones", self.max_connections)
            transport.write(_BUSY)
            transport.close()
            return
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def _watch(self) -> None:
        """Set the deadline of what the connection is waiting for from the client."""
        phase: Phase | None = None
        if not self.transport.is_closing():
            state = self.conn.their_state
            if state is h11.IDLE:
                phase = "headers" if self.conn.trailing_data[0] else "idle"
            elif state is h11.SEND_BODY:
                phase = "body"
        if phase != self._phase:
            self._arm(phase)

    def _arm(self, phase: Phase | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = phase
        if phase is not None:
            self._deadline = self.loop.call_later(self._seconds(phase), self._expire)

    def _seconds(self, phase: Phase) -> float:
        if phase == "headers":
            return self.headers_timeout
        if phase == "body":
            return self.body_timeout
        if self.idle_timeout is not None:
            return self.idle_timeout
        return float(self.config.timeout_keep_alive)

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        answered = self.cycle is not None and self.cycle.response_started
        if self._phase == "headers" or (self._phase == "body" and not answered):
            self.transport.write(_TIMED_OUT)
        self.transport.close()


def protocol(
    *,
    idle_timeout: float = IDLE_TIMEOUT,
    headers_timeout: float = HEADERS_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
) -> type[HTTPProtocol]:
    """`HTTPProtocol` with these limits, for `uvicorn.Config(http=...)`."""
    limits = {
        "idle_timeout": idle_timeout,
        "headers_timeout": headers_timeout,
        "body_timeout": body_timeout,
        "max_connections": max_connections,
    }
    return type("HTTPProtocol", (HTTPProtocol,), limits)


def serve(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    idle_timeout: float = IDLE_TIMEOUT,
    headers_timeout: float = HEADERS_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
    **options: Any,
) -> None:
    """Run `app` with uvicorn and `HTTPProtocol` with these limits; `options` go to
    `uvicorn.run` as they are (`log_level`, `workers`, `ssl_certfile`...)."""
    http = protocol(
        idle_timeout=idle_timeout,
        headers_timeout=headers_timeout,
        body_timeout=body_timeout,
        max_connections=max_connections,
    )
    options.setdefault("ws", "none")
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=http,
        timeout_keep_alive=max(1, math.ceil(idle_timeout)),
        **options,
    )
