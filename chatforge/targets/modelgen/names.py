"""Named schemas keep their names in the models module. datamodel-code-generator names a part of
a schema written inline after the member that holds it, and where that name is a named schema's
too, whichever it meets first takes it: a member `tax_code` that is a string or a `TaxCode`,
read before the schema `TaxCode`, makes its string part the class `TaxCode` and the schema
`TaxCodeModel`. The other targets name the schema's class `TaxCode`, so the two names are
exchanged back."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any


def components_named(module: str, schemas: dict[str, Any], tree: ast.Module) -> str:
    """`module` (parsed: `tree`) with each named schema of `schemas` that has properties
    defined under its own name, where datamodel-code-generator gave its name to an inline part
    and another to it."""
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    swaps: dict[str, str] = {}
    for name, schema in schemas.items():
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(properties, dict) or not properties or name not in classes:
            continue
        if _fields(classes[name]) == len(properties) and not _is_root(classes[name]):
            continue
        pattern = re.compile(rf"{re.escape(name)}(Model|\d+)")
        for other, node in classes.items():
            if (
                pattern.fullmatch(other)
                and other not in schemas
                and other not in swaps
                and not _is_root(node)
                and _fields(node) == len(properties)
            ):
                swaps[name], swaps[other] = other, name
                break
    return _renamed(module, swaps) if swaps else module


def _fields(node: ast.ClassDef) -> int:
    return sum(
        1
        for item in node.body
        if isinstance(item, ast.AnnAssign)
        and isinstance(item.target, ast.Name)
        and item.target.id != "model_config"
    )


def _is_root(node: ast.ClassDef) -> bool:
    return any("RootModel" in ast.unparse(base) for base in node.bases)


def _renamed(module: str, swaps: dict[str, str]) -> str:
    """`module` with every name token of `swaps` replaced (docstrings and strings untouched)."""
    lines = module.split("\n")
    edits: list[tuple[int, int, int, str]] = []
    for token in tokenize.generate_tokens(io.StringIO(module).readline):
        if token.type == tokenize.NAME and token.string in swaps:
            (row, start), (_, end) = token.start, token.end
            edits.append((row, start, end, swaps[token.string]))
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "\n".join(lines)
