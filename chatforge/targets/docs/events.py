"""The Events page of an API's docs (`events.md`): every event the platform delivers, with its
payload, a sample delivery, how a delivery is verified and what the platform expects back."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from chatforge.ir.model import Api, Model, Webhook, WebhookPlace, WebhookScheme
from chatforge.targets.templating import render as render_template
from chatforge.targets.text import anchor, code, md, md_block, normalise

EVENTS = "events.md"
TITLE = "Events"


@dataclass(frozen=True)
class EventSection:
    anchor: str
    name_md: str
    summary_md: str
    description_md: str
    facts_md: tuple[str, ...]  # bullets: where it arrives, payload, handler, verification
    fields: tuple[tuple[str, str, str, str], ...]  # finished cells: field, type, required, about
    sample_fence: str
    sample_language: str
    sample: str | None


@dataclass(frozen=True)
class EventsPage:
    title_md: str
    intro_md: str
    documented: bool
    note_md: str
    delivery_md: tuple[str, ...]  # bullets: receiver, answer, timeout, retries, source
    schemes_md: tuple[str, ...]  # one paragraph per way deliveries are checked
    index: tuple[tuple[str, str, str], ...]  # finished cells: event (linked), handler, summary
    events: tuple[EventSection, ...]
    replies: tuple[str, ...]  # linked names of the events that want a verdict back
    server_example: str
    client_example: str


def _place(place: WebhookPlace) -> str:
    where = {"header": "header", "query": "query parameter", "body": "body field"}
    return f"the {where[place.location]} {code(place.name)}"


def scheme_text(scheme: WebhookScheme) -> str:
    """How deliveries checked by `scheme` are verified, in finished Markdown."""
    if scheme.kind == "none":
        return "Deliveries carry no credentials and are not verified."
    if scheme.kind == "api_key":
        assert scheme.carried is not None
        return f"Each delivery carries the shared secret itself in {_place(scheme.carried)}."
    if scheme.kind == "bearer":
        return "Each delivery carries the shared secret as a bearer token (`Authorization`)."
    if scheme.kind == "basic":
        return "Each delivery carries basic credentials (`user:password`, the shared secret)."
    assert scheme.carried is not None
    parts = []
    for part in scheme.message:
        if part == "body":
            parts.append("the raw body")
        elif part == "secret":
            parts.append("the shared secret")
        elif isinstance(part, WebhookPlace):
            parts.append(_place(part))
    algorithm = scheme.algorithm.upper()
    keyed = ", keyed with the shared secret," if scheme.algorithm.startswith("hmac-") else ""
    text = (
        f"Each delivery carries, in {_place(scheme.carried)}, the {scheme.encoding} "
        f"{code(algorithm)} digest{keyed} of {', then '.join(parts)}."
    )
    if scheme.timestamp is not None:
        stamp = scheme.timestamp
        unit = "milliseconds" if stamp.milliseconds else "seconds"
        text += (
            f" The sending time ({unit}) is in {_place(stamp.place)}; a delivery more than "
            f"{stamp.tolerance:g} seconds from the receiver's clock is refused as stale."
        )
    if scheme.id is not None:
        text += (
            f" Each delivery's id is in {_place(scheme.id)}; a delivery with an id already "
            "handled gets the answer the first one got, and no handler runs again."
        )
    return text


def _sample(event: Webhook) -> tuple[str | None, str]:
    if event.example_json is None:
        return None, "json"
    value = json.loads(event.example_json)
    if event.encoding == "form" and isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            for one in item if isinstance(item, list) else [item]:
                text = one if isinstance(one, str) else json.dumps(one, ensure_ascii=False)
                pairs.append((key, text))
        return urlencode(pairs), "text"
    return json.dumps(value, indent=2, ensure_ascii=False), "json"


def _fence(text: str | None) -> str:
    runs = [len(run) for run in re.findall(r"`+", text or "")]
    return "`" * max(3, max(runs, default=0) + 1)


def anchors(api: Api) -> tuple[str, ...]:
    """The anchor of each event's section on the page, in the order of the events."""
    taken: list[str] = []
    for event in api.webhooks.events if api.webhooks else ():
        mark = "event-" + anchor(event.name)
        while mark in taken:
            mark += "-2"
        taken.append(mark)
    return tuple(taken)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _label(text: str) -> str:
    """A type label as Markdown: the code spans it holds stay code spans."""
    parts = _CODE_SPAN.split(text)
    return "".join(code(part) if index % 2 else md(part) for index, part in enumerate(parts))


