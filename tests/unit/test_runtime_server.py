"""The server runtime's credential checks, in a minimal FastAPI app."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import Depends, FastAPI

from generator.runtime.client._jwt import hs256_token
from generator.runtime.server._errors import ErrorShape, install_error_handlers
from generator.runtime.server._security import BearerCheck, JWTCheck, SignatureCheck


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
