"""The generated webhook verifiers of RongCloud and Nexconn against the vendor's published signing
example.

Neither vendor ships an SDK (on PyPI or npm) that signs or verifies callbacks, so the witness here
is the vendor's own worked example of the scheme both services use for their callbacks: SHA-1 of
the app secret, the nonce and the timestamp, in lowercase hex. Every event example of each spec is
delivered as the service would deliver it (JSON or form body, signature parameters in the query)
and must be accepted and parsed into its event's model; a forged signature, a swapped nonce or
timestamp and a stale delivery must each be refused.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import import_generated, read_yaml

ROOT = Path(__file__).resolve().parents[2]

# The vendor's worked signing example: this secret, nonce and millisecond timestamp sign to this
# digest.
SECRET = "Y1W2MeFwwwRxa0"
NONCE = "14314"
TIMESTAMP = "1408710653000"
SIGNATURE = "30be0bbca9c9b2e27578701e9fda2358a814c88f"
SENT_AT = int(TIMESTAMP) / 1000

SPECS = {"rongcloud": "rongcloud_im", "nexconn": "nexconn"}


def _events(slug: str) -> list[tuple[str, str, str, Any, str | None]]:
    """(event, model name, content type, example, own path) for every webhook of a spec."""
    doc = read_yaml(ROOT / "specs" / f"{slug}.yaml")
    found = []
    for name, item in doc["webhooks"].items():
        operation = item["post"]
        ((content_type, media),) = operation["requestBody"]["content"].items()
        model = media["schema"]["$ref"].rsplit("/", 1)[1]
        path = operation.get("x-event", {}).get("path")
        found.append((name, model, content_type, media["example"], path))
    return found


CASES = [
    pytest.param(slug, *event, id=f"{slug}:{event[0]}") for slug in SPECS for event in _events(slug)
]


def _body(content_type: str, example: Any) -> bytes:
    if content_type == "application/json":
        return json.dumps(example).encode()
    return urlencode(example, doseq=True).encode()


def _query(**changes: str) -> dict[str, str]:
    query = {"appKey": "k51hidwqkvl3b", "nonce": NONCE, "timestamp": TIMESTAMP}
    query["signature"] = SIGNATURE
    query.update(changes)
    return query


def _webhooks(slug: str) -> tuple[Any, Any]:
    """The generated client's webhooks module and its models module."""
    package = f"{SPECS[slug]}_client"
    webhooks = import_generated(slug, "client", f"{package}.webhooks")
    return webhooks, import_generated(slug, "client", f"{package}.models")


@pytest.mark.parametrize(("slug", "event", "model", "content_type", "example", "path"), CASES)
def test_a_delivery_signed_as_the_vendor_signs_is_accepted_and_parsed(
    slug: str, event: str, model: str, content_type: str, example: Any, path: str | None
) -> None:
    webhooks, models = _webhooks(slug)
    body = _body(content_type, example)
    headers = {"Content-Type": content_type}
    webhooks.verify_webhook(body, headers=headers, query=_query(), secret=SECRET, now=SENT_AT + 5)
    parsed = webhooks.parse_webhook(
        body, headers=headers, query=_query(), secret=SECRET, path=path, now=SENT_AT + 5
    )
    expected = getattr(models, model)
    if isinstance(expected, type):
        assert isinstance(parsed, expected)
    else:
        # A batched delivery: the model is a type alias of a list of one change's model.
        (item,) = typing.get_args(expected.__value__)
        assert isinstance(parsed, list) and len(parsed) == len(example)
        assert all(isinstance(change, item) for change in parsed)


@pytest.mark.parametrize(("slug", "event", "model", "content_type", "example", "path"), CASES)
@pytest.mark.parametrize(
    ("tampered", "now"),
    [
        pytest.param({"signature": SIGNATURE[:-1] + "0"}, SENT_AT + 5, id="forged-signature"),
        pytest.param({"nonce": "14315"}, SENT_AT + 5, id="other-nonce"),
        pytest.param({"timestamp": "1408710653001"}, SENT_AT + 5, id="other-timestamp"),
        pytest.param({}, SENT_AT + 3600, id="stale"),
        pytest.param({}, SENT_AT - 3600, id="from-the-future"),
    ],
)
def test_a_delivery_the_vendor_did_not_sign_is_refused(
    slug: str,
    event: str,
    model: str,
    content_type: str,
    example: Any,
    path: str | None,
    tampered: dict[str, str],
    now: float,
) -> None:
    webhooks, _ = _webhooks(slug)
    body = _body(content_type, example)
    headers = {"Content-Type": content_type}
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(
            body, headers=headers, query=_query(**tampered), secret=SECRET, now=now
        )
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.parse_webhook(
            body, headers=headers, query=_query(**tampered), secret=SECRET, path=path, now=now
        )


@pytest.mark.parametrize("slug", list(SPECS))
def test_a_delivery_without_a_signature_or_with_another_secret_is_refused(slug: str) -> None:
    webhooks, _ = _webhooks(slug)
    _, _, content_type, example, _ = _events(slug)[0]
    body = _body(content_type, example)
    headers = {"Content-Type": content_type}
    unsigned = {key: value for key, value in _query().items() if key != "signature"}
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(body, headers=headers, query=unsigned, secret=SECRET, now=SENT_AT)
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_webhook(
            body, headers=headers, query=_query(), secret=SECRET + "x", now=SENT_AT
        )
