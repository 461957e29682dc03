"""End-to-end worker throughput and decision latency on the real broker.

1. ``raw_consume_events_per_s``: confluent-kafka ``consume`` + ``orjson.loads`` over the
   pre-loaded events topic — the ceiling for any Python consumer on this machine.
2. ``worker_events_per_s``: one ``distillguard worker`` (ingest process + Faust process)
   over the same topic, from its first committed batch until every event has been merged
   into account state.
3. ``decision_latency_*``: a fresh copy of the demo scenario streamed at ~80% of (2); for
   each decision, wall time from producing the first event whose time reached the
   decision's ``issued_at`` (the event that advanced the detector's clock to the tick that
   decided) until the decision record was readable on the topic.
"""

from __future__ import annotations

import bisect
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer

from distillguard.streams.bench.replay import scenario_events
from distillguard.streams.demo import services
from distillguard.streams.kafka import TopicSpec, admin, ensure_topics

PARTITIONS = 4


def _produce(bootstrap: str, topic: str, lines: list[bytes]) -> None:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "linger.ms": 50, "compression.type": "lz4"}
    )
    for line in lines:
        while True:
            try:
                producer.produce(topic, key=orjson.loads(line)["account_id"].encode(), value=line)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    producer.flush(60)


def _reader(bootstrap: str, purpose: str) -> Consumer:
    """A consumer of its own group, reading topics from the start."""
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-{purpose}-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )


def _raw_consume(bootstrap: str, topic: str, count: int) -> tuple[float, float]:
    """(wall-clock events/s, events per CPU second of this process) for consume + decode."""
    consumer = _reader(bootstrap, "raw")
    consumer.subscribe([topic])
    seen, started, cpu_started = 0, 0.0, 0.0
    while seen < count:
        batch = consumer.consume(10_000, timeout=1.0)
        if batch and not started:
            started, cpu_started = time.perf_counter(), time.process_time()
        for message in batch:
            value = message.value()
            if message.error() is None and value is not None:
                orjson.loads(value)
                seen += 1
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    consumer.close()
    return seen / elapsed, seen / max(cpu, 1e-6)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _process_tree(pid: int) -> dict[str, int]:
    """The worker's Faust process and its ingest child."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ingest = [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    return {"faust": pid, "ingest": ingest[0] if ingest else pid}


def _worker_throughput(
    worker: services.Service, bootstrap: str, topic: str, lines: list[bytes], timeout: float
) -> tuple[float, dict[str, float]]:
    """Events/s from the first event produced to the last one merged into account state,
    and CPU seconds per event of each of the worker's processes over the same span."""
    tree = _process_tree(worker.process.pid)
    cpu_start = {name: _cpu_seconds(pid) for name, pid in tree.items()}
    started = time.monotonic()
    _produce(bootstrap, topic, lines)
    deadline = started + timeout
    while time.monotonic() < deadline:
        if (worker.get_json("/healthz") or {}).get("merged_events", 0) >= len(lines):
            elapsed = time.monotonic() - started
            cpu = {
                name: (_cpu_seconds(pid) - cpu_start[name]) / len(lines)
                for name, pid in tree.items()
            }
            return len(lines) / elapsed, cpu
        time.sleep(0.1)  # polling another process
    raise RuntimeError("the worker did not merge every event in time")


