"""The hooks of the docs site (mkdocs.yml): the generated reference joins the hand-written pages.

Every page of `generated/<api>/docs/` and `generated/overview/` is added to the site at the path
it has under `generated/`, so the relative links between those pages hold on the site exactly
as they do in the repository. The navigation lists the hand-written pages, the comparison, and
each API's pages under the API's title: its index, its tags in order, its schemas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

GENERATED = Path(__file__).resolve().parent / "generated"
FIRST = ["index.md"]
LAST = ["conformance.md", "benchmarks.md"]


def _reference() -> list[Path]:
    pages = sorted(GENERATED.glob("*/docs/*.md")) + sorted(GENERATED.glob("overview/*.md"))
    return [page for page in pages if page.is_file()]


def _title(index: Path) -> str:
    first = index.read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("# ").strip()


def _api_pages(folder: Path) -> list[str]:
    names = sorted(p.name for p in folder.glob("*.md"))
    ordered = ["index.md", *(n for n in names if n not in ("index.md", "schemas.md")), "schemas.md"]
    base = folder.relative_to(GENERATED).as_posix()
    return [f"{base}/{name}" for name in ordered if (folder / name).is_file()]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    docs = Path(config.docs_dir)
    nav: list[Any] = [name for name in FIRST if (docs / name).is_file()]
    if (GENERATED / "overview" / "comparison.md").is_file():
        nav.append({"Comparison of the APIs": "overview/comparison.md"})
    for index in sorted(GENERATED.glob("*/docs/index.md")):
        nav.append({_title(index): _api_pages(index.parent)})
    nav += [name for name in LAST if (docs / name).is_file()]
    config.nav = nav
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for page in _reference():
        uri = page.relative_to(GENERATED).as_posix()
        files.append(File.generated(config, uri, abs_src_path=str(page)))
    return files
