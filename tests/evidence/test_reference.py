"""The specs agree with the evidence gathered about the vendors' services (shared/reference/):
paths, methods, encodings, parameter names from the vendors' SDKs, and rate limits, row by row."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from chatforge.ir.model import Api, Function, Operation
from tests.conftest import ROOT
from tests.functional.harness import project_apis

REFERENCE = ROOT.parent / "shared" / "reference"
APIS = {api.slug: api for api in project_apis()}

pytestmark = pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/reference is not beside")


def rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def by_row(api: Api) -> dict[int, tuple[Operation, Function]]:
    return {fn.row: (op, fn) for op in api.operations for fn in op.functions if fn.row}


def wire_names(op: Operation) -> set[str]:
    names = {p.wire for p in op.parameters}
    for function in op.functions:  # shared routes: every variant's fields
        names |= {f.wire for f in function.body_fields}
    if op.body:
        names |= {f.wire for f in op.body.fields}
    return names


PER = {
    "sec": "second",
    "second": "second",
    "min": "minute",
    "minute": "minute",
    "hour": "hour",
    "day": "day",
}


def documented_limit(text: str) -> tuple[int, str] | None:
    match = re.match(r"\s*(\d+)\s*/\s*([a-z]+)", text)
    return (int(match.group(1)), PER[match.group(2)]) if match else None


# Where the spec follows newer evidence than the reference CSV, with that evidence.
NEWER_EVIDENCE = {
    ("rongcloud", 75): "chatroomId: the newest Go SDK sends no parameter; the call lists every "
    "kept-alive chatroom (an older SDK's chatroomId is ignored by the generated server)",
}


def limit_problems(number: int, op: Operation, documented: str) -> list[str]:
    """The operation's rate limit against the document's, where the document gives one."""
    limit = documented_limit(documented)
    if limit and op.rate_limit and (op.rate_limit.requests, op.rate_limit.period) != limit:
        return [f"row {number}: rate limit {op.rate_limit} is not {limit}"]
    return []


def test_rongcloud_matches_the_vendor_sdks() -> None:
    served = by_row(APIS["rongcloud"])
    problems = []
    for number, row in enumerate(rows("001_doc_vs_sdk_mapping.csv"), start=1):
        op, _ = served[number]
        if (op.method, op.path) != (row["method"], row["doc_path"]):
            problems.append(f"row {number}: {op.method} {op.path} is not {row['doc_path']}")
        encoding = row["request_encoding(best evidence)"]
        if op.body and encoding.startswith("application/") and op.body.media_type != encoding:
            problems.append(f"row {number}: {op.body.media_type} is not {encoding}")
        # `group[` in the SDK's parameters is a deepObject field: `group[<id>]=<name>`.
        expected = {name.rstrip("[") for name in row["go_form_params"].split()}
        missing = expected - wire_names(op)
        if missing and ("rongcloud", number) not in NEWER_EVIDENCE:
            problems.append(f"row {number} {row['doc_path']}: no field {sorted(missing)}")
        problems.extend(limit_problems(number, op, row["doc_rate_limit"]))
    assert not problems, "\n".join(problems)


def test_nexconn_serves_live_and_documented_paths() -> None:
    served = by_row(APIS["nexconn"])
    problems = []
    for number, row in enumerate(rows("000_doc_vs_ncsdk_mapping.csv"), start=1):
        op, function = served[number]
        live, documented = row["ncsdk_path"], row["doc_path"]
        calls = function.path or op.path
        if calls != live:
            problems.append(f"row {number}: the client calls {calls}, the service {live}")
        answered = {op.path, *op.aliases, *(f.path for f in op.functions if f.path)}
        if documented not in answered:
            problems.append(f"row {number}: the documented path {documented} is not served")
        problems.extend(limit_problems(number, op, row["doc_rate_limit"]))
    assert not problems, "\n".join(problems)


def _template(path: str) -> str:
    """A path with every parameter written `{}`, as the reference CSV normalises them."""
    return re.sub(r"\$?{[^}]*}", "{}", "/" + path.strip().lstrip("/"))


def test_agora_paths_match_the_normalised_document() -> None:
    served = by_row(APIS["agora"])
    problems = []
    for number, row in enumerate(rows("003_agora_chat_doc_operations.csv"), start=1):
        op, _ = served[number]
        # The document writes `/mutes/username` where it means the parameter.
        expected = _template(row["normalized_path_after_org_app"]).replace(
            "/mutes/username", "/mutes/{}"
        )
        if _template(op.path) != expected:
            problems.append(
                f"row {number}: {op.path} is not {row['normalized_path_after_org_app']}"
            )
        problems.extend(limit_problems(number, op, row["doc_rate_limit"]))
    assert not problems, "\n".join(problems)


def _nested(api: Api, op: Operation) -> set[str]:
    """Properties of object-valued fields (UpStra's `options{skip,limit}`)."""
    models = {model.name: model for model in api.models}
    fields = (*op.parameters, *(f for fn in op.functions for f in fn.body_fields))
    return {p.wire for f in fields for name in f.type.models for p in models[name].properties}


def test_upstra_matches_the_document() -> None:
    api = APIS["upstra"]
    served = by_row(api)
    problems = []
    for number, row in enumerate(rows("004_upstra_admin_api_doc_operations.csv"), start=1):
        op, _ = served[number]
        if (op.method, op.path) != (row["method"], row["openapi_path"]):
            problems.append(f"row {number}: {op.method} {op.path} is not {row['openapi_path']}")
        encoding = row["doc_content_type"]
        if op.body and encoding.startswith(("application/", "multipart/")):
            if op.body.media_type != encoding:
                problems.append(f"row {number}: {op.body.media_type} is not {encoding}")
        documented = re.sub(r"[{}:?,]", " ", row["doc_params(:x=path, ?x=query)"]).split()
        missing = set(documented) - wire_names(op) - _nested(api, op)
        if missing:
            problems.append(f"row {number}: no parameter {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_reference_folder_is_the_one_beside_the_project() -> None:
    assert (REFERENCE / "API-NOTES.md").is_file()
    assert Path(REFERENCE).parent.name == "shared"
