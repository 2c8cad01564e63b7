"""Validate a spec: the document read, bundled and its references checked, then the compiled
first pass (precheck) and openapi-spec-validator where that pass proves nothing; a 3.0 document
normalised to 3.1 after. It returns a `LoadedSpec`, or raises SpecError with located diagnostics.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from chatforge.diagnostics import (
    Diagnostic,
    Diagnostics,
    SpecError,
    escape_pointer_token,
    pointer_of,
)
from chatforge.spec import bundle, precheck, upgrade
from chatforge.spec.document import HTTP_METHODS, resolve_pointer
from chatforge.spec.loader import LoadedSpec, check_refs, read_document

Json = Any


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


class _Places:
    """Where the values of a document are, found by identity: the containers in the order
    `_containers` walks them, indexed once, so that locating each of many errors costs no walk
    of the whole document."""

    def __init__(self, document: Json) -> None:
        self.document = document
        self.order = list(_containers(document))
        self.first: dict[int, int] = {}  # id of a container -> its first place in `order`
        for index, (_, container) in enumerate(self.order):
            self.first.setdefault(id(container), index)
        self._parents: dict[int, list[tuple[int, str]]] | None = None
        self._index: dict[str, int] | None = None

    def parents(self) -> dict[int, list[tuple[int, str]]]:
        """id of a value that is not a shared scalar -> (place of its container in `order`, its
        key there), for every place it is at."""
        if self._parents is None:
            self._parents = {}
            for index, (_, container) in enumerate(self.order):
                items = container.items() if isinstance(container, dict) else enumerate(container)
                for key, value in items:
                    # (A pointer reaches only the string keys of a mapping.)
                    if isinstance(container, dict) and not isinstance(key, str):
                        continue
                    if not _scalar_identity(value):
                        self._parents.setdefault(id(value), []).append(
                            (index, escape_pointer_token(key))
                        )
        return self._parents

    def index(self, where: str) -> int:
        if self._index is None:
            self._index = {}
            for index, (place, _) in enumerate(self.order):
                self._index.setdefault(place, index)
        return self._index[where]

    def first_reaching(self, instance: Any, relative: str) -> int | None:
        """The first place in `order` of a container whose value at `relative` is `instance`."""
        if _scalar_identity(instance):
            return None
        if not relative:
            return self.first.get(id(instance))
        if relative.startswith("//"):  # `resolve_pointer` reads it without its empty first keys
            return next(
                (
                    index
                    for index, (_, container) in enumerate(self.order)
                    if _resolves_to(container, relative, instance)
                ),
                None,
            )
        found: int | None = None
        for parent, key in self.parents().get(id(instance), ()):
            place = f"{self.order[parent][0]}/{key}"
            if place.endswith(relative):
                index = self.index(place[: len(place) - len(relative)])
                found = index if found is None else min(found, index)
        return found


def _resolves_to(container: Json, pointer: str, instance: Any) -> bool:
    try:
        return resolve_pointer(container, pointer) is instance
    except KeyError:
        return False


def _error_pointer(document: Json, error: Any, places: _Places | None = None) -> str:
    """Where a validator error is. Errors inside a schema carry a path relative to it."""
    places = places if places is not None and places.document is document else _Places(document)
    path = [str(token) for token in getattr(error, "absolute_path", ())]
    relative = pointer_of(*path)
    instance = getattr(error, "instance", None)
    root = getattr(error, "schema_root", None)
    if root is not None:  # a schema against the meta-schema: the path starts at that schema
        index = places.first.get(id(root))
        if index is not None:
            return places.order[index][0] + relative
    try:
        if resolve_pointer(document, relative) is instance:
            return relative
    except KeyError:
        pass
    schema = getattr(error, "schema", None)
    # The first container, in document order, that holds the instance at the error's path, or
    # that is the schema whose own `default` the error is about.
    reaching = places.first_reaching(instance, relative)
    defaulting = None
    if not relative and isinstance(schema, dict) and "default" in schema:
        defaulting = places.first.get(id(schema))
    if reaching is not None and (defaulting is None or reaching <= defaulting):
        return places.order[reaching][0] + relative
    if defaulting is not None:
        return f"{places.order[defaulting][0]}/default"
    return relative


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
            if method in HTTP_METHODS and isinstance(op, dict)
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
    if kind in ("oneOf", "anyOf") and isinstance(instance, dict | list):
        # Not the whole value again, which the location names: why each form does not fit.
        reasons = list(dict.fromkeys(r for r in map(_reason, _leaves(error)) if r))
        because = f": {'; or '.join(reasons)}" if reasons else ""
        return f"this value is none of the forms allowed here{because}"
    return message


def _leaves(error: Any) -> Iterator[Any]:
    """The errors at the ends of a oneOf's or anyOf's tree of reasons."""
    for inner in getattr(error, "context", None) or ():
        if getattr(inner, "context", None):
            yield from _leaves(inner)
        else:
            yield inner


def _reason(leaf: Any) -> str | None:
    """One reason a form does not fit, in a spec's words; None for "it is no reference" (every
    object may be one, so that says nothing) and for messages that only repeat the value."""
    instance = getattr(leaf, "instance", None)
    if leaf.validator == "required" and "'$ref'" in leaf.message:
        return None
    if leaf.validator == "not":
        value = leaf.validator_value if isinstance(leaf.validator_value, dict) else {}
        options = value.get("anyOf") or value.get("oneOf") or [value]
        names = [
            name
            for option in options
            if isinstance(option, dict)
            for name in option.get("required", ())
            if isinstance(instance, dict) and name in instance
        ]
        return f"it may not hold {', '.join(names)} here" if names else None
    message = str(leaf.message).splitlines()[0]
    if isinstance(instance, dict | list) and repr(instance) in message:
        return None
    return message


class _Unretrievable(Mapping[str, Callable[[str], Any]]):
    """Handlers for openapi-spec-validator's reference resolver that fetch nothing: one for
    every URI scheme, which refuses. (It opens any URI it has no handler for itself.)"""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self._refuse

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    @staticmethod
    def _refuse(uri: str) -> Any:
        raise LookupError(f"{uri} is outside the document; chatforge fetches nothing")


_NO_RETRIEVAL = _Unretrievable()


def _iter_errors(document: Json, version: str = "3.1") -> tuple[list[Any], Exception | None]:
    """openapi-spec-validator's errors, one at a time: those it gives before it fails on a
    malformed document are kept, with what it failed on."""
    # openapi-spec-validator switches to jsonschema-rs whenever that is installed, and its
    # messages differ: diagnostics must read the same on every machine.
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema"
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    base = OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator
    schemas: Any = base.keyword_validators["schema"]

    class Schemas(schemas):  # type: ignore[misc]
        """Each schema checked against the meta-schema as openapi-spec-validator checks it, to
        every distinct error in the order of the schema's text, each with the schema it is in:
        the error's path starts there."""

        def _get_schema_checker(self, schema: Any, schema_value: Any) -> Any:
            return _in_order(super()._get_schema_checker(schema, schema_value))

        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            errors = self._meta_errors(schema, schema_value)
            return errors[0] if errors else None

        def __call__(
            self, schema: Any, require_properties: bool = True, meta_checked: bool = False
        ) -> Any:
            """As openapi-spec-validator checks a schema, but with every distinct error the
            meta-schema finds in it, not the first alone."""
            value = schema.read_value()
            checked = self.meta_checked_schema_ids
            if meta_checked or not isinstance(value, Mapping | bool) or checked is None:
                yield from super().__call__(schema, require_properties, meta_checked)
                return
            if id(value) not in checked:
                checked.append(id(value))
                errors = self._meta_errors(schema, value)
                if errors:
                    yield from errors
                    return
            yield from super().__call__(schema, require_properties, True)

        def _meta_errors(self, schema: Any, schema_value: Any) -> list[Any]:
            from jsonschema.exceptions import SchemaError, ValidationError
            from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

            try:
                checker = self._get_schema_checker(schema, schema_value)
            except ValueError as exc:
                return [OpenAPIValidationError(str(exc))]
            try:
                checker(schema_value)
            except _MetaErrors as found:
                raised: list[Any] = found.errors
            except (SchemaError, ValidationError) as failure:
                raised = [failure]
            else:
                return []
            errors = []
            for one in raised:
                made: Any = OpenAPIValidationError.create_from(one)
                made.schema_root = schema_value
                errors.append(made)
            return errors

    class Validator(base):  # type: ignore[valid-type,misc]
        resolver_handlers = cast(Any, _NO_RETRIEVAL)
        keyword_validators = {**base.keyword_validators, "schema": Schemas}

    errors: list[Any] = []
    found = Validator(document).iter_errors()
    # Python's `re` warns of patterns it may read otherwise one day (`[[:alpha:]]`); lint
    # reports each such pattern where it is, so the validator's compiling them stays quiet.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        while True:
            try:
                errors.append(next(found))
            except StopIteration:
                return errors, None
            except Exception as exc:  # noqa: BLE001 - the validator fails on malformed documents
                return errors, exc


