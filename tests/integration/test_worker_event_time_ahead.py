"""Event time ahead of the broker's clock (a backlog, a backfill, a simulator speed-up) loses
no decision: Kafka refuses records stamped over an hour in the future, so decision records
must not carry event time as their timestamp."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.models.sim import Simulation, load_scenario
from distillguard.streams.demo import services
from distillguard.streams.settings import EVENT_TIME_HEADER


def test_decisions_from_event_time_far_ahead_reach_the_topic(
    bootstrap: str,
    uid: str,
    make_topic: Callable[..., str],
    consumer_factory: Callable[..., Consumer],
    tmp_path: Path,
) -> None:
    ahead = datetime.fromtimestamp(time.time() + 6 * 3600, tz=UTC)
    scenario = load_scenario("smoke").model_copy(update={"start": ahead})
    sim = Simulation(scenario)
    harvesters = {t["account_id"] for t in sim.truth() if t["persona"] == "logit-harvester"}
    topics = {name: make_topic(name, partitions=2) for name in ("events", "deadletter")}
    topics["decisions"] = make_topic("decisions", partitions=2, compacted=True)
    worker = services.start_worker(
        bootstrap, f"test-ahead-{uid}", topics, tmp_path / "data", tmp_path / "worker.log"
    )
    try:
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 10})
        started = time.monotonic()
        for i, event in enumerate(sim.events()):
            producer.produce(
                topics["events"], key=event["account_id"].encode(), value=orjson.dumps(event)
            )
            producer.poll(0)
            lag = (i + 1) / 800 - (time.monotonic() - started)
            if lag > 0.005:
                time.sleep(lag)  # pacing, so event-time ticks stay fine-grained
        assert producer.flush(30) == 0

        consumer = consumer_factory(topics["decisions"])
        decided: dict[str, float] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not harvesters <= set(decided):
            for message in consumer.consume(200, timeout=0.5):
                raw_key, raw_value = message.key(), message.value()
                if message.error() is None and raw_key is not None and raw_value is not None:
                    headers = dict(message.headers() or [])
                    value = orjson.loads(raw_value)
                    stamp = headers[EVENT_TIME_HEADER]
                    assert isinstance(stamp, bytes) and float(stamp) == value["issued_at"]
                    decided[value["subject"]["value"]] = value["issued_at"]
        assert harvesters and harvesters <= set(decided), "decisions were lost"
        assert min(decided.values()) > time.time() + 3600, "event time was not ahead"
        assert b"InvalidTimestamp" not in (tmp_path / "worker.log").read_bytes()
    finally:
        worker.stop()
