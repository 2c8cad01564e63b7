#!/usr/bin/env python3
"""Per-call overhead of chatforge's generated clients, side by side in one run with:

- the same request written by hand with httpx (same method, URL, auth headers and body encoding)
  whose JSON answer is validated into the same Pydantic model, and
- openapi-python-client's client generated from the same spec (in a virtual environment of its
  own under bench/.cache/, measured by a worker subprocess running in that environment, which
  this script drives block by block so that all three take turns on the CPU).

Every client talks to an httpx.MockTransport answering the spec's example response, so what is
measured is the client's own work per call: building the request, httpx's send path, and parsing
the answer. Target: a generated call costs at most 1.3x the hand-written one.

    .venv/bin/python bench/client_overhead.py                # the full run, about a minute
    .venv/bin/python bench/client_overhead.py --no-peer      # without openapi-python-client
    .venv/bin/python bench/client_overhead.py --profile      # also cProfile the generated calls

Results are printed and written to bench/results/client_overhead.md. The exit code is 0 whether
or not the target is met; a run that could not measure (a broken import, say) exits 1.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
PEER_VENV = CACHE / "venv"
PEER_OUT = CACHE / "peer"
RESULTS = BENCH / "results" / "client_overhead.md"
GENERATED = ROOT / "generated"

# The peer generator, pinned exactly; its venv also gets this run's httpx version, so both sides
# send through the same httpx.
PEER_PACKAGE = "openapi-python-client"
PEER_VERSION = "0.29.1"
TARGET = 1.3

# One call's inputs, shared by every implementation. Built once, outside the timed loop: they
# stand for data the caller already has.
UPSTRA_BASE = "https://api.sg.amity.co"
UPSTRA_TOKEN = "admin-access-token"
CHANNEL_ID = "support-42"
USER_IDS = ["alice", "bob", "carol"]
QUERY: dict[str, Any] = {"search": "ali", "filter": "all", "limit": 20}

STREAM_BASE = "https://chat.stream-io-api.com"
STREAM_KEY = "stream-api-key"
# A server-side token as the client would mint it; given as is so no side signs per call.
STREAM_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzZXJ2ZXIiOnRydWV9.c2lnbmF0dXJl"
UPSERT_USERS: dict[str, dict[str, Any]] = {
    "ann": {"id": "ann", "name": "Ann Lee", "role": "user", "teams": []}
}
QUERY_PAYLOAD = {
    "filter_conditions": {"id": {"$in": ["ann", "bob"]}},
    "sort": [{"field": "last_active", "direction": -1}],
    "limit": 10,
}

# Headers whose values must agree between implementations for a request to count as the same.
COMPARED_HEADERS = ("authorization", "content-type", "stream-auth-type")


@dataclass(frozen=True)
class Case:
    id: str
    slug: str
    group: str  # the resource (chatforge) and API module folder (openapi-python-client)
    operation: str
    call: str  # how the generated client is called, for the table
    kind: str  # what the case exercises


CASES = [
    Case(
        "upstra.ban_channel_users",
        "upstra",
        "channels",
        "ban_channel_users",
        "client.channels.ban_channel_users(channel_id=..., user_ids=[...])",
        "POST, form body, path parameter, bearer token",
    ),
    Case(
        "upstra.query_users",
        "upstra",
        "users",
        "query_users",
        "client.users.query_users(search=..., filter=..., limit=...)",
        "GET, query string, bearer token, list of models in the answer",
    ),
    Case(
        "stream.upsert_users",
        "stream",
        "users",
        "upsert_users",
        "client.users.upsert_users(users={...: UserRequest(...)})",
        "POST, JSON body of models, JWT + api_key query + fixed header",
    ),
    Case(
        "stream.query_users",
        "stream",
        "users",
        "query_users",
        "client.users.query_users(payload=QueryUsersPayload(...))",
        "GET, JSON-encoded query parameter, JWT + api_key query + fixed header",
    ),
]


# --------------------------------------------------------------------------------------------
# Shared by both processes: the mock answer, request capture and the timing loop (stdlib and
# httpx only, so the peer's environment can run them too).


class Answer:
    """A MockTransport handler answering one prepared body; it keeps the first request seen."""

    def __init__(self, status: int, body: bytes) -> None:
        import httpx

        self.response = httpx.Response
        self.status = status
        self.body = body
        self.headers = {"content-type": "application/json"}
        self.first: Any = None

    def __call__(self, request: Any) -> Any:
        if self.first is None:
            request.read()
            self.first = request
        return self.response(self.status, content=self.body, headers=self.headers)


def describe(request: Any) -> dict[str, Any]:
    """What must agree between two implementations' requests, in comparable form."""
    from urllib.parse import parse_qsl

    url = request.url
    content_type = request.headers.get("content-type", "")
    body: Any = request.content.decode("utf-8", "replace")
    if content_type.startswith("application/json") and body:
        body = json.loads(body)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        body = sorted(parse_qsl(body, keep_blank_values=True))
    query = sorted(parse_qsl(url.query.decode(), keep_blank_values=True))
    for i, (name, value) in enumerate(query):
        if value.startswith("{"):  # a JSON-encoded parameter: compare its meaning
            query[i] = (name, json.loads(value))
    return {
        "method": request.method,
        "url": f"{url.scheme}://{url.host}{url.path}",
        "query": query,
        "headers": {h: request.headers.get(h) for h in COMPARED_HEADERS},
        "body": body,
    }


