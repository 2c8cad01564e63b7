"""The example calls of the docs: which arguments an example passes, and the call it makes."""

from __future__ import annotations

import json

from chatforge.ir.model import (
    Body,
    Field,
    Function,
    Operation,
    Tag,
)
from chatforge.targets.docs.view import WRAP_AT


def _example_keys(body: Body | None) -> frozenset[str]:
    """Body properties the spec's own request example gives a value for."""
    if body is None or body.example_json is None:
        return frozenset()
    try:
        example = json.loads(body.example_json)
    except ValueError:
        return frozenset()
    return frozenset(example) if isinstance(example, dict) else frozenset()


def example_args(op: Operation, function: Function) -> list[Field]:
    """Required arguments, and optional body arguments the spec's example gives a value for.

    The spec's body example belongs to the whole operation, so on a shared route only the
    required arguments are shown."""
    given = frozenset() if op.shared else _example_keys(op.body)
    return [f for f in function.fields if f.required or (f.location == "body" and f.wire in given)]


def example_call(
    tag: Tag, op: Operation, function: Function
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(import lines, call lines) of the example for one function."""
    fields = example_args(op, function)
    args = [f"{f.py}={f.example_repr}" for f in fields]
    target = {"json": "result = ", "binary": "data = ", "empty": ""}[op.success.kind]
    call = f"{target}client.{tag.py}.{tag.names.method(op, function)}"
    one_line = f"{call}({', '.join(args)})"
    if len(one_line) <= WRAP_AT:
        lines: tuple[str, ...] = (one_line,)
    else:
        lines = (f"{call}(", *(f"    {arg}," for arg in args), ")")
    imports = ("from pathlib import Path",) if any(f.type.is_file for f in fields) else ()
    return imports, lines


def example_code(tag: Tag, op: Operation, function: Function) -> str:
    imports, lines = example_call(tag, op, function)
    return "\n".join((*imports, "", *lines) if imports else lines)
