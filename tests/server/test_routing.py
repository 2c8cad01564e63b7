"""A generated server finds a request's route by its path in one lookup (`PathIndex`); every
answer is the one Starlette's scan of the routes in order would give."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import PlainTextResponse
from starlette.routing import Mount

from chatforge.ir.model import Api
from chatforge.runtime.server._routing import PathIndex
from tests.functional.harness import load_generated, project_apis


def _paths(app: FastAPI) -> list[str]:
    """Every route's path with its parameters filled in, each with and without a trailing
    slash, and paths that no route has."""
    paths = {
        re.sub(r"\{[^}]*\}", "x1", route.path) for route in app.routes if hasattr(route, "path")
    }
    paths |= {path.rstrip("/") + "/" for path in paths} | {"/", "/nowhere", "//"}
    return sorted(paths)


Answer = tuple[int, bytes, list[tuple[str, str]]]


def _answers(app: FastAPI, requests: Iterable[tuple[str, str]]) -> list[Answer]:
    """The status, body and headers of each `(method, path)` request, in order."""

    async def go() -> list[Answer]:
        transport = httpx.ASGITransport(app=app)
        answers = []
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for method, path in requests:
                response = await client.request(method, path)
                headers = sorted((k, v) for k, v in response.headers.items() if k != "date")
                # Error bodies that carry the time differ by it alone.
                body = re.sub(rb'"timestamp":\d+', b'"timestamp":0', response.content)
                answers.append((response.status_code, body, headers))
        return answers

    return asyncio.run(go())


@pytest.mark.parametrize("api", project_apis(), ids=lambda api: api.slug)
def test_indexed_dispatch_answers_as_the_scan_does(api: Api) -> None:
    server = load_generated(api).server
    indexed = server.create_app(mock=True)
    scanned = server.create_app(mock=True)
    assert type(indexed.router.middleware_stack).__name__ == "PathIndex"
    scanned.router.middleware_stack = scanned.router.app
    paths = _paths(indexed)
    assert len(paths) > 2 * len(api.operations) // 3
    # Every method the API uses, and one it does not, for the 405 answer.
    methods = sorted({op.method.upper() for op in api.operations} | {"OPTIONS"})
    requests = [(method, path) for path in paths for method in methods]
    for request, fast, slow in zip(
        requests, _answers(indexed, requests), _answers(scanned, requests), strict=True
    ):
        assert fast == slow, request


def _text(text: str) -> PlainTextResponse:
    return PlainTextResponse(text)


def test_order_mounts_and_late_routes_are_kept() -> None:
    app = FastAPI()
    app.get("/items/{item}")(lambda item: _text(f"item {item}"))
    app.get("/items/me")(lambda: _text("me"))
    app.router.routes.append(Mount("/mounted", app=_text("mount")))
    app.get("/mounted/static")(lambda: _text("static"))
    app.get("/static")(lambda: _text("static"))
    app.post("/only-post")(lambda: _text("posted"))
    app.router.middleware_stack = PathIndex(app.router)

    def text(method: str, path: str) -> str | int:
        [(status, body, _)] = _answers(app, [(method, path)])
        return body.decode() if status == 200 else status

    # The parametrised route comes first, so it is the one that answers, as in Starlette.
    assert text("GET", "/items/me") == "item me"
    assert text("GET", "/mounted/static") == "mount"
    assert text("GET", "/static") == "static"
    assert text("GET", "/only-post") == 405
    assert text("POST", "/only-post") == "posted"
    assert text("GET", "/late") == 404
    app.get("/late")(lambda: _text("late"))
    assert text("GET", "/late") == "late"
