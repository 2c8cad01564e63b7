"""What the docs templates print: tables, code blocks and bullets, and the Markdown of types,
field notes, schema properties, rate limits and the source line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chatforge.ir.model import (
    Api,
    Constraint,
    Function,
    RateLimit,
    SchemaProperty,
)
from chatforge.targets.docs.places import Names
from chatforge.targets.text import (
    code,
    md,
    md_fence,
    md_inline,
    md_sentence,
    normalise,
)

MOCK_URL = "http://127.0.0.1:8000"
NEST = 2  # how deep the shapes of nested objects unfold in place
WRAP_AT = 88  # an example call longer than this puts one argument per line


def values(enum_text: str) -> tuple[str, ...]:
    """`"a", "b"` (the IR's enum text) as one code span per value."""
    try:
        parsed = json.loads(f"[{enum_text}]")
    except ValueError:
        return (code(enum_text),)
    return tuple(code(json.dumps(value, ensure_ascii=False)) for value in parsed)


def allowed_md(enum_text: str) -> str:
    spans = values(enum_text)
    return f"One of {', '.join(spans)}." if len(spans) > 1 else f"Must be {''.join(spans)}."


@dataclass(frozen=True)
class Table:
    """A pipe table. Every cell is finished, one-line Markdown; an empty cell is ""."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def rule(self) -> str:
        return "|" + "---|" * len(self.header)


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    built = tuple(tuple(cell.replace("\n", " ") for cell in row) for row in rows)
    if any(len(row) != len(header) for row in built):
        raise ValueError("a table row does not match its header")
    return Table(tuple(header), built)


@dataclass(frozen=True)
class CodeBlock:
    fence: str
    language: str
    text: str


def code_block(text: str, language: str = "python") -> CodeBlock:
    text = normalise(text).rstrip("\n")
    return CodeBlock(md_fence(text), language, text)


@dataclass(frozen=True)
class Item:
    """A bullet: finished Markdown, with sub-bullets."""

    text_md: str
    items_md: tuple[str, ...] = ()


def type_md(label: str, models: Sequence[str], where: Names, page: str | None = None) -> str:
    """A type label with each model it names linked to the model's section."""
    linked = [m for m in dict.fromkeys(models) if m in where.models]
    if not linked:
        return md_inline(label)
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])("
        + "|".join(re.escape(m) for m in sorted(linked, key=len, reverse=True))
        + r")(?![A-Za-z0-9_])"
    )
    pieces = pattern.split(label)
    out = [
        where.model_link(piece, page) if index % 2 else md_inline(piece, keep_edges=True)
        for index, piece in enumerate(pieces)
    ]
    missing = [m for m in linked if m not in pieces[1::2]]
    if missing:
        out.append(" (" + ", ".join(where.model_link(m, page) for m in missing) + ")")
    return "".join(out).strip()


def _constraint_value(c: Constraint) -> str:
    """The constraint's value as a code span; a string shows without its JSON quotes."""
    try:
        value = json.loads(c.value)
    except ValueError:
        value = c.value
    return code(value if isinstance(value, str) else c.value)


def notes_md(
    description: str,
    *,
    enum_text: str | None = None,
    default_text: str | None = None,
    constraints: Sequence[Constraint] = (),
    const_repr: str | None = None,
    deprecated: bool = False,
    style: str | None = None,
    is_file: bool = False,
) -> str:
    """The description cell of a field or property: its text, then what values it takes."""
    parts = ["**Deprecated.**"] if deprecated else []
    if description:
        parts.append(md_sentence(description))
    if const_repr is not None:
        parts.append(f"The client method sends {code(const_repr)}; it is not an argument.")
    elif enum_text:
        parts.append(allowed_md(enum_text))
    if default_text is not None:
        parts.append(f"Default {code(default_text)}.")
    formats = [c for c in constraints if c.name == "format" and not is_file]
    if formats:
        parts.append(f"Format {_constraint_value(formats[0])}.")
    shown = [f"{md(c.name)} {_constraint_value(c)}" for c in constraints if c.name != "format"]
    if shown:
        parts.append("Constraints: " + ", ".join(shown) + ".")
    if style == "deepObject":
        parts.append("Sent as `name[key]=value` pairs.")
    elif style == "json":
        parts.append("Sent as a JSON string.")
    return " ".join(parts)


def arguments(function: Function) -> dict[tuple[str, str], str]:
    """(location, wire name) -> the client method's argument for it.

    The function's own fields carry the argument names (a body property that shares its name
    with a parameter becomes `body_<name>`); a fixed (`const`) property has no argument."""
    return {(f.location, f.wire): f.py for f in function.fields}


def rate_limit_md(limit: RateLimit | None) -> str:
    if limit is None:
        return "not given in the spec"
    text = md_inline(limit.text)
    if limit.note:
        text += f". {md_sentence(limit.note)}"
    return text


PROPERTY_HEADER = ("property", "type", "required", "description")


def property_row(prop: SchemaProperty, where: Names) -> tuple[str, ...]:
    return (
        code(prop.wire),
        type_md(prop.label, (prop.model,) if prop.model else (), where),
        "yes" if prop.required else "no",
        notes_md(
            prop.description,
            enum_text=prop.enum_text,
            default_text=prop.default_text,
            constraints=prop.constraints,
            is_file=prop.label == "file",
        ),
    )


def source_md(api: Api) -> str:
    parts = [f"Generated by chatforge from {code(api.spec_file)}"]
    if api.version:
        parts[0] += f", API version {code(api.version)}"
    if api.source_document:
        text = f"The source document is {code(api.source_document)}"
        if api.source_functions:
            covered = len(api.covered_rows)
            text += f"; this API covers {covered} of {api.source_functions} documented functions"
        parts.append(text)
    return "**Source:** " + ". ".join(parts) + "."
