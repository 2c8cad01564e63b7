"""`HTTPProtocol`, the generated servers' uvicorn protocol, driven by hand: a transport that
records what is written and a loop whose clock moves only when a test moves it. Each deadline
fires exactly when it is due, and a connection gets exactly the bytes it should (408, 503, or
nothing) before it is closed."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from uvicorn.server import ServerState

from chatforge.cli import main
from chatforge.runtime.server._serve import (
    _BUSY,
    _TIMED_OUT,
    HTTPProtocol,
    Limits,
    protocol,
    serve,
)

LIMITS = Limits(
    idle_timeout=5, headers_timeout=10, body_timeout=60, write_timeout=30, max_connections=3
)
HEAD = b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"


class Timer:
    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self._when = when
        self.callback = callback
        self.cancelled = False

    def when(self) -> float:
        return self._when

    def cancel(self) -> None:
        self.cancelled = True


class Task:
    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self.coro = coro

    def add_done_callback(self, callback: Callable[[Any], None]) -> None:
        pass


class Loop:
    """What the protocol asks of its event loop: a clock, timers and tasks, run by hand."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.timers: list[Timer] = []
        self.tasks: list[Task] = []

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Callable[..., None], *args: Any) -> Timer:
        timer = Timer(self.now + delay, lambda: callback(*args))
        self.timers.append(timer)
        return timer

    def create_task(self, coro: Coroutine[Any, Any, Any], **_: Any) -> Task:
        task = Task(coro)
        self.tasks.append(task)
        return task

    def pending(self) -> list[float]:
        """When each timer still to fire is due, from now."""
        return sorted(t.when() - self.now for t in self.timers if not t.cancelled)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        while due := [t for t in self.timers if not t.cancelled and t.when() <= self.now]:
            timer = min(due, key=Timer.when)
            timer.cancelled = True
            timer.callback()

    def run_tasks(self) -> None:
        """Runs each task to its end; the app under test never waits."""
        while self.tasks:
            task = self.tasks.pop(0)
            with pytest.raises(StopIteration):
                task.coro.send(None)

    def close(self) -> None:
        for task in self.tasks:
            task.coro.close()


class Transport(asyncio.Transport):
    def __init__(self, address: str = "10.0.0.1") -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False
        self.aborted = False
        self.reading = True
        self.address = address

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": (self.address, 5000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closed
        self.written += data

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = self.aborted = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True


