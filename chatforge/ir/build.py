"""Spec dict -> Api. The only code that reads raw spec dicts after loading and linting."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chatforge import naming, reserved
from chatforge.diagnostics import Diagnostic, Diagnostics, SpecError, escape_pointer_token
from chatforge.ir.calls import credentials, resource_names
from chatforge.ir.failures import ERROR_KINDS, failures
from chatforge.ir.model import (
    Api,
    Body,
    BodyKind,
    Envelope,
    ErrorStyle,
    Field,
    Function,
    Jwt,
    Operation,
    Pagination,
    RateLimit,
    Response,
    SecurityScheme,
    Server,
    ServerVariable,
    Signature,
    Style,
    Tag,
    TypeInfo,
)
from chatforge.ir.schemas import (
    COMPONENT_PREFIX,
    SchemaRegistry,
    canonical_json,
    constraints,
    default_text,
    describe,
    enum_text,
    literal,
)
from chatforge.ir.synth import Checker, SynthesisError, synthesize
from chatforge.ir.webhooks import MODULE_NAMES as WEBHOOK_MODULE_NAMES
from chatforge.ir.webhooks import build_webhooks
from chatforge.reserved import CLIENT_MODULE_NAMES, METHOD_ARGUMENTS
from chatforge.spec import extensions as ext
from chatforge.spec.document import HTTP_METHODS, follow
from chatforge.spec.loader import LoadedSpec
from chatforge.spec.webhooks import webhook_only_schemes

Json = Any
DEFAULT_TAG = "default"
_PARAM = re.compile(r"{([^{}]+)}")


def _text(value: Json) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _block(value: Json) -> str:
    """Multi-line prose with its paragraphs kept, trailing space trimmed."""
    if not isinstance(value, str):
        return ""
    lines = [line.rstrip() for line in value.strip().splitlines()]
    return "\n".join(lines)


class _Builder:
    def __init__(self, spec: LoadedSpec, slug: str, diagnostics: Diagnostics, label: str) -> None:
        self.spec = spec
        self.label = label
        self.doc = spec.document
        self.slug = slug
        self.diagnostics = diagnostics
        self.registry = SchemaRegistry(self.doc, diagnostics, self.handler_classes())
        self.conventions = ext.is_project(self.doc)
        self.checker: Checker | None = None

    def handler_classes(self) -> set[str]:
        """The handler class of every tag the document names (`<Tag>Handlers`), which the
        server's route modules define beside the models they import: no model may take one."""
        texts = [str(t.get("name")) for t in self.doc.get("tags") or [] if isinstance(t, dict)]
        for path, path_item in (self.doc.get("paths") or {}).items():
            path_item, _ = self.deref(path_item, f"/paths/{escape_pointer_token(path)}")
            for method in HTTP_METHODS:
                op = path_item.get(method) if isinstance(path_item, dict) else None
                if isinstance(op, dict):
                    texts.append(str((op.get("tags") or [DEFAULT_TAG])[0]))
        found = {f"{naming.class_name(py)}Handlers" for py in reserved.tag_names(texts).values()}
        if self.doc.get("webhooks"):
            found |= WEBHOOK_MODULE_NAMES  # the `webhooks` modules define these
        return found

    # -- helpers ------------------------------------------------------------------------------

    def deref(self, node: Json, pointer: str) -> tuple[Json, str]:
        """Follow a non-schema `$ref` (parameters, bodies, responses) to its target."""
        target, followed = follow(self.doc, node)
        return target, pointer if followed is None else followed

    def example_of(self, holder: Mapping[str, Any]) -> Json:
        """The example a parameter, media type or schema gives. In a spec without
        `x-chatforge`, where lint only warns of an example that does not match its schema, such
        an example is left out (and one is made from the schema instead): generated code and
        mock answers hold only values the spec allows."""
        found = self._given_example(holder)
        if found is _MISSING or self.conventions:
            return found
        if self.checker is None:
            self.checker = Checker(self.doc)
        schema = holder["schema"] if "schema" in holder else holder
        return found if self.checker.valid(schema, found) else _MISSING

    def _given_example(self, holder: Mapping[str, Any]) -> Json:
        if "example" in holder:
            return holder["example"]
        examples = holder.get("examples")
        if isinstance(examples, dict) and examples:
            first = next(iter(examples.values()))
            first, _ = self.deref(first, "")
            if isinstance(first, dict) and "value" in first:
                return first["value"]
        if isinstance(examples, list) and examples:
            return examples[0]
        return _MISSING

    def sample(self, schema: Json, depth: int = 0) -> Json:
        """A plausible value for docs examples, from the schema's own hints."""
        target = self.registry.target(schema)
        if not isinstance(target, dict) or depth > 6:
            return None
        for source in (schema, target):
            if isinstance(source, dict):
                found = self.example_of(source)
                if found is not _MISSING:
                    return found
                if "const" in source:
                    return source["const"]
                if "default" in source:
                    return source["default"]
                if source.get("enum"):
                    return source["enum"][0]
        for key in ("oneOf", "anyOf"):
            if target.get(key):
                return self.sample(target[key][0], depth + 1)
        kind = target.get("type")
        kind = kind[0] if isinstance(kind, list) and kind else kind
        if kind == "array":
            return [self.sample(target.get("items") or {}, depth + 1)]
        if kind == "object" or "properties" in target:
            props = target.get("properties") or {}
            return {k: self.sample(v, depth + 1) for k, v in props.items()}
        if kind == "integer":
            return int(target.get("minimum", 1))
        if kind == "number":
            return float(target.get("minimum", 1.5))
        if kind == "boolean":
            return True
        if kind == "string":
            return _sample_string(target)
        return None

    # -- fields -------------------------------------------------------------------------------

    def field(
        self,
        wire: str,
        schema: Json,
        location: str,
        required: bool,
        style: Style,
        description: str,
        example: Json,
        deprecated: bool = False,
    ) -> Field:
        info = self.registry.spell(schema)
        target = self.registry.target(schema)
        given = example is not _MISSING
        if not given:
            example = self.sample(schema)
        if info.is_file:
            example_repr = 'Path("photo.jpg")'
        else:
            example_repr = literal(example)
        const = target.get("const", _MISSING) if isinstance(target, dict) else _MISSING
        default = schema.get("default", _MISSING) if isinstance(schema, dict) else _MISSING
        return Field(
            wire=wire,
            py=naming.identifier(wire, METHOD_ARGUMENTS),
            location=location,  # type: ignore[arg-type]
            type=info,
            required=required,
            style=style,
            description=description,
            default_repr=None if default is _MISSING else literal(default),
            default_text=default_text(schema),
            enum_text=enum_text(target),
            constraints=constraints(
                target if isinstance(schema, dict) and "$ref" in schema else schema
            ),
            example_repr=example_repr,
            example_json=json.dumps(example, ensure_ascii=False),
            example_given=given,
            const_repr=None if const is _MISSING else literal(const),
            deprecated=deprecated,
        )

    def parameters(
        self,
        path_item: Mapping[str, Any],
        op: Mapping[str, Any],
        pointer: str,
        path_pointer: str,
        op_example: Json,
    ) -> list[Field]:
        merged: dict[tuple[str, str], tuple[Json, str]] = {}
        for holder, where in ((path_item, path_pointer), (op, pointer)):
            for index, raw in enumerate(holder.get("parameters") or []):
                param, param_pointer = self.deref(raw, f"{where}/parameters/{index}")
                merged[(param["name"], param["in"])] = (param, param_pointer)
        fields = []
        for (name, location), (param, param_pointer) in merged.items():
            schema: Json = param.get("schema") or {}
            if location == "cookie" and not _scalar_schema(self.registry.target(schema)):
                self.diagnostics.error(
                    f"cookie parameter {name!r} holds an array or an object, which the "
                    "generated clients and servers do not encode in a cookie; send it as "
                    "a string",
                    param_pointer,
                )
                continue
            style: Style = "simple" if location in ("path", "header") else "form"
            if param.get("style") == "deepObject":
                style = "deepObject"
            elif isinstance(param.get("content"), dict) and param["content"]:
                media, content = next(iter(param["content"].items()))
                schema = content.get("schema") or {}
                style = "json" if "json" in media else "form"
            if style == "form" and param.get("explode") is False:
                # An array as `a,b`, an object as `k1,v1,k2,v2`: one value, comma-separated.
                # A scalar is one value either way.
                target = self.registry.target(schema)
                kind = target.get("type") if isinstance(target, dict) else None
                shaped = isinstance(target, dict) and (
                    "properties" in target or "additionalProperties" in target
                )
                if kind in ("array", "object") or shaped:
                    style = "csv"
            elif style != "simple" and param.get("explode") is False:
                self.diagnostics.error(
                    f"parameter {name!r} uses explode: false with style {style}, which the "
                    "generated clients do not encode; use the default (explode: true)",
                    param_pointer,
                )
            schema = self.registry._normalize(
                schema,
                naming.pascal(op.get("operationId", "")) + naming.pascal(name),
                f"{param_pointer}/schema",
            )
            example = self.example_of(param)
            made = self.field(
                name,
                schema,
                location,
                bool(param.get("required")) or location == "path",
                style,
                _text(param.get("description")),
                example,
                bool(param.get("deprecated")),
            )
            if style == "simple" and param.get("explode") is True:
                made = replace(made, explode=True)
            fields.append(made)
        order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
        taken: set[str] = set()
        return [_unique(f, taken) for f in sorted(fields, key=lambda f: order[f.location])]

    # -- bodies -------------------------------------------------------------------------------

    def body(self, op: Mapping[str, Any], pointer: str, op_pascal: str) -> Body | None:
        if "requestBody" not in op:
            return None
        body, body_pointer = self.deref(op["requestBody"], f"{pointer}/requestBody")
        content = body.get("content") or {}
        if not content:
            self.diagnostics.error("the request body has no content", f"{body_pointer}/content")
            return None
        media = _choose_media(content)
        media_object = content[media]
        kind = _body_kind(media)
        media_pointer = f"{body_pointer}/content/{escape_pointer_token(media)}"
        if len(content) > 1:
            others = ", ".join(sorted(m for m in content if m != media))
            self.diagnostics.warning(
                f"the request body offers several media types; the client sends {media} "
                f"and the server accepts only that, not {others}",
                f"{body_pointer}/content",
            )
        schema = media_object.get("schema") or {}
        model = self.registry.hoist(schema, f"{op_pascal}Request", f"{media_pointer}/schema")
        target = self.registry.target({"$ref": COMPONENT_PREFIX + model})
        example = self.example_of(media_object)
        if kind in ("text", "raw"):
            fields = [self.content_body(kind, example, bool(body.get("required")))]
            return Body(
                kind=kind,
                media_type=media,
                model=model,
                required=bool(body.get("required")),
                fields=tuple(fields),
                description=_text(body.get("description")),
                example_json=None if example is _MISSING else canonical_json(example),
            )
        if isinstance(target, dict) and "" in (target.get("properties") or {}):
            self.diagnostics.error(
                "a request body property has an empty name, which no argument can carry; name it",
                f"{media_pointer}/schema",
            )
        if isinstance(target, dict) and ("properties" in target or _is_union(target)):
            fields = self.body_fields(target, media_object.get("encoding") or {}, kind, example)
        else:
            fields = [self.whole_body(model, kind, example, None)]
        return Body(
            kind=kind,
            media_type=media,
            model=model,
            required=bool(body.get("required")),
            fields=tuple(fields),
            description=_text(body.get("description")),
            example_json=None if example is _MISSING else canonical_json(example),
        )

    def content_body(self, kind: BodyKind, example: Json, required: bool) -> Field:
        """The one argument of a body sent as it is: text (`str`, named `text`) for a `text/*`
        media type, bytes (named `content`) for any other that is not JSON or a form."""
        text = kind == "text"
        if not (text and isinstance(example, str)):
            example = "Some text" if text else "..."
        spelled = "str" if text else "bytes"
        field = self.field("", {"type": "string"}, "body", required, "simple", "", example)
        return replace(
            field,
            py="text" if text else "content",
            type=TypeInfo(client=spelled, server=spelled, label="text" if text else "bytes"),
            example_repr=literal(example) if text else 'b"..."',
            example_json=json.dumps(example),
        )

    def whole_body(self, model: str, kind: BodyKind, example: Json, name: Any) -> Field:
        """The one argument of a body that is not an object with properties (an array, a map
        of free-form values...): the value is sent as the whole body."""
        schema = {"$ref": COMPONENT_PREFIX + model}
        target = self.registry.target(schema)
        types = target.get("type") if isinstance(target, dict) else None
        default = "items" if types == "array" else "fields" if types == "object" else "value"
        field = self.field(
            "",
            schema,
            "body",
            True,
            "simple" if kind == "json" else "form",
            describe(schema, self.registry),
            example,
        )
        py = naming.identifier(str(name), METHOD_ARGUMENTS) if isinstance(name, str) else default
        return replace(field, py=py)

    def union_body(self, body: Body) -> list[Field]:
        """The one argument of a body that is one of several shapes, typed as the union of
        them (`Click | Scroll`); none for a body of no shape at all."""
        target = self.registry.target({"$ref": COMPONENT_PREFIX + body.model})
        if not isinstance(target, dict) or not _is_union(target):
            return []
        example = _MISSING if body.example_json is None else json.loads(body.example_json)
        field = self.field(
            "",
            {k: v for k, v in target.items() if k in ("oneOf", "anyOf")},
            "body",
            True,
            "simple" if body.kind == "json" else "form",
            describe(target, self.registry),
            example,
        )
        return [replace(field, py="body")]

    def body_fields(
        self, target: Json, encoding: Mapping[str, Any], kind: BodyKind, example: Json
    ) -> list[Field]:
        if not isinstance(target, dict):
            return []
        required = set(target.get("required") or ())
        example = example if isinstance(example, dict) else {}
        fields = []
        for wire, sub in (target.get("properties") or {}).items():
            style: Style = "simple"
            if kind != "json":
                enc = encoding.get(wire) or {}
                resolved = self.registry.target(sub)
                if isinstance(resolved, dict) and resolved.get("type") == "array":
                    # an array of files: each item a file part of the same name
                    items = self.registry.target(resolved.get("items"))
                    resolved = items if isinstance(items, dict) and _is_file(items) else resolved
                if enc.get("style") == "deepObject":
                    style = "deepObject"
                elif "json" in str(enc.get("contentType", "")):
                    style = "json"
                elif isinstance(resolved, dict) and _is_file(resolved):
                    style = "file"
                else:
                    style = "form"
            fields.append(
                self.field(
                    wire,
                    sub,
                    "body",
                    wire in required,
                    style,
                    describe(sub, self.registry),
                    example.get(wire, _MISSING),
                    bool(isinstance(sub, dict) and sub.get("deprecated")),
                )
            )
        return fields

    # -- responses ----------------------------------------------------------------------------

    def responses(self, op: Mapping[str, Any], pointer: str, op_pascal: str) -> list[Response]:
        result = []
        for status, raw in sorted(
            (op.get("responses") or {}).items(), key=lambda kv: _status_key(kv[0])
        ):
            response, response_pointer = self.deref(raw, f"{pointer}/responses/{status}")
            content = response.get("content") or {}
            assumed = ext.assumed(response)
            if not content:
                result.append(
                    Response(
                        str(status), _text(response.get("description")), "empty", assumed=assumed
                    )
                )
                continue
            media = next((m for m in content if _is_json(m)), next(iter(content)))
            media_object = content[media]
            schema = media_object.get("schema") or {}
            media_pointer = f"{response_pointer}/content/{escape_pointer_token(media)}"
            example = self.example_of(media_object)
            if _is_json(media):
                suffix = "Response" if str(status).startswith("2") else f"Error{status}"
                hint = (
                    f"{op_pascal}{suffix}"
                    if str(status).startswith("2")
                    else f"{op_pascal}{suffix}"
                )
                model = self.registry.hoist(schema, hint, f"{media_pointer}/schema")
                assumed = assumed or self.registry.assumed.get(model)
                kind = "json"
            else:
                model, kind = None, "binary"
            synthesized = None
            if example is _MISSING and kind == "json" and str(status).startswith("2"):
                synthesized = self.synthesized(schema, f"{media_pointer}/schema")
            result.append(
                Response(
                    status=str(status),
                    description=_text(response.get("description")),
                    kind=kind,  # type: ignore[arg-type]
                    media_type=media,
                    model=model,
                    assumed=assumed,
                    example_json=None if example is _MISSING else canonical_json(example),
                    synthesized_json=synthesized,
                )
            )
        return result

    def synthesized(self, schema: Json, pointer: str) -> str | None:
        """A value of the schema for mock answers, or an error where none can be built."""
        try:
            return canonical_json(synthesize(schema, self.doc, pointer))
        except SynthesisError as error:
            self.diagnostics.error(
                f"no mock answer can be built from this schema: {error.message}; give the "
                "response an example or fix the schema",
                error.pointer,
            )
            return None

    # -- functions ----------------------------------------------------------------------------

    def functions(
        self,
        op: Mapping[str, Any],
        pointer: str,
        operation_id: str,
        params: list[Field],
        body: Body | None,
        summary: str,
    ) -> list[Function]:
        # The project's extensions count only in project specs, which lint checks.
        declared = ext.read_functions(op, "", pointer)[0] if self.conventions else None
        if not declared:
            declared = (ext.FunctionEntry(pointer, name=operation_id, title=summary),)
        encoding = self.encoding(op, pointer)
        result = []
        for item in declared:
            body_fields = list(body.fields) if body else []
            variant, variant_model = item.variant, None
            if variant is not None and body is not None:
                where = f"{item.pointer}/variant"
                variant_model = self.registry.ref_name(variant, where)
                target = self.registry.target({"$ref": COMPONENT_PREFIX + variant_model})
                if isinstance(target, dict) and "properties" in target:
                    body_fields = self.body_fields(target, encoding, body.kind, _MISSING)
                else:
                    whole = self.whole_body(variant_model, body.kind, _MISSING, item.argument)
                    body_fields = [whole]
            elif body is not None and not body_fields:
                # one of several shapes (`oneOf`, `anyOf`) and no function naming its variant:
                # the caller gives any of them, whole
                body_fields = self.union_body(body)
            claimed = _claim_names(params, body_fields)
            claimed_body = [f for f in claimed if f.location == "body"]
            result.append(
                Function(
                    row=item.row,
                    title=item.title or summary,
                    method=naming.identifier(item.name or operation_id),
                    fields=tuple(f for f in claimed if f.const_repr is None),
                    body_fields=tuple(claimed_body),
                    variant=variant_model,
                    path=item.path,
                )
            )
        return result

    def encoding(self, op: Mapping[str, Any], pointer: str) -> Mapping[str, Any]:
        """The `encoding` map of the operation's request body, if it has one."""
        if "requestBody" not in op:
            return {}
        body, _ = self.deref(op["requestBody"], f"{pointer}/requestBody")
        content = body.get("content") or {}
        media_object: Json = content[_choose_media(content)] if content else {}
        encoding = media_object.get("encoding") if isinstance(media_object, dict) else None
        return encoding if isinstance(encoding, dict) else {}

    # -- operations ---------------------------------------------------------------------------

    def operation(
        self, path: str, method: str, path_item: Mapping[str, Any], op: Mapping[str, Any]
    ) -> Operation:
        path_pointer = f"/paths/{escape_pointer_token(path)}"
        pointer = f"{path_pointer}/{method}"
        operation_id = op.get("operationId") or naming.operation_id_from(method, path)
        py = reserved.operation_name(operation_id)
        op_pascal = naming.pascal(operation_id)
        body = self.body(op, pointer, op_pascal)
        params = self.parameters(path_item, op, pointer, path_pointer, _MISSING)
        summary = _text(op.get("summary")) or f"{method.upper()} {path}"
        responses = self.responses(op, pointer, op_pascal)
        success = next((r for r in responses if r.status.startswith("2")), None)
        if success is None:
            success = Response("200", "", "empty")
        tags = op.get("tags") or [DEFAULT_TAG]
        limit = ext.read_rate_limit(op, pointer)[0] if self.conventions else None
        rate_limit = None
        if limit is not None:
            rate_limit = RateLimit(
                documented=limit.documented,
                requests=limit.requests,
                period=limit.period,
                scope=limit.scope,
                group=limit.group,
                note=_text(limit.note) or None,
            )
        security_source = op["security"] if "security" in op else self.doc.get("security") or []
        security = tuple(sorted({name for req in security_source for name in req}))
        by_wire = {p.wire: p.py for p in params if p.location == "path"}
        declared_aliases = ext.read_aliases(op, pointer)[0]
        aliases = declared_aliases.paths if declared_aliases is not None else ()
        functions = tuple(self.functions(op, pointer, operation_id, params, body, summary))
        served = aliases + tuple(f.path for f in functions if f.path and f.path != path)
        return Operation(
            operation_id=operation_id,
            py=py,
            pascal=op_pascal,
            method=method.upper(),
            path=path,
            server_path=_server_path(path, by_wire),
            aliases=aliases,
            server_aliases=tuple(_server_path(a, by_wire) for a in dict.fromkeys(served)),
            summary=summary,
            description=_block(op.get("description")),
            tag=str(tags[0]),
            deprecated=bool(op.get("deprecated")),
            parameters=tuple(params),
            body=body,
            success=success,
            responses=tuple(responses),
            functions=functions,
            rate_limit=rate_limit,
            security=security,
            pointer=pointer,
            pagination=self.pagination(op, pointer, params, body, success),
        )

    def pagination(
        self,
        op: Mapping[str, Any],
        pointer: str,
        params: list[Field],
        body: Body | None,
        success: Response,
    ) -> Pagination | None:
        raw = ext.read_pagination(op, pointer)[0] if self.conventions else None
        if raw is None or success.kind != "json" or success.model is None:
            return None
        fields = [*params, *(body.fields if body else ())]

        def argument(key: str, wire: str | None) -> tuple[str, ...] | None:
            if wire is None:
                return None
            for field in fields:
                if field.wire == wire:
                    return (field.py,)
            for field in fields:  # inside an object-valued argument (Stream's `payload`)
                for model in field.type.models:
                    target = self.registry.target({"$ref": COMPONENT_PREFIX + model})
                    if wire in ((target or {}).get("properties") or {}):
                        return (field.py, wire)
            self.diagnostics.error(
                f"{ext.PAGINATION}.{key} names {wire!r}, which is no parameter or body field of "
                "this operation (nor a property of one)",
                f"{raw.pointer}/{key}",
            )
            return None

        def tokens(text: str | None) -> tuple[str, ...] | None:
            if text is None:
                return None
            return tuple(t.replace("~1", "/").replace("~0", "~") for t in text.split("/")[1:])

        items = tokens(raw.items) or ()
        item_schema = self.registry.walk({"$ref": COMPONENT_PREFIX + success.model}, items)
        item_type = "Any"
        item_imports: tuple[str, ...] = ("typing:Any",)
        if isinstance(item_schema, dict) and isinstance(item_schema.get("items"), dict):
            spelled = self.registry.spell(item_schema["items"])
            item_type = spelled.server
            item_imports = spelled.server_imports + tuple(f"models:{m}" for m in spelled.models)
        return Pagination(
            style=raw.style,
            page=argument("page", raw.page),
            size=argument("size", raw.size),
            offset=argument("offset", raw.offset),
            cursor=argument("cursor", raw.cursor),
            items=items,
            next=tokens(raw.next),
            item_type=item_type,
            item_imports=item_imports,
        )

    def tags(self, operations: list[Operation]) -> list[Tag]:
        declared = [t for t in self.doc.get("tags") or [] if isinstance(t, dict)]
        order = [str(t.get("name")) for t in declared]
        descriptions = {str(t.get("name")): _block(t.get("description")) for t in declared}
        # The operations of each tag, in one pass: declared tags first, then the others in the
        # order their first operation comes.
        grouped: dict[str, list[Operation]] = {}
        for op in operations:
            grouped.setdefault(op.tag, []).append(op)
        declared_names = set(order)
        order += [name for name in grouped if name not in declared_names]
        result = []
        seen_py: dict[str, str] = {}
        used = [name for name in order if name in grouped]
        python_names = reserved.tag_names(used)
        pascals: set[str] = set()
        classes = set(CLIENT_MODULE_NAMES | set(self.registry.schemas))
        for name in used:
            ops = tuple(grouped[name])
            py = python_names[name]
            if py in seen_py:
                self.diagnostics.error(
                    f"tags {seen_py[py]!r} and {name!r} both become the Python name {py!r}; "
                    "rename one of them",
                    "/tags",
                )
            seen_py[py] = name
            pascal = naming.class_name(py)
            while pascal in pascals:
                pascal += "_"
            pascals.add(pascal)
            resource = pascal
            if pascal in classes or f"Async{pascal}" in classes:
                resource += "Resource"  # a client module has a name of its own so spelled
            while resource in classes or f"Async{resource}" in classes:
                resource += "_"
            classes |= {resource, f"Async{resource}"}
            description = descriptions.get(name, "")
            names = resource_names(ops)
            result.append(Tag(name, py, pascal, description, ops, resource, names))
        return result

    def servers(self) -> list[Server]:
        result = []
        for index, raw in enumerate(self.doc.get("servers") or []):
            url = str(raw.get("url", ""))
            variables = []
            default_url = url
            for name, var in (raw.get("variables") or {}).items():
                variables.append(
                    ServerVariable(
                        name,
                        str(var.get("default", "")),
                        tuple(str(v) for v in var.get("enum") or ()),
                        _text(var.get("description")),
                    )
                )
                default_url = default_url.replace("{" + name + "}", str(var.get("default", "")))
            extensions, _ = ext.read_server(raw, f"/servers/{index}")
            result.append(
                Server(
                    url,
                    default_url,
                    _text(raw.get("description")),
                    tuple(variables),
                    extensions.assumed,
                    extensions.backup,
                )
            )
        return result

    def security(self) -> list[SecurityScheme]:
        schemes = (self.doc.get("components") or {}).get("securitySchemes") or {}
        result = []
        for_deliveries = webhook_only_schemes(self.doc)
        for name, raw in sorted(schemes.items()):
            if name in for_deliveries:
                continue
            scheme, where = self.deref(
                raw, f"/components/securitySchemes/{escape_pointer_token(name)}"
            )
            kind = scheme.get("type")
            description = _text(scheme.get("description"))
            extensions, _ = ext.read_scheme(scheme, where)
            if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                result.append(SecurityScheme(name, "bearer", description=description))
            elif kind in ("oauth2", "openIdConnect"):
                # On the wire both send the access token they obtain as a bearer token.
                result.append(SecurityScheme(name, "bearer", description=description))
            elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                result.append(SecurityScheme(name, "basic", description=description))
            elif kind == "apiKey" and extensions.signature is not None:
                result.append(
                    self.signature_scheme(name, scheme, extensions.signature, description)
                )
            elif kind == "apiKey" and extensions.jwt is not None:
                jwt = extensions.jwt
                result.append(
                    SecurityScheme(
                        name,
                        "jwt",
                        scheme.get("in", "header"),
                        str(scheme.get("name")),
                        description,
                        jwt=Jwt(
                            algorithm=jwt.algorithm,
                            prefix=jwt.prefix,
                            server_claims_json=canonical_json(dict(jwt.server_claims)),
                            user_claim=jwt.user_claim,
                        ),
                    )
                )
            elif kind == "apiKey" and extensions.value is not None:
                result.append(
                    SecurityScheme(
                        name,
                        "fixed",
                        scheme.get("in", "header"),
                        str(scheme.get("name")),
                        description,
                        value=extensions.value,
                    )
                )
            elif kind == "apiKey" and scheme.get("in") in ("header", "query"):
                result.append(
                    SecurityScheme(
                        name,
                        "api_key",
                        scheme.get("in", "header"),
                        str(scheme.get("name")),
                        description,
                    )
                )
            else:
                self.diagnostics.error(
                    f"security scheme {name!r} ({kind}"
                    f"{' in ' + str(scheme.get('in')) if kind == 'apiKey' else ''}) is not "
                    "supported by the generated clients; use http bearer or basic, oauth2, "
                    "or apiKey in a header or the query",
                    where,
                )
        return result

    def signature_scheme(
        self, name: str, scheme: Mapping[str, Any], spec: ext.Signature, description: str
    ) -> SecurityScheme:
        signature = Signature(
            algorithm=spec.algorithm,
            app_key_header=spec.app_key_header,
            nonce_header=spec.nonce_header,
            timestamp_header=spec.timestamp_header,
            milliseconds=spec.milliseconds,
            signed=spec.signed,
            accepted_prefixes=spec.accepted_prefixes,
            request_id_header=spec.request_id_header,
        )
        return SecurityScheme(
            name, "signature", "header", str(scheme.get("name")), description, signature=signature
        )

    def envelope(self) -> Envelope | None:
        raw = ext.read_envelope(self.doc)[0] if self.conventions else None
        if raw is None:
            return None
        return Envelope(
            code_field=raw.code_field,
            success_codes=raw.success_codes,
            message_field=raw.message_field,
            result_field=raw.result_field,
        )

    def errors(self, envelope: Envelope | None) -> ErrorStyle:
        raw = ext.read_errors(self.doc, ERROR_KINDS)[0] if self.conventions else None
        if raw is not None:
            return ErrorStyle(
                message_field=raw.message,
                code_field=raw.code,
                codes=tuple(sorted(raw.codes)),
                status_field=raw.status,
                timestamp_field=raw.timestamp,
                fields_field=raw.fields,
                fixed=raw.fixed,
            )
        if envelope is not None:
            return ErrorStyle(
                message_field=envelope.message_field or "message",
                code_field=envelope.code_field,
            )
        return self.documented_errors()

    def documented_errors(self) -> ErrorStyle:
        """The error style of a spec with no `x-errors`: validation failures answered with the
        status its operations document for them (400, else 422, FastAPI's), in the members of
        its documented error body; FastAPI's own `{"detail": ...}` where it documents none."""
        statuses: set[str] = set()
        bodies: list[Mapping[str, Any]] = []
        for path_item in (self.doc.get("paths") or {}).values():
            path_item, _ = self.deref(path_item, "")
            if not isinstance(path_item, dict):
                continue
            for method in HTTP_METHODS:
                op = path_item.get(method)
                responses = op.get("responses") if isinstance(op, dict) else None
                for status, response in (responses or {}).items():
                    status = str(status)
                    if not (status.startswith("4") or status == "default"):
                        continue
                    statuses.add(status)
                    response, _ = self.deref(response, "")
                    content = response.get("content") if isinstance(response, dict) else None
                    media = (content or {}).get("application/json")
                    schema = media.get("schema") if isinstance(media, dict) else None
                    target = self.registry.target(schema)
                    if isinstance(target, dict) and isinstance(target.get("properties"), dict):
                        bodies.append(target["properties"])
        validation = 400 if "400" in statuses or {"4XX", "422"} & statuses == {"4XX"} else 422
        members = bodies[0] if bodies else {}
        if not members or "detail" in members:
            return ErrorStyle(code_field=None, validation_status=validation, detail=True)
        message = next(
            (
                name
                for name in ("message", "error_description", "error", "msg", "description")
                if name in members
            ),
            next(iter(members)),
        )
        status = members.get("status")
        numeric = isinstance(status, dict) and status.get("type") == "integer"
        return ErrorStyle(
            message_field=message,
            code_field="code" if "code" in members and message != "code" else None,
            status_field="status" if numeric else None,
            validation_status=validation,
        )

    def security_all(self, schemes: list[SecurityScheme]) -> bool:
        requirements = self.doc.get("security") or []
        return (
            len(schemes) > 1
            and len(requirements) == 1
            and set(requirements[0]) == {s.name for s in schemes}
        )

    def build(self) -> Api:
        operations = []
        for path, path_item in (self.doc.get("paths") or {}).items():
            path_item, _ = self.deref(path_item, f"/paths/{escape_pointer_token(path)}")
            for method in HTTP_METHODS:
                if isinstance(path_item.get(method), dict):
                    operations.append(self.operation(path, method, path_item, path_item[method]))
        webhooks = build_webhooks(self)
        info = self.doc.get("info") or {}
        project = (ext.read_project(self.doc)[0] if self.conventions else None) or ext.Project()
        tags = self.tags(operations)
        security = self.security()
        servers = self.servers()
        models = self.registry.models()
        envelope = self.envelope()
        errors = self.errors(envelope)
        security_all = self.security_all(security)
        if self.diagnostics.has_errors:
            raise SpecError(list(self.diagnostics))
        return Api(
            slug=self.slug,
            title=_text(info.get("title")) or self.slug,
            version=_text(str(info.get("version", ""))),
            description=_block(info.get("description")),
            spec_file=self.label,
            package=naming.identifier(project.package or self.slug),
            source_document=project.source_document,
            source_functions=project.source_functions,
            servers=tuple(servers),
            security=tuple(security),
            tags=tuple(tags),
            models=models,
            conventions=self.conventions,
            security_all=security_all,
            envelope=envelope,
            errors=errors,
            document=json.dumps(self.doc, indent=2) + "\n",
            credentials=credentials(security, security_all),
            failures=failures(errors),
            webhooks=webhooks,
        )


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


