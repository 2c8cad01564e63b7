"""The Markdown docs target: per API an overview (`index.md`), a quick start, an explorer page,
one page per tag, the schemas (an index, and a page of shapes per tag), a page for maintainers
and `nav.json`, the order and titles of the pages for the site's navigation.

Every decision is made here; the templates in `templates/docs/` print and loop. The page objects
carry two kinds of text:

- fields whose names end in `_md`, and every cell of a `Table`, are finished Markdown, built here
  from spec text with `md`, `code` and `inline` (which escape it);
- every other string is raw spec text, and the template passes it through `md`;
- anchors (`[a-z0-9-]` only, from `anchor`) and code blocks (their fence chosen to outgrow any
  backticks inside) are printed as they are.

Anchors are explicit (`<a id="..."></a>`) and unique across the API, so links do not depend on
how a Markdown renderer spells heading ids.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatforge.ir.model import (
    Api,
    Body,
    Constraint,
    Field,
    Function,
    Model,
    Operation,
    RateLimit,
    Response,
    SchemaProperty,
    SecurityScheme,
    Server,
    Tag,
)
from chatforge.lint import ERROR_KINDS
from chatforge.reserved import DOCS_PAGES
from chatforge.runtime.client._errors import _BY_STATUS
from chatforge.runtime.client._jwt import hs256_token
from chatforge.targets import Files
from chatforge.targets.client import AuthArg, ResourceNames, auth_params, example_credentials
from chatforge.targets.docs import events
from chatforge.targets.docs.curl import curl_example
from chatforge.targets.templating import render as render_template
from chatforge.targets.text import anchor, code, md, normalise, one_line

INDEX = "index.md"
SCHEMAS = "schemas.md"
QUICKSTART = "quickstart.md"
EXPLORER = "explorer.md"
MAINTAINERS = "maintainers.md"
NAV = "nav.json"
MOCK_URL = "http://127.0.0.1:8000"
NEST = 2  # how deep the shapes of nested objects unfold in place
WRAP_AT = 88  # an example call longer than this puts one argument per line

# -- Markdown pieces ----------------------------------------------------------------------------

_CODE_SPAN = re.compile(r"`([^`]+)`")
_BULLET = re.compile(r"^[-*+]\s+")


def _plain(piece: str) -> str:
    """`md` of a piece of a longer text, keeping one space at either edge if it had one."""
    core = md(piece)
    if not core:
        return " " if piece[:1].isspace() else ""
    lead = " " if piece[:1].isspace() else ""
    trail = " " if piece[-1:].isspace() else ""
    return f"{lead}{core}{trail}"


@functools.lru_cache(maxsize=4096)
def inline(text: str, keep_edges: bool = False) -> str:
    """One line of Markdown from spec text: escaped like `md`, except that a `code span` the
    author wrote stays a code span (built with `code`; Markdown shows `<`, `>` and `&` in code
    literally), unless it holds `|`: that one it shows escaped, backticks included, so it reads
    the same in a table and outside."""
    text = one_line(text) if not keep_edges else re.sub(r"\s+", " ", normalise(text))
    parts = _CODE_SPAN.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2 and part.strip() and "|" not in part:
            out.append(code(part))
        elif index % 2:
            out.append(_plain(f"`{part}`"))
        else:
            out.append(_plain(part))
    result = "".join(out)
    return result if keep_edges else result.strip()


def prose(text: str) -> str:
    """Paragraphs of Markdown from spec text; `- item` lines stay a bulleted list."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", normalise(text).strip()):
        lead: list[str] = []
        items: list[str] = []
        for line in (line.strip() for line in paragraph.splitlines()):
            if not line:
                continue
            if _BULLET.match(line):
                items.append(_BULLET.sub("", line))
            elif items:
                items[-1] += " " + line
            else:
                lead.append(line)
        if lead:
            blocks.append(inline(" ".join(lead)))
        if items:
            blocks.append("\n".join(f"- {inline(item)}" for item in items))
    return "\n\n".join(block for block in blocks if block)


def sentence(text: str) -> str:
    """`inline`, with a full stop added unless the text ends on one already."""
    result = inline(text)
    return f"{result}." if result and result[-1] not in ".!?:;" else result


def link(text: str, target: str) -> str:
    """A link with escaped text; targets are built here from file names and anchors only."""
    return f"[{md(text)}]({target})"


def values(enum_text: str) -> tuple[str, ...]:
    """`"a", "b"` (the IR's enum text) as one code span per value."""
    try:
        parsed = json.loads(f"[{enum_text}]")
    except ValueError:
        return (code(enum_text),)
    return tuple(code(json.dumps(value, ensure_ascii=False)) for value in parsed)


def allowed_md(enum_text: str) -> str:
    spans = values(enum_text)
    return f"One of {', '.join(spans)}." if len(spans) > 1 else f"Must be {''.join(spans)}."


def fence_for(text: str) -> str:
    """A code fence longer than any run of backticks in the text."""
    runs = [len(run) for run in re.findall(r"`+", text)]
    return "`" * max(3, max(runs, default=0) + 1)


@dataclass(frozen=True)
class Table:
    """A pipe table. Every cell is finished, one-line Markdown; an empty cell is ""."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def rule(self) -> str:
        return "|" + "---|" * len(self.header)


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    built = tuple(tuple(cell.replace("\n", " ") for cell in row) for row in rows)
    if any(len(row) != len(header) for row in built):
        raise ValueError("a table row does not match its header")
    return Table(tuple(header), built)


@dataclass(frozen=True)
class CodeBlock:
    fence: str
    language: str
    text: str


def code_block(text: str, language: str = "python") -> CodeBlock:
    text = normalise(text).rstrip("\n")
    return CodeBlock(fence_for(text), language, text)


@dataclass(frozen=True)
class Item:
    """A bullet: finished Markdown, with sub-bullets."""

    text_md: str
    items_md: tuple[str, ...] = ()


# -- shared decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """Where everything lives: page file per tag, anchor per operation and per model."""

    pages: Mapping[str, str]  # tag name -> file name
    operations: Mapping[str, str]  # operation id -> anchor
    models: Mapping[str, str]  # model name -> anchor
    schemes: Mapping[str, str]  # security scheme name -> anchor in index.md
    titles: Mapping[str, str] = field(default_factory=dict)  # tag name -> title
    schema_pages: Mapping[str, str] = field(default_factory=dict)  # model name -> file name

    def operation_link(self, op: Operation) -> str:
        return f"{self.pages[op.tag]}#{self.operations[op.operation_id]}"

    def model_page(self, name: str) -> str:
        return self.schema_pages.get(name, SCHEMAS)

    def model_link(self, name: str, page: str | None = None) -> str:
        """A link to a model's section; `page` "" links within the page it is on."""
        target = self.model_page(name) if page is None else page
        return link(name, f"{target}#{self.models[name]}")


def _unique(names: Iterable[str]) -> dict[str, str]:
    """An anchor per name, with `-2`, `-3`... where two names would share one."""
    used: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        base = anchor(name)
        candidate, count = base, 1
        while candidate in used:
            count += 1
            candidate = f"{base}-{count}"
        used.add(candidate)
        result[name] = candidate
    return result


_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "with"}
)


