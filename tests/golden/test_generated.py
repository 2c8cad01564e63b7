"""generated/ is exactly what the specs and templates render, and it is held to our own bar."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from chatforge.config import TARGETS, load_config
from chatforge.output import writer
from chatforge.run import pipeline
from tests.conftest import GENERATED, ROOT
from tests.running import COMMAND

REGENERATE = "chatforge generate"
SLUGS = [source.slug for source in pipeline.find_specs(load_config(ROOT), ())]


def render_all() -> tuple[dict[str, str], list[str]]:
    files: dict[str, str] = {}
    owned: list[str] = []
    config = load_config(ROOT)
    apis = [pipeline.build(pipeline.check(s)) for s in pipeline.find_specs(config, ())]
    for api in apis:
        files.update(pipeline.render(api, TARGETS))
        owned.extend(pipeline.owned_paths(api.slug, TARGETS))
    overview, folders = pipeline.render_overview(config.specs, apis, TARGETS)
    assert overview, "the comparison page is not rendered"
    files.update(overview)
    owned.extend(folders)
    return files, owned


def test_generated_matches_a_fresh_render() -> None:
    files, owned = render_all()
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


def test_generate_twice_gives_identical_bytes(tmp_path: Path) -> None:
    """Two cold runs, one in worker processes and one in a single process, give the same bytes
    as the committed output, and so does a run the cache answers."""
    command = [*COMMAND, "generate", "-q", "--out"]
    first, second, stored, cached = (tmp_path / name for name in ("1", "2", "3", "4"))
    runs = [
        (first, ["--no-cache", "--jobs", "2"]),
        (second, ["--no-cache", "--jobs", "1"]),
        (stored, []),  # fills the cache, if the session has not yet
        (cached, []),
    ]
    for out, flags in runs:
        subprocess.run([*command, str(out), *flags], cwd=ROOT, check=True, capture_output=True)
    assert _digest(first) == _digest(second) == _digest(stored) == _digest(cached)
    assert _digest(first) == {k: v for k, v in _digest(GENERATED).items() if "__pycache__" not in k}
    for path in first.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "\r" not in text and str(ROOT) not in text and str(tmp_path) not in text
            assert text == "" or (text.endswith("\n") and not text.endswith("\n\n"))


def test_check_reports_stale_output_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [*COMMAND, "generate", "upstra", "-q", "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
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


@pytest.mark.parametrize("target", ["models", "client", "server"])
@pytest.mark.parametrize("slug", SLUGS)
def test_generated_code_passes_mypy_strict(slug: str, target: str, tmp_path: Path) -> None:
    folder = GENERATED / slug / target
    packages = [p.name for p in folder.iterdir() if (p / "__init__.py").is_file()]
    assert packages, f"no package in {folder}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
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
    api = pipeline.build(pipeline.check(pipeline.find_specs(load_config(ROOT), [slug])[0]))
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
