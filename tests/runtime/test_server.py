"""The server runtime's credential checks, in a minimal FastAPI app."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import TypeAdapter, ValidationError

from chatforge.runtime.client._jwt import hs256_token
from chatforge.runtime.server._checks import JsonFloat
from chatforge.runtime.server._errors import ErrorShape, install_error_handlers
from chatforge.runtime.server._limits import BodyLimit
from chatforge.runtime.server._params import MAX_DEPTH, coerce, read_json
from chatforge.runtime.server._security import BearerCheck, JWTCheck, SignatureCheck


def call(check: object, **request: object) -> httpx.Response:
    app = FastAPI(dependencies=[Depends(check)])
    install_error_handlers(app, ErrorShape())

    @app.get("/x")
    async def endpoint() -> dict[str, bool]:
        return {"ok": True}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/x", **request)  # type: ignore[arg-type]

    return asyncio.run(go())


STREAM = {
    "header": "Authorization",
    "prefix": "",
    "api_key_param": "api_key",
    "auth_type_header": "Stream-Auth-Type",
}


def test_jwt_check_accepts_a_server_token() -> None:
    check = JWTCheck("key", "secret", **STREAM)  # type: ignore[arg-type]
    token = hs256_token({"server": True}, "secret")
    ok = call(check, params={"api_key": "key"}, headers={"Authorization": token})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("params", "headers", "reason"),
    [
        (
            {"api_key": "other"},
            {"Authorization": hs256_token({"server": True}, "secret")},
            "api_key",
        ),
        (
            {"api_key": "key"},
            {"Authorization": hs256_token({"server": True}, "other")},
            "signature",
        ),
        ({"api_key": "key"}, {"Authorization": "not-a-token"}, "not a JSON Web Token"),
        ({"api_key": "key"}, {}, "missing"),
        ({"api_key": "key"}, {"Authorization": hs256_token({"exp": 1}, "secret")}, "expired"),
    ],
)
def test_jwt_check_refuses(params: dict[str, str], headers: dict[str, str], reason: str) -> None:
    check = JWTCheck("key", "secret", **STREAM)  # type: ignore[arg-type]
    refused = call(check, params=params, headers=headers)
    assert refused.status_code == 401
    assert reason in refused.json()["message"]


def test_jwt_check_anonymous_only_when_allowed() -> None:
    anonymous = {"params": {"api_key": "key"}, "headers": {"Stream-Auth-Type": "anonymous"}}
    strict = JWTCheck("key", "secret", **STREAM)  # type: ignore[arg-type]
    assert call(strict, **anonymous).status_code == 401
    lenient = JWTCheck("key", "secret", allow_anonymous=True, **STREAM)  # type: ignore[arg-type]
    assert call(lenient, **anonymous).status_code == 200


def test_bearer_check_with_async_verifier() -> None:
    async def verify(token: str) -> bool:
        return token == "good"

    check = BearerCheck(verify)
    assert call(check, headers={"Authorization": "Bearer good"}).status_code == 200
    assert call(check, headers={"Authorization": "Bearer bad"}).status_code == 401
    assert call(check, headers={"Authorization": "Basic x"}).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"App-Key": "k", "Nonce": "n", "Timestamp": "TS", "Signature": "é"},
        {"App-Key": "ké", "Nonce": "n", "Timestamp": "TS", "Signature": "0" * 40},
    ],
    ids=["signature", "app key"],
)
def test_signature_check_refuses_text_beyond_ascii(headers: dict[str, str]) -> None:
    import time

    stamp = str(int(time.time()))
    sent = {k: v.replace("TS", stamp).encode() for k, v in headers.items()}
    response = call(SignatureCheck({"k": "secret"}), headers=sent)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("api_key", ["kéy", "key"])
def test_jwt_check_refuses_text_beyond_ascii(api_key: str) -> None:
    head, payload, signature = hs256_token({"server": True}, "secret").split(".")
    token = (
        f"{head}.{payload}é.{signature}" if api_key == "key" else f"{head}.{payload}.{signature}"
    )
    response = call(
        JWTCheck("key", "secret", **STREAM),  # type: ignore[arg-type]
        params={"api_key": api_key},
        headers={"Authorization": token.encode(), "Stream-Auth-Type": "jwt"},
    )
    assert response.status_code == 401, response.text


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signed(header: bytes, claims: bytes, secret: str = "secret") -> str:
    signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{_b64(header)}.{_b64(claims)}.{_b64(signature)}"


HS256 = b'{"alg":"HS256","typ":"JWT"}'
DEEP = b"[" * 3000 + b"]" * 3000


def _malformed_tokens() -> list[str]:
    good = hs256_token({"server": True}, "secret")
    head, payload, signature = good.split(".")
    headers = [
        DEEP,  # deeper than Python's parser goes
        b'{"alg":' + b"[" * 100 + b"]" * 100 + b"}",  # deeper than any token needs
        b'{"a":' * 900 + b"1" + b"}" * 900,
        b"not json",
        b"\xff\xfe\x00 not utf-8",
        b"9" * 5000,  # more digits than Python reads
        b'{"alg":"HS256","n":' + b"9" * 5000 + b"}",
        b'{"alg":"HS256","n":NaN}',
        b"[]",
        b'"HS256"',
        b"1e999999",
        b"null",
        b'{"alg":["HS256"]}',
        b'{"alg":{"HS256":1}}',
        b'{"alg":null}',
        b'{"alg":"none"}',
        b"{}",
    ]
    tokens = [f"{_b64(h)}.{payload}.{signature}" for h in headers]
    tokens += [_signed(HS256, claims) for claims in (DEEP, b"[]", b"1", b"not json")]
    tokens += [_signed(HS256, b'{"exp":' + value + b"}") for value in (b'"never"', b"true")]
    tokens += [
        "",
        ".",
        "..",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        f"{head}.{payload}.!!!",
        f"{head}.{payload}",
        f"{head}.{payload}.{signature}." + "x" * 10,
        "e" * 20000,
        f"{head}.{payload}{'A' * 20000}.{signature}",
    ]
    return tokens


def test_jwt_check_refuses_every_malformed_token_with_401() -> None:
    """Bad base64, no JSON, JSON nested past any depth, numbers no type holds, a header or
    claims that are not objects, an `alg` of the wrong type, tokens of the wrong shape or
    size: each answers 401, none 500."""
    check = JWTCheck("key", "secret", **STREAM)  # type: ignore[arg-type]
    for token in _malformed_tokens():
        refused = call(check, params={"api_key": "key"}, headers={"Authorization": token})
        assert refused.status_code == 401, (token[:40], refused.status_code, refused.text[:200])


def test_read_json_refuses_what_json_does_not_hold() -> None:
    assert read_json('{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert read_json(nested)
    for text in (DEEP.decode(), "[" + nested + "]", "NaN", "-Infinity", "9" * 5000, "{"):
        with pytest.raises(ValueError):
            read_json(text)


def test_form_numbers_past_any_type_stay_text() -> None:
    assert coerce("12", "integer") == 12
    assert coerce("-1.5e3", "number") == -1500.0
    for text, kind in (("9" * 5000, "integer"), ("1e999999", "number"), ("١٢", "integer")):
        assert coerce(text, kind) == text


def test_json_numbers_are_finite() -> None:
    adapter = TypeAdapter(JsonFloat)
    assert adapter.validate_json("1.5", context={"json": True}) == 1.5
    for text in ("1e999999", "-1e999999", "NaN", "Infinity"):
        with pytest.raises(ValidationError):
            adapter.validate_json(text, context={"json": True})


def test_body_limit_reads_a_content_length_of_any_size() -> None:
    shape = ErrorShape()

    async def app(scope: object, receive: object, send: object) -> None:
        pytest.fail("the body limit let the request through")

    async def go(length: bytes) -> list[dict[str, object]]:
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {"type": "http", "headers": [(b"content-length", length)]}
        await BodyLimit(app, 1024, shape)(scope, receive, send)  # type: ignore[arg-type]
        return sent

    for length in (b"9" * 5000, b"0" * 5000 + b"2048", b"1" + b"0" * 30):
        [start, _] = asyncio.run(go(length))
        assert start["status"] == 413, length[:20]
