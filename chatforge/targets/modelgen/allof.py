"""`allOf` spelled so that datamodel-code-generator's classes hold every part of it, as JSON
Schema says (each part must hold), where its own reading would let one part win:

- parts that declare the same property, each with its own schema: the combining schema gives
  the property an `allOf` of every part's schema of it, so its class has the members (and the
  required names) of all of them, rather than those of the last part alone;
- an enum narrowed by an `allOf` of named enums (`enum: [a, b], allOf: [{$ref: Kind}]`): the
  values that every part allows, as one enum, rather than an empty class.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatforge.diagnostics import escape_pointer_token
from chatforge.spec import walk

PREFIX = "#/components/schemas/"
_SCALARS = frozenset({"string", "integer", "number", "boolean"})
_MAX_DEPTH = 32


def combined(schemas: dict[str, Any]) -> dict[str, Any]:
    """The named schemas with both spellings above made, each schema otherwise as it was."""
    narrowed = {name: _narrowed(schema, schemas, 0) for name, schema in schemas.items()}
    return {name: _joined(name, schema, narrowed) for name, schema in narrowed.items()}


def _target(schema: Any, schemas: dict[str, Any]) -> Any:
    seen: set[str] = set()
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].removeprefix(PREFIX)
        if name in seen or name not in schemas:
            return None
        seen.add(name)
        schema = schemas[name]
    return schema


def _allowed(schema: Any, schemas: dict[str, Any], depth: int = 0) -> list[Any] | None:
    """The values a scalar schema allows when it lists them (`enum`, `const`, or a `oneOf` or
    `anyOf` of such); None when it does not."""
    schema = _target(schema, schemas)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if "const" in schema:
        return [schema["const"]]
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    for key in ("oneOf", "anyOf"):
        parts = schema.get(key)
        if isinstance(parts, list) and parts:
            found: list[Any] = []
            for part in parts:
                values = _allowed(part, schemas, depth + 1)
                if values is None:
                    return None
                found += values
            return found
    return None


def _narrowed(schema: Any, schemas: dict[str, Any], depth: int) -> Any:
    """`schema` with each enum narrowed by an `allOf` of listed values made one enum."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return schema
    result = walk.mapped(schema, lambda sub: _narrowed(sub, schemas, depth + 1))
    parts = result.get("allOf")
    if not isinstance(result.get("enum"), list) or not isinstance(parts, list) or not parts:
        return result
    allowed = [_allowed(part, schemas) for part in parts]
    if any(values is None for values in allowed):
        return result
    kept = [v for v in result["enum"] if all(_listed(v, values or []) for values in allowed)]
    if not kept:
        return result  # nothing is valid: left as the spec says, for the spec's checks
    del result["allOf"]
    result["enum"] = kept
    return result


def _listed(value: Any, values: list[Any]) -> bool:
    """Whether `value` is among `values` as JSON compares them (`1` is not `true`)."""
    return any(type(value) is type(other) and value == other for other in values)


def _sources(
    pointer: str, schema: Any, schemas: dict[str, Any], depth: int
) -> Iterator[tuple[str, str]]:
    """(property name, JSON pointer of its schema) for every property a schema declares, in
    its own `properties` and in those of the parts of its `allOf`, named ones followed."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return
    if isinstance(schema.get("$ref"), str):
        name = schema["$ref"].removeprefix(PREFIX)
        if name in schemas:
            yield from _sources(PREFIX + name, schemas[name], schemas, depth + 1)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for prop in properties:
            yield prop, f"{pointer}/properties/{escape_pointer_token(prop)}"
    parts = schema.get("allOf")
    for index, part in enumerate(parts if isinstance(parts, list) else ()):
        yield from _sources(f"{pointer}/allOf/{index}", part, schemas, depth + 1)


def _resolve(pointer: str, schemas: dict[str, Any]) -> Any:
    node: Any = {"components": {"schemas": schemas}}
    for token in pointer.removeprefix("#/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _joined(name: str, schema: Any, schemas: dict[str, Any]) -> Any:
    """A combining schema whose parts declare a property more than once, each differently,
    with that property given as an `allOf` of every part's schema of it."""
    if not isinstance(schema, dict) or not isinstance(schema.get("allOf"), list):
        return schema
    found: dict[str, list[str]] = {}
    for prop, pointer in _sources(PREFIX + name, schema, schemas, 0):
        found.setdefault(prop, [])
        if pointer not in found[prop]:
            found[prop].append(pointer)
    joined: dict[str, Any] = {}
    for prop, pointers in found.items():
        different: list[str] = []
        for pointer in pointers:
            if all(_resolve(pointer, schemas) != _resolve(p, schemas) for p in different):
                different.append(pointer)
        if len(different) > 1:
            # each declaration in place: datamodel-code-generator names a class for each
            # inline part and one that inherits from them all
            joined[prop] = {"allOf": [_resolve(p, schemas) for p in different]}
    if not joined:
        return schema
    own = schema.get("properties")
    return {**schema, "properties": {**(own if isinstance(own, dict) else {}), **joined}}
