"""Targets stand side by side: no target imports another, and what several of them say (the
client's names, its credentials, its exceptions) comes from the IR."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chatforge.ir.failures import CLIENT_EXCEPTIONS, ERROR_KINDS, raised
from chatforge.runtime.client import _errors

TARGETS = Path(__file__).resolve().parents[2] / "chatforge" / "targets"
# What the targets share (like text.py and templating.py beside them): the models module, made
# once per spec and handed to the targets that embed it.
SHARED = {"modelgen"}
PACKAGES = sorted(
    p.name for p in TARGETS.iterdir() if (p / "__init__.py").is_file() and p.name not in SHARED
)


def imported(source: str, package: str) -> set[str]:
    """Every module, and every name imported from a module (`module.name`), of a source file
    in `package`, relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            # `from chatforge.targets import docs` imports the package `docs`
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def package_of(path: Path) -> str:
    """The package a module file belongs to (a package's `__init__.py`: that package)."""
    parts = path.relative_to(TARGETS.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1])


def foreign(source: str, package: str) -> list[str]:
    """What a module of `package`, under one target, imports from the other targets."""
    own = package.split(".")[2]
    return sorted(
        module
        for module in imported(source, package)
        for other in PACKAGES
        if other != own
        and (
            module == f"chatforge.targets.{other}"
            or module.startswith(f"chatforge.targets.{other}.")
        )
    )


def test_the_targets_are_the_four_packages() -> None:
    assert PACKAGES == ["client", "docs", "models", "server"]


@pytest.mark.parametrize("target", PACKAGES)
def test_no_target_imports_another(target: str) -> None:
    found = {
        str(path.relative_to(TARGETS)): foreign(path.read_text(encoding="utf-8"), package_of(path))
        for path in sorted((TARGETS / target).rglob("*.py"))
    }
    assert {path: modules for path, modules in found.items() if modules} == {}


def test_the_check_sees_each_form_of_import() -> None:
    """Absolute, `from` and relative imports of another target are each caught; imports of the
    shared modules and of the target's own modules are not."""
    source = (
        "import chatforge.targets.client\n"
        "from chatforge.targets import server, text\n"
        "from chatforge.targets.models import render\n"
        "from ..client import auth\n"
        "from .curl import curl_example\n"
        "from chatforge.targets.docs.curl import curl_example\n"
        "def late():\n"
        "    from chatforge.targets.server import app\n"
    )
    assert foreign(source, "chatforge.targets.docs") == [
        "chatforge.targets.client",
        "chatforge.targets.client.auth",
        "chatforge.targets.models",
        "chatforge.targets.models.render",
        "chatforge.targets.server",
        "chatforge.targets.server.app",
    ]


def test_no_target_reads_a_table_of_lint_or_a_private_one_of_the_runtime() -> None:
    """The runtime is code the generated packages carry, and lint judges specs: no target
    reads a private table of the one or a table of the other (`ERROR_KINDS`); what they decide
    that a target needs is an IR fact."""
    found = {}
    for path in sorted(TARGETS.rglob("*.py")):
        bad = sorted(
            module
            for module in imported(path.read_text(encoding="utf-8"), package_of(path))
            if module.rsplit(".", 1)[-1].isupper()
            and (
                module.startswith("chatforge.lint.")
                or (module.startswith("chatforge.runtime.") and module.rsplit(".", 1)[-1][0] == "_")
            )
        )
        if bad:
            found[str(path.relative_to(TARGETS))] = bad
    assert found == {}


def test_the_exceptions_the_ir_names_are_the_runtimes() -> None:
    """The table the docs print is the one the generated client raises from."""
    assert {status: cls.__name__ for status, cls in _errors._BY_STATUS.items()} == (
        CLIENT_EXCEPTIONS
    )
    assert [raised(s) for s in (404, 418, 503)] == [
        "NotFoundError",
        "APIStatusError",
        "InternalServerError",
    ]
    assert ERROR_KINDS["validation"] == 400
