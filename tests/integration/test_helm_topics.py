"""`distillguard topics` against the real broker: creates what is missing, compacts what must be
compacted, leaves existing topics alone, and refuses a decision topic that would lose lifts."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import pytest
from confluent_kafka.admin import AdminClient, ConfigResource, ResourceType

from distillguard.models.errors import DistillguardError
from distillguard.streams.commands import topics
from distillguard.streams.kafka import TopicSpec, ensure_topics

FLAGS = {
    "events": "events",
    "decisions": "decisions",
    "deadletter": "deadletter",
    "config": "config",
    "config_status": "config-status",
    "labels": "labels",
    "intel_in": "intel-in",
    "intel_out": "intel-out",
}


@pytest.fixture
def names(bootstrap: str, uid: str) -> Iterator[dict[str, str]]:
    chosen = {attr: f"test.topics.{attr}.{uid}" for attr in topics.MANAGED}
    yield chosen
    client = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(client.list_topics(timeout=10).topics)
    doomed = [n for n in chosen.values() if n in existing]
    if doomed:
        for future in client.delete_topics(doomed).values():
            future.exception()


def args_for(bootstrap: str, names: dict[str, str], *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    topics.configure(parser)
    argv = [f"--bootstrap-servers={bootstrap}", "--wait=30", *extra]
    argv += [f"--{FLAGS[attr]}-topic={name}" for attr, name in names.items()]
    return parser.parse_args(argv)


def describe(bootstrap: str, name: str) -> tuple[int, dict[str, str]]:
    """Partition count and configs of ``name``, once the broker's metadata shows it."""
    client = AdminClient({"bootstrap.servers": bootstrap})
    deadline = time.monotonic() + 30
    partitions = 0
    while not partitions and time.monotonic() < deadline:
        found = client.list_topics(name, timeout=10).topics.get(name)
        partitions = len(found.partitions) if found is not None and not found.error else 0
    assert partitions, f"no metadata for {name}"
    resource = ConfigResource(ResourceType.TOPIC, name)
    entries = client.describe_configs([resource])[resource].result(timeout=10)
    return partitions, {key: entry.value for key, entry in entries.items()}


def test_creates_every_topic_with_its_config_then_is_idempotent(
    bootstrap: str, names: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    extra = f"--topic-config={names['events']}:retention.ms=3600000"
    assert topics.run(args_for(bootstrap, names, "--partitions=3", extra)) == 0
    first = capsys.readouterr().out.splitlines()
    assert first == [f"{name}: created" for name in names.values()]

    partitions, decisions = describe(bootstrap, names["decisions"])
    assert (partitions, decisions["cleanup.policy"]) == (3, "compact")
    assert describe(bootstrap, names["config"])[1]["cleanup.policy"] == "compact"
    _, events = describe(bootstrap, names["events"])
    assert (events["cleanup.policy"], events["retention.ms"]) == ("delete", "3600000")

    assert topics.run(args_for(bootstrap, names, "--partitions=3")) == 0
    assert capsys.readouterr().out.splitlines() == [f"{name}: exists" for name in names.values()]


def test_refuses_an_existing_decision_topic_that_is_not_compacted(
    bootstrap: str, names: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_topics(bootstrap, [TopicSpec(names["decisions"], 2)])
    with pytest.raises(DistillguardError, match="do not match"):
        topics.run(args_for(bootstrap, names))
    out = capsys.readouterr().out
    assert f"error: topic {names['decisions']} has cleanup.policy=delete, needs compact" in out
    assert f"warning: topic {names['decisions']} has 2 partitions, 4 requested" in out
    assert describe(bootstrap, names["decisions"])[0] == 2
