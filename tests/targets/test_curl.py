"""The curl examples of the docs: run in a real shell (with `curl` standing in as a function that
prints its arguments), each sends what the generated client would, credentials included, and
no text from a spec escapes its quoting."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from chatforge.config import load_config
from chatforge.ir.model import Api
from chatforge.run import pipeline
from chatforge.targets.docs.curl import curl_example
from chatforge.targets.docs.examples import example_args

ROOT = Path(__file__).resolve().parents[2]
EVIL = "$(touch PWNED)`touch PWNED`'\"\\ ;&|"

HOSTILE = {
    "openapi": "3.1.0",
    "info": {"title": "Evil", "version": "1"},
    "servers": [{"url": "https://example.test/$HOME/`id`"}],
    "security": [{"signed": []}],
    "paths": {
        "/things/{thing_id}": {
            "post": {
                "operationId": "update_thing",
                "tags": ["things"],
                "summary": "Update a thing",
                "parameters": [
                    {
                        "name": "thing_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "example": EVIL},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "example": EVIL},
                    },
                    {
                        "name": "X-Note",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "example": EVIL},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["name", "tags", "a@b=c"],
                                "properties": {
                                    "name": {"type": "string", "example": EVIL},
                                    "a@b=c": {"type": "string", "example": "@/etc/passwd"},
                                    "tags": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                        "example": ["a b", EVIL],
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "Done."},
                    "400": {"description": "Bad input."},
                },
            }
        }
    },
    "components": {
        "securitySchemes": {
            "signed": {
                "type": "apiKey",
                "in": "header",
                "name": "Signature",
                "x-signature": {
                    "algorithm": "sha1",
                    "app-key-header": "App-Key",
                    "nonce-header": "Nonce",
                    "timestamp-header": "Timestamp",
                    "timestamp-unit": "seconds",
                    "signed": ["secret", "nonce", "timestamp"],
                },
            }
        }
    },
}


def _api(spec: str) -> Api:
    """The IR of a spec given by slug or path."""
    checked = pipeline.check(pipeline.find_specs(load_config(ROOT), [spec])[0])
    assert checked.ok, [str(d) for d in checked.diagnostics]
    return pipeline.build(checked)


def _run(script: str, cwd: Path) -> list[str]:
    """The arguments curl would get, one per line (each argument is on one line)."""
    shell = (
        'curl() { for arg in "$@"; do printf "%s\\n" "$arg"; done; }\n'
        "APP_KEY=key APP_SECRET=secret API_KEY=apikey TOKEN=token\n" + script
    )
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", shell], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_hostile_text_stays_literal(tmp_path: Path) -> None:
    spec = tmp_path / "evil.yaml"
    spec.write_text(yaml.safe_dump(HOSTILE), encoding="utf-8")
    api = _api(str(spec))
    op = api.operations[0]
    function = op.functions[0]
    curl = curl_example(api, op, function, example_args(op, function))
    args = _run(curl.text, tmp_path)
    assert not (tmp_path / "PWNED").exists()
    url = args[args.index("-X") + 2]
    assert url.startswith("https://example.test/$HOME/`id`/things/")
    assert f"X-Note: {EVIL}" in args
    # `--data-urlencode name=content` encodes the content as it is, `&` and all.
    form = [tuple(args[i + 1].split("=", 1)) for i, a in enumerate(args) if a == "--data-urlencode"]
    assert ("name", EVIL) in form and ("tags", "a b") in form and ("tags", EVIL) in form
    # A name curl would misread is sent encoded as it is, not as a file to read.
    raw = [args[i + 1] for i, a in enumerate(args) if a == "--data-raw"]
    assert raw == ["a%40b%3Dc=%40%2Fetc%2Fpasswd"]


@pytest.mark.parametrize("slug", ["rongcloud", "nexconn"])
def test_signed_headers_verify(slug: str, tmp_path: Path) -> None:
    api = _api(slug)
    op = api.operations[0]
    function = op.functions[0]
    args = _run(curl_example(api, op, function, example_args(op, function)).text, tmp_path)
    headers = dict(args[i + 1].split(": ", 1) for i, arg in enumerate(args) if arg == "-H")
    assert headers["App-Key"] == "key"
    expected = hashlib.sha1(
        ("secret" + headers["Nonce"] + headers["Timestamp"]).encode()
    ).hexdigest()
    assert headers["Signature"] == expected


def test_stream_sends_its_token_and_key(tmp_path: Path) -> None:
    api = _api("stream")
    op = next(op for op in api.operations if op.operation_id == "query_users")
    function = op.functions[0]
    args = _run(curl_example(api, op, function, example_args(op, function)).text, tmp_path)
    assert "Authorization: token" in args and "Stream-Auth-Type: jwt" in args
    assert "api_key=apikey" in args
    payload = next(a for a in args if a.startswith("payload="))
    assert isinstance(json.loads(payload.removeprefix("payload=")), dict)
