"""Every Kafka client gets the security settings from the environment."""

from __future__ import annotations

import pytest

from distillguard.models.clusters import LinkingConfig
from distillguard.models.errors import UsageError
from distillguard.streams.kafka import client_config
from distillguard.streams.worker.linking import clustering_retention
from distillguard.streams.worker.process import topics
from distillguard.streams.worker.settings import WorkerSettings


def test_sasl_ssl_settings_reach_every_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISTILLGUARD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("DISTILLGUARD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("DISTILLGUARD_KAFKA_SASL_USERNAME", "distillguard")
    monkeypatch.setenv("DISTILLGUARD_KAFKA_SASL_PASSWORD", "s3cret")
    config = client_config("kafka-0:9093", **{"group.id": "g"})
    assert config == {
        "bootstrap.servers": "kafka-0:9093",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "distillguard",
        "sasl.password": "s3cret",
        "group.id": "g",
    }


def test_plaintext_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECURITY_PROTOCOL", "SASL_MECHANISM", "SASL_USERNAME", "SASL_PASSWORD"):
        monkeypatch.delenv(f"DISTILLGUARD_KAFKA_{name}", raising=False)
    assert client_config("127.0.0.1:9092") == {"bootstrap.servers": "127.0.0.1:9092"}


def test_incomplete_sasl_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISTILLGUARD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("DISTILLGUARD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
    monkeypatch.delenv("DISTILLGUARD_KAFKA_SASL_USERNAME", raising=False)
    with pytest.raises(UsageError, match="SASL_USERNAME is required"):
        client_config("kafka:9093")


def test_the_worker_creates_the_linking_stages_topics_before_the_app_subscribes() -> None:
    """Faust would create them itself at start-up, where a fresh broker may not yet list
    them when the agents subscribe, and the stage would then never run."""
    settings = WorkerSettings.model_validate(
        {"bootstrap": "127.0.0.1:9092", "app_id": "dg", "partitions": 3}
    )
    specs = {s.name: s for s in topics(settings)}
    by_value, clustering = specs["dg.links-by-value"], specs["dg.clustering"]
    verdicts = specs["dg.cluster-verdicts"]
    assert (by_value.partitions, clustering.partitions, verdicts.partitions) == (3, 1, 3)
    assert clustering.config == {
        "retention.ms": str(int(clustering_retention(LinkingConfig()) * 1000))
    }
    assert verdicts.config == {"cleanup.policy": "compact"}
