"""What every conformance driver shares. A driver runs in the virtual environment of one vendor
SDK, with the standard library and that SDK alone, and makes SDK calls against the recording
server at CONFORMANCE_URL (see tests/conformance/recorder.py).

For each call, `call` first tells the recording server which call the requests that follow
belong to, and how the same function is called through chatforge's generated client; then it
makes the call and prints one JSON line: whether the SDK took the answer.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from typing import Any

URL = os.environ["CONFORMANCE_URL"]
KEY = os.environ["CONFORMANCE_KEY"]
SECRET = os.environ["CONFORMANCE_SECRET"]
# A small PNG image, for uploads.
FILE = os.environ.get("CONFORMANCE_FILE", "")

Check = Callable[[Any], "str | None"]


def ours(method: str, **kwargs: Any) -> dict[str, Any]:
    """The same call through the generated client: `method` is "<resource>.<method>", and
    `kwargs` its keyword arguments as JSON values ({"$file": path} for a file)."""
    return {"call": method, "kwargs": kwargs}


def _mark(name: str, same: dict[str, Any] | None) -> None:
    body = json.dumps({"call": name, "ours": same}).encode()
    request = urllib.request.Request(
        URL + "/__conformance__/mark",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def call(name: str, same: dict[str, Any] | None, make: Callable[[], Any], check: Check) -> None:
    """Make one SDK call, `name` as the report shows it (e.g. "user.register"). `same` is the
    call through the generated client (`ours(...)`), or None where it has none. `check` looks at
    what the SDK returned and gives what is wrong with it, or None when the SDK took the answer
    (an exception counts as not taking it)."""
    _mark(name, same)
    try:
        problem = check(make())
    except Exception as error:  # the SDK refusing the answer is what is being recorded
        problem = f"{type(error).__name__}: {error}"[:500]
    print(json.dumps({"call": name, "parsed": problem is None, "problem": problem}), flush=True)


def skip(name: str, why: str) -> None:
    """An SDK call the driver does not make, and why (it sends no request, say, or it has no
    operation in the spec)."""
    print(json.dumps({"call": name, "skipped": why}), flush=True)


def inventory(names: list[str]) -> None:
    """Every call the SDK offers, found by looking at the SDK: each must be made or skipped."""
    print(json.dumps({"inventory": sorted(set(names))}), flush=True)


def quirk(where: str, what: str, evidence: str, calls: tuple[str, ...] = ()) -> None:
    """A way the SDK is known to differ from the spec or from the generated client: the
    differences found at `where` ("body.content", "status", ...) in `calls` (all calls when
    empty) are this quirk, described in `what`; `evidence` names where in the SDK's source it
    shows. Every quirk declared must show up in the run."""
    line = {"quirk": {"where": where, "what": what, "evidence": evidence, "calls": list(calls)}}
    print(json.dumps(line), flush=True)
