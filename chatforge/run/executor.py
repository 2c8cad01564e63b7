"""Where a run's tasks (`plan.Task`) run: one after the other in this process (`Serial`), or in
worker processes (`Concurrent`, the two groups of `workers.Pool`). Both take the same tasks and
give the same results, only the order in which results come differs, and the run gathers them
by spec and stage, so the output is byte for byte the same either way.

A task's function and arguments must pickle for `Concurrent`. An argument that several tasks
of a spec take, its IR, is passed through `share`: in this process it is the IR itself, for the
workers a `workers.Shared` that each worker is sent once.
"""

from __future__ import annotations

import gc
import heapq
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from chatforge.run.plan import Stage, Task
from chatforge.run.workers import MODELS, OTHER, Pool, Shared


class Serial:
    """Tasks run in this process, when results are asked for, lowest priority first."""

    shares = False  # tasks hand over values themselves, not their pickled bytes
    side_by_side = False  # one task runs at a time

    def __init__(self) -> None:
        self._queue: list[tuple[tuple[int, int], int, Task, Callable[..., Any], tuple[Any, ...]]]
        self._queue = []
        self._collecting = False

    def __enter__(self) -> Serial:
        self._collecting = gc.isenabled()
        gc.disable()  # as in a worker (see `workers`)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._collecting:
            gc.enable()

    def submit(self, task: Task, function: Callable[..., Any], *args: Any) -> None:
        if task.stage is Stage.PREPARE:
            return  # the models generator is imported when the first models module is made
        heapq.heappush(self._queue, (task.priority, len(self._queue), task, function, args))

    def retire(self, group: str) -> None:
        """Nothing to end: the tasks run in this process."""

    def results(self) -> Iterator[tuple[Task, Any]]:
        while self._queue:
            _, _, task, function, args = heapq.heappop(self._queue)
            yield task, function(*args)


class Concurrent:
    """Tasks run in worker processes: the models generator's group and the other group, each
    of the sizes given. A worker of the other group with nothing of its own to do takes a
    models task; the models workers, once retired, take the other group's tasks before they
    end."""

    shares = True
    side_by_side = True

    def __init__(self, sizes: dict[str, int]) -> None:
        both = bool(sizes.get(MODELS))
        self._pool = Pool(sizes, {OTHER: MODELS} if both else {}, {MODELS: OTHER} if both else {})

    def __enter__(self) -> Concurrent:
        self._pool.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._pool.__exit__(kind, exc, traceback)

    def submit(self, task: Task, function: Callable[..., Any], *args: Any) -> None:
        self._pool.submit(task.group, task.priority, task, function, *args)

    def retire(self, group: str) -> None:
        """No more tasks will be submitted to `group`: its workers end once idle."""
        self._pool.retire(group)

    def results(self) -> Iterator[tuple[Task, Any]]:
        yield from self._pool.results()


Executor = Serial | Concurrent


def share(key: Any, value: Any, blob: bytes | None) -> Any:
    """The argument standing for `value` in tasks: its pickled bytes as a `Shared` when the
    task that made it gave them (tasks run in workers), else the value."""
    return Shared(key, blob) if blob is not None else value
