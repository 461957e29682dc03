"""The per-account state of the stateful stage: slices merged into bounded rings of buckets.

Bounded size per account: at most 61 one-minute counter buckets (horizons 1 min, 10 min,
1 h), 25 one-hour counter buckets and 25 one-hour sketch buckets (24 h), each sketch a KMV
of at most 32 hashes, and at most ``MAX_ACCOUNT_MODELS`` models. Buckets that end before
``watermark - late_seconds`` are closed: a late slice's events for them are counted in
``late_dropped`` and otherwise ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from distillguard.models.features import counters as C
from distillguard.models.features.slices import HOUR, MINUTE, AccountSlice, HourSketch

if TYPE_CHECKING:
    from distillguard.models.features.compute import UnionCache

MINUTES_KEPT: Final = 61
HOURS_KEPT: Final = 25
MAX_ACCOUNT_MODELS: Final = 32
DEFAULT_LATE_SECONDS: Final = 120.0


@dataclass(slots=True)
class AccountState:
    """Windowed aggregates of one account; ``merge`` slices in, ``features(now)`` reads out."""

    account_id: str
    first_ts: float = -1.0
    last_ts: float = -1.0
    last_status: int = 0
    events_total: int = 0
    late_dropped: int = 0
    minutes: dict[int, list[float]] = field(default_factory=dict)
    hours: dict[int, list[float]] = field(default_factory=dict)
    sketches: dict[int, HourSketch] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    #: model -> [first seen, last seen]
    models: dict[str, list[float]] = field(default_factory=dict)
    #: running sum of every minute bucket in the ring (kept exact under merge and prune)
    minute_total: list[float] = field(default_factory=C.zero)
    #: bumped when a sketch of a past hour changes or an hour is dropped: keys the
    #: unions of past hours that the distinct counts reuse
    sketch_version: int = 0
    #: per sketch name, bumped whenever a sketch of that name changes (not serialised:
    #: it only keys ``distinct_cache``, which starts empty after a restore)
    name_versions: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    #: per window ("1h", "24h"), see ``features.compute._distinct_counts``
    distinct_cache: dict[str, UnionCache] = field(default_factory=dict, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        return self.events_total == 0

    def merge(self, piece: AccountSlice, *, late_seconds: float = DEFAULT_LATE_SECONDS) -> None:
        """Fold ``piece`` into this state (``piece`` is not changed)."""
        if piece.account_id != self.account_id:
            raise ValueError(f"slice of {piece.account_id!r} merged into {self.account_id!r}")
        closed_before = self.last_ts - late_seconds if not self.empty else float("-inf")
        boundary_gap = (
            piece.first_ts - self.last_ts
            if not self.empty and piece.first_ts >= self.last_ts
            else None
        )
        merged = 0
        for minute, bucket in piece.minutes.items():
            if (minute + 1) * MINUTE <= closed_before:
                self.late_dropped += int(bucket[C.N])
                continue
            merged += int(bucket[C.N])
            self._add_minute(minute, bucket)
        if boundary_gap is not None:
            first_minute = int(piece.first_ts // MINUTE)
            if (first_minute + 1) * MINUTE > closed_before:
                after_429 = self.last_status == 429 and boundary_gap <= C.RETRY_WINDOW_SECONDS
                self._add_gap(first_minute, boundary_gap, after_429)
        for hour, hs in piece.hours.items():
            if (hour + 1) * HOUR <= closed_before:
                continue
            mine = self.sketches.get(hour)
            if mine is None:
                mine = self.sketches[hour] = HourSketch()
            changed = mine.merge(hs)
            for name in changed:
                self.name_versions[name] = self.name_versions.get(name, 0) + 1
            if changed and hour < int(self.last_ts // HOUR):
                self.sketch_version += 1
        if merged == 0:
            return
        self.events_total += merged
        if self.first_ts < 0 or piece.first_ts < self.first_ts:
            self.first_ts = piece.first_ts
        if piece.last_ts >= self.last_ts:
            self.last_ts = piece.last_ts
            self.last_status = piece.last_status
        self.meta.update(piece.meta)
        for model, first in piece.models.items():
            seen = self.models.get(model)
            if seen is None:
                self.models[model] = [first, piece.last_ts]
            else:
                seen[0] = min(seen[0], first)
                seen[1] = max(seen[1], piece.last_ts)
        if len(self.models) > MAX_ACCOUNT_MODELS:
            by_last = sorted(self.models.items(), key=lambda kv: kv[1][1], reverse=True)
            self.models = dict(by_last[:MAX_ACCOUNT_MODELS])
        self._prune()

    def _add_minute(self, minute: int, bucket: list[float]) -> None:
        mine = self.minutes.get(minute)
        if mine is None:
            self.minutes[minute] = list(bucket)
        else:
            C.add_into(mine, bucket)
        C.add_into(self.minute_total, bucket)
        hour = minute * MINUTE // HOUR
        hb = self.hours.get(hour)
        if hb is None:
            self.hours[hour] = list(bucket)
        else:
            C.add_into(hb, bucket)

    def _add_gap(self, minute: int, gap: float, after_429: bool) -> None:
        """Count the gap between the previous slice's last event and this one's first,
        like ``_add_minute`` with a bucket holding only the gap counters."""
        mine = self.minutes.get(minute)
        if mine is None:
            mine = self.minutes[minute] = C.zero()
        hour = minute * MINUTE // HOUR
        hb = self.hours.get(hour)
        if hb is None:
            hb = self.hours[hour] = C.zero()
        for bucket in (mine, self.minute_total, hb):
            bucket[C.GAPS_N] += 1.0
            bucket[C.GAPS_SUM] += gap
            bucket[C.GAPS_SQ] += gap * gap
            if after_429:
                bucket[C.AFTER_429] += 1.0

    def _prune(self) -> None:
        newest_minute = int(self.last_ts // MINUTE)
        if len(self.minutes) <= MINUTES_KEPT and min(self.minutes) > newest_minute - MINUTES_KEPT:
            return
        for minute in [m for m in self.minutes if m <= newest_minute - MINUTES_KEPT]:
            C.subtract_from(self.minute_total, self.minutes.pop(minute))
        newest_hour = int(self.last_ts // HOUR)
        for hour in [h for h in self.hours if h <= newest_hour - HOURS_KEPT]:
            del self.hours[hour]
        for hour in [h for h in self.sketches if h <= newest_hour - HOURS_KEPT]:
            del self.sketches[hour]
            self.sketch_version += 1

    def requests_within_hour(self, now: float) -> float:
        """Requests in ``[now - 1 h, now]``: a cheap gate before computing features."""
        end = int(now // MINUTE)
        total = self.minute_total[C.N]
        if end == int(self.last_ts // MINUTE):
            return total  # the ring holds exactly [now - 1 h, now]
        start = int((now - HOUR) // MINUTE)
        for minute, bucket in self.minutes.items():
            if minute < start or minute > end:
                total -= bucket[C.N]
        return total

    @property
    def org_id(self) -> str | None:
        """The organisation the account's latest events named, if any."""
        org = self.meta.get("org_id")
        return org if isinstance(org, str) else None

    def features(self, now: float, releases: frozenset[str] = frozenset()) -> dict[str, float]:
        """The account's feature vector at event time ``now`` (see ``features.compute``);
        ``releases``: models the platform began serving in the last day."""
        from distillguard.models.features.compute import compute_features

        return compute_features(self, now, releases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "last_status": self.last_status,
            "events_total": self.events_total,
            "late_dropped": self.late_dropped,
            "minutes": {str(k): v for k, v in self.minutes.items()},
            "hours": {str(k): v for k, v in self.hours.items()},
            "sketches": {str(k): v.to_dict() for k, v in self.sketches.items()},
            "meta": self.meta,
            "models": self.models,
            "minute_total": self.minute_total,
            "sketch_version": self.sketch_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountState:
        return cls(
            account_id=data["account_id"],
            first_ts=float(data["first_ts"]),
            last_ts=float(data["last_ts"]),
            last_status=int(data["last_status"]),
            events_total=int(data["events_total"]),
            late_dropped=int(data["late_dropped"]),
            minutes={int(k): C.padded([float(x) for x in v]) for k, v in data["minutes"].items()},
            hours={int(k): C.padded([float(x) for x in v]) for k, v in data["hours"].items()},
            sketches={int(k): HourSketch.from_dict(v) for k, v in data["sketches"].items()},
            meta=dict(data["meta"]),
            models={k: [float(v[0]), float(v[1])] for k, v in data["models"].items()},
            minute_total=C.padded([float(x) for x in data["minute_total"]]),
            sketch_version=int(data["sketch_version"]),
        )
