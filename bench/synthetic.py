"""A synthetic OpenAPI 3.1 spec of any number of operations, for measuring how generation scales.

The spec follows the project's conventions (`x-chatforge`, one tag per operation, summaries,
`x-rate-limit`, `x-functions`, error responses, examples that match their schemas), so
`chatforge validate` passes it without a warning. It is built from a fixed list of resources,
each with up to six operations (list, create, get, update, delete, archive) and six component
schemas (an object with a nested settings object, an enum, input and patch bodies, a page):

    from synthetic import write_spec
    write_spec(Path("/tmp/syn/synthetic.yaml"), 1000)

or from the command line: `python bench/synthetic.py 1000 /tmp/syn/synthetic.yaml`.

The same count always gives the same bytes: nothing random, no timestamps. Standard library
only; the YAML is written by a small emitter of its own, so its bytes do not depend on the
version of a YAML library either.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SLUG = "synthetic"
KINDS = ("list", "create", "get", "update", "delete", "archive")
NOUNS = (
    "account",
    "alert",
    "announcement",
    "attachment",
    "badge",
    "bookmark",
    "broadcast",
    "campaign",
    "category",
    "channel",
    "comment",
    "contact",
    "device",
    "draft",
    "emoji",
    "event",
    "folder",
    "invite",
    "label",
    "member",
    "mention",
    "note",
    "poll",
    "profile",
    "reaction",
    "reminder",
    "report",
    "segment",
    "sticker",
    "thread",
    "topic",
    "webhook",
)
QUALIFIERS = (
    "team",
    "org",
    "guest",
    "shared",
    "legacy",
    "partner",
    "regional",
    "system",
    "tenant",
    "project",
    "support",
    "sandbox",
    "public",
    "private",
    "internal",
    "external",
)
STATUSES = ("active", "paused", "archived")
CREATED = "2026-01-05T09:30:00Z"
UPDATED = "2026-01-06T10:00:00Z"

Json = Any


# --------------------------------------------------------------------------------------------
# Names.


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _a(words: str) -> str:
    """Words with their indefinite article."""
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def resource_name(index: int) -> str:
    """The snake_case name of the index-th resource: the nouns, then qualified nouns."""
    noun = NOUNS[index % len(NOUNS)]
    generation = index // len(NOUNS)
    if generation == 0:
        return noun
    q = generation - 1
    qualifier = QUALIFIERS[q % len(QUALIFIERS)]
    if q >= len(QUALIFIERS):
        qualifier += str(q // len(QUALIFIERS) + 1)
    return f"{qualifier}_{noun}"


def plan(operations: int) -> Iterator[tuple[int, str, str]]:
    """(resource index, resource name, kind) of every operation, in order: exactly
    `operations` of them."""
    for number in range(operations):
        index, kind = divmod(number, len(KINDS))
        yield index, resource_name(index), KINDS[kind]


# --------------------------------------------------------------------------------------------
# The document.


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _record(snake: str, index: int) -> dict[str, Json]:
    """An example of the resource's object."""
    return {
        "id": f"{snake.replace('_', '-')}-{index + 1}",
        "name": f"{_pascal(snake)} {index + 1}",
        "status": STATUSES[index % len(STATUSES)],
        "settings": {"visibility": "team", "retentionDays": 30},
        "tags": ["support"],
        "metadata": {"region": "eu"},
        "memberCount": 3,
        "createdAt": CREATED,
        "updatedAt": UPDATED,
    }


def _schemas(snake: str) -> dict[str, Json]:
    """The component schemas of one resource."""
    name = _pascal(snake)
    words = snake.replace("_", " ")
    return {
        name: {
            "type": "object",
            "description": f"{_a(words).capitalize()} as the service returns it.",
            "required": ["id", "name", "status"],
            "properties": {
                "id": {"type": "string", "description": f"Identifier of the {words}."},
                "name": {
                    "type": "string",
                    "maxLength": 128,
                    "description": "Name shown to users.",
                },
                "status": _ref(f"{name}Status"),
                "settings": _ref(f"{name}Settings"),
                "tags": {
                    "type": "array",
                    "description": "Labels used to filter lists.",
                    "items": {"type": "string"},
                },
                "metadata": {
                    "type": "object",
                    "description": "Free-form data kept with it.",
                    "additionalProperties": {"type": "string"},
                },
                "memberCount": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Number of members.",
                },
                "createdAt": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When it was created.",
                },
                "updatedAt": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When it last changed.",
                },
            },
        },
        f"{name}Status": {
            "type": "string",
            "description": f"Where {_a(words)} is in its life.",
            "enum": list(STATUSES),
        },
        f"{name}Settings": {
            "type": "object",
            "description": f"Options of {_a(words)}.",
            "properties": {
                "visibility": {
                    "type": "string",
                    "description": "Who can see it.",
                    "enum": ["public", "team", "private"],
                },
                "retentionDays": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 3650,
                    "description": "Days its history is kept.",
                },
                "moderators": {
                    "type": "array",
                    "description": "Users who may moderate it.",
                    "items": {"type": "string"},
                },
            },
        },
        f"{name}Input": {
            "type": "object",
            "description": f"Body that creates {_a(words)}.",
            "required": ["name"],
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 128,
                    "description": "Name to show.",
                },
                "settings": _ref(f"{name}Settings"),
                "tags": {
                    "type": "array",
                    "description": "Labels to attach.",
                    "items": {"type": "string"},
                },
                "metadata": {
                    "type": "object",
                    "description": "Free-form data to keep with it.",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
        f"{name}Patch": {
            "type": "object",
            "description": f"Body that changes {_a(words)}; members left out stay as they are.",
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 128,
                    "description": "New name to show.",
                },
                "status": _ref(f"{name}Status"),
                "settings": _ref(f"{name}Settings"),
            },
        },
        f"{name}List": {
            "type": "object",
            "description": f"One page of {_plural(words)}.",
            "required": ["items"],
            "properties": {
                "items": {"type": "array", "items": _ref(name)},
                "paging": _ref("Paging"),
            },
        },
    }


