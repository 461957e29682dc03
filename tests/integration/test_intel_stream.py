"""Bundles over a real Kafka topic: good ones merge, bad ones are skipped with a reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Producer

from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.intel.export import ExportOptions, export_bundle
from distillguard.models.intel.harvest import Harvest
from distillguard.models.intel.keys import ConsortiumKey
from distillguard.models.intel.signing import sign
from distillguard.models.intel.validate import Limits
from distillguard.models.intel.watch import load_watch
from distillguard.streams.intel_stream import Follower, consumer, publish
from tests.unit.intel_support import campaign_decisions, campaign_events

SECRET = b"lab-a-to-lab-b-secret-000000001"


def _bundle() -> dict[str, Any]:
    harvest = Harvest(ConsortiumKey(b"consortium-secret-for-tests-0001"))
    harvest.add_decisions(campaign_decisions())
    harvest.add_events(event_records(campaign_events()))
    doc: dict[str, Any] = orjson.loads(
        export_bundle(harvest, ExportOptions(producer="lab-a"), DetectionConfig()).serialize()
    )
    return doc


def test_follow_merges_signed_bundles_and_skips_bad_ones(
    bootstrap: str, make_topic: Callable[..., str], uid: str, tmp_path: Path
) -> None:
    topic = make_topic("intel-in", partitions=1)
    doc = _bundle()
    tampered = orjson.loads(orjson.dumps(doc))
    tampered["objects"][-1]["confidence"] = 1
    publish(bootstrap, topic, tampered, sign(doc, "lab-a", SECRET))
    raw = Producer({"bootstrap.servers": bootstrap})
    raw.produce(topic, value=b"{garbage")
    raw.flush(10)
    publish(bootstrap, topic, doc)  # unsigned: refused, signatures are required
    publish(bootstrap, topic, doc, sign(doc, "lab-a", SECRET))
    rejected: list[str] = []
    watch = tmp_path / "watch.json"
    follower = Follower(
        consumer(bootstrap, topic, f"test-intel-{uid}"),
        watch,
        Limits(),
        {"lab-a": SECRET},
        require_signature=True,
        on_reject=rejected.append,
    )
    try:
        stats = follower.run(idle_seconds=5)
    finally:
        follower.consumer.close()
    assert (stats.imported, stats.rejected) == (1, 3)
    assert "does not match the bundle" in rejected[0]
    assert "not JSON" in rejected[1]
    assert "not signed" in rejected[2]
    rules = load_watch(watch).rules
    assert rules and all(r.verified and r.partner == "lab-a" for r in rules)
