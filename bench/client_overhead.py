#!/usr/bin/env python3
"""Per-call overhead of chatforge's generated clients, side by side in one run with:

- the same request written by hand with httpx (same method, URL, auth headers and body encoding)
  whose JSON answer is validated into the same Pydantic model, and
- openapi-python-client's client generated from the same spec (in a virtual environment of its
  own under bench/.cache/, measured in a subprocess running in that environment).

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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
QUERY = {"search": "ali", "filter": "all", "limit": 20}

STREAM_BASE = "https://chat.stream-io-api.com"
STREAM_KEY = "stream-api-key"
# A server-side token as the client would mint it; given as is so no side signs per call.
STREAM_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzZXJ2ZXIiOnRydWV9.c2lnbmF0dXJl"
UPSERT_USERS = {"ann": {"id": "ann", "name": "Ann Lee", "role": "user", "teams": []}}
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


def measure(fn: Callable[[], object], rounds: int, calls: int, warmup: int) -> list[float]:
    """Microseconds per call, one figure a round."""
    for _ in range(warmup):
        fn()
    per_call = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        per_call.append((time.perf_counter() - start) / calls * 1e6)
    return per_call


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
        users = {key: UserRequest(**value) for key, value in UPSERT_USERS.items()}
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
    """Entry point inside the peer's venv: measure each case, print JSON."""
    from importlib.metadata import version

    import httpx

    job = json.loads(job_path.read_text())
    sys.path.insert(0, job["packages"])
    results: dict[str, Any] = {}
    for case in job["cases"]:
        answer = Answer(case["status"], case["body"].encode())
        try:
            fn, client = peer_call(case, httpx.MockTransport(answer))
            first = fn()
            if type(first).__name__ == "Error" or first is None:
                raise LookupError(f"the peer did not parse the answer: {first!r}")
            rounds = measure(fn, job["rounds"], job["calls"], job["warmup"])
            results[case["id"]] = {"rounds": rounds, "request": describe(answer.first)}
            client.get_httpx_client().close()
        except LookupError as exc:
            results[case["id"]] = {"unavailable": str(exc)}
    versions = {name: version(name) for name in (PEER_PACKAGE, "httpx", "attrs")}
    print(json.dumps({"results": results, "versions": versions, "python": sys.version}))
    return 0


@dataclass
class Peer:
    """What preparing and running the peer gave."""

    available: bool = False
    note: str = ""
    specs: dict[str, str] = field(default_factory=dict)  # slug -> "" or why it failed
    results: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def run_logged(command: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    return done.returncode, (done.stdout + done.stderr).strip()


def peer_python() -> Path:
    return PEER_VENV / "bin" / "python"


def prepare_peer_venv(httpx_version: str) -> str:
    """Create or reuse bench/.cache/venv; returns "" or why the peer cannot be installed."""
    wanted = f"{PEER_PACKAGE}=={PEER_VERSION} httpx=={httpx_version} python={platform.python_version()}"
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
    stamp.write_text(digest)
    return ""


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
        "rounds": args.rounds,
        "calls": args.calls,
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
    code, out = run_logged(command)
    if code != 0:
        peer.note = f"the peer's run failed: {out[-800:]}"
        return peer
    data = json.loads(out.splitlines()[-1])
    peer.available = True
    peer.results = data["results"]
    peer.versions = data["versions"]
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
    import cProfile
    import io
    import pstats

    import httpx

    out = io.StringIO()
    for case in cases:
        fn, close = generated_call(case, httpx.MockTransport(Answer(*examples[case.id])))
        for _ in range(200):
            fn()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            fn()
        profiler.disable()
        close()
        out.write(f"=== {case.id}: {n:,} calls, top 20 by own time ===\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(20)
    # Paths of this machine add nothing to the listing.
    text = out.getvalue().replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per round (default 2000)")
    parser.add_argument("--warmup", type=int, default=500, help="warm-up calls (default 500)")
    parser.add_argument("--no-peer", action="store_true", help="skip openapi-python-client")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile the chatforge calls"
    )
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
        # Interleaved rounds, so drift on the machine touches both alike.
        hand_rounds: list[float] = []
        ours_rounds: list[float] = []
        for _ in range(args.rounds):
            hand_rounds += measure(hand, 1, args.calls, 0)
            ours_rounds += measure(ours, 1, args.calls, 0)
        close_hand()
        close_ours()

        reference = describe(hand_answer.first)
        differs = compare(reference, describe(ours_answer.first))
        same = "chatforge: yes" if not differs else f"chatforge: NO ({', '.join(differs)})"
        result = peer.results.get(case.id, {})
        peer_rounds = result.get("rounds")
        peer_note = result.get("unavailable", "" if peer.available else peer.note)
        if "request" in result:
            differs = compare(reference, result["request"])
            same += "; peer: yes" if not differs else f"; peer: NO ({', '.join(differs)})"
        rows.append(Row(case, hand_rounds, ours_rounds, peer_rounds, peer_note, same))

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
        hand, ours = median(row.hand), median(row.ours)
        assert hand is not None and ours is not None
        verdict = "met" if ours / hand <= TARGET else "MISSED"
        print(f"target <= {TARGET}x hand-written, {row.case.id}: {verdict} ({ours / hand:.2f}x)")
    if profile_text:
        print()
        print(profile_text)
    write_results(rows, peer, args, profile_text)
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
