"""The tasks of a run, typed: what each is, which group of workers takes it, and in which order
queued tasks are taken.

A spec goes through its tasks in this order: it is checked (load, validate, lint, build the IR);
then its models module is made while its docs are rendered; then the rest of its code (models,
client, server packages), which embeds the models module. The pages about every API at once
(the overview) are made once every spec is checked. The models generator is imported ahead of
the first spec (`PREPARE`), while that spec is checked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from chatforge.run.workers import MODELS, OTHER


class Stage(enum.Enum):
    PREPARE = "prepare"
    CHECK = "check"
    MODELS = "models"
    CODE = "code"
    OVERVIEW = "overview"
    DOCS = "docs"


# Of the tasks queued for a group, a free worker takes first the one of the lowest rank: checks,
# then code, the overview and docs; so the models worker is never short of work, and what waits
# on a task comes before what nothing waits on.
_RANK = {
    Stage.PREPARE: 0,
    Stage.CHECK: 0,
    Stage.MODELS: 1,
    Stage.CODE: 1,
    Stage.OVERVIEW: 2,
    Stage.DOCS: 3,
}
# The workers that take each stage (see `workers`): the models generator's own, and the rest.
_GROUP = {Stage.PREPARE: MODELS, Stage.MODELS: MODELS}

# The spec of a task that concerns no single spec.
EVERY_SPEC = -1


@dataclass(frozen=True)
class Task:
    """One piece of a run's work: a stage, of one spec (by its index in the run) or of every
    spec; `size` (the spec's bytes) puts larger specs first among tasks of the same rank.
    A task that renders names the targets it renders."""

    stage: Stage
    spec: int = EVERY_SPEC
    size: int = 0
    targets: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return _GROUP.get(self.stage, OTHER)

    @property
    def priority(self) -> tuple[int, int]:
        """Lower first; of equal priorities, the first submitted first."""
        return _RANK[self.stage], -self.size


# The stages that render a part of a spec's files.
PARTS = (Stage.CODE, Stage.DOCS)

# Where workers run side by side, a spec's code is rendered in these parts at once, each a task
# of its own, once its models module is made: the server package (whose models module keeps its
# root models) beside the models and client packages (which share the module with plain types).
CODE_PARTS: tuple[frozenset[str], ...] = (frozenset({"models", "client"}), frozenset({"server"}))
# Each process rendering a part holds the spec's IR, some 25 bytes of memory for each byte of the
# spec, beside what it renders: a spec of this size or more renders its code in one part, where
# a second part costs more memory than it saves time (at 10,000 operations, a 22 MiB spec, some
# 350 MiB more at the peak, and no time measurably saved).
SPLIT_BELOW = 8 * 1024 * 1024


def code_parts(code: tuple[str, ...], side_by_side: bool, size: int) -> list[tuple[str, ...]]:
    """The code targets of a spec of `size` bytes, as the tasks that render them take them: in
    `CODE_PARTS` where workers run side by side and the spec is under `SPLIT_BELOW`, else all
    in one; each part in the order the run names its targets."""
    if not side_by_side or size >= SPLIT_BELOW:
        return [code] if code else []
    parts = [tuple(t for t in code if t in part) for part in CODE_PARTS]
    rest = tuple(t for t in code if not any(t in part for part in CODE_PARTS))
    return [part for part in (*parts, rest) if part]
