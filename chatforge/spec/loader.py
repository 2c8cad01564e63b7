"""Read a spec: YAML with source positions, `$ref` checks, then openapi-spec-validator.

The loader is the only stage that reads files. It returns a `LoadedSpec` whose document is plain
JSON data and whose `positions` map every JSON pointer to its line and column in the file, so
that every later stage can report problems where they are.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from chatforge.diagnostics import (
    Diagnostic,
    Diagnostics,
    SpecError,
    escape_pointer_token,
    pointer_of,
)
from chatforge.spec import specfile

Json = Any

# libyaml's reader where PyYAML was built with it: the same documents, several times faster.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_COLLECTION_TAGS = {
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}
# The tags of the values JSON has (and of dates, read as the text they are written as).
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)

# A document larger than this is refused before parsing: specs are hand-curated files.
MAX_SPEC_BYTES = specfile.MAX_SPEC_BYTES
# How deep collections may nest. The C parser's composer recurses once per level, so a deeper
# document is refused from a scan of its events, before anything recurses.
MAX_DEPTH = 200
# YAML aliases let a small file expand enormously; a spec has no need of more than a few, and
# even the largest hand-curated spec stays far below this many values once expanded.
MAX_ALIASES = 1000
MAX_ALIAS_VALUES = 100_000
# What the copies that aliases make add to the document: the text of their keys and scalars and
# of the JSON pointers that locate each of their values, in characters.
MAX_ALIAS_BYTES = 1024 * 1024
# What a whole document may hold, aliases or not: values, and the characters of the JSON
# pointers that locate them. A synthetic spec of 10,000 operations holds some 910,000 values
# named by 66 million characters of pointers; the largest public specs hold fewer. Both bound
# what reading costs (the positions table keeps every pointer): a document at both limits is
# read in well under 2 GB.
MAX_VALUES = 2_000_000
MAX_POINTER_BYTES = 160 * 1024 * 1024
# Digits of an integer (the fewest any Python build converts to and from text).
MAX_INTEGER_DIGITS = 640
_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_problem(text: str) -> str | None:
    """What to say of a string that holds a lone surrogate (an escape such as \\ud800 that
    encodes half of a character), which no UTF-8 file can hold; None for a string without."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"the string holds the lone surrogate \\u{ord(found.group()):04x}, half of a "
        "character, which is not Unicode text; write the whole character or remove the escape"
    )


