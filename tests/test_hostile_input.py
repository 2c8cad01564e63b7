"""Specs written to make reading them unsafe: references out of the document, nesting that
crashes a parser, aliases that exhaust memory, values Python cannot hold, files that are no
files. Each is refused with located diagnostics and exit 1 by `validate` and by `generate`, run
as the user runs them, and nothing is read, fetched, run or written on the way.

`tests/fixtures/hostile/<name>.yaml` (or `.json`) beside `<name>.expected` holds one such spec
and the diagnostics it must get, exactly; large ones are made here, in a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatforge import lint
from chatforge.diagnostics import Diagnostics, SpecError
from chatforge.spec import loader
from tests.running import COMMAND
from tests.test_broken_specs import (
    SENTINEL,
    TINY_SPEC,
    diagnostic_lines,
    run_together,
    snapshot,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "hostile"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.expected"))
SPEC_FILES = {
    path.stem: path
    for path in sorted(FIXTURES.iterdir())
    if path.suffix in (".yaml", ".json") and path.stem in NAMES
}


def refused_by_both(spec: str, tmp_path: Path) -> list[str]:
    """Runs `validate` and `generate` on `spec`; both must exit 1, located, with no traceback
    and nothing written. The diagnostics printed about the spec, the same from both."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "sentinel.txt").write_bytes(SENTINEL)
    before = snapshot(out)
    validated, generated = run_together(
        ("validate", "--no-cache", spec),
        ("generate", "--no-cache", spec, "--out", str(out)),
    )
    printed = os.path.relpath(spec, REPO_ROOT) if os.path.isabs(spec) else spec
    found = []
    for result in (validated, generated):
        shown = f"{result.args}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        assert result.returncode == 1, shown
        assert "Traceback" not in result.stdout + result.stderr, shown
        assert "internal error" not in result.stderr, shown
        assert "Warning: " not in result.stderr, shown  # a library's own, unlocated
        assert result.stderr.splitlines()[-1].endswith("; nothing written"), shown
        found.append(diagnostic_lines(result.stderr, printed))
    assert found[0] == found[1]
    assert snapshot(out) == before, "the output folder changed"
    return found[0]


