"""The project's own rules, one small function each, run after openapi-spec-validator.

Structural rules are errors in every document. Convention rules (see specs/README.md) are errors
in a document that carries `x-chatforge` and warnings in any other.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chatforge import naming, reserved
from chatforge.diagnostics import Diagnostics, Level, escape_pointer_token
from chatforge.graph import MAX_MODEL_FRAMES, cycle_frames, weighted_references
from chatforge.ir.build import DEFAULT_TAG
from chatforge.ir.failures import ERROR_KINDS
from chatforge.lint import patterns
from chatforge.lint.paths import path_problem
from chatforge.lint.webhooks import rule_webhooks
from chatforge.spec import extensions as ext
from chatforge.spec import walk
from chatforge.spec.document import HTTP_METHODS, follow, operations
from chatforge.spec.webhooks import webhook_only_schemes

# Python's validator and its registry are imported where they are used: a spec whose values the
# compiled pass (`examples.proven`) proves never needs them.
if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Registry

Json = Any
Rule = Callable[[Json, Diagnostics, Level], None]
_ASCII_LETTER = re.compile("[A-Za-z]")


def _resolve(doc: Json, node: Json) -> Json:
    return follow(doc, node)[0]


_mappings = walk.mappings
schemas = walk.schemas


def rule_operation_id(doc: Json, out: Diagnostics, level: Level) -> None:
    seen: dict[str, str] = {}
    python_names: dict[str, str] = {}
    for path, method, op, pointer in operations(doc):
        op_id = op.get("operationId")
        if not isinstance(op_id, str):
            out.add(
                level, f"{method.upper()} {path} has no operationId; add one in snake_case", pointer
            )
            op_id = naming.operation_id_from(method, path)
        elif not naming.is_snake_case(op_id):
            out.add(
                level,
                f"operationId {op_id!r} is not snake_case; use {naming.identifier(op_id)!r}",
                f"{pointer}/operationId",
            )
        where = f"{pointer}/operationId" if "operationId" in op else pointer
        if op_id in seen:
            out.error(
                f"operationId {op_id!r} is already used at {seen[op_id]}; "
                "operation ids must be unique",
                where,
            )
            continue
        seen[op_id] = pointer
        python = reserved.operation_name(op_id)
        if python in python_names and python_names[python] != op_id:
            out.error(
                f"operationId {op_id!r} and {python_names[python]!r} both become the Python "
                f"name {python!r}; rename one of them",
                where,
            )
        python_names[python] = op_id


def _duplicate_parameters(
    doc: Json, holder: Mapping[str, Any], where: str, out: Diagnostics
) -> None:
    """A parameter declared twice in one list (the same name and location)."""
    seen: dict[tuple[str, str], str] = {}
    parameters = holder.get("parameters")
    for index, raw in enumerate(parameters if isinstance(parameters, list) else []):
        param = _resolve(doc, raw)
        if not isinstance(param, dict):
            continue
        name, location = str(param.get("name")), str(param.get("in"))
        # Header names are case-insensitive: `X-Id` and `x-id` are one header.
        key = (name.lower() if location == "header" else name, location)
        pointer = f"{where}/parameters/{index}"
        if key in seen:
            out.error(
                f"{location} parameter {name!r} is already declared at {seen[key]}; "
                "remove one of them",
                pointer,
            )
        else:
            seen[key] = pointer
        if location == "header":
            _header_name(doc, name, f"{pointer}/name", out)


# A header name is an HTTP token (RFC 9110, section 5.1).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Headers HTTP itself sets from the message, or that concern one connection only (hop-by-hop,
# which a proxy drops): a parameter cannot carry them.
_FRAMING_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "expect",
        "host",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Headers OpenAPI says a header parameter may not describe (its definition "SHALL be ignored"):
# the request body's media type, the media types of the answers, and the security schemes'.
_DESCRIBED_ELSEWHERE = {
    "accept": "the media types of the operation's responses",
    "content-type": "the media type of the request body",
    "authorization": "a security scheme",
}


def _scheme_headers(doc: Json) -> dict[str, str]:
    """The header each `apiKey` security scheme reads, lowercased, and the scheme's name."""
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    found = {}
    for_deliveries = webhook_only_schemes(doc)
    for key, scheme in schemes.items() if isinstance(schemes, dict) else ():
        if key in for_deliveries:
            continue
        if isinstance(scheme, dict) and scheme.get("in") == "header":
            found[str(scheme.get("name", "")).lower()] = str(key)
    return found


