"""The spec at `/openapi.json` and an interactive explorer of it (Swagger UI) at `/docs`.

`/openapi.json` is the spec this server was generated from, as it was read. The explorer's
script and style come from the `fastapi-offline` package, installed alongside: the page loads
nothing from any other host, so it works offline. Its "Try it out" sends requests to this
server.
"""

from __future__ import annotations

import html
import importlib.util
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

# The package whose files the explorer is made of, as chatforge pins it.
ASSETS_PACKAGE = "fastapi-offline==1.7.7"

_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}

# Swagger UI, started on the spec with this server listed first among the servers, so that
# "Try it out" reaches it; no validator badge, which would call a host of its own.
_START = """\
(function () {
  var root = document.body.getAttribute("data-root");
  fetch(root + "/openapi.json")
    .then(function (answer) { return answer.json(); })
    .then(function (spec) {
      var here = { url: window.location.origin + root, description: "This server" };
      spec.servers = [here].concat(spec.servers || []);
      window.ui = SwaggerUIBundle({
        spec: spec,
        dom_id: "#swagger-ui",
        validatorUrl: null,
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis],
        layout: "BaseLayout"
      });
    });
})();
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" type="image/png" href="{root}/docs/favicon.png">
<link rel="stylesheet" href="{root}/docs/swagger-ui.css">
</head>
<body data-root="{root}">
<div id="swagger-ui"></div>
<script src="{root}/docs/swagger-ui-bundle.js"></script>
<script src="{root}/docs/explorer.js"></script>
</body>
</html>
"""

# The page runs only the scripts this server sends, and talks to this server alone.
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:"
)


def _assets() -> Path:
    found = importlib.util.find_spec("fastapi_offline")
    if found is None or found.origin is None:
        raise RuntimeError(
            f"the /docs explorer needs the fastapi-offline package: pip install '{ASSETS_PACKAGE}'"
        )
    return Path(found.origin).parent / "static"


def install_docs(app: Starlette, spec: Path, title: str) -> None:
    """Serve `spec` (a JSON file) at `/openapi.json` and the explorer at `/docs`. Routes of the
    API added before win over these where they share a path. Raises RuntimeError when the
    explorer's package is missing."""
    folder = _assets()
    document = spec.read_bytes()
    json.loads(document)  # a spec that is no JSON fails here, not in a browser
    files = {name: (folder / name).read_bytes() for name in _ASSETS}
    page_title = html.escape(f"{title}: API explorer")

    async def openapi(request: Request) -> Response:
        return Response(document, media_type="application/json")

    async def page(request: Request) -> Response:
        root = html.escape(str(request.scope.get("root_path", "")).rstrip("/"))
        text = _PAGE.format(title=page_title, root=root)
        return HTMLResponse(text, headers={"content-security-policy": _POLICY})

    async def start(request: Request) -> Response:
        return Response(_START, media_type="text/javascript; charset=utf-8")

    def asset(name: str) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            return Response(files[name], media_type=_ASSETS[name])

        return answer

    app.router.add_route("/openapi.json", openapi, include_in_schema=False)
    app.router.add_route("/docs", page, include_in_schema=False)
    app.router.add_route("/docs/explorer.js", start, include_in_schema=False)
    for name in _ASSETS:
        app.router.add_route(f"/docs/{name}", asset(name), include_in_schema=False)


# Pages served from this machine: any port of localhost, 127.0.0.1 or [::1], over http or https.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"


def allow_local_pages(application: Starlette) -> None:
    """Let pages served from this machine call the app from a browser (a docs site's explorer
    on another port): answer their preflight requests and name their origin in every answer.
    A page from any other origin gets no such header, so its browser keeps the answers from it."""
    application.add_middleware(
        CORSMiddleware,
        allow_origin_regex=LOOPBACK_ORIGINS,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["*"],
    )
