"""The clustering stage survives kill -9: a restarted worker, even on an empty disk, has
the same cluster, with the same id, members and links, before any new traffic arrives.

It rebuilds the stage from the clustering topic (one partition) up to the offset the
worker had committed, then goes on from there.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.streams.demo import services
from tests.integration.test_clusters_two_workers import ENFORCING, _decisions
from tests.unit.test_clusters_linking import fleet_events, legit_events

FLEET = [f"fleet-{i}" for i in range(6)]


def _cluster_of_fleet(decisions: dict[str, list[dict[str, Any]]]) -> str | None:
    ids = {
        d["cluster_id"]
        for a in FLEET
        for d in decisions.get(a, [])
        if d["action"] in ENFORCING and d["cluster_id"]
    }
    return ids.pop() if len(ids) == 1 else None


def _view(worker: services.Service, cid: str) -> dict[str, Any] | None:
    view = worker.get_json(f"/clusters/{cid}")
    return view if isinstance(view, dict) and "members" in view else None


def test_cluster_keeps_its_id_members_and_links_across_kill_9(
    bootstrap: str,
    worker_topics: Callable[[int], dict[str, str]],
    consumer_factory: Callable[..., Consumer],
    uid: str,
    tmp_path: Path,
) -> None:
    topics = worker_topics(2)

    port = services.free_port()

    def start(n: int) -> services.Service:
        return services.start_worker(
            bootstrap,
            f"test-{uid}",
            topics,
            tmp_path / f"data-{n}",  # a fresh, empty disk each time
            tmp_path / f"worker{n}.log",
            port=port,  # same address: the instance comes back as itself (static membership)
            extra=("--instance-id", "w0"),
        )

    worker = start(1)
    restarted: services.Service | None = None
    try:
        consumer = consumer_factory(topics["decisions"])
        decisions: dict[str, list[dict[str, Any]]] = {}
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
        events = sorted(fleet_events(6, 30) + legit_events(6, 30), key=lambda e: e["ts"])
        started = time.monotonic()
        for i, event in enumerate(events):
            producer.produce(
                topics["events"], key=event["account_id"].encode(), value=orjson.dumps(event)
            )
            producer.poll(0)
            if (i + 1) / 40.0 > time.monotonic() - started + 0.05:
                _decisions(consumer, decisions)
        assert producer.flush(30) == 0
        deadline = time.monotonic() + 60
        cid = None
        while time.monotonic() < deadline and cid is None:
            _decisions(consumer, decisions)
            cid = _cluster_of_fleet(decisions)
        assert cid is not None, decisions.keys()
        # the stage may still be taking in the members' last records: wait for the whole view
        deadline = time.monotonic() + 30
        before = _view(worker, cid)
        while time.monotonic() < deadline and not (
            before is not None and {m["account_id"] for m in before["members"]} == set(FLEET)
        ):
            time.sleep(0.5)
            before = _view(worker, cid)
        assert before is not None, (cid, worker.get_json("/healthz"))
        assert {m["account_id"] for m in before["members"]} == set(FLEET), before
        time.sleep(6)  # past the app's offset commit interval
        assert (worker.get_json("/healthz") or {})["clusters"]["clustering_records"] > 0

        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(10)
        worker.log.close()
        restarted = start(2)
        deadline = time.monotonic() + 90
        after = None
        while time.monotonic() < deadline and after is None:
            after = _view(restarted, cid)
            time.sleep(0.5)
        health = restarted.get_json("/healthz") or {}
        assert after is not None, (health, (tmp_path / "worker2.log").read_text()[-4000:])
        assert health["clusters"]["clustering_restored"] > 0
        assert {m["account_id"] for m in after["members"]} == set(FLEET)
        assert after["links"] == before["links"]
        assert after["risk"] > 0
    finally:
        worker.stop()
        if restarted is not None:
            restarted.stop()
