"""The live streamer against an in-memory producer: keys, time shift, delivery accounting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from distillguard.models.errors import DistillguardError
from distillguard.models.sim import Simulation, load_scenario
from distillguard.streams.simulate_kafka import stream_to_kafka


class MemoryProducer:
    """Records what would be produced; delivers on poll/flush like librdkafka."""

    def __init__(self, fail_every: int = 0) -> None:
        self.records: list[tuple[str, bytes, bytes]] = []
        self.pending: list[Callable[..., None]] = []
        self.fail_every = fail_every

    def produce(
        self, topic: str, value: bytes, key: bytes, on_delivery: Callable[..., None]
    ) -> None:
        self.records.append((topic, key, value))
        self.pending.append(on_delivery)

    def poll(self, timeout: float) -> int:
        del timeout
        served = len(self.pending)
        for i, callback in enumerate(self.pending, len(self.records) - served + 1):
            error = "broker down" if self.fail_every and i % self.fail_every == 0 else None
            callback(error, None)
        self.pending.clear()
        return served

    def flush(self, timeout: float) -> int:
        self.poll(timeout)
        return 0


@pytest.fixture(scope="module")
def small() -> Simulation:
    return Simulation(load_scenario("smoke"), scale=0.1)


def test_every_event_is_produced_keyed_by_account(small: Simulation) -> None:
    producer = MemoryProducer()
    counts = stream_to_kafka(
        small.events(),
        bootstrap="unused",
        topic="t",
        scenario_start=small.scenario.start_ts,
        keep_time=True,
        producer=producer,
    )
    assert counts.produced == counts.delivered == small.size
    originals = list(small.events())
    for (topic, key, value), original in zip(producer.records, originals, strict=True):
        assert topic == "t"
        assert orjson.loads(value) == original
        assert key == original["account_id"].encode()


def test_time_is_shifted_so_the_scenario_starts_now(small: Simulation) -> None:
    producer = MemoryProducer()
    counts = stream_to_kafka(
        small.events(),
        bootstrap="unused",
        topic="t",
        scenario_start=small.scenario.start_ts,
        producer=producer,
    )
    assert counts.time_shift > 0
    for (_, _, value), original in zip(producer.records, small.events(), strict=True):
        shifted: dict[str, Any] = orjson.loads(value)
        assert shifted["ts"] == pytest.approx(original["ts"] + counts.time_shift, abs=2e-3)
        age = original["ts"] - original["account"]["created_at"]
        assert shifted["ts"] - shifted["account"]["created_at"] == pytest.approx(age, abs=2e-3)


def test_progress_is_reported(small: Simulation) -> None:
    seen: list[int] = []
    stream_to_kafka(
        small.events(),
        bootstrap="unused",
        topic="t",
        scenario_start=small.scenario.start_ts,
        producer=MemoryProducer(),
        on_progress=seen.append,
        progress_every=100,
    )
    assert seen == sorted(seen) and seen[-1] == small.size


def test_undelivered_events_raise(small: Simulation) -> None:
    with pytest.raises(DistillguardError, match="not delivered to 't': broker down"):
        stream_to_kafka(
            small.events(),
            bootstrap="unused",
            topic="t",
            scenario_start=small.scenario.start_ts,
            producer=MemoryProducer(fail_every=7),
        )