class _Budget:
    """Counts what reading a document builds, and stops it past the limits above."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self.values = 0
        self.pointer_bytes = 0
        self.alias_values = 0
        self.alias_bytes = 0

    def value(self, pointer: str) -> None:
        self.values += 1
        self.pointer_bytes += len(pointer)
        if self.values > MAX_VALUES:
            self.stop(
                f"the document holds more than {MAX_VALUES} values; specs are limited to that",
                pointer,
            )
        if self.pointer_bytes > MAX_POINTER_BYTES:
            self.stop(
                f"the document nests so many values so deep that their places take more than "
                f"{MAX_POINTER_BYTES} characters to name; flatten it (move nested schemas under "
                "components and $ref them)",
                pointer,
            )

    def aliased(self, pointer: str, text: int, value: bool = True) -> None:
        """A value (or, not `value`, a key) that an alias copies, with the characters of its own
        text."""
        self.alias_values += value
        self.alias_bytes += len(pointer) + text
        if self.alias_values > MAX_ALIAS_VALUES:
            self.stop(
                f"YAML aliases expand to more than {MAX_ALIAS_VALUES} values; expand them "
                "by hand and keep the spec to what it describes",
                pointer,
            )
        if self.alias_bytes > MAX_ALIAS_BYTES:
            self.stop(
                f"YAML aliases expand to more than {MAX_ALIAS_BYTES} characters (1 MiB); "
                "expand them by hand and keep the spec to what it describes",
                pointer,
            )

    def stop(self, message: str, pointer: str) -> None:
        self.diagnostics.error(message, pointer)
        raise SpecError(list(self.diagnostics))


@dataclass(frozen=True)
class LoadedSpec:
    path: Path
    display_path: str
    document: dict[str, Json]
    positions: dict[str, tuple[int, int]]
    # Where the parts bundled from other files came from (see `Diagnostics.origins`).
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    # What reading changed on the way, one note per change (an OpenAPI 3.0 document's
    # normalisation to 3.1), for --verbose.
    notes: tuple[Diagnostic, ...] = ()

    def diagnostics(self) -> Diagnostics:
        return Diagnostics(self.display_path, dict(self.positions), origins=dict(self.origins))


class _Builder:
    """Turns a composed YAML node tree into JSON data, recording where each value starts."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        # Shared with the collector, so a problem found while building is located at once.
        self.positions = diagnostics.positions
        self.constructor = yaml.SafeLoader("")
        self.seen: set[int] = set()
        self.budget = _Budget(diagnostics)

    def build(self, node: yaml.Node, pointer: str, depth: int = 0, aliased: bool = False) -> Json:
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        self.budget.value(pointer)
        # An alias is the node its anchor names, met again.
        aliased = aliased or id(node) in self.seen
        self.seen.add(id(node))
        if aliased:
            text = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            self.budget.aliased(pointer, text)
        if depth > MAX_DEPTH:
            self.diagnostics.error(f"the document nests deeper than {MAX_DEPTH} levels", pointer)
            raise SpecError(list(self.diagnostics))
        if isinstance(node, yaml.CollectionNode) and node.tag != _COLLECTION_TAGS[type(node)]:
            self._tag(node, pointer)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, pointer, depth, aliased)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, f"{pointer}/{index}", depth + 1, aliased)
                for index, item in enumerate(node.value)
            ]
        return self._scalar(node, pointer)

    def _at(self, node: yaml.Node, message: str, pointer: str) -> None:
        mark = node.start_mark
        self.diagnostics.error_at(mark.line + 1, mark.column + 1, message, pointer)

    def _tag(self, node: yaml.Node, pointer: str) -> None:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self._at(
            node,
            f"the YAML tag {tag!r} is not allowed; specs are plain YAML (remove the tag)",
            pointer,
        )

    def _mapping(
        self, node: yaml.MappingNode, pointer: str, depth: int, aliased: bool
    ) -> dict[str, Json]:
        result: dict[str, Json] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.diagnostics.error("YAML merge keys (<<) are not supported in specs", pointer)
                continue
            key = self._key(key_node, pointer)
            if key is None:
                continue
            child = f"{pointer}/{escape_pointer_token(key)}"
            if aliased:
                self.budget.aliased(child, len(key), value=False)
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

    def _key(self, node: yaml.Node, pointer: str) -> str | None:
        """A mapping key as JSON has it: a string, the text of a number, boolean or null as
        written. None for a key that cannot be one (a list, a mapping, a tagged value)."""
        if not isinstance(node, yaml.ScalarNode):
            self._at(
                node,
                "a mapping key must be a string, not a list or a mapping; write the key as text",
                pointer,
            )
            return None
        if node.tag not in _SCALAR_TAGS:
            self._tag(node, pointer)
            return None
        problem = _surrogate_problem(node.value)
        if problem is not None:
            self._at(node, problem, pointer)
            return None
        return str(node.value)

    def _scalar(self, node: yaml.Node, pointer: str) -> Json:
        if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
            if node.style == '"':  # only escapes make a lone surrogate
                problem = _surrogate_problem(node.value)
                if problem is not None:
                    self._at(node, problem, pointer)
            return node.value
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _SCALAR_TAGS:
            self._tag(node, pointer)
            return None
        if node.tag == _TIMESTAMP_TAG:  # a date or a time: the text as written
            return node.value
        if node.tag == _INT_TAG and len(node.value) > MAX_INTEGER_DIGITS:
            self._at(
                node,
                f"the integer is {len(node.value)} characters long; numbers in a spec have at "
                f"most {MAX_INTEGER_DIGITS} digits (quote it if it is text)",
                pointer,
            )
            return 0
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            self._at(
                node,
                f"invalid YAML value {node.value[:40]!r}: {exc}; quote it if it is text",
                pointer,
            )
            return None
        if isinstance(value, bytes):
            self.diagnostics.error("binary YAML scalars are not valid JSON; use a string", pointer)
            return ""
        if isinstance(value, float) and not math.isfinite(value):
            self.diagnostics.error("NaN and infinity are not valid JSON numbers", pointer)
            return 0
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) >= 10**MAX_INTEGER_DIGITS:
                self._at(
                    node,
                    f"the integer has more than {MAX_INTEGER_DIGITS} digits; numbers in a spec "
                    f"have at most {MAX_INTEGER_DIGITS}",
                    pointer,
                )
                return 0
        return value


