"""The httpx client target: a self-contained package per API, sync and async."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, replace
from string import Formatter

from chatforge import naming, reserved
from chatforge.ir.model import (
    Api,
    Credential,
    Field,
    Function,
    Operation,
    Pagination,
    SecurityScheme,
    Tag,
)
from chatforge.ir.schemas import literal, tuple_literal
from chatforge.targets import Files, _webhooks
from chatforge.targets._common import (
    Import,
    all_body_fields,
    export_order,
    imports,
    runtime_files,
    styles,
)
from chatforge.targets.modelgen import deferred, plain_types
from chatforge.targets.templating import header
from chatforge.targets.templating import render as render_text
from chatforge.targets.text import is_identifier, pystr


@dataclass(frozen=True)
class Arg:
    py: str
    annotation: str
    default: str | None  # None: required


@dataclass(frozen=True)
class Method:
    name: str
    summary: str
    description: str
    title: str  # the documented function's title
    arg_docs: tuple[tuple[str, str], ...]
    args: tuple[Arg, ...]
    returns: str
    cast_to: str
    endpoint: str
    path: tuple[tuple[str, str], ...]  # (wire name, expression)
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    cookies: tuple[tuple[str, str], ...]
    body: str | None  # the expression sent as the body
    deprecated: bool
    # An iterator over a list operation's items: the method it pages through, and its Paging.
    pages: str | None = None
    paging: str | None = None
    call: str = "request"  # the runtime method: request, or download for a download method

    @property
    def arguments(self) -> tuple[tuple[str, str], ...]:
        """(name, name) of every argument: the keyword arguments passed on unchanged."""
        return tuple((arg.py, arg.py) for arg in self.args)


@dataclass(frozen=True)
class EndpointConst:
    name: str
    method: str
    path: str
    body: str | None
    styles: tuple[tuple[str, str], ...]
    limit: str | None = None  # `(requests, seconds)` of the documented rate limit
    group: str | None = None  # the shared limit's group, as a Python string literal
    media: str | None = None  # the Content-Type of a text or raw body


PERIOD_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


def limit_of(op: Operation) -> tuple[str | None, str | None]:
    """The documented rate limit as Endpoint arguments, where there is one."""
    limit = op.rate_limit
    if limit is None or not limit.documented or not limit.requests or limit.period is None:
        return None, None
    seconds = PERIOD_SECONDS.get(limit.period)
    if seconds is None:
        return None, None
    group = pystr(limit.group) if limit.group else None
    return f"({limit.requests}, {seconds})", group


@dataclass(frozen=True)
class ResourceModule:
    tag: Tag
    endpoints: tuple[EndpointConst, ...]
    methods: tuple[Method, ...]
    imports: tuple[Import, ...]
    pagings: tuple[tuple[str, str], ...] = ()  # (constant, Paging(...) expression)

    @property
    def about(self) -> str:
        """What the group does: the tag's description."""
        return self.tag.description or f"The operations tagged {self.tag.name}."


