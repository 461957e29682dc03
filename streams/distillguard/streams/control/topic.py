"""Reading the control topics: a whole (compacted) topic to its end, with no consumer group.

Every worker and every ``config`` command needs *all* of the config topic, not a share of
it, so these consumers assign every partition themselves and never commit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from distillguard.streams.kafka import KafkaUnavailableError
from distillguard.streams.kafka import client_config as kafka_config


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a control topic (value ``None`` is a tombstone)."""

    topic: str
    partition: int
    offset: int
    timestamp: float
    key: str
    value: bytes | None


def to_record(message: Any) -> Record:
    kind, ms = message.timestamp()
    raw_key = message.key()
    return Record(
        topic=message.topic(),
        partition=message.partition(),
        offset=message.offset(),
        timestamp=ms / 1000.0 if kind and ms > 0 else 0.0,
        key=raw_key.decode("utf-8", "replace") if raw_key is not None else "",
        value=message.value(),
    )


def assigned_consumer(
    bootstrap: str,
    topic: str,
    client_config: Mapping[str, Any] | None = None,
    timeout: float = 10.0,
    since: float | None = None,
) -> tuple[Consumer, dict[int, int]]:
    """A consumer on every partition of ``topic`` from the beginning (or from the first
    record at or after wall time ``since``); the end offsets now (0: nothing to read)."""
    consumer = Consumer(
        {
            **kafka_config(bootstrap),
            "group.id": f"distillguard-control-{uuid.uuid4().hex[:12]}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            **dict(client_config or {}),
        }
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            metadata = consumer.list_topics(topic, timeout=timeout)
        except KafkaException as exc:
            consumer.close()
            raise KafkaUnavailableError(f"Kafka at {bootstrap} did not answer: {exc}") from None
        meta = metadata.topics.get(topic)
        # a topic the broker is creating (auto-creation on this very request) has no
        # leader yet: ask again until it has, or until ``timeout``
        creating = meta is not None and meta.error is not None and meta.error.retriable()
        if not creating or time.monotonic() >= deadline:
            break
        time.sleep(0.25)
    if meta is None or meta.error is not None or not meta.partitions:
        consumer.close()
        raise KafkaUnavailableError(f"topic {topic!r} does not exist on {bootstrap}")
    ends: dict[int, int] = {}
    deadline = time.monotonic() + timeout
    for p in meta.partitions:
        while p not in ends:
            try:
                ends[p] = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)[
                    1
                ]
            except KafkaException as exc:  # a new topic's leader may not be elected yet
                if time.monotonic() > deadline:
                    consumer.close()
                    raise KafkaUnavailableError(f"{topic}[{p}]: no end offset: {exc}") from None
                time.sleep(0.2)
    starts = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in meta.partitions]
    if since is not None:
        wanted = [TopicPartition(topic, p, int(since * 1000)) for p in meta.partitions]
        starts = consumer.offsets_for_times(wanted, timeout=timeout)
        for start in starts:
            if start.offset < 0:  # no record at or after ``since``
                ends[start.partition] = 0
    consumer.assign(starts)
    return consumer, ends


def read_to_end(
    consumer: Consumer, topic: str, ends: dict[int, int], timeout: float = 30.0
) -> Iterator[Record]:
    """Records until every partition reached its end offset (as taken at assignment)."""
    pending = {p for p, end in ends.items() if end > 0}
    deadline = time.monotonic() + timeout
    while pending:
        if time.monotonic() > deadline:
            raise KafkaUnavailableError(f"could not read {topic!r} to its end in {timeout:.0f}s")
        for message in consumer.consume(500, timeout=0.2):
            if message.error() is None:
                yield to_record(message)
        # the position also moves past transaction markers and compacted-away offsets
        positions = consumer.position([TopicPartition(topic, p) for p in pending])
        for tp in positions:
            if tp.offset >= ends[tp.partition]:
                pending.discard(tp.partition)


def read_topic(
    bootstrap: str,
    topic: str,
    client_config: Mapping[str, Any] | None = None,
    timeout: float = 30.0,
    since: float | None = None,
) -> list[Record]:
    """Every record currently on ``topic`` (after compaction, for a compacted one), or only
    those written at or after wall time ``since``."""
    consumer, ends = assigned_consumer(bootstrap, topic, client_config, since=since)
    try:
        return list(read_to_end(consumer, topic, ends, timeout))
    finally:
        consumer.close()
