"""A running worker uses partner intelligence: lab B's worker, started with lab A's watch
rules, sees the same campaigns from fresh accounts and explains them with intel evidence."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Producer

from distillguard.models.codec import event_record
from distillguard.models.intel.match import open_source
from distillguard.streams.demo import services
from tests.unit.intel_support import partner_lab


def test_worker_fuses_partner_watch_rules(
    bootstrap: str, uid: str, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    key, watch, events = partner_lab(tmp_path)
    direct = open_source(watch, key)
    for event in events:
        direct.observe(event_record(event))
    matched = sorted(direct.hits, key=lambda a: -sum(direct.hits[a].values()))[:3]
    assert matched, "lab A's rules match none of lab B's accounts"

    topics = {name: make_topic(name, partitions=2) for name in ("events", "deadletter")}
    topics["decisions"] = make_topic("decisions", partitions=2, compacted=True)
    worker = services.start_worker(
        bootstrap,
        f"test-intel-{uid}",
        topics,
        tmp_path / "data",
        tmp_path / "worker.log",
        extra=("--intel", str(watch), "--consortium-key-file", str(key)),
    )
    try:
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 10})
        for event in events:
            producer.produce(
                topics["events"], key=event["account_id"].encode(), value=orjson.dumps(event)
            )
            producer.poll(0)
        assert producer.flush(30) == 0

        def explained(account: str) -> dict[str, Any] | None:
            view: dict[str, Any] | None = worker.get_json(f"/accounts/{account}")
            codes = {r["code"] for r in (view or {}).get("reasons", [])}
            return view if "intel.watch_match" in codes else None

        deadline = time.monotonic() + 90
        found: dict[str, Any] = {}
        while time.monotonic() < deadline and len(found) < len(matched):
            for account in matched:
                view = explained(account)
                if view is not None:
                    found[account] = view
            time.sleep(0.5)  # polling the worker's HTTP endpoint
        assert set(found) == set(matched), (
            f"no intel evidence for {sorted(set(matched) - set(found))}"
        )
    finally:
        worker.stop()
