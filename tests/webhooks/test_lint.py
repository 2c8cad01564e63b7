"""The `webhooks` lint rule and the extensions it reads, pinned: each bad shape gets its
located message (file:line:col, level, words, JSON pointer)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.running import chatforge

HEAD = """\
openapi: 3.1.0
info: {title: Hooks, version: '1'}
tags:
  - {name: Events, description: What is posted.}
"""

GOOD_EVENT = """\
  message.new:
    post:
      operationId: message_new
      summary: A message
      tags: [Events]
      security: [{sig: []}]
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/MessageNewEvent'}
      responses: {'200': {description: Taken.}}
      x-event: {match: {type: message.new}}
"""

COMPONENTS = """\
components:
  securitySchemes:
    sig:
      type: apiKey
      in: header
      name: X-Sig
      x-webhook-signature:
        carried: {in: header, name: X-Sig}
  schemas:
    MessageNewEvent:
      type: object
      properties:
        type: {type: string}
        text: {type: string}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    spec = tmp_path / "hooks.yaml"
    spec.write_text(text, encoding="utf-8")
    result = chatforge("validate", spec, cwd=tmp_path)
    return [
        line.removeprefix(f"{spec}:").removeprefix("hooks.yaml:")
        for line in (result.stdout + result.stderr).splitlines()
        if ": error: " in line or ": warning: " in line
    ]


def test_a_good_spec_is_quiet(tmp_path: Path) -> None:
    assert problems(tmp_path, HEAD + "webhooks:\n" + GOOD_EVENT + COMPONENTS) == []


def test_bad_extension_shapes(tmp_path: Path) -> None:
    text = (
        HEAD
        + "x-webhooks: {path: hooks, answer: {status: 500}, colour: red}\n"
        + "webhooks:\n"
        + GOOD_EVENT.replace("match: {type: message.new}", "match: {kind: message.new}")
        + COMPONENTS.replace(
            "carried: {in: header, name: X-Sig}",
            "carried: {in: cookie, name: X-Sig}\n        algorithm: sha512\n"
            "        message: [secret]",
        )
    )
    assert problems(tmp_path, text) == [
        "5:14: error: x-webhooks.path must be a path starting with / (/x-webhooks/path)",
        "5:36: error: x-webhooks.answer.status must be a 2xx HTTP status "
        "(/x-webhooks/answer/status)",
        "5:50: error: x-webhooks has no member 'colour'; the members are answer, documented, "
        "note, path, retries, source, timeout (/x-webhooks/colour)",
        "18:25: error: x-event.match names 'kind', which is no property of the payload schema "
        "(nor, dotted, a nested one) (/webhooks/message.new/post/x-event/match/kind)",
        "26:9: error: x-webhook-signature.carried must be {in: header, query or body, name: "
        "<its name>} (/components/securitySchemes/sig/x-webhook-signature/carried)",
        "27:9: error: x-webhook-signature.algorithm is 'sha512'; use one of hmac-sha256, "
        "hmac-sha1, sha256, sha1, md5 (/components/securitySchemes/sig/x-webhook-signature/"
        "algorithm)",
        "28:9: error: an hmac signature is keyed with the secret; leave secret out of message "
        "(/components/securitySchemes/sig/x-webhook-signature/message)",
    ]


def test_operation_ids_are_snake_case_and_unique_among_operations_and_webhooks(
    tmp_path: Path,
) -> None:
    paths = textwrap.dedent(
        """\
        paths:
          /messages:
            post:
              operationId: message_new
              summary: Send
              tags: [Events]
              responses: {'200': {description: Sent.}, '400': {description: Refused.}}
        """
    )
    second = (
        GOOD_EVENT.replace("message.new:", "message.old:")
        .replace("operationId: message_new", "operationId: messageOld")
        .replace("{type: message.new}", "{type: message.old}")
    )
    text = HEAD + paths + "webhooks:\n" + GOOD_EVENT + second + COMPONENTS
    found = problems(tmp_path, text)
    assert found == [
        "15:7: error: operationId 'message_new' is already used at /paths/~1messages/post; "
        "operation ids must be unique among operations and webhooks "
        "(/webhooks/message.new/post/operationId)",
        "27:7: warning: operationId 'messageOld' is not snake_case; use 'message_old' "
        "(/webhooks/message.old/post/operationId)",
    ]


