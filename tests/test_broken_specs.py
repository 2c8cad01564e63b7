"""Broken specs through the real command line: located errors, exit 1, nothing written.

Every `tests/fixtures/broken/<name>.yaml` (or `<name>.json`) has one problem; `<name>.expected`
beside it holds the diagnostics the CLI must print for it, exactly and in order, as printed (paths
relative to the repository). Both `validate` and `generate` must print them, exit 1, print no
traceback, end on a "nothing written" line and leave the output folder as it was.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests import launcher

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "broken"
SPEC_SUFFIXES = (".yaml", ".json")
# name -> the file name of its fixture, a YAML or a JSON spec.
SPEC_FILES = {
    path.stem: path.name for path in sorted(FIXTURES.iterdir()) if path.suffix in SPEC_SUFFIXES
}
NAMES = sorted(SPEC_FILES)
SENTINEL = b"left here by the test; chatforge must not touch it\n"

# Fixtures whose expected output is right but whose current output is not: generator bugs that
# were reported rather than baked into the .expected files. Remove an entry once it is fixed.
KNOWN_BUGS: dict[str, str] = {}

TINY_SPEC = """\
openapi: 3.1.0
info:
  title: Tiny
  version: '1'
tags:
  - name: items
    description: Items.
paths:
  /items/{id}:
    get:
      operationId: get_item
      tags: [items]
      summary: Fetch an item
      x-rate-limit: {documented: false}
      x-functions:
        - row: 1
          title: Get Item
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: string}
      responses:
        '200':
          description: The item.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item'
        '404':
          description: No such item.
components:
  schemas:
    Item:
      type: object
      properties:
        id: {type: string}
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return launcher.run(*args, cwd=REPO_ROOT, timeout=120)


def run_together(*commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
    """Run several CLI invocations at once."""
    started = [launcher.start(*command, cwd=REPO_ROOT) for command in commands]
    return [run.wait(timeout=120) for run in started]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under `folder` (folders map to b"<dir>")."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() if path.is_file() else b"<dir>"
        for path in sorted(folder.rglob("*"))
    }


def expected_lines(name: str) -> list[str]:
    text = (FIXTURES / f"{name}.expected").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def diagnostic_lines(output: str, spec: str) -> list[str]:
    """The diagnostics (errors and warnings) printed about `spec`, in printed order."""
    return [line for line in output.splitlines() if line.startswith(f"{spec}:")]


def test_every_fixture_has_expectations() -> None:
    assert len(NAMES) >= 32
    stems = [p.stem for p in FIXTURES.iterdir() if p.suffix in SPEC_SUFFIXES]
    assert len(stems) == len(set(stems)), "two fixtures share a name"
    for name in NAMES:
        spec = SPEC_FILES[name]
        assert (FIXTURES / f"{name}.expected").is_file(), f"{spec} has no {name}.expected"
        lines = expected_lines(name)
        assert lines, f"{name}.expected is empty"
        assert any(": error: " in line for line in lines), f"{name}.expected has no error"
        for line in lines:
            assert line.startswith(f"tests/fixtures/broken/{spec}:"), line
    strays = sorted(p.name for p in FIXTURES.glob("*.expected") if p.stem not in SPEC_FILES)
    assert not strays, f".expected files without a fixture: {strays}"
    unknown = sorted(set(KNOWN_BUGS) - set(NAMES))
    assert not unknown, f"KNOWN_BUGS names no fixture: {unknown}"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(reason=KNOWN_BUGS[name], strict=True)]
            if name in KNOWN_BUGS
            else [],
        )
        for name in NAMES
    ],
)
def test_broken_spec_is_refused(name: str, tmp_path: Path) -> None:
    spec = f"tests/fixtures/broken/{SPEC_FILES[name]}"
    out = tmp_path / "out"
    out.mkdir()
    (out / "sentinel.txt").write_bytes(SENTINEL)
    before = snapshot(tmp_path)

    validated, generated = run_together(
        ("validate", spec),
        ("generate", spec, "--out", str(out)),
    )

    expected = expected_lines(name)
    for result in (validated, generated):
        shown = f"{result.args}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        assert result.returncode == 1, shown
        assert "Traceback" not in result.stdout + result.stderr, shown
        assert "internal error" not in result.stderr, shown
        assert result.stdout == "", shown
        # Exactly the expected diagnostics, in order: one problem per fixture, nothing beyond.
        assert diagnostic_lines(result.stderr, spec) == expected, shown
        last = result.stderr.splitlines()[-1]
        assert last.startswith("chatforge: ") and last.endswith("; nothing written"), shown

    assert snapshot(tmp_path) == before, "the output folder changed"
    assert (out / "sentinel.txt").read_bytes() == SENTINEL


def test_unknown_api_slug_exits_2_with_a_clear_message() -> None:
    result = run("validate", "no_such_api")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "no spec named 'no_such_api'" in result.stderr
    assert "known:" in result.stderr and "upstra" in result.stderr


def test_generate_check_on_a_fresh_folder_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_SPEC, encoding="utf-8")
    out = tmp_path / "out"
    before = snapshot(tmp_path)

    result = run("generate", str(spec), "--out", str(out), "--check")

    shown = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 1, shown
    assert "Traceback" not in result.stdout + result.stderr, shown
    assert "internal error" not in result.stderr, shown
    assert "is stale" in result.stderr, shown
    # The diff names files that would be created, from nothing.
    assert "--- /dev/null" in result.stdout, shown
    assert "+++ b/tiny/models/" in result.stdout, shown
    assert not out.exists()
    assert snapshot(tmp_path) == before
