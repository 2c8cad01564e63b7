"""How a run cuts a spec's code into tasks."""

from __future__ import annotations

from chatforge.run.plan import SPLIT_BELOW, code_parts

EVERY = ("server", "models", "client")


def test_side_by_side_the_server_renders_beside_the_models_and_client() -> None:
    assert code_parts(EVERY, True, 1000) == [("models", "client"), ("server",)]
    # each part keeps the order the run names its targets in
    assert code_parts(("client", "server", "models"), True, 1000) == [
        ("client", "models"),
        ("server",),
    ]


def test_one_part_alone_or_missing_makes_no_empty_task() -> None:
    assert code_parts(("server",), True, 1000) == [("server",)]
    assert code_parts(("client",), True, 1000) == [("client",)]
    assert code_parts((), True, 1000) == []


def test_one_task_in_one_process_or_for_a_spec_too_large_to_hold_twice() -> None:
    assert code_parts(EVERY, False, 1000) == [EVERY]
    assert code_parts(EVERY, True, SPLIT_BELOW) == [EVERY]
    assert code_parts(EVERY, True, SPLIT_BELOW - 1) == [("models", "client"), ("server",)]