def title_case(name: str) -> str:
    """A tag's name as a person would title it: `open_channel_metadata` and `channel-types`
    become "Open Channel Metadata" and "Channel Types"; a word with a capital stays as it is."""
    words = [w for w in re.split(r"[\s_\-]+", one_line(name)) if w]
    titled = [
        word
        if any(c.isupper() for c in word) or (index and word in _SMALL_WORDS)
        else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    ]
    return " ".join(titled) or one_line(name) or "Operations"


_REF = re.compile(r'"#/components/schemas/((?:[^"\\]|\\.)*)"')


def _schema(model: Model) -> dict[str, Any]:
    try:
        schema = json.loads(model.schema_json)
    except ValueError:
        return {}
    return schema if isinstance(schema, dict) else {}


def all_of(model: Model) -> tuple[str, ...]:
    """The models a model combines with `allOf`, each of whose members it has."""
    parts = _schema(model).get("allOf")
    refs = [p.get("$ref") for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []
    prefix = "#/components/schemas/"
    return tuple(r[len(prefix) :] for r in refs if isinstance(r, str) and r.startswith(prefix))


def model_refs(model: Model) -> tuple[str, ...]:
    """The models a model names: through its properties, variants and anywhere in its schema."""
    found = [p.model for p in model.properties if p.model]
    found += [*model.variants, *all_of(model)]
    found += [json.loads(f'"{name}"') for name in _REF.findall(model.schema_json)]
    return tuple(dict.fromkeys(found))


def operation_models(op: Operation) -> tuple[str, ...]:
    """The models an operation names directly: its body, fields, variants and responses."""
    found: list[str] = []
    if op.body is not None:
        found.append(op.body.model)
    for f in (*op.parameters, *(g for fn in op.functions for g in fn.body_fields)):
        found += f.type.models
    found += [fn.variant for fn in op.functions if fn.variant]
    found += [r.model for r in op.responses if r.model]
    return tuple(dict.fromkeys(found))


def _schema_pages(api: Api, pages: Mapping[str, str]) -> dict[str, str]:
    """The page of each model: that of the first tag, in spec order, whose operations reach it;
    a model no operation reaches stays on the schemas index."""
    by_name = {m.name: m for m in api.models}
    placed: dict[str, str] = {}
    for tag in api.tags:
        page = f"schemas-{pages[tag.name].removesuffix('.md')}.md"
        queue = [name for op in tag.operations for name in operation_models(op)]
        while queue:
            name = queue.pop(0)
            if name in placed or name not in by_name:
                continue
            placed[name] = page
            queue += model_refs(by_name[name])
    return placed


def names(api: Api) -> Names:
    pages: dict[str, str] = {}
    used = set()
    for tag in api.tags:
        stem = tag.py if tag.py not in DOCS_PAGES else f"{tag.py}_operations"
        while stem in used:
            stem += "_"
        used.add(stem)
        pages[tag.name] = f"{stem}.md"
    return Names(
        pages=pages,
        operations=_unique(op.operation_id for op in api.operations),
        models=_unique(m.name for m in api.models),
        schemes=_unique(s.name for s in api.security),
        titles={tag.name: title_case(tag.name) for tag in api.tags},
        schema_pages=_schema_pages(api, pages),
    )


def scheme_anchor(where: Names, name: str) -> str:
    return f"auth-{where.schemes[name]}" if name in where.schemes else "authentication"


def type_md(label: str, models: Sequence[str], where: Names, page: str | None = None) -> str:
    """A type label with each model it names linked to the model's section."""
    linked = [m for m in dict.fromkeys(models) if m in where.models]
    if not linked:
        return inline(label)
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])("
        + "|".join(re.escape(m) for m in sorted(linked, key=len, reverse=True))
        + r")(?![A-Za-z0-9_])"
    )
    pieces = pattern.split(label)
    out = [
        where.model_link(piece, page) if index % 2 else inline(piece, keep_edges=True)
        for index, piece in enumerate(pieces)
    ]
    missing = [m for m in linked if m not in pieces[1::2]]
    if missing:
        out.append(" (" + ", ".join(where.model_link(m, page) for m in missing) + ")")
    return "".join(out).strip()


def _constraint_value(c: Constraint) -> str:
    """The constraint's value as a code span; a string shows without its JSON quotes."""
    try:
        value = json.loads(c.value)
    except ValueError:
        value = c.value
    return code(value if isinstance(value, str) else c.value)


def notes_md(
    description: str,
    *,
    enum_text: str | None = None,
    default_text: str | None = None,
    constraints: Sequence[Constraint] = (),
    const_repr: str | None = None,
    deprecated: bool = False,
    style: str | None = None,
    is_file: bool = False,
) -> str:
    """The description cell of a field or property: its text, then what values it takes."""
    parts = ["**Deprecated.**"] if deprecated else []
    if description:
        parts.append(sentence(description))
    if const_repr is not None:
        parts.append(f"The client method sends {code(const_repr)}; it is not an argument.")
    elif enum_text:
        parts.append(allowed_md(enum_text))
    if default_text is not None:
        parts.append(f"Default {code(default_text)}.")
    formats = [c for c in constraints if c.name == "format" and not is_file]
    if formats:
        parts.append(f"Format {_constraint_value(formats[0])}.")
    shown = [f"{md(c.name)} {_constraint_value(c)}" for c in constraints if c.name != "format"]
    if shown:
        parts.append("Constraints: " + ", ".join(shown) + ".")
    if style == "deepObject":
        parts.append("Sent as `name[key]=value` pairs.")
    elif style == "json":
        parts.append("Sent as a JSON string.")
    return " ".join(parts)


def arguments(function: Function) -> dict[tuple[str, str], str]:
    """(location, wire name) -> the client method's argument for it.

    The function's own fields carry the argument names (a body property that shares its name
    with a parameter becomes `body_<name>`); a fixed (`const`) property has no argument."""
    return {(f.location, f.wire): f.py for f in function.fields}


def rate_limit_md(limit: RateLimit | None) -> str:
    if limit is None:
        return "not given in the spec"
    text = inline(limit.text)
    if limit.note:
        text += f". {sentence(limit.note)}"
    return text


# -- examples -----------------------------------------------------------------------------------


def _example_keys(body: Body | None) -> frozenset[str]:
    """Body properties the spec's own request example gives a value for."""
    if body is None or body.example_json is None:
        return frozenset()
    try:
        example = json.loads(body.example_json)
    except ValueError:
        return frozenset()
    return frozenset(example) if isinstance(example, dict) else frozenset()


def example_args(op: Operation, function: Function) -> list[Field]:
    """Required arguments, and optional body arguments the spec's example gives a value for.

    The spec's body example belongs to the whole operation, so on a shared route only the
    required arguments are shown."""
    given = frozenset() if op.shared else _example_keys(op.body)
    return [f for f in function.fields if f.required or (f.location == "body" and f.wire in given)]