def _header_name(doc: Json, name: str, pointer: str, out: Diagnostics) -> None:
    lowered = name.lower()
    if not _TOKEN.fullmatch(name):
        out.error(
            f"header parameter {name!r} is not a valid HTTP header name (letters, digits and "
            "!#$%&'*+-.^_`|~ only); rename it",
            pointer,
        )
    elif lowered in _FRAMING_HEADERS:
        out.error(
            f"header {name!r} is set by HTTP itself from the message, or concerns one "
            "connection only, so no parameter can carry it; remove the parameter",
            pointer,
        )
    elif lowered in _DESCRIBED_ELSEWHERE:
        out.error(
            f"header parameter {name!r} is one OpenAPI ignores: {_DESCRIBED_ELSEWHERE[lowered]} "
            "sets it; remove the parameter and describe it there",
            pointer,
        )
    elif lowered in _scheme_headers(doc):
        out.error(
            f"header parameter {name!r} is the header of security scheme "
            f"{_scheme_headers(doc)[lowered]!r}, which the client's credentials set; remove "
            "the parameter",
            pointer,
        )


def rule_path_params(doc: Json, out: Diagnostics, level: Level) -> None:
    for path, item in (doc.get("paths") or {}).items():
        if isinstance(item, dict):
            where = f"/paths/{escape_pointer_token(path)}"
            _duplicate_parameters(doc, item, where, out)
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    _duplicate_parameters(doc, item[method], f"{where}/{method}", out)
    for path, method, op, pointer in operations(doc):
        in_path = re.findall(r"{([^{}]+)}", path)
        item = doc["paths"][path]
        item_pointer = pointer.rsplit("/", 1)[0]
        declared: dict[str, str] = {}
        for holder, where in ((item, item_pointer), (op, pointer)):
            for index, raw in enumerate(holder.get("parameters") or []):
                param = _resolve(doc, raw)
                if isinstance(param, dict) and param.get("in") == "path":
                    declared[str(param.get("name"))] = f"{where}/parameters/{index}"
        for name in in_path:
            if name not in declared:
                out.error(
                    f"path parameter {{{name}}} of {method.upper()} {path} is not declared; "
                    f"add a parameter with name: {name} and in: path",
                    pointer,
                )
        for name in sorted(set(declared) - set(in_path)):
            out.error(
                f"path parameter {name!r} is declared but {path} has no {{{name}}}; "
                "remove it or add it to the path",
                declared[name],
            )


def rule_paths(doc: Json, out: Diagnostics, level: Level) -> None:
    """Every path is one a request can reach: a URL path with `{name}` templates."""
    paths = doc.get("paths")
    for path in paths if isinstance(paths, dict) else {}:
        problem = path_problem(str(path))
        if problem is not None:
            out.error(f"path {path!r} {problem}", f"/paths/{escape_pointer_token(path)}")


