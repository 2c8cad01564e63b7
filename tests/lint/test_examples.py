"""The compiled first pass over examples (`chatforge.lint.examples`): what it proves matches by
the Python validator too, and what it cannot prove is left to it, so the `examples` rule's
diagnostics are the same with or without the pass."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from chatforge import lint
from chatforge.config import load_config
from chatforge.diagnostics import Diagnostics, Level
from chatforge.lint import examples
from chatforge.run import pipeline
from chatforge.spec import validate
from tests.conftest import ROOT


def _doc(schema: dict[str, Any], example: Any, **components: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema, "example": example}},
                        }
                    }
                }
            }
        },
        "components": {"schemas": components},
    }


def _verdicts(doc: dict[str, Any]) -> list[bool]:
    sites = list(lint._example_sites(doc))
    return examples.proven(doc, [(pointer, value) for pointer, _, value in sites])


def test_a_matching_example_through_references_is_proven() -> None:
    user = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    page = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}},
    }
    doc = _doc(
        {"$ref": "#/components/schemas/Page"}, {"items": [{"id": "u1"}]}, User=user, Page=page
    )
    assert _verdicts(doc) == [True]


def test_an_example_that_breaks_its_schema_is_left_to_the_python_validator() -> None:
    user = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    doc = _doc({"$ref": "#/components/schemas/User"}, {"id": 7}, User=user)
    assert _verdicts(doc) == [False]
    out = Diagnostics("x.yaml")
    lint.rule_examples(doc, out, Level.ERROR)
    (found,) = list(out)
    assert found.message.startswith("example does not match its schema: 7 is not of type")
    assert found.pointer == "/paths/~1x/get/responses/200/content/application~1json/example"


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^a$"},  # Python's `re` against jsonschema-rs's engine
        {"$ref": "#/components/schemas/Code"},  # a pattern reached through a reference
        {"$id": "urn:elsewhere", "type": "string"},  # resolution moved
        {"$ref": "#/paths/~1x"},  # a reference outside the component schemas
    ],
)
def test_what_the_engines_may_judge_apart_is_not_proven(schema: dict[str, Any]) -> None:
    doc = _doc(schema, "a", Code={"type": "string", "pattern": "^a$"})
    assert _verdicts(doc) == [False]


def test_every_example_proven_in_the_curated_specs_matches_by_the_python_validator() -> None:
    for source in pipeline.find_specs(load_config(), ()):
        doc = validate.load(source.path, source.display).document
        sites = list(lint._example_sites(doc))
        verdicts = examples.proven(doc, [(pointer, value) for pointer, _, value in sites])
        assert sum(verdicts) > len(sites) // 2, source.slug  # the pass does its work
        registry = lint.schema_registry(doc)
        for (pointer, where, value), done in zip(sites, verdicts, strict=True):
            if done:
                assert lint.schema_validator(doc, pointer, registry).is_valid(value), where


def test_checking_a_spec_the_compiled_pass_proves_never_imports_the_python_validator() -> None:
    """Stream's examples and error answers are all proven: its check, in a fresh interpreter,
    leaves `jsonschema` and `referencing` unimported (a tenth of a second of every run)."""
    code = (
        "import sys\n"
        "from chatforge.config import load_config\n"
        "from chatforge.run import pipeline\n"
        "checked = pipeline.check(pipeline.find_specs(load_config(), ['stream'])[0])\n"
        "assert checked.ok, checked.diagnostics\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'jsonschema', 'referencing'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
