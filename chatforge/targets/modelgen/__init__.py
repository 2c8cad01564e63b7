"""The models module of an API: Pydantic v2 models through datamodel-code-generator, from the
IR's named schemas. Made once per spec and handed to the targets that embed it (models, client,
server), each of which turns it into its own form."""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import json
import re
import textwrap
import warnings
from collections import deque
from collections.abc import Iterator
from typing import Any

from chatforge.diagnostics import Diagnostic, Level, SpecError, pointer_of
from chatforge.graph import (
    IN_ORDER_FRAMES,
    cycle_frames,
    deepest_path,
    dependency_order,
    weighted_references,
)
from chatforge.ir.model import Api
from chatforge.spec import walk
from chatforge.targets import text
from chatforge.targets.modelgen import allof
from chatforge.targets.modelgen.applicable import applicable
from chatforge.targets.modelgen.names import components_named
from chatforge.targets.modelgen.patterns import end_of_text
from chatforge.targets.templating import header


class ModelsError(Exception):
    pass


def prepare() -> None:
    """Get datamodel-code-generator ready before it is needed: import it (a third of a second)
    and run it once on a small document, which sets up what it builds on first use (another
    quarter of a second on the first real spec). Also import the JSON Schema validator that
    `server_models` asks where a schema does not plainly say whether it takes null (a tenth of
    a second), for the worker that makes the models renders a server's too."""
    _run(_WARM_UP, "# warm-up")
    import jsonschema  # noqa: F401
    import referencing.jsonschema  # noqa: F401


# A few schemas with the shapes the specs have: objects with constraints, enums, arrays of
# references, nullable members, unions and maps.
_WARM_UP: dict[str, Any] = {
    "Item": {
        "type": "object",
        "description": "An item.",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer", "format": "int64", "minimum": 1},
            "name": {"type": "string", "maxLength": 8, "pattern": "^[a-z]+$"},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
            "note": {"type": ["string", "null"], "description": "A note."},
            "at": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email"},
            "either": {"oneOf": [{"type": "string"}, {"type": "number"}]},
            "extra": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "nested": {"type": "object", "properties": {"x-y": {"type": "number"}}},
        },
    },
    "Tag": {"type": "string", "enum": ["red", "green"], "description": "A tag."},
}


def models_module(api: Api) -> str:
    """The text of `models.py`: every named schema of the API as a class."""
    return _generate(api)


# The methods through which datamodel-code-generator's parsers read a referenced document, from
# a file or from the network. `_seal` replaces each with one that refuses.
_FETCHERS = {
    "datamodel_code_generator.parser.base:Parser": ("_get_text_from_url",),
    "datamodel_code_generator.parser.jsonschema:JsonSchemaParser": (
        "_get_ref_body",
        "_get_ref_body_from_url",
        "_get_ref_body_from_remote",
        "_load_local_ref_document",
        "_load_ref_data_from_path",
    ),
}
_sealed: list[bool] = []


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise ModelsError(
        "datamodel-code-generator was asked to read a document outside the spec; the loader "
        "admits only references inside it"
    )


def _seal() -> None:
    """Make datamodel-code-generator unable to read a file or reach the network for a
    reference: the document it is given holds only its own references (the loader refuses any
    other), and should one get through, reading it fails."""
    if _sealed:
        return
    import importlib

    for where, names in _FETCHERS.items():
        module, owner = where.split(":")
        cls = getattr(importlib.import_module(module), owner)
        for name in names:
            if not callable(getattr(cls, name, None)):
                raise ModelsError(f"datamodel-code-generator has no {owner}.{name} to seal")
            setattr(cls, name, _refuse)
    _sealed.append(True)


def _run(
    schemas: dict[str, Any],
    file_header: str,
    title: str = "",
    version: str = "0",
    aliases: dict[str, str] | None = None,
) -> object:
    """datamodel-code-generator on named schemas, with the options of every models module."""
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion
    from datamodel_code_generator.parser import LiteralType

    _seal()

    document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": {},
        "components": {"schemas": schemas},
    }
    with warnings.catch_warnings(), _cycles_collected(len(schemas) >= COLLECTED_FROM):
        # A `format` it does not know (formats are open in OpenAPI) is a plain string; it warns
        # of each on stderr, unlocated.
        warnings.filterwarnings("ignore", category=UserWarning, module="datamodel_code_generator")
        return generate(
            document,
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            formatters=[],
            custom_file_header=file_header,
            snake_case_field=True,
            use_annotated=True,
            field_constraints=True,
            enum_field_as_literal=LiteralType.All,
            use_standard_collections=True,
            use_union_operator=True,
            disable_timestamp=True,
            use_field_description=True,
            use_schema_description=True,
            use_double_quotes=True,
            keep_model_order=True,
            allow_population_by_field_name=True,
            strict_nullable=True,
            capitalise_enum_members=True,
            # Generated code needs pydantic alone: e-mail addresses stay strings rather than
            # EmailStr, which would need the email-validator package.
            type_mappings=["string+email=string", "string+idn-email=string", *_AS_WRITTEN],
            aliases=aliases or None,
            allow_remote_refs=False,
        )