def example_call(
    tag: Tag, op: Operation, function: Function
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(import lines, call lines) of the example for one function."""
    fields = example_args(op, function)
    args = [f"{f.py}={f.example_repr}" for f in fields]
    target = {"json": "result = ", "binary": "data = ", "empty": ""}[op.success.kind]
    call = f"{target}client.{tag.py}.{ResourceNames(tag).method(op, function)}"
    one_line = f"{call}({', '.join(args)})"
    if len(one_line) <= WRAP_AT:
        lines: tuple[str, ...] = (one_line,)
    else:
        lines = (f"{call}(", *(f"    {arg}," for arg in args), ")")
    imports = ("from pathlib import Path",) if any(f.type.is_file for f in fields) else ()
    return imports, lines


def example_code(tag: Tag, op: Operation, function: Function) -> str:
    imports, lines = example_call(tag, op, function)
    return "\n".join((*imports, "", *lines) if imports else lines)


# -- index.md -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheme:
    name: str
    anchor: str
    kind_md: str
    text_md: tuple[str, ...]  # paragraphs


@dataclass(frozen=True)
class IndexPage:
    title: str
    description_md: str
    source_md: str
    assumed_md: tuple[str, ...]
    usage_md: str
    usage: CodeBlock
    usage_notes_md: tuple[str, ...]
    hosts: tuple[Item, ...]
    hosts_none_md: str
    schemes: tuple[Scheme, ...]
    auth_none_md: str
    rate_limits_md: str
    rate_limits: Table | None
    envelope_md: str | None
    errors_md: str
    errors: Table
    pagination_md: str
    pagination: Table | None
    tags: Table
    operations: Table
    schemas_md: str


def source_md(api: Api) -> str:
    parts = [f"Generated by chatforge from {code(api.spec_file)}"]
    if api.version:
        parts[0] += f", API version {code(api.version)}"
    if api.source_document:
        text = f"The source document is {code(api.source_document)}"
        if api.source_functions:
            covered = len(api.covered_rows)
            text += f"; this API covers {covered} of {api.source_functions} documented functions"
        parts.append(text)
    return "**Source:** " + ". ".join(parts) + "."


def host_item(server: Server) -> Item:
    text = code(server.url)
    if server.description:
        text += f": {sentence(server.description)}"
    items = []
    for variable in server.variables:
        parts = [sentence(variable.description)] if variable.description else []
        if variable.enum:
            parts.append("One of " + ", ".join(code(v) for v in variable.enum) + ".")
        parts.append(f"Default {code(variable.default)}.")
        items.append(f"{code(variable.name)}: {' '.join(parts)}")
    if server.url != server.default_url:
        items.append(f"With every variable at its default: {code(server.default_url)}.")
    if server.backup:
        items.append(
            f"Backup host: {code(server.backup)}. The generated client fails over to it on "
            "connection errors and 5xx answers."
        )
    if server.assumed:
        items.append(f"**Assumed:** {sentence(server.assumed)}")
    return Item(text, tuple(items))


def _signature_text(scheme: SecurityScheme, auth: AuthArg) -> str:
    sig = scheme.signature
    assert sig is not None
    unit = "milliseconds" if sig.milliseconds else "seconds"
    sample = {"secret": "app-secret", "nonce": "9f3a2c", "timestamp": "1767225600"}
    if sig.milliseconds:
        sample["timestamp"] += "000"
    text = "".join(sample[part] for part in sig.signed)
    digest = hashlib.new(sig.algorithm, text.encode()).hexdigest()
    order = " + ".join(sig.signed)
    prefixes = [p for p in sig.accepted_prefixes if p]
    also = (
        " Servers also accept these headers with the prefix "
        + ", ".join(code(p) for p in prefixes)
        + "."
        if prefixes
        else ""
    )
    args = ", ".join(f'{name}="..."' for name in auth.shown)
    return (
        f"Every request carries {code(sig.app_key_header)} (the app key), "
        f"{code(sig.nonce_header)} (a random string), {code(sig.timestamp_header)} (Unix time in "
        f"{unit}) and {code(scheme.param)}: the lowercase hex {md(sig.algorithm.upper())} of "
        f"{md(order)}. For example, with the secret `{sample['secret']}`, the nonce "
        f"`{sample['nonce']}` and the timestamp `{sample['timestamp']}`, the signature is the "
        f"{md(sig.algorithm.upper())} of `{text}`: `{digest}`.{also} The generated client "
        f"signs every request itself: `Client({args})`."
    )


def scheme_text(scheme: SecurityScheme, auth: AuthArg) -> tuple[str, tuple[str, ...]]:
    """(kind, paragraphs) explaining one security scheme and how the client takes it."""
    argument = auth.arg
    client = f'`Client({argument}="...")`'
    if scheme.kind == "bearer":
        kind = "bearer token"
        how = (
            "Send the token in the `Authorization` header: `Authorization: Bearer <token>`. "
            f"With the generated client, pass the token as `{argument}=`: {client}; the "
            "client adds the header to every request."
        )
    elif scheme.kind == "api_key":
        kind = "API key"
        where = {"header": "header", "query": "query parameter", "cookie": "cookie"}
        how = (
            f"Send the key in the {code(scheme.param)} {where[scheme.location]}. With the "
            f"generated client, pass it as `{argument}=`: {client}."
        )
    elif scheme.kind == "signature":
        kind = "signed headers"
        how = _signature_text(scheme, auth)
    elif scheme.kind == "jwt" and scheme.jwt is not None:
        kind = "JSON Web Token"
        secret, token = auth.args[0][0], auth.args[1][0]
        prefix = f", after {code(scheme.jwt.prefix)}" if scheme.jwt.prefix else ", with no prefix"
        how = (
            f"Send a {md(scheme.jwt.algorithm)} JSON Web Token in the {code(scheme.param)} "
            f"header{prefix}. "
            f"A server token carries the claims {code(scheme.jwt.server_claims_json)} and is "
            f"signed with the API secret. The generated client mints it when given "
            f'`{secret}=`: `Client({secret}="...")`, or sends a token you give as `{token}=`.'
        )
        if scheme.jwt.algorithm == "HS256":
            claims = json.loads(scheme.jwt.server_claims_json)
            how += (
                " For example, with the secret `api-secret`, the server token (header "
                '`{"alg":"HS256","typ":"JWT"}`, those claims, then the HMAC-SHA256 of both with '
                f"the secret, each part base64url without padding) is "
                f"`{hs256_token(claims, 'api-secret')}`."
            )
    elif scheme.kind == "fixed":
        kind = "fixed header"
        how = (
            f"Send {code(f'{scheme.param}: {scheme.value}')} with every request; the generated "
            "client does."
        )
    else:
        kind = "HTTP basic"
        how = (
            "Send `Authorization: Basic <credentials>`, where the credentials are "
            "`username:password` in base64. With the generated client, pass "
            f'`username=` and `{argument}=`: `Client(username="...", {argument}="...")`.'
        )
    paragraphs = [how]
    if scheme.description:
        paragraphs.insert(0, prose(scheme.description))
    return kind, tuple(paragraphs)


def usage(api: Api) -> tuple[str, CodeBlock, tuple[str, ...]]:
    credentials = example_credentials(auth_params(api))
    imports: tuple[str, ...] = ()
    calls: tuple[str, ...] = ("...",)
    first = first_call(api)
    if first is not None:
        tag, op = first
        imports, calls = example_call(tag, op, op.functions[0])
    lines = [
        *imports,
        f"from {api.client_package} import Client",
        "",
        f"with Client({credentials}) as client:",
        *(f"    {line}" for line in calls),
    ]
    intro = (
        f"The generated client is the package {code(api.client_package)} "
        f"(`chatforge generate {api.slug} --target client`). It has one attribute per tag and "
        "one method per documented function:"
    )
    notes = [
        f"By default it sends requests to {code(api.default_url)}; pass `base_url=` to use "
        "another host.",
        "`AsyncClient` takes the same arguments; use it with `async with` and `await` each call.",
        "The examples on the tag pages assume a `client` made like this; the "
        f"{link('quick start', QUICKSTART)} runs one against the mock server.",
    ]
    return intro, code_block("\n".join(lines)), tuple(notes)


def rate_limits(api: Api, where: Names) -> tuple[str, Table | None]:
    documented = [op for op in api.operations if op.rate_limit and op.rate_limit.documented]
    if not documented:
        if all(op.rate_limit is None for op in api.operations):
            return "The spec gives no rate limits.", None
        return "The vendor documents no rate limits for any operation.", None
    rest = len(api.operations) - len(documented)
    text = f"{len(documented)} of {len(api.operations)} operations have a documented limit"
    text += f"; the vendor documents none for the other {rest}." if rest else "."
    rows = [
        (link(op.summary, where.operation_link(op)), rate_limit_md(op.rate_limit))
        for op in documented
    ]
    return text, table(("operation", "limit"), rows)


def client_methods_md(tag: Tag, op: Operation) -> str:
    names = ResourceNames(tag)
    return ", ".join(code(f"client.{tag.py}.{names.method(op, f)}()") for f in op.functions)


def envelope_md(api: Api) -> str | None:
    """How the vendor wraps its answers, when the spec says (`x-envelope`)."""
    envelope = api.envelope
    if envelope is None:
        return None
    codes = ", ".join(code(json.dumps(c)) for c in envelope.success_codes)
    text = (
        f"Every JSON answer carries a result code in {code(envelope.code_field)}; the call "
        f"succeeded when it is {codes}."
    )
    if envelope.message_field:
        text += f" Otherwise {code(envelope.message_field)} says what went wrong."
    if envelope.result_field:
        text += f" The payload of a successful answer is in {code(envelope.result_field)}."
    return (
        text + " The generated client raises `APIEnvelopeError` for an answer whose status "
        "is a success but whose code is not."
    )


# What each kind of failure a generated server answers means; its status is lint's
# `ERROR_KINDS`, the exception the generated client raises for it the client's own choice.
FAILURES = {
    "validation": "a parameter is missing, malformed or out of range",
    "authentication": "the credentials are missing or wrong",
    "permission": "the credentials may not make this call",
    "not_found": "no such route, or no such resource",
    "method_not_allowed": "the route takes another method",
    "too_large": "the request body is too large",
    "unsupported_media_type": "the body is not of the media type the operation takes",
    "rate_limited": "too many calls",
    "internal": "the service failed",
    "not_implemented": "a generated server has no handler for the operation",
}


def _raised(status: int) -> str:
    """The exception the generated client raises for an answer with this status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status].__name__
    return "InternalServerError" if status >= 500 else "APIStatusError"


