"""The project's `x-` extensions, each read once into a frozen object with its defaults.

Every reader takes the node that carries the extension (the document, an operation, a server, a
security scheme...) and returns the object, with the problems of its shape as (message, JSON
pointer) pairs: lint reports them, the IR reads the objects. A reader returns None and no
problems where the node has no such extension. (The webhook extensions are read in
`chatforge.spec.webhooks`.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from chatforge import naming
from chatforge.diagnostics import escape_pointer_token
from chatforge.spec.document import resolve_pointer

Json = Any
Problems = list[tuple[str, str]]

# The extensions' names, as they are spelled in a document.
PROJECT = "x-chatforge"
FUNCTIONS = "x-functions"
RATE_LIMIT = "x-rate-limit"
PAGINATION = "x-pagination"
ALIASES = "x-aliases"
ENVELOPE = "x-envelope"
ERRORS = "x-errors"
SIGNATURE = "x-signature"
JWT = "x-jwt"
VALUE = "x-value"
BACKUP = "x-backup"
ASSUMED = "x-assumed"

PERIODS = ("second", "minute", "hour", "day")
SIGNATURE_ALGORITHMS = ("sha1", "sha256", "md5")
SIGNED_PARTS = ("secret", "nonce", "timestamp")
TIMESTAMP_UNITS = ("seconds", "milliseconds")
_PARAMETER = re.compile(r"{([^{}]+)}")


def is_extension(key: object) -> bool:
    """Whether a member's name makes it an extension (`x-...`), which OpenAPI leaves to tools."""
    return str(key)[:2] == "x-"


def _pointer(base: str, name: str) -> str:
    return f"{base}/{escape_pointer_token(name)}"


def _is_int(value: Json) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_or_none(value: Json) -> str | None:
    return value if isinstance(value, str) else None


# -- the document ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """`x-chatforge`: the document is one of the project's, held to its conventions."""

    slug: str | None = None
    package: str | None = None
    source_document: str | None = None  # the vendor's document the spec was written from
    source_functions: int | None = None  # how many functions that document lists


def read_project(doc: Json) -> tuple[Project | None, Problems]:
    """`x-chatforge` of the document, or None where it has none or it is no mapping."""
    raw = doc.get(PROJECT) if isinstance(doc, dict) else None
    if raw is None:
        return None, []
    pointer = f"/{PROJECT}"
    if not isinstance(raw, dict):
        return None, [(f"{PROJECT} must be a mapping with slug, package and source", pointer)]
    problems: Problems = []
    for key in ("slug", "package"):
        if not isinstance(raw.get(key), str) or not naming.is_snake_case(raw[key]):
            problems.append((f"{PROJECT}.{key} must be a snake_case name", pointer))
    source = raw.get("source")
    functions = source.get("functions") if isinstance(source, dict) else None
    if (
        not isinstance(source, dict)
        or not isinstance(source.get("document"), str)
        or not _is_int(functions)
    ):
        problems.append(
            (
                f"{PROJECT}.source needs document (the source file's name) and functions "
                "(how many functions it lists)",
                f"{pointer}/source" if "source" in raw else pointer,
            )
        )
    project = Project(
        slug=_text_or_none(raw.get("slug")),
        package=_text_or_none(raw.get("package")),
        source_document=_text_or_none(source.get("document")) if isinstance(source, dict) else None,
        source_functions=functions if isinstance(functions, int) else None,
    )
    return project, problems


def is_project(doc: Json) -> bool:
    """Whether the document is one of the project's (its `x-chatforge` is a mapping)."""
    return isinstance(doc, dict) and isinstance(doc.get(PROJECT), dict)


def claims_project(doc: Json) -> bool:
    """Whether the document carries `x-chatforge` at all, well formed or not."""
    return isinstance(doc, dict) and PROJECT in doc


@dataclass(frozen=True)
class Envelope:
    """`x-envelope`: how the vendor wraps every JSON answer."""

    code_field: str = "code"
    success_codes: tuple[int | str, ...] = ()
    message_field: str | None = None
    result_field: str | None = None