def test_every_hostile_fixture_has_a_spec() -> None:
    assert len(NAMES) >= 15
    assert sorted(SPEC_FILES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_hostile_spec_is_refused_where_it_is(name: str, tmp_path: Path) -> None:
    spec = SPEC_FILES[name].relative_to(REPO_ROOT).as_posix()
    expected = (FIXTURES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    assert refused_by_both(spec, tmp_path) == [line for line in expected if line.strip()]
    assert not (FIXTURES / "made-by-a-tag").exists(), "a YAML tag ran code"


def test_data_that_looks_like_references_or_dates_is_data(tmp_path: Path) -> None:
    """A `$ref` member of an example, and a date that is no date, are read as data."""
    out = tmp_path / "out"
    spec = "tests/fixtures/hostile/example_ref_member.yaml"
    validated, generated = run_together(
        ("validate", "--no-cache", spec),
        ("generate", "--no-cache", spec, "--out", str(out), "--target", "models"),
    )
    for result in (validated, generated):
        assert result.returncode == 0, result.stderr
    models = next(out.rglob("__init__.py")).read_text(encoding="utf-8")
    assert "class Item(" in models


# -- nesting ----------------------------------------------------------------------------------

DEEP = 40_000


@pytest.mark.parametrize(
    ("name", "text", "line", "col"),
    [
        ("flow_sequences.yaml", "[" * DEEP + "]" * DEEP, 1, 201),
        ("flow_mappings.yaml", "a: " + "{a: " * DEEP + "1" + "}" * DEEP, 1, 800),
        ("dashes.yaml", "- " * DEEP + "x\n", 1, 401),
        ("unclosed.yaml", "[" * DEEP, 1, 201),
        ("indented.yaml", "".join(" " * i + "a:\n" for i in range(300)), 201, 201),
        ("mixed.yaml", "- " * 150 + "[" * DEEP + "]" * DEEP + "\n", 1, 351),
        ("arrays.json", "[" * DEEP + "]" * DEEP, 1, 201),
        ("objects.json", '{"a": ' * DEEP + "1" + "}" * DEEP, 1, 1201),
    ],
)
def test_nesting_deeper_than_the_limit_is_refused_before_parsing(
    name: str, text: str, line: int, col: int, tmp_path: Path
) -> None:
    """libyaml's composer recurses once per level: 40,000 levels crashed it with SIGSEGV."""
    spec = tmp_path / name
    spec.write_text(text, encoding="utf-8")
    (found,) = refused_by_both(str(spec), tmp_path)
    where = f"{os.path.relpath(spec, REPO_ROOT)}:{line}:{col}"
    assert found == (
        f"{where}: error: the document nests deeper than {loader.MAX_DEPTH} levels; flatten it "
        "(move nested schemas under components and $ref them)"
    )


def test_nesting_at_the_limit_is_read() -> None:
    data, _ = loader.parse_yaml("[" * loader.MAX_DEPTH + "]" * loader.MAX_DEPTH, "x.yaml")
    data, _ = loader.parse_json("[" * loader.MAX_DEPTH + "]" * loader.MAX_DEPTH, "x.json")
    assert isinstance(data, list)


# -- models Python or datamodel-code-generator cannot build -------------------------------


def _components(schemas: dict[str, object]) -> str:
    document = {"openapi": "3.1.0", "info": {"title": "Wide", "version": "1"}, "paths": {}}
    return json.dumps({**document, "components": {"schemas": schemas}}, indent=1)


def test_a_union_too_wide_for_python_to_parse_is_refused(tmp_path: Path) -> None:
    """3,000 members made a union expression that Python's parser cannot take."""
    members = [{"type": "object", "required": [f"k{i}"]} for i in range(lint.MAX_UNION + 1)]
    spec = tmp_path / "wide.json"
    spec.write_text(_components({"Item": {"anyOf": members}}), encoding="utf-8")
    (found,) = refused_by_both(str(spec), tmp_path)
    assert found.endswith(
        f"error: anyOf has {lint.MAX_UNION + 1} members; the generated models can hold a union "
        f"of at most {lint.MAX_UNION}: group the members (a oneOf of oneOfs), or describe them "
        "with one schema (/components/schemas/Item/anyOf)"
    )


def test_a_chain_of_allof_too_long_to_build_is_refused(tmp_path: Path) -> None:
    """Each schema built on the next: two hundred took datamodel-code-generator a minute."""
    size = lint.MAX_INHERITANCE + 1
    schemas: dict[str, object] = {f"A{size}": {"type": "object"}}
    for i in range(size):
        own = {"type": "object", "properties": {f"p{i}": {"type": "string"}}}
        schemas[f"A{i}"] = {"allOf": [{"$ref": f"#/components/schemas/A{i + 1}"}, own]}
    spec = tmp_path / "chain.json"
    spec.write_text(_components(schemas), encoding="utf-8")
    (found,) = refused_by_both(str(spec), tmp_path)
    assert found.endswith(
        f"error: schema 'A0' is built through allOf on a chain of {size + 1} named schemas; the "
        f"generated models can build on at most {lint.MAX_INHERITANCE}: write some of the "
        "chain's members inline (/components/schemas/A0/allOf)"
    )


# -- aliases ----------------------------------------------------------------------------------

# Runs a command with its address space limited to 1 GiB (what a whole run takes is far less),
# then prints its exit code, its peak resident memory in KiB and its stderr.
_MEASURED = """\
import resource, subprocess, sys

def limit():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

result = subprocess.run(sys.argv[1:], capture_output=True, text=True, preexec_fn=limit)
print(result.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(result.stderr)
"""


def measured(*command: str) -> tuple[int, int, str]:
    """A command's exit code, peak memory (KiB) and stderr, run in at most 1 GiB."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    code, peak, stderr = result.stdout.split("\n", 2)
    return int(code), int(peak), stderr


def test_aliases_that_expand_to_too_many_bytes_are_refused_in_bounded_memory(
    tmp_path: Path,
) -> None:
    """A 0.5 MB spec whose aliases repeat a 500 KB string 1,000 times: few aliases and few
    values, but half a gigabyte once expanded."""
    spec = tmp_path / "aliases.yaml"
    copies = ", ".join(["*big"] * 1000)
    spec.write_text(
        TINY_SPEC + f"x-big: &big '{'A' * 500_000}'\nx-copies: [{copies}]\n", encoding="utf-8"
    )
    code, peak_kib, stderr = measured(*COMMAND, "validate", "--no-cache", "--jobs", "1", str(spec))
    assert code == 1, stderr
    shown = os.path.relpath(spec, REPO_ROOT)
    assert diagnostic_lines(stderr, shown) == [
        f"{shown}:38:8: error: YAML aliases expand to more than {loader.MAX_ALIAS_BYTES} "
        "characters (1 MiB); expand them by hand and keep the spec to what it describes "
        "(/x-copies/2)"
    ]
    assert peak_kib < 250_000, f"{peak_kib // 1024} MiB"


_POINTERS = """\
import sys
from chatforge.spec import loader, validate
from chatforge.diagnostics import SpecError

key = "k" * 100_000
if sys.argv[1] == "yaml":
    text = "".join(" " * i + f"? {key}\\n" + " " * i + ":\\n" for i in range(150))
    text += (" " * 150 + "- 1\\n") * 3000
    parse = loader.parse_yaml
else:
    text = '{"' + f'{key}": {{"'.join([key] * 150) + '": [' + ",".join(["1"] * 3000) + "]"
    text += "}" * 150
    parse = loader.parse_json
try:
    parse(text, "x")
except SpecError as exc:
    print(*(d.message for d in exc.diagnostics), sep="\\n", file=sys.stderr)
    sys.exit(1)
"""


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_long_pointers_to_many_values_are_refused_in_bounded_memory(kind: str) -> None:
    """Without aliases too: long keys nested deep, above many values, name each value with a
    long pointer (here 150 keys of 100,000 characters above 3,000 values: 45 GB of pointers)."""
    code, peak_kib, stderr = measured(sys.executable, "-c", _POINTERS, kind)
    assert code == 1, stderr
    assert stderr.startswith("the document nests so many values so deep that their places")
    assert peak_kib < 500_000, f"{peak_kib // 1024} MiB"


# -- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("a: 0x" + "f" * 700 + "\n", 1, 4, "the integer is 702 characters long"),
        ("a: !!int " + "1" * 641 + "\n", 1, 4, "the integer is 641 characters long"),
        ("a: 0x" + "f" * 600 + "\n", 1, 4, "the integer has more than 640 digits"),
        ("a: !!set {x}\n", 1, 4, "the YAML tag '!!set' is not allowed"),
        ("a: !!omap [x: 1]\n", 1, 4, "the YAML tag '!!omap' is not allowed"),
        ("a: !!python/name:os.system\n", 1, 4, "the YAML tag '!!python/name:os.system'"),
        ("a: !!python/object:os.system {}\n", 1, 4, "the YAML tag '!!python/object:os.system'"),
        ("!!python/tuple [a]: 1\n", 1, 1, "a mapping key must be a string"),
        ("!!python/none x: 1\n", 1, 1, "the YAML tag '!!python/none' is not allowed"),
        ("? {a: 1}\n: 2\n", 1, 3, "a mapping key must be a string"),
        ('a: "\\U0000dfff"\n', 1, 4, "the lone surrogate \\udfff"),
        ('a:\n  "x\\ud83d": 1\n', 2, 3, "the lone surrogate \\ud83d"),
    ],
)
def test_yaml_values_python_cannot_take_are_located(
    text: str, line: int, col: int, words: str
) -> None:
    with pytest.raises(SpecError) as caught:
        loader.parse_yaml(text, "x.yaml")
    (found,) = caught.value.diagnostics
    assert words in found.message
    assert (found.line, found.col) == (line, col)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: 2001-02-30\n", "2001-02-30"),  # no such day: the text, as for any date
        ("a: 2001-12-14t21:59:43.10-05:00\n", "2001-12-14t21:59:43.10-05:00"),
        ("a: 0000-01-01\n", "0000-01-01"),
    ],
)
def test_yaml_values_that_are_data_are_read(text: str, value: object) -> None:
    data, _ = loader.parse_yaml(text, "x.yaml")
    assert data == {"a": value}


@pytest.mark.parametrize(
    ("text", "col", "words"),
    [
        ('{"a": "\\udc00"}', 7, "the lone surrogate \\udc00"),
        ('{"\\ud800x": 1}', 2, "the lone surrogate \\ud800"),
        ('{"a": [-' + "1" * 641 + "]}", 8, "the integer has 641 digits"),
    ],
)
def test_json_values_python_cannot_take_are_located(text: str, col: int, words: str) -> None:
    with pytest.raises(SpecError) as caught:
        loader.parse_json(text, "x.json")
    (found,) = caught.value.diagnostics
    assert words in found.message
    assert (found.line, found.col) == (1, col)


# -- references -------------------------------------------------------------------------------


def refs(document: object) -> list[str]:
    out = Diagnostics("x.yaml")
    loader.check_refs(document, out)
    return [f"{d.pointer}: {d.message}" for d in out]


SCHEMA = "/components/schemas/A"


@pytest.mark.parametrize(
    ("schema", "where", "words"),
    [
        ({"$dynamicRef": "/etc/passwd"}, "/$dynamicRef", "points outside this file"),
        ({"$recursiveRef": "x.json"}, "/$recursiveRef", "points outside this file"),
        ({"$defs": {"a": {"$id": "http://x/"}}}, "/$defs/a/$id", "a URI of its own"),
        ({"$id": "b.json"}, "/$id", "a URI of its own"),
        ({"$schema": "http://json-schema.org/draft-07/schema#"}, "/$schema", "would fetch"),
        ({"discriminator": {"mapping": {"a": "http://x/a"}}}, "/discriminator/mapping/a", "no"),
        ({"$ref": 5}, "/$ref", "must be a string"),
        ({"$dynamicRef": "#/components/schemas/A"}, "/$dynamicRef", "loops back on itself"),
        ({"dependentSchemas": {"a": {"$ref": "#" + SCHEMA}}}, "/dependentSchemas/a/$ref", "loops"),
    ],
)
def test_every_reference_keyword_at_any_depth_is_checked(
    schema: dict[str, object], where: str, words: str
) -> None:
    (found,) = refs({"components": {"schemas": {"A": schema, "B": {}}}})
    assert found.startswith(f"{SCHEMA}{where}: ")
    assert words in found


def test_data_and_names_are_not_references() -> None:
    schema = {
        "example": {"$ref": "http://x/y"},
        "examples": [{"$ref": "/etc/passwd"}],
        "default": {"$id": "http://x/"},
        "const": {"$schema": "http://x/"},
        "enum": [{"$ref": "y.json"}],
        "x-note": {"$ref": "y.json"},
        "properties": {"$ref": {"type": "string"}, "$id": {"type": "string"}},
        "$schema": "https://spec.openapis.org/oas/3.1/dialect/base",
        "discriminator": {"mapping": {"a": "B", "b": "#/components/schemas/B"}},
    }
    assert refs({"components": {"schemas": {"A": schema, "B": {}}}}) == []


def test_openapi_references_outside_schemas_are_checked() -> None:
    media = {"example": {"$ref": "x.json"}, "examples": {"e": {"value": {"$ref": "y.json"}}}}
    document = {
        "jsonSchemaDialect": "https://example.com/dialect",
        "paths": {"/a": {"get": {"responses": {"200": {"content": {"a/b": media}}}}}},
        "components": {
            "links": {"l": {"operationRef": "https://example.com/openapi.json#/paths/~1x/get"}},
            "examples": {"e": {"externalValue": "e.json"}},
            "callbacks": {"c": {"{$url}": {"$ref": "cb.yaml"}}},
        },
    }
    assert sorted(found.split(":")[0] for found in refs(document)) == [
        "/components/callbacks/c/{$url}/$ref",
        "/components/examples/e/externalValue",
        "/components/links/l/operationRef",
        "/jsonSchemaDialect",
    ]


# -- nothing is read or fetched ---------------------------------------------------------------

_GUARDED = """\
import json, sys
sentinel, schemas = sys.argv[1], json.loads(sys.argv[2])
touched = []

def audit(event, args):
    if event == "open" and isinstance(args[0], str) and "sentinel" in args[0]:
        touched.append(args[0])
    if event in ("socket.connect", "socket.getaddrinfo"):
        touched.append(f"{event} {args[1] if event == 'socket.connect' else args[0]}")

sys.addaudithook(audit)
from chatforge.spec import loader, validate
from chatforge.diagnostics import Diagnostics
from chatforge.targets import modelgen

outcomes = []
for schema in schemas:
    try:
        text = modelgen._run({"Item": schema, "B": {"type": "string"}}, "# models")
        outcomes.append("SECRET" in str(text) and "leaked" or "made")
    except Exception as exc:
        outcomes.append(type(exc).__name__)
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                "components": {"schemas": {"Item": schema, "B": {"type": "string"}}}}
    validate.validate_openapi(document, Diagnostics("x.yaml"))
print(json.dumps({"outcomes": outcomes, "touched": touched}))
"""


def test_no_reference_is_read_or_fetched_by_the_models_generator_or_the_validator(
    tmp_path: Path,
) -> None:
    """Handed schemas with references out of the document (which the loader refuses before
    either is asked), datamodel-code-generator and openapi-spec-validator open no file and no
    socket."""
    sentinel = tmp_path / "sentinel.json"
    sentinel.write_text(json.dumps({"properties": {"SECRET": {"type": "string"}}}))
    targets = [str(sentinel), sentinel.as_uri(), os.path.relpath(sentinel, REPO_ROOT)]
    targets += ["http://127.0.0.1:9/sentinel.json", "https://example.invalid/sentinel.json"]
    schemas = [
        {"type": "object", "properties": {"a": {keyword: target}}}
        for keyword in ("$ref", "$dynamicRef")
        for target in targets
    ]
    schemas.append({"$id": "http://127.0.0.1:9/", "properties": {"a": {"$ref": "sentinel.json"}}})
    result = subprocess.run(
        [sys.executable, "-c", _GUARDED, str(sentinel), json.dumps(schemas)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["touched"] == []
    assert "leaked" not in found["outcomes"]


# -- files that are no files, paths that are no paths -----------------------------------------


def test_a_named_pipe_a_folder_and_a_loop_of_links_are_refused(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "good.yaml").write_text(TINY_SPEC, encoding="utf-8")
    os.mkfifo(specs / "pipe.yaml")
    (specs / "folder.yaml").mkdir()
    (specs / "loop1.yaml").symlink_to("loop2.yaml")
    (specs / "loop2.yaml").symlink_to("loop1.yaml")
    out = tmp_path / "out"
    validated, generated = run_together(
        ("validate", "--no-cache", "--specs", str(specs)),
        ("generate", "--no-cache", "--specs", str(specs), "--out", str(out)),
    )
    for result in (validated, generated):
        assert result.returncode == 1, result.stderr
        assert "internal error" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert [line.split(": error: ", 1)[1] for line in lines] == [
            "the spec is a folder, not a file; name an OpenAPI 3.1 file",
            "cannot read the spec: Too many levels of symbolic links",
            "cannot read the spec: Too many levels of symbolic links",
            "the spec is a named pipe, not a file; name an OpenAPI 3.1 file",
        ]
    assert not out.exists()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/q?x=1", "holds a query string"),
        ("/q#top", "holds a fragment"),
        ("/a/%41", "holds '%' (character 4)"),
        ("/a b", "holds ' ' (character 3)"),
        ("/a\tb", "holds '\\t' (character 3)"),
        ("/a\\b", "holds '\\\\' (character 3)"),
        ("/a\u202eb", "holds '\\u202e' (character 3)"),
        ("/a/{}", "template that is empty"),
        ("/a/{b", "template that is empty, unclosed"),
        ("/a/{b{c}}", "nested"),
        ("a/b", "does not start with /"),
    ],
)
def test_paths_no_request_can_reach_are_refused(path: str, words: str) -> None:
    out = Diagnostics("x.yaml")
    lint.rule_paths({"paths": {path: {}}}, out, lint.Level.ERROR)
    (found,) = out
    assert found.message.startswith(f"path {path!r} ")
    assert words in found.message


@pytest.mark.parametrize("path", ["/", "/a/{id}", "/a/{id}.json", "/v1/名字", "/a:b@c/$x;y=1"])
def test_paths_a_request_can_reach_are_accepted(path: str) -> None:
    assert lint.path_problem(path) is None
