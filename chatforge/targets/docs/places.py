"""Where everything lives in the docs: the page of each tag and schema, the anchor of each
operation, model and security scheme, and the titles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chatforge.ir.model import (
    Api,
    Model,
    Operation,
)
from chatforge.reserved import DOCS_PAGES
from chatforge.targets.text import (
    anchor,
    md_link,
    one_line,
)

INDEX = "index.md"
SCHEMAS = "schemas.md"
QUICKSTART = "quickstart.md"
EXPLORER = "explorer.md"
MAINTAINERS = "maintainers.md"
NAV = "nav.json"


@dataclass(frozen=True)
class Names:
    """Where everything lives: page file per tag, anchor per operation and per model."""

    pages: Mapping[str, str]  # tag name -> file name
    operations: Mapping[str, str]  # operation id -> anchor
    models: Mapping[str, str]  # model name -> anchor
    schemes: Mapping[str, str]  # security scheme name -> anchor in index.md
    titles: Mapping[str, str] = field(default_factory=dict)  # tag name -> title
    schema_pages: Mapping[str, str] = field(default_factory=dict)  # model name -> file name

    def operation_link(self, op: Operation) -> str:
        return f"{self.pages[op.tag]}#{self.operations[op.operation_id]}"

    def model_page(self, name: str) -> str:
        return self.schema_pages.get(name, SCHEMAS)

    def model_link(self, name: str, page: str | None = None) -> str:
        """A link to a model's section; `page` "" links within the page it is on."""
        target = self.model_page(name) if page is None else page
        return md_link(name, f"{target}#{self.models[name]}")


def _unique(names: Iterable[str]) -> dict[str, str]:
    """An anchor per name, with `-2`, `-3`... where two names would share one."""
    used: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        base = anchor(name)
        candidate, count = base, 1
        while candidate in used:
            count += 1
            candidate = f"{base}-{count}"
        used.add(candidate)
        result[name] = candidate
    return result


_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "with"}
)


def title_case(name: str) -> str:
    """A tag's name as a person would title it: `open_channel_metadata` and `channel-types`
    become "Open Channel Metadata" and "Channel Types"; a word with a capital stays as it is."""
    words = [w for w in re.split(r"[\s_\-]+", one_line(name)) if w]
    titled = [
        word
        if any(c.isupper() for c in word) or (index and word in _SMALL_WORDS)
        else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    ]
    return " ".join(titled) or one_line(name) or "Operations"


_REF = re.compile(r'"#/components/schemas/((?:[^"\\]|\\.)*)"')


def schema_of(model: Model) -> dict[str, Any]:
    try:
        schema = json.loads(model.schema_json)
    except ValueError:
        return {}
    return schema if isinstance(schema, dict) else {}


def all_of(model: Model) -> tuple[str, ...]:
    """The models a model combines with `allOf`, each of whose members it has."""
    parts = schema_of(model).get("allOf")
    refs = [p.get("$ref") for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []
    prefix = "#/components/schemas/"
    return tuple(r[len(prefix) :] for r in refs if isinstance(r, str) and r.startswith(prefix))


def model_refs(model: Model) -> tuple[str, ...]:
    """The models a model names: through its properties, variants and anywhere in its schema."""
    found = [p.model for p in model.properties if p.model]
    found += [*model.variants, *all_of(model)]
    found += [json.loads(f'"{name}"') for name in _REF.findall(model.schema_json)]
    return tuple(dict.fromkeys(found))


def operation_models(op: Operation) -> tuple[str, ...]:
    """The models an operation names directly: its body, fields, variants and responses."""
    found: list[str] = []
    if op.body is not None:
        found.append(op.body.model)
    for f in (*op.parameters, *(g for fn in op.functions for g in fn.body_fields)):
        found += f.type.models
    found += [fn.variant for fn in op.functions if fn.variant]
    found += [r.model for r in op.responses if r.model]
    return tuple(dict.fromkeys(found))


def _schema_pages(api: Api, pages: Mapping[str, str]) -> dict[str, str]:
    """The page of each model: that of the first tag, in spec order, whose operations reach it;
    a model no operation reaches stays on the schemas index."""
    by_name = {m.name: m for m in api.models}
    placed: dict[str, str] = {}
    for tag in api.tags:
        page = f"schemas-{pages[tag.name].removesuffix('.md')}.md"
        queue = [name for op in tag.operations for name in operation_models(op)]
        while queue:
            name = queue.pop(0)
            if name in placed or name not in by_name:
                continue
            placed[name] = page
            queue += model_refs(by_name[name])
    return placed


def names(api: Api) -> Names:
    pages: dict[str, str] = {}
    used = set()
    for tag in api.tags:
        stem = tag.py if tag.py not in DOCS_PAGES else f"{tag.py}_operations"
        while stem in used:
            stem += "_"
        used.add(stem)
        pages[tag.name] = f"{stem}.md"
    return Names(
        pages=pages,
        operations=_unique(op.operation_id for op in api.operations),
        models=_unique(m.name for m in api.models),
        schemes=_unique(s.name for s in api.security),
        titles={tag.name: title_case(tag.name) for tag in api.tags},
        schema_pages=_schema_pages(api, pages),
    )


def scheme_anchor(where: Names, name: str) -> str:
    return f"auth-{where.schemes[name]}" if name in where.schemes else "authentication"