# The number of named schemas from which datamodel-code-generator runs with the cycle collector
# on (see `_cycles_collected`).
COLLECTED_FROM = 5000


@contextlib.contextmanager
def _cycles_collected(large: bool) -> Iterator[None]:
    """For a `large` spec, the cycle collector on while datamodel-code-generator runs, where a
    worker has it off (see `workers`): the generator leaves reference cycles behind as it
    goes, which only the collector frees. What existed before is frozen, so the collector walks
    only what the generator makes. On the synthetic spec of 2,500 operations this makes the
    generator's peak memory a third smaller for a tenth more of its time: worth it where the
    memory runs to gigabytes, not for a spec of a few hundred schemas."""
    if not large or gc.isenabled():
        yield
        return
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        gc.disable()
        gc.collect()
        gc.unfreeze()


# Formats whose pydantic types would not keep a value as the API wrote it, so they stay strings
# (JSON Schema takes a format as a note on the value, not a check): AnyUrl refuses a path
# relative to the API and adds a slash to a bare host; timedelta refuses durations other than
# ISO 8601's without months (`24h`, `P1M`) and writes back another spelling; SecretStr is
# written as asterisks, so a password would be sent masked; Base64Str decodes the content and
# refuses bytes that are not UTF-8.
#
# A decimal written as a JSON number is a float: pydantic writes a Decimal as a string in JSON,
# which an API that reads a number refuses (a decimal written as a string stays a Decimal).
_AS_WRITTEN = [
    "number+decimal=number",
    "string+uri=string",
    "string+duration=string",
    "string+password=string",
    "string+byte=string",
]


def _generate(api: Api) -> str:
    if not api.models:
        return header(api, "Models") + "\nfrom pydantic import BaseModel as BaseModel\n"
    schemas = {
        m.name: _undeprecated(_annotations_normalised(json.loads(m.schema_json)))
        for m in api.models
    }
    schemas = allof.combined({name: applicable(schema) for name, schema in schemas.items()})
    for op in api.operations:
        if op.body is not None and op.body.kind == "multipart" and op.body.model in schemas:
            schemas[op.body.model] = _file_parts(schemas[op.body.model])
    title, version = text.one_line(api.title), text.one_line(api.version or "0")
    module = _run(schemas, header(api, "Models").rstrip("\n"), title, version, _aliases(schemas))
    if not isinstance(module, str):
        raise ModelsError("datamodel-code-generator returned no single module")
    tree = ast.parse(module)
    named = components_named(module, schemas, tree)
    if named != module:
        module, tree = named, ast.parse(named)
    check_models(module, tree)
    module = _ends_of_text(module, tree)
    defined = set(re.findall(r"^class (\w+)\(", module, re.MULTILINE))
    defined |= set(re.findall(r"^(\w+) = ", module, re.MULTILINE))
    defined |= set(re.findall(r"^type (\w+) = ", module, re.MULTILINE))
    missing = [m.name for m in api.models if m.name not in defined]
    if missing:
        raise SpecError(
            [
                Diagnostic(
                    api.spec_file,
                    1,
                    1,
                    Level.ERROR,
                    f"the models generator renamed schema {name!r}; rename the schema so it "
                    "is a plain PascalCase identifier",
                    "/components/schemas",
                )
                for name in missing
            ]
        )
    return built_in_order(module, references(api)) if in_order(api) else module


