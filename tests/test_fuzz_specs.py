"""Property-based fuzzing: random valid OpenAPI 3.1 documents (types, nesting, `oneOf`, `anyOf`,
`allOf`, `$ref`s, enums, formats, odd names) either generate code that compiles and passes ruff,
or fail with located diagnostics. Never an exception of any other kind.

A small, derandomized run is part of the suite; a long one runs on demand:

    CHATFORGE_FUZZ_EXAMPLES=2000 CHATFORGE_FUZZ_SEED=random \\
        .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_fuzz_specs.py
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
import tokenize
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from chatforge.config import load_config
from chatforge.diagnostics import SpecError
from chatforge.output.formatting import ruff_binary
from chatforge.run import pipeline
from chatforge.targets.text import LINE_BREAKS, UNSAFE_CATEGORIES
from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("CHATFORGE_FUZZ_EXAMPLES", "20"))
RANDOM = os.environ.get("CHATFORGE_FUZZ_SEED") == "random"
TARGETS = ("models", "client", "server", "docs")
# file:line:col: error: message (JSON pointer)
LOCATED = re.compile(r"^(.*/)?fuzzed\.json:[1-9]\d*:[1-9]\d*: error: \S.*\((/[^)]*)?\)$", re.DOTALL)

# Names as people write them, and as they should not: keywords, dunders, digits first,
# punctuation, other scripts, and words that differ only in case or separators.
ODD_NAMES = st.sampled_from(
    [
        "id",
        "user_id",
        "userId",
        "UserID",
        "user-id",
        "class",
        "None",
        "self",
        "__init__",
        "1st",
        "a-b",
        "a.b",
        "type",
        "list",
        "json",
        "model_config",
        "ünïcode",
        "名字",
        "with space",
        "$ref",
        "import",
        "return",
    ]
)
COMPONENT_NAMES = ODD_NAMES.filter(lambda name: re.fullmatch(r"[a-zA-Z0-9._-]+", name) is not None)
# Characters no generated text may hold as they are: every control, format and separator
# character, and every line break.
UNSAFE = sorted(
    {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in UNSAFE_CATEGORIES}
    | LINE_BREAKS
)
TEXT = st.lists(
    st.one_of(
        st.sampled_from([*"ab \"'\\{}%#<>|`*_\n\t\r", "é", '"""', "{{", "{%", "\ud800"]),
        # What would end a docstring or a comment once an invisible character between its
        # quotes were taken out, declare the module's encoding, or run as code if it got out.
        st.sampled_from(['"\u200b""', "coding:utf-7 ", "+ACIAIgAi-", "; PWNED() #", "\\N{"]),
        st.sampled_from(UNSAFE),
    ),
    max_size=12,
).map("".join)
# File names: what a file system allows (no `/`, no NUL), line breaks and quotes included, and
# bytes that are not UTF-8 (which Python reads as the surrogates U+DC80 to U+DCFF).
IN_FILE_NAMES = [
    c for c in UNSAFE[1:] if not "\ud800" <= c < "\udc80" and not "\udcff" < c <= "\udfff"
]
FILE_NAMES = st.lists(
    st.one_of(st.sampled_from([*"ab _-.\"'\\#"]), st.sampled_from(IN_FILE_NAMES)), max_size=8
).map(lambda chars: "fuzzed" + "".join(chars) + ".json")
FORMATS = {
    "string": ["date-time", "date", "uuid", "email", "uri", "byte", "password", "hostname"],
    "integer": ["int32", "int64"],
    "number": ["float", "double"],
}
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "string": TEXT,
    "integer": st.integers(-(2**40), 2**40),
    "number": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "boolean": st.booleans(),
}


@st.composite
def scalar(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(VALUES)))
    schema: dict[str, Any] = {"type": kind}
    if kind in FORMATS and draw(st.booleans()):
        schema["format"] = draw(st.sampled_from(FORMATS[kind]))
    elif draw(st.integers(0, 3)) == 0:
        enum = draw(st.lists(VALUES[kind], min_size=1, max_size=4, unique=True))
        schema["enum"] = enum
    if kind == "string" and "format" not in schema and draw(st.integers(0, 4)) == 0:
        schema["pattern"] = draw(st.sampled_from(["^[a-z]+$", "^\\d{2,4}$", "^[A-Z_]{1,8}$"]))
    if kind == "integer" and draw(st.booleans()):
        schema["minimum"] = draw(st.integers(-5, 5))
    if draw(st.integers(0, 4)) == 0:
        schema["description"] = draw(TEXT)
    if draw(st.integers(0, 5)) == 0:
        schema["type"] = [kind, "null"]
    return schema


