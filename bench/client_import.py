#!/usr/bin/env python3
"""Import time of each generated client: `python -c "import <package>"` in a fresh process,
less the interpreter's start-up, and `-X importtime`, with openapi-python-client's Stream client
beside them; and the import followed by a first client made and closed, which loads httpx.

    .venv/bin/python bench/client_import.py              # 10 imports of each
    .venv/bin/python bench/client_import.py --runs 3 --importtime-runs 1 --no-peer

Prints its section of docs/benchmarks.md; `bench/generation.py` runs it with the others and
writes the page.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import common
from common import (
    OPC,
    OPC_PYTHON,
    VENV_PYTHON,
    Bench,
    CannotMeasure,
    Verdict,
    first_error,
    median_of,
    met_text,
    secs,
)

TARGET = 0.3  # seconds


@dataclass(frozen=True)
class ClientPackage:
    label: str
    package: str
    folder: Path  # what goes on PYTHONPATH
    python: Path
    peer: bool
    first_client: str  # a statement that makes a client, ready to send, and closes it


@dataclass(frozen=True)
class ImportTime:
    subject: ClientPackage
    seconds: float  # median import less median start-up
    importtime: float  # cumulative seconds of the package, from -X importtime
    first_client: float  # median import and first client less median start-up


@dataclass
class Imports:
    runs: int
    importtime_runs: int
    times: list[ImportTime] = field(default_factory=list)
    startups: dict[Path, float] = field(default_factory=dict)


def subjects(bench: Bench) -> list[ClientPackage]:
    """chatforge's client of every spec, from this run's output, and openapi-python-client's
    Stream client when that peer is installed."""
    tree = bench.ensure_tree()
    found = []
    for api in bench.apis:
        client = api["targets"]["client"]
        folder = tree.joinpath(*Path(client["path"]).parts[-2:])  # <slug>/client
        label = f"chatforge `{api['slug']}`"
        first = f"{client['import']}.{client['example']}.close()"
        found.append(ClientPackage(label, client["import"], folder, VENV_PYTHON, False, first))
    opc_tree = bench.ensure_opc_stream()
    if opc_tree is not None:
        package = sorted(opc_tree.glob("*/client.py"))[0].parent.name
        # Its client makes the httpx client when first asked for it.
        first = (
            f"{package}.AuthenticatedClient(base_url='http://127.0.0.1', token='t')"
            ".get_httpx_client().close()"
        )
        found.append(ClientPackage(f"{OPC} `stream`", package, opc_tree, OPC_PYTHON, True, first))
    return found


def measure(bench: Bench, runs: int, importtime_runs: int) -> Imports:
    packages = subjects(bench)
    for subject in packages:  # compile the bytecode once, as an installed package has it
        import_seconds(subject.python, subject)
    pythons = sorted({subject.python for subject in packages})
    startups: dict[Path, list[float]] = {python: [] for python in pythons}
    timings: dict[str, list[float]] = {subject.label: [] for subject in packages}
    firsts: dict[str, list[float]] = {subject.label: [] for subject in packages}
    print(f"import time: {len(packages)} packages, {runs} runs each", flush=True)
    for _ in range(runs):
        for python in pythons:
            startups[python].append(import_seconds(python, None))
        for subject in packages:
            timings[subject.label].append(import_seconds(subject.python, subject))
            firsts[subject.label].append(import_seconds(subject.python, subject, True))
    imports = Imports(runs, importtime_runs)
    imports.startups = {python: statistics.median(startups[python]) for python in pythons}
    for subject in packages:
        cumulative = statistics.median(importtime(subject) for _ in range(importtime_runs))
        startup = imports.startups[subject.python]
        spent = statistics.median(timings[subject.label]) - startup
        first = statistics.median(firsts[subject.label]) - startup
        imports.times.append(ImportTime(subject, spent, cumulative, first))
    return imports


def import_seconds(
    python: Path, subject: ClientPackage | None, first_client: bool = False
) -> float:
    """Wall seconds of `python -c "import <package>"` in a fresh process (`pass` for none),
    and with `first_client`, of making and closing a first client after it."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = "pass"
    if subject is not None:
        env["PYTHONPATH"] = str(subject.folder)
        code = f"import {subject.package}"
        if first_client:
            code += f"; {subject.first_client}"
    began = time.perf_counter()
    done = subprocess.run(
        [str(python), "-c", code], env=env, capture_output=True, text=True, check=False
    )
    spent = time.perf_counter() - began
    if done.returncode != 0:
        raise CannotMeasure(f"python -c {code!r} failed: {first_error(done.stderr)}")
    return spent


