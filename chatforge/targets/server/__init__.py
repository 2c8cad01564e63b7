"""The FastAPI target: an app factory, a router and a handler base class per tag."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from chatforge.ir.model import Api, Constraint, Field, Operation, Tag
from chatforge.ir.schemas import literal, members, tuple_literal
from chatforge.targets import Files, _webhooks
from chatforge.targets._common import (
    Import,
    all_body_fields,
    export_order,
    imports,
    runtime_files,
    styles,
)
from chatforge.targets.modelgen import server_models
from chatforge.targets.templating import header
from chatforge.targets.templating import render as render_text
from chatforge.targets.text import pystr


@dataclass(frozen=True)
class Param:
    py: str
    annotation: str  # the full annotation of the route function argument
    default: str | None
    handler_annotation: str


@dataclass(frozen=True)
class Route:
    op: Operation
    decorators: tuple[str, ...]  # the text of every `@router...(...)` line
    params: tuple[Param, ...]
    handler_args: tuple[str, ...]  # `name=name` pairs
    returns: str  # handler return annotation
    route_returns: str
    wrap: str | None  # how the route turns the handler's value into a response


@dataclass(frozen=True)
class TagModule:
    tag: Tag
    routes: tuple[Route, ...]  # in the spec's order: the handler class
    registration: tuple[Route, ...]  # in matching order: the router
    imports: tuple[Import, ...]


def _param(api: Api, op: Operation, field: Field, need: list[str]) -> Param:
    field = replace(field, constraints=_applicable(field))
    annotation = field.type.server
    need.extend(field.type.server_imports)
    need.extend(f"models:{m}" for m in field.type.models)
    optional = not field.required
    default = None
    if optional:
        default = field.default_repr or "None"
        if field.default_repr is None and "None" not in members(annotation):
            annotation = f"{annotation} | None"
    if field.style == "csv" and field.location == "query" and not field.type.is_object:
        need.extend(["_params:csv_query", "fastapi:Depends"])
        kind = pystr(field.type.kind) if field.type.kind else "None"
        required = ", required=True" if field.required else ""
        check = _array_check(field, need)
        checked = f", check={check}" if check else ""
        dep = f"Depends(csv_query({pystr(field.wire)}, {kind}{required}{checked}))"
        annotation = field.type.server if field.required else f"{field.type.server} | None"
        return Param(field.py, f"Annotated[{annotation}, {dep}]", None, annotation)
    shape = _shape(field)
    if shape is not None:
        return _styled(api, field, shape, need)
    if field.style in ("deepObject", "json") and field.location == "query":
        factory = "deep_object_query" if field.style == "deepObject" else "json_query"
        need.append(f"_params:{factory}")
        need.append("fastapi:Depends")
        model = field.type.models[0]
        required = ", required=True" if field.required else ""
        dep = f"Depends({factory}({pystr(field.wire)}, {model}{required}))"
        text = f"Annotated[{model}{' | None' if optional else ''}, {dep}]"
        return Param(field.py, text, None, f"{model}{' | None' if optional else ''}")
    marker = {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}[
        field.location
    ]
    need.append(f"fastapi:{marker}")
    # FastAPI reads a header without an alias under its name with `_` turned into `-`.
    aliased = field.wire != field.py or (field.location == "header" and "_" in field.wire)
    options = [f"alias={pystr(field.wire)}"] if aliased and field.location != "path" else []
    read = annotation
    if field.type.kind == "number" and not field.type.is_array:
        options.append("allow_inf_nan=False")
    elif field.type.is_array:
        item = _item(field, need)
        if item is not None:
            read = annotation.replace(field.type.server.split(" |")[0], item, 1)
    read, reading = _read_as_kind(field, read, need)
    found, extra = _options(field.constraints, need)
    options += found
    if field.location == "cookie":  # percent-encoded where a cookie may not hold a character
        need.extend(["_params:cookie_text", "pydantic:BeforeValidator"])
        extra += ", BeforeValidator(cookie_text)"
    text = f"Annotated[{read}, {marker}({', '.join(options)}){reading}{extra}]"
    return Param(field.py, text, default, annotation)


def _shape(field: Field) -> str | None:
    """How a parameter FastAPI cannot declare by itself is shaped, for `styled_param`: `array`,
    `objects` (an array of objects), `object` or `scalar`; None for one FastAPI reads."""
    kind = field.type
    shape = "objects" if kind.items_object else "array" if kind.is_array else None
    if kind.is_object and not kind.is_array:
        shape = "object"
    model_query = kind.models[:1] == (kind.server,) and field.style in ("deepObject", "json")
    if field.location == "query" and (shape in (None, "array") or model_query):
        # FastAPI reads scalars and arrays of scalars; `deep_object_query` and `json_query`
        # read a model
        if shape == "array" and field.style == "deepObject":
            return "array"  # `name[0]=a&name[1]=b`: read by `styled_param`
        return "scalar" if field.style in ("deepObject", "json") and not model_query else None
    return shape


def _styled(api: Api, field: Field, shape: str, need: list[str]) -> Param:
    """A parameter read by the runtime's `styled_param`, as its style spells it."""
    need.extend(["_params:styled_param", "fastapi:Depends"])
    bare = " | ".join(m for m in members(field.type.server) if m != "None")
    checked = (_array_check(field, need) or bare) if shape == "array" else bare
    options = [f"style={pystr(field.style)}", f"shape={pystr(shape)}"]
    if field.explode:
        options.append("explode=True")
    if shape == "object" and field.style == "form" and field.type.models:
        model = next((m for m in api.models if m.name == field.type.models[0]), None)
        names = tuple(p.wire for p in model.properties) if model else ()
        options.append(f"members={tuple_literal(names)}")
    if field.location == "path" and field.py != field.wire:
        options.append(f"key={pystr(field.py)}")
    if field.required:
        options.append("required=True")
    location = pystr(field.location)
    dep = f"Depends(styled_param({location}, {pystr(field.wire)}, {checked}, {', '.join(options)}))"
    read = bare if field.required else f"{bare} | None"
    return Param(field.py, f"Annotated[{read}, {dep}]", None, read)


