"""The client runtime's HTTP core, on an httpx MockTransport."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import BaseModel

from chatforge.runtime.client import _raw
from chatforge.runtime.client._base import Endpoint, Envelope, SyncAPIClient
from chatforge.runtime.client._errors import (
    APIEnvelopeError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from chatforge.runtime.client._types import NOT_GIVEN


class Answer(BaseModel):
    code: int
    name: str | None = None


def client(handler: object, envelope: Envelope | None = None) -> SyncAPIClient:
    api = SyncAPIClient(
        base_url="https://api.example/",
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        envelope=envelope,
    )
    api.sleep = lambda seconds: None
    return api


def test_envelope_failure_with_a_success_status_raises() -> None:
    body = {"code": 1002, "errorMessage": "userId is required"}
    api = client(lambda request: httpx.Response(200, json=body), Envelope("code", (200,)))
    with pytest.raises(APIEnvelopeError) as caught:
        api.request(Endpoint("POST", "/user/info.json", body="form"), Answer, body={"userId": "u"})
    assert caught.value.code == 1002
    assert caught.value.message == "userId is required"
    assert caught.value.status_code == 200


def test_envelope_success_parses() -> None:
    api = client(
        lambda request: httpx.Response(200, json={"code": 0, "name": "x"}), Envelope("code", (0,))
    )
    answer = api.request(Endpoint("POST", "/v4/user/get", body="json"), Answer, body={})
    assert answer == Answer(code=0, name="x")
    raw = _raw.wrap(api.request)(Endpoint("POST", "/v4/user/get", body="json"), Answer, body={})
    assert raw.status_code == 200 and raw.parse() == answer


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, NotFoundError),
        (429, RateLimitError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_errors_carry_the_vendor_body(status: int, error: type[APIStatusError]) -> None:
    body = {"code": 7, "message": "nope"}
    api = client(
        lambda request: httpx.Response(status, json=body, headers={"X-Request-ID": "req-1"})
    )
    with pytest.raises(error) as caught:
        api.request(Endpoint("GET", "/x"), Answer)
    assert type(caught.value) is error
    assert (caught.value.status_code, caught.value.code) == (status, 7)
    assert caught.value.request_id == "req-1" and caught.value.body == body


def test_form_query_and_path_encoding() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 1})

    api = client(handle)
    api.request(
        Endpoint("POST", "/c/{id}/x", body="form", styles={"content": "json", "o": "deepObject"}),
        Answer,
        path={"id": "a b/c"},
        query={"flag": True, "skip": NOT_GIVEN},
        body={"ids": ["1", "2"], "content": {"text": "hi"}, "o": {"k": 1}, "n": NOT_GIVEN},
        options={"extra_headers": {"X-Trace": "t"}, "extra_query": {"debug": "1"}},
    )
    request = seen[0]
    assert request.url.raw_path == b"/c/a%20b%2Fc/x?flag=true&debug=1"
    assert request.headers["X-Trace"] == "t"
    assert parse_qsl(request.content.decode()) == [
        ("ids", "1"),
        ("ids", "2"),
        ("content", '{"text":"hi"}'),
        ("o[k]", "1"),
    ]


def test_json_body_drops_values_not_given() -> None:
    seen: list[httpx.Request] = []
    api = client(lambda r: seen.append(r) or httpx.Response(200, json={"code": 1}))
    api.request(
        Endpoint("POST", "/j", body="json"), Answer, body={"a": 1, "b": NOT_GIVEN, "c": None}
    )
    assert json.loads(seen[0].content) == {"a": 1, "c": None}


def test_timeouts_are_typed() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(APITimeoutError):
        client(handle).request(Endpoint("GET", "/x"), Answer, options={"timeout": 0.5})


def test_uploads_from_bytes_paths_file_objects_and_tuples(tmp_path: object) -> None:
    import io
    from pathlib import Path

    from chatforge.runtime.client._encoding import file_part

    picture = Path(str(tmp_path)) / "cat.png"
    picture.write_bytes(b"PNG")
    assert file_part("file", b"raw") == ("file", b"raw", "application/octet-stream")
    assert file_part("file", picture) == ("cat.png", b"PNG", "application/octet-stream")
    with open(picture, "rb") as handle:
        assert file_part("file", handle) == ("cat.png", b"PNG", "application/octet-stream")
    assert file_part("file", io.BytesIO(b"mem")) == ("file", b"mem", "application/octet-stream")
    assert file_part("file", ("a.txt", b"x", "text/plain")) == ("a.txt", b"x", "text/plain")
    with pytest.raises(TypeError, match="cannot upload"):
        file_part("file", 42)  # type: ignore[arg-type]