def _place(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _scan(text: str) -> tuple[tuple[str, int, int] | None, bool]:
    """What makes a document too much to compose, and where: nesting deeper than MAX_DEPTH or
    more than MAX_ALIASES aliases. Read from the parser's events, which come one at a time
    without recursion, stopping at the first problem; a syntax error is left to the composer.
    Second, whether the events make one document the composer would take (no syntax error, no
    alias before its anchor, no anchor twice, one document), which `_EventBuilder` reads."""
    depth = aliases = documents = 0
    anchors: set[str] = set()
    plain = True
    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    return (
                        f"the document nests deeper than {MAX_DEPTH} levels; flatten it (move "
                        "nested schemas under components and $ref them)",
                        *_place(event),
                    ), False
            elif isinstance(event, closing):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    return (
                        f"more than {MAX_ALIASES} YAML aliases; expand them by hand",
                        *_place(event),
                    ), False
                plain = plain and event.anchor in anchors
                continue
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                plain = plain and documents == 1
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                plain = plain and anchor not in anchors
                anchors.add(anchor)
    except yaml.YAMLError:
        return None, False
    return None, plain


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


# The parser's events: their attributes are those of the kind of event.
_Event = Any


class _Unplain(Exception):
    """What `_EventBuilder` leaves to the composed tree: a value it skips holds an anchor."""


_MERGE_TAG = "tag:yaml.org,2002:merge"
_NODES: dict[type[Any], type[yaml.Node]] = {
    yaml.ScalarEvent: yaml.ScalarNode,
    yaml.SequenceStartEvent: yaml.SequenceNode,
    yaml.MappingStartEvent: yaml.MappingNode,
}


class _EventBuilder(_Builder):
    """Builds the same JSON data, positions and diagnostics as `_Builder`, from the parser's
    events rather than the composed node tree, which costs some 25 bytes of memory for each byte
    of YAML: each value is built as its events come. The events of an anchored value are kept,
    and an alias builds them again, as `_Builder` builds the node an alias names again. Takes
    only what `_scan` found plain."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__(diagnostics)
        self.anchors: dict[str, list[_Event]] = {}
        self.recording: list[list[_Event]] = []

    def document(self, text: str) -> tuple[Json, dict[str, tuple[int, int]]]:
        events = self._recorded(yaml.parse(text, Loader=_FAST_LOADER))
        try:
            data: Json = None
            for event in events:
                if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent)):
                    continue
                if isinstance(event, (yaml.DocumentStartEvent, yaml.DocumentEndEvent)):
                    continue
                data = self.value(event, events, "", 0, False)
                break
            else:
                self.diagnostics.error("the file is empty; a spec is an OpenAPI 3.1 document")
                raise SpecError(list(self.diagnostics))
        except yaml.YAMLError:
            raise _Unplain from None
        if self.diagnostics.has_errors:
            raise SpecError(list(self.diagnostics))
        return data, self.positions

    def _recorded(self, events: Iterator[_Event]) -> Iterator[_Event]:
        for event in events:
            for record in self.recording:
                record.append(event)
            yield event

    def _node(self, event: _Event, tag: str) -> yaml.Node:
        """A node of the event's kind, for the checks `_Builder` makes of nodes."""
        value = event.value if isinstance(event, yaml.ScalarEvent) else []
        kind = _NODES[type(event)]
        if kind is yaml.ScalarNode:
            return yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        return kind(tag, value, event.start_mark, event.end_mark)

    def _resolved(self, event: _Event) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            kind = _NODES[type(event)]
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            resolve: Any = self.constructor.resolve
            tag = resolve(kind, value, event.implicit)
        return self._node(event, tag)

    def _anchored(self, alias: _Event) -> list[_Event]:
        """The events of the value an alias names; one within that value is left to the tree."""
        found = self.anchors.get(alias.anchor)
        if found is None:
            raise _Unplain
        return found

    def _skip(self, event: _Event, events: Iterator[_Event]) -> None:
        """Reads past a value that is not built; one holding an anchor is left to the tree."""
        depth = 0
        while True:
            if getattr(event, "anchor", None) is not None and not isinstance(
                event, yaml.AliasEvent
            ):
                raise _Unplain
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            if depth == 0:
                return
            event = next(events)

    def value(
        self,
        event: _Event,
        events: Iterator[_Event],
        pointer: str,
        depth: int,
        aliased: bool,
    ) -> Json:
        if isinstance(event, yaml.AliasEvent):  # the anchored value, met again
            first, *rest = self._anchored(event)
            return self.value(first, iter(rest), pointer, depth, True)
        anchor = event.anchor
        record: list[_Event] | None = None
        if anchor is not None and not aliased:
            record = [event]
            self.recording.append(record)
        self.positions.setdefault(pointer, (event.start_mark.line + 1, event.start_mark.column + 1))
        self.budget.value(pointer)
        if aliased:
            text = len(event.value) if isinstance(event, yaml.ScalarEvent) else 0
            self.budget.aliased(pointer, text)
        if depth > MAX_DEPTH:
            self.diagnostics.error(f"the document nests deeper than {MAX_DEPTH} levels", pointer)
            raise SpecError(list(self.diagnostics))
        node = self._resolved(event)
        result: Json
        if isinstance(event, yaml.ScalarEvent):
            result = self._scalar(node, pointer)
        else:
            if node.tag != _COLLECTION_TAGS[type(node)]:
                self._tag(node, pointer)
            if isinstance(event, yaml.MappingStartEvent):
                result = self._mapping_events(events, pointer, depth, aliased)
            else:
                items: list[Json] = []
                for item in events:
                    if isinstance(item, yaml.SequenceEndEvent):
                        break
                    items.append(
                        self.value(item, events, f"{pointer}/{len(items)}", depth + 1, aliased)
                    )
                result = items
        if record is not None and anchor is not None:
            self.recording.pop()
            self.anchors[anchor] = record
        return result

    def _mapping_events(
        self, events: Iterator[_Event], pointer: str, depth: int, aliased: bool
    ) -> dict[str, Json]:
        result: dict[str, Json] = {}
        for key_event in events:
            if isinstance(key_event, yaml.MappingEndEvent):
                break
            if isinstance(key_event, yaml.AliasEvent):
                key_event = self._anchored(key_event)[0]
            elif not isinstance(key_event, yaml.ScalarEvent):
                self._skip(key_event, events)
            key_node = self._resolved(key_event)
            if key_node.tag == _MERGE_TAG:
                self.diagnostics.error("YAML merge keys (<<) are not supported in specs", pointer)
                self._skip(next(events), events)
                continue
            if key_event.anchor is not None and isinstance(key_event, yaml.ScalarEvent):
                if key_event.anchor not in self.anchors:
                    self.anchors[key_event.anchor] = [key_event]
            key = self._key(key_node, pointer)
            if key is None:
                self._skip(next(events), events)
                continue
            child = f"{pointer}/{escape_pointer_token(key)}"
            if aliased:
                self.budget.aliased(child, len(key), value=False)
            mark = (key_event.start_mark.line + 1, key_event.start_mark.column + 1)
            if key in result:
                self.positions[child] = mark
                self.diagnostics.error(f"duplicate key {key!r}; remove one of them", child)
                self._skip(next(events), events)
                continue
            self.positions[child] = mark
            result[key] = self.value(next(events), events, child, depth + 1, aliased)
        return result


def parse_yaml(text: str, display_path: str) -> tuple[Json, dict[str, tuple[int, int]]]:
    """Parse YAML (or JSON) text into JSON data and a pointer -> (line, col) map."""
    diagnostics = Diagnostics(display_path)
    too_much, plain = _scan(text)
    if too_much is not None:
        message, line, col = too_much
        diagnostics.error_at(line, col, message)
        raise SpecError(list(diagnostics))
    if plain:
        try:
            return _EventBuilder(Diagnostics(display_path)).document(text)
        except _Unplain:
            pass  # read as before, from the composed tree
    try:
        node = _compose(text)
    except RecursionError:  # the pure-Python reader, reading on past where libyaml stopped
        diagnostics.error(f"the document nests deeper than {MAX_DEPTH} levels")
        raise SpecError(list(diagnostics)) from None
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
        self.budget = _Budget(diagnostics)

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
            self.budget.value(pointer)
        if depth > MAX_DEPTH:
            self.diagnostics.error(f"the document nests deeper than {MAX_DEPTH} levels", pointer)
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
            text, end = _scanstring(self.text, index + 1)
            if record:
                self.string(text, index, pointer)
            return text, end
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
            digits = len(number.group().lstrip("-"))
            if digits > MAX_INTEGER_DIGITS:
                if record:
                    line, col = self.where(index)
                    self.diagnostics.error_at(
                        line,
                        col,
                        f"the integer has {digits} digits; numbers in a spec have at most "
                        f"{MAX_INTEGER_DIGITS}",
                        pointer,
                    )
                return 0, number.end()
            return int(number.group()), number.end()
        value = float(number.group())
        if not math.isfinite(value):
            if record:
                self.diagnostics.error("NaN and infinity are not valid JSON numbers", pointer)
            return 0, number.end()
        return value, number.end()

    def string(self, text: str, index: int, pointer: str) -> None:
        """Refuses a string (at `index`) that holds a lone surrogate."""
        problem = _surrogate_problem(text)
        if problem is not None:
            line, col = self.where(index)
            self.diagnostics.error_at(line, col, problem, pointer)

    def _object(
        self, index: int, pointer: str, depth: int, record: bool
    ) -> tuple[dict[str, Json], int]:
        result: dict[str, Json] = {}
        index = self.skip(index)
        while self.text[index] != "}":
            key_at = index
            key, index = _scanstring(self.text, index + 1)
            index = self.skip(index) + 1  # past the colon
            if record:
                self.string(key, key_at, pointer)
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


# A JSON string, or a bracket.
_JSON_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _json_depth_at(text: str) -> int:
    """Where a JSON text first nests deeper than MAX_DEPTH (the index of the bracket), read
    without recursion; 0 when it does not."""
    depth = 0
    for token in _JSON_BRACKETS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return token.start()
        elif char in "]}":
            depth -= 1
    return 0


def parse_json(text: str, display_path: str) -> tuple[Json, dict[str, tuple[int, int]]]:
    """Parse JSON text into JSON data and a pointer -> (line, col) map."""
    diagnostics = Diagnostics(display_path)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        diagnostics.error("the file is empty; a spec is an OpenAPI 3.1 document")
        raise SpecError(list(diagnostics))
    reader = _JsonReader(text, diagnostics)
    try:
        # Integers are read (and their digits counted) by the reader, which knows where they are.
        json.loads(text, parse_int=len)
    except json.JSONDecodeError as exc:
        index, problem = _json_problem(text, exc)
        diagnostics.positions[""] = reader.where(index)
        diagnostics.error(f"invalid JSON: {problem}")
        raise SpecError(list(diagnostics)) from None
    except RecursionError:
        line, col = reader.where(_json_depth_at(text))
        diagnostics.error_at(
            line,
            col,
            f"the document nests deeper than {MAX_DEPTH} levels; flatten it (move nested "
            "schemas under components and $ref them)",
        )
        raise SpecError(list(diagnostics)) from None
    except ValueError as exc:
        diagnostics.error(f"invalid JSON: {' '.join(str(exc).split())}")
        raise SpecError(list(diagnostics)) from None
    data, _ = reader.read(0, "")
    if diagnostics.has_errors:
        raise SpecError(list(diagnostics))
    return data, reader.positions


# Keywords whose value is one subschema, a list of them, or a mapping of names to them.
SUBSCHEMA_ONE = (
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
)
SUBSCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAP = (
    "$defs",
    "definitions",
    "dependencies",
    "dependentSchemas",
    "patternProperties",
    "properties",
)
# Of those, the keywords whose subschemas apply to the value itself, not to a part of it: a
# schema that reaches itself through these alone defines a value by itself, and validating one
# never ends.
IN_PLACE = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependencies", "dependentSchemas"}
)
# The keywords that name another schema by URI reference.
REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
# Keywords whose values are data: a `$ref` in them is a member like any other.
SCHEMA_DATA = frozenset({"const", "default", "enum", "example", "examples"})
# What else resolves against a base URI, or names a document to fetch.
_REFERRING = frozenset({*REFERENCES, "$id", "$schema"})
# The dialects that are part of the validators, which they never fetch.
KNOWN_DIALECTS = (
    "https://spec.openapis.org/oas/3.1/dialect/base",
    "https://json-schema.org/draft/2020-12/schema",
)

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_DATA = ("data", "")
# The OpenAPI objects, with their fields that hold other objects: (shape, kind), the shape
# "one", "list" or "map" (of names to objects), or data. Any object may be a Reference Object
# (`$ref`); a field not listed here is read as possibly holding references anywhere.
_OBJECTS: dict[str, dict[str, tuple[str, str]]] = {
    "document": {
        "paths": ("map", "path"),
        "webhooks": ("map", "path"),
        "components": ("one", "components"),
    },
    "components": {
        "schemas": ("map", "schema"),
        "responses": ("map", "response"),
        "parameters": ("map", "parameter"),
        "examples": ("map", "example"),
        "requestBodies": ("map", "body"),
        "headers": ("map", "header"),
        "links": ("map", "link"),
        "callbacks": ("map", "callback"),
        "pathItems": ("map", "path"),
        "securitySchemes": ("map", "securityScheme"),
    },
    "path": {"parameters": ("list", "parameter")}
    | {method: ("one", "operation") for method in _METHODS},
    "operation": {
        "parameters": ("list", "parameter"),
        "requestBody": ("one", "body"),
        "responses": ("map", "response"),
        "callbacks": ("map", "callback"),
    },
    "parameter": {
        "schema": ("one", "schema"),
        "content": ("map", "media"),
        "examples": ("map", "example"),
        "example": _DATA,
    },
    "header": {
        "schema": ("one", "schema"),
        "content": ("map", "media"),
        "examples": ("map", "example"),
        "example": _DATA,
    },
    "media": {
        "schema": ("one", "schema"),
        "examples": ("map", "example"),
        "example": _DATA,
        "encoding": ("map", "encoding"),
    },
    "encoding": {"headers": ("map", "header")},
    "response": {
        "headers": ("map", "header"),
        "content": ("map", "media"),
        "links": ("map", "link"),
    },
    "body": {"content": ("map", "media")},
    "example": {"value": _DATA},
    "link": {"parameters": _DATA, "requestBody": _DATA},
}
# Fields of OpenAPI objects that are references themselves.
_REFERRING_FIELDS = {
    "document": ("jsonSchemaDialect",),
    "example": ("externalValue",),
    "link": ("operationRef",),
}


