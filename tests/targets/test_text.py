"""chatforge.targets.text: spec text through each place it lands in generated code, as random
Unicode and as every control, format, surrogate and separator character one by one. Whatever
the text, the module it is written into has exactly the shape it must have.

A small, derandomized run is part of the suite; a long one runs on demand:

    CHATFORGE_TEXT_EXAMPLES=20000 CHATFORGE_FUZZ_SEED=random \\
        .venv/bin/python -m pytest -q -p no:cacheprovider tests/targets/test_text.py
"""

from __future__ import annotations

import ast
import html
import io
import os
import re
import sys
import textwrap
import tokenize
import unicodedata

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatforge import naming
from chatforge.targets import text
from tests.conftest import ROOT

HOSTILE = ROOT / "tests/fixtures/hostile"

EXAMPLES = int(os.environ.get("CHATFORGE_TEXT_EXAMPLES", "150"))
RANDOM = os.environ.get("CHATFORGE_FUZZ_SEED") == "random"

# Every character of the categories that never reach generated text, and every line break.
CATEGORIES = {
    chr(c)
    for c in range(sys.maxunicode + 1)
    if unicodedata.category(chr(c)) in text.UNSAFE_CATEGORIES
}
UNSAFE = sorted((CATEGORIES | text.LINE_BREAKS) - {"\t"})
assert len(UNSAFE) > 2000 and "\u200b" in UNSAFE and "\ud800" in UNSAFE
# Everything else a spec might use to break out: quotes, escapes, comment and code syntax,
# an encoding declaration, text that ends a docstring once an invisible character goes.
PIECES = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\N{",
    "\\x",
    "#",
    "\r\n",
    "\t",
    "coding:",
    "coding=",
    "utf-7",
    "+ACIAIgAi-",
    '"\u200b""',
    "`",
    "``",
    "|",
    "<",
    "&",
    "*",
    "_",
    "[",
    "]",
    "\n\n",
    "\u00e9",
    "e\u0301",
    "\ufb01",
    "\u540d",
    " ",
    "x",
    "1",
    "PWNED()",
]
CHARACTERS = st.one_of(
    st.characters(codec=None, exclude_categories=()),  # every code point, surrogates too
    st.sampled_from(UNSAFE),
    st.sampled_from(PIECES),
)
TEXTS = st.lists(CHARACTERS, max_size=24).map("".join)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None)


def is_normal(value: str) -> bool:
    return unicodedata.is_normalized("NFC", value) and not any(text.is_unsafe(c) for c in value)


def module_tree(source: str) -> ast.Module:
    """The module, as Python reads it from the bytes a generated file holds."""
    encoded = source.encode("utf-8")
    assert tokenize.detect_encoding(io.BytesIO(encoded).readline)[0] == "utf-8"
    return ast.parse(encoded)


# -- normalise --------------------------------------------------------------------------------


@SETTINGS
@given(TEXTS)
def test_normalised_text_has_no_unsafe_character_and_stays_as_it_is(value: str) -> None:
    normal = text.normalise(value)
    assert is_normal(normal)
    assert text.normalise(normal) == normal
    assert normal.encode("utf-8").decode("utf-8") == normal  # no lone surrogate left
    assert "\n" not in text.one_line(value) and is_normal(text.one_line(value))


def test_every_unsafe_character_goes_or_becomes_a_line_feed() -> None:
    for char in UNSAFE:
        expected = "\n" if char in text.LINE_BREAKS else ""
        assert text.normalise(f"a{char}b") == f"a{expected}b", hex(ord(char))
        assert text.normalise(f'"{char}""') == f'"{expected}""', hex(ord(char))
    assert text.normalise("a\tb\r\nc") == "a\tb\nc"  # tabs are whitespace each place writes


# -- the Python places ----------------------------------------------------------------------------


def check_docstring(value: str) -> None:
    body = text.docstring(value)
    source = f'def f() -> None:\n    """{body}"""\n    return None\n'
    tree = module_tree(source)
    (function,) = tree.body
    assert isinstance(function, ast.FunctionDef)
    assert len(function.body) == 2
    assert ast.get_docstring(function, clean=False) == text.prose(value)
    assert isinstance(function.body[1], ast.Return)
    # Indented as the templates indent it, and next to other text in the same docstring.
    indented = textwrap.indent(body, "        ").lstrip()
    both = f'class C:\n    """{indented}: {body}"""\n'
    (cls,) = module_tree(both).body
    assert isinstance(cls, ast.ClassDef) and len(cls.body) == 1
    assert ast.get_docstring(cls, clean=False) is not None


