"""The vendors' official SDKs as witnesses of the specs.

Each SDK is installed from its registry into a folder of its own under `.sdk-venvs/` (a virtual
environment for a PyPI package, an npm project for a Node package), and a driver (`drivers/`)
makes every call of it that maps to an operation of our spec against the generated server in
mock mode, behind a recording layer (`recorder.py`). The suite checks that:

- the generated server accepts every request the SDK sends (it validates them against the spec);
- the SDK takes every mock answer (`ncsdk` validates answers strictly);
- the same call made through chatforge's generated client sends the same request: method, path,
  query, encoding, field names and values, credentials (`wire.py`);
- every difference is a known quirk of the SDK with its evidence (`quirks.py`), and every known
  quirk still shows;

and writes what it found to `docs/conformance.md`, which must match the committed file
(`CHATFORGE_UPDATE_REPORT=1` rewrites it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from chatforge.ir.model import Api
from tests.conformance.quirks import Quirk
from tests.conformance.recorder import Call, Recorder
from tests.conformance.report import report
from tests.conformance.wire import differences, wire
from tests.conformance.witnesses import WITNESSES, Witness
from tests.conftest import ROOT, LiveServer
from tests.functional.harness import credentials, load_generated, project_apis

ENVIRONMENTS = ROOT / ".sdk-venvs"
DRIVERS = Path(__file__).with_name("drivers")
REPORT = ROOT / "docs" / "conformance.md"
APIS = {api.slug: api for api in project_apis()}
KEY, SECRET = "conformance-key", "conformance-secret"
# A PNG of one pixel, for the upload calls.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _making(name: str) -> FileLock:
    """The lock held while the folder of one SDK is checked and made, so that test processes
    running side by side (pytest-xdist's workers, or two sessions) make it once, one at a time.
    It lives in the temporary folder, named after the place of the folder it guards."""
    place = hashlib.sha256(str((ENVIRONMENTS / name).resolve()).encode()).hexdigest()[:16]
    return FileLock(Path(tempfile.gettempdir()) / f"chatforge-sdk-{place}.lock")


def sdk_python(name: str, requirements: tuple[str, ...]) -> Path:
    """A virtual environment holding one vendor SDK, made once and reused."""
    with _making(name):
        return _sdk_python(name, requirements)


def _sdk_python(name: str, requirements: tuple[str, ...]) -> Path:
    folder = ENVIRONMENTS / name
    python = folder / "bin" / "python"
    marker = folder / "installed.txt"
    wanted = " ".join(requirements)
    if not (marker.is_file() and marker.read_text() == wanted):
        venv.EnvBuilder(with_pip=True, clear=True).create(folder)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                *requirements,
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        marker.write_text(wanted)
    return python


def sdk_node(name: str, requirements: tuple[str, ...]) -> Path:
    """An npm project holding one vendor package, made once and reused: its node_modules."""
    with _making(name):
        return _sdk_node(name, requirements)


def _sdk_node(name: str, requirements: tuple[str, ...]) -> Path:
    folder = ENVIRONMENTS / name
    marker = folder / "installed.txt"
    wanted = " ".join(requirements)
    if not (marker.is_file() and marker.read_text() == wanted):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "package.json").write_text('{"private": true}\n')
        npm = shutil.which("npm")
        assert npm is not None, "the npm witnesses need Node.js and npm"
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--save-exact",
                *(r.replace("==", "@") for r in requirements),
            ],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=600,
        )
        marker.write_text(wanted)
    return folder / "node_modules"


@dataclass(repr=False)
class Outcome:
    """What one SDK's run found."""

    witness: Witness
    api: Api
    inventory: list[str]
    parsed: dict[str, str | None]  # SDK call -> what was wrong with the answer, or None
    skipped: dict[str, str]  # SDK call -> why it is not made
    declared: list[Quirk]  # the quirks the driver declares
    sdk_calls: list[Call]
    ours: dict[str, Call]  # SDK call -> the same call through our client
    problems: dict[str, list[str]] = field(default_factory=dict)  # SDK call -> differences
    quirks: dict[Quirk, list[str]] = field(default_factory=dict)  # quirk -> calls it showed in


def _server(api: Api) -> Recorder:
    server = load_generated(api).server
    security = server.security
    if hasattr(security, "signature_check"):
        check = security.signature_check({KEY: SECRET})
    elif hasattr(security, "jwt_check"):
        # As at an app that lets guests in: anonymous requests pass the check, and the wire
        # comparison still tells them from the generated client's signed ones.
        check = security.jwt_check(KEY, SECRET, allow_anonymous=True)
    else:
        check = security.bearer_check(lambda token: token == SECRET)
    return Recorder(server.create_app(mock=True, auth=check))


def _drive(witness: Witness, url: str, image: Path) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "CONFORMANCE_URL": url,
        "CONFORMANCE_KEY": KEY,
        "CONFORMANCE_SECRET": SECRET,
        "CONFORMANCE_FILE": str(image),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if witness.registry == "npm":
        env["NODE_PATH"] = str(sdk_node(witness.key, witness.requirements))
        node = shutil.which("node")
        assert node is not None, "the npm witnesses need Node.js"
        command = [node, str(DRIVERS / witness.driver)]
    else:
        python = sdk_python(witness.key, witness.requirements)
        command = [str(python), str(DRIVERS / witness.driver)]
    result = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def _arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    def value(given: Any) -> Any:
        if isinstance(given, dict) and set(given) == {"$file"}:
            return Path(given["$file"])
        return given

    return {name: value(given) for name, given in kwargs.items()}


def _call_ours(client: Any, refused: type[Exception], recorder: Recorder, call: Call) -> Call:
    """Makes `call` through the generated `client` and gives what it sent (`refused`, the
    client's error for an error answer, is checked on the SDK's side)."""
    assert call.ours is not None
    recorder.mark("ours", call.name, call.ours)
    resource, method = call.ours["call"].split(".")
    try:
        getattr(getattr(client, resource), method)(**_arguments(call.ours["kwargs"]))
    except refused:
        pass
    return recorder.calls[-1]


def _compare(outcome: Outcome) -> None:
    sdk = outcome.witness.key
    for call in outcome.sdk_calls:
        found: list[str] = []
        for request in call.requests:
            if not 200 <= request.status < 300:
                found.append(
                    f"status: {request.status} {request.answer[:300].decode(errors='replace')}"
                )
        ours = outcome.ours.get(call.name)
        if ours is not None:
            if len(ours.requests) != len(call.requests):
                found.append(f"requests: SDK {len(call.requests)} / ours {len(ours.requests)}")
            for theirs, mine in zip(call.requests, ours.requests, strict=False):
                found += differences(wire(theirs, SECRET), wire(mine, SECRET))
        if not call.requests:
            found.append("requests: the SDK sent none")
        unexplained = []
        for difference in found:
            quirk = next(
                (q for q in outcome.declared if q.explains(sdk, call.name, difference)), None
            )
            if quirk is None:
                unexplained.append(difference)
            else:
                outcome.quirks.setdefault(quirk, []).append(call.name)
        if unexplained:
            outcome.problems[call.name] = unexplained


def _run(witness: Witness, image: Path) -> Outcome:
    api = APIS[witness.api]
    recorder = _server(api)
    with LiveServer(recorder) as live:
        lines = _drive(witness, live.url, image)
        sdk_calls = [c for c in recorder.calls if c.side == "sdk"]
        generated = load_generated(api).client
        given = {name: KEY if "key" in name else SECRET for name in credentials(api)}
        with generated.Client(base_url=live.url, max_retries=0, **given) as client:
            ours = {
                c.name: _call_ours(client, generated.APIStatusError, recorder, c)
                for c in sdk_calls
                if c.ours
            }
    [inventory] = [line["inventory"] for line in lines if "inventory" in line]
    outcome = Outcome(
        witness=witness,
        api=api,
        inventory=inventory,
        parsed={line["call"]: line["problem"] for line in lines if "parsed" in line},
        skipped={line["call"]: line["skipped"] for line in lines if "skipped" in line},
        declared=[
            Quirk(witness.key, tuple(q["calls"]), q["where"], q["what"], q["evidence"])
            for q in (line["quirk"] for line in lines if "quirk" in line)
        ],
        sdk_calls=sdk_calls,
        ours=ours,
    )
    _compare(outcome)
    return outcome


class Outcomes:
    """Each SDK's outcome, found when first asked for (so `-k ncsdk` runs that SDK alone)."""

    def __init__(self, image: Path) -> None:
        self.image = image
        self.found: dict[str, Outcome] = {}

    def __getitem__(self, sdk: str) -> Outcome:
        if sdk not in self.found:
            witness = next(w for w in WITNESSES if w.key == sdk)
            self.found[sdk] = _run(witness, self.image)
        return self.found[sdk]

    def all(self) -> list[Outcome]:
        return [self[w.key] for w in WITNESSES if w.api in APIS]


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Outcomes:
    image = tmp_path_factory.mktemp("conformance") / "pixel.png"
    image.write_bytes(PNG)
    return Outcomes(image)


def _ids() -> list[str]:
    return [w.key for w in WITNESSES]


@pytest.mark.parametrize("sdk", _ids())
def test_every_sdk_call_is_made_or_skipped_with_a_reason(outcomes: Outcomes, sdk: str) -> None:
    outcome = outcomes[sdk]
    made = {call.name for call in outcome.sdk_calls}
    assert len(made) == len(outcome.sdk_calls), "an SDK call is made twice"
    assert made.isdisjoint(outcome.skipped)
    assert set(outcome.inventory) == made | set(outcome.skipped)
    assert all(why.strip() for why in outcome.skipped.values())
    floor = outcome.witness.floor
    assert len(made) >= floor, f"{len(made)} calls made, at least {floor} expected"


@pytest.mark.parametrize("sdk", _ids())
def test_the_sdk_takes_every_answer(outcomes: Outcomes, sdk: str) -> None:
    outcome = outcomes[sdk]
    assert set(outcome.parsed) == {call.name for call in outcome.sdk_calls}
    refused = {call: problem for call, problem in outcome.parsed.items() if problem is not None}
    assert not refused, json.dumps(refused, indent=1)


@pytest.mark.parametrize("sdk", _ids())
def test_requests_are_accepted_and_match_ours(outcomes: Outcomes, sdk: str) -> None:
    """The server accepts every request, and our client sends the same one, but for the
    known quirks."""
    outcome = outcomes[sdk]
    assert not outcome.problems, json.dumps(outcome.problems, indent=1)
    compared, floor = len(outcome.ours), outcome.witness.wire_floor
    assert compared >= floor, f"{compared} calls compared, at least {floor} expected"


@pytest.mark.parametrize("sdk", _ids())
def test_every_known_quirk_still_shows(outcomes: Outcomes, sdk: str) -> None:
    outcome = outcomes[sdk]
    stale = [quirk for quirk in outcome.declared if quirk not in outcome.quirks]
    assert not stale, stale
    assert all(quirk.what.strip() and quirk.evidence.strip() for quirk in outcome.declared)


def test_the_report_is_current(outcomes: Outcomes) -> None:
    text = report(outcomes.all())
    if os.environ.get("CHATFORGE_UPDATE_REPORT") == "1":
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(text, encoding="utf-8")
    assert REPORT.is_file(), "no docs/conformance.md: run with CHATFORGE_UPDATE_REPORT=1"
    assert REPORT.read_text(encoding="utf-8") == text, (
        "docs/conformance.md is out of date: run the suite with CHATFORGE_UPDATE_REPORT=1"
    )
