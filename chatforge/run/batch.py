"""Every spec of a run: answered by the cache where nothing changed, the rest checked and rendered
in worker processes (`workers`), so a run of several specs uses every CPU.

The results are gathered in the order the specs were given, whichever finishes first, so the
output and the messages do not depend on timing. Nothing here prints or writes the output.
"""

from __future__ import annotations

import functools
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from chatforge.config import COMPARISON, Target
from chatforge.diagnostics import Diagnostic, Level
from chatforge.output import formatting
from chatforge.run import cache as cache_module
from chatforge.run import records
from chatforge.run.pipeline import SpecSource
from chatforge.spec import specfile

# The workers and the plan of their tasks are imported where they run: a run that the cache
# answers never starts a worker.
if TYPE_CHECKING:
    from chatforge.ir.model import Api
    from chatforge.run.executor import Executor
    from chatforge.targets import Files

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """One spec's result: what checking found and, when asked and it could, what it rendered."""

    source: SpecSource
    diagnostics: tuple[Diagnostic, ...]  # loading, validating, linting, building the IR
    warnings: tuple[Diagnostic, ...] = ()  # found while building the IR
    built: Api | None = field(default=None, repr=False)
    files: Files | None = field(default=None, repr=False)
    # What rendering raised (a spec the models generator cannot take, ruff failing): raised
    # again by the caller where a run of one process would have raised it.
    failure: BaseException | None = None
    key: str = ""  # the cache key of checking this spec: its content and the toolkit's
    # Reads the IR from where it is kept (the cache, for an outcome the cache answered; the
    # bytes a worker sent, for a spec checked in a worker): only a caller that needs the IR pays
    # for reading it.
    stored: Callable[[], Api | None] | None = field(default=None, repr=False, compare=False)
    # What reading changed (an OpenAPI 3.0 document normalised to 3.1), for --verbose.
    notes: tuple[Diagnostic, ...] = ()
    # The other files of a spec split over files, as read, which its cache key must know.
    others: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(d.level is Level.ERROR for d in self.diagnostics)

    @functools.cached_property
    def api(self) -> Api:
        """The IR of a spec that checked cleanly."""
        api = self.built if self.built is not None else self.stored() if self.stored else None
        if api is None:
            raise RuntimeError(f"{self.source.slug}: the cache lost this spec's model; run again")
        return api


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check(source: SpecSource) -> Outcome:
    """Load, validate, lint and build one spec."""
    from chatforge.run import pipeline

    checked = pipeline.check(source)
    notes, others = checked.notes, checked.others
    if not checked.ok or checked.built is None:
        return Outcome(source, checked.diagnostics, notes=notes, others=others)
    api, warnings = checked.built
    return Outcome(source, checked.diagnostics, tuple(warnings), api, notes=notes, others=others)


def _ir_key(index: int) -> tuple[str, int]:
    return ("ir", index)


def _check_task(index: int, source: SpecSource, share: bool) -> tuple[Outcome, bytes | None]:
    """`_check`; with `share` (in a worker), the IR is kept in the worker for the spec's later
    tasks there, and goes back pickled once, as bytes that the parent hands on to other
    workers as they are, reading them itself only if it needs the IR."""
    from chatforge.run import workers

    outcome = _check(source)
    if not share or outcome.built is None:
        return outcome, None
    workers.keep(_ir_key(index), outcome.built)
    blob = pickle.dumps(outcome.built, protocol=pickle.HIGHEST_PROTOCOL)
    return replace(outcome, built=None, stored=functools.partial(_loaded, blob)), blob


def _loaded(blob: bytes) -> Api:
    api: Api = pickle.loads(blob)
    return api


