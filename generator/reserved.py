"""The names generated code already uses, one table per scope, and the Python names of tags.

A name from a spec that would take one of these is renamed with a trailing underscore. The
tables follow the runtime (`generator/runtime/`) and the templates; `tests/unit/test_reserved.py`
checks them against the runtime's classes, so a new runtime attribute cannot go unnoticed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from generator import naming
from generator.runtime.client._types import RequestOptions

# Every public attribute of a generated `Client` and `AsyncClient` (their runtime base classes,
# `_Core`, `SyncAPIClient` and `AsyncAPIClient`, and what their `__init__` sets): a tag is one
# more attribute, so it must not take any of these.
CLIENT_ATTRIBUTES = frozenset(
    {
        "again",
        "base_url",
        "build_request",
        "close",
        "download",
        "finish",
        "hosts",
        "request",
        "retry",
        "sleep",
        "throttle",
        "timeout",
        "with_raw_response",
    }
)

# The names `create_app` (templates/server/app.py.j2) takes besides one argument per tag, and
# the module-level names it reads: a tag argument must not hide any of them.
APP_NAMES = frozenset(
    {
        "application",
        "auth",
        "create_app",
        "install_error_handlers",
        "max_body_bytes",
        "mock",
        "mock_handlers",
        "openapi_url",
    }
)

TAG_RESERVED = CLIENT_ATTRIBUTES | APP_NAMES

# The arguments of a generated method, besides the spec's parameters and body fields, and the
# names its body reads: in a client method `self`, the per-call options (`RequestOptions`), the
# `<method>_to_file` destination and the module's `iterate` helpers; in a server route,
# `handlers` (the handler instance), `body` (the request body) and `request`.
METHOD_ARGUMENTS = frozenset(
    {
        "body",
        "bytes",
        "check_options",
        "destination",
        "handlers",
        "iterate",
        "iterate_async",
        "request",
        "request_options",
        "self",
    }
    | set(RequestOptions.__annotations__)
)

# The builtins an annotation may name: a server handler class whose method took one would hide
# it from the annotations of the methods after.
ANNOTATION_BUILTINS = frozenset(
    {"bool", "bytes", "dict", "float", "int", "list", "object", "set", "str", "tuple", "type"}
)

# Class names a client module already holds: a tag's resource class must not take one.
CLIENT_MODULE_NAMES = frozenset(
    {
        "APIResponse",
        "Any",
        "As",
        "AsyncAPIClient",
        "AsyncClient",
        "AsyncClientWithRawResponse",
        "AsyncIterator",
        "AsyncResource",
        "AwareDatetime",
        "Callable",
        "Client",
        "ClientWithRawResponse",
        "Endpoint",
        "Envelope",
        "FileInput",
        "Iterator",
        "Literal",
        "Mapping",
        "NotGiven",
        "NoneType",
        "Path",
        "PathLike",
        "Paging",
        "RequestOptions",
        "Sequence",
        "SyncAPIClient",
        "SyncResource",
        "Unpack",
    }
)

# Names Windows gives to devices: no file may be called so, whatever its extension.
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(10)} | {f"lpt{n}" for n in range(10)}
)

# The longest Python name of a tag, which names files (`resources/<name>.py`, `<name>.md`).
MAX_TAG_NAME = 64


def operation_name(operation_id: str) -> str:
    """The Python name of an operation: its handler method, route and mock example."""
    return naming.identifier(operation_id, ANNOTATION_BUILTINS)


def windows_safe(stem: str) -> bool:
    """Whether Windows can hold a file named `stem`, with or without an extension."""
    return stem.split(".", 1)[0].lower() not in WINDOWS_DEVICES


def _shortened(name: str, text: str) -> str:
    """`name` cut to MAX_TAG_NAME characters, ending in a hash of `text` so that two long
    names that share a beginning stay apart."""
    if len(name) <= MAX_TAG_NAME:
        return name
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{name[: MAX_TAG_NAME - 9].rstrip('_')}_{digest}"


def tag_name(text: str) -> str:
    """The Python name of one tag, before other tags are considered."""
    name = _shortened(naming.identifier(text), text)
    while name in TAG_RESERVED or not windows_safe(name):
        name = f"{name}_"
    return name


def tag_names(texts: Iterable[str]) -> dict[str, str]:
    """The Python name of each tag: its module, client attribute and `create_app` argument.

    A tag's name must not be the router function of another (`<tag>_router`), which
    `create_app` also reads; such a tag gets a trailing underscore."""
    names = {text: tag_name(text) for text in dict.fromkeys(texts)}
    routers = {f"{name}_router" for name in names.values()}
    taken = set(names.values())
    for text, name in names.items():
        if name in routers:
            while name in routers or name in taken:
                name = f"{name}_"
            taken.add(name)
            names[text] = name
    return names
