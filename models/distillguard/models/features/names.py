"""The names of every feature `AccountState.features` returns; rules are checked against it."""

from __future__ import annotations

from typing import Final

from distillguard.models.features.state import AccountState

FEATURE_NAMES: Final[tuple[str, ...]] = tuple(AccountState("_").features(0.0))
