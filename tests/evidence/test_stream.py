"""The answers of Stream's everyday operations, as specs/stream.yaml describes them, against the
record of what the vendor's own OpenAPI document says they hold (tests/evidence/): every member
of an answer and every member of those members, with its type and required flag."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

RECORD = ROOT / "tests" / "evidence" / "stream_responses.yaml"
SPEC = ROOT / "specs" / "stream.yaml"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
METHODS = ("get", "post", "put", "patch", "delete")
COVERAGE = 0.95

Schema = dict[str, Any]


@cache
def record() -> dict[str, Any]:
    with open(RECORD, encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=LOADER)
    return loaded


@cache
def spec() -> dict[str, Any]:
    with open(SPEC, encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=LOADER)
    return loaded


def resolve(schema: Schema) -> Schema:
    schemas = spec()["components"]["schemas"]
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def members(schema: Schema) -> tuple[dict[str, Schema], set[str]]:
    """The properties of a schema and the names it requires, through `allOf` too."""
    schema = resolve(schema)
    properties = dict(schema.get("properties", {}))
    required = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        more, needed = members(part)
        properties.update(more)
        required |= needed
    return properties, required


def contents(schema: Schema) -> Schema:
    """What a member holds one level down: an array's items, a map's values, or itself."""
    schema = resolve(schema)
    if "items" in schema:
        return resolve(schema["items"])
    values = schema.get("additionalProperties")
    if isinstance(values, dict) and not schema.get("properties"):
        return resolve(values)
    return schema


def answer(operation_id: str) -> Schema:
    for item in spec()["paths"].values():
        for method in METHODS:
            operation = item.get(method)
            if operation and operation["operationId"] == operation_id:
                code = next(code for code in operation["responses"] if str(code).startswith("2"))
                response = operation["responses"][code]
                schema: Schema = response["content"]["application/json"]["schema"]
                return schema
    raise LookupError(operation_id)


@cache
def described(operation_id: str) -> dict[str, tuple[Schema, bool]]:
    """Every member of the operation's answer two levels deep: dotted path -> (schema, required)."""
    found: dict[str, tuple[Schema, bool]] = {}
    properties, required = members(answer(operation_id))
    for name, schema in properties.items():
        found[name] = (schema, name in required)
        inner, inner_required = members(contents(schema))
        for child, child_schema in inner.items():
            found[f"{name}.{child}"] = (child_schema, child in inner_required)
    return found


def recorded() -> list[tuple[str, dict[str, Any]]]:
    return [
        (operation_id, field)
        for operation_id, operation in record()["operations"].items()
        for field in operation["fields"]
    ]


def json_type(schema: Schema) -> tuple[str | None, bool]:
    """The JSON type a member's schema gives, and whether it admits null."""
    schema = resolve(schema)
    kind = schema.get("type")
    if isinstance(kind, list):
        rest = [one for one in kind if one != "null"]
        return (rest[0] if len(rest) == 1 else None), "null" in kind
    if kind is None and ("properties" in schema or "additionalProperties" in schema):
        kind = "object"
    return kind, False


def test_the_record_covers_the_everyday_operations() -> None:
    tags = set(record()["tags"])
    everyday = {
        operation["operationId"]: (method.upper(), path)
        for path, item in spec()["paths"].items()
        for method in METHODS
        if (operation := item.get(method)) and operation["tags"][0] in tags
    }
    operations = record()["operations"]
    assert len(operations) >= 22
    assert set(operations) == set(everyday)
    for operation_id, operation in operations.items():
        assert (operation["method"], operation["path"]) == everyday[operation_id]


def test_answers_carry_the_vendors_fields_two_levels_deep() -> None:
    fields = recorded()
    missing = [(o, field) for o, field in fields if field["path"] not in described(o)]
    coverage = 1 - len(missing) / len(fields)
    top = sum("." not in field["path"] for _, field in fields)
    top_missing = sum("." not in field["path"] for _, field in missing)
    assert coverage >= COVERAGE, (
        f"{len(fields) - len(missing)} of {len(fields)} recorded fields ({coverage:.1%}), "
        f"{top - top_missing} of {top} at the top; missing:\n"
        + "\n".join(f"{o}: {field['path']} ({field['source']})" for o, field in missing)
    )


def test_required_flags_agree_with_the_vendor() -> None:
    disagree = []
    for operation_id, field in recorded():
        found = described(operation_id).get(field["path"])
        if found and found[1] != field["required"]:
            want = "required" if field["required"] else "optional"
            disagree.append(f"{operation_id}: {field['path']} should be {want}")
    assert not disagree, "\n".join(disagree)


@pytest.mark.parametrize("fact", ["type", "format", "enum", "nullable"])
def test_types_agree_with_the_vendor(fact: str) -> None:
    disagree = []
    for operation_id, field in recorded():
        found = described(operation_id).get(field["path"])
        if not found:
            continue
        schema = resolve(found[0])
        kind, nullable = json_type(found[0])
        ours = {
            "type": kind,
            "format": schema.get("format"),
            "enum": sorted(map(str, schema.get("enum", []))) or None,
            "nullable": nullable,
        }[fact]
        theirs = {
            "type": field["type"],
            "format": field.get("format"),
            "enum": sorted(map(str, field.get("enum", []))) or None,
            "nullable": field.get("nullable", False),
        }[fact]
        if fact == "format" and theirs is None:
            continue  # a format the vendor does not give may still narrow ours
        if ours != theirs:
            disagree.append(f"{operation_id}: {field['path']} {fact} {ours!r} is not {theirs!r}")
    assert not disagree, "\n".join(disagree)
