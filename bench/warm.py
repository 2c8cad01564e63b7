#!/usr/bin/env python3
"""Warm regeneration: `chatforge generate` a second time with the cache on and nothing changed,
the cache in a new folder of the run's own (`CHATFORGE_CACHE_DIR`), which the first run fills.

    .venv/bin/python bench/warm.py            # the first run, then 5 more
    .venv/bin/python bench/warm.py --runs 1

Prints its section of docs/benchmarks.md; `bench/generation.py` runs it with the others and
writes the page.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import common
from common import Bench, Run, Series, Verdict, median_of, met_text, mib, more_times, secs

TARGET = 0.3  # seconds


@dataclass
class Warm:
    first: Run | None = None  # None: this chatforge has no cache
    again: Series | None = None
    own_cache: bool = False  # whether chatforge took the cache folder given to it


def measure(bench: Bench, runs: int) -> Warm:
    if not bench.has_cache:
        print("warm regeneration: cache not available", flush=True)
        return Warm()
    out, cache = bench.folder("warm"), bench.folder("cache")
    env = dict(os.environ, CHATFORGE_CACHE_DIR=str(cache))
    print("warm regeneration: a first run, then the same again", flush=True)
    first = bench.generate(out, cold=False, env=env)
    own_cache = cache.is_dir()
    again = Series([bench.generate(out, cold=False, env=env) for _ in range(runs)])
    print(f"  nothing changed: {again.seconds:.3f} s", flush=True)
    return Warm(first, again, own_cache)


def section(warm: Warm, verdicts: list[Verdict]) -> list[str]:
    name, target = "warm regeneration, nothing changed", f"< {secs(TARGET)}"
    lines = ["## Warm regeneration", ""]
    if warm.again is None or warm.first is None:
        lines.append(
            "Cache not available: `chatforge generate --help` offers no `--no-cache`, so this "
            "chatforge has no cache to measure."
        )
        verdicts.append(Verdict(name, target, "cache not available", None))
        return lines
    first, again = warm.first, warm.again
    met = again.seconds < TARGET
    if warm.own_cache:
        cache = (
            "with its cache in a new folder of its own (`CHATFORGE_CACHE_DIR`), so that the "
            "first run fills it"
        )
    else:
        cache = (
            "with the project's cache, which an earlier run may already have filled (this "
            "chatforge did not take a cache folder from `CHATFORGE_CACHE_DIR`)"
        )
    lines += [
        f"`chatforge generate --out <tmp>`, {cache}: run once and then "
        f"{more_times(len(again.runs))} with nothing changed; the figure is "
        f"{median_of(len(again.runs), 'run')} of the latter.",
        "",
        "| run | time | CPU time | peak memory |",
        "|---|---:|---:|---:|",
        f"| first | {secs(first.seconds)} | {secs(first.cpu)} | {mib(first.tree_peak)} |",
        f"| again, nothing changed | {secs(again.seconds)} | {secs(again.cpu)} "
        f"| {mib(again.tree_peak)} |",
        "",
        f"**Target: under {secs(TARGET)}.** {met_text(met)} ({secs(again.seconds)}).",
    ]
    verdicts.append(Verdict(name, target, secs(again.seconds), met))
    return lines


def main(argv: list[str] | None = None) -> int:
    args = common.job_parser(__doc__, 5, "runs after the first").parse_args(argv)

    def job(bench: Bench, verdicts: list[Verdict]) -> list[str]:
        return section(measure(bench, args.runs), verdicts)

    return common.run_alone(__file__, argv, args.keep, list, job)


if __name__ == "__main__":
    sys.exit(main())
