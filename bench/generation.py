#!/usr/bin/env python3
"""How fast chatforge generates, side by side in one run with the tools people use instead.

Five measurements, each against its target:

- cold generation of every spec and target (`chatforge generate --no-cache`), against
  openapi-python-client, fastapi-code-generator, datamodel-code-generator and widdershins on the
  same specs, each pinned and installed for the benchmark alone under bench/.cache/;
- warm regeneration when nothing changed (the cache on);
- scaling on synthetic specs of 250 to 2,000 operations (bench/synthetic.py);
- import time of each generated client;
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
import contextlib
import hashlib
import io
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import client_overhead as overhead
import synthetic

ROOT = overhead.ROOT
CACHE = overhead.CACHE
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
CHATFORGE = VENV / "bin" / "chatforge"
REPORT = ROOT / "docs" / "benchmarks.md"

# The peers, each pinned exactly and installed into a folder of its own under bench/.cache/.
# openapi-python-client's is the virtual environment bench/client_overhead.py sets up;
# datamodel-code-generator's version is the one pyproject.toml pins.
FASTAPI_CODEGEN = "fastapi-code-generator"
FASTAPI_CODEGEN_VERSION = "0.8.1"
FASTAPI_CODEGEN_VENV = CACHE / "fastapi-codegen-venv"
DATAMODEL_CODEGEN = "datamodel-code-generator"
DATAMODEL_CODEGEN_VENV = CACHE / "datamodel-codegen-venv"
WIDDERSHINS = "widdershins"
WIDDERSHINS_VERSION = "4.0.1"
NODE_PREFIX = CACHE / "node"

TARGET_WARM = 0.3  # seconds
TARGET_IMPORT = 0.3  # seconds
LINEAR_RATIO = 1.1  # time per operation at the largest size over that at the smallest
SIZES = (250, 500, 1000, 2000)
QUICK_SIZES = (60, 120, 240)
SECTIONS = ("cold", "warm", "scaling", "import", "overhead")
# Seconds between two readings of /proc. A reading takes about a millisecond of CPU, taken from
# the tool measured on a machine with few cores: every 50 ms costs a tool that keeps every core
# busy about 2% of a core, and the kernel's high-water mark still catches the largest process.
SAMPLE_EVERY = 0.05
STAGE_RUNS = 3  # runs of bench/stages.py
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


class CannotMeasure(Exception):
    """Chatforge could not be run, or failed: there is nothing to report."""


# --------------------------------------------------------------------------------------------
# Running a command: wall time, CPU time and memory of its whole process tree.


def read_processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident bytes) of every process, from /proc/<pid>/stat."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            continue  # it ended between the listing and the reading
        found[int(entry.name)] = (int(fields[1]), int(fields[21]) * PAGE)
    return found


class TreeSampler(threading.Thread):
    """Reads the resident memory of a process and all its descendants every SAMPLE_EVERY
    seconds, keeping the largest sum, the largest single process and the most processes."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.tree_peak = 0
        self.single_peak = 0
        self.processes = 1
        self.done = threading.Event()

    def sample(self) -> None:
        processes = read_processes()
        children: dict[int, list[int]] = {}
        for pid, (parent, _) in processes.items():
            children.setdefault(parent, []).append(pid)
        sizes, waiting = [], [self.root]
        while waiting:
            pid = waiting.pop()
            if pid in processes:
                sizes.append(processes[pid][1])
                waiting.extend(children.get(pid, ()))
        self.tree_peak = max(self.tree_peak, sum(sizes))
        self.single_peak = max(self.single_peak, *sizes, 0)
        self.processes = max(self.processes, len(sizes))

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_EVERY)


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock, from start to exit
    cpu: float  # user + system seconds of the process and every descendant it waited for
    tree_peak: int  # bytes: the largest sum of resident memory over the process tree
    single_peak: int  # bytes: the largest resident memory of one process of the tree
    processes: int  # the most processes of the tree seen at once
    returncode: int
    output: str


