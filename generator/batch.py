"""Every spec of a run: answered by the cache where nothing changed, the rest checked and rendered
in worker processes (`workers`), so a run of several specs uses every CPU.

The results are gathered in the order the specs were given, whichever finishes first, so the
output and the messages do not depend on timing. Nothing here prints or writes the output.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from generator import cache as cache_module
from generator.config import COMPARISON, Target
from generator.diagnostics import Diagnostic, Level
from generator.pipeline import SpecSource

if TYPE_CHECKING:
    from generator.ir import Api
    from generator.targets import Files


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
    # Reads the IR from the cache, for an outcome the cache answered: only a caller that needs
    # the IR pays for reading it.
    stored: Callable[[], Api | None] | None = field(default=None, repr=False, compare=False)

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
    from generator import pipeline

    checked = pipeline.check(source)
    if not checked.ok or checked.built is None:
        return Outcome(source, checked.diagnostics)
    api, warnings = checked.built
    return Outcome(source, checked.diagnostics, tuple(warnings), api)


def _render(api: Api, targets: tuple[Target, ...]) -> Files | BaseException:
    """The files of one checked spec, or what rendering raised, for the caller to raise."""
    from generator import pipeline

    try:
        return pipeline.render(api, targets)
    except Exception as exc:  # noqa: BLE001 - handed to the caller, which reports it
        return exc


def _rendered(outcome: Outcome, result: Files | BaseException) -> Outcome:
    if isinstance(result, BaseException):
        return replace(outcome, failure=result)
    return replace(outcome, files=result)


def _prepare_models() -> None:
    """Import the models generator ahead of the first spec, while that spec is checked."""
    from generator.targets import models

    models.prepare()


def _models(api: Api) -> str | BaseException:
    """The models module of one checked spec, or what making it raised."""
    from generator.targets import models

    try:
        return models.models_module(api)
    except Exception as exc:  # noqa: BLE001 - handed to the caller, which reports it
        return exc


def _render_with(api: Api, targets: tuple[Target, ...], text: str | None) -> Files | BaseException:
    """`_render`, with the models module made by a models worker."""
    from generator.targets import models

    if text is not None:
        models.known(api, text)
    return _render(api, targets)


# The targets that embed the models module.
_WITH_MODELS = ("models", "client", "server")


@dataclass
class Keys:
    check: str
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

    def keys(self, source: SpecSource, targets: tuple[Target, ...] | None) -> Keys | None:
        """The cache keys of a spec; None when it cannot be read (the loader says why)."""
        try:
            spec = source.path.read_bytes()
        except OSError:
            return None
        check = cache_module.key(
            cache_module.fingerprint(), "check", source.slug, source.label, source.display, spec
        )
        return Keys(check, cache_module.key(check, "render", *(targets or ())))

    def _cached(
        self, source: SpecSource, keys: Keys | None, targets: tuple[Target, ...] | None
    ) -> Outcome | None:
        """The outcome the cache holds for a spec, or None."""
        if self.cache is None or keys is None:
            return None
        found = self.cache.load("checks", keys.check)
        if not (isinstance(found, tuple) and len(found) == 2):
            return None
        diagnostics, warnings = found
        if any(d.level is Level.ERROR for d in diagnostics):
            return Outcome(source, diagnostics)
        if not self.cache.has("apis", keys.check):
            return None
        files = None
        if targets is not None:
            files = self.cache.load_files(keys.output)
            if files is None:
                return None
        cache = self.cache

        def stored() -> Api | None:
            return cast("Api | None", cache.load("apis", keys.check))

        return Outcome(source, diagnostics, warnings, files=files, stored=stored)

    def _remember(self, outcome: Outcome, keys: Keys | None) -> None:
        if self.cache is None or keys is None or outcome.failure is not None:
            return
        self.cache.store("checks", keys.check, (outcome.diagnostics, outcome.warnings))
        if outcome.built is not None:
            self.cache.store("apis", keys.check, outcome.built)
        if outcome.files is not None:
            self.cache.store_files(keys.output, outcome.files)

    def run(
        self, sources: Sequence[SpecSource], targets: tuple[Target, ...] | None
    ) -> list[Outcome]:
        """Each spec's outcome, in the order given. With targets, each spec is rendered too."""
        keys = [self.keys(source, targets) for source in sources]
        outcomes: list[Outcome | None] = [
            self._cached(source, k, targets) for source, k in zip(sources, keys, strict=True)
        ]
        todo = [i for i, outcome in enumerate(outcomes) if outcome is None]
        for i, source in enumerate(sources):
            if self.progress:
                what = "validating" if i in todo else "unchanged, from the cache:"
                self.progress(f"{source.slug}: {what} {source.display}")
        computed = self._compute([sources[i] for i in todo], targets)
        for i, outcome in zip(todo, computed, strict=True):
            outcomes[i] = outcome
            self._remember(outcome, keys[i])
        if self.cache is not None:
            self.cache.prune()
        return [
            replace(outcome, key=k.check if k else "")
            for outcome, k in zip(outcomes, keys, strict=True)
            if outcome is not None
        ]

    def overview(
        self, specs: Path, outcomes: Sequence[Outcome], targets: tuple[Target, ...]
    ) -> tuple[Files, list[str]]:
        """The pages about every API at once (see `pipeline.render_overview`), from the cache
        when the comparison and every spec are as they were."""
        from generator import pipeline

        source = specs / COMPARISON
        try:
            comparison = source.read_bytes()
        except OSError:
            comparison = b""
        name = cache_module.key(
            cache_module.fingerprint(),
            "overview",
            str(source.resolve()),
            comparison,
            *targets,
            *(outcome.key for outcome in outcomes),
        )
        if self.cache is not None:
            found = self.cache.load("overviews", name)
            if isinstance(found, tuple) and len(found) == 2:
                return found
        apis = [outcome.api for outcome in outcomes]
        result = pipeline.render_overview(specs, apis, targets)
        if self.cache is not None:
            self.cache.store("overviews", name, result)
        return result

    def _compute(
        self, sources: Sequence[SpecSource], targets: tuple[Target, ...] | None
    ) -> list[Outcome]:
        jobs = min(self.jobs, len(sources))
        if jobs <= 1:
            collecting = gc.isenabled()
            gc.disable()  # as in a worker (see `workers`)
            try:
                outcomes = [_check(source) for source in sources]
                if targets is None:
                    return outcomes
                return [
                    _rendered(outcome, _render(outcome.api, targets)) if outcome.ok else outcome
                    for outcome in outcomes
                ]
            finally:
                if collecting:
                    gc.enable()
        return self._in_workers(sources, targets, jobs)

    def _in_workers(
        self, sources: Sequence[SpecSource], targets: tuple[Target, ...] | None, jobs: int
    ) -> list[Outcome]:
        """Checks, models and rendering as tasks for the two groups of workers (`workers.Pool`):
        a spec's models are made as soon as it is checked, and the spec rendered as soon as its
        models are made. Checks come first, so the models workers are never short of work."""
        from generator.workers import MODELS, OTHER, Pool

        with_models = targets is not None and any(t in targets for t in _WITH_MODELS)
        sizes = {MODELS: jobs // 2, OTHER: jobs - jobs // 2} if with_models else {OTHER: jobs}
        outcomes: dict[int, Outcome] = {}
        with Pool(sizes) as pool:
            if with_models:
                pool.submit(MODELS, 0, ("prepare", -1), _prepare_models)
            # Largest first, so the longest spec is not the one left running alone at the end.
            for i in sorted(range(len(sources)), key=lambda i: -_size(sources[i].path)):
                pool.submit(OTHER, 0, ("check", i), _check, sources[i])
            for (stage, i), result in pool.results():
                if stage == "check":
                    outcomes[i] = result
                    if targets is None or not result.ok:
                        continue
                    if with_models:
                        pool.submit(MODELS, 1, ("models", i), _models, result.api)
                    else:
                        task = ("render", i)
                        pool.submit(OTHER, 1, task, _render_with, result.api, targets, None)
                elif stage == "models" and isinstance(result, BaseException):
                    outcomes[i] = replace(outcomes[i], failure=result)
                elif stage == "models":
                    assert targets is not None
                    api = outcomes[i].api
                    pool.submit(OTHER, 1, ("render", i), _render_with, api, targets, result)
                elif stage == "render":
                    outcomes[i] = _rendered(outcomes[i], result)
        return [outcomes[i] for i in range(len(sources))]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