def _ends_of_text(module: str, tree: ast.Module | None = None) -> str:
    """`module` with each `$` (outside a class) of the patterns of its models checked with
    Python's `re` written `\\Z`: `re` takes `$` also before a final newline, where JSON Schema
    and pydantic's own engine take the end of the value alone, as the generated servers'
    parameter checks do (`matching`). `tree` is the module parsed, where the caller has it."""
    lines = module.split("\n")
    edits: list[tuple[int, int, int, str]] = []  # (line, start, end, new literal), in bytes
    for node in (tree if tree is not None else ast.parse(module)).body:
        if not isinstance(node, ast.ClassDef) or 'regex_engine="python-re"' not in (
            _segment(lines, node) or ""
        ):
            continue
        for call in _walk(node):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Field"):
                continue
            for keyword in call.keywords:
                value = keyword.value
                if keyword.arg == "pattern" and isinstance(value, ast.Constant):
                    new = end_of_text(str(value.value))
                    if new != value.value and value.lineno == value.end_lineno:
                        assert value.end_col_offset is not None
                        edits.append((value.lineno, value.col_offset, value.end_col_offset, new))
    for line, start, end, new in sorted(edits, reverse=True):
        raw = lines[line - 1].encode()
        lines[line - 1] = (raw[:start] + repr(new).encode() + raw[end:]).decode()
    return "\n".join(lines)


def _segment(lines: list[str], node: ast.expr | ast.stmt) -> str | None:
    """The source of `node`, as `ast.get_source_segment` gives it, from the module's lines split
    once (that function splits the whole module again on every call)."""
    end_line, end_col = node.end_lineno, node.end_col_offset
    if end_line is None or end_col is None:
        return None
    first, last, start = node.lineno - 1, end_line - 1, node.col_offset
    if first == last:
        return lines[first].encode()[start:end_col].decode()
    head = lines[first].encode()[start:].decode()
    tail = lines[last].encode()[:end_col].decode()
    return "\n".join([head, *lines[first + 1 : last], tail])


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree under `node`, `node` first, in the order of `ast.walk` (breadth
    first), at a fraction of its cost: a models module has tens of thousands of nodes."""
    todo = deque([node])
    while todo:
        node = todo.popleft()
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                todo.append(value)
            elif isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, ast.AST))
        yield node


def references(api: Api) -> dict[str, list[str]]:
    """The models each model of the API refers to, read from the IR's schemas."""
    prefix = "#/components/schemas/"
    found: dict[str, list[str]] = {}
    for model in api.models:
        targets: set[str] = set()
        stack: list[Any] = [json.loads(model.schema_json)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith(prefix):
                    targets.add(ref[len(prefix) :])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        found[model.name] = sorted(targets - {model.name})
    return found


def weighted(api: Api) -> dict[str, dict[str, int]]:
    """The models each model of the API refers to, each with the frames pydantic spends to
    build it within that model (`graph.weighted_references`)."""
    return {
        model.name: {
            target: frames
            for target, frames in weighted_references(json.loads(model.schema_json)).items()
            if target != model.name
        }
        for model in api.models
    }


def in_order(api: Api) -> bool:
    """Whether the API's models are defined in the order of their references, each built as it
    is defined: where a path of references costs more frames than pydantic had better spend in
    one go."""
    return deepest_path(weighted(api))[0] >= IN_ORDER_FRAMES


def frames_needed(api: Api) -> int:
    """About the most interpreter frames pydantic spends building one model of the API's
    models module, as `chatforge validate` estimates it (`graph.cycle_frames`)."""
    return cycle_frames(weighted(api))[0]


def built_in_order(text: str, edges: dict[str, list[str]]) -> str:
    """`text`, with its classes and type aliases defined each after the models it refers to
    (`edges`, and the names each statement uses); the module's other statements follow them, in
    their order. What a statement evaluates as it runs (a base class, a type alias's value, a
    default) comes before it whatever the references say; annotations are evaluated later."""
    module = ast.parse(text)
    nodes: dict[str, ast.stmt] = {}
    others: list[ast.stmt] = []
    for node in module.body:
        if isinstance(node, ast.ClassDef):
            nodes[node.name] = node
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            nodes[node.targets[0].id] = node  # a type alias
        elif not isinstance(node, ast.Import | ast.ImportFrom) and nodes:
            others.append(node)
    if not nodes:
        return text
    eager = {name: sorted(_evaluated(node) & set(nodes) - {name}) for name, node in nodes.items()}
    used = {name: sorted(_used(node) & set(nodes) - {name}) for name, node in nodes.items()}
    preferred, _ = dependency_order({name: [*edges.get(name, []), *used[name]] for name in nodes})
    order = _topological(preferred, eager)
    lines = text.split("\n")
    placed = sorted(nodes.values(), key=lambda node: node.lineno)
    first = _first_line(placed[0]) - 1
    blocks = [_source(lines, nodes[name]) for name in order]
    blocks += [_source(lines, node) for node in others]
    head = "\n".join(lines[:first]).rstrip("\n")
    return f"{head}\n\n{IN_ORDER}\n\n\n" + "\n\n\n".join(blocks) + "\n"


IN_ORDER = "# Each class follows those it refers to, and is built as it is defined."


def _used(node: ast.stmt) -> set[str]:
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)}


