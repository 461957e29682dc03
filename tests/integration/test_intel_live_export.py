"""The live export reads the topics and builds the bundle the file export builds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.cli import main
from distillguard.models.sim import Simulation, load_scenario


def _indicators(path: Path) -> set[tuple[str, str]]:
    bundle = orjson.loads(path.read_bytes())
    return {(o["id"], o["pattern"]) for o in bundle["objects"] if o["type"] == "indicator"}


def test_export_from_kafka_matches_the_file_export_and_publishes(
    bootstrap: str,
    make_topic: Callable[..., str],
    consumer_factory: Callable[..., Consumer],
    tmp_path: Path,
) -> None:
    key = tmp_path / "consortium.key"
    key.write_bytes(b"consortium-secret-for-the-live-export")
    events = tmp_path / "events.jsonl"
    events.write_bytes(
        b"".join(orjson.dumps(e) + b"\n" for e in Simulation(load_scenario("smoke")).events())
    )
    decisions = tmp_path / "decisions.jsonl"
    assert main(["replay", str(events), "--out", str(decisions)]) == 0
    k = ["--consortium-key-file", str(key), "--producer", "lab-a"]
    assert main(["intel", "export", "--events", str(events), "--decisions", str(decisions),
                 "--out", str(tmp_path / "file.json"), *k]) == 0  # fmt: skip

    topics = {
        "events": make_topic("events", partitions=2),
        "decisions": make_topic("decisions", partitions=2, compacted=True),
        "out": make_topic("intel-out", partitions=1),
    }
    producer = Producer({"bootstrap.servers": bootstrap})
    for line in events.read_bytes().splitlines():
        producer.produce(
            topics["events"], key=orjson.loads(line)["account_id"].encode(), value=line
        )
    for line in decisions.read_bytes().splitlines():
        record = orjson.loads(line)
        value = orjson.dumps(record["value"]) if record["value"] is not None else None
        producer.produce(topics["decisions"], key=record["key"].encode(), value=value)
    assert producer.flush(30) == 0

    live = tmp_path / "live.json"
    assert main(["intel", "export", "--from-kafka", "--bootstrap-servers", bootstrap,
                 "--events-topic", topics["events"], "--decisions-topic", topics["decisions"],
                 "--intel-out-topic", topics["out"], "--publish", "--out", str(live),
                 *k]) == 0  # fmt: skip
    assert _indicators(live) and _indicators(live) == _indicators(tmp_path / "file.json")

    consumer = consumer_factory(topics["out"])
    published = []
    for _ in range(100):
        published += [m for m in consumer.consume(10, timeout=0.2) if m.error() is None]
        if published:
            break
    assert len(published) == 1
    raw = published[0].value()
    assert raw is not None
    assert {o["id"] for o in orjson.loads(raw)["objects"]} == {
        o["id"] for o in orjson.loads(live.read_bytes())["objects"]
    }
