#!/usr/bin/env python3
"""Requests per second of chatforge's generated servers in mock mode, against hand-written FastAPI
endpoints doing the same validation (bench/handwritten_server.py).

Each app runs under uvicorn in a process of its own (one worker, same options on both sides,
pinned to CPU 0 when taskset is there) and wrk, pinned to CPU 1, loads it over loopback. Before
measuring, every case is checked on both sides: the request answers its success status with the
same JSON body, a request that breaks the model answers 4xx, and bad credentials answer 401.
Target: the generated server serves at least 0.8x the requests per second of the hand-written one.

    .venv/bin/python bench/server_rps.py              # the full run, about three minutes
    .venv/bin/python bench/server_rps.py --no-fail    # exit 0 even when the target is missed
    .venv/bin/python bench/server_rps.py --profile    # also profile both apps in-process
    .venv/bin/python bench/server_rps.py --generated /tmp/out  # another `chatforge generate --out`

Results are printed and written to bench/results/server_rps.md. Exit code: 0 when every case
meets the target, 1 when one misses it (0 with --no-fail), 2 when the run could not measure.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# The generated tree measured: generated/, or another one (--generated, passed on to the servers).
GENERATED_ENV = "SERVER_RPS_GENERATED"
GENERATED = Path(os.environ.get(GENERATED_ENV) or ROOT / "generated")
RESULTS = BENCH / "results" / "server_rps.md"
TARGET = 0.8
SIDES = ("hand", "generated")
SERVER_CPU = "0"
WRK_CPU = "1"


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
    folder = GENERATED / slug / "server"
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
    import re as regex

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
        pattern: regex.Pattern[str] = route.path_regex  # type: ignore[attr-defined]
        if case.method in (getattr(route, "methods", None) or ()) and pattern.match(path):
            return f"{number} of {len(table)}"
    return f"? of {len(table)}"


def factory(side: str, slug: str) -> str:
    """The `module:function` uvicorn imports for one side of one API."""
    if side == "hand":
        return f"handwritten_server:{slug}_app"
    return f"server_rps:generated_{slug}"


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


# --------------------------------------------------------------------------------------------
# Servers and checks.


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def uvicorn_options() -> list[str]:
    """The same uvicorn options for every app: uvloop and httptools only when installed."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return [
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        loop,
        "--http",
        http,
    ]


def can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pinned(cpu: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *command] if can_pin() else command


