"""The Agora spec agrees with Easemob's server SDKs and REST reference, field by field.

`tests/evidence/agora.yaml` records, per operation, the request fields, query parameters and
response members the vendor's code and reference pages give. These tests measure how many of them
the spec's IR has (same name, same JSON type, same required flag), require at least 95% of each,
and require every disagreement between the sources to be explained in the spec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import yaml

from chatforge.ir.model import Api, Field, Operation
from tests.conftest import ROOT
from tests.functional.harness import project_apis

EVIDENCE = ROOT / "tests" / "evidence" / "agora.yaml"
THRESHOLD = 0.95

Schema = dict[str, Any]


@cache
def evidence() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EVIDENCE.read_text(encoding="utf-8"))
    return loaded


@cache
def agora() -> Api:
    return next(api for api in project_apis() if api.slug == "agora")


def operations(api: Api) -> dict[str, Operation]:
    return {op.operation_id: op for op in api.operations}


class Schemas:
    """JSON types and members of the IR's models, following references and unions."""

    def __init__(self, api: Api) -> None:
        self.models: dict[str, Schema] = {m.name: json.loads(m.schema_json) for m in api.models}

    def deref(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.models[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def alternatives(self, schema: Schema) -> list[Schema]:
        """The schema itself, or each branch of a union, each dereferenced."""
        schema = self.deref(schema)
        branches = schema.get("oneOf") or schema.get("anyOf")
        if branches:
            return [alt for branch in branches for alt in self.alternatives(branch)]
        return [schema]

    def types(self, schema: Schema) -> set[str]:
        found: set[str] = set()
        for alt in self.alternatives(schema):
            kind = alt.get("type")
            if isinstance(kind, list):
                found |= set(kind)
            elif kind:
                found.add(kind)
            elif "allOf" in alt or "properties" in alt:
                found.add("object")
        if "integer" in found:
            found.add("number")
        return found

    def member(self, schema: Schema, name: str) -> tuple[Schema, bool] | None:
        """A property of an object schema (any branch), with whether that branch requires it."""
        for alt in self.alternatives(schema):
            if alt.get("type") == "array" and "items" in alt:
                found = self.member(alt["items"], name)
                if found:
                    return found
            parts = (alt, *(self.deref(p) for p in alt.get("allOf", ())))
            for part in parts:
                properties = part.get("properties", {})
                if name in properties:
                    return properties[name], name in part.get("required", ())
            for part in parts:
                extra = part.get("additionalProperties")
                if isinstance(extra, dict) and extra:  # a map: every name is a member
                    return extra, False
        return None

    def path(self, schema: Schema, dotted: str) -> tuple[Schema, bool] | None:
        """A nested member: `a.b`, with `a[]` for the items of an array."""
        required = True
        for step in dotted.split("."):
            found = self.member(schema, step.removesuffix("[]"))
            if found is None:
                return None
            schema, required = found
            if step.endswith("[]"):
                items = [alt["items"] for alt in self.alternatives(schema) if "items" in alt]
                if not items:
                    return None
                schema = items[0]
        return schema, required


def body_schemas(api: Api, op: Operation, schemas: Schemas) -> list[Schema]:
    names = [fn.variant for fn in op.functions if fn.variant]
    if not names and op.body:
        names = [op.body.model]
    return [schemas.models[name] for name in names if name]


SCALARS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def parameter_types(field: Field) -> set[str]:
    annotation = field.type.client
    if field.type.is_array:
        return {"array"}
    if annotation.startswith("Literal["):
        return {"string"} if "'" in annotation else {"integer", "number"}
    kind = SCALARS.get(annotation.removesuffix(" | None"))
    return {kind, "number"} if kind == "integer" else {kind} if kind else {"object"}


@dataclass
class Tally:
    agreed: int = 0
    total: int = 0

    def add(self, ok: bool, problems: list[str], what: str) -> None:
        self.total += 1
        self.agreed += ok
        if not ok:
            problems.append(what)

    @property
    def share(self) -> float:
        return self.agreed / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.agreed} of {self.total} ({self.share:.0%})"


@dataclass
class Figures:
    operations: Tally
    request: Tally
    query: Tally
    response: Tally
    problems: list[str]


def request_field(
    schemas: Schemas, bodies: list[Schema], name: str
) -> tuple[set[str], bool] | None:
    for body in bodies:
        if name == "":
            return schemas.types(body), True
        found = schemas.path(body, name)
        if found:
            return schemas.types(found[0]), found[1]
    return None


def measure(api: Api) -> Figures:
    schemas = Schemas(api)
    ops = operations(api)
    figures = Figures(Tally(), Tally(), Tally(), Tally(), [])
    problems = figures.problems
    for op_id, facts in evidence()["operations"].items():
        op = ops.get(op_id)
        sdk = str(facts.get("sdk", "none"))
        if sdk != "none":
            figures.operations.add(op is not None, problems, f"{op_id}: no such operation")
        if op is None:
            continue
        bodies = body_schemas(api, op, schemas)
        for fact in facts.get("request") or ():
            found = request_field(schemas, bodies, fact["name"])
            ok = found is not None and fact["type"] in found[0]
            ok = ok and found is not None and found[1] == fact["required"]
            figures.request.add(ok, problems, f"{op_id}: request {fact} (spec: {found})")
        params = {(p.location, p.wire): p for p in op.parameters}
        for fact in facts.get("query") or ():
            param = params.get((fact["in"], fact["name"]))
            ok = param is not None and fact["type"] in parameter_types(param)
            ok = ok and param is not None and param.required == fact["required"]
            seen = param and (parameter_types(param), param.required)
            figures.query.add(ok, problems, f"{op_id}: {fact['in']} {fact} (spec: {seen})")
        success = op.success.model
        for member in facts.get("response") or ():
            ok = success is not None and schemas.path(schemas.models[success], member) is not None
            figures.response.add(ok, problems, f"{op_id}: response member {member}")
    return figures


def explanations(api: Api, op: Operation) -> str:
    """Every description the spec gives an operation: its own, its fields' and their schemas'."""
    schemas = Schemas(api)
    texts = [op.description, *(f.description for f in op.parameters)]
    pending = body_schemas(api, op, schemas)
    seen: set[int] = set()
    while pending:
        node: Any = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                texts.append(node["description"])
            if "$ref" in node:
                pending.append(schemas.deref(node))
            pending.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            pending.extend(v for v in node if isinstance(v, dict | list))
    return "\n".join(texts)


def test_agora_agrees_with_the_vendor_sdk_and_reference() -> None:
    figures = measure(agora())
    report = (
        f"operations with an SDK call {figures.operations}; request fields {figures.request}; "
        f"query parameters {figures.query}; response members the SDK reads {figures.response}"
    )
    print(report)
    low = [
        name
        for name in ("request", "query", "response")
        if getattr(figures, name).share < THRESHOLD
    ]
    assert figures.operations.share == 1.0, "\n".join(figures.problems)
    assert not low, report + "\n" + "\n".join(figures.problems)


@pytest.mark.parametrize(
    "disagreement",
    evidence()["disagreements"],
    ids=lambda d: f"{d['operation']}:{d['field']}",
)
def test_each_disagreement_is_explained_in_the_spec(disagreement: dict[str, Any]) -> None:
    api = agora()
    text = explanations(api, operations(api)[disagreement["operation"]])
    missing = [words for words in disagreement["says"] if words not in text]
    assert not missing, f"{disagreement['operation']}: the spec never says {missing}"


def test_every_recorded_fact_names_its_source() -> None:
    facts = evidence()["operations"]
    assert set(facts) == set(operations(agora())), "every operation has a record"
    unsourced = [
        f"{op_id}: {fact['name']}"
        for op_id, record in facts.items()
        for kind in ("request", "query")
        for fact in record.get(kind) or ()
        if not str(fact.get("from", "")).startswith(("im:", "push:", "em:", "agora:"))
    ]
    assert not unsourced
