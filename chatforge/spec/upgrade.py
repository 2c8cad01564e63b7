"""Which OpenAPI a document is, and an OpenAPI 3.0 document normalised once to 3.1.

Chatforge reads OpenAPI 3.1 and 3.0 (3.0.0 to 3.0.3). A 3.0 document is validated as 3.0, then
rewritten here into the 3.1 form every later stage reads, each change recorded as a located note:

- `nullable: true` (and the older `x-nullable: true`): "null" joins `type`, and `enum` when
  there is one; beside a `$ref` or around `allOf` the schema becomes `anyOf` with a null branch;
  `nullable: false` goes, as it says nothing;
- boolean `exclusiveMinimum`/`exclusiveMaximum`: the number of `minimum`/`maximum` moves into
  them (3.1 makes them numbers); `false` goes;
- a schema's `example` becomes `examples`, a list of one (a parameter's or media type's
  `example` is valid 3.1 and stays);
- `type: file`, which Swagger 2.0 left behind and 3.0 refuses, is read before validation as a
  string of `format: binary` (see `leftovers`);
- `format: binary` becomes `contentMediaType` (the body's own media type for the whole body of a
  media type that is not JSON or a form, else application/octet-stream), and `format: byte`
  becomes `contentEncoding: base64`, as OpenAPI 3.1 describes file contents;
- `openapi` becomes 3.1.0, with the OpenAPI 3.1 base dialect.

The positions of the original document stay: a value that moves keeps the line it was read at.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from chatforge.diagnostics import Diagnostic, Diagnostics, Level, escape_pointer_token
from chatforge.spec.loader import _OBJECTS, KNOWN_DIALECTS, SCHEMA_DATA
from chatforge.spec.walk import SUBSCHEMA_LIST, SUBSCHEMA_MAP, SUBSCHEMA_ONE

Json = Any

CONVERTERS = (
    "swagger2openapi from npm (npx swagger2openapi spec.yaml -o openapi.yaml), or "
    "https://converter.swagger.io (its /api/convert endpoint)"
)
# Media types whose body is read as JSON or as a form: their schema describes fields, not bytes.
_STRUCTURED = re.compile(
    r"(?i)^(application/([\w.+-]*\+)?json|multipart/[\w.+-]+|application/x-www-form-urlencoded)"
    r"(;.*)?$"
)
_OCTETS = "application/octet-stream"


def version_problem(document: dict[str, Json], diagnostics: Diagnostics) -> str | None:
    """ "3.1" or "3.0" for a document chatforge reads; None, with a located error, for any other
    (Swagger 2.0 with how to convert it, a version chatforge does not know, none at all)."""
    if "swagger" in document:
        given = document["swagger"]
        diagnostics.error(
            f"swagger {given!r}: this is a Swagger (OpenAPI 2.0) document, which Chatforge does "
            f"not read; convert it to OpenAPI 3 first, with {CONVERTERS}, then give chatforge "
            "the result",
            "/swagger",
        )
        return None
    version = document.get("openapi")
    where = "/openapi" if "openapi" in document else ""
    if version is None:
        diagnostics.error(
            "the document has no openapi field; Chatforge reads OpenAPI 3.1 and 3.0 documents "
            "(openapi: 3.1.0)"
        )
        return None
    if not isinstance(version, str):
        diagnostics.error(
            f"openapi is the number {version!r}, not a string; Chatforge reads OpenAPI 3.1 and "
            "3.0 documents: write openapi: 3.1.0 (or the 3.0.x version the document follows)",
            where,
        )
        return None
    if re.fullmatch(r"3\.1\.\d+", version):
        return "3.1"
    if re.fullmatch(r"3\.0\.[0-3]", version):
        return "3.0"
    diagnostics.error(
        f"openapi is {version!r}; Chatforge reads OpenAPI 3.1 and 3.0 documents (openapi: "
        "3.1.x, or 3.0.0 to 3.0.3)",
        where,
    )
    return None


def upgrade(
    document: dict[str, Json], diagnostics: Diagnostics, notes: list[Diagnostic]
) -> dict[str, Json]:
    """The 3.1 form of a valid OpenAPI 3.0 document (changed in place), each change a note in
    `notes`, located where the original value is."""
    converter = _Upgrade(diagnostics, notes)
    converter.walk(document, "", "document")
    original = document.get("openapi")
    document["openapi"] = "3.1.0"
    converter.note("openapi", f"openapi {original} read as OpenAPI 3.1.0", "/openapi")
    if "jsonSchemaDialect" not in document:
        document["jsonSchemaDialect"] = KNOWN_DIALECTS[0]
        converter.positions["/jsonSchemaDialect"] = converter.diagnostics.locate("/openapi")
    return document


def leftovers(document: dict[str, Json], diagnostics: Diagnostics, notes: list[Diagnostic]) -> None:
    """What Swagger 2.0 left in an OpenAPI 3.0 document that 3.0 itself refuses, read as 3.0
    says it (before the document is validated as 3.0): `type: file` as a string of
    `format: binary`, which `upgrade` then reads as 3.1 does."""
    _Upgrade(diagnostics, notes, leftovers=True).walk(document, "", "document")


class _Upgrade:
    def __init__(
        self, diagnostics: Diagnostics, notes: list[Diagnostic], leftovers: bool = False
    ) -> None:
        self.diagnostics = diagnostics
        self.positions = diagnostics.positions
        self.notes = notes
        self.leftovers = leftovers
        self._keys: list[str] | None = None

    def note(self, kind: str, message: str, pointer: str) -> None:
        line, col = self.diagnostics.locate(pointer)
        file, shown = self.diagnostics.origin(pointer)
        self.notes.append(Diagnostic(file, line, col, Level.NOTE, f"{kind}: {message}", shown))

    def move(self, old: str, new: str) -> None:
        """The positions of the value at `old` (and all inside it) given to `new` as well."""
        if self._keys is None:
            self._keys = sorted(self.positions)
        keys = self._keys
        if old in self.positions:
            self.positions[new] = self.positions[old]
        start = bisect.bisect_left(keys, old + "/")
        end = bisect.bisect_left(keys, old + "0")  # "0" follows "/"
        for key in keys[start:end]:
            self.positions[new + key[len(old) :]] = self.positions[key]

    def walk(self, node: Json, pointer: str, kind: str, media: str = "") -> None:
        """Every schema of an OpenAPI object, as `_OBJECTS` maps them."""
        if kind == "schema":
            self.schema(node, pointer, media)
            return
        if not isinstance(node, dict):
            return
        fields = _OBJECTS.get(kind, {})
        for key, value in node.items():
            if str(key).startswith("x-"):
                continue
            child = f"{pointer}/{escape_pointer_token(key)}"
            if kind == "callback":
                self.walk(value, child, "path")
                continue
            if key not in fields:
                continue
            shape, inner = fields[key]
            if shape == "one":
                self.walk(value, child, inner, media)
            elif shape == "list" and isinstance(value, list):
                for index, item in enumerate(value):
                    self.walk(item, f"{child}/{index}", inner)
            elif shape == "map" and isinstance(value, dict):
                for name, item in value.items():
                    named = f"{child}/{escape_pointer_token(name)}"
                    self.walk(item, named, inner, str(name) if inner == "media" else "")

    def schema(self, schema: Json, pointer: str, media: str = "") -> None:
        """A schema, then the schemas inside it (after it changed, at their new places)."""
        if not isinstance(schema, dict):
            return
        if self.leftovers:
            if schema.get("type") == "file":
                schema["type"] = "string"
                schema.setdefault("format", "binary")
                self.note("type-file", "type file read as a string of format binary", pointer)
        else:
            self._file(schema, pointer, media)
            self._bounds(schema, pointer)
            self._example(schema, pointer)
            self._nullable(schema, pointer)
        for key, value in list(schema.items()):
            if key in SCHEMA_DATA or str(key).startswith("x-"):
                continue
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in SUBSCHEMA_ONE:
                self.schema(value, child)
            elif key in SUBSCHEMA_LIST and isinstance(value, list):
                for index, item in enumerate(value):
                    self.schema(item, f"{child}/{index}")
            elif key in SUBSCHEMA_MAP and isinstance(value, dict):
                for name, item in value.items():
                    self.schema(item, f"{child}/{escape_pointer_token(name)}")

    def _file(self, schema: dict[str, Json], pointer: str, media: str) -> None:
        whole = media and not _STRUCTURED.match(media)
        kind = whole and media.split(";")[0].strip().lower()
        target = kind if kind and "*" not in kind else _OCTETS
        format_ = schema.get("format")
        if format_ == "binary" and schema.get("type") in ("string", None):
            del schema["format"]
            schema.setdefault("contentMediaType", target)
            self.positions[f"{pointer}/contentMediaType"] = self.diagnostics.locate(
                f"{pointer}/format"
            )
            self.note(
                "format-binary",
                f"format binary read as contentMediaType {schema['contentMediaType']}",
                f"{pointer}/format",
            )
        elif format_ == "byte" and schema.get("type") in ("string", None):
            del schema["format"]
            schema.setdefault("contentEncoding", "base64")
            self.positions[f"{pointer}/contentEncoding"] = self.diagnostics.locate(
                f"{pointer}/format"
            )
            self.note(
                "format-byte", "format byte read as contentEncoding base64", f"{pointer}/format"
            )

    def _bounds(self, schema: dict[str, Json], pointer: str) -> None:
        for exclusive, bound in (
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ):
            flag = schema.get(exclusive)
            if not isinstance(flag, bool):
                continue
            where = f"{pointer}/{exclusive}"
            if flag and bound in schema:
                schema[exclusive] = schema.pop(bound)
                self.note(
                    "exclusive-bound",
                    f"{exclusive}: true with {bound} {schema[exclusive]!r} read as "
                    f"{exclusive}: {schema[exclusive]!r}",
                    where,
                )
            else:
                del schema[exclusive]
                said = "true without a " + bound if flag else "false"
                self.note("exclusive-bound", f"{exclusive}: {said} says nothing; left out", where)

    def _example(self, schema: dict[str, Json], pointer: str) -> None:
        if "example" not in schema:
            return
        example = schema.pop("example")
        where = f"{pointer}/example"
        if "examples" in schema:  # not a 3.0 keyword, but seen: the two are joined
            examples = schema["examples"]
            if isinstance(examples, list):
                self.move(where, f"{pointer}/examples/{len(examples)}")
                examples.append(example)
                self.note("example", "example joined to examples", where)
                return
        schema["examples"] = [example]
        self.move(where, f"{pointer}/examples")
        self.move(where, f"{pointer}/examples/0")
        self.note("example", "example read as examples, a list of one", where)

    def _nullable(self, schema: dict[str, Json], pointer: str) -> None:
        for keyword in ("nullable", "x-nullable"):
            if keyword not in schema:
                continue
            flag = schema.pop(keyword)
            where = f"{pointer}/{keyword}"
            if flag is not True:
                self.note(
                    "nullable", f"{keyword}: {json.dumps(flag)} says nothing; left out", where
                )
                continue
            self._null(schema, pointer, keyword, where)

    def _null(self, schema: dict[str, Json], pointer: str, keyword: str, where: str) -> None:
        enum = schema.get("enum")
        if isinstance(enum, list) and None not in enum:
            enum.append(None)
            self.positions[f"{pointer}/enum/{len(enum) - 1}"] = self.diagnostics.locate(where)
        type_ = schema.get("type")
        if isinstance(type_, str):
            schema["type"] = [type_, "null"]
            self.positions[f"{pointer}/type/1"] = self.diagnostics.locate(where)
            also = " and null joins the enum" if isinstance(enum, list) else ""
            self.note("nullable", f"{keyword}: true read as type [{type_}, null]{also}", where)
            return
        if isinstance(type_, list):
            if "null" not in type_:
                type_.append("null")
            self.note("nullable", f"{keyword}: true read as null joining type", where)
            return
        wrapped = [key for key in ("$ref", "allOf") if key in schema]
        if wrapped:
            # What the value must be when it is not null moves into the first branch.
            moved = [*wrapped, *(key for key in ("anyOf", "oneOf") if key in schema)]
            inner = {key: schema.pop(key) for key in moved}
            for key in inner:
                self.move(f"{pointer}/{key}", f"{pointer}/anyOf/0/{key}")
            self.positions[f"{pointer}/anyOf"] = self.diagnostics.locate(pointer)
            self.positions[f"{pointer}/anyOf/0"] = self.diagnostics.locate(pointer)
            self.positions[f"{pointer}/anyOf/1"] = self.diagnostics.locate(where)
            schema["anyOf"] = [inner, {"type": "null"}]
            self.note(
                "nullable",
                f"{keyword}: true beside {' and '.join(wrapped)} read as anyOf of it and null",
                where,
            )
            return
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list):
                members.append({"type": "null"})
                self.positions[f"{pointer}/{key}/{len(members) - 1}"] = self.diagnostics.locate(
                    where
                )
                self.note("nullable", f"{keyword}: true read as a null member of {key}", where)
                return
        if isinstance(enum, list):
            self.note("nullable", f"{keyword}: true read as null joining the enum", where)
            return
        self.note(
            "nullable", f"{keyword}: true on a schema of no type, which takes null already", where
        )
