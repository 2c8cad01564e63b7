"""A spec whose names are those the generated code and its runtime already use
(`tests/fixtures/hostile/reserved_names.yaml`): tags such as `throttle`, `download`,
`max_body_bytes`, `chat` beside `chat_router`, Windows device names and a 300-character tag;
parameters such as `handlers`, `self`, `timeout`, `type` and `destination`; a header with an
underscore; patterns with look-arounds. What it generates imports, starts, and answers every
operation called through the generated client without a 5xx, with the spec's names on the wire.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from chatforge.config import load_config
from chatforge.ir.model import Api
from chatforge.output.formatting import ruff_binary
from chatforge.reserved import WINDOWS_DEVICES
from chatforge.run import pipeline
from tests.conftest import ROOT, LiveServer
from tests.functional.harness import FILE_BYTES, read_body, replaying
from tests.isolated import imported
from tests.running import generated

SPEC = ROOT / "tests/fixtures/hostile/reserved_names.yaml"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("reserved")
    generated(SPEC, base)
    return base / "out" / "reserved_names"


@pytest.fixture(scope="module")
def api() -> Api:
    [source] = pipeline.find_specs(load_config(ROOT), (str(SPEC),))
    return pipeline.build(pipeline.check(source))


@pytest.fixture(scope="module")
def packages(out: Path) -> Iterator[list[Any]]:
    folders = [out / "client", out / "server"]
    with imported(folders, "reserved_names_client", "reserved_names_server") as found:
        yield found


def test_every_file_name_is_one_any_checkout_can_hold(out: Path) -> None:
    paths = [p.relative_to(out) for p in out.rglob("*")]
    lowered = [str(p).lower() for p in paths]
    assert len(set(lowered)) == len(lowered)
    for path in paths:
        for part in path.parts:
            assert part.split(".", 1)[0].lower() not in WINDOWS_DEVICES, path
            assert len(part) <= 80, path


def test_create_app_takes_every_tag_beside_its_own_options(packages: list[Any], api: Api) -> None:
    _, server = packages
    parameters = inspect.signature(server.create_app).parameters
    tags = [tag.py for tag in api.tags]
    assert list(parameters) == [*tags, "mock", "auth", "docs", "openapi_url", "max_body_bytes"]
    handlers = {tag.py: getattr(server, f"{tag.pascal}Handlers")() for tag in api.tags}
    server.create_app(**handlers)


def test_the_generated_code_passes_ruff_and_mypy(out: Path) -> None:
    folders = [out / target for target in ("client", "server")]
    ruff = subprocess.run(
        [ruff_binary(), "check", "--no-cache", "--isolated", "--select", "E,F,W,I,UP,B"]
        + ["--ignore", "E501", *map(str, folders)],
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    for folder in folders:
        mypy = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--cache-dir",
                "/dev/null",
            ]
            + ["-p", f"reserved_names_{folder.name}"],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        assert mypy.returncode == 0, mypy.stdout + mypy.stderr


class Recorder:
    """The raw requests that reached the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str, dict[str, list[str]], dict[str, str]]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = parse_qs(scope["query_string"].decode(), keep_blank_values=True)
        self.seen.append((scope["method"], scope["path"], query, headers))
        await self.app(scope, replaying(body), send)


def _argument(example_json: str, is_file: bool) -> Any:
    return FILE_BYTES if is_file else json.loads(example_json)


def test_every_operation_answers_through_the_client_with_the_spec_names(
    packages: list[Any], api: Api, tmp_path: Path
) -> None:
    client_module, server = packages
    recorder = Recorder(server.create_app(mock=True))
    calls = 0
    with LiveServer(recorder) as live, client_module.Client(base_url=live.url) as client:
        for tag in api.tags:
            resource = getattr(client, tag.py)
            raw = getattr(client.with_raw_response, tag.py)
            names = tag.names
            for op in tag.operations:
                for function in op.functions:
                    kwargs = {
                        f.py: _argument(f.example_json, f.type.is_file) for f in function.fields
                    }
                    recorder.seen.clear()
                    called = names.method(op, function)
                    answer = getattr(raw, called)(**kwargs)  # a 4xx or 5xx raises
                    assert answer.status_code < 300
                    if op.success.kind == "binary":
                        target = tmp_path / f"{function.method}.bin"
                        saved = getattr(resource, names.to_file(op, function))(
                            destination=str(target), **kwargs
                        )
                        assert Path(saved).read_bytes() == b"mock binary content"
                    method, path, query, headers = recorder.seen[0]
                    assert method == op.method
                    for field in op.query_params:
                        value = kwargs[field.py]
                        sent = [str(v) for v in value] if isinstance(value, list) else [str(value)]
                        assert query[field.wire] == sent, field.wire
                    for field in op.header_params:
                        assert headers[field.wire.lower()] == str(kwargs[field.py]), field.wire
                    for field in op.path_params:
                        assert str(kwargs[field.py]) in path.split("/"), field.wire
                    calls += 1
    assert calls == len(api.operations)


def test_the_server_checks_patterns_its_regex_engine_cannot_compile(
    packages: list[Any], api: Api
) -> None:
    from fastapi.testclient import TestClient

    _, server = packages
    op = next(op for op in api.operations if op.operation_id == "fetch_throttled")
    query = {f.wire: json.loads(f.example_json) for f in op.query_params}
    headers = {f.wire: json.loads(f.example_json) for f in op.header_params}
    with TestClient(server.create_app(mock=True)) as test:
        assert test.get("/throttle/abc", params=query, headers=headers).status_code == 204
        # The spec documents no error answer: refused as FastAPI refuses, with 422.
        assert test.get("/throttle/admin", params=query, headers=headers).status_code == 422
        refused = test.get("/throttle/abc", params={**query, "code": "abc"}, headers=headers)
        assert refused.status_code == 422
        assert "code" in refused.text
