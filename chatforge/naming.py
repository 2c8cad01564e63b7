"""Python names from spec names: pure functions, one rule each, every name checked by
`chatforge.targets.text.identifier` to be an ASCII Python identifier that is no keyword."""

from __future__ import annotations

import keyword
import re
import unicodedata

from chatforge.targets import text as _text

_WORD_BOUNDARY = re.compile(
    r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+[a-z]*",
    re.ASCII,
)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """Split camelCase, PascalCase, snake_case, kebab-case and spaced text into lowercase words."""
    return [word.lower() for word in _WORD_BOUNDARY.findall(_ascii(text))]


def snake(text: str) -> str:
    """`userIds` -> `user_ids`; `HTTPStatus` -> `http_status`; `a-b` -> `a_b`."""
    return "_".join(words(text))


def pascal(text: str) -> str:
    """`query_channels` -> `QueryChannels`; `user ids` -> `UserIds`."""
    return "".join(word[:1].upper() + word[1:] for word in words(text))


def _fix_identifier(name: str, fallback: str) -> str:
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}" if fallback.islower() else f"{fallback}{name}"
    if keyword.iskeyword(name) or name in ("_", "__"):
        name = f"{name}_"
    return name


# The words for punctuation in a name that has no ASCII letter (`+1` -> `plus_1`, `-1` ->
# `minus_1`): dropped as separators, such names would all read alike (`field_1`).
_PUNCTUATION_WORDS = {
    "+": "plus",
    "-": "minus",
    "*": "star",
    "/": "slash",
    "\\": "backslash",
    ".": "dot",
    ",": "comma",
    ":": "colon",
    ";": "semicolon",
    "!": "bang",
    "?": "question",
    "@": "at",
    "#": "hash",
    "$": "dollar",
    "%": "percent",
    "&": "and",
    "|": "pipe",
    "^": "caret",
    "~": "tilde",
    "=": "equals",
    "<": "lt",
    ">": "gt",
    "'": "quote",
    '"': "double_quote",
    "`": "backtick",
    "(": "open_paren",
    ")": "close_paren",
    "[": "open_bracket",
    "]": "close_bracket",
    "{": "open_brace",
    "}": "close_brace",
}
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def spelled(text: str) -> str:
    """A name with no ASCII letter with its punctuation spelled out in words (`+1` ->
    `plus 1`), so that names differing only in punctuation keep distinct Python names; any
    other name as it is."""
    if _ASCII_LETTER.search(_ascii(text)):
        return text
    return "".join(
        f" {_PUNCTUATION_WORDS[char]} " if char in _PUNCTUATION_WORDS else char for char in text
    )


def identifier(text: str, reserved: frozenset[str] = frozenset()) -> str:
    """A snake_case Python identifier; one in `reserved` gets a trailing underscore."""
    name = text if is_snake_case(text) else snake(spelled(text))
    name = _fix_identifier(name, "field")
    while name in reserved:
        name = f"{name}_"
    return _text.identifier(name)


def class_name(text: str) -> str:
    """A PascalCase Python class name; `None`, `True` and `False` become `NoneModel`..."""
    name = pascal(text)
    if keyword.iskeyword(name):
        return f"{name}Model"
    return _text.identifier(_fix_identifier(name, "Model"))


def constant(text: str) -> str:
    """An UPPER_SNAKE module constant."""
    return _text.identifier(identifier(text).upper().rstrip("_"))


def is_snake_case(text: str) -> bool:
    return re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", text) is not None


def operation_id_from(method: str, path: str) -> str:
    """A derived operation id for specs that have none: `get /users/{id}` -> `get_users_by_id`."""
    parts: list[str] = [method.lower()]
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.extend(["by", snake(segment[1:-1])])
        elif segment:
            parts.append(snake(segment))
    return identifier("_".join(part for part in parts if part))
