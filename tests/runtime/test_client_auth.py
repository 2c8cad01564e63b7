"""The client runtime's auth schemes, against answers computed by independent tools
(`openssl sha1`, PyJWT 2.15.1), and through httpx as a request sees them."""

from __future__ import annotations

import httpx
import pytest

from chatforge.runtime.client._auth import (
    ApiKeyAuth,
    BearerAuth,
    FixedHeader,
    JWTAuth,
    MultiAuth,
    SignatureAuth,
)
from chatforge.runtime.client._jwt import hs256_token


def sent(auth: httpx.Auth) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with httpx.Client(auth=auth, transport=httpx.MockTransport(handle)) as client:
        client.post("https://api.example/v1/x?a=1")
    return seen[0]


def test_sha1_signature_known_answer() -> None:
    # printf 'Y1W2MeFwwwRxa0143141408710653491' | openssl sha1
    auth = SignatureAuth("key", "Y1W2MeFwwwRxa0")
    assert auth.sign("14314", "1408710653491") == "dd11a264276f438b045b3b236a2741ddc89d48df"


@pytest.mark.parametrize(
    ("milliseconds", "timestamp"), [(False, "1408710653"), (True, "1408710653491")]
)
def test_signature_headers_on_the_wire(milliseconds: bool, timestamp: str) -> None:
    auth = SignatureAuth(
        "app-key",
        lambda: "Y1W2MeFwwwRxa0",
        milliseconds=milliseconds,
        clock=lambda: 1408710653.491,
        nonce=lambda: "14314",
    )
    request = sent(auth)
    assert request.headers["App-Key"] == "app-key"
    assert request.headers["Nonce"] == "14314"
    assert request.headers["Timestamp"] == timestamp
    assert request.headers["Signature"] == auth.sign("14314", timestamp)
    assert "Y1W2MeFwwwRxa0" not in repr(auth)


def test_signature_nonces_differ_between_requests() -> None:
    auth = SignatureAuth("k", "s")
    first, second = sent(auth), sent(auth)
    assert first.headers["Nonce"] != second.headers["Nonce"]
    assert len(first.headers["Nonce"]) <= 18


def test_hs256_server_token_known_answer() -> None:
    # jwt.encode({"server": True}, "stream-secret", algorithm="HS256") with PyJWT 2.15.1
    assert hs256_token({"server": True}, "stream-secret") == (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzZXJ2ZXIiOnRydWV9."
        "Jpl6mXwjnaYy53cH5IZOE2tV3MeAEmhUk01Pn70M1AE"
    )
    assert hs256_token({"user_id": "ann"}, "stream-secret") == (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiYW5uIn0."
        "8gOWwA6vThz_cyC0xR6LKeTwVN16j2eq79XOaUpbw2E"
    )


def test_jwt_auth_mints_or_forwards() -> None:
    minted = sent(JWTAuth(secret="stream-secret"))
    assert minted.headers["Authorization"] == hs256_token({"server": True}, "stream-secret")
    given = sent(JWTAuth(token=lambda: "user-token", prefix="Bearer "))
    assert given.headers["Authorization"] == "Bearer user-token"
    with pytest.raises(ValueError, match="API secret"):
        JWTAuth()
    assert "stream-secret" not in repr(JWTAuth(secret="stream-secret"))


def test_stream_style_combined_auth() -> None:
    auth = MultiAuth(
        JWTAuth(secret="s"),
        ApiKeyAuth("the-key", "api_key", "query"),
        FixedHeader("Stream-Auth-Type", "jwt"),
        None,
    )
    request = sent(auth)
    assert request.url.params["api_key"] == "the-key" and request.url.params["a"] == "1"
    assert request.headers["Stream-Auth-Type"] == "jwt"
    assert request.headers["Authorization"].count(".") == 2


def test_bearer_token_callable_is_asked_every_time() -> None:
    tokens = iter(["one", "two"])
    auth = BearerAuth(lambda: next(tokens))
    assert sent(auth).headers["Authorization"] == "Bearer one"
    assert sent(auth).headers["Authorization"] == "Bearer two"
    assert "one" not in repr(auth)
