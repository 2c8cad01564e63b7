"""`create_app(docs=True)` serves the spec it was generated from at /openapi.json and an explorer
of it at /docs that loads nothing from any other host; without `docs`, neither is served."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chatforge.ir.model import Api
from tests.conftest import ROOT, LiveServer, read_yaml
from tests.functional.harness import load_generated, project_apis

APIS = project_apis()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.slug)
def test_openapi_json_is_the_spec(api: Api) -> None:
    generated = load_generated(api)
    client = TestClient(generated.server.create_app(docs=True))
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    spec = read_yaml(ROOT / "specs" / f"{generated.api.slug}.yaml")
    assert answer.json() == spec


def test_the_explorer_page_loads_only_this_servers_files() -> None:
    generated = load_generated(APIS[0])
    client = TestClient(generated.server.create_app(docs=True))
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    linked = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert linked and all(link.startswith("/docs/") for link in linked), linked
    for link in linked:
        assert client.get(link).status_code == 200, link
    assert "connect-src 'self'" in page.headers["content-security-policy"]


def test_without_docs_there_is_no_explorer() -> None:
    generated = load_generated(APIS[0])
    client = TestClient(generated.server.create_app())
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 404


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CHATFORGE_REQUIRE_BROWSER") != "1",
    reason="no chromium on this machine (.ci/run installs Debian's chromium)",
)
def test_the_explorer_renders_every_operation_in_chromium(tmp_path: Path) -> None:
    """Headless Chromium, offline (every host but this server's unreachable), opens /docs of a
    mock server: the explorer lists every operation of the spec."""
    assert CHROMIUM is not None, "CHATFORGE_REQUIRE_BROWSER=1, but chromium is not installed"
    api = next(api for api in APIS if api.slug == "upstra")
    generated = load_generated(api)
    with LiveServer(generated.server.create_app(mock=True, docs=True)) as live:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--virtual-time-budget=20000",
                "--dump-dom",
                f"{live.url}/docs",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    shown = re.findall(r'class="opblock-summary-path" data-path="([^"]*)"', result.stdout)
    expected = sorted(op.path for op in api.operations)
    assert sorted(shown) == expected


@pytest.mark.parametrize("mock", [True, False])
def test_a_mock_answers_pages_served_from_this_machine_alone(mock: bool) -> None:
    """A docs site's explorer on another local port may call a mock server from a browser;
    a page from anywhere else may not, and a server that is no mock answers no page."""
    generated = load_generated(APIS[0])
    client = TestClient(generated.server.create_app(mock=mock))
    operation = next(op for op in APIS[0].operations if op.method == "GET")
    path = re.sub(r"{[^}]+}", "x", operation.path)
    for origin, allowed in [
        ("http://127.0.0.1:8001", mock),
        ("http://localhost:3000", mock),
        ("http://[::1]:8001", mock),
        ("https://docs.example.com", False),
        ("http://127.0.0.1.example.com", False),
    ]:
        preflight = client.options(
            path,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": operation.method,
                "Access-Control-Request-Headers": "authorization",
            },
        )
        named = preflight.headers.get("access-control-allow-origin")
        assert (named == origin) is allowed, (origin, preflight.status_code, named)
        answer = client.get(path, headers={"Origin": origin})
        assert (answer.headers.get("access-control-allow-origin") == origin) is allowed
