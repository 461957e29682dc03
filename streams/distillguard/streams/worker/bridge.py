"""Carry the ingest process's counters to the process that serves ``/metrics``.

The ingest stage runs in a child process; its counters are published into a small shared
array after every committed batch, and the Faust process turns the growth it sees into
increments of its own Prometheus metrics.
"""

from __future__ import annotations

import time
from typing import Any, Final

from distillguard.models import schemas
from distillguard.streams import metrics
from distillguard.streams.ingest import IngestStats

REASONS: Final[tuple[str, ...]] = tuple(
    schemas.load(schemas.DEADLETTER_V1)["properties"]["reason"]["enum"]
)
_VALID, _COMMITTED_AT = 0, 1
_SIZE: Final = 2 + len(REASONS)


class StatsBridge:
    """A shared array of cumulative ingest counters (written by one process, read by another)."""

    def __init__(self, context: Any, events_topic: str) -> None:
        self._array = context.Array("d", _SIZE, lock=True)
        self._topic = events_topic
        self._seen = [0.0] * _SIZE

    def publish(self, stats: IngestStats) -> None:
        """Called in the ingest process after each committed batch."""
        with self._array.get_lock():
            self._array[_VALID] = stats.valid
            self._array[_COMMITTED_AT] = time.time()
            for i, reason in enumerate(REASONS):
                self._array[2 + i] = stats.by_reason.get(reason, 0)

    def sync(self) -> float:
        """Called in the metrics process: apply growth to Prometheus; return last commit time."""
        with self._array.get_lock():
            now = list(self._array)
        grown = now[_VALID] - self._seen[_VALID]
        if grown > 0:
            metrics.EVENTS.labels(topic=self._topic).inc(grown)
        for i, reason in enumerate(REASONS):
            delta = now[2 + i] - self._seen[2 + i]
            if delta > 0:
                metrics.DEADLETTERED.labels(reason=reason).inc(delta)
        if now[_COMMITTED_AT]:
            metrics.LAST_PROGRESS.set(now[_COMMITTED_AT])
        self._seen = now
        return float(now[_COMMITTED_AT])
