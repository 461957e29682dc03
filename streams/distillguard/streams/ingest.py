"""The hot path: raw API events in, compact records out, exactly once.

A Faust agent costs ~90 µs per message before doing any work (DESIGN-BRIEF §7), so raw events
never pass through Faust. This stage reads ``api.events`` with confluent-kafka, decodes and
validates each record with :mod:`distillguard.models.codec`, routes malformed ones to the
dead-letter topic, and hands the valid ones, a batch at a time, to a ``transform`` that turns
them into a few fat records (per-account slices). Outputs, dead letters and the consumed
offsets are committed in one Kafka transaction, so a crash or a rebalance neither loses nor
double-counts anything: an aborted batch is simply read again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import OFFSET_INVALID, Consumer, KafkaError, KafkaException, Producer
from confluent_kafka import TopicPartition as KafkaTopicPartition

from distillguard.models.codec import (
    MAX_AHEAD_SECONDS,
    Event,
    Source,
    deadletter_record,
    decode_event,
    encode,
)
from distillguard.models.errors import DecodeError
from distillguard.streams import metrics
from distillguard.streams.kafka import client_config as kafka_config

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutRecord:
    """One record to produce inside the batch's transaction."""

    topic: str
    key: bytes | None
    value: bytes | None
    partition: int | None = None
    reason: str | None = None


Transform = Callable[[Sequence[Event]], Iterable[OutRecord]]


@dataclass(slots=True)
class IngestStats:
    """Counters of one ingest loop (also exported as Prometheus metrics)."""

    consumed: int = 0
    valid: int = 0
    deadlettered: int = 0
    batches: int = 0
    aborted: int = 0
    produced: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Batch:
    events: list[Event] = field(default_factory=list)
    deadletters: list[OutRecord] = field(default_factory=list)
    size: int = 0
    started: float = 0.0
    #: events stamped after this (wall clock, read when the batch started, plus
    #: ``MAX_AHEAD_SECONDS``) are dead-lettered
    latest_ts: float = 0.0