def schemas(refs: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    leaves = scalar()
    if refs:
        leaves = st.one_of(leaves, st.sampled_from(refs).map(lambda r: {"$ref": r}))

    def nest(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        objects = st.dictionaries(ODD_NAMES, inner, min_size=1, max_size=4).flatmap(
            lambda props: st.lists(st.sampled_from(sorted(props)), unique=True).map(
                lambda required: {"type": "object", "properties": props, "required": required}
            )
        )
        return st.one_of(
            objects,
            inner.map(lambda item: {"type": "array", "items": item}),
            st.lists(inner, min_size=2, max_size=3).map(lambda parts: {"oneOf": parts}),
            st.lists(inner, min_size=2, max_size=3).map(lambda parts: {"anyOf": parts}),
            st.lists(objects, min_size=2, max_size=2).map(lambda parts: {"allOf": parts}),
            st.dictionaries(st.just("additionalProperties"), inner, min_size=1).map(
                lambda extra: {"type": "object", **extra}
            ),
        )

    return st.recursive(leaves, nest, max_leaves=8)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    # Component names are limited to [a-zA-Z0-9._-] by OpenAPI itself.
    names = draw(st.lists(COMPONENT_NAMES, min_size=1, max_size=4, unique=True))
    refs = [f"#/components/schemas/{name}" for name in names]
    components = {}
    for index, name in enumerate(names):
        # Each schema may refer to the ones before it, so no cycle is forced on it.
        components[name] = draw(schemas(refs[:index]))
    for name in names:
        if draw(st.integers(0, 2)) == 0:
            components[name] = {"title": draw(TEXT), **components[name]}
    paths: dict[str, Any] = {}
    tags: set[str] = set()
    for _ in range(draw(st.integers(1, 3))):
        segment = draw(ODD_NAMES).replace("/", "").replace("{", "").replace("}", "")
        with_param = draw(st.booleans())
        path = f"/{segment.replace(' ', '-')}" + ("/{item}" if with_param else "")
        method = draw(st.sampled_from(["get", "post", "put", "delete"]))
        operation: dict[str, Any] = {
            "summary": draw(TEXT),
            "responses": {
                "200": {
                    "description": draw(TEXT) or "done",
                    "content": {"application/json": {"schema": draw(schemas(refs))}},
                }
            },
        }
        if draw(st.booleans()):
            operation["description"] = draw(TEXT)
        if draw(st.booleans()):
            operation["operationId"] = draw(ODD_NAMES)
        if draw(st.booleans()):
            operation["tags"] = [draw(ODD_NAMES)]
            tags.update(operation["tags"])
        parameters = [
            {"name": "item", "in": "path", "required": True, "schema": {"type": "string"}}
        ] * with_param
        for name in draw(st.lists(ODD_NAMES, max_size=3, unique=True)):
            parameters.append({"name": name, "in": "query", "schema": draw(scalar())})
        if parameters:
            operation["parameters"] = parameters
        if method != "get" and draw(st.booleans()):
            body = draw(schemas(refs))
            operation["requestBody"] = {"content": {"application/json": {"schema": body}}}
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": draw(TEXT) or "Fuzzed", "version": "1", "description": draw(TEXT)},
        "servers": [{"url": "https://example.test", "description": draw(TEXT)}],
        "tags": [{"name": tag, "description": draw(TEXT)} for tag in sorted(tags)],
        "paths": paths,
        "components": {"schemas": components},
    }


def generate(document: dict[str, Any], spec: Path) -> dict[str, str] | list[str]:
    """The generated files, or the rendered diagnostics when the spec cannot be generated."""
    # ASCII, so that a lone surrogate is written as the JSON escape that holds it.
    spec.write_text(json.dumps(document))
    source = pipeline.find_specs(load_config(ROOT), [str(spec)])[0]
    checked = pipeline.check(source)
    if not checked.ok:
        return [d.render() for d in checked.diagnostics if d.level.value == "error"]
    try:
        api = pipeline.build(checked)
        return pipeline.render(api, TARGETS)
    except SpecError as error:
        return [d.render() for d in error.diagnostics]


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    # Shrinking a spec that takes a second to generate takes too long; the failure shows it whole.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(document=documents(), file_name=FILE_NAMES)
def test_random_specs_generate_clean_code_or_located_errors(
    document: dict[str, Any], file_name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    try:
        result = generate(document, folder / file_name)
    except Exception as error:  # any other failure is a bug: show the spec that found it
        raise AssertionError(
            repr(file_name) + json.dumps(document, indent=1, ensure_ascii=False)
        ) from error
    event("refused" if isinstance(result, list) else "generated")
    if isinstance(result, list):
        assert result, "refused without saying why"
        located = re.compile(LOCATED.pattern.replace("fuzzed\\.json", re.escape(file_name)), re.S)
        for line in result:
            assert located.match(line), line
        return
    out = folder / "out"
    for name, text in result.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if name.endswith(".py"):
            # Read from its bytes as Python reads a module: in UTF-8, its text still text.
            assert tokenize.detect_encoding(io.BytesIO(text.encode()).readline)[0] == "utf-8"
            tree = ast.parse(text.encode(), name)
            escaped = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "PWNED"]
            assert not escaped, (name, repr(file_name), json.dumps(document, indent=1))
    ruff = subprocess.run(
        [ruff_binary(), "check", "--no-cache", "--isolated", "--select", "E,F,W,I,UP,B"]
        + ["--ignore", "E501", "--line-length", "100", str(out)],
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout + json.dumps(document, indent=1)
