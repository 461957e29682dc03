"""From a lab's own events and decisions to what it knows about the campaigns it enforced.

An identifier becomes intelligence only when the lab's own decisions back it: it must be
seen on accounts the lab enforced (``degrade`` or stronger, ``mode: enforce``) and hardly
anywhere else. ``specificity`` is the share of the identifier's events that came from
enforced accounts; ``accounts`` the number of distinct enforced accounts behind it. A
template shared by an attack fleet and a thousand honest customers has low specificity and
is not exported, however often the fleet used it.

>>> from distillguard.models.codec import event_record
>>> from distillguard.models.intel.keys import ConsortiumKey
>>> def event(account, ts, ip):
...     return event_record({"event_id": "e", "ts": ts, "account_id": account,
...         "api_key_id": "k", "ip": ip, "endpoint": "/v1/messages", "model": "m",
...         "status": 200, "prompt_tokens": 1, "completion_tokens": 1})
>>> h = Harvest(ConsortiumKey(b"x" * 16))
>>> h.add_decision({"key": "account:a", "ts": 5.0, "value": {"subject": {"scope": "account",
...     "value": "a"}, "action": "throttle", "mode": "enforce", "risk": 0.8, "reasons": [],
...     "cluster_id": None}})
>>> h.add_event(event("a", 1.0, "198.51.100.7"))
>>> h.add_event(event("b", 2.0, "198.51.100.9"))
>>> h.stats[("ip_prefix", "198.51.100.0/24")].specificity
0.5
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from distillguard.models.codec import Event
from distillguard.models.config import ACTIONS
from distillguard.models.intel.identifiers import shared_identifiers
from distillguard.models.intel.keys import ConsortiumKey

ENFORCING: Final = frozenset(ACTIONS[ACTIONS.index("degrade") :])


@dataclass(slots=True)
class Enforced:
    """One account the lab enforced, as far as the decisions tell."""

    first_enforced: float
    risk: float
    worst_action: str
    reasons: set[str] = field(default_factory=set)
    cluster_id: str | None = None


@dataclass(slots=True)
class IdentifierStats:
    """How one shared identifier was seen: on enforced accounts and on the others."""

    enforced_accounts: set[str] = field(default_factory=set)
    enforced_events: int = 0
    other_events: int = 0
    first_seen: float = float("inf")
    last_seen: float = float("-inf")

    @property
    def specificity(self) -> float:
        total = self.enforced_events + self.other_events
        return self.enforced_events / total if total else 0.0


class Harvest:
    """Accumulates decisions first, then events (decisions name who was enforced)."""

    def __init__(self, key: ConsortiumKey) -> None:
        self.key = key
        self.enforced: dict[str, Enforced] = {}
        self.stats: dict[tuple[str, str], IdentifierStats] = {}
        self.events = 0
        self.first_ts = float("inf")
        self.last_ts = float("-inf")

    def add_decision(self, record: Mapping[str, Any]) -> None:
        value = record.get("value")
        if not isinstance(value, Mapping):
            return
        subject = value.get("subject")
        if not isinstance(subject, Mapping) or subject.get("scope") != "account":
            return
        action = value.get("action")
        if value.get("mode") != "enforce" or action not in ENFORCING:
            return
        account = str(subject.get("value"))
        ts = float(value.get("issued_at", record.get("ts", 0.0)))
        risk = float(value.get("risk", 0.0))
        reasons = {
            str(r["code"])
            for r in value.get("reasons") or ()
            if isinstance(r, Mapping) and "code" in r and not str(r["code"]).startswith("shadow.")
        }
        cluster = value.get("cluster_id")
        held = self.enforced.get(account)
        if held is None:
            self.enforced[account] = Enforced(ts, risk, str(action), reasons, cluster)
            return
        held.first_enforced = min(held.first_enforced, ts)
        held.risk = max(held.risk, risk)
        if ACTIONS.index(str(action)) > ACTIONS.index(held.worst_action):
            held.worst_action = str(action)
        held.reasons |= reasons
        held.cluster_id = held.cluster_id or cluster

    def add_decisions(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            self.add_decision(record)

    def add_event(self, event: Event) -> None:
        account = event.account_id
        ts = event.ts
        self.events += 1
        self.first_ts = min(self.first_ts, ts)
        self.last_ts = max(self.last_ts, ts)
        enforced = account in self.enforced
        for ident in set(shared_identifiers(event, self.key)):
            stats = self.stats.get(ident)
            if stats is None:
                stats = self.stats[ident] = IdentifierStats()
            if enforced:
                stats.enforced_accounts.add(account)
                stats.enforced_events += 1
                stats.first_seen = min(stats.first_seen, ts)
                stats.last_seen = max(stats.last_seen, ts)
            else:
                stats.other_events += 1

    def add_events(self, events: Iterable[Event]) -> None:
        for event in events:
            self.add_event(event)
