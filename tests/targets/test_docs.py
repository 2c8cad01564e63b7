"""The Markdown docs target: complete, linked, escaped and deterministic."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest

from chatforge.config import load_config
from chatforge.ir.model import Api
from chatforge.run import pipeline
from chatforge.targets import docs
from chatforge.targets.docs import places, view
from chatforge.targets.templating import anchor
from chatforge.targets.text import md_inline, md_prose

ROOT = Path(__file__).resolve().parents[2]

LINK = re.compile(r"(?<!\\)\]\(([^)\s]*)\)")  # an unescaped `](target)`
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def build(names: list[str]) -> Api:
    source = pipeline.find_specs(load_config(ROOT), names)[0]
    checked = pipeline.check(source)
    assert checked.ok, [d for d in checked.diagnostics]
    return pipeline.build(checked)


@pytest.fixture(scope="module")
def upstra() -> Api:
    return build(["upstra"])


@pytest.fixture(scope="module")
def pages(upstra: Api) -> dict[str, str]:
    return docs.render(upstra)


def anchors(text: str) -> set[str]:
    return set(ANCHOR.findall(text))


def tables(text: str) -> list[list[str]]:
    """Every pipe table of a page, as its lines (header, rule, rows)."""
    found: list[list[str]] = []
    current: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("|"):
            current.append(line)
            continue
        if current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def test_pages_are_overview_guides_tags_and_schemas(upstra: Api, pages: dict[str, str]) -> None:
    guides = {"index.md", "quickstart.md", "explorer.md", "maintainers.md", "nav.json"}
    # The spec says what it knows of the platform's callbacks (here: that none are documented).
    assert upstra.webhooks is not None
    guides.add("events.md")
    tags = {f"{tag.py}.md" for tag in upstra.tags}
    schema_pages = {name for name in pages if name.startswith("schemas")}
    assert set(pages) == guides | tags | schema_pages
    assert "schemas.md" in schema_pages and len(schema_pages) > 2


def test_every_operation_has_its_section(upstra: Api, pages: dict[str, str]) -> None:
    for tag in upstra.tags:
        page = pages[f"{tag.py}.md"]
        for op in tag.operations:
            target = anchor(op.operation_id)
            assert f'<a id="{target}"></a>' in page, op.operation_id
            assert f"`{op.method} {op.path}`" in page, op.operation_id
            assert f"`{op.operation_id}`" in page
            section = page.split(f'<a id="{target}"></a>', 1)[1]
            assert section.lstrip("\n").startswith("## "), "the anchor must precede the heading"
            for function in op.functions:
                assert f"client.{tag.py}.{function.method}(" in section


def test_index_lists_every_operation_with_a_link(upstra: Api, pages: dict[str, str]) -> None:
    index = pages["index.md"]
    for tag in upstra.tags:
        assert f"]({tag.py}.md)" in index
        for op in tag.operations:
            assert f"]({tag.py}.md#{anchor(op.operation_id)})" in index
    assert "from upstra_client import Client" in index
    assert 'with Client(token="...") as client:' in index
    assert "`https://api.{region}.amity.co`" in index
    assert "Assumed:" in index and "`Authorization: Bearer <token>`" in index
    assert "documents no rate limits" in index
    assert "covers 39 of 39 documented functions" in pages["maintainers.md"]


def test_every_link_resolves(pages: dict[str, str]) -> None:
    checked = 0
    for name, text in pages.items():
        for target in LINK.findall(text):
            assert not target.startswith(("http:", "https:", "/")), target
            file, _, fragment = target.partition("#")
            file = file or name
            assert file in pages, f"{name} links to missing page {target}"
            if fragment:
                assert fragment in anchors(pages[file]), f"{name} links to missing {target}"
            checked += 1
    assert checked > 200


def test_tag_pages_link_models_to_schemas(upstra: Api, pages: dict[str, str]) -> None:
    channels = pages["channels.md"]
    assert "[ChannelList](schemas-channels.md#channellist)" in channels
    assert "[UserIdsRequest](schemas-channels.md#useridsrequest)" in channels
    where = places.names(upstra)
    for model in upstra.models:  # each on one page, listed on the schemas index
        holding = [n for n, t in pages.items() if f'<a id="{anchor(model.name)}"></a>' in t]
        assert holding == [where.model_page(model.name)], model.name
        assert f"[{model.name}]({holding[0]}#{anchor(model.name)})" in pages["schemas.md"]


def test_anchors_are_unique_per_page(pages: dict[str, str]) -> None:
    for name, text in pages.items():
        found = ANCHOR.findall(text)
        assert len(found) == len(set(found)), name


def test_shared_route_shows_each_variant(pages: dict[str, str]) -> None:
    channels = pages["channels.md"]
    section = channels.split('<a id="set-channel-mute"></a>', 1)[1].split("<a id=", 1)[0]
    assert "`client.channels.mute_channel()`: Mute Channel, sends [MuteChannelRequest]" in section
    assert "[UnmuteChannelRequest](schemas-channels.md#unmutechannelrequest)" in section
    fixed = [line for line in section.splitlines() if line.startswith("| `mutePeriod` | `0` |")]
    assert len(fixed) == 1 and "| fixed |" in fixed[0]
    assert "client.channels.mute_channel(channel_id='string', mute_period=1)" in section
    assert "client.channels.unmute_channel(channel_id='string')" in section


def test_python_examples(pages: dict[str, str]) -> None:
    channels = pages["channels.md"]
    assert (
        "result = client.channels.add_channel_users(\n"
        "    channel_id='string',\n"
        "    user_ids=['carol', 'dave'],\n"
        ")"
    ) in channels
    messages = pages["messages.md"]
    image = messages.split('<a id="create-image-message"></a>', 1)[1].split("<a id=", 1)[0]
    start = "```python\nfrom pathlib import Path\n\nresult = client.messages.create_image_message("
    assert start in image
    assert 'file=Path("photo.jpg")' in image
    assert "data = client.messages.get_message_image(message_id='string')" in messages
    # Optional arguments appear only when the spec's example gives them a value.
    query = channels.split('<a id="query-channels"></a>', 1)[1].split("<a id=", 1)[0]
    assert "tags=['support']" in query and "user_id=" not in query.split("```python")[1]


def test_argument_names_follow_the_client(pages: dict[str, str]) -> None:
    blacklist = pages["blacklist.md"]
    section = blacklist.split('<a id="update-blacklist-record"></a>', 1)[1]
    assert "| `ruleId` (`rule_id=`) | path | string | yes |" in section
    assert "| `ruleId` (`body_rule_id=`) | string | yes |" in section
    # A name the client spells the same way is given once.
    assert "| `filter` | enum | no |" in pages["channels.md"]
    assert "body_rule_id='scam'" in section


def test_responses_and_parameters(pages: dict[str, str]) -> None:
    messages = pages["messages.md"]
    assert "| `200` | The image data. | binary (`application/octet-stream`) |" in messages
    size = row(messages, "| `size` |")
    assert "| `size` | query | enum | no |" in size
    assert '`"small"`, `"medium"`, `"large"`, `"full"`' in size
    assert "Assumed" not in messages
    assert (
        "The document describes no error responses; this shape is assumed."
        in pages["maintainers.md"]
    )
    users = pages["users.md"]
    assert "Default `10`." in row(users, "| `limit` |")


def test_every_table_row_has_its_columns(pages: dict[str, str]) -> None:
    for name, text in pages.items():
        for lines in tables(text):
            width = len(UNESCAPED_PIPE.findall(lines[0]))
            assert re.fullmatch(r"\|(---\|)+", lines[1]), (name, lines[1])
            for line in lines:
                assert len(UNESCAPED_PIPE.findall(line)) == width, (name, line)
                assert "None" not in line.split("|"), (name, line)


def test_output_is_deterministic_and_clean(upstra: Api, pages: dict[str, str]) -> None:
    again = docs.render(build(["upstra"]))
    assert again == pages
    for name, text in pages.items():
        assert "\r" not in text
        assert text.endswith("\n") and not text.endswith("\n\n"), name
        assert str(ROOT) not in text and "/tmp/" not in text, name
        assert not any(line != line.rstrip() for line in text.split("\n")), name


HOSTILE = (
    "Pipe | here, <script>alert(1)</script> and `tick|tock` or ``` fence\n"
    "next line *em* [x](javascript:alert(1))"
)

HOSTILE_SPEC = f"""\
openapi: 3.1.0
info:
  title: 'Evil | <b>API</b>'
  version: '1'
  description: {json.dumps(HOSTILE)}
