"""The page for maintainers (`maintainers.md`): how the spec was curated, its assumptions and
its coverage of the source document."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatforge.ir.model import (
    Api,
)
from chatforge.targets.docs.places import Names
from chatforge.targets.docs.view import Item, Table, source_md, table
from chatforge.targets.text import (
    MD_BULLET,
    code,
    md,
    md_link,
    md_prose,
    md_sentence,
    normalise,
    one_line,
)


@dataclass(frozen=True)
class MaintainersPage:
    title: str
    intro_md: str
    source_md: str
    curation_md: tuple[str, ...]
    assumed: tuple[Item, ...]
    functions: Table
    aliases: Table | None


def is_curation(paragraph: str) -> bool:
    """A paragraph of a description that tells how the spec was made from its sources."""
    first = re.split(r"(?<=[.!?:])\s", one_line(paragraph), maxsplit=1)[0]
    return bool(re.search(r"\b(source document|this spec|the document|SDK)\b", first, re.I))


def split_paragraphs(text: str) -> tuple[list[str], list[str]]:
    """The paragraphs of a description (spec text) for the API's users, and for maintainers:
    a curation paragraph, and a list after it that it introduces, go to maintainers."""
    users: list[str] = []
    curation: list[str] = []
    moving = False
    for paragraph in re.split(r"\n\s*\n", normalise(text).strip()):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        is_list = bool(lines) and all(MD_BULLET.match(line) for line in lines)
        if is_curation(paragraph) or (moving and is_list):
            curation.append(paragraph)
            moving = one_line(paragraph).endswith(":") or is_list
        else:
            users.append(paragraph)
            moving = False
    return users, curation


def split_description(text: str) -> tuple[str, str]:
    """`split_paragraphs`, as Markdown."""
    users, curation = split_paragraphs(text)
    return md_prose("\n\n".join(users)), md_prose("\n\n".join(curation))


def assumptions(api: Api, where: Names) -> tuple[Item, ...]:
    """What the spec assumes where the vendor's documents say nothing: of the API, a host, the
    answers of operations (grouped by assumption) and the models."""
    assumed = [Item(md_sentence(text)) for text in api.assumed]
    for server in api.servers:
        if server.assumed:
            assumed.append(Item(f"Host {code(server.url)}: {md_sentence(server.assumed)}"))
    answers: dict[str, dict[str, list[str]]] = {}  # assumption -> operation link -> statuses
    for op in api.operations:
        for r in op.responses:
            if r.assumed:
                target = md_link(op.summary or op.operation_id, where.operation_link(op))
                answers.setdefault(r.assumed, {}).setdefault(target, []).append(code(r.status))
    for text, found in answers.items():
        where_md = ", ".join(f"{target} ({', '.join(codes)})" for target, codes in found.items())
        assumed.append(Item(f"{md_sentence(text)} Answers: {where_md}."))
    for model in api.models:
        if model.assumed:
            assumed.append(Item(f"{where.model_link(model.name)}: {md_sentence(model.assumed)}"))
    return tuple(assumed)


def maintainers_page(api: Api, where: Names) -> MaintainersPage:
    _, curation = split_description(api.description)
    rows = []
    for tag in api.tags:
        names = tag.names
        for op in tag.operations:
            for function in op.functions:
                rows.append(
                    (
                        str(function.row) if function.row is not None else "",
                        md(function.title),
                        md_link(op.summary or op.operation_id, where.operation_link(op)),
                        code(f"{op.method} {function.path or op.path}"),
                        code(f"client.{tag.py}.{names.method(op, function)}()"),
                    )
                )
    aliases = [
        (
            md_link(op.summary or op.operation_id, where.operation_link(op)),
            code(op.path),
            ", ".join(code(a) for a in op.aliases),
        )
        for op in api.operations
        if op.aliases
    ]
    return MaintainersPage(
        title=f"For maintainers: {api.title}",
        intro_md=(
            "How this reference traces back to the vendor's documents: the source, what the "
            "spec corrects or assumes, and the documented function behind every client method. "
            "Callers of the API need none of it."
        ),
        source_md=source_md(api),
        curation_md=tuple(p for p in curation.split("\n\n") if p),
        assumed=assumptions(api, where),
        functions=table(
            ("row", "documented function", "operation", "route", "client method"), rows
        ),
        aliases=(
            table(("operation", "live path", "paths the source document gives"), aliases)
            if aliases
            else None
        ),
    )
