"""Fold raw events of a short interval into one compact, mergeable slice per account.

This is the first stage of the worker (and of ``replay``): a slice is what crosses Kafka
between the decoding stage and the stateful stage, so it is small, plain-JSON and
mergeable into :class:`~distillguard.models.features.state.AccountState`.

>>> from distillguard.models.codec import event_record
>>> ev = {"event_id": "e", "ts": 120.5, "account_id": "a", "api_key_id": "k",
...       "ip": "198.51.100.7", "endpoint": "/v1/messages", "model": "m", "status": 200,
...       "prompt_tokens": 10, "completion_tokens": 30}
>>> slices = fold_events([event_record(ev), event_record({**ev, "ts": 121.0})])
>>> s = slices["a"]
>>> s.events, s.minutes[2][0]
(2, 2.0)
>>> AccountSlice.from_dict(s.to_dict()) == s
True
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from distillguard.models.codec import Event
from distillguard.models.features import counters as C
from distillguard.models.features.aggregations import Distinct, hash_str

MINUTE: Final = 60
HOUR: Final = 3600
#: Sketches kept per hour bucket; each is a KMV of at most ``SKETCH_K`` hashes.
SKETCHES: Final = ("tpl", "fp", "ip", "pfx", "asn", "ua", "key", "lang", "cot_lang", "ja4")
SKETCH_K: Final = 32
#: Models counted per hour bucket (the rest is dropped: model mix is about the top few).
MAX_MODELS: Final = 16
#: The status of a request the platform refused because the account is blocked.
FORBIDDEN: Final = 403
#: Fields of the event's ``account`` object kept in ``AccountSlice.meta`` (with ``org_id``).
META_FIELDS: Final = ("created_at", "tier", "verified", "payment_fingerprint")
#: An account cannot be created after its own request; ``created_at`` later than this
#: past the request's ``ts`` (clocks disagree by minutes, not days) is not an epoch second
#: (milliseconds are the usual slip) and is read as unknown, never as a new account.
CREATED_AFTER_SLACK: Final = 86400.0

DISTINCT: Final = Distinct(SKETCH_K)
T = TypeVar("T")


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
        """Merge ``other`` in (its sketches are not changed, ours are changed in place);
        return the names of the sketches that changed."""
        changed = []
        sketches = self.sketches
        for name, sk in other.sketches.items():
            mine = sketches.get(name)
            if mine is None:
                sketches[name] = list(sk)
                changed.append(name)
            elif DISTINCT.merge_into(mine, sk):
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
    #: contract fields the events carried but that could not be true, read as absent
    #: (``account.created_at`` after the request): for input coverage, not for the state
    rejected: list[str] = field(default_factory=list)
    #: the network (prefix hash, as in the ``pfx`` sketch) of its first and last request,
    #: and how many of its requests came from another network than the one before: a
    #: profile counts changes of network the same whatever the slices (None: a slice
    #: written before slices kept it)
    net_path: tuple[int, int, int] | None = None
    #: how many of its last requests in a row the platform refused (status 403), so a
    #: profile counts a run of refusals the same whatever the slices
    refused_tail: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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
        if self.rejected:
            out["rejected"] = self.rejected
        if self.net_path is not None:
            out["net_path"] = list(self.net_path)
        if self.refused_tail:
            out["refused_tail"] = self.refused_tail
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountSlice:
        return cls(
            account_id=data["account_id"],
            first_ts=float(data["first_ts"]),
            last_ts=float(data["last_ts"]),
            first_status=int(data["first_status"]),
            last_status=int(data["last_status"]),
            events=int(data["events"]),
            minutes={int(k): C.padded([float(x) for x in v]) for k, v in data["minutes"].items()},
            hours={int(k): HourSketch.from_dict(v) for k, v in data["hours"].items()},
            meta=dict(data["meta"]),
            models={k: float(v) for k, v in data["models"].items()},
            rejected=[str(x) for x in data.get("rejected", ())],
            net_path=_net_path(data.get("net_path")),
            refused_tail=int(data.get("refused_tail", 0)),
        )


def _net_path(data: Any) -> tuple[int, int, int] | None:
    if isinstance(data, list) and len(data) == 3:
        return int(data[0]), int(data[1]), int(data[2])
    return None


class _Memo(dict[str, T]):
    """Memoised ``compute`` of strings that repeat a lot (keys, IPs, agents); bounded.

    A dict whose misses compute the value, so a hit is a plain C-level lookup
    (``map(memo.__getitem__, values)`` in the fold's hot path).
    """

    def __init__(self, compute: Callable[[str], T], limit: int = 200_000) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, value: str) -> T:
        if len(self) >= self.limit:
            self.clear()
        out = self[value] = self.compute(value)
        return out


_HASHES: Final = _Memo(hash_str)
_PREFIXES: Final = _Memo(ip_prefix)
#: Sketches whose values seldom repeat (a prompt's fingerprint): hashed without the memo,
#: which would only churn.
_UNCACHED: Final = frozenset({"fp"})

#: The sketches filled from event fields, in the order a slice lists them ("pfx" is
#: derived from "ip" and comes last).
_TS: Final = operator.attrgetter("ts")
_RAW_NAMES: Final = ("ip", "key", "asn", "ua", "ja4", "tpl", "fp", "lang", "cot_lang")


def fold_events(events: Iterable[Event]) -> dict[str, AccountSlice]:
    """Fold decoded events (any order) into one :class:`AccountSlice` per account."""
    by_account: dict[str, list[Event]] = {}
    for event in events:
        evs = by_account.get(event.account_id)
        if evs is None:
            by_account[event.account_id] = [event]
        else:
            evs.append(event)
    out: dict[str, AccountSlice] = {}
    for account_id, evs in by_account.items():
        evs.sort(key=_TS)  # by time
        out[account_id] = _fold_account(account_id, evs)
    return out


def _fold_account(account_id: str, evs: list[Event]) -> AccountSlice:
    """One account's events, sorted by time, into its slice.

    Written as one loop over local names because it runs once per event: the minute
    bucket and the hour's raw value sets are looked up only when the minute or hour
    changes (events are sorted, so each minute and hour is one run of events).
    """
    first = evs[0]
    last = evs[-1]
    s = AccountSlice(
        account_id=account_id,
        first_ts=first.ts,
        last_ts=last.ts,
        first_status=first.status,
        last_status=last.status,
        events=len(evs),
    )
    minutes = s.minutes
    first_seen = s.models
    count_event = C.count_event
    raw: dict[int, list[set[Any]]] = {}
    minute: int | None = None
    hour: int | None = None
    bucket: list[float] = []
    models: dict[str, float] = {}
    unset: set[Any] = set()
    ips = keys = asns = uas = ja4s = tpls = fps = langs = cot_langs = unset
    prev_ts = -1.0
    prev_status = 0
    prev_ip: str | None = None
    first_net = last_net = ""
    net_changes = 0
    refused = 0
    for event in evs:
        ts = event.ts
        if ts // MINUTE != minute:
            minute = int(ts // MINUTE)
            found = minutes.get(minute)
            if found is None:
                found = minutes[minute] = C.zero()
            bucket = found
        count_event(bucket, event)
        if ts // HOUR != hour:
            hour = int(ts // HOUR)
            sets = raw.get(hour)
            if sets is None:
                sets = raw[hour] = [set() for _ in _RAW_NAMES]
                s.hours[hour] = HourSketch()
            ips, keys, asns, uas, ja4s, tpls, fps, langs, cot_langs = sets
            models = s.hours[hour].models
        ip = event.ip
        ips.add(ip)
        if ip != prev_ip and ip:
            prev_ip = ip
            net = _PREFIXES[ip]
            if net != last_net:
                if last_net:
                    net_changes += 1
                else:
                    first_net = net
                last_net = net
        keys.add(event.api_key_id)
        asns.add(event.asn)  # None (absent or null) is dropped before sketching
        uas.add(event.user_agent)
        ja4s.add(event.ja4)
        prompt = event.prompt
        if prompt is not None:
            tpl = prompt.template
            if tpl:
                tpls.add(tpl)
            fp = prompt.fingerprint
            if fp:
                fps.add(fp)
            lang = prompt.lang
            if lang:
                langs.add(lang)
                if prompt.cot_request:
                    cot_langs.add(lang)
        model = event.model
        if model in models:
            models[model] += 1.0
        elif len(models) < MAX_MODELS:
            models[model] = 1.0
        if model not in first_seen:  # events are sorted: its first event is its earliest
            first_seen[model] = ts
        if prev_ts >= 0.0:  # the inter-arrival gap that ends in this bucket
            gap = ts - prev_ts
            bucket[C.GAPS_N] += 1.0
            bucket[C.GAPS_SUM] += gap
            bucket[C.GAPS_SQ] += gap * gap
            if prev_status == 429 and gap <= C.RETRY_WINDOW_SECONDS:
                bucket[C.AFTER_429] += 1.0
        prev_ts = ts
        prev_status = event.status
        refused = refused + 1 if prev_status == FORBIDDEN else 0
    _fold_meta(s, evs)
    s.refused_tail = refused
    if first_net:
        s.net_path = (_HASHES[first_net], _HASHES[last_net], net_changes)
    for hour, sets in raw.items():
        pfxs = set(map(_PREFIXES.__getitem__, sets[0]))
        sketches = s.hours[hour].sketches
        for name, hasher, values in zip(_RAW_NAMES, _HASHERS, sets, strict=True):
            values.discard(None)
            if len(values) == 1:  # most sets of one account in a few seconds
                sketches[name] = [hasher(next(iter(values)))]
            elif values:
                sketches[name] = _sketch(set(map(hasher, values)))
        if len(pfxs) == 1:
            sketches["pfx"] = [_HASHES[next(iter(pfxs))]]
        elif pfxs:
            sketches["pfx"] = _sketch(set(map(_HASHES.__getitem__, pfxs)))
    return s


def _fold_meta(s: AccountSlice, evs: list[Event]) -> None:
    """The latest non-null value of each account attribute and of ``org_id`` among
    ``evs`` (sorted by time) into ``s.meta``: read from the last event back, most often
    the last event alone. A ``created_at`` after its request (``CREATED_AFTER_SLACK``)
    is skipped and noted in ``s.rejected``."""
    meta = s.meta
    missing = [*META_FIELDS, "org_id"]
    for event in reversed(evs):
        account = event.account
        for name in list(missing):
            if name == "org_id":
                value = event.org_id
            else:
                value = getattr(account, name) if account is not None else None
            if value is None:
                continue
            if name == "created_at" and float(value) > event.ts + CREATED_AFTER_SLACK:
                if not s.rejected:
                    s.rejected.append("account.created_at")
                continue
            meta[name] = value
            missing.remove(name)
        if not missing:
            break


def _sketch(hashes: set[int]) -> list[int]:
    """The KMV sketch of a set of hashes: its ``SKETCH_K`` smallest, sorted."""
    out = sorted(hashes)
    if len(out) > SKETCH_K:
        del out[SKETCH_K:]
    return out


def _hash_number(value: Any) -> int:
    return _HASHES[str(value)]


#: How each raw value is hashed, in ``_RAW_NAMES`` order: through the memo, except values
#: that seldom repeat (``_UNCACHED``); an ASN is a number, hashed as its decimal string.
_HASHERS: Final = tuple(
    hash_str if name in _UNCACHED else _hash_number if name == "asn" else _HASHES.__getitem__
    for name in _RAW_NAMES
)
