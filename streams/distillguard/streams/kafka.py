"""Small helpers around confluent-kafka: client configs, topic creation, waiting for a broker."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from distillguard.models.errors import DistillguardError, UsageError


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


_ENV_TO_LIBRDKAFKA: Final = {
    "DISTILLGUARD_KAFKA_SECURITY_PROTOCOL": "security.protocol",
    "DISTILLGUARD_KAFKA_SASL_MECHANISM": "sasl.mechanism",
    "DISTILLGUARD_KAFKA_SASL_USERNAME": "sasl.username",
    "DISTILLGUARD_KAFKA_SASL_PASSWORD": "sasl.password",
    "DISTILLGUARD_KAFKA_SSL_CA_LOCATION": "ssl.ca.location",
    "DISTILLGUARD_KAFKA_SSL_CERT_LOCATION": "ssl.certificate.location",
    "DISTILLGUARD_KAFKA_SSL_KEY_LOCATION": "ssl.key.location",
}
_PROTOCOLS: Final = ("PLAINTEXT", "SSL", "SASL_SSL")
_MECHANISMS: Final = ("SCRAM-SHA-256", "SCRAM-SHA-512")


def security_config(environ: Mapping[str, str]) -> dict[str, str]:
    """librdkafka security settings from ``DISTILLGUARD_KAFKA_*``; bad values are a UsageError.

    >>> security_config({"DISTILLGUARD_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"})
    {'security.protocol': 'PLAINTEXT'}
    """
    found = {key: environ[env] for env, key in _ENV_TO_LIBRDKAFKA.items() if environ.get(env)}
    protocol = found.get("security.protocol", "PLAINTEXT")
    if protocol not in _PROTOCOLS:
        raise UsageError(
            f"DISTILLGUARD_KAFKA_SECURITY_PROTOCOL must be one of {', '.join(_PROTOCOLS)}, "
            f"got {protocol!r}"
        )
    if protocol == "SASL_SSL":
        mechanism = found.get("sasl.mechanism")
        if mechanism not in _MECHANISMS:
            raise UsageError(
                f"DISTILLGUARD_KAFKA_SASL_MECHANISM must be one of {', '.join(_MECHANISMS)} "
                f"with SASL_SSL, got {mechanism!r}"
            )
        for key in ("sasl.username", "sasl.password"):
            if key not in found:
                env = next(e for e, k in _ENV_TO_LIBRDKAFKA.items() if k == key)
                raise UsageError(f"{env} is required with SASL_SSL")
    for key in ("ssl.ca.location", "ssl.certificate.location", "ssl.key.location"):
        if key in found and not os.path.isfile(found[key]):
            raise UsageError(f"{key} file {found[key]!r} does not exist")
    return found


def client_config(bootstrap: str, **extra: Any) -> dict[str, Any]:
    """librdkafka config for any client: the brokers, the security settings from the
    environment (``DISTILLGUARD_KAFKA_*``), then ``extra``."""
    return {"bootstrap.servers": bootstrap, **security_config(os.environ), **extra}


def admin(bootstrap: str, **extra: Any) -> AdminClient:
    return AdminClient(client_config(bootstrap, **extra))


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


def create_topics(client: AdminClient, specs: Iterable[TopicSpec], timeout: float) -> list[str]:
    """Create ``specs`` with ``client``; return the names created (existing ones are skipped)."""
    wanted = list(specs)
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
    _await_leaders(client, created, timeout)
    return created


def _await_leaders(client: AdminClient, names: list[str], timeout: float) -> None:
    """Wait until the broker's metadata shows every partition of ``names`` with a leader.

    A created topic reaches the brokers' metadata a moment after the controller answers;
    a consumer that subscribes in between finds no such topic, and Faust then ignores it
    for good ("Ignoring missing topic"): an agent that never runs."""
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending:
        topics = client.list_topics(timeout=max(0.5, min(5.0, deadline - time.monotonic())))
        for name in list(pending):
            meta = topics.topics.get(name)
            if (
                meta is not None
                and meta.error is None
                and meta.partitions
                and all(part.leader >= 0 for part in meta.partitions.values())
            ):
                pending.discard(name)
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise DistillguardError(
                f"created topics without a partition leader after {timeout:.0f}s: "
                + ", ".join(sorted(pending))
            )
        time.sleep(0.1)


def ensure_topics(bootstrap: str, specs: Iterable[TopicSpec], timeout: float = 30.0) -> list[str]:
    """Create the topics that do not exist yet; return the names created. Idempotent."""
    client = admin(bootstrap)
    existing = set(client.list_topics(timeout=timeout).topics)
    return create_topics(client, [s for s in specs if s.name not in existing], timeout)
