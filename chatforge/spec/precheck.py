"""A compiled first pass that proves a spec clean before openapi-spec-validator is asked.

openapi-spec-validator walks a spec in Python and checks each schema against the JSON Schema
meta-schema with the `jsonschema` package: most of a second for a large spec. Most specs are
clean, and for a clean spec the same answer can be had in milliseconds. `clean(document)` makes
every check openapi-spec-validator 0.9 makes on an OpenAPI 3.1 document, each at least as
strictly:

- the document against the OpenAPI 3.1 schema that openapi-spec-validator ships;
- every schema against the OpenAPI 3.1 base dialect, with formats asserted (openapi-spec-validator
  asserts the formats it has checkers for); every `pattern` must also compile as a Python regular
  expression, which is what openapi-spec-validator asks of it;
- a schema with `allOf` requires only properties that it or its subschemas define;
- every `default` is valid against its schema, by the same validator openapi-spec-validator uses;
- tag names are unique.

For an OpenAPI 3.0 document the same checks are made as openapi-spec-validator makes them for
3.0: the document against the OpenAPI 3.0 schema it ships, every schema against JSON Schema draft
4 (with the `regex` format asserted, and each `pattern` compiled by Python), and each `default`
by the validator's OpenAPI 3.0 value validator, which knows `nullable`.

The first two run in jsonschema-rs, compiled once per process. Anything the pass does not model
(a `$schema` or `$id` inside a schema, another dialect, a `$ref` that leaves `components`) makes
it answer "not proven", as does any problem. `clean` answering True means openapi-spec-validator
would report nothing; otherwise the loader runs openapi-spec-validator itself, and its diagnostics
are the ones reported, exactly as without this pass.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chatforge.spec.document import HTTP_METHODS, resolve_pointer
from chatforge.spec.loader import REFERENCES
from chatforge.spec.walk import SUBSCHEMA_LIST, SUBSCHEMA_MAP, SUBSCHEMA_ONE

Json = Any

OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
# Keywords whose value is one subschema, a list of them, or a mapping of names to them.
_ONE = SUBSCHEMA_ONE
_LIST = SUBSCHEMA_LIST
_MAP = SUBSCHEMA_MAP


def _retrieve(uri: str) -> Any:
    """jsonschema-rs's retriever: nothing is fetched, from the network or from files."""
    raise _NotProven(f"{uri} is outside the document")


class _NotProven(Exception):
    """Something the pass does not model, or a problem: openapi-spec-validator decides."""


