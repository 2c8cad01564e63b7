#!/usr/bin/env python3
"""openapi-python-client's side of the client overhead benchmark (bench/client_overhead.py): its
client generated from the same spec into bench/.cache/peer/, and a worker running in its own
virtual environment (bench/.cache/venv/) that sets the calls up and times blocks of them on
request, so that all implementations take turns on the CPU.

    bench/.cache/venv/bin/python bench/client_peer.py JOB   # what client_overhead.py starts

Standard library and httpx only: the worker runs in the peer's environment.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client_calls import (
    CHANNEL_ID,
    QUERY,
    STREAM_BASE,
    STREAM_KEY,
    STREAM_TOKEN,
    UPSERT_USERS,
    UPSTRA_BASE,
    UPSTRA_TOKEN,
    USER_IDS,
    Answer,
    Case,
    describe,
    timed,
)
from common import (
    CACHE,
    OPC,
    OPC_PYTHON,
    OPC_VENV,
    OPC_VERSION,
    ROOT,
    path_first,
    prepare_opc_venv,
    run_logged,
)

PEER_OUT = CACHE / "peer"


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


def worker(job_path: Path) -> int:
    """The worker, inside the peer's venv. Sets every case up, answers one JSON line with what
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
    versions = {name: version(name) for name in (OPC, "httpx", "attrs")}
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
class PeerWorker:
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


def generate_peer(slug: str) -> str:
    """Generate the peer's client for specs/<slug>.yaml; returns "" or why it failed."""
    spec = ROOT / "specs" / f"{slug}.yaml"
    out = PEER_OUT / f"opc_{slug}"
    digest = hashlib.sha256(spec.read_bytes() + OPC_VERSION.encode()).hexdigest()
    stamp = PEER_OUT / f"opc_{slug}.stamp"
    if (out / "client.py").exists() and stamp.exists() and stamp.read_text() == digest:
        return ""
    PEER_OUT.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    env = path_first(OPC_VENV / "bin")  # its post-generation hooks call ruff, in the same venv
    command = [str(OPC_VENV / "bin" / OPC), "generate", "--path", str(spec)]
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


def start(cases: list[Case], examples: dict[str, tuple[int, bytes]], warmup: int) -> PeerWorker:
    """The peer's worker, its calls set up and warmed up, or why it could not be."""
    peer = PeerWorker()
    problem = prepare_opc_venv()
    if problem:
        peer.note = problem
        return peer
    for slug in sorted({case.slug for case in cases}):
        peer.specs[slug] = generate_peer(slug)
    runnable = [case for case in cases if not peer.specs[case.slug]]
    job = {
        "packages": str(PEER_OUT),
        "warmup": warmup,
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
    command = [str(OPC_PYTHON), str(Path(__file__).resolve()), str(job_path)]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("job", type=Path, help="the job file client_overhead.py writes")
    return worker(parser.parse_args(argv).job)


if __name__ == "__main__":
    sys.exit(main())
