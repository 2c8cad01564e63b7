"""A spec full of text that tries to break out: triple quotes, backslashes, Jinja delimiters,
HTML, newlines, control and bidi characters, and names such as `class`, `None`, `self`,
`__init__`, `1st`, `a-b` and `../../etc`. What it generates compiles, passes ruff and mypy, runs
nothing it should not, writes only inside its output folder, and carries the text unchanged
where it is data."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from chatforge.output.formatting import ruff_binary
from tests.conftest import ROOT
from tests.running import chatforge, generated

SPEC = ROOT / "tests/fixtures/hostile/hostile.yaml"
# Invisible and direction-changing characters: never in generated source or docs.
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    generated(SPEC, base)
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


# -- text that tries to end the place it is written in ---------------------------------------

HOSTILE = ROOT / "tests/fixtures/hostile"
PAYLOAD = re.compile(r"PWNED-[\w-]+")


def code_that_would_run(out: Path) -> list[tuple[str, str]]:
    """(module, payload) for each payload of the fixtures that a generated module holds as code
    rather than text."""
    found = []
    for path in sorted(out.rglob("*.py")):
        with tokenize.open(path) as source:  # in the encoding the module declares
            tree = ast.parse(source.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and PAYLOAD.search(ast.unparse(node.func)):
                found.append((str(path.relative_to(out)), ast.unparse(node)))
            elif isinstance(node, ast.Name) and node.id == "__import__":
                found.append((str(path.relative_to(out)), node.id))
    return found


def markers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("PWNED*"))


RUN_DOCSTRINGS = """
import sys
sys.path[:0] = [{client!r}, {server!r}]
import httpx
from fastapi.testclient import TestClient
import docstrings_client, docstrings_client.models, docstrings_client.resources
import docstrings_server, docstrings_server.models
from docstrings_client import Client
from docstrings_client.resources.items import Items
from docstrings_server import create_app

with TestClient(create_app(mock=True)) as test:
    print(test.get("/items/abc").status_code)

    def forward(request):
        answer = test.request(
            request.method, request.url.raw_path.decode(), headers=request.headers,
            content=request.content,
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    with Client(base_url="http://test", transport=httpx.MockTransport(forward)) as client:
        print(client.items.get_item(item_id="x").name)
print(Items.get_item.__doc__.splitlines()[0])
print(docstrings_client.__doc__.splitlines()[0])
print(docstrings_client.models.Item.__doc__.strip())
"""


def test_docstring_text_stays_in_its_docstring(tmp_path: Path) -> None:
    out = generated(HOSTILE / "docstrings.yaml", tmp_path)
    assert code_that_would_run(out) == []
    client, server = out / "docstrings/client", out / "docstrings/server"
    script = RUN_DOCSTRINGS.format(client=str(client), server=str(server))
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert markers(tmp_path) == []
    # The text is carried, its invisible characters gone, its quotes as written.
    touch = "__import__('pathlib').Path('PWNED-{}').touch();"
    assert result.stdout.splitlines() == [
        "200",
        "n",
        f'Get """; {touch.format("summary")} """ it',
        f'A client for the Hostile """; {touch.format("title")} """ title API.',
        f'An item """; {touch.format("schema")} """',
    ]


def test_an_encoding_declaration_in_a_comment_is_not_one(tmp_path: Path) -> None:
    out = generated(HOSTILE / "encoding.yaml", tmp_path)
    for path in out.rglob("*.py"):
        with path.open("rb") as source:
            assert tokenize.detect_encoding(source.readline)[0] == "utf-8", path
    assert code_that_would_run(out) == []
    modules = "encoding_client, encoding_client.resources, encoding_server, encoding_server.app"
    script = f"import sys; sys.path[:0] = [{str(out / 'encoding/client')!r}, "
    script += f"{str(out / 'encoding/server')!r}]; import {modules}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert markers(tmp_path) == []


FILE_NAMES = [
    'api\n__import__("pathlib").Path("PWNED-newline").touch()\n#',
    "api\r__import__('pathlib').Path('PWNED-return').touch()\r#",
    'api\x0c\x0b\x1c\u2028\x85__import__("pathlib").Path("PWNED-breaks").touch() """ \' \\',
    "coding=utf-7 +ACIAIgAi-",
]


@pytest.mark.parametrize("name", FILE_NAMES, ids=["newline", "return", "breaks", "encoding"])
def test_the_spec_file_name_stays_in_its_comment(tmp_path: Path, name: str) -> None:
    spec = tmp_path / "specs" / f"{name}.yaml"
    spec.parent.mkdir()
    spec.write_bytes((HOSTILE / "file_name.yaml").read_bytes())
    out = generated(spec, tmp_path)
    assert code_that_would_run(out) == []
    (api,) = out.iterdir()
    modules = sorted(out.glob("*/*/*/__init__.py"))
    assert len(modules) == 3  # models, client, server
    for module in modules:
        lines = module.read_text().splitlines()
        assert lines[0].startswith("# ") and " for Named +ACI" in lines[0], lines[0]
        assert lines[1] == "# Do not edit: change the spec or the templates and regenerate."
        assert not lines[2].startswith("#")
    paths = ", ".join(repr(str(m.parent.parent)) for m in modules)
    packages = ", ".join(m.parent.name for m in modules)
    script = f"import sys; sys.path[:0] = [{paths}]; import {packages}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert markers(tmp_path) == []
    page = (out / api.name / "docs/maintainers.md").read_text()
    (source,) = [line for line in page.splitlines() if "Generated by chatforge from" in line]
    assert "PWNED" in source or "coding" in source


ENDS = """
import sys
sys.path[:0] = [{client!r}, {server!r}]
import pydantic
from fastapi.testclient import TestClient
from pattern_end_client.models import Code, Item
from pattern_end_server import create_app

def takes(check, value):
    try:
        check(value)
    except pydantic.ValidationError:
        return False
    return True

values = {{"code": "abc", "name": "ab$", "plain": "abc$", "inner": {{"tag": "abc"}}}}
for key, value in values.items():
    print(key, takes(Item.model_validate, {{key: value}}), end=" ")
    late = {{"tag": value["tag"] + "\\n"}} if key == "inner" else value + "\\n"
    print(takes(Item.model_validate, {{key: late}}), end=" ")
    with TestClient(create_app(mock=True)) as test:
        print(test.post("/items", json={{key: late}}).status_code)
code = pydantic.TypeAdapter(Code).validate_python
print(takes(code, "abc"), takes(code, "abc\\n"))
"""


def test_a_dollar_in_a_pattern_python_checks_ends_the_value(tmp_path: Path) -> None:
    """`^[a-z]+$` in a model on Python's `re` took `"abc\\n"`, which the spec refuses."""
    out = generated(HOSTILE / "pattern_end.yaml", tmp_path)
    client, server = out / "pattern_end/client", out / "pattern_end/server"
    script = ENDS.format(client=str(client), server=str(server))
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "code True False 400",
        "name True False 400",
        "plain True False 400",
        "inner True False 400",
        "True False",
    ]


def test_an_unknown_format_is_a_string_and_no_warning(tmp_path: Path) -> None:
    result = chatforge(
        "generate",
        "--no-cache",
        "--target",
        "models",
        HOSTILE / "format_unknown.yaml",
        "--out",
        tmp_path / "out",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    models = next((tmp_path / "out").rglob("__init__.py")).read_text(encoding="utf-8")
    assert "code: str | None = None" in models and "size: int | None = None" in models
    assert code_that_would_run(tmp_path / "out") == []