def _package_files(package: str, folder: str) -> list[Path]:
    """The JSON documents a package ships in `folder`, found without importing the package (both
    packages take a tenth of a second or more to import)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise _NotProven
    base = Path(next(iter(spec.submodule_search_locations))) / folder
    return sorted(path for path in base.rglob("*") if path.is_file() and path.suffix != ".py")


@functools.cache
def _document_validator(version: str = "3.1") -> Any:
    """The OpenAPI 3.1 or 3.0 schema openapi-spec-validator validates documents against."""
    import jsonschema_rs

    (path,) = _package_files("openapi_spec_validator", f"resources/schemas/v{version}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, validate_formats=False, retriever=_retrieve)


@functools.cache
def _dialect_validator() -> Any:
    """The OpenAPI 3.1 base dialect, with the meta-schemas it refers to."""
    import jsonschema_rs

    resources = {}
    for path in _package_files("openapi_schema_validator", "schemas"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources[contents["$id"]] = contents
    return jsonschema_rs.validator_for(
        resources[OAS31_DIALECT],
        registry=jsonschema_rs.Registry(sorted(resources.items()), retriever=_retrieve),
        validate_formats=True,
        retriever=_retrieve,
    )


@functools.cache
def _draft4_validator() -> Any:
    """The JSON Schema draft 4 meta-schema, which openapi-spec-validator checks each schema of an
    OpenAPI 3.0 document against (with its `regex` format asserted; jsonschema-rs asserts that
    one and `uri` at least as strictly, and `_schema` declines a schema holding `id` or
    `$schema`, the only keywords the `uri` format applies to)."""
    import jsonschema_rs
    from openapi_schema_validator import OAS30Validator

    return jsonschema_rs.Draft4Validator(
        OAS30Validator.META_SCHEMA, validate_formats=True, retriever=_retrieve
    )


def _schema_validator(version: str) -> Any:
    return _draft4_validator() if version == "3.0" else _dialect_validator()


def clean(document: Json, version: str = "3.1") -> bool:
    """True when openapi-spec-validator would find nothing wrong with `document` (an OpenAPI
    `version` document, "3.1" or "3.0")."""
    try:
        _check(document, version)
    except _NotProven:
        return False
    except Exception:  # noqa: BLE001 - whatever the pass cannot take, the validator decides on
        return False
    return True


def _check(document: Json, version: str) -> None:
    if not isinstance(document, dict):
        raise _NotProven
    if version == "3.1" and document.get("jsonSchemaDialect", OAS31_DIALECT) != OAS31_DIALECT:
        raise _NotProven
    if not _document_validator(version).is_valid(document):
        raise _NotProven
    _unique_tags(document)
    _refs_stay_in_components(document)
    roots = list(_schema_roots(document))
    dialect = _schema_validator(version)
    defaults: list[tuple[Json, Json]] = []
    for root in roots:
        if not dialect.is_valid(root):
            raise _NotProven
        for schema in _subschemas(root):
            _schema(document, schema, defaults)
    if defaults:
        _defaults(document, defaults, version)


def _unique_tags(document: Json) -> None:
    names = [tag.get("name") for tag in document.get("tags", []) if isinstance(tag, dict)]
    if len(names) != len(set(map(repr, names))):
        raise _NotProven


def _refs_stay_in_components(document: Json) -> None:
    """Every schema the validator reaches through a reference is then one this pass walks
    too. Every reference leads somewhere, even one in a value that is data (a `default`, say),
    which the loader does not read as a reference but the validator may follow: where it cannot,
    it fails on the document, naming all of it, and so is left the whole of it."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in REFERENCES and isinstance(value, str):
                    if not value.startswith("#/components/"):
                        raise _NotProven
                    try:
                        resolve_pointer(document, value[1:])
                    except KeyError as exc:
                        raise _NotProven from exc
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _schema_roots(document: Json) -> Iterator[Json]:
    """Every schema of the document that is not inside another: named schemas and the schemas of
    parameters, headers and media types, wherever they are."""
    components = document.get("components") or {}
    yield from (components.get("schemas") or {}).values()
    for name in ("parameters", "headers"):
        for item in (components.get(name) or {}).values():
            yield from _carrier(item)
    for body in (components.get("requestBodies") or {}).values():
        yield from _content(body)
    for response in (components.get("responses") or {}).values():
        yield from _response(response)
    items = [*(document.get("paths") or {}).values(), *(components.get("pathItems") or {}).values()]
    items += list((document.get("webhooks") or {}).values())
    for item in items:
        yield from _path_item(item)
    for callbacks in (components.get("callbacks") or {}).values():
        for item in _mapping(callbacks).values():
            yield from _path_item(item)


def _mapping(node: Json) -> Mapping[str, Json]:
    return node if isinstance(node, dict) else {}


def _carrier(node: Json) -> Iterator[Json]:
    """The schemas of a parameter or header: its `schema`, or those of its `content`."""
    node = _mapping(node)
    if "schema" in node:
        yield node["schema"]
    yield from _content(node)


def _content(node: Json) -> Iterator[Json]:
    for media in _mapping(_mapping(node).get("content")).values():
        media = _mapping(media)
        if "schema" in media:
            yield media["schema"]
        for encoding in _mapping(media.get("encoding")).values():
            for header in _mapping(_mapping(encoding).get("headers")).values():
                yield from _carrier(header)


def _response(node: Json) -> Iterator[Json]:
    yield from _content(node)
    for header in _mapping(_mapping(node).get("headers")).values():
        yield from _carrier(header)


