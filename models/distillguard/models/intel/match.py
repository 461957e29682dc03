"""Matching local traffic against partner watch rules: an :class:`EvidenceSource` (origin intel).

``observe(event)`` runs before the engine sees each event: it computes the event's shared
identifiers with the consortium key (so account-level identifiers are compared as keyed
pseudonyms, never in clear) and counts, per account, events that hit each watch rule.
``evidence`` then testifies for accounts where watched identifiers of a kind are not
incidental: at least ``min_events`` of the account's events, and ``min_share`` of them, hit
watched values of that kind (a pseudonym of the account itself, its key or its payment
method needs only one hit). Partner signature rules
(kind ``rule``) are evaluated on the account's features.

The evidence weight is the noisy-OR of ``base_weight x confidence/100`` over matched kinds
(the most confident rule of each kind: a thousand prompt bands do not stack),
capped by ``max_weight``. The cap defaults *below* the policy's degrade threshold, so intel
alone can at most put an account on ``monitor``; it speeds up enforcement only in
combination with local evidence. ``allow_enforce`` lifts the cap to ``enforce_weight``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from distillguard.models.codec import Event
from distillguard.models.detectors.evidence import Evidence
from distillguard.models.detectors.rules import Rule
from distillguard.models.intel.identifiers import HASHED_KINDS, shared_identifiers
from distillguard.models.intel.keys import ConsortiumKey, load_key
from distillguard.models.intel.watch import MatchOptions, WatchList, WatchRule, load_watch


class IntelSource:
    """Evidence from partner intelligence; feed it every event before the engine sees it."""

    def __init__(
        self, watch: WatchList, key: ConsortiumKey, options: MatchOptions | None = None
    ) -> None:
        self.key = key
        self.options = options or watch.match
        self.index: dict[tuple[str, str], list[WatchRule]] = defaultdict(list)
        self.signatures: list[tuple[WatchRule, Rule]] = []
        self.invalid = 0
        for rule in watch.rules:
            if rule.retired or rule.confidence < self.options.min_confidence:
                continue
            if rule.kind == "rule":
                if not self.options.evaluate_rules:
                    continue
                try:
                    self.signatures.append((rule, Rule.model_validate(rule.rule)))
                except ValidationError:
                    self.invalid += 1  # names a feature this version does not compute
            else:
                self.index[(rule.kind, rule.value)].append(rule)
        self.events: dict[str, int] = defaultdict(int)
        self.hits: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.kind_hits: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.rules: dict[str, WatchRule] = {r.id: r for r in watch.rules}
        self.matched_accounts: set[str] = set()
        self.clock = 0.0

    def observe(self, event: Event) -> None:
        account = event.account_id
        self.events[account] += 1
        if not self.index:
            return
        ts = event.ts
        self.clock = max(self.clock, ts)
        seen: set[str] = set()
        kinds: set[str] = set()
        for ident in shared_identifiers(event, self.key):
            for rule in self.index.get(ident, ()):
                if rule.id not in seen and rule.live(ts):
                    seen.add(rule.id)
                    kinds.add(rule.kind)
                    self.hits[account][rule.id] += 1
        for kind in kinds:
            self.kind_hits[account][kind] += 1

    # -- the engine's observer protocol: a say in which quiet accounts are scored anyway --

    def observe_slices(self, slices: Mapping[str, Any], now: float) -> None:
        del slices, now

    def observe_decision(
        self, account_id: str, value: Mapping[str, Any] | None, now: float
    ) -> None:
        del account_id, value, now

    def holds(self, account_id: str) -> bool:
        """Score a low-volume account anyway when partner intelligence points at it."""
        return bool(self.matches(account_id, {}, self.clock))

    def watch(self, events: Iterable[Event]) -> Iterator[Event]:
        """Pass events through, observing each (wrap the engine's input with this)."""
        for event in events:
            self.observe(event)
            yield event

    def matches(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[WatchRule]:
        o = self.options
        total = self.events.get(account_id, 0)
        by_kind = self.kind_hits.get(account_id, {})
        found = []
        for rule_id in self.hits.get(account_id, {}):
            rule = self.rules[rule_id]
            if not rule.live(now):
                continue
            n = by_kind.get(rule.kind, 0)
            if rule.kind in HASHED_KINDS or (n >= o.min_events and n >= o.min_share * total):
                found.append(rule)
        found.extend(r for r, sig in self.signatures if r.live(now) and sig.fires(features))
        return found

    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        found = self.matches(account_id, features, now)
        if not found:
            return []
        self.matched_accounts.add(account_id)
        o = self.options
        strongest: dict[str, int] = {}
        for rule in found:
            strongest[rule.kind] = max(strongest.get(rule.kind, 0), rule.confidence)
        keep = 1.0
        for confidence in strongest.values():
            keep *= 1.0 - o.base_weight * confidence / 100.0
        cap = o.enforce_weight if o.allow_enforce else o.max_weight
        weight = min(cap, 1.0 - keep)
        kinds = ", ".join(sorted({r.kind for r in found}))
        partners = ", ".join(sorted({r.partner for r in found}))
        detail = f"matches {len(found)} partner indicators ({kinds}) shared by {partners}"
        return [Evidence("intel", "intel.watch_match", detail, weight, "intel", o.shadow)]


def open_source(watch_path: Path, key_path: Path | None) -> IntelSource:
    """The intel evidence source of a watch file, keyed like the partners' exports."""
    return IntelSource(load_watch(watch_path), load_key(key_path))
