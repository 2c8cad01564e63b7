"""Valid requests to every route of a generated server in mock mode, to find the ones it answers
with a server error: schemathesis draws each operation's requests from the spec (positive data
only, a fixed number per operation, derandomised) and calls the app in process."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode


def _config(examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "base-url": "http://testserver",
            "generation": {
                "mode": "positive",
                "max-examples": examples,
                "deterministic": True,
                "no-shrink": True,
                "database": "none",
            },
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "cache": {"enabled": False},
        }
    )


def server_errors(doc: dict[str, Any], app: Any, examples: int = 5) -> dict[str, str]:
    """By operation label (`GET /items`), the first answer of 500 or more the app gave to a
    valid request, with what was sent; empty when there was none. An operation schemathesis
    cannot make requests for is reported too."""
    schema = schemathesis.openapi.from_dict(doc, config=_config(examples))
    found: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        _probe(operation, app, examples, found)
    return found


def _probe(operation: Any, app: Any, examples: int, found: dict[str, str]) -> None:
    """Valid requests of one operation, until the app answers one with a server error."""
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def probe(case: Case) -> None:
        if operation.label in found:
            return
        try:
            response = case.call(app=app)
        except Exception as exc:  # the app raised where it should have answered
            found[operation.label] = f"raised {type(exc).__name__}: {str(exc)[:300]}"
            return
        if response.status_code >= 500:
            sent = f"{case.path_parameters} {case.query} {case.headers} {case.body!r}"
            found[operation.label] = f"{response.status_code}: {response.text[:300]} <- {sent}"

    probe()
