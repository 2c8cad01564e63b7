"""Read a spec: YAML with source positions, `$ref` checks, then openapi-spec-validator.

The loader is the only stage that reads files. It returns a `LoadedSpec` whose document is plain
JSON data and whose `positions` map every JSON pointer to its line and column in the file, so
that every later stage can report problems where they are.
"""

from __future__ import annotations

import bisect
import datetime
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostics, SpecError, escape_pointer_token, pointer_of

Json = Any

# libyaml's reader where PyYAML was built with it: the same documents, several times faster.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"

# A document larger than this is refused before parsing: specs are hand-curated files.
MAX_SPEC_BYTES = 16 * 1024 * 1024
# YAML aliases let a small file expand enormously; a spec has no need of more than a few, and
# even the largest hand-curated spec stays far below this many values once expanded.
MAX_ALIASES = 1000
MAX_ALIAS_VALUES = 100_000


@dataclass(frozen=True)
class LoadedSpec:
    path: Path
    display_path: str
    document: dict[str, Json]
    positions: dict[str, tuple[int, int]]

    def diagnostics(self) -> Diagnostics:
        return Diagnostics(self.display_path, dict(self.positions))


class _Builder:
    """Turns a composed YAML node tree into JSON data, recording where each value starts."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        # Shared with the collector, so a problem found while building is located at once.
        self.positions = diagnostics.positions
        self.constructor = yaml.SafeLoader("")
        self.seen: set[int] = set()
        self.alias_values = 0

    def build(self, node: yaml.Node, pointer: str, depth: int = 0, aliased: bool = False) -> Json:
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.CollectionNode):
            aliased = aliased or id(node) in self.seen
            self.seen.add(id(node))
        if aliased:
            self.alias_values += 1
            if self.alias_values > MAX_ALIAS_VALUES:
                self.diagnostics.error(
                    f"YAML aliases expand to more than {MAX_ALIAS_VALUES} values; expand them "
                    "by hand and keep the spec to what it describes",
                    pointer,
                )
                raise SpecError(list(self.diagnostics))
        if depth > 200:
            self.diagnostics.error("the document nests deeper than 200 levels", pointer)
            raise SpecError(list(self.diagnostics))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, pointer, depth, aliased)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, f"{pointer}/{index}", depth + 1, aliased)
                for index, item in enumerate(node.value)
            ]
        return self._scalar(node, pointer)

    def _mapping(
        self, node: yaml.MappingNode, pointer: str, depth: int, aliased: bool
    ) -> dict[str, Json]:
        result: dict[str, Json] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.diagnostics.error("YAML merge keys (<<) are not supported in specs", pointer)
                continue
            key = self._scalar(key_node, pointer)
            if not isinstance(key, str):
                key = "true" if key is True else "false" if key is False else str(key)
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in result:
                self.positions[child] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                self.diagnostics.error(f"duplicate key {key!r}; remove one of them", child)
                continue
            self.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1, aliased)
        return result

    def _scalar(self, node: yaml.Node, pointer: str) -> Json:
        if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
            return node.value
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()
        if isinstance(value, bytes):
            self.diagnostics.error("binary YAML scalars are not valid JSON; use a string", pointer)
            return ""
        if isinstance(value, float) and not math.isfinite(value):
            self.diagnostics.error("NaN and infinity are not valid JSON numbers", pointer)
            return 0
        if isinstance(value, list | dict | set | tuple):
            self.diagnostics.error("unexpected YAML collection in scalar position", pointer)
            return None
        return value


def _too_many_aliases(text: str) -> bool:
    if text.count("*") <= MAX_ALIASES:  # every alias starts with one
        return False
    count = 0
    for token in yaml.scan(text, Loader=_FAST_LOADER):
        if isinstance(token, yaml.AliasToken):
            count += 1
            if count > MAX_ALIASES:
                return True
    return False


def _compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML document, read by libyaml where it is built in. On a syntax error
    the pure-Python reader reads it again, so the error is reported in the same words on every
    machine."""
    if _FAST_LOADER is yaml.SafeLoader:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _unclosed_quote(exc: yaml.MarkedYAMLError) -> bool:
    """A quoted scalar still open where the file (or the document) ends."""
    return (
        exc.context_mark is not None
        and "quoted scalar" in str(exc.context or "")
        and any(words in str(exc.problem or "") for words in ("end of stream", "separator"))
    )