def rule_names(doc: Json, out: Diagnostics, level: Level) -> None:
    """Names that become one Python name: schemas (classes), tags (client attributes) and the
    properties of one schema (fields)."""
    project = ext.is_project(doc)
    components = (doc.get("components") or {}).get("schemas") or {}
    seen: dict[str, str] = {}
    for name in components:
        python = naming.class_name(name)
        if python in seen:
            out.error(
                f"schemas {seen[python]!r} and {name!r} both become the class {python!r}; "
                "rename one of them",
                f"/components/schemas/{escape_pointer_token(name)}",
            )
        seen[python] = name
    # Tags as the IR names them: the declared ones in order, then undeclared ones operations
    # use; only tags with operations become Python names.
    tag_at: dict[str, str] = {}
    for index, tag in enumerate(doc.get("tags") or []):
        if isinstance(tag, dict):
            where = f"/tags/{index}/name" if "name" in tag else f"/tags/{index}"
            tag_at.setdefault(str(tag.get("name")), where)
    used = set()
    for _path, _method, op, pointer in operations(doc):
        tags = op.get("tags") or [DEFAULT_TAG]
        used.add(str(tags[0]))
        tag_at.setdefault(str(tags[0]), f"{pointer}/tags/0" if op.get("tags") else pointer)
    seen = {}
    python_names = reserved.tag_names(name for name in tag_at if name in used)
    for name, where in tag_at.items():
        if name not in used:
            continue
        python = python_names[name]
        if python in seen:
            out.error(
                f"tags {seen[python]!r} and {name!r} both become the Python name {python!r}; "
                "rename one of them",
                where,
            )
        seen[python] = name
    for pointer, schema in schemas(doc):
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            continue
        name = pointer.removeprefix("/components/schemas/")
        owner = f"the schema at {pointer}"
        if name != pointer and "/" not in name:
            owner = f"schema {name.replace('~1', '/').replace('~0', '~')!r}"
        seen = {}
        for prop in properties:
            python = naming.identifier(str(prop))
            if python in seen:
                # Names that differ in case or punctuation: the models and the client rename one
                # of the two, each keeping its wire name: correct code, under a name the spec's
                # authors did not choose. Names without ASCII letters cannot be told apart so.
                renamed = not project and all(
                    _ASCII_LETTER.search(name) for name in (str(seen[python]), str(prop))
                )
                fix = (
                    "the generated code renames one of them (its field and argument keep "
                    "the name on the wire); rename one to choose the names"
                    if renamed
                    else "rename one of them"
                )
                out.add(
                    Level.WARNING if renamed else level,
                    f"properties {seen[python]!r} and {prop!r} of {owner} both become the "
                    f"Python name {python!r}; {fix}",
                    f"{pointer}/properties/{escape_pointer_token(prop)}",
                )
            else:
                seen[python] = prop


def rule_summary(doc: Json, out: Diagnostics, level: Level) -> None:
    for path, method, op, pointer in operations(doc):
        if not str(op.get("summary") or "").strip():
            out.add(
                level, f"{method.upper()} {path} has no summary; add a one-line summary", pointer
            )


def rule_tags(doc: Json, out: Diagnostics, level: Level) -> None:
    declared = {t.get("name") for t in doc.get("tags") or [] if isinstance(t, dict)}
    for path, method, op, pointer in operations(doc):
        tags = op.get("tags") or []
        if len(tags) != 1:
            out.add(
                level, f"{method.upper()} {path} has {len(tags)} tags; give it exactly one", pointer
            )
        elif tags[0] not in declared:
            out.add(
                level,
                f"tag {tags[0]!r} is not declared under the root tags; declare it "
                "with a description",
                f"{pointer}/tags/0",
            )


def rule_responses(doc: Json, out: Diagnostics, level: Level) -> None:
    for path, method, op, pointer in operations(doc):
        codes = [str(code) for code in op.get("responses") or {}]
        if not any(code.startswith("2") for code in codes):
            out.add(
                level,
                f"{method.upper()} {path} has no 2xx response; document the success response",
                f"{pointer}/responses",
            )
        if not any(code.startswith(("4", "5")) or code == "default" for code in codes):
            out.add(
                level,
                f"{method.upper()} {path} documents no error response; add the "
                "vendor's error responses",
                f"{pointer}/responses",
            )


def rule_rate_limit(doc: Json, out: Diagnostics, level: Level) -> None:
    for path, method, op, pointer in operations(doc):
        limit, problems = ext.read_rate_limit(op, pointer)
        if limit is None and not problems:
            out.add(
                level,
                f"{method.upper()} {path} has no {ext.RATE_LIMIT}; add the documented "
                "limit, or {documented: false}",
                pointer,
            )
        for message, where in problems:
            out.error(message, where)


def rule_functions(doc: Json, out: Diagnostics, level: Level) -> None:
    project, _ = ext.read_project(doc)
    total = project.source_functions if project is not None else None
    rows: dict[int, str] = {}
    names: dict[str, str] = {}
    for path, method, op, pointer in operations(doc):
        entries, problems = ext.read_functions(op, path, pointer)
        if entries is None and not problems:
            out.add(
                level,
                f"{method.upper()} {path} has no {ext.FUNCTIONS}; list the rows of the "
                "source document it serves",
                pointer,
            )
            continue
        for message, where in problems:
            out.error(message, where)
        for entry in entries or ():
            where = entry.pointer
            if entry.row is not None and entry.row in rows:
                out.error(
                    f"row {entry.row} is already served by {rows[entry.row]}; a row maps to one "
                    "operation",
                    where,
                )
            elif entry.row is not None:
                rows[entry.row] = where
                if total is not None and entry.row > total:
                    out.error(
                        f"row {entry.row} is beyond the {total} functions of the source document",
                        where,
                    )
            if entry.name is None or not naming.is_snake_case(entry.name):
                continue
            if entry.name in names:
                out.error(
                    f"client method {entry.name!r} is already defined at {names[entry.name]}",
                    where,
                )
            else:
                names[entry.name] = where
    if total is not None and project is not None:
        missing = [row for row in range(1, total + 1) if row not in rows]
        if missing:
            shown = ", ".join(str(r) for r in missing[:20])
            out.add(
                level,
                f"rows {shown} of the source document are served by no operation",
                f"/{ext.PROJECT}/source/functions",
            )