def errors_section(api: Api) -> tuple[str, Table]:
    """How failures are answered: the error body's members, and each kind of failure."""
    style = api.errors
    members = [f"{code(style.message_field)} (what went wrong)"]
    if style.code_field:
        members.insert(0, f"{code(style.code_field)} (the vendor's code)")
    if style.status_field:
        members.append(f"{code(style.status_field)} (the HTTP status again)")
    if style.timestamp_field:
        members.append(f"{code(style.timestamp_field)} (the time, Unix milliseconds)")
    if style.fields_field:
        members.append(f"{code(style.fields_field)} (the problem with each request field)")
    for name, value in style.fixed:
        members.append(f"{code(name)} (always {code(json.dumps(value))})")
    carrying = (
        "FastAPI's JSON body: `detail`, the message, or for a request that fails validation a "
        "list of its problems, each with `loc`, `msg` and `type`"
        if style.detail
        else "a JSON body carrying " + ", ".join(members)
    )
    text = (
        f"A failed call is answered with an error status and {carrying}. The generated client "
        "raises a subclass of `APIStatusError` that carries the status, the code, the message "
        "and the raw body; the generated server answers its own failures in the same shape."
    )
    codes = dict(style.codes)
    rows = []
    for kind, status in ERROR_KINDS.items():
        status = style.validation_status if kind == "validation" else status
        vendor = codes.get(kind)
        rows.append(
            (
                FAILURES[kind],
                code(str(status)),
                code(json.dumps(vendor)) if vendor is not None else "",
                code(_raised(status)),
            )
        )
    header = ("failure", "status", style.code_field or "code", "client raises")
    return text, table(header, rows)


def pagination_section(api: Api, where: Names) -> tuple[str, Table | None]:
    """The list operations that page, and the iterator the client has for each."""
    rows = []
    for tag in api.tags:
        for op in tag.operations:
            pages = op.pagination
            if pages is None:
                continue
            iterator = ResourceNames(tag).iterator(op, op.functions[0])
            turned = {
                "page": pages.page,
                "offset": pages.offset,
                "cursor": pages.cursor,
                "token": pages.cursor,
            }[pages.style]
            arguments = [a for a in (turned, pages.size) if a]
            rows.append(
                (
                    link(op.summary or op.operation_id, where.operation_link(op)),
                    pages.style,
                    ", ".join(code(".".join(a)) for a in arguments),
                    code(f"client.{tag.py}.{iterator}()"),
                )
            )
    if not rows:
        return "No operation of this API pages its results.", None
    text = (
        "List operations page their results in one of four ways: by page number, by offset, "
        "by a cursor or by a token from the previous answer. For each of them the generated "
        "client has an `iter_` method that takes the same arguments and yields every item, "
        "fetching the pages as it goes."
    )
    header = ("operation", "pages by", "arguments", "every item")
    return text, table(header, rows)


def index_page(api: Api, where: Names) -> IndexPage:
    intro, snippet, notes = usage(api)
    schemes = []
    for scheme, auth in zip(api.security, auth_params(api), strict=True):
        kind, paragraphs = scheme_text(scheme, auth)
        schemes.append(Scheme(scheme.name, scheme_anchor(where, scheme.name), kind, paragraphs))
    limits_md, limits = rate_limits(api, where)
    errors_text, errors_table = errors_section(api)
    pagination_text, pagination_table = pagination_section(api, where)
    tags = table(
        ("tag", "description", "operations"),
        (
            (
                link(where.titles[tag.name], where.pages[tag.name]),
                sentence(tag.description),
                str(len(tag.operations)),
            )
            for tag in api.tags
        ),
    )
    operations = table(
        ("method", "path", "summary", "client method"),
        (
            (
                code(op.method),
                code(op.path),
                link(op.summary, where.operation_link(op)),
                client_methods_md(tag, op),
            )
            for tag in api.tags
            for op in tag.operations
        ),
    )
    return IndexPage(
        title=api.title,
        description_md=split_description(api.description)[0],
        source_md=(
            f"**Start here:** {link('Quick start', QUICKSTART)} (a first call in five steps), "
            f"{link('Explorer', EXPLORER)} (send requests from the browser), "
            f"{link('Schemas', SCHEMAS)}. How the spec traces back to the vendor's documents: "
            f"{link('For maintainers', MAINTAINERS)}."
        ),
        assumed_md=(),
        usage_md=intro,
        usage=snippet,
        usage_notes_md=notes,
        hosts=tuple(host_item(s) for s in api.servers),
        hosts_none_md=(f"The spec names no host; the client defaults to {code(api.default_url)}."),
        schemes=tuple(schemes),
        auth_none_md="The spec declares no authentication.",
        rate_limits_md=limits_md,
        rate_limits=limits,
        envelope_md=envelope_md(api),
        errors_md=errors_text,
        errors=errors_table,
        pagination_md=pagination_text,
        pagination=pagination_table,
        tags=tags,
        operations=operations,
        schemas_md="",
    )