def _in_order(checker: Any) -> Any:
    """openapi-schema-validator's meta-schema check, raising every distinct error of the schema
    in the order of its text (`_MetaErrors`). It raises the first the meta-schema's validator
    finds, and that one visits a schema's properties in an order that changes from run to run (a
    set of their names)."""
    from openapi_schema_validator.validators import check_openapi_schema

    bound = checker.func if isinstance(checker, functools.partial) else checker
    cls = getattr(bound, "__self__", None)
    if cls is None or getattr(bound, "__func__", None) is not check_openapi_schema:
        return checker
    keywords = checker.keywords if isinstance(checker, functools.partial) else {}
    format_checker = keywords.get("format_checker", cls.FORMAT_CHECKER)

    def check(schema: Any) -> None:
        from jsonschema.exceptions import SchemaError
        from jsonschema.validators import validator_for
        from openapi_schema_validator._specifications import REGISTRY

        validator_class = validator_for(cls.META_SCHEMA, default=cls)
        meta = validator_class(cls.META_SCHEMA, format_checker=format_checker, registry=REGISTRY)
        distinct: dict[tuple[tuple[Any, ...], str], Any] = {}
        for error in meta.iter_errors(schema):
            distinct.setdefault((tuple(error.absolute_path), error.message), error)
        if distinct:
            ordered = sorted(
                distinct.values(),
                key=lambda error: (
                    _text_order(schema, error.absolute_path),
                    error.message,
                    str(error.validator),
                ),
            )
            raise _MetaErrors([SchemaError.create_from(error) for error in ordered])

    return check