# The `Literal[...]` of an enum of numbers or booleans (their values hold no brackets).
_LITERAL = re.compile(r"Literal\[[^\[\]]*\]")


def _read_as_kind(field: Field, read: str, need: list[str]) -> tuple[str, str]:
    """`read` with each enum of numbers or booleans read from the text of a path, query or
    header value as the JSON type the spec gives it, before its members are checked (pydantic
    compares `"2"` with `2` as unequal); for an annotation that is one such enum, the check
    to add after it instead."""
    kind = field.type.kind
    if kind not in ("integer", "number", "boolean") or "Literal[" not in read:
        return read, ""
    need.append("_checks:read_as")
    check = f"read_as({pystr(kind)})"
    if _LITERAL.fullmatch(read):
        return read, f", {check}"
    return _LITERAL.sub(lambda m: f"Annotated[{m.group(0)}, {check}]", read), ""


# The constraints that say something of a value of each kind; the others are left out, since
# JSON Schema ignores them there (a `minimum` on a string) while FastAPI would compare with them.
_NUMERIC = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
_TEXT = frozenset({"minLength", "maxLength", "pattern"})
_ARRAY = frozenset({"minItems", "maxItems"})


def _applicable(field: Field) -> tuple[Constraint, ...]:
    """The parameter's constraints that apply to its value (or, `items.`, to its items)."""
    kind, array = field.type.kind, field.type.is_array

    def applies(name: str) -> bool:
        if name in _NUMERIC:
            return kind in ("integer", "number")
        if name in _TEXT:
            return kind is None and not field.type.is_object
        return False

    found = []
    for c in field.constraints:
        if c.name.startswith("items."):
            keep = array and applies(c.name.removeprefix("items."))
        elif c.name in _ARRAY:
            keep = array
        else:
            keep = not array and applies(c.name)
        if keep:
            found.append(c)
    return tuple(found)


