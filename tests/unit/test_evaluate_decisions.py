"""Decision files become per-key interval lists with compacted-topic semantics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.evaluation.decisions import DecisionIndex, load_decisions
from distillguard.models.evaluation.prefixes import PrefixTable
from tests.unit.evaluate_support import decision, tombstone, write_jsonl


def _load(tmp_path: Path, rows: list[dict[str, Any]]) -> DecisionIndex:
    return load_decisions(write_jsonl(tmp_path / "decisions.jsonl", rows))


def test_replacement_tombstone_and_expiry_bound_intervals(tmp_path: Path) -> None:
    index = _load(
        tmp_path,
        [
            decision("account:a", "throttle", 10, 100),
            decision("account:a", "suspend", 20, 30),
            tombstone("account:a", 50),
            decision("account:a", "degrade", 60, 1000),
        ],
    )
    timeline = index.timelines["account:a"]
    spans = [(i.start, i.end, i.action) for i in timeline.intervals]
    assert spans == [(10, 20, "throttle"), (20, 30, "suspend"), (60, 1000, "degrade")]
    assert [timeline.at(t) is None for t in (9, 10, 19.9, 20, 30, 55, 60, 999.9, 1000)] == [
        True, False, False, False, True, True, False, False, True,
    ]  # fmt: skip


def test_monitor_and_empty_intervals_are_not_indexed(tmp_path: Path) -> None:
    index = _load(
        tmp_path,
        [
            decision("account:m", "monitor", 10, 100),
            decision("account:e", "suspend", 10, 10),
            decision("api_key:r", "suspend", 10, 100),
            decision("api_key:r", "monitor", 10, 100),
        ],
    )
    assert index.timelines == {}
    assert index.max_risk == {"account:m": 0.5, "account:e": 0.5, "api_key:r": 0.5}


def test_a_record_that_claims_an_earlier_time_still_comes_after(tmp_path: Path) -> None:
    index = _load(
        tmp_path,
        [decision("account:a", "suspend", 100, 500), decision("account:a", "degrade", 50, 500)],
    )
    spans = [(i.start, i.end, i.action) for i in index.timelines["account:a"].intervals]
    assert spans == [(100, 500, "degrade")]


def test_prefix_table_matches_v4_and_v6_longest_first() -> None:
    table = PrefixTable()
    for key in (
        "ip_prefix:10.0.0.0/8",
        "ip_prefix:10.1.0.0/16",
        "ip_prefix:10.1.2.3/24",
        "ip_prefix:2001:db8::/32",
        "ip_prefix:2001:db8:1::/48",
    ):
        table.add(key)
    assert table.match("10.1.2.200") == (
        "ip_prefix:10.1.2.3/24",
        "ip_prefix:10.1.0.0/16",
        "ip_prefix:10.0.0.0/8",
    )
    assert table.match("10.2.0.1") == ("ip_prefix:10.0.0.0/8",)
    assert table.match("2001:db8:1:ffff::9") == (
        "ip_prefix:2001:db8:1::/48",
        "ip_prefix:2001:db8::/32",
    )
    assert table.match("2001:db9::1") == ()
    assert table.match("not an address") == ()
    assert len(table) == 5


_times = st.integers(min_value=0, max_value=40)
_record = st.one_of(
    st.tuples(
        st.sampled_from(["monitor", "degrade", "suspend"]),
        st.sampled_from(["enforce", "shadow"]),
        _times,
        st.integers(min_value=0, max_value=20),
    ),
    st.tuples(st.none(), st.none(), _times, st.just(0)),
)


@settings(max_examples=150, deadline=None)
@given(records=st.lists(_record, max_size=8))
def test_interval_lookup_agrees_with_a_naive_log_replay(
    tmp_path_factory: pytest.TempPathFactory, records: list[tuple[str | None, str | None, int, int]]
) -> None:
    rows = [
        tombstone("account:a", ts)
        if action is None
        else decision("account:a", action, ts, ts + ttl, mode=mode or "enforce")
        for action, mode, ts, ttl in records
    ]
    index = _load(tmp_path_factory.mktemp("d"), rows)
    timeline = index.timelines.get("account:a")
    for probe in [t / 2 for t in range(0, 130)]:
        holding = None
        clock = float("-inf")
        for row in rows:
            clock = max(clock, float(row["ts"]))
            if clock <= probe:
                holding = row
        expected = None
        value = holding["value"] if holding is not None else None
        if isinstance(value, dict) and value["action"] != "monitor" and probe < value["expires_at"]:
            expected = (value["action"], value["mode"])
        found = timeline.at(probe) if timeline is not None else None
        assert (None if found is None else (found.action, found.mode)) == expected, probe
