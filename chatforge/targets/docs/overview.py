"""The comparison across APIs: which capability each API offers, through which operations.

Its source is `comparison/capabilities.yaml` in the specs folder, a curated map checked against
the specs (every API and operation it names must exist); it renders to `overview/comparison.md`
of the output, beside the APIs' own folders. It is checked and made when every spec is validated
or generated at once, since it speaks of them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatforge.config import COMPARISON
from chatforge.diagnostics import Diagnostics, SpecError
from chatforge.ir.model import Api
from chatforge.spec.loader import parse_yaml
from chatforge.targets.docs.overview_events import section as events_section
from chatforge.targets.docs.places import names as doc_names
from chatforge.targets.text import anchor, code, md

SOURCE = COMPARISON
FOLDER = "overview"  # beside the APIs' folders in the output
PAGE = f"{FOLDER}/comparison.md"
_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Capability:
    id: str
    title: str
    description: str
    operations: tuple[tuple[str, tuple[str, ...]], ...]  # (API slug, operation ids), by slug


@dataclass(frozen=True)
class Group:
    title: str
    capabilities: tuple[Capability, ...]


def _text(value: Any, what: str, pointer: str, found: Diagnostics) -> str:
    if not isinstance(value, str) or not value.strip():
        found.error(f"{what} must be a non-empty string", pointer)
        return ""
    return value


def _capability(
    node: Any, pointer: str, apis: dict[str, Api], seen: set[str], found: Diagnostics
) -> Capability | None:
    if not isinstance(node, dict):
        found.error("a capability is a mapping with id, title, description, operations", pointer)
        return None
    unknown = sorted(set(node) - {"id", "title", "description", "operations"})
    if unknown:
        found.error(f"unknown keys {', '.join(unknown)}", pointer)
    ident = _text(node.get("id"), "id", f"{pointer}/id", found)
    if ident and not _ID.match(ident):
        found.error(f"id {ident!r} is not kebab-case", f"{pointer}/id")
    if ident in seen:
        found.error(f"capability id {ident!r} is used twice", f"{pointer}/id")
    seen.add(ident)
    title = _text(node.get("title"), "title", f"{pointer}/title", found)
    description = _text(node.get("description"), "description", f"{pointer}/description", found)
    operations = node.get("operations")
    if not isinstance(operations, dict):
        found.error("operations must map API slugs to lists of operation ids", pointer)
        return None
    offered = []
    for slug, ids in sorted(operations.items()):
        where = f"{pointer}/operations/{slug}"
        api = apis.get(slug)
        if api is None:
            found.error(f"no spec has the slug {slug!r}; the specs are {', '.join(apis)}", where)
            continue
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            found.error("a list of operation ids", where)
            continue
        known = {op.operation_id for op in api.operations}
        for index, op_id in enumerate(ids):
            if op_id not in known:
                found.error(f"{slug} has no operation {op_id!r}", f"{where}/{index}")
        if len(set(ids)) != len(ids):
            found.error("an operation is listed twice", where)
        if ids:
            offered.append((slug, tuple(ids)))
    return Capability(ident, title, description, tuple(offered))


def load(specs: Path, apis: Sequence[Api]) -> tuple[Group, ...] | None:
    """The groups of capabilities, checked against `apis`; None when the specs folder has no
    comparison. Raises SpecError, located in the file, on any problem."""
    path = specs / SOURCE
    if not path.is_file():
        return None
    try:
        display = os.path.relpath(path)  # as the specs' own diagnostics name their files
    except ValueError:
        display = str(path)
    document, positions = parse_yaml(path.read_text(encoding="utf-8"), display)
    found = Diagnostics(display, positions)
    by_slug = {api.slug: api for api in apis}
    groups = document.get("groups") if isinstance(document, dict) else None
    if not isinstance(groups, list) or not groups:
        found.error("the comparison is a mapping with a non-empty list `groups`")
        raise SpecError(list(found))
    result = []
    seen: set[str] = set()
    for g, group in enumerate(groups):
        pointer = f"/groups/{g}"
        if not isinstance(group, dict) or not isinstance(group.get("capabilities"), list):
            found.error("a group is a mapping with a title and a list of capabilities", pointer)
            continue
        title = _text(group.get("title"), "title", f"{pointer}/title", found)
        capabilities = [
            _capability(node, f"{pointer}/capabilities/{c}", by_slug, seen, found)
            for c, node in enumerate(group["capabilities"])
        ]
        result.append(Group(title, tuple(c for c in capabilities if c is not None)))
    if found.has_errors:
        raise SpecError(list(found))
    return tuple(result)


def render(groups: Sequence[Group], apis: Sequence[Api]) -> dict[str, str]:
    """`overview/comparison.md`: a matrix of capabilities by API, then each capability with links
    to its operations in each API's reference (`<slug>/docs/`, beside it in the output)."""
    ordered = sorted(apis, key=lambda api: api.slug)
    where = {api.slug: doc_names(api) for api in ordered}
    ops = {api.slug: {op.operation_id: op for op in api.operations} for api in ordered}
    lines = [
        "# Comparison of the APIs",
        "",
        "Which platform offers which capability, and through which operations. A number in the "
        "table counts the operations; it links to the capability's section below, which links "
        "each operation to its reference. An empty cell: the API has no operation for it.",
        "",
        "| capability | " + " | ".join(md(api.title) for api in ordered) + " |",
        "|---|" + "---:|" * len(ordered),
    ]
    for group in groups:
        lines.append(f"| **{md(group.title)}** |" + " |" * len(ordered))
        for capability in group.capabilities:
            offered = dict(capability.operations)
            cells = [
                f"[{len(offered[api.slug])}](#{anchor(capability.id)})"
                if api.slug in offered
                else ""
                for api in ordered
            ]
            lines.append(f"| {md(capability.title)} | " + " | ".join(cells) + " |")
    lines.append("")
    for group in groups:
        lines += [f"## {md(group.title)}", ""]
        for capability in group.capabilities:
            lines += [
                f'<a id="{anchor(capability.id)}"></a>',
                "",
                f"### {md(capability.title)}",
                "",
                md(capability.description),
                "",
                "| API | operations |",
                "|---|---|",
            ]
            offered = dict(capability.operations)
            for api in ordered:
                if api.slug not in offered:
                    lines.append(f"| {md(api.title)} | none |")
                    continue
                links = ", ".join(
                    f"[{code(op_id)}](../{api.slug}/docs/"
                    f"{where[api.slug].operation_link(ops[api.slug][op_id])})"
                    for op_id in offered[api.slug]
                )
                lines.append(f"| {md(api.title)} | {links} |")
            lines.append("")
    lines += events_section(ordered)
    return {PAGE: "\n".join(lines).rstrip("\n") + "\n"}
