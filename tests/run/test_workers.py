"""The worker pool: tasks run in their group, by priority, and failures reach the caller."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from chatforge.run import workers
from chatforge.run.workers import MODELS, OTHER, Pool, Shared
from tests.conftest import ROOT
from tests.running import COMMAND


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fail() -> None:
    raise ValueError("the task's own failure")


def _die() -> None:
    os._exit(3)


def test_each_group_runs_its_own_tasks_in_processes_of_its_own() -> None:
    with Pool({MODELS: 1, OTHER: 1}) as pool:
        pool.submit(MODELS, 0, "models", _pid_after, 0.0)
        pool.submit(OTHER, 0, "other", _pid_after, 0.0)
        pids = dict(pool.results())
    assert pids["models"] != pids["other"] and os.getpid() not in pids.values()


def _grow(items: list[int]) -> int:
    items.append(len(items))
    return len(items)


def _keep(key: str, value: list[int]) -> int:
    workers.keep(key, value)
    return os.getpid()


def test_a_shared_argument_reaches_each_worker_once_and_is_kept_there() -> None:
    shared = Shared("list", pickle.dumps([0]))
    with Pool({OTHER: 1}) as pool:
        for n in range(3):
            pool.submit(OTHER, n, n, _grow, shared)
        grown = dict(pool.results())
    # One list, sent once, kept by the worker and grown by each task in turn.
    assert grown == {0: 2, 1: 3, 2: 4}


def test_what_a_task_keeps_stands_for_a_shared_argument_of_its_key() -> None:
    with Pool({OTHER: 1}) as pool:
        pool.submit(OTHER, 0, "keep", _keep, "made", [7, 7])
        list(pool.results())
        # The worker holds "made": the bytes given here never reach it.
        pool.submit(OTHER, 0, "grow", _grow, Shared("made", b"not a pickle"))
        assert dict(pool.results()) == {"grow": 3}


def test_an_idle_worker_takes_the_other_groups_queued_tasks_when_allowed() -> None:
    with Pool({MODELS: 1, OTHER: 1}, spill={OTHER: MODELS}) as pool:
        pool.submit(MODELS, 0, "first", _pid_after, 0.5)
        pool.submit(MODELS, 0, "second", _pid_after, 0.5)
        pids = dict(pool.results())
    assert pids["first"] != pids["second"]


def test_without_spill_a_group_keeps_to_its_own_tasks() -> None:
    with Pool({MODELS: 1, OTHER: 1}) as pool:
        pool.submit(MODELS, 0, "first", _pid_after, 0.2)
        pool.submit(MODELS, 0, "second", _pid_after, 0.0)
        pids = dict(pool.results())
    assert pids["first"] == pids["second"]


def test_a_models_worker_keeps_to_its_own_group_until_retired() -> None:
    """Before `retire`, models may still come: an idle models worker leaves the other group's
    tasks to the other group, however many are queued."""
    with Pool({MODELS: 1, OTHER: 1}, then={MODELS: OTHER}) as pool:
        pool.submit(MODELS, 0, "models", _pid_after, 0.0)
        for n in range(3):
            pool.submit(OTHER, 0, n, _pid_after, 0.2)
        pids = dict(pool.results())
    assert pids[0] == pids[1] == pids[2] != pids["models"]


def test_a_retired_models_worker_takes_the_other_groups_tasks_before_ending() -> None:
    """Once retired, the models worker takes what is queued for the other group, including
    what the caller submits on seeing the models worker's own last result: no CPU idles while
    the last specs' code is rendered."""
    with Pool({MODELS: 1, OTHER: 1}, then={MODELS: OTHER}) as pool:
        pool.submit(OTHER, 0, "long", _pid_after, 0.6)
        pool.submit(MODELS, 0, "models", _pid_after, 0.1)
        pool.retire(MODELS)
        pids = {}
        for key, pid in pool.results():
            pids[key] = pid
            if key == "models":  # two parts of the code, submitted one after the other
                pool.submit(OTHER, 0, "first part", _pid_after, 0.3)
                pool.submit(OTHER, 0, "second part", _pid_after, 0.3)
    assert pids["first part"] == pids["models"] != pids["long"]
    assert pids["second part"] in (pids["models"], pids["long"])


