"""Online-model snapshots on a compacted topic, so a restarted worker keeps what it learned.

One record per worker instance (key = instance id); the value is a small envelope of each
model's own ``to_bytes`` snapshot. Models are pickles: the topic must be writable only by the
workers' principal (Kafka ACLs), like the Faust changelog topics.
"""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from distillguard.streams.kafka import client_config as kafka_config

log = logging.getLogger(__name__)


#: Errors of a partition that exists but has no leader yet.
_NOT_READY = {
    KafkaError.NOT_LEADER_FOR_PARTITION,
    KafkaError.LEADER_NOT_AVAILABLE,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
}


def _watermarks(consumer: Consumer, tp: TopicPartition, wait: float = 15.0) -> tuple[int, int]:
    """Low and high offsets, waiting out retriable errors such as a partition whose leader
    is not elected yet (a snapshot topic created a moment ago)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            low, high = consumer.get_watermark_offsets(tp, 10)
            return int(low), int(high)
        except KafkaException as exc:
            error = exc.args[0]
            waiting = error.retriable() or error.code() in _NOT_READY
            if not waiting or time.monotonic() >= deadline:
                raise
            time.sleep(0.25)


def load_latest(
    bootstrap: str, topic: str, key: str, client_config: dict[str, Any] | None = None
) -> dict[str, bytes] | None:
    """The newest snapshot written under ``key``, or ``None``."""
    consumer = Consumer(
        {
            **kafka_config(bootstrap),
            "group.id": f"snapshot-reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            **(client_config or {}),
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is None or metadata.error is not None:
            return None
        latest: bytes | None = None
        for partition in metadata.partitions:
            low, high = _watermarks(consumer, TopicPartition(topic, partition))
            if high <= low:
                continue
            consumer.assign([TopicPartition(topic, partition, low)])
            position = low
            deadline = time.monotonic() + 30
            while position < high and time.monotonic() < deadline:
                for message in consumer.consume(500, timeout=0.5):
                    offset = message.offset()
                    if message.error() is not None or offset is None:
                        continue
                    position = offset + 1
                    if message.key() == key.encode():
                        latest = message.value()
        if latest is None:
            return None
        envelope = orjson.loads(latest)
        return {name: base64.b64decode(blob) for name, blob in envelope["models"].items()}
    finally:
        consumer.close()


class SnapshotWriter:
    """Writes snapshots for one worker instance."""

    def __init__(
        self, bootstrap: str, topic: str, key: str, client_config: dict[str, Any] | None = None
    ) -> None:
        self._producer = Producer(
            {
                **kafka_config(bootstrap),
                "message.max.bytes": 16 * 1024 * 1024,
                **(client_config or {}),
            }
        )
        self._topic = topic
        self._key = key.encode()

    def write(self, models: dict[str, bytes]) -> None:
        envelope = {
            "v": 1,
            "written_at": time.time(),
            "models": {name: base64.b64encode(blob).decode() for name, blob in models.items()},
        }
        self._producer.produce(self._topic, key=self._key, value=orjson.dumps(envelope))
        self._producer.flush(10)


def read_committed(
    bootstrap: str,
    topic: str,
    group: str,
    client_config: dict[str, Any] | None = None,
    partition: int = 0,
) -> Iterator[bytes]:
    """The values of one partition from its first offset up to ``group``'s committed
    offset: what a stage of that group had consumed when its previous owner stopped. An
    uncommitted partition yields nothing (the group starts it from the beginning itself)."""
    consumer = Consumer(
        {
            **kafka_config(bootstrap),
            "group.id": group,
            "enable.auto.commit": False,
            **(client_config or {}),
        }
    )
    try:
        tp = TopicPartition(topic, partition)
        (committed,) = consumer.committed([tp], timeout=15)
        end = committed.offset
        low, _ = _watermarks(consumer, tp)
        if end is None or end <= low:
            return
        consumer.assign([TopicPartition(topic, partition, low)])
        position = low
        idle = time.monotonic() + 30
        while position < end:
            for message in consumer.consume(500, timeout=0.5):
                offset = message.offset()
                if message.error() is None and offset is not None and offset < end:
                    idle = time.monotonic() + 30
                    value = message.value()
                    if value is not None:
                        yield value
            # the next offset to fetch (past transaction markers, which are never delivered)
            (at,) = consumer.position([tp])
            if at.offset is not None and at.offset >= 0:
                position = at.offset
            if position < end and time.monotonic() >= idle:
                raise TimeoutError(f"{topic}[{partition}]: stuck at offset {position} of {end}")
    finally:
        consumer.close()
