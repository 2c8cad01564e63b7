"""The IR of real specs: facts about specs/upstra.yaml, and a tiny spec without conventions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chatforge.config import load_config
from chatforge.diagnostics import Level
from chatforge.ir.model import Api, Function, Operation
from chatforge.run import pipeline

REPO_ROOT = Path(__file__).resolve().parents[2]


def build_checked(checked: pipeline.Checked) -> Api:
    errors = [d.render() for d in checked.diagnostics if d.level is Level.ERROR]
    assert checked.ok, errors
    return pipeline.build(checked)


@pytest.fixture(scope="module")
def upstra() -> Api:
    (source,) = pipeline.find_specs(load_config(REPO_ROOT), ["upstra"])
    return build_checked(pipeline.check(source))


@pytest.fixture(scope="module")
def ops(upstra: Api) -> dict[str, Operation]:
    return {op.operation_id: op for op in upstra.operations}


def function(op: Operation, method: str) -> Function:
    (found,) = [f for f in op.functions if f.method == method]
    return found


def args(fn: Function) -> list[str]:
    return [f.py for f in fn.fields]


# -- the API as a whole -----------------------------------------------------------------------


def test_upstra_api_facts(upstra: Api) -> None:
    assert upstra.slug == "upstra"
    assert upstra.package == "upstra"
    assert upstra.models_package == "upstra_models"
    assert upstra.conventions is True
    assert upstra.source_document == "004_01ffcd1dbf93f1cc.txt"
    assert upstra.source_functions == 39
    assert upstra.spec_file == "specs/upstra.yaml"
    assert upstra.default_url == "https://api.sg.amity.co"
    assert [s.kind for s in upstra.security] == ["bearer"]
    assert [t.name for t in upstra.tags] == [
        "channels",
        "messages",
        "users",
        "roles",
        "blacklist",
        "whitelist",
        "reactions",
    ]


def test_upstra_has_37_operations_with_unique_ids(upstra: Api, ops: dict[str, Operation]) -> None:
    assert len(upstra.operations) == 37
    assert len(ops) == 37
    assert len({(op.method, op.path) for op in upstra.operations}) == 37


def test_upstra_serves_rows_1_to_39_once_each(upstra: Api) -> None:
    assert upstra.covered_rows == tuple(range(1, 40))
    rows = [f.row for op in upstra.operations for f in op.functions]
    assert sorted(rows) == list(range(1, 40))  # type: ignore[type-var]


def test_every_function_has_unique_valid_argument_names(upstra: Api) -> None:
    for op in upstra.operations:
        for fn in op.functions:
            names = args(fn)
            assert len(names) == len(set(names)), (op.operation_id, fn.method, names)
            assert all(name.isidentifier() for name in names)
            assert all(f.location == "body" for f in fn.body_fields), fn.method
    methods = [(op.tag, fn.method) for op in upstra.operations for fn in op.functions]
    assert len(methods) == len(set(methods))


# -- shared routes ----------------------------------------------------------------------------


def test_set_channel_mute_serves_mute_and_unmute(ops: dict[str, Operation]) -> None:
    op = ops["set_channel_mute"]
    assert op.shared
    assert [f.method for f in op.functions] == ["mute_channel", "unmute_channel"]
    assert [f.row for f in op.functions] == [6, 7]

    mute = function(op, "mute_channel")
    assert mute.variant == "MuteChannelRequest"
    assert args(mute) == ["channel_id", "mute_period"]
    assert [f.location for f in mute.fields] == ["path", "body"]
    assert [(f.wire, f.const_repr) for f in mute.body_fields] == [("mutePeriod", None)]

    unmute = function(op, "unmute_channel")
    assert unmute.variant == "UnmuteChannelRequest"
    assert args(unmute) == ["channel_id"]
    assert [(f.wire, f.py, f.const_repr) for f in unmute.body_fields] == [
        ("mutePeriod", "mute_period", "0")
    ]


def test_set_channel_users_mute_fixes_the_period_of_unmute(ops: dict[str, Operation]) -> None:
    op = ops["set_channel_users_mute"]
    assert op.body is not None and op.body.kind == "form"
    mute = function(op, "mute_channel_users")
    unmute = function(op, "unmute_channel_users")
    assert args(mute) == ["channel_id", "mute_period", "user_ids"]
    assert args(unmute) == ["channel_id", "user_ids"]
    fixed = {f.wire: f.const_repr for f in unmute.body_fields}
    assert fixed == {"mutePeriod": "0", "userIds": None}
    # form encoding survives into the variant's fields
    assert {f.wire: f.style for f in unmute.body_fields} == {
        "mutePeriod": "form",
        "userIds": "form",
    }


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize("op_id", ["update_blacklist_record", "update_whitelist_record"])
def test_body_rule_id_gets_its_own_python_name(ops: dict[str, Operation], op_id: str) -> None:
    op = ops[op_id]
    (fn,) = op.functions
    by_location = {(f.location, f.wire): f.py for f in fn.fields}
    assert by_location[("path", "ruleId")] == "rule_id"
    assert by_location[("body", "ruleId")] == "body_rule_id"
    assert [(f.wire, f.py) for f in fn.body_fields][0] == ("ruleId", "body_rule_id")
    assert op.server_path.endswith("/records/{rule_id}")


def test_server_paths_use_python_names(upstra: Api, ops: dict[str, Operation]) -> None:
    assert ops["set_channel_mute"].server_path == "/api/v2/channel/{channel_id}/mute"
    assert ops["set_channel_mute"].path == "/api/v2/channel/{channelId}/mute"
    assert ops["get_message"].server_path == "/api/v2/message/{message_id}"
    assert ops["clear_user_flags"].server_path == "/api/v2/users/{user_id}/flags"
    for op in upstra.operations:
        for param in op.path_params:
            assert "{" + param.py + "}" in op.server_path
            assert "{" + param.wire + "}" in op.path


def test_hoisted_models_are_named_after_their_operation(
    upstra: Api, ops: dict[str, Operation]
) -> None:
    names = {m.name for m in upstra.models}
    for name in (
        "QueryChannelsRequest",
        "CreateChannelRequest",
        "UpdateChannelDisplayNameRequest",
        "SetChannelMuteRequest",
        "CreateMessageRequest",
        "CreateMessageRequestData",  # the inline `data` object inside it
        "CreateImageMessageRequest",
        "UpdateBlacklistRecordRequest",
    ):
        assert name in names, name
    for component in ("Channel", "ChannelQueryOptions", "MuteChannelRequest", "Error"):
        assert component in names
    assert len(names) == len(upstra.models)
    body = ops["query_channels"].body
    assert body is not None and body.model == "QueryChannelsRequest"
    assert ops["add_channel_users"].body.model == "UserIdsRequest"  # type: ignore[union-attr]


# -- encodings --------------------------------------------------------------------------------


def test_form_field_styles(ops: dict[str, Operation]) -> None:
    body = ops["query_channels"].body
    assert body is not None
    assert (body.kind, body.media_type) == ("form", "application/x-www-form-urlencoded")
    styles = {f.wire: f.style for f in body.fields}
    assert styles == {
        "filter": "form",
        "userId": "form",
        "tags": "form",
        "excludeTags": "form",
        "options": "deepObject",
    }
    fields = {f.wire: f for f in body.fields}
    assert fields["tags"].type.is_array
    assert fields["options"].type.client == "ChannelQueryOptions"

    create = ops["create_channel"].body
    assert create is not None
    assert {f.wire: f.style for f in create.fields}["metadata"] == "deepObject"
    assert {f.wire: f.style for f in create.fields}["userIds"] == "form"


def test_query_parameter_styles(ops: dict[str, Operation]) -> None:
    params = {p.wire: p for p in ops["query_reactors"].parameters}
    assert params["options"].style == "deepObject"
    assert params["options"].location == "query"
    assert params["referenceId"].style == "form"
    assert params["referenceId"].required
    regexs = ops["query_blacklist_records"].parameters[0]
    assert (regexs.style, regexs.type.is_array) == ("form", True)


def test_json_bodies_have_simple_fields(ops: dict[str, Operation]) -> None:
    body = ops["query_messages"].body
    assert body is not None and body.kind == "json"
    assert {f.style for f in body.fields} == {"simple"}


@pytest.mark.parametrize("op_id", ["create_image_message", "create_file_message"])
def test_multipart_file_fields(ops: dict[str, Operation], op_id: str) -> None:
    body = ops[op_id].body
    assert body is not None
    assert (body.kind, body.media_type) == ("multipart", "multipart/form-data")
    fields = {f.wire: f for f in body.fields}
    assert fields["file"].style == "file"
    assert fields["file"].type.is_file
    assert fields["file"].type.client == "FileInput"
    assert fields["file"].required
    assert fields["channelId"].style == "form"
    assert fields["tags"].style == "form"


@pytest.mark.parametrize("op_id", ["get_message_image", "get_message_file"])
def test_binary_success_responses(ops: dict[str, Operation], op_id: str) -> None:
    success = ops[op_id].success
    assert success.status == "200"
    assert success.kind == "binary"
    assert success.media_type == "application/octet-stream"
    assert success.model is None
    assert success.assumed


def test_json_success_and_error_responses(ops: dict[str, Operation]) -> None:
    op = ops["get_message"]
    assert (op.success.kind, op.success.model) == ("json", "Message")
    assert [r.status for r in op.responses] == ["200", "400", "401", "403", "404"]
    assert {r.model for r in op.responses[1:]} == {"Error"}


def test_rate_limits_and_aliases(ops: dict[str, Operation]) -> None:
    limit = ops["get_message"].rate_limit
    assert limit is not None and limit.documented is False
    assert limit.text == "not documented by the vendor"


# -- a plain spec: no x-chatforge, no operation ids, no tags ----------------------------------

TINY = """\
openapi: 3.1.0
info:
  title: Tiny
  version: '1'
