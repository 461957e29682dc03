"""Malformed events go to the dead-letter topic; valid ones pass exactly once; nothing stops."""

from __future__ import annotations

import base64
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
import pytest
from confluent_kafka import Consumer, Producer

from distillguard.models.codec import Event
from distillguard.streams.ingest import OutRecord, TransactionalIngest, passthrough
from tests.support import full_event, minimal_event

TOTAL = 10_000
EVERY = 20  # 5% malformed


def _malformed(i: int) -> tuple[bytes, str]:
    """One malformed record, cycling through the ways gateways get it wrong."""
    good = orjson.dumps(minimal_event(i))
    kind = (i // EVERY) % 8
    if kind == 0:
        return b"this is not json", "not_json"
    if kind == 1:
        return good[: len(good) // 2], "not_json"
    if kind == 2:
        event = minimal_event(i)
        del event["account_id"]
        return orjson.dumps(event), "missing_field"
    if kind == 3:
        return orjson.dumps(minimal_event(i, ts="2026-11-27T10:00:00Z")), "wrong_type"
    if kind == 4:
        return b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}', "too_large"
    if kind == 5:  # milliseconds: would carry every later event 50,000 years into the past
        return orjson.dumps(minimal_event(i, ts=1_790_000_000_000 + i)), "invalid_value"
    if kind == 6:  # seconds, from a clock decades ahead: would expire every decision
        return orjson.dumps(minimal_event(i, ts=2_500_000_000.0 + i)), "invalid_value"
    return b'{"event_id": "\xff\xfe", "ts": 1}', "invalid_utf8"


def _records() -> tuple[list[tuple[bytes, bytes]], Counter[str], set[str]]:
    records, expected_reasons, valid_ids = [], Counter[str](), set()
    for i in range(TOTAL):
        if i % EVERY == EVERY - 1:
            value, reason = _malformed(i)
            expected_reasons[reason] += 1
        else:
            event = full_event(i, extra_field={"ignored": True}) if i % 3 else minimal_event(i)
            value = orjson.dumps(event)
            valid_ids.add(event["event_id"])
        records.append((f"acct_{i % 37:04x}".encode(), value))
    return records, expected_reasons, valid_ids


def _produce(bootstrap: str, topic: str, records: Iterable[tuple[bytes, bytes]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 4 * 1024 * 1024})
    for key, value in records:
        producer.produce(topic, key=key, value=value)
        producer.poll(0)
    assert producer.flush(30) == 0


def _drain(consumer: Consumer, expected: int, deadline_polls: int = 600) -> list[Any]:
    out: list[Any] = []
    empty = 0
    while len(out) < expected and empty < deadline_polls:
        batch = consumer.consume(num_messages=5000, timeout=0.1)
        empty = 0 if batch else empty + 1
        out.extend(m for m in batch if m.error() is None)
    return out


def _failing_once(inner: Callable[[Sequence[Event]], Iterable[OutRecord]], at_batch: int) -> Any:
    calls = {"n": 0}

    def transform(events: Sequence[Event]) -> Iterable[OutRecord]:
        calls["n"] += 1
        if calls["n"] == at_batch:
            raise RuntimeError("simulated crash inside processing")
        return list(inner(events))

    return transform


def test_malformed_to_deadletter_valid_exactly_once_across_a_crash(
    bootstrap: str,
    make_topic: Callable[..., str],
    consumer_factory: Callable[..., Consumer],
    uid: str,
) -> None:
    source, out, dlq = make_topic("events"), make_topic("validated"), make_topic("deadletter")
    records, expected_reasons, valid_ids = _records()
    _produce(bootstrap, source, records)

    def ingest(transform: Any) -> TransactionalIngest:
        return TransactionalIngest(
            bootstrap=bootstrap,
            group_id=f"ingest-{uid}",
            source_topic=source,
            deadletter_topic=dlq,
            transactional_id=f"ingest-{uid}-0",
            transform=transform,
            max_batch=1000,
            flush_interval=0.5,
        )

    # First run crashes on its third batch, like a worker killed mid-stream.
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest(_failing_once(passthrough(out), at_batch=3)).run(idle_timeout=5)
    # The restarted instance resumes from the committed offsets and finishes.
    stats = ingest(passthrough(out)).run(idle_timeout=3)
    assert stats.consumed > 0

    consumer = consumer_factory(out, dlq, **{"isolation.level": "read_committed"})
    messages = _drain(consumer, len(valid_ids) + sum(expected_reasons.values()))
    valid = [orjson.loads(m.value()) for m in messages if m.topic() == out]
    dead = [orjson.loads(m.value()) for m in messages if m.topic() == dlq]

    ids = [event["event_id"] for event in valid]
    assert len(ids) == len(set(ids)), "a valid event was delivered twice"
    assert set(ids) == valid_ids, "a valid event was lost"
    assert Counter(record["reason"] for record in dead) == expected_reasons
    for record in dead:
        assert record["source"]["topic"] == source
        assert record["detail"]
        original = base64.b64decode(record["value_b64"])
        assert len(original) == min(record["value_size"], 256 * 1024)
        assert record["value_truncated"] == (record["value_size"] > 256 * 1024)
    missing = [r for r in dead if r["reason"] == "missing_field"]
    assert missing and all(r["field"] == "account_id" for r in missing)
    wrong = [r for r in dead if r["reason"] == "wrong_type"]
    assert wrong and all(r["field"] == "ts" for r in wrong)
    invalid = [r for r in dead if r["reason"] == "invalid_value"]
    assert invalid and all(r["field"] == "ts" for r in invalid)
    assert any("milliseconds" in r["detail"] for r in invalid)
    assert any("days ahead of this worker's clock" in r["detail"] for r in invalid)


def test_ingest_keeps_running_until_stopped(
    bootstrap: str, make_topic: Callable[..., str], uid: str
) -> None:
    source, out, dlq = make_topic("events"), make_topic("validated"), make_topic("deadletter")
    ingest = TransactionalIngest(
        bootstrap=bootstrap,
        group_id=f"ingest-{uid}",
        source_topic=source,
        deadletter_topic=dlq,
        transactional_id=f"ingest-{uid}-0",
        transform=passthrough(out),
        flush_interval=0.2,
    )
    thread = threading.Thread(target=ingest.run, daemon=True)
    thread.start()
    _produce(bootstrap, source, [(b"k", b"garbage"), (b"k", orjson.dumps(minimal_event(1)))])
    deadline = 600
    while ingest.stats.valid + ingest.stats.deadlettered < 2 and deadline:
        thread.join(0.1)
        deadline -= 1
    assert ingest.stats.deadlettered == 1 and ingest.stats.valid == 1
    assert thread.is_alive(), "the consumer stopped after a malformed record"
    ingest.stop()
    thread.join(30)
    assert not thread.is_alive()