def returns(op: Operation, aliases: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(return annotation, cast_to expression) of an operation's success response; a model
    that is a type alias rather than a class is parsed through `As`."""
    if op.success.kind == "binary":
        return "bytes", "bytes"
    if op.success.kind == "empty" or op.success.model is None:
        return "None", "NoneType"
    model = op.success.model
    return model, f"As[{model}]({model})" if model in aliases else model


def _arg(field: Field) -> Arg:
    if field.required:
        return Arg(field.py, field.type.client, None)
    if _plain_default(field.default_repr):
        return Arg(field.py, f"{field.type.client} | NotGiven", f"DEFAULT[{field.default_repr}]")
    return Arg(field.py, f"{field.type.client} | NotGiven", "NOT_GIVEN")


def _plain_default(text: str | None) -> bool:
    """Whether a documented default is a string, number or boolean literal, which the argument
    shows as its default (`DEFAULT[20]`: left out of the request like NOT_GIVEN, so the service
    applies it, while a value the caller gives is sent)."""
    if text is None:
        return False
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, str | int | float) and not (
        isinstance(value, float) and value != value
    )


def method(
    op: Operation, function: Function, endpoint: str, aliases: frozenset[str] = frozenset()
) -> Method:
    ordered = sorted(function.fields, key=lambda f: not f.required)
    body_fields = [f for f in function.body_fields if f.location == "body"]
    body = None
    if op.body is not None:
        whole = next((f for f in body_fields if f.wire == ""), None)
        if whole is not None:
            body = whole.py
        else:
            pairs = (
                f"{pystr(f.wire)}: {f.const_repr if f.const_repr is not None else f.py}"
                for f in body_fields
            )
            body = "{" + ", ".join(pairs) + "}"
    ret, cast_to = returns(op, aliases)
    return Method(
        name=function.method,
        summary=op.summary if not op.shared else function.title,
        description=op.description,
        title=function.title,
        arg_docs=tuple((f.py, f.description) for f in ordered if f.description),
        args=tuple(_arg(f) for f in ordered),
        returns=ret,
        cast_to=cast_to,
        endpoint=endpoint,
        path=tuple((f.wire, f.py) for f in op.path_params),
        query=tuple((f.wire, f.py) for f in op.query_params),
        headers=tuple((f.wire, f.py) for f in op.header_params),
        cookies=tuple((f.wire, f.py) for f in op.cookie_params),
        body=body,
        deprecated=op.deprecated,
    )


def paging_expression(paging: Pagination) -> str:
    parts = [pystr(paging.style), f"items={tuple_literal(paging.items)}"]
    for name in ("page", "size", "offset", "cursor", "next"):
        value = getattr(paging, name)
        if value:
            parts.append(f"{name}={tuple_literal(value)}")
    return f"Paging({', '.join(parts)})"


def iterator(paged: Method, name: str, paging: str, pagination: Pagination) -> Method:
    """`iter_<method>`: the same arguments, every item of every page."""
    return replace(
        paged,
        name=name,
        summary=f"Every item of `{paged.name}`, page after page.",
        description="Pages are fetched as the iteration reaches them; the arguments are those "
        f"of `{paged.name}`, the first page's.",
        returns=pagination.item_type,
        pages=paged.name,
        paging=paging,
    )


def to_file(download: Method, name: str) -> Method:
    """A download method: the binary answer streamed to a file instead of held in memory."""
    return replace(
        download,
        name=name,
        summary=f"`{download.name}`, streamed to a file.",
        description="The answer is written beside `destination` and moved onto it once complete; "
        "returns the path.",
        arg_docs=(("destination", "Where to write the file."), *download.arg_docs),
        args=(Arg("destination", "str | PathLike[str]", None), *download.args),
        returns="Path",
        cast_to="destination",
        call="download",
    )


def sent_media(op: Operation) -> str | None:
    """The Content-Type a client sends with a text or raw body: the spec's media type, UTF-8
    text where it names no charset, `application/octet-stream` for a wildcard (`*/*`)."""
    body = op.body
    if body is None or body.kind not in ("text", "raw"):
        return None
    media = body.media_type
    if "*" in media:
        return "text/plain; charset=utf-8" if body.kind == "text" else "application/octet-stream"
    if body.kind == "text" and "charset" not in media.lower():
        return f"{media}; charset=utf-8"
    return media


def resource(tag: Tag, aliases: frozenset[str] = frozenset()) -> ResourceModule:
    names = tag.names
    endpoints: list[EndpointConst] = []
    methods: list[Method] = []
    pagings: dict[str, str] = {}  # constant name -> its Paging(...) expression
    needed: list[str] = []
    for op in tag.operations:
        fields = [*op.parameters, *all_body_fields(op)]
        quoted = tuple((wire, json.dumps(style)) for wire, style in styles(fields))
        kind = op.body.kind if op.body else None
        for function in op.functions:
            path = function.path if function.path and function.path != op.path else op.path
            endpoint = names.endpoint(op, path)
            if all(known.name != endpoint for known in endpoints):
                endpoints.append(
                    EndpointConst(
                        endpoint, op.method, path, kind, quoted, *limit_of(op), sent_media(op)
                    )
                )
            built = replace(
                method(op, function, endpoint, aliases), name=names.method(op, function)
            )
            methods.append(built)
            if op.success.kind == "binary":
                methods.append(to_file(built, names.to_file(op, function)))
                needed.extend(["os:PathLike", "pathlib:Path"])
            if op.pagination is not None:
                paging = names.paging(op)
                pagings[paging] = paging_expression(op.pagination)
                methods.append(iterator(built, names.iterator(op, function), paging, op.pagination))
                needed.extend(op.pagination.item_imports)
                needed.extend(
                    [
                        "collections.abc:Iterator",
                        "collections.abc:AsyncIterator",
                        "_pagination:Paging",
                        "_pagination:iterate",
                        "_pagination:iterate_async",
                    ]
                )
            for field in function.fields:
                needed.extend(field.type.client_imports)
                needed.extend(f"models:{m}" for m in field.type.models)
                if not field.required:
                    needed.extend(["_types:NOT_GIVEN", "_types:NotGiven"])
                    if _plain_default(field.default_repr):
                        needed.append("_types:DEFAULT")
            if built.returns == "None":
                needed.append("types:NoneType")
            elif built.returns != "bytes":
                needed.append(f"models:{built.returns}")
                if built.returns in aliases:
                    needed.append("_base:As")
    needed.extend(
        [
            "typing:Unpack",
            "_types:RequestOptions",
            "_types:check_options",
            "_base:Endpoint",
            "_base:SyncResource",
            "_base:AsyncResource",
            "runtime:_raw",
        ]
    )
    needed = [("_types:FileInput" if pair == "_runtime:FileInput" else pair) for pair in needed]
    local = {
        "models": "..models",
        "_types": ".._runtime._types",
        "_base": ".._runtime._base",
        "_pagination": ".._runtime._pagination",
        "runtime": ".._runtime",
    }
    return ResourceModule(
        tag, tuple(endpoints), tuple(methods), imports(needed, local), tuple(pagings.items())
    )


def render(api: Api, models: str) -> Files:
    """The client package; `models` is the API's models module (`modelgen.models_module`)."""
    package = api.client_package
    models = plain_types(models)
    aliases = frozenset(re.findall(r"^(\w+) = TypeAliasType\(", models, re.MULTILINE))
    modules = [resource(tag, aliases) for tag in api.tags]
    files: Files = {
        f"{package}/__init__.py": render_template("client/init.py.j2", api, modules),
        f"{package}/_client.py": render_template("client/client.py.j2", api, modules),
        f"{package}/resources/__init__.py": render_template(
            "client/resources_init.py.j2", api, modules
        ),
        f"{package}/models.py": deferred(api, models),
        f"{package}/py.typed": "",
    }
    for module in modules:
        files[f"{package}/resources/{module.tag.py}.py"] = render_text(
            "client/resource.py.j2", api=api, module=module, header=header(api, "Client")
        )
    files.update(runtime_files("client", package))
    hooks = _webhooks.view(api)
    if hooks is not None:
        files[f"{package}/webhooks.py"] = render_text(
            "client/webhooks.py.j2", api=api, view=hooks, header=header(api, "Client")
        )
        files.update(_webhooks.runtime(package, server=False))
    files[f"{package}/_runtime/__init__.py"] = (
        '"""The hand-written core of this client, copied from chatforge as it is."""\n'
    )
    return files


SECRET = "str | Callable[[], str]"


@dataclass(frozen=True)
class AuthArg:
    """What one security scheme adds to the Client: its arguments and its httpx auth."""

    args: tuple[tuple[str, str], ...]  # (argument, annotation with its default)
    expr: str  # the httpx auth built from the arguments
    cls: str  # the runtime class that expression uses
    query: tuple[str, str] | None = None  # (parameter, argument) of a key sent in the query


def _scheme_auth(scheme: SecurityScheme, credential: Credential) -> AuthArg:
    """What one scheme adds, with the argument names the IR gave its credential."""
    optional = credential.optional
    default = " | None = None" if optional else ""
    if scheme.kind == "signature" and scheme.signature is not None:
        sig = scheme.signature
        key, secret = credential.arguments
        options = ", ".join(
            [
                f"app_key_header={pystr(sig.app_key_header)}",
                f"nonce_header={pystr(sig.nonce_header)}",
                f"timestamp_header={pystr(sig.timestamp_header)}",
                f"signature_header={pystr(scheme.param)}",
                f"milliseconds={sig.milliseconds}",
                f"signed={tuple_literal(sig.signed)}",
                f"algorithm={pystr(sig.algorithm)}",
            ]
        )
        expr = f"SignatureAuth({key}, {secret}, {options})"
        if optional:
            expr = f"{expr} if {key} is not None and {secret} is not None else None"
        args = ((key, f"str{default}"), (secret, f"{SECRET}{default}"))
        return AuthArg(args, expr, "SignatureAuth")
    if scheme.kind == "jwt" and scheme.jwt is not None:
        secret, token = credential.arguments
        claims = literal(json.loads(scheme.jwt.server_claims_json))
        expr = (
            f"JWTAuth(secret={secret}, token={token}, header={pystr(scheme.param)}, "
            f"prefix={pystr(scheme.jwt.prefix)}, server_claims={claims})"
        )
        if optional:
            expr = f"{expr} if {secret} is not None or {token} is not None else None"
        args = ((secret, f"{SECRET} | None = None"), (token, f"{SECRET} | None = None"))
        return AuthArg(args, expr, "JWTAuth")
    if scheme.kind == "fixed":
        expr = f"FixedHeader({pystr(scheme.param)}, {pystr(scheme.value or '')})"
        return AuthArg((), expr, "FixedHeader")
    arg = credential.arg
    if scheme.kind == "bearer":
        cls, expr = "BearerAuth", f"BearerAuth({arg})"
    elif scheme.kind == "api_key" and scheme.location == "query":
        # Added to the query string as it is built, not by an auth flow re-parsing the URL.
        return AuthArg(((arg, f"{SECRET}{default}"),), "", "", credential.query)
    elif scheme.kind == "api_key":
        cls = "ApiKeyAuth"
        expr = f"ApiKeyAuth({arg}, {pystr(scheme.param)}, {pystr(scheme.location)})"
    else:
        cls, expr = "BasicAuth", f"BasicAuth(username, {arg})"
    if optional:
        expr = f"{expr} if {arg} is not None else None"
    return AuthArg(((arg, f"{SECRET}{default}"),), expr, cls)


def auth_params(api: Api) -> tuple[AuthArg, ...]:
    """What the Client takes for each security scheme, in the names of the IR's credentials."""
    return tuple(_scheme_auth(s, c) for s, c in zip(api.security, api.credentials, strict=True))


def host_variables(api: Api, auth: tuple[AuthArg, ...]) -> tuple[tuple[str, str, str], ...]:
    """(argument, default, variable) for each variable of the first server's URL; the client
    builds its base URL from them unless given `base_url`."""
    if not api.servers or not api.servers[0].variables:
        return ()
    server = api.servers[0]
    names = {variable.name for variable in server.variables}
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in Formatter().parse(server.url)]
    except ValueError:
        return ()
    if "{{" in server.url or "}}" in server.url:
        return ()
    for name, spec, conv in fields:
        if name is not None and (name not in names or spec or conv):
            return ()  # `str.format` would read more than a variable's name into the field
    taken = {arg for a in auth for arg, _ in a.args} | reserved.CLIENT_ARGUMENTS
    result = []
    for variable in server.variables:
        if not is_identifier(variable.name):
            return ()  # `str.format` could not name it; base_url is the way in
        argument = reserved.unique(naming.identifier(variable.name), taken)
        result.append((argument, variable.default, variable.name))
    return tuple(result)


