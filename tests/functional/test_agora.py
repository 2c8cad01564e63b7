"""Agora specifics: a client configured once with host, org and app, and a bearer token that a
callable refreshes."""

from __future__ import annotations

import httpx
import pytest

from tests.functional.harness import Generated, load_generated, project_apis


@pytest.fixture(scope="module")
def agora() -> Generated:
    return load_generated(next(api for api in project_apis() if api.slug == "agora"))


def test_host_org_and_app_configure_every_request(agora: Generated) -> None:
    seen: list[httpx.Request] = []
    tokens = iter(["first", "second"])

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=agora.examples["get_user"])

    with agora.client.Client(
        token=lambda: next(tokens),
        host="a41.chat.agora.io",
        org_name="org-1",
        app_name="app-1",
        transport=httpx.MockTransport(handle),
    ) as client:
        client.users.get_user(username="ann")
        client.users.get_user(username="bob")
    assert str(seen[0].url) == "https://a41.chat.agora.io/org-1/app-1/users/ann"
    assert [r.headers["Authorization"] for r in seen] == ["Bearer first", "Bearer second"]


def test_base_url_overrides_the_host_template(agora: Generated) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=agora.examples["get_user"])

    with agora.client.Client(
        token="t", base_url="http://127.0.0.1:9/o/a", transport=httpx.MockTransport(handle)
    ) as client:
        client.users.get_user(username="ann")
    assert str(seen[0].url) == "http://127.0.0.1:9/o/a/users/ann"
