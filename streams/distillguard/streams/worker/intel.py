"""Partner intelligence in the worker.

Watch rules match raw identifiers (keyed hashes of account, key, payment, IP prefix, template…),
which only the ingest process sees; account scoring happens in the Faust process. So the ingest
process matches each event against the watch file and sends the per-account hit counts along
with the account's slice, and the Faust process adds them up in its own
:class:`~distillguard.models.intel.match.IntelSource`, which testifies when accounts are scored.
The watch file is reloaded when it changes, so ``distillguard intel follow`` (which merges
partner bundles from ``distillguard.intel.in`` into it) feeds a running worker continuously.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from distillguard.models.codec import Event
from distillguard.models.detectors.evidence import Evidence
from distillguard.models.features import AccountSlice
from distillguard.models.intel.match import IntelSource, open_source

#: How often (seconds) the watch file's modification time is looked at.
RELOAD_CHECK_SECONDS = 5.0

Hits = dict[str, dict[str, dict[str, int]]]


class WatchFile:
    """The current :class:`IntelSource` of a watch file that may be rewritten while we run."""

    def __init__(self, path: Path, key_path: Path | None) -> None:
        self.path, self.key_path = path, key_path
        self.source = open_source(path, key_path)
        self._mtime = os.stat(path).st_mtime_ns
        self._checked = time.monotonic()
        self.reloads = 0

    def current(self) -> IntelSource:
        now = time.monotonic()
        if now - self._checked >= RELOAD_CHECK_SECONDS:
            self._checked = now
            mtime = os.stat(self.path).st_mtime_ns
            if mtime != self._mtime:
                fresh = open_source(self.path, self.key_path)
                old = self.source
                fresh.events, fresh.hits, fresh.kind_hits = old.events, old.hits, old.kind_hits
                fresh.clock, fresh.matched_accounts = old.clock, old.matched_accounts
                self.source, self._mtime = fresh, mtime
                self.reloads += 1
        return self.source


def harvest(watch: WatchFile, events: list[Event]) -> Hits:
    """Match ``events``; the per-account hit counts (ingest side). Forgets them afterwards."""
    source = watch.current()
    for event in events:
        source.observe(event)
    hits: Hits = {
        account: {"h": dict(rules), "k": dict(source.kind_hits.get(account, {}))}
        for account, rules in source.hits.items()
        if rules
    }
    source.events.clear()
    source.hits.clear()
    source.kind_hits.clear()
    return hits


class WorkerIntel:
    """The Faust-side evidence source and observer: counts from slices and from the ingest."""

    def __init__(self, watch: WatchFile) -> None:
        self.watch = watch

    def absorb(
        self, hits: Mapping[str, Any], pieces: Mapping[str, AccountSlice], now: float
    ) -> None:
        source = self.watch.current()
        for account_id, piece in pieces.items():
            source.events[account_id] += piece.events
        for account_id, counts in hits.items():
            for rule_id, n in counts["h"].items():
                source.hits[account_id][rule_id] += int(n)
            for kind, n in counts["k"].items():
                source.kind_hits[account_id][kind] += int(n)
        source.clock = max(source.clock, now)

    # EvidenceSource and SliceObserver, delegated to the current watch rules.
    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        return self.watch.current().evidence(account_id, features, now)

    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        del slices, now  # counts arrive through absorb()

    def observe_decision(
        self, account_id: str, value: Mapping[str, Any] | None, now: float
    ) -> None:
        del account_id, value, now

    def holds(self, account_id: str) -> bool:
        return self.watch.current().holds(account_id)
