#!/usr/bin/env python3
"""How fast chatforge generates, side by side in one run with the tools people use instead.

Six measurements, each against its target, each also a script of its own:

- cold generation of every spec and target (`chatforge generate --no-cache`), against
  openapi-python-client, fastapi-code-generator, datamodel-code-generator and widdershins on the
  same specs, each pinned and installed for the benchmark alone under bench/.cache/
  (bench/cold.py, with bench/stages.py);
- warm regeneration when nothing changed, the cache on (bench/warm.py);
- scaling on synthetic specs of 1,000 to 10,000 operations (bench/scaling.py, bench/synthetic.py);
- large specs shaped like real ones, and validation of a 3 MiB one (bench/large.py,
  bench/large_spec.py);
- import time of each generated client (bench/client_import.py);
- per-call overhead of the generated clients (bench/client_overhead.py, with fewer rounds).

    .venv/bin/python bench/generation.py             # everything; writes docs/benchmarks.md
    .venv/bin/python bench/generation.py --quick     # a smoke test: fewer runs, small specs
    .venv/bin/python bench/generation.py --no-peers  # chatforge alone

(`python3 bench/generation.py` works too: it re-runs itself with the project's .venv.) The exit
code is 0 when the run measured, whether or not the targets are met, and 1 when it could not
measure (chatforge failed, say); the report is then left as it was.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import client_import
import client_overhead
import cold
import common
import large
import scaling
import warm
from common import ROOT, VENV_PYTHON, Bench, CannotMeasure, Verdict

REPORT = ROOT / "docs" / "benchmarks.md"
SECTIONS = ("cold", "warm", "scaling", "large", "import", "overhead")
QUICK_SIZES = (60, 120, 240)
QUICK_RESOURCES = (20,)


# A measurement made: it writes its section of the report, appending its verdicts.
Section = Callable[[list[Verdict]], list[str]]


def measurements(args: argparse.Namespace) -> dict[str, Callable[[Bench], Section]]:
    """What each section measures, with this run's options."""
    return {
        "cold": lambda bench: partial(cold.section, bench, cold.measure(bench, args.runs)),
        "warm": lambda bench: partial(warm.section, warm.measure(bench, args.runs)),
        "scaling": lambda bench: partial(
            scaling.section, scaling.measure(bench, args.sizes, args.scaling_runs)
        ),
        "large": lambda bench: partial(
            large.section,
            large.measure_cases(bench, args.resources, [], args.scaling_runs),
        ),
        "import": lambda bench: partial(
            client_import.section,
            client_import.measure(bench, args.import_runs, args.importtime_runs),
        ),
        "overhead": lambda bench: partial(
            client_overhead.section,
            client_overhead.measure_for_report(
                bench.ensure_tree(), args.overhead_rounds, args.calls, args.warmup, args.no_peers
            ),
        ),
    }


@dataclass(frozen=True)
class Start:
    """The run's start: its time, the load average and chatforge's code digest then."""

    time: float
    load: str
    digest: str


def versions_table(bench: Bench, digest: str) -> list[str]:
    project = common.installed(
        VENV_PYTHON, ["chatforge", cold.DATAMODEL_CODEGEN, "ruff", "jinja2", "pydantic", "httpx"]
    )
    where = f"project venv; commit {common.git_state()}, code digest {digest}"
    rows = [("chatforge", project.pop("chatforge"), where)]
    rows += [(name, value, "project venv, used by chatforge") for name, value in project.items()]
    for peer in bench.peers:
        where = f"`{peer.home}`, for {peer.name}"
        rows += [(name, value, where) for name, value in peer.versions.items()]
    if bench.peer("widdershins"):
        for tool in ("node", "npm"):
            version = common.run_text([shutil.which(tool) or tool, "--version"]).strip()
            rows.append((tool, version, "system"))
    lines = ["| tool | version | installed in |", "|---|---|---|"]
    return lines + [f"| {name} | {value} | {where} |" for name, value, where in rows]


