"""Bundles over Kafka: publish to ``distillguard.intel.out``, follow ``distillguard.intel.in``.

TAXII 2.1 leaves push channels undefined; between labs that already run Kafka a topic is
the simpler transport. One record is one bundle: key = bundle id, value = the bundle's JSON,
header ``distillguard-signature`` = the detached signature (see ``docs/intel.md``). Records
are zstd-compressed so a bundle of a few MiB fits the broker's default message size.

``follow`` admits each record exactly as ``intel import`` admits a file: a bad bundle is
logged with its offset and reason and skipped (the watch file does not change), a good one
is merged and the watch file rewritten atomically before the offset is committed, so a
crash re-applies at most the last bundle (merging is idempotent).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson
from confluent_kafka import Consumer, KafkaError, Producer

from distillguard.models.intel.errors import BundleRejected
from distillguard.models.intel.validate import Limits, load_bundle
from distillguard.models.intel.watch import WatchList, load_watch, merge, save_watch
from distillguard.streams.kafka import client_config
from distillguard.streams.metrics import INTEL_BUNDLES

log = logging.getLogger(__name__)
SIGNATURE_HEADER: Final = "distillguard-signature"


def publish(
    bootstrap: str,
    topic: str,
    document: Mapping[str, Any],
    signature: Mapping[str, Any] | None = None,
    timeout: float = 30.0,
) -> None:
    """Send one bundle and wait until the broker has it."""
    producer = Producer(
        {
            **client_config(bootstrap),
            "compression.type": "zstd",
            "enable.idempotence": True,
            "message.max.bytes": 16 * 1024 * 1024,
        }
    )
    errors: list[str] = []

    def delivered(err: Any, msg: Any) -> None:
        if err is not None:
            errors.append(str(err))

    headers: list[tuple[str, str | bytes | None]] = (
        [(SIGNATURE_HEADER, orjson.dumps(signature))] if signature else []
    )
    producer.produce(
        topic,
        key=str(document.get("id", "")).encode(),
        value=orjson.dumps(document),
        headers=headers,
        on_delivery=delivered,
    )
    left = producer.flush(timeout)
    if left or errors:
        reason = errors[0] if errors else f"not delivered within {timeout:.0f}s"
        raise BundleRejected(f"publishing to {topic} failed: {reason}")


@dataclass
class FollowStats:
    imported: int = 0
    rejected: int = 0


class Follower:
    """Merges partner bundles from a topic into a watch file."""

    def __init__(
        self,
        consumer: Consumer,
        watch_path: Path,
        limits: Limits,
        keys: Mapping[str, bytes],
        require_signature: bool,
        on_reject: Callable[[str], None] | None = None,
    ) -> None:
        self.consumer = consumer
        self.watch_path = watch_path
        self.limits = limits
        self.keys = keys
        self.require_signature = require_signature
        self.on_reject = on_reject or (lambda line: log.warning("%s", line))
        self.stats = FollowStats()

    def _signature(self, msg: Any) -> Any:
        for name, value in msg.headers() or ():
            if name == SIGNATURE_HEADER and value is not None:
                try:
                    return orjson.loads(value)
                except orjson.JSONDecodeError:
                    return {"alg": "unreadable"}
        return None

    def handle(self, msg: Any) -> None:
        where = f"{msg.topic()}[{msg.partition()}]@{msg.offset()}"
        try:
            admitted = load_bundle(
                msg.value() or b"", self.limits, self._signature(msg), self.keys,
                self.require_signature,
            )  # fmt: skip
        except BundleRejected as exc:
            self.stats.rejected += 1
            INTEL_BUNDLES.labels("rejected").inc()
            self.on_reject(f"intel bundle at {where} rejected: {exc}")
            return
        current = load_watch(self.watch_path) if self.watch_path.exists() else WatchList()
        merged, counts = merge(current, admitted)
        save_watch(merged, self.watch_path)
        self.stats.imported += 1
        INTEL_BUNDLES.labels("merged").inc()
        log.info("intel bundle at %s from %s merged: %s", where, admitted.partner, counts)

    def run(self, idle_seconds: float | None = None, poll: float = 0.5) -> FollowStats:
        """Follow the topic; with ``idle_seconds``, return after that long without records."""
        quiet_since = time.monotonic()
        while True:
            msg = self.consumer.poll(poll)
            if msg is None:
                if idle_seconds is not None and time.monotonic() - quiet_since >= idle_seconds:
                    return self.stats
                continue
            quiet_since = time.monotonic()
            err = msg.error()
            if err is not None:
                if err.code() != KafkaError._PARTITION_EOF:
                    log.warning("intel consumer: %s", err)
                continue
            self.handle(msg)
            self.consumer.commit(message=msg, asynchronous=False)


def consumer(bootstrap: str, topic: str, group: str) -> Consumer:
    c = Consumer(
        {
            **client_config(bootstrap),
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "fetch.message.max.bytes": 16 * 1024 * 1024,
        }
    )
    c.subscribe([topic])
    return c
