"""Cost of cluster linking alone, in the replay path: CPU seconds per event.

Events are folded into 30-second slices first (what the engine does anyway), then only
``ClusterLinker.observe_slices`` and one ``evidence`` call per active account per tick are
timed, so the number is what linking adds to ``distillguard replay``.

``python -m distillguard.streams.bench.clusters [EVENTS.jsonl]`` (default: the demo
scenario, simulated into a temporary directory).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from distillguard.models.clusters import ClusterLinker
from distillguard.models.codec import Event, decode_event
from distillguard.models.features import AccountSlice, fold_events

TICK = 30.0


def _ticks(path: Path) -> tuple[list[tuple[dict[str, AccountSlice], float]], int]:
    out: list[tuple[dict[str, AccountSlice], float]] = []
    batch: list[Event] = []
    now: float | None = None
    count = 0
    with path.open("rb") as f:
        for line in f:
            event = decode_event(line)
            count += 1
            ts = event.ts
            if now is None:
                now = (ts // TICK + 1) * TICK
            while ts >= now:
                out.append((fold_events(batch), now))
                batch = []
                now += TICK
            batch.append(event)
    if now is not None:
        out.append((fold_events(batch), now))
    return out, count


def measure(path: Path) -> dict[str, Any]:
    ticks, count = _ticks(path)
    linker = ClusterLinker()
    asked = 0
    started = time.process_time()
    for slices, now in ticks:
        linker.observe_slices(slices, now)
        for account_id in slices:
            linker.evidence(account_id, {}, now)
            asked += 1
    cpu = time.process_time() - started
    return {
        "clusters_events": count,
        "clusters_evidence_calls": asked,
        "clusters_cpu_s": round(cpu, 3),
        "clusters_us_per_event": round(cpu / max(1, count) * 1e6, 2),
        "clusters_events_per_s": round(count / cpu) if cpu > 0 else None,
        "clusters_links": linker.links_made,
    }


def run(scenario: str = "demo") -> dict[str, Any]:
    from distillguard.streams.bench.replay import scenario_events

    with tempfile.TemporaryDirectory() as tmp:
        events, _ = scenario_events(scenario, Path(tmp))
        return {"clusters_scenario": scenario, **measure(events)}


if __name__ == "__main__":
    import orjson

    result = measure(Path(sys.argv[1])) if len(sys.argv) > 1 else run()
    print(orjson.dumps(result).decode())