class _MetaErrors(Exception):
    """Every distinct error the meta-schema finds in one schema, in the order of its text."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _text_order(node: Any, path: Iterable[Any]) -> tuple[int, ...]:
    """Where a path leads in a value, as the places of its keys and items in their containers."""
    places = []
    for token in path:
        if isinstance(node, dict) and token in node:
            places.append(list(node).index(token))
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and token < len(node):
            places.append(token)
            node = node[token]
        else:
            places.append(-1)
            break
    return tuple(places)


def _member_named_ref(document: Json, target: Any) -> str | None:
    """Where a value that is data (a default, say) has a member `$ref` naming `target`."""
    if not isinstance(target, str):
        return None
    for where, container in _containers(document):
        if isinstance(container, dict) and container.get("$ref") == target:
            return f"{where}/$ref"
    return None


def validate_openapi(document: Json, diagnostics: Diagnostics, version: str | None = None) -> None:
    """openapi-spec-validator on an OpenAPI 3.1 or 3.0 document (`version` "3.1" or "3.0", else
    read from the document); every problem becomes a diagnostic."""
    if not isinstance(document, dict):
        diagnostics.error("a spec must be a mapping at its top level (an OpenAPI 3.1 document)")
        return
    if version is None:
        version = upgrade.version_problem(document, diagnostics)
        if version is None:
            return
    if not _shapes(document, diagnostics):
        return
    # openapi-spec-validator checks only what the compiled pass could not prove clean.
    narrowed = precheck.to_validate(document, version)
    if narrowed is None:
        return
    errors, failure = _iter_errors(narrowed, version)
    errors = [error for error in errors if type(error).__name__ not in _LINTED_ELSEWHERE]
    if failure is not None and not errors:
        member = _member_named_ref(document, getattr(failure, "ref", None))
        if member is not None:
            diagnostics.error(
                f"this value's member $ref {getattr(failure, 'ref', '')!r} is data, but "
                "openapi-spec-validator reads it as a reference outside this file; rename the "
                "member or leave the value out",
                member,
            )
            return
        diagnostics.error(
            f"not valid OpenAPI {version}: the validator could not read the document "
            f"({type(failure).__name__}: {failure}); check the structure against the OpenAPI "
            f"{version} schema"
        )
        return
    # A failure after errors comes of them: the errors say where the document is wrong.
    seen: set[tuple[str, str]] = set()
    places = _Places(document) if errors else None
    for error in errors:
        pointer = _error_pointer(document, error, places)
        message = _message(error)
        if len(message) > 300:
            message = message[:297] + "..."
        if (pointer, message) in seen:
            continue
        seen.add((pointer, message))
        diagnostics.error(f"not valid OpenAPI {version}: {message}", pointer)


def load(
    path: Path,
    display_path: str | None = None,
    read: list[Path] | None = None,
    root: Path | None = None,
) -> LoadedSpec:
    """Read, parse, bundle, validate and normalise one spec (an OpenAPI 3.1 or 3.0 document,
    maybe split over files under its folder, or under `root` when given); raises SpecError with
    located diagnostics. `read`, given, gets the path of every file read besides this one."""
    shown = display_path or str(path)
    diagnostics = Diagnostics(shown)
    document, positions = read_document(path, shown)
    diagnostics.positions.update(positions)
    if not isinstance(document, dict):
        diagnostics.error("a spec must be a mapping at its top level (an OpenAPI 3.1 document)")
        raise SpecError(list(diagnostics))
    version = upgrade.version_problem(document, diagnostics)
    if version is None:
        raise SpecError(list(diagnostics))
    bundled, left = bundle.bundle(path, shown, document, diagnostics, read, root)
    refused = left | {(item.file, item.pointer) for item in diagnostics.items}
    found = Diagnostics(shown, diagnostics.positions, origins=diagnostics.origins)
    notes: list[Diagnostic] = []
    if version == "3.0":
        upgrade.leftovers(bundled, diagnostics, notes)
    check_refs(bundled, found)
    # A reference that bundling refused is not refused again in other words.
    diagnostics.items.extend(
        item for item in found.items if (item.file, item.pointer) not in refused
    )
    if not diagnostics.has_errors:
        validate_openapi(bundled, diagnostics, version)
    if diagnostics.has_errors:
        raise SpecError(list(diagnostics))
    if version != "3.1":
        bundled = upgrade.upgrade(bundled, diagnostics, notes)
    return LoadedSpec(
        path, shown, bundled, diagnostics.positions, diagnostics.origins, tuple(notes)
    )
