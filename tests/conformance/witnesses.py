"""The vendor SDKs the conformance suite runs, each pinned to one version."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Witness:
    sdk: str  # its name in its registry
    requirements: tuple[str, ...]  # what is installed, as NAME==VERSION: the SDK, then what it
    # needs undeclared
    import_name: str
    api: str  # the spec it witnesses
    driver: str  # the script under drivers/ that makes its calls (not named like the SDK)
    floor: int  # the SDK calls the driver must make, at least
    wire_floor: int  # of them, those compared with the generated client's, at least
    registry: str = "pypi"  # "pypi" (a Python package) or "npm" (a Node package)

    @property
    def key(self) -> str:
        """The witness's name in the suite: the SDK's, marked when it comes from npm (a vendor
        may publish a package of one name in both registries)."""
        return self.sdk if self.registry == "pypi" else f"{self.sdk}-npm"

    @property
    def version(self) -> str:
        return self.requirements[0].split("==")[1]

    @property
    def language(self) -> str:
        return "Python" if self.registry == "pypi" else "Node.js"


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
    Witness(
        sdk="stream-chat",
        # The last release line that still has the calls of video providers (createCall,
        # getCallToken); the 9.x line dropped them.
        requirements=("stream-chat==8.61.0",),
        import_name="stream-chat",
        api="stream",
        driver="stream_chat_node_driver.js",
        floor=164,
        wire_floor=164,
        registry="npm",
    ),
    Witness(
        sdk="rongcloud-sdk",
        requirements=("rongcloud-sdk==3.1.1",),
        import_name="rongcloud-sdk",
        api="rongcloud",
        driver="rongcloud_sdk_node_driver.js",
        floor=79,
        wire_floor=79,
        registry="npm",
    ),
)
