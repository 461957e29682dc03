"""Folding events into per-account slices: counts, sketches, JSON round trip."""

from __future__ import annotations

import orjson

from distillguard.models.codec import event_dict, event_records
from distillguard.models.features import AccountSlice, AccountState, fold_events
from distillguard.models.features import counters as C
from distillguard.models.features.slices import SKETCH_K, ip_prefix
from tests.unit.detection_support import T0, event, stream


def test_fold_groups_by_account_and_counts() -> None:
    events = stream(10, account_id="a") + stream(4, account_id="b", seed=1)
    slices = fold_events(event_records(events))
    assert set(slices) == {"a", "b"}
    assert slices["a"].events == 10
    assert sum(b[C.N] for b in slices["a"].minutes.values()) == 10
    assert sum(b[C.COMPLETION_TOKENS] for b in slices["b"].minutes.values()) == 4 * 400


def test_fold_is_independent_of_arrival_order() -> None:
    events = stream(50, every=3.0)
    forward = fold_events(event_records(events))["acct-a"].to_dict()
    backward = fold_events(event_records(list(reversed(events))))["acct-a"].to_dict()
    assert forward == backward


def test_fold_does_not_mutate_events() -> None:
    events = list(event_records(reversed(stream(5))))  # out of order: the fold sorts
    order = list(events)
    before = [event_dict(e) for e in events]
    fold_events(events)
    assert events == order
    assert [event_dict(e) for e in events] == before


def test_optional_fields_absent_or_null_are_accepted() -> None:
    bare = event(0)
    nulls = event(
        1,
        ts=T0 + 1,
        params=None,
        prompt=None,
        account=None,
        asn=None,
        user_agent=None,
        reasoning_tokens=None,
    )
    partial = event(
        2,
        ts=T0 + 2,
        params={"max_tokens": None, "n": None, "logit_bias": None},
        prompt={"category": None, "lang": None, "cot_request": None},
        account={"created_at": None, "tier": None},
    )
    s = fold_events(event_records([bare, nulls, partial]))["acct-a"]
    assert s.events == 3
    assert s.meta == {}


def test_flags_are_counted() -> None:
    harvest = event(
        0,
        completion_tokens=1,
        params={"max_tokens": 1, "logprobs": True, "top_logprobs": 5, "logit_bias": True, "n": 3},
        prompt={"cot_request": True, "rubric_request": True, "category": "math"},
    )
    bucket = next(iter(fold_events(event_records([harvest]))["acct-a"].minutes.values()))
    for index in (C.HARVEST, C.LOGIT_BIAS, C.TOP_LOGPROBS, C.LOGPROBS, C.N_GT1, C.COT, C.RUBRIC):
        assert bucket[index] == 1.0
    assert bucket[C.MT_FULL] == 1.0
    assert bucket[C.CAT0 + C.CATEGORIES.index("math")] == 1.0


def test_a_harvest_reading_more_than_a_label_set_is_counted_wide() -> None:
    """Alternatives per token beyond a label classifier's handful (``LABEL_WINDOW``):
    extraction reads all the API gives."""

    def probe(i: int, **params: object) -> dict[str, object]:
        wanted = {"max_tokens": 1, "logit_bias": True} | params
        return event(i, completion_tokens=1, params=wanted)

    probes = [
        probe(0, top_logprobs=20),
        probe(1, top_logprobs=C.LABEL_WINDOW + 1),
        probe(2, top_logprobs=C.LABEL_WINDOW),
        probe(3, top_logprobs=2),
        probe(4, logprobs=True),
        event(5, completion_tokens=1, params={"max_tokens": 1, "top_logprobs": 20}),
    ]
    bucket = next(iter(fold_events(event_records(probes))["acct-a"].minutes.values()))
    assert bucket[C.HARVEST] == 5.0
    assert bucket[C.HARVEST_WIDE] == 2.0


def test_buckets_written_before_the_last_counters_read_as_zero_there() -> None:
    """A slice from a worker not yet upgraded, or a changelog's state, has shorter
    buckets: counters are only appended, so the missing ones read as 0."""
    data = fold_events(event_records(stream(30, every=7.0)))["acct-a"].to_dict()
    for minute in data["minutes"].values():
        del minute[C.HARVEST_WIDE :]
    again = AccountSlice.from_dict(orjson.loads(orjson.dumps(data)))
    state = AccountState("acct-a")
    state.merge(again)
    old = state.to_dict()
    for key in ("minutes", "hours"):
        for bucket in old[key].values():
            del bucket[C.HARVEST_WIDE :]
    del old["minute_total"][C.HARVEST_WIDE :]
    restored = AccountState.from_dict(orjson.loads(orjson.dumps(old)))
    assert all(len(b) == C.SIZE for b in again.minutes.values())
    assert all(len(b) == C.SIZE for b in restored.hours.values())
    assert len(restored.minute_total) == C.SIZE
    now = max(e["ts"] for e in stream(30, every=7.0))
    assert restored.features(now) == state.features(now)


def test_sketches_are_bounded() -> None:
    s = fold_events(event_records(stream(500)))["acct-a"]
    for hs in s.hours.values():
        assert all(len(sk) <= SKETCH_K for sk in hs.sketches.values())
        assert all(sk == sorted(sk) for sk in hs.sketches.values())


def test_slice_round_trips_through_json() -> None:
    s = fold_events(event_records(stream(100, every=7.0)))["acct-a"]
    again = AccountSlice.from_dict(orjson.loads(orjson.dumps(s.to_dict())))
    assert again == s


def test_ip_prefix() -> None:
    assert ip_prefix("203.0.113.77") == "203.0.113.0/24"
    assert ip_prefix("2001:db8:1:2::5") == "2001:db8:1::/48"