def read_envelope(doc: Json) -> tuple[Envelope | None, Problems]:
    raw = doc.get(ENVELOPE) if isinstance(doc, dict) else None
    if raw is None:
        return None, []
    codes = raw.get("success-codes") if isinstance(raw, dict) else None
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("code-field"), str)
        or not isinstance(codes, list)
        or not codes
    ):
        problem = (
            f"{ENVELOPE} needs code-field and a non-empty list of success-codes",
            f"/{ENVELOPE}",
        )
        return None, [problem]
    envelope = Envelope(
        code_field=raw["code-field"],
        success_codes=tuple(codes),
        message_field=_text_or_none(raw.get("message-field")),
        result_field=_text_or_none(raw.get("result-field")),
    )
    return envelope, []


@dataclass(frozen=True)
class ErrorMembers:
    """`x-errors`: the members of the vendor's error answers."""

    message: str
    code: str | None = None
    status: str | None = None
    timestamp: str | None = None
    fields: str | None = None
    schema: str | None = None  # a pointer (`#/...`) to the schema of an error answer
    codes: tuple[tuple[str, int | str], ...] = ()  # failure kind -> the vendor's code
    fixed: tuple[tuple[str, Json], ...] = ()  # members every error answer carries


_ERROR_MEMBERS = ("message", "code", "status", "timestamp", "fields", "schema")


def read_errors(doc: Json, kinds: Mapping[str, int]) -> tuple[ErrorMembers | None, Problems]:
    """`x-errors` of the document, where `kinds` are the failure kinds its codes may name: the
    first problem found, or the object."""
    raw = doc.get(ERRORS) if isinstance(doc, dict) else None
    if raw is None:
        return None, []
    pointer = f"/{ERRORS}"
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("message"), str)
        or not all(isinstance(raw.get(key), str | None) for key in _ERROR_MEMBERS)
        or not isinstance(raw.get("codes") or {}, dict)
        or not isinstance(raw.get("fixed") or {}, dict)
    ):
        return None, [
            (
                f"{ERRORS} needs message (the member for the words) and may name code, status, "
                "timestamp, fields and schema, map codes and give fixed members",
                pointer,
            )
        ]
    codes = raw.get("codes") or {}
    for kind, value in codes.items():
        where = _pointer(f"{pointer}/codes", str(kind))
        if kind not in kinds:
            return None, [
                (
                    f"{ERRORS}.codes names {kind!r}, which is no failure kind; the kinds are "
                    f"{', '.join(sorted(kinds))}",
                    where,
                )
            ]
        if not isinstance(value, int | str) or isinstance(value, bool):
            return None, [
                (
                    f"{ERRORS}.codes.{kind} is {shown(value)}; give the vendor's code, an integer "
                    "or a string",
                    where,
                )
            ]
    schema = raw.get("schema")
    if schema is not None:
        try:
            resolve_pointer(doc, schema[1:] if schema.startswith("#/") else "?")
        except KeyError:
            return None, [
                (f"{ERRORS}.schema {schema!r} is not a pointer into this document", pointer)
            ]
    members = ErrorMembers(
        message=raw["message"],
        code=raw.get("code"),
        status=raw.get("status"),
        timestamp=raw.get("timestamp"),
        fields=raw.get("fields"),
        schema=schema,
        codes=tuple((str(kind), value) for kind, value in codes.items()),
        fixed=tuple((raw.get("fixed") or {}).items()),
    )
    return members, []


def shown(value: Json) -> str:
    """A value as a spec spells it: strings quoted, everything else as JSON."""
    return repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# -- servers and responses ---------------------------------------------------------------------


@dataclass(frozen=True)
class ServerExtensions:
    """A server's `x-backup` (the URL of its backup host) and `x-assumed` (why its URL is a
    guess)."""

    backup: str | None = None
    assumed: str | None = None


def read_server(server: Json, pointer: str) -> tuple[ServerExtensions, Problems]:
    if not isinstance(server, dict):
        return ServerExtensions(), []
    backup = server.get(BACKUP)
    problems: Problems = []
    if backup is not None and not (isinstance(backup, str) and "://" in backup):
        problems.append((f"{BACKUP} must be the URL of the backup host", f"{pointer}/{BACKUP}"))
    return ServerExtensions(_text_or_none(backup), assumed(server)), problems


