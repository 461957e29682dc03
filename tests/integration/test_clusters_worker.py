"""Worker linking on the real Kafka: a fleet spread over partitions is found as one cluster."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.models.codec import event_records
from distillguard.streams.worker.slicing import partition_of, slice_batches
from tests.unit.test_clusters_linking import fleet_events, legit_events

REPO = Path(__file__).resolve().parents[2]
PARTITIONS = 2


def test_fleet_across_partitions_is_one_cluster_and_legit_sharers_are_not(
    bootstrap: str,
    make_topic: Callable[..., str],
    consumer_factory: Callable[..., Consumer],
    uid: str,
    tmp_path: Path,
    faust_app: Callable[[str, dict[str, str]], subprocess.Popen[bytes]],
) -> None:
    slices_topic = make_topic("slices", partitions=PARTITIONS)
    alerts_topic = make_topic("cluster-alerts", partitions=1, compacted=True)
    fleet = [f"fleet-{i}" for i in range(8)]
    assert {partition_of(a, PARTITIONS) for a in fleet} == set(range(PARTITIONS))
    legit = [f"legit-{i}" for i in range(12)]
    events = sorted(event_records(fleet_events(8, 6) + legit_events(12, 6)), key=lambda e: e.ts)
    transform = slice_batches(slices_topic, PARTITIONS)
    producer = Producer({"bootstrap.servers": bootstrap})
    for start in range(0, len(events), 200):
        for record in transform(events[start : start + 200]):
            assert record.partition is not None  # slices go to their account's partition
            producer.produce(
                record.topic, key=record.key, value=record.value, partition=record.partition
            )
    assert producer.flush(30) == 0

    env = {
        "CLUSTERS_TEST_UID": uid,
        "CLUSTERS_TEST_BOOTSTRAP": bootstrap,
        "CLUSTERS_TEST_SLICES": slices_topic,
        "CLUSTERS_TEST_ALERTS": alerts_topic,
        "CLUSTERS_TEST_DATADIR": str(tmp_path / "faust"),
    }
    worker = faust_app("clusters_faust_app", env)
    consumer = consumer_factory(alerts_topic)
    clusters: dict[str, str] = {}
    polls = 0
    while not set(fleet) <= set(clusters) and polls < 1800 and worker.poll() is None:
        polls += 1
        for message in consumer.consume(num_messages=1000, timeout=0.1):
            value = message.value()
            if message.error() is None and value is not None:
                alert = orjson.loads(value)
                clusters[alert["account_id"]] = alert["cluster_id"]
    assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    assert set(fleet) <= set(clusters), (tmp_path / "worker.log").read_text()[-3000:]
    # drain what was sent so far, then check nobody legitimate joined the fleet
    for message in consumer.consume(num_messages=1000, timeout=2.0):
        value = message.value()
        if message.error() is None and value is not None:
            alert = orjson.loads(value)
            clusters[alert["account_id"]] = alert["cluster_id"]
    assert len({clusters[a] for a in fleet}) == 1
    fleet_cluster = clusters[fleet[0]]
    assert not [a for a in legit if clusters.get(a) == fleet_cluster]
