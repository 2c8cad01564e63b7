"""Running the server benchmark's apps (bench/server_rps.py): both sides of an API under uvicorn,
each in a process of its own, checked with urllib, then loaded with wrk, pinned to other CPUs
when taskset is there.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
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

from common import BENCH, ROOT
from server_cases import Case, credentials, factory, with_query

SIDES = ("hand", "generated")
SERVER_CPU = "0"
WRK_CPU = "1"


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
