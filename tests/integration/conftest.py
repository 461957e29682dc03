"""Integration tests run against the real local Apache Kafka (docker/kafka/kafka.sh).

The session fixture starts the broker when nothing answers on the bootstrap address and
stops it at the end only if it started it. Every test gets its own uuid topic names and
consumer group, so tests never share state.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient

from distillguard.streams.kafka import TopicSpec, ensure_topics, wait_for_broker
from distillguard.streams.settings import default_bootstrap

REPO = Path(__file__).resolve().parents[2]
#: Faust apps that tests run as subprocesses; they read their topics from the environment.
collect_ignore_glob = ["*_app.py"]
KAFKA_SH = REPO / "docker" / "kafka" / "kafka.sh"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def bootstrap() -> Iterator[str]:
    servers = default_bootstrap()
    started = False
    status = subprocess.run([str(KAFKA_SH), "status"], capture_output=True, text=True)
    if status.returncode != 0 and servers == "127.0.0.1:9092":
        subprocess.run([str(KAFKA_SH), "up"], check=True)
        started = True
    info = wait_for_broker(servers, timeout=60)
    version = subprocess.run([str(KAFKA_SH), "status"], capture_output=True, text=True).stdout
    print(f"\nKafka under test: {version.strip()} cluster={info['cluster_id']}")
    yield servers
    if started and not os.environ.get("DISTILLGUARD_KEEP_KAFKA"):
        subprocess.run([str(KAFKA_SH), "down"], check=False)


@pytest.fixture
def uid() -> str:
    """A short unique id for this test's topics and groups."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def make_topic(bootstrap: str, uid: str) -> Iterator[Callable[..., str]]:
    """Create a uuid-named topic: ``make_topic("events", partitions=4, compacted=False)``."""
    created: list[str] = []

    def make(stem: str, partitions: int = 4, compacted: bool = False) -> str:
        name = f"test.{stem}.{uid}"
        spec = TopicSpec.compacted(name, partitions) if compacted else TopicSpec(name, partitions)
        ensure_topics(bootstrap, [spec])
        created.append(name)
        return name

    yield make
    if created:
        client = AdminClient({"bootstrap.servers": bootstrap})  # alive until the futures end
        futures = client.delete_topics(created, operation_timeout=30)
        for future in futures.values():
            future.exception()
        del client


@pytest.fixture
def worker_topics(make_topic: Callable[..., str]) -> Callable[[int], dict[str, str]]:
    """A worker's event, decision (compacted) and dead-letter topics, ``partitions`` each:
    ``worker_topics(2)`` -> ``{"events": ..., "decisions": ..., "deadletter": ...}``."""

    def make(partitions: int) -> dict[str, str]:
        return {
            "events": make_topic("events", partitions=partitions),
            "decisions": make_topic("decisions", partitions=partitions, compacted=True),
            "deadletter": make_topic("deadletter", partitions=partitions),
        }

    return make


@pytest.fixture
def consumer_factory(bootstrap: str, uid: str) -> Iterator[Callable[..., Consumer]]:
    """A confluent-kafka consumer in a fresh group, reading from the beginning."""
    consumers: list[Consumer] = []

    def make(*topics: str, **extra: object) -> Consumer:
        consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"test-{uid}-{len(consumers)}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                **extra,
            }
        )
        consumer.subscribe(list(topics))
        consumers.append(consumer)
        return consumer

    yield make
    for consumer in consumers:
        consumer.close()


@pytest.fixture
def faust_app(tmp_path: Path) -> Iterator[Callable[[str, dict[str, str]], subprocess.Popen[bytes]]]:
    """Run a test Faust app (``tests.integration.<module>``) as a worker subprocess, output in
    ``tmp_path/worker.log``, on a free web port; stopped (TERM, then KILL) after the test."""
    from distillguard.streams.demo.services import free_port

    running: list[tuple[subprocess.Popen[bytes], Any]] = []

    def start(module: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (tmp_path / "worker.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", f"tests.integration.{module}", "worker", "-l", "info"],
            cwd=REPO,
            env={**os.environ, **env, "FAUST_TEST_WEB_PORT": str(free_port())},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        running.append((process, log))
        return process

    yield start
    for process, log in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        log.close()
