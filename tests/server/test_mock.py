"""Mock mode answers every operation with a value of its response schema: the spec's example,
or where there is none one built from the schema, the same on every generation."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from chatforge.lint import schema_validator
from tests.conftest import ROOT, LiveServer, import_generated
from tests.running import chatforge

SPEC = ROOT / "tests/fixtures/specs/unexampled.yaml"


def generate(spec: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return chatforge("generate", spec, "--out", out, "-q", cwd=ROOT)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unexampled")
    result = generate(SPEC, folder)
    assert result.returncode == 0, result.stderr
    return folder


def _schema_of(document: Any, path: str, method: str, status: str) -> str:
    token = path.replace("~", "~0").replace("/", "~1")
    return f"/paths/{token}/{method}/responses/{status}/content/application~1json/schema"


CALLS = [
    ("/rooms/{room_id}", "get", "200", None),
    ("/rooms", "get", "200", None),
    ("/rooms/{room_id}/members", "post", "201", {"user_id": "ann"}),
]


def test_answers_built_from_the_schema_are_valid(out: Path) -> None:
    server = import_generated("unexampled", "server", "unexampled_server", out)
    document = yaml.safe_load(SPEC.read_text())
    with LiveServer(server.create_app(mock=True)) as live:
        for path, method, status, body in CALLS:
            url = live.url + path.replace("{room_id}", "r1")
            response = httpx.request(method.upper(), url, json=body)
            assert response.status_code == int(status), response.text
            validator = schema_validator(document, _schema_of(document, path, method, status))
            problems = [e.message for e in validator.iter_errors(response.json())]
            assert not problems, (path, response.json(), problems)
        # Requests are still checked in mock mode; the spec documents no error answer, so the
        # server answers as FastAPI does.
        refused = httpx.post(f"{live.url}/rooms/r1/members", json={"user_id": ""})
        assert refused.status_code == 422
        assert [problem["loc"] for problem in refused.json()["detail"]] == [["body", "user_id"]]


def test_answers_read_like_their_schema(out: Path) -> None:
    examples = import_generated("unexampled", "server", "unexampled_server._examples", out)
    room = examples.EXAMPLES["get_room"]
    assert room["kind"] == "public" and room["capacity"] == 2
    assert room["owner"]["role"] == "member"
    jsonschema.validate(room["owner"]["user_id"], {"pattern": "^u-[a-z]{3,8}$"})
    listed = examples.EXAMPLES["list_rooms"]
    assert len(listed["rooms"]) == 2
    assert len(set(listed["tags"])) == 3


def test_answers_are_the_same_on_every_generation(out: Path, tmp_path: Path) -> None:
    assert generate(SPEC, tmp_path).returncode == 0
    name = "unexampled/server/unexampled_server/_examples.py"
    assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_a_schema_no_answer_fits_is_an_error(tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC.read_text())
    document["components"]["schemas"]["Room"]["properties"]["id"] = {
        "type": "string",
        "minLength": 5,
        "maxLength": 2,
    }
    spec = tmp_path / "impossible.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    result = generate(spec, tmp_path / "out")
    assert result.returncode == 1
    assert "no mock answer can be built from this schema" in result.stderr
    assert "(/components/schemas/Room/properties/id)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
