"""A way a vendor's SDK is known to differ from the spec or from our client, with its evidence.
The drivers declare them (`_witness.quirk`); a difference the suite finds must be one of them,
and each of them must still be found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quirk:
    sdk: str
    calls: tuple[str, ...]  # the SDK calls it shows in; () for every call
    where: str  # the start of the differences it explains: "body.content", "status", ...
    what: str  # what the SDK does, in our words
    evidence: str  # where in the SDK's source it shows

    def explains(self, sdk: str, call: str, difference: str) -> bool:
        return (
            sdk == self.sdk
            and (not self.calls or call in self.calls)
            and (
                difference == self.where
                or difference.startswith((self.where + ".", self.where + "[", self.where + ":"))
            )
        )
