#!/usr/bin/env python3
"""Requests per second of chatforge's generated servers in mock mode, against hand-written FastAPI
endpoints doing the same validation (bench/handwritten_server.py).

Each app runs under uvicorn in a process of its own (one worker, same options on both sides,
pinned to CPU 0 when taskset is there) and wrk, pinned to CPU 1, loads it over loopback. Before
measuring, every case is checked on both sides: the request answers its success status with the
same JSON body, a request that breaks the model answers 4xx, and bad credentials answer 401.
Target: the generated server serves at least 0.8x the requests per second of the hand-written one.
The cases and the generated apps are in bench/server_cases.py, the servers and wrk in
bench/server_load.py, callgrind and the in-process profile in bench/server_profile.py.

    .venv/bin/python bench/server_rps.py              # the full run, about three minutes
    .venv/bin/python bench/server_rps.py --no-fail    # exit 0 even when the target is missed
    .venv/bin/python bench/server_rps.py --profile    # also profile both apps in-process
    .venv/bin/python bench/server_rps.py --generated /tmp/out  # another `chatforge generate --out`

Results are printed and written to bench/results/server_rps.md. Exit code: 0 when every case
meets the target, 1 when one misses it (0 with --no-fail), 2 when the run could not measure.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import common
import server_profile
from common import BENCH
from server_cases import CASES, GENERATED_ENV, generated_tree, route_position
from server_load import (
    SERVER_CPU,
    SIDES,
    WRK_CPU,
    Row,
    can_pin,
    check,
    find_wrk,
    measure,
    servers,
    uvicorn_options,
    wrk_version,
)

RESULTS = BENCH / "results" / "server_rps.md"
TARGET = 0.8


# --------------------------------------------------------------------------------------------
# Reporting.


def tree_hash(slug: str) -> str:
    """A short digest of a generated server's Python files, to tell which code was measured."""
    digest = hashlib.sha256()
    folder = generated_tree() / slug / "server"
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def changed_trees(before: dict[str, str]) -> str:
    """A warning when a generated server's code changed while the benchmark ran."""
    changed = [slug for slug, digest in before.items() if tree_hash(slug) != digest]
    if not changed:
        return ""
    return f" (CHANGED during the run: {', '.join(changed)}; rerun)"


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
    versions = common.versions_here(
        ("fastapi", "starlette", "uvicorn", "pydantic", "pydantic-core", "python-multipart"),
        optional=("uvloop", "httptools"),
    )
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
        *common.results_machine_lines(args.repository),
        f"- generated servers: {generated_tree()}: "
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
            *server_profile.instruction_table(counts),
        ]
    if profile_text:
        lines += ["", "## In-process profile", "", "```", profile_text.rstrip(), "```"]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")


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
        "--output", type=Path, default=RESULTS, help="the results file (default: %(default)s)"
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
    given = sys.argv[1:] if argv is None else argv
    if problem := common.use_project_venv(__file__, given, needs=("fastapi", "uvicorn")):
        print(problem)
        return 2
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))

    cases = [case for case in CASES if not args.only or case.id in args.only]
    if not cases:
        parser.error(f"--only: known cases are {', '.join(case.id for case in CASES)}")
    # What is measured, read before any server starts (others may regenerate meanwhile).
    args.repository = common.git_state()
    args.trees = {slug: tree_hash(slug) for slug in dict.fromkeys(case.slug for case in cases)}
    wrk = find_wrk()
    if wrk is None:
        print("wrk is needed: install it with `apt-get install -y wrk` (Debian, Ubuntu)")
        return 2
    if args.instructions and not server_profile.callgrind_tools():
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
            counts[case.id] = server_profile.count_instructions(wrk, case, args, Path(tmp))

    profile_text = ""
    if args.profile:
        profile_text = server_profile.profile_apps(cases, args.profile_requests)
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
        for line in server_profile.instruction_table(counts):
            print(line)
    if profile_text:
        print()
        print(profile_text)
    write_results(rows, args, wrk, command, profile_text, counts)
    if changed := changed_trees(args.trees):
        print(f"generated servers{changed}")
    print(f"\nwritten: {common.shown_path(args.output)}")
    missed = [row.case.id for row in rows if row.ratio < TARGET]
    if missed:
        print(f"target >= {TARGET}x missed: {', '.join(missed)}")
        return 0 if args.no_fail else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
