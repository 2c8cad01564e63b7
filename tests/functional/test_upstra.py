"""The generated UpStra client calls every operation of the generated server over real HTTP.

Handlers supplied here record what arrived (the parsed arguments, the raw content type and
body), so each call checks field names, types and encodings end to end.
"""

from __future__ import annotations

import ast
import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import BaseModel

from generator import pipeline
from generator.config import load_config
from generator.ir import Api, Function, Operation
from generator.targets._common import all_body_fields as all_fields
from tests.conftest import ROOT, LiveServer, import_generated

client_pkg = import_generated("upstra", "client", "upstra_client")
server_pkg = import_generated("upstra", "server", "upstra_server")
examples = import_generated("upstra", "server", "upstra_server._examples").EXAMPLES


def _api() -> Api:
    source = pipeline.find_specs(load_config(ROOT), ["upstra"])[0]
    return pipeline.build(pipeline.check(source))


API = _api()


@dataclass
class Arrival:
    operation: str
    kwargs: dict[str, Any]


class Recorder:
    """Records raw requests (ASGI middleware) and handler calls."""

    def __init__(self) -> None:
        self.calls: list[Arrival] = []
        self.raw: list[tuple[str, str, bytes]] = []  # method+path, content type, body

    def middleware(self, app: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            chunks: list[bytes] = []
            more = True
            while more:
                message = await receive()
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(chunks)
            headers = dict(scope["headers"])
            self.raw.append(
                (
                    f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}",
                    headers.get(b"content-type", b"").decode(),
                    body,
                )
            )
            self.last_auth = headers.get(b"authorization", b"").decode()
            sent = False

            async def replay() -> Any:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            await app(scope, replay, send)

        return wrapped

    def handlers(self) -> dict[str, Any]:
        built = {}
        for tag in API.tags:
            base = getattr(server_pkg, f"{tag.pascal}Handlers")
            namespace = {op.py: self._method(op.py) for op in tag.operations}
            built[tag.py] = type(f"Recording{tag.pascal}", (base,), namespace)()
        return built

    def _method(self, name: str) -> Any:
        recorder = self

        async def handler(self: Any, **kwargs: Any) -> Any:
            recorder.calls.append(Arrival(name, kwargs))
            return examples[name]

        return handler


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def server(recorder: Recorder) -> Iterator[LiveServer]:
    app = server_pkg.create_app(**recorder.handlers())
    with LiveServer(recorder.middleware(app)) as live:
        yield live


FILE_BYTES = b"\x89PNG\r\n\x1a\n binary \x00\xff payload"


def arguments(function: Function) -> dict[str, Any]:
    """Every argument of a client method, filled with the spec's example values."""
    values = {}
    for field in function.fields:
        values[field.py] = FILE_BYTES if field.type.is_file else json.loads(field.example_json)
    return values


def wire_body(function: Function, kwargs: dict[str, Any]) -> dict[str, Any]:
    sent = {}
    for field in function.body_fields:
        if field.location != "body":
            continue
        if field.const_repr is not None:
            sent[field.wire] = ast.literal_eval(field.const_repr)
        else:
            sent[field.wire] = kwargs[field.py]
    return sent


def dumped(value: Any, mode: str = "json") -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode=mode, by_alias=True, exclude_unset=True)
    return value


CASES = [(op, fn) for op in API.operations for fn in op.functions]


def test_every_documented_function_is_exercised() -> None:
    assert len(CASES) == 39
    assert sorted(fn.row for _, fn in CASES) == list(range(1, 40))


def check_arrival(
    op: Operation, function: Function, kwargs: dict[str, Any], arrival: Arrival
) -> None:
    assert arrival.operation == op.py
    for field in op.parameters:
        got = dumped(arrival.kwargs[field.py])
        assert got == kwargs[field.py], f"{op.operation_id}: parameter {field.wire}"
    if op.body is None:
        assert "body" not in arrival.kwargs
        return
    body = arrival.kwargs["body"]
    assert type(body).__name__ == op.body.model
    received = dumped(body, "python")
    if hasattr(body, "root"):
        received = dumped(body.root, "python")
        assert type(body.root).__name__ == function.variant
    expected = wire_body(function, kwargs)
    for wire, value in expected.items():
        assert received[wire] == value, f"{op.operation_id}: body field {wire}"


def check_encoding(op: Operation, content_type: str, raw: bytes) -> None:
    if op.body is None:
        assert raw == b""
        return
    assert content_type.split(";")[0] == op.body.media_type
    if op.body.kind == "form":
        for key, _ in parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=True):
            base = key.split("[", 1)[0]
            assert base in {f.wire for f in all_fields(op)}, f"{op.operation_id}: stray {key}"
    if op.body.kind == "json":
        assert isinstance(json.loads(raw), dict)


@pytest.mark.parametrize(("op", "function"), CASES, ids=[fn.method for _, fn in CASES])
def test_sync_client_reaches_handler(
    op: Operation, function: Function, server: LiveServer, recorder: Recorder
) -> None:
    kwargs = arguments(function)
    recorder.calls.clear()
    recorder.raw.clear()
    with client_pkg.Client(token="secret-token", base_url=server.url) as client:
        resource = getattr(client, op.tag)
        result = getattr(resource, function.method)(**kwargs)
    assert len(recorder.calls) == 1
    check_arrival(op, function, kwargs, recorder.calls[0])
    check_encoding(op, recorder.raw[0][1], recorder.raw[0][2])
    assert recorder.last_auth == "Bearer secret-token"
    if op.success.kind == "binary":
        assert result == examples[op.py]
    else:
        assert dumped(result) == examples[op.py]


