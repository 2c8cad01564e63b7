"""A models module defined in dependency order: each class follows the classes it refers to,
and whatever a statement evaluates as it runs (a base class, a type alias's value) comes before
it, or the module would not import."""

from __future__ import annotations

import ast
import sys
import types

from chatforge.targets.modelgen import built_in_order

# As datamodel-code-generator writes a union body beside an inline part: the alias `Part1` is
# evaluated where it is defined, and so is the base of `Body`, which names it.
MODULE = """from __future__ import annotations

from pydantic import BaseModel, RootModel
from typing_extensions import TypeAliasType


class Body(RootModel[Token | Part1]):
    root: Token | Part1


class Holder(BaseModel):
    body: Body | None = None
    next: Holder2 | None = None


class Holder2(BaseModel):
    back: Holder | None = None


Token = TypeAliasType("Token", str)
Part1 = TypeAliasType("Part1", dict[str, Holder])
"""


def test_what_a_statement_evaluates_is_defined_before_it_whatever_the_references_say() -> None:
    # The IR knows of the named schemas only: Body refers to Holder (through the inline part).
    edges = {"Body": ["Holder"], "Holder": ["Body", "Holder2"], "Holder2": ["Holder"]}
    ordered = built_in_order(MODULE, edges)
    names = [
        node.name if isinstance(node, ast.ClassDef) else node.targets[0].id  # type: ignore[attr-defined]
        for node in ast.parse(ordered).body
        if isinstance(node, ast.ClassDef | ast.Assign)
    ]
    assert names.index("Part1") < names.index("Body")
    assert names.index("Token") < names.index("Body")
    module = types.ModuleType("ordered_models")
    sys.modules[module.__name__] = module
    try:
        exec(compile(ordered, "models.py", "exec"), module.__dict__)  # noqa: S102 - under test
        value = module.Holder.model_validate({"body": {"k": {"next": {"back": {}}}}})
    finally:
        del sys.modules[module.__name__]
    assert value.body.root["k"].next.back is not None
