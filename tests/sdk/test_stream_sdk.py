"""Stream's official Python SDK as a witness: its requests must be valid against our spec.

The SDK (stream-chat 4.33.0, from PyPI) is installed into a virtual environment of its own and
pointed at the generated Stream server in mock mode, which validates every request and checks the
SDK's JSON Web Tokens and API key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, LiveServer
from tests.functional.harness import load_generated, project_apis

SDK = "stream-chat==4.33.0"
ENVIRONMENTS = ROOT / ".sdk-venvs"
APIS = {api.slug: api for api in project_apis()}

pytestmark = pytest.mark.skipif("stream" not in APIS, reason="no Stream spec in specs/")


def sdk_python(name: str, requirement: str) -> Path:
    """A virtual environment holding one vendor SDK, made once and reused."""
    folder = ENVIRONMENTS / name
    python = folder / "bin" / "python"
    marker = folder / "installed.txt"
    if not (marker.is_file() and marker.read_text() == requirement):
        venv.EnvBuilder(with_pip=True, clear=True).create(folder)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", requirement],
            check=True,
            capture_output=True,
            timeout=600,
        )
        marker.write_text(requirement)
    return python


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    generated = load_generated(APIS["stream"])
    check = generated.server.security.jwt_check("witness-key", "witness-secret")
    app = generated.server.create_app(mock=True, auth=check)
    with LiveServer(app) as live:
        yield live


def test_the_stream_sdk_is_accepted(server: LiveServer, tmp_path: Path) -> None:
    python = sdk_python("stream-chat", SDK)
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    env = {
        **os.environ,
        "STREAM_CHAT_URL": server.url,
        "STREAM_KEY": "witness-key",
        "STREAM_SECRET": "witness-secret",
        "STREAM_IMAGE": str(image),
    }
    result = subprocess.run(
        [str(python), str(Path(__file__).with_name("stream_witness.py"))],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    refused = [r for r in records if not r["accepted"]]
    assert not refused, json.dumps(refused, indent=1)
    accepted = {r["call"] for r in records if r["accepted"]}
    assert len(accepted) >= 40
    groups = Counter(r["group"] for r in records if r["accepted"])
    for group in ("users", "channels", "messages", "reactions", "moderation", "devices", "app"):
        assert groups[group] >= 2, groups
    print(f"{len(accepted)} SDK calls accepted", file=sys.stderr)
