"""chatforge.naming: spec names -> Python names, one table per function."""

from __future__ import annotations

import keyword

import pytest

from chatforge import naming

SNAKE = [
    ("userIds", "user_ids"),
    ("mutePeriod", "mute_period"),
    ("HTTPStatus", "http_status"),
    ("getHTTPResponseCode", "get_http_response_code"),
    ("userID", "user_id"),
    ("ID", "id"),
    ("a-b", "a_b"),
    ("X-Request-ID", "x_request_id"),
    ("with.dot", "with_dot"),
    ("query channels", "query_channels"),
    ("user_info", "user_info"),
    ("UserInfo", "user_info"),
    ("x__y", "x_y"),
    ("_private", "private"),
    ("v2Api", "v2_api"),
    ("2fa_code", "2fa_code"),
    ("café_au_lait", "cafe_au_lait"),
    ("", ""),
    ("名前", ""),
]

PASCAL = [
    ("query_channels", "QueryChannels"),
    ("user ids", "UserIds"),
    ("userIds", "UserIds"),
    ("user_info", "UserInfo"),
    ("UserInfo", "UserInfo"),
    ("HTTPStatus", "HttpStatus"),
    ("set_channel_mute", "SetChannelMute"),
    ("a-b", "AB"),
    ("x-request-id", "XRequestId"),
    ("créme brûlée", "CremeBrulee"),
    ("", ""),
]

IDENTIFIER = [
    # keywords get a trailing underscore
    ("class", "class_"),
    ("from", "from_"),
    ("async", "async_"),
    ("import", "import_"),
    ("lambda", "lambda_"),
    # `None`, `True` are keywords only capitalised; snake_case lowers them into plain names
    ("None", "none"),
    ("True", "true"),
    # soft keywords and builtins are valid names and stay as they are
    ("match", "match"),
    ("type", "type"),
    ("list", "list"),
    # leading digits
    ("1st", "field_1st"),
    ("123", "field_123"),
    ("2fa_code", "field_2fa_code"),
    # separators and case
    ("a-b", "a_b"),
    ("userIds", "user_ids"),
    ("HTTPStatus", "http_status"),
    ("X-Request-ID", "x_request_id"),
    ("channelId", "channel_id"),
    # unicode: accents fold to ASCII, what has no ASCII form is dropped
    ("café", "cafe"),
    ("Größe", "groe"),
    ("名前", "field"),
    # nothing usable left
    ("", "field"),
    ("   ", "field"),
    ("___", "field"),
    ("__init__", "init"),
]

CLASS_NAME = [
    ("user_info", "UserInfo"),
    ("UserInfo", "UserInfo"),
    ("query_channels_request", "QueryChannelsRequest"),
    ("HTTPStatus", "HttpStatus"),
    ("a-b", "AB"),
    ("channel list", "ChannelList"),
    # PascalCase keywords get a trailing underscore
    ("None", "NoneModel"),
    ("true", "TrueModel"),
    ("false", "FalseModel"),
    # lowercase keywords are fine once capitalised
    ("class", "Class"),
    # leading digits
    ("1st_place", "Model1stPlace"),
    ("404", "Model404"),
    # nothing usable left
    ("", "Model"),
    ("名前", "Model"),
]


@pytest.mark.parametrize(("text", "expected"), SNAKE)
def test_snake(text: str, expected: str) -> None:
    assert naming.snake(text) == expected


@pytest.mark.parametrize(("text", "expected"), PASCAL)
def test_pascal(text: str, expected: str) -> None:
    assert naming.pascal(text) == expected


@pytest.mark.parametrize(("text", "expected"), IDENTIFIER)
def test_identifier(text: str, expected: str) -> None:
    assert naming.identifier(text) == expected


@pytest.mark.parametrize(("text", "_"), IDENTIFIER)
def test_identifier_is_always_a_valid_python_name(text: str, _: str) -> None:
    name = naming.identifier(text)
    assert name.isidentifier()
    assert not keyword.iskeyword(name)
    assert name.isascii()


@pytest.mark.parametrize(
    ("text", "reserved", "expected"),
    [
        ("body", {"body"}, "body_"),
        ("body", {"body", "body_"}, "body__"),
        ("self", {"self"}, "self_"),
        ("class", {"class_"}, "class__"),  # the keyword fix happens first, then the reservation
        ("timeout", set(), "timeout"),
        ("userId", {"user_id"}, "user_id_"),
    ],
)
def test_identifier_avoids_reserved_names(text: str, reserved: set[str], expected: str) -> None:
    assert naming.identifier(text, frozenset(reserved)) == expected


@pytest.mark.parametrize(("text", "expected"), CLASS_NAME)
def test_class_name(text: str, expected: str) -> None:
    assert naming.class_name(text) == expected


@pytest.mark.parametrize(("text", "_"), CLASS_NAME)
def test_class_name_is_always_a_valid_class_name(text: str, _: str) -> None:
    name = naming.class_name(text)
    assert name.isidentifier() and not keyword.iskeyword(name)
    assert name[0].isupper()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("get_item", True),
        ("a", True),
        ("query_channels", True),
        ("v2_api", True),
        ("a_1", True),
        ("getItem", False),
        ("GetItem", False),
        ("get-item", False),
        ("get__item", False),
        ("_get", False),
        ("get_", False),
        ("1get", False),
        ("get item", False),
        ("", False),
        ("café", False),
    ],
)
def test_is_snake_case(text: str, expected: bool) -> None:
    assert naming.is_snake_case(text) is expected


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/users/{id}", "get_users_by_id"),
        ("GET", "/users", "get_users"),
        ("post", "/api/v2/channel/{channelId}/users", "post_api_v2_channel_by_channel_id_users"),
        ("delete", "/items/{item-id}/sub-items", "delete_items_by_item_id_sub_items"),
        ("put", "users/{userId}/", "put_users_by_user_id"),
        ("get", "/", "get"),
        ("get", "/v2/class", "get_v2_class"),
        ("patch", "/HTTPStatus", "patch_http_status"),
    ],
)
def test_operation_id_from(method: str, path: str, expected: str) -> None:
    derived = naming.operation_id_from(method, path)
    assert derived == expected
    assert naming.is_snake_case(derived)


@pytest.mark.parametrize("name", ["get_md5sum", "a1b2", "sha256sum", "oauth2token"])
def test_identifier_keeps_a_snake_case_name(name: str) -> None:
    assert naming.is_snake_case(name)
    assert naming.identifier(name) == name


@pytest.mark.parametrize("text", [t for t, _ in SNAKE] + [t for t, _ in IDENTIFIER])
def test_snake_and_identifier_are_idempotent(text: str) -> None:
    once = naming.snake(text)
    assert naming.snake(once) == once
    name = naming.identifier(text)
    assert naming.identifier(name) == name


def test_constant() -> None:
    assert naming.constant("defaultBaseUrl") == "DEFAULT_BASE_URL"
    assert naming.constant("class") == "CLASS"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1", "plus_1"),
        ("-1", "minus_1"),
        ("-12.5", "minus_12_dot_5"),
        ("%", "percent"),
        ("12", "field_12"),
        ("a+1", "a_1"),
    ],
)
def test_a_name_without_letters_spells_its_punctuation_out(text: str, expected: str) -> None:
    assert naming.identifier(text) == expected
