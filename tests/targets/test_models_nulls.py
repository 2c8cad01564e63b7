"""A server refuses an explicit null where the spec does not allow one; whether it allows one is
read off simple schemas directly and left to a JSON Schema validator otherwise. Both readings
must agree with the validator on every schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from chatforge.targets.modelgen import _plainly_takes_null
from tests.functional.harness import project_apis

SIMPLE: list[Any] = [
    True,
    False,
    {},
    {"type": "string"},
    {"type": "null"},
    {"type": ["string", "null"]},
    {"type": ["integer"]},
    {"enum": ["a", None]},
    {"enum": ["a"]},
    {"enum": [0, False]},
    {"type": ["string", "null"], "enum": ["a"]},
    {"type": ["string", "null"], "enum": ["a", None]},
    {"const": None},
    {"const": 0},
    {"type": "null", "const": None},
    {"minLength": 3, "maxItems": 2, "properties": {"a": {}}, "description": "x"},
    {"type": "object", "properties": {"a": {"type": "null"}}},
    {"items": {"type": "string"}, "additionalProperties": False},
]


@pytest.mark.parametrize("schema", SIMPLE, ids=lambda s: json.dumps(s))
def test_simple_schemas(schema: Any) -> None:
    expected = jsonschema.Draft202012Validator(schema).is_valid(None)
    assert _plainly_takes_null(schema) is expected


@pytest.mark.parametrize(
    "schema",
    [{"$ref": "#/x"}, {"anyOf": [{"type": "null"}]}, {"not": {}}, {"if": {}}, {"type": 5}],
    ids=json.dumps,
)
def test_others_are_left_to_the_validator(schema: Any) -> None:
    assert _plainly_takes_null(schema) is None


def test_every_member_of_every_model_agrees_with_the_validator() -> None:
    seen = 0
    for api in project_apis():
        for model in api.models:
            for member in json.loads(model.schema_json).get("properties", {}).values():
                plain = _plainly_takes_null(member)
                if plain is not None:
                    seen += 1
                    assert plain is jsonschema.Draft202012Validator(member).is_valid(None)
    assert seen > 1000
