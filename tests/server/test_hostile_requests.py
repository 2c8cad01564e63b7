"""A generated server sheds abusive requests over real sockets: clients that send nothing, or
send their headers or body a byte at a time, are cut off and the server still answers others;
numbers no Python type holds, and JSON nested past any need, are bad input (400 in the
vendor's shape), never a 500; a client that leaves mid-body costs one short log line; and no
answer sends a client to the host its request named."""

from __future__ import annotations

import logging
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generator.ir import Api
from tests.conftest import ROOT, LiveServer
from tests.functional.harness import Generated, load_generated, project_apis

APIS = {api.slug: api for api in project_apis()}
LIMIT = 0.5  # seconds, every deadline of the servers under test
BIG = "9" * 5000  # more digits than Python turns into an int
DEEP = "[" * 5000 + "]" * 5000


def _limited(generated: Generated, **limits: Any) -> Any:
    limits = {
        "idle_timeout": LIMIT,
        "headers_timeout": LIMIT,
        "body_timeout": LIMIT,
        **limits,
    }
    return generated.server.serving.protocol(**limits)


@pytest.fixture(scope="module")
def upstra() -> Generated:
    generated = load_generated(APIS["upstra"])
    __import__(f"{generated.api.server_package}.serving")
    return generated


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setblocking(False)
    return sock


def _read(sock: socket.socket, into: bytearray) -> bool:
    """Reads what has arrived; False once the server has closed the connection."""
    while select.select([sock], [], [], 0)[0]:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BlockingIOError):
            return False
        if not chunk:
            return False
        into.extend(chunk)
    return True


def _trickle(
    port: int, idle: int, slow: list[bytes], head: bytes = b"", rounds: int = 100
) -> list[bytes]:
    """Opens `idle` connections that send nothing, and one per entry of `slow` that sends
    `head` and then the entry a byte per tenth of a second; what each received before the
    server closed it. Fails if any is still open after `rounds` tenths of a second."""
    socks = [_connect(port) for _ in range(idle)] + [_connect(port) for _ in slow]
    for sock in socks[idle:]:
        if head:
            sock.sendall(head)
    received = [bytearray() for _ in socks]
    open_ = set(range(len(socks)))
    for step in range(rounds):
        for index in list(open_):
            sock = socks[index]
            if index >= idle:
                text = slow[index - idle]
                if step < len(text):
                    try:
                        sock.send(text[step : step + 1])
                    except OSError:
                        open_.discard(index)
                        continue
            if not _read(sock, received[index]):
                open_.discard(index)
        if not open_:
            break
        time.sleep(0.1)
    for sock in socks:
        sock.close()
    assert not open_, f"{len(open_)} of {len(socks)} connections still open"
    return [bytes(data) for data in received]


def _timed_out(data: bytes) -> bool:
    """The answer a connection cut off mid-request gets: a 408, unless the client was still
    sending when the server closed, and the reset that this causes overtook the answer."""
    return data == b"" or data.startswith(b"HTTP/1.1 408 ")


def _answers(url: str) -> int:
    return httpx.get(f"{url}/api/v2/users", timeout=5).status_code


SLOW_HEADERS = b"GET /api/v2/users HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200


def test_idle_and_slow_header_connections_are_closed(upstra: Generated) -> None:
    app = upstra.server.create_app(mock=True)
    with LiveServer(app, http=_limited(upstra)) as live:
        got = _trickle(live.port, idle=30, slow=[SLOW_HEADERS] * 30)
        assert all(data == b"" for data in got[:30]), got[:30]
        assert all(_timed_out(data) for data in got[30:]), got[30:]
        # A connection that has had its answer and then waits is closed as well.
        with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
            sock.sendall(b"GET /api/v2/users HTTP/1.1\r\nHost: x\r\n\r\n")
            deadline = time.monotonic() + 10
            data = b""
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            assert data.startswith(b"HTTP/1.1 200 ") and not chunk
        assert _answers(live.url) == 200


def test_a_slow_body_is_answered_408_and_closed(
    upstra: Generated, caplog: pytest.LogCaptureFixture
) -> None:
    app = upstra.server.create_app(mock=True)
    head = (
        b"POST /api/v2/channel/displayName HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n"
    )
    caplog.set_level(logging.DEBUG)
    with LiveServer(app, http=_limited(upstra), log_config=None) as live:
        got = _trickle(live.port, idle=0, slow=[b"a" * 200] * 5, head=head)
        assert all(_timed_out(data) for data in got), got
        assert _answers(live.url) == 200
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_connections_over_the_cap_are_answered_503(upstra: Generated) -> None:
    app = upstra.server.create_app(mock=True)
    with LiveServer(app, http=_limited(upstra, max_connections=5, idle_timeout=30)) as live:
        held = [socket.create_connection(("127.0.0.1", live.port), timeout=5) for _ in range(5)]
        try:
            for sock in held:  # each answered once, and then kept open
                sock.sendall(b"GET /api/v2/users HTTP/1.1\r\nHost: x\r\n\r\n")
                assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
            got = _trickle(live.port, idle=20, slow=[])
            assert all(data.startswith(b"HTTP/1.1 503 ") for data in got), got
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the held connections' end reaches the server
            try:
                if _answers(live.url) == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        assert _answers(live.url) == 200