def assumed(node: Json) -> str | None:
    """`x-assumed` of a server, response or schema: why what it says is a guess, not the
    vendor's word."""
    return _text_or_none(node.get(ASSUMED)) if isinstance(node, dict) else None


# -- security schemes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """`x-signature`: headers signed with the API secret, a nonce and a timestamp."""

    algorithm: str = "sha1"
    app_key_header: str = "App-Key"
    nonce_header: str = "Nonce"
    timestamp_header: str = "Timestamp"
    milliseconds: bool = False
    signed: tuple[str, ...] = SIGNED_PARTS
    accepted_prefixes: tuple[str, ...] = ("",)
    request_id_header: str | None = None


@dataclass(frozen=True)
class Jwt:
    """`x-jwt`: a token minted from the API secret."""

    algorithm: str = "HS256"
    prefix: str = ""
    server_claims: tuple[tuple[str, Json], ...] = (("server", True),)
    user_claim: str | None = None


@dataclass(frozen=True)
class SchemeExtensions:
    """What a security scheme's extensions say: at most one of a signature, a token or a fixed
    value (`x-value`) for its header or parameter."""

    signature: Signature | None = None
    jwt: Jwt | None = None
    value: str | None = None


def read_scheme(scheme: Json, pointer: str) -> tuple[SchemeExtensions, Problems]:
    """The extensions of a security scheme, at `pointer`."""
    if not isinstance(scheme, dict):
        return SchemeExtensions(), []
    problems: Problems = []
    in_header = scheme.get("type") == "apiKey" and scheme.get("in") == "header"
    raw = scheme.get(SIGNATURE)
    signature = None
    if raw is not None:
        signed = raw.get("signed") if isinstance(raw, dict) else None
        if (
            not in_header
            or not isinstance(raw, dict)
            or raw.get("algorithm", "sha1") not in SIGNATURE_ALGORITHMS
            or raw.get("timestamp-unit", "seconds") not in TIMESTAMP_UNITS
            or not isinstance(signed, list)
            or not all(part in SIGNED_PARTS for part in signed)
        ):
            problems.append(
                (
                    f"{SIGNATURE} goes on an apiKey scheme in a header, with algorithm sha1, "
                    "sha256 or md5, timestamp-unit seconds or milliseconds, and signed: a list "
                    "of secret, nonce and timestamp",
                    f"{pointer}/{SIGNATURE}",
                )
            )
        if isinstance(raw, dict):
            signature = Signature(
                algorithm=str(raw.get("algorithm", "sha1")),
                app_key_header=str(raw.get("app-key-header", "App-Key")),
                nonce_header=str(raw.get("nonce-header", "Nonce")),
                timestamp_header=str(raw.get("timestamp-header", "Timestamp")),
                milliseconds=raw.get("timestamp-unit") == "milliseconds",
                signed=(
                    tuple(str(p) for p in signed)
                    if isinstance(signed, list) and signed
                    else SIGNED_PARTS
                ),
                accepted_prefixes=tuple(str(p) for p in raw.get("accepted-prefixes") or ("",)),
                request_id_header=_text_or_none(raw.get("request-id-header")),
            )
    raw = scheme.get(JWT)
    jwt = None
    if raw is not None:
        if not in_header or not isinstance(raw, dict) or raw.get("algorithm", "HS256") != "HS256":
            problems.append(
                (
                    f"{JWT} goes on an apiKey scheme in a header; the algorithm is HS256",
                    f"{pointer}/{JWT}",
                )
            )
        if isinstance(raw, dict):
            claims = raw.get("server-claims")
            jwt = Jwt(
                algorithm=str(raw.get("algorithm", "HS256")),
                prefix=str(raw.get("prefix", "")),
                server_claims=(
                    tuple(claims.items())
                    if isinstance(claims, dict) and claims
                    else Jwt.server_claims
                ),
                user_claim=_text_or_none(raw.get("user-claim")),
            )
    return SchemeExtensions(signature, jwt, _text_or_none(scheme.get(VALUE))), problems


# -- operations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """`x-rate-limit`: the vendor's limit on calls of an operation, or that it documents none."""

    documented: bool = True
    requests: int | None = None
    period: str | None = None
    scope: str | None = None
    group: str | None = None
    note: str = ""


