"""The specs agree with what the vendors' SDKs send, as recorded in tests/evidence/, and the
generated servers take every spelling the evidence gives.

The RongCloud record lists, per form route of the spec, every form parameter the vendor's Go SDK
sends (the Java SDK where Go sends none, the vendor's documentation where neither SDK calls the
route): its shape on the wire and whether the SDK requires it. The spec agrees with a record row
when it has the field, the field's shape admits what the SDK sends, and its required flag does
not contradict the SDK's. Every field of the spec on a recorded route that no row names counts
against it too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import pytest

from chatforge.ir.model import Api, Field
from tests.conftest import ROOT
from tests.functional.harness import load_generated, project_apis

EVIDENCE = ROOT / "tests" / "evidence"
APIS = {api.slug: api for api in project_apis()}
FORM = "application/x-www-form-urlencoded"

# The share of (route, parameter) pairs on which spec and SDKs agree may not fall below this.
FLOOR = 0.99

# Where the spec departs from the SDKs on purpose, with the evidence it follows.
SDK_DIFFERENCES = {
    ("/group/user/gag/list.json", "groupId"): "optional: the vendor's documentation lets it be "
    "left out to list the muted members of every group; the Go SDK merely insists on one",
    ("/group/user/gag/rollback.json", "groupId"): "optional: the vendor's documentation lets it "
    "be left out to unmute the users in every group; the Go SDK merely insists on one",
    ("/sensitiveword/list.json", "type"): "a string of one digit, as the vendor's documentation "
    "types it; the Java SDK's integer travels as the same digit",
}


@dataclass(frozen=True)
class Sent:
    path: str
    parameter: str
    shape: str  # text, integer, boolean, json, csv, deepObject, or `repeated <one of these>`
    required: str  # yes: the SDK refuses a call without it; no: sent only when given; always
    sdk: str
    source: str


def record() -> list[Sent]:
    with open(EVIDENCE / "rongcloud_sdk_form_params.csv", encoding="utf-8", newline="") as f:
        return [Sent(**row) for row in csv.DictReader(f)]


def form_fields(api: Api) -> dict[str, dict[str, Field]]:
    """Every form route's fields, variants' included, under its path and each alias."""
    routes: dict[str, dict[str, Field]] = {}
    for op in api.operations:
        if op.body and op.body.media_type == FORM:
            fields = {f.wire: f for f in op.body.fields}
            for function in op.functions:
                for f in function.body_fields:
                    fields.setdefault(f.wire, f)
            for path in (op.path, *op.aliases):
                routes[path] = fields
    return routes


def spec_shape(field: Field) -> str:
    if field.style in ("json", "csv", "deepObject"):
        return field.style
    kind = field.type.kind or "string"
    return f"repeated {kind}" if field.type.is_array else kind


# The spec shapes that admit one value of each SDK shape. `text` is a string the SDK passes on
# without building or checking it, so any scalar of the spec (or a JSON string) admits it.
ADMITS = {
    "text": {"string", "integer", "number", "boolean", "json"},
    "integer": {"integer", "number"},
    "number": {"number"},
    "boolean": {"boolean"},
    "json": {"json", "string"},
    "csv": {"csv", "string"},
    "deepObject": {"deepObject"},
}


def fits(sent: str, spec: str) -> bool:
    """Whether a field of shape `spec` admits what the SDK sends as `sent`."""
    if sent.startswith("repeated "):
        return spec.startswith("repeated ") and spec.removeprefix("repeated ") in ADMITS[sent[9:]]
    return spec.removeprefix("repeated ") in ADMITS[sent]  # one value of a repeated field too


def disagreements(api: Api, rows: list[Sent]) -> tuple[int, dict[tuple[str, str], str]]:
    """How many recorded pairs agree, and what is wrong with every pair that does not."""
    routes = form_fields(api)
    agreed, problems = 0, {}
    for row in rows:
        field = routes.get(row.path, {}).get(row.parameter)
        if field is None:
            problems[row.path, row.parameter] = f"the spec has no field the {row.sdk} SDK sends"
            continue
        wrong = []
        if not fits(row.shape, spec_shape(field)):
            wrong.append(f"{spec_shape(field)} does not admit the SDK's {row.shape}")
        if row.required == "yes" and not field.required:
            wrong.append("optional, but the SDK requires it")
        if row.required == "no" and field.required:
            wrong.append("required, but the SDK may leave it out")
        if wrong:
            problems[row.path, row.parameter] = "; ".join(wrong)
        else:
            agreed += 1
    recorded = {(row.path, row.parameter) for row in rows}
    for path in sorted({row.path for row in rows}):
        for name in routes.get(path, {}):
            if (path, name) not in recorded:
                problems[path, name] = "no SDK sends it and no documentation is recorded"
    return agreed, problems


def test_every_recorded_route_is_a_form_route_of_the_spec() -> None:
    routes = form_fields(APIS["rongcloud"])
    assert {row.path for row in record()} - routes.keys() == set()
    assert routes.keys() - {row.path for row in record()} == set()


def test_rongcloud_form_parameters_agree_with_the_sdks() -> None:
    agreed, problems = disagreements(APIS["rongcloud"], record())
    share = agreed / (agreed + len(problems))
    undocumented = {pair: why for pair, why in problems.items() if pair not in SDK_DIFFERENCES}
    assert not undocumented, "\n".join(f"{p} {n}: {why}" for (p, n), why in undocumented.items())
    assert set(SDK_DIFFERENCES) <= set(problems), "a documented difference no longer differs"
    assert share >= FLOOR, f"{agreed} of {agreed + len(problems)} agree ({share:.1%})"


def test_group_routes_take_max_member_where_the_sdks_send_it() -> None:
    sent_to = {row.path for row in record() if row.parameter == "maxMember"}
    assert sent_to == {
        f"/group/{name}.json" for name in ("create", "dismiss", "join", "quit", "refresh")
    }
    routes = form_fields(APIS["rongcloud"])
    for path in sorted(sent_to):
        field = routes[path].get("maxMember")
        assert field is not None, f"{path} has no maxMember"
        assert (spec_shape(field), field.required) == ("integer", False), path


def test_documented_differences_are_explained_in_the_spec() -> None:
    routes = form_fields(APIS["rongcloud"])
    for path, name in SDK_DIFFERENCES:
        assert "SDK" in routes[path][name].description, f"{path} {name} does not say why"


PUSH = {
    "TaggedUsersPushRequest": {"audience": {"tag": ["beta"], "isToAll": False}},
    "AppPackagePushRequest": {"audience": {"packageName": "com.example.app", "isToAll": False}},
}


@pytest.mark.parametrize("model", sorted(PUSH))
@pytest.mark.parametrize(
    "platforms", [["iOS", "Android", "HarmonyOS"], ["ios", "android", "harmonyOS"]]
)
def test_nexconn_push_takes_both_spellings_of_a_platform(model: str, platforms: list[str]) -> None:
    """The vendor's documentation capitalises the platforms, RongCloud's push route takes them in
    lowercase, and the vendor's SDK sends whatever it is given: the server refuses neither."""
    body = {
        "platform": platforms,
        "fromUserId": "admin",
        "message": {"messageType": "RC:TxtMsg", "content": '{"content":"hi"}'},
        "notification": {"alert": "hi"},
        **PUSH[model],
    }
    models = load_generated(APIS["nexconn"]).server.models
    request = getattr(models, model).model_validate(body)
    assert request.platform == platforms