def _options(constraints: tuple[Constraint, ...], need: list[str]) -> tuple[list[str], str]:
    """The FastAPI or pydantic options of these constraints, and the `matching` check of a
    pattern pydantic's own engine cannot compile (look-around, back-references...), which
    Python's `re` checks instead."""
    options, extra = [], ""
    for c in constraints:
        if c.name == "pattern" and not rust_regex(c.value):
            need.append("_checks:matching")
            extra = f", matching({literal(json.loads(c.value))})"
        elif c.name in _CHECKS:
            options.append(f"{_CHECKS[c.name]}={literal(json.loads(c.value))}")
    return options, extra


# The annotation of an array parameter's items, by their JSON type.
_ITEM = {"integer": "int", "number": "float", "boolean": "bool", "string": "str", "": "str"}


def _item(field: Field, need: list[str]) -> str | None:
    """`list[...]` of the parameter's items with their own constraints (a number finite), or
    None when they have none."""
    inner = tuple(
        Constraint(c.name.removeprefix("items."), c.value)
        for c in field.constraints
        if c.name.startswith("items.")
    )
    options, extra = _options(inner, need)
    if field.type.kind == "number":
        options.insert(0, "allow_inf_nan=False")
    base = _ITEM.get(field.type.kind or "")
    if base is None or field.type.server.split(" |")[0] != f"list[{base}]":
        return None
    if not options and not extra:
        return None
    if options:
        need.append("_checks:constrained")
        extra = f", constrained({', '.join(options)}){extra}"
    need.append("typing:Annotated")
    return f"list[Annotated[{base}{extra}]]"


# Arrays whose items, read as their JSON type, need no further check (text stays text).
_PLAIN_LISTS = frozenset({"list[str]"})


def _array_check(field: Field, need: list[str]) -> str | None:
    """The type a comma-separated array parameter is checked against once read: its items'
    type (an item that is not a number where numbers are due, not a member of an enum), their
    constraints and its length."""
    whole = field.type.server.split(" |")[0]
    item = _item(field, need) or whole
    outer = [
        f"{_CHECKS[c.name]}={literal(json.loads(c.value))}"
        for c in field.constraints
        if c.name in ("minItems", "maxItems")
    ]
    if item == whole and not outer and whole in _PLAIN_LISTS:
        return None
    if not outer:
        return item
    need.extend(["_checks:constrained", "typing:Annotated"])
    return f"Annotated[{item}, constrained({', '.join(outer)})]"