# -- <tag>.md -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    """A shape that unfolds in place: a summary line, its properties, and its nested shapes."""

    fence: str  # `///`, with one more slash for each level it holds
    title_md: str
    shape_md: str | None
    table: Table | None
    children: tuple[Detail, ...]


@dataclass(frozen=True)
class BodyPart:
    """One table of body fields: the body's own, or one function's variant on a shared route."""

    caption_md: str | None
    table: Table | None
    details: tuple[Detail, ...] = ()


@dataclass(frozen=True)
class BodySection:
    summary_md: str
    description_md: str
    parts: tuple[BodyPart, ...]


@dataclass(frozen=True)
class Example:
    caption_md: str | None
    block: CodeBlock
    curl: CodeBlock
    curl_notes_md: tuple[str, ...]


@dataclass(frozen=True)
class ResponseExample:
    caption_md: str
    block: CodeBlock | None


@dataclass(frozen=True)
class OperationSection:
    anchor: str
    summary: str
    request_md: str
    deprecated_md: str | None
    description_md: str
    facts: tuple[Item, ...]
    parameters: Table | None
    parameter_details: tuple[Detail, ...]
    body: BodySection | None
    responses: Table
    response_details: tuple[Detail, ...]
    examples: tuple[Example, ...]
    response: ResponseExample


@dataclass(frozen=True)
class TagPage:
    title: str
    description_md: str
    back_md: str
    contents_md: tuple[str, ...]  # links to the sections
    operations: tuple[OperationSection, ...]


DEPRECATED = "**Deprecated.** The vendor may remove this operation."
BODY_HEADER = ("name", "type", "required", "description")
PARAM_HEADER = ("name", "in", "type", "required", "description")
PROPERTY_HEADER = ("property", "type", "required", "description")


def name_md(wire: str, argument: str | None) -> str:
    """A field's wire name, and the client's argument for it where that is spelled otherwise."""
    if argument and argument != wire:
        return f"{code(wire)} ({code(argument + '=')})"
    return code(wire)


def field_row(
    field: Field, argument: str | None, where: Names, with_location: bool
) -> tuple[str, ...]:
    fixed = field.const_repr is not None
    cells = [name_md(field.wire, argument)]
    if with_location:
        cells.append(md(field.location))
    cells += [
        type_md(field.type.label, field.type.models, where),
        "fixed" if fixed else "yes" if field.required else "no",
        notes_md(
            field.description,
            enum_text=field.enum_text,
            default_text=field.default_text,
            constraints=field.constraints,
            const_repr=field.const_repr,
            deprecated=field.deprecated,
            style=field.style if field.location in ("query", "body") else None,
            is_file=field.type.is_file,
        ),
    ]
    return tuple(cells)


def property_row(prop: SchemaProperty, where: Names) -> tuple[str, ...]:
    return (
        code(prop.wire),
        type_md(prop.label, (prop.model,) if prop.model else (), where),
        "yes" if prop.required else "no",
        notes_md(
            prop.description,
            enum_text=prop.enum_text,
            default_text=prop.default_text,
            constraints=prop.constraints,
            is_file=prop.label == "file",
        ),
    )


def _detail(
    title_md: str, name: str, api: Api, where: Names, depth: int, seen: frozenset[str]
) -> Detail | None:
    """The shape of model `name`, unfolding the models it holds `depth - 1` levels further."""
    model = next((m for m in api.models if m.name == name), None)
    if model is None or name in seen:
        return None
    inner = seen | {name}
    children: list[Detail] = []
    if depth > 1:
        for prop in model.properties:
            if prop.model:
                child = _detail(
                    f"{code(prop.wire)}: {where.model_link(prop.model)}",
                    prop.model,
                    api,
                    where,
                    depth - 1,
                    inner,
                )
                if child is not None:
                    children.append(child)
        for variant in (*model.variants, *all_of(model)):
            child = _detail(where.model_link(variant), variant, api, where, depth - 1, inner)
            if child is not None:
                children.append(child)
    shape = shape_md(model, where)
    rows = (property_row(p, where) for p in model.properties)
    return Detail(
        fence="/" * (2 + depth),
        title_md=title_md,
        shape_md=shape,
        table=table(PROPERTY_HEADER, rows) if model.properties else None,
        children=tuple(children),
    )


def field_details(fields: Iterable[Field], api: Api, where: Names) -> tuple[Detail, ...]:
    """For each field that carries a model, that model's shape, to unfold in place."""
    found = []
    for f in fields:
        for model in dict.fromkeys(f.type.models):
            title = f"{code(f.wire)}: {where.model_link(model)}" if model in where.models else ""
            detail = _detail(title, model, api, where, NEST, frozenset()) if title else None
            if detail is not None:
                found.append(detail)
    return tuple(found)


def body_table(function: Function, where: Names) -> Table | None:
    """The body properties one function sends, fixed ones included."""
    body = [f for f in function.body_fields if f.location == "body"]
    if not body:
        return None
    names = arguments(function)
    return table(
        BODY_HEADER,
        (field_row(f, names.get((f.location, f.wire)), where, with_location=False) for f in body),
    )


def returns_md(op: Operation, where: Names) -> str:
    success = op.success
    if success.kind == "binary":
        return f"binary data ({code(success.media_type or 'application/octet-stream')}), as `bytes`"
    if success.kind == "empty" or success.model is None:
        return "nothing (`None`)" if success.kind == "empty" else code(success.media_type or "")
    if success.model in where.models:
        return where.model_link(success.model)
    return code(success.model)


def method_md(tag: Tag, op: Operation, function: Function, where: Names) -> str:
    """One client method of a shared route: what it is for and what it sends."""
    method = ResourceNames(tag).method(op, function)
    text = f"{code(f'client.{tag.py}.{method}()')}: {md(function.title)}"
    if function.variant is not None:
        variant = (
            where.model_link(function.variant)
            if function.variant in where.models
            else code(function.variant)
        )
        text += f", sends {variant}"
    if function.path and function.path != op.path:
        text += f", to {code(f'{op.method} {function.path}')}"
    return text


def facts(api: Api, tag: Tag, op: Operation, where: Names) -> tuple[Item, ...]:
    result = []
    if op.shared:
        methods = tuple(method_md(tag, op, f, where) for f in op.functions)
        result.append(Item("**Client methods** (one route serves each of them):", methods))
    else:
        function = op.functions[0]
        method = ResourceNames(tag).method(op, function)
        text = f"**Client method:** {code(f'client.{tag.py}.{method}()')}"
        if function.path and function.path != op.path:
            text += f", sent to {code(f'{op.method} {function.path}')}"
        result.append(Item(text))
    if op.security:
        schemes = ", ".join(
            f"[{code(name)}]({INDEX}#{scheme_anchor(where, name)})" for name in op.security
        )
    else:
        schemes = "none"
    result.append(Item(f"**Auth:** {schemes}"))
    result.append(Item(f"**Rate limit:** {rate_limit_md(op.rate_limit)}"))
    result.append(Item(f"**Returns:** {returns_md(op, where)}"))
    names, first = ResourceNames(tag), op.functions[0]
    if op.pagination is not None:
        every = code(f"client.{tag.py}.{names.iterator(op, first)}()")
        result.append(Item(f"**Every item:** {every} yields the items of every page"))
    if op.success.kind == "binary":
        to_file = code(f"client.{tag.py}.{names.to_file(op, first)}(destination=..., ...)")
        result.append(Item(f"**To a file:** {to_file} streams the download to `destination`"))
    result.append(Item(f"**Operation id:** {code(op.operation_id)}"))
    return tuple(result)


