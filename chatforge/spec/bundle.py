"""A spec split over files, bundled into one document.

A `$ref` (of a schema, or a Reference Object) may name another file of the entry document's
folder, or of a folder below it (or below the folder given as `--ref-root`, which holds the entry):
`common.yaml#/components/schemas/Pet`, `./schemas/pet.yaml`
(the whole file), `schemas/pet.yaml#/definitions/Tag`. Each file is read once, with the limits
of the entry (size, depth, aliases); each part another file gives becomes a component of the
entry document under a name of its own (the last token of its pointer, else the file's name;
on a clash, the file's name and the token; then a number), and its references are rewritten to
point there, so that the bundled document refers only to itself. Path items are written in
place. References that loop through files end in the components they loop through.

Refused, each where it is written: a reference to a URL, an absolute path, a path that leaves
the entry's folder (`../`, or a symbolic link leading out), a file that is not there, a
reference to another file through any keyword but `$ref` (those are refused by the reference
checks of the loader), and more than MAX_FILES files or MAX_SPEC_BYTES bytes in all.

The positions of each part are those of its own file, and the document's `origins` name that
file, so a problem in a part is reported in its file, at its line, with its pointer there.
"""

from __future__ import annotations

import bisect
import copy
import os
import posixpath
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from chatforge.diagnostics import Diagnostics, SpecError, escape_pointer_token
from chatforge.spec.document import resolve_pointer
from chatforge.spec.loader import (
    MAX_SPEC_BYTES,
    MAX_VALUES,
    kinded_references,
    pointer_problem,
    read_document,
)

Json = Any

# How many files one spec may be read from, the entry with them.
MAX_FILES = 256
# Where a part goes in the bundled document, by the kind of object its reference stands for.
_SECTIONS = {
    "schema": "schemas",
    "parameter": "parameters",
    "header": "headers",
    "response": "responses",
    "body": "requestBodies",
    "example": "examples",
    "link": "links",
    "callback": "callbacks",
    "securityScheme": "securitySchemes",
}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
# Path items written in place that are references themselves, followed this far.
_MAX_HOPS = 32


@dataclass
class _File:
    document: Json
    positions: dict[str, tuple[int, int]]
    shown: str
    pointers: list[str] | None = None  # of `positions`, sorted, once a part is taken

    def within(self, fragment: str) -> list[str]:
        """The pointers of the values inside the one at `fragment`."""
        if self.pointers is None:
            self.pointers = sorted(self.positions)
        start = bisect.bisect_left(self.pointers, fragment + "/")
        end = bisect.bisect_left(self.pointers, fragment + "0")  # "0" follows "/"
        return self.pointers[start:end]


@dataclass
class _Site:
    """A reference to rewrite: the object holding it, its pointer in the bundled document, the
    file it was written in, and the kind of object it stands for."""

    holder: dict[str, Json]
    pointer: str
    file: Path
    kind: str
    keyword: str = "$ref"  # or, in a discriminator's mapping, the name mapped
    hops: int = 0
    mapping: bool = False


def bundle(
    entry: Path,
    shown: str,
    document: dict[str, Json],
    diagnostics: Diagnostics,
    read: list[Path] | None = None,
    root: Path | None = None,
) -> tuple[dict[str, Json], set[tuple[str, str]]]:
    """The entry document with every part of other files it refers to written in (changed in
    place), and the references left as they were, as diagnostics name them (file, pointer):
    each has had its error. Files are read from the entry's folder and below, or from `root`
    and below, given. Problems go to `diagnostics`, the paths of the files read to `read`."""
    sites = [
        (where, kind)
        for where, keyword, value, kind in kinded_references(document)
        if keyword == "$ref" and isinstance(value, str) and not value.startswith("#")
    ]
    if not sites:
        return document, set()
    bundler = _Bundler(entry, shown, document, diagnostics, read, root)
    # Components that are references themselves first: their part is written in their place,
    # under their name, and other references to it then point there.
    sites.sort(key=lambda site: _component_of(site[0].rsplit("/", 1)[0], site[1]) is None)
    for where, kind in sites:
        holder = resolve_pointer(document, where.rsplit("/", 1)[0])
        bundler.queue.append(_Site(holder, where.rsplit("/", 1)[0], bundler.entry, kind))
    bundler.run()
    return document, bundler.left


