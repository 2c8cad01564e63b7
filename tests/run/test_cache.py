"""The content-hash cache and the worker processes: what a user sees is the output a cold, single
process run gives, whatever the cache holds and however the work is spread."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chatforge.config import load_config
from chatforge.diagnostics import Diagnostic, Level, SpecError
from chatforge.run import cache, pipeline
from chatforge.run.batch import Runner
from tests import launcher
from tests.conftest import ROOT
from tests.running import COMMAND

SPECS = ROOT / "specs"
CHATFORGE = [*COMMAND]


def _run(*args: str, cache_dir: Path | None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if cache_dir is not None:
        env["CHATFORGE_CACHE_DIR"] = str(cache_dir)
    return launcher.run(*args, cwd=cwd, env=env)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """Two specs in a folder of their own, to change at will: the smallest of the project's,
    and a fixture with a feature of every kind."""
    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(SPECS / "upstra.yaml", folder / "upstra.yaml")
    shutil.copy(ROOT / "tests/fixtures/specs/features.yaml", folder / "features.yaml")
    return folder


def test_a_changed_spec_is_redone_and_the_rest_come_from_the_cache(
    tmp_path: Path, specs: Path
) -> None:
    store, out, cold = tmp_path / "cache", tmp_path / "out", tmp_path / "cold"
    first = _run("generate", "--specs", str(specs), "--out", str(out), cache_dir=store)
    assert first.returncode == 0, first.stderr
    assert "validating" in first.stderr and "from the cache" not in first.stderr
    assert (store / "CACHEDIR.TAG").is_file() and (store / ".gitignore").is_file()

    again = _run("generate", "--specs", str(specs), "--out", str(out), cache_dir=store)
    assert again.returncode == 0, again.stderr
    assert "upstra: unchanged, from the cache:" in again.stderr
    assert "features: unchanged, from the cache:" in again.stderr
    assert "is current" in again.stderr and "nothing written" in again.stderr

    spec = specs / "upstra.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8"
    )
    edited = _run("generate", "--specs", str(specs), "--out", str(out), cache_dir=store)
    assert edited.returncode == 0, edited.stderr
    assert "upstra: validating" in edited.stderr
    assert "features: unchanged, from the cache:" in edited.stderr
    assert "wrote" in edited.stderr

    reference = _run(
        "generate", "--specs", str(specs), "--out", str(cold), "--no-cache", cache_dir=store
    )
    assert reference.returncode == 0, reference.stderr
    assert _digest(out) == _digest(cold)
    assert "Edited" in (out / "upstra" / "docs" / "index.md").read_text(encoding="utf-8")


def test_a_current_output_is_not_touched(tmp_path: Path, specs: Path) -> None:
    store, out = tmp_path / "cache", tmp_path / "out"
    args = ("generate", "--specs", str(specs), "--out", str(out), "-q")
    assert _run(*args, cache_dir=store).returncode == 0
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert _run(*args, cache_dir=store).returncode == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps


def test_an_edited_output_file_is_restored_from_the_cache(tmp_path: Path, specs: Path) -> None:
    store, out = tmp_path / "cache", tmp_path / "out"
    args = ("generate", "--specs", str(specs), "--out", str(out), "-q")
    assert _run(*args, cache_dir=store).returncode == 0
    before = _digest(out)
    victim = out / "features" / "docs" / "index.md"
    victim.write_text("edited by hand\n", encoding="utf-8")
    (out / "features" / "client" / "stray.py").write_text("x = 1\n", encoding="utf-8")
    assert _run(*args, cache_dir=store).returncode == 0
    assert _digest(out) == before


def test_a_damaged_cache_is_read_as_empty(tmp_path: Path, specs: Path) -> None:
    store, out, cold = tmp_path / "cache", tmp_path / "out", tmp_path / "cold"
    args = ("generate", "--specs", str(specs), "-q")
    assert _run(*args, "--out", str(out), cache_dir=store).returncode == 0
    for path in sorted(p for p in store.rglob("*") if p.is_file() and p.parent != store)[::2]:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2] + b"\x80garbage")
    shutil.rmtree(out)
    damaged = _run(*args, "--out", str(out), cache_dir=store)
    assert damaged.returncode == 0, damaged.stderr
    assert _run(*args, "--out", str(cold), "--no-cache", cache_dir=store).returncode == 0
    assert _digest(out) == _digest(cold)


def test_no_cache_neither_reads_nor_writes_it(tmp_path: Path, specs: Path) -> None:
    store, out = tmp_path / "cache", tmp_path / "out"
    args = ("generate", "--specs", str(specs), "--out", str(out), "--no-cache")
    result = _run(*args, cache_dir=store)
    assert result.returncode == 0, result.stderr
    assert not store.exists()
    assert "from the cache" not in _run(*args, cache_dir=store).stderr


def test_an_unwritable_cache_costs_speed_not_the_run(tmp_path: Path, specs: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _run("generate", "--specs", str(specs), "--out", str(out), cache_dir=blocked)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["features", "upstra"]


def test_validate_reports_the_same_from_the_cache(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    spec = ROOT / "tests" / "fixtures" / "broken" / "bad_example.yaml"
    first = _run("validate", str(spec), cache_dir=store)
    second = _run("validate", str(spec), cache_dir=store)
    assert first.returncode == second.returncode == 1
    assert "from the cache" in second.stderr
    errors = [line for line in first.stderr.splitlines() if ": error: " in line]
    assert errors and errors == [line for line in second.stderr.splitlines() if ": error: " in line]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_render_failure_comes_back_whole_from_a_worker(
    specs: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """What rendering raises reaches the command as raised, diagnostics and all, whether the
    spec was rendered in a worker process or in the command's own."""
    failure = Diagnostic("specs/upstra.yaml", 3, 4, Level.ERROR, "cannot be rendered", "/x")
    real = pipeline.render

    def render(api: Any, targets: Any, progress: Any = None, models: Any = None) -> Any:
        if api.slug == "upstra":
            raise SpecError([failure])
        return real(api, targets, progress, models)

    monkeypatch.setattr(pipeline, "render", render)  # workers are forked: they see it too
    config = replace(load_config(ROOT), specs=specs)
    outcomes = Runner(None, jobs).run(pipeline.find_specs(config, ()), ("docs",))
    by_slug = {outcome.source.slug: outcome for outcome in outcomes}
    assert [o.source.slug for o in outcomes] == ["features", "upstra"]
    raised = by_slug["upstra"].failure
    assert isinstance(raised, SpecError) and raised.diagnostics == [failure]
    assert by_slug["features"].failure is None and by_slug["features"].files


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_docs_failure_fails_the_spec_and_leaves_the_others_whole(
    specs: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Workers render a spec's docs apart from its code; a failure of either is the spec's,
    and the other specs come back with every target, in the order of the targets."""
    failure = Diagnostic("specs/upstra.yaml", 5, 6, Level.ERROR, "no docs for this", "/y")
    real = pipeline.render

    def render(api: Any, targets: Any, progress: Any = None, models: Any = None) -> Any:
        if api.slug == "upstra" and "docs" in targets:
            raise SpecError([failure])
        return real(api, targets, progress, models)

    monkeypatch.setattr(pipeline, "render", render)
    config = replace(load_config(ROOT), specs=specs)
    targets = ("models", "client", "server", "docs")
    outcomes = Runner(None, jobs).run(pipeline.find_specs(config, ()), targets)
    upstra, features = outcomes[1], outcomes[0]
    assert isinstance(upstra.failure, SpecError) and upstra.failure.diagnostics == [failure]
    assert features.failure is None and features.files is not None
    assert features.files == real(features.api, targets)
    assert list(features.files) == list(real(features.api, targets))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("targets", [("models", "docs"), ("docs", "models")])
def test_of_two_failures_that_of_the_target_given_first_is_reported(
    specs: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, targets: tuple[Any, ...]
) -> None:
    """Workers make a spec's models and docs apart; when both fail, the failure reported is
    the one a single render of the targets, in the order given, meets first."""
    from chatforge.targets import docs, modelgen

    no_models = SpecError([Diagnostic("specs/upstra.yaml", 1, 1, Level.ERROR, "no models")])
    no_docs = SpecError([Diagnostic("specs/upstra.yaml", 2, 2, Level.ERROR, "no docs")])
    real_models, real_docs = modelgen.models_module, docs.render

    def models_module(api: Any) -> str:
        if api.slug == "upstra":
            raise no_models
        return real_models(api)

    def render_docs(api: Any) -> Any:
        if api.slug == "upstra":
            raise no_docs
        return real_docs(api)

    monkeypatch.setattr(modelgen, "models_module", models_module)
    monkeypatch.setattr(docs, "render", render_docs)
    config = replace(load_config(ROOT), specs=specs)
    outcomes = Runner(None, jobs).run(pipeline.find_specs(config, ()), targets)
    failure = outcomes[1].failure
    assert isinstance(failure, SpecError)
    assert failure.diagnostics == (no_models if targets[0] == "models" else no_docs).diagnostics
    assert outcomes[0].failure is None


def test_the_fingerprint_follows_the_generators_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "chatforge"
    shutil.copytree(cache.PACKAGE_ROOT, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_ROOT", package)
    templates = package / "targets" / "templates"
    fingerprint = cache.fingerprint.__wrapped__
    before = fingerprint()
    assert fingerprint() == before
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert fingerprint() == before
    target = next(iter(sorted(templates.rglob("*.j2"))))
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint() != before


def test_the_fingerprint_follows_the_versions_of_the_packages_that_shape_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The versions are those `importlib.metadata` gives (the first distribution on the path),
    and another version of one of them, found first on the path, is another fingerprint."""
    from importlib import metadata

    installed = {package: metadata.version(package) for package in cache.SHAPING_PACKAGES}
    assert cache._versions(cache.SHAPING_PACKAGES) == installed
    fingerprint = cache.fingerprint.__wrapped__
    before = fingerprint()
    (tmp_path / "Jinja2-9.9.9.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert cache._versions(["jinja2"]) == {"jinja2": "9.9.9"}
    assert fingerprint() != before
    assert cache._versions(["no-such-package"]) == {"no-such-package": "absent"}


def test_keys_do_not_run_together() -> None:
    assert cache.key("ab", "c") != cache.key("a", "bc")
    assert cache.key("a", b"b") == cache.key(b"a", "b")


class _Payload:
    """A pickle that, when loaded, leaves a file behind: proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_planted_pickles_never_run(tmp_path: Path, specs: Path) -> None:
    """Whoever can write the cache folder cannot make the next run execute code: pickles put in
    place of every entry, and beside it under the name a pickle entry would have, are not loaded,
    and the run does its work again."""
    import pickle

    store, out, cold = tmp_path / "cache", tmp_path / "out", tmp_path / "cold"
    marker = tmp_path / "ran"
    args = ("generate", "--specs", str(specs), "--target", "docs")
    assert _run(*args, "--out", str(out), cache_dir=store).returncode == 0
    hostile = pickle.dumps(_Payload(marker))
    entries = [p for p in store.rglob("*") if p.is_file() and p.parent != store]
    assert entries
    for path in entries:
        path.with_suffix(".pickle").write_bytes(hostile)
        path.write_bytes(hostile)
    shutil.rmtree(out)
    again = _run(*args, "--out", str(out), cache_dir=store)
    assert again.returncode == 0, again.stderr
    listed = _run("list", "--specs", str(specs), "--json", cache_dir=store)
    assert listed.returncode == 0, listed.stderr
    assert not marker.exists(), "a pickle from the cache folder was loaded"
    assert "upstra: validating" in again.stderr and "from the cache" not in again.stderr
    assert _run(*args, "--out", str(cold), "--no-cache", cache_dir=store).returncode == 0
    assert _digest(out) == _digest(cold)


def _seal(path: Path, value: Any) -> None:
    """Write an entry as the cache writes it, hash and all, as someone with write access to the
    folder could."""
    kind, name = path.parent.name, path.name.removesuffix(".json")
    cache.Cache(path.parent.parent).store(kind, name, value)


def test_altered_entries_are_misses_and_never_trusted(tmp_path: Path, specs: Path) -> None:
    """An entry changed after it was written is a miss; one rewritten with a matching hash but
    holding something other than what its kind holds is a miss too, and written files stay
    inside the output folder. Each kind in turn, the others left whole."""
    store, out, cold = tmp_path / "cache", tmp_path / "out", tmp_path / "cold"
    args = ("generate", "--specs", str(specs), "--target", "docs")
    assert _run(*args, "--out", str(cold), cache_dir=store).returncode == 0
    expected = _digest(cold)
    escape = hashlib.sha256(b"x = 1\n").hexdigest()
    (store / "blobs" / escape).write_bytes(b"x = 1\n")
    hostile: dict[str, list[Any]] = {
        "checks": [[[], []], {"__class__": "os.system"}, [[{"file": "f", "line": "1"}], []]],
        "outputs": [
            {"../escaped.py": escape},
            {"/tmp/absolute.py": escape},
            {"a": "../x"},
            {"stranger/docs/escaped.py": escape},
        ],
        "apis": [{"slug": "upstra"}, {"__class__": "os.system", "title": ["rm -rf /"]}],
        "overviews": [
            {"files": {"../escaped.md": "x"}, "folders": ["../.."]},
            {"files": {"upstra/docs/index.md": "x"}, "folders": ["upstra"]},
            {"files": {"elsewhere/index.md": "x"}, "folders": ["overview"]},
            [{}, []],
        ],
    }
    for kind, values in hostile.items():
        for value in [None, *values]:
            for path in sorted((store / kind).iterdir()):
                if value is None:  # altered in place: the hash no longer matches
                    data = path.read_bytes()
                    path.write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
                else:
                    _seal(path, value)
            shutil.rmtree(out, ignore_errors=True)
            again = _run(*args, "--out", str(out), cache_dir=store)
            assert again.returncode == 0, again.stderr
            assert _digest(out) == expected, (kind, value)
            assert (
                not [p.name for p in tmp_path.rglob("escaped*")] and not (tmp_path / "x").exists()
            )
    # The model entries are read by `list`: altered, they are made again.
    for path in sorted((store / "apis").iterdir()):
        _seal(path, {"slug": "upstra"})
    listed = _run("list", "--specs", str(specs), "--json", cache_dir=store)
    reference = _run("list", "--specs", str(specs), "--json", cache_dir=tmp_path / "fresh")
    assert listed.returncode == reference.returncode == 0, listed.stderr
    assert listed.stdout == reference.stdout


def test_the_cache_is_kept_outside_the_project_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.chatforge]\n", encoding="utf-8")
    monkeypatch.delenv("CHATFORGE_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    config = load_config(project)
    assert config.cache is not None and not config.cache.is_relative_to(project)
    if sys.platform.startswith("linux"):
        assert config.cache == tmp_path / "xdg" / "chatforge"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
        assert load_config(project).cache == tmp_path / "home" / ".cache" / "chatforge"
        monkeypatch.delenv("XDG_CACHE_HOME")
        assert load_config(project).cache == tmp_path / "home" / ".cache" / "chatforge"
    # Still chosen by the project or the environment, relative to the project.
    (project / "pyproject.toml").write_text('[tool.chatforge]\ncache-dir = "c"\n', encoding="utf-8")
    assert load_config(project).cache == project / "c"
    monkeypatch.setenv("CHATFORGE_CACHE_DIR", str(tmp_path / "env"))
    assert load_config(project).cache == tmp_path / "env"


def test_a_run_fills_the_users_cache_folder_not_the_project(tmp_path: Path, specs: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.chatforge]\n", encoding="utf-8")
    shutil.copytree(specs, project / "specs")
    env = {k: v for k, v in os.environ.items() if k != "CHATFORGE_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    env["HOME"] = env["LOCALAPPDATA"] = str(tmp_path / "home")
    command = [*CHATFORGE, "generate", "upstra", "--target", "docs", "-q"]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in project.iterdir()) == ["generated", "pyproject.toml", "specs"]
    if sys.platform.startswith("linux"):
        assert (tmp_path / "xdg" / "chatforge" / "CACHEDIR.TAG").is_file()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_cache_folder_others_may_write_is_not_used(tmp_path: Path, specs: Path) -> None:
    store, out = tmp_path / "shared", tmp_path / "out"
    store.mkdir()
    store.chmod(0o777)
    result = _run("generate", "--specs", str(specs), "--out", str(out), cache_dir=store)
    assert result.returncode == 0, result.stderr
    assert f"not using the cache: other users may write {store}" in result.stderr
    assert list(store.iterdir()) == []


def test_records_rebuild_only_the_types_asked_for() -> None:
    from chatforge.ir.model import Api, Constraint
    from chatforge.run import records

    source = pipeline.SpecSource("features", ROOT / "tests/fixtures/specs/features.yaml", "f")
    checked = pipeline.check(source)
    assert checked.built is not None
    api = checked.built[0]
    assert records.decode(Api, json.loads(json.dumps(records.encode(api)))) == api
    assert records.decode(Constraint, {"name": "minimum", "value": "1"}) == Constraint(
        "minimum", "1"
    )
    for hostile in (
        {"name": "minimum", "value": "1", "__class__": "os.system"},
        {"name": "minimum"},
        {"name": "minimum", "value": 1},
        {"name": ["minimum"], "value": "1"},
        ["minimum", "1"],
        "Constraint('minimum', '1')",
    ):
        with pytest.raises(ValueError):
            records.decode(Constraint, hostile)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX pipes")
def test_entries_that_are_not_plain_files_are_misses(tmp_path: Path, specs: Path) -> None:
    """A pipe in place of an entry does not block the run, and a link is not followed."""
    store, out = tmp_path / "cache", tmp_path / "out"
    args = ("generate", "upstra", "--specs", str(specs), "--target", "docs", "--out", str(out))
    assert _run(*args, cache_dir=store).returncode == 0
    expected = _digest(out)
    outside = tmp_path / "outside.json"
    for kind in ("outputs", "checks"):
        for path in sorted((store / kind).iterdir()):
            shutil.copy(path, outside)
            path.unlink()
            if kind == "checks":
                os.mkfifo(path)
            else:
                path.symlink_to(outside)
        shutil.rmtree(out)
        again = subprocess.run(
            [*CHATFORGE, *args],
            cwd=ROOT,
            env={**os.environ, "CHATFORGE_CACHE_DIR": str(store)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.returncode == 0, again.stderr
        assert "upstra: validating" in again.stderr
        assert _digest(out) == expected


def test_a_spec_split_over_files_is_kept_and_redone_when_any_of_its_files_changes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "split"
    shutil.copytree(ROOT / "tests" / "fixtures" / "anyspec" / "split", folder)
    store, out = tmp_path / "cache", tmp_path / "out"
    args = ("generate", str(folder / "library.yaml"), "--out", str(out), "--target", "models")
    first = _run(*args, cache_dir=store)
    assert first.returncode == 0, first.stderr
    assert "from the cache" not in first.stderr
    again = _run(*args, cache_dir=store)
    assert again.returncode == 0, again.stderr
    assert "unchanged, from the cache:" in again.stderr
    part = folder / "schemas" / "book.yaml"
    part.write_text(
        part.read_text(encoding="utf-8").replace(
            "  title:\n", "  subtitle:\n    type: string\n  title:\n"
        ),
        encoding="utf-8",
    )
    edited = _run(*args, cache_dir=store)
    assert edited.returncode == 0, edited.stderr
    assert "from the cache" not in edited.stderr
    models = "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.py")))
    assert "subtitle" in models
    part.unlink()
    gone = _run(*args, cache_dir=store)
    assert gone.returncode == 1
    assert "from the cache" not in gone.stderr
    assert "book.yaml" in gone.stderr
