"""tests/golden/record/ is byte for byte what chatforge generates from the fixture specs: a
change to the output of any target shows there as a reviewable diff."""

from __future__ import annotations

from pathlib import Path

from tests.golden.record import FIXTURES, RECORD, ROOT, arguments
from tests.running import chatforge


def test_the_record_holds_every_fixture_spec() -> None:
    specs = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "tests/fixtures/specs").glob("*.y*ml")
    )
    assert [s for s in specs if s not in FIXTURES] == []
    assert sorted(p.name for p in (ROOT / RECORD).iterdir()) == sorted(
        Path(spec).stem for spec in FIXTURES
    )


def test_the_record_is_what_chatforge_generates() -> None:
    result = chatforge(*arguments(check=True), cwd=ROOT)
    assert result.returncode == 0, (
        "tests/golden/record/ differs from what the fixture specs generate; review the diff, "
        "then write it with `python -m tests.golden --update`:\n"
        + result.stdout[-20000:]
        + result.stderr[-5000:]
    )
