"""`distillguard topics` (the chart's topic Job) without a broker: the plan and its checks."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from distillguard.models.errors import UsageError
from distillguard.streams import kafka
from distillguard.streams.commands import topics


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    topics.configure(parser)
    return parser.parse_args(list(argv))


def plan_by_name(*argv: str) -> dict[str, topics.Plan]:
    return {p.name: p for p in topics.build_plan(parse(*argv))}


def test_plan_covers_every_topic_and_compacts_decisions_and_config() -> None:
    plans = plan_by_name("--partitions=12", "--replication-factor=3", "--min-insync-replicas=2")
    assert set(plans) == {
        "api.events",
        "enforcement.decisions",
        "distillguard.deadletter",
        "distillguard.config",
        "distillguard.config.status",
        "distillguard.labels",
        "distillguard.intel.in",
        "distillguard.intel.out",
    }
    compacted = {n for n, p in plans.items() if p.config.get("cleanup.policy") == "compact"}
    assert compacted == {"enforcement.decisions", "distillguard.config"}
    ordered = {"distillguard.config", "distillguard.config.status"}
    assert {(p.partitions, p.replication) for n, p in plans.items() if n in ordered} == {(1, 3)}
    assert {(p.partitions, p.replication) for n, p in plans.items() if n not in ordered} == {
        (12, 3)
    }
    assert {p.config["min.insync.replicas"] for p in plans.values()} == {"2"}


def test_topic_config_applies_to_the_renamed_topic_only() -> None:
    plans = plan_by_name(
        "--events-topic=prod.events", "--topic-config=prod.events:retention.ms=60000"
    )
    assert plans["prod.events"].config == {"retention.ms": "60000"}
    assert "retention.ms" not in plans["distillguard.deadletter"].config


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--topic-config=nope:retention.ms=1"], "unknown topic"),
        (["--topic-config=api.events-retention"], "TOPIC:KEY=VALUE"),
        (["--config-topic=api.events"], "two purposes"),
        (["--replication-factor=2", "--min-insync-replicas=3"], "min-insync-replicas"),
        (["--partitions=0"], "--partitions"),
        (["--topic-config=enforcement.decisions:cleanup.policy=delete"], "compact"),
    ],
)
def test_bad_plans_are_refused_with_the_reason(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        topics.build_plan(parse(*argv))


def test_security_config_maps_every_variable(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("pem")
    env = {
        "DISTILLGUARD_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "DISTILLGUARD_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "DISTILLGUARD_KAFKA_SASL_USERNAME": "dg",
        "DISTILLGUARD_KAFKA_SASL_PASSWORD": "pw",
        "DISTILLGUARD_KAFKA_SSL_CA_LOCATION": str(ca),
    }
    assert kafka.security_config(env) == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "dg",
        "sasl.password": "pw",
        "ssl.ca.location": str(ca),
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DISTILLGUARD_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}, "SECURITY_PROTOCOL"),
        (
            {
                "DISTILLGUARD_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "DISTILLGUARD_KAFKA_SASL_MECHANISM": "PLAIN",
            },
            "SASL_MECHANISM",
        ),
        (
            {
                "DISTILLGUARD_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "DISTILLGUARD_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
                "DISTILLGUARD_KAFKA_SASL_USERNAME": "dg",
            },
            "SASL_PASSWORD",
        ),
        (
            {
                "DISTILLGUARD_KAFKA_SECURITY_PROTOCOL": "SSL",
                "DISTILLGUARD_KAFKA_SSL_CA_LOCATION": "/nonexistent/ca.crt",
            },
            "does not exist",
        ),
    ],
)
def test_security_config_refuses_incomplete_settings(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        kafka.security_config(env)


def test_existing_topics_are_checked_not_changed() -> None:
    plans = [
        topics.Plan("dec", 4, 1, {"cleanup.policy": "compact"}),
        topics.Plan("ev", 4, 1, {}),
        topics.Plan("new", 4, 1, {}),
    ]
    problems = topics.check_existing(
        plans, {"dec": 4, "ev": 8}, {"dec": "compact,delete", "ev": "delete"}
    )
    assert problems == ["warning: topic ev has 8 partitions, 4 requested (not changed)"]


def test_dry_run_prints_the_plan_and_touches_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code = topics.run(parse("--dry-run", "--bootstrap-servers=127.0.0.1:1", "--partitions=2"))
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert "enforcement.decisions: partitions=2 replication=1 cleanup.policy=compact" in lines
    assert len(lines) == len(topics.MANAGED)