def references(document: Json) -> Iterator[tuple[str, str, Json]]:
    """Every reference in a document, at every depth: (pointer of the keyword or field, the
    keyword or field, its value). That is each `$ref`, `$dynamicRef`, `$recursiveRef`, `$id`
    and `$schema` of a schema, each Reference Object, a discriminator's `mapping` values, and
    `jsonSchemaDialect`, `externalValue` and `operationRef`. Values that are data (examples,
    defaults, constants, enums, extensions) are not read: a `$ref` member there is data."""
    for where, keyword, value, _ in _object(document, "", "document"):
        yield where, keyword, value


# (pointer of the keyword or field, the keyword or field, its value, the kind of object).
Reference = tuple[str, str, Json, str]


def kinded_references(node: Json, kind: str = "document") -> Iterator[Reference]:
    """`references` of a value of the given kind of OpenAPI object ("document", "schema",
    "parameter", "path", ...), each with the kind of object the reference stands for (or is
    in): "schema" for a schema's keywords, "" where no kind is known."""
    yield from _object(node, "", kind)


def _object(node: Json, pointer: str, kind: str) -> Iterator[Reference]:
    if kind == "schema":
        yield from _schema_refs(node, pointer)
        return
    if not isinstance(node, dict):
        yield from _anywhere(node, pointer)
        return
    fields = _OBJECTS.get(kind, {})
    referring = _REFERRING_FIELDS.get(kind, ())
    for key, value in node.items():
        child = f"{pointer}/{escape_pointer_token(key)}"
        if str(key).startswith("x-"):
            continue
        if key == "$ref" or key in referring:
            yield child, key, value, kind
        elif kind == "callback":  # a mapping of expressions to path items
            yield from _object(value, child, "path")
        elif key in fields:
            shape, inner = fields[key]
            if shape == "one":
                yield from _object(value, child, inner)
            elif shape == "list" and isinstance(value, list):
                for index, item in enumerate(value):
                    yield from _object(item, f"{child}/{index}", inner)
            elif shape == "map" and isinstance(value, dict):
                for name, item in value.items():
                    yield from _object(item, f"{child}/{escape_pointer_token(name)}", inner)
            elif shape != "data":
                yield from _anywhere(value, child)
        else:
            yield from _anywhere(value, child)


