"""A spec whose names are those the generated modules import, define or read themselves
(`tests/fixtures/hostile/module_names.yaml`): schemas `Path`, `Query`, `Endpoint`, `Paging` and
`UsersHandlers`; a tag `cached_property`; tags `users` and `async users`; an operation
`get_file_to_file` beside the binary `get_file`; server variables `region` and `Region`. No
module binds a name twice, the client and server import, and every operation answers through
the client with the spec's own names on the wire."""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatforge.config import load_config
from chatforge.ir.model import Api
from chatforge.run import pipeline
from tests.conftest import ROOT, LiveServer
from tests.isolated import imported
from tests.running import generated

SPEC = ROOT / "tests/fixtures/hostile/module_names.yaml"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("module_names")
    generated(SPEC, base)
    return base / "out" / "module_names"


@pytest.fixture(scope="module")
def api() -> Api:
    [source] = pipeline.find_specs(load_config(ROOT), (str(SPEC),))
    return pipeline.build(pipeline.check(source))


@pytest.fixture(scope="module")
def packages(out: Path) -> Iterator[list[Any]]:
    folders = [out / "client", out / "server"]
    with imported(folders, "module_names_client", "module_names_server") as found:
        yield found


def bound(body: list[ast.stmt]) -> Iterator[str]:
    """The names a module or class body binds, in order, `if TYPE_CHECKING:` blocks included."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from (alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name
        elif isinstance(node, ast.Assign):
            yield from (t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.target.id
        elif isinstance(node, ast.If):
            yield from bound(node.body)


def test_no_module_or_class_binds_a_name_twice(out: Path) -> None:
    checked = 0
    for path in out.rglob("*.py"):
        tree = ast.parse(path.read_text())
        bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        for body in bodies:
            names = list(bound(body))
            twice = sorted({name for name in names if names.count(name) > 1})
            assert not twice, (path.relative_to(out), twice)
            checked += 1
    assert checked


def test_no_class_body_reads_a_name_it_has_bound(out: Path) -> None:
    """A decorator or default read in a class body after a method of that name would find
    the method, not the module's name."""
    for path in out.rglob("*.py"):
        for cls in ast.walk(ast.parse(path.read_text())):
            if not isinstance(cls, ast.ClassDef):
                continue
            defined: set[str] = set()
            for node in cls.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    read = [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]
                    names = {
                        n.id
                        for e in read
                        if e is not None
                        for n in ast.walk(e)
                        if isinstance(n, ast.Name)
                    }
                    assert not names & defined, (path.name, cls.name, sorted(names & defined))
                    defined.add(node.name)


def test_the_client_takes_each_server_variable_once(packages: list[Any]) -> None:
    client_module, _ = packages
    parameters = inspect.signature(client_module.Client).parameters
    with client_module.Client(region="us", region_2="9000") as client:
        assert client.base_url == "http://us.example.test:9000"
    assert parameters["region"].default == "eu"
    assert parameters["region_2"].default == "8000"


def test_every_operation_answers_through_the_client(
    packages: list[Any], api: Api, tmp_path: Path
) -> None:
    client_module, server = packages
    calls = 0
    with (
        LiveServer(server.create_app(mock=True)) as live,
        client_module.Client(base_url=live.url) as client,
    ):
        for tag in api.tags:
            raw = getattr(client.with_raw_response, tag.py)
            for op in tag.operations:
                for function in op.functions:
                    kwargs = {f.py: json.loads(f.example_json) for f in function.fields}
                    answer = getattr(raw, function.method)(**kwargs)  # a 4xx or 5xx raises
                    assert answer.status_code < 300, op.operation_id
                    calls += 1
        # `get_file` answers with a file and `get_file_to_file` is an operation of its own:
        # the download method of the first takes a name of its own.
        saved = client.files.download_file(destination=str(tmp_path / "f"), name="f")
        assert Path(saved).read_bytes() == b"mock binary content"
        client.files.get_file_to_file()
    assert calls == len(api.operations)
    assert type(client.users).__name__ == "Users"
    assert type(client.async_users).__name__ == "AsyncUsersResource"