_FORMAT_SAMPLES = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "hostname": "example.com",
}


def _sample_string(schema: Mapping[str, Any]) -> str:
    """A string the schema accepts where its format and length say what that takes."""
    text = _FORMAT_SAMPLES.get(str(schema.get("format")), "string")
    minimum = schema.get("minLength")
    if isinstance(minimum, int) and len(text) < minimum:
        text = text + "x" * (minimum - len(text))
    maximum = schema.get("maxLength")
    if isinstance(maximum, int) and len(text) > maximum:
        text = text[: max(maximum, 0)]
    return text


def _is_union(schema: Mapping[str, Any]) -> bool:
    return isinstance(schema.get("oneOf"), list) or isinstance(schema.get("anyOf"), list)


def _choose_media(content: Mapping[str, Any]) -> str:
    """The request media type to generate: JSON first, then form, multipart, text, any other."""
    for kind in ("json", "form", "multipart", "text"):
        for media in content:
            if _body_kind(media) == kind:
                return str(media)
    return str(next(iter(content)))


def _body_kind(media: str) -> BodyKind:
    if _is_json(media):
        return "json"
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media == "multipart/form-data":
        return "multipart"
    if media.split(";")[0].strip().lower().startswith("text/"):
        return "text"
    return "raw"


def _is_json(media: str) -> bool:
    base = media.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _status_key(status: Json) -> tuple[int, str]:
    text = str(status)
    return (0 if text[:1] == "2" else 1 if text != "default" else 2, text)


