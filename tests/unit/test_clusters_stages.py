"""The worker's linking stages without Kafka: by-value membership, pairs, clusters."""

from __future__ import annotations

from typing import Any

from distillguard.models.codec import event_records
from distillguard.models.features import fold_events
from distillguard.streams.worker.by_value import ValueStage, value_records
from distillguard.streams.worker.clustering import PairStage
from tests.unit.test_clusters_linking import fleet_events, legit_events


def _run_stages(events: list[dict[str, Any]], partitions: int = 2) -> dict[str, str]:
    """Route value records to ``partitions`` value stages by key, pairs to one pair stage."""
    stages = [ValueStage() for _ in range(partitions)]
    pairs = PairStage()
    clusters: dict[str, str] = {}
    ordered = sorted(events, key=lambda e: float(e["ts"]))
    for start in range(0, len(ordered), 50):
        slices = fold_events(event_records(ordered[start : start + 50]))
        for value, rows in value_records(slices).items():
            stage = stages[sum(value.encode()) % partitions]
            for record in stage.apply(value, rows):
                clusters.update(pairs.apply(record))
    return clusters


def test_value_records_group_accounts_by_value() -> None:
    slices = fold_events(event_records(fleet_events(3, 1)))
    records = value_records(slices)
    card_rows = [rows for value, rows in records.items() if value.startswith("card:")]
    assert sorted(len(rows) for rows in card_rows) == [1, 2]
    assert all(row[3] is True for rows in card_rows for row in rows)  # new or unverified


def test_stages_find_the_fleet_and_leave_popular_template_users_alone() -> None:
    clusters = _run_stages(fleet_events(8, 6) + legit_events(12, 6))
    fleet = {clusters.get(f"fleet-{i}") for i in range(8)}
    assert len(fleet) == 1 and None not in fleet
    assert not [a for a, c in clusters.items() if a.startswith("legit") and c in fleet]


def test_a_pair_needs_two_independent_kinds() -> None:
    pairs = PairStage()
    base = {"a": "x", "b": "y", "ts": 10.0, "fa": 1.0, "fb": 2.0}
    assert pairs.apply({**base, "k": "prompt", "w": 0.4}) == {}
    assert pairs.apply({**base, "k": "prompt", "w": 0.4}) == {}
    changed = pairs.apply({**base, "k": "card", "w": 0.6})
    assert set(changed) == {"x", "y"} and len(set(changed.values())) == 1


def test_a_pair_on_popular_software_alone_is_no_link() -> None:
    """A popular template and a popular client stack (``x`` false: not anchoring) name no
    common operator; three popular templates in common do, as an anchoring value does."""
    pairs = PairStage()
    base = {"a": "x", "b": "y", "fa": 1.0, "fb": 2.0, "x": False}
    assert pairs.apply({**base, "ts": 10.0, "k": "prompt", "w": 0.4, "v": "prompt:1"}) == {}
    assert pairs.apply({**base, "ts": 11.0, "k": "client", "w": 0.25}) == {}
    assert pairs.apply({**base, "ts": 12.0, "k": "prompt", "w": 0.4, "v": "prompt:2"}) == {}
    changed = pairs.apply({**base, "ts": 13.0, "k": "prompt", "w": 0.4, "v": "prompt:3"})
    assert set(changed) == {"x", "y"}

    pairs = PairStage()
    assert pairs.apply({**base, "ts": 10.0, "k": "prompt", "w": 0.4, "v": "prompt:1"}) == {}
    assert pairs.apply({**base, "ts": 11.0, "k": "client", "w": 0.25}) == {}
    changed = pairs.apply({**base, "ts": 12.0, "k": "net", "w": 0.16, "x": True})
    assert set(changed) == {"x", "y"}


def test_the_value_stage_says_which_values_anchor_a_link() -> None:
    stage = ValueStage()
    rows = [[f"acct-{i}", 10.0 + i, 1.0, False] for i in range(30)]
    popular = stage.apply("prompt:1", rows)
    assert popular and all(r["x"] is False and r["v"] == "prompt:1" for r in popular[17:])
    network = stage.apply("net:1", rows)
    assert network and all(r["x"] is True and r["v"] == "net:1" for r in network)


def _co_members(a: str, kind: str, value: str, others: list[str], ts: float) -> dict[str, Any]:
    weight = {"net": 0.4, "prompt": 0.4, "client": 0.25}[kind]
    return {"a": a, "fa": 1.0, "k": kind, "w": weight, "ts": ts, "v": value,
            "with": [[b, 1.0] for b in others]}  # fmt: skip


def test_a_link_the_next_co_members_leave_out_is_dropped() -> None:
    """As the replay linker drops the links an account's relink no longer finds: ``x``'s
    next co-members of its network leave out ``y`` and ``z``. ``y`` shared only a template
    beside it and is unlinked; ``z`` still shares the template and a client stack."""
    pairs = PairStage()
    graph = pairs.graph
    pairs.apply(_co_members("x", "net", "net:1", ["y", "z"], 10.0))
    pairs.apply(_co_members("x", "prompt", "prompt:1", ["y", "z"], 10.0))
    pairs.apply(_co_members("x", "client", "client:1", ["z"], 10.0))
    assert set(graph.neighbours("x")) == {"y", "z"}
    # a fleet-only record names no co-members, and drops nothing
    pairs.apply({**_co_members("x", "prompt", "prompt:1", [], 1000.0), "f": []})
    assert set(graph.neighbours("x")) == {"y", "z"}
    pairs.apply(_co_members("x", "net", "net:1", ["w"], 2000.0))
    assert set(graph.neighbours("x")) == {"z"}
    assert set(graph.neighbours("y")) == set()
    # shared again: linked again
    pairs.apply(_co_members("y", "net", "net:1", ["x"], 2100.0))
    assert set(graph.neighbours("x")) == {"y", "z"}


def test_enforced_accounts_are_flagged_like_new_ones() -> None:
    slices = fold_events(event_records(legit_events(2, 1)))
    assert all(row[3] is False for rows in value_records(slices).values() for row in rows)
    flagged = value_records(slices, enforced={"legit-0"})
    assert {row[0] for rows in flagged.values() for row in rows if row[3]} == {"legit-0"}


def test_on_a_network_a_roaming_member_meets_no_account_that_keeps_it() -> None:
    """A residential /24: a customer who lives there (keeps its networks), fleet members
    that came through it (roam) and an account not judged yet. A roaming member meets
    the other roaming one and the unjudged one, never the customer; a row of four fields
    (roaming not sent) meets everyone."""
    stage = ValueStage()
    assert stage.apply("net:7", [["home", 100.0, 0.0, False, False]]) == []
    assert stage.apply("net:7", [["slow-1", 110.0, 105.0, False, True]]) == []
    (record,) = stage.apply("net:7", [["fresh", 120.0, 120.0, True, None]])
    assert {other for other, _ in record["with"]} == {"home", "slow-1"}
    (record,) = stage.apply("net:7", [["slow-2", 130.0, 125.0, False, True]])
    assert {other for other, _ in record["with"]} == {"fresh", "slow-1"}
    assert stage.apply("prompt:9", [["home", 140.0, 0.0, False, False]]) == []
    (record,) = stage.apply("prompt:9", [["slow-2", 141.0, 125.0, False, True]])
    assert [other for other, _ in record["with"]] == ["home"]  # only networks are judged
    (record,) = stage.apply("net:7", [["old", 150.0, 150.0, False]])
    assert len(record["with"]) == 4
