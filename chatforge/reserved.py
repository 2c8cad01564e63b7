"""The names generated code already uses, one table per scope, and the Python names of tags.

A name from a spec that would take one of these is renamed with a trailing underscore. The
tables follow the runtime (`chatforge/runtime/`) and the templates; `tests/test_reserved.py`
checks them against the runtime's classes, so a new runtime attribute cannot go unnoticed.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
from collections.abc import Iterable

from chatforge import naming
from chatforge.runtime.client._types import RequestOptions

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
        "add_routes",
        "allow_local_pages",
        "application",
        "auth",
        "base",
        "create_app",
        "docs",
        "event",
        "given",
        "handlers",
        "install_docs",
        "install_error_handlers",
        "max_body_bytes",
        "mock",
        "mock_handlers",
        "name",
        "openapi_url",
        "add_receivers",
        "receiving",
        "webhook_secret",
        "webhooks",
    }
)

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

# The arguments of a generated client's `__init__` besides its credentials and host variables,
# and the builtins its body calls.
CLIENT_ARGUMENTS = frozenset(
    {
        "backup_url",
        "base_url",
        "headers",
        "max_retries",
        "rate_limit",
        "self",
        "super",
        "timeout",
        "transport",
        "username",
    }
)

# The builtins an annotation may name: a server handler class whose method took one would hide
# it from the annotations of the methods after.
ANNOTATION_BUILTINS = frozenset(
    {"bool", "bytes", "dict", "float", "int", "list", "object", "set", "str", "tuple", "type"}
)

# The names each generated module imports or defines itself, one table per module. A model
# class imported into one of them, or a tag's class defined in it, must take none of these;
# `tests/test_reserved.py` reads every generated module of the curated APIs to keep them
# whole.

# `resources/<tag>.py` of a client: the runtime's names, the types its signatures use, and the
# iterators of paged operations.
CLIENT_RESOURCE_MODULE = frozenset(
    {
        "Any",
        "As",
        "AsyncIterator",
        "AsyncResource",
        "AwareDatetime",
        "DEFAULT",
        "UUID",
        "_raw",
        "check_options",
        "date",
        "datetime",
        "time",
        "Endpoint",
        "FileInput",
        "Iterator",
        "Literal",
        "Mapping",
        "NOT_GIVEN",
        "NoneType",
        "NotGiven",
        "Path",
        "PathLike",
        "Paging",
        "RequestOptions",
        "Sequence",
        "SyncResource",
        "Unpack",
        "annotations",
        "iterate",
        "iterate_async",
    }
)

# `_client.py` and `__init__.py` of a client, which import every tag's resource classes.
CLIENT_MODULE = frozenset(
    {
        "APIConnectionError",
        "APIEnvelopeError",
        "APIError",
        "APIResponse",
        "APIStatusError",
        "APITimeoutError",
        "Any",
        "ApiKeyAuth",
        "AsyncAPIClient",
        "AsyncClient",
        "AsyncClientWithRawResponse",
        "AuthenticationError",
        "BACKUP_HOSTS",
        "BadRequestError",
        "BasicAuth",
        "BearerAuth",
        "Callable",
        "Client",
        "ClientWithRawResponse",
        "ConflictError",
        "DEFAULT_BASE_URL",
        "DEFAULT_MAX_RETRIES",
        "DEFAULT_TIMEOUT",
        "ENVELOPE",
        "Envelope",
        "FileInput",
        "FixedHeader",
        "InternalServerError",
        "JWTAuth",
        "Mapping",
        "MultiAuth",
        "NOT_GIVEN",
        "NotFoundError",
        "NotGiven",
        "PermissionDeniedError",
        "RateLimitError",
        "RequestOptions",
        "SERVER_URL",
        "SignatureAuth",
        "SyncAPIClient",
        "TYPE_CHECKING",
        "UnknownEvent",
        "UnprocessableEntityError",
        "WebhookVerificationError",
        "annotations",
        "cached_property",
        "httpx",
        "models",
        "parse_webhook",
        "verify_webhook",
    }
)

# Class names a client module already holds: a tag's resource class must not take one.
CLIENT_MODULE_NAMES = CLIENT_RESOURCE_MODULE | CLIENT_MODULE

# What the body of the `Client` class reads as it is defined (its decorators and the defaults of
# its `__init__`): a tag is a method of that body, and one of these names would hide the name.
CLIENT_CLASS_BODY = frozenset(
    {"DEFAULT_BASE_URL", "DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "cached_property"}
)

# A models module: what datamodel-code-generator imports into it (pydantic's and the standard
# library's types), and what a server's models import from their checks.
MODELS_MODULE = frozenset(
    {
        "Annotated",
        "Any",
        "AnyHttpUrl",
        "AnyUrl",
        "AwareDatetime",
        "Base64Str",
        "BaseModel",
        "ConfigDict",
        "Decimal",
        "Enum",
        "Field",
        "HttpUrl",
        "INT32",
        "INT64",
        "IntEnum",
        "Json",
        "JsonBool",
        "JsonFloat",
        "JsonInt",
        "Literal",
        "NOT_NULL",
        "Optional",
        "RootModel",
        "SecretStr",
        "StrEnum",
        "StringConstraints",
        "TypeAliasType",
        "UNIQUE",
        "Union",
        "annotations",
        "matching",
        "members_between",
        "model_validator",
    }
)

# `routes/<tag>.py` of a server: FastAPI's names, the runtime's, and the types its signatures use.
SERVER_ROUTE_MODULE = frozenset(
    {
        "APIRouter",
        "Annotated",
        "Any",
        "AwareDatetime",
        "Body",
        "Depends",
        "File",
        "Form",
        "Header",
        "Literal",
        "NotImplementedOperation",
        "Path",
        "Query",
        "Request",
        "Response",
        "UploadFile",
        "annotations",
        "constrained",
        "csv_query",
        "deep_object_query",
        "form_body",
        "json_body",
        "json_query",
        "matching",
    }
)

# Python's builtins a class name could spell (Warning, Exception, ...): a model used before its
# class is defined is looked up when pydantic builds it, and would find the builtin instead.
CLASS_BUILTINS = frozenset(
    name for name in dir(builtins) if name[:1].isupper() and not keyword.iskeyword(name)
)

# Every name a model class could meet in a module that imports it, besides the tags' classes
# (`tag_classes`). A schema named so is renamed with a `Model` suffix.
MODEL_RESERVED = (
    MODELS_MODULE
    | CLIENT_RESOURCE_MODULE
    | SERVER_ROUTE_MODULE
    | CLASS_BUILTINS
    | {"FileInput", "Mapping", "NotGiven", "Request", "Response", "Sequence"}
)

# The Python names a tag must not take: it is an attribute of the client, defined in the body
# of its class, and an argument of `create_app`.
TAG_RESERVED = CLIENT_ATTRIBUTES | APP_NAMES | CLIENT_CLASS_BODY

# The page names of the Markdown docs besides one per tag.
DOCS_PAGES = frozenset(
    {"index", "schemas", "quickstart", "explorer", "maintainers", "nav", "events"}
)

# Names Windows gives to devices: no file may be called so, whatever its extension.
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(10)} | {f"lpt{n}" for n in range(10)}
)

# The longest Python name made of a tag, which names files (`resources/<name>.py`, `<name>.md`),
# or of a model class hoisted from where its schema stands.
MAX_NAME = 64


def operation_name(operation_id: str) -> str:
    """The Python name of an operation: its handler method, route and mock example."""
    return naming.identifier(operation_id, ANNOTATION_BUILTINS)


def windows_safe(stem: str) -> bool:
    """Whether Windows can hold a file named `stem`, with or without an extension."""
    return stem.split(".", 1)[0].lower() not in WINDOWS_DEVICES


def shortened(name: str, text: str, separator: str = "_") -> str:
    """`name` cut to MAX_NAME characters, ending in a hash of `text` so that two long names
    that share a beginning stay apart."""
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{name[: MAX_NAME - 8 - len(separator)].rstrip('_')}{separator}{digest}"


def tag_name(text: str) -> str:
    """The Python name of one tag, before other tags are considered."""
    name = shortened(naming.identifier(text), text)
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


def unique(name: str, taken: set[str]) -> str:
    """`name`, or where `taken` holds it, `name` numbered from 2 (`region_2`); the result is
    added to `taken`. Every generated signature and namespace names its members so."""
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{name}_{counter}", counter + 1
    taken.add(candidate)
    return candidate
