"""The docs site (mkdocs.yml): it builds with `mkdocs build --strict` (no broken link or anchor),
its Markdown is lint-clean, every operation has its section, and its pages render in a real
browser, headless Chromium, with their headings, tables and code blocks.

The browser test needs Debian's `chromium` (`.ci/run` installs it); without it the test is
skipped, unless CHATFORGE_REQUIRE_BROWSER=1 says it must run.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.ir import Api
from generator.targets import docs
from tests.conftest import ROOT
from tests.functional.harness import project_apis

APIS = project_apis()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [_tool("mkdocs"), "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return out


def _page(api: Api, tag_page: str) -> str:
    """The site path of a page of an API's reference."""
    return f"{api.slug}/docs/{tag_page.removesuffix('.md')}/index.html"


def test_every_operation_has_its_section_on_the_site(site: Path) -> None:
    for api in APIS:
        where = docs.names(api)
        for op in api.operations:
            html = (site / _page(api, where.pages[op.tag])).read_text(encoding="utf-8")
            assert f'id="{where.operations[op.operation_id]}"' in html, (api.slug, op.operation_id)
    assert (site / "overview/comparison/index.html").is_file()
    assert (site / "conformance/index.html").is_file()


def test_markdown_is_lint_clean() -> None:
    """pymarkdown, configured in pyproject.toml, over every page of the site (the pages split
    among one process per CPU: it reads about 15 kB a second)."""
    pages = sorted((ROOT / "generated").glob("*/docs/*.md"))
    pages += sorted((ROOT / "generated/overview").glob("*.md")) + sorted(ROOT.glob("docs/*.md"))
    pages.sort(key=lambda page: -page.stat().st_size)
    workers = max(1, min(os.cpu_count() or 1, 8))
    shares: list[list[Path]] = [[] for _ in range(workers)]
    sizes = [0] * workers
    for page in pages:  # the largest first, each to the least loaded process
        least = sizes.index(min(sizes))
        shares[least].append(page)
        sizes[least] += page.stat().st_size
    running = [
        subprocess.Popen(
            [_tool("pymarkdown"), "scan", *map(str, share)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for share in shares
        if share
    ]
    problems = [(process.communicate(timeout=600)[0], process.returncode) for process in running]
    assert all(code == 0 for _, code in problems), "".join(out for out, _ in problems)[-5000:]


class _Rendered(HTMLParser):
    """What a browser shows of one page: its h2 headings (text and id of the anchor before it),
    table rows and code blocks, within the article."""

    def __init__(self) -> None:
        super().__init__()
        self.in_article = False
        self.in_h2 = False
        self.h2: list[str] = []
        self.anchors: list[str] = []
        self.rows = 0
        self.code_blocks = 0
        self.scripts_in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "article":
            self.in_article = True
        if not self.in_article:
            return
        if tag == "h2":
            self.in_h2 = True
            self.h2.append("")
        elif tag == "a" and found.get("id"):
            self.anchors.append(found["id"] or "")
        elif tag == "tr":
            self.rows += 1
        elif tag == "pre":
            self.code_blocks += 1
        elif tag == "script":
            self.scripts_in_article += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.in_article = False
        elif tag == "h2":
            self.in_h2 = False

    def handle_data(self, data: str) -> None:
        if self.in_h2:
            self.h2[-1] += data


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _dom(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CHATFORGE_REQUIRE_BROWSER") != "1",
    reason="no chromium on this machine (.ci/run installs Debian's chromium)",
)
@pytest.mark.parametrize("api", APIS, ids=lambda api: api.slug)
def test_a_tag_page_renders_in_chromium(api: Api, served: str, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CHATFORGE_REQUIRE_BROWSER=1, but chromium is not installed"
    where = docs.names(api)
    tag = max(api.tags, key=lambda t: len(t.operations))
    url = f"{served}/{_page(api, where.pages[tag.name]).removesuffix('index.html')}"
    page = _Rendered()
    page.feed(_dom(url, tmp_path / "profile"))
    summaries = [op.summary or op.operation_id for op in tag.operations]
    shown = [" ".join(h.replace("¶", "").split()) for h in page.h2]
    assert shown == [" ".join(s.split()) for s in summaries]
    assert {where.operations[op.operation_id] for op in tag.operations} <= set(page.anchors)
    # Every operation: at least its responses table; a Python and a curl example each.
    assert page.rows > 2 * len(tag.operations)
    assert page.code_blocks >= 2 * len(tag.operations)
    assert page.scripts_in_article == 0
