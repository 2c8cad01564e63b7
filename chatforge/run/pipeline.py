"""The stages in order: load, lint, build the IR, render, format. Pure up to writing."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatforge import naming
from chatforge.config import Config, Target, curated_specs
from chatforge.diagnostics import Diagnostic, Level, SpecError
from chatforge.targets.text import UnsafeText

# The stages are imported where they run: a run that the cache answers never loads them, and the
# validators and template engines they bring take most of a second to import.
if TYPE_CHECKING:
    from chatforge.ir.model import Api
    from chatforge.spec import loader
    from chatforge.targets import Files


class UsageError(Exception):
    """A request the command cannot carry out: an unknown API, a missing folder."""


@dataclass(frozen=True)
class SpecSource:
    slug: str
    path: Path
    label: str  # how generated files name the spec: relative to the project, else its name
    # The folder its references may reach, when wider than its own (`--ref-root`).
    ref_root: Path | None = None

    @property
    def folder(self) -> Path:
        """The folder the files of the spec are read from: its own, or the one given."""
        return self.ref_root if self.ref_root is not None else self.path.parent

    @property
    def display(self) -> str:
        try:
            return os.path.relpath(self.path)
        except ValueError:
            return str(self.path)


def _source(config: Config, slug: str, path: Path) -> SpecSource:
    """A spec and its label: its path in the project, `specs/<name>` for a curated spec wherever
    chatforge is installed (so its output is the same byte for byte), else its file name."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links: the loader says so
        resolved = path.absolute()
    curated = curated_specs().resolve()
    if resolved.is_relative_to(curated):
        label = f"specs/{resolved.relative_to(curated).as_posix()}"
    elif resolved.is_relative_to(config.root):
        label = resolved.relative_to(config.root).as_posix()
    else:
        label = resolved.name
    return SpecSource(slug, path, label)


def _named(folder: Path, name: str) -> Path | None:
    candidates = [folder / f"{name}{ext}" for ext in (".yaml", ".yml", ".json")]
    return next((c for c in candidates if c.is_file()), None)


