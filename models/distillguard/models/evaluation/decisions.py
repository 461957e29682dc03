"""Decisions as time intervals per key, the way a compacted topic replays them.

Each record on a key takes effect at its ``issued_at`` (a tombstone at its ``ts``) and
ends the record before it; a decision also ends at its ``expires_at``. So every key has a
sorted list of non-overlapping intervals and "which decision holds for this key at time t"
is one binary search.

>>> timeline = KeyTimeline()
>>> timeline.add(Interval(10.0, 20.0, 3, "enforce", 0.9, "rule", "d1"))
>>> timeline.at(15.0).decision_id, timeline.at(20.0)
('d1', None)
"""

from __future__ import annotations

import bisect
import ipaddress
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from distillguard.models import schemas
from distillguard.models.codec import validate_decision
from distillguard.models.errors import DecodeError, UsageError
from distillguard.models.evaluation.inputs import open_lines, parse_object
from distillguard.models.evaluation.prefixes import PrefixTable

#: The action ladder, weakest first, as the decision contract lists it.
ACTIONS: Final[tuple[str, ...]] = tuple(
    schemas.load(schemas.DECISION_V1)["properties"]["action"]["enum"]
)
RANK: Final = {action: rank for rank, action in enumerate(ACTIONS)}
#: Actions from here up change what a gateway serves; ``monitor`` only records.
ENFORCING_RANK: Final = RANK["degrade"]
SCOPES: Final[tuple[str, ...]] = tuple(
    schemas.load(schemas.DECISION_V1)["properties"]["subject"]["properties"]["scope"]["enum"]
)


@dataclass(frozen=True, slots=True)
class Interval:
    """One decision while it holds: ``[start, end)`` in event time."""

    start: float
    end: float
    rank: int
    mode: str
    risk: float
    origin: str
    decision_id: str

    @property
    def action(self) -> str:
        return ACTIONS[self.rank]


@dataclass(slots=True)
class KeyTimeline:
    """The enforcing-action intervals of one key, sorted and non-overlapping."""

    starts: list[float] = field(default_factory=list)
    intervals: list[Interval] = field(default_factory=list)

    def add(self, interval: Interval) -> None:
        self.starts.append(interval.start)
        self.intervals.append(interval)

    def at(self, ts: float) -> Interval | None:
        """The interval holding at ``ts``, if any."""
        index = bisect.bisect_right(self.starts, ts) - 1
        if index >= 0:
            interval = self.intervals[index]
            if ts < interval.end:
                return interval
        return None


@dataclass(slots=True)
class DecisionCounts:
    """What the decision file holds, before any interpretation."""

    records: int = 0
    tombstones: int = 0
    by_action: Counter[str] = field(default_factory=Counter)
    by_origin: Counter[str] = field(default_factory=Counter)
    by_mode: Counter[str] = field(default_factory=Counter)
    by_scope: Counter[str] = field(default_factory=Counter)
    by_action_mode: Counter[str] = field(default_factory=Counter)
    keys: int = 0


@dataclass(frozen=True, slots=True)
class Issued:
    """One decision as issued, for the timeline plot."""

    issued_at: float
    action: str
    mode: str


@dataclass(slots=True)
class DecisionIndex:
    """Everything the metrics need from a decision file."""

    path: Path
    timelines: dict[str, KeyTimeline] = field(default_factory=dict)
    prefixes: PrefixTable = field(default_factory=PrefixTable)
    counts: DecisionCounts = field(default_factory=DecisionCounts)
    issued: list[Issued] = field(default_factory=list)
    #: Highest risk of any decision (any mode or action) per key.
    max_risk: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Record:
    key: str
    start: float
    decision: dict[str, Any] | None


def _parse_record(path: Path, number: int, line: bytes) -> _Record:
    row = parse_object(path, number, line)
    where = f"{path}:{number}"
    key, value, ts = row.get("key"), row.get("value"), row.get("ts")
    if not isinstance(key, str) or key.partition(":")[0] not in SCOPES or ":" not in key:
        raise UsageError(f"{where}: 'key' must be '<scope>:<value>' with scope in {SCOPES}")
    if isinstance(ts, bool) or not isinstance(ts, int | float):
        raise UsageError(f"{where}: 'ts' must be a number (epoch seconds)")
    if value is None:
        return _Record(key, float(ts), None)
    if not isinstance(value, dict):
        raise UsageError(f"{where}: 'value' must be a decision object or null")
    try:
        validate_decision(value)
    except DecodeError as exc:
        raise UsageError(f"{where}: {exc}") from None
    subject = value["subject"]
    if key != f"{subject['scope']}:{subject['value']}":
        raise UsageError(f"{where}: key {key!r} does not match the decision subject")
    return _Record(key, float(value["issued_at"]), value)


def _count(counts: DecisionCounts, record: _Record) -> None:
    counts.records += 1
    decision = record.decision
    if decision is None:
        counts.tombstones += 1
        return
    counts.by_action[decision["action"]] += 1
    counts.by_origin[decision["origin"]] += 1
    counts.by_mode[decision["mode"]] += 1
    counts.by_scope[decision["subject"]["scope"]] += 1
    counts.by_action_mode[f"{decision['action']}/{decision['mode']}"] += 1


def _timeline(records: list[_Record]) -> KeyTimeline:
    """Intervals of one key's records in file (offset) order.

    A record that claims an earlier time than the record before it still comes after it
    in the log, so its start is clamped to its predecessor's.
    """
    timeline = KeyTimeline()
    starts: list[float] = []
    for record in records:
        starts.append(max(record.start, starts[-1]) if starts else record.start)
    for position, record in enumerate(records):
        decision = record.decision
        if decision is None or RANK[decision["action"]] < ENFORCING_RANK:
            continue
        start = starts[position]
        end = float(decision["expires_at"])
        if position + 1 < len(records):
            end = min(end, starts[position + 1])
        if end > start:
            timeline.add(
                Interval(
                    start=start,
                    end=end,
                    rank=RANK[decision["action"]],
                    mode=decision["mode"],
                    risk=float(decision["risk"]),
                    origin=decision["origin"],
                    decision_id=decision["decision_id"],
                )
            )
    return timeline


def load_decisions(path: Path) -> DecisionIndex:
    """Read a decision file (brief section 4, one Kafka record per line)."""
    index = DecisionIndex(path=path)
    by_key: dict[str, list[_Record]] = {}
    for number, line in open_lines(path, "decisions"):
        record = _parse_record(path, number, line)
        _count(index.counts, record)
        if record.key.startswith("ip_prefix:"):
            try:
                ipaddress.ip_network(record.key.removeprefix("ip_prefix:"), strict=False)
            except ValueError:
                raise UsageError(f"{path}:{number}: {record.key!r} is not a CIDR prefix") from None
        by_key.setdefault(record.key, []).append(record)
        decision = record.decision
        if decision is not None:
            index.issued.append(Issued(record.start, decision["action"], decision["mode"]))
            risk = float(decision["risk"])
            if risk > index.max_risk.get(record.key, -1.0):
                index.max_risk[record.key] = risk
    index.counts.keys = len(by_key)
    for key, records in by_key.items():
        timeline = _timeline(records)
        if timeline.intervals:
            index.timelines[key] = timeline
            if key.startswith("ip_prefix:"):
                index.prefixes.add(key)
    return index