def rule_shared_route(doc: Json, out: Diagnostics, level: Level) -> None:
    schemas = (doc.get("components") or {}).get("schemas") or {}
    for path, method, op, pointer in operations(doc):
        entries, _ = ext.read_functions(op, path, pointer)
        if entries is None or len(entries) < 2:
            continue
        if "requestBody" not in op:
            continue  # functions that differ only in their parameters' values
        body: Json = _resolve(doc, op.get("requestBody")) or {}
        content: Json = body.get("content") or {}
        media: Json = next(iter(content.values()), {})
        schema = _resolve(doc, media.get("schema"))
        variants = {m.get("$ref") for m in (schema or {}).get("oneOf") or [] if isinstance(m, dict)}
        if not variants:
            out.error(
                f"{method.upper()} {path} serves {len(entries)} functions but its request "
                "body is not a oneOf of variants",
                pointer,
            )
            continue
        for index, entry in enumerate(entries):
            variant = entry.variant
            if variant not in variants:
                out.error(
                    f"function {index + 1} must name its variant, one of "
                    f"{sorted(v for v in variants if v)}",
                    entry.pointer,
                )
            elif (
                not str(variant).startswith("#/components/schemas/")
                or str(variant).split("/")[-1] not in schemas
            ):
                out.error(f"variant {variant!r} is not a component schema", entry.pointer)


def schema_registry(doc: Json) -> Registry[Any]:
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resource("urn:spec", DRAFT202012.create_resource(doc))
    return registry


def schema_validator(doc: Json, pointer: str, registry: Registry[Any] | None = None) -> Validator:
    """A validator of the schema at `pointer`, whose `$ref`s resolve in the document (pass the
    document's `schema_registry` to validate against many of its schemas)."""
    import jsonschema

    ref = f"urn:spec#{quote(pointer, safe='/~')}"
    return jsonschema.Draft202012Validator({"$ref": ref}, registry=registry or schema_registry(doc))


def mismatches(doc: Json, sites: list[tuple[str, Json]]) -> list[ValidationError | None]:
    """For each (schema pointer, value), the error that best says why the value does not match
    the schema, or None where it does. Those proven in one compiled pass (`examples.proven`)
    need no more; the rest get the Python validator's verdict and message."""
    from chatforge.lint import examples

    found: list[ValidationError | None] = []
    registry: Registry[Any] | None = None
    for (pointer, value), done in zip(sites, examples.proven(doc, sites), strict=True):
        if done:
            found.append(None)
            continue
        from jsonschema.exceptions import best_match

        registry = registry or schema_registry(doc)
        found.append(best_match(schema_validator(doc, pointer, registry).iter_errors(value)))
    return found


def _example_sites(doc: Json) -> Iterator[tuple[str, str, Json]]:
    """(schema pointer, example pointer, value) for every example: beside a schema (parameters,
    headers, media types) and inside one (`example`, and the list `examples`)."""
    for pointer, node in _mappings(doc):
        if not isinstance(node.get("schema"), dict):
            continue
        schema_ptr = f"{pointer}/schema"
        if "example" in node:
            yield schema_ptr, f"{pointer}/example", node["example"]
        examples = node.get("examples")
        for name, item in (examples if isinstance(examples, dict) else {}).items():
            if isinstance(item, dict) and "value" in item:
                where = f"{pointer}/examples/{escape_pointer_token(name)}/value"
                yield schema_ptr, where, item["value"]
    for pointer, schema in schemas(doc):
        if "example" in schema:
            yield pointer, f"{pointer}/example", schema["example"]
        examples = schema.get("examples")
        for index, value in enumerate(examples if isinstance(examples, list) else []):
            yield pointer, f"{pointer}/examples/{index}", value