servers:
  - url: https://example.test
paths:
  /things:
    post:
      operationId: make_thing
      tags: [things]
      summary: 'Make | <i>thing</i>'
      description: {json.dumps(HOSTILE)}
      parameters:
        - name: q
          in: query
          description: {json.dumps(HOSTILE)}
          schema:
            type: string
            default: 'a|b'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Thing'
      responses:
        '200':
          description: {json.dumps(HOSTILE)}
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
        default:
          description: {json.dumps(HOSTILE)}
tags:
  - name: things
    description: {json.dumps(HOSTILE)}
components:
  schemas:
    Thing:
      type: object
      description: {json.dumps(HOSTILE)}
      required: [name]
      properties:
        name:
          type: string
          description: {json.dumps(HOSTILE)}
          example: "``` x"
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    spec = tmp_path_factory.mktemp("docs") / "evil.yaml"
    spec.write_text(HOSTILE_SPEC, encoding="utf-8")
    return docs.render(build([str(spec)]))


def row(text: str, start: str) -> str:
    rows = [line for line in text.split("\n") if line.startswith(start)]
    assert len(rows) == 1, (start, rows)
    return rows[0]


def test_hostile_text_stays_in_its_cell(hostile: dict[str, str]) -> None:
    page = hostile["things.md"]
    assert len(UNESCAPED_PIPE.findall(row(page, "| `q` |"))) == 6
    assert len(UNESCAPED_PIPE.findall(row(page.split("### Responses")[0], "| `name` |"))) == 5
    assert len(UNESCAPED_PIPE.findall(row(page, "| `200` |"))) == 4
    assert len(UNESCAPED_PIPE.findall(row(hostile["index.md"], "| [Things]"))) == 4
    assert len(UNESCAPED_PIPE.findall(row(hostile["schemas-things.md"], "| `name` |"))) == 5
    cell = row(page, "| `q` |")
    assert "\\`tick\\|tock\\`" in cell and "next line" in cell
    assert 'Default `"a\\|b"`' in cell


