"""Status and audit records on ``distillguard.config.status`` (``config-status.v1``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import orjson
from confluent_kafka import Producer

from distillguard.models import schemas
from distillguard.streams.control.topic import Record
from distillguard.streams.kafka import client_config as kafka_config

log = logging.getLogger(__name__)
CONFIG_STATUS_V1 = "config-status.v1"
_validate = schemas.validator(CONFIG_STATUS_V1)


def status_record(
    source: Record,
    status: str,
    version: str,
    worker: str,
    *,
    key: str | None = None,
    reason: str | None = None,
    field: str | None = None,
    audit: Mapping[str, Any] | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """One ``config-status.v1`` value (validated: a bug here must not reach the topic)."""
    record: dict[str, Any] = {
        "schema_version": 1,
        "key": key if key is not None else source.key,
        "status": status,
        "version": version,
        "reason": reason,
        "field": field,
        "worker": worker,
        "at": time.time() if now is None else now,
        "source": {"topic": source.topic, "partition": source.partition, "offset": source.offset},
    }
    if audit is not None:
        record["audit"] = dict(audit)
    _validate(record)
    return record


class Publisher:
    """A small producer for the control topics (status, audit, config, decisions)."""

    def __init__(self, bootstrap: str, client_config: Mapping[str, Any] | None = None) -> None:
        self._producer = Producer(
            {
                **kafka_config(bootstrap),
                "enable.idempotence": True,
                "linger.ms": 5,
                **dict(client_config or {}),
            }
        )
        self.failed = 0

    def _delivered(self, err: Any, message: Any) -> None:
        if err is not None:
            self.failed += 1
            log.error("could not write to %s: %s", message.topic(), err)

    def send(self, topic: str, key: str, value: Mapping[str, Any] | None) -> None:
        payload = orjson.dumps(value) if value is not None else None
        self._producer.produce(topic, key=key.encode(), value=payload, on_delivery=self._delivered)
        self._producer.poll(0)

    def flush(self, timeout: float = 10.0) -> int:
        """Wait for outstanding writes; the number still undelivered."""
        return int(self._producer.flush(timeout))
