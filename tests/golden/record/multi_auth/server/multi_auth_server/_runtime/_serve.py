"""Running a generated server with uvicorn so that no client holds a connection longer than it
needs to: deadlines for a connection that sends nothing, for a request's line and headers, for
its body and for reading the answer, and a cap on the connections open at once.

uvicorn by itself closes a connection left idle between two requests, but not one that never
completes its first request: a client sending its headers a byte at a time, or nothing at all,
holds its connection for as long as it likes, and so does one that never reads its answer.
`HTTPProtocol` is uvicorn's HTTP/1.1 protocol with the deadlines added; `serve` runs an app
with it, in one process.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal

import h11
import uvicorn
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol

# Seconds a connection may stay open without sending a request.
IDLE_TIMEOUT = 5.0
# Seconds from the first byte of a request to the end of its headers.
HEADERS_TIMEOUT = 10.0
# Seconds from the end of a request's headers to the end of its body, not counting the time
# the server itself stops reading while a handler has not yet taken what came.
BODY_TIMEOUT = 60.0
# Seconds the server waits for a client to read more of an answer it has stopped reading.
WRITE_TIMEOUT = 60.0
# Connections open at once; past it the oldest idle one is closed, or the new one answered 503.
MAX_CONNECTIONS = 512
# The longest deadline: a day.
MAX_TIMEOUT = 86400.0

logger = logging.getLogger(__name__)

Phase = Literal["idle", "headers", "body", "paused"]


@dataclass(frozen=True)
class Limits:
    """How long a client may take and how many connections it may hold. `idle_timeout` None is
    uvicorn's `timeout_keep_alive`; `max_per_address` None sets no cap on the connections of
    one client address (behind a proxy every connection has the proxy's)."""

    idle_timeout: float | None = IDLE_TIMEOUT
    headers_timeout: float = HEADERS_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    write_timeout: float = WRITE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    max_per_address: int | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None and field.name in ("idle_timeout", "max_per_address"):
                continue
            if field.name.startswith("max_"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f"{field.name} must be a whole number of at least 1")
            elif (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 < value <= MAX_TIMEOUT
            ):
                raise ValueError(
                    f"{field.name} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}"
                )


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


class _Flow(FlowControl):
    """uvicorn's flow control, telling the protocol when the server stops or resumes reading."""

    def __init__(self, transport: asyncio.Transport, changed: Callable[[], None]) -> None:
        super().__init__(transport)
        self._changed = changed

    def pause_reading(self) -> None:
        super().pause_reading()
        self._changed()

    def resume_reading(self) -> None:
        super().resume_reading()
        self._changed()


class HTTPProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with deadlines on what a client sends and reads.

    A connection that sends nothing is closed after `limits.idle_timeout` seconds, a request
    whose line and headers are not complete `headers_timeout` seconds after its first byte, or
    whose body is not complete `body_timeout` seconds after its headers, is answered 408 and
    closed; while the server itself has stopped reading (a handler has not yet taken the body
    that came), the body's deadline waits. A client that reads nothing of an answer for
    `write_timeout` seconds is cut off. The time a handler takes is not limited. Over
    `max_connections` connections, or `max_per_address` from one address, the connection idle
    the longest is closed to make room, or when none is idle the new one is answered 503 and
    closed. Subclass with other `limits`, or call `protocol`."""

    limits: ClassVar[Limits] = Limits(idle_timeout=None)

    _last_refusal: ClassVar[float] = 0.0
    _phase: Phase | None = None
    _deadline: asyncio.TimerHandle | None = None
    _body_left: float | None = None
    _idle_since: float = 0.0
    _write_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.flow = _Flow(transport, self._watch)
        limits = self.limits
        crowded = len(self.connections) > limits.max_connections
        if crowded and not self._make_room(self.connections, limits.max_connections):
            self._refuse(f"over {limits.max_connections} connections")
            return
        if limits.max_per_address is not None and len(self.connections) > limits.max_per_address:
            address = self._address()
            same = [c for c in self.connections if _address_of(c) == address]
            if len(same) > limits.max_per_address and not self._make_room(
                same, limits.max_per_address
            ):
                self._refuse(f"over {limits.max_per_address} connections from one address")
                return
        self._watch()

    def _address(self) -> str | None:
        return self.client[0] if self.client else None

    def _make_room(self, among: Iterable[Any], most: int) -> bool:
        """Closes the connections of `among` idle the longest until at most `most` are open;
        False when too few are idle."""
        open_ = [c for c in among if not c.transport.is_closing()]
        idle = [
            c for c in open_ if c is not self and isinstance(c, HTTPProtocol) and c._phase == "idle"
        ]
        excess = len(open_) - most
        if excess > len(idle):
            return False
        for other in sorted(idle, key=lambda c: c._idle_since)[: max(excess, 0)]:
            other._arm(None)
            other.transport.close()
        return True

    def _refuse(self, why: str) -> None:
        now = time.monotonic()
        if now - HTTPProtocol._last_refusal > 10:
            HTTPProtocol._last_refusal = now
            logger.warning("%s, none idle: refusing new ones", why)
        self.transport.write(_BUSY)
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        self._arm_write(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def pause_writing(self) -> None:
        super().pause_writing()
        self._arm_write(self.limits.write_timeout)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._arm_write(None)

    def _arm_write(self, seconds: float | None) -> None:
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None
        if seconds is not None:
            self._write_deadline = self.loop.call_later(seconds, self._write_expired)

    def _write_expired(self) -> None:
        self._write_deadline = None
        logger.info(
            "a client read nothing of its answer for %gs: cut off", self.limits.write_timeout
        )
        self.transport.abort()

    def _watch(self) -> None:
        """Set the deadline of what the connection is waiting for from the client."""
        phase: Phase | None = None
        if not self.transport.is_closing():
            state = self.conn.their_state
            if state is h11.IDLE:
                phase = "headers" if self.conn.trailing_data[0] else "idle"
            elif state is h11.SEND_BODY:
                phase = "paused" if self.flow.read_paused else "body"
        if phase != self._phase:
            self._arm(phase)

    def _arm(self, phase: Phase | None) -> None:
        if self._deadline is not None:
            if phase == "paused" and self._phase == "body":
                self._body_left = max(self._deadline.when() - self.loop.time(), 0.0)
            self._deadline.cancel()
            self._deadline = None
        if phase not in ("body", "paused"):
            self._body_left = None
        left = self._phase == "paused" and phase == "body"
        self._phase = phase
        if phase == "idle":
            self._idle_since = self.loop.time()
        if phase is not None and phase != "paused":
            seconds = self._seconds(phase)
            if left and self._body_left is not None:
                seconds = self._body_left
            self._deadline = self.loop.call_later(seconds, self._expire)

    def _seconds(self, phase: Phase) -> float:
        if phase == "headers":
            return self.limits.headers_timeout
        if phase == "body":
            return self.limits.body_timeout
        if self.limits.idle_timeout is not None:
            return self.limits.idle_timeout
        return float(self.config.timeout_keep_alive)

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        answered = self.cycle is not None and self.cycle.response_started
        if self._phase == "headers" or (self._phase == "body" and not answered):
            self.transport.write(_TIMED_OUT)
        self.transport.close()


def _address_of(connection: Any) -> str | None:
    client = getattr(connection, "client", None)
    return client[0] if client else None


def protocol(limits: Limits | None = None) -> type[HTTPProtocol]:
    """`HTTPProtocol` with these limits (a `Limits`, checked when made), for
    `uvicorn.Config(http=...)` in this process."""
    chosen = Limits() if limits is None else limits
    if not isinstance(chosen, Limits):
        raise TypeError("limits must be a Limits")
    return type("HTTPProtocol", (HTTPProtocol,), {"limits": chosen})


def serve(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    limits: Limits | None = None,
    **options: Any,
) -> None:
    """Run `app` in this process with uvicorn and `HTTPProtocol` with these limits; `options` go
    to `uvicorn.run` as they are (`log_level`, `ssl_certfile`...). For several worker processes
    run uvicorn's command line instead, which imports the app and the protocol in each:
    `uvicorn mymodule:app --workers 4 --http <package>.serving:HTTPProtocol`."""
    if options.get("reload") or (options.get("workers") or 1) > 1:
        raise ValueError(
            "serve runs one process, without reload; for several, or to reload, run uvicorn's "
            "command line with --http <package>.serving:HTTPProtocol"
        )
    chosen = Limits() if limits is None else limits
    http = protocol(chosen)
    idle = chosen.idle_timeout if chosen.idle_timeout is not None else IDLE_TIMEOUT
    options.setdefault("ws", "none")
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=http,
        timeout_keep_alive=max(1, math.ceil(idle)),
        **options,
    )