def test_chatforge_serve_cuts_off_slow_and_idle_clients() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "generator", "serve", "upstra", "--mock", "--port", str(port)]
    command += ["--timeout-idle", "0.5", "--timeout-headers", "0.5", "--timeout-body", "0.5"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "chatforge serve did not start"
            try:
                if _answers(f"http://127.0.0.1:{port}") == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        got = _trickle(port, idle=10, slow=[SLOW_HEADERS] * 10)
        assert all(_timed_out(data) for data in got[10:]), got[10:]
        assert _answers(f"http://127.0.0.1:{port}") == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr:
            server.stderr.close()


def test_a_client_leaving_mid_body_costs_one_short_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    generated = load_generated(APIS["rongcloud"])
    app = generated.server.create_app(mock=True)
    caplog.set_level(logging.DEBUG)
    head = (
        b"POST /chatroom/ban/query.json HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    )
    with LiveServer(app, log_config=None) as live:
        for body in (b"page=1&size=", b"x" * 70000):
            with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
                sock.sendall(head + body)
                time.sleep(0.1)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(
                "went away" in r.getMessage() for r in caplog.records
            ):
                time.sleep(0.02)
            lines = [r for r in caplog.records if r.name != "asyncio"]
            assert len(lines) == 1, [r.getMessage() for r in lines]
            [line] = lines
            assert not line.exc_info and line.levelno < logging.WARNING, line
            assert "\n" not in line.getMessage() and len(line.getMessage()) < 200
            caplog.clear()


def _served(slug: str, **options: Any) -> Iterator[tuple[Api, LiveServer]]:
    generated = load_generated(APIS[slug])
    with LiveServer(generated.server.create_app(mock=True, **options)) as live:
        yield generated.api, live


def _vendor_400(api: Api, response: httpx.Response, where: str) -> None:
    assert response.status_code == 400, (where, response.status_code, response.text[:300])
    body = response.json()
    assert api.errors.message_field in body, (where, body)
    if api.errors.code_field is not None:
        expected = dict(api.errors.codes).get("validation", 400)
        assert body[api.errors.code_field] == expected, (where, body)


def test_numbers_past_any_type_and_deep_json_are_bad_input() -> None:
    """In form fields, JSON-valued form and multipart fields, query, path, headers and JSON
    bodies: an integer of 5,000 digits, a number beyond a float's range, JSON nested 5,000
    deep. Each answers 400 in the vendor's shape."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    for api, live in _served("rongcloud"):
        with httpx.Client(base_url=live.url, timeout=10) as client:
            for value in (BIG, "-" + BIG, "1e999999"):
                sent = client.post("/user/token/expire.json", data={"userId": "u", "time": value})
                _vendor_400(api, sent, f"form integer {value[:8]}")
            for value in (DEEP, '{"a":' * 3000 + "1" + "}" * 3000, "[" * 100 + "]" * 100, "NaN"):
                fields = {"fromUserId": "u", "toUserId": "v", "objectName": "RC:TxtMsg"}
                sent = client.post(
                    "/message/private/publish.json", data={**fields, "content": value}
                )
                _vendor_400(api, sent, f"form JSON {value[:8]}")
            sent = client.post("/chatroom/ban/query.json", content=f"page={BIG}", headers=form)
            _vendor_400(api, sent, "optional form body")
    for api, live in _served("stream"):
        with httpx.Client(base_url=live.url, timeout=10) as client:
            files = {"file": ("a.txt", b"x", "text/plain")}
            sent = client.post("/channels/messaging/c1/file", data={"user": DEEP}, files=files)
            _vendor_400(api, sent, "multipart JSON")
            for value in (BIG, "1e999999", DEEP):
                sent = client.post(
                    "/channels/messaging/c1",
                    content='{"cooldown": ' + value + "}",
                    headers={"content-type": "application/json"},
                )
                _vendor_400(api, sent, f"JSON body {value[:8]}")
            sent = client.get("/messages/m1/replies", params={"limit": BIG})
            _vendor_400(api, sent, "query")
    for api, live in _served("agora"):
        with httpx.Client(base_url=live.url, timeout=10) as client:
            sent = client.post(f"/users/u/presence/{BIG}", json={"usernames": ["a"]})
            _vendor_400(api, sent, "path")
            headers = {"thumbnail-height": BIG}
            files = {"file": ("a.png", b"x", "image/png")}
            sent = client.post("/chatfiles", headers=headers, files=files)
            _vendor_400(api, sent, "header")


def test_signed_header_timestamps_of_any_size_answer_401() -> None:
    generated = load_generated(APIS["rongcloud"])
    check = generated.server.security.signature_check({"k": "s"})
    with LiveServer(generated.server.create_app(mock=True, auth=check)) as live:
        for stamp in ("9" * 400, BIG, "1e999999", "-1", "١٢٣", "1_0", "+1"):
            headers = {
                "App-Key": b"k",
                "Nonce": b"n",
                "Timestamp": stamp.encode(),
                "Signature": b"0" * 40,
            }
            sent = httpx.post(f"{live.url}/user/token/expire.json", headers=headers, timeout=5)
            assert sent.status_code == 401, (stamp[:8], sent.status_code, sent.text[:200])


def test_a_trailing_slash_never_sends_a_client_to_the_host_it_named() -> None:
    for api, live in _served("upstra"):
        paths = ["/api/v2/users/", "/api/v2/channel/", "/api/v2/channel/displayName/"]
        for path in paths:
            for method in ("GET", "POST"):
                sent = httpx.request(
                    method,
                    live.url + path,
                    headers={"Host": "evil.example"},
                    timeout=5,
                    follow_redirects=False,
                )
                location = sent.headers.get("location", "")
                assert "evil.example" not in location, (method, path, location)
                assert not re.match(r"3\d\d", str(sent.status_code)), (method, path, location)
                assert sent.json()[api.errors.message_field], (method, path)
