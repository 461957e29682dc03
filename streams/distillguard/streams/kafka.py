"""Small helpers around confluent-kafka: client configs, topic creation, waiting for a broker."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from distillguard.models.errors import DistillguardError


class KafkaUnavailableError(DistillguardError):
    """The brokers did not answer."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic distillguard needs, and how it must be configured."""

    name: str
    partitions: int = 4
    replication: int = 1
    config: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def compacted(cls, name: str, partitions: int = 4, replication: int = 1) -> TopicSpec:
        return cls(name, partitions, replication, {"cleanup.policy": "compact"})


def admin(bootstrap: str, **extra: Any) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap, **extra})


def wait_for_broker(bootstrap: str, timeout: float = 30.0) -> dict[str, Any]:
    """Block until the cluster answers a metadata request; return a short description."""
    client = admin(bootstrap)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            metadata = client.list_topics(timeout=min(5.0, max(0.5, deadline - time.monotonic())))
        except KafkaException as exc:
            last = exc
            time.sleep(0.5)
            continue
        return {"cluster_id": metadata.cluster_id, "brokers": len(metadata.brokers)}
    raise KafkaUnavailableError(
        f"Kafka at {bootstrap} did not answer within {timeout:.0f}s ({last})"
    )


def ensure_topics(bootstrap: str, specs: Iterable[TopicSpec], timeout: float = 30.0) -> list[str]:
    """Create the topics that do not exist yet; return the names created. Idempotent."""
    client = admin(bootstrap)
    existing = set(client.list_topics(timeout=timeout).topics)
    wanted = [s for s in specs if s.name not in existing]
    if not wanted:
        return []
    futures = client.create_topics(
        [NewTopic(s.name, s.partitions, s.replication, config=dict(s.config)) for s in wanted],
        operation_timeout=timeout,
        request_timeout=timeout,
    )
    created = []
    for name, future in futures.items():
        try:
            future.result()
            created.append(name)
        except KafkaException as exc:
            if exc.args and exc.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            raise DistillguardError(f"could not create topic {name!r}: {exc}") from exc
    return created
