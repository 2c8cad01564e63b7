"""The vendor SDKs the conformance suite runs, pinned."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Witness:
    sdk: str  # its name on PyPI
    requirements: tuple[str, ...]  # what pip installs: the SDK, then what it needs undeclared
    import_name: str
    api: str  # the spec it witnesses
    driver: str  # the script under drivers/ that makes its calls (not named like the SDK)
    floor: int  # the SDK calls the driver must make, at least
    wire_floor: int  # of them, those compared with the generated client's, at least


WITNESSES = (
    Witness(
        sdk="stream-chat",
        requirements=("stream-chat==4.33.0",),
        import_name="stream_chat",
        api="stream",
        driver="stream_chat_driver.py",
        floor=134,
        wire_floor=134,
    ),
    Witness(
        sdk="rc-server-sdk",
        # It imports jinja2 without declaring it.
        requirements=("rc-server-sdk==3.2.0", "jinja2==3.1.6"),
        import_name="rongcloud",
        api="rongcloud",
        driver="rc_server_sdk_driver.py",
        floor=82,
        wire_floor=82,
    ),
    Witness(
        sdk="ncsdk",
        requirements=("ncsdk==0.1.2",),
        import_name="ncsdk",
        api="nexconn",
        driver="ncsdk_driver.py",
        floor=95,
        wire_floor=95,
    ),
)
