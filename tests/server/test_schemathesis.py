"""Schemathesis against every generated server, in process.

Each API's spec (specs/<slug>.yaml) drives schemathesis's requests, valid and invalid, into the
generated FastAPI app (mock handlers, the API's own credential check, valid credentials on every
request) through schemathesis's ASGI transport, and every answer is checked against the spec:
not_a_server_error, status_code_conformance, response_schema_conformance,
content_type_conformance, negative_data_rejection and positive_data_acceptance. One test per
operation, named `test_<slug>__<operationId>`.

Bounded for CI: the examples phase (the spec's own examples) and the fuzzing phase with
CHATFORGE_SCHEMATHESIS_EXAMPLES examples per operation (default 3), a fixed seed
(CHATFORGE_SCHEMATHESIS_SEED), no shrinking, no Hypothesis example database, and Hypothesis's
caches outside the work tree. The coverage phase (every boundary value, every missing or
mistyped part: some 34,000 requests, minutes) runs on demand:

    CHATFORGE_SCHEMATHESIS_EXAMPLES=100 CHATFORGE_SCHEMATHESIS_COVERAGE=1 \
        .venv/bin/python -m pytest -q -p no:cacheprovider tests/server/test_schemathesis.py

Two places work around schemathesis 4.32.5 where it misreads the specs; each says why:
`_urlencoded` (Encoding Objects of form bodies) and `_negative_data_rejection`. A seventh check,
`_credentials_accepted`, guards the setup itself: valid credentials answered 401 fail.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlencode

import schemathesis
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from tests.conftest import ROOT, import_generated

EXAMPLES = int(os.environ.get("CHATFORGE_SCHEMATHESIS_EXAMPLES", "3"))
COVERAGE = os.environ.get("CHATFORGE_SCHEMATHESIS_COVERAGE", "") == "1"
SEED = int(os.environ.get("CHATFORGE_SCHEMATHESIS_SEED", "20240601"))

KEY, SECRET, TOKEN = "test-key", "test-secret", "test-token"


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # The apps serve their routes at the root; the specs' server URLs (Agora's carries
            # /{org_name}/{app_name}) name the vendors' hosts, not this in-process app.
            "base-url": "http://testserver",
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
                "database": "none",
            },
            "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
            "cache": {"enabled": False},
            # The credentials are the tests' own: show them, and every value named like a
            # secret, so that a failure's curl command reproduces it as it is.
            "output": {"sanitization": {"enabled": False}},
        }
    )


def _load(slug: str) -> dict[str, Any]:
    text = (ROOT / "specs" / f"{slug}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# Credentials ----------------------------------------------------------------------------------


def _signed_headers(doc: dict[str, Any]) -> Callable[[], dict[str, str]]:
    """Headers signed as the spec's `x-signature` describes them: app key, nonce, timestamp in
    the declared unit, and the hex digest of the declared parts in the declared order."""
    (scheme,) = (s for s in doc["components"]["securitySchemes"].values() if "x-signature" in s)
    sig = scheme["x-signature"]
    nonces = itertools.count(1)

    def headers() -> dict[str, str]:
        now = time.time()
        stamp = str(int(now * 1000) if sig["timestamp-unit"] == "milliseconds" else int(now))
        parts = {"secret": SECRET, "nonce": f"n{next(nonces)}", "timestamp": stamp}
        text = "".join(parts[name] for name in sig["signed"])
        return {
            sig["app-key-header"]: KEY,
            sig["nonce-header"]: parts["nonce"],
            sig["timestamp-header"]: stamp,
            scheme["name"]: hashlib.new(sig["algorithm"], text.encode()).hexdigest(),
        }

    return headers


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _stream_headers(doc: dict[str, Any]) -> Callable[[], dict[str, str]]:
    """A server token (HS256 over the spec's server claims) and the auth type it declares."""
    schemes = doc["components"]["securitySchemes"]
    jwt, kind = schemes["JWT"], schemes["stream-auth-type"]
    assert jwt["x-jwt"]["algorithm"] == "HS256"
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64(json.dumps(jwt["x-jwt"]["server-claims"], separators=(",", ":")).encode())
    signing_input = f"{header}.{claims}".encode("ascii")
    signature = _b64(hmac.new(SECRET.encode(), signing_input, hashlib.sha256).digest())
    token = f"{jwt['x-jwt']['prefix']}{header}.{claims}.{signature}"
    return lambda: {jwt["name"]: token, kind["name"]: kind["x-value"]}


def _bearer_headers(doc: dict[str, Any]) -> Callable[[], dict[str, str]]:
    return lambda: {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class Api:
    package: str
    auth: Callable[[ModuleType], Any]  # the generated security module -> create_app(auth=...)
    headers: Callable[[dict[str, Any]], Callable[[], dict[str, str]]]
    query: dict[str, str] = field(default_factory=dict)


def _signature_check(security: ModuleType) -> Any:
    # Schemathesis makes the cases of its examples phase, signed headers included, when the
    # tests are collected, which may be many minutes before they run: the window is a day.
    return security.signature_check({KEY: SECRET}, window_seconds=86400)


def _bearer_check(security: ModuleType) -> Any:
    return security.bearer_check(lambda token: token == TOKEN)


APIS = {
    "rongcloud": Api("rongcloud_im_server", _signature_check, _signed_headers),
    "nexconn": Api("nexconn_server", _signature_check, _signed_headers),
    "stream": Api(
        "stream_server",
        lambda security: security.jwt_check(KEY, SECRET),
        _stream_headers,
        {"api_key": KEY},
    ),
    "agora": Api("agora_chat_server", _bearer_check, _bearer_headers),
    "upstra": Api("upstra_server", _bearer_check, _bearer_headers),
}


@functools.cache
def _app(slug: str) -> Any:
    api = APIS[slug]
    package = import_generated(slug, "server", api.package)
    security = import_generated(slug, "server", f"{api.package}.security")
    return package.create_app(mock=True, auth=api.auth(security))


# Form bodies ----------------------------------------------------------------------------------


FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        *_, section, name = node["$ref"].split("/")
        node = doc["components"][section][name]
    return node


def _media(case: Case, media_type: str) -> dict[str, Any]:
    """The operation's Media Type Object for `media_type`."""
    doc = case.operation.schema.raw_schema
    operation = doc["paths"][case.operation.path][case.operation.method.lower()]
    body = _resolve(doc, operation.get("requestBody", {}))
    media: dict[str, Any] = body.get("content", {}).get(media_type, {})
    return media


def _wire(value: Any) -> str:
    """A form field's text: strings as they are, everything else in its JSON spelling."""
    return value if isinstance(value, str) else json.dumps(value)


def _form_pairs(name: str, value: Any, encoding: dict[str, Any]) -> list[tuple[str, str]]:
    if "json" in encoding.get("contentType", ""):
        return [(name, json.dumps(value))]
    if isinstance(value, dict):
        # deepObject: name[key]=value; form, exploded (the default): key=value.
        deep = encoding.get("style") == "deepObject"
        nested = {"style": "deepObject"}
        return [
            pair
            for key, item in value.items()
            for pair in _form_pairs(f"{name}[{key}]" if deep else key, item, nested)
        ]
    if isinstance(value, list):
        return [(name, _wire(item)) for item in value]
    return [(name, _wire(value))]


@schemathesis.serializer(FORM)
def _urlencoded(ctx: schemathesis.SerializationContext, value: Any) -> bytes | None:
    """Form bodies as the spec's Encoding Objects say. Schemathesis 4.32.5 serializes each
    property of a x-www-form-urlencoded body like a query parameter, with the `style` and
    `explode` of its Encoding Object, and ignores `contentType`: an object property declared
    `contentType: application/json` goes exploded into top-level fields (`{"content": {"content":
    "Hello"}}` is sent as `content=Hello`), so every valid RongCloud message body (43 such
    properties) would be rejected as invalid JSON. So the generated body is encoded here: such a
    property as one field holding its JSON text, `style: deepObject` properties as
    `name[key]=value`, arrays as repeated fields and other objects exploded (style form, explode
    true), as schemathesis does."""
    body = ctx.case.body
    if not isinstance(body, dict):
        if value is None or isinstance(value, bytes):
            return value
        return value.encode() if isinstance(value, str) else json.dumps(value).encode()
    encodings = _media(ctx.case, FORM).get("encoding", {})
    pairs: list[tuple[str, str]] = []
    for name, item in body.items():
        own = _form_pairs(name, item, encodings.get(name, {}))
        if isinstance(item, dict) and {key for key, _ in own} & (body.keys() - {name}):
            # An object exploded into fields named as the body's other members (an undeclared
            # member `{"x": {"content": 0}}` beside `content`) would send those twice, a form
            # no server can read as the body generated: such an object goes as its JSON text.
            own = [(name, json.dumps(item))]
        pairs += own
    return urlencode(pairs).encode("ascii")


def _sent_fields(response: Any, media_type: str) -> list[tuple[str, str]] | None:
    """The fields of a form body as it went on the wire."""
    content = response.request.body
    if isinstance(content, str):
        content = content.encode()
    if not isinstance(content, bytes):
        return None
    if media_type == FORM:
        return parse_qsl(content.decode("ascii", "replace"), keep_blank_values=True)
    header = f"Content-Type: {response.request.headers.get('Content-Type', '')}\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(header.encode() + content)
    return [
        (
            str(part.get_param("name", header="content-disposition")),
            payload.decode(errors="replace"),
        )
        for part in message.iter_parts()
        if isinstance(payload := part.get_payload(decode=True), bytes)
    ]


def _read(doc: dict[str, Any], schema: Any, text: str) -> Any:
    """A form field's text read as the type its schema declares, where the text spells one."""
    schema = _resolve(doc, schema)
    kinds = schema.get("type", []) if isinstance(schema, dict) else []
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        return float(text)
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    return text


def _in_range(bits: int) -> Callable[[object], bool]:
    return lambda value: not isinstance(value, int) or -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)


# Formats asserted when a sent form is validated, as schemathesis asserts them (it reads int32
# and int64 as ranges).
FORMATS = FormatChecker(formats=Draft202012Validator.FORMAT_CHECKER.checkers)
FORMATS.checks("int32")(_in_range(32))
FORMATS.checks("int64")(_in_range(64))


def _properties(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    """The properties an object schema declares, its allOf/anyOf/oneOf branches' included."""
    schema = _resolve(doc, schema)
    found: dict[str, Any] = {}
    for branch in (*schema.get("allOf", ()), *schema.get("anyOf", ()), *schema.get("oneOf", ())):
        found.update(_properties(doc, branch))
    return {**found, **schema.get("properties", {})}


def _form_as_read(case: Case, response: Any) -> dict[str, Any] | None:
    """The form body that was sent, read as a server reads it by the spec: repeated fields make
    an array, one field of an array property a one-element array, `contentType: application/json`
    fields JSON, `name[key]` fields of a deepObject an object, and text the type it spells."""
    doc = case.operation.schema.raw_schema
    media_type = (case.media_type or "").split(";")[0]
    fields = _sent_fields(response, media_type) if media_type in (FORM, MULTIPART) else None
    if fields is None:
        return None
    media = _media(case, media_type)
    properties = _properties(doc, media.get("schema", {}))
    encodings = media.get("encoding", {})
    data: dict[str, Any] = {}
    for name, text in fields:
        deep = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])+)", name)
        if deep and encodings.get(deep.group(1), {}).get("style") == "deepObject":
            keys = [deep.group(1), *re.findall(r"\[([^\[\]]*)\]", deep.group(2))]
            target, schema = data, {"properties": properties}
            for key in keys[:-1]:
                schema = _properties(doc, schema).get(key, {})
                target = target.setdefault(key, {})
                if not isinstance(target, dict):
                    return None
            target[keys[-1]] = _read(doc, _properties(doc, schema).get(keys[-1], {}), text)
            continue
        schema = _resolve(doc, properties.get(name, {}))
        if "json" in encodings.get(name, {}).get("contentType", ""):
            try:
                value = json.loads(text)
            except ValueError:
                value = text
        elif schema.get("type") == "array":
            data.setdefault(name, []).append(_read(doc, schema.get("items", {}), text))
            continue
        else:
            value = _read(doc, schema, text)
        data[name] = [data[name], value] if name in data else value
    return data


