"""Generated traffic: contract-valid, ordered, deterministic, and truth kept out of events."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.models.codec import decode_event, event_dict
from distillguard.models.sim import Simulation, generate, load_scenario, write_files
from tests.support import contract_view


@pytest.fixture(scope="module")
def smoke() -> Simulation:
    return Simulation(load_scenario("smoke"))


@pytest.fixture(scope="module")
def events(smoke: Simulation) -> list[dict[str, Any]]:
    return list(smoke.events())


def test_every_event_satisfies_the_contract(events: list[dict[str, Any]]) -> None:
    assert len(events) > 1000
    for event in events:
        decoded = decode_event(orjson.dumps(event))
        assert event_dict(decoded) == contract_view(event)


def test_events_are_ordered_and_inside_the_scenario(
    smoke: Simulation, events: list[dict[str, Any]]
) -> None:
    ts = [e["ts"] for e in events]
    assert ts == sorted(ts)
    assert smoke.scenario.start_ts <= ts[0] and ts[-1] < smoke.scenario.end_ts
    assert len({e["event_id"] for e in events}) == len(events)
    assert len(events) == smoke.size


def test_truth_covers_exactly_the_accounts_in_the_events(
    smoke: Simulation, events: list[dict[str, Any]]
) -> None:
    truth = smoke.truth()
    assert {row["account_id"] for row in truth} == {e["account_id"] for e in events}
    assert len({row["account_id"] for row in truth}) == len(truth)
    for row in truth:
        assert set(row) == {"account_id", "persona", "is_attack", "campaign"}
        assert (row["campaign"] is not None) == row["is_attack"]
    assert {r["is_attack"] for r in truth} == {True, False}


def test_truth_and_private_data_never_reach_events(
    smoke: Simulation, events: list[dict[str, Any]]
) -> None:
    blob = b"\n".join(orjson.dumps(e) for e in events)
    for row in smoke.truth():
        if row["campaign"]:
            assert row["campaign"].encode() not in blob
    for persona in {row["persona"] for row in smoke.truth()}:
        assert f'"{persona}"'.encode() not in blob
    assert b"@" not in blob
    assert b"is_attack" not in blob


def test_ids_have_the_expected_shapes(events: list[dict[str, Any]]) -> None:
    for event in events[:500]:
        assert event["account_id"].startswith("acct_")
        assert event["api_key_id"].startswith("key_")
        assert event["event_id"].startswith("evt_")


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    scenario = load_scenario("smoke")
    write_files(scenario, tmp_path / "a", scale=0.3)
    write_files(scenario, tmp_path / "b", scale=0.3)
    write_files(scenario.with_seed(scenario.seed + 1), tmp_path / "c", scale=0.3)
    for name in ("events.jsonl", "truth.jsonl", "scenario.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "events.jsonl").read_bytes() != (
        tmp_path / "c" / "events.jsonl"
    ).read_bytes()


def test_summary_counts_match_the_files(tmp_path: Path) -> None:
    summary = write_files(load_scenario("smoke"), tmp_path, scale=0.3)
    lines = (tmp_path / "events.jsonl").read_bytes().splitlines()
    truth = [orjson.loads(x) for x in (tmp_path / "truth.jsonl").read_bytes().splitlines()]
    on_disk = orjson.loads((tmp_path / "scenario.json").read_bytes())
    assert on_disk == summary
    counts = summary["counts"]
    assert counts["events"] == len(lines)
    assert counts["accounts"] == len(truth)
    assert counts["attack_accounts"] == sum(r["is_attack"] for r in truth)
    statuses = Counter(orjson.loads(x)["status"] for x in lines)
    assert counts["status"] == {str(k): v for k, v in sorted(statuses.items())}
    assert summary["releases"][0]["name"] == "atlas-3"
    assert summary["start"] < summary["releases"][0]["ts"] < summary["end"]


def test_scale_changes_volume_not_accounts() -> None:
    scenario = load_scenario("smoke")
    small, full = Simulation(scenario, 0.25), Simulation(scenario, 1.0)
    assert small.size < full.size * 0.5
    assert {p.persona for p in small.plans} == {p.persona for p in full.plans}


def test_generate_is_the_event_iterator(smoke: Simulation, events: list[dict[str, Any]]) -> None:
    first = next(generate(smoke.scenario))
    assert first == events[0]