paths:
  /items/{itemId}:
    get:
      parameters:
        - name: itemId
          in: path
          required: true
          schema: {type: string}
      responses:
        '200':
          description: The item.
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
    delete:
      summary: Delete an item
      parameters:
        - name: itemId
          in: path
          required: true
          schema: {type: string}
      responses:
        '204':
          description: Gone.
  /items:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string}
      responses:
        '201':
          description: Created.
"""


def build_text(tmp_path: Path, text: str, name: str = "tiny.yaml") -> tuple[pipeline.Checked, Api]:
    spec = tmp_path / name
    spec.write_text(textwrap.dedent(text), encoding="utf-8")
    (source,) = pipeline.find_specs(load_config(tmp_path), [str(spec)])
    checked = pipeline.check(source)
    return checked, build_checked(checked)


def test_a_plain_spec_builds_with_derived_ids_and_the_default_tag(tmp_path: Path) -> None:
    checked, api = build_text(tmp_path, TINY)
    assert {d.level for d in checked.diagnostics} == {Level.WARNING}
    assert api.slug == "tiny"
    assert api.package == "tiny"
    assert api.conventions is False
    assert api.source_functions is None
    assert api.spec_file == "tiny.yaml"
    assert [t.name for t in api.tags] == ["default"]
    assert [op.operation_id for op in api.operations] == [
        "get_items_by_item_id",
        "delete_items_by_item_id",
        "post_items",
    ]
    for op in api.operations:
        assert op.tag == "default"
        assert op.rate_limit is None
        (fn,) = op.functions
        assert fn.row is None
        assert fn.method == op.py == op.operation_id
    get, delete, post = api.operations
    assert get.summary == "GET /items/{itemId}"  # derived from method and path
    assert delete.summary == "Delete an item"
    assert get.server_path == "/items/{item_id}"
    assert args(get.functions[0]) == ["item_id"]
    assert get.success.model == "GetItemsByItemIdResponse"
    assert post.body is not None and post.body.model == "PostItemsRequest"
    assert args(post.functions[0]) == ["name"]
    assert delete.success.kind == "empty"
    assert api.covered_rows == ()


# -- names that meet in Python, and project extensions in a plain spec ------------------------


def test_parameters_that_become_one_python_name_are_refused_or_renamed(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        info: {title: Dup, version: '1'}
        paths:
          /items:
            get:
              operationId: list_items
              parameters:
                - {name: userId, in: query, schema: {type: string}}
                - {name: user_id, in: query, schema: {type: string}}
              responses:
                '200': {description: ok}
        """
    _, api = build_text(tmp_path, text, "dup.yaml")
    # The first keeps the plain name; the second says where it goes.
    assert args(api.operations[0].functions[0]) == ["user_id", "query_user_id"]


