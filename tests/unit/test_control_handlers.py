"""The Kafka-side handlers without a broker: config records → statuses, labels → actions."""

from __future__ import annotations

from typing import Any
from unittest.mock import create_autospec

import orjson
import pytest

from distillguard.models import schemas
from distillguard.models.codec import validate_decision
from distillguard.models.config import DetectionConfig
from distillguard.models.control import ControlState, decode_config_record, decode_label, plan_label
from distillguard.models.errors import ConfigRejected
from distillguard.streams.control.applier import ConfigApplier
from distillguard.streams.control.labels import LabelHandler
from distillguard.streams.control.status import Publisher
from distillguard.streams.control.topic import Record

TOPICS = {"config": "cfg", "status": "st", "decisions": "dec"}


def record(key: str, value: Any, offset: int = 0, topic: str = "cfg") -> Record:
    raw = orjson.dumps(value) if isinstance(value, dict) else value
    return Record(topic, 0, offset, 1.0, key, raw)


def label(**fields: Any) -> dict[str, Any]:
    base = {
        "schema_version": 1,
        "label_id": "l-1",
        "kind": "verdict",
        "verdict": "legit",
        "subject": {"scope": "account", "value": "acct_1"},
        "analyst": "an-1",
        "note": "batch jobs",
        "ts": 1000.0,
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def sent(publisher: Any) -> list[tuple[str, str, Any]]:
    return [tuple(c.args) for c in publisher.send.call_args_list]


@pytest.fixture
def publisher() -> Any:
    return create_autospec(Publisher, instance=True, spec_set=True)


def test_applier_acknowledges_applied_rejected_and_removed(publisher: Any) -> None:
    swaps: list[ControlState] = []
    applier = ConfigApplier(
        ControlState.initial(DetectionConfig()),
        worker="w1",
        status_topic="st",
        publisher=publisher,
        on_change=swaps.append,
    )
    good = {"schema_version": 1, "kind": "policy", "spec": {"thresholds": {"suspend": 0.9}}}
    bad = {"schema_version": 1, "kind": "policy", "spec": {"thresholds": {"suspend": 0.1}}}
    statuses = [
        applier.handle(record("policy", good, 0)),
        applier.handle(record("policy", bad, 1)),
        applier.handle(record("policy", None, 2)),
        applier.handle(record("allow:x", None, 3)),
    ]
    assert [s["status"] for s in statuses] == ["applied", "rejected", "removed", "removed"]
    assert statuses[1]["version"] == statuses[0]["version"] != "default"
    assert (
        statuses[1]["field"] == "spec.thresholds"
        and "policy: spec.thresholds" in statuses[1]["reason"]
    )
    assert statuses[2]["version"] == "default"
    assert [s.version for s in swaps] == [statuses[0]["version"], "default"]  # no-op: no swap
    for status in statuses:
        schemas.validator("config-status.v1")(status)
    assert [(t, k) for t, k, _ in sent(publisher)] == [("st", "policy")] * 3 + [("st", "allow:x")]
    assert (applier.applied, applier.rejected) == (3, 1)


def test_upheld_appeal_allowlists_lifts_trains_and_audits(publisher: Any) -> None:
    allowed: list[tuple[str, Any]] = []
    learnt: list[tuple[str, bool, float]] = []

    def learn(account: str, abuse: bool, ts: float) -> bool:
        learnt.append((account, abuse, ts))
        return True

    handler = LabelHandler(
        publisher=publisher,
        worker="w1",
        topics=TOPICS,
        config=DetectionConfig,
        learn=learn,
        allow_locally=lambda key, value: allowed.append((key, value)),
    )
    appeal = label(kind="appeal", verdict=None, appeal="upheld", label_id="AP-9", allow_seconds=60)
    status = handler.handle(record("acct_1", appeal, 5, topic="labels"))
    writes = sent(publisher)
    assert [(t, k) for t, k, _ in writes] == [
        ("cfg", "allow:label-ap-9"),
        ("dec", "account:acct_1"),
        ("st", "label:AP-9"),
    ]
    allow = writes[0][2]
    assert decode_config_record("allow:label-ap-9", allow) is not None
    assert allow["spec"] == {
        "account_id": "acct_1",
        "expires_at": 1060.0,
        "reason": "appeal upheld by an-1 (AP-9)",
    }
    assert allowed == [("allow:label-ap-9", allow)]
    assert writes[1][2] is None  # the tombstone
    assert learnt == [("acct_1", False, 1000.0)]
    assert status["audit"]["decisions"] == [{"key": "account:acct_1", "action": None}]
    assert status["status"] == "handled" and status["reason"] is None
    assert status["source"] == {"topic": "labels", "partition": 0, "offset": 5}


def test_abuse_verdict_with_escalation_issues_an_analyst_decision(publisher: Any) -> None:
    handler = LabelHandler(
        publisher=publisher,
        worker="w1",
        topics=TOPICS,
        config=DetectionConfig,
        learn=lambda *_: False,
        allow_locally=lambda *_: None,
    )
    status = handler.handle(record("acct_1", label(verdict="abuse", escalate="suspend")))
    (dec_topic, key, decision), (st_topic, _, _) = sent(publisher)
    assert (dec_topic, key, st_topic) == ("dec", "account:acct_1", "st")
    validate_decision(decision)
    assert decision["action"] == "suspend" and decision["origin"] == "analyst"
    assert decision["expires_at"] == 1000.0 + DetectionConfig().policy.ttl.suspend
    assert status["audit"]["actions"] == ["learn_abuse", "escalate"]
    assert "not trained" in status["reason"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (b"{", "not JSON"),
        (orjson.dumps(label(verdict="spam")), "verdict"),
        (orjson.dumps(label(kind="appeal", verdict="legit", appeal="upheld")), "must not carry"),
        (orjson.dumps(label(escalate="suspend")), "only an abuse verdict"),
    ],
)
def test_bad_labels_are_ignored_with_the_reason(publisher: Any, value: bytes, words: str) -> None:
    handler = LabelHandler(
        publisher=publisher,
        worker="w1",
        topics=TOPICS,
        config=DetectionConfig,
        learn=lambda *_: pytest.fail("must not learn"),
        allow_locally=lambda *_: None,
    )
    status = handler.handle(Record("labels", 0, 3, 0.0, "acct_1", value))
    assert status["status"] == "ignored" and words in status["reason"]
    assert [(t, k) for t, k, _ in sent(publisher)] == [("st", "label:acct_1")]