def _valid_body(case: Case, body: dict[str, Any]) -> bool:
    doc = case.operation.schema.raw_schema
    schema = _media(case, (case.media_type or "").split(";")[0]).get("schema", {})
    validator = Draft202012Validator(
        {**schema, "components": doc.get("components", {})}, format_checker=FORMATS
    )
    return validator.is_valid(body)


def _negative_data_rejection(ctx: Any, response: Any, case: Case) -> bool | None:
    """negative_data_rejection without two false positives of schemathesis 4.32.5's:

    - A form field carries text. When the only invalid part is the body of a form, the request
      is checked as the form the server received: a string sent in place of an array of strings
      (`userId=AAA` for `{"userId": "AAA"}`) is the one-element array `["AAA"]` on the wire,
      valid, and schemathesis's own re-reading (`_form_body_is_valid_as_sent`) does not see it.
    - Its coverage phase sends an undeclared header (`x-schemathesis-unknown-property: 42`) and
      expects a rejection: it means to skip additional non-body properties
      (`has_only_additional_properties_in_non_body_parameters`) but does not when the operation
      has a body, and servers ignore header fields they do not know (RFC 9110, 5.1).
    """
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        meta = case.meta
        phase = meta.phase.data if meta is not None else None
        if (
            isinstance(phase, CoveragePhaseData)
            and phase.scenario == CoverageScenario.OBJECT_UNEXPECTED_PROPERTIES
            and phase.parameter_location == ParameterLocation.HEADER
        ):
            return None
        only_body = meta is not None and not any(
            info.mode.is_negative
            for location, info in meta.components.items()
            if location != ParameterLocation.BODY
        )
        sent = _form_as_read(case, response) if only_body else None
        if sent is not None and _valid_body(case, sent):
            return None
        raise


