"""A large synthetic OpenAPI 3.1 spec shaped like the big public ones: hundreds of operations,
thousands of component schemas, and the composition such specs lean on: `allOf` chains four
deep (a record built on a detail built on a core built on a shared base), and `oneOf` unions of
event variants with a discriminator, each variant itself an `allOf` of a shared event base.

It extends `synthetic.build`: every resource of that spec gets two more operations, `GET
/v1/<resources>/{id}/detail` (answering the end of the `allOf` chain) and `GET
/v1/<resources>/{id}/events` (a page of the `oneOf` union), and nine more schemas. Like it, the
spec follows the project's conventions and passes `chatforge validate`, and the same size gives
the same bytes:

    from large_spec import write_spec
    write_spec(Path("/tmp/large/large.yaml"), 600)

or `python bench/large_spec.py 600 /tmp/large/large.yaml`. Standard library only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import synthetic
from synthetic import CREATED, KINDS, _a, _json, _pascal, _plural, _ref, _response

SLUG = "large"
# Each resource: the six operations of `synthetic`, then these two.
EXTRA_KINDS = ("detail", "events")
VARIANTS = ("created", "changed", "removed")

Json = Any


def _base_schemas() -> dict[str, Json]:
    """The schemas every resource builds on."""
    return {
        "Entity": {
            "type": "object",
            "description": "What every stored object has.",
            "required": ["id", "createdAt"],
            "properties": {
                "id": {"type": "string", "description": "Identifier."},
                "createdAt": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When it was created.",
                },
            },
        },
        "EventBase": {
            "type": "object",
            "description": "What every event has.",
            "required": ["type", "at"],
            "properties": {
                "type": {"type": "string", "description": "Kind of event."},
                "at": {"type": "string", "format": "date-time", "description": "When it happened."},
                "actor": {"type": "string", "description": "User who caused it."},
            },
        },
    }


def _resource_schemas(snake: str) -> dict[str, Json]:
    """The schemas one resource adds: the `allOf` chain and the `oneOf` union of its events."""
    name = _pascal(snake)
    words = snake.replace("_", " ")
    schemas: dict[str, Json] = {
        f"{name}Core": {
            "description": f"The core of {_a(words)}.",
            "allOf": [
                _ref("Entity"),
                {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "maxLength": 128, "description": "Name."},
                        "status": _ref(f"{name}Status"),
                    },
                },
            ],
        },
        f"{name}Detail": {
            "description": f"{_a(words).capitalize()} with its settings.",
            "allOf": [
                _ref(f"{name}Core"),
                {
                    "type": "object",
                    "properties": {
                        "settings": _ref(f"{name}Settings"),
                        "tags": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Labels.",
                        },
                    },
                },
            ],
        },
        f"{name}Full": {
            "description": f"Everything known of {_a(words)}.",
            "allOf": [
                _ref(f"{name}Detail"),
                {
                    "type": "object",
                    "properties": {
                        "memberCount": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "Members.",
                        },
                        "owner": _ref(f"{name}Owner"),
                    },
                },
            ],
        },
        f"{name}Owner": {
            "description": f"Who owns {_a(words)}.",
            "allOf": [
                _ref("Entity"),
                {
                    "type": "object",
                    "properties": {"email": {"type": "string", "description": "Address."}},
                },
            ],
        },
    }
    mapping = {}
    for variant in VARIANTS:
        variant_name = f"{name}{variant.capitalize()}Event"
        mapping[f"{snake}.{variant}"] = f"#/components/schemas/{variant_name}"
        schemas[variant_name] = {
            "description": f"{_a(words).capitalize()} was {variant}.",
            "allOf": [
                _ref("EventBase"),
                {
                    "type": "object",
                    "required": ["type", "subject"],
                    "properties": {
                        "type": {
                            "type": "string",
                            "enum": [f"{snake}.{variant}"],
                            "description": "Kind of event.",
                        },
                        "subject": _ref(f"{name}Core"),
                    },
                },
            ],
        }
    schemas[f"{name}Event"] = {
        "description": f"Something that happened to {_a(words)}.",
        "oneOf": [_ref(f"{name}{variant.capitalize()}Event") for variant in VARIANTS],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    schemas[f"{name}EventPage"] = {
        "type": "object",
        "description": f"One page of the events of {_a(words)}.",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": _ref(f"{name}Event")},
            "paging": _ref("Paging"),
        },
    }
    return schemas


def _operation(snake: str, kind: str, row: int, index: int) -> tuple[str, str, dict[str, Json]]:
    name = _pascal(snake)
    words = snake.replace("_", " ")
    plural = _plural(snake)
    item = f"/v1/{plural.replace('_', '-')}/{{{snake}Id}}"
    ident = f"{snake.replace('_', '-')}-{index + 1}"
    core = {"id": ident, "createdAt": CREATED, "name": f"{name} {index + 1}", "status": "active"}
    id_param = {
        "name": f"{snake}Id",
        "in": "path",
        "required": True,
        "description": f"Identifier of the {words}.",
        "schema": {"type": "string"},
        "example": ident,
    }
    errors = {"401": _response("Unauthorized"), "404": _response("NotFound")}
    if kind == "detail":
        operation_id, path = f"get_{snake}_detail", f"{item}/detail"
        full = {
            **core,
            "settings": {"visibility": "team", "retentionDays": 30},
            "tags": ["support"],
            "memberCount": 3,
            "owner": {"id": "user-1", "createdAt": CREATED, "email": "owner@example.com"},
        }
        op = {
            "summary": f"Get the detail of {_a(words)}",
            "description": f"Returns everything known of one {words}.",
            "responses": {
                "200": {"description": "The detail.", "content": _json(_ref(f"{name}Full"), full)},
                **errors,
            },
        }
    else:
        operation_id, path = f"list_{snake}_events", f"{item}/events"
        event = {"type": f"{snake}.created", "at": CREATED, "subject": core}
        page = {"items": [event], "paging": {"next": "cGFnZTI"}}
        op = {
            "summary": f"List the events of {_a(words)}",
            "description": f"Returns what happened to one {words}, newest first.",
            "responses": {
                "200": {
                    "description": "A page of events.",
                    "content": _json(_ref(f"{name}EventPage"), page),
                },
                **errors,
            },
        }
    head = {
        "operationId": operation_id,
        "tags": [plural],
        "x-rate-limit": {"requests": 100, "period": "second", "scope": "app"},
        "x-functions": [{"row": row, "title": op["summary"], "name": operation_id}],
        "security": [{"bearerAuth": []}],
        "parameters": [id_param],
    }
    return path, "get", {**head, **op}


def build(resources: int) -> dict[str, Json]:
    """The document of a spec of `resources` resources, each of eight operations."""
    if resources < 1:
        raise ValueError("a spec needs at least one resource")
    document = synthetic.build(resources * len(KINDS))
    operations = resources * (len(KINDS) + len(EXTRA_KINDS))
    schemas = document["components"]["schemas"]
    schemas.update(_base_schemas())
    row = resources * len(KINDS)
    for index in range(resources):
        snake = synthetic.resource_name(index)
        schemas.update(_resource_schemas(snake))
        for kind in EXTRA_KINDS:
            row += 1
            path, method, op = _operation(snake, kind, row, index)
            document["paths"][path] = {method: op}
    document["info"]["title"] = f"Large Chat API ({operations} operations)"
    document["x-chatforge"] = {
        "slug": SLUG,
        "package": SLUG,
        "source": {"document": f"large-{operations}.txt", "functions": operations},
    }
    return document


def operations_of(resources: int) -> int:
    return resources * (len(KINDS) + len(EXTRA_KINDS))


def render(resources: int) -> str:
    return synthetic.dump(build(resources))


def write_spec(path: Path, resources: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(resources), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: large_spec.py RESOURCES OUT.yaml", file=sys.stderr)
        return 2
    write_spec(Path(argv[1]), int(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
