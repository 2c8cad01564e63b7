"""Request dispatch that finds a route by its path in one lookup instead of a scan.

Starlette tries a router's routes in order, matching each route's regular expression, so a
request for the hundredth route pays for ninety-nine failed matches first. `PathIndex` keeps,
for every path without parameters, the routes that path can match, in their order, and lets
the router try only those. Its answer is always the one the full scan would give: a request
whose path is not in the index, or that none of the routes found matches, goes through the
router's own dispatch unchanged.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

_Candidates = tuple[BaseRoute, ...]


class PathIndex:
    """The ASGI entry of `router`, installed as its middleware stack: see the module docstring.

    The index is built on the first request and rebuilt when routes are added afterwards."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self._built_for = -1
        self._paths: dict[str, _Candidates] = {}

    def _build(self) -> None:
        routes = self.router.routes
        # Routes other than plain ones (mounts, hosts, websockets) match on more than the path:
        # each stays a candidate for every path, in its place.
        static = {
            route.path
            for route in routes
            if isinstance(route, Route) and not route.param_convertors
        }
        self._paths = {
            path: tuple(
                route
                for route in routes
                if not isinstance(route, Route) or route.path_regex.match(path) is not None
            )
            for path in static
        }
        self._built_for = len(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Under a root path, a route's path is found as Starlette finds it: by the full scan.
        if scope["type"] == "http" and not scope.get("root_path"):
            if self._built_for != len(self.router.routes):
                self._build()
            candidates = self._paths.get(scope["path"])
            if candidates is not None and await self._dispatch(candidates, scope, receive, send):
                return
        await self.router.app(scope, receive, send)

    async def _dispatch(
        self, candidates: _Candidates, scope: Scope, receive: Receive, send: Send
    ) -> bool:
        partial = None
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.setdefault("router", self.router)
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return True
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is None:
            return False
        scope.setdefault("router", self.router)
        scope["route"] = partial
        scope.update(partial_scope)
        await partial.handle(scope, receive, send)
        return True
