"""chatforge.spec.loader: YAML with positions, refusals, `$ref` checks, located validator errors."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from chatforge.diagnostics import Diagnostic, Diagnostics, Level, SpecError
from chatforge.spec import loader
from chatforge.spec import validate as validation

REPO_ROOT = Path(__file__).resolve().parents[2]

MINIMAL: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def parse(text: str) -> tuple[Any, dict[str, tuple[int, int]]]:
    return loader.parse_yaml(textwrap.dedent(text), "x.yaml")


def refused(text: str) -> list[Diagnostic]:
    with pytest.raises(SpecError) as caught:
        loader.parse_yaml(textwrap.dedent(text), "x.yaml")
    assert caught.value.diagnostics, "SpecError without diagnostics"
    return caught.value.diagnostics


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, [d.render() for d in diagnostics]
    return diagnostics[0]


def validate(document: Any) -> list[Diagnostic]:
    out = Diagnostics("x.yaml")
    validation.validate_openapi(document, out)
    return list(out)


def refs(document: Any) -> list[Diagnostic]:
    out = Diagnostics("x.yaml")
    loader.check_refs(document, out)
    return list(out)


# -- positions --------------------------------------------------------------------------------


def test_positions_of_nested_keys_and_items() -> None:
    data, positions = parse(
        """\
        a:
          b:
            c: 1
          d: [10, 20]
        list:
          - name: x
            in: query
          - name: y
        """
    )
    assert data == {
        "a": {"b": {"c": 1}, "d": [10, 20]},
        "list": [{"name": "x", "in": "query"}, {"name": "y"}],
    }
    assert positions[""] == (1, 1)
    assert positions["/a"] == (1, 1)
    assert positions["/a/b"] == (2, 3)
    assert positions["/a/b/c"] == (3, 5)
    assert positions["/a/d"] == (4, 3)
    assert positions["/a/d/0"] == (4, 7)
    assert positions["/a/d/1"] == (4, 11)
    assert positions["/list/0"] == (6, 5)
    assert positions["/list/0/in"] == (7, 5)
    assert positions["/list/1/name"] == (8, 5)


def test_positions_escape_pointer_tokens() -> None:
    _, positions = parse(
        """\
        paths:
          /users/{id}:
            get: {}
          a~b: 1
        """
    )
    assert positions["/paths/~1users~1{id}"] == (2, 3)
    assert positions["/paths/~1users~1{id}/get"] == (3, 5)
    assert positions["/paths/a~0b"] == (4, 3)


def test_positions_in_flow_mappings() -> None:
    _, positions = parse("x: {first: 1, second: {third: 3}}\n")
    assert positions["/x/first"] == (1, 5)
    assert positions["/x/second"] == (1, 15)
    assert positions["/x/second/third"] == (1, 24)


def test_load_reads_a_file_with_positions_and_display_path(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        textwrap.dedent(
            """\
            openapi: 3.1.0
            info:
              title: Tiny
              version: '1'
            paths:
              /a:
                get:
                  operationId: get_a
                  responses:
                    '200':
                      description: ok
            """
        ),
        encoding="utf-8",
    )
    loaded = validation.load(spec, "shown/tiny.yaml")
    assert loaded.display_path == "shown/tiny.yaml"
    assert loaded.document["info"]["version"] == "1"
    assert loaded.positions["/paths/~1a/get/operationId"] == (8, 7)
    assert loaded.positions["/paths/~1a/get/responses/200"] == (10, 9)
    collector = loaded.diagnostics()
    collector.error("here", "/paths/~1a/get/operationId")
    assert [d.render() for d in collector] == [
        "shown/tiny.yaml:8:7: error: here (/paths/~1a/get/operationId)"
    ]


def test_positions_of_the_upstra_spec() -> None:
    loaded = validation.load(REPO_ROOT / "specs" / "upstra.yaml", "specs/upstra.yaml")
    lines = (REPO_ROOT / "specs" / "upstra.yaml").read_text(encoding="utf-8").splitlines()
    for pointer in (
        "/paths/~1api~1v2~1channels/post/operationId",
        "/paths/~1api~1v2~1channel~1{channelId}~1mute/put/x-functions/1",
        "/components/schemas/Error",
        "/x-chatforge/source/functions",
    ):
        line, col = loaded.positions[pointer]
        token = pointer.rsplit("/", 1)[1]
        text = lines[line - 1][col - 1 :]
        if token.isdigit():
            assert text.startswith(("row:", "name:", "title:")), (pointer, text)
        else:
            assert text.startswith(f"{token}:"), (pointer, text)


# -- scalars and keys -------------------------------------------------------------------------


def test_scalars_become_json_values() -> None:
    data, _ = parse(
        """\
        date: 2020-01-01
        stamp: 2020-01-01T10:00:00Z
        200: ok
        true: yes
        n: null
        f: 1.5
        """
    )
    assert data["date"] == "2020-01-01"
    assert data["stamp"].startswith("2020-01-01T10:00:00")
    assert data["200"] == "ok"  # keys are strings, as in JSON
    assert data["true"] is True
    assert data["n"] is None
    assert data["f"] == 1.5


@pytest.mark.parametrize(
    ("text", "line", "col", "pointer"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, 1, "/a"),
        ("top:\n  x: 1\n  y: 2\n  x: 3\n", 4, 3, "/top/x"),
        ("a: {b: 1, b: 2}\n", 1, 11, "/a/b"),
    ],
)
def test_duplicate_keys_are_refused_where_the_second_one_is(
    text: str, line: int, col: int, pointer: str
) -> None:
    found = only(refused(text))
    assert found.level is Level.ERROR
    assert "duplicate key" in found.message
    assert (found.line, found.col, found.pointer) == (line, col, pointer)


@pytest.mark.parametrize(
    ("text", "line", "col", "pointer"),
    [
        ("a: .nan\n", 1, 1, "/a"),
        ("a:\n  b: .inf\n", 2, 3, "/a/b"),
        ("a: [1, -.inf]\n", 1, 8, "/a/1"),
    ],
)
def test_nan_and_infinity_are_refused(text: str, line: int, col: int, pointer: str) -> None:
    found = only(refused(text))
    assert "NaN" in found.message
    assert (found.line, found.col, found.pointer) == (line, col, pointer)


def test_merge_keys_are_refused() -> None:
    found = only(
        refused(
            """\
            base: &base {x: 1}
            child:
              <<: *base
              y: 2
            """
        )
    )
    assert "merge keys" in found.message
    assert found.pointer == "/child"
    assert found.line == 2


def test_binary_scalars_are_refused() -> None:
    found = only(refused("a: !!binary aGVsbG8=\n"))
    assert "binary" in found.message
    assert found.pointer == "/a"


def test_a_few_aliases_are_expanded() -> None:
    data, _ = parse(
        """\
        shared: &shared {type: string}
        a: *shared
        b: *shared
        """
    )
    assert data["a"] == data["b"] == {"type": "string"}


def test_more_than_max_aliases_are_refused() -> None:
    text = "x: &x 1\nl: [" + ", ".join(["*x"] * (loader.MAX_ALIASES + 1)) + "]\n"
    found = only(refused(text))
    assert "aliases" in found.message
    ok = "x: &x 1\nl: [" + ", ".join(["*x"] * loader.MAX_ALIASES) + "]\n"
    data, _ = loader.parse_yaml(ok, "x.yaml")
    assert len(data["l"]) == loader.MAX_ALIASES


def test_a_self_referencing_alias_is_refused() -> None:
    found = only(refused("a: &a [*a]\n"))
    assert "deeper than" in found.message


_BOMB = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from chatforge.diagnostics import SpecError
from chatforge.spec.loader import parse_yaml
text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\\n" for i in range(1, 10)
)
try:
    parse_yaml(text, "bomb.yaml")
except SpecError as exc:
    print("refused:", exc)
else:
    print("accepted")
"""


