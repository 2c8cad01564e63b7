"""The package's modules import one another without a cycle: each depends only on those below
it, so any of them can be read, tested and changed on its own (imports inside functions count:
a lazy import hides a cycle, it does not remove one)."""

from __future__ import annotations

import ast
from pathlib import Path

from chatforge.graph import strongly_connected

PACKAGE = Path(__file__).resolve().parents[1] / "chatforge"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The chatforge modules a module imports, anywhere in it (`from a import b` names the
    module `a.b` where that is one, else `a`); relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                parts = parts[: len(parts) - node.level + (1 if is_package else 0)]
                base = ".".join([*parts, base] if base else parts)
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in known:  # `import a.b.c` of a module `a.b`
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph() -> dict[str, list[str]]:
    files = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    known = set(files)
    graph: dict[str, list[str]] = {}
    for module, path in files.items():
        found = imports(path.read_text(), module, path.name == "__init__.py", known)
        # A module's import of its own package, or of an enclosing one, runs that package's
        # `__init__` first in any case: no edge of its own.
        graph[module] = sorted(m for m in found if m != module)
    return graph


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    found = []
    for group in strongly_connected(graph):
        if len(group) > 1:
            found.append(sorted(group))
    return sorted(found)


def test_no_module_of_chatforge_imports_itself_through_others() -> None:
    assert cycles(import_graph()) == []


def test_the_check_sees_a_cycle_through_an_import_inside_a_function() -> None:
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    graph = {
        "pkg.a": sorted(imports("from pkg import b\n", "pkg.a", False, known)),
        "pkg.b": sorted(
            imports("def f():\n    from . import c\n    return c\n", "pkg.b", False, known)
        ),
        "pkg.c": sorted(imports("import pkg.a.x\n", "pkg.c", False, known)),
    }
    assert graph == {"pkg.a": ["pkg.b"], "pkg.b": ["pkg.c"], "pkg.c": ["pkg.a"]}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
