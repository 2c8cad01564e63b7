"""bench/large_spec.py, the large specs of the large-spec benchmark: the same bytes for the same
size, the operations and the composition asked for, and valid under the project's own rules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import yaml

from chatforge import lint
from chatforge.run import pipeline

ROOT = Path(__file__).resolve().parents[2]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


_load("synthetic")
large_spec = _load("large_spec")


def test_the_same_size_gives_the_same_bytes(tmp_path: Path) -> None:
    first = large_spec.write_spec(tmp_path / "a" / "large.yaml", 4).read_bytes()
    second = large_spec.write_spec(tmp_path / "b" / "large.yaml", 4).read_bytes()
    assert first == second
    assert large_spec.render(5) != large_spec.render(4)


def test_the_spec_has_the_operations_and_the_composition_asked_for() -> None:
    document = yaml.load(large_spec.render(3), Loader=LOADER)
    assert document == large_spec.build(3)
    assert len(list(lint.operations(document))) == large_spec.operations_of(3) == 24
    schemas = document["components"]["schemas"]
    # An allOf chain four deep: Full on Detail on Core on Entity.
    chain, name = [], "AccountFull"
    while "allOf" in schemas[name]:
        chain.append(name)
        name = schemas[name]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert chain + [name] == ["AccountFull", "AccountDetail", "AccountCore", "Entity"]
    event = schemas["AccountEvent"]
    assert len(event["oneOf"]) == 3 and event["discriminator"]["propertyName"] == "type"


def test_a_small_spec_passes_validation(tmp_path: Path) -> None:
    path = large_spec.write_spec(tmp_path / "large.yaml", 3)
    checked = pipeline.check(pipeline.SpecSource(large_spec.SLUG, path, path.name))
    assert checked.ok, [d.render() for d in checked.diagnostics]
