"""What the benchmark scripts share: running a command and measuring its whole process tree,
the pinned peers installed under bench/.cache/, one run's scratch folder and chatforge's output,
the machine and the repository as the reports describe them, the wording of figures, and the
re-run with the project's .venv.

Standard library only, so that a worker running in a peer's environment can import it too.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
CHATFORGE = VENV / "bin" / "chatforge"

# openapi-python-client, pinned exactly, in a virtual environment of its own that also gets the
# project's httpx version, so that its clients and chatforge's send through the same httpx.
OPC = "openapi-python-client"
OPC_VERSION = "0.29.1"
OPC_VENV = CACHE / "venv"
OPC_PYTHON = OPC_VENV / "bin" / "python"

# Seconds between two readings of /proc. A reading takes about a millisecond of CPU, taken from
# the tool measured on a machine with few cores: every 50 ms costs a tool that keeps every core
# busy about 2% of a core, and the kernel's high-water mark still catches the largest process.
SAMPLE_EVERY = 0.05
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


def run_logged(command: Sequence[str | Path], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run a command to its end: its exit code and its output, both streams together."""
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, env=env, timeout=900
    )
    return done.returncode, (done.stdout + done.stderr).strip()


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
# The peers: pinned virtual environments under bench/.cache/, and running a peer on one spec.


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
    code, out = run_logged([sys.executable, "-m", "venv", str(folder)])
    if code != 0:
        return f"could not create the venv: {first_error(out)}"
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q"]
    code, out = run_logged([*pip, "--disable-pip-version-check", *requirements])
    if code != 0:
        return f"pip could not install {' '.join(requirements)}: {first_error(out)}"
    stamp.write_text(wanted)
    return ""


def prepare_opc_venv() -> str:
    """bench/.cache/venv with openapi-python-client and this environment's httpx version;
    returns "" or why it could not be made."""
    from importlib.metadata import version

    return prepare_venv(OPC_VENV, [f"{OPC}=={OPC_VERSION}", f"httpx=={version('httpx')}"])


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


def opc_peer() -> Peer:
    """openapi-python-client, installed on the first run and reused after."""
    problem = prepare_opc_venv()
    opc_bin = OPC_VENV / "bin"
    return Peer(
        "opc",
        OPC,
        "client + models",
        "bench/.cache/venv",
        lambda spec, out: [opc_bin / OPC, "generate", "--path", spec, "--output-path", out],
        "*/client.py",
        env=path_first(opc_bin),
        problem=problem,
        versions=installed(OPC_PYTHON, [OPC, "ruff"]),
    )


# --------------------------------------------------------------------------------------------
# One run: its scratch folder, chatforge's specs and output, and the peers.


