"""What a path (a key of `paths`, an alias, where webhooks arrive) may be: one a request can
reach."""

from __future__ import annotations

import re

# What a path may hold: the characters RFC 3986 lets a path segment carry as they are, and
# printable characters beyond ASCII (which clients percent-encode and servers decode), between
# slashes, and templates `{name}` of the same characters. (A percent-escape is decoded before
# the route is looked up, so a route spelled with one is never found.)
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|[^\x00-\x7f\s])"
_PATH = re.compile(rf"(?:/(?:{_PCHAR}|\{{{_PCHAR}+\}})*)+")
_PATH_CHAR = re.compile(rf"{_PCHAR}|[/{{}}]")


def path_problem(path: str) -> str | None:
    """Why a path (a key of `paths`, or an alias) cannot be a route, or None."""
    if _PATH.fullmatch(path) and path.isprintable():
        return None
    if not path.startswith("/"):
        return "does not start with /"
    index = 0
    while index < len(path):
        match = _PATH_CHAR.match(path, index)
        if match is None or not path[index].isprintable():
            break
        index = match.end()
    if index < len(path):
        char = path[index]
        if char == "?":
            return "holds a query string (from ?), which never reaches a route; remove it"
        if char == "#":
            return "holds a fragment (from #), which never reaches a route; remove it"
        return (
            f"holds {char!r} (character {index + 1}), which a path may not hold; use letters, "
            "digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ between slashes"
        )
    return "has a template that is empty, unclosed or nested; write {name} around a name"