def _operation(index: int, snake: str, kind: str, row: int) -> tuple[str, str, dict[str, Json]]:
    """(path, method, operation) of one operation of a resource."""
    name = _pascal(snake)
    words = snake.replace("_", " ")
    plural = _plural(snake)
    collection = f"/v1/{plural.replace('_', '-')}"
    item = f"{collection}/{{{snake}Id}}"
    record = _record(snake, index)
    id_param = {
        "name": f"{snake}Id",
        "in": "path",
        "required": True,
        "description": f"Identifier of the {words}.",
        "schema": {"type": "string"},
        "example": record["id"],
    }
    json_answer = {"description": f"The {words}.", "content": _json(_ref(name), record)}
    errors = {"400": _response("BadRequest"), "401": _response("Unauthorized")}
    limit: dict[str, Json] = {"requests": 100, "period": "second", "scope": "app"}
    op: dict[str, Json]
    if kind == "list":
        operation_id, method, path = f"list_{plural}", "get", collection
        page = {"items": [record], "paging": {"next": "cGFnZTI"}}
        op = {
            "summary": f"List {_plural(words)}",
            "description": f"Returns {_plural(words)} page by page, newest first, optionally "
            "filtered by status and tags.",
            "x-pagination": {
                "style": "token",
                "size": "limit",
                "cursor": "cursor",
                "items": "/items",
                "next": "/paging/next",
            },
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "description": "Largest number of items to return.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
                {
                    "name": "cursor",
                    "in": "query",
                    "description": "Token of the page to return, from an earlier answer.",
                    "schema": {"type": "string"},
                },
                {
                    "name": "status",
                    "in": "query",
                    "description": "Only return items in this state.",
                    "schema": _ref(f"{name}Status"),
                },
                {
                    "name": "tags",
                    "in": "query",
                    "description": "Only return items carrying all of these labels.",
                    "style": "form",
                    "explode": True,
                    "schema": {"type": "array", "items": {"type": "string"}},
                },
            ],
            "responses": {
                "200": {
                    "description": f"A page of {_plural(words)}.",
                    "content": _json(_ref(f"{name}List"), page),
                },
                **errors,
            },
        }
    elif kind == "create":
        operation_id, method, path = f"create_{snake}", "post", collection
        limit = {"requests": 20, "period": "second", "scope": "user", "group": "writes"}
        body = {
            "name": record["name"],
            "settings": record["settings"],
            "tags": record["tags"],
        }
        op = {
            "summary": f"Create {_a(words)}",
            "description": f"Creates {_a(words)}; the service chooses its identifier.",
            "requestBody": {"required": True, "content": _json(_ref(f"{name}Input"), body)},
            "responses": {
                "201": {"description": f"The new {words}.", "content": json_answer["content"]},
                **errors,
                "409": _response("Conflict"),
            },
        }
    elif kind == "get":
        operation_id, method, path = f"get_{snake}", "get", item
        op = {
            "summary": f"Get {_a(words)}",
            "description": f"Returns one {words} by its identifier.",
            "parameters": [id_param],
            "responses": {"200": json_answer, **errors, "404": _response("NotFound")},
        }
    elif kind == "update":
        operation_id, method, path = f"update_{snake}", "patch", item
        limit = {"requests": 20, "period": "second", "scope": "user", "group": "writes"}
        op = {
            "summary": f"Update {_a(words)}",
            "description": f"Changes the given members of {_a(words)}.",
            "parameters": [id_param],
            "requestBody": {
                "required": True,
                "content": _json(_ref(f"{name}Patch"), {"name": record["name"]}),
            },
            "responses": {"200": json_answer, **errors, "404": _response("NotFound")},
        }
    elif kind == "delete":
        operation_id, method, path = f"delete_{snake}", "delete", item
        limit = {"documented": False}
        op = {
            "summary": f"Delete {_a(words)}",
            "description": f"Deletes {_a(words)} for good.",
            "parameters": [id_param],
            "responses": {
                "200": {
                    "description": "It was deleted.",
                    "content": _json(_ref("SuccessResult"), {"success": True}),
                },
                **errors,
                "404": _response("NotFound"),
            },
        }
    else:
        operation_id, method, path = f"archive_{snake}", "post", f"{item}/archive"
        limit = {"requests": 1000, "period": "hour", "scope": "app", "note": "Shared by the app."}
        form = {
            "type": "object",
            "required": ["reason"],
            "properties": {
                "reason": {
                    "type": "string",
                    "description": "Why it is archived.",
                    "enum": ["inactive", "duplicate", "requested"],
                },
                "notify": {"type": "boolean", "description": "Whether members are told."},
            },
        }
        op = {
            "summary": f"Archive {_a(words)}",
            "description": f"Moves {_a(words)} to the archive; it can no longer change.",
            "parameters": [id_param],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": form,
                        "example": {"reason": "inactive", "notify": False},
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "It was archived.",
                    "content": _json(_ref("SuccessResult"), {"success": True}),
                },
                **errors,
                "404": _response("NotFound"),
            },
        }
    head = {
        "operationId": operation_id,
        "tags": [plural],
        "x-rate-limit": limit,
        "x-functions": [{"row": row, "title": op["summary"], "name": operation_id}],
        "security": [{"bearerAuth": []}],
    }
    return path, method, {**head, **op}