class TransactionalIngest:
    """consume → decode/validate → transform → produce + commit offsets, transactionally.

    ``client_config`` is merged into both the consumer and the producer config (security
    settings). ``transactional_id`` must be stable for one instance (e.g. ``<group>-<pod>``) so
    a restarted instance fences its zombie predecessor.
    """

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        source_topic: str,
        deadletter_topic: str,
        transactional_id: str,
        transform: Transform,
        max_batch: int = 20_000,
        flush_interval: float = 1.0,
        client_config: Mapping[str, Any] | None = None,
        instance_id: str | None = None,
        on_commit: Callable[[IngestStats], None] | None = None,
    ) -> None:
        common = kafka_config(bootstrap, **(client_config or {}))
        consumer_config: dict[str, Any] = {
            **common,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "fetch.max.bytes": 64 * 1024 * 1024,
            "max.partition.fetch.bytes": 8 * 1024 * 1024,
            "queued.max.messages.kbytes": 262_144,
        }
        if instance_id:
            consumer_config["group.instance.id"] = instance_id
        self._consumer = Consumer(consumer_config)
        self._producer = Producer(
            {
                **common,
                "transactional.id": transactional_id,
                "linger.ms": 20,
                "compression.type": "lz4",
                "message.max.bytes": 4 * 1024 * 1024,
            }
        )
        self._source = source_topic
        self._deadletter = deadletter_topic
        self._transform = transform
        self._max_batch = max_batch
        self._flush_interval = flush_interval
        self._batch = _Batch()
        self._running = threading.Event()
        self._on_commit = on_commit
        self.stats = IngestStats()

    def _on_revoke(self, consumer: Consumer, partitions: list[KafkaTopicPartition]) -> None:
        # Nothing of the pending batch has been produced: drop it, and its records are read
        # again by whoever owns the partitions next (offsets were not committed).
        if self._batch.size:
            log.info("rebalance: dropping %d uncommitted records", self._batch.size)
        self._batch = _Batch()

    def _on_assign(self, consumer: Consumer, partitions: list[KafkaTopicPartition]) -> None:
        log.info("assigned %s", ", ".join(f"{p.topic}[{p.partition}]" for p in partitions))

    def stop(self) -> None:
        self._running.clear()

    def run(self, *, idle_timeout: float | None = None) -> IngestStats:
        """Process until :meth:`stop` (or ``idle_timeout`` seconds without a record)."""
        self._producer.init_transactions(30)
        self._consumer.subscribe(
            [self._source], on_assign=self._on_assign, on_revoke=self._on_revoke
        )
        self._running.set()
        last_record = time.monotonic()
        try:
            while self._running.is_set():
                messages = self._consumer.consume(num_messages=self._max_batch, timeout=0.2)
                if messages:
                    last_record = time.monotonic()
                for message in messages:
                    self._accept(message)
                now = time.monotonic()
                due = self._batch.size and (
                    self._batch.size >= self._max_batch
                    or now - self._batch.started >= self._flush_interval
                )
                if due:
                    self._flush()
                elif idle_timeout is not None and now - last_record > idle_timeout:
                    if self._batch.size:
                        self._flush()
                    break
            if self._batch.size:
                self._flush()
        finally:
            self._consumer.close()
            self._producer.flush(10)
        return self.stats

    def _accept(self, message: Any) -> None:
        error = message.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                return
            if error.fatal():
                raise KafkaException(error)
            log.warning("consumer error (continuing): %s", error)
            return
        if not self._batch.size:
            self._batch.started = time.monotonic()
            self._batch.latest_ts = time.time() + MAX_AHEAD_SECONDS
        self._batch.size += 1
        self.stats.consumed += 1
        value = message.value()
        try:
            event = decode_event(value)
            if event.ts > self._batch.latest_ts:
                days = (event.ts - time.time()) / 86400.0
                raise DecodeError(
                    "invalid_value",
                    f"field 'ts': {event.ts} is {days:,.0f} days ahead of this worker's clock "
                    "(a gateway clock or unit error)",
                    "ts",
                )
            self._batch.events.append(event)
        except DecodeError as exc:
            _, timestamp = message.timestamp()
            record = deadletter_record(
                exc,
                source=Source(
                    message.topic(),
                    message.partition(),
                    message.offset(),
                    timestamp / 1000 if timestamp and timestamp > 0 else None,
                ),
                key=message.key(),
                value=value,
                now=time.time(),
            )
            self._batch.deadletters.append(
                OutRecord(self._deadletter, message.key(), encode(record), reason=exc.reason)
            )

    def _flush(self) -> None:
        batch, self._batch = self._batch, _Batch()
        outputs = list(self._transform(batch.events))
        producer = self._producer
        try:
            producer.begin_transaction()
            for record in (*outputs, *batch.deadletters):
                self._produce(record)
            positions = self._consumer.position(self._consumer.assignment())
            producer.send_offsets_to_transaction(
                [p for p in positions if p.offset != OFFSET_INVALID],
                self._consumer.consumer_group_metadata(),
                30,
            )
            producer.commit_transaction(30)
        except KafkaException as exc:
            self._abort(exc)
            return
        self.stats.batches += 1
        self.stats.valid += len(batch.events)
        self.stats.deadlettered += len(batch.deadletters)
        for record in batch.deadletters:
            reason = record.reason or "unknown"
            self.stats.by_reason[reason] = self.stats.by_reason.get(reason, 0) + 1
            metrics.DEADLETTERED.labels(reason=reason).inc()
        self.stats.produced += len(outputs)
        metrics.EVENTS.labels(topic=self._source).inc(len(batch.events))
        metrics.LAST_PROGRESS.set(time.time())
        if self._on_commit is not None:
            self._on_commit(self.stats)

    def _produce(self, record: OutRecord) -> None:
        while True:
            try:
                if record.partition is None:
                    self._producer.produce(record.topic, key=record.key, value=record.value)
                else:
                    self._producer.produce(
                        record.topic, key=record.key, value=record.value, partition=record.partition
                    )
                return
            except BufferError:
                self._producer.poll(0.05)

    def _abort(self, exc: KafkaException) -> None:
        error = exc.args[0] if exc.args else None
        if error is not None and getattr(error, "fatal", lambda: False)():
            raise exc
        log.warning("transaction failed, aborting and re-reading the batch: %s", exc)
        self.stats.aborted += 1
        try:
            self._producer.abort_transaction(30)
        except KafkaException as abort_exc:
            raise abort_exc from exc
        self._rewind()

    def _rewind(self) -> None:
        """Seek every assigned partition back to its committed offset."""
        assignment = self._consumer.assignment()
        committed = self._consumer.committed(assignment, timeout=30)
        for partition in committed:
            if partition.offset == OFFSET_INVALID:
                partition.offset = -2  # OFFSET_BEGINNING: nothing committed yet
            self._consumer.seek(partition)


def passthrough(topic: str) -> Transform:
    """A transform that re-emits each valid event, re-encoded, keyed by account."""

    def transform(events: Sequence[Event]) -> Iterable[OutRecord]:
        for event in events:
            yield OutRecord(topic, event.account_id.encode(), encode(event))

    return transform
