"""A mock server pages a list operation as its spec says, through a data set of a few items:
a client's iterator over any list operation of any API ends after the mock's last page."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatforge.ir.model import Api, Operation
from tests.conftest import LiveServer
from tests.functional.harness import (
    Generated,
    arguments,
    credentials,
    load_generated,
    project_apis,
    resource,
)

APIS = project_apis()
CASES = [(api, op) for api in APIS for op in api.operations if op.pagination is not None]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, tuple[Generated, LiveServer]]]:
    running: dict[str, tuple[Generated, LiveServer]] = {}
    try:
        for api in APIS:
            generated = load_generated(api)
            live = LiveServer(generated.server.create_app(mock=True)).__enter__()
            running[api.slug] = (generated, live)
        yield running
    finally:
        for _, live in running.values():
            live.__exit__(None, None, None)


class Counting(httpx.HTTPTransport):
    """A transport counting the requests it sends."""

    calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return super().handle_request(request)


def _holder(kwargs: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    holder = kwargs
    for key in path[:-1]:
        holder = holder[key]
    return holder


def _smallest_size(op: Operation) -> int:
    """The smallest page size the spec lets a request ask for, at least 2."""
    assert op.pagination is not None and op.pagination.size is not None
    wire = op.pagination.size[-1] if len(op.pagination.size) > 1 else None
    for field in (*op.parameters, *(op.body.fields if op.body else ())):
        if field.py == op.pagination.size[0] and wire is None:
            low = next((c.value for c in field.constraints if c.name == "minimum"), None)
            return max(2, int(json.loads(low)) if low is not None else 2)
    return 2


def _sample_size(generated: Generated, op: Operation) -> int:
    """How many items the example answer of the operation lists."""
    assert op.pagination is not None
    found: Any = generated.examples[op.py]
    for key in op.pagination.items:
        found = found.get(key) if isinstance(found, dict) else None
    return len(found) if isinstance(found, list | dict) else 0


@pytest.mark.parametrize(
    ("api", "op"), CASES, ids=[f"{api.slug}.{op.operation_id}" for api, op in CASES]
)
def test_iterating_a_list_operation_of_the_mock_ends_after_its_last_page(
    api: Api,
    op: Operation,
    servers: dict[str, tuple[Generated, LiveServer]],
) -> None:
    generated, live = servers[api.slug]
    paging = generated.server._runtime._mock
    assert op.pagination is not None
    kwargs = arguments(op.functions[0])
    size = None
    if op.pagination.size is not None:
        size = _smallest_size(op)
        _holder(kwargs, op.pagination.size)[op.pagination.size[-1]] = size
    # From the first page.
    for path, first in ((op.pagination.page, 1), (op.pagination.offset, 0)):
        if path:
            _holder(kwargs, path)[path[-1]] = first
    if op.pagination.cursor:
        _holder(kwargs, op.pagination.cursor).pop(op.pagination.cursor[-1], None)
    transport = Counting()
    with generated.client.Client(
        base_url=live.url, transport=transport, **credentials(api)
    ) as client:
        method = getattr(resource(client, api, op), f"iter_{op.functions[0].method}")
        # A mock that never ends its pages would give items for ever: take at most 100.
        items = list(itertools.islice(method(**kwargs), 100))
    expected = paging.MOCK_ITEMS if _sample_size(generated, op) else 0
    assert len(items) == expected
    if size is not None and expected:
        # Every page but the last is full; the iterator stops at the first short or empty page.
        full, rest = divmod(expected, size)
        assert transport.calls in (full + 1, full + (rest > 0))