def measure(
    command: Sequence[str | Path],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 1800,
) -> Run:
    """Run a command to its end, with its output kept, and measure it."""
    with tempfile.TemporaryFile() as log:
        began = time.perf_counter()
        process = subprocess.Popen(
            [str(part) for part in command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, which a timeout ends whole
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        timer = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        timer.cancel()
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    # ru_maxrss (KiB) is the kernel's high-water mark of the largest process of the tree; it
    # catches a peak that falls between two samples.
    high_water = usage.ru_maxrss * 1024
    return Run(
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        tree_peak=max(sampler.tree_peak, high_water),
        single_peak=max(sampler.single_peak, high_water),
        processes=sampler.processes,
        returncode=process.returncode,
        output=output,
    )


def source_digest() -> str:
    """A short digest of chatforge's code (the generator, its templates and runtime), to tell
    which version was measured and whether it changed during the run."""
    digest = hashlib.sha256()
    for folder in ("generator", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def run_text(command: Sequence[str | Path]) -> str:
    """The output of a short command that must succeed."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        shown = " ".join(map(str, command))
        raise CannotMeasure(f"{shown}: {first_error(done.stdout + done.stderr)}")
    return done.stdout


def first_error(output: str) -> str:
    """The line of a tool's output that says what went wrong: the first line of the exception
    of a Python traceback, else the first line naming an error, else the last line."""
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        return "no output"
    starts = [index for index, line in enumerate(lines) if line.startswith("Traceback")]
    if starts:
        after = lines[starts[-1] + 1 :]
        exception = next((line for line in after if not line.startswith((" ", "\t"))), None)
        if exception is not None:
            return exception.strip()
    for line in lines:
        if re.search(r"\berror\b|\bfailed\b|exception", line, re.IGNORECASE):
            return line.strip()
    return lines[-1].strip()


# --------------------------------------------------------------------------------------------
# The peers: installing them, and running them on one spec.


def argv(*parts: str | Path) -> list[str | Path]:
    return list(parts)


def path_first(folder: Path) -> dict[str, str]:
    """The environment with folder first on PATH, so that a tool's default hooks find their
    tools (openapi-python-client runs ruff when ruff is on PATH)."""
    env = dict(os.environ)
    env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    return env


def prepare_venv(folder: Path, requirements: list[str]) -> str:
    """Create, or reuse, a virtual environment holding exactly these requirements (a stamp
    file records what it holds); returns "" or why it could not be made."""
    wanted = " ".join(requirements) + f" python={platform.python_version()}"
    stamp = folder / ".bench-stamp"
    if (folder / "bin" / "python").exists() and stamp.exists() and stamp.read_text() == wanted:
        return ""
    print(f"preparing {folder.relative_to(ROOT)} with {' '.join(requirements)} ...", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    code, out = overhead.run_logged([sys.executable, "-m", "venv", str(folder)])
    if code != 0:
        return f"could not create the venv: {first_error(out)}"
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q"]
    code, out = overhead.run_logged([*pip, "--disable-pip-version-check", *requirements])
    if code != 0:
        return f"pip could not install {' '.join(requirements)}: {first_error(out)}"
    stamp.write_text(wanted)
    return ""


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
    wanted = f"{WIDDERSHINS}@{WIDDERSHINS_VERSION} node={run_text([node, '--version']).strip()}"
    stamp = NODE_PREFIX / ".bench-stamp"
    if widdershins_script().exists() and stamp.exists() and stamp.read_text() == wanted:
        return ""
    print(f"preparing {NODE_PREFIX.relative_to(ROOT)} with {wanted} ...", flush=True)
    shutil.rmtree(NODE_PREFIX, ignore_errors=True)
    NODE_PREFIX.mkdir(parents=True)
    npm_install = [npm, "install", "--prefix", str(NODE_PREFIX), "--no-audit", "--no-fund"]
    code, out = overhead.run_logged([*npm_install, f"{WIDDERSHINS}@{WIDDERSHINS_VERSION}"])
    if code != 0 or not widdershins_script().exists():
        return f"npm could not install {WIDDERSHINS}@{WIDDERSHINS_VERSION}: {first_error(out)}"
    stamp.write_text(wanted)
    return ""


def project_pin(package: str) -> str:
    """The exact version pyproject.toml pins one of the project's dependencies to."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements: list[str] = data["project"]["dependencies"]
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        if name.strip() == package:
            return version.strip()
    raise CannotMeasure(f"pyproject.toml does not pin {package}")


def installed(python: Path, names: Sequence[str]) -> dict[str, str]:
    """The versions of distributions in the environment of a Python interpreter."""
    code = (
        "import json, sys\nfrom importlib import metadata\nfound = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n        found[name] = metadata.version(name)\n"
        "    except metadata.PackageNotFoundError:\n        found[name] = 'not installed'\n"
        "print(json.dumps(found))"
    )
    try:
        found: dict[str, str] = json.loads(run_text([python, "-c", code, *names]))
    except (CannotMeasure, ValueError, OSError):
        return dict.fromkeys(names, "unknown")
    return found


@dataclass
class Peer:
    """A tool chatforge is compared with, and how to run it on one spec into a folder."""

    key: str
    name: str
    makes: str
    home: str  # where it is installed, for the report
    command: Callable[[Path, Path], list[str | Path]]  # (spec, output folder) -> command
    output: str  # a glob of what it must have written into the output folder
    env: dict[str, str] | None = None
    into_folder: bool = False  # it writes a file into a folder that must exist beforehand
    problem: str = ""  # why it could not be installed
    versions: dict[str, str] = field(default_factory=dict)

    def made(self, out: Path) -> bool:
        return any(path.stat().st_size > 0 for path in out.glob(self.output))


def prepare_peers(keys: set[str]) -> list[Peer]:
    """The peers named, installed on the first run and reused after."""
    from importlib.metadata import version

    peers = []
    if "opc" in keys:
        opc_bin = overhead.PEER_VENV / "bin"
        problem = overhead.prepare_peer_venv(version("httpx"))
        peers.append(
            Peer(
                "opc",
                overhead.PEER_PACKAGE,
                "client + models",
                "bench/.cache/venv",
                lambda spec, out: argv(
                    opc_bin / overhead.PEER_PACKAGE,
                    "generate",
                    "--path",
                    spec,
                    "--output-path",
                    out,
                ),
                "*/client.py",
                env=path_first(opc_bin),
                problem=problem,
                versions=installed(overhead.peer_python(), [overhead.PEER_PACKAGE, "ruff"]),
            )
        )
    if "fcg" in keys:
        fcg_bin = FASTAPI_CODEGEN_VENV / "bin"
        problem = prepare_venv(
            FASTAPI_CODEGEN_VENV, [f"{FASTAPI_CODEGEN}=={FASTAPI_CODEGEN_VERSION}"]
        )
        peers.append(
            Peer(
                "fcg",
                FASTAPI_CODEGEN,
                "server",
                "bench/.cache/fastapi-codegen-venv",
                lambda spec, out: argv(
                    fcg_bin / "fastapi-codegen", "--input", spec, "--output", out
                ),
                "main.py",
                env=path_first(fcg_bin),
                problem=problem,
                versions=installed(
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
        problem = prepare_venv(DATAMODEL_CODEGEN_VENV, requirements)
        peers.append(
            Peer(
                "dmcg",
                DATAMODEL_CODEGEN,
                "models",
                "bench/.cache/datamodel-codegen-venv",
                lambda spec, out: argv(
                    dm_bin / "datamodel-codegen",
                    "--input",
                    spec,
                    "--input-file-type",
                    "openapi",
                    "--output",
                    out / "models.py",
                ),
                "models.py",
                env=path_first(dm_bin),
                into_folder=True,
                problem=problem,
                versions=installed(dm_bin / "python", [DATAMODEL_CODEGEN, "black", "isort"]),
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
                lambda spec, out: argv(node, script, spec, "-o", out / "api.md"),
                "api.md",
                into_folder=True,
                problem=problem,
                versions={WIDDERSHINS: npm_version(script)},
            )
        )
    return peers


def npm_version(script: Path) -> str:
    try:
        return str(json.loads((script.parent / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "not installed"


# --------------------------------------------------------------------------------------------
# The measurements.


@dataclass
class Series:
    """The runs of one tool on one input; `failure` is why a run failed (no more are made)."""

    runs: list[Run] = field(default_factory=list)
    failure: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.runs) and not self.failure

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(run.cpu for run in self.runs)

    @property
    def tree_peak(self) -> int:
        return max(run.tree_peak for run in self.runs)

    @property
    def single_peak(self) -> int:
        return max(run.single_peak for run in self.runs)

    @property
    def processes(self) -> int:
        return max(run.processes for run in self.runs)


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


@dataclass(frozen=True)
class Verdict:
    measurement: str
    target: str
    result: str
    met: bool | None  # None: not measured


class Bench:
    """One benchmark run: its options, its scratch folder and what it measured."""

    def __init__(self, args: argparse.Namespace, scratch: Path) -> None:
        self.args = args
        self.scratch = scratch
        self.digest = source_digest()  # chatforge's code as the run starts
        self.peers: list[Peer] = []
        self.has_cache = "--no-cache" in run_text([CHATFORGE, "generate", "--help"])
        self.apis = sorted(
            json.loads(run_text([CHATFORGE, "list", "--json"]))["apis"],
            key=lambda api: str(api["slug"]),
        )
        self.tree: Path | None = None  # a complete chatforge output of this run
        self.opc_stream: Path | None = None  # openapi-python-client's output for Stream
        self.cold: dict[str, Series] = {}  # "chatforge", or "<peer key>:<slug>"
        self.stages: dict[str, float] = {}  # bench/stages.py: CPU seconds of each stage
        self.warm_first: Run | None = None
        self.warm: Series | None = None
        self.warm_own_cache = False  # whether chatforge took the cache folder given to it
        self.scaling: dict[int, dict[str, Series]] = {}  # size -> tool key -> runs
        self.spec_bytes: dict[int, int] = {}
        self.imports: list[ImportTime] = []
        self.startups: dict[Path, float] = {}
        self.overhead_table: list[str] = []
        self.overhead_notes: list[str] = []
        self.overhead_ratios: list[float] = []

    def peer(self, key: str) -> Peer | None:
        """An installed peer."""
        return next((p for p in self.peers if p.key == key and not p.problem), None)

    def folder(self, *parts: str) -> Path:
        """A path in the scratch folder with nothing at it yet."""
        path = self.scratch.joinpath(*parts)
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def keep(self, out: Path, name: str) -> Path:
        kept = self.folder("kept", name)
        shutil.move(out, kept)
        return kept

    def generate(
        self, out: Path, *extra: str | Path, cold: bool = True, env: dict[str, str] | None = None
    ) -> Run:
        command = argv(CHATFORGE, "generate", "--quiet", "--out", out, *extra)
        if cold and self.has_cache:
            command.insert(2, "--no-cache")
        run = measure(command, cwd=ROOT, env=env)
        if run.returncode != 0:
            raise CannotMeasure(f"chatforge generate failed: {first_error(run.output)}")
        return run

    def run_peer(self, peer: Peer, spec: Path, out: Path, series: Series) -> None:
        """One run of a peer, added to its series; a failure ends the series."""
        if series.failure:
            return
        if peer.into_folder:
            out.mkdir()
        try:
            run = measure(peer.command(spec, out), cwd=self.scratch, env=peer.env)
        except OSError as exc:
            series.failure = self.clean(f"could not start: {exc}")
            return
        if run.returncode != 0 or not peer.made(out):
            reason = first_error(run.output) if run.returncode else "it wrote no output"
            series.failure = self.clean(reason)
            print(f"  {peer.name} on {spec.name}: failed: {series.failure}", flush=True)
            return
        series.runs.append(run)

    def clean(self, text: str) -> str:
        """A message without this run's folders, short enough for a table cell."""
        text = text.replace(str(self.scratch), "<tmp>").replace(f"{ROOT}/", "")
        return text if len(text) <= 160 else text[:157] + "..."

    def measure_cold(self) -> None:
        runs = self.args.runs
        peers = [peer for peer in self.peers if not peer.problem]
        ours = self.cold["chatforge"] = Series()
        for round_ in range(runs):
            print(f"cold generation, round {round_ + 1} of {runs}", flush=True)
            ours.runs.append(self.generate(self.folder("cold", "chatforge")))
            print(f"  chatforge, every spec and target: {ours.runs[-1].seconds:.2f} s", flush=True)
            for peer in peers:
                for api in self.apis:
                    slug = api["slug"]
                    series = self.cold.setdefault(f"{peer.key}:{slug}", Series())
                    out = self.folder("cold", peer.key, slug)
                    self.run_peer(peer, ROOT / api["spec"], out, series)
                    if peer.key == "opc" and slug == "stream" and series.ok:
                        self.opc_stream = self.keep(out, "opc-stream")
        self.tree = self.keep(self.scratch / "cold" / "chatforge", "tree")
        print("where chatforge's time goes: bench/stages.py", flush=True)
        found = [stages() for _ in range(STAGE_RUNS)]
        self.stages = {name: statistics.median(run[name] for run in found) for name in found[0]}

    def measure_warm(self) -> None:
        if not self.has_cache:
            print("warm regeneration: cache not available", flush=True)
            return
        out, cache = self.folder("warm"), self.folder("cache")
        env = dict(os.environ, CHATFORGE_CACHE_DIR=str(cache))
        print("warm regeneration: a first run, then the same again", flush=True)
        self.warm_first = self.generate(out, cold=False, env=env)
        self.warm_own_cache = cache.is_dir()
        self.warm = Series([self.generate(out, cold=False, env=env) for _ in range(self.args.runs)])
        print(f"  nothing changed: {self.warm.seconds:.3f} s", flush=True)

    def measure_scaling(self) -> None:
        opc = self.peer("opc")
        for size in self.args.sizes:
            spec_dir = self.folder("synthetic", str(size))
            spec = synthetic.write_spec(spec_dir / f"{synthetic.SLUG}.yaml", size)
            self.spec_bytes[size] = spec.stat().st_size
            found = self.scaling[size] = {"chatforge": Series()}
            if opc is not None:
                found["opc"] = Series()
            for round_ in range(self.args.scaling_runs):
                run = self.generate(self.folder("synthetic-out"), "--specs", spec_dir)
                found["chatforge"].runs.append(run)
                line = f"scaling, {size:,} operations, run {round_ + 1}: chatforge"
                line += f" {run.seconds:.2f} s"
                if opc is not None:
                    self.run_peer(opc, spec, self.folder("synthetic-out"), found["opc"])
                    if found["opc"].ok:
                        line += f", {opc.name} {found['opc'].runs[-1].seconds:.2f} s"
                print(line, flush=True)

    def ensure_tree(self) -> Path:
        """This run's chatforge output (the last cold run's, or one made now)."""
        if self.tree is None:
            print("generating every spec for the import and overhead measurements", flush=True)
            self.tree = self.folder("kept", "tree")
            self.generate(self.tree)
        return self.tree

    def ensure_opc_stream(self) -> Path | None:
        """openapi-python-client's output for Stream (the cold run's, or one made now)."""
        opc = self.peer("opc")
        if self.opc_stream is None and opc is not None:
            series, out = Series(), self.folder("kept", "opc-stream")
            self.run_peer(opc, ROOT / "specs" / "stream.yaml", out, series)
            self.opc_stream = out if series.ok else None
        return self.opc_stream

    def measure_imports(self) -> None:
        tree = self.ensure_tree()
        subjects = []
        for api in self.apis:
            client = api["targets"]["client"]
            folder = tree.joinpath(*Path(client["path"]).parts[-2:])  # <slug>/client
            label = f"chatforge `{api['slug']}`"
            first = f"{client['import']}.{client['example']}.close()"
            package = ClientPackage(label, client["import"], folder, VENV_PYTHON, False, first)
            subjects.append(package)
        opc_tree = self.ensure_opc_stream()
        if opc_tree is not None:
            package = sorted(opc_tree.glob("*/client.py"))[0].parent.name
            label = f"{overhead.PEER_PACKAGE} `stream`"
            # Its client makes the httpx client when first asked for it.
            first = (
                f"{package}.AuthenticatedClient(base_url='http://127.0.0.1', token='t')"
                ".get_httpx_client().close()"
            )
            python = overhead.peer_python()
            subjects.append(ClientPackage(label, package, opc_tree, python, True, first))
        for subject in subjects:  # compile the bytecode once, as an installed package has it
            import_seconds(subject.python, subject)
        pythons = sorted({subject.python for subject in subjects})
        startups: dict[Path, list[float]] = {python: [] for python in pythons}
        timings: dict[str, list[float]] = {subject.label: [] for subject in subjects}
        firsts: dict[str, list[float]] = {subject.label: [] for subject in subjects}
        runs = self.args.import_runs
        print(f"import time: {len(subjects)} packages, {runs} runs each", flush=True)
        for _ in range(runs):
            for python in pythons:
                startups[python].append(import_seconds(python, None))
            for subject in subjects:
                timings[subject.label].append(import_seconds(subject.python, subject))
                firsts[subject.label].append(import_seconds(subject.python, subject, True))
        self.startups = {python: statistics.median(startups[python]) for python in pythons}
        for subject in subjects:
            cumulative = statistics.median(
                importtime(subject) for _ in range(self.args.importtime_runs)
            )
            startup = self.startups[subject.python]
            spent = statistics.median(timings[subject.label]) - startup
            first = statistics.median(firsts[subject.label]) - startup
            self.imports.append(ImportTime(subject, spent, cumulative, first))

    def measure_overhead(self) -> None:
        """bench/client_overhead.py, run on this run's generated clients; its results go to a
        file under bench/.cache/ rather than to bench/results/."""
        tree = self.ensure_tree()
        results = CACHE / "client_overhead-generation.md"
        options = ["--rounds", str(self.args.overhead_rounds), "--calls", str(self.args.calls)]
        options += ["--warmup", str(self.args.warmup)]
        if self.args.no_peers:
            options.append("--no-peer")
        print(f"per-call overhead: bench/client_overhead.py {' '.join(options)}", flush=True)
        saved = overhead.GENERATED, overhead.RESULTS
        overhead.GENERATED, overhead.RESULTS = tree, results
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                code = overhead.main(options)
        except Exception as exc:  # noqa: BLE001 - any failure there is a failed measurement
            code = 1
            printed.write(f"\n{type(exc).__name__}: {exc}")
        finally:
            overhead.GENERATED, overhead.RESULTS = saved
        if code != 0 or not results.exists():
            raise CannotMeasure(f"client_overhead.py failed: {first_error(printed.getvalue())}")
        text = results.read_text()
        results.unlink()
        self.overhead_table = markdown_section(text, "## Results")
        self.overhead_notes = markdown_section(text, "## openapi-python-client")
        for row in self.overhead_table[2:]:  # the column "chatforge / hand", such as 1.02x
            self.overhead_ratios.append(float(row.strip("|").split("|")[3].strip().rstrip("x")))


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


# --------------------------------------------------------------------------------------------
# Figures and their wording.


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


def secs(value: float) -> str:
    return f"{value:.3f} s" if abs(value) < 1 else f"{value:.2f} s"


def mib(value: int) -> str:
    return f"{value / MIB:,.0f} MiB"


def median_of(count: int, noun: str) -> str:
    return f"from one {noun}" if count == 1 else f"the median of {count} {noun}s"


def more_times(count: int) -> str:
    return "once more" if count == 1 else f"{count} more times"


def met_text(met: bool) -> str:
    return "**met**" if met else "**not met**"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


# --------------------------------------------------------------------------------------------
# The report.


def machine_lines() -> list[str]:
    found = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    ram = f"{int(found.group(1)) / 1024**2:.1f} GiB" if found else "unknown"
    try:
        release = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        release = ""
    system = f"{platform.system()} {platform.release()} ({platform.machine()})"
    return [
        f"- CPU: {overhead.cpu_model()}, {os.cpu_count()} logical cores",
        f"- memory: {ram}",
        f"- OS: {release + ', ' if release else ''}{system}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
    ]


def versions_table(bench: Bench) -> list[str]:
    project = installed(
        VENV_PYTHON, ["chatforge", DATAMODEL_CODEGEN, "ruff", "jinja2", "pydantic", "httpx"]
    )
    where = f"project venv; commit {overhead.git_state()}, code digest {bench.digest}"
    rows = [("chatforge", project.pop("chatforge"), where)]
    rows += [(name, value, "project venv, used by chatforge") for name, value in project.items()]
    for peer in bench.peers:
        where = f"`{peer.home}`, for {peer.name}"
        rows += [(name, value, where) for name, value in peer.versions.items()]
    if bench.peer("widdershins"):
        for tool in ("node", "npm"):
            rows.append(
                (tool, run_text([shutil.which(tool) or tool, "--version"]).strip(), "system")
            )
    lines = ["| tool | version | installed in |", "|---|---|---|"]
    return lines + [f"| {name} | {value} | {where} |" for name, value, where in rows]


def cold_section(bench: Bench, verdicts: list[Verdict]) -> list[str]:
    ours = bench.cold["chatforge"]
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
                series = bench.cold.get(f"{peer.key}:{api['slug']}", Series())
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
        done = [bench.cold.get(f"{peer.key}:{api['slug']}", Series()) for api in bench.apis]
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
    lines += stages_lines(bench)
    name = "cold generation of every spec and target"
    target = "**Target: chatforge's cold generation of everything in at most half the time "
    target += "openapi-python-client takes for the Stream spec alone**"
    stream = bench.cold.get("opc:stream")
    if stream is not None and stream.ok:
        goal = stream.seconds / 2
        met = ours.seconds <= goal
        lines.append(
            f"{target} ({secs(stream.seconds)} / 2 = {secs(goal)}). Chatforge took "
            f"{secs(ours.seconds)}: {met_text(met)}."
        )
        verdicts.append(Verdict(name, f"≤ {secs(goal)}", secs(ours.seconds), met))
    else:
        why = "openapi-python-client failed on it" if bench.peers else "the peers were not run"
        lines.append(f"{target}: not measured, since {why}.")
        verdicts.append(
            Verdict(name, "½ openapi-python-client on Stream", secs(ours.seconds), None)
        )
    return lines


def models_workers_here() -> str:
    """What the models workers of `chatforge generate` come to on this machine."""
    from generator.batch import cpu_count

    cores = cpu_count()
    models = max(1, cores // 2)
    if models == 1:
        return (
            f"Here, with {cores} CPUs, the models of every spec are one worker's work, and the "
            "cold time cannot fall below it, started once the first spec is checked."
        )
    return f"Here, with {cores} CPUs, {models} workers share the models of the specs."


def stages_lines(bench: Bench) -> list[str]:
    """Where chatforge's CPU goes, stage by stage, and what that leaves a schedule."""
    if not bench.stages:
        return []
    total = sum(bench.stages.values())
    models = sum(v for k, v in bench.stages.items() if k.startswith("datamodel-code-generator"))
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
    for stage, seconds in bench.stages.items():
        lines.append(f"| {stage} | {secs(seconds)} | {seconds / total:.0%} |")
    lines += [
        f"| all | {secs(total)} | 100% |",
        "",
        f"datamodel-code-generator, which makes every models module, takes {secs(models)} of "
        "it. A spec's models are made in one call, which cannot be shared between processes. "
        "`chatforge generate` gives the models half its workers (one per CPU) and everything "
        f"else the other half. {models_workers_here()}",
        "",
    ]
    return lines


def warm_section(bench: Bench, verdicts: list[Verdict]) -> list[str]:
    name, target = "warm regeneration, nothing changed", f"< {secs(TARGET_WARM)}"
    lines = ["## Warm regeneration", ""]
    if bench.warm is None or bench.warm_first is None:
        lines.append(
            "Cache not available: `chatforge generate --help` offers no `--no-cache`, so this "
            "chatforge has no cache to measure."
        )
        verdicts.append(Verdict(name, target, "cache not available", None))
        return lines
    first, warm = bench.warm_first, bench.warm
    met = warm.seconds < TARGET_WARM
    if bench.warm_own_cache:
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
        f"{more_times(len(warm.runs))} with nothing changed; the figure is "
        f"{median_of(len(warm.runs), 'run')} of the latter.",
        "",
        "| run | time | CPU time | peak memory |",
        "|---|---:|---:|---:|",
        f"| first | {secs(first.seconds)} | {secs(first.cpu)} | {mib(first.tree_peak)} |",
        f"| again, nothing changed | {secs(warm.seconds)} | {secs(warm.cpu)} "
        f"| {mib(warm.tree_peak)} |",
        "",
        f"**Target: under {secs(TARGET_WARM)}.** {met_text(met)} ({secs(warm.seconds)}).",
    ]
    verdicts.append(Verdict(name, target, secs(warm.seconds), met))
    return lines


def scaling_section(bench: Bench, verdicts: list[Verdict]) -> list[str]:
    sizes = sorted(bench.scaling)
    tools = [("chatforge", "chatforge")]
    if any("opc" in found for found in bench.scaling.values()):
        tools.append(("opc", overhead.PEER_PACKAGE))
    peer = f" and {overhead.PEER_PACKAGE} with its defaults" if len(tools) > 1 else ""
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
        f"{median_of(bench.args.scaling_runs, 'run')}; memory is measured as for cold "
        "generation.",
        "",
        "| operations | spec | tool | time | per 1,000 operations | CPU time | peak memory "
        "| largest process |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        spec = f"{bench.spec_bytes[size] / 1024:,.0f} KiB"
        for key, name in tools:
            series = bench.scaling[size].get(key, Series())
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
            (float(size), bench.scaling[size][key].seconds)
            for size in sizes
            if bench.scaling[size].get(key, Series()).ok
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
    return lines


def import_section(bench: Bench, verdicts: list[Verdict]) -> list[str]:
    runs = bench.args.import_runs
    lines = [
        "## Import time of the generated clients",
        "",
        '`python -c "import <package>"` in a fresh process, with the client\'s folder (where '
        "`chatforge list --json` puts it, in this run's output) on `PYTHONPATH` and its "
        f"bytecode already compiled: {median_of(runs, 'run')}, less the interpreter's start-up "
        "(`python -c pass`, measured alike). `-X importtime` gives the package's cumulative "
        f"import time as Python counts it ({median_of(bench.args.importtime_runs, 'run')}). "
        "A generated client loads httpx when the first client is made, so the last column "
        "times that too: the import, then a client made with the example credentials of "
        "`chatforge list --json` and closed (openapi-python-client's makes its httpx client "
        "when first asked for it, so there the statement asks).",
        "",
        "| client | package | import time | `-X importtime` cumulative | target "
        "| import and first client |",
        "|---|---|---:|---:|---|---:|",
    ]
    ours = [item for item in bench.imports if not item.subject.peer]
    for item in bench.imports:
        met = "peer" if item.subject.peer else met_text(item.seconds < TARGET_IMPORT)
        lines.append(
            f"| {item.subject.label} | `{item.subject.package}` | {secs(item.seconds)} "
            f"| {secs(item.importtime)} | {met} | {secs(item.first_client)} |"
        )
    startups = ", ".join(
        f"{secs(value)} ({'project' if python == VENV_PYTHON else 'peer'} venv)"
        for python, value in sorted(bench.startups.items())
    )
    slowest = max(item.seconds for item in ours)
    all_met = slowest < TARGET_IMPORT
    lines += [
        "",
        f"Interpreter start-up subtracted: {startups}.",
        "",
        f"**Target: every generated client imports in under {secs(TARGET_IMPORT)}.** "
        f"{met_text(all_met)} (the slowest: {secs(slowest)}).",
    ]
    verdicts.append(
        Verdict(
            "import of each generated client",
            f"< {secs(TARGET_IMPORT)}",
            f"slowest {secs(slowest)}",
            all_met,
        )
    )
    return lines


def overhead_section(bench: Bench, verdicts: list[Verdict]) -> list[str]:
    args = bench.args
    worst = max(bench.overhead_ratios)
    met = worst <= overhead.TARGET
    lines = [
        "## Per-call overhead of the generated clients",
        "",
        "`bench/client_overhead.py` (see `bench/README.md`) on this run's generated clients: "
        f"microseconds per call, {median_of(args.overhead_rounds, 'round')} of "
        f"{args.calls:,} calls after {args.warmup:,} warm-up calls, against an "
        "`httpx.MockTransport` answering the spec's example, for the generated client, the "
        "same request written by hand with httpx, and openapi-python-client's client.",
        "",
        *bench.overhead_table,
    ]
    if bench.overhead_notes:
        lines += ["", "Where openapi-python-client has no figure:", "", *bench.overhead_notes]
    lines += [
        "",
        f"**Target: a generated call costs at most {overhead.TARGET}x the hand-written one.** "
        f"{met_text(met)} (the largest ratio: {worst:.2f}x).",
    ]
    verdicts.append(
        Verdict(
            "per-call overhead against hand-written httpx",
            f"≤ {overhead.TARGET}x",
            f"largest {worst:.2f}x",
            met,
        )
    )
    return lines


SECTION_WRITERS: dict[str, Callable[[Bench, list[Verdict]], list[str]]] = {
    "cold": cold_section,
    "warm": warm_section,
    "scaling": scaling_section,
    "import": import_section,
    "overhead": overhead_section,
}


def report(bench: Bench, began: float, load_before: str) -> str:
    verdicts: list[Verdict] = []
    sections = [
        SECTION_WRITERS[name](bench, verdicts) for name in SECTIONS if name in bench.args.only
    ]
    options = f"`{' '.join(bench.args.given)}`" if bench.args.given else "none"
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
        "each peer, pinned, into a folder of its own under `bench/.cache/`.",
        "",
        "## Summary",
        "",
        "| measurement | target | result | met |",
        "|---|---|---|---|",
    ]
    for verdict in verdicts:
        met = {None: "not measured", True: "met", False: "not met"}[verdict.met]
        lines.append(f"| {verdict.measurement} | {verdict.target} | {verdict.result} | {met} |")
    minutes = (time.time() - began) / 60
    digest = source_digest()
    changed = []
    if digest != bench.digest:
        changed.append(
            f"- **chatforge's code changed during the run** (digest {bench.digest} at the start, "
            f"{digest} at the end): its figures mix versions"
        )
    lines += [
        "",
        "## Machine and versions",
        "",
        f"- run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(began))}, "
        f"{minutes:.0f} minutes, options: {options}",
        *machine_lines(),
        f"- load average (1, 5 and 15 minutes): {load_before} before the run, "
        f"{load_average()} after",
        *changed,
        "",
        *versions_table(bench),
    ]
    for section in sections:
        lines += ["", *section]
    return "\n".join(lines) + "\n"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --------------------------------------------------------------------------------------------
# The command.


def parse(argv_: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="cold and warm runs of each tool (default 5)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and small specs")
    parser.add_argument("--no-peers", action="store_true", help="measure chatforge alone")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument("--sizes", help="synthetic spec sizes, comma-separated")
    parser.add_argument("--output", type=Path, default=REPORT, help="the report's path")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv_)
    args.given = sys.argv[1:] if argv_ is None else argv_
    quick = args.quick
    args.runs = args.runs if args.runs is not None else (1 if quick else 5)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.only = args.only or list(SECTIONS)
    try:
        args.sizes = sorted({int(size) for size in args.sizes.split(",")}) if args.sizes else None
    except ValueError:
        parser.error("--sizes takes whole numbers, comma-separated")
    args.sizes = args.sizes or list(QUICK_SIZES if quick else SIZES)
    if len(args.sizes) < 2 or min(args.sizes) < 1:
        parser.error("--sizes needs at least two positive sizes")
    args.scaling_runs = 1 if quick else 3
    args.import_runs = 3 if quick else 10
    args.importtime_runs = 1 if quick else 3
    args.overhead_rounds = 1 if quick else 3
    args.calls = 300 if quick else 2000
    args.warmup = 100 if quick else 500
    return args


def main(argv_: list[str] | None = None) -> int:
    args = parse(argv_)
    if Path(sys.prefix).resolve() != VENV.resolve():
        if VENV_PYTHON.exists():
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *args.given])
        print("the project's .venv is needed: see the README to set it up")
        return 1
    if not CHATFORGE.exists():
        print(f"no chatforge at {CHATFORGE}: see the README to set it up")
        return 1
    began, load_before = time.time(), load_average()
    scratch = Path(tempfile.mkdtemp(prefix="chatforge-bench-"))
    try:
        bench = Bench(args, scratch)
        if not args.no_peers:
            wanted = {"opc", "fcg", "dmcg", "widdershins"} if "cold" in args.only else set()
            if {"scaling", "import"} & set(args.only):
                wanted.add("opc")
            bench.peers = prepare_peers(wanted)
            for peer in bench.peers:
                if peer.problem:
                    print(f"{peer.name} is not measured: {peer.problem}", flush=True)
        measurements = {
            "cold": bench.measure_cold,
            "warm": bench.measure_warm,
            "scaling": bench.measure_scaling,
            "import": bench.measure_imports,
            "overhead": bench.measure_overhead,
        }
        for name in SECTIONS:
            if name in args.only:
                measurements[name]()
        text = report(bench, began, load_before)
    except CannotMeasure as exc:
        print(f"could not measure: {exc}")
        return 1
    finally:
        if args.keep:
            print(f"scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"\n{text}\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
