"""What it costs Python's `re` to check a value against a spec's `pattern`.

pydantic's own regex engine runs in time linear in the value, but compiles no look-around and
no back-reference; the generated code checks such a pattern with Python's `re` instead, and
datamodel-code-generator's models then check every pattern of the model with `re`. `re`
backtracks: `^(?!x)(a|aa)+$` takes time exponential in the value, `^\\d+\\d+$` quadratic. Here
the steps `re` may take on a value of n characters are bounded from the pattern's structure (a
quantifier multiplies the ways the rest is tried, alternatives add theirs, a look-around is
tried once where it stands), so a spec can be refused where a value could make a server spin.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
import warnings
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

# The steps a check may take: about a tenth of a second of `re`.
BUDGET = 1e6
# A value this long stands for "any length" when a pattern's cost is measured for growth.
_LONG = 1 << 20
_SINGLE = {_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN, _c.CATEGORY, _c.RANGE}
_ZERO = {_c.AT}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT}


@functools.cache
def python_only(pattern: str) -> bool:
    """Whether pydantic's own engine refuses `pattern`, so that Python's `re` checks it."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return True
    return False


def meaning_differs(pattern: str) -> str | None:
    """Why `pattern` means one thing to Rust's engine and another to Python's `re` or to
    JSON Schema's ECMA-262 (a nested class, `[[:alpha:]]`, a set operation `&&`, `--`, `~~`),
    or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        try:
            _parser.parse(pattern)
        except FutureWarning as warning:
            return str(warning).split(" at position")[0].lower().removeprefix("possible ")
        except (re.error, RecursionError, OverflowError):
            return None
    return None


def steps(pattern: str, n: int) -> float:
    """An upper bound on the steps `re.search(pattern, value)` takes on a value of n
    characters; infinity for a pattern `re` cannot compile."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            parsed = _parser.parse(pattern)
        except (re.error, RecursionError, OverflowError):
            return math.inf
    items = list(parsed)
    _, cost = _sequence(items, n)
    anchored = (
        bool(items)
        and items[0][0] is _c.AT
        and items[0][1]
        in (
            _c.AT_BEGINNING,
            _c.AT_BEGINNING_STRING,
        )
    )
    return cost if anchored else (n + 1) * cost


def _sequence(items: list[tuple[Any, Any]], n: int) -> tuple[float, float]:
    """(the ways a sequence can match, the steps trying them takes)."""
    ways, cost = 1.0, 0.0
    for op, arg in items:
        item_ways, item_cost = _item(op, arg, n)
        cost += ways * item_cost
        ways *= item_ways
    return ways, cost


def _item(op: Any, arg: Any, n: int) -> tuple[float, float]:
    if op in _SINGLE or op in _ZERO:
        return 1.0, 1.0
    if op is _c.SUBPATTERN:
        return _sequence(list(arg[-1]), n)
    if op is _c.ATOMIC_GROUP:
        return 1.0, _sequence(list(arg), n)[1]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return 1.0, _sequence(list(arg[1]), n)[1]
    if op is _c.GROUPREF:
        return 1.0, float(n)
    if op is _c.BRANCH:
        found = [_sequence(list(branch), n) for branch in arg[1]]
        return sum(w for w, _ in found), sum(c for _, c in found)
    if op is _c.GROUPREF_EXISTS:
        found = [_sequence(list(branch), n) for branch in arg[1:] if branch is not None]
        return sum(w for w, _ in found) or 1.0, sum(c for _, c in found) or 1.0
    if op in _REPEATS:
        low, high, body = arg
        most = min(high, n + 1) if high != _c.MAXREPEAT else n + 1
        body_ways, body_cost = _sequence(list(body), n)
        if op is _c.POSSESSIVE_REPEAT:
            return 1.0, most * body_cost
        # Each count of repetitions from `low` to `most` is a way; with several ways through
        # the body, every combination of them is one more.
        if body_ways <= 1:
            return float(max(most - low + 1, 1)), max(most, 1) * body_cost
        # The ways of every count from `low` to `most`: a geometric series.
        ways = _power(body_ways, low) * (_power(body_ways, most - low + 1) - 1) / (body_ways - 1)
        return ways, ways * max(most, 1) * body_cost
    return 1.0, 1.0


def _power(base: float, exponent: float) -> float:
    try:
        return float(base**exponent)
    except OverflowError:
        return math.inf


@functools.cache
def longest_checkable(pattern: str) -> int | None:
    """The longest value `re` checks against `pattern` within BUDGET steps, or None when the
    steps grow no faster than the value (any length will do)."""
    longer, long = steps(pattern, 2 * _LONG), steps(pattern, _LONG)
    if math.isfinite(longer) and longer <= 2.5 * long:
        return None
    low, high = 0, _LONG
    while low < high:
        middle = (low + high + 1) // 2
        if steps(pattern, middle) <= BUDGET:
            low = middle
        else:
            high = middle - 1
    return low
