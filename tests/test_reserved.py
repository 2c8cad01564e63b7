"""The reserved-name tables of `chatforge/reserved.py` hold every name the runtime and the
templates use, read from the runtime's classes and from the generated code itself: a new runtime
attribute or template name cannot silently collide with a name from a spec."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatforge.reserved import (
    APP_NAMES,
    CLIENT_ARGUMENTS,
    CLIENT_ATTRIBUTES,
    CLIENT_CLASS_BODY,
    CLIENT_MODULE,
    CLIENT_MODULE_NAMES,
    CLIENT_RESOURCE_MODULE,
    METHOD_ARGUMENTS,
    MODEL_RESERVED,
    MODELS_MODULE,
    SERVER_ROUTE_MODULE,
    TAG_RESERVED,
    tag_name,
    tag_names,
)
from chatforge.runtime.client._base import AsyncAPIClient, SyncAPIClient
from chatforge.runtime.client._types import RequestOptions
from tests.conftest import GENERATED

APIS = sorted(p.name for p in GENERATED.iterdir() if (p / "server").is_dir())


def public(names: Iterator[str] | list[str]) -> set[str]:
    return {name for name in names if not name.startswith("_")}


def test_client_attributes_are_every_attribute_of_the_runtime_clients() -> None:
    sync = SyncAPIClient(base_url="http://127.0.0.1")
    asynchronous = AsyncAPIClient(base_url="http://127.0.0.1")
    try:
        found = public(dir(sync)) | public(dir(asynchronous))
    finally:
        sync.close()
    assert found <= CLIENT_ATTRIBUTES, sorted(found - CLIENT_ATTRIBUTES)
    assert CLIENT_ATTRIBUTES <= TAG_RESERVED


def test_every_per_call_option_is_a_reserved_argument() -> None:
    assert set(RequestOptions.__annotations__) <= METHOD_ARGUMENTS


def loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def stored(node: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def arguments(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[set[str], set[str]]:
    """(keyword-only arguments, the others: self, *args, **kwargs)."""
    args = function.args
    others = {a.arg for a in [*args.posonlyargs, *args.args]}
    others |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    return {a.arg for a in args.kwonlyargs}, others


def snake(names: set[str]) -> set[str]:
    """The names a spec's name could become: snake_case, not builtins the code never reads."""
    return {n for n in names if n[:1].islower()}


@pytest.mark.parametrize("slug", APIS)
def test_create_app_reads_no_name_a_tag_could_take(slug: str) -> None:
    app = next((GENERATED / slug / "server").glob("*_server/app.py"))
    tree = ast.parse(app.read_text())
    create_app = next(
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "create_app"
    )
    options = {a.arg for a in create_app.args.kwonlyargs if a.annotation is not None}
    tags = {
        a.arg
        for a in create_app.args.kwonlyargs
        if isinstance(a.annotation, ast.BinOp)
        and ast.unparse(a.annotation).endswith("None")
        and "Handlers" in ast.unparse(a.annotation)
    }
    routers = {f"{tag}_router" for tag in tags}
    used = snake(loaded(create_app) | stored(create_app) | options) - tags - routers
    used -= set(dir(builtins))
    assert used <= APP_NAMES, sorted(used - APP_NAMES)


def functions(path: Path) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


@pytest.mark.parametrize("slug", APIS)
def test_generated_methods_read_no_name_a_parameter_could_take(slug: str) -> None:
    client = next((GENERATED / slug / "client").glob("*_client"))
    server = next((GENERATED / slug / "server").glob("*_server"))
    checked = 0
    for path in [*(client / "resources").glob("*.py"), *(server / "routes").glob("*.py")]:
        for function in functions(path):
            if function.name.endswith("_router"):
                continue  # its arguments are its own; its endpoints are checked
            keywords, others = arguments(function)
            if function.name.endswith("_endpoint"):  # a route: every argument is the spec's
                keywords, others = keywords | others, set()
            body = ast.Module(body=function.body, type_ignores=[])
            inner = loaded(body) - keywords - stored(body)
            used = snake(inner | others) - (set(dir(builtins)) - {"bytes"})
            if function.name.endswith("_to_file"):
                used.add("destination")
            assert used <= METHOD_ARGUMENTS, (path.name, function.name, sorted(used))
            checked += 1
    assert checked


@pytest.mark.parametrize("slug", APIS)
def test_client_modules_hold_no_class_name_a_resource_could_take(slug: str) -> None:
    client = next((GENERATED / slug / "client").glob("*_client"))
    found: set[str] = set()
    for path in [client / "_client.py", *(client / "resources").glob("*.py")]:
        tree = ast.parse(path.read_text())
        checking = [n.body for n in tree.body if isinstance(n, ast.If)]  # if TYPE_CHECKING:
        for node in [*tree.body, *(node for body in checking for node in body)]:
            module = getattr(node, "module", None) or ""
            if isinstance(node, ast.ImportFrom) and not module.endswith("models"):
                if not module.startswith("resources") and path.name != "__init__.py":
                    found |= {alias.asname or alias.name for alias in node.names}
            if isinstance(node, ast.ClassDef) and path.name == "_client.py":
                found.add(node.name)
    names = {n for n in found if n[:1].isupper() and not n.isupper()}
    assert names <= CLIENT_MODULE_NAMES, sorted(names - CLIENT_MODULE_NAMES)