def rule_examples(doc: Json, out: Diagnostics, level: Level) -> None:
    sites = list(_example_sites(doc))
    found = mismatches(doc, [(schema_ptr, value) for schema_ptr, _, value in sites])
    for (_, example_ptr, _), best in zip(sites, found, strict=True):
        if best is not None:
            where = "".join(f"/{p}" for p in best.absolute_path)
            out.add(
                level,
                f"example does not match its schema: {best.message}"
                f"{' at ' + where if where else ''}; correct the example or the schema",
                example_ptr,
            )


def rule_enums(doc: Json, out: Diagnostics, level: Level) -> None:
    """An enum lists at least one value, and only values of the schema's type."""
    for pointer, schema in schemas(doc):
        values = schema.get("enum")
        if not isinstance(values, list):
            continue
        where = f"{pointer}/enum"
        if not values:
            out.add(
                level,
                "enum is empty, so no value is valid; list the allowed values or remove enum",
                where,
            )
            continue
        kind = schema.get("type")
        kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
        kinds = [k for k in kinds if k in _ONE_OF_TYPE]
        wrong = [v for v in values if kinds and not any(_is_type(v, k) for k in kinds)]
        if not wrong:
            continue
        types = ", ".join(repr(k) for k in kinds)
        if len(wrong) == 1:
            subject = f"enum value {ext.shown(wrong[0])} is"
            fix = "make it " + " or ".join(_ONE_OF_TYPE[k] for k in kinds)
        else:
            subject = f"enum values {', '.join(ext.shown(v) for v in wrong)} are"
            fix = "make them " + " or ".join(_MANY_OF_TYPE[k] for k in kinds)
        noun = "types" if len(kinds) > 1 else "type"
        out.add(
            level, f"{subject} not of the schema's {noun} {types}; {fix} or change the type", where
        )


_ONE_OF_TYPE = {
    "array": "an array",
    "boolean": "a boolean",
    "integer": "an integer",
    "null": "null",
    "number": "a number",
    "object": "an object",
    "string": "a string",
}
_MANY_OF_TYPE = {
    "array": "arrays",
    "boolean": "booleans",
    "integer": "integers",
    "null": "null",
    "number": "numbers",
    "object": "objects",
    "string": "strings",
}


def _is_type(value: Json, kind: str) -> bool:
    """Whether a JSON value is of a JSON Schema type (1.0 is an integer; true is no number)."""
    if isinstance(value, bool):
        return kind == "boolean"
    if isinstance(value, int):
        return kind in ("integer", "number")
    if isinstance(value, float):
        return kind == "number" or (kind == "integer" and value.is_integer())
    kinds = {str: "string", type(None): "null", list: "array", dict: "object"}
    return kinds.get(type(value)) == kind


def _error_style(doc: Json, out: Diagnostics) -> None:
    """`x-errors`: its members, and an answer of every kind valid against its schema."""
    if not ext.claims_project(doc):  # servers follow it in project specs only
        return
    style, problems = ext.read_errors(doc, ERROR_KINDS)
    for message, where in problems:
        out.error(message, where)
    if style is None or style.schema is None:
        return
    schema = style.schema
    codes = dict(style.codes)
    bodies: dict[str, Json] = {}
    for kind, status in ERROR_KINDS.items():
        body = bodies[kind] = dict(style.fixed)
        if style.code is not None:
            body[style.code] = codes.get(kind, status)
        body[style.message] = f"a {kind} error"
        for member, value in (
            (style.status, status),
            (style.timestamp, 1),
            (style.fields, {"id": "missing"}),
        ):
            if member is not None:
                body[member] = value
    found = mismatches(doc, [(schema[1:], body) for body in bodies.values()])
    for kind, problem in zip(bodies, found, strict=True):
        if problem is not None:
            where = f"/{ext.ERRORS}/codes/{kind}" if kind in codes else f"/{ext.ERRORS}"
            out.error(
                f"the {kind} error answer does not match {schema}: {problem.message}"
                + ("" if kind in codes else f"; give codes.{kind}"),
                where,
            )