def parse_yaml(text: str, display_path: str) -> tuple[Json, dict[str, tuple[int, int]]]:
    """Parse YAML (or JSON) text into JSON data and a pointer -> (line, col) map."""
    diagnostics = Diagnostics(display_path)
    try:
        if _too_many_aliases(text):
            diagnostics.error(f"more than {MAX_ALIASES} YAML aliases; expand them by hand")
            raise SpecError(list(diagnostics))
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        message = f"invalid YAML: {problem}; fix the syntax at this position"
        if _unclosed_quote(exc):
            # The scanner notices only at the end of the file: point where the quote opens.
            mark = exc.context_mark
            message = (
                "invalid YAML: the quoted string that starts here is never closed; close the quote"
            )
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        diagnostics.positions[""] = (line, col)
        diagnostics.error(message)
        raise SpecError(list(diagnostics)) from None
    except yaml.YAMLError as exc:
        diagnostics.error(f"invalid YAML: {exc}")
        raise SpecError(list(diagnostics)) from None
    if node is None:
        diagnostics.error("the file is empty; a spec is an OpenAPI 3.1 document")
        raise SpecError(list(diagnostics))
    builder = _Builder(diagnostics)
    try:
        data = builder.build(node, "")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "invalid value").split())
        diagnostics.positions["#yaml"] = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        diagnostics.error(
            f"invalid YAML value: {problem}; specs use plain YAML without tags", "#yaml"
        )
        raise SpecError(list(diagnostics)) from None
    except yaml.YAMLError as exc:
        diagnostics.error(f"invalid YAML value: {' '.join(str(exc).split())}")
        raise SpecError(list(diagnostics)) from None
    if diagnostics.has_errors:
        raise SpecError(list(diagnostics))
    return data, builder.positions


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_JSON_LITERALS: dict[str, Json] = {"true": True, "false": False, "null": None}
# The json module's own reader of a string's body, (text, index past the opening quote) ->
# (the string, index past the closing quote); its stubs leave it out.
_scanstring: Callable[[str, int], tuple[str, int]] = vars(json.decoder)["scanstring"]


class _JsonReader:
    """Reads text that `json.loads` accepted into JSON data, recording where each value starts
    (a mapping's values where their key does, as for YAML) and refusing duplicate keys, NaN and
    infinity, which `json.loads` lets through."""

    def __init__(self, text: str, diagnostics: Diagnostics) -> None:
        self.text = text
        self.diagnostics = diagnostics
        self.positions = diagnostics.positions
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def skip(self, index: int) -> int:
        match = _JSON_SPACE.match(self.text, index)
        return match.end() if match else index

    def read(
        self, index: int, pointer: str, depth: int = 0, record: bool = True
    ) -> tuple[Json, int]:
        """The value starting at or after `index`, and the index just past it."""
        index = self.skip(index)
        if record:
            self.positions.setdefault(pointer, self.where(index))
        if depth > 200:
            self.diagnostics.error("the document nests deeper than 200 levels", pointer)
            raise SpecError(list(self.diagnostics))
        char = self.text[index]
        if char == "{":
            return self._object(index + 1, pointer, depth, record)
        if char == "[":
            items: list[Json] = []
            index = self.skip(index + 1)
            while self.text[index] != "]":
                item, index = self.read(index, f"{pointer}/{len(items)}", depth + 1, record)
                items.append(item)
                index = self.skip(index)
                if self.text[index] == ",":
                    index = self.skip(index + 1)
            return items, index + 1
        if char == '"':
            return _scanstring(self.text, index + 1)
        for word, value in _JSON_LITERALS.items():
            if self.text.startswith(word, index):
                return value, index + len(word)
        number = _JSON_NUMBER.match(self.text, index)
        if number is None:  # NaN, Infinity or -Infinity
            word = next(
                w for w in ("NaN", "Infinity", "-Infinity") if self.text.startswith(w, index)
            )
            if record:
                self.diagnostics.error("NaN and infinity are not valid JSON numbers", pointer)
            return 0, index + len(word)
        if number.group(1) is None and number.group(2) is None:
            return int(number.group()), number.end()
        value = float(number.group())
        if not math.isfinite(value):
            if record:
                self.diagnostics.error("NaN and infinity are not valid JSON numbers", pointer)
            return 0, number.end()
        return value, number.end()

    def _object(
        self, index: int, pointer: str, depth: int, record: bool
    ) -> tuple[dict[str, Json], int]:
        result: dict[str, Json] = {}
        index = self.skip(index)
        while self.text[index] != "}":
            key_at = index
            key, index = _scanstring(self.text, index + 1)
            index = self.skip(index) + 1  # past the colon
            child = f"{pointer}/{escape_pointer_token(key)}"
            duplicate = key in result
            if record:
                if duplicate:
                    self.positions[child] = self.where(key_at)
                    self.diagnostics.error(f"duplicate key {key!r}; remove one of them", child)
                else:
                    self.positions.setdefault(child, self.where(key_at))
            value, index = self.read(index, child, depth + 1, record and not duplicate)
            if not duplicate:
                result[key] = value
            index = self.skip(index)
            if self.text[index] == ",":
                index = self.skip(index + 1)
        return result, index + 1


