"""The worker's cluster flow without Kafka (``bench.cluster_flow``): two partitions, each
with half the accounts, one clustering stage; fleet members are enforced with one shared
cluster id, as in replay."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from distillguard.models.clusters import ClusterLinker
from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import Engine
from distillguard.models.features import AccountState, fold_events
from distillguard.models.policy.state import PolicyState
from distillguard.streams.bench.cluster_flow import PartitionedFlow
from distillguard.streams.worker.by_value import ProfileFeed, ValueMemo, batch_values
from distillguard.streams.worker.clustering import (
    LOCAL_FIELDS,
    ClusteringStage,
    decode_profile,
    encode_profile,
)
from distillguard.streams.worker.linking import rebuild_stage
from distillguard.streams.worker.scoring import Scoring
from distillguard.streams.worker.slicing import partition_of
from distillguard.streams.worker.verdicts import ClusterVerdicts
from tests.unit.test_clusters_linking import (
    NOW0,
    event,
    fleet_events,
    fleet_on_the_popular_stack,
    legit_events,
)

PARTITIONS = 2


def run_two_workers(
    events: list[dict[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], ClusteringStage]:
    flow = PartitionedFlow(PARTITIONS)
    decisions: dict[str, list[dict[str, Any]]] = {}
    for record in flow.run(event_records(sorted(events, key=lambda e: e["ts"]))):
        if record.value is not None:
            decisions.setdefault(record.key.partition(":")[2], []).append(record.value)
    return decisions, flow.stage


def test_fleet_split_over_two_workers_is_enforced_with_one_cluster_id() -> None:
    fleet = [f"fleet-{i}" for i in range(8)]
    assert {partition_of(a, PARTITIONS) for a in fleet} == set(range(PARTITIONS))
    decisions, stage = run_two_workers(fleet_events(8, 30) + legit_events(12, 30))
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


def test_a_fleet_on_the_popular_template_and_sdk_drags_no_user_of_them_in() -> None:
    """As in replay: its new accounts make the popular template and SDK count, but they
    carry no link between strangers; the fleet is still found by its cards."""
    decisions, _ = run_two_workers(legit_events(40, 60) + fleet_on_the_popular_stack(40, 60))
    enforced = {a for a, vs in decisions.items() if any(v["action"] != "monitor" for v in vs)}
    assert {f"fleet-{i}" for i in range(40)} <= enforced
    assert not [a for a in enforced if a.startswith("legit")]


def test_an_account_enforced_against_sends_its_values_again_flagged() -> None:
    memo, feed, verdicts = ValueMemo(), ProfileFeed(), ClusterVerdicts()
    slices = fold_events(event_records(legit_events(1, 1)))
    first = batch_values(slices, memo, feed, verdicts, 60.0)
    assert first and not any(row[3] for rows in first.values() for row in rows)
    assert batch_values(slices, memo, feed, verdicts, 61.0) == {}
    verdicts.observe_decision("legit-0", {"mode": "enforce", "action": "degrade"}, 61.0)
    again = batch_values(slices, memo, feed, verdicts, 62.0)
    assert set(again) == set(first) and all(row[3] for rows in again.values() for row in rows)


def test_values_of_earlier_batches_are_sent_again_flagged_once_enforced() -> None:
    """A slow account shows one template per batch: once enforced against, the templates
    it showed before are sent again too, flagged, not only those of its next batch."""
    memo, feed, verdicts = ValueMemo(), ProfileFeed(), ClusterVerdicts()
    shown: set[str] = set()
    for k in range(2):
        ev = event("slow", NOW0 + 60.0 * k, template=f"00000000000000e{k}")
        shown |= set(batch_values(fold_events(event_records([ev])), memo, feed, verdicts, ev["ts"]))
    verdicts.observe_decision("slow", {"mode": "enforce", "action": "degrade"}, NOW0 + 150.0)
    ev = event("slow", NOW0 + 180.0, template="00000000000000e9")
    again = batch_values(fold_events(event_records([ev])), memo, feed, verdicts, ev["ts"])
    assert shown < set(again)  # and the new template
    assert all(row[3] and row[5] for rows in again.values() for row in rows)


def test_a_worker_reading_back_a_live_decision_knows_the_account_is_enforced() -> None:
    """After a restart or a rebalance no decision is issued again while the live one holds;
    the policy state read back says the account is enforced against."""
    verdicts = ClusterVerdicts()
    scoring = Scoring(Engine(DetectionConfig(), [verdicts], [verdicts]), clusters=verdicts)
    state = fold_events(event_records(legit_events(2, 3)))
    live = PolicyState(action="throttle", entered_at=30.0, expires_at=9e9).to_dict()
    for account_id, policy in (("legit-0", live), ("legit-1", None)):
        account = AccountState(account_id)
        account.merge(state[account_id])
        scoring.score(account, policy, 60.0)
    assert set(verdicts.enforced) == {"legit-0"} and verdicts.drain_enforced() == ["legit-0"]


def test_verdicts_carry_the_replay_linkers_evidence() -> None:
    """The clustering stage's evidence is ClusterLinker.evidence on the same profiles."""
    _, stage = run_two_workers(fleet_events(6, 20))
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
    slices = fold_events(event_records(fleet_events(2, 4)))
    feed.merge(slices, {})
    (row, _) = feed.rows(slices, lambda a: True, 100.0)
    p = feed.profiles[row["account_id"]]
    q = decode_profile(orjson.loads(orjson.dumps(row)))
    for f in dataclasses.fields(p):
        if f.name not in LOCAL_FIELDS:
            assert getattr(q, f.name) == getattr(p, f.name), f.name
    assert encode_profile(q) == row
    assert q.networks == len(p.nets) > 0  # the prefixes stay home; their count travels
    assert p.last_nets and not q.last_nets and (q.repeats, q.changes) == (p.repeats, p.changes)