@pytest.mark.parametrize(("op", "function"), CASES, ids=[fn.method for _, fn in CASES])
def test_async_client_reaches_handler(
    op: Operation, function: Function, server: LiveServer, recorder: Recorder
) -> None:
    kwargs = arguments(function)

    async def call() -> Any:
        async with client_pkg.AsyncClient(token=lambda: "fresh-token", base_url=server.url) as c:
            return await getattr(getattr(c, op.tag), function.method)(**kwargs)

    recorder.calls.clear()
    result = asyncio.run(call())
    check_arrival(op, function, kwargs, recorder.calls[0])
    assert recorder.last_auth == "Bearer fresh-token"
    expected = examples[op.py]
    assert (result if op.success.kind == "binary" else dumped(result)) == expected


def test_form_arrays_travel_as_repeated_keys(server: LiveServer, recorder: Recorder) -> None:
    recorder.raw.clear()
    with client_pkg.Client(token="t", base_url=server.url) as client:
        client.channels.ban_channel_users(channel_id="room 1é?", user_ids=["ann", "bob"])
    target, content_type, raw = recorder.raw[0]
    assert target.startswith("POST /api/v2/channel/room 1é?/users/ban")
    assert content_type == "application/x-www-form-urlencoded"
    assert parse_qsl(raw.decode()) == [("userIds", "ann"), ("userIds", "bob")]
    assert recorder.calls[-1].kwargs["channel_id"] == "room 1é?"


def test_deep_object_form_and_query(server: LiveServer, recorder: Recorder) -> None:
    recorder.raw.clear()
    recorder.calls.clear()
    with client_pkg.Client(token="t", base_url=server.url) as client:
        client.channels.query_channels(tags=["a", "b"], options={"skip": 5, "limit": 10})
        client.reactions.query_reactors(
            reference_id="m1", reference_type="message", options={"limit": 3, "token": "x y"}
        )
    _, _, raw = recorder.raw[0]
    assert parse_qsl(raw.decode()) == [
        ("tags", "a"),
        ("tags", "b"),
        ("options[skip]", "5"),
        ("options[limit]", "10"),
    ]
    options = recorder.calls[0].kwargs["body"].options
    assert (options.skip, options.limit) == (5, 10)
    target, _, body = recorder.raw[1]
    assert body == b""
    query = parse_qsl(target.split("?", 1)[1])
    assert ("options[limit]", "3") in query and ("options[token]", "x y") in query
    assert recorder.calls[1].kwargs["options"].limit == 3


def test_mute_and_unmute_share_one_route(server: LiveServer, recorder: Recorder) -> None:
    recorder.raw.clear()
    recorder.calls.clear()
    with client_pkg.Client(token="t", base_url=server.url) as client:
        client.channels.mute_channel(channel_id="c1", mute_period=60000)
        client.channels.unmute_channel(channel_id="c1")
        client.channels.unmute_channel_users(channel_id="c1", user_ids=["u"])
    assert json.loads(recorder.raw[0][2]) == {"mutePeriod": 60000}
    assert json.loads(recorder.raw[1][2]) == {"mutePeriod": 0}
    assert parse_qsl(recorder.raw[2][2].decode()) == [("mutePeriod", "0"), ("userIds", "u")]
    kinds = [type(call.kwargs["body"].root).__name__ for call in recorder.calls]
    assert kinds == ["MuteChannelRequest", "UnmuteChannelRequest", "UnmuteChannelUsersRequest"]


def test_multipart_upload_from_path_and_binary_download(
    server: LiveServer, recorder: Recorder, tmp_path: Path
) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(FILE_BYTES)
    recorder.raw.clear()
    recorder.calls.clear()
    with client_pkg.Client(token="t", base_url=server.url) as client:
        client.messages.create_image_message(
            channel_id="c1", file=picture, tags=["x", "y"], full_image=True
        )
        image = client.messages.get_message_image(message_id="m1", size="small")
    _, content_type, raw = recorder.raw[0]
    assert content_type.startswith("multipart/form-data; boundary=")
    assert b'filename="cat.png"' in raw
    body = recorder.calls[0].kwargs["body"]
    assert body.file == FILE_BYTES and body.tags == ["x", "y"] and body.full_image is True
    assert image == examples["get_message_image"]
    assert recorder.raw[1][0].endswith("?size=small")


def test_validation_errors_are_400_with_the_error_envelope(server: LiveServer) -> None:
    response = httpx.post(f"{server.url}/api/v2/channel/c1/users/ban", data={"wrong": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error" and body["code"] == 400
    assert "userIds" in body["message"]
    assert "Traceback" not in response.text
    with client_pkg.Client(token="t", base_url=server.url) as client:
        with pytest.raises(client_pkg.BadRequestError) as caught:
            client.users.query_users(filter="nobody")  # type: ignore[arg-type]
    assert caught.value.status_code == 400
    assert caught.value.code == 400


def test_unimplemented_operations_answer_501(live_server_factory: type[LiveServer]) -> None:
    with live_server_factory(server_pkg.create_app()) as live:
        with client_pkg.Client(token="t", base_url=live.url) as client:
            with pytest.raises(client_pkg.APIStatusError) as caught:
                client.roles.query_roles()
    assert caught.value.status_code == 501
    assert "query_roles" in str(caught.value)


def test_mock_mode_answers_examples(live_server_factory: type[LiveServer]) -> None:
    with live_server_factory(server_pkg.create_app(mock=True)) as live:
        with client_pkg.Client(token="t", base_url=live.url) as client:
            users = client.users.query_users()
    assert dumped(users) == examples["query_users"]


def test_connection_errors_are_typed() -> None:
    with client_pkg.Client(token="t", base_url="http://127.0.0.1:9", timeout=2) as client:
        with pytest.raises(client_pkg.APIConnectionError):
            client.roles.query_roles()