def importtime(subject: ClientPackage) -> float:
    """The package's cumulative seconds by `python -X importtime`."""
    done = subprocess.run(
        [str(subject.python), "-X", "importtime", "-c", f"import {subject.package}"],
        env=dict(os.environ, PYTHONPATH=str(subject.folder)),
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stderr.splitlines():  # import time: self [us] | cumulative | name
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == subject.package and parts[1].isdigit():
            return int(parts[1]) / 1e6
    raise CannotMeasure(f"-X importtime: no line for {subject.package}")


def section(imports: Imports, verdicts: list[Verdict]) -> list[str]:
    lines = [
        "## Import time of the generated clients",
        "",
        '`python -c "import <package>"` in a fresh process, with the client\'s folder (where '
        "`chatforge list --json` puts it, in this run's output) on `PYTHONPATH` and its "
        f"bytecode already compiled: {median_of(imports.runs, 'run')}, less the interpreter's "
        "start-up (`python -c pass`, measured alike). `-X importtime` gives the package's "
        "cumulative import time as Python counts it "
        f"({median_of(imports.importtime_runs, 'run')}). "
        "A generated client loads httpx when the first client is made, so the last column "
        "times that too: the import, then a client made with the example credentials of "
        "`chatforge list --json` and closed (openapi-python-client's makes its httpx client "
        "when first asked for it, so there the statement asks).",
        "",
        "| client | package | import time | `-X importtime` cumulative | target "
        "| import and first client |",
        "|---|---|---:|---:|---|---:|",
    ]
    ours = [item for item in imports.times if not item.subject.peer]
    for item in imports.times:
        met = "peer" if item.subject.peer else met_text(item.seconds < TARGET)
        lines.append(
            f"| {item.subject.label} | `{item.subject.package}` | {secs(item.seconds)} "
            f"| {secs(item.importtime)} | {met} | {secs(item.first_client)} |"
        )
    startups = ", ".join(
        f"{secs(value)} ({'project' if python == VENV_PYTHON else 'peer'} venv)"
        for python, value in sorted(imports.startups.items())
    )
    slowest = max(item.seconds for item in ours)
    all_met = slowest < TARGET
    lines += [
        "",
        f"Interpreter start-up subtracted: {startups}.",
        "",
        f"**Target: every generated client imports in under {secs(TARGET)}.** "
        f"{met_text(all_met)} (the slowest: {secs(slowest)}).",
    ]
    verdicts.append(
        Verdict(
            "import of each generated client",
            f"< {secs(TARGET)}",
            f"slowest {secs(slowest)}",
            all_met,
        )
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = common.job_parser(__doc__, 10, "imports of each", opc=True)
    parser.add_argument(
        "--importtime-runs",
        type=common.positive,
        default=3,
        help="runs of -X importtime (default 3)",
    )
    args = parser.parse_args(argv)

    def job(bench: Bench, verdicts: list[Verdict]) -> list[str]:
        return section(measure(bench, args.runs, args.importtime_runs), verdicts)

    return common.run_alone(__file__, argv, args.keep, common.opc_unless(args.no_peer), job)


if __name__ == "__main__":
    sys.exit(main())
