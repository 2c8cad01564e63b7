#!/usr/bin/env python3
"""Cold generation: `chatforge generate --no-cache` of every spec and target into an empty
folder, against openapi-python-client, fastapi-code-generator, datamodel-code-generator and
widdershins on the same specs (each pinned and installed under bench/.cache/ on the first run),
with where chatforge's CPU goes stage by stage (bench/stages.py).

    .venv/bin/python bench/cold.py              # 5 rounds, with the peers
    .venv/bin/python bench/cold.py --runs 1 --no-peers

Prints its section of docs/benchmarks.md; `bench/generation.py` runs it with the others and
writes the page.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import common
from common import (
    CACHE,
    ROOT,
    SAMPLE_EVERY,
    VENV_PYTHON,
    Bench,
    CannotMeasure,
    Peer,
    Series,
    Verdict,
    cell,
    first_error,
    median_of,
    met_text,
    mib,
    secs,
)

# The peers beside openapi-python-client, each pinned exactly and installed into a folder of its
# own under bench/.cache/; datamodel-code-generator's version is the one pyproject.toml pins.
FASTAPI_CODEGEN = "fastapi-code-generator"
FASTAPI_CODEGEN_VERSION = "0.8.1"
FASTAPI_CODEGEN_VENV = CACHE / "fastapi-codegen-venv"
DATAMODEL_CODEGEN = "datamodel-code-generator"
DATAMODEL_CODEGEN_VENV = CACHE / "datamodel-codegen-venv"
WIDDERSHINS = "widdershins"
WIDDERSHINS_VERSION = "4.0.1"
NODE_PREFIX = CACHE / "node"
PEERS = ("opc", "fcg", "dmcg", "widdershins")
STAGE_RUNS = 3  # runs of bench/stages.py
# Targets, as fractions of openapi-python-client's time for the Stream spec: every spec and
# target, and the Stream spec alone (all four targets).
EVERY_SPEC_RATIO = 0.6
STREAM_RATIO = 0.4


# --------------------------------------------------------------------------------------------
# The peers.


def widdershins_script() -> Path:
    """The script npm installed as the widdershins command."""
    package = NODE_PREFIX / "node_modules" / WIDDERSHINS
    try:
        binary = json.loads((package / "package.json").read_text()).get("bin")
    except (OSError, ValueError):
        binary = None
    if isinstance(binary, dict):
        binary = binary.get(WIDDERSHINS)
    return package / str(binary or "widdershins.js")


def prepare_widdershins() -> str:
    """Install widdershins with npm into bench/.cache/node/, or reuse it (a stamp file records
    what it holds); returns "" or why it could not be installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are not installed"
    node_version = common.run_text([node, "--version"]).strip()
    wanted = f"{WIDDERSHINS}@{WIDDERSHINS_VERSION} node={node_version}"
    stamp = NODE_PREFIX / ".bench-stamp"
    if widdershins_script().exists() and stamp.exists() and stamp.read_text() == wanted:
        return ""
    print(f"preparing {NODE_PREFIX.relative_to(ROOT)} with {wanted} ...", flush=True)
    shutil.rmtree(NODE_PREFIX, ignore_errors=True)
    NODE_PREFIX.mkdir(parents=True)
    npm_install = [npm, "install", "--prefix", str(NODE_PREFIX), "--no-audit", "--no-fund"]
    code, out = common.run_logged([*npm_install, f"{WIDDERSHINS}@{WIDDERSHINS_VERSION}"])
    if code != 0 or not widdershins_script().exists():
        return f"npm could not install {WIDDERSHINS}@{WIDDERSHINS_VERSION}: {first_error(out)}"
    stamp.write_text(wanted)
    return ""