async def app(scope: Any, receive: Any, send: Any) -> None:
    body = b"ok"
    headers = [(b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Server:
    """Connections to one server, each with its own transport."""

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.loop = Loop()
        self.state = ServerState()
        self.config = uvicorn.Config(app, log_config=None, lifespan="off")
        self.http = protocol(limits)

    def connect(self, address: str = "10.0.0.1") -> tuple[HTTPProtocol, Transport]:
        connection = self.http(self.config, self.state, {}, _loop=self.loop)  # type: ignore[arg-type]
        transport = Transport(address)
        connection.connection_made(transport)
        return connection, transport

    def answered(self, address: str = "10.0.0.1") -> tuple[HTTPProtocol, Transport]:
        """A connection that has had one answer and is kept open for the next request."""
        connection, transport = self.connect(address)
        connection.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.loop.run_tasks()
        assert transport.written.startswith(b"HTTP/1.1 200 ") and not transport.closed
        return connection, transport


@pytest.fixture()
def server() -> Any:
    made = Server()
    yield made
    made.loop.close()


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(server: Server) -> None:
    _, transport = server.connect()
    assert server.loop.pending() == [5]
    server.loop.advance(4.9)
    assert not transport.closed
    server.loop.advance(0.1)
    assert transport.closed and transport.written == b""


def test_headers_sent_slowly_are_answered_408_when_their_deadline_is_due(server: Server) -> None:
    connection, transport = server.connect()
    connection.data_received(b"GET / HTTP/1.1\r\n")
    for _ in range(9):  # a byte a second does not move the deadline
        server.loop.advance(1)
        connection.data_received(b"X")
    assert server.loop.pending() == [1]
    server.loop.advance(1)
    assert transport.closed and bytes(transport.written) == _TIMED_OUT


def test_a_body_sent_slowly_is_answered_408(server: Server) -> None:
    connection, transport = server.connect()
    connection.data_received(HEAD + b"a" * 100)
    assert server.loop.pending() == [60]
    server.loop.advance(59)
    connection.data_received(b"a")
    server.loop.advance(1)
    assert transport.closed and bytes(transport.written) == _TIMED_OUT


def test_the_body_deadline_waits_while_the_server_has_stopped_reading(server: Server) -> None:
    connection, transport = server.connect()
    connection.data_received(HEAD)
    server.loop.advance(20)
    connection.data_received(b"a" * 70000)  # past uvicorn's 64 KiB: it stops reading
    assert not transport.reading and server.loop.pending() == []
    server.loop.advance(3600)  # the handler takes an hour before it reads the body
    assert not transport.closed
    connection.flow.resume_reading()
    assert server.loop.pending() == [40]  # what was left of the deadline
    server.loop.advance(40)
    assert transport.closed and bytes(transport.written) == _TIMED_OUT


def test_a_client_that_reads_nothing_of_its_answer_is_cut_off(server: Server) -> None:
    connection, transport = server.connect()
    connection.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # answered at length
    connection.pause_writing()
    assert server.loop.pending() == [30]
    server.loop.advance(29)
    connection.resume_writing()  # it read some: the wait starts anew next time
    connection.pause_writing()
    server.loop.advance(29)
    assert not transport.closed
    server.loop.advance(1)
    assert transport.aborted
    connection.connection_lost(None)  # as the transport reports it
    assert not connection.flow.write_paused  # a handler waiting to write goes on, and ends
    assert server.loop.pending() == []


def test_an_answered_connection_left_idle_is_closed(server: Server) -> None:
    _, transport = server.answered()
    answer = bytes(transport.written)
    assert server.loop.pending()[0] == 5
    server.loop.advance(5)
    assert transport.closed and transport.written == answer


def test_at_the_cap_the_connection_idle_longest_makes_room(server: Server) -> None:
    _, oldest = server.answered()
    server.loop.advance(1)
    _, newer = server.answered()
    busy, busy_transport = server.connect()
    busy.data_received(b"GET / HTTP/1.1\r\n")
    _, arriving = server.connect()
    assert oldest.closed and oldest.written.startswith(b"HTTP/1.1 200 ")
    assert not newer.closed and not busy_transport.closed and not arriving.closed
    assert arriving.written == b""


def test_at_the_cap_with_none_idle_a_new_connection_is_answered_503(server: Server) -> None:
    for _ in range(3):
        connection, _ = server.connect()
        connection.data_received(b"GET / HTTP/1.1\r\n")
    _, arriving = server.connect()
    assert arriving.closed and bytes(arriving.written) == _BUSY


def test_one_address_holds_at_most_its_share() -> None:
    server = Server(Limits(max_connections=100, max_per_address=2))
    try:
        for _ in range(2):
            connection, _ = server.connect("10.0.0.9")
            connection.data_received(b"GET / HTTP/1.1\r\n")
        _, refused = server.connect("10.0.0.9")
        _, other = server.connect("10.0.0.8")
        assert refused.closed and bytes(refused.written) == _BUSY
        assert not other.closed
    finally:
        server.loop.close()


NOT_SECONDS = (math.nan, math.inf, -math.inf, float("1e999"), 0, -1, 86401, True, "5")


@pytest.mark.parametrize("value", NOT_SECONDS, ids=repr)
@pytest.mark.parametrize("name", ["idle_timeout", "headers_timeout", "body_timeout"])
def test_limits_refuse_deadlines_that_are_not_seconds(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=name):
        Limits(**{name: value})


@pytest.mark.parametrize("value", [0, -1, 1.5, True, None])
def test_limits_refuse_caps_that_are_not_counts(value: Any) -> None:
    with pytest.raises(ValueError, match="max_connections"):
        Limits(max_connections=value)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "0", "86401", "x"])
@pytest.mark.parametrize("option", ["--timeout-idle", "--timeout-headers", "--timeout-body"])
def test_chatforge_serve_refuses_deadlines_that_are_not_seconds(option: str, value: str) -> None:
    result = CliRunner().invoke(main, ["serve", "upstra", option, value])
    assert result.exit_code == 2, result.output
    assert option in result.output and "Traceback" not in result.output
    assert "internal error" not in result.output


def test_serve_says_it_runs_one_process() -> None:
    with pytest.raises(ValueError, match="uvicorn's command line"):
        serve(app, workers=2)
