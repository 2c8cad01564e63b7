"""The description of an API's events that the client's and the server's `webhooks` modules
both print: one `Scheme` per way deliveries are checked, one `EventKind` per event."""

from __future__ import annotations

import json
from dataclasses import dataclass

from chatforge import naming
from chatforge.config import RUNTIME
from chatforge.ir.model import Api, Webhook, WebhookPlace, WebhookScheme
from chatforge.ir.schemas import literal, tuple_literal
from chatforge.targets.text import pystr


@dataclass(frozen=True)
class SchemeConst:
    name: str  # the module constant
    expression: str
    about: str  # a comment line: which scheme it is


@dataclass(frozen=True)
class EventView:
    event: Webhook
    expression: str


@dataclass(frozen=True)
class WebhooksView:
    schemes: tuple[SchemeConst, ...]
    events: tuple[EventView, ...]
    models: tuple[str, ...]  # payload classes, sorted
    path: str
    answer: str  # the Answer expression

    @property
    def replies(self) -> bool:
        """Some event wants a verdict back."""
        return any(view.event.reply is not None for view in self.events)

    def runtime_names(self, more: list[str]) -> list[str]:
        """The runtime names the module imports: those its constants use, and `more`."""
        names = {"EventKind", "Receiver", "Scheme", *more}
        text = " ".join(scheme.expression for scheme in self.schemes)
        names |= {name for name in ("Place", "Stamp") if f"{name}(" in text}
        return sorted(names, key=lambda n: (not n.isupper(), n.lower(), n))

    @property
    def event_type(self) -> str:
        """The annotation of a parsed event: the union of the payload models."""
        ordered = tuple(dict.fromkeys(view.event.model for view in self.events))
        return " | ".join(ordered)


def _place(place: WebhookPlace) -> str:
    return f"Place({pystr(place.location)}, {pystr(place.name)})"


def scheme_expression(scheme: WebhookScheme) -> str:
    if scheme.kind in ("none", "bearer", "basic"):
        return f"Scheme({pystr(scheme.kind)})"
    assert scheme.carried is not None
    if scheme.kind == "api_key":
        return f"Scheme({pystr(scheme.kind)}, carried={_place(scheme.carried)})"
    parts = [pystr(p) if isinstance(p, str) else _place(p) for p in scheme.message]
    message = f"({', '.join(parts)},)" if len(parts) == 1 else f"({', '.join(parts)})"
    options = [
        pystr("signature"),
        f"carried={_place(scheme.carried)}",
        f"algorithm={pystr(scheme.algorithm)}",
        f"encoding={pystr(scheme.encoding)}",
        f"message={message}",
    ]
    if scheme.timestamp is not None:
        stamp = scheme.timestamp
        options.append(
            f"timestamp=Stamp({_place(stamp.place)}, milliseconds={stamp.milliseconds}, "
            f"tolerance={stamp.tolerance!r})"
        )
    if scheme.id is not None:
        options.append(f"id={_place(scheme.id)}")
    return f"Scheme({', '.join(options)})"


def view(api: Api) -> WebhooksView | None:
    """What the `webhooks` modules print; None where the API delivers no events."""
    hooks = api.webhooks
    if hooks is None or not hooks.events:
        return None
    constants: dict[WebhookScheme, SchemeConst] = {}
    taken: set[str] = set()
    for scheme in hooks.schemes:
        name = (
            naming.identifier(scheme.name).upper().lstrip("_") + "_SCHEME"
            if scheme.name
            else "UNCHECKED"
        )
        while name in taken:
            name += "_"
        taken.add(name)
        about = (
            f"Deliveries checked with the {scheme.name!r} security scheme."
            if scheme.name
            else "Deliveries that carry no credentials."
        )
        constants[scheme] = SchemeConst(name, scheme_expression(scheme), about)
    events = []
    for event in hooks.events:
        options = [
            pystr(event.name),
            pystr(event.handler),
            event.model,
            f"form={event.encoding == 'form'}",
        ]
        if event.match:
            pairs = [f"({pystr(k)}, {literal(json.loads(v))})" for k, v in event.match]
            options.append(f"match=({', '.join(pairs)},)")
        options.append(f"path={pystr(event.path)}")
        if event.arrays:
            options.append(f"arrays={tuple_literal(event.arrays)}")
        if event.kinds:
            pairs = [f"({pystr(k)}, {pystr(v)})" for k, v in event.kinds]
            options.append(f"kinds=({', '.join(pairs)},)")
        options.append(f"scheme={constants[event.scheme].name}")
        if event.reply is not None:
            options.append(f"reply={event.reply}")
            if event.reply_status != 200:
                options.append(f"reply_status={event.reply_status}")
        events.append(EventView(event, f"EventKind({', '.join(options)})"))
    answer = hooks.answer
    return WebhooksView(
        schemes=tuple(constants.values()),
        events=tuple(events),
        models=tuple(
            sorted(
                {event.model for event in hooks.events}
                | {event.reply for event in hooks.events if event.reply is not None}
            )
        ),
        path=hooks.path,
        answer=(
            f"Answer({answer.status}, {pystr(answer.body)}, "
            f"{pystr(answer.content_type) if answer.content_type else None})"
        ),
    )


def runtime(package: str, server: bool) -> dict[str, str]:
    """The hand-written webhook runtime, copied into `<package>/_runtime/`."""
    names = ["_webhooks.py", "_receiver.py"] if server else ["_webhooks.py"]
    return {
        f"{package}/_runtime/{name}": (RUNTIME / "webhooks" / name).read_text(encoding="utf-8")
        for name in names
    }
