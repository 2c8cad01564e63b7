"""Iterators over list operations, for every paging style the five APIs use, on MockTransport:
page numbers, offsets, cursors and page tokens, including paging values inside a JSON payload."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from chatforge.ir.model import Api, Operation
from tests.functional.harness import Generated, arguments, credentials, load_generated, project_apis

APIS = {api.slug: api for api in project_apis()}


def operation(api: Api, operation_id: str) -> Operation:
    return next(op for op in api.operations if op.operation_id == operation_id)


def put(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        document = document.setdefault(key, {})
    document[path[-1]] = value


def pages(generated: Generated, op: Operation, sizes: list[int]) -> list[dict[str, Any]]:
    """Answers built from the operation's example: page N holds `sizes[N]` distinct items and,
    for cursor and token styles, the token of the next page."""
    assert op.pagination is not None
    example = generated.examples[op.py]
    template = example
    for key in op.pagination.items:
        template = template[key]
    answers = []
    for number, size in enumerate(sizes):
        answer = copy.deepcopy(example)
        items = [_distinct(template[0], f"p{number}i{i}") for i in range(size)]
        put(answer, op.pagination.items, items)
        if op.pagination.next:
            last = number == len(sizes) - 1
            put(answer, op.pagination.next, None if last else f"token-{number + 1}")
        answers.append(answer)
    return answers


def _distinct(item: Any, mark: str) -> Any:
    if isinstance(item, str):
        return mark
    item = copy.deepcopy(item)
    for key in ("id", "username", "userId", "user_id", "name", "publicId"):
        if isinstance(item, dict) and isinstance(item.get(key), str):
            item[key] = mark
            break
    return item


def sent_values(request: httpx.Request) -> dict[str, Any]:
    values: dict[str, Any] = dict(parse_qsl(request.url.query.decode()))
    if request.content:
        try:
            values.update(json.loads(request.content))
        except ValueError:
            values.update(parse_qsl(request.content.decode()))
    if "payload" in values:
        values.update(json.loads(values.pop("payload")))
    for key, value in list(values.items()):  # deepObject: options[token] -> token
        if "[" in key:
            values[key.split("[", 1)[1].rstrip("]")] = value
        elif isinstance(value, dict):
            values.update(value)
    return values


def wire_name(op: Operation, path: tuple[str, ...]) -> str:
    """The name a paging argument has on the wire (inside its object when nested)."""
    if len(path) > 1:
        return path[-1]
    fields = op.parameters + (op.body.fields if op.body else ())
    return next(f.wire for f in fields if f.py == path[0])


CASES = [
    ("agora", "list_users", "cursor", [2, 2, 1]),
    ("nexconn", "get_blocklist", "token", [3, 1]),
    ("rongcloud", "query_blocked_users", "page", [2, 2, 1]),
    ("stream", "query_users", "offset", [2, 2, 1]),
    ("stream", "query_channels", "offset", [2, 1]),
    ("upstra", "query_channels", "token", [2, 2, 1]),
    ("upstra", "query_users", "token", [1, 1]),
]


@pytest.mark.parametrize(
    ("slug", "operation_id", "style", "sizes"), CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES]
)
def test_iterators_walk_every_page(
    slug: str, operation_id: str, style: str, sizes: list[int]
) -> None:
    generated = load_generated(APIS[slug])
    op = operation(generated.api, operation_id)
    assert op.pagination is not None and op.pagination.style == style
    answers = pages(generated, op, sizes)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answers[len(seen) - 1])

    kwargs = arguments(op.functions[0])
    size_arg = op.pagination.size
    if size_arg is not None:  # ask for pages of the size the first answer has
        holder = kwargs
        for key in size_arg[:-1]:
            holder = holder[key]
        holder[size_arg[-1]] = sizes[0]
    for path in (op.pagination.page, op.pagination.offset, op.pagination.cursor):
        if path:  # start from the first page
            holder = kwargs
            for key in path[:-1]:
                holder = holder[key]
            holder.pop(path[-1], None)
    tag = next(t for t in generated.api.tags if t.name == op.tag)
    with generated.client.Client(
        transport=httpx.MockTransport(handle), **credentials(generated.api)
    ) as client:
        resource = getattr(client, tag.py)
        items = list(getattr(resource, f"iter_{op.functions[0].method}")(**kwargs))
    assert len(items) == sum(sizes)
    assert len(seen) == len(sizes)
    values = [sent_values(request) for request in seen]
    if style == "page":
        page_name = wire_name(op, op.pagination.page)
        assert [str(v.get(page_name, "1")) for v in values] == ["1", "2", "3"][: len(sizes)]
    elif style == "offset":
        offset_name = op.pagination.offset[-1]
        offsets = [int(v.get(offset_name, 0)) for v in values]
        assert offsets == [sum(sizes[:n]) for n in range(len(sizes))]
    else:
        cursor_name = wire_name(op, op.pagination.cursor)
        assert [v.get(cursor_name) for v in values[1:]] == [
            f"token-{n}" for n in range(1, len(sizes))
        ]


def test_async_iterator() -> None:
    generated = load_generated(APIS["agora"])
    op = operation(generated.api, "list_users")
    answers = pages(generated, op, [2, 1])
    calls = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=answers[len(calls) - 1])

    async def run() -> list[Any]:
        async with generated.client.AsyncClient(
            transport=httpx.MockTransport(handle), **credentials(generated.api)
        ) as client:
            return [user async for user in client.users.iter_list_users(limit=2)]

    users = asyncio.run(run())
    assert [user.username for user in users] == ["p0i0", "p0i1", "p1i0"]
    assert dict(parse_qsl(calls[1].url.query.decode()))["cursor"] == "token-1"


def test_iterator_stops_at_a_token_it_has_already_followed() -> None:
    """A server whose tokens go round in a circle (t1, t2, t1, ...) ends the iteration when a
    token comes back, rather than repeating its pages for ever."""
    generated = load_generated(APIS["agora"])
    op = operation(generated.api, "list_users")
    answers = pages(generated, op, [1, 1])
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = copy.deepcopy(answers[0])
        assert op.pagination is not None and op.pagination.next is not None
        put(answer, op.pagination.next, f"t{len(calls) % 2 + 1}")
        return httpx.Response(200, json=answer)

    with generated.client.Client(
        transport=httpx.MockTransport(handle), **credentials(generated.api)
    ) as client:
        users = list(itertools.islice(client.users.iter_list_users(limit=1), 50))
    assert len(users) == 3  # t2 followed, t1 followed, t2 again: stop
    assert len(calls) == 3
