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
from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)

from distillguard.streams.kafka import client_config as kafka_config

log = logging.getLogger(__name__)
#: A partition read gives up when no message arrives for this long before its end.
IDLE_SECONDS = 30.0


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
            try:
                for message in _read(consumer, TopicPartition(topic, partition), low, high):
                    if message.key() == key.encode():
                        latest = message.value()
            except TimeoutError:
                log.warning("snapshot topic %s[%d] stalled; using what was read", topic, partition)
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


class PartitionLog:
    """One partition of a topic read back by a stage of consumer group ``group``: the offset
    the group committed there, and the records before an offset."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        group: str,
        client_config: dict[str, Any] | None = None,
        partition: int = 0,
    ) -> None:
        self.bootstrap, self.group, self.client_config = bootstrap, group, client_config
        self.tp = TopicPartition(topic, partition)

    def _consumer(self) -> Consumer:
        return Consumer(
            {
                **kafka_config(self.bootstrap),
                "group.id": self.group,
                "enable.auto.commit": False,
                **(self.client_config or {}),
            }
        )

    def committed(self) -> int:
        """The group's committed offset (the next record it would consume); -1: none."""
        consumer = self._consumer()
        try:
            (at,) = consumer.committed([self.tp], timeout=15)
            return at.offset if at.offset is not None and at.offset >= 0 else -1
        finally:
            consumer.close()

    def read(self, end: int) -> Iterator[bytes]:
        """The values from the partition's first offset up to ``end`` (exclusive)."""
        consumer = self._consumer()
        try:
            low, _ = _watermarks(consumer, self.tp)
            if end <= low:
                return
            for message in _read(consumer, self.tp, low, end):
                value = message.value()
                if value is not None:
                    yield value
        finally:
            consumer.close()


def _read(consumer: Consumer, tp: TopicPartition, start: int, end: int) -> Iterator[Message]:
    """The messages of ``tp`` from offset ``start`` up to ``end`` (exclusive); a
    ``TimeoutError`` when no message arrives for ``IDLE_SECONDS`` before ``end``."""
    consumer.assign([TopicPartition(tp.topic, tp.partition, start)])
    position = start
    idle = time.monotonic() + IDLE_SECONDS
    while position < end:
        for message in consumer.consume(500, timeout=0.5):
            offset = message.offset()
            if message.error() is None and offset is not None and offset < end:
                idle = time.monotonic() + IDLE_SECONDS
                yield message
        # the next offset to fetch (past transaction markers, which are never delivered)
        (at,) = consumer.position([tp])
        if at.offset is not None and at.offset >= 0:
            position = at.offset
        if position < end and time.monotonic() >= idle:
            raise TimeoutError(f"{tp.topic}[{tp.partition}]: stuck at offset {position} of {end}")