def auth_expression(auth: tuple[AuthArg, ...]) -> str:
    flows = [a for a in auth if a.expr]
    if not flows:
        return "None"
    if len(flows) == 1 and len(auth) == 1:
        return flows[0].expr
    return "MultiAuth(" + ", ".join(a.expr for a in flows) + ")"


def query_credentials(auth: tuple[AuthArg, ...], optional: bool) -> str | None:
    """The `query_credentials=` expression: keys the client adds to every query string."""
    pairs = [a.query for a in auth if a.query]
    if not pairs:
        return None
    if not optional:
        return "{" + ", ".join(f"{pystr(param)}: {arg}" for param, arg in pairs) + "}"
    items = ", ".join(f"({pystr(param)}, {arg})" for param, arg in pairs)
    return f"{{name: value for name, value in ({items},) if value is not None}}"


# What each credential argument is, by the name its scheme gives it (perhaps after a prefix).
_CREDENTIALS = (
    ("app_key", "The app key the vendor issued, sent with every request."),
    (
        "app_secret",
        "The app secret, or a function returning it: it signs every request and is never sent.",
    ),
    (
        "api_secret",
        "The API secret, or a function returning it: the client signs a server token with it.",
    ),
    (
        "token",
        "The token, or a function asked for it before every request (for tokens that expire).",
    ),
    ("api_key", "The API key, or a function returning it."),
    ("password", "The password, or a function returning it."),
)


