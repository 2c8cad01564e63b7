"""The overview of an API (`index.md`): its hosts, authentication, rate limits, errors,
pagination and tags."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from chatforge.ir.calls import EXAMPLE_SECRET
from chatforge.ir.model import (
    Api,
    Credential,
    Operation,
    SecurityScheme,
    Server,
    Tag,
)
from chatforge.targets.docs.examples import example_call
from chatforge.targets.docs.maintainers import split_description
from chatforge.targets.docs.places import (
    EXPLORER,
    MAINTAINERS,
    QUICKSTART,
    SCHEMAS,
    Names,
    scheme_anchor,
)
from chatforge.targets.docs.quickstart import first_call
from chatforge.targets.docs.view import (
    CodeBlock,
    Item,
    Table,
    code_block,
    rate_limit_md,
    table,
)
from chatforge.targets.text import (
    code,
    md,
    md_link,
    md_prose,
    md_sentence,
)


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


def host_item(server: Server) -> Item:
    text = code(server.url)
    if server.description:
        text += f": {md_sentence(server.description)}"
    items = []
    for variable in server.variables:
        parts = [md_sentence(variable.description)] if variable.description else []
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
        items.append(f"**Assumed:** {md_sentence(server.assumed)}")
    return Item(text, tuple(items))


def _signature_text(scheme: SecurityScheme, auth: Credential) -> str:
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


def scheme_text(scheme: SecurityScheme, auth: Credential) -> tuple[str, tuple[str, ...]]:
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
        secret, token = auth.arguments
        prefix = f", after {code(scheme.jwt.prefix)}" if scheme.jwt.prefix else ", with no prefix"
        how = (
            f"Send a {md(scheme.jwt.algorithm)} JSON Web Token in the {code(scheme.param)} "
            f"header{prefix}. "
            f"A server token carries the claims {code(scheme.jwt.server_claims_json)} and is "
            f"signed with the API secret. The generated client mints it when given "
            f'`{secret}=`: `Client({secret}="...")`, or sends a token you give as `{token}=`.'
        )
        if auth.example_token is not None:
            how += (
                f" For example, with the secret `{EXAMPLE_SECRET}`, the server token (header "
                '`{"alg":"HS256","typ":"JWT"}`, those claims, then the HMAC-SHA256 of both with '
                f"the secret, each part base64url without padding) is "
                f"`{auth.example_token}`."
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
        paragraphs.insert(0, md_prose(scheme.description))
    return kind, tuple(paragraphs)


def usage(api: Api) -> tuple[str, CodeBlock, tuple[str, ...]]:
    credentials = api.example_credentials
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
        f"{md_link('quick start', QUICKSTART)} runs one against the mock server.",
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
        (md_link(op.summary, where.operation_link(op)), rate_limit_md(op.rate_limit))
        for op in documented
    ]
    return text, table(("operation", "limit"), rows)


def client_methods_md(tag: Tag, op: Operation) -> str:
    names = tag.names
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


# What each kind of failure a generated server answers means; its status and the exception the
# generated client raises for it are the IR's (`Api.failures`).
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
    rows = [
        (
            FAILURES[failure.kind],
            code(str(failure.status)),
            code(json.dumps(failure.vendor_code)) if failure.vendor_code is not None else "",
            code(failure.exception),
        )
        for failure in api.failures
    ]
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
            iterator = tag.names.iterator(op, op.functions[0])
            turned = {
                "page": pages.page,
                "offset": pages.offset,
                "cursor": pages.cursor,
                "token": pages.cursor,
            }[pages.style]
            arguments = [a for a in (turned, pages.size) if a]
            rows.append(
                (
                    md_link(op.summary or op.operation_id, where.operation_link(op)),
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


def tags_table(api: Api, where: Names) -> Table:
    """Each tag: its page, its description and how many operations it has."""
    return table(
        ("tag", "description", "operations"),
        (
            (
                md_link(where.titles[tag.name], where.pages[tag.name]),
                md_sentence(tag.description),
                str(len(tag.operations)),
            )
            for tag in api.tags
        ),
    )


def operations_table(api: Api, where: Names) -> Table:
    """Each operation: its method, path, linked summary and client methods."""
    return table(
        ("method", "path", "summary", "client method"),
        (
            (
                code(op.method),
                code(op.path),
                md_link(op.summary, where.operation_link(op)),
                client_methods_md(tag, op),
            )
            for tag in api.tags
            for op in tag.operations
        ),
    )


def index_page(api: Api, where: Names) -> IndexPage:
    intro, snippet, notes = usage(api)
    schemes = []
    for scheme, auth in zip(api.security, api.credentials, strict=True):
        kind, paragraphs = scheme_text(scheme, auth)
        schemes.append(Scheme(scheme.name, scheme_anchor(where, scheme.name), kind, paragraphs))
    limits_md, limits = rate_limits(api, where)
    errors_text, errors_table = errors_section(api)
    pagination_text, pagination_table = pagination_section(api, where)
    return IndexPage(
        title=api.title,
        description_md=split_description(api.description)[0],
        source_md=(
            f"**Start here:** {md_link('Quick start', QUICKSTART)} (a first call in five steps), "
            f"{md_link('Explorer', EXPLORER)} (send requests from the browser), "
            f"{md_link('Schemas', SCHEMAS)}. How the spec traces back to the vendor's documents: "
            f"{md_link('For maintainers', MAINTAINERS)}."
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
        tags=tags_table(api, where),
        operations=operations_table(api, where),
        schemas_md="",
    )
