"""Stream simulated events into Kafka live, paced by event time and/or a maximum rate.

Pacing: with ``speedup`` S, an event ``t`` seconds into the scenario is sent ``t / S``
seconds after streaming began; with ``rate`` R, never more than R events per second.
Timestamps are shifted so the scenario starts *now* (``keep_time=False``), which is what
a live detector with wall-clock windows and TTLs expects; the account ``created_at`` is
shifted by the same amount so account ages are unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

import orjson
from confluent_kafka import Producer

from distillguard.models.errors import DistillguardError
from distillguard.streams.kafka import TopicSpec, client_config, ensure_topics, wait_for_broker


class ProducerLike(Protocol):
    """The part of ``confluent_kafka.Producer`` the streamer uses."""

    def produce(
        self, topic: str, value: bytes, key: bytes, on_delivery: Callable[..., None]
    ) -> None: ...

    def poll(self, timeout: float) -> int: ...

    def flush(self, timeout: float) -> int: ...


PRODUCER_DEFAULTS: Mapping[str, Any] = {
    "compression.type": "lz4",
    "linger.ms": 20,
    "batch.num.messages": 10000,
    "queue.buffering.max.messages": 200000,
    "enable.idempotence": True,
    "acks": "all",
}


@dataclass
class StreamCounts:
    """What a live run sent: ``produced`` handed to the client, ``delivered`` acknowledged."""

    produced: int = 0
    delivered: int = 0
    failed: int = 0
    seconds: float = 0.0
    time_shift: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "produced": self.produced,
            "delivered": self.delivered,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "time_shift": round(self.time_shift, 3),
        }


def make_producer(bootstrap: str, **extra: Any) -> ProducerLike:
    """An idempotent, lz4-compressed, batching producer."""
    producer = Producer(client_config(bootstrap, **PRODUCER_DEFAULTS, **extra))
    return cast(ProducerLike, producer)


def stream_to_kafka(
    events: Iterable[dict[str, Any]],
    *,
    bootstrap: str,
    topic: str,
    scenario_start: float,
    rate: float | None = None,
    speedup: float | None = None,
    keep_time: bool = False,
    partitions: int = 4,
    producer: ProducerLike | None = None,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
    flush_timeout: float = 60.0,
) -> StreamCounts:
    """Produce ``events`` to ``topic`` (key = ``account_id``); create the topic if missing.

    Returns the counts once every produced record is acknowledged or failed; raises
    :class:`DistillguardError` if records remain undelivered after ``flush_timeout``.
    """
    if producer is None:
        wait_for_broker(bootstrap, timeout=30)
        ensure_topics(bootstrap, [TopicSpec(topic, partitions)])
    client: ProducerLike = producer if producer is not None else make_producer(bootstrap)
    counts = StreamCounts()
    errors: list[str] = []

    def delivered(err: Any, msg: Any) -> None:
        del msg
        if err is None:
            counts.delivered += 1
        else:
            counts.failed += 1
            if len(errors) < 3:
                errors.append(str(err))

    began_wall = time.time()
    began = time.monotonic()
    counts.time_shift = 0.0 if keep_time else began_wall - scenario_start
    shift = counts.time_shift
    try:
        for event in events:
            ts = float(event["ts"])
            due = began
            if speedup:
                due = max(due, began + (ts - scenario_start) / speedup)
            if rate:
                due = max(due, began + counts.produced / rate)
            wait = due - time.monotonic()
            if wait > 0.002:
                client.poll(0)
                time.sleep(wait)
            if shift:
                event["ts"] = round(ts + shift, 3)
                account = event.get("account")
                if isinstance(account, dict) and account.get("created_at") is not None:
                    account["created_at"] = round(float(account["created_at"]) + shift, 3)
            value = orjson.dumps(event)
            key = str(event["account_id"]).encode()
            while True:
                try:
                    client.produce(topic, value=value, key=key, on_delivery=delivered)
                    break
                except BufferError:
                    client.poll(0.05)
            counts.produced += 1
            if counts.produced % progress_every == 0:
                client.poll(0)
                if on_progress is not None:
                    on_progress(counts.produced)
    except KeyboardInterrupt:
        client.flush(5.0)  # keep what was already handed over, then stop
        raise
    remaining = client.flush(flush_timeout)
    counts.seconds = time.monotonic() - began
    if on_progress is not None:
        on_progress(counts.produced)
    if remaining or counts.failed:
        detail = "; ".join(errors) or f"{remaining} records still queued"
        lost = counts.failed + remaining
        raise DistillguardError(
            f"{lost} of {counts.produced} events not delivered to {topic!r}: {detail}"
        )
    return counts
