"""What every reader of a document shares: the HTTP methods of a path item (the one copy), the
operations in document order, and the one follower of `$ref`s between OpenAPI objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from chatforge.diagnostics import escape_pointer_token

Json = Any

# The methods a path item may hold an operation under, in the order OpenAPI lists them.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The longest chain of `$ref`s followed from one node.
MAX_HOPS = 20


def resolve_pointer(document: Json, pointer: str) -> Json:
    """The value at a JSON pointer; raises KeyError when it is not there."""
    node = document
    if not pointer:
        return node
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def follow(document: Json, node: Json) -> tuple[Json, str | None]:
    """A node behind its local `$ref`s (None where one leads nowhere), and the pointer of the
    last one followed (None where the node is no reference)."""
    pointer = None
    for _ in range(MAX_HOPS):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        pointer = node["$ref"].removeprefix("#")
        try:
            node = resolve_pointer(document, pointer)
        except KeyError:
            return None, pointer
    return node, pointer


def operations(document: Json) -> Iterator[tuple[str, str, Mapping[str, Any], str]]:
    """(path, method, operation, pointer) of every operation under `paths`, in document order."""
    return _operations(document, "paths")


def webhook_operations(document: Json) -> Iterator[tuple[str, str, Mapping[str, Any], str]]:
    """(event name, method, operation, pointer) of every operation under `webhooks`, in document
    order."""
    return _operations(document, "webhooks")


def _operations(document: Json, member: str) -> Iterator[tuple[str, str, Mapping[str, Any], str]]:
    items = document.get(member) if isinstance(document, dict) else None
    for name, item in (items if isinstance(items, dict) else {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield str(name), method, op, f"/{member}/{escape_pointer_token(name)}/{method}"
