"""Two workers on real Kafka: a fleet whose accounts live on both partitions is linked into
one cluster and enforced with one cluster id; legitimate accounts on the same popular
template and cloud are not.

Each worker holds one partition of the account state, so neither sees the whole fleet;
only the clustering stage (on whichever worker holds the clustering topic's partition)
does, and its verdicts reach both workers' scoring.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.streams.demo import services
from distillguard.streams.worker.slicing import partition_of
from tests.unit.test_clusters_linking import fleet_events, legit_events

PARTITIONS = 2
ENFORCING = {"degrade", "throttle", "challenge", "suspend"}
FLEET = [f"fleet-{i}" for i in range(8)]
LEGIT = [f"legit-{i}" for i in range(12)]
#: events per wall second: 40 minutes of event time over ~30 s, so the worker's feedback
#: loop (slices → links → verdicts → scoring) turns many times while the fleet is active
RATE = 22.0


def _logs(tmp_path: Path) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}"
        for p in sorted(tmp_path.glob("worker*.log"))
    )


def _decisions(consumer: Consumer, into: dict[str, list[dict[str, Any]]]) -> None:
    for message in consumer.consume(num_messages=1000, timeout=0.2):
        value = message.value()
        if message.error() is None and value is not None:
            decision = orjson.loads(value)
            into.setdefault(decision["subject"]["value"], []).append(decision)


def _enforced(decisions: dict[str, list[dict[str, Any]]]) -> dict[str, set[str | None]]:
    return {
        account: {
            d["cluster_id"] for d in ds if d["action"] in ENFORCING and d["mode"] == "enforce"
        }
        for account, ds in decisions.items()
    }


def test_fleet_over_two_workers_is_enforced_with_one_cluster_id(
    bootstrap: str,
    worker_topics: Callable[[int], dict[str, str]],
    consumer_factory: Callable[..., Consumer],
    uid: str,
    tmp_path: Path,
) -> None:
    assert {partition_of(a, PARTITIONS) for a in FLEET} == set(range(PARTITIONS))
    topics = worker_topics(PARTITIONS)
    events = sorted(fleet_events(8, 40) + legit_events(12, 40), key=lambda e: e["ts"])

    def start(n: int) -> services.Service:
        return services.start_worker(
            bootstrap,
            f"test-{uid}",
            topics,
            tmp_path / f"data-{n}",
            tmp_path / f"worker{n}.log",
            partitions=PARTITIONS,
            extra=("--instance-id", f"w{n}"),
        )

    with ThreadPoolExecutor(2) as pool:
        starting = [pool.submit(start, n) for n in range(2)]
        workers = [f.result() for f in starting]
    try:
        consumer = consumer_factory(topics["decisions"])
        decisions: dict[str, list[dict[str, Any]]] = {}
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
        started = time.monotonic()
        for i, event in enumerate(events):
            producer.produce(
                topics["events"], key=event["account_id"].encode(), value=orjson.dumps(event)
            )
            producer.poll(0)
            ahead = (i + 1) / RATE - (time.monotonic() - started)
            if ahead > 0.05:
                _decisions(consumer, decisions)  # pacing: read decisions meanwhile
        assert producer.flush(30) == 0

        # a loaded machine may leave the workers a minute behind the producer
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not all(_enforced(decisions).get(a) for a in FLEET):
            assert all(w.alive() for w in workers), _logs(tmp_path)
            _decisions(consumer, decisions)
        _decisions(consumer, decisions)
        enforced = _enforced(decisions)
        missing = [a for a in FLEET if not enforced.get(a)]
        health = [w.get_json("/healthz") for w in workers]
        assert not missing, (missing, health, _logs(tmp_path))
        cluster_ids = set().union(*(enforced[a] for a in FLEET))
        assert len(cluster_ids) == 1 and None not in cluster_ids, cluster_ids
        assert not [a for a in LEGIT if enforced.get(a)]
        (cid,) = cluster_ids
        # cluster evidence, not the accounts' own, drove the enforcement
        assert all(
            any(d["origin"] == "cluster" and d["cluster_id"] == cid for d in decisions[a])
            for a in FLEET
        )

        # both workers merged part of the traffic: the fleet really was split
        assert all(h is not None and h["merged_events"] > 0 for h in health), health

        # the clustering stage's instance answers /clusters/{id}; the other forwards to it
        views = [w.get_json(f"/clusters/{cid}") for w in workers]
        assert all(v is not None for v in views), views
        assert all({m["account_id"] for m in v["members"]} == set(FLEET) for v in views)
        view = views[0]
        assert view["risk"] > 0 and view["links"]
        assert all(m["evidence"] for m in view["members"])
        assert sum(1 for m in view["members"] if m["decision"]) >= len(FLEET) // 2

        # an account's page, asked of either worker, comes from the one owning its partition
        for account_id in FLEET + LEGIT[:4]:
            pages = [w.get_json(f"/accounts/{account_id}") for w in workers]
            assert all(p is not None and p["account_id"] == account_id for p in pages), pages
    finally:
        for worker in workers:
            worker.stop()