def variant_caption(tag: Tag, op: Operation, function: Function, where: Names) -> str:
    method = ResourceNames(tag).method(op, function)
    text = f"{code(f'client.{tag.py}.{method}()')} ({md(function.title)})"
    if function.variant is not None and function.variant in where.models:
        return f"{text} sends {where.model_link(function.variant)}:"
    return f"{text} sends:"


def body_section(api: Api, tag: Tag, op: Operation, where: Names) -> BodySection | None:
    body = op.body
    if body is None:
        return None
    model = where.model_link(body.model) if body.model in where.models else code(body.model)
    summary = f"{code(body.media_type)}, {'required' if body.required else 'optional'}: {model}"

    def part(function: Function, caption: str | None) -> BodyPart:
        sent = [f for f in function.body_fields if f.location == "body"]
        return BodyPart(caption, body_table(function, where), field_details(sent, api, where))

    if op.shared:
        parts = tuple(part(f, variant_caption(tag, op, f, where)) for f in op.functions)
    else:
        parts = (part(op.functions[0], None),)
    return BodySection(summary, prose(body.description), parts)


def response_row(response: Response, where: Names) -> tuple[str, ...]:
    if response.kind == "binary":
        shape = f"binary ({code(response.media_type or 'application/octet-stream')})"
    elif response.kind == "empty":
        shape = "empty"
    elif response.model in where.models:
        shape = where.model_link(response.model or "")
    else:
        shape = code(response.media_type or "application/json")
    return (code(response.status), sentence(response.description), shape)


def response_example(op: Operation) -> ResponseExample:
    """The success answer: the spec's example, else the value the mock server answers with."""
    success = op.success
    status = code(success.status)
    if success.kind == "binary":
        media = code(success.media_type or "application/octet-stream")
        return ResponseExample(f"{status}: binary data ({media}).", None)
    if success.kind == "empty":
        return ResponseExample(f"{status}: no body.", None)
    given = success.example_json or success.synthesized_json
    if given is None:
        return ResponseExample(f"{status}: the spec gives no example.", None)
    whence = (
        "the spec's example"
        if success.example_json
        else "built from the schema, as the mock server answers"
    )
    text = json.dumps(json.loads(given), indent=2, ensure_ascii=False)
    return ResponseExample(f"{status}, {whence}:", code_block(text, "json"))


def operation_section(api: Api, tag: Tag, op: Operation, where: Names) -> OperationSection:
    parameters = None
    if op.parameters:
        names = arguments(op.functions[0])
        parameters = table(
            PARAM_HEADER,
            (field_row(f, names.get((f.location, f.wire)), where, True) for f in op.parameters),
        )
    examples = []
    for function in op.functions:
        curl = curl_example(api, op, function, example_args(op, function))
        examples.append(
            Example(
                f"{md(function.title)}:" if op.shared else None,
                code_block(example_code(tag, op, function)),
                code_block(curl.text, "sh"),
                curl.notes,
            )
        )
    success = op.success
    response_details: tuple[Detail, ...] = ()
    if success.kind == "json" and success.model in where.models:
        title = f"Fields of the answer: {where.model_link(success.model or '')}"
        detail = _detail(title, success.model or "", api, where, 1, frozenset())
        response_details = (detail,) if detail is not None else ()
    return OperationSection(
        anchor=where.operations[op.operation_id],
        summary=op.summary or op.operation_id,
        request_md=f"{code(f'{op.method} {op.path}')}",
        deprecated_md=DEPRECATED if op.deprecated else None,
        description_md=prose(op.description),
        facts=facts(api, tag, op, where),
        parameters=parameters,
        parameter_details=field_details(op.parameters, api, where),
        body=body_section(api, tag, op, where),
        responses=table(
            ("status", "description", "body"), (response_row(r, where) for r in op.responses)
        ),
        response_details=response_details,
        examples=tuple(examples),
        response=response_example(op),
    )


def tag_page(api: Api, tag: Tag, where: Names) -> TagPage:
    return TagPage(
        title=where.titles[tag.name],
        description_md=prose(tag.description),
        back_md=(
            f"Part of the {link(api.title, INDEX)} reference. Examples use a `client` made as "
            f"in the {link('quick start', QUICKSTART)}. A name in a table is the one sent on "
            "the wire; where the client's argument is spelled otherwise, it follows in "
            "brackets. Expand a shape to see its fields in place."
        ),
        contents_md=tuple(
            f"[{md(op.summary or op.operation_id)}](#{where.operations[op.operation_id]}) "
            f"{code(f'{op.method} {op.path}')}"
            for op in tag.operations
        ),
        operations=tuple(operation_section(api, tag, op, where) for op in tag.operations),
    )


# -- schemas ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSection:
    anchor: str
    name: str
    description_md: str
    shape_md: str | None  # for a schema without properties: what it is
    properties: Table | None


@dataclass(frozen=True)
class SchemaGroup:
    """The schemas index lists each page of shapes with the shapes on it."""

    title_md: str
    link_md: str
    table: Table


@dataclass(frozen=True)
class SchemasPage:
    title: str
    intro_md: str
    groups: tuple[SchemaGroup, ...]
    models: tuple[ModelSection, ...]
    # The index's list of the shapes shown below it (those no operation uses, such as events').
    rest: SchemaGroup | None = None


def shape_md(model: Model, where: Names) -> str | None:
    """What a schema is when it has no property table: a union, an enum, a scalar..."""
    if model.variants:
        links = [where.model_link(v) if v in where.models else code(v) for v in model.variants]
        return "One of: " + ", ".join(links) + "."
    combined = all_of(model)
    if combined:
        links = [where.model_link(v) if v in where.models else code(v) for v in combined]
        return "Has every member of each of: " + ", ".join(links) + "."
    if model.properties:
        return None
    schema = _schema(model)
    if not schema:
        return None
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else [k for k in kind or () if isinstance(k, str)]
    text = f"A {' or '.join(md(k) for k in kinds)} value." if kinds else "Any JSON value."
    if isinstance(schema.get("enum"), list):
        text += (
            " One of "
            + ", ".join(code(json.dumps(v, ensure_ascii=False)) for v in schema["enum"])
            + "."
        )
    elif "const" in schema:
        text += f" Always {code(json.dumps(schema['const'], ensure_ascii=False))}."
    elif "object" in kinds:
        text = "An object with free-form properties."
    return text


def model_section(model: Model, where: Names) -> ModelSection:
    return ModelSection(
        anchor=where.models[model.name],
        name=model.name,
        description_md=prose(model.description),
        shape_md=shape_md(model, where),
        properties=(
            table(PROPERTY_HEADER, (property_row(p, where) for p in model.properties))
            if model.properties
            else None
        ),
    )