def test_a_profile_record_from_before_classified_requests_were_counted_still_reads() -> None:
    """A profile record on the topic whose minute buckets have four numbers (no count of
    classified requests): every request is taken for classified, as it was then."""
    feed = ProfileFeed()
    slices = fold_events(event_records(fleet_events(2, 4)))
    feed.merge(slices, {})
    (row, _) = feed.rows(slices, lambda a: True, 100.0)
    old = orjson.loads(orjson.dumps(row))
    old["minutes"] = [[m, bucket[:4]] for m, bucket in old["minutes"]]
    q = decode_profile(old)
    assert all(len(b) == 5 and b[4] == b[0] for b in q.minutes.values())
    assert q.totals(100.0) == feed.profiles[row["account_id"]].totals(100.0)


def test_a_new_owners_shorter_profile_keeps_what_the_stage_saw() -> None:
    """After a rebalance the account's new worker has seen only its latest minutes."""
    stage = ClusteringStage()
    events = fleet_events(1, 6)
    old_owner, new_owner = ProfileFeed(), ProfileFeed()

    def profiles(owner: ProfileFeed, evs: list[dict[str, Any]], now: float) -> dict[str, Any]:
        slices = fold_events(event_records(evs))
        owner.merge(slices, {})
        return {"t": "profiles", "rows": owner.rows(slices, lambda a: True, now)}

    stage.apply(profiles(old_owner, events, 1.0))
    before = stage.linker.profiles["fleet-0"]
    late = [e for e in events if e["ts"] >= events[-1]["ts"] - 30]
    stage.apply(profiles(new_owner, late, 2.0))
    after = stage.linker.profiles["fleet-0"]
    assert after.first_seen == before.first_seen < new_owner.profiles["fleet-0"].first_seen
    assert after.minutes == before.minutes


def test_the_stage_keeps_when_the_platform_first_refused_a_member() -> None:
    """The owner that saw an account's 403s in a row sends when it was first refused; a
    new owner after a rebalance, which saw none of them, does not make the stage forget."""
    stage = ClusteringStage()
    refused = [dict(e, status=403, completion_tokens=0) for e in fleet_events(1, 6)]
    old_owner, new_owner = ProfileFeed(), ProfileFeed()
    for owner, evs, now in ((old_owner, refused, 1.0), (new_owner, fleet_events(1, 1), 2.0)):
        slices = fold_events(event_records(evs))
        owner.merge(slices, {})
        stage.apply({"t": "profiles", "rows": owner.rows(slices, lambda a: True, now)})
        if owner is old_owner:
            at = stage.linker.profiles["fleet-0"].refused_at
            assert at is not None and at == old_owner.profiles["fleet-0"].refused_at
    assert new_owner.profiles["fleet-0"].refused_at is None
    assert stage.linker.profiles["fleet-0"].refused_at == at


def test_a_value_goes_to_the_by_value_stage_when_new_and_then_once_per_half_relink() -> None:
    memo = ValueMemo()
    half = memo.config.relink_seconds / 2
    assert memo.due({"a": {"net:1", "card:2"}}, 0.0) == {"a": {"net:1", "card:2"}}
    assert memo.due({"a": {"net:1", "card:2"}}, 1.0) == {}
    assert memo.due({"a": {"net:1", "prompt:3"}}, 2.0) == {"a": {"prompt:3"}}
    assert memo.due({"a": {"net:1"}}, half) == {"a": {"net:1"}}


def test_a_stage_rebuilt_from_its_records_is_the_stage_that_applied_them() -> None:
    """What a newly assigned clustering instance does with the clustering topic: the same
    clusters, ids, links, risk and verdicts, and nothing to publish again."""
    flow = PartitionedFlow(PARTITIONS)
    records: list[bytes] = []
    apply = flow.stage.apply

    def recording(record: Any) -> None:
        records.append(orjson.dumps(record))
        apply(record)

    flow.stage.apply = recording  # type: ignore[method-assign]
    events = sorted(fleet_events(8, 30) + legit_events(12, 30), key=lambda e: e["ts"])
    for _ in flow.run(event_records(events)):
        pass
    stage = flow.stage
    rebuilt, n = rebuild_stage(None, records)
    assert n == len(records) > 0
    cid = stage.linker.graph.cluster_of("fleet-0")
    assert cid is not None and rebuilt.linker.graph.cluster_of("fleet-0") == cid
    assert rebuilt.view(cid) == stage.view(cid)
    assert rebuilt.published == stage.published
    assert rebuilt.verdicts() == {}