def check_comment(value: str) -> None:
    body = text.comment(value)
    for source in (f"# {body}\n# second\nx = 1\n", f"x = 1  # {body}\n"):
        tree = module_tree(source)
        assert ast.dump(tree) == ast.dump(ast.parse("x = 1\n"))
        comments = [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
        assert comments[0] == f"# {body}"
        assert len(source.splitlines()) == source.count("\n")


def check_pystr(value: str) -> None:
    literal = text.pystr(value)
    tree = module_tree(f"x = {literal}\n")
    (assign,) = tree.body
    assert isinstance(assign, ast.Assign) and isinstance(assign.value, ast.Constant)
    assert assign.value.value == text.normalise(value)
    assert len(literal.splitlines()) == 1


def check_data_literal(value: str) -> None:
    literal = text.data_literal(value)
    tree = ast.parse(f"x = {literal}\n")  # the text exactly, lone surrogates as escapes
    (assign,) = tree.body
    assert isinstance(assign, ast.Assign) and isinstance(assign.value, ast.Constant)
    assert assign.value.value == value
    assert literal.isprintable()
    module_tree(f"x = {literal}\n")


def check_identifiers(value: str) -> None:
    for name in (naming.identifier(value), naming.class_name(value), naming.constant(value)):
        assert text.is_identifier(name), name
        tree = module_tree(f"{name} = 1\n")
        (assign,) = tree.body
        assert isinstance(assign, ast.Assign)
        assert [t.id for t in assign.targets if isinstance(t, ast.Name)] == [name]
    assert naming.identifier(value) == naming.identifier(value)  # the same every time


def check_markdown(value: str) -> None:
    # As the docs site reads it: plain text, or one code span, within a sentence.
    for emitted, shape in ((text.md(value), r"<p>x( [^<>]*)?</p>"), (text.code(value), CODE)):
        assert len(emitted.splitlines()) <= 1 and is_normal(emitted)
        assert re.fullmatch(shape, markdown.markdown(f"x {emitted}")), emitted
    assert all(is_normal(p) for p in text.md_block(value).split("\n"))
    assert set(text.anchor(value)) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


CODE = r"<p>x (<code>[^<>]*</code>|``)</p>"


def check_html_text(value: str) -> None:
    """HTML text: no markup character left bare, and read back it is the text on one line."""
    written = text.html_text(value)
    assert not set(written) & set("<>\"'")
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt|quot|#x27);)*", written), written
    assert html.unescape(written) == text.one_line(value)


PLACES = [check_docstring, check_comment, check_pystr, check_data_literal, check_identifiers]
PLACES += [check_markdown, check_html_text]


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.__name__.removeprefix("check_"))
def test_random_text_stays_in_its_place(place: object) -> None:
    assert callable(place)

    @SETTINGS
    @given(TEXTS)
    def run(value: str) -> None:
        place(value)

    run()


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.__name__.removeprefix("check_"))
def test_every_unsafe_character_stays_in_its_place(place: object) -> None:
    assert callable(place)
    for start in range(0, len(UNSAFE), 16):  # sixteen characters at a time, each as a breaker
        chunk = UNSAFE[start : start + 16]
        place("".join(chunk))
        place("".join(f'x"{char}""; PWNED(); "{char}""{char}\\' for char in chunk))


@pytest.mark.parametrize(
    ("value", "body"),
    [
        ('"\u200b""; PWNED(); "\u200b""', '\\"\\"\\"; PWNED(); \\"\\"\\"'),
        ('ends with a quote"', 'ends with a quote\\"'),
        ('ends with two""', 'ends with two\\"\\"'),
        ("a backslash \\", "a backslash \\\\"),
        ("line\r\nbreaks\u2028here", "line\nbreaks\nhere"),
        ("plain text", "plain text"),
    ],
)
def test_docstring_bodies(value: str, body: str) -> None:
    assert text.docstring(value) == body


def test_a_comment_is_never_an_encoding_declaration() -> None:
    body = text.comment("coding:utf-7 and coding=latin-1 +ACIAIgAi-")
    assert body == "coding :utf-7 and coding =latin-1 +ACIAIgAi-"
    assert tokenize.detect_encoding(io.BytesIO(f"# {body}\n".encode()).readline)[0] == "utf-8"


def test_a_line_break_never_ends_a_comment() -> None:
    assert text.comment('x\n__import__("os")\r\x0bb\u2028c') == 'x __import__("os") b c'


@pytest.mark.parametrize(
    ("name", "identifier", "class_name"),
    [
        ("名字", "field", "Model"),
        ("$$$", "dollar_dollar_dollar", "Model"),  # punctuation alone is spelled out
        ("¿¡", "field", "Model"),
        ("\u200b", "field", "Model"),
        ("ü-ñ", "u_n", "UN"),
        ("ﬁle", "file", "File"),
        ("None", "none", "NoneModel"),
        ("1\u0661", "field_1", "Model1"),
    ],
)
def test_names_of_symbols_and_other_scripts_fall_back_to_ascii(
    name: str, identifier: str, class_name: str
) -> None:
    assert naming.identifier(name) == identifier
    assert naming.class_name(name) == class_name


def test_what_fails_its_check_is_refused() -> None:
    with pytest.raises(text.UnsafeText, match="identifier"):
        text.identifier("class")
    with pytest.raises(text.UnsafeText, match="identifier"):
        text.identifier("名字")


def test_text_that_fails_its_check_stops_the_spec_with_a_diagnostic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chatforge import targets
    from chatforge.config import load_config
    from chatforge.diagnostics import SpecError
    from chatforge.run import pipeline

    source = pipeline.find_specs(load_config(ROOT), [str(HOSTILE / "file_name.yaml")])[0]
    api = pipeline.build(pipeline.check(source))

    def refuse(api: object, models: str) -> dict[str, str]:
        raise text.UnsafeText("docstring", "a\u200bb")

    monkeypatch.setattr(targets, "renderer", lambda target: refuse)
    with pytest.raises(SpecError) as raised:
        pipeline.render(api, ["client"], models="")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.render() == (
        "tests/fixtures/hostile/file_name.yaml:1:1: error: text from the spec cannot be "
        "written safely as a Python docstring: 'a\\u200bb'; remove the unusual characters from it"
    )
