"""Worker processes for a run, in two groups, each taking tasks of its own kinds.

Rendering a spec's models (datamodel-code-generator) is the largest single piece of work, and
importing the models generator alone takes half a second. So one group of workers makes the
models modules and the other group does everything else (checking specs, rendering the other
targets, formatting): each import is paid once per group, not once per worker, and the two kinds
of work run side by side.

A worker with nothing of its own group's to do may take the other group's (`Pool.spill`): a run
lets its other workers take models work, so that no CPU idles when the models of the last specs
are all that is left. Its models workers keep to their own while models may still come, for the
next spec's models must not wait behind a check; once no more will come (`retire`, when every
spec is checked), they make what is queued of them, then take what is left of the other group's
work before they end (`Pool.then`), so that no CPU idles while the last specs' code is rendered.
Either way, an idle worker takes a task of its own group before any worker takes one of another
group's.

Tasks are plain functions and arguments sent over a pipe; there are no threads in the parent, so
workers can be forked safely. A large argument that several tasks take (a spec's IR) goes as a
`Shared`: its pickled bytes reach each worker once, and the worker keeps the value for the
tasks after (a task may also `keep` what it made, for the worker's later tasks). A task's own
failures are its result (see `batch`); anything that escapes a task, or a worker that dies, is
raised in the parent.

Workers end with the run, however it ends. The parent holds the only other end of each worker's
pipe (a forked worker closes the copies it inherits), so a worker waiting for a task reads the end
of the pipe once the parent is gone; and on Linux the system sends each worker SIGTERM when its
parent dies, so a worker in the middle of a task stops too, removing its temporary files.
"""

from __future__ import annotations

import ctypes
import gc
import heapq
import multiprocessing
import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any

MODELS = "models"
OTHER = "other"
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Shared:
    """A large argument (a spec's IR), pickled once: the pool sends its bytes to a worker the
    first time a task of that worker needs it, and only its key after that; the worker keeps
    the value for the rest of the run."""

    key: Any
    blob: bytes


@dataclass(frozen=True)
class _Held:
    """In place of a `Shared` argument the worker already holds."""

    key: Any


# In a worker: the values of this run that it was sent or that its tasks kept, by key; and the
# keys kept by the task running now, which the parent learns with its result.
_kept: dict[Any, Any] = {}
_new: list[Any] = []


def keep(key: Any, value: Any) -> None:
    """In a worker's task: keep `value` for later tasks of this worker, which name it by a
    `Shared` of the same key (the pool then sends only the key)."""
    _kept[key] = value
    _new.append(key)


def _resolved(argument: Any) -> Any:
    if isinstance(argument, Shared):
        value = _kept[argument.key] = pickle.loads(argument.blob)
        return value
    if isinstance(argument, _Held):
        return _kept[argument.key]
    if isinstance(argument, list):
        return [_resolved(item) for item in argument]
    return argument


class _ParentGone(BaseException):
    """Raised in a worker whose parent died: the worker unwinds, cleaning up, and ends."""


def _parent_gone(signum: int, frame: FrameType | None) -> None:
    raise _ParentGone


def _follow_parent(parent: int) -> None:
    """Have the system send SIGTERM to this process when its parent dies (Linux), and end it on
    that signal as on an exception, so that what it was doing cleans up after itself."""
    signal.signal(signal.SIGTERM, _parent_gone)
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request was made
        raise _ParentGone


def _serve(connection: Connection, inherited: tuple[Connection, ...], parent: int) -> None:
    """A worker: close the parent's ends of the pipes it inherited, then serve tasks until told
    to stop or the parent is gone."""
    for end in inherited:
        end.close()
    # What the libraries used say through Python's warnings is theirs, not the user's: the
    # problems of a spec reach the user as diagnostics.
    warnings.simplefilter("ignore")
    try:
        _follow_parent(parent)
        _loop(connection)
    except _ParentGone:
        return


def _loop(connection: Connection) -> None:
    """A worker's loop: run each task it is sent, send back its result, until told to stop."""
    # A worker lives for one run and frees most of what it makes by reference counting; the
    # cycle collector would only walk the specs' large object graphs again and again.
    gc.disable()
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        function, args = task
        _new.clear()
        try:
            reply: tuple[str, Any, list[Any]] = (
                "done",
                function(*(_resolved(arg) for arg in args)),
                list(_new),
            )
        except _ParentGone:
            raise
        except BaseException as exc:  # noqa: BLE001 - raised again in the parent
            reply = ("raised", exc, [])
        try:
            connection.send(reply)
        except OSError:  # the parent is gone
            return
        except Exception as exc:  # noqa: BLE001 - a result or exception that does not pickle
            connection.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}"), []))
        del reply, task, function, args
        _release()


def _trimmer() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, where the C library is glibc; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _trimmer()


def _release() -> None:
    """Gives the memory a finished task freed back to the system. glibc keeps freed memory in
    the heap for the process's later use: after checking a spec of 10,000 operations, some 300
    MiB that the worker, rendering smaller pieces after, never uses again, while the models
    worker beside it needs a gigabyte."""
    if _TRIM is not None:
        _TRIM(0)


