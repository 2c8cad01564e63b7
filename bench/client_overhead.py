#!/usr/bin/env python3
"""Per-call overhead of chatforge's generated clients, side by side in one run with:

- the same request written by hand with httpx (same method, URL, auth headers and body encoding)
  whose JSON answer is validated into the same Pydantic model, and
- openapi-python-client's client generated from the same spec (in a virtual environment of its
  own under bench/.cache/, measured by a worker subprocess running in that environment,
  bench/client_peer.py, which this script drives block by block so that all three take turns on
  the CPU).

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
import contextlib
import gc
import io
import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import client_calls
import client_peer
import common
from client_calls import (
    CASES,
    Answer,
    Case,
    describe,
    generated_call,
    hand_call,
    load_examples,
    success_status,
    timed,
)
from client_peer import PeerWorker
from common import BENCH, CACHE, ROOT, CannotMeasure, Verdict, first_error, median_of, met_text

RESULTS = BENCH / "results" / "client_overhead.md"
GENERATED = ROOT / "generated"
TARGET = 1.3


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
    rows: list[Row], peer: PeerWorker, args: argparse.Namespace, profile_text: str
) -> None:
    versions = common.versions_here(("httpx", "pydantic", "pydantic-core", "chatforge"))
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
        *common.results_machine_lines(common.git_state()),
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
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")


def peer_notes(rows: list[Row], peer: PeerWorker) -> list[str]:
    notes = []
    if not peer.available and peer.note:
        notes.append(f"- not measured: {peer.note}")
    for slug, problem in sorted(peer.specs.items()):
        if problem:
            notes.append(f"- `{slug}`: {problem}")
        elif warnings := client_peer.generation_warnings(slug):
            shown = " / ".join(warnings[:4]) + (" / ..." if len(warnings) > 4 else "")
            notes.append(f"- `{slug}`: generated with {len(warnings)} lines of warnings: {shown}")
    for row in rows:
        if row.peer_note and row.peer_note != peer.note and not peer.specs.get(row.case.slug):
            notes.append(f"- `{row.case.id}`: {row.peer_note}")
    return notes


def compare(reference: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The fields where two requests differ, compared as JSON (the peer's come as JSON)."""
    reference, other = json.loads(json.dumps(reference)), json.loads(json.dumps(other))
    return [key for key in reference if reference[key] != other.get(key)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per round (default 2000)")
    parser.add_argument("--warmup", type=int, default=500, help="warm-up calls (default 500)")
    parser.add_argument("--no-peer", action="store_true", help="skip openapi-python-client")
    parser.add_argument("--profile", action="store_true", help="also cProfile the chatforge calls")
    parser.add_argument("--only", action="append", help="run only this call id (repeatable)")
    parser.add_argument(
        "--generated",
        type=Path,
        default=GENERATED,
        help="the generated tree whose clients are measured (default: generated/)",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="the results file (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    if problem := common.use_project_venv(__file__, given, needs=("httpx", "pydantic", "yaml")):
        print(problem)
        return 1
    import httpx

    cases = [case for case in CASES if not args.only or case.id in args.only]
    if not cases:
        parser.error(f"--only: known calls are {', '.join(case.id for case in CASES)}")
    for slug in sorted({case.slug for case in cases}):
        sys.path.insert(0, str(args.generated / slug / "client"))

    examples: dict[str, tuple[int, bytes]] = {}
    example_sets = {slug: load_examples(args.generated, slug) for slug in {c.slug for c in cases}}
    for case in cases:
        body = json.dumps(example_sets[case.slug][case.operation]).encode()
        examples[case.id] = (success_status(case.slug, case.operation), body)

    peer = PeerWorker(note="skipped (--no-peer)")
    if not args.no_peer:
        peer = client_peer.start(cases, examples, args.warmup)

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

    profile_text = ""
    if args.profile:
        profile_text = client_calls.profile_calls(cases, examples, args.calls * 2)

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
    print(f"\nwritten: {common.shown_path(args.output)}")
    return 0


# --------------------------------------------------------------------------------------------
# Within docs/benchmarks.md: this benchmark run by bench/generation.py on the clients of its run.


@dataclass
class Overhead:
    rounds: int
    calls: int
    warmup: int
    table: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # where openapi-python-client has no figure
    ratios: list[float] = field(default_factory=list)  # chatforge / hand-written, per call


def measure_for_report(tree: Path, rounds: int, calls: int, warmup: int, no_peer: bool) -> Overhead:
    """This benchmark on the clients of a generated tree; its results go to a file under
    bench/.cache/ rather than to bench/results/, and are read back."""
    results = CACHE / "client_overhead-generation.md"
    options = ["--rounds", str(rounds), "--calls", str(calls), "--warmup", str(warmup)]
    if no_peer:
        options.append("--no-peer")
    print(f"per-call overhead: bench/client_overhead.py {' '.join(options)}", flush=True)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            code = main([*options, "--generated", str(tree), "--output", str(results)])
    except Exception as exc:  # noqa: BLE001 - any failure there is a failed measurement
        code = 1
        printed.write(f"\n{type(exc).__name__}: {exc}")
    if code != 0 or not results.exists():
        raise CannotMeasure(f"client_overhead.py failed: {first_error(printed.getvalue())}")
    text = results.read_text()
    results.unlink()
    found = Overhead(rounds, calls, warmup)
    found.table = markdown_section(text, "## Results")
    found.notes = markdown_section(text, "## openapi-python-client")
    for row in found.table[2:]:  # the column "chatforge / hand", such as 1.02x
        found.ratios.append(float(row.strip("|").split("|")[3].strip().rstrip("x")))
    return found


def markdown_section(text: str, heading: str) -> list[str]:
    """The lines under a heading of a Markdown text, up to the next heading, trimmed."""
    lines = text.splitlines()
    if heading not in lines:
        return []
    taken = []
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("## "):
            break
        taken.append(line)
    return "\n".join(taken).strip().splitlines()


def section(overhead: Overhead, verdicts: list[Verdict]) -> list[str]:
    worst = max(overhead.ratios)
    met = worst <= TARGET
    lines = [
        "## Per-call overhead of the generated clients",
        "",
        "`bench/client_overhead.py` (see `bench/README.md`) on this run's generated clients: "
        f"microseconds per call, {median_of(overhead.rounds, 'round')} of "
        f"{overhead.calls:,} calls after {overhead.warmup:,} warm-up calls, against an "
        "`httpx.MockTransport` answering the spec's example, for the generated client, the "
        "same request written by hand with httpx, and openapi-python-client's client.",
        "",
        *overhead.table,
    ]
    if overhead.notes:
        lines += ["", "Where openapi-python-client has no figure:", "", *overhead.notes]
    lines += [
        "",
        f"**Target: a generated call costs at most {TARGET}x the hand-written one.** "
        f"{met_text(met)} (the largest ratio: {worst:.2f}x).",
    ]
    verdicts.append(
        Verdict(
            "per-call overhead against hand-written httpx",
            f"≤ {TARGET}x",
            f"largest {worst:.2f}x",
            met,
        )
    )
    return lines


if __name__ == "__main__":
    sys.exit(main())
