"""How many interpreter frames a generated models module needs to build a cycle of references,
per model and per kind of reference: the measurement behind `chatforge.graph.FRAME_COST`.

For each kind of reference (a property that may be left out, an array or a map of it, the model or
null, one of two models) and each length of cycle, the script makes a spec whose named schemas
refer to one another in one cycle, has chatforge make its models module, and finds by bisection
the lowest recursion limit under which the models module of its generated client, and of its
generated server, imports (pydantic builds every model) and validates a value nested once round
the cycle. A reference through an optional member costs more in the server, whose models refuse
an explicit null there. It prints, per kind, the frames each length needed,
the frames each model of the cycle costs (the slope), the frames any module needs (the
intercept), and chatforge's estimate of the same modules.

    .venv/bin/python bench/model_depth.py [--lengths 8 16 32] [--kinds optional array]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REF = "#/components/schemas/"


def _edge(kind: str, target: str) -> dict[str, Any]:
    ref = {"$ref": f"{REF}{target}"}
    if kind == "optional":
        return ref
    if kind == "array":
        return {"type": "array", "items": ref}
    if kind == "map":
        return {"type": "object", "additionalProperties": ref}
    if kind == "nullable":
        return {"anyOf": [ref, {"type": "null"}]}
    if kind == "union":
        return {"oneOf": [ref, {"$ref": f"{REF}Leaf"}]}
    raise ValueError(kind)


def cycle_spec(kind: str, length: int) -> dict[str, Any]:
    """A spec of `length` schemas N0 -> N1 -> ... -> N0, each referring to the next by `kind`."""
    schemas: dict[str, Any] = {
        f"N{i}": {
            "type": "object",
            "required": ["name"] if kind == "optional" else ["name", "next"],
            "properties": {"name": {"type": "string"}, "next": _edge(kind, f"N{(i + 1) % length}")},
        }
        for i in range(length)
    }
    schemas["Leaf"] = {"type": "object", "properties": {"leaf": {"type": "boolean"}}}
    get = {
        "operationId": "get_head",
        "responses": {
            "200": {
                "description": "The head.",
                "content": {"application/json": {"schema": {"$ref": f"{REF}N0"}}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cycle", "version": "1"},
        "paths": {"/head": {"get": get}},
        "components": {"schemas": schemas},
    }


def packages_of(spec: dict[str, Any], folder: Path) -> int:
    """Writes the client and server chatforge makes of `spec` into `folder`; the frames chatforge
    estimates their models need."""
    from chatforge.ir import build
    from chatforge.run import pipeline
    from chatforge.spec import loader
    from chatforge.targets import modelgen

    path = folder / "cycle.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    api, _ = build.build(loader.load(path, "cycle.json"), "cycle", "Cycle")
    for name, content in pipeline.render(api, ["client", "server"]).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    return modelgen.frames_needed(api)


PROBE = """
import sys
sys.setrecursionlimit({limit})
from {package} import models
head = models.N0
value = {value}
head.model_validate(value).model_dump_json()
"""


def _value(kind: str, length: int) -> dict[str, Any]:
    """A value of N0 that goes once round the cycle."""
    ends: dict[str, Any] = {"array": [], "map": {}, "nullable": None, "union": {"leaf": True}}
    value: dict[str, Any] = {"name": "last", **({"next": ends[kind]} if kind in ends else {})}
    for i in reversed(range(1, length)):
        inner: Any = value
        if kind == "array":
            inner = [value]
        elif kind == "map":
            inner = {"k": value}
        value = {"name": f"n{i}", "next": inner}
    return value


def builds(folder: Path, package: str, limit: int, kind: str, length: int) -> bool:
    probe = PROBE.format(limit=limit, package=package, value=repr(_value(kind, length)))
    path = str(folder / "cycle" / package.split("_")[-1])
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={"PYTHONPATH": path}
    )
    if result.returncode and "RecursionError" not in result.stderr:
        raise RuntimeError(result.stderr[-2000:])
    return result.returncode == 0


def lowest_limit(folder: Path, package: str, kind: str, length: int) -> int:
    low, high = 30, 200
    while builds(folder, package, high, kind, length) is False:
        low, high = high, high * 2
    while high - low > 4:
        middle = (low + high) // 2
        if builds(folder, package, middle, kind, length):
            high = middle
        else:
            low = middle
    return high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[8, 16, 32, 48])
    kinds = ["optional", "array", "map", "nullable", "union"]
    parser.add_argument("--kinds", nargs="+", default=kinds, choices=kinds)
    options = parser.parse_args()
    for kind in options.kinds:
        for package in ("cycle_client", "cycle_server"):
            rows = []
            for length in options.lengths:
                with tempfile.TemporaryDirectory() as scratch:
                    folder = Path(scratch)
                    estimate = packages_of(cycle_spec(kind, length), folder)
                    rows.append((length, lowest_limit(folder, package, kind, length), estimate))
            (first, need_first, _), (last, need_last, _) = rows[0], rows[-1]
            slope = (need_last - need_first) / (last - first)
            intercept = need_first - slope * first
            print(f"{kind}, {package}.models: {slope:.1f} frames per model, {intercept:.0f} more")
            for length, need, estimate in rows:
                print(f"  cycle of {length:3}: needs {need:5} frames, estimated {estimate:5}")


if __name__ == "__main__":
    main()
