"""bench/synthetic.py, the specs the scaling benchmark generates: the same bytes for the same
size, exactly the operations asked for, and valid under the project's own rules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from chatforge import lint
from chatforge.diagnostics import Level
from chatforge.run import pipeline

ROOT = Path(__file__).resolve().parents[2]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", module)
    spec.loader.exec_module(module)
    return module


synthetic = _load()


def test_the_same_size_gives_the_same_bytes(tmp_path: Path) -> None:
    first = synthetic.write_spec(tmp_path / "a" / "synthetic.yaml", 40).read_bytes()
    second = synthetic.write_spec(tmp_path / "b" / "synthetic.yaml", 40).read_bytes()
    assert first == second
    assert synthetic.render(41) != synthetic.render(40)


@pytest.mark.parametrize("operations", [1, 5, 6, 7, 20, 200])
def test_the_spec_has_exactly_the_operations_asked_for(operations: int) -> None:
    document = yaml.load(synthetic.render(operations), Loader=LOADER)
    assert document == synthetic.build(operations)  # the emitter writes what was built
    found = list(lint.operations(document))
    assert len(found) == operations
    assert len({op["operationId"] for _, _, op, _ in found}) == operations
    assert document["x-chatforge"]["source"]["functions"] == operations


def test_names_stay_unique_past_the_list_of_nouns() -> None:
    count = len(synthetic.NOUNS) * (len(synthetic.QUALIFIERS) + 3)
    names = [synthetic.resource_name(index) for index in range(count)]
    assert len(set(names)) == count


def test_a_small_spec_passes_validation_without_a_warning(tmp_path: Path) -> None:
    path = synthetic.write_spec(tmp_path / "synthetic.yaml", 20)
    checked = pipeline.check(pipeline.SpecSource(synthetic.SLUG, path, path.name))
    assert checked.ok
    assert [d.render() for d in checked.diagnostics if d.level is Level.WARNING] == []
    assert checked.built is not None
    api = checked.built[0]
    assert len(api.operations) == 20
    assert checked.built[1] == ()  # building the IR warned about nothing either