def _json(schema: Json, example: Json) -> dict[str, Json]:
    return {"application/json": {"schema": schema, "example": example}}


def _error(status: int, description: str, message: str) -> dict[str, Json]:
    example = {"status": "error", "code": status, "message": message}
    return {"description": description, "content": _json(_ref("Error"), example)}


def build(operations: int) -> dict[str, Json]:
    """The document of a spec with exactly `operations` operations."""
    if operations < 1:
        raise ValueError("a spec needs at least one operation")
    paths: dict[str, dict[str, Json]] = {}
    tags: list[dict[str, str]] = []
    schemas: dict[str, Json] = {
        "Error": {
            "type": "object",
            "description": "Body of a failed call.",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "string", "description": "Always `error`."},
                "code": {"type": "integer", "description": "Numeric error code."},
                "message": {"type": "string", "description": "What went wrong."},
            },
        },
        "SuccessResult": {
            "type": "object",
            "description": "Acknowledgement of a change.",
            "required": ["success"],
            "properties": {
                "success": {"type": "boolean", "description": "True when it was applied."}
            },
        },
        "Paging": {
            "type": "object",
            "description": "Where the next page starts.",
            "properties": {
                "next": {"type": "string", "description": "Token of the next page, if any."}
            },
        },
    }
    for row, (index, snake, kind) in enumerate(plan(operations), start=1):
        if kind == KINDS[0]:
            words = _plural(snake.replace("_", " "))
            tags.append({"name": _plural(snake), "description": f"Manage {words}."})
            schemas.update(_schemas(snake))
        path, method, op = _operation(index, snake, kind, row)
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Synthetic Chat API ({operations} operations)",
            "version": "1",
            "description": "A generated spec for measuring how code generation scales.",
        },
        "x-chatforge": {
            "slug": SLUG,
            "package": SLUG,
            "source": {"document": f"synthetic-{operations}.txt", "functions": operations},
        },
        "x-errors": {
            "schema": "#/components/schemas/Error",
            "message": "message",
            "code": "code",
            "fixed": {"status": "error"},
        },
        "servers": [{"url": "https://chat.example.com", "description": "The API host."}],
        "security": [{"bearerAuth": []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token, sent as `Authorization: Bearer <token>`.",
                }
            },
            "responses": {
                "BadRequest": _error(400, "The request is malformed.", "name is required"),
                "Unauthorized": _error(401, "The token is missing or wrong.", "Invalid token"),
                "NotFound": _error(404, "Nothing has that identifier.", "Not found"),
                "Conflict": _error(409, "The name is already taken.", "Name taken"),
            },
            "schemas": schemas,
        },
    }


# --------------------------------------------------------------------------------------------
# YAML.

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,;()/+-]*[A-Za-z0-9_.)]|[A-Za-z]")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _scalar(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and "  " not in text:
        return text
    return json.dumps(text)  # a JSON string is a double-quoted YAML scalar


def _lines(value: Json, indent: int) -> Iterator[str]:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                yield f"{pad}{_scalar(key)}:"
                yield from _lines(item, indent + 2)
            else:
                yield f"{pad}{_scalar(key)}: {_flow(item)}"
    else:
        for item in value:
            if isinstance(item, dict | list) and item:
                nested = list(_lines(item, indent + 2))
                nested[0] = f"{pad}- {nested[0][indent + 2 :]}"
                yield from nested
            else:
                yield f"{pad}- {_flow(item)}"


def _flow(value: Json) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def dump(document: dict[str, Json]) -> str:
    """A document as block-style YAML."""
    return "\n".join(_lines(document, 0)) + "\n"


def render(operations: int) -> str:
    """The YAML text of a spec with exactly `operations` operations."""
    return dump(build(operations))


def write_spec(path: Path, operations: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(operations), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: synthetic.py OPERATIONS OUT.yaml", file=sys.stderr)
        return 2
    write_spec(Path(argv[1]), int(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