def rust_regex(pattern: str) -> bool:
    """Whether pydantic's default regex engine compiles `pattern` (a constraint's JSON text)."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    text = json.loads(pattern)
    if not isinstance(text, str):
        return True
    try:
        SchemaValidator(core_schema.str_schema(pattern=text))
    except SchemaError:
        return False
    return True


# The spec's constraints on a parameter, as FastAPI checks them.
_CHECKS = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_length",
    "maxItems": "max_length",
    "pattern": "pattern",
    "multipleOf": "multiple_of",
}


def _body_param(op: Operation, need: list[str]) -> Param | None:
    body = op.body
    if body is None:
        return None
    if body.kind in ("text", "raw"):
        spelled = "str" if body.kind == "text" else "bytes"
        annotation = spelled if body.required else f"{spelled} | None"
        reader = f"{body.kind}_body()" if body.required else f"{body.kind}_body(required=False)"
        need.extend([f"_params:{body.kind}_body", "fastapi:Depends"])
        return Param("body", f"Annotated[{annotation}, Depends({reader})]", None, annotation)
    need.append(f"models:{body.model}")
    annotation = body.model if body.required else f"{body.model} | None"
    if body.kind == "json":
        need.extend(["_params:json_body", "fastapi:Depends"])
        reader = (
            f"json_body({body.model})"
            if body.required
            else f"json_body({body.model}, required=False)"
        )
        return Param("body", f"Annotated[{annotation}, Depends({reader})]", None, annotation)
    fields = all_body_fields(op)
    style_map = {wire: style for wire, style in styles(fields) if style != "file"}
    arrays = tuple(sorted({f.wire for f in fields if f.type.is_array}))
    kinds = {f.wire: f.type.kind for f in fields if f.type.kind}
    args = [body.model]
    if style_map:
        args.append(f"styles={literal(dict(sorted(style_map.items())))}")
    if arrays:
        args.append(f"arrays={tuple_literal(arrays)}")
    if kinds:
        args.append(f"kinds={literal(dict(sorted(kinds.items())))}")
    if not body.required:
        args.append("required=False")
    need.extend(["_params:form_body", "fastapi:Depends"])
    return Param(
        "body", f"Annotated[{annotation}, Depends(form_body({', '.join(args)}))]", None, annotation
    )


def route(api: Api, op: Operation, tag: Tag, need: list[str]) -> Route:
    params = [_param(api, op, f, need) for f in op.parameters]
    body = _body_param(op, need)
    ordered = [p for p in params if p.default is None]
    if body is not None:
        ordered.append(body)
    ordered += [p for p in params if p.default is not None]
    success = op.success
    status = int(success.status) if success.status.isdigit() else 200
    method = op.method.lower()
    common = [
        f"operation_id={pystr(op.operation_id)}",
        f"summary={pystr(op.summary)}",
        f"status_code={status}",
        f"tags=[{pystr(tag.name)}]",
    ]
    if op.deprecated:
        common.append("deprecated=True")
    if success.kind == "json" and success.model:
        need.append(f"models:{success.model}")
        returns, route_returns, wrap = success.model, success.model, None
        common.append(f"response_model={success.model}")
        common.append("response_model_exclude_unset=True")
    elif success.kind == "binary":
        need.append("fastapi:Response")
        returns, route_returns = "bytes", "Response"
        media = pystr(success.media_type or "application/octet-stream")
        wrap = f"Response(content={{value}}, media_type={media}, status_code={status})"
        common.append("response_class=Response")
        media_type = success.media_type or "application/octet-stream"
        content: dict[str, object] = {str(status): {"content": {media_type: {}}}}
        common.append(f"responses={literal(content)}")
    else:
        need.append("fastapi:Response")
        returns, route_returns = "None", "Response"
        wrap = f"Response(status_code={status})"
        common.append("response_class=Response")
    decorators = [f"@router.{method}({pystr(op.server_path)}, {', '.join(common)})"]
    for alias in op.server_aliases:
        decorators.insert(
            0,
            f"@router.{method}({pystr(alias)}, include_in_schema=False, "
            f"status_code={status}"
            + (f", response_model={success.model}" if wrap is None else ", response_class=Response")
            + ")",
        )
    handler_args = tuple(f"{p.py}={p.py}" for p in ordered)
    return Route(op, tuple(decorators), tuple(ordered), handler_args, returns, route_returns, wrap)


def _specificity(path: str) -> tuple[tuple[int, str], ...]:
    """Sorts paths so that, segment by segment, fixed text precedes a parameter."""
    return tuple(
        (1, "") if segment.startswith("{") else (0, segment) for segment in path.split("/")
    )


def tag_module(api: Api, tag: Tag) -> TagModule:
    need = ["fastapi:APIRouter", "_errors:NotImplementedOperation"]
    # Starlette matches routes in the order they are added: a fixed segment must come before a
    # parameter in the same place (`/messages/history` before `/messages/{id}`).
    routes = tuple(route(api, op, tag, need) for op in tag.operations)
    if any(r.params for r in routes):
        need.append("typing:Annotated")
    registration = tuple(sorted(routes, key=lambda r: _specificity(r.op.path)))
    local = {
        "models": "..models",
        "_params": ".._runtime._params",
        "_errors": ".._runtime._errors",
        "_checks": ".._runtime._checks",
    }
    return TagModule(tag, routes, registration, imports(need, local))


@dataclass(frozen=True)
class Check:
    """A factory in the generated `security` module: the spec's scheme, the app's secrets."""

    name: str
    params: str
    returns: str
    body: str
    doc: str


def checks(api: Api) -> tuple[Check, ...]:
    found = []
    by_kind = {scheme.kind: scheme for scheme in api.security}
    sig = by_kind.get("signature")
    if sig is not None and sig.signature is not None:
        s = sig.signature
        options = ", ".join(
            [
                f"app_key_header={pystr(s.app_key_header)}",
                f"nonce_header={pystr(s.nonce_header)}",
                f"timestamp_header={pystr(s.timestamp_header)}",
                f"signature_header={pystr(sig.param)}",
                f"prefixes={tuple_literal(s.accepted_prefixes)}",
                f"signed={tuple_literal(s.signed)}",
                f"algorithm={pystr(s.algorithm)}",
                "window_seconds=window_seconds",
            ]
        )
        found.append(
            Check(
                "signature_check",
                "secrets: Mapping[str, str], *, window_seconds: float = 300.0",
                "SignatureCheck",
                f"SignatureCheck(secrets, {options})",
                "Signed headers checked against `secrets` (app key -> app secret); the timestamp "
                "may be in seconds or milliseconds, within `window_seconds` of now.",
            )
        )
    jwt = by_kind.get("jwt")
    if jwt is not None and jwt.jwt is not None:
        key = by_kind.get("api_key")
        fixed = by_kind.get("fixed")
        options = ", ".join(
            [
                f"header={pystr(jwt.param)}",
                f"prefix={pystr(jwt.jwt.prefix)}",
                f"api_key_param={pystr(key.param) if key and key.location == 'query' else None}",
                f"auth_type_header={pystr(fixed.param) if fixed else None}",
                "allow_anonymous=allow_anonymous",
            ]
        )
        found.append(
            Check(
                "jwt_check",
                "api_key: str, api_secret: str, *, allow_anonymous: bool = False",
                "JWTCheck",
                f"JWTCheck(api_key, api_secret, {options})",
                "Tokens signed with `api_secret`, and `api_key` in the query.",
            )
        )
    if "bearer" in by_kind:
        found.append(
            Check(
                "bearer_check",
                "verify: Verifier",
                "BearerCheck",
                "BearerCheck(verify)",
                "Bearer tokens accepted when `verify(token)` (sync or async) returns true.",
            )
        )
    return tuple(found)


def security_module(api: Api, hdr: str) -> str:
    found = checks(api)
    names = sorted({check.returns for check in found})
    if any(check.name == "bearer_check" for check in found):
        names.append("Verifier")
    return render_text(
        "server/security.py.j2",
        checks=found,
        header=hdr,
        runtime_names=names,
        needs_mapping=any(check.name == "signature_check" for check in found),
        exports=export_order([*names, *(check.name for check in found)]),
    )


def error_shape(api: Api) -> str:
    """The ErrorShape expression of the API's error answers."""
    style = api.errors
    options = [f"message_field={pystr(style.message_field)}"]
    options.append(f"code_field={pystr(style.code_field) if style.code_field else None}")
    if style.codes:
        options.append(f"codes={literal(dict(style.codes))}")
    for name in ("status_field", "timestamp_field", "fields_field"):
        value = getattr(style, name)
        if value is not None:
            options.append(f"{name}={pystr(value)}")
    options.append(f"fixed={literal(dict(style.fixed))}")
    if style.validation_status != 400:
        options.append(f"validation_status={style.validation_status}")
    if style.detail:
        options.append("detail=True")
    return f"ErrorShape({', '.join(options)})"