def npm_version(script: Path) -> str:
    try:
        return str(json.loads((script.parent / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "not installed"


def project_pin(package: str) -> str:
    """The exact version pyproject.toml pins one of the project's dependencies to."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements: list[str] = data["project"]["dependencies"]
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        if name.strip() == package:
            return version.strip()
    raise CannotMeasure(f"pyproject.toml does not pin {package}")


def prepare_peers(keys: set[str]) -> list[Peer]:
    """The peers named, installed on the first run and reused after, in the report's order."""
    from importlib.metadata import version

    peers = [common.opc_peer()] if "opc" in keys else []
    if "fcg" in keys:
        fcg_bin = FASTAPI_CODEGEN_VENV / "bin"
        problem = common.prepare_venv(
            FASTAPI_CODEGEN_VENV, [f"{FASTAPI_CODEGEN}=={FASTAPI_CODEGEN_VERSION}"]
        )
        peers.append(
            Peer(
                "fcg",
                FASTAPI_CODEGEN,
                "server",
                "bench/.cache/fastapi-codegen-venv",
                lambda spec, out: [fcg_bin / "fastapi-codegen", "--input", spec, "--output", out],
                "main.py",
                env=common.path_first(fcg_bin),
                problem=problem,
                versions=common.installed(
                    fcg_bin / "python", [FASTAPI_CODEGEN, DATAMODEL_CODEGEN, "black", "isort"]
                ),
            )
        )
    if "dmcg" in keys:
        # With black and isort, its default formatters, at the project environment's versions.
        dm_bin = DATAMODEL_CODEGEN_VENV / "bin"
        requirements = [
            f"{DATAMODEL_CODEGEN}=={project_pin(DATAMODEL_CODEGEN)}",
            f"black=={version('black')}",
            f"isort=={version('isort')}",
        ]
        problem = common.prepare_venv(DATAMODEL_CODEGEN_VENV, requirements)
        peers.append(
            Peer(
                "dmcg",
                DATAMODEL_CODEGEN,
                "models",
                "bench/.cache/datamodel-codegen-venv",
                lambda spec, out: [
                    dm_bin / "datamodel-codegen",
                    "--input",
                    spec,
                    "--input-file-type",
                    "openapi",
                    "--output",
                    out / "models.py",
                ],
                "models.py",
                env=common.path_first(dm_bin),
                into_folder=True,
                problem=problem,
                versions=common.installed(dm_bin / "python", [DATAMODEL_CODEGEN, "black", "isort"]),
            )
        )
    if "widdershins" in keys:
        problem = prepare_widdershins()
        script, node = widdershins_script(), shutil.which("node") or "node"
        peers.append(
            Peer(
                "widdershins",
                WIDDERSHINS,
                "docs",
                "bench/.cache/node",
                lambda spec, out: [node, script, spec, "-o", out / "api.md"],
                "api.md",
                into_folder=True,
                problem=problem,
                versions={WIDDERSHINS: npm_version(script)},
            )
        )
    return peers


# --------------------------------------------------------------------------------------------
# The measurement.


@dataclass
class Cold:
    series: dict[str, Series] = field(default_factory=dict)  # "chatforge", "<peer key>:<slug>"
    stages: dict[str, float] = field(default_factory=dict)  # bench/stages.py: CPU of each stage


def measure(bench: Bench, runs: int) -> Cold:
    """Rounds of every tool once on every spec; keeps chatforge's last output and
    openapi-python-client's Stream client for the measurements that follow."""
    cold = Cold()
    peers = [peer for peer in bench.peers if not peer.problem]
    ours = cold.series["chatforge"] = Series()
    for round_ in range(runs):
        print(f"cold generation, round {round_ + 1} of {runs}", flush=True)
        ours.runs.append(bench.generate(bench.folder("cold", "chatforge")))
        print(f"  chatforge, every spec and target: {ours.runs[-1].seconds:.2f} s", flush=True)
        alone = cold.series.setdefault("chatforge:stream", Series())
        alone.runs.append(bench.generate(bench.folder("cold", "chatforge-stream"), "stream"))
        print(f"  chatforge, Stream alone: {alone.runs[-1].seconds:.2f} s", flush=True)
        for peer in peers:
            for api in bench.apis:
                slug = api["slug"]
                series = cold.series.setdefault(f"{peer.key}:{slug}", Series())
                out = bench.folder("cold", peer.key, slug)
                bench.run_peer(peer, ROOT / api["spec"], out, series)
                if peer.key == "opc" and slug == "stream" and series.ok:
                    bench.opc_stream = bench.keep(out, "opc-stream")
    bench.tree = bench.keep(bench.scratch / "cold" / "chatforge", "tree")
    print("where chatforge's time goes: bench/stages.py", flush=True)
    found = [stages() for _ in range(STAGE_RUNS)]
    cold.stages = {name: statistics.median(run[name] for run in found) for name in found[0]}
    return cold


def stages() -> dict[str, float]:
    """CPU seconds of each stage of cold generation, from `bench/stages.py`."""
    done = subprocess.run(
        [str(VENV_PYTHON), str(ROOT / "bench" / "stages.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CannotMeasure(f"bench/stages.py failed: {first_error(done.stderr + done.stdout)}")
    return dict(json.loads(done.stdout)["stages"])


# --------------------------------------------------------------------------------------------
# The section.


def section(bench: Bench, cold: Cold, verdicts: list[Verdict]) -> list[str]:
    ours = cold.series["chatforge"]
    count = len(bench.apis)
    flag = "--no-cache " if bench.has_cache else ""
    lines = [
        "## Cold generation",
        "",
        f"Chatforge renders all {count} specs and all four targets (models, client, server, "
        f"docs) in one command, `chatforge generate {flag}--out <tmp>`, into an empty folder. "
        "Each peer runs once per spec, with its defaults, into an empty folder; a peer's total "
        "is the sum over the specs it managed of its time per spec. Times are "
        f"{median_of(len(ours.runs), 'round')}: in each round every tool runs once on every "
        "spec, so drift in the machine's load touches them all. Peak memory is the largest sum "
        "of resident memory over the command's whole process tree (read from `/proc` every "
        f"{SAMPLE_EVERY * 1000:.0f} ms; a page shared by several processes counts once for "
        "each); the largest process "
        "is the kernel's high-water mark of one process of the tree.",
    ]
    if not bench.has_cache:
        lines += [
            "",
            "This chatforge has no cache (`chatforge generate --help` offers no `--no-cache`), "
            "so every run is cold.",
        ]
    if not bench.peers:
        lines += ["", "The peers were not run (`--no-peers`)."]
    else:
        lines += ["", "### Per spec", "", "Time, and peak memory of the process tree.", ""]
        lines.append("| spec | operations |" + "".join(f" {p.name} |" for p in bench.peers))
        lines.append("|---|---:|" + "---|" * len(bench.peers))
        for api in bench.apis:
            row = f"| `{api['slug']}` | {api['operations']} |"
            for peer in bench.peers:
                series = cold.series.get(f"{peer.key}:{api['slug']}", Series())
                if peer.problem:
                    row += " not installed |"
                elif series.failure:
                    row += f" failed: {cell(series.failure)} |"
                else:
                    row += f" {secs(series.seconds)}, {mib(series.tree_peak)} |"
            lines.append(row)
    lines += [
        "",
        "### Totals",
        "",
        "| tool | makes | specs | time | CPU time | peak memory | largest process | processes |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        f"| chatforge | models, client, server, docs | {count} of {count} | {secs(ours.seconds)} "
        f"| {secs(ours.cpu)} | {mib(ours.tree_peak)} | {mib(ours.single_peak)} "
        f"| {ours.processes} |",
    ]
    for peer in bench.peers:
        done = [cold.series.get(f"{peer.key}:{api['slug']}", Series()) for api in bench.apis]
        done = [series for series in done if series.ok]
        if not done:
            why = f"not installed: {peer.problem}" if peer.problem else "failed on every spec"
            lines.append(f"| {peer.name} | {peer.makes} | 0 of {count} | {cell(why)} | | | | |")
            continue
        lines.append(
            f"| {peer.name} | {peer.makes} | {len(done)} of {count} "
            f"| {secs(sum(s.seconds for s in done))} | {secs(sum(s.cpu for s in done))} "
            f"| {mib(max(s.tree_peak for s in done))} | {mib(max(s.single_peak for s in done))} "
            f"| {max(s.processes for s in done)} |"
        )
    note = "A peer's memory is its largest over the specs. " if bench.peers else ""
    runs = ", ".join(secs(run.seconds) for run in ours.runs)
    lines += [
        "",
        f"{note}CPU time counts every process of the tree, so it passes the wall time where a "
        f"tool works in parallel. Chatforge's runs, in order: {runs}.",
        "",
    ]
    lines += stages_lines(cold.stages)
    alone = cold.series.get("chatforge:stream", Series())
    if alone.ok:
        lines += [
            "",
            f"Chatforge on the Stream spec alone (`chatforge generate {flag}--out <tmp> "
            f"stream`, all four targets): {secs(alone.seconds)}, CPU time {secs(alone.cpu)}, "
            f"peak memory {mib(alone.tree_peak)}, {alone.processes} processes.",
        ]
    stream = cold.series.get("opc:stream")
    for name, series, ratio, what in (
        ("cold generation of every spec and target", ours, EVERY_SPEC_RATIO, "everything"),
        ("cold generation of the Stream spec alone", alone, STREAM_RATIO, "the Stream spec"),
    ):
        target = f"**Target: chatforge's cold generation of {what} in at most {ratio}x the "
        target += "time openapi-python-client takes for the Stream spec**"
        if not series.ok:
            verdicts.append(Verdict(name, f"≤ {ratio}x openapi-python-client on Stream", "", None))
            continue
        if stream is not None and stream.ok:
            goal = stream.seconds * ratio
            met = series.seconds <= goal
            lines += [
                "",
                f"{target} ({secs(stream.seconds)} x {ratio} = {secs(goal)}). Chatforge took "
                f"{secs(series.seconds)} ({series.seconds / stream.seconds:.2f}x; CPU time "
                f"{secs(series.cpu)} against {secs(stream.cpu)}, "
                f"{series.cpu / stream.cpu:.2f}x): {met_text(met)}.",
            ]
            verdicts.append(Verdict(name, f"≤ {secs(goal)}", secs(series.seconds), met))
        else:
            why = "openapi-python-client failed on it" if bench.peers else "the peers were not run"
            lines += ["", f"{target}: not measured, since {why}."]
            verdicts.append(
                Verdict(
                    name, f"≤ {ratio}x openapi-python-client on Stream", secs(series.seconds), None
                )
            )
    # One blank line between paragraphs, however the parts above end and begin.
    return [line for i, line in enumerate(lines) if line or i == 0 or lines[i - 1]]


def models_workers_here() -> str:
    """What the models workers of `chatforge generate` come to on this machine."""
    from chatforge.run.batch import cpu_count

    cores = cpu_count()
    models = max(1, cores // 2)
    if cores - models == 1:
        shared = (
            "the other worker takes models work when nothing else is queued, and once every "
            "spec is checked the models worker takes what is left of the other worker's queue"
        )
    else:
        shared = (
            "the other workers take models work when nothing else is queued, and once every "
            "spec is checked the models workers take what is left of the others' queue"
        )
    if models == 1:
        return (
            f"Here, with {cores} CPUs, the models of every spec are one worker's work; {shared}. "
            "The cold time cannot fall below the models of the largest spec, started once that "
            "spec is checked."
        )
    return f"Here, with {cores} CPUs, {models} workers share the models of the specs; {shared}."


def stages_lines(stages: dict[str, float]) -> list[str]:
    """Where chatforge's CPU goes, stage by stage, and what that leaves a schedule."""
    if not stages:
        return []
    from chatforge.run.batch import cpu_count

    total = sum(stages.values())
    models = sum(v for k, v in stages.items() if k.startswith("datamodel-code-generator"))
    cores = cpu_count()
    lines = [
        "### Where chatforge's time goes",
        "",
        "`bench/stages.py` takes every spec through each stage of cold generation, one after "
        "the other in one process, without the workers, the cache or the writing of files "
        f"({median_of(STAGE_RUNS, 'run')}, for each stage): the CPU that any schedule of the "
        "work has to spend.",
        "",
        "| stage | CPU time | share |",
        "|---|---:|---:|",
    ]
    for stage, seconds in stages.items():
        lines.append(f"| {stage} | {secs(seconds)} | {seconds / total:.0%} |")
    lines += [
        f"| all | {secs(total)} | 100% |",
        "",
        f"datamodel-code-generator, which makes every models module, takes {secs(models)} of "
        "it. A spec's models are made in one call, which cannot be shared between processes. "
        "`chatforge generate` gives the models half its workers (one per CPU) and everything "
        f"else the other half. {models_workers_here()}",
        "",
        f"Spread over the {cores} CPUs with nothing lost, no process started, no IR sent to a "
        "worker, no file written and no CPU waiting for another's result, these stages alone "
        f"would take {secs(total / cores)}.",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = common.job_parser(__doc__, 5, "rounds of every tool")
    parser.add_argument("--no-peers", action="store_true", help="measure chatforge alone")
    args = parser.parse_args(argv)
    keys = set() if args.no_peers else set(PEERS)

    def job(bench: Bench, verdicts: list[Verdict]) -> list[str]:
        return section(bench, measure(bench, args.runs), verdicts)

    return common.run_alone(__file__, argv, args.keep, lambda: prepare_peers(keys), job)


if __name__ == "__main__":
    sys.exit(main())