_RATE_LIMIT_KEYS = {"requests", "period", "scope", "group", "note", "documented"}


def read_rate_limit(op: Json, pointer: str) -> tuple[RateLimit | None, Problems]:
    """`x-rate-limit` of the operation at `pointer`."""
    raw = op.get(RATE_LIMIT) if isinstance(op, dict) else None
    if raw is None:
        return None, []
    where = f"{pointer}/{RATE_LIMIT}"
    if not isinstance(raw, dict):
        return None, [(f"{RATE_LIMIT} must be a mapping", where)]
    problems: Problems = []
    if raw.get("documented") is False:
        extra = set(raw) - {"documented", "note"}
        if extra:
            problems.append(
                (
                    f"{RATE_LIMIT} with documented: false takes only a note, not "
                    f"{sorted(extra, key=str)}",
                    where,
                )
            )
    else:
        requests, period = raw.get("requests"), raw.get("period")
        if not _is_int(requests) or requests < 1:
            problems.append(
                (
                    f"{RATE_LIMIT}.requests is {requests!r}; it must be a positive integer",
                    f"{where}/requests" if "requests" in raw else where,
                )
            )
        if period not in PERIODS:
            problems.append(
                (
                    f"{RATE_LIMIT}.period is {period!r}; it must be one of {', '.join(PERIODS)}",
                    f"{where}/period" if "period" in raw else where,
                )
            )
        unknown = set(raw) - _RATE_LIMIT_KEYS
        if unknown:
            problems.append((f"{RATE_LIMIT} has unknown keys {sorted(unknown, key=str)}", where))
    requests, scope, group, note = (raw.get(key) for key in ("requests", "scope", "group", "note"))
    limit = RateLimit(
        documented=raw.get("documented", True) is not False,
        requests=requests if _is_int(requests) and requests >= 1 else None,
        period=raw.get("period") if raw.get("period") in PERIODS else None,
        scope=None if scope is None else str(scope),
        group=None if group is None else str(group),
        note=note if isinstance(note, str) else "",
    )
    return limit, problems


@dataclass(frozen=True)
class FunctionEntry:
    """One row of `x-functions`: a function of the vendor's document an operation serves."""

    pointer: str  # of the entry
    row: int | None = None  # its row in the vendor's document (a positive integer)
    title: str | None = None
    name: str | None = None  # the client method's name (default: the operationId)
    path: str | None = None  # the path the vendor documents it under, where it differs
    variant: str | None = None  # the `$ref` of the request body variant it sends
    argument: str | None = None  # the name of the argument carrying a whole-body variant


def read_functions(
    op: Json, path: str, pointer: str
) -> tuple[tuple[FunctionEntry, ...] | None, Problems]:
    """`x-functions` of the operation at `pointer` (on `path`). An entry that is no mapping
    reads as an entry with nothing given."""
    raw = op.get(FUNCTIONS) if isinstance(op, dict) else None
    if raw is None:
        return None, []
    where = f"{pointer}/{FUNCTIONS}"
    if not isinstance(raw, list) or not raw:
        return None, [(f"{FUNCTIONS} must be a non-empty list", where)]
    problems: Problems = []
    entries = []
    own_parameters = sorted(_PARAMETER.findall(path))
    for index, item in enumerate(raw):
        at = f"{where}/{index}"
        if not isinstance(item, dict):
            problems.append((f"each {FUNCTIONS} entry is a mapping with row, title and name", at))
            entries.append(FunctionEntry(at))
            continue
        own = item.get("path")
        if own is not None and (
            not isinstance(own, str)
            or not own.startswith("/")
            or sorted(_PARAMETER.findall(own)) != own_parameters
        ):
            problems.append(
                (
                    f"{FUNCTIONS} path must start with / and have the path parameters of {path!r}",
                    f"{at}/path",
                )
            )
        row, name = item.get("row"), item.get("name", op.get("operationId"))
        if not _is_int(row) or row < 1:
            problems.append(
                (
                    f"{FUNCTIONS} row must be a positive integer",
                    f"{at}/row" if "row" in item else at,
                )
            )
        if not isinstance(item.get("title"), str):
            problems.append(
                (f"{FUNCTIONS} title must be the function's title in the source document", at)
            )
        if not isinstance(name, str) or not naming.is_snake_case(name):
            problems.append((f"{FUNCTIONS} name {name!r} must be a snake_case method name", at))
        entries.append(
            FunctionEntry(
                pointer=at,
                row=row if _is_int(row) and row >= 1 else None,
                title=_text_or_none(item.get("title")),
                name=_text_or_none(name),
                path=_text_or_none(own),
                variant=_text_or_none(item.get("variant")),
                argument=_text_or_none(item.get("argument")),
            )
        )
    return tuple(entries), problems


