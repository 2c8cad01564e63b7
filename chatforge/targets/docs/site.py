"""The site around the pages: the explorer page, the navigation (`nav.json`) and the tidying
every page gets."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from chatforge.ir.model import (
    Api,
)
from chatforge.targets.docs import events
from chatforge.targets.docs.places import EXPLORER, INDEX, MAINTAINERS, QUICKSTART, SCHEMAS, Names
from chatforge.targets.docs.schemas import SchemasPage
from chatforge.targets.docs.view import MOCK_URL
from chatforge.targets.text import (
    code,
    html_text,
    md,
    one_line,
)


def explorer_page(api: Api) -> str:
    serve = code(f"chatforge serve {api.slug} --mock")
    return (
        f"# Explorer: {md(api.title)}\n\n"
        "Every operation of the spec, with a form to fill in and send. Requests go by default "
        f"to the mock server on your machine, {code(MOCK_URL)}: start it with {serve}. Pick "
        "the vendor's host in the list of servers to send real requests. The explorer (Swagger "
        "UI) is part of this site and fetches nothing from elsewhere.\n\n"
        '<div class="chatforge-explorer" data-spec="../openapi.json"></div>\n'
    )


def short_title(api: Api) -> str:
    """The API's name in a navigation tab: the first word of its title."""
    words = one_line(api.title).split()
    return words[0] if words else api.slug


def nav(api: Api, where: Names, schemas: Mapping[str, SchemasPage]) -> str:
    """The site's navigation for this API, in the order a reader wants it. Titles are HTML
    text (escaped), since the site's theme prints them as they are."""

    def text(title: str) -> str:
        return html_text(title)

    tree = {
        "short": text(short_title(api)),
        "spec": api.spec_file,
        "pages": [
            ["Overview", INDEX],
            ["Quick start", QUICKSTART],
            ["Explorer", EXPLORER],
            [
                "Reference",
                [[text(where.titles[tag.name]), where.pages[tag.name]] for tag in api.tags],
            ],
            *events.nav_entry(api),
            [
                "Schemas",
                [["All schemas", SCHEMAS]]
                + [
                    [text(page.title.removesuffix(": schemas")), name]
                    for name, page in schemas.items()
                    if name != SCHEMAS
                ],
            ],
            ["For maintainers", MAINTAINERS],
        ],
    }
    return json.dumps(tree, indent=2, ensure_ascii=False) + "\n"


def tidy(text: str) -> str:
    """LF line ends, no trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n") + "\n"