def _json_problem(text: str, exc: json.JSONDecodeError) -> tuple[int, str]:
    """Where a JSON syntax error is, and what to say about it."""
    before = text[: exc.pos].rstrip(" \t\n\r")
    closing = text[exc.pos : exc.pos + 1]
    if exc.msg.startswith("Illegal trailing comma"):  # Python 3.13 and later
        after = text[exc.pos + 1 :].lstrip(" \t\n\r")[:1]
        return exc.pos, f"a trailing comma before {after!r}; remove the comma"
    if closing in ("]", "}") and before.endswith(","):
        return len(before) - 1, f"a trailing comma before {closing!r}; remove the comma"
    message = exc.msg[:1].lower() + exc.msg[1:]
    return exc.pos, f"{message}; fix the syntax at this position"


def parse_json(text: str, display_path: str) -> tuple[Json, dict[str, tuple[int, int]]]:
    """Parse JSON text into JSON data and a pointer -> (line, col) map."""
    diagnostics = Diagnostics(display_path)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        diagnostics.error("the file is empty; a spec is an OpenAPI 3.1 document")
        raise SpecError(list(diagnostics))
    reader = _JsonReader(text, diagnostics)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        index, problem = _json_problem(text, exc)
        diagnostics.positions[""] = reader.where(index)
        diagnostics.error(f"invalid JSON: {problem}")
        raise SpecError(list(diagnostics)) from None
    except RecursionError:
        diagnostics.error("the document nests deeper than 200 levels")
        raise SpecError(list(diagnostics)) from None
    except ValueError as exc:  # a number too long to read, say
        diagnostics.error(f"invalid JSON: {' '.join(str(exc).split())}")
        raise SpecError(list(diagnostics)) from None
    data, _ = reader.read(0, "")
    if diagnostics.has_errors:
        raise SpecError(list(diagnostics))
    return data, reader.positions