@dataclass(frozen=True)
class Aliases:
    """`x-aliases`: other paths the vendor serves the operation under."""

    pointer: str
    paths: tuple[str, ...] = ()


def read_aliases(op: Json, pointer: str) -> tuple[Aliases | None, Problems]:
    """`x-aliases` of the operation at `pointer`."""
    raw = op.get(ALIASES) if isinstance(op, dict) else None
    if raw is None:
        return None, []
    where = f"{pointer}/{ALIASES}"
    if not isinstance(raw, list) or not all(isinstance(a, str) and a.startswith("/") for a in raw):
        return None, [(f"{ALIASES} must be a list of paths starting with /", where)]
    return Aliases(where, tuple(raw)), []


PaginationStyle = Literal["page", "offset", "cursor", "token"]
PAGINATION_STYLES: tuple[PaginationStyle, ...] = ("page", "offset", "cursor", "token")
_PAGINATION_ARGUMENTS = ("page", "size", "offset", "cursor")
_PAGINATION_POINTERS = ("items", "next")


@dataclass(frozen=True)
class Pagination:
    """`x-pagination`: how a list operation pages. The arguments are wire names of the
    operation's parameters or body fields; `items` and `next` are JSON pointers into its
    success body."""

    pointer: str
    style: PaginationStyle = "page"
    page: str | None = None
    size: str | None = None
    offset: str | None = None
    cursor: str | None = None
    items: str | None = None
    next: str | None = None


def read_pagination(op: Json, pointer: str) -> tuple[Pagination | None, Problems]:
    """`x-pagination` of the operation at `pointer`."""
    raw = op.get(PAGINATION) if isinstance(op, dict) else None
    if raw is None:
        return None, []
    where = f"{pointer}/{PAGINATION}"
    if not isinstance(raw, dict):
        return None, [
            (
                f"{PAGINATION} must be a mapping (style, the arguments page, size, offset or "
                "cursor, items and next)",
                where,
            )
        ]
    problems: Problems = []
    known = ("style", *_PAGINATION_ARGUMENTS, *_PAGINATION_POINTERS)
    for key in raw:
        if key not in known:
            problems.append(
                (
                    f"{PAGINATION} has no member {key!r}; the members are {', '.join(known)}",
                    _pointer(where, str(key)),
                )
            )
    style = raw.get("style", "page")
    if style not in PAGINATION_STYLES:
        problems.append(
            (
                f"{PAGINATION}.style is {shown(style)}; use one of {', '.join(PAGINATION_STYLES)}",
                f"{where}/style",
            )
        )
        style = "page"
    for key in _PAGINATION_ARGUMENTS:
        if key in raw and not isinstance(raw[key], str):
            problems.append(
                (
                    f"{PAGINATION}.{key} must be the name on the wire of a parameter or body field",
                    f"{where}/{key}",
                )
            )
    for key in _PAGINATION_POINTERS:
        value = raw.get(key)
        if key in raw and not (isinstance(value, str) and (value == "" or value[0] == "/")):
            problems.append(
                (
                    f"{PAGINATION}.{key} must be a JSON pointer into the success body "
                    "(empty, or starting with /)",
                    f"{where}/{key}",
                )
            )
    pagination = Pagination(
        pointer=where,
        style=style,
        page=_text_or_none(raw.get("page")),
        size=_text_or_none(raw.get("size")),
        offset=_text_or_none(raw.get("offset")),
        cursor=_text_or_none(raw.get("cursor")),
        items=_text_or_none(raw.get("items")),
        next=_text_or_none(raw.get("next")),
    )
    return pagination, problems