# The ids of the cases that carry the credentials of `Credentials` below.
CREDENTIALED: set[str] = set()


def _credentials_accepted(ctx: Any, response: Any, case: Case) -> bool | None:
    """Valid credentials are never answered 401. Without this a wrong credential setup would
    pass every other check: 401 is documented for every operation and counts as a rejection."""
    if response.status_code == 401 and case.id in CREDENTIALED:
        raise AssertionError(f"valid credentials rejected: {response.content[:300]!r}")
    return None


CHECKS = [
    _credentials_accepted,
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    _negative_data_rejection,
    positive_data_acceptance,
]


# Tests ----------------------------------------------------------------------------------------


def _operation_test(slug: str, schema: Any, operation_id: str) -> Callable[..., None]:
    @schema.include(operation_id=operation_id).parametrize()
    def test(case: Case) -> None:
        case.call_and_validate(app=_app(slug), checks=CHECKS)

    return test


def _api_tests(slug: str) -> dict[str, Callable[..., None]]:
    api = APIS[slug]
    doc = _load(slug)
    schema = schemathesis.openapi.from_dict(doc, config=_config())
    headers = api.headers(doc)

    # Fresh credentials on every request (signed headers carry a timestamp and a nonce);
    # schemathesis leaves them off the cases that test a missing or wrong credential.
    @schema.auth(refresh_interval=None)
    class Credentials:
        def get(self, case: Case, context: Any) -> dict[str, str]:
            return headers()

        def set(self, case: Case, data: dict[str, str], context: Any) -> None:
            CREDENTIALED.add(case.id)
            case.headers = {**(case.headers or {}), **data}
            if api.query:
                case.query = {**(case.query or {}), **api.query}

    operation_ids = [
        operation["operationId"]
        for item in doc["paths"].values()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    ]
    return {
        f"test_{slug}__{operation_id}": _operation_test(slug, schema, operation_id)
        for operation_id in operation_ids
    }


# One module-level test per operation: pytest 9 builds a schemathesis item's node id from the
# function's name alone, so one function per API would give all its operations the same id.
for _slug in APIS:
    globals().update(_api_tests(_slug))
