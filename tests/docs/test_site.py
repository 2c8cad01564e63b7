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
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chatforge.ir.model import Api, Operation
from chatforge.targets.docs import events, places, view
from tests.conftest import ROOT
from tests.docs.browser import Browser
from tests.functional.harness import project_apis
from tests.running import announced_port

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
        where = places.names(api)
        for op in api.operations:
            html = (site / _page(api, where.pages[op.tag])).read_text(encoding="utf-8")
            assert f'id="{where.operations[op.operation_id]}"' in html, (api.slug, op.operation_id)
    assert (site / "overview/comparison/index.html").is_file()
    assert (site / "conformance/index.html").is_file()


# pymarkdown, as its own command runs it, except for the text of its debug log: its parser
# logs the whole token list at each line, and the link finder every token of a paragraph at
# each bracket (unread at the default log level, but built all the same), which makes a page's
# lint time grow with the square of its length. So a token, and the page's list of them, show
# as a placeholder, and the link finder's log is not written.
LINT = """
import sys
from pymarkdown.general.tokenized_markdown import TokenizedMarkdown
from pymarkdown.links.link_search_helper import LinkSearchHelper
from pymarkdown.main import PyMarkdownLint
from pymarkdown.tokens.markdown_token import MarkdownToken

class Tokens(list):
    def __repr__(self):
        return "<tokens>"

def tokens(markdown):
    return markdown.__dict__["tokens"]

def set_tokens(markdown, value):
    markdown.__dict__["tokens"] = Tokens(value)

MarkdownToken.__repr__ = lambda self: "<token>"
TokenizedMarkdown._TokenizedMarkdown__tokenized_document = property(tokens, set_tokens)
LinkSearchHelper._LinkSearchHelper__debug_log_specials_in_tokens = staticmethod(lambda _: None)
sys.exit(PyMarkdownLint().main())
"""


def _lint(pages: list[Path], fast: bool = True) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", LINT] if fast else [_tool("pymarkdown")]
    return subprocess.Popen(
        [*command, "scan", *map(str, pages)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_markdown_is_lint_clean() -> None:
    """pymarkdown, configured in pyproject.toml, over every page of the site (the pages split
    among one process per CPU)."""
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
    running = [_lint(share) for share in shares if share]
    problems = [(process.communicate(timeout=600)[0], process.returncode) for process in running]
    assert all(code == 0 for _, code in problems), "".join(out for out, _ in problems)[-5000:]


def test_the_fast_lint_finds_what_pymarkdown_finds(tmp_path: Path) -> None:
    page = tmp_path / "faults.md"
    page.write_text(
        "# Title\n\nsome  text \n## Next\n* one\n- two\n```\nno language\n```\n"
        "[a](#nowhere)\n\n> quote\n>\n|a|b|\n|-|\n# Again\n",
        encoding="utf-8",
    )
    fast, slow = _lint([page]), _lint([page], fast=False)
    found = fast.communicate(timeout=120)[0]
    assert found.count("faults.md:") >= 5
    assert found == slow.communicate(timeout=120)[0]


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


def _dom(browser: Browser, url: str) -> str:
    """The page's document once it has loaded, as Chromium holds it."""
    browser.open(url, 1280)
    return str(browser.evaluate("document.documentElement.outerHTML"))


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CHATFORGE_REQUIRE_BROWSER") != "1",
    reason="no chromium on this machine (.ci/run installs Debian's chromium)",
)
@pytest.mark.parametrize("api", APIS, ids=lambda api: api.slug)
def test_a_tag_page_renders_in_chromium(api: Api, served: str, browser: Browser) -> None:
    where = places.names(api)
    tag = max(api.tags, key=lambda t: len(t.operations))
    url = f"{served}/{_page(api, where.pages[tag.name]).removesuffix('index.html')}"
    page = _Rendered()
    page.feed(_dom(browser, url))
    summaries = [op.summary or op.operation_id for op in tag.operations]
    shown = [" ".join(h.replace("¶", "").split()) for h in page.h2]
    assert shown == [" ".join(s.split()) for s in summaries]
    assert {where.operations[op.operation_id] for op in tag.operations} <= set(page.anchors)
    # Every operation: at least its responses table; a Python and a curl example each.
    assert page.rows > 2 * len(tag.operations)
    assert page.code_blocks >= 2 * len(tag.operations)
    assert page.scripts_in_article == 0


# -- the site as a reader uses it ---------------------------------------------------------------

needs_browser = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CHATFORGE_REQUIRE_BROWSER") != "1",
    reason="no chromium on this machine (.ci/run installs Debian's chromium)",
)
SCREENSHOTS = os.environ.get("CHATFORGE_SCREENSHOTS")  # a folder to keep the screenshots in


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    assert CHROMIUM is not None, "CHATFORGE_REQUIRE_BROWSER=1, but chromium is not installed"
    opened = Browser(CHROMIUM, CHROMIUM_FLAGS, tmp_path_factory.mktemp("profile"))
    yield opened
    opened.close()


def _first_operation(api: Api) -> tuple[Operation, str]:
    """The API's most distinctive operation (the first whose id no other API of the project
    has) and its page and anchor on the site."""
    others = {op.operation_id for other in APIS if other is not api for op in other.operations}
    where = places.names(api)
    op = next((o for o in api.operations if o.operation_id not in others), api.operations[0])
    page = where.pages[op.tag].removesuffix(".md")
    return op, f"{api.slug}/docs/{page}/#{where.operations[op.operation_id]}"