def _latency(
    bootstrap: str, events_topic: str, decisions_topic: str, lines: list[bytes], rate: float
) -> list[float]:
    consumer = _reader(bootstrap, "latency")
    # Read everything and keep the decisions of this phase: its events start later in
    # event time than anything before, and issued_at is event time.
    consumer.subscribe([decisions_topic])
    phase_start = float(orjson.loads(lines[0])["ts"])
    seen: list[tuple[float, float]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for message in consumer.consume(500, timeout=0.2):
                value = message.value()
                if message.error() is None and value:
                    issued_at = float(orjson.loads(value)["issued_at"])
                    if issued_at >= phase_start:
                        seen.append((time.monotonic(), issued_at))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    sent_wall: list[float] = []
    sent_ts: list[float] = []
    started = time.monotonic()
    for i, line in enumerate(lines):
        event = orjson.loads(line)
        producer.produce(events_topic, key=event["account_id"].encode(), value=line)
        producer.poll(0)
        sent_wall.append(time.monotonic())
        sent_ts.append(float(event["ts"]))
        ahead = (i + 1) / rate - (time.monotonic() - started)
        if ahead > 0.002:
            time.sleep(ahead)
    producer.flush(30)
    time.sleep(10)  # the last ticks
    stop.set()
    watcher.join(5)
    consumer.close()
    latencies = []
    for wall_seen, issued_at in seen:
        i = bisect.bisect_left(sent_ts, issued_at)
        if i < len(sent_wall):
            latencies.append(max(0.0, wall_seen - sent_wall[i]))
    return latencies


def _topics(bootstrap: str, tag: str) -> dict[str, str]:
    topics = {name: f"bench.{tag}.{name}" for name in ("events", "decisions", "deadletter")}
    ensure_topics(
        bootstrap,
        [
            TopicSpec(topics["events"], PARTITIONS),
            TopicSpec.compacted(topics["decisions"], PARTITIONS),
            TopicSpec(topics["deadletter"], PARTITIONS),
        ],
    )
    return topics


def _start_worker(bootstrap: str, tag: str, topics: dict[str, str], tmp: Path) -> services.Service:
    return services.start_worker(
        bootstrap,
        f"bench-{tag}",
        topics,
        tmp / f"state-{tag}",
        tmp / f"worker-{tag}.log",
        partitions=PARTITIONS,
        tick_seconds=1.0,
        slice_interval=1.0,
        extra=("--instance-id", "bench-0"),
    )


def run(bootstrap: str, scenario: str = "mixed-6h") -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    load_topics, latency_topics = (
        _topics(bootstrap, f"{tag}-load"),
        _topics(bootstrap, f"{tag}-lat"),
    )
    with tempfile.TemporaryDirectory() as tmp:
        path, count = scenario_events(scenario, Path(tmp) / "load")
        lines = path.read_bytes().splitlines()
        demo_path, _ = scenario_events("demo", Path(tmp) / "latency")
        later = demo_path.read_bytes().splitlines()
        worker = _start_worker(bootstrap, f"{tag}-load", load_topics, Path(tmp))
        try:
            worker_eps, cpu = _worker_throughput(
                worker, bootstrap, load_topics["events"], lines, timeout=900
            )
        finally:
            worker.stop()
        # The ceiling, on the same topic: a plain consumer decoding every event.
        raw = [_raw_consume(bootstrap, load_topics["events"], count) for _ in range(3)]
        # Latency on a fresh worker, at 80% of the throughput just measured.
        worker = _start_worker(bootstrap, f"{tag}-lat", latency_topics, Path(tmp))
        try:
            latencies = _latency(
                bootstrap,
                latency_topics["events"],
                latency_topics["decisions"],
                later,
                0.8 * worker_eps,
            )
            decided = (worker.get_json("/healthz") or {}).get("decisions", 0)
        finally:
            worker.stop()
        client = admin(bootstrap)  # alive until the deletions complete
        names = [*load_topics.values(), *latency_topics.values()]
        for future in client.delete_topics(names).values():
            future.exception()
    raw_eps = statistics.median(r[0] for r in raw)
    raw_cpu_eps = statistics.median(r[1] for r in raw)
    quantiles = (
        statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    )
    return {
        "worker_scenario": scenario,
        "worker_events": count,
        "raw_consume_events_per_s": round(raw_eps),
        "raw_consume_runs_events_per_s": [round(r[0]) for r in raw],
        "raw_consume_events_per_cpu_s": round(raw_cpu_eps),
        "worker_events_per_s": round(worker_eps),
        # CPU time per event of each process: events/s one core sustains for that stage,
        # independent of what else the machine is doing.
        "worker_ingest_cpu_us_per_event": round(cpu["ingest"] * 1e6, 1),
        "worker_faust_cpu_us_per_event": round(cpu["faust"] * 1e6, 1),
        "worker_ingest_events_per_cpu_s": round(1 / cpu["ingest"]) if cpu["ingest"] else None,
        "worker_faust_events_per_cpu_s": round(1 / cpu["faust"]) if cpu["faust"] else None,
        "worker_to_raw_ratio": round(worker_eps / raw_eps, 4),
        "decision_latency_load_events_per_s": round(0.8 * worker_eps),
        "decision_latency_samples": len(latencies),
        "decision_latency_records_sent": decided,
        "decision_latency_p50_s": round(quantiles[49], 3),
        "decision_latency_p99_s": round(quantiles[98], 3),
    }


if __name__ == "__main__":
    from distillguard.streams.settings import default_bootstrap

    print(orjson.dumps(run(default_bootstrap())).decode())
