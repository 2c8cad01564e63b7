"""chatforge.lint: every rule fires on a minimal bad document and stays quiet on a good one.

Convention rules are errors in a document with `x-chatforge` and warnings in any other; rules
about the project's own extensions (`x-rate-limit`, `x-functions`) only run in project specs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from chatforge import lint
from chatforge.diagnostics import Diagnostic, Diagnostics, Level

Doc = dict[str, Any]
OP = "/paths/~1items~1{id}/get"

GOOD: Doc = {
    "openapi": "3.1.0",
    "info": {"title": "Tiny", "version": "1"},
    "tags": [{"name": "items", "description": "Items."}],
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": "get_item",
                "tags": ["items"],
                "summary": "Fetch an item",
                "x-rate-limit": {"requests": 10, "period": "second", "scope": "app"},
                "x-functions": [{"row": 1, "title": "Get Item", "name": "get_item"}],
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                        "example": "abc",
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The item.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Item"},
                                "example": {"id": "abc", "size": 3},
                                "examples": {"small": {"value": {"id": "x", "size": 0}}},
                            }
                        },
                    },
                    "404": {"description": "No such item."},
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "size": {"type": "integer"}},
                "examples": [{"id": "abc"}],
            }
        }
    },
}
# Error answers as `Item`s: the code is the `id`, a string, and the message its `size`.
ERROR_STYLE = {
    "x-errors": {
        "schema": "#/components/schemas/Item",
        "message": "text",
        "code": "id",
        "codes": {"validation": 4},
    }
}
META = {"slug": "tiny", "package": "tiny", "source": {"document": "tiny.txt", "functions": 1}}


def project(doc: Doc) -> Doc:
    result = copy.deepcopy(doc)
    result["x-chatforge"] = copy.deepcopy(META)
    return result


def run(doc: Doc) -> list[Diagnostic]:
    out = Diagnostics("x.yaml")
    lint.lint(doc, out)
    return list(out)


def changed(change: Callable[[Doc], Any], base: Doc = GOOD) -> Doc:
    doc = copy.deepcopy(base)
    change(doc)
    return doc


def op(doc: Doc, path: str = "/items/{id}", method: str = "get") -> dict[str, Any]:
    return doc["paths"][path][method]  # type: ignore[no-any-return]


def matching(found: list[Diagnostic], words: str) -> list[Diagnostic]:
    return [d for d in found if words in d.message]


def one(found: list[Diagnostic], words: str) -> Diagnostic:
    hits = matching(found, words)
    assert len(hits) == 1, (words, [d.render() for d in found])
    return hits[0]


def second_operation(doc: Doc, **fields: Any) -> None:
    """Add GET /items, a complete operation, with `fields` overriding its keys."""
    operation = {
        "operationId": "list_items",
        "tags": ["items"],
        "summary": "List items",
        "x-rate-limit": {"documented": False},
        "x-functions": [{"row": 2, "title": "List Items", "name": "list_items"}],
        "responses": {"200": {"description": "ok"}, "default": {"description": "error"}},
    }
    operation.update(fields)
    doc["paths"]["/items"] = {"get": operation}
    if "x-chatforge" in doc:
        doc["x-chatforge"]["source"]["functions"] = 2


# -- good documents ---------------------------------------------------------------------------


@pytest.mark.parametrize("conventions", [False, True], ids=["plain", "x-chatforge"])
def test_a_good_document_is_quiet(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    assert [d.render() for d in run(doc)] == []


def test_a_plain_document_without_project_extensions_gets_only_warnings() -> None:
    doc = copy.deepcopy(GOOD)
    for key in ("operationId", "tags", "summary", "x-rate-limit", "x-functions"):
        del op(doc)[key]
    del doc["tags"]
    found = run(doc)
    assert found
    assert {d.level for d in found} == {Level.WARNING}
    # the rules about the project's own extensions do not run at all
    assert not matching(found, "x-rate-limit")
    assert not matching(found, "x-functions")


# -- convention rules: errors with x-chatforge, warnings without ------------------------------

CONVENTION_CASES: list[tuple[str, Callable[[Doc], Any], str, str]] = [
    (
        "operation-id missing",
        lambda d: op(d).pop("operationId"),
        "has no operationId",
        OP,
    ),
    (
        "operation-id not snake_case",
        lambda d: op(d).update(operationId="getItem"),
        "operationId 'getItem' is not snake_case; use 'get_item'",
        f"{OP}/operationId",
    ),
    ("summary missing", lambda d: op(d).pop("summary"), "has no summary", OP),
    ("summary blank", lambda d: op(d).update(summary="   "), "has no summary", OP),
    ("tags missing", lambda d: op(d).pop("tags"), "has 0 tags", OP),
    ("two tags", lambda d: op(d).update(tags=["items", "more"]), "has 2 tags", OP),
    (
        "tag not declared",
        lambda d: d.update(tags=[]),
        "tag 'items' is not declared under the root tags",
        f"{OP}/tags/0",
    ),
    (
        "no 2xx response",
        lambda d: op(d)["responses"].pop("200"),
        "has no 2xx response",
        f"{OP}/responses",
    ),
    (
        "no error response",
        lambda d: op(d)["responses"].pop("404"),
        "documents no error response",
        f"{OP}/responses",
    ),
]


@pytest.mark.parametrize(
    ("change", "words", "pointer"),
    [case[1:] for case in CONVENTION_CASES],
    ids=[case[0] for case in CONVENTION_CASES],
)
@pytest.mark.parametrize(
    ("conventions", "level"),
    [(True, Level.ERROR), (False, Level.WARNING)],
    ids=["x-chatforge", "plain"],
)
def test_convention_rules(
    change: Callable[[Doc], Any], words: str, pointer: str, conventions: bool, level: Level
) -> None:
    base = project(GOOD) if conventions else GOOD
    found = run(changed(change, base))
    hit = one(found, words)
    assert hit.level is level
    assert hit.pointer == pointer
    assert [d for d in found if d is not hit] == [], [d.render() for d in found]


def test_error_responses_may_be_default_or_5xx() -> None:
    for code in ("default", "500", "4XX"):
        doc = project(GOOD)
        responses = op(doc)["responses"]
        responses[code] = responses.pop("404")
        assert run(doc) == [], code


# -- rules about the project's extensions: errors with x-chatforge, skipped without -----------

EXTENSION_CASES: list[tuple[str, Callable[[Doc], Any], str, str]] = [
    (
        "rate limit missing",
        lambda d: op(d).pop("x-rate-limit"),
        "has no x-rate-limit",
        OP,
    ),
    (
        "rate limit not a mapping",
        lambda d: op(d).update({"x-rate-limit": 10}),
        "x-rate-limit must be a mapping",
        f"{OP}/x-rate-limit",
    ),
    (
        "rate limit bad period",
        lambda d: op(d)["x-rate-limit"].update(period="fortnight"),
        "x-rate-limit.period is 'fortnight'; it must be one of second, minute, hour, day",
        f"{OP}/x-rate-limit/period",
    ),
    (
        "rate limit zero requests",
        lambda d: op(d)["x-rate-limit"].update(requests=0),
        "it must be a positive integer",
        f"{OP}/x-rate-limit/requests",
    ),
    (
        "rate limit requests as text",
        lambda d: op(d)["x-rate-limit"].update(requests="10"),
        "it must be a positive integer",
        f"{OP}/x-rate-limit/requests",
    ),
    (
        "rate limit requests as bool",
        lambda d: op(d)["x-rate-limit"].update(requests=True),
        "it must be a positive integer",
        f"{OP}/x-rate-limit/requests",
    ),
    (
        "rate limit unknown key",
        lambda d: op(d)["x-rate-limit"].update(burst=5),
        "x-rate-limit has unknown keys ['burst']",
        f"{OP}/x-rate-limit",
    ),
    (
        "undocumented rate limit with numbers",
        lambda d: op(d).update({"x-rate-limit": {"documented": False, "requests": 5}}),
        "with documented: false takes only a note",
        f"{OP}/x-rate-limit",
    ),
    (
        "functions missing",
        lambda d: op(d).pop("x-functions"),
        "has no x-functions",
        OP,
    ),
    (
        "functions empty",
        lambda d: op(d).update({"x-functions": []}),
        "x-functions must be a non-empty list",
        f"{OP}/x-functions",
    ),
    (
        "function not a mapping",
        lambda d: op(d).update({"x-functions": ["oops"]}),
        "each x-functions entry is a mapping",
        f"{OP}/x-functions/0",
    ),
    (
        "function row zero",
        lambda d: op(d)["x-functions"][0].update(row=0),
        "x-functions row must be a positive integer",
        f"{OP}/x-functions/0/row",
    ),
    (
        "function row beyond the source",
        lambda d: op(d)["x-functions"][0].update(row=2),
        "row 2 is beyond the 1 functions of the source document",
        f"{OP}/x-functions/0",
    ),
    (
        "function without title",
        lambda d: op(d)["x-functions"][0].pop("title"),
        "x-functions title must be",
        f"{OP}/x-functions/0",
    ),
    (
        "function name not snake_case",
        lambda d: op(d)["x-functions"][0].update(name="getItem"),
        "x-functions name 'getItem' must be a snake_case method name",
        f"{OP}/x-functions/0",
    ),
    (
        "errors without a message member",
        lambda d: d.update({"x-errors": {"code": "code"}}),
        "x-errors needs message",
        "/x-errors",
    ),
    (
        "errors with an unknown kind",
        lambda d: d.update({"x-errors": {"message": "m", "codes": {"teapot": 418}}}),
        "x-errors.codes names 'teapot', which is no failure kind; the kinds are authentication,",
        "/x-errors/codes/teapot",
    ),
    (
        "errors with a code that is no code",
        lambda d: d.update({"x-errors": {"message": "m", "codes": {"validation": True}}}),
        "x-errors.codes.validation is true; give the vendor's code, an integer or a string",
        "/x-errors/codes/validation",
    ),
    (
        "errors with a schema that is not there",
        lambda d: d.update({"x-errors": {"message": "m", "schema": "#/components/schemas/Nope"}}),
        "x-errors.schema '#/components/schemas/Nope' is not a pointer into this document",
        "/x-errors",
    ),
    (
        "errors with a code of the wrong type",
        lambda d: d.update(ERROR_STYLE),
        "the validation error answer does not match #/components/schemas/Item: 4 is not of "
        "type 'string'",
        "/x-errors/codes/validation",
    ),
    (
        "errors with a kind left to its HTTP status",
        lambda d: d.update({"x-errors": {**ERROR_STYLE["x-errors"], "codes": {}}}),
        "the not_found error answer does not match #/components/schemas/Item: 404 is not of "
        "type 'string'; give codes.not_found",
        "/x-errors",
    ),
]


@pytest.mark.parametrize(
    ("change", "words", "pointer"),
    [case[1:] for case in EXTENSION_CASES],
    ids=[case[0] for case in EXTENSION_CASES],
)
def test_extension_rules_in_a_project_spec(
    change: Callable[[Doc], Any], words: str, pointer: str
) -> None:
    found = run(changed(change, project(GOOD)))
    hit = one(found, words)
    assert hit.level is Level.ERROR
    assert hit.pointer == pointer


@pytest.mark.parametrize(
    "change", [case[1] for case in EXTENSION_CASES], ids=[case[0] for case in EXTENSION_CASES]
)
def test_extension_rules_are_skipped_in_a_plain_spec(change: Callable[[Doc], Any]) -> None:
    assert [d.render() for d in run(changed(change))] == []


def test_rows_of_the_source_that_no_operation_serves() -> None:
    doc = project(GOOD)
    doc["x-chatforge"]["source"]["functions"] = 4
    hit = one(run(doc), "rows 2, 3, 4 of the source document are served by no operation")
    assert hit.level is Level.ERROR
    assert hit.pointer == "/x-chatforge/source/functions"


def test_a_row_served_twice() -> None:
    doc = project(GOOD)
    second_operation(doc)
    op(doc, "/items")["x-functions"][0]["row"] = 1
    found = run(doc)
    hit = one(found, "row 1 is already served by")
    assert hit.pointer == "/paths/~1items/get/x-functions/0"
    assert one(found, "rows 2 of the source document are served by no operation")


def test_a_client_method_defined_twice() -> None:
    doc = project(GOOD)
    second_operation(doc)
    op(doc, "/items")["x-functions"][0]["name"] = "get_item"
    hit = one(run(doc), "client method 'get_item' is already defined")
    assert hit.pointer == "/paths/~1items/get/x-functions/0"


def test_a_function_name_defaults_to_the_operation_id() -> None:
    doc = project(GOOD)
    del op(doc)["x-functions"][0]["name"]
    assert run(doc) == []


# -- structural rules: errors in every document -----------------------------------------------


@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_duplicate_operation_id(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    second_operation(doc, operationId="get_item")
    op(doc, "/items")["x-functions"][0]["name"] = "list_items"
    found = run(doc)
    hit = one(found, "operationId 'get_item' is already used at /paths/~1items~1{id}/get")
    assert hit.level is Level.ERROR
    assert hit.pointer == "/paths/~1items/get/operationId"
    assert len(found) == 1, [d.render() for d in found]


@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_operation_ids_that_become_one_python_name(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    second_operation(doc, operationId="getItem")
    op(doc, "/items")["x-functions"][0]["name"] = "list_items"
    hit = one(run(doc), "both become the Python name 'get_item'")
    assert hit.level is Level.ERROR
    assert hit.pointer == "/paths/~1items/get/operationId"


@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_undeclared_path_parameter(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    del op(doc)["parameters"]
    hit = one(run(doc), "path parameter {id} of GET /items/{id} is not declared")
    assert hit.level is Level.ERROR
    assert hit.pointer == OP


@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_declared_path_parameter_missing_from_the_path(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    op(doc)["parameters"].append(
        {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}}
    )
    hit = one(run(doc), "path parameter 'version' is declared but /items/{id} has no {version}")
    assert hit.level is Level.ERROR


def test_path_parameters_may_be_declared_on_the_path_item_or_by_ref() -> None:
    doc = project(GOOD)
    parameter = op(doc).pop("parameters")[0]
    doc["paths"]["/items/{id}"]["parameters"] = [{"$ref": "#/components/parameters/Id"}]
    doc["components"]["parameters"] = {"Id": parameter}
    assert run(doc) == []


@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_schema_names_that_become_one_class(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    doc["components"]["schemas"]["user_info"] = {"type": "object"}
    doc["components"]["schemas"]["UserInfo"] = {"type": "object"}
    hit = one(run(doc), "schemas 'user_info' and 'UserInfo' both become the class 'UserInfo'")
    assert hit.level is Level.ERROR
    assert hit.pointer == "/components/schemas/UserInfo"


def test_a_parameter_declared_twice_in_one_list() -> None:
    doc = copy.deepcopy(GOOD)
    query = {"name": "fields", "in": "query", "schema": {"type": "string"}}
    doc["components"]["parameters"] = {"Fields": query}
    op(doc)["parameters"] += [query, {"$ref": "#/components/parameters/Fields"}]
    hit = one(run(doc), "is already declared")
    assert hit.message == (
        f"query parameter 'fields' is already declared at {OP}/parameters/1; remove one of them"
    )
    assert hit.level is Level.ERROR
    assert hit.pointer == f"{OP}/parameters/2"


def test_a_parameter_declared_twice_on_the_path_item() -> None:
    doc = copy.deepcopy(GOOD)
    header = {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
    doc["paths"]["/items/{id}"]["parameters"] = [header, header]
    hit = one(run(doc), "header parameter 'X-Trace' is already declared")
    assert hit.pointer == "/paths/~1items~1{id}/parameters/1"


def test_an_operation_may_override_a_parameter_of_its_path_item() -> None:
    doc = copy.deepcopy(GOOD)
    doc["paths"]["/items/{id}"]["parameters"] = copy.deepcopy(op(doc)["parameters"])
    assert run(doc) == []


@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_tags_that_become_one_python_name(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    doc["tags"] += [
        {"name": "userGroups", "description": "Groups."},
        {"name": "user_groups", "description": "Groups again."},
    ]
    second_operation(doc, tags=["userGroups"])
    op(doc)["tags"] = ["user_groups"]
    hit = one(run(doc), "both become the Python name 'user_groups'")
    assert hit.message == (
        "tags 'userGroups' and 'user_groups' both become the Python name 'user_groups'; "
        "rename one of them"
    )
    assert hit.level is Level.ERROR
    assert hit.pointer == "/tags/2/name"


def test_tags_no_operation_uses_become_no_python_name() -> None:
    doc = copy.deepcopy(GOOD)
    doc["tags"] += [{"name": "Items", "description": "Unused."}]
    assert run(doc) == []


def test_an_undeclared_tag_collides_where_an_operation_names_it() -> None:
    doc = copy.deepcopy(GOOD)
    second_operation(doc, tags=["Items"])
    hit = one(run(doc), "tags 'items' and 'Items' both become the Python name 'items'")
    assert hit.pointer == "/paths/~1items/get/tags/0"


@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_properties_that_become_one_python_name(conventions: bool) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    doc["components"]["schemas"]["Item"]["properties"]["ID"] = {"type": "string"}
    hit = one(run(doc), "both become the Python name")
    # In a spec of the project, an error; in any other, the generated code renames one of the
    # two (each keeps its wire name), so a warning that says so.
    fix = (
        "rename one of them"
        if conventions
        else "the generated code renames one of them (its field and argument keep the name on "
        "the wire); rename one to choose the names"
    )
    assert hit.message == (
        f"properties 'id' and 'ID' of schema 'Item' both become the Python name 'id'; {fix}"
    )
    assert hit.level is (Level.ERROR if conventions else Level.WARNING)
    assert hit.rule == "name-collision"
    assert hit.pointer == "/components/schemas/Item/properties/ID"


def test_properties_of_a_nested_schema_that_become_one_python_name() -> None:
    doc = copy.deepcopy(GOOD)
    op(doc)["requestBody"] = {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "meta": {
                            "type": "object",
                            "properties": {"userId": {}, "user-id": {}},
                        }
                    },
                }
            }
        }
    }
    hit = one(run(doc), "both become the Python name 'user_id'")
    where = f"{OP}/requestBody/content/application~1json/schema/properties/meta"
    assert hit.message.startswith(f"properties 'userId' and 'user-id' of the schema at {where} ")
    assert hit.pointer == f"{where}/properties/user-id"


ENUM_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "empty",
        {"type": "string", "enum": []},
        "enum is empty, so no value is valid; list the allowed values or remove enum",
    ),
    (
        "strings for an integer",
        {"type": "integer", "enum": ["a", "b", 3]},
        "enum values 'a', 'b' are not of the schema's type 'integer'; make them integers or "
        "change the type",
    ),
    (
        "one boolean for a number",
        {"type": "number", "enum": [1.5, True]},
        "enum value true is not of the schema's type 'number'; make it a number or change the type",
    ),
    (
        "null without null among the types",
        {"type": ["string", "integer"], "enum": ["a", 1, None]},
        "enum value null is not of the schema's types 'string', 'integer'; make it a string or "
        "an integer or change the type",
    ),
]


def _enum_in_a_property(doc: Doc, schema: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Item"]["properties"]["rank"] = schema


def _enum_in_a_parameter(doc: Doc, schema: dict[str, Any]) -> None:
    op(doc)["parameters"].append({"name": "rank", "in": "query", "schema": schema})


def _enum_in_a_response(doc: Doc, schema: dict[str, Any]) -> None:
    op(doc)["responses"]["404"]["content"] = {
        "application/json": {"schema": {"type": "array", "items": schema}}
    }


@pytest.mark.parametrize(
    ("schema", "message"),
    [case[1:] for case in ENUM_CASES],
    ids=[case[0] for case in ENUM_CASES],
)
@pytest.mark.parametrize(
    ("place", "where"),
    [
        (_enum_in_a_property, "/components/schemas/Item/properties/rank"),
        (_enum_in_a_parameter, f"{OP}/parameters/1/schema"),
        (_enum_in_a_response, f"{OP}/responses/404/content/application~1json/schema/items"),
    ],
    ids=["component", "parameter", "response"],
)
@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_enums_list_values_of_the_schemas_type(
    schema: dict[str, Any],
    message: str,
    place: Callable[[Doc, dict[str, Any]], None],
    where: str,
    conventions: bool,
) -> None:
    doc = project(GOOD) if conventions else copy.deepcopy(GOOD)
    place(doc, schema)
    hit = one(run(doc), "enum")
    assert hit.message == message
    # Code is still generated from such an enum: only a spec of the project refuses it.
    assert hit.level is (Level.ERROR if conventions else Level.WARNING)
    assert hit.rule == "enums"
    assert hit.pointer == f"{where}/enum"


def test_enums_of_the_right_type_are_quiet() -> None:
    doc = copy.deepcopy(GOOD)
    doc["components"]["schemas"]["Item"]["properties"].update(
        rank={"type": "integer", "enum": [1, 2.0]},
        kind={"type": ["string", "null"], "enum": ["a", None]},
        any={"enum": [1, "a", None]},
    )
    assert run(doc) == []


SHARED_VARIANTS = {
    "MuteRequest": {
        "type": "object",
        "required": ["period"],
        "properties": {"period": {"type": "integer", "minimum": 1}},
    },
    "UnmuteRequest": {
        "type": "object",
        "required": ["period"],
        "properties": {"period": {"const": 0}},
    },
}


def shared_route(doc: Doc, schema: Any | None = None) -> None:
    doc["components"]["schemas"].update(copy.deepcopy(SHARED_VARIANTS))
    op(doc)["requestBody"] = {
        "content": {
            "application/json": {
                "schema": schema
                if schema is not None
                else {
                    "oneOf": [
                        {"$ref": "#/components/schemas/MuteRequest"},
                        {"$ref": "#/components/schemas/UnmuteRequest"},
                    ]
                }
            }
        }
    }
    op(doc)["x-functions"] = [
        {"row": 1, "title": "Mute", "name": "mute", "variant": "#/components/schemas/MuteRequest"},
        {
            "row": 2,
            "title": "Unmute",
            "name": "unmute",
            "variant": "#/components/schemas/UnmuteRequest",
        },
    ]
    if "x-chatforge" in doc:
        doc["x-chatforge"]["source"]["functions"] = 2


def test_a_shared_route_with_variants_is_quiet() -> None:
    doc = project(GOOD)
    shared_route(doc)
    assert [d.render() for d in run(doc)] == []


def test_a_shared_route_needs_a_oneof_body() -> None:
    doc = project(GOOD)
    shared_route(doc, schema={"$ref": "#/components/schemas/Item"})
    hit = one(run(doc), "serves 2 functions but its request body is not a oneOf")
    assert hit.level is Level.ERROR
    assert hit.pointer == OP


def test_each_function_of_a_shared_route_names_its_variant() -> None:
    doc = project(GOOD)
    shared_route(doc)
    del op(doc)["x-functions"][1]["variant"]
    hit = one(run(doc), "function 2 must name its variant")
    assert hit.pointer == f"{OP}/x-functions/1"


def test_a_variant_must_be_a_component_schema() -> None:
    doc = project(GOOD)
    shared_route(doc)
    del doc["components"]["schemas"]["UnmuteRequest"]
    hit = one(run(doc), "variant '#/components/schemas/UnmuteRequest' is not a component schema")
    assert hit.pointer == f"{OP}/x-functions/1"


EXAMPLE_CASES: list[tuple[str, Callable[[Doc], Any], str, str]] = [
    (
        "media example",
        lambda d: op(d)["responses"]["200"]["content"]["application/json"].update(
            example={"id": 42}
        ),
        "42 is not of type 'string' at /id",
        f"{OP}/responses/200/content/application~1json/example",
    ),
    (
        "named example",
        lambda d: op(d)["responses"]["200"]["content"]["application/json"]["examples"].update(
            big={"value": {"size": 1}}
        ),
        "'id' is a required property",
        f"{OP}/responses/200/content/application~1json/examples/big/value",
    ),
    (
        "parameter example",
        lambda d: op(d)["parameters"][0].update(example=7),
        "7 is not of type 'string'",
        f"{OP}/parameters/0/example",
    ),
    (
        "component schema examples",
        lambda d: d["components"]["schemas"]["Item"]["examples"].append({"id": "a", "size": "x"}),
        "'x' is not of type 'integer' at /size",
        "/components/schemas/Item/examples/1",
    ),
    (
        "component schema example",
        lambda d: d["components"]["schemas"]["Item"].update(example={"size": 1}),
        "'id' is a required property",
        "/components/schemas/Item/example",
    ),
    (
        "property example",
        lambda d: d["components"]["schemas"]["Item"]["properties"]["id"].update(example=42),
        "42 is not of type 'string'; correct the example or the schema",
        "/components/schemas/Item/properties/id/example",
    ),
    (
        "example inside a parameter's schema",
        lambda d: op(d)["parameters"][0]["schema"].update(examples=["a", 5]),
        "5 is not of type 'string'",
        f"{OP}/parameters/0/schema/examples/1",
    ),
    (
        "example of a property named example",
        lambda d: d["components"]["schemas"]["Item"]["properties"].update(
            example={"type": "integer", "example": "x"}
        ),
        "'x' is not of type 'integer'",
        "/components/schemas/Item/properties/example/example",
    ),
]


@pytest.mark.parametrize(
    ("change", "words", "pointer"),
    [case[1:] for case in EXAMPLE_CASES],
    ids=[case[0] for case in EXAMPLE_CASES],
)
@pytest.mark.parametrize("conventions", [True, False], ids=["x-chatforge", "plain"])
def test_examples_must_match_their_schema(
    change: Callable[[Doc], Any], words: str, pointer: str, conventions: bool
) -> None:
    base = project(GOOD) if conventions else GOOD
    hit = one(run(changed(change, base)), "example does not match its schema")
    # A plain spec's example that does not match is left out of the generated code: a warning.
    assert hit.level is (Level.ERROR if conventions else Level.WARNING)
    assert hit.rule == "examples"
    assert words in hit.message
    assert hit.pointer == pointer


EXTENSION_SHAPE_CASES: list[tuple[str, Callable[[Doc], Any], str, str]] = [
    (
        "x-chatforge not a mapping",
        lambda d: d.update({"x-chatforge": "upstra"}),
        "x-chatforge must be a mapping",
        "/x-chatforge",
    ),
    (
        "slug not snake_case",
        lambda d: d.update({"x-chatforge": dict(META, slug="Up-Stra")}),
        "x-chatforge.slug must be a snake_case name",
        "/x-chatforge",
    ),
    (
        "package missing",
        lambda d: d.update({"x-chatforge": {k: v for k, v in META.items() if k != "package"}}),
        "x-chatforge.package must be a snake_case name",
        "/x-chatforge",
    ),
    (
        "source without functions",
        lambda d: d.update({"x-chatforge": dict(META, source={"document": "a.txt"})}),
        "x-chatforge.source needs document (the source file's name) and functions",
        "/x-chatforge/source",
    ),
    (
        "aliases not a list",
        lambda d: op(d).update({"x-aliases": "/old/{id}"}),
        "x-aliases must be a list of paths starting with /",
        f"{OP}/x-aliases",
    ),
    (
        "alias without a leading slash",
        lambda d: op(d).update({"x-aliases": ["old/{id}"]}),
        "x-aliases must be a list of paths starting with /",
        f"{OP}/x-aliases",
    ),
    (
        "alias with other parameters",
        lambda d: op(d).update({"x-aliases": ["/old/{itemId}"]}),
        "alias '/old/{itemId}' must have the same path parameters as '/items/{id}'",
        f"{OP}/x-aliases/0",
    ),
    (
        "pagination of an unknown style",
        lambda d: op(d).update({"x-pagination": {"style": "scroll", "items": "/items"}}),
        "x-pagination.style is 'scroll'; use one of page, offset, cursor, token",
        f"{OP}/x-pagination/style",
    ),
    (
        "pagination items that are no pointer",
        lambda d: op(d).update({"x-pagination": {"style": "page", "items": "items"}}),
        "x-pagination.items must be a JSON pointer into the success body",
        f"{OP}/x-pagination/items",
    ),
]


@pytest.mark.parametrize(
    ("change", "words", "pointer"),
    [case[1:] for case in EXTENSION_SHAPE_CASES],
    ids=[case[0] for case in EXTENSION_SHAPE_CASES],
)
def test_extension_shapes(change: Callable[[Doc], Any], words: str, pointer: str) -> None:
    hit = one(run(changed(change, project(GOOD))), words)
    assert hit.level is Level.ERROR
    assert hit.pointer == pointer


def test_pagination_is_read_in_project_specs_only() -> None:
    doc = changed(lambda d: op(d).update({"x-pagination": {"style": "scroll"}}))
    assert not [d for d in run(doc) if "x-pagination" in d.message]


def test_a_good_alias_is_quiet() -> None:
    doc = project(GOOD)
    op(doc)["x-aliases"] = ["/v1/items/{id}"]
    assert run(doc) == []


def test_x_chatforge_source_needs_a_document() -> None:
    doc = project(GOOD)
    del doc["x-chatforge"]["source"]["document"]
    one(run(doc), "x-chatforge.source needs document")


def test_every_rule_is_listed() -> None:
    assert set(lint.RULES) >= {
        "operation-id",
        "path-params",
        "name-collision",
        "summary",
        "tags",
        "responses",
        "rate-limit",
        "functions",
        "shared-route",
        "examples",
        "enums",
        "extensions",
    }
    conventions = {name for name, (_, convention) in lint.RULES.items() if convention}
    assert conventions == {
        "operation-id",
        "summary",
        "tags",
        "responses",
        "rate-limit",
        "functions",
        "examples",
        "enums",
    }
    assert lint.PROJECT_ONLY == {"rate-limit", "functions"}


HEADERS_NO_PARAMETER_CARRIES = (
    "Accept",
    "content-type",
    "AUTHORIZATION",
    "Keep-Alive",
    "Proxy-Connection",
    "Expect",
    "Connection",
    "TE",
    "Transfer-Encoding",
    "Upgrade",
    "Content-Length",
    "Host",
)


@pytest.mark.parametrize("name", HEADERS_NO_PARAMETER_CARRIES)
@pytest.mark.parametrize("level", ["operation", "path item"])
def test_a_header_parameter_never_carries_what_http_the_body_or_credentials_set(
    name: str, level: str
) -> None:
    doc = copy.deepcopy(GOOD)
    header = {"name": name, "in": "header", "schema": {"type": "string"}}
    if level == "operation":
        op(doc)["parameters"].append(header)
        pointer = f"{OP}/parameters/1/name"
    else:
        doc["paths"]["/items/{id}"]["parameters"] = [header]
        pointer = "/paths/~1items~1{id}/parameters/0/name"
    [hit] = [d for d in run(doc) if d.pointer == pointer]
    assert hit.level is Level.ERROR and repr(name) in hit.message
    assert "remove the parameter" in hit.message


def test_a_header_parameter_never_carries_a_security_scheme_header() -> None:
    doc = copy.deepcopy(GOOD)
    doc["components"]["securitySchemes"] = {
        "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
    }
    op(doc)["parameters"].append({"name": "x-api-key", "in": "header", "schema": {}})
    hit = one(run(doc), "security scheme 'key'")
    assert hit.pointer == f"{OP}/parameters/1/name" and hit.level is Level.ERROR


def _with_patterns(*schemas: dict[str, Any]) -> Doc:
    doc = copy.deepcopy(GOOD)
    properties = doc["components"]["schemas"]["Item"]["properties"]
    for index, schema in enumerate(schemas):
        properties[f"p{index}"] = {"type": "string", **schema}
    return doc


PROPS = "/components/schemas/Item/properties"
LOOK = {"pattern": "^(?!x)[a-z]+$"}  # only Python's re runs it, in time linear in the value


@pytest.mark.parametrize(
    "pattern",
    [
        "^(?!x)(a|aa)+$",
        "^(?=a)(a+)+$",
        "(?<!b)(a*)*c",
        r"^(\w+)\s\1(\w|\d)+$",
        r"^(?!x)\d+\d+$",
        r"(?=\w)\w*\w*\w*",
        "(?!x)[a-z]+",
    ],
)
def test_a_pattern_python_backtracks_on_needs_a_max_length(pattern: str) -> None:
    hit = one(run(_with_patterns({"pattern": pattern})), "re backtracks")
    assert hit.pointer == f"{PROPS}/p0/pattern" and hit.level is Level.ERROR
    longest = int(hit.message.split("maxLength of at most ")[1].split(",")[0])
    assert 0 < longest < 10_000
    assert run(_with_patterns({"pattern": pattern, "maxLength": longest})) == []
    assert matching(run(_with_patterns({"pattern": pattern, "maxLength": longest + 1})), "re ")


def test_once_one_pattern_needs_python_every_pattern_is_held_to_it() -> None:
    quadratic = {"pattern": r"^\d+\d+$"}
    assert run(_with_patterns(quadratic)) == []  # pydantic's engine alone: linear time
    hit = one(run(_with_patterns(LOOK, quadratic)), "re backtracks")
    assert hit.pointer == f"{PROPS}/p1/pattern"
    hit = one(run(_with_patterns(LOOK, {"pattern": r"^\p{Greek}+$"})), "cannot compile")
    assert hit.pointer == f"{PROPS}/p1/pattern"


@pytest.mark.parametrize(
    "pattern",
    [
        "^(?!admin$)[a-z0-9]+$",
        "^(?=.*[0-9])[a-z0-9]+$",
        r"^(?=.*\d)(?=.*[a-z]).{8,64}$",
        r"^(\d{1,3}\.){3}\d{1,3}$",
        "^(?:(?!--).)*$",
        r"^(\w)\1$",
    ],
)
def test_patterns_python_checks_in_linear_time_pass(pattern: str) -> None:
    assert run(_with_patterns(LOOK, {"pattern": pattern})) == []


@pytest.mark.parametrize("pattern", ["^[[:alpha:]]+$", "^[a-z&&[^b]]+$", "[a-z--b]", "[[a]]"])
def test_a_class_rust_and_python_read_differently_is_refused(pattern: str) -> None:
    hit = one(run(_with_patterns({"pattern": pattern})), "read differently")
    assert hit.pointer == f"{PROPS}/p0/pattern" and hit.level is Level.ERROR
