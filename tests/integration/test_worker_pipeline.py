"""The worker on real Kafka: detects, survives kill -9 with its state, and does not flap.

Simulated traffic (legitimate heavy personas and single-account campaigns) is streamed into
a worker; the worker is killed with SIGKILL mid-stream and restarted on an *empty* data
directory, so account state must come back from the changelog topics and the online model
from its snapshot topic. Every event must be counted exactly once across the crash.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import Consumer, Producer

from distillguard.models.sim import load_scenario
from distillguard.models.sim.generator import write_files
from distillguard.streams.demo import services

ENFORCING = {"degrade", "throttle", "challenge", "suspend"}
SINGLE_ACCOUNT_CAMPAIGNS = {"heavy-distiller", "logit-harvester"}


def _start_worker(
    bootstrap: str, uid: str, topics: dict[str, str], data: Path, log: Path, port: int
) -> services.Service:
    # A restarted static member must come back on the same URL: Faust checks that the
    # assignment it is handed back was made for the URL it serves.
    return services.start_worker(
        bootstrap,
        f"test-{uid}",
        topics,
        data,
        log,
        port=port,
        extra=("--snapshot-seconds", "1", "--instance-id", "w0"),
    )


def _kill9(worker: services.Service) -> None:
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(10)
    worker.log.close()


def _produce(bootstrap: str, topic: str, lines: list[bytes], rate: float = 800.0) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 10})
    started = time.monotonic()
    for i, line in enumerate(lines):
        producer.produce(topic, key=orjson.loads(line)["account_id"].encode(), value=line)
        producer.poll(0)
        ahead = (i + 1) / rate - (time.monotonic() - started)
        if ahead > 0.005:
            time.sleep(ahead)  # pacing, so event-time ticks stay fine-grained
    assert producer.flush(30) == 0


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)  # polling an HTTP endpoint of another process
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _account(worker: services.Service, account_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = worker.get_json(f"/accounts/{account_id}")
    return found if found and "events_total" in found else None


def _wait_for_count(worker: services.Service, account_id: str, expected: int) -> None:
    """Wait until the worker has merged exactly ``expected`` events of ``account_id``."""

    seen: list[int] = []

    def merged() -> bool:
        found = _account(worker, account_id)
        seen.append(int(found["events_total"]) if found is not None else -1)
        return seen[-1] == expected

    try:
        _wait_for(merged, 120, f"{account_id} to hold exactly {expected} events")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last seen {seen[-3:]}") from None


WORKER_METRICS = (
    "distillguard_events_total",
    "distillguard_processing_latency_seconds_bucket",
    "distillguard_active_accounts",
    "distillguard_decisions_total",
    "distillguard_risk_bucket",
    "distillguard_last_progress_timestamp_seconds",
    "distillguard_input_field_share",
)


def _assert_metric_names(worker: services.Service) -> None:
    """The names dashboards and alerts depend on are exported by a working worker."""
    status, body, headers = services.http_get(worker.base_url + "/metrics")
    assert status == 200 and headers.get("Content-Type", "").startswith("text/plain")
    names = {line.split("{")[0].split(" ")[0] for line in body.decode().splitlines()}
    missing = [name for name in WORKER_METRICS if name not in names]
    assert not missing, f"/metrics lacks {missing}"


@pytest.fixture
def traffic(tmp_path: Path) -> Iterator[tuple[list[bytes], dict[str, dict[str, Any]]]]:
    out = tmp_path / "sim"
    write_files(load_scenario("smoke"), out)
    lines = (out / "events.jsonl").read_bytes().splitlines()
    truth = {
        row["account_id"]: row
        for row in map(orjson.loads, (out / "truth.jsonl").read_bytes().splitlines())
    }
    yield lines, truth


def test_worker_detects_recovers_from_kill_9_and_does_not_flap(
    bootstrap: str,
    uid: str,
    worker_topics: Callable[[int], dict[str, str]],
    consumer_factory: Callable[..., Consumer],
    tmp_path: Path,
    traffic: tuple[list[bytes], dict[str, dict[str, Any]]],
) -> None:
    lines, truth = traffic
    topics = worker_topics(2)
    per_account: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    half = len(lines) // 2
    for i, line in enumerate(lines):
        per_account[orjson.loads(line)["account_id"]][0 if i < half else 1] += 1
    watched = sorted(
        (a for a in per_account if per_account[a][0] > 20 and per_account[a][1] > 20),
        key=lambda a: -sum(per_account[a]),
    )[:4]
    assert watched, "the scenario has no account active in both halves"

    port = services.free_port()
    worker = _start_worker(bootstrap, uid, topics, tmp_path / "data-1", tmp_path / "w1.log", port)
    restarted: services.Service | None = None
    try:
        _produce(bootstrap, topics["events"], lines[:half])
        for account in watched:
            _wait_for_count(worker, account, per_account[account][0])
        before = {a: _account(worker, a) for a in watched}
        health = worker.get_json("/healthz") or {}
        learned, taken = health["models"]["anomaly_learned"], health["snapshots"]
        # simulated gateways send every field: none is missing (an org only some have)
        shares = health["input"]["field_share"]
        assert shares["account.created_at"] == shares["prompt.category"] == 1.0, shares
        assert health["input"]["blind"] == [], health["input"]
        # A snapshot written after ``learned`` was read holds at least that much.
        _wait_for(
            lambda: (worker.get_json("/healthz") or {}).get("snapshots", 0) > taken,
            30,
            "a model snapshot",
        )
        _assert_metric_names(worker)
        _kill9(worker)

        restarted = _start_worker(
            bootstrap, uid, topics, tmp_path / "data-2", tmp_path / "w2.log", port
        )
        for account in watched:
            _wait_for_count(restarted, account, per_account[account][0])
            after, earlier = _account(restarted, account), before[account]
            assert after is not None and earlier is not None
            for field in ("events_total", "first_seen", "last_seen"):
                assert after[field] == earlier[field], (account, field)
        relearned = (restarted.get_json("/healthz") or {})["models"]["anomaly_learned"]
        assert relearned >= learned > 0, "the online model was not restored from its snapshot"

        _produce(bootstrap, topics["events"], lines[half:])
        for account in watched:
            _wait_for_count(restarted, account, sum(per_account[account]))
        time.sleep(3)  # let the last scoring ticks publish
        consumer = consumer_factory(topics["decisions"])
        records: list[tuple[str, dict[str, Any] | None]] = []
        idle = 0
        while idle < 20:
            batch = consumer.consume(500, timeout=0.25)
            idle = 0 if batch else idle + 1
            for message in batch:
                raw_key, raw_value = message.key(), message.value()
                if message.error() is None and raw_key is not None:
                    records.append(
                        (raw_key.decode(), orjson.loads(raw_value) if raw_value else None)
                    )
        clustered = [v for _, v in records if v and v.get("cluster_id")]
        assert clustered, "no decision carries a cluster_id"
        view = restarted.get_json(f"/clusters/{clustered[-1]['cluster_id']}")
        assert view is not None and clustered[-1]["subject"]["value"] in {
            m["account_id"] for m in view["members"]
        }
        assert any(m["decision"] for m in view["members"]), "members' decisions missing"
    finally:
        for service in (worker, restarted):
            if service is not None:
                with contextlib.suppress(Exception):
                    service.stop()

    enforced = {
        key.partition(":")[2]
        for key, value in records
        if value and value["mode"] == "enforce" and value["action"] in ENFORCING
    }
    legit_enforced = [a for a in enforced if a in truth and not truth[a]["is_attack"]]
    assert not legit_enforced, f"legitimate accounts enforced: {legit_enforced}"
    campaigns = {
        a: t["persona"] for a, t in truth.items() if t["persona"] in SINGLE_ACCOUNT_CAMPAIGNS
    }
    assert campaigns and set(campaigns) <= enforced, (
        f"not enforced: {sorted(set(campaigns) - enforced)}"
    )

    # No flapping: the same (subject, action, mode) keeps one decision id across the restart,
    # and no decision is lifted and re-imposed with the same action.
    ids: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    history: dict[str, list[str | None]] = defaultdict(list)
    for key, value in records:
        history[key].append(value["action"] if value else None)
        if value:
            ids[(key, value["action"], value["mode"])].add(value["decision_id"])
    episodes = Counter(len(v) for v in ids.values())
    assert all(n == 1 for n in episodes), f"decision ids changed for one episode: {dict(episodes)}"
    for key, actions in history.items():
        for a, b, c in zip(actions, actions[1:], actions[2:], strict=False):
            assert not (a is not None and b is None and c == a), f"{key} flapped: {actions}"