def timed(fn: Callable[[], object], calls: int) -> float:
    """Seconds spent on `calls` calls."""
    began = time.perf_counter()
    for _ in range(calls):
        fn()
    return time.perf_counter() - began


def measure_paired(
    runners: list[Callable[[int], float]], rounds: int, calls: int, block: int = 200
) -> list[list[float]]:
    """Microseconds per call of each runner (which makes n calls and returns the seconds they
    took), one figure a round. Within a round the runners take turns in blocks of calls, so
    drift on the machine touches them alike."""
    figures: list[list[float]] = [[] for _ in runners]
    for _ in range(rounds):
        gc.collect()
        spent = [0.0] * len(runners)
        for turn, start in enumerate(range(0, calls, block)):
            n = min(block, calls - start)
            order = range(len(runners)) if turn % 2 == 0 else reversed(range(len(runners)))
            for i in order:
                spent[i] += runners[i](n)
        for i, total in enumerate(spent):
            figures[i].append(total / calls * 1e6)
    return figures


# --------------------------------------------------------------------------------------------
# The generated clients and the hand-written baseline (this process, the project's venv).


def load_examples(slug: str) -> dict[str, Any]:
    """EXAMPLES of the generated server, loaded from its file alone (no FastAPI import)."""
    (path,) = (GENERATED / slug / "server").glob("*_server/_examples.py")
    spec = importlib.util.spec_from_file_location(f"_bench_examples_{slug}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    examples: dict[str, Any] = module.EXAMPLES
    return examples


def success_status(slug: str, operation: str) -> int:
    """The success status the spec declares for an operation (its lowest 2xx)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load((ROOT / "specs" / f"{slug}.yaml").read_text(), Loader=loader)
    for item in document["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation:
                codes = sorted(int(c) for c in op["responses"] if str(c).startswith("2"))
                return codes[0]
    raise LookupError(f"{slug}: no operation {operation}")


def client_folder(slug: str) -> Path:
    return GENERATED / slug / "client"


def generated_call(case: Case, transport: Any) -> tuple[Callable[[], object], Callable[[], None]]:
    """The generated client's call, and how to close its client."""
    if case.slug == "upstra":
        from upstra_client import Client

        up = Client(token=UPSTRA_TOKEN, transport=transport)
        if case.operation == "ban_channel_users":
            return (
                lambda: up.channels.ban_channel_users(channel_id=CHANNEL_ID, user_ids=USER_IDS),
                up.close,
            )
        search, filter_, limit = QUERY["search"], QUERY["filter"], QUERY["limit"]
        return (
            lambda: up.users.query_users(search=search, filter=filter_, limit=limit),
            up.close,
        )
    from stream_client import Client as StreamClient
    from stream_client.models import QueryUsersPayload, UserRequest

    st = StreamClient(api_key=STREAM_KEY, token=STREAM_TOKEN, transport=transport)
    if case.operation == "upsert_users":
        users = {key: UserRequest.model_validate(value) for key, value in UPSERT_USERS.items()}
        return lambda: st.users.upsert_users(users=users), st.close
    payload = QueryUsersPayload.model_validate(QUERY_PAYLOAD)
    return lambda: st.users.query_users(payload=payload), st.close


def hand_call(case: Case, transport: Any) -> tuple[Callable[[], object], Callable[[], None]]:
    """The same request written by hand with httpx, validated into the same model."""
    import httpx

    if case.slug == "upstra":
        from upstra_client.models import SuccessResult, UserList

        http = httpx.Client(
            base_url=UPSTRA_BASE,
            headers={"Authorization": f"Bearer {UPSTRA_TOKEN}"},
            transport=transport,
        )
        if case.operation == "ban_channel_users":
            from urllib.parse import quote

            def ban() -> SuccessResult:
                response = http.post(
                    f"/api/v2/channel/{quote(CHANNEL_ID, safe='')}/users/ban",
                    data={"userIds": USER_IDS},
                )
                response.raise_for_status()
                return SuccessResult.model_validate_json(response.content)

            return ban, http.close

        def query_users() -> UserList:
            response = http.get("/api/v2/users", params=QUERY)
            response.raise_for_status()
            return UserList.model_validate_json(response.content)

        return query_users, http.close

    from stream_client.models import QueryUsersResponse, UsersResponse

    http = httpx.Client(
        base_url=STREAM_BASE,
        headers={"Authorization": STREAM_TOKEN, "Stream-Auth-Type": "jwt"},
        params={"api_key": STREAM_KEY},
        transport=transport,
    )
    if case.operation == "upsert_users":
        body = {"users": UPSERT_USERS}

        def upsert() -> UsersResponse:
            response = http.post("/users", json=body)
            response.raise_for_status()
            return UsersResponse.model_validate_json(response.content)

        return upsert, http.close

    def search() -> QueryUsersResponse:
        payload = json.dumps(QUERY_PAYLOAD, separators=(",", ":"))
        response = http.get("/users", params={"payload": payload})
        response.raise_for_status()
        return QueryUsersResponse.model_validate_json(response.content)

    return search, http.close


# --------------------------------------------------------------------------------------------
# The peer: openapi-python-client's client for the same spec (its own process and venv).


def peer_call(case: dict[str, Any], transport: Any) -> tuple[Callable[[], object], Any]:
    """The peer's call; runs in the peer's venv. Raises LookupError when the peer cannot make
    the same request (an operation or parameter it did not generate)."""
    import inspect

    package = f"opc_{case['slug']}"
    client_module = importlib.import_module(f"{package}.client")
    try:
        api = importlib.import_module(f"{package}.api.{case['group']}.{case['operation']}")
    except ImportError as exc:
        raise LookupError(f"no module for {case['operation']}: {exc}") from exc
    parameters = inspect.signature(api.sync).parameters

    if case["slug"] == "upstra":
        client = client_module.AuthenticatedClient(
            base_url=UPSTRA_BASE, token=UPSTRA_TOKEN, httpx_args={"transport": transport}
        )
        if case["operation"] == "ban_channel_users":
            body_module = importlib.import_module(f"{package}.models.user_ids_request")
            body = body_module.UserIdsRequest(user_ids=USER_IDS)
            return (
                lambda: api.sync(channel_id=CHANNEL_ID, client=client, body=body),
                client,
            )
        filter_module = importlib.import_module(f"{package}.models.query_users_filter")
        filter_ = filter_module.QueryUsersFilter(QUERY["filter"])
        search, limit = QUERY["search"], QUERY["limit"]
        return (
            lambda: api.sync(client=client, search=search, filter_=filter_, limit=limit),
            client,
        )

    client = client_module.AuthenticatedClient(
        base_url=STREAM_BASE,
        token=STREAM_TOKEN,
        prefix="",
        headers={"Stream-Auth-Type": "jwt"},
        httpx_args={"transport": transport, "params": {"api_key": STREAM_KEY}},
    )
    if case["operation"] == "upsert_users":
        body_module = importlib.import_module(f"{package}.models.upsert_users_body")
        body = body_module.UpsertUsersBody.from_dict({"users": UPSERT_USERS})
        return lambda: api.sync(client=client, body=body), client
    if "payload" not in parameters:
        names = ", ".join(p for p in parameters if p != "client") or "none"
        raise LookupError(
            f"its query_users has no `payload` parameter (parameters: {names}): "
            "openapi-python-client skips a parameter described by `content` (a JSON-encoded "
            "query parameter), so it cannot send this request"
        )
    raise LookupError("the peer's query_users signature is not one this benchmark knows")


def peer_worker(job_path: Path) -> int:
    """Entry point inside the peer's venv. Sets every case up, answers one JSON line with what
    it could and could not set up, then runs blocks of calls on request, one JSON line each:
    `{"case": id, "calls": n}` -> `{"seconds": s}`; an empty line ends it."""
    from importlib.metadata import version

    import httpx

    job = json.loads(job_path.read_text())
    sys.path.insert(0, job["packages"])
    calls: dict[str, Callable[[], object]] = {}
    cases: dict[str, Any] = {}
    for case in job["cases"]:
        answer = Answer(case["status"], case["body"].encode())
        try:
            fn, _client = peer_call(case, httpx.MockTransport(answer))
            first = fn()
            if type(first).__name__ == "Error" or first is None:
                raise LookupError(f"the peer did not parse the answer: {first!r}")
        except LookupError as exc:
            cases[case["id"]] = {"unavailable": str(exc)}
            continue
        for _ in range(job["warmup"]):
            fn()
        calls[case["id"]] = fn
        cases[case["id"]] = {"request": describe(answer.first)}
    versions = {name: version(name) for name in (PEER_PACKAGE, "httpx", "attrs")}
    print(json.dumps({"cases": cases, "versions": versions}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        ask = json.loads(line)
        if ask.get("collect"):
            gc.collect()
        print(json.dumps({"seconds": timed(calls[ask["case"]], ask["calls"])}), flush=True)
    return 0


@dataclass
class Peer:
    """What preparing the peer gave, and its worker process while it runs."""

    available: bool = False
    note: str = ""
    specs: dict[str, str] = field(default_factory=dict)  # slug -> "" or why it failed
    cases: dict[str, Any] = field(default_factory=dict)  # id -> request or why unavailable
    versions: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the peer's worker stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def runner(self, case_id: str) -> Callable[[int], float]:
        first = [True]

        def run(calls: int) -> float:
            message: dict[str, Any] = {"case": case_id, "calls": calls, "collect": first[0]}
            first[0] = False
            if self.process is None:
                return 0.0
            try:
                return float(self.ask(message)["seconds"])
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                assert self.process.stderr is not None
                self.process.kill()
                detail = self.process.stderr.read()[-800:]
                self.process = None
                self.available = False
                self.note = f"the peer's worker failed during {case_id}: {exc} {detail}"
                return 0.0

        return run

    def close(self) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.close()
            self.process.wait(timeout=60)
            self.process = None


def run_logged(command: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    return done.returncode, (done.stdout + done.stderr).strip()


def peer_python() -> Path:
    return PEER_VENV / "bin" / "python"


def prepare_peer_venv(httpx_version: str) -> str:
    """Create or reuse bench/.cache/venv; returns "" or why the peer cannot be installed."""
    wanted = (
        f"{PEER_PACKAGE}=={PEER_VERSION} httpx=={httpx_version} python={platform.python_version()}"
    )
    stamp = PEER_VENV / ".bench-stamp"
    if peer_python().exists() and stamp.exists() and stamp.read_text() == wanted:
        return ""
    print(f"preparing {PEER_VENV.relative_to(ROOT)} with {PEER_PACKAGE}=={PEER_VERSION} ...")
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    code, out = run_logged([sys.executable, "-m", "venv", str(PEER_VENV)])
    if code != 0:
        return f"could not create the venv: {out[-500:]}"
    code, out = run_logged(
        [
            str(peer_python()),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"{PEER_PACKAGE}=={PEER_VERSION}",
            f"httpx=={httpx_version}",
        ]
    )
    if code != 0:
        return f"pip could not install {PEER_PACKAGE}=={PEER_VERSION}: {out[-500:]}"
    stamp.write_text(wanted)
    return ""


def generate_peer(slug: str) -> str:
    """Generate the peer's client for specs/<slug>.yaml; returns "" or why it failed."""
    spec = ROOT / "specs" / f"{slug}.yaml"
    out = PEER_OUT / f"opc_{slug}"
    digest = hashlib.sha256(spec.read_bytes() + PEER_VERSION.encode()).hexdigest()
    stamp = PEER_OUT / f"opc_{slug}.stamp"
    if (out / "client.py").exists() and stamp.exists() and stamp.read_text() == digest:
        return ""
    PEER_OUT.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ)  # its post-generation hooks call ruff, installed in the same venv
    env["PATH"] = f"{PEER_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    command = [str(PEER_VENV / "bin" / "openapi-python-client"), "generate", "--path", str(spec)]
    command += ["--meta", "none", "--output-path", str(out), "--overwrite"]
    code, log = run_logged(command, env)
    if code != 0 or not (out / "client.py").exists():
        last = " ".join(log.splitlines()[-6:])
        return f"openapi-python-client could not generate a client from specs/{slug}.yaml: {last}"
    (PEER_OUT / f"opc_{slug}.log").write_text(log + "\n")
    stamp.write_text(digest)
    return ""


def generation_warnings(slug: str) -> list[str]:
    """What openapi-python-client said while generating, besides its progress line."""
    log = PEER_OUT / f"opc_{slug}.log"
    if not log.exists():
        return []
    lines = [line.strip() for line in log.read_text().splitlines() if line.strip()]
    return [line for line in lines if not line.startswith("Generating ")]


def run_peer(
    cases: list[Case], examples: dict[str, tuple[int, bytes]], args: argparse.Namespace
) -> Peer:
    from importlib.metadata import version

    peer = Peer()
    problem = prepare_peer_venv(version("httpx"))
    if problem:
        peer.note = problem
        return peer
    for slug in sorted({case.slug for case in cases}):
        peer.specs[slug] = generate_peer(slug)
    runnable = [case for case in cases if not peer.specs[case.slug]]
    job = {
        "packages": str(PEER_OUT),
        "warmup": args.warmup,
        "cases": [
            {
                "id": case.id,
                "slug": case.slug,
                "group": case.group,
                "operation": case.operation,
                "status": examples[case.id][0],
                "body": examples[case.id][1].decode(),
            }
            for case in runnable
        ],
    }
    job_path = CACHE / "peer-job.json"
    job_path.write_text(json.dumps(job))
    command = [str(peer_python()), str(Path(__file__).resolve()), "--peer-worker", str(job_path)]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=60)
        peer.note = f"the peer's worker failed: {process.stderr.read()[-800:]}"
        return peer
    ready = json.loads(line)
    peer.available = True
    peer.process = process
    peer.cases = ready["cases"]
    peer.versions = ready["versions"]
    return peer


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


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def ratio(value: float | None, base: float) -> str:
    return "n/a" if value is None else f"{value / base:.2f}x"


@dataclass
class Row:
    case: Case
    hand: list[float]
    ours: list[float]
    peer: list[float] | None
    peer_note: str
    same_request: str


def median(values: list[float] | None) -> float | None:
    return None if values is None else statistics.median(values)


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| call | hand-written µs | chatforge µs | chatforge / hand | "
        "openapi-python-client µs | peer / hand | target ≤ 1.3x |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        hand, ours, peer = median(row.hand), median(row.ours), median(row.peer)
        assert hand is not None and ours is not None
        met = "met" if ours / hand <= TARGET else "MISSED"
        lines.append(
            f"| `{row.case.id}` | {fmt(hand)} | {fmt(ours)} | {ratio(ours, hand)} | "
            f"{fmt(peer)} | {ratio(peer, hand)} | {met} |"
        )
    return lines


def write_results(
    rows: list[Row],
    peer: Peer,
    args: argparse.Namespace,
    profile_text: str,
) -> None:
    from importlib.metadata import version

    versions = {name: version(name) for name in ("httpx", "pydantic", "pydantic-core")}
    versions["chatforge"] = version("chatforge") if _installed("chatforge") else "not installed"
    lines = [
        "# Client overhead",
        "",
        "Written by `bench/client_overhead.py`; see `bench/README.md`. Per-call microseconds "
        f"are the median of {args.rounds} rounds of {args.calls:,} calls after "
        f"{args.warmup:,} warm-up calls, against an `httpx.MockTransport` answering the spec's "
        f"example response. Target: chatforge at most {TARGET}x the hand-written call.",
        "",
        "## Machine",
        "",
        f"- run at: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- CPU: {cpu_model()} ({os.cpu_count()} logical CPUs)",
        f"- OS: {platform.system()} {platform.release()} ({platform.machine()})",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- repository: {git_state()}",
        "- packages (project venv): " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- packages (peer venv): "
        + (", ".join(f"{k} {v}" for k, v in peer.versions.items()) or "none"),
        "",
        "## Results",
        "",
        *table(rows),
        "",
        "## Calls",
        "",
        "| call | generated client call | exercises | same request on the wire |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| `{row.case.id}` | `{row.case.call}` | {row.case.kind} | {row.same_request} |"
        )
    lines += ["", "## Rounds (µs per call)", ""]
    lines += ["| call | implementation | rounds |", "|---|---|---|"]
    for row in rows:
        for name, values in (("hand", row.hand), ("chatforge", row.ours), ("peer", row.peer)):
            shown = " ".join(f"{v:.1f}" for v in values) if values else "n/a"
            lines.append(f"| `{row.case.id}` | {name} | {shown} |")
    lines += ["", "## openapi-python-client", ""]
    lines += peer_notes(rows, peer) or ["Every call was measured."]
    if profile_text:
        lines += ["", "## Profile of the chatforge calls", "", "```", profile_text.rstrip(), "```"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


def peer_notes(rows: list[Row], peer: Peer) -> list[str]:
    notes = []
    if not peer.available and peer.note:
        notes.append(f"- not measured: {peer.note}")
    for slug, problem in sorted(peer.specs.items()):
        if problem:
            notes.append(f"- `{slug}`: {problem}")
        elif warnings := generation_warnings(slug):
            shown = " / ".join(warnings[:4]) + (" / ..." if len(warnings) > 4 else "")
            notes.append(f"- `{slug}`: generated with {len(warnings)} lines of warnings: {shown}")
    for row in rows:
        if row.peer_note and row.peer_note != peer.note and not peer.specs.get(row.case.slug):
            notes.append(f"- `{row.case.id}`: {row.peer_note}")
    return notes


def _installed(name: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(name)
    except PackageNotFoundError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# The run.


def compare(reference: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The fields where two requests differ, compared as JSON (the peer's come as JSON)."""
    reference, other = json.loads(json.dumps(reference)), json.loads(json.dumps(other))
    return [key for key in reference if reference[key] != other.get(key)]


def profile_calls(cases: list[Case], examples: dict[str, tuple[int, bytes]], n: int) -> str:
    """cProfile of each generated call: its top functions by own time, the chatforge runtime's
    functions by cumulative time, and where it spends more than the hand-written call."""
    import cProfile
    import io
    import pstats

    import httpx

    def profiled(make: Callable[..., Any], case: Case) -> pstats.Stats:
        fn, close = make(case, httpx.MockTransport(Answer(*examples[case.id])))
        for _ in range(200):
            fn()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            fn()
        profiler.disable()
        close()
        return pstats.Stats(profiler, stream=out)

    def name(key: tuple[str, int, str]) -> str:
        path = key[0].replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        return f"{path}:{key[1]}({key[2]})"

    out = io.StringIO()
    for case in cases:
        ours, hand = profiled(generated_call, case), profiled(hand_call, case)
        out.write(f"=== {case.id}: {n:,} calls under cProfile ===\n")
        out.write("--- top 15 by own time ---\n")
        ours.sort_stats("tottime").print_stats(15)
        out.write("--- chatforge runtime and resource functions, by cumulative time ---\n")
        ours.sort_stats("cumulative").print_stats(r"_client/(_runtime|resources)/", 12)
        out.write("--- most extra own time against the hand-written call, µs per call ---\n")
        out.write(f"{'extra µs':>9} {'calls hand':>10} {'calls ours':>10}  function\n")
        ours_stats: dict[Any, Any] = ours.stats  # type: ignore[attr-defined]
        hand_stats: dict[Any, Any] = hand.stats  # type: ignore[attr-defined]
        extra = []
        for key in set(ours_stats) | set(hand_stats):
            o = ours_stats.get(key, (0, 0, 0.0, 0.0))
            h = hand_stats.get(key, (0, 0, 0.0, 0.0))
            extra.append(((o[2] - h[2]) / n * 1e6, h[1] / n, o[1] / n, name(key)))
        for micro, calls_hand, calls_ours, label in sorted(extra, reverse=True)[:12]:
            out.write(f"{micro:9.2f} {calls_hand:10.1f} {calls_ours:10.1f}  {label}\n")
    # Paths of this machine add nothing to the listing.
    text = out.getvalue()
    for prefix in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"], str(ROOT)):
        text = text.replace(prefix + "/", "")
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per round (default 2000)")
    parser.add_argument("--warmup", type=int, default=500, help="warm-up calls (default 500)")
    parser.add_argument("--no-peer", action="store_true", help="skip openapi-python-client")
    parser.add_argument("--profile", action="store_true", help="also cProfile the chatforge calls")
    parser.add_argument("--only", action="append", help="run only this call id (repeatable)")
    parser.add_argument("--peer-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer_worker:
        return peer_worker(args.peer_worker)

    try:
        import httpx  # noqa: F401
        import pydantic  # noqa: F401
    except ImportError:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable) != venv_python:
            os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])
        print("httpx and pydantic are needed: run with the project's venv (see README)")
        return 1
    import httpx

    cases = [case for case in CASES if not args.only or case.id in args.only]
    if not cases:
        parser.error(f"--only: known calls are {', '.join(case.id for case in CASES)}")
    for slug in sorted({case.slug for case in cases}):
        sys.path.insert(0, str(client_folder(slug)))

    examples: dict[str, tuple[int, bytes]] = {}
    example_sets = {slug: load_examples(slug) for slug in {case.slug for case in cases}}
    for case in cases:
        body = json.dumps(example_sets[case.slug][case.operation]).encode()
        examples[case.id] = (success_status(case.slug, case.operation), body)

    peer = Peer(note="skipped (--no-peer)")
    if not args.no_peer:
        peer = run_peer(cases, examples, args)

    rows = []
    for case in cases:
        hand_answer, ours_answer = Answer(*examples[case.id]), Answer(*examples[case.id])
        hand, close_hand = hand_call(case, httpx.MockTransport(hand_answer))
        ours, close_ours = generated_call(case, httpx.MockTransport(ours_answer))
        if hand() != ours():
            print(f"{case.id}: the hand-written and generated calls parse different answers")
            return 1
        for _ in range(args.warmup):
            hand()
            ours()
        runners: list[Callable[[int], float]] = [partial(timed, hand), partial(timed, ours)]
        peer_case = peer.cases.get(case.id, {})
        if peer.process is not None and "request" in peer_case:
            runners.append(peer.runner(case.id))
        figures = measure_paired(runners, args.rounds, args.calls)
        close_hand()
        close_ours()

        reference = describe(hand_answer.first)
        differs = compare(reference, describe(ours_answer.first))
        same = "chatforge: yes" if not differs else f"chatforge: NO ({', '.join(differs)})"
        peer_note = peer_case.get("unavailable", "" if peer.available else peer.note)
        if "request" in peer_case:
            differs = compare(reference, peer_case["request"])
            same += "; peer: yes" if not differs else f"; peer: NO ({', '.join(differs)})"
        peer_rounds = figures[2] if len(figures) > 2 and peer.available else None
        if len(figures) > 2 and not peer.available:
            peer_note = peer.note
        rows.append(Row(case, figures[0], figures[1], peer_rounds, peer_note, same))
    peer.close()

    profile_text = profile_calls(cases, examples, args.calls * 2) if args.profile else ""

    print()
    print(f"per-call µs, median of {args.rounds} rounds x {args.calls:,} calls (MockTransport)")
    print()
    for line in table(rows):
        print(line)
    print()
    for row in rows:
        print(f"{row.case.id}: same request on the wire: {row.same_request}")
    for note in peer_notes(rows, peer):
        print(f"openapi-python-client {note[2:]}")
    print()
    for row in rows:
        hand_us, ours_us = statistics.median(row.hand), statistics.median(row.ours)
        verdict = "met" if ours_us / hand_us <= TARGET else "MISSED"
        print(
            f"target <= {TARGET}x hand-written, {row.case.id}: {verdict} ({ours_us / hand_us:.2f}x)"
        )
    if profile_text:
        print()
        print(profile_text)
    write_results(rows, peer, args, profile_text)
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