def test_an_alias_bomb_is_refused_quickly() -> None:
    try:
        result = subprocess.run(
            [sys.executable, "-c", _BOMB],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("parsing a 1 KB alias bomb did not finish within a minute")
    assert result.stdout.startswith("refused:"), result.stdout + result.stderr


# -- whole files ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file_is_refused(tmp_path: Path, text: str) -> None:
    spec = tmp_path / "empty.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validation.load(spec, "empty.yaml")
    found = only(caught.value.diagnostics)
    assert "empty" in found.message
    assert (found.file, found.line, found.col) == ("empty.yaml", 1, 1)


@pytest.mark.parametrize("text", ["[1, 2]\n", "just a string\n", "42\n"])
def test_a_top_level_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    spec = tmp_path / "list.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validation.load(spec, "list.yaml")
    assert "mapping at its top level" in only(caught.value.diagnostics).message


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes("openapi: 3.1.0\ninfo: {title: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(SpecError) as caught:
        validation.load(spec, "latin1.yaml")
    found = only(caught.value.diagnostics)
    assert found.message == "the file is not UTF-8 (byte 0xe9); save it as UTF-8"
    assert (found.line, found.col) == (2, 18)


def test_a_bad_byte_after_other_characters_is_located_by_characters(tmp_path: Path) -> None:
    spec = tmp_path / "mixed.yaml"
    spec.write_bytes("a: 1\nb: é".encode() + b"\xff\n")
    with pytest.raises(SpecError) as caught:
        validation.load(spec, "mixed.yaml")
    found = only(caught.value.diagnostics)
    assert "(byte 0xff)" in found.message
    assert (found.line, found.col) == (2, 5)  # é is two bytes but one character


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        validation.load(tmp_path / "nope.yaml", "nope.yaml")
    assert "cannot read" in only(caught.value.diagnostics).message


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a:\n  b: [1, 2\nc: 3\n", 3, 2),  # unclosed bracket, noticed at the next key
        ("a:\n  b: 1\n    c: 2\n", 3, 6),  # over-indented key
        ("a:\n\tb: 1\n", 2, 1),  # tab indentation
    ],
)
def test_invalid_yaml_is_located(text: str, line: int, col: int) -> None:
    found = only(refused(text))
    assert found.message.startswith("invalid YAML: ")
    assert (found.line, found.col) == (line, col)
    assert "\n" not in found.message


@pytest.mark.parametrize(
    "text", ['a: 1\nb: "open\nc: 2\n', "a: 1\nb: 'open\nc: 2\n", 'a: 1\nb: "open\n---\nc: 2\n']
)
def test_an_unclosed_quote_is_located_where_it_opens(text: str) -> None:
    found = only(refused(text))
    assert found.message == (
        "invalid YAML: the quoted string that starts here is never closed; close the quote"
    )
    assert (found.line, found.col) == (2, 4)


def test_an_unknown_tag_is_located_on_one_line() -> None:
    found = only(refused("a: 1\nb: !custom x\n"))
    assert "\n" not in found.message
    assert (found.line, found.col) == (2, 4)


# -- JSON -------------------------------------------------------------------------------------


def parse_json(text: str) -> tuple[Any, dict[str, tuple[int, int]]]:
    return loader.parse_json(textwrap.dedent(text), "x.json")


def refused_json(text: str) -> Diagnostic:
    with pytest.raises(SpecError) as caught:
        loader.parse_json(textwrap.dedent(text), "x.json")
    return only(caught.value.diagnostics)


def test_json_values_and_positions() -> None:
    data, positions = parse_json(
        """\
        {
          "a": {"b": [10, 2.5, 1e2, -3]},
        \t"c/d": "x\\"y\\u00e9",
          "e": [true, false, null, {}, []]
        }
        """
    )
    assert data == {
        "a": {"b": [10, 2.5, 100.0, -3]},
        "c/d": 'x"y\u00e9',
        "e": [True, False, None, {}, []],
    }
    assert type(data["a"]["b"][2]) is float  # a JSON number, not YAML's string "1e2"
    assert positions[""] == (1, 1)
    assert positions["/a"] == (2, 3)
    assert positions["/a/b"] == (2, 9)
    assert positions["/a/b/1"] == (2, 19)
    assert positions["/c~1d"] == (3, 2)  # after a tab, which YAML would refuse
    assert positions["/e/3"] == (4, 28)


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ('{"a": [1, 2,\n]}', 1, 12, "a trailing comma before ']'; remove the comma"),
        ('{"a": 1 ,\n  }', 1, 9, "a trailing comma before '}'; remove the comma"),
        ('{"a": 1\n "b": 2}', 2, 2, "expecting ',' delimiter; fix the syntax at this position"),
        ("{'a': 1}", 1, 2, "expecting property name enclosed in double quotes"),
        ('{"a": 1} x', 1, 10, "extra data"),
    ],
)
def test_invalid_json_is_located(text: str, line: int, col: int, words: str) -> None:
    found = refused_json(text)
    assert found.message.startswith("invalid JSON: ")
    assert words in found.message
    assert (found.line, found.col) == (line, col)


