"""TLP 2.0 markings and the operator's sharing policy: which kinds may leave at which level.

A bundle is exported *at* one TLP level (``--tlp``). Each indicator kind has a minimum
level: account-level pseudonyms and IP prefixes are ``amber`` by default (shared with
partners' security teams only), templates and tooling fingerprints ``green``, signature
rules and the blocking strategy ``clear``. A kind is included when the bundle's level is at
least as restrictive as the kind's minimum; everything in the bundle carries the bundle's
marking.

>>> SharingPolicy().allows("account", "green"), SharingPolicy().allows("account", "amber")
(False, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import stix2
from pydantic import BaseModel, ConfigDict, Field

Tlp = Literal["clear", "green", "amber", "amber+strict", "red"]
LEVELS: Final[tuple[str, ...]] = ("clear", "green", "amber", "amber+strict", "red")
#: OASIS TLP 2.0 marking definitions (fixed ids, shared by every STIX producer).
TLP_EXTENSION: Final = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
MARKING_IDS: Final = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
#: Also accepted on import: the STIX 2.1 TLP 1.0 markings that ``stix2`` predefines.
LEGACY_MARKING_IDS: Final = {
    stix2.TLP_WHITE.id: "clear",
    stix2.TLP_GREEN.id: "green",
    stix2.TLP_AMBER.id: "amber",
    stix2.TLP_RED.id: "red",
}
MARKING_LEVEL: Final = {v: k for k, v in MARKING_IDS.items()} | LEGACY_MARKING_IDS


def rank(level: str) -> int:
    return LEVELS.index(level)


def marking(level: str) -> stix2.v21.MarkingDefinition:
    """The TLP 2.0 marking definition object of ``level``."""
    return stix2.v21.MarkingDefinition(
        id=MARKING_IDS[level],
        created="2022-10-01T00:00:00.000Z",
        name=f"TLP:{level.upper()}",
        extensions={TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    )


_DEFAULT_MINIMUM: Final[dict[str, Tlp]] = {
    "template": "green",
    "lsh_band": "green",
    "ip_prefix": "amber",
    "asn": "green",
    "user_agent": "green",
    "ja4": "green",
    "account": "amber",
    "api_key": "amber",
    "org": "amber",
    "payment": "amber",
    "rule": "clear",
    "strategy": "clear",
}


class SharingPolicy(BaseModel):
    """Minimum TLP level per indicator kind (``rule`` and ``strategy`` included)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    minimum: Mapping[str, Tlp] = Field(default_factory=lambda: dict(_DEFAULT_MINIMUM))

    def allows(self, kind: str, level: str) -> bool:
        """May ``kind`` appear in a bundle marked ``level``? Unknown kinds: only at red."""
        return rank(level) >= rank(self.minimum.get(kind, "red"))

    @classmethod
    def parse(cls, data: Any) -> SharingPolicy:
        return cls.model_validate({"minimum": data} if data is not None else {})
