"""The control components on real topics, without a worker: catch-up, live records,
agreement between workers, and labels turned into allowlist records and tombstones."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.models.config import DetectionConfig
from distillguard.models.control import ControlState
from distillguard.streams.control.applier import ConfigApplier
from distillguard.streams.control.labels import LabelHandler
from distillguard.streams.control.status import Publisher
from distillguard.streams.control.topic import read_topic
from tests.integration.test_control_worker import cli


def produce(bootstrap: str, topic: str, records: list[tuple[str, Any]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    for key, value in records:
        payload = value if isinstance(value, bytes) or value is None else orjson.dumps(value)
        producer.produce(topic, key=key.encode(), value=payload)
    assert producer.flush(30) == 0


def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.05)


def policy(**thresholds: float) -> dict[str, Any]:
    ladder = {"monitor": 0.3, "degrade": 0.6, "throttle": 0.75, "challenge": 0.85, "suspend": 0.95}
    spec = {"thresholds": ladder | thresholds, "hysteresis": 0.1}
    return {"schema_version": 1, "kind": "policy", "spec": spec}


def applier(bootstrap: str, status_topic: str, worker: str, seen: list[str]) -> ConfigApplier:
    return ConfigApplier(
        ControlState.initial(DetectionConfig()),
        worker=worker,
        status_topic=status_topic,
        publisher=Publisher(bootstrap),
        on_change=lambda state: seen.append(state.version),
    )


def test_catch_up_then_live_and_two_workers_agree(
    bootstrap: str, make_topic: Callable[..., str], consumer_factory: Callable[..., Consumer]
) -> None:
    config = make_topic("config", partitions=1, compacted=True)
    status = make_topic("config-status", partitions=1)
    produce(
        bootstrap,
        config,
        [
            ("policy", policy(suspend=0.9)),
            ("policy", policy(degrade=0.99)),  # rejected: thresholds not increasing
            (
                "allow:ci",
                {
                    "schema_version": 1,
                    "kind": "allow",
                    "spec": {"account_id": "acct_ci", "expires_at": 2e9, "reason": "CI"},
                },
            ),
            ("allow:ci", None),
        ],
    )
    swaps: list[str] = []
    first = applier(bootstrap, status, "w1", swaps)
    assert first.catch_up(bootstrap, config) == 4
    assert (
        first.state.config.policy.thresholds.suspend == 0.9
        and not first.state.config.policy.allowlist
    )
    assert (first.applied, first.rejected) == (3, 1)

    produce(
        bootstrap,
        config,
        [("detector:anomaly", {"schema_version": 1, "kind": "detector", "spec": {"weight": 0.3}})],
    )
    until(lambda: first.poll() > 0)
    assert first.state.config.anomaly.weight == 0.3 and swaps[-1] == first.state.version

    second = applier(bootstrap, status, "w2", [])
    second.catch_up(bootstrap, config)
    assert second.state.version == first.state.version
    assert first.publisher is not None and second.publisher is not None
    assert first.publisher.flush() == 0 and second.publisher.flush() == 0
    first.close()
    second.close()

    statuses = [orjson.loads(r.value or b"null") for r in read_topic(bootstrap, status)]
    w1 = [(s["key"], s["status"], s["source"]["offset"]) for s in statuses if s["worker"] == "w1"]
    assert w1 == [
        ("policy", "applied", 0),
        ("policy", "rejected", 1),
        ("allow:ci", "applied", 2),
        ("allow:ci", "removed", 3),
        ("detector:anomaly", "applied", 4),
    ]
    rejected = next(s for s in statuses if s["status"] == "rejected")
    assert rejected["field"] == "spec.thresholds" and rejected["version"] == statuses[0]["version"]


def test_labels_become_allowlist_records_tombstones_and_audits(
    bootstrap: str, make_topic: Callable[..., str], uid: str
) -> None:
    topics = {
        "config": make_topic("config", partitions=1, compacted=True),
        "status": make_topic("config-status", partitions=1),
        "decisions": make_topic("decisions", partitions=1, compacted=True),
    }
    labels = make_topic("labels", partitions=2)
    publisher = Publisher(bootstrap)
    allowed: list[str] = []
    handler = LabelHandler(
        publisher=publisher,
        worker="w1",
        topics=topics,
        config=DetectionConfig,
        learn=lambda *_: False,
        allow_locally=lambda key, _value: allowed.append(key),
    )
    handler.subscribe(bootstrap, labels, f"test-labels-{uid}")
    produce(
        bootstrap,
        labels,
        [
            (
                "acct_9",
                {
                    "schema_version": 1,
                    "label_id": "v-77",
                    "kind": "verdict",
                    "verdict": "legit",
                    "subject": {"scope": "account", "value": "acct_9"},
                    "analyst": "an-2",
                    "note": "LLM router",
                    "ts": 5000.0,
                },
            )
        ],
    )
    until(lambda: handler.poll() > 0)
    handler.close()
    assert publisher.flush() == 0 and allowed == ["allow:label-v-77"]

    allow = read_topic(bootstrap, topics["config"])
    assert [(r.key, orjson.loads(r.value or b"null")["spec"]["account_id"]) for r in allow] == [
        ("allow:label-v-77", "acct_9")
    ]
    assert [(r.key, r.value) for r in read_topic(bootstrap, topics["decisions"])] == [
        ("account:acct_9", None)
    ]
    (audit,) = [orjson.loads(r.value or b"null") for r in read_topic(bootstrap, topics["status"])]
    assert audit["key"] == "label:v-77" and audit["audit"]["analyst"] == "an-2"
    assert audit["audit"]["actions"] == ["lift", "allow", "learn_legit"]


def test_publish_refuses_a_bad_file_and_delete_a_missing_key(
    bootstrap: str, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    config = make_topic("config", partitions=1, compacted=True)
    kafka = ["--bootstrap-servers", bootstrap, "--config-topic", config]
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  thresholds: {degrade: 0.8, throttle: 0.7}\n", encoding="utf-8")
    refused = cli("config", "publish", str(bad), *kafka, "--wait", "0")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip() == (
        f"distillguard: error: {bad}: policy.thresholds: "
        "thresholds must strictly increase from monitor to suspend"
    )
    missing = cli("config", "delete", "allow:nope", *kafka, "--wait", "0")
    assert missing.returncode == 2 and "not on the config topic: allow:nope" in missing.stderr
    assert read_topic(bootstrap, config) == []

    good = tmp_path / "good.yaml"
    good.write_text(
        "allowlist:\n  - {id: ci, account_id: acct_ci, expires_at: 2e9, reason: CI}\n",
        encoding="utf-8",
    )
    assert cli("config", "publish", str(good), *kafka, "--wait", "0").returncode == 0
    assert cli("config", "delete", "allow:ci", *kafka, "--wait", "0").returncode == 0
    assert [(r.key, r.value is None) for r in read_topic(bootstrap, config)] == [
        ("allow:ci", False),
        ("allow:ci", True),
    ]