def test_body_fields_without_ascii_names_are_refused_as_one_python_name(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        info: {title: Names, version: '1'}
        paths:
          /people:
            post:
              operationId: add_person
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        名前: {type: string}
                        年齢: {type: string}
                        住所: {type: string}
              responses:
                '200': {description: ok}
        """
    spec = tmp_path / "names.yaml"
    spec.write_text(textwrap.dedent(text), encoding="utf-8")
    (source,) = pipeline.find_specs(load_config(tmp_path), [str(spec)])
    errors = [d for d in pipeline.check(source).diagnostics if d.level is Level.ERROR]
    schema = "/paths/~1people/post/requestBody/content/application~1json/schema"
    assert [(d.line, d.pointer) for d in errors] == [
        (14, f"{schema}/properties/年齢"),
        (15, f"{schema}/properties/住所"),
    ]
    assert "'名前' and '年齢'" in errors[0].message and "'field'" in errors[0].message


def test_malformed_x_functions_in_a_plain_spec_is_ignored(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        info: {title: Bad, version: '1'}
        paths:
          /items:
            get:
              operationId: list_items
              x-functions: [oops]
              responses:
                '200': {description: ok}
        """
    _, api = build_text(tmp_path, text, "bad.yaml")
    # A spec without x-chatforge is read as its authors wrote it: the project's extension is
    # not theirs, and the operation serves its one function.
    assert [(fn.method, args(fn)) for fn in api.operations[0].functions] == [("list_items", [])]


def test_one_method_name_twice_in_a_plain_spec_is_ignored(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        info: {title: Twice, version: '1'}
        paths:
          /a:
            get:
              operationId: get_a
              x-functions: [{name: same}]
              responses:
                '200': {description: ok}
          /b:
            get:
              operationId: get_b
              x-functions: [{name: same}]
              responses:
                '200': {description: ok}
        """
    _, api = build_text(tmp_path, text, "twice.yaml")
    methods = [(op.tag, fn.method) for op in api.operations for fn in op.functions]
    assert methods == [("default", "get_a"), ("default", "get_b")]


def test_unions_of_nested_arrays_keep_their_brackets() -> None:
    from chatforge.diagnostics import Diagnostics
    from chatforge.ir.schemas import SchemaRegistry, members

    registry = SchemaRegistry({}, Diagnostics("x.yaml", {}))
    schema = {
        "type": "array",
        "items": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": ["boolean", "string"]}},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
    }
    spelled = registry.spell(schema)
    assert spelled.client == "Sequence[str | Sequence[str | bool] | Sequence[str]]"
    assert members("Sequence[int | str] | None") == ["Sequence[int | str]", "None"]