def test_events_sharing_a_url_need_a_match(tmp_path: Path) -> None:
    second = (
        GOOD_EVENT.replace("message.new:", "message.old:")
        .replace("operationId: message_new", "operationId: message_old")
        .replace("      x-event: {match: {type: message.new}}\n", "")
    )
    text = HEAD + "webhooks:\n" + GOOD_EVENT + second + COMPONENTS
    assert problems(tmp_path, text) == [
        "19:5: error: webhook 'message.old' shares the receiver '/webhooks' with other events; "
        "give it x-event.match (the body fields that identify it) or a path of its own "
        "(/webhooks/message.old/post)",
    ]


def test_documented_callbacks_need_events_and_undocumented_ones_none(tmp_path: Path) -> None:
    text = HEAD + "x-webhooks: {documented: true}\npaths: {}\n" + COMPONENTS
    assert problems(tmp_path, text) == [
        "5:1: error: x-webhooks says the vendor documents callbacks, yet the document has no "
        "webhooks; add them, or set documented: false with a note (/x-webhooks)",
    ]
    text = HEAD + "x-webhooks: {documented: false}\nwebhooks:\n" + GOOD_EVENT + COMPONENTS
    assert problems(tmp_path, text) == [
        "5:1: error: x-webhooks.documented is false: say in note where the callbacks were "
        "looked for (/x-webhooks)",
        "5:14: error: x-webhooks.documented is false, yet the document has webhooks; remove one "
        "or the other (/x-webhooks/documented)",
    ]


@pytest.mark.parametrize(
    ("scheme", "words"),
    [
        (
            "{type: apiKey, in: cookie, name: k}",
            "security scheme 'sig' cannot check a delivery; give it x-webhook-signature",
        ),
        ("{type: http, scheme: digest}", "security scheme 'sig' cannot check a delivery"),
    ],
)
def test_a_scheme_that_cannot_check_a_delivery(tmp_path: Path, scheme: str, words: str) -> None:
    components = f"components:\n  securitySchemes:\n    sig: {scheme}\n" + COMPONENTS.split(
        "  schemas:\n"
    )[1].join(["  schemas:\n", ""])
    found = problems(tmp_path, HEAD + "webhooks:\n" + GOOD_EVENT + components)
    assert [line for line in found if words in line], found


def test_webhook_examples_are_checked_like_other_examples(tmp_path: Path) -> None:
    event = GOOD_EVENT.replace(
        "            schema: {$ref: '#/components/schemas/MessageNewEvent'}\n",
        "            schema: {$ref: '#/components/schemas/MessageNewEvent'}\n"
        "            example: {type: message.new, text: 5}\n",
    )
    # A plain spec (no x-chatforge): the example is left out of the code, so a warning.
    assert problems(tmp_path, HEAD + "webhooks:\n" + event + COMPONENTS) == [
        "16:13: warning: example does not match its schema: 5 is not of type 'string' at /text; "
        "correct the example or the schema "
        "(/webhooks/message.new/post/requestBody/content/application~1json/example)",
    ]


def test_receiver_paths_are_fixed_paths_a_request_can_reach(tmp_path: Path) -> None:
    event = GOOD_EVENT.replace(
        "x-event: {match: {type: message.new}}",
        "x-event: {match: {type: message.new}, path: '/hooks/{app}'}",
    )
    text = HEAD + "x-webhooks: {path: '/in box'}\nwebhooks:\n" + event + COMPONENTS
    found = problems(tmp_path, text)
    assert [line.split(": error: ")[1] for line in found] == [
        "x-webhooks.path '/in box' holds ' ' (character 4), which a path may not hold; use "
        "letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ between slashes "
        "(/x-webhooks/path)",
        "x-event.path '/hooks/{app}' must be a fixed path (no templates) "
        "(/webhooks/message.new/post/x-event/path)",
    ]


