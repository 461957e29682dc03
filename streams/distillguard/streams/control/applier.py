"""Apply the config topic in a running worker: validate, swap atomically, acknowledge.

Every worker reads the whole compacted topic (no consumer group) from the beginning: first
to its end before scoring starts (:meth:`ConfigApplier.catch_up`), then whatever arrives
(:meth:`ConfigApplier.poll`, non-blocking, called on the worker's event loop so a swap never
lands in the middle of an account's scoring). Each record yields one status record: applied
or removed with the new version, or rejected with the reason naming the field and the
version still in force.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from confluent_kafka import Consumer

from distillguard.models.control import ControlState
from distillguard.models.control.records import split_key
from distillguard.models.errors import ConfigRejected
from distillguard.streams import metrics
from distillguard.streams.control.status import Publisher, status_record
from distillguard.streams.control.topic import Record, assigned_consumer, read_to_end, to_record

log = logging.getLogger(__name__)

OnChange = Callable[[ControlState], None]


class ConfigApplier:
    """Holds the :class:`ControlState` in force and moves it forward record by record."""

    def __init__(
        self,
        state: ControlState,
        *,
        worker: str,
        status_topic: str,
        publisher: Publisher | None,
        on_change: OnChange,
    ) -> None:
        self.state = state
        self.worker = worker
        self.status_topic = status_topic
        self.publisher = publisher
        self.on_change = on_change
        self.applied = 0
        self.rejected = 0
        self._consumer: Consumer | None = None
        metrics.CONFIG_INFO.info({"version": state.version})

    def handle(self, record: Record) -> dict[str, Any]:
        """Apply one record (or reject it) and acknowledge it; the status written."""
        try:
            new = self.state.apply(record.key, record.value)
            if new is not self.state:
                self._swap(new, record.key)
        except ConfigRejected as exc:
            self.rejected += 1
            section = _section(record.key)
            metrics.CONFIG_REJECTED.labels(section=section).inc()
            log.warning(
                "config record %s at offset %d rejected: %s", record.key, record.offset, exc
            )
            status = status_record(
                record,
                "rejected",
                self.state.version,
                self.worker,
                reason=str(exc),
                field=exc.field,
            )
        else:
            self.applied += 1
            log.info("config record %s applied: version %s", record.key, new.version)
            status = status_record(
                record, "removed" if record.value is None else "applied", new.version, self.worker
            )
        if self.publisher is not None:
            self.publisher.send(self.status_topic, record.key or "<empty>", status)
        return status

    def _swap(self, new: ControlState, key: str) -> None:
        """Put ``new`` in force, or raise ``ConfigRejected`` with the old one still in force."""
        try:
            self.on_change(new)
        except Exception as exc:  # noqa: BLE001 - a config that cannot apply is rejected
            log.exception("config version %s could not be applied", new.version)
            self.on_change(self.state)
            raise ConfigRejected(key, f"could not apply: {type(exc).__name__}: {exc}") from exc
        self.state = new
        metrics.CONFIG_INFO.info({"version": new.version})

    def apply_local(self, key: str, value: Mapping[str, Any]) -> None:
        """Apply a record this worker is also publishing, before it comes back from Kafka."""
        try:
            new = self.state.apply(key, value)
        except ConfigRejected as exc:
            log.error("own config record %s rejected: %s", key, exc)
            return
        if new is not self.state:
            try:
                self._swap(new, key)
            except ConfigRejected as exc:
                log.error("own config record %s could not apply: %s", key, exc)

    def catch_up(
        self, bootstrap: str, topic: str, client_config: Mapping[str, Any] | None = None
    ) -> int:
        """Read ``topic`` to its end now (blocking); keep the consumer for :meth:`poll`."""
        consumer, ends = assigned_consumer(bootstrap, topic, client_config)
        self._consumer = consumer
        count = 0
        for record in read_to_end(consumer, topic, ends):
            self.handle(record)
            count += 1
        return count

    def poll(self, max_records: int = 200) -> int:
        """Handle what arrived since the last call, without blocking."""
        if self._consumer is None:
            return 0
        count = 0
        for message in self._consumer.consume(max_records, timeout=0):
            if message.error() is not None:
                log.warning("config topic: %s", message.error())
                continue
            self.handle(to_record(message))
            count += 1
        return count

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


def _section(key: str) -> str:
    try:
        return split_key(key)[0]
    except ConfigRejected:
        return "unknown"