def test_tag_names_keep_clear_of_devices_routers_and_length() -> None:
    assert tag_name("CON") == "con_"
    assert tag_name("lpt1") == "lpt1_"
    assert tag_name("throttle") == "throttle_"
    long = tag_name("t" * 300)
    assert len(long) <= 64 and long != tag_name("t" * 299 + "u")
    assert tag_names(["chat", "chat_router"]) == {"chat": "chat", "chat_router": "chat_router_"}
    assert tag_names(["chat_router", "chat"]) == {"chat_router": "chat_router_", "chat": "chat"}


def imported(tree: ast.Module) -> set[str]:
    """The names a module imports at its top level (`if TYPE_CHECKING:` included), but for
    the models and the tags' own modules, whose names come from the spec."""
    found: set[str] = set()
    body = [*tree.body, *(n for b in tree.body if isinstance(b, ast.If) for n in b.body)]
    for node in body:
        if isinstance(node, ast.Import):
            found |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.endswith("models") or module.split(".")[0] in ("resources", "routes"):
                continue
            found |= {alias.asname or alias.name for alias in node.names}
    return found


def module_constants(tree: ast.Module) -> set[str]:
    """The public names a module assigns at its top level."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and not target.id.startswith("_")
    }


# Each table, and the generated modules whose names it must hold.
SCOPES = {
    "client resource": (CLIENT_RESOURCE_MODULE, "client", "*_client/resources/[!_]*.py"),
    "client": (CLIENT_MODULE, "client", "*_client/_client.py"),
    "client package": (CLIENT_MODULE, "client", "*_client/__init__.py"),
    "client models": (MODELS_MODULE, "client", "*_client/models.py"),
    "models": (MODELS_MODULE, "models", "*_models/__init__.py"),
    "server models": (MODELS_MODULE, "server", "*_server/models.py"),
    "server route": (SERVER_ROUTE_MODULE, "server", "*_server/routes/[!_]*.py"),
}


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_each_module_table_holds_every_name_its_modules_import(scope: str) -> None:
    table, target, pattern = SCOPES[scope]
    checked = 0
    for slug in APIS:
        for path in (GENERATED / slug / target).glob(pattern):
            tree = ast.parse(path.read_text())
            names = imported(tree)
            if not path.name.startswith("models") and path.name != "__init__.py":
                names |= module_constants(tree)
            elif scope == "client":
                names |= module_constants(tree)
            assert names <= table, (slug, path.name, sorted(names - table))
            checked += 1
    assert checked


def test_models_keep_clear_of_every_module_that_imports_them() -> None:
    assert CLIENT_RESOURCE_MODULE | SERVER_ROUTE_MODULE | MODELS_MODULE <= MODEL_RESERVED
    assert CLIENT_RESOURCE_MODULE | CLIENT_MODULE <= CLIENT_MODULE_NAMES


@pytest.mark.parametrize("slug", APIS)
def test_the_client_class_bodies_read_no_name_a_tag_could_take(slug: str) -> None:
    client = next((GENERATED / slug / "client").glob("*_client/_client.py"))
    tree = ast.parse(client.read_text())
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert {c.name for c in classes} == {
        "Client",
        "AsyncClient",
        "ClientWithRawResponse",
        "AsyncClientWithRawResponse",
    }
    for cls in classes:
        read: set[str] = set()
        for node in cls.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                for expr in [*node.decorator_list, *args.defaults, *args.kw_defaults]:
                    read |= loaded(expr) if expr is not None else set()
        assert read <= CLIENT_CLASS_BODY | set(dir(builtins)), sorted(read - CLIENT_CLASS_BODY)
        assert CLIENT_CLASS_BODY <= TAG_RESERVED


@pytest.mark.parametrize("slug", APIS)
def test_client_arguments_are_every_fixed_argument_of_the_client(slug: str) -> None:
    client = next((GENERATED / slug / "client").glob("*_client/_client.py"))
    tree = ast.parse(client.read_text())
    init = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__"
    )
    fixed = {a.arg for a in [*init.args.args, *init.args.kwonlyargs] if a.annotation is None}
    fixed |= {
        a.arg
        for a in init.args.kwonlyargs
        if a.annotation is not None
        and "Callable" not in ast.unparse(a.annotation)
        and a.arg.endswith(("url", "timeout", "headers", "transport", "retries", "limit"))
    }
    called = {n.id for n in ast.walk(init) if isinstance(n, ast.Name) and n.id == "super"}
    assert fixed | called <= CLIENT_ARGUMENTS, sorted((fixed | called) - CLIENT_ARGUMENTS)
