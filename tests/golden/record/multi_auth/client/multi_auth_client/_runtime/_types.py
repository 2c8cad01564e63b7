"""Small shared types: the "not given" sentinel, file inputs, secrets and per-call options."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal, TypedDict, TypeVar

T = TypeVar("T")


class NotGiven:
    """Marks an argument the caller left out, as distinct from an explicit `None`."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


class Default(NotGiven):
    """An argument's documented default, as its signature shows it (`DEFAULT[20]`): left out
    of the request like NOT_GIVEN, so the service applies it."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"DEFAULT[{self.value!r}]"


class _Defaults:
    def __getitem__(self, value: object) -> Default:
        return Default(value)


DEFAULT = _Defaults()


FileContent = bytes | IO[bytes]
# A file to upload: its bytes, an open binary file, a path, or (name, content[, media type]).
FileInput = FileContent | os.PathLike[str] | tuple[str, FileContent] | tuple[str, FileContent, str]

# A credential, or a function that returns it each time it is needed.
Secret = str | Callable[[], str]


class RequestOptions(TypedDict, total=False):
    """Keyword arguments every operation method takes besides its own."""

    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str]
    timeout: float
    max_retries: int


OPTION_NAMES = frozenset(RequestOptions.__annotations__)


def check_options(method: Callable[..., Any], options: Mapping[str, Any]) -> None:
    """Raises TypeError, as Python does for a function's own arguments, when a keyword argument
    is neither an argument of `method` nor one of the RequestOptions; names the closest match."""
    unknown = [name for name in options if name not in OPTION_NAMES]
    if not unknown:
        return
    import difflib
    import inspect

    known = [
        name
        for name, parameter in inspect.signature(method).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    close = difflib.get_close_matches(unknown[0], [*known, *sorted(OPTION_NAMES)], n=1)
    hint = f". Did you mean {close[0]!r}?" if close else ""
    name = getattr(method, "__name__", "method")
    raise TypeError(f"{name}() got an unexpected keyword argument {unknown[0]!r}{hint}")