def _caught(function: Callable[..., T], *args: Any) -> T | BaseException:
    """What `function` returns, or what it raised: a task's own failure is its result, which
    the caller raises where a run of one process would have raised it."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001 - handed to the caller, which reports it
        return exc


def _render(api: Api, targets: tuple[Target, ...]) -> Files | BaseException:
    """The files of one checked spec, or what rendering raised."""
    from chatforge.run import pipeline

    return _caught(pipeline.render, api, targets)


def _overview(
    specs: Path, apis: Sequence[Api], targets: tuple[Target, ...]
) -> tuple[Files, list[str]] | BaseException:
    """The pages about every API at once, or what making them raised."""
    from chatforge.run import pipeline

    return _caught(pipeline.render_overview, specs, apis, targets)


def _prepare_models() -> None:
    """Import the models generator ahead of the first spec, while that spec is checked."""
    from chatforge.targets import modelgen

    modelgen.prepare()


def _models(api: Api) -> str | BaseException:
    """The models module of one checked spec, or what making it raised."""
    from chatforge.targets import modelgen

    return _caught(modelgen.models_module, api)


def _render_with(api: Api, targets: tuple[Target, ...], text: str | None) -> Files | BaseException:
    """`_render`, with the models module made by a models worker."""
    from chatforge.run import pipeline

    return _caught(pipeline.render, api, targets, None, text)


# The targets that embed the models module.
_WITH_MODELS = ("models", "client", "server")


@dataclass(frozen=True)
class OverviewRequest:
    """The pages about every API at once, asked of a run: the specs folder (with the
    comparison) and the targets."""

    specs: Path
    targets: tuple[Target, ...]


# What checking a spec found, as the cache keeps it: its diagnostics, its warnings and the
# notes of reading it.
Checks = tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...], tuple[Diagnostic, ...]]


@dataclass(frozen=True)
class Overview:
    """The pages about every API at once, as the cache keeps them."""

    files: dict[str, str]
    folders: list[str]


# A task of the run as a whole: its name, the function and its arguments.
LateTask = tuple[str, tuple[Callable[..., Any], tuple[Any, ...]]]
# Given every spec's outcome once all are checked, and the argument standing for each one's IR
# in tasks (see `executor.share`): the task to run then, if any.
Late = Callable[[Sequence[Outcome], Sequence[Any]], LateTask | None]


@dataclass
class Keys:
    base: str  # the entry file's content and the toolkit's
    check: str  # and the content of the other files the spec was last read from
    output: str


class Runner:
    """Runs specs through the stages, with a cache (or None) and up to `jobs` worker processes."""

    def __init__(
        self,
        cache: cache_module.Cache | None,
        jobs: int,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.cache = cache
        self.jobs = max(1, jobs)
        self.progress = progress
        # What `run` made beyond the specs (the overview), by cache key, until asked for.
        self._made: dict[str, Any] = {}
        self._late_name = ""

    def keys(self, source: SpecSource, targets: tuple[Target, ...] | None) -> Keys | None:
        """The cache keys of a spec; None when it cannot be read (the loader says why)."""
        try:
            spec = specfile.read(source.path)
        except specfile.Unreadable:
            return None
        base = cache_module.key(
            cache_module.fingerprint(),
            "check",
            source.slug,
            source.label,
            source.display,
            *(() if source.ref_root is None else ("ref-root", str(source.ref_root))),
            spec,
        )
        parts: tuple[str, ...] = ()
        if self.cache is not None:
            try:
                parts = records.decode(tuple[str, ...], self.cache.load("parts", base))
            except ValueError:  # a spec in one file, or not seen before
                parts = ()
        return self._keys(source, base, parts, targets)

    def _keys(
        self,
        source: SpecSource,
        base: str,
        parts: tuple[str, ...],
        targets: tuple[Target, ...] | None,
    ) -> Keys:
        """The keys of a spec whose entry file gave `base` and which was read from the files
        `parts` (relative to the entry's folder) besides: a change to any of them, or one of
        them gone, gives other keys."""
        check = base
        if parts:
            contents: list[str | bytes] = []
            for part in parts:
                try:
                    if not cache_module.safe_relative(part):
                        raise specfile.Unreadable(part)
                    contents += [part, specfile.read(source.folder / part)]
                except specfile.Unreadable:
                    contents += [part, "\0unreadable"]
            check = cache_module.key(base, "parts", *contents)
        return Keys(base, check, cache_module.key(check, "render", *(targets or ())))

    def _cached(
        self, source: SpecSource, keys: Keys | None, targets: tuple[Target, ...] | None
    ) -> Outcome | None:
        """The outcome the cache holds for a spec, or None."""
        if self.cache is None or keys is None:
            return None
        try:
            diagnostics, warnings, notes = records.decode(
                Checks, self.cache.load("checks", keys.check)
            )
        except ValueError:
            return None
        if any(d.level is Level.ERROR for d in diagnostics):
            return Outcome(source, diagnostics, notes=notes)
        if not self.cache.has("apis", keys.check):
            return None
        files = None
        if targets is not None:
            files = self.cache.load_files(keys.output)
            owned = [f"{source.slug}/{target}" for target in targets]
            if files is None or not _within(files, owned):
                return None
        cache = self.cache

        def stored() -> Api | None:
            from chatforge.ir.model import Api

            try:
                return records.decode(Api, cache.load("apis", keys.check))
            except ValueError:
                pass
            # A damaged entry is made again: the spec is checked once more, here.
            again = _check(source)
            if again.built is not None:
                cache.store("apis", keys.check, records.encode(again.built))
            return again.built

        return Outcome(source, diagnostics, warnings, files=files, stored=stored, notes=notes)

    def _remember(
        self, outcome: Outcome, keys: Keys | None, targets: tuple[Target, ...] | None
    ) -> Keys | None:
        """Keeps an outcome in the cache; the keys it is kept under."""
        if self.cache is None or keys is None or outcome.failure is not None:
            return keys
        if outcome.others:
            # A spec split over files: kept under the content of every file it was read from,
            # which the next run finds by the entry file's key.
            folder = outcome.source.folder
            try:
                parts = tuple(sorted({p.relative_to(folder).as_posix() for p in outcome.others}))
            except ValueError:  # a file outside the folder: refused, and not kept
                return keys
            self.cache.store("parts", keys.base, records.encode(parts))
            keys = self._keys(outcome.source, keys.base, parts, targets)
        checks = records.encode((outcome.diagnostics, outcome.warnings, outcome.notes))
        self.cache.store("checks", keys.check, checks)
        if outcome.built is not None or outcome.stored is not None:
            self.cache.store("apis", keys.check, records.encode(outcome.api))
        if outcome.files is not None:
            self.cache.store_files(keys.output, outcome.files)
        return keys

    def run(
        self,
        sources: Sequence[SpecSource],
        targets: tuple[Target, ...] | None,
        overview: OverviewRequest | None = None,
    ) -> list[Outcome]:
        """Each spec's outcome, in the order given. With targets, each spec is rendered too.
        With an overview request, the pages about every API are made alongside, for
        `overview()` to hand out, as soon as every spec is checked."""
        if targets is not None:
            formatting.remove_abandoned()
        # Without a cache, nothing is looked up or stored: no key is needed.
        keys = [self.keys(source, targets) if self.cache else None for source in sources]
        outcomes: list[Outcome | None] = [
            self._cached(source, k, targets) for source, k in zip(sources, keys, strict=True)
        ]
        todo = [i for i, outcome in enumerate(outcomes) if outcome is None]
        for i, source in enumerate(sources):
            if self.progress:
                what = "validating" if i in todo else "unchanged, from the cache:"
                self.progress(f"{source.slug}: {what} {source.display}")
        late: Late | None = None
        if overview is not None and todo:
            name = self._overview_name(overview, [k.check if k else "" for k in keys])
            if self.cache is None or not self.cache.has("overviews", name):

                def late(computed: Sequence[Outcome], irs: Sequence[Any]) -> LateTask | None:
                    done = dict(zip(todo, computed, strict=True))
                    every = [done[i] if i in done else outcomes[i] for i in range(len(sources))]
                    if not all(o is not None and o.ok for o in every):
                        return None
                    held = dict(zip(todo, irs, strict=True))
                    apis = [
                        held[i] if i in held else cast("Outcome", outcomes[i]).api
                        for i in range(len(sources))
                    ]
                    return name, (_overview, (overview.specs, apis, overview.targets))

        computed = self._compute([sources[i] for i in todo], targets, late)
        for i, outcome in zip(todo, computed, strict=True):
            outcomes[i] = outcome
            keys[i] = self._remember(outcome, keys[i], targets)
        if self.cache is not None:
            self.cache.prune()
        return [
            replace(outcome, key=k.check if k else "")
            for outcome, k in zip(outcomes, keys, strict=True)
            if outcome is not None
        ]

    def _overview_name(self, request: OverviewRequest, keys: Sequence[str]) -> str:
        """The cache key of the overview: the comparison, the targets and every spec (without
        a cache, only the name under which `run` leaves it for `overview`)."""
        if self.cache is None:
            return "overview"
        source = request.specs / COMPARISON
        try:
            comparison = source.read_bytes()
        except OSError:
            comparison = b""
        return cache_module.key(
            cache_module.fingerprint(),
            "overview",
            str(source.resolve()),
            comparison,
            *request.targets,
            *keys,
        )

    def overview(
        self, specs: Path, outcomes: Sequence[Outcome], targets: tuple[Target, ...]
    ) -> tuple[Files, list[str]]:
        """The pages about every API at once (see `pipeline.render_overview`): made during
        `run`, or taken from the cache when the comparison and every spec are as they were.
        Raises what rendering them raised."""
        name = self._overview_name(OverviewRequest(specs, targets), [o.key for o in outcomes])
        made = self._made.pop(name, None)
        if made is None and self.cache is not None:
            try:
                found = records.decode(Overview, self.cache.load("overviews", name))
            except ValueError:
                pass
            else:
                slugs = {outcome.source.slug for outcome in outcomes}
                if _within(found.files, found.folders) and not slugs & {*found.folders}:
                    return found.files, found.folders
        if made is None:
            made = _overview(specs, [outcome.api for outcome in outcomes], targets)
        if isinstance(made, BaseException):
            raise made
        files, folders = cast("tuple[Files, list[str]]", made)
        if self.cache is not None:
            self.cache.store("overviews", name, records.encode(Overview(files, folders)))
        return files, folders

    def _compute(
        self,
        sources: Sequence[SpecSource],
        targets: tuple[Target, ...] | None,
        late: Late | None = None,
    ) -> list[Outcome]:
        """Each spec through its tasks (`plan`), in this process or in workers: a spec whose
        models are made and whose docs are rendered gives two workers work at once."""
        from chatforge.run.executor import Concurrent, Serial
        from chatforge.run.workers import MODELS, OTHER

        if not sources:
            return []
        code = tuple(t for t in targets or () if t != "docs")
        with_models = any(t in code for t in _WITH_MODELS)
        side_by_side = 2 if with_models and "docs" in (targets or ()) else 1
        jobs = min(self.jobs, len(sources) * side_by_side)
        if jobs <= 1:
            with Serial() as serial:
                return self._scheduled(serial, sources, targets, late)
        # The models workers make the models, and the other workers everything else: each
        # group pays its own imports and set-up once (see `workers`).
        sizes = {MODELS: jobs // 2, OTHER: jobs - jobs // 2} if with_models else {OTHER: jobs}
        with Concurrent(sizes) as concurrent:
            return self._scheduled(concurrent, sources, targets, late)

    def _scheduled(
        self,
        executor: Executor,
        sources: Sequence[SpecSource],
        targets: tuple[Target, ...] | None,
        late: Late | None,
    ) -> list[Outcome]:
        """Checks, models and rendering as tasks (`plan.Task`) for the executor. A checked
        spec's docs and models are made at once, the rest of its code as soon as its models
        are, in parts at once where the executor runs tasks side by side (`plan.code_parts`).
        Its IR reaches each worker once (`executor.share`). `late` gives a task to run once
        every spec is checked (the overview), whose result goes to `_made`."""
        from chatforge.run.executor import share
        from chatforge.run.plan import PARTS, Stage, Task, code_parts
        from chatforge.run.workers import MODELS

        docs = tuple(t for t in targets or () if t == "docs")
        code = tuple(t for t in targets or () if t != "docs")
        with_models = any(t in code for t in _WITH_MODELS)
        sizes = [_size(source.path) for source in sources]
        outcomes: dict[int, Outcome] = {}
        irs: dict[int, Any] = {}  # the argument standing for each checked spec's IR
        # Each spec's rendered parts, by the targets each renders.
        parts: dict[int, dict[tuple[str, ...], Files | BaseException]] = {}
        checked = 0

        def render_code(i: int, models: str | None) -> None:
            for part in code_parts(code, executor.side_by_side, sizes[i]):
                task = Task(Stage.CODE, i, sizes[i], part)
                executor.submit(task, _render_with, irs[i], part, models)

        if with_models:
            executor.submit(Task(Stage.PREPARE), _prepare_models)
        # Largest first, as the queue would order them: a free worker takes each at once.
        for i in sorted(range(len(sources)), key=lambda i: -sizes[i]):
            task = Task(Stage.CHECK, i, sizes[i])
            executor.submit(task, _check_task, i, sources[i], executor.shares)
        for task, result in executor.results():
            i = task.spec
            if task.stage is Stage.CHECK:
                outcome, blob = result
                outcomes[i], checked = outcome, checked + 1
                if outcome.ok:
                    irs[i] = share(_ir_key(i), outcome.built, blob)
                if targets is not None and outcome.ok:
                    parts[i] = {}
                    if docs:
                        made = Task(Stage.DOCS, i, sizes[i], docs)
                        executor.submit(made, _render, irs[i], docs)
                    if with_models:
                        executor.submit(Task(Stage.MODELS, i, sizes[i]), _models, irs[i])
                    else:
                        render_code(i, None)
                if checked == len(sources) and late is not None:
                    ordered = [outcomes[j] for j in range(len(sources))]
                    found = late(ordered, [irs.get(j) for j in range(len(sources))])
                    if found is not None:
                        name, (function, args) = found
                        self._late_name = name
                        executor.submit(Task(Stage.OVERVIEW), function, *args)
            elif task.stage is Stage.MODELS and isinstance(result, BaseException):
                parts[i][code] = result  # the code cannot be rendered without them
            elif task.stage is Stage.MODELS:
                render_code(i, result)
            elif task.stage is Stage.OVERVIEW:
                self._made[self._late_name] = result
            elif task.stage in PARTS:
                parts[i][task.targets] = result
            if with_models and task.stage is Stage.CHECK and checked == len(sources):
                # Every spec is checked, so every models task is submitted: the models workers
                # make what is queued of them, then take what is queued of the rest, then end,
                # and the memory they hold goes back to the system.
                executor.retire(MODELS)
        # As one render of every target gives them: target by target, and of two failures,
        # that of the target first given.
        order: dict[str, int] = {target: n for n, target in enumerate(targets or ())}
        for i, rendered in parts.items():
            files: Files = {}
            for part in sorted(rendered, key=lambda part: min(map(order.__getitem__, part))):
                made_part = rendered[part]
                if isinstance(made_part, BaseException):
                    outcomes[i] = replace(outcomes[i], failure=outcomes[i].failure or made_part)
                else:
                    files.update(made_part)
            if outcomes[i].failure is not None:
                continue
            paths = sorted(files, key=lambda path: order[path.split("/")[1]])
            outcomes[i] = replace(outcomes[i], files={path: files[path] for path in paths})
        return [outcomes[i] for i in range(len(sources))]


def _within(files: Files, folders: Sequence[str]) -> bool:
    """Whether every file lies in one of the folders, each of them a plain relative path: what
    the cache gives is written nowhere else."""
    if not all(cache_module.safe_relative(folder) for folder in folders):
        return False
    return all(any(path.startswith(f"{folder}/") for folder in folders) for path in files)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
