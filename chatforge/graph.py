"""References between named schemas as a graph, walked without recursion (chains in specs are
long), and the one limit both the linter and the models target hold them to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# The most models pydantic builds within one another: it builds a model whose referenced models
# are not built yet within it, a few stack frames each. A cycle of references longer than this
# is refused (it could exceed Python's recursion limit when the generated code starts); a chain
# longer than this has its classes defined each after those it refers to, so each is built as it
# is defined, from models already built.
MAX_NESTED_MODELS = 32


def strongly_connected(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected groups of a graph (Tarjan's algorithm)."""
    targets_of = {node: list(targets) for node, targets in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in targets_of:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = targets_of.get(node, [])
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def dependency_order(edges: Mapping[str, Iterable[str]]) -> tuple[list[str], int]:
    """(every node after the nodes it refers to, a reference back into the path aside; the
    longest chain of references, in nodes). Targets that are no node are left out."""
    targets_of = {
        node: [t for t in dict.fromkeys(targets) if t in edges and t != node]
        for node, targets in edges.items()
    }
    order: list[str] = []
    depth: dict[str, int] = {}
    for start in targets_of:
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            name, child = stack.pop()
            if child == 0:
                if name in depth:
                    continue
                depth[name] = 0  # on the path: a reference back to it adds nothing
            targets = targets_of[name]
            if child < len(targets):
                stack.append((name, child + 1))
                if targets[child] not in depth:
                    stack.append((targets[child], 0))
                continue
            depth[name] = 1 + max((depth[t] for t in targets), default=0)
            order.append(name)
    return order, max(depth.values(), default=0)