def _schema_refs(schema: Json, pointer: str) -> Iterator[Reference]:
    if isinstance(schema, list):  # the list form of `items` of older drafts
        for index, item in enumerate(schema):
            yield from _schema_refs(item, f"{pointer}/{index}")
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        child = f"{pointer}/{escape_pointer_token(key)}"
        if key in SCHEMA_DATA or str(key).startswith("x-"):
            continue
        if key in _REFERRING:
            yield child, key, value, "schema"
        elif key in SUBSCHEMA_ONE:
            yield from _schema_refs(value, child)
        elif key in SUBSCHEMA_LIST and isinstance(value, list):
            for index, item in enumerate(value):
                yield from _schema_refs(item, f"{child}/{index}")
        elif key in SUBSCHEMA_MAP and isinstance(value, dict):
            for name, item in value.items():
                yield from _schema_refs(item, f"{child}/{escape_pointer_token(name)}")
        elif key == "discriminator" and isinstance(value, dict):
            mapping = value.get("mapping")
            for name, target in (mapping if isinstance(mapping, dict) else {}).items():
                yield f"{child}/mapping/{escape_pointer_token(name)}", "mapping", target, "schema"
        else:
            yield from _anywhere(value, child)


def _anywhere(node: Json, pointer: str) -> Iterator[Reference]:
    """The references anywhere in a value of no known kind: every referring keyword counts."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{pointer}/{escape_pointer_token(key)}"
            if str(key).startswith("x-"):
                continue
            if key in _REFERRING:
                yield child, key, value, ""
            else:
                yield from _anywhere(value, child)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _anywhere(value, f"{pointer}/{index}")


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


_NOWHERE = object()


def _local_target(document: Json, target: str) -> Json:
    if not target.startswith("#") or pointer_problem(target) is not None:
        return _NOWHERE
    try:
        return resolve_pointer(document, target[1:])
    except KeyError:
        return _NOWHERE


def _next_refs(node: Json, merged: bool, items: bool = False) -> Iterator[tuple[str, bool, bool]]:
    """The references a schema reaches in place: (target, whether an allOf merged them in,
    whether the way went through `items`). openapi-spec-validator collects the properties of an
    allOf's subschemas through allOf, anyOf, oneOf, not and items without noticing when it comes
    back to one, so below an allOf `items` counts too."""
    if not isinstance(node, dict):
        return
    for keyword in REFERENCES:
        ref = node.get(keyword)
        if isinstance(ref, str):
            yield ref, merged, items
    for key in IN_PLACE:
        value = node.get(key)
        if value is None:
            continue
        if isinstance(value, dict) and key in SUBSCHEMA_MAP:
            members = list(value.values())
        else:
            members = value if isinstance(value, list) else [value]
        for member in members:
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


def _local_problem(keyword: str, target: str, document: Json) -> str | None:
    """What is wrong with a reference to a place in this document, or None."""
    if not target.startswith("#"):
        return (
            f"{keyword} {target!r} points outside this file; only $ref may name another "
            "file (of the spec's folder), so use $ref or move the target under components"
        )
    problem = pointer_problem(target)
    if problem is not None:
        return f"{keyword} {target!r} is not a valid JSON pointer: {problem}; correct the reference"
    if _local_target(document, target) is _NOWHERE:
        return f"{keyword} {target!r} points at nothing; define it or correct the reference"
    return None


def _reference_problem(keyword: str, value: Json, document: Json) -> str | None:
    """What is wrong with one reference that `references` found, loops aside."""
    if keyword == "$id":
        return (
            f"$id {value!r} gives the schema a URI of its own, against which the references "
            "inside it resolve outside this file; remove $id (other files are named by $ref)"
        )
    if keyword in ("$schema", "jsonSchemaDialect"):
        if value in KNOWN_DIALECTS:
            return None
        return (
            f"{keyword} {value!r} names a meta-schema that is not part of the validators, "
            f"which they would fetch; remove it (specs use {KNOWN_DIALECTS[0]})"
        )
    if keyword == "externalValue":
        return (
            f"externalValue {value!r} points outside this file; chatforge reads no example "
            "from elsewhere, so give the example as value"
        )
    if not isinstance(value, str):
        return f"{keyword} must be a string, a reference such as '#/components/schemas/Name'"
    if keyword == "mapping":
        if value.startswith("#"):
            return _local_problem("discriminator mapping", value, document)
        schemas = (document.get("components") or {}).get("schemas")
        if isinstance(schemas, dict) and value in schemas:
            return None
        return (
            f"discriminator mapping {value!r} names no schema under components/schemas, and "
            "as a reference it points outside this file; name a component schema"
        )
    return _local_problem(keyword, value, document)


def check_refs(document: Json, diagnostics: Diagnostics) -> None:
    """No reference leaves the document (see `references`): every one is local and resolves;
    no `$id` gives a schema a base URI of its own, and no `$schema` names a meta-schema the
    validators would fetch. References must not loop in place (a schema that is itself, or
    merges itself in through allOf). Recursion through a property or the items of an array is
    a tree, which is fine, except where an allOf merges an array that recurses through its
    items: openapi-spec-validator never gets out of that."""
    safe: set[tuple[int, bool]] = set()
    for where, keyword, target in references(document):
        problem = _reference_problem(keyword, target, document)
        if problem is not None:
            diagnostics.error(problem, where)
            continue
        if keyword not in REFERENCES:
            continue
        loop = _loop_from(document, target, _merged_at(where), safe)
        if loop is None:
            continue
        chain, through_items = loop
        if through_items:
            diagnostics.error(
                f"{keyword} {target!r} leads into a loop through allOf and items "
                f"({' -> '.join(chain)}), which openapi-spec-validator follows forever; "
                "break the cycle or move the array into a property",
                where,
            )
        else:
            diagnostics.error(
                f"{keyword} {target!r} loops back on itself ({' -> '.join(chain)}); "
                "break the cycle",
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
        from chatforge.spec import upgrade

        version = upgrade.version_problem(document, diagnostics)
        if version is None:
            return
    if not _shapes(document, diagnostics):
        return
    from chatforge.spec import precheck  # which reads documents with this module's helpers

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


def read_document(path: Path, shown: str) -> tuple[Json, dict[str, tuple[int, int]]]:
    """The JSON data of one file (YAML, or JSON by its suffix) and where each value is in it,
    within the limits above; raises SpecError with located diagnostics."""
    diagnostics = Diagnostics(shown)
    try:
        raw = specfile.read(path)
    except specfile.Unreadable as exc:
        diagnostics.error(str(exc))
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
        return parse_json(text, shown)
    return parse_yaml(text, shown)


def load(path: Path, display_path: str | None = None, read: list[Path] | None = None) -> LoadedSpec:
    """Read, parse, bundle, validate and normalise one spec (an OpenAPI 3.1 or 3.0 document,
    maybe split over files under its folder); raises SpecError with located diagnostics.
    `read`, given, gets the path of every file read besides this one."""
    from chatforge.spec import bundle, upgrade

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
    bundled, left = bundle.bundle(path, shown, document, diagnostics, read)
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
