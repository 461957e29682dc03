"""Faust (aiokafka) and confluent-kafka both work against the local Apache Kafka.

The Faust app counts requests per prompt template: events keyed by account are re-keyed by
template through a repartition topic (``group_by``) into a table with a changelog. The
changelog must end with exact counts.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.streams.kafka import admin

REPO = Path(__file__).resolve().parents[2]
N = 3000


def test_broker_is_apache_kafka_in_kraft_mode(bootstrap: str) -> None:
    result = subprocess.run(
        [str(REPO / "docker/kafka/kafka.sh"), "status"], capture_output=True, text=True
    )
    print(result.stdout)
    metadata = admin(bootstrap).list_topics(timeout=10)
    assert metadata.brokers, "no broker in the cluster metadata"
    if "not started by this script" not in result.stdout:
        assert "Apache Kafka 4.1.1 (KRaft mode" in result.stdout
        meta = (REPO / ".kafka/data/meta.properties").read_text()
        assert "node.id=1" in meta and "cluster.id=" in meta  # KRaft storage, no ZooKeeper


def test_faust_table_with_group_by_counts_exactly(
    bootstrap: str,
    make_topic: Callable[..., str],
    consumer_factory: Callable[..., Consumer],
    uid: str,
    tmp_path: Path,
    faust_app: Callable[[str, dict[str, str]], subprocess.Popen[bytes]],
) -> None:
    topic = make_topic("requests", partitions=2)
    env = {
        "FAUST_TEST_UID": uid,
        "FAUST_TEST_BOOTSTRAP": bootstrap,
        "FAUST_TEST_TOPIC": topic,
        "FAUST_TEST_DATADIR": str(tmp_path / "faust"),
    }
    worker = faust_app("faust_app", env)
    producer = Producer({"bootstrap.servers": bootstrap})
    expected: Counter[str] = Counter()
    for i in range(N):
        template = f"tpl-{(i * 7) % 5}"
        expected[template] += 1
        value = {"account_id": f"acct-{i % 11}", "template": template}
        producer.produce(topic, key=value["account_id"].encode(), value=orjson.dumps(value))
    assert producer.flush(30) == 0

    changelog = f"faust-compat-{uid}-per-template-{uid}-changelog"
    latest: dict[str, int] = {}
    polls = 0
    consumer: Consumer | None = None
    while sum(latest.values()) != N and polls < 1800 and worker.poll() is None:
        polls += 1
        if consumer is None:
            if changelog not in admin(bootstrap).list_topics(timeout=5).topics:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.wait(0.2)  # Faust creates its changelog once it is assigned
                continue
            consumer = consumer_factory(changelog)
        for message in consumer.consume(num_messages=1000, timeout=0.1):
            raw_key, raw_value = message.key(), message.value()
            if message.error() is None and raw_key is not None and raw_value is not None:
                latest[orjson.loads(raw_key)] = orjson.loads(raw_value)
    assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    assert latest == dict(expected)
    topics = admin(bootstrap).list_topics(timeout=5).topics
    repartition = [t for t in topics if "repartition" in t and uid in t]
    assert repartition, "group_by did not go through a repartition topic"
