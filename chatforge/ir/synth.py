"""Deterministic JSON values from OpenAPI 3.1 / JSON Schema 2020-12 schemas, for mock answers."""

from __future__ import annotations

import base64
import importlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import unquote

from chatforge.diagnostics import escape_pointer_token
from chatforge.spec.document import resolve_pointer

# Python's validator and its registry are imported where a value is first checked: a spec whose
# every answer has an example, as the curated ones do, never needs them.
if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

try:
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # Python 3.10 and older
    _sre = importlib.import_module("sre_parse")

Json = Any
Schema = dict[str, Any]
Seen = tuple[str, ...]
Hint = str | None

MAX_REFS = 64  # $refs followed along one path before giving up
OPTIONAL_REFS = 2  # optional properties are filled in until this many $refs have been followed
MAX_SIZE = 1 << 20  # values and characters one mock answer may hold
_BASE = "urn:chatforge:document"
_DATA = frozenset({"const", "enum", "default", "example", "examples"})
_ANNOTATIONS = frozenset({"title", "description", "$comment", "deprecated", "readOnly"})
_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")
_LISTS = ("prefixItems", "oneOf", "anyOf")
_SUBSCHEMAS = ("items", "additionalProperties", "propertyNames", "contains")
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_IMPLIED = {  # keywords that suggest a type when `type` is absent
    "object": ("properties", "required", "additionalProperties", "patternProperties"),
    "array": ("items", "prefixItems", "contains", "minItems"),
    "string": ("pattern", "format", "minLength", "maxLength"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}
_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")
_URL = "https://example.com/"
_FORMATS = {
    **dict.fromkeys(("uri", "url", "uri-reference", "iri", "iri-reference"), _URL),
    **dict.fromkeys(("int32", "int64"), "0"),
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "hostname": "example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "password": "password",
    "decimal": "0.5",
}
_READABLE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. "
_CATEGORIES = {"DIGIT": r"\d", "WORD": r"\w", "SPACE": r"\s"}
_CATEGORIES |= {f"NOT_{name}": source.upper() for name, source in _CATEGORIES.items()}


class SynthesisError(Exception):
    """A schema no value can be built for; `pointer` is the JSON pointer of the schema at fault."""

    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(f"{message} ({pointer})" if pointer else message)
        self.message = message
        self.pointer = pointer


def synthesize(schema: Json, document: Mapping[str, Any], pointer: str) -> Json:
    """A value valid against `schema`, the same on every run.

    `document` is the whole OpenAPI document (for local `$ref`s like '#/components/schemas/X');
    `pointer` is where `schema` is in it."""
    return _Synth(document).value(schema, pointer, None, (pointer,))


class Checker:
    """Whether a value is valid against a schema of one document (an example a spec gives)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._synth = _Synth(document)

    def valid(self, schema: Json, value: Json) -> bool:
        try:
            return bool(self._synth.validator(schema).is_valid(value))
        except Exception:  # noqa: BLE001 - a schema the validator cannot take proves nothing
            return False


class _Synth:
    """One document: its validators, and where merged sub-schemas came from."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._registry: Registry[Any] | None = None
        self.validators: dict[int, tuple[Json, Draft202012Validator]] = {}
        self.where: dict[int, tuple[Json, str]] = {}
        self.spent = 0  # values built and characters written, towards MAX_SIZE

    def spend(self, size: int, pointer: str) -> None:
        """Counts `size` more values or characters towards the answer's MAX_SIZE."""
        self.spent += size
        self.afford(0, pointer)

    def afford(self, size: int, pointer: str) -> None:
        """Refuses the answer if `size` more values or characters would take it past MAX_SIZE."""
        if self.spent + size > MAX_SIZE:
            raise SynthesisError(
                f"the value would hold more than {MAX_SIZE:,} values and characters", pointer
            )

    def registry(self) -> Registry[Any]:
        """The document as the validators resolve its references, made once."""
        if self._registry is None:
            from referencing import Registry
            from referencing.jsonschema import DRAFT202012

            resource = DRAFT202012.create_resource(self.document)
            self._registry = Registry().with_resource(_BASE, resource)
        return self._registry

    def validator(self, schema: Json) -> Draft202012Validator:
        if id(schema) not in self.validators:
            from jsonschema import Draft202012Validator

            checker = Draft202012Validator.FORMAT_CHECKER
            made = Draft202012Validator(
                _absolute(schema), registry=self.registry(), format_checker=checker
            )
            self.validators[id(schema)] = (schema, made)
        return self.validators[id(schema)][1]

    def note(self, schema: Json, pointer: str) -> Json:
        if isinstance(schema, dict):
            self.where.setdefault(id(schema), (schema, pointer))
        return schema

    def locate(self, schema: Json, pointer: str) -> tuple[Json, str]:
        return schema, self.where.get(id(schema), (None, pointer))[1]

    def value(self, schema: Json, pointer: str, hint: Hint, seen: Seen, taken: Any = ()) -> Json:
        """The first candidate valid against `schema` and not in `taken`."""
        from jsonschema.exceptions import best_match
        from referencing.exceptions import Unresolvable

        self.spend(1, pointer)
        check = self.validator(schema)
        rejected: list[Json] = []
        try:
            for candidate in self.candidates(schema, pointer, hint, seen):
                if candidate not in taken and check.is_valid(candidate):
                    return candidate
                rejected = rejected or [candidate]
            error = best_match(check.iter_errors(rejected[0])) if rejected else None
        except (Unresolvable, re.error) as exc:
            raise SynthesisError(f"cannot check values: {exc}", pointer) from exc
        reason = error.message if error else "all candidates taken" if rejected else "no candidates"
        raise SynthesisError(f"no value satisfies the schema: {reason}", pointer)

    def candidates(self, schema: Json, pointer: str, hint: Hint, seen: Seen) -> Iterator[Json]:
        """Values worth trying, best first; the caller validates them."""
        merged, at, refs = self.flatten(schema, pointer, seen)
        seen = (*seen, *refs)
        yield from _given(merged)
        if "const" in merged or "enum" in merged:
            return
        for key in ("oneOf", "anyOf"):
            if isinstance(merged.get(key), list):
                rest = self.note({k: v for k, v in merged.items() if k != key}, at)
                branches = [self.note(b, f"{at}/{key}/{i}") for i, b in enumerate(merged[key])]
                combined = [{"allOf": [rest, branch]} for branch in branches]
                yield from _each(partial(self.candidates, c, at, hint, seen) for c in combined)
                return
        builders: dict[str, Callable[..., Iterator[Json]]] = {
            "string": self.string,
            "number": lambda s, at, *_: _numbers(s, at),
            "integer": lambda s, at, *_: (n for n in _numbers(s, at) if isinstance(n, int)),
            "boolean": lambda *_: iter((True, False)),
            "null": lambda *_: iter((None,)),
            "object": self.object,
            "array": self.array,
        }
        known = [builders[t] for t in _types(merged) if t in builders]
        yield from _each(partial(build, merged, at, hint, seen) for build in known)

    def flatten(self, schema: Json, pointer: str, seen: Seen) -> tuple[Schema, str, Seen]:
        """`schema` with its `$ref` and `allOf` merged in, where that is, and the refs followed."""
        if schema is True:
            return {}, pointer, ()
        if not isinstance(schema, dict):
            raise SynthesisError(f"no value satisfies the schema {schema!r}", pointer)
        own = {k: v for k, v in schema.items() if k not in ("$ref", "allOf")}
        if len(own) == len(schema):
            return schema, pointer, ()
        parts: list[tuple[Schema, str]] = [(own, pointer)]
        refs: Seen = ()
        if "$ref" in schema:
            target, found = self.deref(schema["$ref"], pointer, seen)
            sub, where, more = self.flatten(found, target, (*seen, target))
            parts.append((sub, where))
            refs = (target, *more)
        for i, member in enumerate(schema.get("allOf") or []):
            sub, where, more = self.flatten(*self.locate(member, f"{pointer}/allOf/{i}"), seen)
            parts.append((sub, where))
            refs += more
        parts = [p for p in parts if p[0].keys() - _ANNOTATIONS] or [({}, pointer)]
        return (*parts[0], refs) if len(parts) == 1 else (self.merge(parts), pointer, refs)

    def deref(self, ref: Json, pointer: str, seen: Seen) -> tuple[str, Json]:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SynthesisError(f"$ref {ref!r} is not local to the document", pointer)
        target = unquote(ref[1:])
        if target in seen:
            raise SynthesisError(f"$ref {ref!r} leads back into itself", pointer)
        if len(seen) > MAX_REFS:
            raise SynthesisError(f"more than {MAX_REFS} $refs deep", pointer)
        try:
            return target, resolve_pointer(self.document, target)
        except KeyError:
            raise SynthesisError(f"$ref {ref!r} does not resolve", pointer) from None

    def merge(self, parts: list[tuple[Schema, str]]) -> Schema:
        out: Schema = {}
        for part, at in parts:
            for key, value in part.items():
                if key in _MAPS and isinstance(value, dict):
                    for name, sub in value.items():
                        self.note(sub, f"{at}/{key}/{escape_pointer_token(name)}")
                elif key in _LISTS and isinstance(value, list):
                    for i, sub in enumerate(value):
                        self.note(sub, f"{at}/{key}/{i}")
                elif key in _SUBSCHEMAS:
                    self.note(value, f"{at}/{key}")
                out[key] = _combine(key, out[key], value) if key in out else value
        return out

    def string(self, s: Schema, at: str, hint: Hint, seen: Seen) -> Iterator[Json]:
        low, high = s.get("minLength", 0), s.get("maxLength")
        if high is not None and low > high:
            raise SynthesisError(f"minLength {low} exceeds maxLength {high}", at)
        if _is_number(low):
            self.spend(int(min(low, MAX_SIZE + 1)), at)
        text, fmt, pattern = hint or "string", s.get("format"), s.get("pattern")
        if fmt == "byte":
            yield base64.b64encode(text.encode()).decode()
        if fmt in _FORMATS:
            yield _FORMATS[fmt]
        if pattern is None:
            yield from (_fit(t, low, high) for t in (text, "string", "value"))
            return
        try:
            grown = _from_pattern(pattern, low)
        except re.error as exc:
            raise SynthesisError(f"pattern {pattern!r} is not a regex: {exc}", at) from exc
        tries = [_fit(text, low, high), grown, grown and grown.ljust(low, "a")]
        yield from (t for t in tries if t is not None and _fits(t, pattern, low, high))
        span = f"{low}..{'' if high is None else high}"
        raise SynthesisError(f"pattern {pattern!r} gives no fitting string of length {span}", at)

    def object(self, s: Schema, at: str, hint: Hint, seen: Seen) -> Iterator[Json]:
        yield self.members(s, at, seen, optional=len(seen) <= OPTIONAL_REFS + 1)
        yield self.members(s, at, seen, optional=False)

    def members(self, s: Schema, at: str, seen: Seen, optional: bool) -> dict[str, Json]:
        """Every required property, others if `optional` or needed for `minProperties`."""
        required = list(dict.fromkeys(s.get("required") or []))
        least, most = s.get("minProperties", 0), s.get("maxProperties")
        room = math.inf if most is None else most - len(required)
        out: dict[str, Json] = {}
        extra = 0
        for name in dict.fromkeys([*(s.get("properties") or {}), *required]):
            wanted = name in required
            if not wanted and (extra >= room or not (optional or len(required) + extra < least)):
                continue
            try:
                out[name] = self.value(*self.member(s, at, name), name, seen)
            except SynthesisError:
                if wanted:
                    raise
                continue
            extra += not wanted
        for i in range(1, least + 8):  # names for `minProperties`, a few tries each
            if len(out) < least and (name := self.key(s, at, seen, f"key{i}")) not in out:
                out[name] = self.value(*self.member(s, at, name), name, seen)
        return out

    def member(self, s: Schema, at: str, name: str) -> tuple[Json, str]:
        """The schema a property called `name` must satisfy, and where it is."""
        if name in (s.get("properties") or {}):
            token = escape_pointer_token(name)
            return self.locate(s["properties"][name], f"{at}/properties/{token}")
        for pattern, sub in (s.get("patternProperties") or {}).items():
            if re.search(pattern, name):
                token = escape_pointer_token(pattern)
                return self.locate(sub, f"{at}/patternProperties/{token}")
        return self.locate(s.get("additionalProperties", True), f"{at}/additionalProperties")

    def key(self, s: Schema, at: str, seen: Seen, hint: str) -> str:
        """A new property name, matching `patternProperties` and `propertyNames` when given."""
        patterns = list(s.get("patternProperties") or {})
        shape = {"type": "string", **({"pattern": patterns[0]} if patterns else {})}
        names = self.note(s.get("propertyNames", True), f"{at}/propertyNames")
        return str(self.value({"allOf": [shape, names]}, at, hint, seen))

    def array(self, s: Schema, at: str, hint: Hint, seen: Seen) -> Iterator[Json]:
        low, high = s.get("minItems", 0), s.get("maxItems")
        if high is not None and low > high:
            raise SynthesisError(f"minItems {low} exceeds maxItems {high}", at)
        prefix, items = s.get("prefixItems") or [], s.get("items", True)
        containing = len(prefix) + (s.get("minContains", 1) if "contains" in s else 0)
        size = max(low, len(prefix), 1, containing)
        size = min(size, len(prefix)) if items is False else size
        count = size if high is None else min(size, high)
        # The items only `items` describes, that must all be built: refused before the first is
        # built when even the least of them would not fit, rather than after a million values.
        plain = min(low, count) - max(len(prefix), containing)
        if plain > 0:
            self.afford(plain * self.least(items, f"{at}/items", seen), at)
        out: list[Json] = []
        for i in range(count):
            if i < len(prefix):
                schema, where = self.locate(prefix[i], f"{at}/prefixItems/{i}")
            elif i < containing:
                contains = self.note(s["contains"], f"{at}/contains")
                schema, where = {"allOf": [self.note(items, f"{at}/items"), contains]}, at
            else:
                schema, where = self.locate(items, f"{at}/items")
            label = hint if i == 0 else f"{hint or 'string'}_{i + 1}"
            try:
                out.append(
                    self.value(schema, where, label, seen, out if s.get("uniqueItems") else ())
                )
            except SynthesisError:
                if i < low:
                    raise
                break
        yield out
        if len(out) > low:
            yield out[:low]

    def least(self, schema: Json, pointer: str, seen: Seen) -> int:
        """A lower bound of what building a value of `schema` spends: one value, and for a
        schema of one plain type that gives no value of its own, the characters of its
        `minLength` or the items of its `minItems`, each at least the least of `items`."""
        try:
            merged, at, refs = self.flatten(schema, pointer, seen)
        except SynthesisError:
            return 1  # building it fails anyway, with its own message
        given = ("oneOf", "anyOf", "const", "enum", "examples", "example", "default")
        kind = merged.get("type")
        low = merged.get("minLength" if kind == "string" else "minItems", 0)
        if any(k in merged for k in given) or kind not in ("string", "array"):
            return 1
        if not _is_number(low) or low <= 0:
            return 1
        if kind == "string":
            return 1 + int(min(low, MAX_SIZE + 1))
        if "prefixItems" in merged or "contains" in merged:
            return 1
        each = self.least(merged.get("items", True), f"{at}/items", (*seen, *refs))
        return 1 + int(min(low, MAX_SIZE + 1)) * min(each, MAX_SIZE + 1)


def _each(sources: Iterable[Callable[[], Iterator[Json]]]) -> Iterator[Json]:
    """Every candidate of every source in turn; a failing source is skipped, its error kept."""
    error: SynthesisError | None = None
    for source in sources:
        try:
            yield from source()
        except SynthesisError as exc:
            error = error or exc
    if error is not None:
        raise error


def _given(s: Schema) -> Iterator[Json]:
    if "const" in s:
        yield s["const"]
    if isinstance(s.get("examples"), list) and s["examples"]:
        yield s["examples"][0]
    yield from (s[key] for key in ("example", "default") if key in s)
    yield from s.get("enum") or ()


def _types(s: Schema) -> list[str]:
    """Types to try in turn: the declared ones with `null` last, else all, implied ones first."""
    declared = s.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return sorted(declared, key=lambda t: t == "null")
    implied = [t for t, keys in _IMPLIED.items() if any(k in s for k in keys)]
    return list(dict.fromkeys([*implied, *_TYPES]))


def _combine(key: str, a: Json, b: Json) -> Json:
    """What `a` and `b` together demand of keyword `key`, where generating needs to know."""
    if key in _MAPS:
        return {**a, **{n: {"allOf": [a[n], sub]} if n in a else sub for n, sub in b.items()}}
    if key == "required":
        return [*a, *(v for v in b if v not in a)]
    if key in _LOWER or key in _UPPER:
        return max(a, b) if key in _LOWER else min(a, b)
    if key in ("oneOf", "anyOf"):
        return [{"allOf": [x, {key: b}]} for x in a]
    return {"allOf": [a, b]} if key in _SUBSCHEMAS else a


def _absolute(node: Json, names: bool = False) -> Json:
    """A copy of a schema whose local `$ref`s name the document resource."""
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if not names and key == "$ref" and isinstance(value, str) and value.startswith("#"):
            out[key] = _BASE + value
        else:
            keep = not names and key in _DATA
            out[key] = value if keep else _absolute(value, not names and key in _MAPS)
    return out


def _numbers(s: Schema, at: str) -> Iterator[int | float]:
    """0, the bounds, near and between them, snapped to `multipleOf`; ints when whole."""
    lows = [v for v in (s.get("minimum"), s.get("exclusiveMinimum")) if _is_number(v)]
    highs = [v for v in (s.get("maximum"), s.get("exclusiveMaximum")) if _is_number(v)]
    low, high = max(lows, default=None), min(highs, default=None)
    seeds: list[float] = [0]
    if low is not None:
        seeds += [low, low + 1, low + 0.5]
    if high is not None:
        seeds += [high, high - 1, high - 0.5]
    if low is not None and high is not None:
        if low > high:
            raise SynthesisError(f"the lower bound {low} exceeds the upper bound {high}", at)
        seeds.append((low + high) / 2)
    step = s.get("multipleOf")
    for seed in [*seeds, 1, 0.5, -1, 2, 3]:
        if _is_number(step) and step > 0:
            if not math.isfinite(seed / step):
                continue
            multiples = (math.ceil(seed / step), math.floor(seed / step))
            yield from (_whole(Decimal(str(step)) * k) for k in multiples)
        else:
            yield from (_whole(Decimal(str(seed))), math.ceil(seed), math.floor(seed))


def _whole(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _is_number(v: Any) -> TypeGuard[float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _fit(text: str, low: int, high: int | None) -> str:
    return text.ljust(low, "x")[:high]


def _fits(text: str, pattern: str, low: int, high: int | None) -> bool:
    short_enough = high is None or len(text) <= high
    return low <= len(text) and short_enough and re.search(pattern, text) is not None


def _from_pattern(pattern: str, low: int) -> str | None:
    """The shortest text the regex matches, grown towards `low` characters where repeats allow."""
    tree = _sre.parse(pattern)
    shortest = _Walker(0).text(tree)
    if shortest is None or len(shortest) >= low:
        return shortest
    return _Walker(low - len(shortest)).text(tree)


class _Walker:
    """Walks a parsed regex; repeats take their minimum, plus iterations while `grow` lasts."""

    def __init__(self, grow: int) -> None:
        self.grow = grow
        self.groups: dict[int, str] = {}

    def text(self, items: Iterable[tuple[Any, Any]]) -> str | None:
        pieces = [self.node(str(op), av) for op, av in items]
        return None if None in pieces else "".join(p for p in pieces if p is not None)

    def node(self, op: str, av: Any) -> str | None:
        if op in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            return _pick(op, av)
        if op.endswith("REPEAT"):
            return self.repeat(*av)
        if op == "SUBPATTERN":
            text = self.text(av[-1])
            if text is not None and av[0] is not None:
                self.groups[av[0]] = text
            return text
        if op == "BRANCH":  # the first alternative that can be built
            return next((t for t in map(self.text, av[1]) if t is not None), None)
        if op in ("ATOMIC_GROUP", "GROUPREF"):
            return self.text(av) if op == "ATOMIC_GROUP" else self.groups.get(av)
        return "" if op in ("AT", "ASSERT", "ASSERT_NOT") else None

    def repeat(self, low: int, high: int, items: Any) -> str | None:
        pieces: list[str] = []
        while len(pieces) < low or (self.grow > 0 and len(pieces) < high):
            piece = self.text(items)
            if piece is None or (len(pieces) >= low and not piece):
                return None if piece is None else "".join(pieces)
            self.grow -= len(piece) if len(pieces) >= low else 0
            pieces.append(piece)
        return "".join(pieces)


def _pick(op: str, av: Any) -> str | None:
    """A readable character for a literal, a negated literal, `.` or a character class."""
    if op == "ANY":
        return "a"
    parts = [("LITERAL", av)] if op != "IN" else [(str(o), a) for o, a in av]
    negate = op == "NOT_LITERAL" or parts[:1] == [("NEGATE", None)]
    found = next((c for c in _READABLE if _within(c, parts) != negate), None)
    if found is not None or negate or not parts:
        return found
    op, av = parts[0]
    return chr(av) if op == "LITERAL" else chr(av[0]) if op == "RANGE" else None


def _within(c: str, parts: list[tuple[str, Any]]) -> bool:
    def one(op: str, av: Any) -> bool:
        if op == "CATEGORY":
            source = _CATEGORIES.get(str(av).removeprefix("CATEGORY_"), "(?!)")
            return re.fullmatch(source, c) is not None
        return ord(c) == av if op == "LITERAL" else op == "RANGE" and av[0] <= ord(c) <= av[1]

    return any(one(op, av) for op, av in parts)
