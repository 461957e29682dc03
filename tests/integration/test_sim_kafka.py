"""Live simulation into the real broker: every event arrives once, keyed by account."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import orjson
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient

from distillguard.cli import main
from distillguard.models.codec import decode_event
from distillguard.models.sim import Simulation, load_scenario
from distillguard.streams.simulate_kafka import stream_to_kafka


def _drain(
    consumer: Consumer, expected: int, timeout: float = 90.0
) -> list[tuple[bytes | None, bytes | None]]:
    """Consume until ``expected`` records arrived, then once more to catch any extras."""
    records: list[tuple[bytes | None, bytes | None]] = []

    def take(wait: float) -> None:
        for msg in consumer.consume(5000, timeout=wait):
            assert msg.error() is None, msg.error()
            records.append((msg.key(), msg.value()))

    deadline = time.monotonic() + timeout
    while len(records) < expected and time.monotonic() < deadline:
        take(1.0)
    take(2.0)
    return records


def test_streams_exactly_the_generated_events(
    bootstrap: str,
    make_topic: Callable[..., str],
    consumer_factory: Callable[..., Consumer],
) -> None:
    topic = make_topic("events")
    sim = Simulation(load_scenario("smoke"), scale=0.3)
    counts = stream_to_kafka(
        sim.events(),
        bootstrap=bootstrap,
        topic=topic,
        scenario_start=sim.scenario.start_ts,
        keep_time=True,
    )
    assert counts.produced == counts.delivered == sim.size
    records = _drain(consumer_factory(topic), sim.size)
    assert len(records) == sim.size
    ids = set()
    for key, value in records:
        event = decode_event(value)
        assert key == event.account_id.encode()
        ids.add(event.event_id)
    assert ids == {e["event_id"] for e in sim.events()}


def test_cli_creates_the_topic_and_writes_truth(
    bootstrap: str, uid: str, consumer_factory: Callable[..., Consumer], tmp_path: Path
) -> None:
    topic = f"test.sim-cli.{uid}"
    try:
        code = main(
            [
                "simulate",
                "smoke",
                "--scale",
                "0.1",
                "--bootstrap-servers",
                bootstrap,
                "--events-topic",
                topic,
                "--out",
                str(tmp_path),
                "--rate",
                "100000",
            ]
        )
        assert code == 0
        summary = orjson.loads((tmp_path / "scenario.json").read_bytes())
        truth = (tmp_path / "truth.jsonl").read_bytes().splitlines()
        assert len(truth) == summary["counts"]["accounts"]
        assert not (tmp_path / "events.jsonl").exists()
        records = _drain(consumer_factory(topic), summary["counts"]["events"])
        assert len(records) == summary["counts"]["events"]
    finally:
        for future in AdminClient({"bootstrap.servers": bootstrap}).delete_topics([topic]).values():
            future.exception()
