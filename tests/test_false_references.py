"""A chain of 150 schemas whose last (defined first) names the head of the chain in its
description, an example, a pattern and a default (`tests/fixtures/hostile/false_references.yaml`):
text is no reference, so the models are still defined each after those they refer to, and the
client and server build a whole chain without exceeding Python's recursion limit."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, LiveServer
from tests.isolated import imported
from tests.running import chatforge

SPEC = ROOT / "tests/fixtures/hostile/false_references.yaml"


def chain() -> dict[str, Any]:
    link: dict[str, Any] = {"name": "tail"}
    for index in reversed(range(1, 150)):
        link = {"name": f"step{index}", "next": link}
    return link


def test_text_naming_a_model_does_not_reorder_the_models(tmp_path: Path) -> None:
    result = chatforge("generate", SPEC, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "false_references"
    for models_file in [*out.glob("*/*/models.py"), *out.glob("models/*/__init__.py")]:
        defined: set[str] = set()
        classes = [
            n for n in ast.parse(models_file.read_text()).body if isinstance(n, ast.ClassDef)
        ]
        names = {c.name for c in classes}
        for cls in classes:
            fields = [f.annotation for f in cls.body if isinstance(f, ast.AnnAssign)]
            used = {n.id for f in fields for n in ast.walk(f) if isinstance(n, ast.Name)}
            assert used & names <= defined, (models_file.name, cls.name, sorted(used - defined))
            defined.add(cls.name)
    with imported(
        [out / "client", out / "server"], "false_references_client", "false_references_server"
    ) as (client_module, server):
        models = sys.modules["false_references_client"].models
        step1 = models.Step1.model_validate(chain())
        with (
            LiveServer(server.create_app(mock=True)) as live,
            client_module.Client(base_url=live.url) as client,
        ):
            answer = client.chain.send_chain(name="head", next=step1)
            assert answer.model_dump(exclude_unset=True)
