"""The conformance report, `docs/conformance.md`: per SDK, the calls made and skipped, what the
server and the SDK made of each, how its request compares with the generated client's, the known
quirks with their evidence, and which operations of the spec the SDK reaches."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chatforge.ir.model import Api, Operation
from chatforge.targets.templating import code
from tests.conformance.recorder import Call

if TYPE_CHECKING:
    from tests.conformance.test_conformance import Outcome

INTRO = """\
# Conformance with the vendors' SDKs

Three of the five vendors publish official server SDKs that run here: Python packages on PyPI
and Node.js packages on npm. Their requests are what the live services accept, and their parsing
of answers is what the services send, so the test suite (`tests/conformance/`) makes them
witnesses of our specs. Each SDK, pinned to one version, is installed in a folder of its own and
makes every call it offers that maps to an operation of the spec against the generated server in
mock mode, on 127.0.0.1, behind a layer that records every request. Then:

- **server**: the generated server, which validates every request against the spec, accepted
  all the requests of the call;
- **SDK**: the SDK took the mock answer (`ncsdk` validates answers against its own models);
- **wire**: the same function called through chatforge's generated client sent the same
  request: method, path, query, encoding, field names and values, credentials (up to nonce and
  time). A difference the SDK is known for is listed as a quirk with its evidence.

This page is written by the suite; CI fails when it is out of date.
"""


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _accepted(call: Call) -> bool:
    """The server accepted every request of the call (and there was one)."""
    return bool(call.requests) and all(200 <= r.status < 300 for r in call.requests)


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]*\})", path)
    return re.compile(
        "^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$"
    )


def operation_of(api: Api, method: str, path: str) -> Operation | None:
    for op in api.operations:
        # The operation's path, the documented aliases, and functions' own live paths.
        paths = (op.path, *op.aliases, *(f.path for f in op.functions if f.path))
        if op.method == method and any(_pattern(p).match(path) for p in paths):
            return op
    return None


def _reached(outcome: Outcome) -> dict[str, list[str]]:
    """SDK call -> the operations its requests reached."""
    reached: dict[str, list[str]] = {}
    for call in outcome.sdk_calls:
        ops = []
        for request in call.requests:
            op = operation_of(outcome.api, request.method, request.path)
            ops.append(op.operation_id if op else f"{request.method} {request.path} (no operation)")
        reached[call.name] = sorted(set(ops))
    return reached


def _section(outcome: Outcome, reached: dict[str, list[str]]) -> list[str]:
    witness = outcome.witness
    name = "Import name" if witness.registry == "pypi" else "Required as"
    ops = {op.operation_id for op in outcome.api.operations}
    covered = ops & {op for names in reached.values() for op in names}
    quirky = {call for calls in outcome.quirks.values() for call in calls}
    lines = [
        f"## {witness.sdk} {witness.version}, {witness.language} ({outcome.api.title})",
        "",
        f"{name} `{witness.import_name}`. It offers {len(outcome.inventory)} calls: "
        f"{len(outcome.sdk_calls)} made, {len(outcome.skipped)} skipped. They reach "
        f"{len(covered)} of the spec's {len(ops)} operations.",
        "",
    ]
    if outcome.quirks:
        # A quirk may show at several places of a request: one row for each quirk.
        shown: dict[tuple[str, str], set[str]] = {}
        for quirk, calls in outcome.quirks.items():
            shown.setdefault((quirk.what, quirk.evidence), set()).update(calls)
        lines += ["### Known quirks", "", "| quirk | evidence | calls |", "|---|---|---|"]
        for (what, evidence), calls in sorted(shown.items()):
            names = ", ".join(code(c) for c in sorted(calls))
            lines.append(f"| {_cell(what)} | {_cell(evidence)} | {names} |")
        lines.append("")
    lines += [
        "### Calls",
        "",
        "| SDK call | operation | server | SDK | wire |",
        "|---|---|---|---|---|",
    ]
    for call in sorted(outcome.sdk_calls, key=lambda c: c.name):
        accepted = _accepted(call)
        parsed = outcome.parsed.get(call.name, "not run") is None
        if call.name in outcome.problems:
            same = "differs"
        elif call.name not in outcome.ours:
            same = "no equivalent"
        elif call.name in quirky:
            same = "same but for a quirk"
        else:
            same = "same"
        operation = ", ".join(code(op) for op in reached[call.name])
        lines.append(
            f"| {code(call.name)} | {operation} | {'accepted' if accepted else 'refused'} "
            f"| {'parsed' if parsed else 'refused'} | {same} |"
        )
    lines.append("")
    if outcome.skipped:
        lines += ["### Calls not made", "", "| SDK call | why |", "|---|---|"]
        for name, why in sorted(outcome.skipped.items()):
            lines.append(f"| {code(name)} | {_cell(why)} |")
        lines.append("")
    missing = sorted(ops - covered)
    if missing:
        lines += [
            "### Operations this SDK does not reach",
            "",
            ", ".join(code(op) for op in missing) + ".",
            "",
        ]
    return lines


def report(outcomes: list[Outcome]) -> str:
    by_call = {outcome.witness.key: _reached(outcome) for outcome in outcomes}
    lines = [
        INTRO,
        "| SDK | language | API | calls made | server accepted | SDK parsed | compared with ours "
        "| same | operations reached |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    union: dict[str, tuple[Api, list[str], set[str]]] = {}
    for outcome in outcomes:
        made = outcome.sdk_calls
        accepted = sum(1 for call in made if _accepted(call))
        parsed = sum(1 for problem in outcome.parsed.values() if problem is None)
        same = sum(1 for name in outcome.ours if name not in outcome.problems)
        reached = {op for ops in by_call[outcome.witness.key].values() for op in ops}
        ops = {op.operation_id for op in outcome.api.operations}
        witness = outcome.witness
        lines.append(
            f"| {witness.sdk}=={witness.version} | {witness.language} | {outcome.api.title} "
            f"| {len(made)} | {accepted} | {parsed} | {len(outcome.ours)} | {same} "
            f"| {len(ops & reached)} of {len(ops)} |"
        )
        _, names, seen = union.setdefault(outcome.api.slug, (outcome.api, [], set()))
        names.append(f"{witness.sdk} ({witness.language})")
        seen.update(ops & reached)
    lines += [
        "",
        "Over all its witnesses, each API has these of its operations reached:",
        "",
        "| API | witnesses | operations reached | share | not reached by any |",
        "|---|---|---:|---:|---|",
    ]
    for api, names, seen in union.values():
        ops = {op.operation_id for op in api.operations}
        missing = ", ".join(code(op) for op in sorted(ops - seen)) or "none"
        lines.append(
            f"| {api.title} | {', '.join(names)} | {len(seen)} of {len(ops)} "
            f"| {100 * len(seen) // len(ops)}% | {missing} |"
        )
    lines.append("")
    for outcome in outcomes:
        lines += _section(outcome, by_call[outcome.witness.key])
    return "\n".join(lines).rstrip("\n") + "\n"
