"""A compiled first pass over a spec's examples: which of them match their schemas, proven in one
jsonschema-rs call for the whole spec, so the `examples` rule asks the Python validator only
about the rest (whose verdict, and message, it gives as before).

An example is proven only where both validators must agree: its schema, and every schema it
reaches through `$ref`s, stays inside `#/components/schemas/`, without `pattern` or
`patternProperties` (Python's regular expressions against jsonschema-rs's) and without keywords
that move where references resolve (`$id`, `$schema`, `$anchor`, dynamic references). Formats
are annotations for both (neither asserts them). Anything else, or a compiled validator that
cannot be built, leaves the example unproven.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chatforge.spec.document import resolve_pointer
from chatforge.spec.walk import subschemas

Json = Any

_PREFIX = "#/components/schemas/"
_ENGINE_BOUND = frozenset({"pattern", "patternProperties"})
_UNMODELLED = frozenset(
    {"$id", "$schema", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef"}
)


class _Refused(Exception):
    """Something outside what the pass models: jsonschema-rs is not asked."""


def _retrieve(uri: str) -> Any:
    raise _Refused(f"{uri} is outside the document")


def _direct(schema: Json) -> tuple[bool, set[str]]:
    """Whether a schema itself is outside the pass, and the component schemas it names."""
    names: set[str] = set()
    for _, node in subschemas(schema):
        if _ENGINE_BOUND & node.keys() or _UNMODELLED & node.keys():
            return True, names
        ref = node.get("$ref")
        if ref is None:
            continue
        if not isinstance(ref, str) or not ref.startswith(_PREFIX) or "/" in ref[len(_PREFIX) :]:
            return True, names
        names.add(ref[len(_PREFIX) :])
    return False, names


def _bound_components(components: dict[str, Json]) -> set[str]:
    """The component schemas outside the pass, directly or through the schemas they name."""
    bound: set[str] = set()
    referrers: dict[str, set[str]] = {}
    for name, schema in components.items():
        outside, names = _direct(schema)
        if outside or any(n not in components for n in names):
            bound.add(name)
        for target in names:
            referrers.setdefault(target, set()).add(name)
    stack = list(bound)
    while stack:
        for referrer in referrers.get(stack.pop(), ()):
            if referrer not in bound:
                bound.add(referrer)
                stack.append(referrer)
    return bound


def proven(doc: Json, sites: Sequence[tuple[str, Json]]) -> list[bool]:
    """For each (schema pointer, example value), whether the example is proven to match."""
    verdicts = [False] * len(sites)
    try:
        import jsonschema_rs
    except ImportError:
        return verdicts
    components = (doc.get("components") or {}).get("schemas") or {}
    if not isinstance(components, dict):
        return verdicts
    bound = _bound_components(components)
    plain: list[int] = []
    schemas: list[Json] = []
    for index, (pointer, _) in enumerate(sites):
        try:
            schema = resolve_pointer(doc, pointer)
        except KeyError:
            continue
        outside, names = _direct(schema)
        if outside or names & bound or any(n not in components for n in names):
            continue
        plain.append(index)
        schemas.append(schema)
    if not plain:
        return verdicts
    wrapper = {
        "components": {"schemas": components},
        "type": "array",
        "prefixItems": schemas,
        "items": False,
    }
    values = [sites[index][1] for index in plain]
    try:
        validator = jsonschema_rs.validator_for(
            wrapper, validate_formats=False, retriever=_retrieve
        )
        failed: set[int] = set()
        for error in validator.iter_errors(values):
            path = list(error.instance_path)
            if not path or not isinstance(path[0], int):
                return verdicts
            failed.add(path[0])
    except Exception:  # noqa: BLE001 - refused, or jsonschema-rs's own errors: Python decides
        return verdicts
    for position, index in enumerate(plain):
        verdicts[index] = position not in failed
    return verdicts
