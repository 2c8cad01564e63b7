"""The compiled first pass never calls a spec clean that openapi-spec-validator would fault.

`precheck.clean` lets the loader skip openapi-spec-validator; that is only sound if every document
it passes is one the validator finds nothing in. These tests hold it to that on the project's
specs, on every broken and hostile fixture, on hand-made faults of each kind the validator
reports, and on random changes to a small spec, for OpenAPI 3.1 documents and for 3.0 ones (which
the pass checks against the 3.0 schema and JSON Schema draft 4, as the validator does).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatforge.diagnostics import Diagnostics
from chatforge.spec import loader, precheck, upgrade, validate
from tests.conftest import ROOT

SPECS = sorted((ROOT / "specs").glob("*.yaml"))
FIXTURES = sorted(
    path
    for folder in ("broken", "hostile", "specs", "anyspec")
    for path in (ROOT / "tests" / "fixtures" / folder).iterdir()
    if path.suffix in (".yaml", ".json")
)
BASE = ROOT / "tests" / "fixtures" / "specs" / "features.yaml"
BASE30 = ROOT / "tests" / "fixtures" / "anyspec" / "kennel30.yaml"


def _version(document: Any) -> str:
    """The validator a document is checked with, as the loader chooses it."""
    openapi = document.get("openapi") if isinstance(document, dict) else None
    return "3.0" if isinstance(openapi, str) and openapi.startswith("3.0") else "3.1"


def _validator_faults(document: Any, version: str = "3.1") -> list[str]:
    """What openapi-spec-validator reports that the loader passes on (an exception counts)."""
    errors, failure = validate._iter_errors(document, version)
    faults = [
        str(getattr(error, "message", error))
        for error in errors
        if type(error).__name__ not in validate._LINTED_ELSEWHERE
    ]
    if failure is not None:
        faults.append(f"{type(failure).__name__}: {failure}")
    return faults


def _document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return None


def _sound(document: Any, version: str = "3.1") -> None:
    """The pass's promise, where the loader asks for it: after `$ref`s are found to resolve and
    not to loop, and the shapes the validator assumes are there."""
    found = Diagnostics("spec.yaml")
    loader.check_refs(document, found)
    if found.has_errors or not validate._shapes(document, found):
        return
    if precheck.clean(document, version):
        assert _validator_faults(document, version) == []
    # What the validator is left to check finds what it finds in the whole document.
    narrowed = precheck.to_validate(document, version)
    if narrowed is None:
        assert precheck.clean(document, version)
    elif narrowed is not document:
        # (Diagnostics are printed sorted: the order the validator finds them in is not shown.)
        faults = sorted(_validator_faults(narrowed, version))
        assert faults == sorted(_validator_faults(document, version))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_the_projects_specs_are_proven_clean(path: Path) -> None:
    document, _ = loader.parse_yaml(path.read_text(encoding="utf-8"), path.name)
    assert precheck.clean(document)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixtures(path: Path) -> None:
    document = _document(path)
    if isinstance(document, dict):
        _sound(document, _version(document))


def test_the_3_0_fixture_is_proven_clean() -> None:
    document = _base("3.0")
    assert precheck.clean(document, "3.0")
    assert precheck.to_validate(document, "3.0") is None
    assert _validator_faults(document, "3.0") == []


def _base(version: str = "3.1") -> dict[str, Any]:
    """The small spec of that version, as the loader validates it (for 3.0: after the forms it
    reads before validation are read)."""
    if version == "3.0":
        document, _ = loader.parse_yaml(BASE30.read_text(encoding="utf-8"), BASE30.name)
        diagnostics = Diagnostics(BASE30.name)
        upgrade.leftovers(document, diagnostics, [])
        assert not diagnostics.has_errors
        assert isinstance(document, dict)
        return document
    document = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _first_schema(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    return schemas[sorted(schemas)[0]]


FAULTS = {
    "unknown type": lambda d: _first_schema(d).update(type="objekt"),
    "pattern Python cannot compile": lambda d: _first_schema(d).update(pattern="(?<name>a)"),
    "pattern no engine can compile": lambda d: _first_schema(d).update(pattern="(a"),
    "default of the wrong type": lambda d: _first_schema(d).update(type="string", default=5),
    "default out of an int32 format": lambda d: _first_schema(d).update(
        type="integer", format="int32", default=2**40
    ),
    "default not a date-time": lambda d: _first_schema(d).update(
        type="string", format="date-time", default="yesterday"
    ),
    "required not defined with allOf": lambda d: _first_schema(d).update(
        allOf=[{"type": "object"}], required=["nowhere"]
    ),
    "paths not a mapping of path items": lambda d: d.update(paths={"/x": 5}),
    "info without a title": lambda d: d["info"].pop("title"),
    "duplicate tag": lambda d: d.update(tags=[{"name": "a"}, {"name": "a"}]),
    "schema of another dialect": lambda d: _first_schema(d).update(
        {"$schema": "http://json-schema.org/draft-04/schema#"}
    ),
    "minLength negative": lambda d: _first_schema(d).update(minLength=-1),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_kind_of_fault_is_left_to_the_validator(name: str) -> None:
    document = _base()
    assert precheck.clean(copy.deepcopy(document))
    FAULTS[name](document)
    assert not precheck.clean(document)
    _sound(document)


FAULTS30 = {
    "unknown type": lambda d: _first_schema(d).update(type="objekt"),
    "a list of types, as in 3.1": lambda d: _first_schema(d).update(type=["string", "null"]),
    "pattern Python cannot compile": lambda d: _first_schema(d).update(pattern="(?<name>a)"),
    "pattern no engine can compile": lambda d: _first_schema(d).update(pattern="(a"),
    "default of the wrong type": lambda d: _first_schema(d).update(type="string", default=5),
    "default null without nullable": lambda d: _first_schema(d).update(type="string", default=None),
    "default out of an int32 format": lambda d: _first_schema(d).update(
        type="integer", format="int32", default=2**40
    ),
    "default not base64 for format byte": lambda d: _first_schema(d).update(
        type="string", format="byte", default="not base64!"
    ),
    "required not defined with allOf": lambda d: _first_schema(d).update(
        allOf=[{"type": "object"}], required=["nowhere"]
    ),
    "exclusiveMinimum a number, as in 3.1": lambda d: _first_schema(d).update(
        minimum=0, exclusiveMinimum=0
    ),
    "a draft 4 id in a schema": lambda d: _first_schema(d).update(id="not a uri"),
    "paths not a mapping of path items": lambda d: d.update(paths={"/x": 5}),
    "info without a title": lambda d: d["info"].pop("title"),
    "duplicate tag": lambda d: d.update(tags=[{"name": "a"}, {"name": "a"}]),
    "minLength negative": lambda d: _first_schema(d).update(minLength=-1),
    "minLength a float, which draft 4 counts no integer": lambda d: _first_schema(d).update(
        minLength=1.0
    ),
    "required empty, which draft 4 refuses": lambda d: _first_schema(d).update(required=[]),
    "webhooks, which 3.0 has not": lambda d: d.update(webhooks={}),
    "a default holding a $ref to nowhere": lambda d: _first_schema(d).update(
        default={"$ref": "#/components/schemas/Nowhere"}
    ),
}


@pytest.mark.parametrize("name", sorted(FAULTS30))
def test_each_kind_of_3_0_fault_is_left_to_the_validator(name: str) -> None:
    document = _base("3.0")
    assert precheck.clean(copy.deepcopy(document), "3.0")
    FAULTS30[name](document)
    assert not precheck.clean(document, "3.0")
    _sound(document, "3.0")


def test_a_null_default_of_a_nullable_3_0_schema_is_proven_clean() -> None:
    document = _base("3.0")
    _first_schema(document).update(nullable=True, default=None)
    assert precheck.to_validate(document, "3.0") is None
    assert _validator_faults(document, "3.0") == []


def test_parts_that_reach_a_failing_schema_stay_for_the_validator() -> None:
    """The validator reports a schema's undefined required names only where it first reaches
    the schema as a whole, not as a property: a path item reaching it first through a property
    hides the fault, and must stay so that it hides it still."""
    document = _base("3.0")
    schemas = document["components"]["schemas"]
    schemas["Hidden"] = {"allOf": [{"type": "object"}], "required": ["nowhere"]}
    schemas["Holder"] = {
        "type": "object",
        "properties": {"hidden": {"$ref": "#/components/schemas/Hidden"}},
    }
    document["paths"] = {
        "/holders": {
            "get": {
                "responses": {
                    "200": {
                        "description": "A holder.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Holder"}}
                        },
                    }
                }
            }
        },
        **document["paths"],
    }
    narrowed = precheck.to_validate(document, "3.0")
    assert narrowed is not None and "/holders" in narrowed["paths"]
    assert len(narrowed["paths"]) < len(document["paths"])
    assert _validator_faults(narrowed, "3.0") == _validator_faults(document, "3.0") == []
    # Without the path item the validator reaches the schema as a whole, and reports it.
    del document["paths"]["/holders"]
    assert _validator_faults(document, "3.0") != []
    _sound(document, "3.0")


def test_the_validator_checks_only_the_parts_the_pass_cannot_prove() -> None:
    document = _base()
    assert precheck.to_validate(copy.deepcopy(document)) is None
    schemas = document["components"]["schemas"]
    # A schema one operation uses (every part that reaches a failing schema stays).
    name = "NewUser"
    schemas[name].update(minLength=-1)
    narrowed = precheck.to_validate(document)
    assert narrowed is not None and narrowed is not document
    assert name in narrowed["components"]["schemas"]
    assert len(narrowed["components"]["schemas"]) < len(schemas)
    assert len(narrowed["paths"]) < len(document["paths"])
    # The parts kept are the document's own, so the validator's errors are located in it.
    assert narrowed["components"]["schemas"][name] is schemas[name]
    assert _validator_faults(narrowed) == _validator_faults(document) != []


def test_a_clean_spec_is_what_the_validator_calls_clean() -> None:
    document = _base()
    assert precheck.clean(document)
    assert _validator_faults(document) == []


# Values that the validator has something to say about, in some place or other.
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.sampled_from(
        ["", "objekt", "string", "integer", "(?<n>a)", "(a", "^x-", "#/nowhere", "a b", "3.1.0"]
    ),
    st.sampled_from(
        [
            {"type": "objekt"},
            {"type": "string", "default": 1},
            {"type": "integer", "format": "int32", "default": 2**40},
            {"allOf": [{"type": "object"}], "required": ["x"]},
            {"pattern": "(?<n>a)"},
            {"$schema": "http://json-schema.org/draft-04/schema#"},
            {"$ref": "#/components/schemas/Nowhere"},
            {"$ref": "#/info"},
            {"enum": []},
            {"minimum": "1"},
            {"required": "x"},
            {},
            [],
            [1, 1],
        ]
    ),
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*path, index))
    return found


BASE_PLACES = {version: _places(_base(version))[1:] for version in ("3.1", "3.0")}
KEYWORDS = st.sampled_from(
    ["type", "default", "pattern", "allOf", "required", "items", "properties", "$ref", "format"]
)


@st.composite
def mutated(draw: st.DrawFn, version: str = "3.1") -> dict[str, Any]:
    document = _base(version)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(BASE_PLACES[version]))
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            # Copies: a document read from a file is a tree, sharing no value with another.
            if action == "replace":
                parent[path[-1]] = copy.deepcopy(draw(ODD_VALUES))
            elif action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif isinstance(parent[path[-1]], dict):
                parent[path[-1]][draw(KEYWORDS)] = copy.deepcopy(draw(ODD_VALUES))
        except (KeyError, IndexError, TypeError):
            continue
    return document


@settings(
    max_examples=int(os.environ.get("CHATFORGE_PRECHECK_EXAMPLES", "150")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
def test_random_changes_never_pass_what_the_validator_faults(document: dict[str, Any]) -> None:
    _sound(document)


@settings(
    max_examples=int(os.environ.get("CHATFORGE_PRECHECK_EXAMPLES", "150")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated("3.0"))
def test_random_changes_to_a_3_0_spec_never_pass_what_the_validator_faults(
    document: dict[str, Any],
) -> None:
    _sound(document, "3.0")


def test_the_loader_reports_the_validators_words_when_the_pass_declines() -> None:
    document = _base()
    _first_schema(document).update(type="objekt")
    found = Diagnostics("spec.yaml")
    validate.validate_openapi(document, found)
    messages = [item.message for item in found]
    assert messages and all(m.startswith("not valid OpenAPI 3.1:") for m in messages)
    assert any("objekt" in m for m in messages)
