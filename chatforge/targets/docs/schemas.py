"""The schemas: an index of every model, and a page of shapes per tag."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatforge.ir.model import (
    Api,
    Model,
)
from chatforge.targets.docs.places import INDEX, SCHEMAS, Names, all_of, schema_of
from chatforge.targets.docs.view import PROPERTY_HEADER, Table, property_row, table
from chatforge.targets.text import (
    code,
    md,
    md_link,
    md_prose,
    md_sentence,
    one_line,
)


@dataclass(frozen=True)
class ModelSection:
    anchor: str
    name: str
    description_md: str
    shape_md: str | None  # for a schema without properties: what it is
    properties: Table | None


@dataclass(frozen=True)
class SchemaGroup:
    """The schemas index lists each page of shapes with the shapes on it."""

    title_md: str
    link_md: str
    table: Table


@dataclass(frozen=True)
class SchemasPage:
    title: str
    intro_md: str
    groups: tuple[SchemaGroup, ...]
    models: tuple[ModelSection, ...]
    # The index's list of the shapes shown below it (those no operation uses, such as events').
    rest: SchemaGroup | None = None


def shape_md(model: Model, where: Names) -> str | None:
    """What a schema is when it has no property table: a union, an enum, a scalar..."""
    if model.variants:
        links = [where.model_link(v) if v in where.models else code(v) for v in model.variants]
        return "One of: " + ", ".join(links) + "."
    combined = all_of(model)
    if combined:
        links = [where.model_link(v) if v in where.models else code(v) for v in combined]
        return "Has every member of each of: " + ", ".join(links) + "."
    if model.properties:
        return None
    schema = schema_of(model)
    if not schema:
        return None
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else [k for k in kind or () if isinstance(k, str)]
    text = f"A {' or '.join(md(k) for k in kinds)} value." if kinds else "Any JSON value."
    if isinstance(schema.get("enum"), list):
        text += (
            " One of "
            + ", ".join(code(json.dumps(v, ensure_ascii=False)) for v in schema["enum"])
            + "."
        )
    elif "const" in schema:
        text += f" Always {code(json.dumps(schema['const'], ensure_ascii=False))}."
    elif "object" in kinds:
        text = "An object with free-form properties."
    return text


def model_section(model: Model, where: Names) -> ModelSection:
    return ModelSection(
        anchor=where.models[model.name],
        name=model.name,
        description_md=md_prose(model.description),
        shape_md=shape_md(model, where),
        properties=(
            table(PROPERTY_HEADER, (property_row(p, where) for p in model.properties))
            if model.properties
            else None
        ),
    )


def first_sentence(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s", one_line(text), maxsplit=1)[0]
    return md_sentence(first) if first else ""


def schema_pages(api: Api, where: Names) -> dict[str, SchemasPage]:
    """The schemas index, and a page per tag with the shapes its operations reach first."""
    by_page: dict[str, list[Model]] = {}
    for model in api.models:
        by_page.setdefault(where.model_page(model.name), []).append(model)
    groups = []
    pages: dict[str, SchemasPage] = {}
    for tag in api.tags:
        page = f"schemas-{where.pages[tag.name].removesuffix('.md')}.md"
        models = by_page.get(page, [])
        if not models:
            continue
        title = f"{where.titles[tag.name]}: schemas"
        pages[page] = SchemasPage(
            title=title,
            intro_md=(
                f"The shapes the {md_link(where.titles[tag.name], where.pages[tag.name])} "
                f"operations of the {md_link(api.title, INDEX)} are the first to use; every "
                f"shape of the API is listed in {md_link('Schemas', SCHEMAS)}. Property names "
                "are as they travel on the wire."
            ),
            groups=(),
            models=tuple(model_section(m, where) for m in models),
        )
        groups.append(_group(md(where.titles[tag.name]), md_link(title, page), models, where))
    rest = by_page.get(SCHEMAS, [])
    pages[SCHEMAS] = SchemasPage(
        title="Schemas",
        intro_md=(
            f"The named request and response shapes of the {md_link(api.title, INDEX)}, on a page "
            "per tag: each shape is on the page of the first tag whose operations use it, in "
            "the order the spec defines them."
        ),
        groups=tuple(groups),
        models=tuple(model_section(m, where) for m in rest),
        rest=_group("Other shapes", "below", rest, where) if rest and groups else None,
    )
    return pages


def _group(title_md: str, link_md: str, models: Sequence[Model], where: Names) -> SchemaGroup:
    rows = ((where.model_link(m.name), first_sentence(m.description)) for m in models)
    return SchemaGroup(title_md, link_md, table(("schema", "description"), rows))
