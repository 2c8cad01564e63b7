"""`python -m chatforge` without the cost of starting Python and importing chatforge each time.

A test of the command wants what a user gets: a process of its own, its exit code, what it wrote
to stdout and stderr, its files. Most of such a run's time, for a small spec, is the start of
the interpreter and the import of chatforge and what it uses. So each test process keeps one
launcher process that has made those imports once and forks a child per run; the child takes
the run's folder, environment and standard streams, then runs `chatforge.__main__` as `-m` runs
it, and ends as Python ends (its exit code, `atexit`, a traceback on an uncaught exception),
less the freeing of every object, which only costs time.

A run whose environment changes how Python itself starts (a `PYTHON*` variable, the locale)
differs from the launcher's in what those imports did, so it is started afresh instead. Runs
forked from one launcher share its hash seed: the tests that output is byte for byte the same
from run to run (`tests/golden`) start each run afresh, as `COMMAND`.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# How chatforge is started afresh, in a process of its own.
COMMAND = (sys.executable, "-m", "chatforge")

# What the launcher imports before its first fork: the command, checking (the validators among
# it), the targets and the models generator.
PRELOAD = (
    "chatforge.cli",
    "chatforge.lint",
    "chatforge.ir.build",
    "chatforge.spec.validate",
    "openapi_spec_validator",
    "chatforge.targets.client",
    "chatforge.targets.server",
    "chatforge.targets.docs",
    "chatforge.targets.models",
    "chatforge.targets.modelgen",
    "datamodel_code_generator",
    "datamodel_code_generator.parser.openapi",
)

# The launcher: imports, then reads one request a line on stdin and answers on stdout, with the
# process ids of the children it forks ("started") and their wait statuses ("ended").
_SERVER = r"""
import atexit, gc, importlib, json, os, runpy, select, signal, sys, threading
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
gc.freeze()
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)
buffered = b""
children = set()


def answer(message):
    os.write(1, (json.dumps(message) + "\n").encode())


def run(request):
    os.close(wake_r)
    os.close(wake_w)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, (path, flags) in enumerate(
        [
            (request["stdin"], os.O_RDONLY),
            (request["stdout"], os.O_WRONLY),
            (request["stderr"], os.O_WRONLY),
        ]
    ):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.path[0] = os.getcwd()
    sys.argv = ["-m", *request["args"]]
    try:
        runpy.run_module("chatforge", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code & 0xFF)


while True:
    ready, _, _ = select.select([0, wake_r], [], [])
    if wake_r in ready:
        os.read(wake_r, 1024)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not pid:
                break
            children.discard(pid)
            answer({"ended": pid, "status": status})
    if 0 in ready:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        buffered += chunk
        while b"\n" in buffered:
            line, buffered = buffered.split(b"\n", 1)
            request = json.loads(line)
            if "kill" in request:  # only a child not yet reaped: its pid is still its own
                if request["kill"] in children:
                    os.kill(request["kill"], signal.SIGKILL)
                continue
            pid = os.fork()
            if pid == 0:
                run(request)
            children.add(pid)
            answer({"started": request["id"], "pid": pid})
"""

_STARTUP = ("PYTHON", "LC_", "LANG")


def _startup(env: Mapping[str, str]) -> dict[str, str]:
    """What of an environment changes how the interpreter starts."""
    return {k: v for k, v in env.items() if k.startswith(_STARTUP)}


class _Launcher:
    def __init__(self) -> None:
        self.env = dict(os.environ)
        # Unbuffered, so that what `select` says of the pipe is all there is to read.
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, json.dumps(PRELOAD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            cwd=Path(__file__).resolve().parents[1],
        )
        self.lock = threading.Lock()
        self.next_id = 0
        self.pids: dict[int, int] = {}  # request id -> child pid
        self.statuses: dict[int, int] = {}  # child pid -> wait status
        atexit.register(self.close)

    def fork(self, request: dict[str, object]) -> int:
        with self.lock:
            self.next_id += 1
            ident = self.next_id
            self._send({**request, "id": ident})
            while ident not in self.pids:
                self._read()
            return self.pids.pop(ident)

    def send(self, request: dict[str, object]) -> None:
        with self.lock:
            self._send(request)

    def _send(self, request: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()

    def wait(self, pid: int, timeout: float | None) -> int | None:
        """The wait status of child `pid`, or None once `timeout` seconds have passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self.lock:
                if pid in self.statuses:
                    return self.statuses.pop(pid)
                if deadline is not None and time.monotonic() > deadline:
                    return None
                self._read(deadline)

    def _read(self, deadline: float | None = None) -> None:
        assert self.process.stdout is not None
        if deadline is not None:
            left = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if not ready:
                return
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the chatforge launcher stopped")
        message = json.loads(line)
        if "started" in message:
            self.pids[message["started"]] = message["pid"]
        else:
            self.statuses[message["ended"]] = message["status"]

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


_launcher: _Launcher | None = None


@dataclass
class Run:
    """A started `chatforge` run; `wait` gives it as `subprocess.run` would."""

    args: list[str]
    pid: int | None
    popen: subprocess.Popen[str] | None
    folder: Path | None  # where a forked run's stdout and stderr are written

    def wait(self, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
        if self.popen is not None:
            stdout, stderr = self.popen.communicate(timeout=timeout)
            return subprocess.CompletedProcess(self.args, self.popen.returncode, stdout, stderr)
        assert _launcher is not None and self.pid is not None and self.folder is not None
        status = _launcher.wait(self.pid, timeout)
        if status is None:
            self.kill()
            _launcher.wait(self.pid, None)
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        code = os.waitstatus_to_exitcode(status)
        out, err = (self._text(name) for name in ("stdout", "stderr"))
        self.folder.rmdir()
        return subprocess.CompletedProcess(self.args, code, out, err)

    def kill(self) -> None:
        """SIGKILL, at once (a run that has ended already is left as it is)."""
        if self.popen is not None:
            self.popen.kill()
            return
        assert _launcher is not None and self.pid is not None
        _launcher.send({"kill": self.pid})

    def _text(self, name: str) -> str:
        """A stream as `text=True` reads it: decoded, newlines made universal."""
        assert self.folder is not None
        data = (self.folder / name).read_bytes().decode()
        (self.folder / name).unlink()
        return data.replace("\r\n", "\n").replace("\r", "\n")


def start(*args: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Run:
    """`python -m chatforge ARGS` started in `cwd` with `env` (this process's by default)."""
    global _launcher
    words = [str(arg) for arg in args]
    command = [*COMMAND, *words]
    environment = dict(os.environ if env is None else env)
    if _launcher is None or _launcher.process.poll() is not None:
        _launcher = _Launcher()
    if _startup(environment) != _startup(_launcher.env):
        popen = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return Run(command, None, popen, None)
    folder = Path(tempfile.mkdtemp(prefix="chatforge-run-"))
    for name in ("stdout", "stderr"):
        (folder / name).touch()
    request = {
        "args": words,
        "cwd": str(Path(cwd or os.getcwd()).resolve()),
        "env": environment,
        "stdin": os.devnull,
        "stdout": str(folder / "stdout"),
        "stderr": str(folder / "stderr"),
    }
    return Run(command, _launcher.fork(request), None, folder)


def run(
    *args: str | Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 600,
) -> subprocess.CompletedProcess[str]:
    """`python -m chatforge ARGS`, run to its end, as `subprocess.run(..., capture_output=True,
    text=True)` gives it."""
    return start(*args, cwd=cwd, env=env).wait(timeout)
