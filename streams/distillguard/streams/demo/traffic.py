"""Feed an events file into Kafka at a steady rate, and watch the decisions topic."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.streams.kafka import client_config
from distillguard.streams.settings import EVENT_TIME_HEADER

LADDER = ("monitor", "degrade", "throttle", "challenge", "suspend")


@dataclass(eq=False)
class Feeder(threading.Thread):
    """Produces every line of ``events`` (key = account_id) at up to ``rate`` events/s."""

    bootstrap: str
    topic: str
    events: Path
    rate: float
    produced: int = 0
    total: int = 0
    first_seen: dict[str, tuple[str, str]] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    error: str | None = None

    def __post_init__(self) -> None:
        threading.Thread.__init__(self, name="feeder", daemon=True)
        with self.events.open("rb") as lines:
            self.total = sum(1 for _ in lines)

    def run(self) -> None:
        producer = Producer(
            {**client_config(self.bootstrap), "linger.ms": 20, "compression.type": "lz4"}
        )
        started = time.monotonic()
        try:
            with self.events.open("rb") as lines:
                for line in lines:
                    if self.stop.is_set():
                        break
                    event = orjson.loads(line)
                    account = event["account_id"]
                    if account not in self.first_seen:
                        self.first_seen[account] = (event["api_key_id"], event["ip"])
                    self._produce(producer, account.encode(), line.rstrip(b"\n"))
                    self.produced += 1
                    ahead = self.produced / self.rate - (time.monotonic() - started)
                    if ahead > 0.01:
                        time.sleep(ahead)  # pacing to the target rate
            producer.flush(30)
        except Exception as exc:  # noqa: BLE001 - reported on screen, demo stops
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()

    def _produce(self, producer: Producer, key: bytes, value: bytes) -> None:
        while True:
            try:
                producer.produce(self.topic, key=key, value=value)
                producer.poll(0)
                return
            except BufferError:
                producer.poll(0.05)


def _event_time(message: Any) -> float:
    """The detector's clock of a decision record (header), else the record's timestamp."""
    for name, raw in message.headers() or ():
        if name == EVENT_TIME_HEADER and raw:
            return float(raw)
    return float(message.timestamp()[1]) / 1000


@dataclass(eq=False)
class DecisionWatcher(threading.Thread):
    """Reads the decisions topic from the start; keeps every record and the latest per key."""

    bootstrap: str
    topic: str
    group: str
    records: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    last_change: float = field(default_factory=time.monotonic)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        threading.Thread.__init__(self, name="decisions", daemon=True)
        self._lock = threading.Lock()

    def run(self) -> None:
        consumer = Consumer(
            {
                **client_config(self.bootstrap),
                "group.id": self.group,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
        consumer.subscribe([self.topic])
        try:
            while not self.stop.is_set():
                for message in consumer.consume(num_messages=1000, timeout=0.2):
                    raw_key, raw_value = message.key(), message.value()
                    if message.error() is not None or raw_key is None:
                        continue
                    key = raw_key.decode()
                    value = orjson.loads(raw_value) if raw_value else None
                    ts = value["issued_at"] if value else _event_time(message)
                    with self._lock:
                        self.records.append({"key": key, "value": value, "ts": ts})
                        self.latest[key] = value
                        self.last_change = time.monotonic()
        finally:
            consumer.close()

    def snapshot(self) -> tuple[Counter[str], list[dict[str, Any]], int]:
        """(live decisions by action/mode, top flagged by risk, records seen)."""
        with self._lock:
            live = [v for v in self.latest.values() if v is not None]
            count = len(self.records)
        by_action: Counter[str] = Counter(
            f"{v['action']}" + (" (shadow)" if v["mode"] == "shadow" else "") for v in live
        )
        top = sorted(live, key=lambda v: (-LADDER.index(v["action"]), -v["risk"]))[:8]
        return by_action, top, count

    def write(self, path: Path) -> int:
        """Write every record seen, in order, as decision-record lines (brief section 4)."""
        with self._lock:
            records = list(self.records)
        with path.open("wb") as out:
            for record in records:
                out.write(orjson.dumps(record) + b"\n")
        return len(records)
