"""A chain of 120 schemas, each referring to the next, and 60 inline objects nested in one
another (`tests/fixtures/hostile/long_ref_chain.yaml`): the generated client and server import,
start and answer, their models built without exceeding Python's recursion limit, the names of
the nested ones cut to a length a reader can hold."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path

from chatforge.reserved import MAX_NAME
from tests.conftest import ROOT, LiveServer
from tests.isolated import imported
from tests.running import COMMAND

SPEC = ROOT / "tests/fixtures/hostile/long_ref_chain.yaml"


def test_a_long_chain_of_references_imports_starts_and_answers(tmp_path: Path) -> None:
    result = subprocess.run(
        [*COMMAND, "generate", str(SPEC), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
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
