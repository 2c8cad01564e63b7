"""Named models from a spec's schemas, and how each schema is spelled in Python.

Every object schema with properties becomes a named model: components keep their names,
inline ones are hoisted under names derived from where they stand (`<Operation>Request`,
`<Parent><Property>`). The models target feeds the result to datamodel-code-generator, which
then never has to invent a name.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chatforge import naming
from chatforge.diagnostics import Diagnostics, escape_pointer_token
from chatforge.ir.model import Constraint, Model, SchemaProperty, TypeInfo
from chatforge.reserved import MODEL_RESERVED, shortened
from chatforge.spec import extensions
from chatforge.spec.document import resolve_pointer
from chatforge.targets.text import UnsafeText, data_literal, prose

Json = Any
COMPONENT_PREFIX = "#/components/schemas/"
_CONSTRAINT_KEYS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "multipleOf",
    "format",
)


def variant_hint(owner: str, keyword: str, schema: Json, index: int) -> str:
    """The name of an inline part of `owner`'s `allOf`, `oneOf` or `anyOf`, from what it says of
    itself: its title (`Dog`); the constant that tells it apart (`PetDog` for `kind: dog`); for
    the fields an `allOf` adds, `PetFields`; for a variant, the one or two properties it needs
    (`PetWithId`); else its place (`PetVariant2`)."""
    if not isinstance(schema, dict):
        return f"{owner}Variant{index + 1}"
    title = schema.get("title")
    if isinstance(title, str) and naming.words(title):
        return naming.class_name(title)
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    for sub in properties.values():
        if not isinstance(sub, dict):
            continue
        fixed = sub.get("const", sub["enum"][0] if len(sub.get("enum") or ()) == 1 else None)
        if isinstance(fixed, str) and naming.words(fixed):
            return owner + naming.pascal(fixed)
    if keyword == "allOf" and properties:
        return f"{owner}Fields"
    required = [p for p in schema.get("required") or () if p in properties] or list(properties)
    named = [p for p in required if isinstance(p, str) and naming.words(p)]
    if 1 <= len(named) <= 2:
        return f"{owner}With" + "And".join(naming.pascal(p) for p in named)
    return f"{owner}Variant{index + 1}"


def canonical_json(value: Json) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def literal(value: Json | bytes) -> str:
    """A Python literal for a JSON value (or bytes), its text exactly as given."""
    if isinstance(value, str | bytes):
        return data_literal(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise UnsafeText("literal", repr(value))
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise TypeError(type(value))


def tuple_literal(values: Iterable[Json]) -> str:
    """A Python tuple literal, with the comma a one-item tuple needs."""
    items = [literal(value) for value in values]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({item for group in groups for item in group}))


@dataclass(frozen=True)
class _Spelled:
    client: str
    server: str
    label: str
    models: tuple[str, ...] = ()
    client_imports: tuple[str, ...] = ()  # "module:name"
    server_imports: tuple[str, ...] = ()


class SchemaRegistry:
    """Holds the named models of one spec while the IR is built."""

    def __init__(
        self, document: Json, diagnostics: Diagnostics, reserved: Iterable[str] = ()
    ) -> None:
        """`reserved`: class names the modules that import the models define, besides those
        of `MODEL_RESERVED`."""
        self.document = document
        self.diagnostics = diagnostics
        self.reserved = MODEL_RESERVED | frozenset(reserved)
        self.by_component: dict[str, str] = {}
        self.schemas: dict[str, Json] = {}  # class name -> normalized schema
        self.origins: dict[str, str] = {}  # class name -> pointer it came from
        self.assumed: dict[str, str] = {}
        components = (document.get("components") or {}).get("schemas") or {}
        self.spelled = {naming.class_name(raw_name) for raw_name in components}
        for raw_name in components:
            name = self._claim(naming.class_name(raw_name), f"/components/schemas/{raw_name}")
            self.by_component[raw_name] = name
        for raw_name, schema in components.items():
            pointer = f"/components/schemas/{escape_pointer_token(raw_name)}"
            self._register(self.by_component[raw_name], schema, pointer)

    # -- naming -------------------------------------------------------------------------------

    def _free(self, name: str) -> str:
        """`name`, or if a generated module holds it, `name` with a `Model` suffix that no
        component's own name takes."""
        if name not in self.reserved:
            return name
        name = f"{name}Model"
        while name in self.spelled or name in self.reserved:
            name = f"{name}Model"
        return name

    def _claim(self, name: str, pointer: str) -> str:
        name = self._free(name)
        if name in self.origins:
            self.diagnostics.error(
                f"schema name {name!r} is already taken by {self.origins[name]}; "
                "rename one of them (names that differ only in case or punctuation collide)",
                pointer,
            )
            return name
        self.origins[name] = pointer
        return name

    def _unique(self, hint: str) -> str:
        name = self._free(shortened(naming.class_name(hint), hint, separator=""))
        candidate, counter = name, 2
        while candidate in self.origins:
            candidate, counter = f"{name}{counter}", counter + 1
        return candidate

    # -- hoisting -----------------------------------------------------------------------------

    def _register(self, name: str, schema: Json, pointer: str) -> None:
        assumed = extensions.assumed(schema)
        if assumed is not None:
            self.assumed[name] = assumed
        self.schemas[name] = None  # reserve the slot, keeping registration order
        self.schemas[name] = self._normalize(schema, name, pointer, top=True)

    def hoist(self, schema: Json, hint: str, pointer: str) -> str:
        """The model class for a schema: its component's name, or a new hoisted one."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str):
            return self.ref_name(ref, pointer)
        name = self._unique(hint)
        self.origins[name] = pointer
        self._register(name, schema, pointer)
        return name

    def ref_name(self, ref: str, pointer: str) -> str:
        if ref.startswith(COMPONENT_PREFIX):
            raw = ref[len(COMPONENT_PREFIX) :].replace("~1", "/").replace("~0", "~")
            if raw in self.by_component:
                return self.by_component[raw]
        self.diagnostics.error(
            f"schema $ref {ref!r} must point at a schema under #/components/schemas", pointer
        )
        return "Any"

    def _needs_class(self, schema: Mapping[str, Any]) -> bool:
        if "properties" in schema or "allOf" in schema:
            return True
        return any(
            isinstance(member, dict) and ("properties" in member or "allOf" in member)
            for key in ("oneOf", "anyOf")
            for member in schema.get(key, ())
        )

    def _normalize(self, schema: Json, owner: str, pointer: str, top: bool = False) -> Json:
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            ref: dict[str, Json] = {
                "$ref": COMPONENT_PREFIX + self.ref_name(schema["$ref"], pointer)
            }
            for key in ("description", "default", "deprecated"):
                if key in schema:
                    ref[key] = schema[key]
            return ref
        if not top and self._needs_class(schema):
            return {"$ref": COMPONENT_PREFIX + self.hoist(schema, owner, pointer)}
        result: dict[str, Json] = {}
        for key, value in schema.items():
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key == "properties" and isinstance(value, dict):
                result[key] = {
                    prop: self._normalize(
                        sub,
                        owner + naming.pascal(prop),
                        f"{child}/{escape_pointer_token(prop)}",
                    )
                    for prop, sub in value.items()
                }
            elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
                suffix = "Item" if key == "items" else "Value"
                result[key] = self._normalize(value, owner + suffix, child)
            elif key in ("oneOf", "anyOf", "allOf", "prefixItems") and isinstance(value, list):
                result[key] = [
                    self._normalize(sub, variant_hint(owner, key, sub, index), f"{child}/{index}")
                    for index, sub in enumerate(value)
                ]
            elif key in ("example", "examples", "default", "enum", "const"):
                result[key] = value
            elif extensions.is_extension(key) or key in ("discriminator", "xml", "externalDocs"):
                continue
            elif key in ("description", "title") and isinstance(value, str):
                result[key] = prose(value.strip())
            else:
                result[key] = value
        return result

    # -- reading ------------------------------------------------------------------------------

    def target(self, schema: Json) -> Json:
        """Follow a normalized `$ref` to its model's schema."""
        while isinstance(schema, dict) and "$ref" in schema:
            name = schema["$ref"][len(COMPONENT_PREFIX) :]
            schema = self.schemas.get(name) or {}
        return schema

    def walk(self, schema: Json, tokens: tuple[str, ...]) -> Json:
        """The schema at a path of property names (and array indexes) inside `schema`."""
        node = self.target(schema)
        for token in tokens:
            if not isinstance(node, dict):
                return None
            if token.isdigit() and isinstance(node.get("items"), dict):
                node = self.target(node["items"])
                continue
            props = node.get("properties") or {}
            if token not in props:
                for key in ("allOf", "oneOf", "anyOf"):
                    for member in node.get(key) or ():
                        found = self.walk(member, (token,))
                        if found is not None:
                            node = found
                            break
                    else:
                        continue
                    break
                else:
                    return None
                continue
            node = self.target(props[token])
        return node

    def is_class(self, name: str) -> bool:
        schema = self.schemas.get(name)
        return isinstance(schema, dict) and self._needs_class(schema)

    def raw(self, pointer: str) -> Json:
        return resolve_pointer(self.document, pointer)

    def spell(self, schema: Json) -> TypeInfo:
        spelled = self._spell(schema, depth=0)
        target = self.target(schema)
        types = _types(target) if isinstance(target, dict) else set()
        items = self.target(target.get("items")) if "array" in types else None
        return TypeInfo(
            client=spelled.client,
            server=spelled.server,
            label=spelled.label,
            models=spelled.models,
            is_array="array" in types,
            is_object="object" in types or bool(spelled.models and "$ref" in (schema or {})),
            is_file=spelled.client == "FileInput",
            items_object=isinstance(items, dict) and "object" in _types(items),
            kind=self.scalar_kind(schema),
            client_imports=spelled.client_imports,
            server_imports=spelled.server_imports,
        )

    def scalar_kind(self, schema: Json) -> str | None:
        """integer, number or boolean for a scalar or an array of scalars; else None."""
        target = self.target(schema)
        if not isinstance(target, dict):
            return None
        if "array" in _types(target):
            return self.scalar_kind(target.get("items") or {})
        if "const" in target:
            value = target["const"]
            kinds = {bool: "boolean", int: "integer", float: "number"}
            return kinds.get(type(value))
        found = _types(target) & {"integer", "number", "boolean"}
        return found.pop() if len(found) == 1 else None

    def _spell(self, schema: Json, depth: int) -> _Spelled:
        if depth > 50 or not isinstance(schema, dict) or not schema:
            return _Spelled("Any", "Any", "any", (), ("typing:Any",), ("typing:Any",))
        if "$ref" in schema:
            name = schema["$ref"][len(COMPONENT_PREFIX) :]
            if self.is_class(name):
                return _Spelled(name, name, name, (name,))
            return self._spell(self.schemas.get(name) or {}, depth + 1)
        if "const" in schema:
            text = f"Literal[{literal(schema['const'])}]"
            return _Spelled(
                text,
                text,
                f"`{json.dumps(schema['const'])}`",
                (),
                ("typing:Literal",),
                ("typing:Literal",),
            )
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            values = [v for v in schema["enum"] if v is not None]
            text = "Literal[" + ", ".join(literal(v) for v in values) + "]"
            if None in schema["enum"]:
                text += " | None"
            base = _Spelled(text, text, "enum", (), ("typing:Literal",), ("typing:Literal",))
            return base
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                parts = [self._spell(member, depth + 1) for member in schema[key]]
                return _union(parts, "one of")
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            return self._spell(schema["allOf"][0], depth + 1)
        types = sorted(_types(schema), key=_TYPE_ORDER.index)
        if not types:
            return _Spelled("Any", "Any", "any", (), ("typing:Any",), ("typing:Any",))
        parts = [self._spell_type(kind, schema, depth) for kind in types]
        return _union(parts, "or") if len(parts) > 1 else parts[0]

    def _spell_type(self, kind: str, schema: Mapping[str, Any], depth: int) -> _Spelled:
        if kind == "string":
            if schema.get("format") == "binary" or "contentMediaType" in schema:
                return _Spelled("FileInput", "bytes", "file", (), ("_runtime:FileInput",), ())
            if schema.get("format") == "date-time":  # servers check it, as the models do
                return _Spelled(
                    "datetime",
                    "AwareDatetime",
                    "string",
                    (),
                    ("datetime:datetime",),
                    ("pydantic:AwareDatetime",),
                )
            # Clients take the types the models give these formats.
            found = _FORMATS.get(str(schema.get("format")))
            if found is not None and schema.get("format") == "decimal":  # servers check it too
                return _Spelled(found[0], found[0], "string", (), (found[1],), (found[1],))
            if found is not None:
                return _Spelled(found[0], "str", "string", (), (found[1],), ())
            return _Spelled("str", "str", "string")
        if kind in ("integer", "number", "boolean", "null"):
            py = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}[kind]
            return _Spelled(py, py, kind)
        if kind == "array":
            item = self._spell(schema.get("items") or {}, depth + 1)
            return _Spelled(
                f"Sequence[{item.client}]",
                f"list[{item.server}]",
                f"array of {item.label}",
                item.models,
                _merge(item.client_imports, ("collections.abc:Sequence",)),
                item.server_imports,
            )
        extra = schema.get("additionalProperties")
        value = (
            self._spell(extra, depth + 1)
            if isinstance(extra, dict) and extra
            else _Spelled("Any", "Any", "any", (), ("typing:Any",), ("typing:Any",))
        )
        return _Spelled(
            f"Mapping[str, {value.client}]",
            f"dict[str, {value.server}]",
            "object",
            value.models,
            _merge(value.client_imports, ("collections.abc:Mapping",)),
            value.server_imports,
        )

    # -- docs ---------------------------------------------------------------------------------

    def properties(self, schema: Json) -> tuple[SchemaProperty, ...]:
        target = self.target(schema)
        if not isinstance(target, dict):
            return ()
        required = set(target.get("required") or ())
        result = []
        for wire, sub in (target.get("properties") or {}).items():
            spelled = self._spell(sub, 0)
            result.append(
                SchemaProperty(
                    wire=wire,
                    label=spelled.label,
                    required=wire in required,
                    description=describe(sub, self),
                    model=spelled.models[0] if spelled.models else None,
                    constraints=constraints(self.target(sub) if "$ref" in sub else sub),
                    enum_text=enum_text(self.target(sub)),
                    default_text=default_text(sub),
                )
            )
        return tuple(result)

    def models(self) -> tuple[Model, ...]:
        result = []
        for name, schema in self.schemas.items():
            variants: tuple[str, ...] = ()
            for key in ("oneOf", "anyOf"):
                members = schema.get(key) if isinstance(schema, dict) else None
                if isinstance(members, list):
                    variants = tuple(
                        m["$ref"][len(COMPONENT_PREFIX) :]
                        for m in members
                        if isinstance(m, dict) and "$ref" in m
                    )
            result.append(
                Model(
                    name=name,
                    schema_json=canonical_json(schema),
                    description=str(schema.get("description", ""))
                    if isinstance(schema, dict)
                    else "",
                    properties=self.properties({"$ref": COMPONENT_PREFIX + name}),
                    variants=variants,
                    assumed=self.assumed.get(name),
                )
            )
        return tuple(result)


