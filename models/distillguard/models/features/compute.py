"""Turn an :class:`AccountState` into a flat ``dict[str, float]`` feature vector.

Rates are per minute over the part of each horizon the account has existed, so a new
account at full speed shows its real rate from its first minute. Shares and ratios are
computed only from buckets inside the horizon. Features that need data the account has
not shown yet (no categories, no ``max_tokens``) take neutral values (0 share, entropy 1).
"""

from __future__ import annotations

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


def _sum_minutes(state: AccountState, now: float, horizon: float) -> list[float]:
    start = int((now - horizon) // MINUTE)
    end = int(now // MINUTE)
    total = C.zero()
    minutes = state.minutes
    for minute in range(start, end + 1):
        bucket = minutes.get(minute)
        if bucket is not None:
            C.add_into(total, bucket)
    return total


def _hour_window(state: AccountState, now: float) -> list[float]:
    """The last hour's counters: the running total of the minute ring, minus what is
    outside ``[now - 1 h, now]`` (usually nothing or one bucket)."""
    start = int((now - 3600.0) // MINUTE)
    end = int(now // MINUTE)
    total = list(state.minute_total)
    if end == int(state.last_ts // MINUTE):
        return total  # the ring holds exactly [now - 1 h, now]
    for minute, bucket in state.minutes.items():
        if minute < start or minute > end:
            C.subtract_from(total, bucket)
    return total


def _span(state: AccountState, now: float, horizon: float) -> float:
    start = max(state.first_ts, now - horizon)
    return max(float(MINUTE), now - start)


def _share(c: list[float], index: int) -> float:
    n = c[C.N]
    return c[index] / n if n > 0 else 0.0


def _distinct(state: AccountState, hours: list[int], name: str) -> float:
    key = (tuple(hours), state.name_versions.get(name, 0), state.sketch_version)
    cached = state.distinct_cache.get(("1h", name))
    if cached is not None and cached[0] == key:
        return cached[1]
    value = _distinct_uncached(state, hours, name)
    state.distinct_cache[("1h", name)] = (key, value)
    return value


def _distinct_uncached(state: AccountState, hours: list[int], name: str) -> float:
    merged: list[int] = []
    for hour in hours:
        hs = state.sketches.get(hour)
        if hs is not None and name in hs.sketches:
            merged = DISTINCT.merge(merged, hs.sketches[name]) if merged else hs.sketches[name]
    return DISTINCT.result(merged)


def _distinct_day(state: AccountState, hours: list[int], name: str) -> float:
    """Like :func:`_distinct` over 24 h, reusing the union of the older hours (cached on
    the state until a sketch of those hours changes)."""
    if not hours:
        return 0.0
    key = (tuple(hours), state.name_versions.get(name, 0), state.sketch_version)
    hit = state.distinct_cache.get(("24h", name))
    if hit is not None and hit[0] == key:
        return hit[1]
    value = _distinct_day_uncached(state, hours, name)
    state.distinct_cache[("24h", name)] = (key, value)
    return value


def _distinct_day_uncached(state: AccountState, hours: list[int], name: str) -> float:
    newest = max(hours)
    older = tuple(sorted(h for h in hours if h != newest))
    key = (older, state.sketch_version)
    if state.day_cache_key != key:
        state.day_cache_key = key
        state.day_cache = {}
    cached = state.day_cache.get(name)
    if cached is None:
        cached = []
        for hour in older:
            sk = state.sketches[hour].sketches.get(name)
            if sk:
                cached = DISTINCT.merge(cached, sk) if cached else sk
        state.day_cache[name] = cached
    current = state.sketches[newest].sketches.get(name)
    if current:
        return DISTINCT.result(DISTINCT.merge(cached, current) if cached else current)
    return DISTINCT.result(cached)


def compute_features(state: AccountState, now: float) -> dict[str, float]:
    f: dict[str, float] = {}
    m1 = _sum_minutes(state, now, 60.0)
    m10 = _sum_minutes(state, now, 600.0)
    h1 = _hour_window(state, now)
    span1, span10, span60 = (_span(state, now, h) for h in (60.0, 600.0, 3600.0))
    f["requests_1m"] = m1[C.N]
    f["rpm_1m"] = m1[C.N] / (span1 / MINUTE)
    f["rpm_10m"] = m10[C.N] / (span10 / MINUTE)
    f["rpm_1h"] = h1[C.N] / (span60 / MINUTE)
    f["tokens_in_pm_10m"] = m10[C.PROMPT_TOKENS] / (span10 / MINUTE)
    f["tokens_out_pm_10m"] = m10[C.COMPLETION_TOKENS] / (span10 / MINUTE)
    f["requests_1h"] = h1[C.N]
    f["tokens_out_1h"] = h1[C.COMPLETION_TOKENS]
    f["out_in_ratio_1h"] = h1[C.COMPLETION_TOKENS] / max(1.0, h1[C.PROMPT_TOKENS])
    f["max_tokens_used_1h"] = h1[C.MT_USED] / h1[C.MT_N] if h1[C.MT_N] else 0.0
    f["max_tokens_full_share_1h"] = h1[C.MT_FULL] / h1[C.MT_N] if h1[C.MT_N] else 0.0
    for name, index in (
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
    ):
        f[name] = _share(h1, index)
    f["harvest_requests_1h"] = h1[C.HARVEST]
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
    _distinct_features(state, now, f)
    _time_features(state, now, f)
    _model_features(state, now, f)
    _account_features(state, now, f)
    return f


def _hours_within(state: AccountState, now: float, horizon: float) -> list[int]:
    start = int((now - horizon) // HOUR)
    return [h for h in state.sketches if h >= start and h * HOUR <= now]


def _distinct_features(state: AccountState, now: float, f: dict[str, float]) -> None:
    last_hours = _hours_within(state, now, HOUR)
    day_hours = _hours_within(state, now, 24 * HOUR)
    n_last = sum(state.hours[h][C.N] for h in last_hours if h in state.hours)
    for name, key in (("tpl", "templates"), ("fp", "fingerprints"), ("lang", "langs")):
        distinct = _distinct(state, last_hours, name)
        f[f"{key}_1h"] = distinct
        if name != "lang":
            f[f"{key[:-1]}_ratio_1h"] = min(1.0, distinct / n_last) if n_last else 1.0
    f["requests_24h"] = sum(state.hours[h][C.N] for h in day_hours if h in state.hours)
    f["tokens_out_24h"] = sum(
        state.hours[h][C.COMPLETION_TOKENS] for h in day_hours if h in state.hours
    )
    names = {"tpl": "templates", "fp": "fingerprints", "ip": "ips", "pfx": "ip_prefixes"}
    names |= {"asn": "asns", "ua": "user_agents", "key": "api_keys", "lang": "langs"}
    names |= {"cot_lang": "cot_langs", "ja4": "ja4s"}
    assert set(names) == set(SKETCHES)
    for name, key in names.items():
        f[f"{key}_24h"] = _distinct_day(state, day_hours, name)
    f["ips_per_key_24h"] = f["ips_24h"] / max(1.0, f["api_keys_24h"])


def _time_features(state: AccountState, now: float, f: dict[str, float]) -> None:
    observed = max(0.0, now - state.first_ts) if not state.empty else 0.0
    f["observed_hours"] = observed / HOUR
    first_hour = int((now - 24 * HOUR) // HOUR) + 1
    active_hours = sum(1 for h, c in state.hours.items() if first_hour <= h and c[C.N] > 0)
    f["hours_active_24h"] = float(active_hours)
    possible_hours = min(24.0, math.floor(observed / HOUR) + 1.0)
    f["hour_coverage_24h"] = active_hours / possible_hours if observed >= 6 * HOUR else 0.0
    first_minute = int((now - HOUR) // MINUTE) + 1
    active_minutes = sum(1 for m in state.minutes if m >= first_minute)
    possible_minutes = min(60.0, math.floor(observed / MINUTE) + 1.0)
    f["active_minutes_share_1h"] = min(1.0, active_minutes / possible_minutes)


def _model_features(state: AccountState, now: float, f: dict[str, float]) -> None:
    f["models_24h"] = float(sum(1 for _, last in state.models.values() if last >= now - 24 * HOUR))
    new_models = {
        model
        for model, (first, _) in state.models.items()
        if first >= now - 24 * HOUR and first >= state.first_ts + HOUR
    }
    recent = _hours_within(state, now, HOUR)
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
    tier = meta.get("tier")
    tier_rpm = TIER_RPM.get(tier, UNKNOWN_TIER_RPM) if isinstance(tier, str) else UNKNOWN_TIER_RPM
    f["tier_level"] = float(TIER_LEVEL.get(tier, 6) if isinstance(tier, str) else 2)
    f["tier_known"] = 1.0 if isinstance(tier, str) else 0.0
    verified = meta.get("verified")
    f["verified"] = 1.0 if verified is True else 0.0
    f["verified_known"] = 0.0 if verified is None else 1.0
    f["usage_vs_tier_10m"] = f["rpm_10m"] / tier_rpm
    tier_tpm = (
        TIER_OUTPUT_TPM.get(tier, UNKNOWN_TIER_OUTPUT_TPM)
        if isinstance(tier, str)
        else UNKNOWN_TIER_OUTPUT_TPM
    )
    f["output_vs_tier_10m"] = f["tokens_out_pm_10m"] / tier_tpm
    f["payment_known"] = 1.0 if meta.get("payment_fingerprint") else 0.0
