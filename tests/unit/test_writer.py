"""The writer swaps whole trees: owned parts replaced, everything else kept, nothing half-done."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator import writer
from tests.conftest import ROOT


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_write_replaces_owned_parts_and_keeps_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    writer.write(
        out,
        {"a/client/x.py": "old\n", "a/client/stale.py": "gone\n", "b/docs/index.md": "other api\n"},
        ["a/client", "b/docs"],
    )
    (out / "README.txt").write_text("not ours\n", encoding="utf-8")
    writer.write(out, {"a/client/x.py": "new\n"}, ["a/client"])
    assert snapshot(out) == {
        "README.txt": "not ours\n",
        "a/client/x.py": "new\n",
        "b/docs/index.md": "other api\n",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["generated"]


def test_diff_lists_changes_additions_and_removals(tmp_path: Path) -> None:
    writer.write(tmp_path, {"a/docs/one.md": "1\n", "a/docs/two.md": "2\n"}, ["a/docs"])
    lines = writer.diff(
        tmp_path, {"a/docs/one.md": "1 changed\n", "a/docs/three.md": "3\n"}, ["a/docs"]
    )
    text = "".join(lines)
    assert "-1\n+1 changed" in text
    assert "+++ b/a/docs/three.md" in text and "--- a/a/docs/two.md" in text
    assert writer.diff(tmp_path, snapshot(tmp_path), ["a/docs"]) == []


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path, text in snapshot(root).items():
        digest.update(path.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


# Kills per run of the test; CHATFORGE_KILL_TRIALS=200 for a long one.
TRIALS = int(os.environ.get("CHATFORGE_KILL_TRIALS", "16"))


def test_killed_generation_leaves_the_old_tree_or_the_new_one(tmp_path: Path) -> None:
    """SIGKILL at random moments: the output is always one complete tree, old or new."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "upstra").mkdir()
    (out / "upstra" / "docs").mkdir()
    (out / "upstra" / "docs" / "index.md").write_text("an older render\n", encoding="utf-8")
    old = _digest(out)
    command = [sys.executable, "-m", "generator", "generate", "upstra", "-q", "--out", str(out)]
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    duration = time.monotonic() - started
    new = _digest(out)
    writer.write(
        out,
        {"upstra/docs/index.md": "an older render\n"},
        ["upstra/models", "upstra/client", "upstra/server", "upstra/docs"],
    )
    assert _digest(out) == old
    rng = random.Random(20261122)
    seen = set()
    for trial in range(TRIALS):
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Every other kill falls in the last third of a run, where the tree is written.
        low = 0.05 if trial % 2 else 0.66
        time.sleep(rng.uniform(low * duration, 1.05 * duration))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        state = _digest(out)
        assert state in (old, new), "a killed run left a mixed tree"
        seen.add(state)
        if state == new:
            writer.write(
                out,
                {"upstra/docs/index.md": "an older render\n"},
                ["upstra/models", "upstra/client", "upstra/server", "upstra/docs"],
            )
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    assert _digest(out) == new
    assert not [p for p in tmp_path.iterdir() if p.name != "out" and "chatforge" in p.name]