def _section(event: Webhook, models: dict[str, Model], mark: str) -> EventSection:
    where = f"{code('POST ' + event.path)}"
    if event.match:
        told = ", ".join(f"{code(name)} is {code(value)}" for name, value in event.match)
        where += f", when {told}"
    facts = [
        f"Received at {where}.",
        f"Payload: {code(event.model)}, posted as {code(event.media_type)}.",
        f"Handler: {code(event.handler)} of the generated server's `Webhooks` class.",
    ]
    if event.reply is not None:
        facts.append(
            f"Answer: the platform waits for a verdict; the handler returns a "
            f"{code(event.reply)}, sent back as the JSON response body with HTTP "
            f"{event.reply_status}."
        )
    if event.source:
        facts.append(f"Source: {code(event.source)}.")
    model = models.get(event.model)
    fields = tuple(
        (
            code(prop.wire),
            _label(prop.label),
            "yes" if prop.required else "no",
            md(prop.description),
        )
        for prop in (model.properties if model else ())
    )
    sample, language = _sample(event)
    return EventSection(
        anchor=mark,
        name_md=code(event.name),
        summary_md=md(event.summary),
        description_md=md_block(event.description) if event.description.strip() else "",
        facts_md=tuple(facts),
        fields=fields,
        sample_fence=_fence(sample),
        sample_language=language,
        sample=normalise(sample) if sample is not None else None,
    )


def page(api: Api) -> EventsPage | None:
    hooks = api.webhooks
    if hooks is None:
        return None
    models = {model.name: model for model in api.models}
    sections = tuple(
        _section(event, models, mark)
        for event, mark in zip(hooks.events, anchors(api), strict=True)
    )
    delivery: list[str] = []
    shared = [event for event in hooks.events if not event.own_path]
    if len(shared) > 1:
        delivery.append(
            f"Events that share one URL are received at {code('POST ' + hooks.path)} and told "
            "apart by the body fields each event lists."
        )
    elif shared:
        delivery.append(f"Events are received at {code('POST ' + hooks.path)}.")
    answer = hooks.answer
    expected = f"HTTP {answer.status}"
    if answer.body:
        expected += f" with the body {code(answer.body)}"
    if answer.content_type:
        expected += f" ({code(answer.content_type)})"
    delivery.append(f"Expected answer: {expected}.")
    if hooks.timeout is not None:
        delivery.append(f"The platform waits {hooks.timeout:g} seconds for the answer.")
    if hooks.retries is not None or hooks.retries_note:
        retries = f"{hooks.retries} retries" if hooks.retries is not None else "Retries"
        note = f": {md(hooks.retries_note)}" if hooks.retries_note else "."
        delivery.append(f"{retries}{note}")
    if hooks.source:
        delivery.append(f"Source: {code(hooks.source)}.")
    schemes = tuple(
        dict.fromkeys(
            (f"{code(s.name)}: " if s.name else "") + scheme_text(s) for s in hooks.schemes
        )
    )
    first = hooks.events[0] if hooks.events else None
    server = client = ""
    if first is not None:
        imported = first.model if first.reply is None else f"{first.model}, {first.reply}"
        returns, body = (
            ("None", "handle the event")
            if first.reply is None
            else (first.reply, "decide, and return the verdict")
        )
        server = (
            f"from {api.server_package} import Webhooks, create_app\n"
            f"from {api.server_package}.models import {imported}\n\n\n"
            "class MyWebhooks(Webhooks):\n"
            f"    async def {first.handler}(self, event: {first.model}) -> {returns}:\n"
            f"        ...  # {body}\n\n\n"
            'app = create_app(webhooks=MyWebhooks(), webhook_secret="the shared secret")\n'
        )
        client = (
            f"from {api.client_package} import UnknownEvent, parse_webhook\n\n"
            "event = parse_webhook(body, headers=headers, query=query, "
            'secret="the shared secret")\n'
            "if isinstance(event, UnknownEvent):\n"
            "    ...  # an event this package does not know: event.payload\n"
        )
    return EventsPage(
        title_md=md(f"{api.title}: events"),
        intro_md=(
            "What the platform posts to the customer's server, and how the generated server "
            "and client receive it."
        ),
        documented=hooks.documented,
        note_md=md_block(hooks.note) if hooks.note else "",
        delivery_md=tuple(delivery) if hooks.events else (),
        schemes_md=schemes,
        index=tuple(
            (f"[{section.name_md}](#{section.anchor})", code(event.handler), section.summary_md)
            for section, event in zip(sections, hooks.events, strict=True)
        ),
        events=sections,
        replies=tuple(
            f"[{section.name_md}](#{section.anchor})"
            for section, event in zip(sections, hooks.events, strict=True)
            if event.reply is not None
        ),
        server_example=server,
        client_example=client,
    )


def render(api: Api) -> dict[str, str]:
    """`events.md`, where the spec says anything about events."""
    found = page(api)
    if found is None:
        return {}
    return {EVENTS: render_template("docs/events.md.j2", page=found)}


def nav_entry(api: Api) -> list[list[str]]:
    """The Events page in the API's navigation, where it has one."""
    return [[TITLE, EVENTS]] if api.webhooks is not None else []
