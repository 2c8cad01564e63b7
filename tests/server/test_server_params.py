"""A generated server checks parameters and bodies as its spec says, whatever a client sends
(`tests/fixtures/hostile/server_params.yaml`): numbers that are not finite are refused in a path,
a query, a header and arrays; comma-separated arrays are checked item by item and counted; a
large body of objects that must be unique is checked in one pass."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chatforge.runtime.server import _checks
from tests.conftest import ROOT
from tests.running import chatforge, generated

SPEC = ROOT / "tests/fixtures/hostile/server_params.yaml"
NOT_FINITE = ("inf", "-inf", "nan", "Infinity", "-Infinity", "NaN", "1e999")
# The spec documents no error answer, so bad input is answered as FastAPI answers it.
REFUSED = 422


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    out = tmp_path_factory.mktemp("server_params") / "out"
    generated(SPEC, out.parent)
    folder = str(out / "server_params" / "server")
    sys.path.insert(0, folder)
    try:
        yield importlib.import_module("server_params_server")
    finally:
        sys.path.remove(folder)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def get_ratio(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)

    async def make_bag(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture()
def client(server: Any) -> Iterator[tuple[TestClient, Recorder]]:
    recorder = Recorder()
    handlers = type("Items", (server.ItemsHandlers,), {})()
    handlers.get_ratio = recorder.get_ratio
    handlers.make_bag = recorder.make_bag
    with TestClient(server.create_app(items=handlers)) as test:
        yield test, recorder


def test_numbers_that_are_not_finite_are_refused(client: tuple[TestClient, Recorder]) -> None:
    test, recorder = client
    assert test.get("/ratios/2.5", params={"scale": "1"}).status_code == 204
    taken = []
    for value in NOT_FINITE:
        sent = {
            "path": test.get(f"/ratios/{value}"),
            "query": test.get("/ratios/1", params={"scale": value}),
            "header": test.get("/ratios/1", headers={"X-Weight": value}),
            "csv array": test.get("/ratios/1", params={"rates": f"1,{value}"}),
            "array": test.get("/ratios/1", params=[("levels", "1"), ("levels", value)]),
        }
        taken += [(where, value) for where, r in sent.items() if r.status_code != REFUSED]
    assert not taken
    assert len(recorder.calls) == 1


def test_comma_separated_arrays_are_checked_and_counted(
    client: tuple[TestClient, Recorder],
) -> None:
    test, recorder = client
    assert test.get("/ratios/1", params={"ids": "1,2", "rates": "0.5"}).status_code == 204
    assert recorder.calls[-1]["ids"] == [1, 2] and recorder.calls[-1]["rates"] == [0.5]
    for ids in ("1,2,3", "a,b", "1,0", "1,", "1," + "9" * 5000):
        response = test.get("/ratios/1", params={"ids": ids})
        assert response.status_code == REFUSED, (ids[:10], response.text)
        assert "ids" in response.text
    assert test.get("/ratios/1", params={"levels": "11"}).status_code == REFUSED
    assert len(recorder.calls) == 1


def test_a_large_body_of_objects_is_checked_for_duplicates_in_one_pass(
    client: tuple[TestClient, Recorder],
) -> None:
    test, recorder = client
    things = [{"id": index, "on": index % 2 == 0} for index in range(8000)]
    headers = {"content-type": "application/json"}
    body = json.dumps({"things": things})
    assert test.post("/bags", content=body, headers=headers).status_code == 204
    assert len(recorder.calls[-1]["body"].things) == 8000
    for repeated in ({"on": True, "id": 0}, {"id": 0.0, "on": True}):
        body = json.dumps({"things": [*things, repeated]})
        response = test.post("/bags", content=body, headers=headers)
        assert response.status_code == REFUSED, response.text
        assert "unique" in response.text
    # 1 and true are not equal in JSON Schema; 1 and 1.0 are.
    for pair, unique in (([{"id": 1}, {"on": True}], True), ([{"id": 1}, {"id": 1.0}], False)):
        response = test.post("/bags", json={"things": pair})
        assert response.status_code == (204 if unique else REFUSED), (pair, response.text)


class Counted(dict[str, Any]):
    compared = 0

    def __eq__(self, other: object) -> bool:
        Counted.compared += 1
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def test_unique_items_compares_each_item_a_bounded_number_of_times() -> None:
    items = [Counted(id=index) for index in range(3000)]
    Counted.compared = 0
    assert _checks._unique(list(items)) == items
    assert Counted.compared <= len(items)
    with pytest.raises(ValueError, match="unique"):
        _checks._unique([*items, Counted(id=5)])
    assert Counted.compared <= 3 * len(items)


def test_a_pattern_python_checks_ends_at_the_end_of_the_value(
    client: tuple[TestClient, Recorder],
) -> None:
    test, recorder = client
    assert test.get("/ratios/1", params={"code": "abc"}).status_code == 204
    for code in ("abc\n", "xabc", "ab1"):
        response = test.get("/ratios/1", params={"code": code})
        assert response.status_code == REFUSED, (code, response.text)
    assert len(recorder.calls) == 1


def test_patterns_no_engine_checks_safely_are_refused_where_they_stand() -> None:
    spec = ROOT / "tests/fixtures/hostile/backtracking.yaml"
    result = chatforge("validate", spec, cwd=ROOT)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    located = [line.split(": error: ")[0].rsplit(":", 2)[1] for line in errors]
    assert located == ["15", "16", "17", "26", "28"], errors
    assert "Traceback" not in result.stderr
