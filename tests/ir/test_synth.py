"""The schema synthesiser: a valid, stable value for every construct, or an error saying where."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from chatforge.diagnostics import pointer_of
from chatforge.ir.synth import MAX_REFS, MAX_SIZE, SynthesisError, synthesize
from chatforge.spec.document import resolve_pointer

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))


def errors(value: Any, document: Mapping[str, Any], pointer: str) -> list[str]:
    """What an independent validator, reading the schema at `pointer`, says about `value`."""
    registry: Registry[Any] = Registry().with_resource(
        "urn:test", DRAFT202012.create_resource(document)
    )
    validator = Draft202012Validator(
        {"$ref": "urn:test#" + quote(pointer, safe="/~")},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [error.message for error in validator.iter_errors(value)]


def made(schema: Any, document: Mapping[str, Any] | None = None, pointer: str = "") -> Any:
    """The value for a schema, checked to be valid and the same on a second run."""
    document = schema if document is None else document
    if document is not schema:
        assert resolve_pointer(document, pointer) is schema
    value = synthesize(schema, document, pointer)
    assert errors(value, document, pointer) == []
    assert synthesize(schema, document, pointer) == value
    json.dumps(value)
    return value


def components(**schemas: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "components": {"schemas": schemas}}


OBJECT_AB = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}

VALID = {
    "empty": {},
    "true": True,
    "null": {"type": "null"},
    "boolean": {"type": "boolean"},
    "type list": {"type": ["null", "integer", "string"]},
    "integer bounds": {"type": "integer", "minimum": 5, "maximum": 10, "multipleOf": 3},
    "integer exclusive": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2},
    "negative only": {"type": "integer", "maximum": -7},
    "int64": {"type": "integer", "format": "int64", "minimum": 9007199254740993},
    "number exclusive": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "number step": {"type": "number", "minimum": 0.05, "multipleOf": 0.01},
    "float": {"type": "number", "format": "float", "maximum": -0.25},
    "string lengths": {"type": "string", "minLength": 10, "maxLength": 12},
    "string short": {"type": "string", "maxLength": 2},
    "string empty": {"type": "string", "maxLength": 0},
    "array": {"type": "array", "items": {"type": "integer"}},
    "array bounds": {"type": "array", "items": {"type": "boolean"}, "minItems": 3, "maxItems": 3},
    "array none": {"type": "array", "items": {"type": "integer"}, "maxItems": 0},
    "unique ints": {
        "type": "array",
        "items": {"type": "integer"},
        "minItems": 4,
        "uniqueItems": True,
    },
    "unique strings": {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 3,
        "uniqueItems": True,
    },
    "unique objects": {
        "type": "array",
        "items": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "minItems": 2,
        "uniqueItems": True,
    },
    "prefixItems": {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string", "format": "date"}],
        "items": False,
    },
    "contains": {"type": "array", "items": {"type": "integer"}, "contains": {"minimum": 7}},
    "minContains": {"type": "array", "contains": {"const": "x"}, "minContains": 2},
    "object": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
    "required undeclared": {"type": "object", "required": ["x"], "additionalProperties": {}},
    "minProperties": {
        "type": "object",
        "minProperties": 2,
        "additionalProperties": {"type": "integer"},
    },
    "maxProperties": {**OBJECT_AB, "required": ["b"], "maxProperties": 1},
    "patternProperties": {
        "type": "object",
        "minProperties": 1,
        "patternProperties": {"^x-[a-z]+$": {"type": "boolean"}},
        "additionalProperties": False,
    },
    "propertyNames": {
        "type": "object",
        "minProperties": 2,
        "propertyNames": {"pattern": "^[a-z]+[0-9]$"},
        "additionalProperties": {"type": "string"},
    },
    "allOf two objects": {
        "allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"minimum": 3}}},
        ]
    },
    "allOf narrows": {"allOf": [{"type": "string"}, {"minLength": 9}, {"maxLength": 9}]},
    "allOf same property": {
        "allOf": [
            {"properties": {"n": {"type": "integer"}}, "required": ["n"]},
            {"properties": {"n": {"minimum": 4}}},
        ]
    },
    "oneOf overlapping types": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    "oneOf overlapping objects": {**OBJECT_AB, "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
    "oneOf nested required": {
        **OBJECT_AB,
        "oneOf": [{"required": ["a"]}, {"required": ["a", "b"]}],
    },
    "anyOf": {"anyOf": [{"type": "string", "minLength": 3, "maxLength": 1}, {"type": "boolean"}]},
    "not type": {"not": {"type": ["string", "integer"]}},
    "not const": {"type": "string", "not": {"const": "string"}},
    "not number": {"type": "integer", "minimum": 0, "not": {"enum": [0, 1]}},
    "if then": {"type": "integer", "if": {"minimum": 0}, "then": {"maximum": 9}},
}


@pytest.mark.parametrize("schema", VALID.values(), ids=VALID.keys())
def test_every_construct_yields_a_valid_value(schema: Any) -> None:
    made(schema)


PREFERRED = [
    ({"type": "string", "const": "fixed", "examples": ["other"]}, "fixed"),
    ({"type": "string", "examples": ["first", "second"], "default": "d"}, "first"),
    ({"type": "integer", "example": 42}, 42),
    ({"type": "integer", "minimum": 5, "example": 3, "default": 7}, 7),
    ({"type": "integer", "minimum": 5, "default": 1, "enum": [2, 6, 8]}, 6),
    ({"enum": ["b", "a"]}, "b"),
    ({"type": "string"}, "string"),
    ({"type": "string", "minLength": 9}, "stringxxx"),
    ({"type": "integer"}, 0),
    ({"type": "integer", "minimum": 4}, 4),
    ({"type": "integer", "exclusiveMinimum": 4}, 5),
    ({"type": "number", "maximum": -2.5}, -2.5),
    ({"type": "boolean"}, True),
    ({"type": ["null", "integer"]}, 0),
    ({"type": ["null"]}, None),
    ({"type": "object", "properties": {"name": {"type": "string"}}}, {"name": "name"}),
    ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [0, 0]),
    ({"type": "array", "items": {"type": "integer"}, "not": {"minItems": 1}}, []),
    (
        {"type": "object", "properties": {"tags": {"type": "array", "items": {}}}},
        {"tags": ["tags"]},
    ),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 0.5),
    ({"type": "integer", "allOf": [{"minimum": 3}, {"minimum": 5}, {"maximum": 9}]}, 5),
    ({"type": "string", "allOf": [{"minLength": 3}, {"minLength": 8}]}, "stringxx"),
    ({"allOf": [{"type": "array", "items": {"type": "integer"}}, {"items": {"minimum": 2}}]}, [2]),
    (
        {
            "allOf": [
                {"properties": {"n": {"type": "integer"}}, "required": ["n"]},
                {"properties": {"n": {"not": {"const": 0}}}},
            ]
        },
        {"n": 1},
    ),
    (
        {
            "allOf": [
                {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                {"oneOf": [{"minimum": 5}, {"type": "boolean"}]},
            ]
        },
        5,
    ),
    (
        {
            "maxProperties": 2,
            "allOf": [
                {"required": ["a"], "properties": {"a": {"type": "string"}, "z": {}}},
                {"required": ["b"], "properties": {"b": {"type": "string"}}},
            ],
        },
        {"a": "a", "b": "b"},
    ),
    (
        {"type": "array", "items": {"type": "integer"}, "uniqueItems": True, "minItems": 3},
        [0, 1, -1],
    ),
    (
        {"type": "object", "properties": {"z": {"type": "integer"}, "a": {"type": "integer"}}},
        {"z": 0, "a": 0},
    ),
]


@pytest.mark.parametrize(("schema", "expected"), PREFERRED)
def test_values_are_the_documented_ones(schema: Any, expected: Any) -> None:
    value = made(schema)
    assert value == expected and type(value) is type(expected)
    assert list(json.dumps(value)) == list(json.dumps(expected))  # property order too


PATTERNS = [
    (r"^[a-z]{3}-\d{2,4}$", {}, "aaa-00"),
    (r"^[a-z]{3}-\d{2,4}$", {"minLength": 8}, "aaa-0000"),
    (r"^[A-Z0-9_]+$", {}, "A"),
    (r"^[A-Z0-9_]+$", {"minLength": 5, "maxLength": 6}, "AAAAA"),
    (r"^(foo|bar)baz$", {}, "foobaz"),
    (r"^([0-9]|1[0-9]|2[0-3])$", {}, "0"),
    (r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", {}, "0000-00-00 00:00:00"),
    (r"^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])$", {}, "0000010100"),
    (r"^[^,]+(,[^,]+){0,99}$", {}, None),
    (r"^[A-Za-z0-9+=\-_]+$", {"minLength": 3}, None),
    (r"^[a-zA-Z0-9_./-]{1,32}$", {"minLength": 40}, "error"),
    (r"^\s\S\w\W\D.$", {}, " aa-aa"),
    (r"^(?P<w>ab)-(?P=w)$", {}, "ab-ab"),
    (r"^x(?=y)y$", {}, "xy"),
    (r"abc", {"minLength": 6}, None),
    (r"^a{2}$", {"minLength": 3}, "error"),
    (r"^[a-z]{3}$", {"format": "email"}, "error"),
]


@pytest.mark.parametrize(("pattern", "extra", "expected"), PATTERNS)
def test_patterns(pattern: str, extra: dict[str, Any], expected: str | None) -> None:
    schema = {"type": "string", "pattern": pattern, **extra}
    if expected == "error":
        with pytest.raises(SynthesisError, match=re.escape(repr(pattern))):
            synthesize(schema, schema, "")
        return
    value = made(schema)
    assert re.search(pattern, value)
    assert expected is None or value == expected


def test_a_pattern_prefers_the_property_name_when_it_matches() -> None:
    schema = {"type": "object", "properties": {"user_id": {"pattern": "^[a-z_]+$"}}}
    assert made(schema) == {"user_id": "user_id"}


FORMATS = (
    "date-time date time email uri uri-reference url uuid ipv4 ipv6 hostname byte binary password"
    " int32 int64"
).split()


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats(fmt: str) -> None:
    value = made({"type": "string", "format": fmt})
    assert isinstance(value, str) and value
    if fmt == "byte":
        assert base64.b64decode(value, validate=True)
    if fmt in ("uri", "url"):
        assert urlsplit(value).scheme == "https" and urlsplit(value).netloc
    if fmt in ("int32", "int64"):
        assert int(value) == 0
    if fmt == "hostname":
        assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", value)


def test_most_formats_are_checked_by_the_validator_too() -> None:
    checked = set(Draft202012Validator.FORMAT_CHECKER.checkers)
    assert {"date-time", "date", "time", "email", "uuid", "ipv4", "ipv6"} <= checked
    assert (
        made({"type": "string", "format": "date-time", "maxLength": 20}) == "2024-01-01T00:00:00Z"
    )


def test_refs_are_followed_with_pointer_escapes() -> None:
    document = components(
        **{
            "a/b~c": {"type": "integer", "minimum": 3},
            "Holder": {
                "type": "object",
                "required": ["n", "s"],
                "properties": {
                    "n": {"$ref": "#/components/schemas/a~1b~0c"},
                    "s": {"$ref": "#/components/schemas/With%20Space"},
                },
            },
            "With Space": {"type": "string", "const": "spaced"},
        }
    )
    schema = document["components"]["schemas"]["Holder"]
    assert made(schema, document, "/components/schemas/Holder") == {"n": 3, "s": "spaced"}


TREE = components(
    Node={
        "type": "object",
        "required": ["name", "children"],
        "properties": {
            "name": {"type": "string"},
            "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    },
    Forest={"type": "array", "items": {"$ref": "#/components/schemas/Node"}, "minItems": 2},
)


def test_a_recursive_tree_stops_at_the_recursion_point() -> None:
    node = TREE["components"]["schemas"]["Node"]
    assert made(node, TREE, "/components/schemas/Node") == {"name": "name", "children": []}
    wrapper = {"$ref": "#/components/schemas/Forest"}
    document = {**TREE, "wrapper": wrapper}
    forest = made(wrapper, document, "/wrapper")
    assert forest == [{"name": "name", "children": []}] * 2


IMPOSSIBLE = {
    "minLength over maxLength": (
        components(Bad={"type": "string", "minLength": 5, "maxLength": 2}),
        "/components/schemas/Bad",
        "/components/schemas/Bad",
        "minLength 5 exceeds maxLength 2",
    ),
    "required self-cycle": (
        components(
            Loop={
                "type": "object",
                "required": ["next"],
                "properties": {"next": {"$ref": "#/components/schemas/Loop"}},
            }
        ),
        "/components/schemas/Loop",
        "/components/schemas/Loop/properties/next",
        "leads back into itself",
    ),
    "cycle through a ref": (
        components(
            A={
                "type": "object",
                "required": ["b"],
                "properties": {"b": {"$ref": "#/components/schemas/B"}},
            },
            B={"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/A"}},
        ),
        "/components/schemas/A",
        "/components/schemas/B/items",
        "leads back into itself",
    ),
    "required property in an allOf member": (
        components(
            Base={"type": "object", "properties": {"id": {"type": "integer"}}},
            Bad={
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "required": ["x"],
                        "properties": {"x": {"type": "integer", "minimum": 3, "maximum": 1}},
                    },
                ]
            },
        ),
        "/components/schemas/Bad",
        "/components/schemas/Bad/allOf/1/properties/x",
        "lower bound 3 exceeds the upper bound 1",
    ),
    "pattern too long": (
        components(P={"type": "string", "pattern": "^[a-z]{4}$", "maxLength": 3}),
        "/components/schemas/P",
        "/components/schemas/P",
        "^[a-z]{4}$",
    ),
    "conflicting allOf": (
        components(C={"allOf": [{"type": "string"}, {"type": "integer"}]}),
        "/components/schemas/C",
        "/components/schemas/C",
        "no value satisfies",
    ),
    "no valid candidate": (
        components(E={"type": "string", "format": "email", "maxLength": 3}),
        "/components/schemas/E",
        "/components/schemas/E",
        "no value satisfies the schema",
    ),
    "too few distinct items": (
        components(U={"type": "array", "items": {"const": 1}, "minItems": 2, "uniqueItems": True}),
        "/components/schemas/U",
        "/components/schemas/U/items",
        "all candidates taken",
    ),
    "false": (components(F=False), "/components/schemas/F", "/components/schemas/F", "False"),
    "const against type": (
        components(K={"type": "integer", "const": "x"}),
        "/components/schemas/K",
        "/components/schemas/K",
        "no value satisfies",
    ),
    "items over maxItems": (
        components(I={"type": "array", "minItems": 3, "maxItems": 1}),
        "/components/schemas/I",
        "/components/schemas/I",
        "minItems 3 exceeds maxItems 1",
    ),
    "dangling ref": (
        components(D={"$ref": "#/components/schemas/Nowhere"}),
        "/components/schemas/D",
        "/components/schemas/D",
        "does not resolve",
    ),
    "remote ref": (
        components(R={"$ref": "other.yaml#/components/schemas/X"}),
        "/components/schemas/R",
        "/components/schemas/R",
        "not local",
    ),
    "additionalProperties false with minProperties": (
        components(M={"type": "object", "minProperties": 1, "additionalProperties": False}),
        "/components/schemas/M",
        "/components/schemas/M/additionalProperties",
        "False",
    ),
}


@pytest.mark.parametrize(
    ("document", "pointer", "fault", "message"), IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys()
)
def test_impossible_schemas_are_refused_with_the_pointer_at_fault(
    document: dict[str, Any], pointer: str, fault: str, message: str
) -> None:
    schema = resolve_pointer(document, pointer)
    with pytest.raises(SynthesisError, match=re.escape(message)) as caught:
        synthesize(schema, document, pointer)
    assert caught.value.pointer == fault
    assert fault in str(caught.value)


def test_optional_properties_are_filled_in_only_near_the_top() -> None:
    def holder(name: str, kind: Any) -> dict[str, Any]:
        return {"type": "object", "properties": {name: kind}}

    document = components(
        A={**holder("b", {"$ref": "#/components/schemas/B"}), "required": []},
        B=holder("c", {"$ref": "#/components/schemas/C"}),
        C=holder("d", {"$ref": "#/components/schemas/D"}),
        D=holder("e", {"type": "string"}),
    )
    schema = document["components"]["schemas"]["A"]
    assert made(schema, document, "/components/schemas/A") == {"b": {"c": {"d": {}}}}


def test_an_optional_impossible_property_is_left_out() -> None:
    schema = {
        "type": "object",
        "properties": {
            "ok": {"type": "boolean"},
            "bad": {"type": "string", "minLength": 2, "maxLength": 1},
        },
    }
    assert made(schema) == {"ok": True}


def test_a_chain_of_refs_deeper_than_the_limit_is_refused() -> None:
    chain = {
        f"S{i}": {
            "type": "object",
            "required": ["next"],
            "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}},
        }
        for i in range(MAX_REFS + 5)
    }
    document = components(**chain, **{f"S{MAX_REFS + 5}": {"type": "integer"}})
    with pytest.raises(SynthesisError, match="refs deep"):
        synthesize(chain["S0"], document, "/components/schemas/S0")
    short = components(**{k: v for k, v in chain.items() if int(k[1:]) < 5}, S5={"type": "integer"})
    value = made(short["components"]["schemas"]["S0"], short, "/components/schemas/S0")
    assert value == {"next": {"next": {"next": {"next": {"next": 0}}}}}


def test_an_answer_too_large_to_hold_is_refused_at_the_array_that_demands_it() -> None:
    """Refused before any item is built when the least its items need is past MAX_SIZE, through
    `$ref` and `allOf` too; counted as it is built where no bound foresees it (a union)."""
    rows = {"allOf": [{"type": "array", "items": {"type": "string", "minLength": 9}}]}
    document = components(
        Row={**rows, "minItems": 1000},
        Grid={"type": "array", "minItems": 200, "items": {"$ref": "#/components/schemas/Row"}},
        Either={
            "type": "array",
            "minItems": 1000,
            "items": {"oneOf": [{"type": "string", "minLength": 5000}, {"type": "null"}]},
        },
        Fits={"type": "array", "minItems": 3, "items": {"$ref": "#/components/schemas/Row"}},
    )
    for name, fault in (("Grid", "/components/schemas/Grid"), ("Either", None)):
        pointer = f"/components/schemas/{name}"
        with pytest.raises(SynthesisError, match=f"more than {MAX_SIZE:,} values") as caught:
            synthesize(document["components"]["schemas"][name], document, pointer)
        assert caught.value.pointer == fault if fault else caught.value.pointer.startswith(pointer)
    fits = document["components"]["schemas"]["Fits"]
    value = made(fits, document, "/components/schemas/Fits")
    assert len(value) == 3 and all(len(row) == 1000 for row in value)


def response_schemas(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(pointer, schema) of every JSON response schema of every operation."""
    for route, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                at = pointer_of("paths", route, method, "responses", status)
                while "$ref" in response:
                    at = response["$ref"][1:]
                    response = resolve_pointer(document, at)
                for media, content in (response.get("content") or {}).items():
                    if "json" in media and "schema" in content:
                        yield at + pointer_of("content", media, "schema"), content["schema"]


@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_every_response_schema_of_the_real_specs(spec: Path) -> None:
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    found = list(response_schemas(document))
    assert len(found) > 50
    for pointer, schema in found:
        value = synthesize(schema, document, pointer)
        assert errors(value, document, pointer) == [], pointer
        json.dumps(value)


RUN = """
import json, sys, yaml
from chatforge.ir.synth import synthesize
document = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
schemas = document["components"]["schemas"]
print(json.dumps([synthesize(s, document, "/components/schemas/" + n) for n, s in schemas.items()]))
"""


def test_output_does_not_depend_on_the_hash_seed() -> None:
    spec = str(ROOT / "specs" / "upstra.yaml")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", RUN, spec],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1 and len(outputs.pop()) > 100