def test_json_duplicate_keys_nan_and_infinity_are_refused() -> None:
    with pytest.raises(SpecError) as caught:
        loader.parse_json('{"a": 1,\n "b": NaN,\n "a": 2, "c": [1e999]}', "x.json")
    found = [(d.line, d.col, d.message, d.pointer) for d in caught.value.diagnostics]
    assert sorted(found) == [
        (2, 2, "NaN and infinity are not valid JSON numbers", "/b"),
        (3, 2, "duplicate key 'a'; remove one of them", "/a"),
        (3, 16, "NaN and infinity are not valid JSON numbers", "/c/0"),
    ]


@pytest.mark.parametrize("text", ["", "  \n", "\ufeff"])
def test_an_empty_json_file_is_refused(text: str) -> None:
    assert "the file is empty" in refused_json(text).message


def test_a_json_spec_loads_with_positions(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.json"
    spec.write_text(
        '\ufeff{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},\n'
        ' "paths": {"/a": {"get": {"responses": {"200": {"description": 5}}}}}}\n',
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        validation.load(spec, "tiny.json")
    found = only(caught.value.diagnostics)
    assert found.render() == (
        "tiny.json:2:49: error: not valid OpenAPI 3.1: 5 is not of type 'string' "
        "(/paths/~1a/get/responses/200/description)"
    )


# -- $ref checks ------------------------------------------------------------------------------


def test_good_refs_pass() -> None:
    document = {
        "a": {"$ref": "#/b"},
        "b": {"$ref": "#/c"},
        "c": {"type": "string"},
        "d": {"$ref": "#/p/a~0b~1c"},
        "p": {"a~b/c": {"type": "integer"}},
        # a schema that contains a ref to itself is recursive, not a loop of refs
        "tree": {"properties": {"child": {"$ref": "#/tree"}}},
    }
    assert refs(document) == []


@pytest.mark.parametrize("target", ["#/nowhere", "#/a/missing", "#/list/5"])
def test_a_dangling_ref_is_reported_at_the_ref(target: str) -> None:
    found = only(refs({"a": {"x": 1}, "list": [1], "user": {"$ref": target}}))
    assert found.pointer == "/user/$ref"
    assert "points at nothing" in found.message
    assert target in found.message


def test_a_ref_to_itself_is_a_loop() -> None:
    found = only(refs({"a": {"$ref": "#/a"}}))
    assert "loops back" in found.message
    assert found.pointer == "/a/$ref"


def test_a_loop_of_two_refs_is_reported_at_both() -> None:
    found = refs({"A": {"$ref": "#/B"}, "B": {"$ref": "#/A"}})
    assert {d.pointer for d in found} == {"/A/$ref", "/B/$ref"}
    assert all("loops back" in d.message and d.level is Level.ERROR for d in found)
    assert any("#/B -> #/A -> #/B" in d.message for d in found)


def test_a_chain_into_a_dangling_ref_reports_the_dangling_one() -> None:
    found = only(refs({"a": {"$ref": "#/b"}, "b": {"$ref": "#/zz"}}))
    assert found.pointer == "/b/$ref"


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("#/p/a~2b", "~ must be followed by 0 or 1 (~0 for ~, ~1 for /)"),
        ("#/p/a~", "~ must be followed by 0 or 1 (~0 for ~, ~1 for /)"),
        ("#p/a~0b", "after # it must start with /"),
    ],
)
def test_a_ref_that_is_no_json_pointer_is_reported_as_such(target: str, words: str) -> None:
    found = only(refs({"p": {"a~b": {}}, "user": {"$ref": target}}))
    assert found.message == (
        f"$ref {target!r} is not a valid JSON pointer: {words}; correct the reference"
    )
    assert found.pointer == "/user/$ref"


