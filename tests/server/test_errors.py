"""Every failure a generated server answers is in the vendor's own error shape, valid against
the spec's error schema: bad input, bad credentials, unknown routes and methods, oversized
bodies and unimplemented operations. Requests are made by the generated client, so credentials
are right, and then tampered with on their way out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatforge.ir.failures import ERROR_KINDS
from chatforge.ir.model import Api, Operation
from chatforge.lint import schema_validator
from tests.conftest import ROOT, LiveServer, read_yaml
from tests.functional.harness import (
    Generated,
    arguments,
    credentials,
    load_generated,
    project_apis,
    resource,
    server_check,
)

APIS = {api.slug: api for api in project_apis()}
LIMIT = 4096
Tamper = Callable[[httpx.Request], httpx.Request]


class _Tampering(httpx.BaseTransport):
    """Sends each request after `tamper` has changed it (its credentials stay valid)."""

    def __init__(self, tamper: Tamper) -> None:
        self._inner = httpx.HTTPTransport()
        self._tamper = tamper

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(self._tamper(request))

    def close(self) -> None:
        self._inner.close()


def _with(request: httpx.Request, **changes: Any) -> httpx.Request:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return httpx.Request(
        changes.get("method", request.method),
        changes.get("url", request.url),
        headers=headers,
        content=changes.get("content", request.content),
    )


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 1024 + 1):
        yield b"x" * 1024


def _stripped_body(request: httpx.Request) -> httpx.Request:
    kind = request.headers.get("content-type", "")
    return _with(request, content=b"{}" if kind.startswith("application/json") else b"")


def _set_to(wire: str, value: Any) -> Tamper:
    def tamper(request: httpx.Request) -> httpx.Request:
        body = json.loads(request.content)
        body[wire] = value
        return _with(request, content=json.dumps(body).encode())

    return tamper


def _unknown_route(request: httpx.Request) -> httpx.Request:
    return _with(request, url=request.url.copy_with(path="/no/such/route"))


def _oversized(request: httpx.Request) -> httpx.Request:
    return _with(request, content=b"x" * (LIMIT + 1))


def _oversized_chunked(request: httpx.Request) -> httpx.Request:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return httpx.Request(request.method, request.url, headers=headers, content=_chunks(LIMIT))


def _other_method(api: Api, op: Operation) -> Tamper:
    taken = {o.method for o in api.operations if o.server_path == op.server_path}
    method = next(m for m in ("PATCH", "PUT", "DELETE", "POST", "GET") if m not in taken)
    return lambda request: _with(request, method=method, content=b"")


def _call(generated: Generated, url: str, op: Operation, tamper: Tamper | None) -> Any:
    """The error the generated client raises for the (tampered) call of `op`."""
    function = op.functions[0]
    transport = _Tampering(tamper) if tamper else None
    given = credentials(generated.api)
    with generated.client.Client(base_url=url, transport=transport, max_retries=0, **given) as c:
        with pytest.raises(generated.client.APIStatusError) as caught:
            getattr(resource(c, generated.api, op), function.method)(**arguments(function))
    return caught.value


@pytest.fixture(scope="module", params=sorted(APIS))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Generated, LiveServer]]:
    generated = load_generated(APIS[request.param])
    app = generated.server.create_app(auth=server_check(generated), max_body_bytes=LIMIT)
    with LiveServer(app) as live:
        yield generated, live


def _schema(api: Api) -> tuple[Any, set[str]]:
    """A validator of the spec's error schema and the members it names."""
    document = read_yaml(Path(ROOT, api.spec_file))
    pointer = document["x-errors"]["schema"][1:]
    node = document
    for token in pointer.strip("/").split("/"):
        node = node[token]
    return schema_validator(document, pointer), set(node["properties"])


def _body_op(api: Api) -> Operation:
    return next(
        op for op in api.operations if op.body and op.body.required and op.body.kind != "multipart"
    )


def _cases(api: Api) -> list[tuple[str, Operation, Tamper | None, str]]:
    plain = api.operations[0]
    body = _body_op(api)
    return [
        ("not_implemented", plain, None, "not implemented"),
        ("validation", body, _stripped_body, ""),
        ("not_found", plain, _unknown_route, "Not Found"),
        ("method_not_allowed", plain, _other_method(api, plain), "Method Not Allowed"),
        ("too_large", body, _oversized, f"larger than {LIMIT} bytes"),
        ("too_large", body, _oversized_chunked, f"larger than {LIMIT} bytes"),
    ]


def test_every_failure_answers_in_the_vendor_shape(served: tuple[Generated, LiveServer]) -> None:
    generated, live = served
    api = generated.api
    validator, members = _schema(api)
    codes = dict(api.errors.codes)
    for kind, op, tamper, words in _cases(api):
        error = _call(generated, live.url, op, tamper)
        status = ERROR_KINDS[kind]
        assert error.status_code == status, (kind, error.body)
        body = error.body
        assert error.response.headers["content-type"] == "application/json", kind
        problems = [e.message for e in validator.iter_errors(body)]
        assert not problems, (kind, body, problems)
        assert set(body) <= members, (kind, body)
        if api.errors.code_field is not None:
            assert body[api.errors.code_field] == codes.get(kind, status), (kind, body)
        assert words in body[api.errors.message_field], (kind, body)
        if api.errors.status_field is not None:
            assert body[api.errors.status_field] == status
        if kind == "validation" and api.errors.fields_field is not None:
            assert body[api.errors.fields_field], body


