#!/usr/bin/env python3
"""Large specs: chatforge's cold generation of all four targets against openapi-python-client's
client on the same spec, and `chatforge validate` alone, for large synthetic specs shaped like
real ones (bench/large_spec.py: hundreds of operations, thousands of schemas, `allOf` chains
and `oneOf` unions) and for any spec file given on the command line.

    .venv/bin/python bench/large.py                            # synthetic, 75 and 160 resources
    .venv/bin/python bench/large.py --resources 150 /tmp/some-public-spec.yaml
    .venv/bin/python bench/large.py --runs 1 --no-peer         # a smoke test
    .venv/bin/python bench/large.py --validate-only --resources 0 /tmp/plaid.yml  # validation

`chatforge validate` is timed before generation in each run, so a spec chatforge cannot generate
(an OpenAPI 3.0 document lint faults, say) still has its validation measured.

Each run of a spec takes chatforge and the peer in turn, so drift in the machine's load touches
both; figures are medians, with the CPU time (user and system, every process of the tree) beside
the wall time. Prints its section of docs/benchmarks.md; `bench/generation.py` runs it with the
others and writes the page.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import common
import large_spec
from common import (
    CHATFORGE,
    OPC,
    ROOT,
    Bench,
    CannotMeasure,
    Series,
    Verdict,
    cell,
    measure,
    median_of,
    met_text,
    mib,
    secs,
)

RATIO = 0.5  # target: chatforge's time, all four targets, over openapi-python-client's
VALIDATE_SECONDS = 5.0  # target: validation of a spec of VALIDATE_BYTES or more
VALIDATE_BYTES = 3 * 1024 * 1024
RESOURCES = (75, 160)


@dataclass
class Case:
    name: str
    spec: Path
    operations: int | None
    series: dict[str, Series] = field(default_factory=dict)  # tool -> runs
    failure: str = ""


@dataclass
class Large:
    runs: int
    cases: list[Case] = field(default_factory=list)


def _operations(spec: Path) -> int | None:
    """The number of operations of a spec file, where Python can read it."""
    try:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document = yaml.load(spec.read_text(encoding="utf-8"), Loader=loader)
    except Exception:  # noqa: BLE001 - a count for the report, not a check
        return None
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    paths = document.get("paths") if isinstance(document, dict) else None
    return sum(
        1
        for item in (paths or {}).values()
        if isinstance(item, dict)
        for method in item
        if method in methods
    )


def measure_cases(
    bench: Bench,
    resources: Sequence[int],
    given: Sequence[Path],
    runs: int,
    validate_only: bool = False,
) -> Large:
    opc = None if validate_only else bench.peer("opc")
    large = Large(runs)
    for count in resources:
        folder = bench.folder("large", str(count))
        spec = large_spec.write_spec(folder / f"{large_spec.SLUG}.yaml", count)
        large.cases.append(
            Case(f"synthetic, {count} resources", spec, large_spec.operations_of(count))
        )
    for path in given:
        folder = bench.folder("given", path.stem)
        folder.mkdir(parents=True)
        spec = folder / path.name
        shutil.copyfile(path, spec)
        large.cases.append(Case(path.name, spec, _operations(spec)))
    for case in large.cases:
        case.series = {"validate": Series()}
        if not validate_only:
            case.series["chatforge"] = Series()
        if opc is not None:
            case.series["opc"] = Series()
        for round_ in range(runs):
            check = measure([CHATFORGE, "validate", "--quiet", "--no-cache", case.spec], cwd=ROOT)
            if check.returncode == 0:
                case.series["validate"].runs.append(check)
            line = f"large, {case.name}, run {round_ + 1}: validate {check.seconds:.2f} s"
            line += f" (CPU {check.cpu:.2f} s)"
            if validate_only:
                print(line, flush=True)
                continue
            out = bench.folder("large-out")
            run = measure(
                [
                    CHATFORGE,
                    "generate",
                    "--quiet",
                    "--no-cache",
                    "--specs",
                    case.spec.parent,
                    "--out",
                    out,
                ],
                cwd=ROOT,
            )
            if run.returncode != 0:
                case.failure = bench.clean(common.first_error(run.output))
                print(f"large, {case.name}: chatforge failed: {case.failure}", flush=True)
                break
            case.series["chatforge"].runs.append(run)
            line += f", chatforge {run.seconds:.2f} s (CPU {run.cpu:.2f} s)"
            if opc is not None:
                bench.run_peer(opc, case.spec, bench.folder("large-out"), case.series["opc"])
                if case.series["opc"].ok:
                    last = case.series["opc"].runs[-1]
                    line += f", {opc.name} {last.seconds:.2f} s (CPU {last.cpu:.2f} s)"
            print(line, flush=True)
    return large


def section(large: Large, verdicts: list[Verdict]) -> list[str]:
    has_peer = any("opc" in case.series for case in large.cases)
    lines = [
        "## Large specs",
        "",
        "Specs from `bench/large_spec.py` (the scaling benchmark's resources, each with two more "
        "operations and nine more schemas: `allOf` chains four deep and a `oneOf` union of "
        "event variants with a discriminator, each an `allOf` of a shared base), and any spec "
        "given to `bench/large.py` on its command line. "
        + (
            "Chatforge renders all four targets (`chatforge generate --no-cache`); "
            if any("chatforge" in case.series for case in large.cases)
            else ""
        )
        + (f"{OPC} makes its client, with its defaults; " if has_peer else "")
        + "`chatforge validate --no-cache` checks the spec alone. Times are "
        f"{median_of(large.runs, 'run')}, chatforge and the peer taking turns.",
        "",
        "| spec | operations | size | tool | time | CPU time | peak memory |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    worst: float | None = None
    slowest_check: tuple[float, str] | None = None
    for case in large.cases:
        size = case.spec.stat().st_size
        head = f"| {cell(case.name)} | {case.operations if case.operations is not None else '?'} "
        head += f"| {size / 1024 / 1024:.1f} MiB |"
        for key, name in (
            ("chatforge", "chatforge"),
            ("validate", "chatforge validate"),
            ("opc", OPC),
        ):
            series = case.series.get(key)
            if key == "chatforge" and case.failure:
                lines.append(f"{head} chatforge | failed: {cell(case.failure)} | | |")
                continue
            if series is None or (key == "opc" and case.failure):
                continue
            if not series.ok:
                lines.append(f"{head} {name} | failed: {cell(series.failure or 'not run')} | | |")
                continue
            lines.append(
                f"{head} {name} | {secs(series.seconds)} | {secs(series.cpu)} "
                f"| {mib(series.tree_peak)} |"
            )
        ours, peer = case.series.get("chatforge"), case.series.get("opc")
        if ours is not None and ours.ok and peer is not None and peer.ok:
            ratio = ours.seconds / peer.seconds
            worst = ratio if worst is None else max(worst, ratio)
            lines.append(f"{head} ratio | {ratio:.2f}x | {ours.cpu / peer.cpu:.2f}x (CPU) | |")
        check = case.series["validate"]
        if check.ok and size >= VALIDATE_BYTES:
            if slowest_check is None or check.seconds > slowest_check[0]:
                slowest_check = (check.seconds, case.name)
    name = "large specs, all four targets, against openapi-python-client's client"
    target = f"≤ {RATIO}x"
    if worst is None:
        verdicts.append(Verdict(name, target, "not measured", None))
    else:
        met = worst <= RATIO
        lines += [
            "",
            f"**Target: every target of a large spec in at most {RATIO}x the time {OPC} takes "
            f"for its client.** Largest ratio {worst:.2f}x: {met_text(met)}.",
        ]
        verdicts.append(Verdict(name, target, f"largest {worst:.2f}x", met))
    name = f"validation of a spec of {VALIDATE_BYTES // 1024 // 1024} MiB or more"
    target = f"< {VALIDATE_SECONDS:.0f} s"
    if slowest_check is None:
        verdicts.append(Verdict(name, target, "not measured (no spec that large)", None))
    else:
        seconds, which = slowest_check
        met = seconds < VALIDATE_SECONDS
        lines += [
            "",
            f"**Target: `chatforge validate` of a spec of {VALIDATE_BYTES // 1024 // 1024} MiB "
            f"or more in under {VALIDATE_SECONDS:.0f} s.** Slowest {secs(seconds)} "
            f"({cell(which)}): {met_text(met)}.",
        ]
        verdicts.append(Verdict(name, target, secs(seconds), met))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = common.job_parser(__doc__, 3, "runs of each spec", opc=True)
    parser.add_argument(
        "--resources",
        help="sizes of the synthetic specs in resources of eight operations, comma-separated "
        "(default 75,160; 0 for none)",
    )
    parser.add_argument(
        "--validate-only",
        action="store_true",
        help="time `chatforge validate` alone: no generation, no peer",
    )
    parser.add_argument("specs", nargs="*", type=Path, help="more spec files to measure")
    args = parser.parse_args(argv)
    try:
        resources = sorted({int(n) for n in (args.resources or "").split(",") if n.strip()})
    except ValueError:
        parser.error("--resources takes whole numbers, comma-separated")
    if args.resources is None:
        resources = list(RESOURCES)
    resources = [n for n in resources if n > 0]
    missing = [str(path) for path in args.specs if not path.is_file()]
    if missing:
        parser.error(f"no spec file at {', '.join(missing)}")
    given = [path.resolve() for path in args.specs]

    def job(bench: Bench, verdicts: list[Verdict]) -> list[str]:
        large = measure_cases(bench, resources, given, args.runs, args.validate_only)
        key = "validate" if args.validate_only else "chatforge"
        if not any(case.series.get(key, Series()).ok for case in large.cases):
            raise CannotMeasure(
                f"chatforge {'validated' if args.validate_only else 'generated'} none of the specs"
            )
        return section(large, verdicts)

    return common.run_alone(
        __file__, argv, args.keep, common.opc_unless(args.no_peer or args.validate_only), job
    )


if __name__ == "__main__":
    sys.exit(main())
