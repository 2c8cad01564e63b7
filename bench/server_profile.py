"""What the server benchmark measures beside requests per second (bench/server_rps.py):
instructions per request under valgrind's callgrind (--instructions), and both apps driven
in-process under cProfile (--profile).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import ROOT
from server_cases import Case, credentials, factory, with_query
from server_load import SIDES, Server, run_wrk

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
    import server_cases

    out = io.StringIO()
    apps: dict[tuple[str, str], Any] = {}
    for case in cases:
        for side in SIDES:
            if (side, case.slug) not in apps:
                module, _, name = factory(side, case.slug).partition(":")
                source = handwritten_server if module == "handwritten_server" else server_cases
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
