"""generated/ is exactly what the specs and templates render, and it is held to our own bar."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chatforge.config import TARGETS, load_config
from chatforge.output import writer
from chatforge.run import pipeline
from tests.conftest import GENERATED, ROOT
from tests.functional.harness import project_apis
from tests.running import COMMAND

REGENERATE = "chatforge generate"
SLUGS = [source.slug for source in pipeline.find_specs(load_config(ROOT), ())]


@pytest.fixture(scope="module")
def cold_serial_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every spec generated from nothing, in one process and without the cache: the fresh
    render both tests below hold the committed output and the other runs to."""
    out = tmp_path_factory.mktemp("cold-serial") / "out"
    command = [*COMMAND, "generate", "-q", "--out", str(out), "--no-cache", "--jobs", "1"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return out


def test_generated_matches_a_fresh_render(cold_serial_run: Path) -> None:
    config = load_config(ROOT)
    slugs = [source.slug for source in pipeline.find_specs(config, ())]
    owned = [path for slug in slugs for path in pipeline.owned_paths(slug, TARGETS)]
    assert (cold_serial_run / "overview").is_dir(), "the comparison page is not rendered"
    owned.append("overview")
    files = writer.read_tree(cold_serial_run, owned)
    lines = writer.diff(GENERATED, files, owned)
    assert not lines, (
        "generated/ is stale; regenerate with `" + REGENERATE + "`:\n" + "".join(lines[:200])
    )


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_generate_twice_gives_identical_bytes(cold_serial_run: Path, tmp_path: Path) -> None:
    """A cold run in worker processes gives the same bytes as the cold run in a single process
    without the cache (`cold_serial_run`) and as the committed output, and so does the run
    that the cache the first one filled answers."""
    command = [*COMMAND, "generate", "-q", "--jobs", "2", "--out"]
    # A cache of this test's own, empty: the first run is cold, the second is answered by it.
    env = {**os.environ, "CHATFORGE_CACHE_DIR": str(tmp_path / "cache")}
    parallel, cached = tmp_path / "parallel", tmp_path / "cached"
    for out in (parallel, cached):
        subprocess.run([*command, str(out)], cwd=ROOT, check=True, capture_output=True, env=env)
    assert any((tmp_path / "cache").rglob("*.json")), "the first run left nothing in the cache"
    assert _digest(parallel) == _digest(cold_serial_run) == _digest(cached)
    assert _digest(parallel) == {
        k: v for k, v in _digest(GENERATED).items() if "__pycache__" not in k
    }
    for path in parallel.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "\r" not in text and str(ROOT) not in text and str(tmp_path) not in text
            assert text == "" or (text.endswith("\n") and not text.endswith("\n\n"))


def test_check_reports_stale_output_and_writes_nothing(
    cold_serial_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    command = [*COMMAND, "generate", "upstra", "-q", "--out", str(out)]
    shutil.copytree(cold_serial_run / "upstra", out / "upstra")
    current = subprocess.run([*command, "--check"], cwd=ROOT, capture_output=True, text=True)
    assert current.returncode == 0, current.stdout + current.stderr
    victim = out / "upstra" / "docs" / "index.md"
    victim.write_text(victim.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    before = _digest(out)
    result = subprocess.run([*command, "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "-edited by hand" in result.stdout
    assert "chatforge generate" in result.stderr
    assert _digest(out) == before


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_code_passes_ruff(slug: str) -> None:
    from chatforge.output.formatting import ruff_binary

    result = subprocess.run(
        [ruff_binary(), "check", "--no-cache", f"generated/{slug}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mypy cache the checks below share, empty at first: what it keeps of pydantic, httpx and
    FastAPI is read instead of analysed again, while every generated module, new to it, is
    checked in full."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize("target", ["models", "client", "server"])
@pytest.mark.parametrize("slug", SLUGS)
def test_generated_code_passes_mypy_strict(slug: str, target: str, mypy_cache: Path) -> None:
    folder = GENERATED / slug / target
    packages = [p.name for p in folder.iterdir() if (p / "__init__.py").is_file()]
    assert packages, f"no package in {folder}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(mypy_cache),
            *[f"-p{p}" for p in packages],
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_client_imports_alone(slug: str) -> None:
    """The client needs only httpx and pydantic: nothing of the generator leaks in."""
    folder = GENERATED / slug / "client"
    package = next(p.name for p in folder.iterdir() if (p / "__init__.py").is_file())
    probe = (
        "import sys, time; t = time.perf_counter(); import " + package + "; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('chatforge', 'fastapi')]; "
        "print(time.perf_counter() - t)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=folder, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_client_imports_lazily(slug: str) -> None:
    """Importing a client loads neither its models nor its resources until they are used."""
    folder = GENERATED / slug / "client"
    package = next(p.name for p in folder.iterdir() if (p / "__init__.py").is_file())
    probe = (
        f"import sys, {package} as c\n"
        f"assert f'{package}.models' not in sys.modules\n"
        f"assert not [m for m in sys.modules if m.startswith('{package}.resources.')]\n"
        "assert c.models.__name__.endswith('.models')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=folder, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_client_loads_httpx_when_a_client_is_made(slug: str) -> None:
    """Importing a client loads neither httpx nor asyncio; making a client loads them."""
    api = next(api for api in project_apis() if api.slug == slug)
    credentials = api.example_credentials
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"import {api.client_package} as c\n"
        "early = {'httpx', 'asyncio'} & (set(sys.modules) - before)\n"
        "assert not early, f'loaded by the import: {sorted(early)}'\n"
        f"c.Client({credentials}).close()\n"
        "assert 'httpx' in sys.modules\n"
        f"client = c.AsyncClient({credentials})\n"
        "assert 'asyncio' in sys.modules\n"
        "import asyncio\n"
        "asyncio.run(client.close())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=GENERATED / slug / "client",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
