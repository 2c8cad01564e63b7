"""What the functional tests share: recording handlers, arguments from the spec's examples, and
checks of what reached the server."""

from __future__ import annotations

import ast
import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import AwareDatetime, BaseModel, TypeAdapter

from chatforge.config import load_config
from chatforge.ir.model import Api, Function, Operation
from chatforge.run import pipeline
from tests.conftest import GENERATED, ROOT, import_generated

FILE_BYTES = b"\x89PNG\r\n\x1a\n binary \x00\xff payload"


@functools.cache
def project_apis() -> tuple[Api, ...]:
    """The IR of every project spec, built once per test session (an `Api` is frozen)."""
    return tuple(
        pipeline.build(pipeline.check(s)) for s in pipeline.find_specs(load_config(ROOT), ())
    )


@dataclass
class Generated:
    api: Api
    client: ModuleType
    server: ModuleType
    examples: dict[str, Any]


def load_generated(api: Api, root: Path = GENERATED) -> Generated:
    client = import_generated(api.slug, "client", api.client_package, root)
    server = import_generated(api.slug, "server", api.server_package, root)
    examples = import_generated(
        api.slug, "server", f"{api.server_package}._examples", root
    ).EXAMPLES
    return Generated(api, client, server, examples)


def credentials(api: Api) -> dict[str, str]:
    """Client arguments for every credential an example would pass."""
    return {name: f"test-{name}" for auth in api.credentials for name in auth.shown}


def server_check(generated: Generated) -> Any:
    """The server-side check of the API's credentials, keyed to what `credentials` gives."""
    security = generated.server.security
    given = credentials(generated.api)
    if hasattr(security, "signature_check"):
        return security.signature_check({given["app_key"]: given["app_secret"]})
    if hasattr(security, "jwt_check"):
        return security.jwt_check(given["api_key"], given["api_secret"])
    return security.bearer_check(lambda token: token == given["token"])


def resource(client: Any, api: Api, op: Operation) -> Any:
    """The client's attribute for the operation's tag."""
    return getattr(client, next(t.py for t in api.tags if t.name == op.tag))


@dataclass
class Arrival:
    operation: str
    kwargs: dict[str, Any]


async def read_body(receive: Any) -> bytes:
    """The whole body of an ASGI request."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replaying(body: bytes) -> Any:
    """An ASGI `receive` that gives `body` again, once, to the app behind a recorder."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


@dataclass
class Recorder:
    """An ASGI wrapper that records raw requests, and handlers that record their arguments and
    answer the spec's example."""

    generated: Generated
    calls: list[Arrival] = field(default_factory=list)
    raw: list[tuple[str, str, bytes, dict[bytes, bytes]]] = field(default_factory=list)

    def clear(self) -> None:
        self.calls.clear()
        self.raw.clear()

    def wrap(self, app: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            body = await read_body(receive)
            headers = dict(scope["headers"])
            target = f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}"
            self.raw.append((target, headers.get(b"content-type", b"").decode(), body, headers))
            await app(scope, replaying(body), send)

        return wrapped

    def handlers(self) -> dict[str, Any]:
        built = {}
        for tag in self.generated.api.tags:
            base = getattr(self.generated.server, f"{tag.pascal}Handlers")
            namespace = {op.py: self._method(op.py) for op in tag.operations}
            built[tag.py] = type(f"Recording{tag.pascal}", (base,), namespace)()
        return built

    def _method(self, name: str) -> Any:
        recorder = self

        async def handler(self: Any, **kwargs: Any) -> Any:
            recorder.calls.append(Arrival(name, kwargs))
            return recorder.generated.examples[name]

        return handler


def arguments(function: Function) -> dict[str, Any]:
    """Every argument of a client method, filled with the spec's example values."""
    return {
        f.py: FILE_BYTES if f.type.is_file else json.loads(f.example_json) for f in function.fields
    }


def dumped(value: Any, mode: str = "json") -> Any:  # for assertions on raw shapes
    if isinstance(value, BaseModel):
        return value.model_dump(mode=mode, by_alias=True, exclude_unset=True)
    return value


def expected_body(function: Function, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The body fields the server should see, by wire name ("" for a whole-body argument)."""
    return {
        f.wire: ast.literal_eval(f.const_repr) if f.const_repr is not None else kwargs[f.py]
        for f in function.body_fields
    }


def same(received: Any, sent: Any) -> bool:
    """Whether what the server parsed is what the client was given, read through the same
    model where there is one (so `2024-07-01T09:00:00Z` and a datetime agree)."""
    if isinstance(received, BaseModel):
        if isinstance(sent, BaseModel):
            sent = sent.model_dump(by_alias=True, exclude_unset=True)
        return received == type(received).model_validate(sent)
    if isinstance(received, list) and isinstance(sent, list | tuple):
        return len(received) == len(sent) and all(map(same, received, sent))
    if isinstance(received, datetime) and isinstance(sent, str):
        return received == TypeAdapter(AwareDatetime).validate_python(sent)
    return bool(received == sent)


def check_arrival(
    op: Operation, function: Function, kwargs: dict[str, Any], arrival: Arrival
) -> None:
    """The handler got every parameter and body field the client was given, typed."""
    assert arrival.operation == op.py
    for param in op.parameters:
        got = arrival.kwargs[param.py]
        assert same(got, kwargs[param.py]), f"{op.operation_id}: parameter {param.wire}"
    if op.body is None:
        assert "body" not in arrival.kwargs
        return
    body = arrival.kwargs["body"]
    assert type(body).__name__ == op.body.model
    inner = body.root if hasattr(body, "root") and isinstance(body.root, BaseModel) else body
    if function.variant is not None:
        assert type(inner).__name__ == function.variant
    expected = expected_body(function, kwargs)
    sent = expected[""] if "" in expected else expected
    assert same(inner, sent), f"{op.operation_id}: body {body!r} != {sent!r}"
