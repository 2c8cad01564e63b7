"""One page per tag (`<tag>.md`): each operation with its arguments, body, answers and examples."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from chatforge.ir.model import (
    Api,
    Field,
    Function,
    Operation,
    Response,
    Tag,
)
from chatforge.targets.docs.curl import curl_example
from chatforge.targets.docs.examples import example_args, example_code
from chatforge.targets.docs.places import INDEX, QUICKSTART, Names, all_of, scheme_anchor
from chatforge.targets.docs.schemas import shape_md
from chatforge.targets.docs.view import (
    NEST,
    PROPERTY_HEADER,
    CodeBlock,
    Item,
    Table,
    arguments,
    code_block,
    notes_md,
    property_row,
    rate_limit_md,
    table,
    type_md,
)
from chatforge.targets.text import (
    code,
    md,
    md_link,
    md_prose,
    md_sentence,
)


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
    method = tag.names.method(op, function)
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
        method = tag.names.method(op, function)
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
    names, first = tag.names, op.functions[0]
    if op.pagination is not None:
        every = code(f"client.{tag.py}.{names.iterator(op, first)}()")
        result.append(Item(f"**Every item:** {every} yields the items of every page"))
    if op.success.kind == "binary":
        to_file = code(f"client.{tag.py}.{names.to_file(op, first)}(destination=..., ...)")
        result.append(Item(f"**To a file:** {to_file} streams the download to `destination`"))
    result.append(Item(f"**Operation id:** {code(op.operation_id)}"))
    return tuple(result)


def variant_caption(tag: Tag, op: Operation, function: Function, where: Names) -> str:
    method = tag.names.method(op, function)
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
    return BodySection(summary, md_prose(body.description), parts)


def response_row(response: Response, where: Names) -> tuple[str, ...]:
    if response.kind == "binary":
        shape = f"binary ({code(response.media_type or 'application/octet-stream')})"
    elif response.kind == "empty":
        shape = "empty"
    elif response.model in where.models:
        shape = where.model_link(response.model or "")
    else:
        shape = code(response.media_type or "application/json")
    return (code(response.status), md_sentence(response.description), shape)


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
        description_md=md_prose(op.description),
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
        description_md=md_prose(tag.description),
        back_md=(
            f"Part of the {md_link(api.title, INDEX)} reference. Examples use a `client` made as "
            f"in the {md_link('quick start', QUICKSTART)}. A name in a table is the one sent on "
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
