"""The Markdown docs target: per API an overview (`index.md`), a quick start, an explorer page,
one page per tag, the schemas (an index, and a page of shapes per tag), a page for maintainers
and `nav.json`, the order and titles of the pages for the site's navigation.

Every decision is made in this package, one module per job: `places` (page files and anchors),
`view` (tables, code blocks and the Markdown of types and notes), `examples` and `curl` (the
example calls), a module per kind of page (`index_page`, `tag_page`, `schemas`, `quickstart`,
`maintainers`), `site` (the explorer page, the navigation) and `overview` (the comparison across
APIs). The templates in `templates/docs/` print and loop. The page objects carry two kinds of
text:

- fields whose names end in `_md`, and every cell of a `Table`, are finished Markdown, built here
  from spec text with `md`, `code` and `md_inline` of `targets/text.py` (which escape it);
- every other string is raw spec text, and the template passes it through `md`;
- anchors (`[a-z0-9-]` only, from `anchor`) and code blocks (their fence chosen to outgrow any
  backticks inside) are printed as they are.

Anchors are explicit (`<a id="..."></a>`) and unique across the API, so links do not depend on
how a Markdown renderer spells heading ids.
"""

from __future__ import annotations

from chatforge.ir.model import Api
from chatforge.targets import Files
from chatforge.targets.docs import events
from chatforge.targets.docs.index_page import index_page
from chatforge.targets.docs.maintainers import maintainers_page
from chatforge.targets.docs.places import (
    EXPLORER,
    INDEX,
    MAINTAINERS,
    NAV,
    QUICKSTART,
    names,
)
from chatforge.targets.docs.quickstart import quickstart_page
from chatforge.targets.docs.schemas import schema_pages
from chatforge.targets.docs.site import explorer_page, nav, tidy
from chatforge.targets.docs.tag_page import tag_page
from chatforge.targets.templating import render as render_template


def render(api: Api) -> Files:
    where = names(api)
    files: Files = {INDEX: tidy(render_template("docs/index.md.j2", page=index_page(api, where)))}
    files[QUICKSTART] = tidy(
        render_template("docs/quickstart.md.j2", page=quickstart_page(api, where))
    )
    files[EXPLORER] = tidy(explorer_page(api))
    for tag in api.tags:
        page = tag_page(api, tag, where)
        files[where.pages[tag.name]] = tidy(render_template("docs/tag.md.j2", page=page))
    schemas = schema_pages(api, where)
    for name, schema_page in schemas.items():
        files[name] = tidy(render_template("docs/schemas.md.j2", page=schema_page))
    files[MAINTAINERS] = tidy(
        render_template("docs/maintainers.md.j2", page=maintainers_page(api, where))
    )
    files.update(events.render(api))
    files[NAV] = nav(api, where, schemas)
    return files