def schemas_doc(**schemas: Any) -> dict[str, Any]:
    return {"components": {"schemas": schemas}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.mark.parametrize(
    "schemas",
    [
        # trees: recursion through a property or the items of an array
        {"Node": {"properties": {"kids": {"type": "array", "items": ref("Node")}}}},
        {"List": {"type": "array", "items": ref("List")}},
        {"Json": {"anyOf": [{"type": "string"}, {"type": "array", "items": ref("Json")}]}},
        {
            "Base": {"properties": {"id": {"type": "string"}}},
            "Node": {"allOf": [ref("Base"), {"properties": {"parent": ref("Node")}}]},
        },
        {"A": {"allOf": [ref("B")]}, "B": {"properties": {"a": ref("A")}}},
    ],
    ids=["property", "items", "anyOf-items", "allOf-with-a-recursive-property", "allOf-property"],
)
def test_recursive_schemas_that_end_are_accepted(schemas: dict[str, Any]) -> None:
    assert refs(schemas_doc(**schemas)) == []


@pytest.mark.parametrize(
    ("schemas", "pointer", "chain"),
    [
        ({"A": {"allOf": [ref("A")]}}, "/components/schemas/A/allOf/0/$ref", "A -> A"),
        (
            {"A": {"allOf": [ref("B")]}, "B": {"allOf": [{"type": "object"}, ref("A")]}},
            "/components/schemas/B/allOf/1/$ref",
            "A -> B -> A",
        ),
        (
            {"A": {"anyOf": [{"type": "string"}, ref("A")]}},
            "/components/schemas/A/anyOf/1/$ref",
            "A -> A",
        ),
        ({"A": {"not": ref("A")}}, "/components/schemas/A/not/$ref", "A -> A"),
        (  # a parent whose oneOf lists children that are allOf the parent
            {"Pet": {"oneOf": [ref("Cat")]}, "Cat": {"allOf": [ref("Pet"), {"type": "object"}]}},
            "/components/schemas/Cat/allOf/0/$ref",
            "Pet -> Cat -> Pet",
        ),
    ],
    ids=["allOf-itself", "allOf-loop", "anyOf-itself", "not-itself", "oneOf-allOf"],
)
def test_schemas_that_are_themselves_in_place_are_loops(
    schemas: dict[str, Any], pointer: str, chain: str
) -> None:
    found = {d.pointer: d for d in refs(schemas_doc(**schemas))}
    assert pointer in found, list(found)
    full = " -> ".join(f"#/components/schemas/{name}" for name in chain.split(" -> "))
    assert f"loops back on itself ({full}); break the cycle" in found[pointer].message
    assert all(d.level is Level.ERROR for d in found.values())


def test_an_allof_of_an_array_that_recurses_through_its_items_is_reported_at_the_allof() -> None:
    found = refs(schemas_doc(A={"allOf": [ref("B")]}, B={"type": "array", "items": ref("B")}))
    hit = only(found)
    assert hit.pointer == "/components/schemas/A/allOf/0/$ref"
    assert "loop through allOf and items" in hit.message
    assert "(#/components/schemas/B -> #/components/schemas/B)" in hit.message


@pytest.mark.parametrize(
    "target", ["other.yaml#/components/schemas/A", "http://example.com/s.yaml", "b"]
)
def test_external_refs_are_refused(target: str) -> None:
    found = only(refs({"b": {}, "a": {"$ref": target}}))
    assert "outside this file" in found.message
    assert found.pointer == "/a/$ref"


def test_load_stops_on_ref_problems_before_validating(tmp_path: Path) -> None:
    spec = tmp_path / "refs.yaml"
    spec.write_text(
        textwrap.dedent(
            """\
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths:
              /a:
                get:
                  responses:
                    '200':
                      $ref: '#/components/responses/Gone'
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        validation.load(spec, "refs.yaml")
    found = only(caught.value.diagnostics)
    assert (found.line, found.col) == (8, 11)
    assert found.pointer == "/paths/~1a/get/responses/200/$ref"


# -- openapi-spec-validator -------------------------------------------------------------------


def test_a_minimal_document_is_valid() -> None:
    assert validate(copy.deepcopy(MINIMAL)) == []


def _with(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(MINIMAL)
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (lambda d: d["info"].pop("version"), "/info", "'version' is a required property"),
        (
            lambda d: d["paths"]["/a"]["get"]["responses"]["200"].update(description=5),
            "/paths/~1a/get/responses/200/description",
            "5 is not of type 'string'",
        ),
        (
            lambda d: d.setdefault("components", {}).update(
                schemas={"A": {"type": "object", "properties": {"x": {"type": "intger"}}}}
            ),
            "/components/schemas/A/properties/x/type",
            "'intger'",
        ),
        (
            lambda d: d["paths"]["/a"]["get"]["responses"]["200"].update(
                content={"application/json": {"schema": {"type": "strin"}}}
            ),
            "/paths/~1a/get/responses/200/content/application~1json/schema/type",
            "'strin'",
        ),
    ],
)
def test_validator_errors_are_located(change: Any, pointer: str, words: str) -> None:
    found = only(validate(_with(change)))
    assert found.pointer == pointer
    assert found.message.startswith("not valid OpenAPI 3.1: ")
    assert words in found.message


@pytest.mark.parametrize(
    ("version", "pointer"),
    [
        ("3.2.0", "/openapi"),
        ("2.0", "/openapi"),
        ("3.0.4", "/openapi"),
        (3.1, "/openapi"),
        (None, ""),
    ],
)
def test_only_openapi_31_and_30_are_read(version: Any, pointer: str) -> None:
    document = copy.deepcopy(MINIMAL)
    if version is None:
        del document["openapi"]
    else:
        document["openapi"] = version
    found = only(validate(document))
    assert "Chatforge reads OpenAPI 3.1 and 3.0 documents" in found.message
    assert found.pointer == pointer


def test_validator_errors_carry_file_positions(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        textwrap.dedent(
            """\
            openapi: 3.1.0
            info:
              title: t
            paths: {}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        validation.load(spec, "bad.yaml")
    found = only(caught.value.diagnostics)
    assert found.render() == (
        "bad.yaml:2:1: error: not valid OpenAPI 3.1: 'version' is a required property (/info)"
    )


@pytest.mark.parametrize(
    "parameter",
    [
        {"name": "q", "schema": {"type": "string"}},  # no `in`
        {"in": "query", "schema": {"type": "string"}},  # no `name`
    ],
    ids=["no-in", "no-name"],
)
def test_a_parameter_without_name_or_in_is_a_located_error(parameter: dict[str, Any]) -> None:
    document = _with(lambda d: d["paths"]["/a"]["get"].update(parameters=[parameter]))
    found = validate(document)
    assert found
    assert all(d.pointer.startswith("/paths/~1a/get/parameters/0") for d in found)


def test_paths_must_be_a_mapping() -> None:
    found = only(validate(_with(lambda d: d.update(paths=[{"/a": {}}]))))
    assert found.message == "paths must be a mapping of paths to path items"
    assert found.pointer == "/paths"


@pytest.mark.parametrize("holder", ["/a", "/a/get"])
def test_parameters_must_be_a_list(holder: str) -> None:
    def change(document: dict[str, Any]) -> None:
        where = document["paths"]["/a"]
        if holder.endswith("/get"):
            where = where["get"]
        where["parameters"] = {"q": {"in": "query", "schema": {"type": "string"}}}

    found = only(validate(_with(change)))
    assert found.message == "parameters must be a list of parameters"
    assert found.pointer == f"/paths/~1a{holder.removeprefix('/a')}/parameters"


def test_errors_found_before_the_validator_fails_are_kept() -> None:
    document = _with(lambda d: d["paths"]["/a"]["get"].update(parameters={"q": {"in": "query"}}))
    errors, failure = validation._iter_errors(document)
    assert failure is not None  # it indexes the mapping's keys as parameters
    assert any("is not of type 'array'" in error.message for error in errors)


def test_the_validators_duplicate_parameter_is_left_to_lint() -> None:
    parameter = {"name": "q", "in": "query", "schema": {"type": "string"}}
    document = _with(lambda d: d["paths"]["/a"]["get"].update(parameters=[parameter] * 2))
    assert validate(document) == []


def test_validator_messages_use_json_spelling_and_name_the_valid_types() -> None:
    def change(document: dict[str, Any]) -> None:
        document["paths"]["/a/{id}"] = {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": False, "schema": {}}],
                "responses": {"200": {"description": "ok"}},
            }
        }
        document["components"] = {"schemas": {"A": {"type": ["strng", "null"]}}}

    found = {d.pointer: d.message for d in validate(_with(change))}
    assert found["/paths/~1a~1{id}/get/parameters/0/required"] == (
        "not valid OpenAPI 3.1: true was expected"
    )
    assert found["/components/schemas/A/type"] == (
        "not valid OpenAPI 3.1: 'strng' is not a JSON Schema type; use array, boolean, integer, "
        "null, number, object or string"
    )


def test_a_bad_default_is_located_at_the_default() -> None:
    document = _with(
        lambda d: d["paths"]["/a"]["get"].update(
            parameters=[{"name": "q", "in": "query", "schema": {"type": "string", "default": 5}}]
        )
    )
    found = only(validate(document))
    assert found.pointer == "/paths/~1a/get/parameters/0/schema/default"


def test_a_bad_member_of_a_default_is_located_at_the_member() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "default": {"n": "x"}}
    document = _with(
        lambda d: d["paths"]["/a"]["get"].update(
            parameters=[{"name": "q", "in": "query", "schema": schema}]
        )
    )
    found = only(validate(document))
    assert found.pointer == "/paths/~1a/get/parameters/0/schema/default/n"
    assert "'x' is not of type 'integer'" in found.message


def test_each_of_many_errors_is_located_at_its_own_place() -> None:
    schemas: dict[str, Any] = {
        f"S{index:03}": {"type": "object", "properties": {"x": {"type": f"strng{index}"}}}
        for index in range(120)
    }
    # One schema object at two places (as a YAML alias gives): located at the first.
    schemas["T1"] = schemas["T0"] = {"type": "object", "properties": {"y": {"type": "nmber"}}}
    document = _with(lambda d: d.setdefault("components", {}).update(schemas=schemas))
    pointers = [found.pointer for found in validate(document)]
    expected = [f"/components/schemas/S{index:03}/properties/x/type" for index in range(120)]
    assert sorted(pointers) == sorted([*expected, "/components/schemas/T1/properties/y/type"])


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_every_fault_of_one_schema_is_reported_each_at_its_place(version: str) -> None:
    """The validator stops at a schema's first fault; each of its distinct faults is reported
    instead, in the order of the schema's text whatever order the meta-schema check visits its
    properties in (the order of a set, which changes from run to run)."""
    names = ["delta", "alpha", "kilo", "bravo", "echo", "zulu", "mike"]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: {"type": f"{name}x"} for name in names},
        "required": "delta",
        "maxProperties": -1,
    }
    document = _with(lambda d: d.setdefault("components", {}).update(schemas={"A": schema}))
    document["openapi"] = f"{version}.0"
    found = Diagnostics("spec.yaml")
    validation.validate_openapi(document, found, version)
    at = "/components/schemas/A"
    # OpenAPI 3.0's own schema also finds the schema no Schema Object (nor a Reference Object).
    whole = [at] if version == "3.0" else []
    assert [item.pointer for item in found.items] == [
        *whole,
        *(f"{at}/properties/{name}/type" for name in names),
        f"{at}/required",
        f"{at}/maxProperties",
    ]
    assert len({item.message for item in found.items}) == len(whole) + len(names) + 2


# -- diagnostics ------------------------------------------------------------------------------


def test_diagnostics_render_and_sort() -> None:
    out = Diagnostics("f.yaml", {"": (1, 1), "/a": (3, 2), "/a/b": (4, 5)})
    out.warning("later", "/a/b/c/d")  # located at its nearest known ancestor
    out.error("first", "/a")
    out.error("root")
    assert [d.render() for d in out] == [
        "f.yaml:1:1: error: root",
        "f.yaml:3:2: error: first (/a)",
        "f.yaml:4:5: warning: later (/a/b/c/d)",
    ]
    assert out.has_errors
