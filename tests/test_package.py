"""chatforge as a user installs it: the wheel built from this tree, in a virtual environment of
its own, run from a folder outside the repository. The curated specs, the templates and the
runtime travel in the wheel; a curated spec renders there byte for byte as in `generated/`."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GENERATED, ROOT
from tests.running import announced_port

# What a wheel is built from: the rest of the repository (tests, generated output, docs) is not
# needed, and leaving it out proves it.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "chatforge", "specs")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `bin/` folder of a fresh virtual environment holding the wheel and its dependencies."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = base / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("chatforge-*.whl")
    venv = base / "venv"
    # A bare environment (no pip of its own to bootstrap), filled by this pip through `--python`.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
        + ["install", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    yield venv / "bin"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """An empty folder outside the repository, with no pyproject.toml above it."""
    folder = tmp_path / "project"
    folder.mkdir()
    assert not any((parent / "pyproject.toml").is_file() for parent in folder.parents)
    return folder


def chatforge(bin_: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [str(bin_ / "chatforge"), *args], cwd=cwd, capture_output=True, text=True, env=env
    )


def test_the_wheel_carries_no_repository_path(installed: Path) -> None:
    """The package imports from site-packages, never from this checkout."""
    probe = "import chatforge; print(chatforge.__file__)"
    found = subprocess.run(
        [str(installed / "python"), "-c", probe], capture_output=True, text=True, cwd="/"
    )
    assert found.returncode == 0, found.stderr
    assert "site-packages" in found.stdout
    assert not Path(found.stdout.strip()).is_relative_to(ROOT)


def test_list_names_the_curated_specs_from_anywhere(installed: Path, elsewhere: Path) -> None:
    result = chatforge(installed, elsewhere, "list", "--json")
    assert result.returncode == 0, result.stderr
    slugs = [api["slug"] for api in json.loads(result.stdout)["apis"]]
    assert slugs == ["agora", "nexconn", "rongcloud", "stream", "upstra"]
    assert list(elsewhere.iterdir()) == []


def test_generate_a_curated_spec_renders_what_the_repository_holds(
    installed: Path, elsewhere: Path
) -> None:
    result = chatforge(installed, elsewhere, "generate", "upstra", "--out", "vendor/")
    assert result.returncode == 0, result.stderr
    out = elsewhere / "vendor" / "upstra"
    compared = filecmp.dircmp(out, GENERATED / "upstra")
    differing: list[str] = []

    def walk(node: filecmp.dircmp[str], prefix: str) -> None:
        differing.extend(f"{prefix}{name}" for name in node.left_only + node.right_only)
        _, mismatch, errors = filecmp.cmpfiles(
            node.left, node.right, node.common_files, shallow=False
        )
        differing.extend(f"{prefix}{name}" for name in mismatch + errors)
        for name, child in node.subdirs.items():
            walk(child, f"{prefix}{name}/")

    walk(compared, "")
    assert differing == []
    assert (out / "client" / "upstra_client" / "__init__.py").is_file()


def test_serve_mock_answers_from_anywhere(installed: Path, elsewhere: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    server = subprocess.Popen(
        [str(installed / "chatforge"), "serve", "upstra", "--mock", "--port", "0"],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{announced_port(server)}/api/v2/message/m1"
        with urllib.request.urlopen(url, timeout=30) as response:
            status, body = response.status, json.loads(response.read())
        assert status == 200
        assert isinstance(body, dict) and body
    finally:
        server.terminate()
        server.communicate(timeout=20)
    assert list(elsewhere.iterdir()) == []
