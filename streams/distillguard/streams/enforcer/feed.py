"""Read the compacted decision topic into a :class:`DecisionCache`, on its own thread.

Every enforcer replica needs every decision, so the feed assigns all partitions from the
beginning and never joins a consumer group or commits offsets. It is *ready* once it has
read up to the high watermarks it saw at start (the state of the topic when it came up),
and it keeps applying new records after that. Each successful round trip to the brokers
(records received, or the watermarks fetched while idle) marks :class:`Freshness`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Final

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from distillguard.streams import metrics
from distillguard.streams.enforcer.cache import DecisionCache
from distillguard.streams.enforcer.freshness import Freshness
from distillguard.streams.kafka import client_config

log = logging.getLogger("distillguard.enforcer")

#: Records per ``consume`` call while catching up, and after (smaller batches release the
#: GIL more often, which keeps HTTP check latency flat while updates stream in).
BOOTSTRAP_BATCH: Final = 10_000
LIVE_BATCH: Final = 500


class DecisionFeed:
    """A daemon thread: topic ``topic`` on ``bootstrap`` → ``cache``."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        cache: DecisionCache,
        freshness: Freshness,
        *,
        probe_interval: float = 1.0,
        consumer_factory: Callable[[dict[str, Any]], Consumer] = Consumer,
    ) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.cache = cache
        self.freshness = freshness
        self.probe_interval = probe_interval
        self._consumer_factory = consumer_factory
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="decision-feed", daemon=True)
        self._partitions: set[int] = set()
        self._pending: dict[int, int] = {}  # partition -> high watermark seen at start
        self._malformed_seen = 0
        self._start_attempts = 0

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            consumer = self._consumer_factory(
                {
                    **client_config(self.bootstrap),
                    # Required by the client; never joined (assign, no subscribe) nor committed.
                    "group.id": f"distillguard-enforcer-{socket.gethostname()}-{os.getpid()}",
                    "enable.auto.commit": False,
                    "enable.auto.offset.store": False,
                    "enable.partition.eof": True,
                    # Enough to stream a large topic fast without holding much of it in memory.
                    "fetch.max.bytes": 16 * 1024 * 1024,
                    "queued.max.messages.kbytes": 32 * 1024,
                }
            )
        except KafkaException as exc:
            self.failed = exc
            log.error("cannot create the decision consumer: %s", exc)
            return
        try:
            self._loop(consumer)
        except Exception as exc:  # keep the process answering (per failure mode) and say why
            self.failed = exc
            log.exception("decision feed stopped")
        finally:
            consumer.close()

    # --- the loop ---------------------------------------------------------------------------
    def _loop(self, consumer: Consumer) -> None:
        while not self._stop.is_set() and not self._start(consumer):
            self._stop.wait(1.0)
        last_probe = time.monotonic()
        while not self._stop.is_set():
            batch = LIVE_BATCH if self.ready.is_set() else BOOTSTRAP_BATCH
            messages = consumer.consume(num_messages=batch, timeout=0.5)
            received = self._apply(messages)
            if received:
                self.freshness.mark()
                last_probe = time.monotonic()
            elif time.monotonic() - last_probe >= self.probe_interval:
                last_probe = time.monotonic()
                self._probe(consumer)
            if not self.ready.is_set() and not self._pending:
                log.info(
                    "decision feed caught up: %d decisions held, %d malformed records skipped",
                    len(self.cache),
                    sum(self.cache.malformed.values()),
                )
                self.ready.set()
            self._export()

    def _start(self, consumer: Consumer) -> bool:
        """Assign every partition from the beginning and note the targets; False to retry."""
        try:
            metadata = consumer.list_topics(self.topic, timeout=2.0)
            topic = metadata.topics.get(self.topic)
            if topic is None or topic.error is not None or not topic.partitions:
                reason = topic.error if topic is not None else "unknown topic"
                self._waiting(f"decision topic {self.topic!r} not available yet ({reason})")
                return False
            partitions = sorted(topic.partitions)
            for partition in partitions:
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(self.topic, partition), timeout=5.0, cached=False
                )
                log.debug("partition %d: watermarks %d..%d", partition, low, high)
                if high > low:
                    self._pending[partition] = high
        except KafkaException as exc:
            self._waiting(f"cannot read decision topic {self.topic!r} metadata yet: {exc}")
            self._pending.clear()
            return False
        self._partitions = set(partitions)
        consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
        self.freshness.mark()
        log.info(
            "reading %d partitions of %r from the beginning (%d records to catch up)",
            len(partitions),
            self.topic,
            sum(self._pending.values()),
        )
        return True

    def _waiting(self, why: str) -> None:
        """Say why the feed cannot start: at once, then every 30th retry (about twice a minute)."""
        if self._start_attempts % 30 == 0:
            log.warning("%s; retrying", why)
        self._start_attempts += 1

    def _apply(self, messages: list[Any]) -> bool:
        received = False
        apply = self.cache.apply
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    # the end as the fetch saw it; caught up only once it reached the
                    # watermark noted at start (an end reported earlier is not the end)
                    partition, end = message.partition(), message.offset()
                    target = self._pending.get(partition)
                    if target is not None and end >= target:
                        del self._pending[partition]
                        log.debug("partition %d caught up at its end, offset %d", partition, end)
                    received = True
                else:
                    log.warning("decision feed: %s", error)
                continue
            received = True
            key = message.key()
            try:
                text = key.decode("utf-8") if key is not None else ""
            except UnicodeDecodeError:
                text = ""
            if not apply(text, message.value()):
                log.warning(
                    "skipped malformed decision record at %s[%d]@%d",
                    self.topic,
                    message.partition(),
                    message.offset(),
                )
            partition = message.partition()
            target = self._pending.get(partition)
            if target is not None and message.offset() + 1 >= target:
                del self._pending[partition]
                log.debug("partition %d caught up at offset %d", partition, message.offset())
        return received

    def _probe(self, consumer: Consumer) -> None:
        """A broker round trip while idle: proves the stream is reachable; finds new partitions."""
        try:
            metadata = consumer.list_topics(self.topic, timeout=2.0)
            topic = metadata.topics.get(self.topic)
            if topic is None or topic.error is not None:
                return
            for partition in list(self._partitions)[:1]:
                consumer.get_watermark_offsets(
                    TopicPartition(self.topic, partition), timeout=2.0, cached=False
                )
        except KafkaException as exc:
            log.warning("decision feed cannot reach the brokers: %s", exc)
            return
        added = set(topic.partitions) - self._partitions
        if added:
            log.info("decision topic %r grew: reading partitions %s", self.topic, sorted(added))
            consumer.incremental_assign(
                [TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in sorted(added)]
            )
            self._partitions |= added
        self.freshness.mark()

    def _export(self) -> None:
        for scope, count in self.cache.counts().items():
            metrics.ENFORCER_DECISIONS.labels(scope).set(count)
        malformed = sum(self.cache.malformed.values())
        if malformed > self._malformed_seen:
            metrics.ENFORCER_MALFORMED.inc(malformed - self._malformed_seen)
            self._malformed_seen = malformed
