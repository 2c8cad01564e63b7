"""A spec full of text that tries to break out: triple quotes, backslashes, Jinja delimiters,
HTML, newlines, control and bidi characters, and names such as `class`, `None`, `self`,
`__init__`, `1st`, `a-b` and `../../etc`. What it generates compiles, passes ruff and mypy, runs
nothing it should not, writes only inside its output folder, and carries the text unchanged
where it is data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.formatting import ruff_binary
from tests.conftest import ROOT

SPEC = ROOT / "tests/fixtures/hostile/hostile.yaml"
# Invisible and direction-changing characters: never in generated source or docs.
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "generate", str(SPEC), "--out", str(base / "out")],
        cwd=base,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return base / "out"


def files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file())


def test_everything_is_written_inside_the_output_folder(out: Path) -> None:
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == ["hostile"]
    for path in files(out):
        assert path.resolve().is_relative_to(out.resolve())
        assert ".." not in path.relative_to(out).parts
    routes = out / "hostile/server/hostile_server/routes"
    assert sorted(p.name for p in routes.iterdir()) == ["__init__.py", "class_.py", "etc.py"]


def test_no_invisible_or_control_characters(out: Path) -> None:
    for path in files(out):
        found = INVISIBLE.findall(path.read_text())
        assert not found, (path, found)


def test_generated_python_passes_ruff_and_mypy(out: Path) -> None:
    folders = [out / "hostile" / target for target in ("models", "client", "server")]
    ruff = subprocess.run(
        [ruff_binary(), "check", "--no-cache", "--isolated", "--select", "E,F,W,I,UP,B"]
        + ["--ignore", "E501", "--line-length", "100", *map(str, folders)],
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    for folder in folders[1:]:
        package = next(p.name for p in folder.iterdir() if p.is_dir())
        mypy = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
            + ["--cache-dir", "/dev/null", "-p", package],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        assert mypy.returncode == 0, mypy.stdout + mypy.stderr


ROUND_TRIP = """
import sys
sys.path[:0] = [{client!r}, {server!r}]
from hostile_client import Client
from hostile_server import create_app
from hostile_server._examples import EXAMPLES
import hostile_client.models, hostile_server.models
from fastapi.testclient import TestClient
import httpx

app = create_app(mock=True)
with TestClient(app) as test:
    transport = httpx.MockTransport(lambda request: _forward(request))

    def _forward(request):
        answer = test.request(
            request.method, request.url.raw_path.decode(), headers=request.headers,
            content=request.content,
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    with Client(base_url="http://test", transport=transport) as client:
        item = client.etc.evil(item_id="ab\\\\", class_='{{{{ x }}}}', field_1st=1, self_="s")
        print(repr(item.class_), repr(item.none), repr(item.a_b), item.field_1st)
        created = getattr(client, "class_").class_(class_="x", import_=True, x="../x")
        print(type(created).__name__, test.app is app)
"""


def test_the_client_and_server_run_and_carry_the_text_unchanged(out: Path) -> None:
    client = out / "hostile/client"
    server = out / "hostile/server"
    script = ROUND_TRIP.format(client=str(client), server=str(server))
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=out.parent, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "'\"\"\"' '{{ x }}' '12\"\"\"' 1", lines
    assert lines[1] == "NoneModel True"
    assert not (out.parent / "PWNED").exists()


def test_jinja_and_html_in_spec_text_stay_text(out: Path) -> None:
    index = (out / "hostile/docs/index.md").read_text()
    assert "{{ 7\\*7 }}" in index or "{{ 7*7 }}" in index
    assert "<script>" not in index and "&lt;script&gt;" in index
    for page in (out / "hostile/docs").glob("*.md"):
        text = page.read_text()
        assert "<script" not in text and "<img" not in text, page
        assert text.count("```") % 2 == 0, page
        for table in re.findall(r"(?:^\|.*\|\n)+", text, re.MULTILINE):
            rows = table.splitlines()
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
            assert len(widths) == 1, (page, rows)
    client = (out / "hostile/client/hostile_client/_client.py").read_text()
    assert "{{ 7*7 }}" in client and "49" not in client