class _Bundler:
    def __init__(
        self,
        entry: Path,
        shown: str,
        document: dict[str, Json],
        diagnostics: Diagnostics,
        read: list[Path] | None,
        root: Path | None = None,
    ) -> None:
        self.entry = entry.resolve()
        self.root = root.resolve() if root is not None else self.entry.parent
        self.widened = root is not None
        self.shown_folder = posixpath.dirname(shown.replace(os.sep, "/"))
        self.document = document
        self.diagnostics = diagnostics
        self.read = read if read is not None else []
        self.files: dict[Path, _File | None] = {
            self.entry: _File(document, diagnostics.positions, shown)
        }
        self.bytes = 0
        self.values = len(diagnostics.positions)
        self.queue: deque[_Site] = deque()
        self.left: set[tuple[str, str]] = set()  # see `bundle`
        # (file, pointer in it) -> pointer of the part in the bundled document.
        self.parts: dict[tuple[Path, str], str] = {}
        components = document.get("components")
        self.taken: dict[str, set[str]] = {
            section: {
                name.lower()
                for name in ((components or {}).get(section) or {})
                if isinstance(components, dict)
            }
            for section in _SECTIONS.values()
        }

    def run(self) -> None:
        while self.queue:
            self.site(self.queue.popleft())

    def error(self, message: str, pointer: str) -> None:
        self.diagnostics.error(message, pointer)

    def site(self, site: _Site) -> None:
        where = f"{site.pointer}/{site.keyword}"
        before = site.holder.get(site.keyword)
        self.rewrite(site, where)
        if site.holder.get(site.keyword) == before and not (
            isinstance(before, str) and before.startswith("#") and site.file == self.entry
        ):
            self.left.add(self.diagnostics.origin(where))

    def rewrite(self, site: _Site, where: str) -> None:
        value = site.holder.get(site.keyword)
        if not isinstance(value, str):
            return  # the reference checks say what a reference must be
        if site.mapping:
            self.mapping(site, value, where)
            return
        if value.startswith("#") and site.file == self.entry:
            return
        found = self.locate(value, site.file, where)
        if found is None:
            return
        file, fragment = found
        if site.kind == "path":
            self.inline(site, file, fragment, where)
            return
        if (
            _component_of(site.pointer, site.kind) is not None
            and site.file == self.entry
            and (file, fragment) not in self.parts
        ):
            # A component that is a reference to another file: the part takes its place.
            self.parts[(file, fragment)] = site.pointer
            self.inline(site, file, fragment, where)
            return
        section = _SECTIONS.get(site.kind)
        if site.kind == "operation":
            self.error(
                f"$ref {value!r} stands for a whole operation, which OpenAPI does not allow: an "
                "Operation Object has no $ref (a path item may be one); write the operation in "
                "place, or bundle the spec first with a tool that writes such references in "
                "(redocly bundle)",
                where,
            )
            return
        if section is None:
            self.error(
                f"$ref {value!r} names another file where chatforge reads none: only schemas, "
                "path items and the objects of components (parameters, responses, request "
                "bodies, headers, examples, links, callbacks) may come from another file",
                where,
            )
            return
        target = self.part(file, fragment, section, site.kind, where, value)
        if target is not None:
            site.holder[site.keyword] = f"#{target}"

    def mapping(self, site: _Site, value: str, where: str) -> None:
        """A discriminator's mapping in a part of another file: its schemas are that file's."""
        if value.startswith("#"):
            fragment = unquote(value[1:])
        elif "/" in value or "#" in value or "." in value:
            self.error(
                f"discriminator mapping {value!r} in a file the spec refers to names no schema "
                "of that file; name one of its component schemas, or a schema by '#/' pointer",
                where,
            )
            return
        else:
            fragment = f"/components/schemas/{escape_pointer_token(value)}"
        target = self.part(site.file, fragment, "schemas", "schema", where, value)
        if target is not None:
            site.holder[site.keyword] = f"#{target}"

    def locate(self, value: str, referrer: Path, where: str) -> tuple[Path, str] | None:
        """The file a reference names, and the pointer after its #; None, with an error, when
        it names something chatforge does not read."""
        if _SCHEME.match(value):
            self.error(
                f"$ref {value!r} names a URL; chatforge reads nothing from the network: save "
                "the document in the spec's folder and refer to it by a relative path",
                where,
            )
            return None
        path, _, fragment = value.partition("#")
        path, fragment = unquote(path), unquote(fragment)
        problem = pointer_problem(f"#{fragment}")
        if problem is not None:
            self.error(f"$ref {value!r} is not a valid JSON pointer: {problem}", where)
            return None
        if not path:
            return referrer, fragment
        if "\\" in path or "\0" in path or PurePosixPath(path).is_absolute() or ":" in path:
            self.error(
                f"$ref {value!r} names a file by an absolute path; name it relative to the file "
                "that refers to it, inside the spec's folder",
                where,
            )
            return None
        lexical = Path(os.path.normpath(referrer.parent / path))
        if not lexical.is_relative_to(self.root):
            self.error(
                f"$ref {value!r} leaves the folder given as --ref-root ({self.root})"
                if self.widened
                else f"$ref {value!r} leaves the spec's folder; chatforge reads only files in the "
                "folder of the spec it is given and the folders below it (or under --ref-root DIR, "
                "a folder holding both)",
                where,
            )
            return None
        try:
            real = lexical.resolve(strict=True)
        except (OSError, RuntimeError):
            self.error(f"$ref {value!r} names a file that is not there", where)
            return None
        if not real.is_relative_to(self.root):
            self.error(
                f"$ref {value!r} names a symbolic link that leads out of the spec's folder; "
                "chatforge reads only files in the folder of the spec it is given and below it "
                "(or under --ref-root)",
                where,
            )
            return None
        return real, fragment

    def load(self, path: Path, where: str) -> _File | None:
        if path in self.files:
            return self.files[path]
        self.files[path] = None
        if len(self.files) > MAX_FILES:
            self.error(
                f"the spec refers to more than {MAX_FILES} files; specs are limited to that", where
            )
            raise SpecError(list(self.diagnostics))
        shown = posixpath.normpath(
            posixpath.join(
                self.shown_folder, Path(os.path.relpath(path, self.entry.parent)).as_posix()
            )
        )
        try:
            self.bytes += path.stat().st_size
        except OSError:
            pass
        if self.bytes > MAX_SPEC_BYTES:
            self.error(
                f"the files of the spec hold more than {MAX_SPEC_BYTES} bytes together; specs "
                "are limited to that",
                where,
            )
            raise SpecError(list(self.diagnostics))
        self.read.append(path)
        try:
            document, positions = read_document(path, shown)
        except SpecError as exc:
            self.diagnostics.items.extend(exc.diagnostics)
            return None
        self.values += len(positions)
        if self.values > MAX_VALUES:
            self.error(
                f"the files of the spec hold more than {MAX_VALUES} values together; specs are "
                "limited to that",
                where,
            )
            raise SpecError(list(self.diagnostics))
        found = _File(document, positions, shown)
        self.files[path] = found
        return found

    def target(self, file: _File, fragment: str, value: str, where: str) -> Json:
        try:
            return resolve_pointer(file.document, fragment)
        except KeyError:
            self.error(
                f"$ref {value!r} points at nothing in {file.shown}; define it or correct the "
                "reference",
                where,
            )
            return None

    def part(
        self, path: Path, fragment: str, section: str, kind: str, where: str, value: str
    ) -> str | None:
        """The pointer in the bundled document of the part at `fragment` of the file at `path`,
        written in as a component when first met."""
        if path == self.entry:
            return fragment
        key = (path, fragment)
        if key in self.parts:
            return self.parts[key]
        file = self.load(path, where)
        if file is None:
            return None
        found = self.target(file, fragment, value, where)
        if found is None:
            return None
        name = self.name(section, path, fragment)
        pointer = f"/components/{section}/{escape_pointer_token(name)}"
        self.parts[key] = pointer
        components = self.document.setdefault("components", {})
        components.setdefault(section, {})[name] = part = copy.deepcopy(found)
        self.place(file, fragment, pointer)
        self.refer(part, pointer, path, kind)
        return pointer

    def inline(self, site: _Site, path: Path, fragment: str, where: str) -> None:
        """A part of another file written where it is referred to: a path item, or a
        component that is a reference itself."""
        file = self.load(path, where) if path != self.entry else self.files[self.entry]
        if file is None:
            return
        value = site.holder["$ref"]
        found = self.target(file, fragment, value, where)
        if not isinstance(found, dict):
            if found is not None:
                self.error(f"$ref {value!r} names no {site.kind} object: not a mapping", where)
            return
        if site.hops >= _MAX_HOPS:
            self.error(f"$ref {value!r} leads through more than {_MAX_HOPS} references", where)
            return
        given = {key: item for key, item in site.holder.items() if key != "$ref"}
        site.holder.clear()
        site.holder.update(copy.deepcopy(found))
        site.holder.update(given)
        self.place(file, fragment, site.pointer)
        if "$ref" in site.holder:
            inner = _Site(site.holder, site.pointer, path, site.kind, hops=site.hops + 1)
            self.queue.append(inner)
        for key in site.holder:
            if key != "$ref" and key not in given:
                at = f"{site.pointer}/{escape_pointer_token(key)}"
                self.refer(site.holder[key], at, path, site.kind, key)

    def place(self, file: _File, fragment: str, pointer: str) -> None:
        """The positions of a part of `file` given to where it now is, with its origin."""
        if file.document is self.document:
            return
        self.diagnostics.origins[pointer] = (file.shown, fragment)
        positions = self.diagnostics.positions
        if fragment in file.positions:
            positions[pointer] = file.positions[fragment]
        for key in file.within(fragment):
            positions[pointer + key[len(fragment) :]] = file.positions[key]

    def refer(self, part: Json, pointer: str, path: Path, kind: str, field: str = "") -> None:
        """The references in a part of the file at `path`, to rewrite in turn."""
        if field:  # a field of a path item: read as the path item reads it
            found = kinded_references({field: part}, kind)
            offset = len(escape_pointer_token(field)) + 1
        else:
            found = kinded_references(part, kind)
            offset = 0
        for where, keyword, value, _kind in found:
            inner = where[offset:]
            holder_at = inner.rsplit("/", 1)[0]
            if keyword in ("$dynamicRef", "$recursiveRef") and isinstance(value, str):
                self.error(
                    f"{keyword} {value!r} in a file the spec refers to: there only $ref may "
                    "refer to other schemas",
                    f"{pointer}{inner}",
                )
                continue
            if keyword == "mapping":
                name = inner.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
                holder = resolve_pointer(part, holder_at)
                at = f"{pointer}{holder_at}"
                self.queue.append(_Site(holder, at, path, "schema", keyword=name, mapping=True))
                continue
            if keyword != "$ref":
                continue
            holder = resolve_pointer(part, holder_at)
            if isinstance(holder, dict):
                self.queue.append(_Site(holder, f"{pointer}{holder_at}", path, _kind))

    def name(self, section: str, path: Path, fragment: str) -> str:
        """A component name of its own for a part: see the module's description."""
        stem = path.name.split(".")[0] or "part"
        last = fragment.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~") if fragment else ""
        base = _NAME_CHARACTERS.sub("_", last or stem).strip("_") or "part"
        taken = self.taken[section]
        candidates = [base, _NAME_CHARACTERS.sub("_", f"{stem}_{base}")] if last else [base]
        for candidate in candidates:
            if candidate.lower() not in taken:
                taken.add(candidate.lower())
                return candidate
        number = 2
        while f"{candidates[-1]}_{number}".lower() in taken:
            number += 1
        chosen = f"{candidates[-1]}_{number}"
        taken.add(chosen.lower())
        return chosen


def _component_of(pointer: str, kind: str) -> str | None:
    """The name of the component at `pointer`, when it is one of the section `kind` goes in."""
    section = _SECTIONS.get(kind)
    if section is None:
        return None
    prefix = f"/components/{section}/"
    name = pointer[len(prefix) :] if pointer.startswith(prefix) else ""
    return name if name and "/" not in name else None