def test_queued_tasks_go_by_priority_then_by_order() -> None:
    done = []
    with Pool({OTHER: 1}) as pool:
        pool.submit(OTHER, 1, "first, taken at once", _pid_after, 0.3)
        pool.submit(OTHER, 1, "later", _pid_after, 0.0)
        pool.submit(OTHER, 1, "last", _pid_after, 0.0)
        pool.submit(OTHER, 0, "urgent", _pid_after, 0.0)
        for key, _ in pool.results():
            done.append(key)
    assert done == ["first, taken at once", "urgent", "later", "last"]


def test_tasks_submitted_while_results_come_in_are_run() -> None:
    seen = []
    with Pool({OTHER: 2}) as pool:
        pool.submit(OTHER, 0, 0, _pid_after, 0.0)
        for key, _ in pool.results():
            seen.append(key)
            if key < 5:
                pool.submit(OTHER, 0, key + 1, _pid_after, 0.0)
    assert seen == [0, 1, 2, 3, 4, 5]


def test_a_task_that_raises_raises_in_the_caller() -> None:
    with pytest.raises(ValueError, match="the task's own failure"), Pool({OTHER: 1}) as pool:
        pool.submit(OTHER, 0, "x", _fail)
        list(pool.results())


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="exit code 3"), Pool({OTHER: 1}) as pool:
        pool.submit(OTHER, 0, "x", _die)
        list(pool.results())
    assert time.monotonic() - started < 30


def _process_state(pid: int) -> tuple[int, str] | None:
    """The parent pid and state of a live process; None once it is gone (or a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else (int(fields[1]), fields[0])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdecimal():
            state = _process_state(int(entry.name))
            if state is not None and state[0] == pid:
                found.append(int(entry.name))
    return found


def _poll(condition: Callable[[], bool], limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("then", [{}, {MODELS: OTHER}], ids=["alone", "taking the other's"])
def test_a_retired_group_ends_its_idle_workers_while_the_others_carry_on(
    then: dict[str, str],
) -> None:
    """Ended as soon as nothing is queued that it may take, even with a task of the other
    group still running."""
    with Pool({MODELS: 1, OTHER: 1}, then=then) as pool:
        pool.submit(MODELS, 0, "models", _pid_after, 0.0)
        pool.submit(OTHER, 0, "other", _pid_after, 1.0)
        results = pool.results()
        key, models_pid = next(results)
        assert key == "models"
        pool.retire(MODELS)
        # The models worker ends while the other's task still runs...
        assert _poll(lambda: _process_state(models_pid) is None, 10)
        # ...which finishes, and the other group takes new tasks as before.
        rest = dict(results)
        pool.submit(OTHER, 0, "after", _pid_after, 0.0)
        rest.update(pool.results())
    assert rest["other"] == rest["after"] != models_pid


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_run_is_killed(tmp_path: Path) -> None:
    """SIGKILL of a run of several specs leaves no worker process behind."""
    specs, scratch = tmp_path / "specs", tmp_path / "tmp"
    specs.mkdir()
    scratch.mkdir()
    for slug in ("upstra", "nexconn"):
        shutil.copy(ROOT / "specs" / f"{slug}.yaml", specs / f"{slug}.yaml")
    command = [*COMMAND, "generate", "-q", "--no-cache", "--jobs", "2"]
    command += ["--specs", str(specs), "--out", str(tmp_path / "out")]
    run = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _poll(lambda: len(_children(run.pid)) >= 2 or run.poll() is not None, 120)
        workers = _children(run.pid)
        assert len(workers) == 2, "the run ended before its workers could be seen"
    finally:
        run.kill()
        run.wait()
    gone = _poll(lambda: all(_process_state(pid) is None for pid in workers), 30)
    for pid in workers:
        if _process_state(pid) is not None:
            os.kill(pid, signal.SIGKILL)
    assert gone, "workers outlived the run"


def test_the_next_run_removes_the_temporary_folders_of_dead_runs(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    finished = subprocess.Popen([sys.executable, "-c", ""])
    finished.wait()
    dead = scratch / f"chatforge-format-{finished.pid}-x1y2"
    (dead / "src").mkdir(parents=True)
    (dead / "src" / "models.py").write_text("x = 1\n", encoding="utf-8")
    running = scratch / f"chatforge-format-{os.getpid()}-a3b4"
    running.mkdir()
    unrelated = scratch / "chatforge-format-notapid"
    unrelated.mkdir()
    spec = ROOT / "tests" / "fixtures" / "specs" / "features.yaml"
    command = [*COMMAND, "generate", str(spec), "-q", "--no-cache"]
    command += ["--target", "client", "--out", str(tmp_path / "out")]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in scratch.iterdir()) == sorted([running.name, unrelated.name])
