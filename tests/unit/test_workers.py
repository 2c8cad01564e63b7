"""The worker pool: tasks run in their group, by priority, and failures reach the caller."""

from __future__ import annotations

import os
import time

import pytest

from generator.workers import MODELS, OTHER, Pool


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
