"""Model releases, as the detector sees them: a model that starts being served while it
watches, and that several accounts take up.

``model.hop`` (``new_model_share_1h``) is the share of an account's last hour on a model
it first used in the last day: a harvester moving from model to model. On a release day
every customer that upgrades does the same, eval harnesses first of all, so a model the
platform itself began serving in the last day counts as no hop. A model is a release when
its first use by any account this detector scored came at least ``RELEASE_WATCH`` seconds
after the detector started watching (before that, "first seen" says only that the
detector had just started) and ``RELEASE_ADOPTERS`` accounts have used it. Nothing here
is persisted: a restarted worker starts watching again, and until an hour has passed
every model counts as it did before (a hop). A partition's accounts stand for the
platform's.

>>> debuts = ModelDebuts()
>>> debuts.observe("a", {"m-1": [0.0, 0.0]}, now=0.0)
>>> for i in range(5):
...     debuts.observe(f"u{i}", {"m-1": [0.0, 0.0], "m-2": [7200.0 + i, 7200.0 + i]}, 7300.0)
>>> sorted(debuts.releases(7300.0)), sorted(debuts.releases(7200.0 + 2 * 86400.0))
(['m-2'], [])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

#: Seconds the detector must have watched before a model it sees first is a release.
RELEASE_WATCH: Final = 3600.0
#: Accounts that must have used a model before it is a release, not one account's pick of
#: a model hardly anyone else uses.
RELEASE_ADOPTERS: Final = 5
#: A release is one for this long after its first use.
RELEASE_SECONDS: Final = 86400.0


class ModelDebuts:
    """First use of each model by any scored account, and its first adopters."""

    __slots__ = ("_adopters", "_cache", "first", "started")

    def __init__(self) -> None:
        self.started: float | None = None
        self.first: dict[str, float] = {}
        self._adopters: dict[str, set[str]] = {}
        self._cache: tuple[float, frozenset[str]] | None = None

    def observe(self, account_id: str, models: Mapping[str, Sequence[float]], now: float) -> None:
        """Take in an account's models (model -> ``[first use, last use]``) at ``now``."""
        if self.started is None:
            self.started = now
        for model, (first, _) in models.items():
            known = self.first.get(model)
            if known is None or first < known:
                self.first[model] = first
                self._cache = None
            adopters = self._adopters.setdefault(model, set())
            if len(adopters) < RELEASE_ADOPTERS and account_id not in adopters:
                adopters.add(account_id)
                self._cache = None

    def releases(self, now: float) -> frozenset[str]:
        """Models released in the last ``RELEASE_SECONDS`` as of ``now``."""
        cached = self._cache
        if cached is not None and cached[0] == now:
            return cached[1]
        out: frozenset[str] = frozenset()
        if self.started is not None:
            since = self.started + RELEASE_WATCH
            out = frozenset(
                model
                for model, first in self.first.items()
                if first >= since
                and now - first <= RELEASE_SECONDS
                and len(self._adopters[model]) >= RELEASE_ADOPTERS
            )
        self._cache = (now, out)
        return out