def _evaluated(node: ast.stmt) -> set[str]:
    """The names a class or assignment uses as it runs: all but its fields' annotations (the
    module defers those)."""
    if not isinstance(node, ast.ClassDef):
        return _used(node)
    found: set[str] = set()
    for part in [*node.bases, *node.keywords, *node.decorator_list]:
        found |= {sub.id for sub in ast.walk(part) if isinstance(sub, ast.Name)}
    for item in node.body:
        if isinstance(item, ast.AnnAssign):
            if item.value is not None:
                found |= {sub.id for sub in ast.walk(item.value) if isinstance(sub, ast.Name)}
        else:
            found |= _used(item)
    return found


def _topological(preferred: list[str], before: dict[str, list[str]]) -> list[str]:
    """`preferred`, changed only as far as each name must follow the names in `before` of it."""
    import heapq

    rank = {name: index for index, name in enumerate(preferred)}
    waiting = {name: len(before[name]) for name in preferred}
    after: dict[str, list[str]] = {name: [] for name in preferred}
    for name in preferred:
        for first in before[name]:
            after[first].append(name)
    ready = [(rank[name], name) for name in preferred if waiting[name] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for follower in after[name]:
            waiting[follower] -= 1
            if waiting[follower] == 0:
                heapq.heappush(ready, (rank[follower], follower))
    # A name left waiting is in a cycle of evaluated names, which the module could not have run
    # in any order: it keeps its preferred place.
    placed = set(order)
    return order + [name for name in preferred if name not in placed]


def _source(lines: list[str], node: ast.stmt) -> str:
    return "\n".join(lines[_first_line(node) - 1 : node.end_lineno]).rstrip()


def _first_line(node: ast.stmt) -> int:
    decorators = node.decorator_list if isinstance(node, ast.ClassDef) else []
    return min([node.lineno, *(d.lineno for d in decorators)])


# The annotations datamodel-code-generator writes into the module as docstrings.
_PROSE = frozenset({"description", "title"})


def _undeprecated(schema: Any) -> Any:
    """A named schema without a `deprecated` of its own. datamodel-code-generator puts it on the
    `root` field of a schema that is not an object, and pydantic then refuses to set that field,
    so no value of the model could be read; on an object it writes nothing, so both are alike
    without it. A deprecated property stays a deprecated field."""
    if isinstance(schema, dict) and "deprecated" in schema:
        return {key: value for key, value in schema.items() if key != "deprecated"}
    return schema


def _annotations_normalised(schema: Any) -> Any:
    """`schema` with the prose datamodel-code-generator writes as docstrings (descriptions and
    titles) normalised as every generated docstring is."""
    if not isinstance(schema, dict):
        return schema
    result = walk.mapped(schema, _annotations_normalised)
    for key in _PROSE:
        if isinstance(result.get(key), str):
            result[key] = text.prose(result[key])
    return result


def _file_part(schema: Any) -> Any:
    """A multipart part's schema, as bytes where it is a file written the 3.1 way: a string with
    a `contentMediaType` and no `contentEncoding` (in a multipart body, the part's raw
    content), as `format: binary` says it in 3.0."""
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array" and isinstance(schema.get("items"), dict):
        return {**schema, "items": _file_part(schema["items"])}
    file = "contentMediaType" in schema and "contentEncoding" not in schema
    if kind == "string" and file and "format" not in schema:
        return {**schema, "format": "binary"}
    return schema


def _file_parts(schema: Any) -> Any:
    """A multipart body's schema with its file parts spelled as bytes (see `_file_part`)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return schema
    properties = {name: _file_part(sub) for name, sub in schema["properties"].items()}
    return {**schema, "properties": properties}


# An acronym in the plural (`messageUIDs`, `imageURLs`): datamodel-code-generator would split
# it before its last capital (`message_ui_ds`).
_ACRONYMS = re.compile(r"[A-Z]{2,}s(?![a-z])")


def _aliases(schemas: dict[str, Any]) -> dict[str, str]:
    """The Python names of properties that are not ASCII, that hold an acronym in the plural, or
    that are punctuation and digits alone (`+1`), as chatforge spells them (by their name alone,
    in whichever class they land); datamodel-code-generator would keep the letters of the first
    as they are, split the second wrongly, and give the third names that collide (`field_1`)."""
    from chatforge import naming

    found: dict[str, str] = {}

    def visit(schema: Any) -> None:
        if isinstance(schema, list):
            for item in schema:
                visit(item)
        elif isinstance(schema, dict):
            properties = schema.get("properties")
            for prop in properties if isinstance(properties, dict) else ():
                if isinstance(prop, str) and (
                    not prop.isascii() or _ACRONYMS.search(prop) or naming.spelled(prop) != prop
                ):
                    name = naming.identifier(prop)
                    found[prop] = f"{name}_" if name.startswith("model_") else name
            for key, value in schema.items():
                if key in walk.SUBSCHEMA_ONE or key in walk.SUBSCHEMA_LIST:
                    visit(value)
                elif key in walk.SUBSCHEMA_MAP and isinstance(value, dict):
                    visit(list(value.values()))

    visit(list(schemas.values()))
    return found


# The calls a models module makes: pydantic's field and model helpers, and `Model.model_rebuild`.
_MODEL_CALLS = frozenset(
    {"Field", "ConfigDict", "TypeAliasType", "StringConstraints", "AliasChoices", "AliasPath"}
)


def check_models(module: str, tree: ast.Module | None = None) -> None:
    """Checks that a models module made of spec text is what a models module must be: imports,
    classes of fields with docstrings, and calls of pydantic's helpers alone, every name ASCII.
    Raises `UnsafeText` with the first line that is not. `tree` is the module parsed, where the
    caller has it."""
    passed: set[str] = set()  # the names found allowed so far: each is checked once
    for node in _walk(tree if tree is not None else ast.parse(module)):
        name = _name_of(node)
        allowed = True
        if name is not None and name not in passed:
            allowed = name.isascii() and text.identifier(name) == name
            if allowed:
                passed.add(name)
        if isinstance(node, ast.Call):
            func = node.func
            allowed = allowed and (
                (isinstance(func, ast.Name) and func.id in _MODEL_CALLS)
                or (isinstance(func, ast.Attribute) and func.attr == "model_rebuild")
            )
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            allowed = False
        if not allowed:
            line = module.splitlines()[getattr(node, "lineno", 1) - 1]
            raise text.UnsafeText("models module", line.strip())


def _name_of(node: ast.AST) -> str | None:
    """The name a node gives (a name used, imported, defined, an attribute or a keyword), if
    any."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.keyword):
        return node.arg
    if isinstance(node, ast.alias):
        return node.asname or node.name
    if isinstance(node, ast.ClassDef | ast.FunctionDef):
        return node.name
    return None


@functools.lru_cache(maxsize=1)
def plain_types(text: str) -> str:
    """The models as users read them: a schema that is not an object (a constrained string, an
    enum, an array, a map) is a type alias of its Python type, so its values are plain `str`,
    `int`, `list` and `dict`, its constraints kept for validation. Only a union of models stays
    a `RootModel`, for that is the type a body of either variant has. (Servers keep the
    `RootModel`s, which their request readers take.)"""
    module = ast.parse(text)
    lines = text.split("\n")
    defined: dict[str, int] = {}  # class name -> the line it is defined on
    for node in module.body:
        if isinstance(node, ast.ClassDef):
            defined[node.name] = _first_line(node)
    converted: dict[str, tuple[int, int, list[str]]] = {}  # name -> (first, last, new lines)
    for node in module.body:
        root = _alias_of(node, defined)
        if root is None:
            continue
        assert isinstance(node, ast.ClassDef) and node.end_lineno is not None
        doc = ast.get_docstring(node, clean=False) or _root_docstring(node)
        annotation = _segment(lines, root) or ast.unparse(root)
        new = [f"{node.name} = TypeAliasType({node.name!r}, {annotation})"]
        if doc is not None:
            body = textwrap.dedent(doc.strip("\n")).strip()
            new += ['"""', *(line.rstrip() for line in body.split("\n")), '"""']
        converted[node.name] = (_first_line(node), node.end_lineno, new)
    if not converted:
        return text
    rebuilt = {f"{name}.model_rebuild()" for name in converted}
    for start, end, new in sorted(converted.values(), reverse=True):
        lines[start - 1 : end] = new
    lines = [line for line in lines if line.strip() not in rebuilt]
    text = "\n".join(lines)
    aliased = re.search(r"^from typing_extensions import .*\bTypeAliasType\b", text, re.MULTILINE)
    if "RootModel[" not in text:
        text = re.sub(r"(^from pydantic import .*?)\bRootModel, ?", r"\1", text, flags=re.M)
        text = re.sub(r"(^from pydantic import .*?), RootModel\b", r"\1", text, flags=re.M)
        # RootModel alone: the line gives way to the import the aliases need
        alone = re.compile(r"^from pydantic import RootModel\n", re.MULTILINE)
        replacement = "" if aliased else "from typing_extensions import TypeAliasType\n"
        if alone.search(text):
            return alone.sub(replacement, text)
    if aliased:
        return text
    first = re.search(r"^from pydantic import .*$", text, re.MULTILINE)
    assert first is not None
    return (
        text[: first.start()]
        + "from typing_extensions import TypeAliasType\n\n"
        + text[first.start() :]
    )


def _alias_of(node: ast.stmt, defined: dict[str, int]) -> ast.expr | None:
    """The annotation of a `RootModel` class's `root` where the class is better a type alias:
    not a union naming a model, naming no class defined after it, and configured no further
    (a `model_config` such as `regex_engine="python-re"`, which a pattern pydantic's own engine
    cannot compile needs, would be lost with the class)."""
    if not isinstance(node, ast.ClassDef) or len(node.bases) != 1 or node.decorator_list:
        return None
    if any(
        isinstance(item, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "model_config" for t in item.targets)
        for item in node.body
    ):
        return None
    base = node.bases[0]
    if not (
        isinstance(base, ast.Subscript)
        and isinstance(base.value, ast.Name)
        and base.value.id == "RootModel"
    ):
        return None
    root = next(
        (
            item.annotation
            for item in node.body
            if isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and item.target.id == "root"
        ),
        None,
    )
    if root is None:
        return None
    names = {sub.id for sub in _walk(root) if isinstance(sub, ast.Name)}
    line = _first_line(node)
    if any(defined.get(name, 0) >= line for name in names):
        return None  # a forward reference, which an alias would evaluate too early
    bare = _type_of(root)
    if isinstance(bare, ast.BinOp) and names & set(defined):
        return None  # a union of models
    return root


def _root_docstring(node: ast.ClassDef) -> str | None:
    for index, item in enumerate(node.body[:-1]):
        following = node.body[index + 1]
        if (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and item.target.id == "root"
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            return following.value.value
    return None


def deferred(api: Api, text: str) -> str:
    """The models module `text` of `api` with its validators built when first used, not at
    import: a client with hundreds of models imports in a fraction of the time. (Servers build
    theirs at start.) Models defined in the order of their references are built as they are
    defined instead."""
    if in_order(api):
        return text
    return text.replace(
        "        populate_by_name=True,\n",
        "        populate_by_name=True,\n        defer_build=True,\n",
    )


class _Nulls:
    """Whether the spec lets a property be null, each property's schema read with the `$ref`s
    it holds resolved among the API's named schemas."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.document = {"components": {"schemas": components}}
        self._registry: Any = None  # made where a schema does not plainly say (`_decide`)
        self._known: dict[tuple[object, ...], bool] = {}

    def taken(self, model: str, prop: str) -> bool:
        """Whether every schema the model gives the property (in its `properties`, or in those
        of the parts of its `allOf`) takes null."""
        return all(
            self._takes_null(tokens, schema)
            for tokens, schema in self._member(("components", "schemas", model), prop)
        )

    def _member(
        self, tokens: tuple[object, ...], prop: str
    ) -> list[tuple[tuple[object, ...], Any]]:
        schema: Any = self.document
        for token in tokens:
            schema = schema[token]
        found = []
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if isinstance(properties, dict) and prop in properties:
            found.append(((*tokens, "properties", prop), properties[prop]))
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        for index, part in enumerate(parts if isinstance(parts, list) else ()):
            ref = part.get("$ref") if isinstance(part, dict) else None
            if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in self.components:
                found += self._member(("components", "schemas", ref.rsplit("/", 1)[-1]), prop)
            else:
                found += self._member((*tokens, "allOf", index), prop)
        return found

    def _takes_null(self, tokens: tuple[object, ...], schema: Any) -> bool:
        """Whether the schema at `tokens` takes null; a schema that several models reach (a
        part of their `allOf`) is decided once."""
        known = self._known.get(tokens)
        if known is None:
            known = self._known[tokens] = self._decide(tokens, schema)
        return known

    def _decide(self, tokens: tuple[object, ...], schema: Any) -> bool:
        from chatforge.lint import schema_registry, schema_validator

        plain = _plainly_takes_null(schema)
        if plain is not None:
            return plain
        self._registry = self._registry or schema_registry(self.document)
        pointer = pointer_of(*tokens)
        return bool(schema_validator(self.document, pointer, self._registry).is_valid(None))


def _resolved(components: dict[str, Any], schema: Any) -> dict[str, Any]:
    """`schema`, or the named schema its `$ref` points to."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema if isinstance(schema, dict) else {}


# Keywords with subschemas that apply to the value itself; of the others, only `type`, `enum`
# and `const` can refuse a null (the rest apply to other types, or annotate).
_IN_PLACE = frozenset({"$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if"})


def _plainly_takes_null(schema: Any) -> bool | None:
    """Whether a schema with no `$ref` and no subschema applying in place takes null; None for
    any other schema, which a validator decides."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict) or not _IN_PLACE.isdisjoint(schema):
        return None
    kind, enum = schema.get("type", "null"), schema.get("enum", [None])
    if not isinstance(kind, str | list) or not isinstance(enum, list):
        return None
    takes = kind == "null" or (isinstance(kind, list) and "null" in kind)
    return takes and any(v is None for v in enum) and schema.get("const", None) is None


# The range of each integer format, for members the spec gives no narrower one.
_INTEGER_FORMATS = {"int32": "INT32", "int64": "INT64"}


def _size(schema: dict[str, Any]) -> str | None:
    """The arguments of a check on an object's number of members, if the spec limits it."""
    low, high = schema.get("minProperties"), schema.get("maxProperties")
    if low is None and high is None:
        return None
    return f"{low or 0}, {high}"


def _member_checks(schema: dict[str, Any], kind: ast.expr) -> list[str]:
    """The checks a server adds to a member with this (resolved) schema and type."""
    checks: list[str] = []
    unique = schema.get("uniqueItems") is True
    bound = _INTEGER_FORMATS.get(schema.get("format", ""))
    if not unique and not bound:
        return checks  # most members: no need to spell the type
    annotation = ast.unparse(kind)
    if unique and annotation.startswith("list["):
        checks.append("UNIQUE")
    # A range is checked on a plain integer only: a member whose type is an enum class (or
    # another named model) holds its values to those the class allows, and is no number.
    if (
        bound
        and annotation in ("int", "JsonInt")
        and schema.get("type") == "integer"
        and ("minimum" not in schema or "maximum" not in schema)
    ):
        checks.append(bound)
    return checks


def _edited(
    line: str, field: ast.AnnAssign, kind: ast.expr, spelled: str | None, checks: list[str]
) -> str:
    """`line`, the field's one line, with its type `kind` spelled anew (when `spelled` is given)
    and `checks` added to its annotation."""
    raw = line.encode()
    edits: list[tuple[int, int, bytes]] = []  # (start, end, new bytes), by byte offsets
    if spelled is not None:
        assert kind.end_col_offset is not None
        edits.append((kind.col_offset, kind.end_col_offset, spelled.encode()))
    if checks:
        extra = ", ".join(checks).encode()
        annotation = field.annotation
        if _is_annotated(annotation):
            assert isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple)
            end = annotation.slice.elts[-1].end_col_offset
            assert end is not None
            edits.append((end, end, b", " + extra))
        else:
            start, end = annotation.col_offset, annotation.end_col_offset
            assert end is not None
            edits += [(start, start, b"Annotated["), (end, end, b", " + extra + b"]")]
    # From the right, so each edit's offsets still hold when it is made.
    for start, end, new in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        raw = raw[:start] + new + raw[end:]
    return raw.decode()


def _is_annotated(annotation: ast.expr) -> bool:
    return (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    )


def _type_of(annotation: ast.expr) -> ast.expr:
    """The type of a field's annotation, without `Annotated[...]`."""
    if _is_annotated(annotation):
        assert isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple)
        return annotation.slice.elts[0]
    return annotation


