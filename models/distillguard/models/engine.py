"""The event-time detection loop: the same code the worker runs, driven here in one process.

``observe`` buffers decoded events; ``tick(now)`` folds them into slices
(:func:`~distillguard.models.features.fold_events`), merges the slices into each account's
state, scores *only the accounts active since the last tick* (per account per tick, never
per event) and the quiet ones an observer asks for (:class:`DueSource`), fuses the evidence
and lets the policy decide; it also lifts expired decisions of quiet accounts. No wall
clock: ``now`` is always event time.

>>> from distillguard.models.codec import event_record
>>> engine = Engine(DetectionConfig())
>>> engine.observe(event_record({"event_id": "e", "ts": 100.0, "account_id": "a",
...     "api_key_id": "k", "ip": "198.51.100.7", "endpoint": "/v1/messages", "model": "m",
...     "status": 200, "prompt_tokens": 10, "completion_tokens": 30}))
>>> engine.tick(120.0)
[]
>>> engine.states["a"].events_total
1
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Protocol, runtime_checkable

from distillguard.models.codec import Event
from distillguard.models.config import DetectionConfig
from distillguard.models.detectors.anomaly import AnomalyDetector
from distillguard.models.detectors.evidence import (
    Assessment,
    Evidence,
    EvidenceSource,
    fuse,
    shadow_risk,
)
from distillguard.models.detectors.rules import RuleSet
from distillguard.models.detectors.supervised import LabelModel
from distillguard.models.features import AccountSlice, AccountState, fold_events
from distillguard.models.features.releases import ModelDebuts
from distillguard.models.policy import DecisionRecord, Policy, PolicyState

#: An enforced account's rescoring interval doubles at most this often (the interval is
#: capped by ``rescore_held_max_seconds`` long before; this only bounds the arithmetic).
MAX_DOUBLINGS: Final = 16
#: Event time after a watched account's first request at which :meth:`Engine.run` ticks
#: early (:class:`JoinWatch`): the live worker scores every few seconds anyway, while the
#: next regular tick may be up to ``tick_seconds`` away.
WATCH_DELAY: Final = 5.0
#: Event time without any event after which :meth:`Engine.run` stops ticking through a gap
#: and goes on to the tick before the next event: decisions due to expire in the gap are
#: lifted there, and a file that spans months (or one event from a clock years ahead) is
#: not ticked through every ``tick_seconds`` of it.
IDLE_SKIP_SECONDS: Final = 86400.0


class SliceObserver(Protocol):
    """Cross-account state (cluster linking) fed by the engine: each tick's slices, each
    decision, and a say in which low-volume accounts are scored anyway."""

    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None: ...

    def observe_decision(
        self, account_id: str, value: Mapping[str, Any] | None, now: float
    ) -> None: ...

    def holds(self, account_id: str) -> bool: ...


@runtime_checkable
class DueSource(Protocol):
    """An observer that may ask for quiet accounts to be scored this tick (members of a
    cluster whose risk just rose), so a slow fleet member is judged before its next request."""

    def due(self, now: float) -> Iterable[str]: ...


@runtime_checkable
class JoinWatch(Protocol):
    """An observer that wants some new accounts judged within seconds of their first
    request, not at the next regular tick (one paying with the card of a cluster member
    that was just stopped: a replacement, whose whole life may be shorter than a tick)."""

    def watches(self, event: Event) -> bool: ...


@runtime_checkable
class FeatureSource(Protocol):
    """An observer that knows more of an account than its own traffic shows: features it
    returns replace the account's own where they are larger (``identity_age_days`` of a
    new seat in an established organisation: the organisation's age, not the seat's)."""

    def account_features(self, account_id: str, now: float) -> Mapping[str, float]: ...


class Engine:
    """Detection in event time over a stream of decoded events."""

    def __init__(
        self,
        config: DetectionConfig,
        sources: Iterable[EvidenceSource] = (),
        observers: Iterable[SliceObserver] = (),
    ) -> None:
        self.config = config
        self.rules = RuleSet(config.signature_rules())
        self.policy = Policy(config)
        a = config.anomaly
        self.anomaly = (
            AnomalyDetector(
                n_trees=a.n_trees,
                height=a.height,
                window_size=a.window_size,
                seed=a.seed,
                quantile=a.quantile,
                warmup=a.warmup,
                weight=a.weight,
                shadow=a.shadow,
            )
            if a.enabled
            else None
        )
        s = config.supervised
        self.labels = (
            LabelModel(
                min_labels_per_class=s.min_labels_per_class,
                probability=s.probability,
                weight=s.weight,
                shadow=s.shadow,
            )
            if s.enabled
            else None
        )
        self.sources: list[EvidenceSource] = [self.rules, *sources]
        if self.labels is not None:
            self.sources.append(self.labels)
        self.observers = list(observers)
        self._due_sources = [o for o in self.observers if isinstance(o, DueSource)]
        self._feature_sources = [o for o in self.observers if isinstance(o, FeatureSource)]
        self.states: dict[str, AccountState] = {}
        self.policies: dict[str, PolicyState] = {}
        self.assessments: dict[str, Assessment] = {}
        self._pending: list[Event] = []
        self._expiry: list[tuple[float, str]] = []
        self.clock = 0.0
        self.next_tick: float | None = None
        self.scored = 0
        self._anomaly_at: dict[str, float] = {}
        self._scored_at: dict[str, tuple[float, int]] = {}
        #: enforced account -> its rescorings in a row that changed nothing (``_due``)
        self._unchanged: dict[str, int] = {}
        self._anomaly_evidence: dict[str, list[Evidence]] = {}
        #: models the platform began serving while this engine watched (``model.hop``)
        self.debuts = ModelDebuts()

    def observe(self, event: Event) -> None:
        """Buffer one decoded event until the next tick."""
        self._pending.append(event)
        ts = event.ts
        if ts > self.clock:
            self.clock = ts

    def run(self, events: Iterable[Event]) -> Iterator[DecisionRecord]:
        """Observe events in arrival order, ticking every ``tick_seconds`` of event time;
        an account a :class:`JoinWatch` observer watches for is judged alone
        ``WATCH_DELAY`` after its first request (:meth:`tick_early`)."""
        step = self.config.tick_seconds
        # what ``observe`` does, on local names: this loop runs once per event
        pending, clock, next_tick = self._pending, self.clock, self.next_tick
        watches = [o.watches for o in self.observers if isinstance(o, JoinWatch)]
        states = self.states
        checked: set[str] = set()  # accounts without state looked at since the last tick
        watched: set[str] = set()  # ... and those a watch asked to judge early
        early = math.inf
        for event in events:
            ts = event.ts
            if next_tick is None:
                next_tick = self.next_tick = (ts // step + 1) * step
            if ts >= early or ts >= next_tick:
                self.clock = clock
                if early < next_tick:
                    yield from self.tick_early(early, watched)
                    watched = set()
                    early = math.inf
                if ts >= next_tick:
                    checked.clear()
                    watched.clear()
                    early = math.inf
                    idle = 0
                    while ts >= next_tick:
                        idle = 0 if self._pending else idle + 1
                        yield from self.tick(next_tick)
                        next_tick = self.next_tick = next_tick + step
                        if idle * step >= IDLE_SKIP_SECONDS and ts - next_tick >= step:
                            # a day without traffic: on to the tick before the next event
                            next_tick += (ts - next_tick) // step * step
                            self.next_tick = next_tick
                pending = self._pending
            if watches:
                account_id = event.account_id
                if account_id not in states and account_id not in checked:
                    checked.add(account_id)
                    if any(watch(event) for watch in watches):
                        watched.add(account_id)
                        # from the latest time seen: a late event must not judge in the past
                        early = min(early, max(ts, clock) + WATCH_DELAY)
            pending.append(event)
            if ts > clock:
                clock = ts
        self.clock = clock
        if self.next_tick is not None and self._pending:
            yield from self.tick(max(self.next_tick, self.clock))

    def tick(self, now: float) -> list[DecisionRecord]:
        """Merge buffered events, score active accounts, decide; return records to publish."""
        pending, self._pending = self._pending, []
        slices = fold_events(pending)
        records = self._judge(slices, now)
        for source in self._due_sources:
            for account_id in source.due(now):
                if account_id in slices or account_id not in self.states:
                    continue
                record = self.score(account_id, now)
                if record is not None:
                    records.append(record)
        records.extend(self._expire(now))
        return records

    def tick_early(self, now: float, accounts: set[str]) -> list[DecisionRecord]:
        """Judge only ``accounts`` at ``now``, ahead of the next tick: their buffered events
        are merged now, everyone else's wait for the tick."""
        pending = self._pending
        mine = [e for e in pending if e.account_id in accounts]
        if not mine:
            return []
        self._pending = [e for e in pending if e.account_id not in accounts]
        return self._judge(fold_events(mine), now)

    def _judge(self, slices: Mapping[str, AccountSlice], now: float) -> list[DecisionRecord]:
        """Show the observers a tick's slices, merge them into the accounts' state and
        score those accounts."""
        for observer in self.observers:
            observer.observe_slices(slices, now)
        records: list[DecisionRecord] = []
        late = self.config.late_seconds
        for account_id in sorted(slices):
            state = self.states.get(account_id)
            if state is None:
                state = self.states[account_id] = AccountState(account_id)
            state.merge(slices[account_id], late_seconds=late)
            record = self.score(account_id, now)
            if record is not None:
                records.append(record)
        return records

    def score(self, account_id: str, now: float) -> DecisionRecord | None:
        """Assess one account at ``now`` and apply the policy."""
        state = self.states[account_id]
        recent = state.requests_within_hour(now)
        pstate = self.policies.get(account_id)
        enforced = pstate is not None and pstate.above_monitor
        if enforced and recent >= self.config.min_requests_1h:
            held = False  # the cluster's hold changes nothing for an account enforced against
        else:
            held = any(o.holds(account_id) for o in self.observers)
        if recent < self.config.min_requests_1h and not held:
            return None
        if not self._due(account_id, pstate, state.events_total, recent, now, held):
            return None
        self._scored_at[account_id] = (now, state.events_total)
        self.debuts.observe(account_id, state.models, now)
        features = self.features_of(state, now)
        for known in self._feature_sources:
            for name, value in known.account_features(account_id, now).items():
                if value > features.get(name, -math.inf):
                    features[name] = value
        self.scored += 1
        evidence: list[Evidence] = []
        for source in self.sources:
            evidence.extend(source.evidence(account_id, features, now))
        if self.anomaly is not None:
            evidence.extend(self._anomaly(account_id, evidence, features, now))
        assessment = fuse(evidence, features)
        self.assessments[account_id] = assessment
        if pstate is None:
            pstate = self.policies[account_id] = PolicyState()
        record = self.policy.decide(account_id, pstate, assessment, now, state.org_id)
        if enforced and record is None:
            self._unchanged[account_id] = self._unchanged.get(account_id, 0) + 1
        else:
            self._unchanged.pop(account_id, None)
        if record is not None:
            for observer in self.observers:
                observer.observe_decision(account_id, record.value, now)
        if record is not None and record.value is not None:
            heapq.heappush(self._expiry, (pstate.expires_at, account_id))
        return record

    def rescore_enforced(self) -> None:
        """Score every account with a live decision again at its next tick (the policy
        changed under it: an allowlist entry that covers it, other thresholds)."""
        for account_id, pstate in self.policies.items():
            if pstate.action is not None:
                self._scored_at.pop(account_id, None)
                self._unchanged.pop(account_id, None)

    def _due(
        self,
        account_id: str,
        pstate: PolicyState | None,
        events_total: int,
        recent: float,
        now: float,
        held: bool,
    ) -> bool:
        """Whether an active account is worth scoring again this tick.

        An account is scored again once enough new traffic arrived (``rescore_new_share``
        of its last hour) or ``rescore_max_seconds`` passed: its features barely move in
        between. A suspect (held at ``monitor``, or held by cross-account evidence) is
        scored every tick: it may need to be enforced now. One already enforced is
        rescored ``rescore_held_seconds`` after its decision changed (escalation), then
        twice as long after each rescoring that changed nothing, up to
        ``rescore_held_max_seconds``, and at the latest when it may step down (the end of
        ``min_dwell_seconds`` at its action): an enforced attacker keeps sending, and
        re-judging it every two minutes was most of the scoring work.
        """
        last = self._scored_at.get(account_id)
        if last is None:
            return True
        at, seen = last
        if pstate is not None and pstate.above_monitor:
            c = self.config
            doublings = min(self._unchanged.get(account_id, 0), MAX_DOUBLINGS)
            step = c.rescore_held_seconds * 2.0**doublings
            due = at + min(step, max(c.rescore_held_seconds, c.rescore_held_max_seconds))
            dwell_end = pstate.entered_at + c.policy.min_dwell_seconds
            return now >= (dwell_end if at < dwell_end < due else due)
        if held or (pstate is not None and pstate.action is not None):
            return True
        if now - at >= self.config.rescore_max_seconds:
            return True
        return events_total - seen >= max(2.0, self.config.rescore_new_share * recent)

    def _anomaly(
        self, account_id: str, evidence: list[Evidence], features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        """Score the account's vector (at most every ``anomaly.every_seconds``), learning
        only from accounts no other evidence holds suspect."""
        assert self.anomaly is not None
        last = self._anomaly_at.get(account_id)
        if last is not None and now - last < self.config.anomaly.every_seconds:
            return self._anomaly_evidence.get(account_id, [])
        self._anomaly_at[account_id] = now
        suspect = shadow_risk(evidence) >= self.config.policy.thresholds.monitor
        score = self.anomaly.observe(features, suspect=suspect)
        found = self.anomaly.evidence_for(score)
        if found:
            self._anomaly_evidence[account_id] = found
        else:
            self._anomaly_evidence.pop(account_id, None)
        return found

    def _expire(self, now: float) -> list[DecisionRecord]:
        out: list[DecisionRecord] = []
        while self._expiry and self._expiry[0][0] <= now:
            expires_at, account_id = heapq.heappop(self._expiry)
            pstate = self.policies[account_id]
            if pstate.action is None or pstate.expires_at != expires_at:
                continue  # lifted or renewed since
            record = self.policy.expire(account_id, pstate, now)
            if record is not None:
                out.append(record)
        return out

    def learn_label(self, account_id: str, is_abuse: bool, now: float) -> None:
        """Feed an analyst verdict on an account to the supervised model."""
        if self.labels is not None and account_id in self.states:
            self.labels.learn_label(self.features(account_id, now), is_abuse)

    def features(self, account_id: str, now: float) -> Mapping[str, float]:
        return self.features_of(self.states[account_id], now)

    def features_of(self, state: AccountState, now: float) -> dict[str, float]:
        """``state``'s feature vector at ``now``, knowing the models released while this
        engine watched (``model.hop``): for every caller, whether or not the engine holds
        the state (the worker lends it from its table)."""
        return state.features(now, self.debuts.releases(now))