@pytest.mark.parametrize(
    ("fields", "lift", "learn"),
    [
        ({"verdict": "legit"}, True, False),
        ({"verdict": "abuse"}, False, True),
        ({"kind": "appeal", "verdict": None, "appeal": "upheld"}, True, False),
        ({"kind": "appeal", "verdict": None, "appeal": "denied"}, False, True),
        ({"kind": "appeal", "verdict": None, "appeal": "opened"}, False, None),
    ],
)
def test_plans(fields: dict[str, Any], lift: bool, learn: bool | None) -> None:
    plan = plan_label(decode_label(orjson.dumps(label(**fields))))
    assert (plan.lift, plan.learn_abuse, plan.allow_key is not None) == (lift, learn, lift)


def test_long_label_ids_still_make_valid_allow_keys() -> None:
    plan = plan_label(decode_label(orjson.dumps(label(label_id="X" * 120))))
    assert plan.allow_key is not None and len(plan.allow_key) <= len("allow:") + 64
    with pytest.raises(ConfigRejected):
        decode_label(None)


def test_a_config_the_engine_cannot_take_is_rejected_and_the_old_one_restored(
    publisher: Any,
) -> None:
    in_force: list[str] = []

    def swap(state: ControlState) -> None:
        if state.config.policy.throttle_rpm == 7:
            raise RuntimeError("engine refused")
        in_force.append(state.version)

    applier = ConfigApplier(
        ControlState.initial(DetectionConfig()),
        worker="w1",
        status_topic="st",
        publisher=publisher,
        on_change=swap,
    )
    status = applier.handle(
        record("policy", {"schema_version": 1, "kind": "policy", "spec": {"throttle_rpm": 7}})
    )
    assert status["status"] == "rejected" and "could not apply: RuntimeError" in status["reason"]
    assert applier.state.version == "default" and in_force == ["default"]