def _optional(annotation: ast.expr) -> bool:
    """Whether a type is `T | None`."""
    return (
        isinstance(annotation, ast.BinOp)
        and isinstance(annotation.right, ast.Constant)
        and annotation.right.value is None
    )


def _property_name(field: ast.AnnAssign) -> str:
    """The JSON name of a field: its alias, else its Python name."""
    for node in _walk(field.annotation):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Field":
            for keyword in node.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    assert isinstance(field.target, ast.Name)
    return field.target.id


def _field_checks(nulls: _Nulls, model: str, field: ast.AnnAssign) -> list[str]:
    """The checks a server adds to one field of a model, beyond those pydantic makes."""
    assert isinstance(field.target, ast.Name)
    components = nulls.components
    schema = components[model]
    bare = _type_of(field.annotation)
    if field.target.id == "root":
        return _member_checks(_resolved(components, schema), bare)
    prop = _property_name(field)
    member = _resolved(components, schema.get("properties", {}).get(prop))
    if _optional(bare):
        assert isinstance(bare, ast.BinOp)
        checks = _member_checks(member, bare.left)
        defaulted = isinstance(field.value, ast.Constant) and field.value.value is None
        if defaulted and not nulls.taken(model, prop):
            checks.append("NOT_NULL")
        return checks
    return _member_checks(member, bare)


