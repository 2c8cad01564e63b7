"""Where chatforge's cold generation spends its CPU: every spec of the project (or the specs
named) through each stage, one after the other in one process, with the CPU seconds of each
stage (ruff's processes included) printed as JSON. `bench/generation.py` runs it for its report;
by hand:

    .venv/bin/python bench/stages.py
    .venv/bin/python bench/stages.py stream /tmp/large.yaml   # a slug, or a spec file

The stages are those the workers of `chatforge generate` run, without the workers, the cache or
the writing of files, so their sum is the CPU that any schedule of the work has to spend.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

# In the order they happen to a spec; the first three are paid once per process.
STAGES = (
    "import what checking needs",
    "import what rendering needs",
    "datamodel-code-generator: import and warm-up",
    "check: load, validate, lint, build the IR",
    "datamodel-code-generator: the models modules",
    "render the docs",
    "render the code (models, client, server)",
    "ruff: imports sorted, code formatted",
)


def cpu_seconds() -> float:
    """User and system CPU of this process and of the children it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(names: tuple[str, ...] = ()) -> dict[str, float]:
    spent = dict.fromkeys(STAGES, 0.0)

    @contextmanager
    def stage(index: int) -> Iterator[None]:
        began = cpu_seconds()
        yield
        spent[STAGES[index]] += cpu_seconds() - began

    gc.disable()  # as in chatforge's workers
    with stage(0):
        from chatforge.config import load_config
        from chatforge.run import pipeline  # noqa: F401
    with stage(1):
        from chatforge.output.formatting import format_python
        from chatforge.targets import client, docs, render, renderer, server  # noqa: F401
    with stage(2):
        from chatforge.targets import modelgen

        modelgen.prepare()
    for source in pipeline.find_specs(load_config(), names):
        with stage(3):
            checked = pipeline.check(source)
        if checked.built is None:
            raise SystemExit(f"{source.slug} does not check cleanly: run chatforge validate")
        api = checked.built[0]
        with stage(4):
            models = modelgen.models_module(api)
        with stage(5):
            renderer("docs")(api)
        files: dict[str, str] = {}
        with stage(6):
            for target in ("models", "client", "server"):
                files.update({f"{target}/{p}": t for p, t in render(target, api, models).items()})
        with stage(7):
            format_python(files)
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("specs", nargs="*", help="slugs or spec files (default: every spec)")
    arguments = parser.parse_args(argv)
    began = time.perf_counter()
    spent = measure(tuple(arguments.specs))
    print(json.dumps({"stages": spent, "wall": time.perf_counter() - began}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
