"""A chain of 120 schemas, each referring to the next, and 60 inline objects nested in one
another (`tests/fixtures/hostile/long_ref_chain.yaml`): the generated client and server import,
start and answer, their models built without exceeding Python's recursion limit, the names of
the nested ones cut to a length a reader can hold."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from chatforge.reserved import MAX_NAME
from tests.conftest import ROOT, LiveServer
from tests.isolated import imported
from tests.running import chatforge

SPEC = ROOT / "tests/fixtures/hostile/long_ref_chain.yaml"


def test_a_long_chain_of_references_imports_starts_and_answers(tmp_path: Path) -> None:
    result = chatforge("generate", SPEC, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    folders = [tmp_path / "long_ref_chain" / target for target in ("client", "server")]
    with imported(folders, "long_ref_chain_client", "long_ref_chain_server") as (
        client_module,
        server,
    ):
        models = importlib.import_module("long_ref_chain_client.models")
        classes = [v for v in vars(models).values() if isinstance(v, type)]
        names = [c.__name__ for c in classes if c.__module__ == models.__name__]
        assert len(names) > 150 and max(len(name) for name in names) <= MAX_NAME
        head: dict[str, object] = {"name": "link119"}
        for index in reversed(range(119)):
            head = {"name": f"link{index}", "next": head}
        with (
            LiveServer(server.create_app(mock=True)) as live,
            client_module.Client(base_url=live.url) as client,
        ):
            answer = client.chain.send_chain(
                name="link0", next=models.Link1.model_validate(head["next"])
            )
            assert answer.name is not None
            nested = client.chain.get_nested()
            assert nested.model_dump(exclude_unset=True)


CYCLE = ROOT / "tests/fixtures/anyspec/long_cycle.yaml"

# Run with 300 frames already on the stack (a test runner, a web server, an import within an
# import): the models of a cycle of 48 schemas must build in the 700 left of the default limit.
_DEEP_IMPORT = """
import sys

def within(depth, then):
    return within(depth - 1, then) if depth else then()

def use():
    from long_cycle_client import models
    from long_cycle_server import create_app
    from fastapi.testclient import TestClient

    value = {"name": "n47", "next": None}
    for index in reversed(range(1, 47)):
        inner = [value] if index == 10 else {"k": value} if index == 20 else value
        value = {"name": f"n{index}", "next": inner}
    head = models.Link0.model_validate({"name": "n0", "next": value})
    assert head.next.next.name == "n2"
    with TestClient(create_app(mock=True)) as test:
        got = test.put("/chain", json=head.model_dump(mode="json"))
        assert got.status_code == 200, got.text
        assert test.get("/chain").status_code == 200
    return "built"

frames = 0
frame = sys._getframe()
while frame is not None:
    frames, frame = frames + 1, frame.f_back
print(within(300 - frames, use))
"""


def test_a_cycle_longer_than_32_models_builds_within_the_default_recursion_limit(
    tmp_path: Path,
) -> None:
    result = chatforge("generate", CYCLE, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    folders = [str(tmp_path / "long_cycle" / target) for target in ("client", "server")]
    run = subprocess.run(
        [sys.executable, "-c", _DEEP_IMPORT],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(folders)},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "built"
