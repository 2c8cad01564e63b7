"""The writer swaps whole trees: owned parts replaced, everything else kept, nothing half-done."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chatforge.output import writer
from tests import launcher
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
    command = ("generate", "upstra", "-q", "--out", str(out))
    assert launcher.run(*command, cwd=ROOT).returncode == 0
    # A run as long as those killed below: one the cache the first filled answers.
    started = time.monotonic()
    assert launcher.run(*command, cwd=ROOT).returncode == 0
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
        run = launcher.start(*command, cwd=ROOT)
        # Every other kill falls in the last third of a run, where the tree is written.
        low = 0.05 if trial % 2 else 0.66
        time.sleep(rng.uniform(low * duration, 1.05 * duration))
        run.kill()
        run.wait()
        state = _digest(out)
        assert state in (old, new), "a killed run left a mixed tree"
        seen.add(state)
        if state == new:
            writer.write(
                out,
                {"upstra/docs/index.md": "an older render\n"},
                ["upstra/models", "upstra/client", "upstra/server", "upstra/docs"],
            )
    assert old in seen, "no kill fell before a run's end: the trials above tried nothing"
    assert launcher.run(*command, cwd=ROOT).returncode == 0
    assert _digest(out) == new
    assert not [p for p in tmp_path.iterdir() if p.name != "out" and "chatforge" in p.name]


OWNED = ["a/client", "b/docs"]
OLD = {"a/client/x.py": "old\n", "a/client/y.py": "old y\n", "b/docs/index.md": "old docs\n"}
NEW = {"a/client/x.py": "new\n", "a/client/z.py": "z\n", "b/docs/index.md": "new docs\n"}


def _leftovers(*folders: Path) -> list[str]:
    return [p.name for folder in folders for p in folder.iterdir() if ".chatforge-" in p.name]


def _no_space_after(count: int) -> Callable[..., Any]:
    """`open` that fails with ENOSPC once `count` files have been opened for writing."""
    opened = []

    def fake(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode:
            opened.append(path)
            if len(opened) > count:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return open(path, mode, *args, **kwargs)

    return fake


def test_a_full_disk_leaves_the_old_output_and_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    writer.write(out, OLD, OWNED)
    (out / "mine.txt").write_text("not ours\n", encoding="utf-8")
    before = snapshot(out)
    monkeypatch.setattr(writer, "open", _no_space_after(1), raising=False)
    with pytest.raises(OSError) as raised:
        writer.write(out, NEW, OWNED)
    assert raised.value.errno == errno.ENOSPC
    assert snapshot(out) == before
    assert _leftovers(tmp_path, out) == []


def test_a_busy_output_folder_has_its_contents_swapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output folder that cannot be renamed (EBUSY, as a mount point answers) is written in
    place, folder by folder; where even that fails, the old output stays whole."""
    out = (tmp_path / "out").absolute()
    writer.write(out, OLD, OWNED)
    (out / "mine.txt").write_text("not ours\n", encoding="utf-8")
    real_rename, real_exchange = os.rename, writer._exchange
    busy = {out}

    def rename(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if Path(source) in busy or Path(target) in busy:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(source))
        real_rename(source, target, *args, **kwargs)

    def exchange(a: Path, b: Path) -> bool:
        if a in busy or b in busy:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(b))
        return real_exchange(a, b)

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(writer, "_exchange", exchange)
    assert writer.write(out, NEW, OWNED)
    assert snapshot(out) == {**NEW, "mine.txt": "not ours\n"}
    assert _leftovers(tmp_path, out) == []

    # The second folder cannot be swapped: the first, already swapped, is put back.
    before = snapshot(out)
    busy.add(out / "b")
    with pytest.raises(OSError) as raised:
        writer.write(out, OLD, OWNED)
    assert raised.value.errno == errno.EBUSY
    assert snapshot(out) == before
    assert _leftovers(tmp_path, out) == []


def test_a_symlinked_output_folder_stays_a_symlink(tmp_path: Path) -> None:
    target, link = tmp_path / "real", tmp_path / "link"
    target.mkdir()
    link.symlink_to(target, target_is_directory=True)
    for files in (OLD, NEW):
        assert writer.write(link, files, OWNED)
        assert link.is_symlink() and link.resolve() == target.resolve()
        assert snapshot(target) == files
    assert not writer.write(link, NEW, OWNED)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_any_run_removes_the_copies_of_killed_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer.write(out, OLD, OWNED)
    finished = subprocess.Popen([sys.executable, "-c", ""])
    finished.wait()
    dead = [
        tmp_path / f".out.chatforge-new-{finished.pid}",
        tmp_path / f".out.chatforge-old-{finished.pid}",
        out / f".chatforge-new-{finished.pid}",
    ]
    running = tmp_path / f".out.chatforge-new-{os.getppid()}"
    for folder in (*dead, running):
        (folder / "a").mkdir(parents=True)
        (folder / "a" / "big.bin").write_bytes(b"\0" * 1024)
    assert not writer.write(out, OLD, OWNED)  # current: nothing written, and yet cleaned
    assert not any(folder.exists() for folder in dead)
    assert running.is_dir()
    assert writer.diff(out, OLD, OWNED) == []


def test_paths_outside_the_output_folder_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for path in ("../escaped.py", "/tmp/absolute.py", "a/../../x.py", "a//x.py", "a\\..\\x"):
        with pytest.raises(ValueError, match="outside the output folder"):
            writer.write(out, {path: "x = 1\n"}, ["a"])
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """Mount a tmpfs of a given size at a path; skips where mounting is not permitted."""
    mounted: list[Path] = []

    def mount(path: Path, size: str) -> Path:
        if not sys.platform.startswith("linux"):
            pytest.skip("tmpfs is Linux's")
        path.mkdir(parents=True)
        try:
            result = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                capture_output=True,
                check=False,
            )
        except OSError:
            pytest.skip("no mount command")
        if result.returncode != 0:
            pytest.skip(f"mounting is not permitted here: {result.stderr.decode().strip()}")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", str(path)], capture_output=True, check=False)


def test_an_output_folder_that_is_a_mount_point(
    tmp_path: Path, mount_tmpfs: Callable[[Path, str], Path]
) -> None:
    out = mount_tmpfs(tmp_path / "mnt", "4m")
    assert os.path.ismount(out)
    (out / "mine.txt").write_text("not ours\n", encoding="utf-8")
    for files in (OLD, NEW):
        assert writer.write(out, files, OWNED)
        assert os.path.ismount(out)
        assert snapshot(out) == {**files, "mine.txt": "not ours\n"}
        assert _leftovers(tmp_path, out) == []
    assert not writer.write(out, NEW, OWNED)


def test_a_really_full_disk_leaves_the_old_output_and_frees_the_space(
    tmp_path: Path, mount_tmpfs: Callable[[Path, str], Path]
) -> None:
    disk = mount_tmpfs(tmp_path / "small", "1m")
    out = disk / "out"
    writer.write(out, OLD, OWNED)
    before, free = snapshot(out), os.statvfs(disk).f_bavail
    huge = {**NEW, "a/client/huge.py": "x" * (2 * 1024 * 1024)}
    with pytest.raises(OSError) as raised:
        writer.write(out, huge, OWNED)
    assert raised.value.errno == errno.ENOSPC
    assert snapshot(out) == before
    assert _leftovers(disk) == []
    assert os.statvfs(disk).f_bavail == free