def rule_extensions(doc: Json, out: Diagnostics, level: Level) -> None:
    problems = ext.read_project(doc)[1] + ext.read_envelope(doc)[1]
    for message, where in problems:
        out.error(message, where)
    _error_style(doc, out)
    for index, server in enumerate(doc.get("servers") or []):
        for message, where in ext.read_server(server, f"/servers/{index}")[1]:
            out.error(message, where)
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    for name, scheme in schemes.items():
        where = f"/components/securitySchemes/{escape_pointer_token(name)}"
        for message, at in ext.read_scheme(scheme, where)[1]:
            out.error(message, at)
    project = ext.is_project(doc)  # the generators read x-pagination in project specs only
    for path, _method, op, pointer in operations(doc):
        aliases, problems = ext.read_aliases(op, pointer)
        if project:
            problems += ext.read_pagination(op, pointer)[1]
        for message, where in problems:
            out.error(message, where)
        if aliases is None:
            continue
        own = sorted(re.findall(r"{([^{}]+)}", path))
        for index, alias in enumerate(aliases.paths):
            problem = path_problem(alias)
            if problem is not None:
                out.error(f"alias {alias!r} {problem}", f"{aliases.pointer}/{index}")
            elif sorted(re.findall(r"{([^{}]+)}", alias)) != own:
                out.error(
                    f"alias {alias!r} must have the same path parameters as {path!r}",
                    f"{aliases.pointer}/{index}",
                )


def rule_patterns(doc: Json, out: Diagnostics, level: Level) -> None:
    """A `pattern` the generated code can check, and check safely: pydantic's regex engine
    compiles it, or Python's `re` does (the generated code falls back to it); it means the
    same to both; and where `re` checks it, no value the schema allows makes `re` backtrack
    past `patterns.BUDGET` steps. The generated models check every pattern of a model with
    `re` once one needs it, so in a spec with such a pattern every pattern is held to that."""
    found = [
        (pointer, schema, schema["pattern"])
        for pointer, schema in schemas(doc)
        if isinstance(schema.get("pattern"), str)
    ]
    by_python = any(_compiles(p) and patterns.python_only(p) for _, _, p in found)
    for pointer, schema, pattern in found:
        where = f"{pointer}/pattern"
        if not _compiles(pattern, python=by_python):
            engines = (
                "Python's re cannot compile (the spec has patterns only re can run, and the "
                "generated models check every pattern with it)"
                if by_python
                else "neither pydantic's engine nor Python's re can compile"
            )
            out.error(
                f"pattern {pattern!r} is a regular expression {engines}; write it in the "
                "syntax both share",
                where,
            )
            continue
        differs = patterns.meaning_differs(pattern)
        if differs is not None:
            out.error(
                f"pattern {pattern!r} has a {differs}, which Rust's regex engine, Python's re "
                "and JSON Schema read differently; write the class out (`[A-Za-z]` for "
                "`[[:alpha:]]`, `[ac-z]` for `[a-z&&[^b]]`) and escape a `[` inside a class",
                where,
            )
            continue
        if not by_python:
            continue
        longest = patterns.longest_checkable(pattern)
        limit = schema.get("maxLength")
        bounded = isinstance(limit, int) and not isinstance(limit, bool) and limit <= (longest or 0)
        if longest is not None and not bounded:
            out.error(
                f"pattern {pattern!r} is checked with Python's re (the spec has patterns with "
                "look-around or back-references, which pydantic's engine cannot run), and re "
                "backtracks: the time it takes grows faster than the value, and past "
                f"{longest} characters could hold a server up; give this schema a maxLength "
                f"of at most {longest}, or write the pattern so that no two quantifiers can "
                "match the same text (no `(a|aa)+`, `(a+)+`, `\\d+\\d+`)",
                where,
            )


# The most members a `oneOf` or `anyOf` may have: the union it becomes in the models is one
# expression, which Python parses by recursion, so a few thousand members cannot be imported.
MAX_UNION = 500


def rule_unions(doc: Json, out: Diagnostics, level: Level) -> None:
    for pointer, schema in schemas(doc):
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and len(members) > MAX_UNION:
                out.error(
                    f"{key} has {len(members)} members; the generated models can hold a union "
                    f"of at most {MAX_UNION}: group the members (a oneOf of oneOfs), or "
                    "describe them with one schema",
                    f"{pointer}/{key}",
                )


# The longest chain of named schemas each built on the next through `allOf`: each becomes a
# model class inheriting the next, and datamodel-code-generator orders a class's bases in time
# that grows with the cube of the chain (two hundred take a minute).
MAX_INHERITANCE = 32


