"""A generated server sheds abusive requests over real sockets: a client that never finishes
its headers is cut off and the server still answers others; numbers no Python type holds,
numbers that are not finite, and JSON nested past any need, are bad input (400 in the vendor's
shape), never a 500; a client that leaves mid-body costs one short log line; and no answer
sends a client to the host its request named."""

from __future__ import annotations

import importlib
import logging
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from chatforge.ir.model import Api
from tests.conftest import ROOT, LiveServer
from tests.functional.harness import load_generated, project_apis
from tests.running import COMMAND

APIS = {api.slug: api for api in project_apis()}
BIG = "9" * 5000  # more digits than Python turns into an int
DEEP = "[" * 5000 + "]" * 5000
NOT_FINITE = ("inf", "-inf", "nan", "Infinity", "NaN", "1e999")
SLOW_HEADERS = b"GET /api/v2/users HTTP/1.1\r\nHost: x\r\nX-Slow: aaa"


def _answers(url: str) -> int:
    return httpx.get(f"{url}/api/v2/users", timeout=5).status_code


def _cut_off(port: int) -> bytes:
    """What a client that never finishes its headers receives before the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(SLOW_HEADERS)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_a_real_socket_left_mid_headers_is_answered_408() -> None:
    """The protocol's deadlines at work over a socket (`test_serve_protocol` has the rest)."""
    generated = load_generated(APIS["upstra"])
    serving = importlib.import_module(f"{generated.api.server_package}.serving")
    http = serving.protocol(serving.Limits(headers_timeout=0.2))
    with LiveServer(generated.server.create_app(mock=True), http=http) as live:
        assert _cut_off(live.port).startswith(b"HTTP/1.1 408 ")
        assert _answers(live.url) == 200


def test_chatforge_serve_runs_the_protocol_on_the_port_it_announces() -> None:
    command = [*COMMAND, "serve", "upstra", "--mock", "--port", "0"]
    command += ["--timeout-headers", "0.2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert server.stderr is not None
    try:
        lines = []
        while not (found := re.search(r"running on http://127.0.0.1:(\d+)", "".join(lines))):
            line = server.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        port = int(found.group(1))
        assert _cut_off(port).startswith(b"HTTP/1.1 408 ")
        assert _answers(f"http://127.0.0.1:{port}") == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
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


@contextmanager
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
    bodies: an integer of 5,000 digits, a number beyond a float's range, infinity and NaN,
    JSON nested 5,000 deep. Each answers 400 in the vendor's shape."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    with _served("rongcloud") as (api, live):
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
    with _served("stream") as (api, live):
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
            for value in (BIG, *NOT_FINITE):
                sent = client.get("/messages/m1/replies", params={"limit": value})
                _vendor_400(api, sent, f"query {value[:8]}")
    with _served("agora") as (api, live):
        with httpx.Client(base_url=live.url, timeout=10) as client:
            for value in (BIG, *NOT_FINITE):
                sent = client.post(f"/users/u/presence/{value}", json={"usernames": ["a"]})
                _vendor_400(api, sent, f"path {value[:8]}")
                headers = {"thumbnail-height": value}
                files = {"file": ("a.png", b"x", "image/png")}
                sent = client.post("/chatfiles", headers=headers, files=files)
                _vendor_400(api, sent, f"header {value[:8]}")


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
    with _served("upstra") as (api, live):
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
