"""The calls the client overhead benchmark times (bench/client_overhead.py): their inputs, the
generated client's call and the same request written by hand with httpx, the mock answer and the
capture of the first request, the timing loop, and a profile of the generated calls.

Answer, describe and timed use the standard library and httpx alone, so the worker running
openapi-python-client's calls in its own environment (bench/client_peer.py) uses them too.
"""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import ROOT

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


# --------------------------------------------------------------------------------------------
# The generated clients and the hand-written baseline (this process, the project's venv).


def load_examples(generated: Path, slug: str) -> dict[str, Any]:
    """EXAMPLES of the generated server, loaded with the runtime module it imports and without
    the package's `__init__` (no FastAPI import): the package is stood in for by an empty one
    with the same folder."""
    (path,) = (generated / slug / "server").glob("*_server/_examples.py")
    name = f"_bench_server_{slug}"
    package = types.ModuleType(name)
    package.__path__ = [str(path.parent)]
    sys.modules[name] = package
    module = importlib.import_module(f"{name}._examples")
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
