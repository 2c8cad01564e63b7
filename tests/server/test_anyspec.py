"""Shapes of public OpenAPI documents, each in a fixture of its own (`tests/fixtures/anyspec/`),
through the client and the server: every generated route answers valid requests in mock mode
without a server error, and what a generated client sends, its server reads back as it was."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT, LiveServer
from tests.running import generated
from tests.server.mock_probe import server_errors

FIXTURES = ROOT / "tests/fixtures/anyspec"
SPECS = sorted(path.stem for path in FIXTURES.glob("*.yaml"))


class Packages:
    """The generated client and server packages of one fixture spec."""

    def __init__(self, out: Path, slug: str) -> None:
        self.out, self.slug = out, slug

    def load(self, target: str) -> ModuleType:
        folder = str(self.out / self.slug / target)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        return importlib.import_module(f"{self.slug}_{target}")

    @property
    def server(self) -> ModuleType:
        return self.load("server")

    @property
    def client(self) -> ModuleType:
        return self.load("client")

    def document(self) -> dict[str, Any]:
        server = self.out / self.slug / "server" / f"{self.slug}_server" / "openapi.json"
        return dict(json.loads(server.read_text(encoding="utf-8")))


class Generated(dict[str, Packages]):
    """Each fixture spec generated the first time a test asks for it."""

    def __init__(self, base: Path) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, slug: str) -> Packages:
        (self.base / slug).mkdir()
        self[slug] = Packages(generated(FIXTURES / f"{slug}.yaml", self.base / slug), slug)
        return self[slug]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Packages]]:
    found = Generated(tmp_path_factory.mktemp("anyspec"))
    yield found
    for slug, made in found.items():
        for target in ("client", "server"):
            folder = str(made.out / slug / target)
            if folder in sys.path:
                sys.path.remove(folder)


@pytest.mark.parametrize("slug", SPECS)
def test_every_route_answers_valid_requests_in_mock_mode(
    packages: dict[str, Packages], slug: str
) -> None:
    made = packages[slug]
    app = made.server.create_app(mock=True)
    assert server_errors(made.document(), app, examples=8) == {}


class Recorder:
    """Handlers that keep what each call was given and answer a fixed value."""

    def __init__(self, answer: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answer = answer

    def __getattr__(self, name: str) -> Any:
        async def handler(**kwargs: Any) -> Any:
            self.calls.append(kwargs)
            return self.answer

        return handler


def _serve(made: Packages, tag: str, recorder: Recorder) -> Any:
    server = made.server
    base = getattr(server, f"{tag.title()}Handlers")
    handlers = type("Recorded", (base,), {})()
    for name in dir(base):
        if not name.startswith("_"):
            setattr(handlers, name, getattr(recorder, name))
    return server.create_app(**{tag: handlers})


# Enums met where a range or a size is checked ------------------------------------------------


def test_members_and_parameters_whose_type_is_an_enum_take_their_values(
    packages: dict[str, Packages],
) -> None:
    made = packages["enum_checks"]
    answer = {"level": 2, "tier": 100, "history": [1, 3], "code": "cd", "count": 5}
    recorder = Recorder(answer)
    with TestClient(_serve(made, "levels", recorder)) as test:
        query = {"tier": 10, "tiers": [0, 100], "grades": "1,2", "code": "ab"}
        got = test.get("/levels/2", params=query, headers={"X-Grade": "3"})
        assert got.status_code == 200, got.text
        call = recorder.calls[-1]
        assert (call["level"], call["tier"], call["x_grade"]) == (2, 10, 3)
        assert call["tiers"] == [0, 100] and call["grades"] == [1, 2]
        put = test.put("/levels/2", json=answer)
        assert put.status_code == 200, put.text
        assert recorder.calls[-1]["body"].level.root == 2
        refused = {
            "path": test.get("/levels/4"),
            "query": test.get("/levels/1", params={"tier": "5"}),
            "header": test.get("/levels/1", headers={"X-Grade": "9"}),
            "csv item": test.get("/levels/1", params={"grades": "1,7"}),
            "csv item not a number": test.get("/levels/1", params={"grades": "1,x"}),
            "member": test.put("/levels/1", json={"level": 5}),
            "repeated": test.put("/levels/1", json={"level": 1, "history": [1, 1]}),
            "int32": test.put("/levels/1", json={"level": 1, "count": 2**31}),
        }
        assert {where: r.status_code for where, r in refused.items()} == dict.fromkeys(refused, 422)
    assert len(recorder.calls) == 2


# Parameters that carry objects and arrays ------------------------------------------------------


def test_object_and_array_parameters_travel_from_client_to_server(
    packages: dict[str, Packages],
) -> None:
    made = packages["object_params"]
    recorder = Recorder({"count": 1})
    client_package = made.client
    models = client_package.models
    with LiveServer(_serve(made, "finds", recorder)) as live:
        with client_package.Client(base_url=live.url) as client:
            found = client.finds.find_things(
                ids=[3, 4],
                filters=[models.Filter(field="name", value="a,b"), models.Filter(field="kind")],
                window=models.Window(start=1, end=9),
                x_window=models.Window(start=2, end=3),
                x_exploded=models.Window(start=4),
            )
    assert found.count == 1
    (call,) = recorder.calls
    assert call["ids"] == [3, 4]
    assert [(f.field, f.value) for f in call["filters"]] == [("name", "a,b"), ("kind", None)]
    assert (call["window"].start, call["window"].end) == (1, 9)
    assert (call["x_window"].start, call["x_window"].end) == (2, 3)
    assert (call["x_exploded"].start, call["x_exploded"].end) == (4, None)


def test_object_and_array_parameters_are_checked(packages: dict[str, Packages]) -> None:
    made = packages["object_params"]
    recorder = Recorder({"count": 1})
    with TestClient(_serve(made, "finds", recorder)) as test:
        refused = {
            "path item": test.get("/finds/1,x"),
            "filter not JSON": test.get("/finds/1", params={"filters": "name"}),
            "filter without field": test.get("/finds/1", params={"filters": '{"value":"v"}'}),
            "window member": test.get("/finds/1", params={"start": "-1"}),
            "header pairs": test.get("/finds/1", headers={"X-Window": "start"}),
            "header member": test.get("/finds/1", headers={"X-Window": "start,x"}),
        }
        assert {where: r.status_code for where, r in refused.items()} == dict.fromkeys(refused, 422)
        assert not recorder.calls


# A deepObject query parameter holding a free-form map -------------------------------------------


def test_a_deep_object_map_travels_as_name_and_key(packages: dict[str, Packages]) -> None:
    made = packages["deep_map"]
    recorder = Recorder(["one"])
    client_package = made.client
    with LiveServer(_serve(made, "items", recorder)) as live:
        with client_package.Client(base_url=live.url) as client:
            raw = client.with_raw_response.items.list_items(
                labels={"team": "core", "tier": "2"},
                limits={"pages": 3},
                range=client_package.models.Range(low=1, high=5),
            )
    assert raw.parse() == ["one"]
    query = raw.http_response.request.url.query.decode()
    assert "labels%5Bteam%5D=core" in query and "limits%5Bpages%5D=3" in query
    (call,) = recorder.calls
    assert call["labels"] == {"team": "core", "tier": "2"}
    assert call["limits"] == {"pages": 3}
    assert (call["range"].low, call["range"].high) == (1, 5)
    with TestClient(_serve(made, "items", recorder)) as test:
        assert test.get("/items", params={"limits[pages]": "x"}).status_code == 422
    assert len(recorder.calls) == 1


# Form bodies: multipart with files written the 3.1 way, and URL-encoded --------------------------


def test_files_and_forms_travel_as_their_media_types_say(
    packages: dict[str, Packages], tmp_path: Path
) -> None:
    made = packages["uploads"]
    recorder = Recorder({"id": "f1"})
    client_package = made.client
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n")
    binary = b"\xff\xfe\x00 not text"
    with LiveServer(_serve(made, "files", recorder)) as live:
        with client_package.Client(base_url=live.url) as client:
            raw = client.with_raw_response.files.upload_file(
                file=("data.bin", binary), extras=[photo, b"second"], title="t", size=3
            )
            found = client.with_raw_response.files.search_files(text="a b", limit=5, kinds=["x"])
    sent = raw.http_response.request.headers["content-type"]
    assert sent.startswith("multipart/form-data; boundary=")
    assert raw.parse().id == "f1"
    assert found.http_response.request.headers["content-type"] == (
        "application/x-www-form-urlencoded"
    )
    assert found.http_response.request.content == b"text=a+b&limit=5&kinds=x"
    upload, search = (call["body"] for call in recorder.calls)
    assert upload.file == binary and upload.extras == [b"\x89PNG\r\n\x1a\n", b"second"]
    assert (upload.title, upload.size) == ("t", 3)
    assert (search.text, search.limit, search.kinds) == ("a b", 5, ["x"])


# allOf parts that say something of the same value: both hold ------------------------------------


def test_all_of_parts_of_one_property_hold_together(packages: dict[str, Packages]) -> None:
    made = packages["allof_overlap"]
    note = {"text": "hi", "meta": {"created": 5, "author": "ann"}, "kinds": ["rich"]}
    recorder = Recorder(note)
    with TestClient(_serve(made, "notes", recorder)) as test:
        got = test.post("/notes", json=note)
        assert got.status_code == 200, got.text
        assert got.json() == note
        body = recorder.calls[-1]["body"]
        assert (body.meta.created, body.meta.author) == (5, "ann")
        refused = {
            "without created": {"text": "hi", "meta": {"author": "ann"}},
            "without author": {"text": "hi", "meta": {"created": 5}},
            "created below 0": {"text": "hi", "meta": {"created": -1, "author": "ann"}},
            "kind the item leaves out": {**note, "kinds": ["draft"]},
        }
        answers = {
            what: test.post("/notes", json=sent).status_code for what, sent in refused.items()
        }
        assert answers == dict.fromkeys(refused, 422)
    parsed = made.client.models.Note.model_validate(note)
    assert (parsed.meta.created, parsed.meta.author) == (5, "ann")


# Bodies that are one of several shapes --------------------------------------------------------


def test_a_union_body_is_sent_as_the_variant_the_caller_gives(
    packages: dict[str, Packages],
) -> None:
    made = packages["union_bodies"]
    recorder = Recorder({"ok": True})
    client_package = made.client
    models = client_package.models
    with LiveServer(_serve(made, "events", recorder)) as live:
        with client_package.Client(base_url=live.url) as client:
            sent = [
                client.with_raw_response.events.send_event(body=models.Click(kind="click", x=3)),
                client.with_raw_response.events.send_event(
                    body=models.Scroll(kind="scroll", by=1.5)
                ),
                client.with_raw_response.events.send_batch(body=["a", "b"]),
                client.with_raw_response.events.send_batch(body=models.Click(kind="click", x=1)),
                client.with_raw_response.events.put_event(body=models.Scroll(kind="scroll", by=2)),
            ]
    bodies = [json.loads(raw.http_response.request.content) for raw in sent]
    assert bodies == [
        {"kind": "click", "x": 3},
        {"kind": "scroll", "by": 1.5},
        ["a", "b"],
        {"kind": "click", "x": 1},
        {"kind": "scroll", "by": 2.0},
    ]
    assert all(raw.parse().ok for raw in sent)
    received = [call["body"].model_dump(mode="json") for call in recorder.calls]
    assert received == bodies


# Formats written the API's way, and a schema named like a Python builtin ----------------------


def test_formatted_strings_travel_as_written(packages: dict[str, Packages]) -> None:
    made = packages["written_formats"]
    link = {"uri": "/v1/links/L2", "home": "https://example.com", "retention": "90m", "key": "//4A"}
    page = {
        "first_page_uri": "/v1/links?page=0",
        "links": [link],
        "warnings": [{"code": 7, "message": "slow"}],
    }
    recorder = Recorder(link)
    client_package = made.client
    with LiveServer(_serve(made, "links", recorder)) as live:
        with client_package.Client(base_url=live.url) as client:
            raw = client.with_raw_response.links.create_link(
                home="https://example.com", secret="hunter2", key="//4A"
            )
            recorder.answer = page
            listed = client.links.list_links()
    assert json.loads(raw.http_response.request.content) == {
        "home": "https://example.com",
        "secret": "hunter2",
        "key": "//4A",
    }
    made_link = raw.parse()
    assert (made_link.uri, made_link.home, made_link.retention, made_link.key) == tuple(
        link.values()
    )
    body = recorder.calls[0]["body"]
    assert (body.home, body.secret, body.key) == ("https://example.com", "hunter2", "//4A")
    assert listed.first_page_uri == "/v1/links?page=0"
    assert [(w.code, w.message) for w in listed.warnings or []] == [(7, "slow")]
    assert listed.model_dump(mode="json", exclude_none=True) == page


# Deprecated schemas that hold a value rather than an object -----------------------------------


def test_values_of_deprecated_schemas_are_read_and_written(packages: dict[str, Packages]) -> None:
    made = packages["deprecated_values"]
    answer = {"score": 40, "tier": 3, "key": "k-1"}
    recorder = Recorder(answer)
    client_package = made.client
    with LiveServer(_serve(made, "risks", recorder)) as live:
        with client_package.Client(base_url=live.url) as client:
            raw = client.with_raw_response.risks.evaluate_risk(amount=9.5, key="k-2")
    assert json.loads(raw.http_response.request.content) == {"amount": 9.5, "key": "k-2"}
    evaluation = raw.parse()
    assert evaluation.model_dump(mode="json", exclude_none=True) == answer
    (call,) = recorder.calls
    assert call["body"].model_dump(mode="json", exclude_none=True) == {"amount": 9.5, "key": "k-2"}
    with TestClient(_serve(made, "risks", recorder)) as test:
        refused = test.post("/risks", json={"amount": 1, "key": "k" * 17})
        assert refused.status_code == 422, refused.text


# Names of punctuation and digits alone ------------------------------------------------------------


def test_names_of_punctuation_alone_keep_distinct_python_names_and_their_wire_names(
    packages: dict[str, Packages],
) -> None:
    made = packages["punctuation_names"]
    client_package = made.client
    tally = client_package.models.Tally.model_validate({"+1": 3, "-1": 1})
    assert (tally.plus_1, tally.minus_1) == (3, 1)
    assert tally.model_dump(by_alias=True, exclude_none=True) == {"+1": 3, "-1": 1}
    recorder = Recorder({"+1": 5, "-1": 2, "total_count": 7})
    with LiveServer(_serve(made, "tallies", recorder)) as live:
        with client_package.Client(base_url=live.url) as client:
            stored = client.tallies.add_tally(plus_1=5, minus_1=2)
    assert (stored.plus_1, stored.minus_1, stored.total_count) == (5, 2, 7)
    (call,) = recorder.calls
    assert (call["body"].plus_1, call["body"].minus_1) == (5, 2)
    assert call["body"].model_dump(by_alias=True, exclude_unset=True) == {"+1": 5, "-1": 2}


# Bodies sent as they are -------------------------------------------------------------------------


def test_text_and_raw_bodies_travel_with_their_media_types(packages: dict[str, Packages]) -> None:
    made = packages["content_bodies"]
    client_package = made.client
    recorder = Recorder({"size": 1})
    app = _serve(made, "contents", recorder)
    seen: list[str] = []

    @app.middleware("http")
    async def content_type(request: Any, call_next: Any) -> Any:
        seen.append(request.headers.get("content-type", ""))
        return await call_next(request)

    with LiveServer(app) as live:
        with client_package.Client(base_url=live.url) as client:
            client.contents.render_text(text="# Héllo\n*there*")
            client.contents.put_blob(content=b"\x00\xffdata")
            client.contents.upload_asset(name="a.png", content=b"\x89PNG")
            client.contents.upload_asset(
                name="b.txt", content=b"plain", extra_headers={"Content-Type": "text/csv"}
            )
            client.contents.upload_asset(name="none")
    assert [call["body"] for call in recorder.calls] == [
        "# Héllo\n*there*",
        b"\x00\xffdata",
        b"\x89PNG",
        b"plain",
        None,
    ]
    assert seen[:4] == [
        "text/plain; charset=utf-8",
        "application/octet-stream",
        "application/octet-stream",
        "text/csv",
    ]


def test_a_text_body_is_checked(packages: dict[str, Packages]) -> None:
    made = packages["content_bodies"]
    recorder = Recorder({"size": 1})
    with TestClient(_serve(made, "contents", recorder)) as http:
        missing = http.post("/render", content=b"", headers={"Content-Type": "text/plain"})
        wrong = http.post("/render", content=b"{}", headers={"Content-Type": "application/json"})
        undecodable = http.post(
            "/render", content=b"\xff\xfe", headers={"Content-Type": "text/plain; charset=utf-8"}
        )
        latin = http.post(
            "/render",
            content="é".encode("latin-1"),
            headers={"Content-Type": "text/plain; charset=latin-1"},
        )
    assert [r.status_code for r in (missing, wrong, undecodable)] == [422, 422, 422]
    assert latin.status_code == 200 and recorder.calls == [{"body": "é"}]


# Arrays in the deepObject style ------------------------------------------------------------------


def test_a_deep_object_array_travels_as_indexed_names(packages: dict[str, Packages]) -> None:
    made = packages["deep_array"]
    client_package = made.client
    recorder = Recorder({"id": "acct"})
    app = _serve(made, "accounts", recorder)
    sent: list[str] = []

    @app.middleware("http")
    async def record(request: Any, call_next: Any) -> Any:
        sent.append(request.url.query or (await request.body()).decode())
        return await call_next(request)

    with LiveServer(app) as live:
        with client_package.Client(base_url=live.url) as client:
            client.accounts.get_account(expand=["owner", "owner.address"])
            client.accounts.update_account(name="n", expand=["owner", "plan"])
            client.accounts.get_account()
    assert [call.get("expand") for call in recorder.calls[::2]] == [
        ["owner", "owner.address"],
        None,
    ]
    assert recorder.calls[1]["body"].expand == ["owner", "plan"]
    assert sent[0] == "expand%5B0%5D=owner&expand%5B1%5D=owner.address"
    assert sent[1] == "name=n&expand%5B0%5D=owner&expand%5B1%5D=plan"
    with TestClient(app) as http:
        for query in ("expand[]=a&expand[]=b", "expand=a&expand=b", "expand[1]=b&expand[0]=a"):
            assert http.get(f"/accounts?{query}").status_code == 200
        refused = [
            http.get(f"/accounts?{query}")
            for query in ("expand[x]=a", "expand[0]=a&expand[1]=b&expand[2]=c&expand[3]=d")
        ]
    assert [call["expand"] for call in recorder.calls[3:6]] == [["a", "b"]] * 3
    assert [response.status_code for response in refused] == [422, 422]
    page = (made.out / "deep_array" / "docs" / "accounts.md").read_text(encoding="utf-8")
    assert "--data-urlencode 'expand[0]=owner'" in page
    assert "--data-urlencode 'expand[1]=plan'" in page


# A member named as a named schema, that is a string or that schema -----------------------------


def test_a_named_schema_keeps_its_name_beside_a_member_named_as_it(
    packages: dict[str, Packages],
) -> None:
    made = packages["inline_names"]
    models = made.client.models
    with (
        LiveServer(made.server.create_app(mock=True)) as live,
        made.client.Client(base_url=live.url) as client,
    ):
        code = client.prices.get_tax_code(id="txcd_1")
    assert isinstance(code, models.TaxCode) and code.name
    price = models.Price.model_validate({"id": "p", "tax_code": {"id": "t", "name": "Books"}})
    assert isinstance(price.tax_code, models.TaxCode) and price.tax_code.name == "Books"
    assert models.Price.model_validate({"id": "p", "tax_code": "txcd_1"}).tax_code == "txcd_1"


# Decimals, written as strings and as numbers ------------------------------------------------------


def test_decimals_travel_as_their_type_says(packages: dict[str, Packages]) -> None:
    from decimal import Decimal

    made = packages["decimals"]
    models = made.client.models
    price = {"amount": "12.50", "rate": 0.125, "tiers": ["1.10"]}
    recorder, lister = Recorder(price), Recorder([price])
    with LiveServer(_serve(made, "prices", recorder)) as live:
        with made.client.Client(base_url=live.url) as client:
            raw = client.with_raw_response.prices.create_price(
                amount=Decimal("12.50"), rate=0.125, tiers=[Decimal("1.10")]
            )
    with LiveServer(_serve(made, "prices", lister)) as live:
        with made.client.Client(base_url=live.url) as client:
            (listed_price,) = client.prices.list_prices(above=Decimal("1.5"), rate=0.25)
    # A decimal of type string is exact text, one of type number a JSON number, both ways.
    assert raw.http_response.request.content == (
        b'{"amount":"12.50","rate":0.125,"tiers":["1.10"]}'
    )
    assert raw.http_response.text == '{"amount":"12.50","rate":0.125,"tiers":["1.10"]}'
    answer = raw.parse()
    assert isinstance(answer, models.Price) and answer.amount == Decimal("12.50")
    assert str(answer.tiers[0]) == "1.10" and answer.rate == 0.125
    (created,), (listed,) = recorder.calls, lister.calls
    assert created["body"].amount == Decimal("12.50") and created["body"].rate == 0.125
    assert listed_price.amount == Decimal("12.50")
    assert listed["above"] == Decimal("1.5") and listed["rate"] == 0.25
    with TestClient(_serve(made, "prices", recorder)) as test:
        assert test.get("/prices", params={"above": "much"}).status_code == 422
        refused = test.post("/prices", json={"amount": "twelve", "rate": 1})
        assert refused.status_code == 422


# Objects in a query, in the form style without explode ----------------------------------------


def test_form_objects_not_exploded_travel_as_key_value_pairs(
    packages: dict[str, Packages],
) -> None:
    made = packages["form_objects"]
    recorder = Recorder({"count": 2})
    models = made.client.models
    with LiveServer(_serve(made, "swatches", recorder)) as live:
        with made.client.Client(base_url=live.url) as client:
            raw = client.with_raw_response.swatches.find_swatches(
                color=models.Color(R=100, G=200, B=150), labels={"kind": "wall", "tone": "warm"}
            )
    assert raw.parse().count == 2
    # The members in the order of the model's fields (the models order a schema's properties).
    assert raw.http_response.request.url.query == (
        b"color=B%2C150%2CG%2C200%2CR%2C100&labels=kind%2Cwall%2Ctone%2Cwarm"
    )
    (call,) = recorder.calls
    assert (call["color"].r, call["color"].g, call["color"].b) == (100, 200, 150)
    assert call["labels"] == {"kind": "wall", "tone": "warm"}
    with TestClient(_serve(made, "swatches", recorder)) as test:
        refused = {
            "odd pairs": test.get("/swatches", params={"color": "R,1,G,2,B"}),
            "member out of range": test.get("/swatches", params={"color": "R,1,G,2,B,256"}),
            "member missing": test.get("/swatches", params={"color": "R,1,G,2"}),
            "map odd pairs": test.get("/swatches", params={"color": "R,1,G,2,B,3", "labels": "k"}),
        }
        assert {where: r.status_code for where, r in refused.items()} == dict.fromkeys(refused, 422)
    assert len(recorder.calls) == 1


# Parameters in cookies ------------------------------------------------------------------------


def test_cookie_parameters_travel_in_one_cookie_header(packages: dict[str, Packages]) -> None:
    made = packages["cookies"]
    recorder = Recorder({"items": 3})
    with LiveServer(_serve(made, "carts", recorder)) as live:
        with made.client.Client(base_url=live.url) as client:
            raw = client.with_raw_response.carts.get_cart(session_id="abc 1;2", page_size=20)
            assert client.carts.get_cart(session_id="s2").items == 3
    assert raw.parse().items == 3
    assert raw.http_response.request.headers["cookie"] == "session_id=abc%201%3B2; page_size=20"
    first, second = recorder.calls
    assert (first["session_id"], first["page_size"]) == ("abc 1;2", 20)
    assert (second["session_id"], second["page_size"]) == ("s2", None)
    with TestClient(_serve(made, "carts", recorder)) as test:
        refused = {
            "missing": test.get("/cart"),
            "not a number": test.get("/cart", headers={"Cookie": "session_id=a; page_size=x"}),
            "out of range": test.get("/cart", headers={"Cookie": "session_id=a; page_size=99"}),
            "too long": test.get("/cart", headers={"Cookie": f"session_id={'a' * 41}"}),
        }
        assert {where: r.status_code for where, r in refused.items()} == dict.fromkeys(refused, 422)
    assert len(recorder.calls) == 2
