"""Decisions shared by the client and server targets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chatforge.config import RUNTIME
from chatforge.ir.model import Field, Operation


@dataclass(frozen=True)
class Import:
    module: str
    names: tuple[str, ...]

    @property
    def line(self) -> str:
        return f"from {self.module} import {', '.join(self.names)}"


def imports(pairs: Iterable[str], local: dict[str, str] | None = None) -> tuple[Import, ...]:
    """Group "module:name" pairs into sorted `from` imports; `local` maps short module keys."""
    grouped: dict[str, set[str]] = {}
    for pair in pairs:
        module, name = pair.split(":", 1)
        module = (local or {}).get(module, module)
        grouped.setdefault(module, set()).add(name)
    return tuple(
        Import(module, tuple(sorted(names, key=lambda n: (not n.isupper(), n.lower(), n))))
        for module, names in sorted(grouped.items())
    )


def runtime_files(kind: str, package: str) -> dict[str, str]:
    """The hand-written runtime, copied as it is into `<package>/_runtime/`."""
    folder = RUNTIME / kind
    return {
        f"{package}/_runtime/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted(folder.glob("*.py"))
    }


def styles(fields: Iterable[Field]) -> tuple[tuple[str, str], ...]:
    """Wire names whose encoding is not the plain one, for the runtime."""
    found: dict[str, str] = {}
    for field in fields:
        if field.style in ("deepObject", "json", "file", "csv") and field.location in (
            "query",
            "body",
        ):
            found[field.wire] = field.style
        elif field.explode and field.location in ("path", "header"):
            found[field.wire] = "exploded"
    return tuple(sorted(found.items()))


def all_body_fields(op: Operation) -> tuple[Field, ...]:
    """Every body property the operation can carry, across its functions' variants."""
    seen: dict[str, Field] = {}
    for field in op.body.fields if op.body else ():
        seen.setdefault(field.wire, field)
    for function in op.functions:
        for field in function.body_fields:
            if field.location == "body":
                seen.setdefault(field.wire, field)
    return tuple(seen.values())


def export_order(names: Iterable[str]) -> tuple[str, ...]:
    """`__all__` order as ruff's isort-style check wants it: CONSTANTS, Classes, then the rest."""

    def key(name: str) -> tuple[int, str]:
        group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        return group, name

    return tuple(sorted(set(names), key=key))