# The scalar types a request read as JSON must spell as JSON does (`_runtime/_checks.py`).
_JSON_TYPED = {"int": "JsonInt", "float": "JsonFloat", "bool": "JsonBool"}


def _json_typed(kind: ast.expr) -> set[str]:
    """Replaces `int`, `float` and `bool` in a field's type (in place) by their JSON-typed
    versions; the names put in."""
    names = [n for n in _walk(kind) if isinstance(n, ast.Name) and n.id in _JSON_TYPED]
    for name in names:
        name.id = _JSON_TYPED[name.id]
    return {name.id for name in names}


def server_models(api: Api, text: str) -> str:
    """The models as a server reads requests with them, with the checks of the spec that
    pydantic does not make of itself (`_runtime/_checks.py`):

    - a member a request may leave out, but that the spec does not make nullable, refuses an
      explicit null rather than taking it as left out (the clients keep that lenient reading,
      so an answer with such a null still parses);
    - `uniqueItems`, `minProperties` and `maxProperties` of a model (datamodel-code-generator
      gives a mapping's as `Field(min_length=..., max_length=...)`), and the ranges of `int32`
      and `int64`;
    - in a request read as JSON, numbers and booleans written as JSON numbers and booleans
      (`JsonInt`, `JsonFloat`, `JsonBool`), not as text pydantic would convert.
    """
    components = {m.name: json.loads(m.schema_json) for m in api.models}
    nulls = _Nulls(components)
    lines = text.split("\n")
    used: set[str] = set()
    sized: list[tuple[int, str]] = []  # (line after the class, its check of its member count)
    for node in ast.parse(text).body:
        if not isinstance(node, ast.ClassDef) or node.name not in components:
            continue
        size = _size(components[node.name])
        if size is not None and components[node.name].get("properties"):
            assert node.end_lineno is not None
            sized.append((node.end_lineno, size))
        for field in node.body:
            if not isinstance(field, ast.AnnAssign) or field.lineno != field.end_lineno:
                continue
            kind = _type_of(field.annotation)
            typed = _json_typed(kind)
            checks = []
            if isinstance(field.target, ast.Name):
                checks = _field_checks(nulls, node.name, field)
            if typed or checks:
                spelled = ast.unparse(kind) if typed else None
                lines[field.lineno - 1] = _edited(
                    lines[field.lineno - 1], field, kind, spelled, checks
                )
                used |= typed | {check.split("(")[0] for check in checks}
    for end, size in reversed(sized):
        check = f'    _members = model_validator(mode="after")(members_between({size}))'
        lines.insert(end, check)
        used |= {"members_between", "model_validator"}
    if not used:
        return text
    text = "\n".join(lines)
    first = re.search(r"^from pydantic import .*$", text, re.MULTILINE)
    assert first is not None
    names = ", ".join(sorted(used - {"model_validator"}))
    extra = "\n\nfrom typing import Annotated\n" if "Annotated[" in text else "\n"
    if "model_validator" in used:
        extra += "\nfrom pydantic import model_validator\n"
    extra += f"\nfrom ._runtime._checks import {names}"
    return text[: first.end()] + extra + text[first.end() :]