def report(bench: Bench, made: list[Section], args: argparse.Namespace, start: Start) -> str:
    """docs/benchmarks.md: the summary of the targets, the machine and every version, and the
    section of each measurement made."""
    verdicts: list[Verdict] = []
    sections = [write(verdicts) for write in made]
    options = f"`{' '.join(args.given)}`" if args.given else "none"
    lines = [
        "# Benchmarks",
        "",
        "How fast chatforge generates, and how fast what it generates is, measured on one "
        "machine in one run, side by side with the tools people reach for instead. This page "
        "is written by `bench/generation.py`, and every figure on it comes from that run.",
        "",
        "```sh",
        ".venv/bin/python bench/generation.py             # everything; writes this page",
        ".venv/bin/python bench/generation.py --quick     # a smoke test: fewer runs, small specs",
        ".venv/bin/python bench/generation.py --no-peers  # chatforge alone",
        "```",
        "",
        "Other options: `--runs N` (cold and warm runs, default 5), `--only SECTION` "
        f"(repeatable: {', '.join(f'`{name}`' for name in SECTIONS)}), `--sizes` (the "
        "synthetic specs' sizes, comma-separated), `--output PATH` (default "
        "`docs/benchmarks.md`), `--keep` (keep the scratch folder). The first run installs "
        "each peer, pinned, into a folder of its own under `bench/.cache/`. Before measuring, "
        "chatforge's modules are compiled to bytecode, as an install from a wheel compiles them "
        "and as pip compiled the peers'.",
        "",
        "## Summary",
        "",
        "| measurement | target | result | met |",
        "|---|---|---|---|",
    ]
    for verdict in verdicts:
        met = {None: "not measured", True: "met", False: "not met"}[verdict.met]
        lines.append(f"| {verdict.measurement} | {verdict.target} | {verdict.result} | {met} |")
    minutes = (time.time() - start.time) / 60
    digest = common.source_digest()
    changed = []
    if digest != start.digest:
        changed.append(
            f"- **chatforge's code changed during the run** (digest {start.digest} at the start, "
            f"{digest} at the end): its figures mix versions"
        )
    lines += [
        "",
        "## Machine and versions",
        "",
        f"- run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(start.time))}, "
        f"{minutes:.0f} minutes, options: {options}",
        *common.machine_lines(),
        f"- load average (1, 5 and 15 minutes): {start.load} before the run, "
        f"{common.load_average()} after",
        *changed,
        "",
        *versions_table(bench, start.digest),
    ]
    for lines_of_section in sections:
        lines += ["", *lines_of_section]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="cold and warm runs of each tool (default 5)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and small specs")
    parser.add_argument("--no-peers", action="store_true", help="measure chatforge alone")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument("--sizes", help="synthetic spec sizes, comma-separated")
    parser.add_argument("--output", type=Path, default=REPORT, help="the report's path")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    args.given = sys.argv[1:] if argv is None else argv
    quick = args.quick
    args.runs = args.runs if args.runs is not None else (1 if quick else 5)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.only = args.only or list(SECTIONS)
    args.sizes = scaling.parse_sizes(args.sizes, QUICK_SIZES if quick else scaling.SIZES, 2)
    if args.sizes is None:
        parser.error("--sizes takes at least two positive whole numbers, comma-separated")
    args.scaling_runs = 1 if quick else 3
    args.resources = QUICK_RESOURCES if quick else large.RESOURCES
    args.import_runs = 3 if quick else 10
    args.importtime_runs = 1 if quick else 3
    args.overhead_rounds = 1 if quick else 3
    args.calls = 300 if quick else 2000
    args.warmup = 100 if quick else 500
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if problem := common.project_ready(__file__, args.given):
        print(problem)
        return 1
    start = Start(time.time(), common.load_average(), common.source_digest())
    with common.scratch_folder(args.keep) as scratch:
        try:
            bench = Bench(scratch)
            if not args.no_peers:
                wanted = set(cold.PEERS) if "cold" in args.only else set()
                if {"scaling", "large", "import"} & set(args.only):
                    wanted.add("opc")
                bench.add_peers(cold.prepare_peers(wanted))
            measure = measurements(args)
            made = [measure[name](bench) for name in SECTIONS if name in args.only]
            text = report(bench, made, args, start)
        except CannotMeasure as exc:
            print(f"could not measure: {exc}")
            return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"\n{text}\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
