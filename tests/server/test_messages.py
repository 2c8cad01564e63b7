"""Messages about bad requests read as plain English and name what the request sent (a path
parameter as the spec spells it, not its Python name), and every error is answered in the
spec's documented shape and status: FastAPI's `{"detail": ...}` and 422 where it documents none,
its own error body, without members it does not have, where it documents one."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import ROOT, LiveServer
from tests.running import chatforge

SPEC = ROOT / "tests/fixtures/specs/pet_errors.yaml"
PYDANTIC_WORDS = ("Input should", "Field required", "Value error", "pet_id")


def _error(status: str, properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties}
    return {
        status: {"description": "Failure.", "content": {"application/json": {"schema": schema}}}
    }


VARIANTS = {
    "none": {},
    "only_422": _error("422", {"message": {"type": "string"}}),
    "400": _error("400", {"error": {"type": "string"}, "code": {"type": "integer"}}),
}


def _served(tmp: Path, name: str, errors: dict[str, Any]) -> Any:
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    for item in document["paths"].values():
        for operation in item.values():
            operation["responses"].update(errors)
    slug = f"pets_{name}"
    spec = tmp / f"{slug}.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    out = tmp / "out"
    result = chatforge("generate", spec, "--out", out, "--target", "server", "-q")
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(out / slug / "server"))
    return importlib.import_module(f"{slug}_server").create_app()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("pets")
    running = {name: LiveServer(_served(tmp, name, errors)) for name, errors in VARIANTS.items()}
    for live in running.values():
        live.__enter__()
    try:
        yield {name: live.url for name, live in running.items()}
    finally:
        for live in running.values():
            live.__exit__(None, None, None)


def test_messages_name_the_spec_s_names_in_plain_words(servers: dict[str, str]) -> None:
    url = servers["400"]
    cases = [
        (httpx.get(f"{url}/pets/rex"), "path parameter 'petId' must be an integer"),
        (httpx.get(f"{url}/pets/1?limit=101"), "query parameter 'limit' must be at most 100"),
        (
            httpx.post(f"{url}/pets", json={"name": "Bartholomew"}),
            "body member 'name' must be at most 5 character(s) long",
        ),
        (httpx.post(f"{url}/pets", json={"age": 2}), "body member 'name' is required"),
        (
            httpx.get(f"{url}/pets/rex?limit=x"),
            "path parameter 'petId' must be an integer (and 1 more problem)",
        ),
    ]
    for answer, message in cases:
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == message
        assert not any(word in answer.text for word in PYDANTIC_WORDS), answer.text


def test_a_spec_documenting_no_error_is_answered_as_fastapi_does(servers: dict[str, str]) -> None:
    answer = httpx.get(f"{servers['none']}/pets/rex")
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": [
            {
                "loc": ["path", "petId"],
                "msg": "path parameter 'petId' must be an integer",
                "type": "int_parsing",
            }
        ]
    }
    missing = httpx.get(f"{servers['none']}/no/such/route")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


def test_errors_take_the_documented_status_and_members_alone(servers: dict[str, str]) -> None:
    only_422 = httpx.get(f"{servers['only_422']}/pets/rex")
    assert only_422.status_code == 422
    assert only_422.json() == {"message": "path parameter 'petId' must be an integer"}
    documented_400 = httpx.get(f"{servers['400']}/pets/rex")
    assert documented_400.status_code == 400
    assert documented_400.json() == {
        "code": 400,
        "error": "path parameter 'petId' must be an integer",
    }
