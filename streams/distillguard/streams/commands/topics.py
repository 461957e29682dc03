"""`distillguard topics`: create the Kafka topics distillguard needs, and check the ones that exist.

Deployments run this once before the workers start (the Helm chart's topic Job), because a
topic auto-created by a client gets the broker's defaults: one replica, and ``delete`` instead
of ``compact`` for the decision and config topics, which would silently lose lifted decisions
and configuration. Existing topics are never altered (adding partitions would move keys between
partitions); a mismatch is reported, and a non-compacted topic that must be compacted is an error.

Kafka connection and authentication come from the ``DISTILLGUARD_KAFKA_*`` environment
variables, as for every other command.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

from distillguard.models.errors import DistillguardError, UsageError
from distillguard.streams.kafka import TopicSpec, create_topics, security_config

HELP = "create the Kafka topics distillguard needs (idempotent) and check existing ones"

#: Topics (by ``Topics`` attribute) whose latest value per key is the state: compacted.
COMPACTED: Final = frozenset({"decisions", "config"})
SINGLE_PARTITION: Final = frozenset({"config", "config_status"})
#: Every topic this command manages, in the order it reports them.
MANAGED: Final = (
    "events",
    "decisions",
    "deadletter",
    "config",
    "config_status",
    "labels",
    "intel_in",
    "intel_out",
)


#: One topic as it should be: name, partitions, replication and config.
Plan = TopicSpec


def parse_topic_config(items: Sequence[str]) -> dict[str, dict[str, str]]:
    """``TOPIC:KEY=VALUE`` flags as ``{topic: {key: value}}``.

    >>> parse_topic_config(["api.events:retention.ms=60000"])
    {'api.events': {'retention.ms': '60000'}}
    """
    out: dict[str, dict[str, str]] = {}
    for item in items:
        topic, sep, rest = item.partition(":")
        key, eq, value = rest.partition("=")
        if not (sep and eq and topic and key):
            raise UsageError(f"--topic-config must be TOPIC:KEY=VALUE, got {item!r}")
        out.setdefault(topic, {})[key] = value
    return out


def build_plan(args: argparse.Namespace) -> list[Plan]:
    """The topics to have, with every config they must carry."""
    if args.partitions < 1:
        raise UsageError(f"--partitions must be at least 1, got {args.partitions}")
    if args.replication_factor < 1:
        raise UsageError(f"--replication-factor must be at least 1, got {args.replication_factor}")
    if args.min_insync_replicas is not None and not (
        1 <= args.min_insync_replicas <= args.replication_factor
    ):
        raise UsageError(
            f"--min-insync-replicas must be between 1 and --replication-factor "
            f"({args.replication_factor}), got {args.min_insync_replicas}"
        )
    names = [getattr(args, f"{attr}_topic") for attr in MANAGED]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise UsageError(f"one topic cannot serve two purposes: {', '.join(dupes)}")
    extra = parse_topic_config(args.topic_config)
    plans = []
    for attr in MANAGED:
        name = getattr(args, f"{attr}_topic")
        config: dict[str, str] = {}
        if attr in COMPACTED:
            config["cleanup.policy"] = "compact"
        if args.min_insync_replicas is not None:
            config["min.insync.replicas"] = str(args.min_insync_replicas)
        config.update(extra.pop(name, {}))
        if attr in COMPACTED and config["cleanup.policy"] != "compact":
            raise UsageError(f"topic {name!r} must stay cleanup.policy=compact")
        # Every worker must apply config records in one order: one partition.
        partitions = 1 if attr in SINGLE_PARTITION else args.partitions
        plans.append(Plan(name, partitions, args.replication_factor, config))
    if extra:
        raise UsageError(f"--topic-config names unknown topic(s): {', '.join(sorted(extra))}")
    return plans


def _admin(bootstrap: str, security: Mapping[str, str]) -> Any:
    from confluent_kafka.admin import AdminClient

    return AdminClient({"bootstrap.servers": bootstrap, **security})


def _wait(client: Any, bootstrap: str, timeout: float) -> Any:
    from confluent_kafka import KafkaException

    deadline = time.monotonic() + timeout
    while True:
        try:
            return client.list_topics(timeout=min(5.0, max(0.5, deadline - time.monotonic())))
        except KafkaException as exc:
            if time.monotonic() >= deadline:
                raise DistillguardError(
                    f"Kafka at {bootstrap} did not answer within {timeout:.0f}s ({exc})"
                ) from None
            time.sleep(1.0)


def _partition_counts(client: Any, names: Sequence[str], timeout: float) -> dict[str, int]:
    """Partitions of each named topic, waiting out metadata that lags a recent creation."""
    deadline = time.monotonic() + timeout
    while True:
        topics = client.list_topics(timeout=timeout).topics
        counts = {n: len(topics[n].partitions) for n in names if n in topics}
        if len(counts) == len(names) and all(counts.values()):
            return counts
        if time.monotonic() >= deadline:
            lost = sorted(set(names) - {n for n, c in counts.items() if c})
            raise DistillguardError(f"no metadata for topic(s) {', '.join(lost)}")
        time.sleep(0.2)


def _create(client: Any, plans: Sequence[Plan], timeout: float) -> list[str]:
    return create_topics(client, plans, timeout)


def _cleanup_policies(client: Any, names: Sequence[str], timeout: float) -> dict[str, str]:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import ConfigResource, ResourceType

    if not names:
        return {}
    resources = [ConfigResource(ResourceType.TOPIC, name) for name in names]
    policies = {}
    for resource, future in client.describe_configs(resources, request_timeout=timeout).items():
        try:
            entries = future.result()
        except KafkaException as exc:
            raise DistillguardError(
                f"could not read the config of {resource.name!r}: {exc}"
            ) from exc
        policies[resource.name] = entries["cleanup.policy"].value
    return policies


def check_existing(
    plans: Sequence[Plan], partitions: Mapping[str, int], policies: Mapping[str, str]
) -> list[str]:
    """Problems with topics that already exist; the first kind stops a deployment.

    >>> p = [Plan("d", 4, 1, {"cleanup.policy": "compact"})]
    >>> check_existing(p, {"d": 4}, {"d": "delete"})
    ['error: topic d has cleanup.policy=delete, needs compact']
    >>> check_existing(p, {"d": 2}, {"d": "compact"})
    ['warning: topic d has 2 partitions, 4 requested (not changed)']
    """
    problems = []
    for plan in plans:
        if plan.name not in partitions:
            continue
        want = plan.config.get("cleanup.policy")
        have = policies.get(plan.name)
        if want == "compact" and have is not None and "compact" not in have.split(","):
            problems.append(f"error: topic {plan.name} has cleanup.policy={have}, needs compact")
        if partitions[plan.name] != plan.partitions:
            problems.append(
                f"warning: topic {plan.name} has {partitions[plan.name]} partitions, "
                f"{plan.partitions} requested (not changed)"
            )
    return problems


def configure(parser: argparse.ArgumentParser) -> None:
    from distillguard.streams.settings import add_kafka_arguments

    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_kafka_arguments(parser, *MANAGED)
    parser.add_argument("--partitions", type=int, default=4, help="partitions of each new topic")
    parser.add_argument(
        "--replication-factor", type=int, default=1, help="replicas of each new topic (default 1)"
    )
    parser.add_argument(
        "--min-insync-replicas",
        type=int,
        default=None,
        metavar="N",
        help="min.insync.replicas of each new topic (default: the broker's)",
    )
    parser.add_argument(
        "--topic-config",
        action="append",
        default=[],
        metavar="TOPIC:KEY=VALUE",
        help="extra config for one new topic, e.g. api.events:retention.ms=604800000 (repeatable)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the brokers to answer (default %(default)s)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be created; touch nothing"
    )


def run(args: argparse.Namespace) -> int:
    plans = build_plan(args)
    if args.dry_run:
        for plan in plans:
            settings = " ".join(f"{k}={v}" for k, v in sorted(plan.config.items()))
            print(
                f"{plan.name}: partitions={plan.partitions} replication={plan.replication}", end=""
            )
            print(f" {settings}" if settings else "")
        return 0
    security = security_config(os.environ)
    client = _admin(args.bootstrap_servers, security)
    metadata = _wait(client, args.bootstrap_servers, args.wait)
    missing = [p for p in plans if p.name not in metadata.topics]
    created = set(_create(client, missing, args.wait))
    # Check every topic this run did not create, including any that a concurrent client
    # created between the metadata request and ours (TOPIC_ALREADY_EXISTS).
    present = [p.name for p in plans if p.name not in created]
    existing = _partition_counts(client, present, args.wait)
    policies = _cleanup_policies(client, present, args.wait)
    problems = check_existing(plans, existing, policies)
    for plan in plans:
        print(f"{plan.name}: {'created' if plan.name in created else 'exists'}")
    for problem in problems:
        print(problem)
    if any(p.startswith("error:") for p in problems):
        raise DistillguardError("existing topics do not match what distillguard needs (see above)")
    return 0