def iter_refs(node: Json, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` in a document: (pointer of the $ref key, target)."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key == "$ref" and isinstance(value, str):
                yield child, value
            else:
                yield from iter_refs(value, child)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_refs(value, f"{pointer}/{index}")


def resolve_pointer(document: Json, pointer: str) -> Json:
    """The value at a JSON pointer; raises KeyError when it is not there."""
    node = document
    if not pointer:
        return node
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def pointer_problem(target: str) -> str | None:
    """Why a local `$ref` ("#/a/b") holds no valid JSON pointer, or None when it does."""
    pointer = target[1:]
    if pointer and not pointer.startswith("/"):
        return "after # it must start with /"
    if re.search(r"~(?![01])", pointer):
        return "~ must be followed by 0 or 1 (~0 for ~, ~1 for /)"
    return None


# Keywords whose subschemas apply to the value itself, not to a part of it: a schema that reaches
# itself through these alone defines a value by itself, and validating one never ends.
_IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else")
_NOWHERE = object()


def _local_target(document: Json, target: str) -> Json:
    if not target.startswith("#") or pointer_problem(target) is not None:
        return _NOWHERE
    try:
        return resolve_pointer(document, target[1:])
    except KeyError:
        return _NOWHERE


def _next_refs(node: Json, merged: bool, items: bool = False) -> Iterator[tuple[str, bool, bool]]:
    """The `$ref`s a schema reaches in place: (target, whether an allOf merged them in, whether
    the way went through `items`). openapi-spec-validator collects the properties of an allOf's
    subschemas through allOf, anyOf, oneOf, not and items without noticing when it comes back to
    one, so below an allOf `items` counts too."""
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        yield ref, merged, items
        return
    for key in _IN_PLACE:
        value = node.get(key)
        for member in value if isinstance(value, list) else [value]:
            yield from _next_refs(member, merged or key == "allOf", items)
    if merged:
        yield from _next_refs(node.get("items"), merged, True)


def _merged_at(where: str) -> bool:
    """Whether the `$ref` at `where` is in a subschema an allOf merges (see _next_refs)."""
    tokens = where.split("/")[1:-1]
    if "allOf" not in tokens:
        return False
    rest = tokens[len(tokens) - 1 - tokens[::-1].index("allOf") :]
    while rest:
        if rest[0] in ("allOf", "anyOf", "oneOf") and len(rest) > 1 and rest[1].isdigit():
            rest = rest[2:]
        elif rest[0] in ("not", "items"):
            rest = rest[1:]
        else:
            return False
    return True


def _loop_from(
    document: Json, target: str, merged: bool, safe: set[tuple[int, bool]]
) -> tuple[list[str], bool] | None:
    """The chain of refs from `target` into a loop that never ends, and whether that loop goes
    through `items`; None when there is none. `safe` remembers schemas that lead into none."""
    node = _local_target(document, target)
    if node is _NOWHERE:
        return None
    chain, ids, modes, through_items = [target], [id(node)], [merged], [False]
    stack = [_next_refs(node, merged)]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            safe.add((ids[-1], modes[-1]))
            for trail in (stack, chain, ids, modes, through_items):
                trail.pop()
            continue
        nxt, mode, items = step
        found = _local_target(document, nxt)
        if found is _NOWHERE or (id(found), mode) in safe:
            continue
        if id(found) in ids:
            start = ids.index(id(found))
            return [*chain, nxt], items or any(through_items[start + 1 :])
        chain.append(nxt)
        ids.append(id(found))
        modes.append(mode)
        through_items.append(items)
        stack.append(_next_refs(found, mode))
    return None


def check_refs(document: Json, diagnostics: Diagnostics) -> None:
    """Every `$ref` must be local and resolve; refs must not loop in place (a schema that is
    itself, or merges itself in through allOf). Recursion through a property or the items of an
    array is a tree, which is fine, except where an allOf merges an array that recurses through
    its items: openapi-spec-validator never gets out of that."""
    safe: set[tuple[int, bool]] = set()
    for where, target in iter_refs(document):
        if not target.startswith("#"):
            diagnostics.error(
                f"$ref {target!r} points outside this file; specs are single files, "
                "so move the target under components",
                where,
            )
            continue
        problem = pointer_problem(target)
        if problem is not None:
            diagnostics.error(
                f"$ref {target!r} is not a valid JSON pointer: {problem}; correct the reference",
                where,
            )
            continue
        if _local_target(document, target) is _NOWHERE:
            diagnostics.error(
                f"$ref {target!r} points at nothing; define it or correct the reference", where
            )
            continue
        loop = _loop_from(document, target, _merged_at(where), safe)
        if loop is None:
            continue
        chain, through_items = loop
        if through_items:
            diagnostics.error(
                f"$ref {target!r} leads into a loop through allOf and items "
                f"({' -> '.join(chain)}), which openapi-spec-validator follows forever; "
                "break the cycle or move the array into a property",
                where,
            )
        else:
            diagnostics.error(
                f"$ref {target!r} loops back on itself ({' -> '.join(chain)}); break the cycle",
                where,
            )


# Reported by the lint rules instead, at the exact place of the problem.
_LINTED_ELSEWHERE = (
    "DuplicateOperationIDError",
    "ParameterDuplicateError",
    "UnresolvableParameterError",
)


def _containers(node: Json, pointer: str = "") -> Iterator[tuple[str, Json]]:
    if isinstance(node, dict | list):
        yield pointer, node
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            yield from _containers(value, f"{pointer}/{escape_pointer_token(key)}")


def _scalar_identity(value: Any) -> bool:
    """Numbers, booleans and None are shared objects: identity says nothing about place."""
    return value is None or isinstance(value, bool | int | float)


def _error_pointer(document: Json, error: Any) -> str:
    """Where a validator error is. Errors inside a schema carry a path relative to it."""
    path = [str(token) for token in getattr(error, "absolute_path", ())]
    relative = pointer_of(*path)
    instance = getattr(error, "instance", None)
    try:
        if resolve_pointer(document, relative) is instance:
            return relative
    except KeyError:
        pass
    schema = getattr(error, "schema", None)
    for where, container in _containers(document):
        try:
            found = resolve_pointer(container, relative)
            if found is instance and not _scalar_identity(instance):
                return where + relative
        except KeyError:
            pass
        # A schema's own `default` checked against it: the error names the schema itself.
        if (
            not relative
            and container is schema
            and isinstance(schema, dict)
            and "default" in schema
        ):
            return f"{where}/default"
    return relative


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _shapes(document: Json, diagnostics: Diagnostics) -> bool:
    """Shapes openapi-spec-validator assumes without checking (it fails on them, or loses the
    place): paths, parameters and responses."""
    paths = document.get("paths")
    if paths is not None and not isinstance(paths, dict):
        diagnostics.error("paths must be a mapping of paths to path items", "/paths")
        return False
    ok = True
    for path, item in (paths or {}).items():
        if not isinstance(item, dict):
            continue
        base = f"/paths/{escape_pointer_token(path)}"
        holders = [(base, item)] + [
            (f"{base}/{method}", op)
            for method, op in item.items()
            if method in _METHODS and isinstance(op, dict)
        ]
        for where, holder in holders:
            parameters = holder.get("parameters")
            if parameters is not None and not isinstance(parameters, list):
                diagnostics.error("parameters must be a list of parameters", f"{where}/parameters")
                ok = False
                parameters = None
            for index, param in enumerate(parameters or []):
                if isinstance(param, dict) and "$ref" not in param:
                    missing = [k for k in ("name", "in") if k not in param]
                    if missing:
                        diagnostics.error(
                            f"parameter has no {' and no '.join(missing)}; every parameter "
                            "needs name and in",
                            f"{where}/parameters/{index}",
                        )
                        ok = False
            responses = holder.get("responses")
            if responses is not None and not isinstance(responses, dict):
                diagnostics.error(
                    "responses must be a mapping of status codes to responses", f"{where}/responses"
                )
                ok = False
    return ok


# The JSON Schema type names.
_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")


def _message(error: Any) -> str:
    """A validator error's message in the words of a spec: JSON spelling, the valid choices."""
    message = str(getattr(error, "message", error)).splitlines()[0]
    kind = getattr(error, "validator", None)
    path = list(getattr(error, "absolute_path", ()))
    instance = getattr(error, "instance", None)
    if kind == "const":
        return f"{json.dumps(error.validator_value)} was expected"
    if kind == "anyOf" and path and path[-1] == "type":
        given = instance if isinstance(instance, list) else [instance]
        unknown = [value for value in given if value not in _TYPES]
        if unknown and all(isinstance(value, str) for value in unknown):
            shown = ", ".join(repr(value) for value in unknown)
            verb = "is not a JSON Schema type" if len(unknown) == 1 else "are not JSON Schema types"
            return f"{shown} {verb}; use {', '.join(_TYPES[:-1])} or {_TYPES[-1]}"
    return message


def _iter_errors(document: Json) -> tuple[list[Any], Exception | None]:
    """openapi-spec-validator's errors, one at a time: those it gives before it fails on a
    malformed document are kept, with what it failed on."""
    # openapi-spec-validator switches to jsonschema-rs whenever that is installed, and its
    # messages differ: diagnostics must read the same on every machine.
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema"
    from openapi_spec_validator import OpenAPIV31SpecValidator

    errors: list[Any] = []
    found = OpenAPIV31SpecValidator(document).iter_errors()
    while True:
        try:
            errors.append(next(found))
        except StopIteration:
            return errors, None
        except Exception as exc:  # noqa: BLE001 - the validator fails on some malformed documents
            return errors, exc


def validate_openapi(document: Json, diagnostics: Diagnostics) -> None:
    """openapi-spec-validator on an OpenAPI 3.1 document; every problem becomes a diagnostic."""
    if not isinstance(document, dict):
        diagnostics.error("a spec must be a mapping at its top level (an OpenAPI 3.1 document)")
        return
    version = document.get("openapi")
    where = "/openapi" if "openapi" in document else ""
    if version is None:
        diagnostics.error(
            "the document has no openapi field; Chatforge reads OpenAPI 3.1 documents "
            "(openapi: 3.1.0)"
        )
        return
    if not isinstance(version, str):
        diagnostics.error(
            f"openapi is the number {version!r}, not a string; Chatforge reads OpenAPI 3.1 "
            "documents: write openapi: 3.1.0",
            where,
        )
        return
    if not re.fullmatch(r"3\.1\.\d+", version):
        diagnostics.error(
            f"openapi is {version!r}; Chatforge reads OpenAPI 3.1 documents (openapi: 3.1.0)",
            where,
        )
        return
    if not _shapes(document, diagnostics):
        return
    from generator import precheck  # which reads documents with this module's helpers

    if precheck.clean(document):
        return
    errors, failure = _iter_errors(document)
    errors = [error for error in errors if type(error).__name__ not in _LINTED_ELSEWHERE]
    if failure is not None and not errors:
        diagnostics.error(
            f"not valid OpenAPI 3.1: the validator could not read the document "
            f"({type(failure).__name__}: {failure}); check the structure against the OpenAPI "
            "3.1 schema"
        )
        return
    # A failure after errors comes of them: the errors say where the document is wrong.
    seen: set[tuple[str, str]] = set()
    for error in errors:
        pointer = _error_pointer(document, error)
        message = _message(error)
        if len(message) > 300:
            message = message[:297] + "..."
        if (pointer, message) in seen:
            continue
        seen.add((pointer, message))
        diagnostics.error(f"not valid OpenAPI 3.1: {message}", pointer)


def load(path: Path, display_path: str | None = None) -> LoadedSpec:
    """Read, parse and validate one spec; raises SpecError with located diagnostics."""
    shown = display_path or str(path)
    diagnostics = Diagnostics(shown)
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            diagnostics.error(f"the file is {size} bytes; specs are limited to {MAX_SPEC_BYTES}")
            raise SpecError(list(diagnostics))
        raw = path.read_bytes()
    except OSError as exc:
        diagnostics.error(f"cannot read the spec: {exc.strerror or exc}")
        raise SpecError(list(diagnostics)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Where the byte is: its line, and its column in the characters before it.
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        diagnostics.positions[""] = (raw.count(b"\n", 0, exc.start) + 1, column)
        diagnostics.error(f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8")
        raise SpecError(list(diagnostics)) from None
    if path.suffix.lower() == ".json":
        document, positions = parse_json(text, shown)
    else:
        document, positions = parse_yaml(text, shown)
    diagnostics.positions.update(positions)
    if not isinstance(document, dict):
        diagnostics.error("a spec must be a mapping at its top level (an OpenAPI 3.1 document)")
        raise SpecError(list(diagnostics))
    check_refs(document, diagnostics)
    if not diagnostics.has_errors:
        validate_openapi(document, diagnostics)
    if diagnostics.has_errors:
        raise SpecError(list(diagnostics))
    return LoadedSpec(path, shown, document, positions)
