"""UpStra specifics over real HTTP: repeated keys, deepObject, shared mute routes, multipart
uploads and binary downloads, validation errors, 501 and mock mode."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.conftest import LiveServer
from tests.functional.harness import (
    FILE_BYTES,
    Recorder,
    dumped,
    load_generated,
    project_apis,
)

GENERATED = load_generated(next(api for api in project_apis() if api.slug == "upstra"))
client_pkg = GENERATED.client
server_pkg = GENERATED.server
examples = GENERATED.examples


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder(GENERATED)


@pytest.fixture(scope="module")
def server(recorder: Recorder) -> Iterator[LiveServer]:
    app = server_pkg.create_app(**recorder.handlers())
    with LiveServer(recorder.wrap(app)) as live:
        yield live


def test_form_arrays_travel_as_repeated_keys(server: LiveServer, recorder: Recorder) -> None:
    recorder.clear()
    with client_pkg.Client(token="t", base_url=server.url) as client:
        client.channels.ban_channel_users(channel_id="room 1é?", user_ids=["ann", "bob"])
    target, content_type, raw, _ = recorder.raw[0]
    assert target.startswith("POST /api/v2/channel/room 1é?/users/ban")
    assert content_type == "application/x-www-form-urlencoded"
    assert parse_qsl(raw.decode()) == [("userIds", "ann"), ("userIds", "bob")]
    assert recorder.calls[-1].kwargs["channel_id"] == "room 1é?"


def test_deep_object_form_and_query(server: LiveServer, recorder: Recorder) -> None:
    recorder.clear()
    with client_pkg.Client(token="t", base_url=server.url) as client:
        client.channels.query_channels(tags=["a", "b"], options={"skip": 5, "limit": 10})
        client.reactions.query_reactors(
            reference_id="m1", reference_type="message", options={"limit": 3, "token": "x y"}
        )
    _, _, raw, _ = recorder.raw[0]
    assert parse_qsl(raw.decode()) == [
        ("tags", "a"),
        ("tags", "b"),
        ("options[skip]", "5"),
        ("options[limit]", "10"),
    ]
    options = recorder.calls[0].kwargs["body"].options
    assert (options.skip, options.limit) == (5, 10)
    target, _, body, _ = recorder.raw[1]
    assert body == b""
    query = parse_qsl(target.split("?", 1)[1])
    assert ("options[limit]", "3") in query and ("options[token]", "x y") in query
    assert recorder.calls[1].kwargs["options"].limit == 3


def test_mute_and_unmute_share_one_route(server: LiveServer, recorder: Recorder) -> None:
    recorder.clear()
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
    recorder.clear()
    with client_pkg.Client(token="t", base_url=server.url) as client:
        client.messages.create_image_message(
            channel_id="c1", file=picture, tags=["x", "y"], full_image=True
        )
        image = client.messages.get_message_image(message_id="m1", size="small")
    _, content_type, raw, _ = recorder.raw[0]
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
            roles = client.roles.query_roles()
            users = client.users.query_users()
    assert dumped(roles) == examples["query_roles"]
    # A list operation answers a page of its mock items, each the example's, and no next token.
    assert dumped(users)["users"] == examples["query_users"]["users"] * 5
    assert dumped(users)["paging"] == {}


def test_connection_errors_are_typed() -> None:
    with client_pkg.Client(token="t", base_url="http://127.0.0.1:9", timeout=2) as client:
        with pytest.raises(client_pkg.APIConnectionError):
            client.roles.query_roles()


def test_binary_downloads_stream_to_a_file(server: LiveServer, tmp_path: Path) -> None:
    target = tmp_path / "photo.jpg"
    with client_pkg.Client(token="t", base_url=server.url) as client:
        written = client.messages.download_message_image(
            destination=target, message_id="m1", size="large"
        )
    assert written == target and target.read_bytes() == examples["get_message_image"]

    async def fetch() -> Path:
        async with client_pkg.AsyncClient(token="t", base_url=server.url) as client:
            return await client.messages.download_message_file(
                destination=tmp_path / "doc.bin", message_id="m2"
            )

    assert asyncio.run(fetch()).read_bytes() == examples["get_message_file"]


def test_a_failed_download_leaves_no_file(
    live_server_factory: type[LiveServer], tmp_path: Path
) -> None:
    target = tmp_path / "photo.jpg"
    with live_server_factory(server_pkg.create_app()) as live:  # unimplemented: 501
        with client_pkg.Client(token="t", base_url=live.url) as client:
            with pytest.raises(client_pkg.APIStatusError):
                client.messages.download_message_image(destination=target, message_id="m1")
    assert list(tmp_path.iterdir()) == []
