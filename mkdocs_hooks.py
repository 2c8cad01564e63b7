"""The hooks of the docs site (mkdocs.yml): the generated reference joins the hand-written pages.

Every page of `generated/<api>/docs/` and `generated/overview/` is added to the site at the path
it has under `generated/`, so the relative links between those pages hold on the site exactly
as they do in the repository. The navigation has a tab per API, in the order `nav.json` of the
API's reference gives (its overview, quick start, explorer, tags in spec order, schemas and the
maintainers' page), between the hand-written pages and the comparison.

Each API's explorer is Swagger UI, copied into the site from the `swagger-ui-bundle-v2` package
at build time, so the site works offline; it reads `openapi.json` beside the API's pages: the
curated spec as JSON, with the local mock server (`chatforge serve <api> --mock`) listed first
among its servers.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from chatforge.spec.validate import load
from chatforge.targets.docs.maintainers import split_paragraphs
from chatforge.targets.docs.places import title_case

ROOT = Path(__file__).resolve().parent
GENERATED = ROOT / "generated"
MOCK_URL = "http://127.0.0.1:8000"
FIRST = ["index.md"]
PROJECT = ["maintainers.md", "conformance.md", "benchmarks.md"]
EXPLORER_ASSETS = "assets/explorer"
_EXPLORER = re.compile(r'<div class="chatforge-explorer" data-spec="([^"<>]+)"></div>')


def _apis() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for nav in sorted(GENERATED.glob("*/docs/nav.json")):
        found.append((nav.parent, json.loads(nav.read_text(encoding="utf-8"))))
    return found


def _reference() -> list[Path]:
    pages = sorted(GENERATED.glob("*/docs/*.md")) + sorted(GENERATED.glob("overview/*.md"))
    return [page for page in pages if page.is_file()]


def _entries(base: str, pages: list[Any]) -> list[Any]:
    entries: list[Any] = []
    for title, target in pages:
        if isinstance(target, list):
            entries.append({title: _entries(base, target)})
        else:
            entries.append({title: f"{base}/{target}"})
    return entries


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    docs = Path(config.docs_dir)
    nav: list[Any] = [{"Home": name} for name in FIRST if (docs / name).is_file()]
    for folder, tree in _apis():
        base = folder.relative_to(GENERATED).as_posix()
        nav.append({tree["short"]: _entries(base, tree["pages"])})
    if (GENERATED / "overview" / "comparison.md").is_file():
        nav.append({"Comparison": "overview/comparison.md"})
    project = [name for name in PROJECT if (docs / name).is_file()]
    if project:
        nav.append({"Project": project})
    config.nav = nav
    return config


def _openapi(spec: Path, slug: str) -> str:
    """The spec as JSON, answering first at the local mock server. Its description keeps
    what a caller needs: how the spec was made is on the maintainers' page."""
    document = dict(load(spec).document)
    info = document.get("info")
    if isinstance(info, dict) and isinstance(info.get("description"), str):
        users, _ = split_paragraphs(info["description"])
        kept = [p if p.lstrip().startswith(("-", "*")) else " ".join(p.split()) for p in users]
        info = {**info, "description": "\n\n".join(kept)}
        document["info"] = info
    _title_tags(document)
    mock = {"url": MOCK_URL, "description": f"chatforge serve {slug} --mock (this machine)"}
    servers = document.get("servers")
    document["servers"] = [mock, *(servers if isinstance(servers, list) else [])]
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _title_tags(document: dict[str, Any]) -> None:
    """The explorer groups operations under their tags' titles, as the reference does."""
    tags = document.get("tags")
    if isinstance(tags, list):
        document["tags"] = [
            {**tag, "name": title_case(tag["name"])}
            if isinstance(tag, dict) and isinstance(tag.get("name"), str)
            else tag
            for tag in tags
        ]
    paths = document.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        for operation in item.values() if isinstance(item, dict) else ():
            if isinstance(operation, dict) and isinstance(operation.get("tags"), list):
                operation["tags"] = [
                    title_case(t) if isinstance(t, str) else t for t in operation["tags"]
                ]


def _swagger_ui() -> Path:
    import swagger_ui_bundle  # type: ignore[import-untyped]  # the docs extra installs it

    folders = sorted(Path(swagger_ui_bundle.__file__).parent.glob("vendor/swagger-ui-*"))
    if not folders:
        raise RuntimeError("swagger-ui-bundle-v2 holds no Swagger UI: reinstall the docs extra")
    return folders[-1]


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for page in _reference():
        uri = page.relative_to(GENERATED).as_posix()
        files.append(File.generated(config, uri, abs_src_path=str(page)))
    for folder, tree in _apis():
        spec = ROOT / tree["spec"]
        if spec.is_file():
            uri = f"{folder.relative_to(GENERATED).as_posix()}/openapi.json"
            content = _openapi(spec, folder.parent.name)
            files.append(File.generated(config, uri, content=content))
    ui = _swagger_ui()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        uri = f"{EXPLORER_ASSETS}/{name}"
        files.append(File.generated(config, uri, abs_src_path=str(ui / name)))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """An explorer page gives its width to the explorer: no table of contents beside it."""
    if _EXPLORER.search(markdown):
        page.meta["hide"] = ["toc"]
    return markdown


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """An explorer page loads Swagger UI, bundled with the site, onto its placeholder."""
    found = _EXPLORER.search(output)
    if found is None:
        return output
    here = posixpath.dirname(page.url.rstrip("/") + "/index.html") if page.url else ""
    assets = posixpath.relpath(EXPLORER_ASSETS, here or ".")
    spec = json.dumps(found.group(1))
    head = f'<link rel="stylesheet" href="{assets}/swagger-ui.css">'
    tail = (
        f'<script src="{assets}/swagger-ui-bundle.js"></script>\n'
        "<script>\n"
        "document.querySelectorAll('.chatforge-explorer').forEach(function (node) {\n"
        f"  SwaggerUIBundle({{url: {spec}, domNode: node, deepLinking: true,\n"
        "    tryItOutEnabled: true, docExpansion: 'none', defaultModelsExpandDepth: 0});\n"
        "});\n"
        "</script>\n"
    )
    return output.replace("</head>", head + "</head>", 1).replace("</body>", tail + "</body>", 1)
