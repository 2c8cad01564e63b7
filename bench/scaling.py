#!/usr/bin/env python3
"""Scaling: synthetic specs of growing size (bench/synthetic.py) through chatforge and
openapi-python-client: time, memory, the least-squares slope in seconds per 1,000 operations
with its R², and the time per operation at the largest size over that at the smallest.

    .venv/bin/python bench/scaling.py                          # 1,000 to 10,000 operations
    .venv/bin/python bench/scaling.py --sizes 250 --runs 1 --no-peer   # a smoke test

The slope and the ratios need three sizes or more.

Prints its section of docs/benchmarks.md; `bench/generation.py` runs it with the others and
writes the page.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import common
import synthetic
from common import OPC, Bench, Series, Verdict, cell, median_of, met_text, mib, secs

LINEAR_RATIO = 1.1  # target: time per operation at the largest size over that at the smallest
MEMORY_LIMIT = 2 * 1024**3  # target: peak memory of the process tree at the largest size
# Up to 10,000 operations: 23 MB and some 815,000 values of this shape, within the loader's
# limits (64 MiB, 2,000,000 values).
SIZES = (1000, 2500, 5000, 10000)
PEER_UP_TO = 2000  # openapi-python-client runs on the sizes up to this one (minutes a run above)


@dataclass
class Scaling:
    runs: int
    series: dict[int, dict[str, Series]] = field(default_factory=dict)  # size -> tool -> runs
    spec_bytes: dict[int, int] = field(default_factory=dict)


def measure(bench: Bench, sizes: Sequence[int], runs: int) -> Scaling:
    """Rounds of every size in turn, so drift in the machine's load over the minutes the larger
    sizes take touches every size alike."""
    opc = bench.peer("opc")
    scaling = Scaling(runs)
    specs = {}
    for size in sizes:
        spec_dir = bench.folder("synthetic", str(size))
        specs[size] = synthetic.write_spec(spec_dir / f"{synthetic.SLUG}.yaml", size)
        scaling.spec_bytes[size] = specs[size].stat().st_size
        scaling.series[size] = {"chatforge": Series()}
        if opc is not None and size <= PEER_UP_TO:
            scaling.series[size]["opc"] = Series()
    for round_ in range(runs):
        for size in sizes:
            spec, found = specs[size], scaling.series[size]
            run = bench.generate(bench.folder("synthetic-out"), "--specs", spec.parent)
            found["chatforge"].runs.append(run)
            line = f"scaling, {size:,} operations, run {round_ + 1}: chatforge"
            line += (
                f" {run.seconds:.2f} s (CPU {run.cpu:.2f} s, {run.tree_peak / 1024**2:,.0f} MiB)"
            )
            if opc is not None and "opc" in found:
                bench.run_peer(opc, spec, bench.folder("synthetic-out"), found["opc"])
                if found["opc"].ok:
                    line += f", {opc.name} {found['opc'].runs[-1].seconds:.2f} s"
            print(line, flush=True)
    return scaling


def fit(points: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """The least-squares line through (x, y) points: slope, intercept and R²."""
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for _, y in points)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    return slope, intercept, 1.0 - residual / total if total else 1.0


def section(scaling: Scaling, verdicts: list[Verdict]) -> list[str]:
    sizes = sorted(scaling.series)
    tools = [("chatforge", "chatforge")]
    if any("opc" in found for found in scaling.series.values()):
        tools.append(("opc", OPC))
    peer = (
        f" and {OPC} with its defaults (up to {PEER_UP_TO:,} operations)" if len(tools) > 1 else ""
    )
    listed = ", ".join(f"{size:,}" for size in sizes)
    lines = [
        "## Scaling",
        "",
        f"Synthetic specs from `bench/synthetic.py` of {listed} operations (the same bytes for "
        "the same size; each passes `chatforge validate` without a warning): resources of six "
        "operations (list, create, get, update, delete, archive) with six component schemas "
        "each (objects, an enum, nested references, arrays, free-form maps), and examples on "
        "every body and parameter. Chatforge renders all four targets, with `chatforge "
        f"generate --no-cache --specs <folder> --out <tmp>`{peer}. Times are "
        f"{median_of(scaling.runs, 'run')}, the sizes taking turns in each round, so drift "
        "in the machine's load touches every size alike; memory is measured as for cold "
        "generation.",
        "",
        "| operations | spec | tool | time | per 1,000 operations | CPU time | peak memory "
        "| largest process |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        spec = f"{scaling.spec_bytes[size] / 1024:,.0f} KiB"
        for key, name in tools:
            series = scaling.series[size].get(key, Series())
            row = f"| {size:,} | {spec} | {name} |"
            if not series.ok:
                lines.append(f"{row} failed: {cell(series.failure or 'not run')} | | | | |")
                continue
            lines.append(
                f"{row} {secs(series.seconds)} | {secs(series.seconds / size * 1000)} "
                f"| {secs(series.cpu)} | {mib(series.tree_peak)} | {mib(series.single_peak)} |"
            )
    lines += [
        "",
        "The line is the least-squares fit of time against operations. The per-operation ratio "
        f"is the time per operation at {sizes[-1]:,} over that at {sizes[0]:,}: 1 for time in "
        "proportion to the operations, below 1 where a fixed start-up cost is spread over more "
        "operations, above 1 for growth faster than linear. The marginal ratio compares the "
        "cost of one more operation between the two largest sizes with that between the two "
        "smallest, which a fixed cost does not touch: about 1 when growth is linear.",
        "",
        "| tool | seconds per 1,000 operations | intercept | R² | per-operation ratio "
        "| marginal ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    ours: tuple[float, float, float] | None = None
    for key, name in tools:
        points = [
            (float(size), scaling.series[size][key].seconds)
            for size in sizes
            if scaling.series[size].get(key, Series()).ok
        ]
        if len(points) < 3:
            lines.append(f"| {name} | fewer than three sizes measured | | | | |")
            continue
        slope, intercept, r2 = fit(points)
        (x0, y0), (x1, y1), (xm, ym), (xn, yn) = points[0], points[1], points[-2], points[-1]
        ratio = (yn / xn) / (y0 / x0)
        low, high = (y1 - y0) / (x1 - x0), (yn - ym) / (xn - xm)
        marginal = f"{high / low:.2f}" if low > 0 else "n/a"
        lines.append(
            f"| {name} | {slope * 1000:.2f} | {secs(intercept)} | {r2:.4f} | {ratio:.2f} "
            f"| {marginal} |"
        )
        if key == "chatforge":
            ours = (slope, r2, ratio)
    name = "scaling with the number of operations"
    target = f"per-operation ratio ≤ {LINEAR_RATIO}"
    if ours is None:
        verdicts.append(Verdict(name, target, "not measured", None))
        return lines
    slope, r2, ratio = ours
    met = ratio <= LINEAR_RATIO
    lines += [
        "",
        "**Target: generation time that grows no faster than the number of operations** (a "
        f"per-operation ratio of at most {LINEAR_RATIO}). Chatforge: {slope * 1000:.2f} s per "
        f"1,000 operations, R² {r2:.4f}, per-operation ratio {ratio:.2f}: {met_text(met)}.",
    ]
    verdicts.append(Verdict(name, target, f"{ratio:.2f} (R² {r2:.4f})", met))
    largest = scaling.series[sizes[-1]]["chatforge"]
    if largest.ok:
        within = largest.tree_peak < MEMORY_LIMIT
        lines += [
            "",
            f"**Target: peak memory under {mib(MEMORY_LIMIT)} at {sizes[-1]:,} operations.** "
            f"Chatforge: {mib(largest.tree_peak)} (process tree), {mib(largest.single_peak)} "
            f"(largest process): {met_text(within)}.",
        ]
        verdicts.append(
            Verdict(
                f"peak memory at {sizes[-1]:,} operations",
                f"< {mib(MEMORY_LIMIT)}",
                mib(largest.tree_peak),
                within,
            )
        )
    return lines


def parse_sizes(text: str | None, default: Sequence[int], least: int) -> list[int] | None:
    """Sizes from "250,500" (sorted, each once); None when they are not whole numbers or
    fewer than `least` positive ones."""
    try:
        sizes = sorted({int(size) for size in text.split(",")}) if text else list(default)
    except ValueError:
        return None
    return sizes if len(sizes) >= least and min(sizes) >= 1 else None


def main(argv: list[str] | None = None) -> int:
    parser = common.job_parser(__doc__, 3, "runs of each size", opc=True)
    parser.add_argument("--sizes", help="spec sizes, comma-separated (default 1000 to 10000)")
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes, SIZES, 1)
    if sizes is None:
        parser.error("--sizes takes positive whole numbers, comma-separated")

    def job(bench: Bench, verdicts: list[Verdict]) -> list[str]:
        return section(measure(bench, sizes, args.runs), verdicts)

    return common.run_alone(__file__, argv, args.keep, common.opc_unless(args.no_peer), job)


if __name__ == "__main__":
    sys.exit(main())
