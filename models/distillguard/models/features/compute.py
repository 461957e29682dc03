"""Turn an :class:`AccountState` into a flat ``dict[str, float]`` feature vector.

Rates are per minute over the part of each horizon the account has existed, so a new
account at full speed shows its real rate from its first minute. Shares and ratios are
computed only from buckets inside the horizon. Features that need data the account has
not shown yet (no categories, no ``max_tokens``) take neutral values (0 share, entropy 1).
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Final

from distillguard.models.features import counters as C
from distillguard.models.features.slices import DISTINCT, HOUR, MINUTE, SKETCHES

if TYPE_CHECKING:
    from distillguard.models.features.state import AccountState

#: Nominal requests per minute of each tier: usage is compared with it.
TIER_RPM: Final = {
    "free": 20.0,
    "tier1": 60.0,
    "tier2": 300.0,
    "tier3": 1000.0,
    "tier4": 2000.0,
    "tier5": 4000.0,
    "enterprise": 10000.0,
}
TIER_LEVEL: Final = {"free": 0, "tier1": 1, "tier2": 2, "tier3": 3, "tier4": 4, "tier5": 5}
#: Tiers of a contract or a long paid history: a verified account on one is no fresh
#: identity, whatever its age (``verified_top_tier``).
TOP_TIERS: Final = frozenset({"tier5", "enterprise"})
UNKNOWN_TIER_RPM: Final = 300.0
#: Account age assumed when the gateway does not say: old enough to be no evidence.
UNKNOWN_AGE_DAYS: Final = 365.0
#: Nominal output tokens per minute of each tier.
TIER_OUTPUT_TPM: Final = {
    "free": 2000.0,
    "tier1": 8000.0,
    "tier2": 16000.0,
    "tier3": 32000.0,
    "tier4": 80000.0,
    "tier5": 160000.0,
    "enterprise": 400000.0,
}
UNKNOWN_TIER_OUTPUT_TPM: Final = 32000.0
_LOG_CATEGORIES: Final = math.log(len(C.CATEGORIES))
#: The capabilities distillation campaigns concentrate on (coding, math, reasoning, agentic).
_CAPABILITIES: Final = tuple(
    C.CATEGORIES.index(name) for name in ("coding", "math", "reasoning", "agentic")
)


def _recent_minutes(state: AccountState, now: float) -> tuple[float, float, float, float]:
    """Requests in the last minute, and requests, prompt and completion tokens in the last
    10 minutes, summed over the minute buckets in ``[now - horizon, now]`` in one pass."""
    start10 = int((now - 600.0) // MINUTE)
    start1 = int((now - 60.0) // MINUTE)
    end = int(now // MINUTE)
    n1 = n10 = prompt10 = completion10 = 0.0
    minutes = state.minutes
    for minute in range(start10, end + 1):
        bucket = minutes.get(minute)
        if bucket is not None:
            n10 += bucket[C.N]
            prompt10 += bucket[C.PROMPT_TOKENS]
            completion10 += bucket[C.COMPLETION_TOKENS]
            if minute >= start1:
                n1 += bucket[C.N]
    return n1, n10, prompt10, completion10


def _hour_window(state: AccountState, now: float) -> list[float]:
    """The last hour's counters: the running total of the minute ring, minus what is
    outside ``[now - 1 h, now]`` (usually nothing or one bucket). Read only: it may be
    the state's own running total."""
    start = int((now - 3600.0) // MINUTE)
    end = int(now // MINUTE)
    if end == int(state.last_ts // MINUTE):
        return state.minute_total  # the ring holds exactly [now - 1 h, now]
    total = list(state.minute_total)
    for minute, bucket in state.minutes.items():
        if minute < start or minute > end:
            C.subtract_from(total, bucket)
    return total


def _span(state: AccountState, now: float, horizon: float) -> float:
    start = max(state.first_ts, now - horizon)
    return max(float(MINUTE), now - start)


def _distinct_counts(
    state: AccountState, hours: list[int], names: tuple[str, ...], scope: str
) -> list[float]:
    """The distinct counts of sketches ``names`` over ``hours``.

    Each count is the union of the older hours' sketches with the newest hour's; the
    union is kept on the state until one of the older hours changes or the window moves
    (``base``). Meanwhile the newest hour's sketch only grows, so the kept union just
    takes in its hashes, and a count is reused while no sketch of its name changed
    (``name_versions``), which is most of them on most ticks.
    """
    if not hours:
        return [0.0] * len(names)
    base = (tuple(hours), state.sketch_version)
    cache = state.distinct_cache.get(scope)
    if cache is None or cache.base != base:
        cache = state.distinct_cache[scope] = UnionCache(base)
    versions = state.name_versions
    unions = cache.unions
    counts = cache.counts
    newest = cache.newest
    current = state.sketches[newest].sketches
    out = []
    for name in names:
        version = versions.get(name, 0)
        hit = counts.get(name)
        if hit is not None and hit[0] == version:
            out.append(hit[1])
            continue
        union = unions.get(name)
        if union is None:
            union = unions[name] = _Union()
            for hour in base[0]:
                if hour == newest:
                    continue
                sk = state.sketches[hour].sketches.get(name)
                if sk:
                    union.add(sk)
        sk = current.get(name)
        if sk:
            union.add(sk)
        value = DISTINCT.result(union.hashes)
        counts[name] = (version, value)
        out.append(value)
    return out


class _Union:
    """A KMV sketch grown by sketches that mostly repeat what it holds: a set of its
    hashes makes the repeats cheap to skip. Holds what ``DISTINCT.merge`` would give."""

    __slots__ = ("hashes", "members")

    def __init__(self) -> None:
        self.hashes: list[int] = []
        self.members: set[int] = set()

    def add(self, sketch: list[int]) -> None:
        hashes = self.hashes
        members = self.members
        k = DISTINCT.k
        if len(hashes) >= k:
            cutoff = hashes[-1]
            fresh = [h for h in sketch if h < cutoff and h not in members]
        else:
            fresh = [h for h in sketch if h not in members]
        if not fresh:
            return
        for h in fresh:
            bisect.insort(hashes, h)
        members.update(fresh)
        if len(hashes) > k:
            members.difference_update(hashes[k:])
            del hashes[k:]


class UnionCache:
    """Per window: for ``base``, the union of each sketch name so far and its last count."""

    __slots__ = ("base", "counts", "newest", "unions")

    def __init__(self, base: tuple[tuple[int, ...], int]) -> None:
        self.base = base
        self.newest = max(base[0])
        self.unions: dict[str, _Union] = {}
        self.counts: dict[str, tuple[int, float]] = {}


#: Shares of the last hour's requests: feature name, counter.
_SHARES: Final = (
    ("cot_share_1h", C.COT),
    ("rubric_share_1h", C.RUBRIC),
    ("logprobs_share_1h", C.LOGPROBS),
    ("top_logprobs_share_1h", C.TOP_LOGPROBS),
    ("logit_bias_share_1h", C.LOGIT_BIAS),
    ("n_gt1_share_1h", C.N_GT1),
    ("harvest_share_1h", C.HARVEST),
    ("short_out_share_1h", C.SHORT_OUT),
    ("tools_share_1h", C.TOOLS),
    ("status_429_share_1h", C.S429),
    ("error_share_1h", C.ERRORS),
)
_SHARE_NAMES: Final = tuple(name for name, _ in _SHARES)
_SHARE_INDEXES: Final = tuple(index for _, index in _SHARES)


def compute_features(
    state: AccountState, now: float, releases: frozenset[str] = frozenset()
) -> dict[str, float]:
    """The account's feature vector at ``now``; ``releases`` are models the platform began
    serving in the last day (:mod:`~distillguard.models.features.releases`), which an
    account moving to them has not hopped to."""
    n1, n10, prompt10, completion10 = _recent_minutes(state, now)
    h1 = _hour_window(state, now)
    n = h1[C.N]
    minutes10 = _span(state, now, 600.0) / MINUTE
    mt_n = h1[C.MT_N]
    f: dict[str, float] = {
        "requests_1m": n1,
        "rpm_1m": n1 / (_span(state, now, 60.0) / MINUTE),
        "rpm_10m": n10 / minutes10,
        "rpm_1h": n / (_span(state, now, 3600.0) / MINUTE),
        "tokens_in_pm_10m": prompt10 / minutes10,
        "tokens_out_pm_10m": completion10 / minutes10,
        "requests_1h": n,
        "tokens_out_1h": h1[C.COMPLETION_TOKENS],
        "out_in_ratio_1h": h1[C.COMPLETION_TOKENS] / max(1.0, h1[C.PROMPT_TOKENS]),
        "max_tokens_used_1h": h1[C.MT_USED] / mt_n if mt_n else 0.0,
        "max_tokens_full_share_1h": h1[C.MT_FULL] / mt_n if mt_n else 0.0,
    }
    if n > 0:
        f.update(zip(_SHARE_NAMES, [h1[index] / n for index in _SHARE_INDEXES], strict=True))
    else:
        f.update(dict.fromkeys(_SHARE_NAMES, 0.0))
    f["harvest_requests_1h"] = h1[C.HARVEST]
    # of those, the share reading more alternatives than a label classifier's labels
    f["harvest_wide_share_1h"] = h1[C.HARVEST_WIDE] / h1[C.HARVEST] if h1[C.HARVEST] else 0.0
    f["cot_out_tokens_share_1h"] = h1[C.COT_OUT_TOKENS] / max(1.0, h1[C.COMPLETION_TOKENS])
    f["retry_after_429_rate_1h"] = h1[C.AFTER_429] / h1[C.S429] if h1[C.S429] else 0.0
    gaps = h1[C.GAPS_N]
    if gaps >= 10:
        mean = h1[C.GAPS_SUM] / gaps
        var = max(0.0, h1[C.GAPS_SQ] / gaps - mean * mean)
        f["interarrival_cv_1h"] = math.sqrt(var) / mean if mean > 0 else 0.0
    else:
        f["interarrival_cv_1h"] = 1.0
    known = h1[C.CAT_KNOWN]
    if known >= 1:
        shares = [h1[C.CAT0 + i] / known for i in range(len(C.CATEGORIES))]
        entropy = -sum(p * math.log(p) for p in shares if p > 0)
        f["category_entropy_1h"] = max(0.0, entropy / _LOG_CATEGORIES)
        f["category_top_share_1h"] = max(shares)
        f["capability_share_1h"] = sum(shares[i] for i in _CAPABILITIES)
    else:
        f["category_entropy_1h"] = 1.0
        f["category_top_share_1h"] = 0.0
        f["capability_share_1h"] = 0.0
    last_hours = _hours_within(state, now, HOUR)
    _distinct_features(state, f, last_hours, _hours_within(state, now, 24 * HOUR))
    _time_features(state, now, f)
    _model_features(state, now, f, last_hours, releases)
    _account_features(state, now, f)
    return f


def _hours_within(state: AccountState, now: float, horizon: float) -> list[int]:
    start = int((now - horizon) // HOUR)
    return [h for h in state.sketches if h >= start and h * HOUR <= now]


#: Distinct counts over the last hour: sketch name, feature name, and the ratio feature
#: (distinct per request) if there is one.
_HOUR_DISTINCT: Final = (
    ("tpl", "templates_1h", "template_ratio_1h"),
    ("fp", "fingerprints_1h", "fingerprint_ratio_1h"),
    ("lang", "langs_1h", None),
)
_HOUR_NAMES: Final = tuple(name for name, _, _ in _HOUR_DISTINCT)
#: Distinct counts over 24 h: sketch name -> feature name.
_DAY_DISTINCT: Final = {
    "tpl": "templates_24h",
    "fp": "fingerprints_24h",
    "ip": "ips_24h",
    "pfx": "ip_prefixes_24h",
    "asn": "asns_24h",
    "ua": "user_agents_24h",
    "key": "api_keys_24h",
    "lang": "langs_24h",
    "cot_lang": "cot_langs_24h",
    "ja4": "ja4s_24h",
}
_DAY_NAMES: Final = tuple(_DAY_DISTINCT)
assert set(_DAY_NAMES) == set(SKETCHES)


def _distinct_features(
    state: AccountState, f: dict[str, float], last_hours: list[int], day_hours: list[int]
) -> None:
    hours = state.hours
    n_last = sum([hours[h][C.N] for h in last_hours if h in hours])
    counts = _distinct_counts(state, last_hours, _HOUR_NAMES, "1h")
    for (_, key, ratio), distinct in zip(_HOUR_DISTINCT, counts, strict=True):
        f[key] = distinct
        if ratio is not None:
            f[ratio] = min(1.0, distinct / n_last) if n_last else 1.0
    day = [hours[h] for h in day_hours if h in hours]
    f["requests_24h"] = sum([c[C.N] for c in day])
    f["tokens_out_24h"] = sum([c[C.COMPLETION_TOKENS] for c in day])
    counts = _distinct_counts(state, day_hours, _DAY_NAMES, "24h")
    for key, distinct in zip(_DAY_DISTINCT.values(), counts, strict=True):
        f[key] = distinct
    f["ips_per_key_24h"] = f["ips_24h"] / max(1.0, f["api_keys_24h"])


def _time_features(state: AccountState, now: float, f: dict[str, float]) -> None:
    observed = max(0.0, now - state.first_ts) if not state.empty else 0.0
    f["observed_hours"] = observed / HOUR
    first_hour = int((now - 24 * HOUR) // HOUR) + 1
    active_hours = len([h for h, c in state.hours.items() if first_hour <= h and c[C.N] > 0])
    f["hours_active_24h"] = float(active_hours)
    possible_hours = min(24.0, math.floor(observed / HOUR) + 1.0)
    f["hour_coverage_24h"] = active_hours / possible_hours if observed >= 6 * HOUR else 0.0
    first_minute = int((now - HOUR) // MINUTE) + 1
    minutes = state.minutes
    if minutes and min(minutes) < first_minute:
        active_minutes = len([m for m in minutes if m >= first_minute])
    else:
        active_minutes = len(minutes)
    possible_minutes = min(60.0, math.floor(observed / MINUTE) + 1.0)
    f["active_minutes_share_1h"] = min(1.0, active_minutes / possible_minutes)


def _model_features(
    state: AccountState,
    now: float,
    f: dict[str, float],
    recent: list[int],
    releases: frozenset[str],
) -> None:
    day_start = now - 24 * HOUR
    f["models_24h"] = float(len([m for m in state.models.values() if m[1] >= day_start]))
    new_models = {
        model
        for model, (first, _) in state.models.items()
        if first >= day_start and first >= state.first_ts + HOUR and model not in releases
    }
    total = new = 0.0
    for hour in recent:
        for model, count in state.sketches[hour].models.items():
            total += count
            if model in new_models:
                new += count
    f["new_model_share_1h"] = new / total if total else 0.0


def _account_features(state: AccountState, now: float, f: dict[str, float]) -> None:
    meta = state.meta
    created = meta.get("created_at")
    if isinstance(created, int | float):
        f["account_age_days"] = max(0.0, (now - float(created)) / 86400.0)
        f["account_age_known"] = 1.0
    else:
        f["account_age_days"] = UNKNOWN_AGE_DAYS
        f["account_age_known"] = 0.0
    # the age of the identity behind the account, and of the customer paying for it: its
    # own, unless cluster linking knows them for a new seat of an established organisation
    # or a new account on an established member's card (``Engine`` takes the larger)
    f["identity_age_days"] = f["account_age_days"]
    f["payer_age_days"] = f["account_age_days"]
    tier = meta.get("tier")
    tier_rpm = TIER_RPM.get(tier, UNKNOWN_TIER_RPM) if isinstance(tier, str) else UNKNOWN_TIER_RPM
    f["tier_level"] = float(TIER_LEVEL.get(tier, 6) if isinstance(tier, str) else 2)
    f["tier_known"] = 1.0 if isinstance(tier, str) else 0.0
    verified = meta.get("verified")
    f["verified"] = 1.0 if verified is True else 0.0
    f["verified_known"] = 0.0 if verified is None else 1.0
    # a contract or a long paid history: no fresh identity, whatever the account's age
    f["verified_top_tier"] = 1.0 if verified is True and tier in TOP_TIERS else 0.0
    f["usage_vs_tier_10m"] = f["rpm_10m"] / tier_rpm
    tier_tpm = (
        TIER_OUTPUT_TPM.get(tier, UNKNOWN_TIER_OUTPUT_TPM)
        if isinstance(tier, str)
        else UNKNOWN_TIER_OUTPUT_TPM
    )
    f["output_vs_tier_10m"] = f["tokens_out_pm_10m"] / tier_tpm
    f["payment_known"] = 1.0 if meta.get("payment_fingerprint") else 0.0