def _known(folders: Sequence[Path]) -> list[str]:
    return sorted({p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.y*ml")})


def find_specs(config: Config, names: Sequence[str]) -> list[SpecSource]:
    """Specs by slug (`<specs>/<slug>.yaml`, else a curated spec) or by file path; every spec of
    the specs folder when none is named."""
    if not names:
        if not config.specs.is_dir():
            raise UsageError(f"no specs folder at {config.specs}; pass --specs DIR")
        found = sorted(config.specs.glob("*.yaml")) + sorted(config.specs.glob("*.yml"))
        found += sorted(config.specs.glob("*.json"))
        if not found:
            raise UsageError(f"no .yaml, .yml or .json specs in {config.specs}")
        return [_source(config, naming.identifier(p.stem), p) for p in found]
    result = []
    for name in names:
        as_path = Path(name)
        if as_path.suffix in (".yaml", ".yml", ".json") or os.sep in name:
            if not as_path.is_file():
                raise UsageError(f"no spec file at {name}")
            result.append(_source(config, naming.identifier(as_path.stem), as_path))
            continue
        # A slug names a spec of the specs folder, else one of the curated specs.
        folders = list(dict.fromkeys((config.specs, curated_specs())))
        match = next((m for m in (_named(f, name) for f in folders) if m is not None), None)
        if match is None:
            known = _known(folders)
            hint = f"; known: {', '.join(known)}" if known else ""
            raise UsageError(f"no spec named {name!r} in {config.specs}{hint}")
        result.append(_source(config, name, match))
    if config.ref_root is not None:
        root = config.ref_root.resolve()
        if not root.is_dir():
            raise UsageError(f"--ref-root {config.ref_root}: no such folder")
        for source in result:
            if not source.path.resolve().is_relative_to(root):
                raise UsageError(f"the spec {source.display} is not inside --ref-root {root}")
        result = [dataclasses.replace(source, ref_root=root) for source in result]
    slugs = [s.slug for s in result]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise UsageError(f"two specs share the slug {', '.join(duplicates)}")
    return result


@dataclass(frozen=True)
class Checked:
    source: SpecSource
    spec: loader.LoadedSpec | None
    diagnostics: tuple[Diagnostic, ...]
    # The IR that checking built, with the warnings found on the way (None where it stopped
    # before building).
    built: tuple[Api, tuple[Diagnostic, ...]] | None = None
    # What reading changed (an OpenAPI 3.0 document normalised to 3.1), for --verbose.
    notes: tuple[Diagnostic, ...] = ()
    # Other files the spec was read from, besides its own (a spec split over files).
    others: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        return self.spec is not None and not any(d.level is Level.ERROR for d in self.diagnostics)


def check(source: SpecSource) -> Checked:
    """Load, validate and lint one spec, then build its IR: what cannot be generated is found
    by `validate` too."""
    from chatforge import lint
    from chatforge.ir import build as build_ir
    from chatforge.spec import validate

    others: list[Path] = []
    try:
        spec = validate.load(source.path, source.display, others, source.ref_root)
    except SpecError as exc:
        return Checked(source, None, tuple(sorted(set(exc.diagnostics))), others=tuple(others))
    read = tuple(others)

    def checked(found: tuple[Diagnostic, ...], built: Any = None) -> Checked:
        return Checked(source, spec, found, built, notes=spec.notes, others=read)

    diagnostics = spec.diagnostics()
    lint.lint(spec.document, diagnostics)
    if diagnostics.has_errors:
        return checked(tuple(diagnostics))
    try:
        built = build_ir.build(spec, source.slug, source.label)
    except SpecError as exc:
        return checked(tuple(sorted({*diagnostics, *exc.diagnostics})))
    except UnsafeText as exc:
        refused = Diagnostic(source.display, 1, 1, Level.ERROR, str(exc))
        return checked(tuple(sorted({*diagnostics, refused})))
    return checked(tuple(diagnostics), built)


def build(checked: Checked, warn: Callable[[Sequence[Diagnostic]], None] | None = None) -> Api:
    """The IR of a checked spec; its warnings go to `warn`. Raises SpecError on errors."""
    from chatforge.ir import build as build_ir

    assert checked.spec is not None
    if checked.built is not None:
        api, warnings = checked.built
    else:
        api, warnings = build_ir.build(checked.spec, checked.source.slug, checked.source.label)
    if warn is not None and warnings:
        warn(warnings)
    return api


def render_overview(
    specs: Path, apis: Sequence[Api], targets: Sequence[Target]
) -> tuple[Files, list[str]]:
    """The pages that speak of every API at once (the comparison), with the output folder they
    own; nothing when the docs are not rendered or the specs folder has no comparison. Raises
    SpecError when the comparison does not agree with the specs."""
    from chatforge.targets.docs import overview as comparison

    if "docs" not in targets:
        return {}, []
    taken = [api.slug for api in apis if api.slug == comparison.FOLDER]
    if taken:
        raise UsageError(f"a spec may not have the slug {comparison.FOLDER!r}; rename it")
    groups = comparison.load(specs, apis)
    if groups is None:
        return {}, []
    return comparison.render(groups, apis), [comparison.FOLDER]


def owned_paths(slug: str, targets: Sequence[Target]) -> list[str]:
    return [f"{slug}/{target}" for target in targets]


def render(
    api: Api,
    targets: Sequence[Target],
    progress: Callable[[str], None] | None = None,
    models: str | None = None,
) -> Files:
    """Every file of the chosen targets of one API, formatted, keyed by path under the output.
    `models` is the API's models module where it was made already (by a models worker); else
    it is made here, once, if a chosen target embeds it."""
    from chatforge.output.formatting import format_python
    from chatforge.targets import WITH_MODELS
    from chatforge.targets import render as render_target

    files: Files = {}
    for target in targets:
        if progress:
            progress(f"{api.slug}: rendering {target}")
        try:
            if models is None and target in WITH_MODELS:
                from chatforge.targets.modelgen import models_module

                models = models_module(api)
            rendered = render_target(target, api, models)
        except UnsafeText as exc:
            raise SpecError([Diagnostic(api.spec_file, 1, 1, Level.ERROR, str(exc))]) from exc
        for path, text in rendered.items():
            files[f"{api.slug}/{target}/{path}"] = text
    formatted = format_python(files)
    return {path: _normalize(text) for path, text in formatted.items()}


def _normalize(text: str) -> str:
    """LF line ends and exactly one final newline (none for an empty file)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n" if text.strip() else ""