@needs_browser
@pytest.mark.parametrize("api", APIS, ids=lambda api: api.slug)
def test_search_finds_an_operation(api: Api, served: str, browser: Browser) -> None:
    """The site's search, in the browser, finds an operation by its id, and the result leads
    to the operation's own section: its heading, just after its anchor."""
    op, target = _first_operation(api)
    page = target.partition("#")[0]
    browser.open(f"{served}/?q={op.operation_id}", 1280)
    links = browser.wait(
        "Array.from(document.querySelectorAll('a.md-search-result__link')).map(a => a.href)"
    )
    sections = [link for link in links if link.startswith(f"{served}/{page}?") and "#" in link]
    assert sections, f"no result for {op.operation_id} leads into {page}: {links[:5]}"
    browser.open(sections[0], 1280)
    # The result names the heading's id, or the operation's anchor where the two are spelled
    # alike (the anchor comes first in the page): either way, the section's heading.
    heading = browser.evaluate(
        "(() => { const t = document.getElementById(decodeURIComponent(location.hash.slice(1)));"
        " if (!t) return null;"
        " const h = t.tagName === 'H2' ? t : t.closest('p').nextElementSibling;"
        " const before = h.previousElementSibling;"
        " return [h.tagName, h.textContent.replace('¶', '').trim(),"
        " before && before.querySelector('a[id]') && before.querySelector('a[id]').id]; })()"
    )
    where = places.names(api)
    assert heading == ["H2", " ".join(op.summary.split()), where.operations[op.operation_id]]


def _pages() -> list[tuple[str, str]]:
    """(name, site path) of the pages the layout test opens: the home, an operation of each
    API, each API's explorer, and each API's Events page."""
    found = [("home", "")]
    for api in APIS:
        found.append((f"{api.slug}-operation", _first_operation(api)[1]))
        found.append((f"{api.slug}-explorer", f"{api.slug}/docs/explorer/"))
        if api.webhooks is not None:
            found.append((f"{api.slug}-events", f"{api.slug}/docs/events/"))
    return found


@needs_browser
@pytest.mark.parametrize(
    "api", [a for a in APIS if a.webhooks is not None], ids=lambda api: api.slug
)
def test_the_events_page_renders_in_chromium(api: Api, served: str, browser: Browser) -> None:
    """Each API's Events page: a section (anchor and heading) per event the platform sends,
    or the note that the vendor documents none."""
    assert api.webhooks is not None
    page = _Rendered()
    page.feed(_dom(browser, f"{served}/{api.slug}/docs/events/"))
    assert set(events.anchors(api)) <= set(page.anchors)
    if api.webhooks.events:
        assert "All events" in [" ".join(h.replace("¶", "").split()) for h in page.h2]
        # The index, and each event's payload table.
        assert page.rows > len(api.webhooks.events)
        assert page.code_blocks >= 2
    else:
        assert not api.webhooks.documented and page.rows == 0
    assert page.scripts_in_article == 0


@needs_browser
def test_pages_fit_the_screen(served: str, browser: Browser) -> None:
    """At a desktop's width, and then at a phone's (the page turned to it, as a window made
    narrow), no page scrolls sideways (wide tables scroll within themselves), and every explorer
    shows the API's tags (its events' among them)."""
    keep = Path(SCREENSHOTS) if SCREENSHOTS else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    for name, path in _pages():
        browser.open(f"{served}/{path}", 1280)
        if name.endswith("explorer"):
            slug = name.removesuffix("-explorer")
            api = next(a for a in APIS if a.slug == slug)
            shown = browser.wait("document.querySelectorAll('.swagger-ui .opblock-tag').length")
            # The operations' tags, then the events' (the explorer lists the webhooks too).
            hooks = api.webhooks.events if api.webhooks is not None else ()
            event_tags = {event.tag for event in hooks} - {tag.name for tag in api.tags}
            assert shown == len(api.tags) + len(event_tags), (name, shown)
        for width in (1280, 390):
            browser.resize(width)
            sizes = browser.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            if keep is not None:  # a picture to look at, asked for; the checks need none
                browser.screenshot(keep / f"{name}-{width}.png")
            assert sizes[0] <= sizes[1], f"{name} scrolls sideways at {width}px: {sizes}"


# -- the quick starts run -----------------------------------------------------------------------

FENCED = re.compile(r"^(`{3,})(\w+)\n(.*?)\n\1$", re.S | re.M)


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.slug)
def test_quickstart_runs_against_the_mock_server(api: Api, tmp_path: Path) -> None:
    """The quick start's own commands: its `chatforge serve` starts the mock server, and its
    Python blocks, run one after another, make the first call and catch the error."""
    page = (ROOT / f"generated/{api.slug}/docs/quickstart.md").read_text(encoding="utf-8")
    blocks = [(language, text) for _, language, text in FENCED.findall(page)]
    serve = next(t for lang, t in blocks if lang == "sh" and t.startswith("chatforge serve"))
    code = "\n\n".join(t for lang, t in blocks if lang == "python")
    argv = shlex.split(serve)
    server = subprocess.Popen(
        [_tool("chatforge"), *argv[1:], "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = announced_port(server)
        script = tmp_path / "quickstart.py"
        script.write_text(code.replace(view.MOCK_URL, f"http://127.0.0.1:{port}"), encoding="utf-8")
        client = ROOT / f"generated/{api.slug}/client"
        result = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(client)},
        )
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = result.stdout.splitlines()
    assert len(printed) == 2, printed
    assert printed[1].startswith("401 "), printed  # the wrong credential, refused
