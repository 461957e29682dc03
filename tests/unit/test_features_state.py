"""Account state: merging slices, windows, late events, bounded size, serialisation."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.codec import event_records
from distillguard.models.features import AccountState, fold_events
from distillguard.models.features.aggregations import Distinct
from distillguard.models.features.names import FEATURE_NAMES
from distillguard.models.features.state import HOURS_KEPT, MINUTES_KEPT
from tests.unit.detection_support import T0, event, stream


def _state(events: list[dict[str, object]], chunk: int) -> AccountState:
    state = AccountState("acct-a")
    for i in range(0, len(events), chunk):
        piece = fold_events(event_records(events[i : i + chunk])).get("acct-a")
        if piece is not None:
            state.merge(piece)
    return state


def test_merging_slices_equals_folding_everything_at_once() -> None:
    events = stream(600, every=3.0)
    now = events[-1]["ts"]
    assert isinstance(now, float)
    one = _state(events, len(events)).features(now)
    many = _state(events, 37).features(now)
    assert one.keys() == many.keys()
    for name in one:
        assert many[name] == pytest.approx(one[name], rel=1e-9, abs=1e-9), name


def test_features_have_the_published_names() -> None:
    state = _state(stream(30), 10)
    assert tuple(state.features(T0 + 60)) == FEATURE_NAMES


def test_rates_and_shares() -> None:
    events = stream(120, every=1.0, params={"max_tokens": 400}, completion_tokens=400)
    f = _state(events, 20).features(T0 + 120)
    assert f["requests_1h"] == 120
    assert f["rpm_1h"] == pytest.approx(60.0, rel=0.05)
    assert f["max_tokens_full_share_1h"] == 1.0
    assert f["out_in_ratio_1h"] == pytest.approx(400 / 300)
    assert f["ips_24h"] == 5
    assert f["api_keys_24h"] == 1


def test_old_buckets_leave_the_windows() -> None:
    state = _state(stream(60, every=1.0), 60)
    assert state.features(T0 + 120)["requests_1h"] == 60
    assert state.features(T0 + 2 * 3600)["requests_1h"] == 0


def test_late_events_beyond_the_allowance_are_dropped() -> None:
    state = _state(stream(10, every=1.0, start=T0 + 3600), 10)
    late = fold_events(event_records([event(99, ts=T0 + 10)]))["acct-a"]
    state.merge(late, late_seconds=120)
    assert state.late_dropped == 1
    assert state.events_total == 10
    slightly_late = fold_events(event_records([event(98, ts=T0 + 3600 - 30)]))["acct-a"]
    state.merge(slightly_late, late_seconds=120)
    assert state.events_total == 11


def test_size_is_bounded() -> None:
    events = stream(3000, every=60.0)  # 50 hours
    state = _state(events, 100)
    assert len(state.minutes) <= MINUTES_KEPT
    assert len(state.hours) <= HOURS_KEPT
    assert len(state.sketches) <= HOURS_KEPT
    assert len(orjson.dumps(state.to_dict())) < 200_000


def test_state_round_trips_through_json() -> None:
    state = _state(stream(400, every=5.0), 50)
    again = AccountState.from_dict(orjson.loads(orjson.dumps(state.to_dict())))
    assert again == state
    now = T0 + 400 * 5
    assert again.features(now) == state.features(now)


def test_merge_rejects_another_accounts_slice() -> None:
    piece = fold_events(event_records([event(0, "other")]))["other"]
    with pytest.raises(ValueError, match="other"):
        AccountState("acct-a").merge(piece)


def test_account_metadata_drives_age_tier_and_verification() -> None:
    meta = {"created_at": T0 - 2 * 86400, "tier": "tier1", "verified": False}
    f = _state(stream(30, account={**meta}), 30).features(T0 + 60)
    assert f["account_age_days"] == pytest.approx(2.0, abs=0.01)
    assert f["tier_level"] == 1
    assert f["verified"] == 0 and f["verified_known"] == 1
    unknown = _state(stream(30), 30).features(T0 + 60)
    assert unknown["account_age_known"] == 0 and unknown["verified_known"] == 0


hashes = st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=80)


@settings(max_examples=60, deadline=None)
@given(a=hashes, b=hashes)
def test_distinct_merge_is_commutative_and_matches_one_sketch(a: list[int], b: list[int]) -> None:
    d = Distinct(16)
    sa, sb, both = d.initialize(), d.initialize(), d.initialize()
    for h in a:
        d.update(sa, h)
        d.update(both, h)
    for h in b:
        d.update(sb, h)
        d.update(both, h)
    assert d.merge(sa, sb) == d.merge(sb, sa) == both
    if len(set(a) | set(b)) < 16:
        assert d.result(both) == len(set(a) | set(b))


def test_distinct_estimate_is_close_for_many_items() -> None:
    d = Distinct(32)
    s = d.initialize()
    for i in range(5000):
        d.update(s, (i * 2654435761) % 2**32)
    assert 2500 < d.result(s) < 10000


@settings(max_examples=60, deadline=None)
@given(a=hashes, b=hashes)
def test_distinct_merge_into_changes_in_place_like_merge(a: list[int], b: list[int]) -> None:
    d = Distinct(16)
    sa, sb = d.initialize(), d.initialize()
    for h in a:
        d.update(sa, h)
    for h in b:
        d.update(sb, h)
    expected = d.merge(sa, sb)
    before = list(sb)
    changed = d.merge_into(sa, sb)
    assert sa == expected
    assert sb == before
    assert changed == (expected != sorted(set(a))[:16])


def test_distinct_counts_follow_sketches_that_change_between_readings() -> None:
    """Features read after every slice (reusing the distinct-count caches) equal those
    of a restored state, which starts with no caches."""
    events = stream(3000, every=4.0)  # over three hours: the windows move and hours close
    state = AccountState("acct-a")
    fresh_each_time = AccountState("acct-a")
    for i in range(0, len(events), 45):
        piece = fold_events(event_records(events[i : i + 45]))["acct-a"]
        state.merge(piece)
        fresh_each_time.merge(piece)
        now = float(events[min(i + 44, len(events) - 1)]["ts"]) + 1.0
        restored = AccountState.from_dict(fresh_each_time.to_dict())
        assert state.features(now) == restored.features(now)


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.floats(0, 3 * 3600), min_size=1, max_size=60),
    chunk=st.integers(1, 10),
    late=st.sampled_from([0.0, 120.0, 3600.0]),
)
def test_slices_in_any_order_keep_the_ring_bounded_and_round_trip(
    offsets: list[float], chunk: int, late: float
) -> None:
    """Slices in any order (late ones too): the minute ring never holds a bucket older
    than it keeps, and the state round-trips through JSON to the same features."""
    state = AccountState("acct-a")
    events = [event(i, ts=T0 + offset) for i, offset in enumerate(offsets)]
    for i in range(0, len(events), chunk):
        state.merge(fold_events(event_records(events[i : i + chunk]))["acct-a"], late_seconds=late)
        newest = int(state.last_ts // 60)
        assert len(state.minutes) <= MINUTES_KEPT
        assert min(state.minutes) > newest - MINUTES_KEPT
    restored = AccountState.from_dict(orjson.loads(orjson.dumps(state.to_dict())))
    now = T0 + max(offsets)
    assert restored.features(now) == state.features(now)
