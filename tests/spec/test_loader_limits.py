"""The loader's size limits: a document of the largest public specs' size class is read, one
past a limit is refused with a message located where it went past."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatforge.diagnostics import Diagnostic, SpecError
from chatforge.spec import loader, specfile


def refused(parse: object, text: str) -> Diagnostic:
    with pytest.raises(SpecError) as caught:
        parse(text, "x")  # type: ignore[operator]
    assert len(caught.value.diagnostics) == 1, [d.render() for d in caught.value.diagnostics]
    return caught.value.diagnostics[0]


def test_limits_take_a_spec_of_ten_thousand_operations() -> None:
    """A synthetic spec of 10,000 operations (bench/large_spec.py) is 26 MB, some 910,000 values
    and 66 million characters of pointers; the limits leave it room."""
    assert loader.MAX_SPEC_BYTES == specfile.MAX_SPEC_BYTES
    assert specfile.MAX_SPEC_BYTES >= 2 * 26_000_000
    assert loader.MAX_VALUES >= 2 * 910_000
    assert loader.MAX_POINTER_BYTES >= 2 * 66_000_000


def test_a_file_past_the_byte_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    spec = tmp_path / "huge.yaml"
    with spec.open("wb") as handle:  # sparse: no disk, and nothing of it is read
        handle.truncate(specfile.MAX_SPEC_BYTES + 1)
    with pytest.raises(SpecError) as caught:
        loader.read_document(spec, "huge.yaml")
    [found] = caught.value.diagnostics
    assert found.render() == (
        f"huge.yaml:1:1: error: the file is {specfile.MAX_SPEC_BYTES + 1} bytes; specs are "
        f"limited to {specfile.MAX_SPEC_BYTES}"
    )


def test_a_file_at_the_byte_limit_is_read(tmp_path: Path) -> None:
    spec = tmp_path / "padded.yaml"
    head = b"openapi: 3.1.0\n"
    spec.write_bytes(head + b"#" * (specfile.MAX_SPEC_BYTES - len(head) - 1) + b"\n")
    assert os.path.getsize(spec) == specfile.MAX_SPEC_BYTES
    assert specfile.read(spec)[: len(head)] == head


@pytest.mark.parametrize(
    ("parse", "text", "line", "col", "pointer"),
    [
        (loader.parse_yaml, "a: [1, 2, 3]\nb:\n  c: 4\n  d: 5\n", 4, 3, "/b/d"),
        (loader.parse_json, '{"a": [1, 2, 3],\n "b": {"c": 4,\n "d": 5}}', 3, 2, "/b/d"),
    ],
)
def test_values_past_the_limit_are_refused_where_they_go_past(
    monkeypatch: pytest.MonkeyPatch, parse: object, text: str, line: int, col: int, pointer: str
) -> None:
    """The document, a, its three items, b and c make seven values: the eighth is refused."""
    monkeypatch.setattr(loader, "MAX_VALUES", 7)
    found = refused(parse, text)
    assert (found.line, found.col, found.pointer) == (line, col, pointer)
    assert found.message == "the document holds more than 7 values; specs are limited to that"


@pytest.mark.parametrize("parse", [loader.parse_yaml, loader.parse_json])
def test_values_at_the_limit_are_read(monkeypatch: pytest.MonkeyPatch, parse: object) -> None:
    monkeypatch.setattr(loader, "MAX_VALUES", 7)
    text = '{"a": [1, 2, 3], "b": {"c": 4}}'
    data, positions = parse(text, "x")  # type: ignore[operator]
    assert data == {"a": [1, 2, 3], "b": {"c": 4}}
    assert len(positions) == 7


def test_pointer_text_past_the_limit_is_refused_where_it_goes_past(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pointers: "" 0, /aaaa 5, /aaaa/bbbb 10, /aaaa/cccc 10: 25 characters, the limit is 24.
    monkeypatch.setattr(loader, "MAX_POINTER_BYTES", 24)
    found = refused(loader.parse_yaml, "aaaa:\n  bbbb: 1\n  cccc: 2\n")
    assert (found.line, found.col, found.pointer) == (3, 3, "/aaaa/cccc")
    assert found.message.startswith("the document nests so many values so deep")


# Documents the parser's events build as the composed tree does: aliases (of values, of keys,
# within aliases), anchors on values a duplicate key or a mapping key skips, tags, merge keys,
# complex keys, and what only the tree reads (a self-referencing alias, anchors twice, two
# documents, syntax errors).
_READS_ALIKE = [
    "a: &x [1, {b: 2}]\nc: *x\nd: *x\n",
    "&k key: v\nother: *k\n",
    "a: 1\na: &x 2\nb: *x\n",
    "a: 1\na: 2\n",
    "<<: {a: 1}\nb: 2\n",
    "a: !!python/name:os.system x\n",
    "? [1, 2]\n: v\nb: 1\n",
    "? &c [1]\n: v\nb: *c\n",
    "a: &a [*a]\n",
    "",
    "---\n",
    "a: 1\n---\nb: 2\n",
    "a: *nope\n",
    "a: !!binary aGVsbG8=\n",
    "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n",
    "a: 0x" + "f" * 700 + "\n",
    "a: .nan\nb: -.inf\n",
    "a: !custom 1\n",
    "x: &x {a: 1}\ny: &y [*x, *x, *x]\nz: [*y, *y]\n",
    "- &a 1\n- *a\n- {*a : 2}\n",
    'a: "\\ud800"\n',
    '{"a": 1, "b": [1, 2, {"c": null}]}',
    "a: [1, 2\n",
    "a: &x 1\nb: &x 2\nc: *x\n",
    "a: !!map {b: 1}\nc: !!seq [1]\nd: !!str 2\ne: !!int '3'\n",
    "a:\n  - b: &r {c: 1}\n    d: *r\n  - *r\n",
    "null: 1\ntrue: 2\n3: 4\n",
]


def _read(text: str) -> object:
    try:
        data, positions = loader.parse_yaml(text, "x.yaml")
    except SpecError as exc:
        return [d.render() for d in exc.diagnostics]
    return data, dict(positions)


@pytest.mark.parametrize("text", _READS_ALIKE)
def test_events_build_what_the_composed_tree_builds(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    from_events = _read(text)
    scan = loader._scan
    monkeypatch.setattr(loader, "_scan", lambda text: (scan(text)[0], False))
    assert from_events == _read(text)


def test_a_large_document_is_read_without_its_node_tree() -> None:
    """Dense YAML (three values a line): the composed node tree and the data built from it
    peak at some 85 bytes of memory for each byte of text, the data built from events at some
    40."""
    import tracemalloc

    text = "items:\n" + "".join(f"  - {{name: item{i}, size: {i}}}\n" for i in range(13_000))
    tracemalloc.start()
    try:
        data, positions = loader.parse_yaml(text, "x.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(positions) == 1 + 1 + 13_000 * 3
    assert data["items"][12_999] == {"name": "item12999", "size": 12_999}
    assert peak < 60 * len(text), f"{peak // 1024} KiB for {len(text) // 1024} KiB of YAML"
