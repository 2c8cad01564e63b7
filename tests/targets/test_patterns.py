"""Patterns as the generated models and servers check them with Python's `re`."""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from chatforge.runtime.server import _checks
from chatforge.targets.modelgen.patterns import end_of_text


def _code(function: object) -> str:
    """The function's code without its name: its arguments, docstring and body."""
    definition = ast.parse(inspect.getsource(function)).body[0]  # type: ignore[arg-type]
    assert isinstance(definition, ast.FunctionDef)
    definition.name = "_"
    return ast.dump(definition)


def test_the_generator_spells_patterns_with_the_servers_own_code() -> None:
    # The servers' runtime cannot import chatforge, and the models generator does not import
    # the runtime: the two copies must stay the same code.
    assert _code(end_of_text) == _code(_checks.end_of_text)


@pytest.mark.parametrize(
    ("pattern", "spelled"),
    [
        ("^[a-z]+$", "^[a-z]+\\Z"),
        ("^a$|^b$", "^a\\Z|^b\\Z"),
        ("^[$]+$", "^[$]+\\Z"),  # a `$` in a class is the character
        ("^[]$]$", "^[]$]\\Z"),  # a `]` first in a class belongs to it
        ("^[^]$]$", "^[^]$]\\Z"),
        ("^\\$\\d$", "^\\$\\d\\Z"),  # an escaped `$` is the character
    ],
)
def test_a_dollar_outside_a_class_is_the_end_of_the_text(pattern: str, spelled: str) -> None:
    assert end_of_text(pattern) == spelled


def test_the_spelled_pattern_refuses_a_final_newline_that_a_dollar_lets_through() -> None:
    spelled = end_of_text("^[a-z]+$")
    assert re.search("^[a-z]+$", "abc\n") is not None
    assert re.search(spelled, "abc\n") is None
    assert re.search(spelled, "abc") is not None