def path_names(api: Api) -> dict[str, dict[str, str]]:
    """By route path, the spec's name of each path parameter whose Python name differs."""
    found: dict[str, dict[str, str]] = {}
    for op in api.operations:
        names = {f.py: f.wire for f in op.path_params if f.py != f.wire}
        if names:
            for path in (op.server_path, *op.server_aliases):
                found[path] = names
    return found


def examples(api: Api) -> dict[str, object]:
    found: dict[str, object] = {}
    for op in api.operations:
        given = op.success.example_json or op.success.synthesized_json
        if op.success.kind == "json" and given is not None:
            found[op.py] = json.loads(given)
        elif op.success.kind == "binary":
            found[op.py] = b"mock binary content"
        elif op.success.kind == "empty":
            found[op.py] = None
    return found


def _handler_path(op: Operation, path: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A pagination argument's path in the handler's terms: a parameter by its Python name, a
    body member as `body` and its wire name."""
    if path is None:
        return None
    if any(field.py == path[0] for field in op.parameters):
        return path
    for field in all_body_fields(op):
        if field.py == path[0]:
            return ("body", field.wire, *path[1:])
    return None


def paging(api: Api) -> dict[str, str]:
    """The `Paging` expression of each list operation, for the mock's pages."""
    found: dict[str, str] = {}
    for op in api.operations:
        pages = op.pagination
        if pages is None or op.success.kind != "json":
            continue
        parts = [pystr(pages.style), f"items={tuple_literal(pages.items)}"]
        for name in ("page", "size", "offset", "cursor"):
            path = _handler_path(op, getattr(pages, name))
            if path:
                parts.append(f"{name}={tuple_literal(path)}")
        if pages.next:
            parts.append(f"next={tuple_literal(pages.next)}")
        found[op.py] = f"Paging({', '.join(parts)})"
    return found


def render(api: Api, models: str) -> Files:
    """The server package; `models` is the API's models module (`modelgen.models_module`)."""
    package = api.server_package
    modules = [tag_module(api, tag) for tag in api.tags]
    hdr = header(api, "Server")
    hooks = _webhooks.view(api)
    files: Files = {
        f"{package}/__init__.py": render_text(
            "server/init.py.j2",
            api=api,
            modules=modules,
            header=hdr,
            exports=export_order(
                ["APIError", "NotImplementedOperation", "create_app", "security"]
                + [f"{m.tag.pascal}Handlers" for m in modules]
                + (["Webhooks", "UnknownEvent"] if hooks else [])
            ),
            webhooks=hooks,
        ),
        f"{package}/app.py": render_text(
            "server/app.py.j2",
            api=api,
            modules=modules,
            header=hdr,
            error_shape=error_shape(api),
            path_names=literal(path_names(api)),
            webhooks=hooks,
        ),
        f"{package}/security.py": security_module(api, hdr),
        f"{package}/serving.py": render_text("server/serving.py.j2", header=hdr, package=package),
        f"{package}/_examples.py": render_text(
            "server/examples.py.j2",
            header=hdr,
            examples=sorted((name, literal(v)) for name, v in examples(api).items()),
            paging=sorted(paging(api).items()),
        ),
        f"{package}/models.py": server_models(api, models),
        f"{package}/py.typed": "",
        f"{package}/openapi.json": api.document,
    }
    for module in modules:
        files[f"{package}/routes/{module.tag.py}.py"] = render_text(
            "server/tag.py.j2", api=api, module=module, header=hdr
        )
    if hooks is not None:
        files[f"{package}/webhooks.py"] = render_text(
            "server/webhooks.py.j2", api=api, view=hooks, header=hdr
        )
        files.update(_webhooks.runtime(package, server=True))
    files[f"{package}/routes/__init__.py"] = (
        '"""One module per tag: the handler base class and the router."""\n'
    )
    files.update(runtime_files("server", package))
    files[f"{package}/_runtime/__init__.py"] = (
        '"""The hand-written core of this server, copied from chatforge as it is."""\n'
    )
    return files
