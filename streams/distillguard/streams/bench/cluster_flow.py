"""The worker's partitioned cluster flow without Kafka, for comparison with ``replay``.

``PartitionedFlow`` runs one :class:`~distillguard.models.engine.Engine` per partition, each
seeing only the events of its accounts (as each worker's state tables do), and between
ticks moves records exactly as the worker's topics do: linking values to ``ValueStage``
by value, pairs, member profiles and decisions to one ``ClusteringStage``, its verdicts to
every partition's ``ClusterVerdicts``. Verdicts of a tick reach the scoring of the *next*
tick, and an account whose verdict changed is scored again then, as the worker does.

The flow ticks every ``tick_seconds`` of event time: by default the detection config's
(30 s, ``replay``'s), from the command line the worker's (``WorkerSettings.tick_seconds``,
5 s: a live worker scores every few seconds of wall time, and merges and links every
second's batch). At 30 s a fleet's failover replacements wait a tick longer for their
verdict than live; at 5 s profiles and linking values come in batches as small as the
worker's, which is what the linking stages see live.

``python -m distillguard.streams.bench.cluster_flow EVENTS.jsonl OUT.jsonl [PARTITIONS
[TICK_SECONDS]]`` writes decisions in ``replay``'s format, for ``distillguard evaluate
--compare``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from distillguard.models.codec import Event, decode_event
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import Engine
from distillguard.models.features import AccountSlice
from distillguard.models.policy import DecisionRecord
from distillguard.streams.worker.by_value import ProfileFeed, ValueMemo, ValueStage, batch_values
from distillguard.streams.worker.clustering import ClusteringStage
from distillguard.streams.worker.settings import WorkerSettings
from distillguard.streams.worker.slicing import partition_of
from distillguard.streams.worker.verdicts import ClusterVerdicts


class _Captured:
    """Hands the slices an engine folded each tick to the linking stages."""

    def __init__(self) -> None:
        self.slices: dict[str, AccountSlice] = {}

    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        self.slices = dict(slices)

    def observe_decision(self, account_id: str, value: Any, now: float) -> None:
        """Decisions reach the clustering stage through ``ClusterVerdicts``."""

    def holds(self, account_id: str) -> bool:
        return False


class _Partition:
    def __init__(self, config: DetectionConfig) -> None:
        self.verdicts = ClusterVerdicts()
        self.captured = _Captured()
        self.engine = Engine(
            config, sources=[self.verdicts], observers=[self.captured, self.verdicts]
        )
        self.feed = ProfileFeed()
        self.memo = ValueMemo()
        self.rescore: list[str] = []


class PartitionedFlow:
    def __init__(
        self,
        partitions: int = 2,
        config: DetectionConfig | None = None,
        tick_seconds: float | None = None,
    ) -> None:
        config = config or DetectionConfig()
        self.partitions = [_Partition(config) for _ in range(partitions)]
        self.values = [ValueStage() for _ in range(partitions)]
        self.stage = ClusteringStage()
        self.tick_seconds = tick_seconds or config.tick_seconds
        self.records = {"by_value": 0, "clustering": 0, "profiles": 0, "verdicts": 0}
        self.linking_cpu = 0.0

    def run(self, events: Iterable[Event]) -> Iterator[DecisionRecord]:
        n = len(self.partitions)
        step = self.tick_seconds
        next_tick: float | None = None
        pending = False
        for event in events:
            ts = event.ts
            if next_tick is None:
                next_tick = (ts // step + 1) * step
            while ts >= next_tick:
                yield from self.tick(next_tick)
                next_tick += step
            self.partitions[partition_of(event.account_id, n)].engine.observe(event)
            pending = True
        if next_tick is not None and pending:
            yield from self.tick(next_tick)

    def tick(self, now: float) -> list[DecisionRecord]:
        out: list[DecisionRecord] = []
        records: list[dict[str, Any]] = []
        for part in self.partitions:
            out.extend(part.engine.tick(now))
            slices, part.captured.slices = part.captured.slices, {}
            for account_id in part.rescore:
                if account_id not in slices and account_id in part.engine.states:
                    decided = part.engine.score(account_id, now)
                    if decided is not None:
                        out.append(decided)
            part.rescore = []
            started = time.process_time()
            values = batch_values(slices, part.memo, part.feed, part.verdicts, now)
            for value, rows in values.items():
                self.records["by_value"] += 1
                stage = self.values[partition_of(value, len(self.values))]
                pairs = stage.apply(value, rows)
                if pairs:
                    records.append({"t": "pairs", "rows": pairs})
            profiles = part.feed.rows(slices, part.verdicts.verdicts.__contains__, now)
            if profiles:
                records.append({"t": "profiles", "rows": profiles})
                self.records["profiles"] += len(profiles)
            feedback = part.verdicts.drain_feedback()
            if feedback:
                records.append({"t": "decisions", "rows": feedback})
            self.linking_cpu += time.process_time() - started
        started = time.process_time()
        for record in records:  # as the clustering agent: verdicts after each record
            self.stage.apply(record)
            verdicts = self.stage.verdicts()
            self.records["verdicts"] += len(verdicts)
            for account_id, verdict in verdicts.items():
                for part in self.partitions:
                    part.verdicts.update(account_id, verdict)
        self.records["clustering"] += len(records)
        for part in self.partitions:
            part.feed.note_members(part.verdicts.drain_joined())
            part.rescore = part.verdicts.drain_changed()
        self.linking_cpu += time.process_time() - started
        return out


def main(argv: list[str]) -> int:
    events_path, out_path = Path(argv[0]), Path(argv[1])
    partitions = int(argv[2]) if len(argv) > 2 else 2
    tick = float(argv[3]) if len(argv) > 3 else WorkerSettings.model_fields["tick_seconds"].default
    flow = PartitionedFlow(partitions, tick_seconds=tick)
    count = 0

    def events() -> Iterator[Event]:
        nonlocal count
        with events_path.open("rb") as f:
            for line in f:
                count += 1
                yield decode_event(line)

    started = time.process_time()
    with out_path.open("wb") as out:
        for record in flow.run(events()):
            out.write(orjson.dumps({"key": record.key, "value": record.value, "ts": record.ts}))
            out.write(b"\n")
    cpu = time.process_time() - started
    summary = {
        "events": count,
        "partitions": len(flow.partitions),
        "tick_seconds": flow.tick_seconds,
        "cpu_s": round(cpu, 2),
        "linking_us_per_event": round(flow.linking_cpu / max(1, count) * 1e6, 2),
        "records": flow.records,
        "clusters": len(set(flow.stage.pairs.announced.values())),
    }
    print(orjson.dumps(summary).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