def init_docs(api: Api, auth: tuple[AuthArg, ...]) -> tuple[tuple[str, str], ...]:
    """(argument, description) of every argument of the Client, in the signature's order."""
    docs: list[tuple[str, str]] = []
    alternatives = len(api.security) > 1 and not api.security_all
    for arg, _annotation in sorted(
        (pair for a in auth for pair in a.args), key=lambda pair: "= None" in pair[1]
    ):
        text = next(
            (t for suffix, t in _CREDENTIALS if arg.rstrip("_").endswith(suffix)),
            "A credential.",
        )
        if alternatives:
            text += " Give the credentials of the scheme to use."
        docs.append((arg, text))
    if any(s.kind == "basic" for s in api.security):
        docs.append(("username", "The user name for HTTP Basic authentication."))
    variables = {v.name: v for s in api.servers[:1] for v in s.variables}
    hosts = host_variables(api, auth)
    for py, default, wire in hosts:
        variable = variables[wire]
        text = variable.description or f"The `{wire}` part of the host."
        docs.append((py, f"{text} Default: `{default}`."))
    if hosts:
        base = "The API's address, instead of the one built from the arguments above."
    else:
        base = f"The API's address; by default `{api.default_url}`."
    docs += [
        ("base_url", base),
        ("timeout", "Seconds to wait for each request, unless a call passes its own `timeout`."),
        ("headers", "Headers to send with every request."),
        (
            "transport",
            "An httpx transport to send requests through, in place of the network "
            "(for tests and proxies).",
        ),
        (
            "max_retries",
            "How many times to retry a failed request (connection errors, 408, "
            "429, and 5xx for idempotent methods), unless a call passes its own `max_retries`.",
        ),
        (
            "rate_limit",
            "Space calls to the vendor's documented rate limits, so that a bulk job "
            "waits instead of collecting 429s.",
        ),
    ]
    if any(s.backup for s in api.servers):
        docs.append(
            (
                "backup_url",
                "The host to fail over to on connection errors and 5xx "
                "answers; by default the spec's backup of the primary host.",
            )
        )
    return tuple(docs)


def render_template(name: str, api: Api, modules: list[ResourceModule]) -> str:
    auth = auth_params(api)
    expression = auth_expression(auth)
    classes = sorted(
        {a.cls for a in auth if a.cls} | ({"MultiAuth"} if "MultiAuth(" in expression else set())
    )
    exports = export_order(
        name for m in modules for name in (m.tag.resource, f"Async{m.tag.resource}")
    )
    return render_text(
        name,
        api=api,
        init_docs=init_docs(api, auth),
        modules=modules,
        exports=exports,
        header=header(api, "Client"),
        auth=auth,
        auth_arguments=sorted(
            (pair for a in auth for pair in a.args), key=lambda pair: "= None" in pair[1]
        ),
        auth_expression=expression,
        query_credentials=query_credentials(auth, len(api.security) > 1 and not api.security_all),
        auth_classes=classes,
        secrets=any(SECRET in annotation for a in auth for _, annotation in a.args),
        needs_username=any(s.kind == "basic" for s in api.security),
        example_credentials=api.example_credentials,
        host_variables=host_variables(api, auth),
        backups=tuple((s.default_url, s.backup) for s in api.servers if s.backup),
        envelope_codes=tuple_literal(api.envelope.success_codes) if api.envelope else "",
    )
