"""Read a spec: YAML with source positions, `$ref` checks, then openapi-spec-validator.

The loader is the only stage that reads files. It returns a `LoadedSpec` whose document is plain
JSON data and whose `positions` map every JSON pointer to its line and column in the file, so
that every later stage can report problems where they are.
"""

from __future__ import annotations

import datetime
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# openapi-spec-validator switches to jsonschema-rs whenever that happens to be installed, and its
# messages differ: diagnostics must read the same on every machine.
os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema"

from openapi_spec_validator import OpenAPIV31SpecValidator  # noqa: E402

from generator.diagnostics import Diagnostics, SpecError, escape_pointer_token, pointer_of

Json = Any

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


def _count_aliases(text: str) -> int:
    count = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken):
            count += 1
            if count > MAX_ALIASES:
                break
    return count


def parse_yaml(text: str, display_path: str) -> tuple[Json, dict[str, tuple[int, int]]]:
    """Parse YAML (or JSON) text into JSON data and a pointer -> (line, col) map."""
    diagnostics = Diagnostics(display_path)
    try:
        if _count_aliases(text) > MAX_ALIASES:
            diagnostics.error(f"more than {MAX_ALIASES} YAML aliases; expand them by hand")
            raise SpecError(list(diagnostics))
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diagnostics.positions[""] = (line, col)
        diagnostics.error(f"invalid YAML: {problem}; fix the syntax at this position")
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


def iter_refs(node: Json, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` in a document: (pointer of the $ref key, target)."""
    if isinstance(node, Mapping):
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
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def check_refs(document: Json, diagnostics: Diagnostics) -> None:
    """Every `$ref` must be local and resolve; a chain of refs must not loop."""
    for where, target in iter_refs(document):
        if not target.startswith("#"):
            diagnostics.error(
                f"$ref {target!r} points outside this file; specs are single files, "
                "so move the target under components",
                where,
            )
            continue
        try:
            resolve_pointer(document, target[1:])
        except KeyError:
            diagnostics.error(
                f"$ref {target!r} points at nothing; define it or correct the reference", where
            )
            continue
        seen = [target]
        node = resolve_pointer(document, target[1:])
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            nxt = node["$ref"]
            if nxt in seen:
                diagnostics.error(
                    f"$ref {target!r} loops back on itself ({' -> '.join([*seen, nxt])}); "
                    "break the cycle",
                    where,
                )
                break
            seen.append(nxt)
            try:
                node = resolve_pointer(document, nxt.lstrip("#"))
            except KeyError:
                break


# Reported by the lint rules instead, at the exact place of the problem.
_LINTED_ELSEWHERE = ("DuplicateOperationIDError", "UnresolvableParameterError")


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


def _required_keys(document: Json, diagnostics: Diagnostics) -> bool:
    """Shapes openapi-spec-validator assumes without checking: parameters and responses."""
    ok = True
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        base = f"/paths/{escape_pointer_token(path)}"
        holders = [(base, item)] + [
            (f"{base}/{method}", op) for method, op in item.items() if isinstance(op, Mapping)
        ]
        for where, holder in holders:
            for index, param in enumerate(holder.get("parameters") or []):
                if isinstance(param, Mapping) and "$ref" not in param:
                    missing = [k for k in ("name", "in") if k not in param]
                    if missing:
                        diagnostics.error(
                            f"parameter has no {' and no '.join(missing)}; every parameter "
                            "needs name and in",
                            f"{where}/parameters/{index}",
                        )
                        ok = False
            responses = holder.get("responses")
            if responses is not None and not isinstance(responses, Mapping):
                diagnostics.error(
                    "responses must be a mapping of status codes to responses", f"{where}/responses"
                )
                ok = False
    return ok


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
    if not _required_keys(document, diagnostics):
        return
    validator = OpenAPIV31SpecValidator(document)
    seen: set[tuple[str, str]] = set()
    try:
        errors = list(validator.iter_errors())
    except Exception as exc:  # noqa: BLE001 - the validator fails on some malformed documents
        diagnostics.error(
            f"not valid OpenAPI 3.1: the validator could not read the document "
            f"({type(exc).__name__}: {exc}); check the structure against the OpenAPI 3.1 schema"
        )
        return
    for error in errors:
        if type(error).__name__ in _LINTED_ELSEWHERE:
            continue
        pointer = _error_pointer(document, error)
        message = getattr(error, "message", str(error)).splitlines()[0]
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
        diagnostics.error(f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8")
        raise SpecError(list(diagnostics)) from None
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
