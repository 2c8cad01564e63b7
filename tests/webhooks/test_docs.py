"""The Events page of an API's docs and the comparison's section on events, for the fixture
specs: every event described, the page in the navigation, lint-clean Markdown, and every link
of the comparison landing on an event's anchor."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chatforge.targets.docs import events, overview
from tests.conftest import ROOT
from tests.running import chatforge
from tests.webhooks.test_receivers import FIXTURES, build

SPECS = sorted(p.stem for p in FIXTURES.glob("*.yaml"))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("webhook-docs")
    result = chatforge(
        "generate", "--specs", FIXTURES, "--out", folder, "--target", "docs", "-q", cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return folder


@pytest.mark.parametrize("spec", SPECS)
def test_the_events_page_describes_every_event(out: Path, spec: str) -> None:
    api = build(FIXTURES / f"{spec}.yaml")
    assert api.webhooks is not None
    page = (out / spec / "docs" / "events.md").read_text(encoding="utf-8")
    nav = json.loads((out / spec / "docs" / "nav.json").read_text(encoding="utf-8"))
    assert ["Events", "events.md"] in nav["pages"]
    for event, mark in zip(api.webhooks.events, events.anchors(api), strict=True):
        section = page.split(f'<a id="{mark}"></a>', 1)[1].split("<a id=", 1)[0]
        assert f"### `{event.name}`" in section
        assert f"`{event.handler}`" in section and f"`{event.model}`" in section
        assert f"`POST {event.path}`" in section
        model = next(m for m in api.models if m.name == event.model)
        for prop in model.properties:
            assert f"| `{prop.wire}` |" in section
        if event.example_json is not None:
            assert "A sample delivery:" in section
    assert f"HTTP {api.webhooks.answer.status}" in page


def test_the_shared_url_page_says_how_a_delivery_is_verified(out: Path) -> None:
    page = (out / "shared_hmac" / "docs" / "events.md").read_text(encoding="utf-8")
    assert (
        "in the header `X-Signature`, the hex `HMAC-SHA256` digest, keyed with the shared "
        "secret, of the header `X-Webhook-Timestamp`, then the raw body."
    ) in page
    assert "more than 300 seconds from the receiver's clock is refused as stale" in page
    assert "3 retries: Retried after one, two and four seconds." in page
    assert "Expected answer: HTTP 200 with the body `OK` (`text/plain`)." in page


def test_events_pages_are_lint_clean(out: Path) -> None:
    pages = [str(out / spec / "docs" / "events.md") for spec in SPECS]
    lint = subprocess.run(
        [
            sys.executable,
            "-m",
            "pymarkdown",
            "--config",
            str(ROOT / "pyproject.toml"),
            "scan",
            *pages,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_comparison_lists_the_events_each_platform_sends(out: Path) -> None:
    apis = [build(FIXTURES / f"{spec}.yaml") for spec in SPECS]
    page = overview.render([], apis)[overview.PAGE]
    assert "## Events each platform sends" in page
    links = re.findall(r"\]\(\.\./([a-z_]+)/docs/events\.md#([a-z0-9-]+)\)", page)
    assert len(links) == sum(len(api.webhooks.events) for api in apis if api.webhooks)
    for slug, mark in links:
        assert f'<a id="{mark}"></a>' in (out / slug / "docs" / "events.md").read_text()


def test_no_events_section_where_no_spec_describes_events() -> None:
    apis = [build(str(ROOT / "tests/fixtures/multi_auth.yaml"))]
    assert apis[0].webhooks is None
    assert "Events each platform sends" not in overview.render([], apis)[overview.PAGE]


def test_upstra_says_its_vendor_documents_no_callbacks() -> None:
    api = build("upstra")
    assert api.webhooks is not None and not api.webhooks.documented and not api.webhooks.events
    page = overview.render([], [api])[overview.PAGE]
    assert "| UpStra Admin Panel API | none documented by the vendor |" in page.splitlines()


def test_a_vendor_without_callbacks_says_so(tmp_path: Path) -> None:
    spec = tmp_path / "quiet.yaml"
    spec.write_text(
        (FIXTURES / "third_party.yaml")
        .read_text(encoding="utf-8")
        .split("webhooks:\n")[0]
        .replace(
            "paths:\n",
            "x-webhooks:\n  documented: false\n  note: The vendor's guide lists no callbacks.\n"
            "paths:\n",
        )
        + "components: {}\n",
        encoding="utf-8",
    )
    result = chatforge("generate", spec, "--out", tmp_path / "out", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out/quiet/docs/events.md").read_text(encoding="utf-8")
    assert "The vendor documents no callbacks to the customer's server for this API." in page
    assert "The vendor's guide lists no callbacks." in page
    assert "## All events" not in page
    assert not (tmp_path / "out/quiet/server/quiet_server/webhooks.py").exists()
    api = build(spec)
    row = [line for line in overview.render([], [api])[overview.PAGE].splitlines() if "|" in line]
    assert row[-1] == "| Third Party Hooks | none documented by the vendor |"
