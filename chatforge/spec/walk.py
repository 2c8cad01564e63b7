"""The one table of the JSON Schema keywords that hold subschemas, and the walks of a document
made with it: its schemas, nested ones too, and its mappings outside schemas. Within
`memoised(document)`, each walk of that document is made once and shared."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from chatforge.diagnostics import escape_pointer_token
from chatforge.spec.extensions import is_extension

Json = Any
Walk = Iterator[tuple[str, Mapping[str, Any]]]

# Keywords whose value is one subschema, a list of them, or a mapping of names to them.
SUBSCHEMA_ONE = (
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
)
SUBSCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAP = (
    "$defs",
    "definitions",
    "dependencies",
    "dependentSchemas",
    "patternProperties",
    "properties",
)
# Where the keys of a mapping are names someone chose, never OpenAPI's own words.
_NAMED = re.compile(r"/components/[^/]+|/paths|/webhooks")


def subschemas(schema: Json, pointer: str = "") -> Walk:
    """A schema and every schema inside it, with their pointers, depth first in the order of
    their text (`$ref`s are not followed; boolean schemas have none)."""
    stack: list[tuple[str, Json]] = [(pointer, schema)]
    while stack:
        where, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield where, node
        children: list[tuple[str, Json]] = []
        for key, value in node.items():
            child = f"{where}/{escape_pointer_token(key)}"
            if key in SUBSCHEMA_MAP and isinstance(value, dict):
                children += [(f"{child}/{escape_pointer_token(n)}", s) for n, s in value.items()]
            elif key in SUBSCHEMA_ONE:
                children.append((child, value))
            elif key in SUBSCHEMA_LIST and isinstance(value, list):
                children += [(f"{child}/{index}", sub) for index, sub in enumerate(value)]
        stack.extend(reversed(children))


def mapped(schema: Mapping[str, Any], change: Callable[[Json], Json]) -> dict[str, Any]:
    """A copy of `schema` with `change` made to each of its own subschemas (one level down, by
    the table above); the value of every other keyword as it is."""
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in SUBSCHEMA_MAP and isinstance(value, dict):
            result[key] = {name: change(sub) for name, sub in value.items()}
        elif key in SUBSCHEMA_ONE:
            result[key] = change(value)
        elif key in SUBSCHEMA_LIST and isinstance(value, list):
            result[key] = [change(sub) for sub in value]
        else:
            result[key] = value
    return result


def _structure(node: Json, pointer: str = "") -> Walk:
    if isinstance(node, dict):
        yield pointer, node
        named = _NAMED.fullmatch(pointer) is not None
        for key, value in node.items():
            if not named and (key in ("schema", "example", "examples") or is_extension(key)):
                continue
            if pointer == "/components" and key == "schemas":
                continue
            yield from _structure(value, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _structure(value, f"{pointer}/{index}")


def _schemas(doc: Json) -> Walk:
    components = (doc.get("components") or {}).get("schemas") or {}
    for name, schema in components.items():
        yield from subschemas(schema, f"/components/schemas/{escape_pointer_token(name)}")
    for pointer, node in mappings(doc):
        if isinstance(node.get("schema"), dict):
            yield from subschemas(node["schema"], f"{pointer}/schema")


# The walks of the document being memoised, each made once.
_walked: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
_walking: list[Json] = []  # that document


@contextmanager
def memoised(doc: Json) -> Iterator[None]:
    """Within it, each walk of `doc` is made once (the readers must not change it)."""
    _walked.clear()
    _walking[:] = [doc]
    try:
        yield
    finally:
        _walking.clear()
        _walked.clear()


def _shared(doc: Json, name: str, walk: Callable[[Json], Walk]) -> Walk:
    if not _walking or doc is not _walking[0]:
        return walk(doc)
    if name not in _walked:
        _walked[name] = list(walk(doc))
    return iter(_walked[name])


def mappings(doc: Json) -> Walk:
    """Every mapping of the document outside schemas, examples and extensions (paths,
    operations, parameters, media types, headers, components...), with its pointer."""
    return _shared(doc, "structure", _structure)


def schemas(doc: Json) -> Walk:
    """Every schema in the document, nested ones too: components, and the schemas of
    parameters, headers, request bodies and responses."""
    return _shared(doc, "schemas", _schemas)
