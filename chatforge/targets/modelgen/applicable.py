"""Keywords that cannot apply to a schema's declared types, left out before
datamodel-code-generator reads it: JSON Schema ignores `items` on a string, but the generator
takes it for an array (and `properties` on a number for an object), so the class would refuse
the very values the spec allows."""

from __future__ import annotations

from typing import Any

# The keywords that shape a class, by the type they apply to.
_BY_TYPE = {
    "array": frozenset({"items", "prefixItems", "contains"}),
    "object": frozenset({"properties", "additionalProperties", "patternProperties"}),
}
_SUBSCHEMA = frozenset(
    {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
    | {"unevaluatedItems", "unevaluatedProperties"}
)
_SUBSCHEMAS = frozenset({"oneOf", "anyOf", "allOf", "prefixItems"})
_NAMED_SUBSCHEMAS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_MAX_DEPTH = 64


def applicable(schema: Any, depth: int = 0) -> Any:
    """`schema` (and each of its subschemas) without the keywords above of a type it does not
    declare; a schema that declares no type keeps them all."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return schema
    kind = schema.get("type")
    types = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else None
    dropped: frozenset[str] = frozenset()
    if types is not None:
        for name, keywords in _BY_TYPE.items():
            if name not in types:
                dropped |= keywords
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in dropped:
            continue
        if key in _SUBSCHEMA:
            result[key] = applicable(value, depth + 1)
        elif key in _SUBSCHEMAS and isinstance(value, list):
            result[key] = [applicable(item, depth + 1) for item in value]
        elif key in _NAMED_SUBSCHEMAS and isinstance(value, dict):
            result[key] = {name: applicable(sub, depth + 1) for name, sub in value.items()}
        else:
            result[key] = value
    return result
