"""Fold raw events of a short interval into one compact, mergeable slice per account.

This is the first stage of the worker (and of ``replay``): a slice is what crosses Kafka
between the decoding stage and the stateful stage, so it is small, plain-JSON and
mergeable into :class:`~distillguard.models.features.state.AccountState`.

>>> ev = {"event_id": "e", "ts": 120.5, "account_id": "a", "api_key_id": "k",
...       "ip": "198.51.100.7", "endpoint": "/v1/messages", "model": "m", "status": 200,
...       "prompt_tokens": 10, "completion_tokens": 30}
>>> slices = fold_events([ev, {**ev, "ts": 121.0}])
>>> s = slices["a"]
>>> s.events, s.minutes[2][0]
(2, 2.0)
>>> AccountSlice.from_dict(s.to_dict()) == s
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from distillguard.models.features import counters as C
from distillguard.models.features.aggregations import Distinct, hash_str

Event = dict[str, Any]

MINUTE: Final = 60
HOUR: Final = 3600
#: Sketches kept per hour bucket; each is a KMV of at most ``SKETCH_K`` hashes.
SKETCHES: Final = ("tpl", "fp", "ip", "pfx", "asn", "ua", "key", "lang", "cot_lang", "ja4")
SKETCH_K: Final = 32
#: Models counted per hour bucket (the rest is dropped: model mix is about the top few).
MAX_MODELS: Final = 16
META_FIELDS: Final = ("created_at", "tier", "verified", "payment_fingerprint")

DISTINCT: Final = Distinct(SKETCH_K)


def ip_prefix(ip: str) -> str:
    """The /24 of an IPv4 address or the /48 of an IPv6 address, in CIDR form."""
    if ":" not in ip:
        head, _, _ = ip.rpartition(".")
        return f"{head}.0/24"
    import ipaddress

    net = ipaddress.ip_network(f"{ip}/48", strict=False)
    return str(net)


@dataclass(slots=True)
class HourSketch:
    """Distinct-count sketches and model counts of one hour bucket."""

    sketches: dict[str, list[int]] = field(default_factory=dict)
    models: dict[str, float] = field(default_factory=dict)

    def merge(self, other: HourSketch) -> list[str]:
        """Merge ``other`` in; return the names of the sketches that changed."""
        changed = []
        for name, sk in other.sketches.items():
            mine = self.sketches.get(name)
            merged = list(sk) if mine is None else DISTINCT.merge(mine, sk)
            if merged != mine:
                self.sketches[name] = merged
                changed.append(name)
        for model, count in other.models.items():
            if model in self.models or len(self.models) < MAX_MODELS:
                self.models[model] = self.models.get(model, 0.0) + count
        return changed

    def to_dict(self) -> dict[str, Any]:
        return {"s": self.sketches, "m": self.models}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HourSketch:
        return cls(
            sketches={k: [int(h) for h in v] for k, v in data["s"].items()},
            models={k: float(v) for k, v in data["m"].items()},
        )


@dataclass(slots=True)
class AccountSlice:
    """Everything one account did during a short interval, as mergeable partial aggregates."""

    account_id: str
    first_ts: float
    last_ts: float
    first_status: int
    last_status: int
    events: int = 0
    minutes: dict[int, list[float]] = field(default_factory=dict)
    hours: dict[int, HourSketch] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    models: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "first_status": self.first_status,
            "last_status": self.last_status,
            "events": self.events,
            "minutes": {str(k): v for k, v in self.minutes.items()},
            "hours": {str(k): v.to_dict() for k, v in self.hours.items()},
            "meta": self.meta,
            "models": self.models,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountSlice:
        return cls(
            account_id=data["account_id"],
            first_ts=float(data["first_ts"]),
            last_ts=float(data["last_ts"]),
            first_status=int(data["first_status"]),
            last_status=int(data["last_status"]),
            events=int(data["events"]),
            minutes={int(k): [float(x) for x in v] for k, v in data["minutes"].items()},
            hours={int(k): HourSketch.from_dict(v) for k, v in data["hours"].items()},
            meta=dict(data["meta"]),
            models={k: float(v) for k, v in data["models"].items()},
        )


class _Hasher:
    """Memoises string hashes (keys, IPs, agents and languages repeat a lot); bounded."""

    __slots__ = ("cache", "limit")

    def __init__(self, limit: int = 200_000) -> None:
        self.cache: dict[str, int] = {}
        self.limit = limit

    def __call__(self, value: str) -> int:
        h = self.cache.get(value)
        if h is None:
            if len(self.cache) >= self.limit:
                self.cache.clear()
            h = hash_str(value)
            self.cache[value] = h
        return h


_HASHER: Final = _Hasher()


Raw = dict[str, set[str]]


def _fold_one(s: AccountSlice, event: Event, raw: dict[int, Raw]) -> None:
    ts = float(event["ts"])
    minute = int(ts // MINUTE)
    bucket = s.minutes.get(minute)
    if bucket is None:
        bucket = s.minutes[minute] = C.zero()
    C.count_event(bucket, event)
    hour = int(ts // HOUR)
    sets = raw.get(hour)
    if sets is None:
        sets = raw[hour] = defaultdict(set)
        s.hours[hour] = HourSketch()
    sets["ip"].add(event["ip"])
    sets["key"].add(event["api_key_id"])
    for field_name, name in _OPTIONAL:
        value = event.get(field_name)
        if value is not None:
            sets[name].add(str(value))
    prompt = event.get("prompt")
    if prompt:
        tpl = prompt.get("template")
        if tpl:
            sets["tpl"].add(tpl)
        fp = prompt.get("fingerprint")
        if fp:
            sets["fp"].add(fp)
        lang = prompt.get("lang")
        if lang:
            sets["lang"].add(lang)
            if prompt.get("cot_request"):
                sets["cot_lang"].add(lang)
    model = event["model"]
    models = s.hours[hour].models
    if model in models or len(models) < MAX_MODELS:
        models[model] = models.get(model, 0.0) + 1.0
    if model not in s.models or ts < s.models[model]:
        s.models[model] = ts
    account = event.get("account")
    if account:
        for name in META_FIELDS:
            value = account.get(name)
            if value is not None:
                s.meta[name] = value


_OPTIONAL: Final = (("asn", "asn"), ("user_agent", "ua"), ("ja4", "ja4"))


def _sketch(values: set[str], hasher: _Hasher) -> list[int]:
    return sorted({hasher(v) for v in values})[:SKETCH_K]


def fold_events(events: Iterable[Event]) -> dict[str, AccountSlice]:
    """Fold decoded events (any order) into one :class:`AccountSlice` per account."""
    by_account: dict[str, list[Event]] = {}
    for event in events:
        by_account.setdefault(event["account_id"], []).append(event)
    hasher = _HASHER
    prefixes: dict[str, str] = {}
    out: dict[str, AccountSlice] = {}
    for account_id, evs in by_account.items():
        evs.sort(key=_ts)
        first = evs[0]
        s = AccountSlice(
            account_id=account_id,
            first_ts=float(first["ts"]),
            last_ts=float(evs[-1]["ts"]),
            first_status=first["status"],
            last_status=evs[-1]["status"],
            events=len(evs),
        )
        prev_ts = -1.0
        prev_status = 0
        raw: dict[int, Raw] = {}
        for event in evs:
            _fold_one(s, event, raw)
            ts = float(event["ts"])
            if prev_ts >= 0.0:
                _gap(s.minutes[int(ts // MINUTE)], ts - prev_ts, prev_status)
            prev_ts = ts
            prev_status = event["status"]
        for hour, sets in raw.items():
            for ip in list(sets["ip"]):
                pfx = prefixes.get(ip)
                if pfx is None:
                    pfx = prefixes[ip] = ip_prefix(ip)
                sets["pfx"].add(pfx)
            s.hours[hour].sketches = {
                name: _sketch(values, hasher) for name, values in sets.items() if values
            }
        out[account_id] = s
    return out


def _gap(bucket: list[float], gap: float, prev_status: int) -> None:
    """Record the inter-arrival gap that ends in ``bucket``."""
    bucket[C.GAPS_N] += 1.0
    bucket[C.GAPS_SUM] += gap
    bucket[C.GAPS_SQ] += gap * gap
    if prev_status == 429 and gap <= C.RETRY_WINDOW_SECONDS:
        bucket[C.AFTER_429] += 1.0


def _ts(event: Event) -> float:
    return float(event["ts"])