@dataclass
class _Worker:
    group: str
    process: Any
    connection: Connection
    task: Any = None  # the key of the task it is running (keys are never None)
    holds: set[Any] = field(default_factory=set)  # keys of the `Shared` values it keeps
    retired: bool = False  # told to stop before the end of the run


@dataclass
class Pool:
    """Workers in two groups; `submit` queues a task for a group, `results` yields
    (key, result) as tasks finish, and lets the caller submit more as it goes. A worker whose
    own group has nothing queued takes a task of a group that `spill` lets it take."""

    sizes: dict[str, int]
    # group -> the group whose queued tasks its idle workers take.
    spill: dict[str, str] = field(default_factory=dict)
    # group -> the group whose queued tasks its workers take once it is retired, before ending.
    then: dict[str, str] = field(default_factory=dict)
    # Per group, a heap of (priority, order of submission, key, function, arguments).
    _queues: dict[str, list[tuple[Any, int, Any, Callable[..., Any], tuple[Any, ...]]]] = field(
        default_factory=lambda: {MODELS: [], OTHER: []}
    )
    _workers: list[_Worker] = field(default_factory=list)
    _submitted: int = 0
    # Groups the caller will submit no more tasks to (`retire`).
    _retiring: set[str] = field(default_factory=set)

    def __enter__(self) -> Pool:
        method = "fork" if sys.platform == "linux" else "spawn"
        context: Any = multiprocessing.get_context(method)
        for group, size in sorted(self.sizes.items()):
            for _ in range(size):
                ours, theirs = context.Pipe()
                # A forked worker inherits the parent's end of its own pipe and of the pipes of
                # the workers before it; it closes them, so that only the parent holds them.
                inherited = (
                    (*(w.connection for w in self._workers), ours) if method == "fork" else ()
                )
                process = context.Process(
                    target=_serve, args=(theirs, inherited, os.getpid()), daemon=True
                )
                process.start()
                theirs.close()
                self._workers.append(_Worker(group, process, ours))
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._workers:
            if worker.retired:
                continue
            try:
                worker.connection.send(None)
            except OSError:
                pass
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join()
            worker.connection.close()

    def submit(
        self, group: str, priority: Any, key: Any, function: Callable[..., Any], *args: Any
    ) -> None:
        """Queue a task; a free worker of the group takes the task of lowest priority (any
        values that compare), of those first submitted first."""
        self._submitted += 1
        heapq.heappush(self._queues[group], (priority, self._submitted, key, function, args))
        self._dispatch()

    def retire(self, group: str) -> None:
        """The caller submits no more tasks to `group`: each of its workers stops once nothing
        is queued for it, of its group or of the group it then takes from (`then`), so what it
        holds (the models generator's state for a large spec, a gigabyte) goes back to the
        system while the other workers finish."""
        self._retiring.add(group)
        self._dispatch(end_idle=True)

    def _dispatch(self, end_idle: bool = False) -> None:
        """Give idle workers queued tasks: each a task of its own group first; only then may
        one take another group's, so a task goes where its imports are paid whenever such a
        worker is free. With `end_idle` (once the caller has submitted what follows from a
        result), a retired group's worker left with nothing it may take ends."""
        for own in (True, False):
            for worker in self._workers:
                if worker.task is None and not worker.retired:
                    self._assign(worker, own, end_idle)

    def _assign(self, worker: _Worker, own: bool, end_idle: bool) -> None:
        """Give an idle worker a task of its own group (`own`), else of the group it may take
        from; see `_dispatch` for `end_idle`."""
        group = worker.group
        retiring = group in self._retiring
        if own:
            queue = self._queues[group]
        else:
            lender = self.then.get(group) if retiring else self.spill.get(group)
            queue = self._queues[lender] if lender is not None else []
        if queue:
            _, _, key, function, args = heapq.heappop(queue)
            worker.connection.send((function, tuple(self._sent(worker, a) for a in args)))
            worker.task = key
        elif end_idle and not own and retiring and not self._queues[group]:
            worker.retired = True
            try:
                worker.connection.send(None)
            except OSError:
                pass

    def _sent(self, worker: _Worker, argument: Any) -> Any:
        """An argument as it goes to a worker: a `Shared` value it holds goes as its key."""
        if isinstance(argument, Shared):
            if argument.key in worker.holds:
                return _Held(argument.key)
            worker.holds.add(argument.key)
        elif isinstance(argument, list):
            return [self._sent(worker, item) for item in argument]
        return argument

    def results(self) -> Iterator[tuple[Any, Any]]:
        while any(worker.task is not None for worker in self._workers):
            busy = {w.connection: w for w in self._workers if w.task is not None}
            for connection in wait(list(busy)):
                worker = busy[connection]  # type: ignore[index]
                try:
                    kind, value, kept = worker.connection.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=5)
                    raise RuntimeError(
                        f"a worker process stopped (exit code {worker.process.exitcode})"
                    ) from None
                key, worker.task = worker.task, None
                worker.holds.update(kept)
                if kind == "raised":
                    raise value
                yield key, value
                # The caller has seen the result and submitted what follows from it.
                self._dispatch(end_idle=True)
