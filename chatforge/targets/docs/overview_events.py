"""The comparison page's section on events: what each platform posts to its customer's server,
each event linked to its section on the API's Events page."""

from __future__ import annotations

from collections.abc import Sequence

from chatforge.ir.model import Api
from chatforge.targets.docs import events
from chatforge.targets.text import code, md

ANCHOR = "events-sent"


def section(apis: Sequence[Api]) -> list[str]:
    """The section's lines, or none where no spec says anything about events."""
    if all(api.webhooks is None for api in apis):
        return []
    lines = [
        f'<a id="{ANCHOR}"></a>',
        "",
        "## Events each platform sends",
        "",
        "The events each platform posts to its customer's server, linked to their description.",
        "",
        "| API | events |",
        "|---|---|",
    ]
    for api in apis:
        hooks = api.webhooks
        if hooks is None:
            cell = "not described"
        elif not hooks.events:
            cell = "none documented by the vendor" if not hooks.documented else "none"
        else:
            cell = ", ".join(
                f"[{code(event.name)}](../{api.slug}/docs/{events.EVENTS}#{mark})"
                for event, mark in zip(hooks.events, events.anchors(api), strict=True)
            )
        lines.append(f"| {md(api.title)} | {cell} |")
    lines.append("")
    return lines
