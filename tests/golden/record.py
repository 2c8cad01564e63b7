"""The golden record of the edge-case fixture specs: what chatforge generates from each,
committed under `tests/golden/record/`, so that a change to a template or a target shows as a
diff to review. `python -m tests.golden --update` writes it again; `python -m tests.golden`
checks it, as `test_record.py` does."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORD = "tests/golden/record"
# Every spec of tests/fixtures/specs/, and the other fixtures that generate cleanly (not the
# hostile or broken ones, which are tested for the refusals and renamings they cause).
FIXTURES = (
    "tests/fixtures/specs/features.yaml",
    "tests/fixtures/specs/pet_errors.yaml",
    "tests/fixtures/specs/pets.yaml",
    "tests/fixtures/specs/unexampled.yaml",
    "tests/fixtures/multi_auth.yaml",
)


def arguments(*, check: bool) -> list[str]:
    """The arguments of `chatforge` that write the record (or, with `check`, compare it), run
    from the repository's root."""
    return ["generate", *FIXTURES, "--out", RECORD, "--quiet", *(["--check"] if check else [])]
