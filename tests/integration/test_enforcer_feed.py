"""The decision feed on a real topic: catch-up before ready, live updates, bad records, shutdown."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from confluent_kafka import Producer

from distillguard.streams.enforcer import DecisionCache
from distillguard.streams.enforcer.feed import DecisionFeed
from distillguard.streams.enforcer.freshness import Freshness
from tests.integration.test_enforcer_nginx import decision, free_port, get, wait_for

NOW = time.time()


class CountingFreshness(Freshness):
    __slots__ = ("marks",)

    def __init__(self, stale_after: float) -> None:
        super().__init__(stale_after)
        self.marks = 0

    def mark(self) -> None:
        self.marks += 1
        super().mark()


@pytest.fixture
def feeds() -> Iterator[list[DecisionFeed]]:
    started: list[DecisionFeed] = []
    yield started
    for feed in started:
        feed.stop()


def _produce(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes | None]]) -> None:
    """Produce in order and fail on any delivery error (a compacted topic refuses keyless
    records). Idempotent: a retried batch must not land after the records behind it (a
    decision re-written after its own lift would stay in force)."""
    producer = Producer(
        {"bootstrap.servers": bootstrap, "linger.ms": 5, "enable.idempotence": True}
    )
    errors: list[object] = []

    def delivered(error: object, message: object) -> None:
        if error is not None:
            errors.append(error)

    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=delivered)
        producer.poll(0)
    assert producer.flush(30) == 0
    assert errors == []


def test_ready_only_after_catching_up_then_live(
    bootstrap: str, make_topic: Callable[..., str], feeds: list[DecisionFeed]
) -> None:
    topic = make_topic("decisions", partitions=4, compacted=True)
    records: list[tuple[bytes | None, bytes | None]] = []
    for i in range(3000):
        key = f"account:acct-{i}"
        records.append((key.encode(), orjson.dumps(decision("account", f"acct-{i}", "suspend"))))
    for i in range(0, 3000, 3):  # lift every third
        records.append((f"account:acct-{i}".encode(), None))
    malformed: list[tuple[bytes | None, bytes | None]] = [
        (b"account:acct-x", b"not json"),
        (b"account:acct-y", orjson.dumps(decision("account", "someone-else", "suspend"))),
        (b"nonsense", orjson.dumps(decision("account", "acct-z", "suspend"))),
        (b"\xff\xfe", b"{}"),
        (b"ip_prefix:10.0.0.1/8", orjson.dumps(decision("ip_prefix", "10.0.0.1/8", "suspend"))),
    ]
    _produce(bootstrap, topic, records + malformed)

    cache = DecisionCache()
    freshness = CountingFreshness(stale_after=30)
    feed = DecisionFeed(bootstrap, topic, cache, freshness, probe_interval=0.1)
    feeds.append(feed)
    feed.start()
    assert feed.ready.wait(60), "the feed never caught up"
    # Everything produced before start is applied by the time it says ready.
    assert cache.counts()["account"] == 2000
    assert sum(cache.malformed.values()) == len(malformed)
    assert cache.check("acct-1", None, None).action == "suspend"
    assert cache.check("acct-3", None, None).action == "allow"
    assert not freshness.stale()

    _produce(
        bootstrap,
        topic,
        [
            (
                b"ip_prefix:192.0.2.0/24",
                orjson.dumps(decision("ip_prefix", "192.0.2.0/24", "challenge")),
            )
        ],
    )
    wait_for(lambda: cache.check(None, None, "192.0.2.55").action, lambda a: a == "challenge")
    # Idle, the feed keeps proving the brokers answer.
    marks = freshness.marks
    wait_for(lambda: freshness.marks, lambda m: m >= marks + 3)
    assert feed.alive and feed.failed is None


def test_empty_topic_is_ready_at_once_and_a_missing_one_when_created(
    bootstrap: str, make_topic: Callable[..., str], uid: str, feeds: list[DecisionFeed]
) -> None:
    empty = make_topic("empty", partitions=2, compacted=True)
    feed = DecisionFeed(bootstrap, empty, DecisionCache(), Freshness(30))
    feeds.append(feed)
    feed.start()
    assert feed.ready.wait(30)

    cache = DecisionCache()
    later = DecisionFeed(bootstrap, f"test.late.{uid}", cache, Freshness(30))
    feeds.append(later)
    later.start()
    assert not later.ready.is_set()
    late = make_topic("late", partitions=1, compacted=True)
    assert late == f"test.late.{uid}"
    _produce(bootstrap, late, [(b"api_key:k1", orjson.dumps(decision("api_key", "k1", "degrade")))])
    wait_for(lambda: cache.check(None, "k1", None).action, lambda a: a == "degrade")
    assert later.ready.wait(30)


def test_enforcer_process_stops_cleanly_on_sigterm(
    bootstrap: str, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    topic = make_topic("decisions", partitions=1, compacted=True)
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "distillguard"),
            "enforcer",
            "--bootstrap-servers",
            bootstrap,
            "--decisions-topic",
            topic,
            "--listen",
            f"127.0.0.1:{port}",
            "--failure-mode",
            "closed",
        ],
        stderr=(tmp_path / "enforcer.log").open("wb"),
    )
    try:
        wait_for(lambda: get(port, "/readyz"), lambda r: r[0] == 200, timeout=60)
        assert get(port, "/check?account_id=a")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = (tmp_path / "enforcer.log").read_text()
    assert "Traceback" not in log and "enforcer stopping" in log


@pytest.mark.parametrize(("mode", "status"), [("closed", 503), ("open", 200)])
def test_unreachable_brokers_answer_by_failure_mode(tmp_path: Path, mode: str, status: int) -> None:
    port, dead = free_port(), free_port()  # nothing listens on `dead`
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "distillguard"),
            "enforcer",
            "--bootstrap-servers",
            f"127.0.0.1:{dead}",
            "--listen",
            f"127.0.0.1:{port}",
            "--failure-mode",
            mode,
        ],
        stderr=(tmp_path / "enforcer.log").open("wb"),
    )
    try:
        wait_for(lambda: get(port, "/healthz"), lambda r: r[0] == 200)
        answer, headers, _ = get(port, "/check?account_id=a")
        assert answer == status
        assert headers["x-distillguard-failure-mode"] == mode
        ready, _, body = get(port, "/readyz")
        assert ready == 503 and orjson.loads(body)["caught_up"] is False
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