def first_sentence(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s", one_line(text), maxsplit=1)[0]
    return sentence(first) if first else ""


def schema_pages(api: Api, where: Names) -> dict[str, SchemasPage]:
    """The schemas index, and a page per tag with the shapes its operations reach first."""
    by_page: dict[str, list[Model]] = {}
    for model in api.models:
        by_page.setdefault(where.model_page(model.name), []).append(model)
    groups = []
    pages: dict[str, SchemasPage] = {}
    for tag in api.tags:
        page = f"schemas-{where.pages[tag.name].removesuffix('.md')}.md"
        models = by_page.get(page, [])
        if not models:
            continue
        title = f"{where.titles[tag.name]}: schemas"
        pages[page] = SchemasPage(
            title=title,
            intro_md=(
                f"The shapes the {link(where.titles[tag.name], where.pages[tag.name])} "
                f"operations of the {link(api.title, INDEX)} are the first to use; every "
                f"shape of the API is listed in {link('Schemas', SCHEMAS)}. Property names "
                "are as they travel on the wire."
            ),
            groups=(),
            models=tuple(model_section(m, where) for m in models),
        )
        groups.append(_group(md(where.titles[tag.name]), link(title, page), models, where))
    rest = by_page.get(SCHEMAS, [])
    pages[SCHEMAS] = SchemasPage(
        title="Schemas",
        intro_md=(
            f"The named request and response shapes of the {link(api.title, INDEX)}, on a page "
            "per tag: each shape is on the page of the first tag whose operations use it, in "
            "the order the spec defines them."
        ),
        groups=tuple(groups),
        models=tuple(model_section(m, where) for m in rest),
        rest=_group("Other shapes", "below", rest, where) if rest and groups else None,
    )
    return pages


def _group(title_md: str, link_md: str, models: Sequence[Model], where: Names) -> SchemaGroup:
    rows = ((where.model_link(m.name), first_sentence(m.description)) for m in models)
    return SchemaGroup(title_md, link_md, table(("schema", "description"), rows))


# -- quickstart.md ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    title: str
    text_md: str
    blocks: tuple[CodeBlock, ...]
    after_md: str = ""


@dataclass(frozen=True)
class QuickstartPage:
    title: str
    intro_md: str
    steps: tuple[Step, ...]


# The credentials the quick start gives the mock server, and the client, by scheme kind.
GOOD = {
    "app_key": "app-key",
    "app_secret": "app-secret",
    "api_secret": "api-secret",
    "token": "test-token",
    "api_key": "api-key",
    "username": "user",
    "password": "password",
}


def _credentials(api: Api) -> tuple[list[str], list[tuple[str, str]], str | None]:
    """(the `chatforge serve` options, the client's credential arguments, the argument a
    wrong value of which the mock refuses), for the schemes the mock server can check."""
    auths = auth_params(api)
    kinds = {scheme.kind for scheme in api.security}
    args: list[tuple[str, str]] = []
    for auth in auths:
        for name in auth.shown:
            base = next((k for k in GOOD if name.endswith(k)), "token")
            args.append((name, GOOD[base]))
    options: list[str] = []
    wrong: str | None = None
    signed = [(a, v) for a, v in args if a.endswith(("app_key", "api_key"))]
    secret = [a for a, _ in args if a.endswith(("app_secret", "api_secret"))]
    if kinds & {"signature", "jwt"} and secret:
        key = signed[0][1] if signed else "api-key"
        options = ["--key", key, "--secret", GOOD["api_secret" if "jwt" in kinds else "app_secret"]]
        wrong = secret[0]
        if "jwt" in kinds and not signed:
            options[1] = "api-key"
    elif "bearer" in kinds:
        bearer = [a for a, _ in args if a.endswith("token")]
        if bearer:
            options, wrong = ["--token", GOOD["token"]], bearer[0]
    return options, args, wrong


def first_call(api: Api) -> tuple[Tag, Operation] | None:
    """The call a quick start makes first: a JSON-answering operation with the fewest
    arguments, reads before writes, earliest in the spec."""
    found = [
        (index, tag, op)
        for index, (tag, op) in enumerate((t, o) for t in api.tags for o in t.operations)
        if op.success.kind == "json" and not op.deprecated
    ]
    if not found:
        return None
    _, tag, op = min(
        found,
        key=lambda item: (
            len(example_args(item[2], item[2].functions[0])),
            item[2].method != "GET",
            item[0],
        ),
    )
    return tag, op


def quickstart_page(api: Api, where: Names) -> QuickstartPage:
    package = api.client_package
    options, args, wrong = _credentials(api)
    creds = ", ".join(f'{name}="{value}"' for name, value in args)
    made = f"{creds}, " if creds else ""
    serve = " ".join(["chatforge serve", api.slug, "--mock", *options])
    call = first_call(api)
    if call is not None:
        tag, op = call
        imports, lines = example_call(tag, op, op.functions[0])
        first = code_block("\n".join([*imports, *lines, "print(result)"]))
        bad_call = "\n".join(
            f"    {line}" for line in example_call(tag, op, op.functions[0])[1]
        ).replace("result = ", "")
        about = (
            f"{link(op.summary or op.operation_id, where.operation_link(op))}, "
            f"{code(f'{op.method} {op.path}')}:"
        )
    else:
        first, bad_call, about = code_block("print(client)"), "    ...", "any operation:"
    error_class = "AuthenticationError" if wrong else "APIStatusError"
    bad_args = ", ".join(
        f'{name}="wrong"' if name == wrong else f'{name}="{value}"' for name, value in args
    )
    bad_made = f"{bad_args}, " if bad_args else ""
    handle = code_block(
        "\n".join(
            [
                f"from {package} import APIConnectionError, APIStatusError, {error_class}"
                if error_class != "APIStatusError"
                else f"from {package} import APIConnectionError, APIStatusError",
                "",
                f'with Client({bad_made}base_url="{MOCK_URL}") as bad:',
                "    try:",
                bad_call.replace("\n", "\n    ").replace("    client.", "        bad.", 1)
                if bad_call.strip() != "..."
                else "        ...",
                f"    except {error_class} as error:",
                "        print(error.status_code, error.code, error.message)",
                "    except APIStatusError as error:  # any other error status",
                "        print(error.status_code, error.body)",
                "    except APIConnectionError:  # no answer: host down, timeout",
                "        raise",
            ]
        )
    )
    folder = f"generated/{api.slug}/client"
    steps = (
        Step(
            "Install or vendor the client",
            f"The client is one folder, {code(f'{folder}/{package}/')} in the repository, that "
            "needs only httpx and pydantic. Copy it into your project, or put its parent on "
            f"{code('sys.path')}; `chatforge generate {api.slug} --target client --out DIR` "
            "writes it anywhere else.",
            (
                code_block(
                    f"pip install httpx pydantic\ncp -r {folder}/{package} your_project/", "sh"
                ),
            ),
        ),
        Step(
            "Start the mock server",
            "To try the calls without an account, run the generated server in mock mode on "
            "your machine. It answers every operation with the spec's examples"
            + (", and checks the credentials as the vendor does:" if options else ":"),
            (code_block(serve, "sh"),),
            "Leave it out and use the vendor's host (the default) once you have credentials.",
        ),
        Step(
            "Make a client",
            "One client serves every call; close it when done (or use `with`). "
            "`AsyncClient` takes the same arguments.",
            (
                code_block(
                    f'from {package} import Client\n\nclient = Client({made}base_url="{MOCK_URL}")'
                ),
            ),
        ),
        Step("Make a first call", f"Call {about}", (first,)),
        Step(
            "Handle an error",
            "Every error status raises a subclass of `APIStatusError`, which carries the "
            "status, the vendor's code and message and the raw body"
            + (
                "; here the mock refuses a wrong credential:"
                if wrong
                else "; catch the one you expect first:"
            ),
            (handle,),
            f"Done with the client: `client.close()`. Next: the {link('reference', INDEX)}, or "
            f"the {link('explorer', EXPLORER)} to send requests from the browser.",
        ),
    )
    return QuickstartPage(
        title=f"Quick start: {api.title}",
        intro_md="From nothing to a first call and a handled error in five steps. Every "
        "code block on this page runs as it is against the mock server (the docs tests run "
        "them).",
        steps=steps,
    )


# -- explorer.md --------------------------------------------------------------------------------


def explorer_page(api: Api) -> str:
    serve = code(f"chatforge serve {api.slug} --mock")
    return (
        f"# Explorer: {md(api.title)}\n\n"
        "Every operation of the spec, with a form to fill in and send. Requests go by default "
        f"to the mock server on your machine, {code(MOCK_URL)}: start it with {serve}. Pick "
        "the vendor's host in the list of servers to send real requests. The explorer (Swagger "
        "UI) is part of this site and fetches nothing from elsewhere.\n\n"
        '<div class="chatforge-explorer" data-spec="../openapi.json"></div>\n'
    )


# -- maintainers.md -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MaintainersPage:
    title: str
    intro_md: str
    source_md: str
    curation_md: tuple[str, ...]
    assumed: tuple[Item, ...]
    functions: Table
    aliases: Table | None


def is_curation(paragraph: str) -> bool:
    """A paragraph of a description that tells how the spec was made from its sources."""
    first = re.split(r"(?<=[.!?:])\s", one_line(paragraph), maxsplit=1)[0]
    return bool(re.search(r"\b(source document|this spec|the document|SDK)\b", first, re.I))


def split_paragraphs(text: str) -> tuple[list[str], list[str]]:
    """The paragraphs of a description (spec text) for the API's users, and for maintainers:
    a curation paragraph, and a list after it that it introduces, go to maintainers."""
    users: list[str] = []
    curation: list[str] = []
    moving = False
    for paragraph in re.split(r"\n\s*\n", normalise(text).strip()):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        is_list = bool(lines) and all(_BULLET.match(line) for line in lines)
        if is_curation(paragraph) or (moving and is_list):
            curation.append(paragraph)
            moving = one_line(paragraph).endswith(":") or is_list
        else:
            users.append(paragraph)
            moving = False
    return users, curation


def split_description(text: str) -> tuple[str, str]:
    """`split_paragraphs`, as Markdown."""
    users, curation = split_paragraphs(text)
    return prose("\n\n".join(users)), prose("\n\n".join(curation))


def maintainers_page(api: Api, where: Names) -> MaintainersPage:
    _, curation = split_description(api.description)
    assumed = [Item(sentence(text)) for text in api.assumed]
    for server in api.servers:
        if server.assumed:
            assumed.append(Item(f"Host {code(server.url)}: {sentence(server.assumed)}"))
    answers: dict[str, dict[str, list[str]]] = {}  # assumption -> operation link -> statuses
    for op in api.operations:
        for r in op.responses:
            if r.assumed:
                target = link(op.summary or op.operation_id, where.operation_link(op))
                answers.setdefault(r.assumed, {}).setdefault(target, []).append(code(r.status))
    for text, found in answers.items():
        where_md = ", ".join(f"{target} ({', '.join(codes)})" for target, codes in found.items())
        assumed.append(Item(f"{sentence(text)} Answers: {where_md}."))
    for model in api.models:
        if model.assumed:
            assumed.append(Item(f"{where.model_link(model.name)}: {sentence(model.assumed)}"))
    rows = []
    for tag in api.tags:
        names = ResourceNames(tag)
        for op in tag.operations:
            for function in op.functions:
                rows.append(
                    (
                        str(function.row) if function.row is not None else "",
                        md(function.title),
                        link(op.summary or op.operation_id, where.operation_link(op)),
                        code(f"{op.method} {function.path or op.path}"),
                        code(f"client.{tag.py}.{names.method(op, function)}()"),
                    )
                )
    aliases = [
        (
            link(op.summary or op.operation_id, where.operation_link(op)),
            code(op.path),
            ", ".join(code(a) for a in op.aliases),
        )
        for op in api.operations
        if op.aliases
    ]
    return MaintainersPage(
        title=f"For maintainers: {api.title}",
        intro_md=(
            "How this reference traces back to the vendor's documents: the source, what the "
            "spec corrects or assumes, and the documented function behind every client method. "
            "Callers of the API need none of it."
        ),
        source_md=source_md(api),
        curation_md=tuple(p for p in curation.split("\n\n") if p),
        assumed=tuple(assumed),
        functions=table(
            ("row", "documented function", "operation", "route", "client method"), rows
        ),
        aliases=(
            table(("operation", "live path", "paths the source document gives"), aliases)
            if aliases
            else None
        ),
    )


# -- rendering ----------------------------------------------------------------------------------


def short_title(api: Api) -> str:
    """The API's name in a navigation tab: the first word of its title."""
    words = one_line(api.title).split()
    return words[0] if words else api.slug


def nav(api: Api, where: Names, schemas: Mapping[str, SchemasPage]) -> str:
    """The site's navigation for this API, in the order a reader wants it. Titles are HTML
    text (escaped), since the site's theme prints them as they are."""

    def text(title: str) -> str:
        return html.escape(one_line(title))

    tree = {
        "short": text(short_title(api)),
        "spec": api.spec_file,
        "pages": [
            ["Overview", INDEX],
            ["Quick start", QUICKSTART],
            ["Explorer", EXPLORER],
            [
                "Reference",
                [[text(where.titles[tag.name]), where.pages[tag.name]] for tag in api.tags],
            ],
            *events.nav_entry(api),
            [
                "Schemas",
                [["All schemas", SCHEMAS]]
                + [
                    [text(page.title.removesuffix(": schemas")), name]
                    for name, page in schemas.items()
                    if name != SCHEMAS
                ],
            ],
            ["For maintainers", MAINTAINERS],
        ],
    }
    return json.dumps(tree, indent=2, ensure_ascii=False) + "\n"


def tidy(text: str) -> str:
    """LF line ends, no trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n") + "\n"


def render(api: Api) -> Files:
    where = names(api)
    files: Files = {INDEX: tidy(render_template("docs/index.md.j2", page=index_page(api, where)))}
    files[QUICKSTART] = tidy(
        render_template("docs/quickstart.md.j2", page=quickstart_page(api, where))
    )
    files[EXPLORER] = tidy(explorer_page(api))
    for tag in api.tags:
        page = tag_page(api, tag, where)
        files[where.pages[tag.name]] = tidy(render_template("docs/tag.md.j2", page=page))
    schemas = schema_pages(api, where)
    for name, schema_page in schemas.items():
        files[name] = tidy(render_template("docs/schemas.md.j2", page=schema_page))
    files[MAINTAINERS] = tidy(
        render_template("docs/maintainers.md.j2", page=maintainers_page(api, where))
    )
    files.update(events.render(api))
    files[NAV] = nav(api, where, schemas)
    return files