def test_a_webhook_without_an_operation(tmp_path: Path) -> None:
    text = HEAD + "webhooks:\n  ghost: {}\n" + COMPONENTS
    assert problems(tmp_path, text) == [
        "6:3: error: webhook 'ghost' holds no operation; write its post operation in place (a "
        "reference to a path item is not followed here) (/webhooks/ghost)",
    ]


def test_an_answer_content_type_must_be_a_media_type(tmp_path: Path) -> None:
    text = HEAD + 'x-webhooks: {answer: {content-type: "a\\nb"}}\nwebhooks:\n' + GOOD_EVENT
    assert problems(tmp_path, text + COMPONENTS) == [
        "5:23: error: x-webhooks.answer.content-type must be a media type "
        "(/x-webhooks/answer/content-type)",
    ]


def test_the_unknown_event_handler_keeps_its_name(tmp_path: Path) -> None:
    event = GOOD_EVENT.replace("operationId: message_new", "operationId: unknown_event")
    assert problems(tmp_path, HEAD + "webhooks:\n" + event + COMPONENTS) == [
        "8:7: error: operationId 'unknown_event' would name the handler of events no webhook "
        "describes (on_unknown_event); choose another (/webhooks/message.new/post/operationId)",
    ]


BATCH = """\
    Batch:
      type: array
      items: {$ref: '#/components/schemas/MessageNewEvent'}
"""


def test_a_list_payload_only_at_a_url_of_its_own(tmp_path: Path) -> None:
    batched = GOOD_EVENT.replace("MessageNewEvent'}", "Batch'}")
    own = batched.replace("x-event: {match: {type: message.new}}", "x-event: {path: /batch}")
    assert problems(tmp_path, HEAD + "webhooks:\n" + own + COMPONENTS + BATCH) == []
    found = problems(tmp_path, HEAD + "webhooks:\n" + batched + COMPONENTS + BATCH)
    assert found == [
        "15:13: error: the payload of webhook 'message.new' is a JSON array, which only an event "
        "received at a path of its own (x-event.path, no match) can have "
        "(/webhooks/message.new/post/requestBody/content/application~1json/schema)",
    ]
    scalar = GOOD_EVENT.replace("{$ref: '#/components/schemas/MessageNewEvent'}", "{type: string}")
    assert [
        p.split(": error: ")[1]
        for p in problems(tmp_path, HEAD + "webhooks:\n" + scalar + COMPONENTS)
    ] == [
        "the payload of webhook 'message.new' must be an object schema with properties (or, for "
        "an event with a path of its own, an array of such objects) "
        "(/webhooks/message.new/post/requestBody/content/application~1json/schema)",
    ]


def test_schemes_that_only_sign_deliveries_leave_request_headers_free(tmp_path: Path) -> None:
    paths = """\
paths:
  /rooms:
    get:
      operationId: list_rooms
      summary: List rooms
      tags: [Events]
      parameters:
        - {name: X-Sig, in: header, schema: {type: string}}
      responses: {'200': {description: The rooms.}, '400': {description: A bad request.}}
"""
    assert problems(tmp_path, HEAD + paths + "webhooks:\n" + GOOD_EVENT + COMPONENTS) == []
    # A scheme that calls use keeps its header.
    used = paths.replace("      parameters:", "      security: [{sig: []}]\n      parameters:")
    unsigned = COMPONENTS.replace(
        "      x-webhook-signature:\n        carried: {in: header, name: X-Sig}\n", ""
    )
    found = problems(tmp_path, HEAD + used + "webhooks:\n" + GOOD_EVENT + unsigned)
    assert any("is the header of security scheme 'sig'" in line for line in found), found