def compile_chatforge() -> None:
    """chatforge's modules compiled to bytecode, as installing it from a wheel compiles them and
    as pip compiled the peers': the project's editable install compiles nothing, and where
    PYTHONDONTWRITEBYTECODE is set every run would compile chatforge afresh."""
    done = subprocess.run(
        [str(VENV_PYTHON), "-m", "compileall", "-q", str(ROOT / "chatforge")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CannotMeasure(f"compileall failed: {first_error(done.stderr + done.stdout)}")


class Bench:
    """What the measurements of one run share: a scratch folder, the specs chatforge lists,
    the peers installed, and the outputs one measurement leaves for another."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.peers: list[Peer] = []
        compile_chatforge()
        self.has_cache = "--no-cache" in run_text([CHATFORGE, "generate", "--help"])
        self.apis = sorted(
            json.loads(run_text([CHATFORGE, "list", "--json"]))["apis"],
            key=lambda api: str(api["slug"]),
        )
        self.tree: Path | None = None  # a complete chatforge output of this run
        self.opc_stream: Path | None = None  # openapi-python-client's output for Stream

    def add_peers(self, peers: list[Peer]) -> None:
        for peer in peers:
            if peer.problem:
                print(f"{peer.name} is not measured: {peer.problem}", flush=True)
        self.peers += peers

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
        command: list[str | Path] = [CHATFORGE, "generate", "--quiet", "--out", out, *extra]
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


@contextmanager
def scratch_folder(keep: bool) -> Iterator[Path]:
    """A new temporary folder for one run, removed afterwards unless kept."""
    scratch = Path(tempfile.mkdtemp(prefix="chatforge-bench-"))
    try:
        yield scratch
    finally:
        if keep:
            print(f"scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


@dataclass(frozen=True)
class Verdict:
    measurement: str
    target: str
    result: str
    met: bool | None  # None: not measured


# A measurement run alone: it measures with the run's Bench, appends its verdicts and returns
# its section of the report.
Job = Callable[[Bench, list[Verdict]], list[str]]


def positive(text: str) -> int:
    """A command-line count: a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def job_parser(
    doc: str | None, runs: int, runs_help: str, *, opc: bool = False
) -> argparse.ArgumentParser:
    """The command line of a measurement run alone: `--runs`, `--keep`, and with `opc`,
    `--no-peer` to leave openapi-python-client out."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--runs", type=positive, default=runs, help=f"{runs_help} (default {runs})")
    if opc:
        parser.add_argument("--no-peer", action="store_true", help=f"skip {OPC}")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    return parser


def opc_unless(skip: bool) -> Callable[[], list[Peer]]:
    """The peers of a measurement that compares with openapi-python-client alone."""
    return lambda: [] if skip else [opc_peer()]


def project_ready(script: str, argv: Sequence[str] | None) -> str:
    """Why the script cannot run here, or "" when it can: it needs the project's .venv with
    chatforge installed, and re-runs itself with the .venv's Python when there is one."""
    given = sys.argv[1:] if argv is None else argv
    if problem := use_project_venv(script, given):
        return problem
    if not CHATFORGE.exists():
        return f"no chatforge at {CHATFORGE}: see the README to set it up"
    return ""


def run_alone(
    script: str,
    argv: Sequence[str] | None,
    keep: bool,
    peers: Callable[[], list[Peer]],
    job: Job,
) -> int:
    """A measurement run from the command line: in the project's .venv, with its peers, in a
    scratch folder of its own; prints its section of the report. The exit code is 0 when it
    measured, whether or not the target is met, and 1 when it could not measure."""
    if problem := project_ready(script, argv):
        print(problem)
        return 1
    with scratch_folder(keep) as scratch:
        try:
            bench = Bench(scratch)
            bench.add_peers(peers())
            lines = job(bench, [])
        except CannotMeasure as exc:
            print(f"could not measure: {exc}")
            return 1
    print("\n" + "\n".join(lines))
    return 0


# --------------------------------------------------------------------------------------------
# The machine, the repository and the versions, as the reports give them.


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def system_text() -> str:
    return f"{platform.system()} {platform.release()} ({platform.machine()})"


def python_text() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def machine_lines() -> list[str]:
    """The machine, for docs/benchmarks.md."""
    found = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    ram = f"{int(found.group(1)) / 1024**2:.1f} GiB" if found else "unknown"
    try:
        release = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        release = ""
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"- memory: {ram}",
        f"- OS: {release + ', ' if release else ''}{system_text()}",
        f"- Python: {python_text()}",
    ]


def results_machine_lines(repository: str) -> list[str]:
    """The machine and the repository, for a results file under bench/results/."""
    return [
        f"- run at: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- CPU: {cpu_model()} ({os.cpu_count()} logical CPUs)",
        f"- OS: {system_text()}",
        f"- Python: {python_text()}",
        f"- repository: {repository}",
    ]


def git_state() -> str:
    """The commit checked out, and whether the generator or generated/ differ from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "generated", "chatforge"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' (chatforge or generated/ modified)' if dirty else ''}" if head else "unknown"


def source_digest() -> str:
    """A short digest of chatforge's code (the generator, its templates and runtime), to tell
    which version was measured and whether it changed during the run."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "chatforge").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def versions_here(names: Sequence[str], optional: Sequence[str] = ()) -> dict[str, str]:
    """The versions of distributions installed beside this Python ("not installed" for one
    missing); an optional one that is missing is left out."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in (*names, *optional):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            if name in names:
                found[name] = "not installed"
    return found


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def use_project_venv(script: str, argv: Sequence[str], needs: Sequence[str] = ()) -> str:
    """Re-runs the script with the project's .venv when this Python is not that venv (or, given
    `needs`, when one of these modules cannot be imported here). Returns "" when this Python
    will do, else why the script cannot run."""
    if needs:
        missing = [name for name in needs if importlib.util.find_spec(name) is None]
        if not missing:
            return ""
        why = f" ({', '.join(missing)} missing here)"
    elif Path(sys.prefix).resolve() == VENV.resolve():
        return ""
    else:
        why = ""
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        path = str(Path(script).resolve())
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), path, *argv])
    return f"the project's .venv is needed{why}: see the README to set it up"


# --------------------------------------------------------------------------------------------
# Figures and their wording.


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


def shown_path(path: Path) -> str:
    """A path as the scripts print it: relative to the repository when it lies inside."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
