"""Keywords that cannot apply to a schema's declared types, left out before
datamodel-code-generator reads it: JSON Schema ignores `items` on a string, but the generator
takes it for an array (and `properties` on a number for an object), so the class would refuse
the very values the spec allows."""

from __future__ import annotations

from typing import Any

from chatforge.spec import walk

# The keywords that shape a class, by the type they apply to.
_BY_TYPE = {
    "array": frozenset({"items", "prefixItems", "contains"}),
    "object": frozenset({"properties", "additionalProperties", "patternProperties"}),
}
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
    kept = {key: value for key, value in schema.items() if key not in dropped}
    return walk.mapped(kept, lambda sub: applicable(sub, depth + 1))