def rule_inheritance(doc: Json, out: Diagnostics, level: Level) -> None:
    components = (doc.get("components") or {}).get("schemas") or {}
    if not isinstance(components, dict):
        return
    prefix = "#/components/schemas/"
    bases: dict[str, list[str]] = {}
    for name, schema in components.items():
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        found = []
        for part in parts if isinstance(parts, list) else ():
            ref = part.get("$ref") if isinstance(part, dict) else None
            if isinstance(ref, str) and ref.startswith(prefix):
                target = ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
                if target in components and target != name:
                    found.append(target)
        bases[str(name)] = found
    depth: dict[str, int] = {}
    for start in bases:  # longest chains below each schema, without recursion
        stack = [(start, 0)]
        while stack:
            name, index = stack.pop()
            if name in depth and index == 0:
                continue
            below = bases[name]
            if index < len(below):
                stack.append((name, index + 1))
                if below[index] not in depth and all(below[index] != n for n, _ in stack):
                    stack.append((below[index], 0))
            else:
                depth[name] = 1 + max((depth.get(b, 0) for b in below), default=0)
    for name, chain in depth.items():
        if chain > MAX_INHERITANCE and all(chain >= depth.get(n, 0) for n in depth):
            out.error(
                f"schema {name!r} is built through allOf on a chain of {chain} named schemas; "
                f"the generated models can build on at most {MAX_INHERITANCE}: write some of "
                "the chain's members inline",
                f"/components/schemas/{escape_pointer_token(name)}/allOf",
            )
            return


def _compiles(pattern: str, *, python: bool = False) -> bool:
    """Whether pydantic's engine or Python's re compiles `pattern` (re alone, if `python`)."""
    if not python and not patterns.python_only(pattern):
        return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError):
            return False
    return True


def rule_reference_cycles(doc: Json, out: Diagnostics, level: Level) -> None:
    components = (doc.get("components") or {}).get("schemas") or {}
    if not isinstance(components, dict):
        return
    edges = {str(name): weighted_references(schema) for name, schema in components.items()}
    frames, path = cycle_frames(edges)
    if frames <= MAX_MODEL_FRAMES:
        return
    shown = " -> ".join(repr(name) for name in path[:6]) + (" -> ..." if len(path) > 6 else "")
    out.error(
        f"schemas refer to one another in a cycle {len(path)} models deep ({shown}); pydantic "
        f"would need about {frames} interpreter frames to build it, more than the "
        f"{MAX_MODEL_FRAMES} the generated models may take of Python's recursion limit: "
        "replace one reference on this path with the referred object's id (a string) or a "
        "free-form object, so the cycle is shorter",
        f"/components/schemas/{escape_pointer_token(path[0])}",
    )


RULES: dict[str, tuple[Rule, bool]] = {
    # name: (rule, is a convention rule)
    "operation-id": (rule_operation_id, True),
    "paths": (rule_paths, False),
    "path-params": (rule_path_params, False),
    "name-collision": (rule_names, False),
    "summary": (rule_summary, True),
    "tags": (rule_tags, True),
    "responses": (rule_responses, True),
    "rate-limit": (rule_rate_limit, True),
    "functions": (rule_functions, True),
    "shared-route": (rule_shared_route, False),
    # Examples and enums that contradict their schema still give correct code (an example that
    # does not match is left out of it): errors in project specs, warnings in any other.
    "examples": (rule_examples, True),
    "enums": (rule_enums, True),
    "extensions": (rule_extensions, False),
    "patterns": (rule_patterns, False),
    "unions": (rule_unions, False),
    "inheritance": (rule_inheritance, False),
    "reference-cycles": (rule_reference_cycles, False),
    "webhooks": (rule_webhooks, False),
}


# Rules about the project's own extensions, which mean nothing in a spec that is not ours.
PROJECT_ONLY = frozenset({"rate-limit", "functions"})


def lint(doc: Json, out: Diagnostics) -> None:
    """Run every rule. In a spec without `x-chatforge`, convention rules only warn and the
    rules about the project's own extensions are skipped."""
    project = ext.is_project(doc)
    with walk.memoised(doc):  # the rules read the document; none changes it
        for name, (rule, convention) in RULES.items():
            if not project and name in PROJECT_ONLY:
                continue
            level = Level.ERROR if (project or not convention) else Level.WARNING
            before = len(out.items)
            rule(doc, out, level)
            out.items[before:] = [replace(item, rule=name) for item in out.items[before:]]