@dataclass
class Server:
    side: str
    slug: str
    wrapper: list[str] = field(default_factory=list)  # a command uvicorn runs under (valgrind)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Any = None

    def start(self) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(BENCH),
            "--factory",
            factory(self.side, self.slug),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *uvicorn_options(),
        ]
        self.process = subprocess.Popen(
            pinned(SERVER_CPU, [*self.wrapper, *command]),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not listen within {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        text: str = self.log.read().decode("utf-8", "replace")
        return text[-4000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()
            self.log = None

    def cpu_seconds(self) -> float:
        """CPU time (user + system, every thread) the server process has used so far."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def name(self) -> str:
        return f"{self.side} {self.slug} server ({factory(self.side, self.slug)})"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def servers(slug: str) -> Iterator[dict[str, Server]]:
    """Both sides' servers of one API, started together and stopped whatever happens."""
    started = {side: Server(side, slug) for side in SIDES}
    try:
        for server in started.values():
            server.start()
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            server.stop()


def send(
    server: Server,
    case: Case,
    *,
    path: str | None = None,
    body: bytes | None = None,
    valid: bool = True,
) -> tuple[int, bytes]:
    """One request with urllib: the status and the body of the answer."""
    headers, query = credentials(case.slug, valid=valid)
    if case.content_type:
        headers["Content-Type"] = case.content_type
    data = case.body if body is None else body
    request = urllib.request.Request(
        server.url + with_query(path or case.path, query),
        data=data if case.method != "GET" else None,
        headers=headers,
        method=case.method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check(case: Case, pair: dict[str, Server]) -> list[str]:
    """What is wrong with either side for this case (nothing when both validate alike)."""
    problems = []
    answers = {}
    for side, server in pair.items():
        status, body = send(server, case)
        if status != case.status:
            problems.append(f"{side}: answered {status}, not {case.status}: {body[:300]!r}")
            continue
        answers[side] = json.loads(body)
        status, body = send(server, case, path=case.invalid_path, body=case.invalid_body)
        if not 400 <= status < 500:
            problems.append(f"{side}: an invalid request answered {status}: {body[:300]!r}")
        status, body = send(server, case, valid=False)
        if status != 401:
            problems.append(f"{side}: bad credentials answered {status}: {body[:300]!r}")
    if len(answers) == 2 and answers["hand"] != answers["generated"]:
        problems.append(
            f"the answers differ: hand {answers['hand']!r} / generated {answers['generated']!r}"
        )
    return problems


# --------------------------------------------------------------------------------------------
# wrk.


def find_wrk() -> str | None:
    """wrk's path; installs Debian's package when missing and running as root with apt-get."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("wrk is missing: installing it with apt-get (running as root)", flush=True)
    install = ["apt-get", "install", "-y", "wrk"]
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], stdout=subprocess.DEVNULL)
        subprocess.run(install, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True)
    first = (result.stdout or result.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


def lua_string(text: str) -> str:
    """A Lua string literal; every byte outside printable ASCII as a decimal escape."""
    out = []
    for byte in text.encode("utf-8"):
        if 32 <= byte < 127 and byte not in (ord('"'), ord("\\")):
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def wrk_script(case: Case, headers: dict[str, str]) -> str:
    lines = [f"wrk.method = {lua_string(case.method)}"]
    if case.body:
        lines.append(f"wrk.body = {lua_string(case.body.decode())}")
    if case.content_type:
        lines.append(f'wrk.headers["Content-Type"] = {lua_string(case.content_type)}')
    for name, value in headers.items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    return "\n".join(lines) + "\n"


@dataclass
class Load:
    rps: float
    requests: int
    bad: int  # non-2xx answers and socket errors
    latency: str  # wrk's average latency
    cpu_us: float  # the server's CPU time per request, microseconds


def run_wrk(
    wrk: str, server: Server, case: Case, seconds: float, args: argparse.Namespace, folder: Path
) -> Load:
    """One wrk run. Credentials are made now, so a signed timestamp is fresh for each run."""
    headers, query = credentials(case.slug)
    script = folder / f"{case.id}.lua"
    script.write_text(wrk_script(case, headers))
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        server.url + with_query(case.path, query),
    ]
    cpu_before = server.cpu_seconds()
    result = subprocess.run(pinned(WRK_CPU, command), capture_output=True, text=True)
    cpu = server.cpu_seconds() - cpu_before
    text = result.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    if result.returncode != 0 or rps is None or total is None:
        raise RuntimeError(f"wrk failed on {server.name}:\n{text}\n{result.stderr}")
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if errors:
        bad += sum(int(n) for n in errors.groups())
    latency = re.search(r"Latency\s+(\S+)", text)
    requests = int(total.group(1))
    return Load(
        float(rps.group(1)),
        requests,
        bad,
        latency.group(1) if latency else "",
        cpu / max(requests, 1) * 1e6,
    )


@dataclass
class Row:
    case: Case
    runs: dict[str, list[Load]] = field(default_factory=lambda: {side: [] for side in SIDES})

    def median(self, side: str) -> float:
        return statistics.median(load.rps for load in self.runs[side])

    def cpu(self, side: str) -> float:
        return statistics.median(load.cpu_us for load in self.runs[side])

    @property
    def ratio(self) -> float:
        """The median over runs of generated / hand-written requests per second, each run's two
        sides measured back to back: slow drift in the machine's load cancels out."""
        pairs = zip(self.runs["generated"], self.runs["hand"], strict=True)
        return statistics.median(generated.rps / hand.rps for generated, hand in pairs)

    @property
    def bad(self) -> int:
        return sum(load.bad for loads in self.runs.values() for load in loads)


def measure(
    wrk: str, case: Case, pair: dict[str, Server], args: argparse.Namespace, folder: Path
) -> Row:
    """Warm-up on each side, then runs taking turns (hand first on even runs, generated first on
    odd ones), so drift on the machine touches both sides alike."""
    for side in SIDES:
        run_wrk(wrk, pair[side], case, args.warmup, args, folder)
    row = Row(case)
    for run in range(args.runs):
        order = SIDES if run % 2 == 0 else tuple(reversed(SIDES))
        for side in order:
            row.runs[side].append(run_wrk(wrk, pair[side], case, args.duration, args, folder))
    return row


# --------------------------------------------------------------------------------------------
# Instructions per request (--instructions): each server under callgrind, which counts the
# instructions the process runs. The count hardly moves with the machine's load, unlike time.


def callgrind_tools() -> bool:
    return shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None


def count_instructions(
    wrk: str, case: Case, args: argparse.Namespace, folder: Path
) -> dict[str, float]:
    """Instructions per request of each side, end to end (uvicorn and h11 included): the
    server starts under callgrind with counting off, is warmed up, then counted while wrk
    loads it for --instructions-seconds (callgrind runs it some 50 times slower)."""
    counts = {}
    for side in SIDES:
        out = folder / f"callgrind-{case.id}-{side}"
        out.mkdir()
        wrapper = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}/callgrind.%p",
        ]
        server = Server(side, case.slug, wrapper=wrapper)
        try:
            server.start()
            server.wait_ready(timeout=600)
            assert server.process is not None
            pid = str(server.process.pid)
            run_wrk(wrk, server, case, args.warmup, args, folder)
            for flags in (["--instr=on"], ["--zero"]):
                subprocess.run(["callgrind_control", *flags, pid], capture_output=True, check=True)
            load = run_wrk(wrk, server, case, args.instructions_seconds, args, folder)
            subprocess.run(
                ["callgrind_control", "--dump=measured", pid], capture_output=True, check=True
            )
        finally:
            server.stop()
        if load.bad:
            raise RuntimeError(f"{server.name}: {load.bad} failed requests under callgrind")
        for dump in out.iterdir():
            text = dump.read_text(errors="replace")
            totals = re.search(r"^totals: (\d+)", text, re.M)
            if "Trigger: dump measured" in text and totals:
                counts[side] = int(totals.group(1)) / load.requests
                break
        else:
            raise RuntimeError(f"{server.name}: no callgrind dump in {out}")
    return counts


def instruction_table(counts: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| case | hand-written instructions/req | generated instructions/req | hand / generated |",
        "|---|---:|---:|---:|",
    ]
    for case_id, pair in counts.items():
        hand, generated = pair["hand"], pair["generated"]
        lines.append(
            f"| `{case_id}` | {hand / 1000:,.0f} k | {generated / 1000:,.0f} k | "
            f"{hand / generated:.2f}x |"
        )
    return lines


# --------------------------------------------------------------------------------------------
# In-process profile (--profile): both apps driven as ASGI callables, without uvicorn.


async def asgi_call(app: Any, case: Case, headers: dict[str, str], query: str) -> int:
    path, _, query_string = with_query(case.path, query).partition("?")
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if case.content_type:
        raw_headers.append((b"content-type", case.content_type.encode()))
    if case.body:
        raw_headers.append((b"content-length", str(len(case.body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": case.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string.encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    state = {"sent": False, "status": 0}

    async def receive() -> dict[str, Any]:
        if state["sent"]:
            return {"type": "http.disconnect"}
        state["sent"] = True
        return {"type": "http.request", "body": case.body, "more_body": False}

    async def send_message(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            state["status"] = message["status"]

    await app(scope, receive, send_message)
    return int(state["status"])


async def asgi_loop(app: Any, request: tuple[Case, dict[str, str], str], count: int) -> float:
    """µs per request over `count` requests, after 50 that must answer the success status."""
    case, headers, query = request
    for _ in range(50):
        status = await asgi_call(app, case, headers, query)
        if status != case.status:
            raise RuntimeError(f"{case.id}: in-process call answered {status}")
    began = time.perf_counter()
    for _ in range(count):
        await asgi_call(app, case, headers, query)
    return (time.perf_counter() - began) / count * 1e6


def profile_apps(cases: list[Case], n: int) -> str:
    """Per case: µs per request of each app driven in-process, and the functions where the
    generated app spends more own time than the hand-written one (cProfile, main thread)."""
    import cProfile
    import io
    import pstats

    import handwritten_server

    out = io.StringIO()
    apps: dict[tuple[str, str], Any] = {}
    for case in cases:
        for side in SIDES:
            if (side, case.slug) not in apps:
                module, _, name = factory(side, case.slug).partition(":")
                source = (
                    handwritten_server if module == "handwritten_server" else sys.modules[__name__]
                )
                apps[side, case.slug] = getattr(source, name)()
        headers, query = credentials(case.slug)
        request = (case, headers, query)
        timings = {
            side: asyncio.run(asgi_loop(apps[side, case.slug], request, n)) for side in SIDES
        }
        stats: dict[str, dict[Any, Any]] = {}
        for side in SIDES:
            profiler = cProfile.Profile()
            profiler.enable()
            asyncio.run(asgi_loop(apps[side, case.slug], request, n))
            profiler.disable()
            side_stats = pstats.Stats(profiler, stream=out)
            stats[side] = side_stats.stats  # type: ignore[attr-defined]
            if side == "generated":
                out.write(f"=== {case.id}: generated app, {n:,} requests under cProfile ===\n")
                out.write("--- top 12 by cumulative time ---\n")
                side_stats.sort_stats("cumulative").print_stats(12)
        out.write(
            f"=== {case.id}: in-process µs per request (no profiler): "
            f"hand {timings['hand']:.1f}, generated {timings['generated']:.1f} ===\n"
        )
        out.write("--- most extra own time in the generated app, µs per request ---\n")
        out.write(f"{'extra µs':>9} {'calls hand':>10} {'calls gen':>10}  function\n")
        extra = []
        for key in set(stats["hand"]) | set(stats["generated"]):
            g = stats["generated"].get(key, (0, 0, 0.0, 0.0))
            h = stats["hand"].get(key, (0, 0, 0.0, 0.0))
            label = f"{key[0]}:{key[1]}({key[2]})"
            extra.append(((g[2] - h[2]) / n * 1e6, h[1] / n, g[1] / n, label))
        for micro, calls_hand, calls_gen, label in sorted(extra, reverse=True)[:15]:
            out.write(f"{micro:9.2f} {calls_hand:10.1f} {calls_gen:10.1f}  {label}\n")
    text = out.getvalue()
    for prefix in sorted({p for p in sys.path if p.startswith("/")} | {str(ROOT)}, key=len)[::-1]:
        text = text.replace(prefix + "/", "")
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()) + "\n"


# --------------------------------------------------------------------------------------------
# Reporting.


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_state() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "generated", "generator"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' (generator or generated/ modified)' if dirty else ''}" if head else "unknown"


def tree_hash(slug: str) -> str:
    """A short digest of a generated server's Python files, to tell which code was measured."""
    digest = hashlib.sha256()
    folder = GENERATED / slug / "server"
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def changed_trees(before: dict[str, str]) -> str:
    """A warning when a generated server's code changed while the benchmark ran."""
    changed = [slug for slug, digest in before.items() if tree_hash(slug) != digest]
    if not changed:
        return ""
    return f" (CHANGED during the run: {', '.join(changed)}; rerun)"


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = ("fastapi", "starlette", "uvicorn", "pydantic", "pydantic-core", "python-multipart")
    found = {}
    for name in (*names, "uvloop", "httptools"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            if name in names:
                found[name] = "not installed"
    return found


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| case | hand-written rps | generated rps | generated / hand | "
        f"target ≥ {TARGET}x | hand CPU µs/req | generated CPU µs/req | CPU hand / generated |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        met = "met" if row.ratio >= TARGET else "MISSED"
        hand_cpu, generated_cpu = row.cpu("hand"), row.cpu("generated")
        lines.append(
            f"| `{row.case.id}` | {row.median('hand'):,.0f} | {row.median('generated'):,.0f} | "
            f"{row.ratio:.2f}x | {met} | {hand_cpu:,.0f} | {generated_cpu:,.0f} | "
            f"{hand_cpu / generated_cpu:.2f}x |"
        )
    return lines


def write_results(
    rows: list[Row],
    args: argparse.Namespace,
    wrk: str,
    command: str,
    profile_text: str,
    counts: dict[str, dict[str, float]],
) -> None:
    versions = package_versions()
    pinning = (
        f"servers on CPU {SERVER_CPU}, wrk on CPU {WRK_CPU} (taskset)"
        if can_pin()
        else "none (no taskset, or one CPU)"
    )
    lines = [
        "# Server requests per second",
        "",
        "Written by `bench/server_rps.py`; see `bench/README.md`. Requests per second are the "
        f"median of {args.runs} wrk runs of {args.duration:g} s (after {args.warmup:g} s of "
        "warm-up) per side, the sides taking turns; the ratio is the median over runs of "
        "generated / hand-written, each run's two sides measured back to back. Target: the "
        f"generated server at least {TARGET}x the hand-written one.",
        "",
        f"Command: `{command}`",
        "",
        "## Machine",
        "",
        f"- run at: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- CPU: {cpu_model()} ({os.cpu_count()} logical CPUs)",
        f"- OS: {platform.system()} {platform.release()} ({platform.machine()})",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- repository: {args.repository}",
        f"- generated servers: {GENERATED}: "
        + ", ".join(f"{slug} {digest}" for slug, digest in args.trees.items())
        + changed_trees(args.trees),
        f"- load average (1 min) at start / end: {args.load_start:.2f} / {os.getloadavg()[0]:.2f}"
        + (" (other processes were busy: figures are noisier)" if args.load_start > 0.5 else ""),
        "- packages: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- uvicorn options (both sides): `{' '.join(uvicorn_options())}`, 127.0.0.1",
        f"- load: {wrk_version(wrk)}, `-t{args.threads} -c{args.connections}`, keep-alive",
        f"- pinning: {pinning}",
        "",
        "## Results",
        "",
        *table(rows),
        "",
        "## Cases",
        "",
        "| case | request | exercises | generated route, in matching order |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| `{row.case.id}` | `{row.case.method} {row.case.path}` | {row.case.kind} | "
            f"{route_position(row.case)} |"
        )
    lines += [
        "",
        "## Runs (requests per second; wrk's average latency, server CPU per request)",
        "",
    ]
    lines += ["| case | side | runs |", "|---|---|---|"]
    for row in rows:
        for side in SIDES:
            shown = " / ".join(
                f"{load.rps:,.0f} ({load.latency}, {load.cpu_us:,.0f} µs CPU)"
                for load in row.runs[side]
            )
            lines.append(f"| `{row.case.id}` | {side} | {shown} |")
    if counts:
        lines += [
            "",
            "## Instructions per request (callgrind)",
            "",
            "Each server alone under valgrind's callgrind, counted end to end (uvicorn included) "
            f"over {args.instructions_seconds:g} s of wrk load after the warm-up. The count "
            "hardly moves with the machine's load; hand / generated estimates the requests per "
            "second ratio of an unloaded machine (instructions are not all equally fast).",
            "",
            *instruction_table(counts),
        ]
    if profile_text:
        lines += ["", "## In-process profile", "", "```", profile_text.rstrip(), "```"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------
# The run.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per side (default 5)")
    parser.add_argument("--duration", type=float, default=4, help="seconds a run (default 4)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk -c (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t (default 1)")
    parser.add_argument("--only", action="append", help="run only this case id (repeatable)")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 when a target is missed")
    parser.add_argument("--profile", action="store_true", help="also profile apps in-process")
    parser.add_argument(
        "--generated",
        type=Path,
        help="the generated tree to measure (default: generated/), like `chatforge generate --out`",
    )
    parser.add_argument(
        "--profile-requests", type=int, default=3000, help="requests per profile (default 3000)"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions per request under valgrind's callgrind (some minutes)",
    )
    parser.add_argument(
        "--instructions-seconds",
        type=float,
        default=15,
        help="seconds of load counted under callgrind (default 15)",
    )
    args = parser.parse_args(argv)
    args.load_start = os.getloadavg()[0]
    if args.generated is not None:
        # Both this process and the servers (which inherit the environment) read it.
        os.environ[GENERATED_ENV] = str(args.generated.resolve())
        globals()["GENERATED"] = args.generated.resolve()

    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable) != venv_python:
            os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])
        print("fastapi and uvicorn are needed: run with the project's venv (see bench/README.md)")
        return 2
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))

    cases = [case for case in CASES if not args.only or case.id in args.only]
    if not cases:
        parser.error(f"--only: known cases are {', '.join(case.id for case in CASES)}")
    # What is measured, read before any server starts (others may regenerate meanwhile).
    args.repository = git_state()
    args.trees = {slug: tree_hash(slug) for slug in dict.fromkeys(case.slug for case in cases)}
    wrk = find_wrk()
    if wrk is None:
        print("wrk is needed: install it with `apt-get install -y wrk` (Debian, Ubuntu)")
        return 2
    if args.instructions and not callgrind_tools():
        print("--instructions needs valgrind: install it with `apt-get install -y valgrind`")
        return 2

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="server_rps_") as tmp:
        for slug in dict.fromkeys(case.slug for case in cases):
            with servers(slug) as pair:
                for case in (case for case in cases if case.slug == slug):
                    problems = check(case, pair)
                    if problems:
                        print(f"{case.id}: not measured:")
                        for problem in problems:
                            print(f"  {problem}")
                        return 2
                    print(f"{case.id}: both sides checked (2xx, same body, 4xx, 401); measuring")
                    row = measure(wrk, case, pair, args, Path(tmp))
                    if row.bad:
                        print(f"{case.id}: {row.bad} failed requests under load")
                        return 2
                    print(
                        f"  hand {row.median('hand'):,.0f} rps, generated "
                        f"{row.median('generated'):,.0f} rps: {row.ratio:.2f}x",
                        flush=True,
                    )
                    rows.append(row)
        counts: dict[str, dict[str, float]] = {}
        for case in cases if args.instructions else []:
            print(f"{case.id}: counting instructions under callgrind", flush=True)
            counts[case.id] = count_instructions(wrk, case, args, Path(tmp))

    profile_text = profile_apps(cases, args.profile_requests) if args.profile else ""
    command = " ".join(["python", "bench/server_rps.py", *(argv or sys.argv[1:])])

    print()
    print(f"requests per second, median of {args.runs} wrk runs x {args.duration:g} s; ratio:")
    print("median of the runs' generated / hand-written (sides measured back to back)")
    print()
    for line in table(rows):
        print(line)
    if counts:
        print()
        print("instructions per request, end to end, under callgrind")
        print()
        for line in instruction_table(counts):
            print(line)
    if profile_text:
        print()
        print(profile_text)
    write_results(rows, args, wrk, command, profile_text, counts)
    if changed := changed_trees(args.trees):
        print(f"generated servers{changed}")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    missed = [row.case.id for row in rows if row.ratio < TARGET]
    if missed:
        print(f"target >= {TARGET}x missed: {', '.join(missed)}")
        return 0 if args.no_fail else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