def test_wrong_credentials_answer_in_the_vendor_shape(
    served: tuple[Generated, LiveServer],
) -> None:
    generated, live = served
    api = generated.api
    validator, _ = _schema(api)
    wrong = {k: v if "key" in k else v + "-wrong" for k, v in credentials(api).items()}
    op = api.operations[0]
    function = op.functions[0]
    with generated.client.Client(base_url=live.url, max_retries=0, **wrong) as c:
        with pytest.raises(generated.client.AuthenticationError) as caught:
            getattr(resource(c, api, op), function.method)(**arguments(function))
    body = caught.value.body
    assert not list(validator.iter_errors(body)), body
    if api.errors.code_field is not None:
        expected = dict(api.errors.codes).get("authentication", 401)
        assert body[api.errors.code_field] == expected


def _failing_call(generated: Generated, handler: Callable[..., Any]) -> Any:
    """The error the client gets from the API's first operation answered by `handler`."""
    op = generated.api.operations[0]
    tag = next(t for t in generated.api.tags if t.name == op.tag)
    base = getattr(generated.server, f"{tag.pascal}Handlers")
    handlers = type("Failing", (base,), {op.py: handler})()
    with LiveServer(generated.server.create_app(**{tag.py: handlers})) as live:
        return _call(generated, live.url, op, None)


def test_unexpected_handler_failures_hide_their_details(
    served: tuple[Generated, LiveServer],
) -> None:
    """A handler that raises answers 500 in the vendor's shape, with no trace of the error."""
    generated, _ = served
    api = generated.api

    async def broken(self: Any, **_: Any) -> Any:
        raise RuntimeError("secret database password in a stack trace")

    validator, _ = _schema(api)
    error = _failing_call(generated, broken)
    assert error.status_code == 500
    assert "secret" not in error.response.text and "Traceback" not in error.response.text
    assert not list(validator.iter_errors(error.body)), error.body
    if api.errors.code_field is not None:
        assert error.body[api.errors.code_field] == dict(api.errors.codes).get("internal", 500)


def test_handlers_answer_their_own_errors_in_the_vendor_shape(
    served: tuple[Generated, LiveServer],
) -> None:
    generated, _ = served
    api = generated.api
    codes = dict(api.errors.codes)

    async def missing(self: Any, **_: Any) -> Any:
        raise generated.server.APIError(404, "no such thing", "not_found")

    async def refused(self: Any, **_: Any) -> Any:
        raise generated.server.APIError(403, "quota reached", "permission", code="custom")

    validator, _ = _schema(api)
    cases = ((missing, 404, codes.get("not_found", 404)), (refused, 403, "custom"))
    for handler, status, code in cases:
        error = _failing_call(generated, handler)
        assert error.status_code == status
        if api.errors.code_field is not None:
            assert error.body[api.errors.code_field] == code
        if status == 404:  # the kind's own code: the vendor's schema holds
            assert not list(validator.iter_errors(error.body)), error.body


def _optional_member(api: Api) -> tuple[Operation, str] | None:
    """A JSON-body operation and a member of its body that may be left out but not be null."""
    for op in api.operations:
        if op.body is None or op.body.kind != "json" or not op.body.required:
            continue
        for field in op.body.fields:
            if not field.required and "None" not in field.type.server and field.const_repr is None:
                return op, field.wire
    return None


def test_an_explicit_null_is_refused_where_the_spec_does_not_allow_it(
    served: tuple[Generated, LiveServer],
) -> None:
    """A member a request may leave out is not thereby nullable: null is answered as bad input."""
    generated, live = served
    found = _optional_member(generated.api)
    if found is None:
        pytest.skip("no JSON body with an optional member")
    op, wire = found
    error = _call(generated, live.url, op, _set_to(wire, None))
    assert error.status_code == ERROR_KINDS["validation"], error.body
    assert wire in error.body[generated.api.errors.message_field], error.body
    # Left out, the same member is fine: the call reaches the (unimplemented) handler.
    assert _call(generated, live.url, op, None).status_code == ERROR_KINDS["not_implemented"]


def test_a_nullable_member_takes_null() -> None:
    """Stream's `update_channel` takes `"message": null`, as Stream's own client sends it."""
    generated = load_generated(APIS["stream"])
    op = next(op for op in generated.api.operations if op.operation_id == "update_channel")
    with LiveServer(generated.server.create_app(auth=server_check(generated))) as live:
        error = _call(generated, live.url, op, _set_to("message", None))
    assert error.status_code == ERROR_KINDS["not_implemented"], error.body


def _optional_json_body(api: Api) -> Operation | None:
    return next(
        (
            op
            for op in api.operations
            if op.body and op.body.kind == "json" and not op.body.required
        ),
        None,
    )


def test_json_is_read_as_json() -> None:
    """A JSON body's numbers and booleans must be JSON numbers and booleans: `"10"` is not 10,
    nor `"true"` true. A body of `null` is not a body left out."""
    generated = load_generated(APIS["stream"])
    update = next(op for op in generated.api.operations if op.operation_id == "update_channel")
    with LiveServer(generated.server.create_app(auth=server_check(generated))) as live:
        for member, text, number in (("cooldown", "10", 10), ("hide_history", "true", True)):
            error = _call(generated, live.url, update, _set_to(member, text))
            assert error.status_code == 400, (member, error.body)
            assert member in error.body["message"], error.body
            error = _call(generated, live.url, update, _set_to(member, number))
            assert error.status_code == ERROR_KINDS["not_implemented"], (member, error.body)
    optional = [(slug, _optional_json_body(api)) for slug, api in APIS.items()]
    slug, op = next((slug, op) for slug, op in optional if op is not None)
    generated = load_generated(APIS[slug])
    with LiveServer(generated.server.create_app(auth=server_check(generated))) as live:
        error = _call(generated, live.url, op, lambda r: _with(r, content=b"null"))
        assert error.status_code == 400, error.body