def _server_path(path: str, names: Mapping[str, str]) -> str:
    return _PARAM.sub(
        lambda m: "{" + names.get(m.group(1), naming.identifier(m.group(1))) + "}", path
    )


def _unique(field: Field, taken: set[str]) -> Field:
    """The field under a Python name no earlier field has: first its own, then with its
    location as a prefix (`body_rule_id`), then numbered."""
    py = field.py
    if py in taken:
        py = naming.identifier(f"{field.location}_{field.wire}", METHOD_ARGUMENTS)
    py = reserved.unique(py, taken)
    return replace(field, py=py) if py != field.py else field


def _claim_names(params: list[Field], body_fields: list[Field]) -> list[Field]:
    """Parameters keep their names, then body fields take theirs; collisions are renamed."""
    taken = {p.py for p in params}
    return [*params, *(_unique(field, taken) for field in body_fields)]


def build(
    spec: LoadedSpec, slug: str, label: str | None = None
) -> tuple[Api, tuple[Diagnostic, ...]]:
    """Build the IR of a loaded, linted spec, with the warnings found on the way; raises
    SpecError on what it cannot represent.

    `label` names the spec in generated files; it must not depend on the machine.
    """
    diagnostics = spec.diagnostics()
    api = _Builder(spec, slug, diagnostics, label or spec.path.name).build()
    return api, tuple(diagnostics)


def _is_file(schema: Mapping[str, Any]) -> bool:
    """Whether a form part's (resolved) schema is a file: `format: binary`, or the 3.1 way, a
    `contentMediaType`."""
    return schema.get("format") == "binary" or "contentMediaType" in schema


def _scalar_schema(schema: Any) -> bool:
    """Whether a parameter's schema is one value: no array, object or members."""
    if not isinstance(schema, dict):
        return True
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    shaped = any(key in schema for key in ("properties", "additionalProperties", "items"))
    return not shaped and not any(kind in ("array", "object") for kind in kinds)