def test_hostile_text_injects_no_markup(hostile: dict[str, str]) -> None:
    for name, text in hostile.items():
        assert "<script" not in text and "<b>" not in text and "<i>" not in text, name
        assert not re.search(r"(?<!\\)\]\(javascript:", text), name
        outside_code = re.sub(r"(`{3,})(?:python|sh|json)\n.*?\n\1", "", text, flags=re.S)
        assert "```" not in outside_code.replace("\\`\\`\\`", ""), name
    assert "# Evil \\| &lt;b&gt;API&lt;/b&gt;" in hostile["index.md"]
    assert "## Make \\| &lt;i&gt;thing&lt;/i&gt;" in hostile["things.md"]
    # The example value holds a fence, so the example's fence is longer.
    example = "````python\nresult = client.things.make_thing(name='``` x')\n````"
    assert example in hostile["things.md"]


def test_hostile_spec_links_resolve(hostile: dict[str, str]) -> None:
    for name, text in hostile.items():
        for target in LINK.findall(text):
            file, _, fragment = target.partition("#")
            file = file or name
            assert file in hostile, target
            assert not fragment or fragment in anchors(hostile[file]), target


def test_code_fence_outgrows_backticks_in_examples() -> None:
    block = view.code_block("x = '```'")
    assert block.fence == "````"
    assert view.code_block("x = 1").fence == "```"


def test_inline_keeps_code_spans_but_escapes_the_rest() -> None:
    assert md_inline("paged with `options`.") == "paged with `options`."
    assert md_inline("a | b") == "a \\| b"
    # Markdown shows a code span's content literally, so `<token>` stays code, never markup.
    assert md_inline("see `<token>` here") == "see `<token>` here"
    assert md_inline("see `a|b` here") == "see \\`a\\|b\\` here"
    assert md_inline("see <token> here") == "see &lt;token&gt; here"
    assert md_prose("Intro:\n\n- one\n- two\n  more") == "Intro:\n\n- one\n- two more"


def test_reserved_tag_names_get_their_own_page() -> None:
    api = build(["upstra"])
    from dataclasses import replace

    renamed = replace(api, tags=(replace(api.tags[0], py="schemas"), *api.tags[1:]))
    pages = docs.render(renamed)
    assert "schemas_operations.md" in pages
    assert pages["schemas.md"].startswith("# Schemas\n")