def _path_item(item: Json) -> Iterator[Json]:
    item = _mapping(item)
    operations = [_mapping(item.get(method)) for method in HTTP_METHODS]
    for holder in (item, *operations):
        for parameter in holder.get("parameters") or []:
            yield from _carrier(parameter)
    for operation in operations:
        yield from _content(operation.get("requestBody"))
        for response in _mapping(operation.get("responses")).values():
            yield from _response(response)
        for callbacks in _mapping(operation.get("callbacks")).values():
            for nested in _mapping(callbacks).values():
                yield from _path_item(nested)


def _subschemas(schema: Json) -> Iterator[dict[str, Json]]:
    """A schema and every schema inside it, depth first (boolean schemas have none)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in _ONE:
        if key in schema:
            yield from _subschemas(schema[key])
    for key in _LIST:
        for member in schema.get(key) or []:
            yield from _subschemas(member)
    for key in _MAP:
        for member in _mapping(schema.get(key)).values():
            yield from _subschemas(member)


def _schema(document: Json, schema: dict[str, Json], defaults: list[tuple[Json, Json]]) -> None:
    if "$schema" in schema or "$id" in schema or "id" in schema:
        raise _NotProven
    pattern = schema.get("pattern")
    patterns = [pattern] if isinstance(pattern, str) else []
    patterns += list(_mapping(schema.get("patternProperties")))
    for text in patterns:
        try:
            re.compile(text)
        except (re.error, RecursionError, OverflowError) as exc:
            raise _NotProven from exc
    if "allOf" in schema:
        required = schema.get("required") or []
        defined = set(_mapping(schema.get("properties")))
        for member in schema.get("allOf") or []:
            defined |= _properties(document, member, set())
        if any(name not in defined for name in required):
            raise _NotProven
    if "default" in schema and not (schema["default"] is None and schema.get("nullable") is True):
        defaults.append((schema, schema["default"]))


def _properties(document: Json, schema: Json, seen: set[int]) -> set[str]:
    """The property names a schema defines through its properties, allOf, anyOf, oneOf, items
    and not, following `$ref`s, as the validator collects them."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return set()
    seen.add(id(schema))
    found = set(_mapping(schema.get("properties")))
    for key in ("allOf", "anyOf", "oneOf"):
        for member in schema.get(key) or []:
            found |= _properties(document, member, seen)
    for key in ("items", "not"):
        if key in schema:
            found |= _properties(document, schema[key], seen)
    return found


def _resolve(document: Json, schema: Json) -> Json:
    """A schema, or what its chain of `$ref`s (all local: see `_refs_stay_in_components`)
    leads to."""
    hops = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        hops += 1
        if hops > 64:
            raise _NotProven
        try:
            schema = resolve_pointer(document, schema["$ref"][1:])
        except KeyError as exc:
            raise _NotProven from exc
    return schema


# Keywords where openapi-spec-validator's value validator may judge differently from
# jsonschema-rs: formats (each side has its own checkers) and regular expressions (Python's
# against ECMA-262).
_ENGINE_BOUND = ("format", "pattern", "patternProperties")


