"""References between named schemas as a graph, walked without recursion (chains in specs are
long), and the one limit both the linter and the models target hold them to: the interpreter
frames pydantic needs to build the longest path of references."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Pydantic builds a model whose referenced models are not built yet within it, recursively: a
# model spends interpreter frames on the stack of the model that refers to it, more where the
# reference is wrapped (an array, a map) or may be left out (the generated servers' models
# refuse an explicit null there, a check of its own). A cycle of references is built in one go,
# so what a models module needs of Python's recursion limit (1,000 by default) is the frame cost
# of its longest path of references, not the number of models in the cycle. The costs are
# measured by `bench/model_depth.py` on cycles of 8 and 24 models, in the generated client and
# server alike; each module needs up to about 80 frames more than its longest path.
FRAMES_PER_MODEL = 11
FRAMES_PER_WRAPPER = {"array": 2, "map": 2, "union": 0, "optional": 6}
# The frames the longest path of references of one models module may cost: with what any module
# needs besides, this leaves about 300 frames of the default limit of 1,000 to the code that
# imports the models (a test runner, a web server, an import within an import).
MAX_MODEL_FRAMES = 600
# A path of references at least this costly has its models defined each after those it refers
# to, so each is built as it is defined, from models already built: its cost is then that of
# its longest path through cycles alone.
IN_ORDER_FRAMES = 360

_WRAPPERS = {
    "items": "array",
    "prefixItems": "array",
    "contains": "array",
    "unevaluatedItems": "array",
    "additionalProperties": "map",
    "patternProperties": "map",
    "unevaluatedProperties": "map",
    "anyOf": "union",
    "oneOf": "union",
}
_IN_PLACE = ("allOf", "not", "if", "then", "else", "properties", "dependentSchemas")


def weighted_references(schema: Any, prefix: str = "#/components/schemas/") -> dict[str, int]:
    """The named schemas `schema` refers to (by `$ref`s starting with `prefix`), each with the
    frames pydantic spends to build it within a model of `schema`: a model's, plus each
    wrapper's on the way to the reference, plus a model's for each inline object on the way
    (the models generator makes a class of it). The costliest way wins where there are several."""
    found: dict[str, int] = {}
    stack: list[tuple[Any, int, bool]] = [(schema, 0, True)]
    while stack:
        node, cost, root = stack.pop()
        if not isinstance(node, dict):
            continue
        if not root and isinstance(node.get("properties"), dict) and node["properties"]:
            cost += FRAMES_PER_MODEL  # an inline object: a class of its own
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix):
            target = ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
            found[target] = max(found.get(target, 0), cost + FRAMES_PER_MODEL)
        required = node.get("required")
        required = set(required) if isinstance(required, list) else set()
        for key, value in node.items():
            wrapper = _WRAPPERS.get(key)
            if wrapper is None and key not in _IN_PLACE:
                continue
            added = FRAMES_PER_WRAPPER[wrapper] if wrapper else 0
            if key == "properties" and isinstance(value, dict):
                optional = FRAMES_PER_WRAPPER["optional"]
                stack.extend(
                    (sub, cost + (0 if name in required else optional), False)
                    for name, sub in value.items()
                )
            elif isinstance(value, dict) and key == "patternProperties":
                stack.extend((sub, cost + added, False) for sub in value.values())
            elif isinstance(value, dict) and key == "dependentSchemas":
                stack.extend((sub, cost, root) for sub in value.values())
            elif isinstance(value, list):
                stack.extend((sub, cost + added, root and key == "allOf") for sub in value)
            else:
                stack.append((value, cost + added, root and key in _IN_PLACE))
    return found


def deepest_path(edges: Mapping[str, Mapping[str, int]]) -> tuple[int, list[str]]:
    """The frames the costliest path of references needs, and that path (from its first node),
    in the order `dependency_order` walks the graph: a reference back into the path costs its
    own frames only, for pydantic refers to a model it is building instead of building it again.
    Targets that are no node are left out."""
    targets_of = {
        node: {t: c for t, c in targets.items() if t in edges and t != node}
        for node, targets in edges.items()
    }
    order_of = {node: list(targets) for node, targets in targets_of.items()}
    depth: dict[str, int] = {}
    following: dict[str, str | None] = {}
    on_path: set[str] = set()
    for start in targets_of:
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            name, child = stack.pop()
            targets = order_of[name]
            if child == 0:
                if name in depth or name in on_path:
                    continue
                on_path.add(name)
            if child < len(targets):
                stack.append((name, child + 1))
                target = targets[child]
                if target not in depth and target not in on_path:
                    stack.append((target, 0))
                continue
            on_path.discard(name)
            best, after = 0, None
            for target, cost in targets_of[name].items():
                total = cost + depth.get(target, 0)
                if total > best:
                    best, after = total, (target if target in depth else None)
            depth[name], following[name] = best, after
    if not depth:
        return 0, []
    first = max(depth, key=lambda name: depth[name])
    path, seen = [first], {first}
    while (after := following[path[-1]]) is not None and after not in seen:
        path.append(after)
        seen.add(after)
    return depth[first], path


def cycle_frames(edges: Mapping[str, Mapping[str, int]]) -> tuple[int, list[str]]:
    """The frames the costliest path of references through cycles needs, and that path: a
    models module defined in dependency order builds each model outside a cycle as it is
    defined, from models already built, while the members of a cycle are built together (and
    one cycle within another that refers to it)."""
    cycles = [group for group in strongly_connected(edges) if len(group) > 1]
    within = {name for group in cycles for name in group}
    return deepest_path(
        {
            name: {t: c for t, c in targets.items() if t in within}
            for name, targets in edges.items()
            if name in within
        }
    )


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