def test_the_worked_token_example_verifies() -> None:
    """Stream's index shows a server token for the secret `api-secret` that really is one."""
    text = (ROOT / "generated/stream/docs/index.md").read_text(encoding="utf-8")
    match = re.search(r"the server token \(.*?\) is `([\w-]+)\.([\w-]+)\.([\w-]+)`", text)
    assert match is not None
    header, payload, signature = match.groups()
    digest = hmac.new(b"api-secret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == signature
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims == {"server": True}


def test_tags_are_titled_and_ordered_as_the_spec_gives_them(
    upstra: Api, pages: dict[str, str]
) -> None:
    assert places.title_case("open_channel_message_priority") == "Open Channel Message Priority"
    assert places.title_case("channel-types") == "Channel Types"
    assert places.title_case("list of IDs") == "List of IDs"
    nav = json.loads(pages["nav.json"])
    assert nav["short"] == "UpStra" and nav["spec"] == "specs/upstra.yaml"
    sections = dict(nav["pages"])
    assert [p for _, p in sections["Reference"]] == [f"{t.py}.md" for t in upstra.tags]
    assert [t for t, _ in sections["Reference"]] == [places.title_case(t.name) for t in upstra.tags]
    for tag in upstra.tags:
        assert pages[f"{tag.py}.md"].startswith(f"# {places.title_case(tag.name)}\n")
    assert list(sections)[:3] == ["Overview", "Quick start", "Explorer"]


def test_curation_is_on_the_maintainers_page_only(upstra: Api, pages: dict[str, str]) -> None:
    maintainers = pages["maintainers.md"]
    assert "The source document describes requests only." in maintainers
    assert "`004_01ffcd1dbf93f1cc.txt`" in maintainers
    assert "| 6 | Mute Channel | [Mute or unmute a channel](channels.md#set-channel-mute) |" in (
        maintainers
    )
    for name, text in pages.items():
        if name == "maintainers.md":
            continue
        assert "source document" not in text.lower().replace("\n", " "), name
        assert "Documented function" not in text and not re.search(r"\brow \d", text), name
        assert "004_01ffcd1dbf93f1cc" not in text, name


def test_nested_shapes_unfold_in_place(pages: dict[str, str]) -> None:
    section = pages["channels.md"].split('<a id="query-channels"></a>', 1)[1]
    section = section.split("<a id=", 1)[0]
    assert (
        "//// details | `options`: [ChannelQueryOptions](schemas-channels.md#channelqueryoptions)"
        in section
    )
    assert "/// details | Fields of the answer: [ChannelList]" in section
    for name, text in pages.items():  # every details block is closed by its own fence
        opened: list[str] = []
        for line in text.split("\n"):
            found = re.match(r"^(/{3,}) details \| ", line)
            if found:
                opened.append(found.group(1))
            elif re.fullmatch(r"/{3,}", line) and opened and line == opened[-1]:
                opened.pop()
        assert not opened, name


def test_every_operation_shows_its_answer(upstra: Api, pages: dict[str, str]) -> None:
    where = places.names(upstra)
    for op in upstra.operations:
        section = pages[where.pages[op.tag]].split(f'<a id="{where.operations[op.operation_id]}">')
        body = section[1].split("<a id=", 1)[0]
        tabs = re.findall(r"^/// tab \| (\w+)$", body, re.M)
        assert tabs == ["Python", "curl", "Response"], op.operation_id
        answer = body.split("/// tab | Response", 1)[1]
        given = op.success.example_json or op.success.synthesized_json
        if op.success.kind == "json" and given:
            shown = re.search(r"^```json\n(.*?)\n```$", answer, re.S | re.M)
            assert shown is not None and json.loads(shown.group(1)) == json.loads(given)
        else:
            assert "```json" not in answer


def test_the_quickstart_starts_the_mock_and_catches_a_refusal(pages: dict[str, str]) -> None:
    page = pages["quickstart.md"]
    assert "chatforge serve upstra --mock --token test-token" in page
    assert 'client = Client(token="test-token", base_url="http://127.0.0.1:8000")' in page
    assert "except AuthenticationError as error:" in page
    assert [h for h in page.split("\n") if h.startswith("## ")] == [
        "## 1. Install or vendor the client",
        "## 2. Start the mock server",
        "## 3. Make a client",
        "## 4. Make a first call",
        "## 5. Handle an error",
    ]
    assert (
        '<div class="chatforge-explorer" data-spec="../openapi.json"></div>' in pages["explorer.md"]
    )
