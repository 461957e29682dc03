"""The worker's cluster flow without Kafka: two workers, each with half the accounts, one
clustering stage; fleet members are enforced with one shared cluster id, as in replay."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import orjson

from distillguard.models.clusters import ClusterLinker, linking_values
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import Engine
from distillguard.models.features import AccountSlice, fold_events
from distillguard.streams.worker.clustering import ClusteringStage, decode_profile, encode_profile
from distillguard.streams.worker.linking import ProfileFeed, ValueStage, value_records
from distillguard.streams.worker.slicing import partition_of
from distillguard.streams.worker.verdicts import ClusterVerdicts
from tests.unit.test_clusters_linking import fleet_events, legit_events

PARTITIONS = 2
TICK = 30.0


class Captured:
    """Hands the slices an engine folded each tick to the test's linking stages."""

    def __init__(self) -> None:
        self.slices: dict[str, AccountSlice] = {}

    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        self.slices = dict(slices)

    def observe_decision(self, account_id: str, value: Any, now: float) -> None:
        pass

    def holds(self, account_id: str) -> bool:
        return False


class Worker:
    def __init__(self) -> None:
        self.verdicts = ClusterVerdicts()
        self.captured = Captured()
        self.engine = Engine(
            DetectionConfig(), sources=[self.verdicts], observers=[self.captured, self.verdicts]
        )
        self.feed = ProfileFeed()


def run_two_workers(
    events: list[dict[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], ClusteringStage, list[Worker]]:
    workers = [Worker() for _ in range(PARTITIONS)]
    values = [ValueStage() for _ in range(PARTITIONS)]
    stage = ClusteringStage()
    decisions: dict[str, list[dict[str, Any]]] = {}
    events = sorted(events, key=lambda e: e["ts"])
    now = (events[0]["ts"] // TICK + 1) * TICK
    i = 0
    while i < len(events):
        while i < len(events) and events[i]["ts"] < now:
            ev = events[i]
            workers[partition_of(ev["account_id"], PARTITIONS)].engine.observe(ev)
            i += 1
        records: list[dict[str, Any]] = []
        for w in workers:
            for record in w.engine.tick(now):
                if record.value is not None:
                    decisions.setdefault(record.key.partition(":")[2], []).append(record.value)
            slices = w.captured.slices
            w.captured.slices = {}
            w.feed.note_members(w.verdicts.drain_changed())
            for value, rows in value_records(slices).items():
                pairs = values[sum(value.encode()) % PARTITIONS].apply(value, rows)
                if pairs:
                    records.append({"t": "pairs", "rows": pairs})
            vals = {a: linking_values(p) for a, p in slices.items()}
            rows = w.feed.rows(slices, vals, lambda a, w=w: a in w.verdicts.verdicts, now)
            if rows:
                records.append({"t": "profiles", "rows": rows})
            feedback = w.verdicts.drain_feedback()
            if feedback:
                records.append({"t": "decisions", "rows": feedback})
        for record in records:
            stage.apply(record)
        for account_id, verdict in stage.verdicts().items():
            for w in workers:
                w.verdicts.update(account_id, verdict)
        now += TICK
    return decisions, stage, workers


def test_fleet_split_over_two_workers_is_enforced_with_one_cluster_id() -> None:
    fleet = [f"fleet-{i}" for i in range(8)]
    assert {partition_of(a, PARTITIONS) for a in fleet} == set(range(PARTITIONS))
    decisions, stage, _ = run_two_workers(fleet_events(8, 30) + legit_events(12, 30))
    enforcing = {
        a: {v["cluster_id"] for v in vs if v["action"] not in ("monitor", None)}
        for a, vs in decisions.items()
    }
    assert set(fleet) <= {a for a, c in enforcing.items() if c}
    cids = set().union(*(enforcing[a] for a in fleet))
    assert len(cids) == 1 and None not in cids
    assert not [a for a, c in enforcing.items() if a.startswith("legit") and c]
    (cid,) = cids
    view = stage.view(str(cid))
    assert view is not None and {m["account_id"] for m in view["members"]} == set(fleet)
    assert view["risk"] > 0 and view["links"]
    assert all(m["evidence"] and m["decision"] for m in view["members"])


def test_verdicts_carry_the_replay_linkers_evidence() -> None:
    """The clustering stage's evidence is ClusterLinker.evidence on the same profiles."""
    _, stage, _ = run_two_workers(fleet_events(6, 20))
    cid = stage.linker.graph.cluster_of("fleet-0")
    assert cid is not None
    verdict = stage.verdict("fleet-0")
    assert verdict is not None and verdict["cluster_id"] == cid
    expected = ClusterLinker.evidence(stage.linker, "fleet-0", {}, stage.now)
    assert [(e["code"], e["weight"]) for e in verdict["evidence"]] == [
        (e.code, e.weight) for e in expected
    ]


def test_profiles_travel_with_every_activity_field() -> None:
    feed = ProfileFeed()
    slices = fold_events(fleet_events(2, 4))
    (row, _) = feed.rows(slices, {}, lambda a: True, 100.0)
    p = feed.profiles[row["account_id"]]
    q = decode_profile(orjson.loads(orjson.dumps(row)))
    for f in dataclasses.fields(p):
        if f.name not in ("values", "linked_at", "linked_values"):
            assert getattr(q, f.name) == getattr(p, f.name), f.name
    assert encode_profile(q) == row


def test_a_new_owners_shorter_profile_keeps_what_the_stage_saw() -> None:
    """After a rebalance the account's new worker has seen only its latest minutes."""
    stage = ClusteringStage()
    events = fleet_events(1, 6)
    old_owner, new_owner = ProfileFeed(), ProfileFeed()
    stage.apply(
        {"t": "profiles", "rows": old_owner.rows(fold_events(events), {}, lambda a: True, 1.0)}
    )
    before = stage.linker.profiles["fleet-0"]
    late = [e for e in events if e["ts"] >= events[-1]["ts"] - 30]
    stage.apply(
        {"t": "profiles", "rows": new_owner.rows(fold_events(late), {}, lambda a: True, 2.0)}
    )
    after = stage.linker.profiles["fleet-0"]
    assert after.first_seen == before.first_seen < new_owner.profiles["fleet-0"].first_seen
    assert after.minutes == before.minutes