_FORMATS = {
    "date": ("date", "datetime:date"),
    "time": ("time", "datetime:time"),
    "uuid": ("UUID", "uuid:UUID"),
    "decimal": ("Decimal", "decimal:Decimal"),
}
_TYPE_ORDER = ["object", "array", "string", "integer", "number", "boolean", "null"]


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind} if kind in _TYPE_ORDER else set()
    if isinstance(kind, list):
        return {k for k in kind if k in _TYPE_ORDER}
    if "properties" in schema or "additionalProperties" in schema:
        return {"object"}
    if "items" in schema:
        return {"array"}
    return set()


def members(annotation: str) -> list[str]:
    """The members of a union annotation, split at its top level only:
    `Sequence[int | str] | None` -> [`Sequence[int | str]`, `None`]."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(annotation):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and annotation.startswith(" | ", index):
            members.append(annotation[start:index])
            start = index + 3
    members.append(annotation[start:])
    return members


def _union(parts: list[_Spelled], word: str) -> _Spelled:
    def join(texts: list[str]) -> str:
        unique: list[str] = []
        for text in texts:
            for piece in members(text):
                if piece not in unique:
                    unique.append(piece)
        if "None" in unique:
            unique = [p for p in unique if p != "None"] + ["None"]
        return " | ".join(unique)

    return _Spelled(
        join([p.client for p in parts]),
        join([p.server for p in parts]),
        f" {word} ".join(dict.fromkeys(p.label for p in parts)),
        _merge(*(p.models for p in parts)),
        _merge(*(p.client_imports for p in parts)),
        _merge(*(p.server_imports for p in parts)),
    )


def describe(schema: Json, registry: SchemaRegistry | None = None) -> str:
    if not isinstance(schema, dict):
        return ""
    text = schema.get("description")
    if not text and registry is not None and "$ref" in schema:
        text = registry.target(schema).get("description")
    return " ".join(str(text or "").split())


def constraints(schema: Json) -> tuple[Constraint, ...]:
    if not isinstance(schema, dict):
        return ()
    found = [Constraint(key, json.dumps(schema[key])) for key in _CONSTRAINT_KEYS if key in schema]
    items = schema.get("items")
    if isinstance(items, dict):
        found += [
            Constraint(f"items.{c.name}", c.value) for c in constraints(items) if c.name != "format"
        ]
    return tuple(found)


def enum_text(schema: Json) -> str | None:
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("enum"), list):
        return ", ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    items = schema.get("items")
    if isinstance(items, dict):
        return enum_text(items)
    return None


def default_text(schema: Json) -> str | None:
    if isinstance(schema, dict) and "default" in schema:
        return json.dumps(schema["default"])
    return None
