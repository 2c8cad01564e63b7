"""Small shared types: the "not given" sentinel, file inputs, secrets and per-call options."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import IO, Literal, TypedDict, TypeVar

T = TypeVar("T")


class NotGiven:
    """Marks an argument the caller left out, as distinct from an explicit `None`."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

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