def _engine_bound(document: Json, schema: Json, seen: set[int]) -> bool:
    """Whether a schema, or one it reaches through `$ref`s, uses an `_ENGINE_BOUND` keyword."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return False
    seen.add(id(schema))
    for sub in _subschemas(schema):
        if any(key in sub for key in _ENGINE_BOUND):
            return True
        if "$ref" in sub and _engine_bound(document, sub, seen):
            return True
    return False


def _defaults(document: Json, defaults: list[tuple[Json, Json]], version: str = "3.1") -> None:
    """Each default against its schema: together in one jsonschema-rs call where the verdict
    cannot depend on the engine, else by openapi-spec-validator's own value validator (always
    for OpenAPI 3.0, whose `nullable` jsonschema-rs does not know)."""
    if version == "3.0":
        _python_defaults(document, defaults, version)
        return
    plain: list[tuple[Json, Json]] = []
    bound: list[tuple[Json, Json]] = []
    for pair in defaults:
        (bound if _engine_bound(document, pair[0], set()) else plain).append(pair)
    if plain:
        _plain_defaults(document, plain)
    if bound:
        _python_defaults(document, bound)


def _plain_defaults(document: Json, defaults: list[tuple[Json, Json]]) -> None:
    import jsonschema_rs

    # Each schema keeps its `$ref`s (all into `#/components/`) resolving as in the document.
    schema = {
        "components": document.get("components") or {},
        "type": "array",
        "prefixItems": [schema for schema, _ in defaults],
        "items": False,
    }
    values = [value for _, value in defaults]
    validator = jsonschema_rs.validator_for(schema, validate_formats=False, retriever=_retrieve)
    if not validator.is_valid(values):
        raise _NotProven


def _python_defaults(
    document: Json, defaults: list[tuple[Json, Json]], version: str = "3.1"
) -> None:
    import referencing
    from openapi_schema_validator import (
        OAS30Validator,
        OAS31Validator,
        oas30_format_checker,
        oas31_format_checker,
    )

    cls, formats = (
        (OAS30Validator, oas30_format_checker)
        if version == "3.0"
        else (OAS31Validator, oas31_format_checker)
    )
    components = document.get("components") or {}
    # A registry whose retrieval fails: nothing outside the document is fetched.
    nowhere: referencing.Registry[Any] = referencing.Registry()
    for schema, value in defaults:
        # Its `$ref`s (all into `#/components/`) resolve as in the document.
        wrapper = {"components": components, "allOf": [schema]}
        validator = cls(wrapper, format_checker=formats, registry=nowhere)
        if not validator.is_valid(value):
            raise _NotProven


def to_validate(document: Json, version: str = "3.1") -> Json | None:
    """What openapi-spec-validator still has to check of `document`: None when the pass proves
    all of it clean; else the document with the path items and the named schemas this pass
    proves clean left out (those that a part kept refers to stay), or the whole document where
    what the pass cannot prove is not within one path item or named schema. The parts left out
    are the same objects as in `document`, so the validator's errors are located in it as
    before."""
    try:
        return _narrowed(document, version)
    except Exception:  # noqa: BLE001 - whatever the pass cannot take, the validator decides on
        return document


def _narrowed(document: Json, version: str) -> Json | None:
    if not isinstance(document, dict):
        return document
    if version == "3.1" and document.get("jsonSchemaDialect", OAS31_DIALECT) != OAS31_DIALECT:
        return document
    if not _document_validator(version).is_valid(document):
        return document
    try:
        _unique_tags(document)
        _refs_stay_in_components(document)
    except _NotProven:
        return document
    paths = _mapping(document.get("paths"))
    components = _mapping(document.get("components"))
    schemas = _mapping(components.get("schemas"))
    # Every schema root, by the part it belongs to: a path item, a named schema, or the rest.
    parts: list[tuple[str, str, list[Json]]] = [
        ("paths", key, list(_path_item(item))) for key, item in paths.items()
    ]
    parts += [("schemas", name, [schema]) for name, schema in schemas.items()]
    rest = {**document, "paths": {}, "components": {**components, "schemas": {}}}
    parts.append(("rest", "", list(_schema_roots(rest))))
    dialect = _schema_validator(version)
    failed: set[tuple[str, str]] = set()
    defaults: dict[tuple[str, str], list[tuple[Json, Json]]] = {}
    for area, key, roots in parts:
        found: list[tuple[Json, Json]] = []
        try:
            for root in roots:
                if not dialect.is_valid(root):
                    raise _NotProven
                for schema in _subschemas(root):
                    _schema(document, schema, found)
        except _NotProven:
            failed.add((area, key))
            continue
        if found:
            defaults[(area, key)] = found
    # The defaults of every part in one call; which parts fail, only when that finds a problem.
    try:
        _defaults(document, [pair for found in defaults.values() for pair in found], version)
    except _NotProven:
        failed |= _parts_with_bad_defaults(document, defaults, version)
    if not failed:
        return None
    if ("rest", "") in failed:
        return document
    # openapi-spec-validator visits a schema once, and what it reports of it can depend on where
    # it was first reached from: every part that reaches a failing schema stays, so that the
    # first visit is the same as in the whole document.
    reaching = _reaching(schemas, {key for area, key in failed if area == "schemas"})
    kept_paths = {key for area, key in failed if area == "paths"}
    kept_paths |= {key for key, item in paths.items() if _direct_refs(item, document) & reaching}
    kept_schemas = _referenced(
        [item for key, item in paths.items() if key in kept_paths]
        + [schema for name, schema in schemas.items() if ("schemas", name) in failed]
        + [{**document, "paths": {}, "components": {**components, "schemas": {}}}],
        schemas,
    )
    kept_schemas |= reaching
    narrowed = dict(document)
    if "paths" in document:
        narrowed["paths"] = {key: item for key, item in paths.items() if key in kept_paths}
    if "schemas" in components:
        narrowed["components"] = {
            **components,
            "schemas": {name: s for name, s in schemas.items() if name in kept_schemas},
        }
    return narrowed


def _parts_with_bad_defaults(
    document: Json, defaults: dict[tuple[str, str], list[tuple[Json, Json]]], version: str
) -> set[tuple[str, str]]:
    """The parts with a default that the pass cannot prove valid: those checked by jsonschema-rs
    in one call that reports each failing default, the others one by one as in `_defaults`."""
    import jsonschema_rs

    plain: list[tuple[tuple[str, str], Json, Json]] = []
    failed: set[tuple[str, str]] = set()
    for part, found in defaults.items():
        for schema, value in found:
            if version == "3.0" or _engine_bound(document, schema, set()):
                try:
                    _python_defaults(document, [(schema, value)], version)
                except _NotProven:
                    failed.add(part)
            else:
                plain.append((part, schema, value))
    if plain:
        validator = jsonschema_rs.validator_for(
            {
                "components": document.get("components") or {},
                "type": "array",
                "prefixItems": [schema for _, schema, _ in plain],
                "items": False,
            },
            validate_formats=False,
            retriever=_retrieve,
        )
        for error in validator.iter_errors([value for _, _, value in plain]):
            path = list(error.instance_path)
            if not path or not isinstance(path[0], int):
                raise _NotProven
            failed.add(plain[path[0]][0])
    return failed


_SCHEMAS = "#/components/schemas/"


def _referenced(nodes: list[Json], schemas: Mapping[str, Json]) -> set[str]:
    """The named schemas that `nodes` refer to, directly or through other named schemas."""
    found: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in REFERENCES and isinstance(value, str) and value.startswith(_SCHEMAS):
                    token = value[len(_SCHEMAS) :].split("/")[0]
                    name = token.replace("~1", "/").replace("~0", "~")
                    if name in schemas and name not in found:
                        found.add(name)
                        stack.append(schemas[name])
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _direct_refs(node: Json, document: Json = None) -> set[str]:
    """The named schemas that `node` refers to itself, not through other named schemas (but
    through the other components it refers to, when `document` is given)."""
    found: set[str] = set()
    followed: set[str] = set()
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in REFERENCES and isinstance(value, str) and value.startswith(_SCHEMAS):
                    token = value[len(_SCHEMAS) :].split("/")[0]
                    found.add(token.replace("~1", "/").replace("~0", "~"))
                elif key in REFERENCES and isinstance(value, str) and document is not None:
                    if value.startswith("#/") and value not in followed:
                        followed.add(value)
                        stack.append(resolve_pointer(document, value[1:]))
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _reaching(schemas: Mapping[str, Json], targets: set[str]) -> set[str]:
    """`targets` and the named schemas that refer to one of them, directly or through others."""
    referrers: dict[str, set[str]] = {}
    for name, schema in schemas.items():
        for target in _direct_refs(schema):
            referrers.setdefault(target, set()).add(name)
    found = set(targets)
    stack = list(targets)
    while stack:
        for name in referrers.get(stack.pop(), ()):
            if name not in found:
                found.add(name)
                stack.append(name)
    return found
