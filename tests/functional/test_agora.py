"""Agora specifics: a client configured once with host, org and app, and a bearer token that a
callable refreshes."""

from __future__ import annotations

import httpx

from tests.functional.harness import load_generated, project_apis

AGORA = load_generated(next(api for api in project_apis() if api.slug == "agora"))


def test_host_org_and_app_configure_every_request() -> None:
    seen: list[httpx.Request] = []
    tokens = iter(["first", "second"])

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=AGORA.examples["get_user"])

    with AGORA.client.Client(
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


def test_base_url_overrides_the_host_template() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=AGORA.examples["get_user"])

    with AGORA.client.Client(
        token="t", base_url="http://127.0.0.1:9/o/a", transport=httpx.MockTransport(handle)
    ) as client:
        client.users.get_user(username="ann")
    assert str(seen[0].url) == "http://127.0.0.1:9/o/a/users/ann"
