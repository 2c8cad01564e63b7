"""The httpx client target: a self-contained package per API, sync and async."""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator import naming
from generator.ir import Api, Field, Function, Operation, Tag
from generator.targets import Files
from generator.targets._common import (
    Import,
    all_body_fields,
    export_order,
    imports,
    runtime_files,
    styles,
)
from generator.targets.models import models_module
from generator.templates import header, pystr
from generator.templates import render as render_text


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
    body: tuple[tuple[str, str], ...] | None
    deprecated: bool


@dataclass(frozen=True)
class EndpointConst:
    name: str
    method: str
    path: str
    body: str | None
    styles: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ResourceModule:
    tag: Tag
    endpoints: tuple[EndpointConst, ...]
    methods: tuple[Method, ...]
    imports: tuple[Import, ...]


def returns(op: Operation) -> tuple[str, str]:
    """(return annotation, cast_to expression) of an operation's success response."""
    if op.success.kind == "binary":
        return "bytes", "bytes"
    if op.success.kind == "empty" or op.success.model is None:
        return "None", "type(None)"
    return op.success.model, op.success.model


def _arg(field: Field) -> Arg:
    if field.required:
        return Arg(field.py, field.type.client, None)
    return Arg(field.py, f"{field.type.client} | NotGiven", "NOT_GIVEN")


def method(op: Operation, function: Function, endpoint: str) -> Method:
    ordered = sorted(function.fields, key=lambda f: not f.required)
    body_fields = [f for f in function.body_fields if f.location == "body"]
    body = None
    if op.body is not None:
        body = tuple(
            (f.wire, f.const_repr if f.const_repr is not None else f.py) for f in body_fields
        )
    ret, cast_to = returns(op)
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
        body=body,
        deprecated=op.deprecated,
    )


def resource(tag: Tag) -> ResourceModule:
    endpoints, methods = [], []
    needed: list[str] = []
    for op in tag.operations:
        const = f"_{op.py.upper()}"
        fields = [*op.parameters, *all_body_fields(op)]
        quoted = tuple((wire, json.dumps(style)) for wire, style in styles(fields))
        endpoints.append(
            EndpointConst(const, op.method, op.path, op.body.kind if op.body else None, quoted)
        )
        for function in op.functions:
            built = method(op, function, const)
            methods.append(built)
            for field in function.fields:
                needed.extend(field.type.client_imports)
                needed.extend(f"models:{m}" for m in field.type.models)
                if not field.required:
                    needed.extend(["_types:NOT_GIVEN", "_types:NotGiven"])
            if built.returns not in ("bytes", "None"):
                needed.append(f"models:{built.returns}")
    needed.extend(
        [
            "typing:Unpack",
            "_types:RequestOptions",
            "_base:Endpoint",
            "_base:SyncResource",
            "_base:AsyncResource",
        ]
    )
    needed = [("_types:FileInput" if pair == "_runtime:FileInput" else pair) for pair in needed]
    local = {"models": "..models", "_types": ".._runtime._types", "_base": ".._runtime._base"}
    return ResourceModule(tag, tuple(endpoints), tuple(methods), imports(needed, local))


def render(api: Api) -> Files:
    package = api.client_package
    modules = [resource(tag) for tag in api.tags]
    files: Files = {
        f"{package}/__init__.py": render_template("client/init.py.j2", api, modules),
        f"{package}/_client.py": render_template("client/client.py.j2", api, modules),
        f"{package}/resources/__init__.py": render_template(
            "client/resources_init.py.j2", api, modules
        ),
        f"{package}/models.py": models_module(api),
        f"{package}/py.typed": "",
    }
    for module in modules:
        files[f"{package}/resources/{module.tag.py}.py"] = render_text(
            "client/resource.py.j2", api=api, module=module, header=header(api, "Client")
        )
    files.update(runtime_files("client", package))
    files[f"{package}/_runtime/__init__.py"] = (
        '"""The hand-written core of this client, copied from chatforge as it is."""\n'
    )
    return files


@dataclass(frozen=True)
class AuthArg:
    arg: str  # the Client argument carrying the credential
    annotation: str  # with its default, when it has one
    expr: str  # the httpx auth built from it
    cls: str  # the runtime class that expression uses


def auth_params(api: Api) -> tuple[AuthArg, ...]:
    """One Client argument per security scheme. With several schemes each is optional, and
    the client applies those it is given."""
    several = len(api.security) > 1
    result = []
    for scheme in api.security:
        base = {"bearer": "token", "api_key": "api_key", "basic": "password"}[scheme.kind]
        arg = naming.identifier(f"{scheme.name}_{base}") if several else base
        if scheme.kind == "bearer":
            cls, expr = "BearerAuth", f"BearerAuth({arg})"
        elif scheme.kind == "api_key":
            cls = "ApiKeyAuth"
            expr = f"ApiKeyAuth({arg}, {pystr(scheme.param)}, {pystr(scheme.location)})"
        else:
            cls, expr = "BasicAuth", f"BasicAuth(username, {arg})"
        annotation = "str | Callable[[], str]"
        if several:
            annotation += " | None = None"
            expr = f"{expr} if {arg} is not None else None"
        result.append(AuthArg(arg, annotation, expr, cls))
    return tuple(result)


def auth_expression(auth: tuple[AuthArg, ...]) -> str:
    if not auth:
        return "None"
    if len(auth) == 1:
        return auth[0].expr
    return "MultiAuth(" + ", ".join(f"({a.expr})" for a in auth) + ")"


def render_template(name: str, api: Api, modules: list[ResourceModule]) -> str:
    auth = auth_params(api)
    classes = sorted({a.cls for a in auth} | ({"MultiAuth"} if len(auth) > 1 else set()))
    exports = export_order(name for m in modules for name in (m.tag.pascal, f"Async{m.tag.pascal}"))
    return render_text(
        name,
        api=api,
        modules=modules,
        exports=exports,
        header=header(api, "Client"),
        auth=auth,
        auth_expression=auth_expression(auth),
        auth_classes=classes,
        needs_username=any(s.kind == "basic" for s in api.security),
    )
