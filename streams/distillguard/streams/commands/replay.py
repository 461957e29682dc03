"""`distillguard replay`: offline backtest: detection in event time over an events file.

The engine is the detection core of the worker (``distillguard.models.engine``), driven
from a file instead of Kafka: same features, rules, models and policy, so a rule or
threshold can be tried against recorded traffic before it is enabled.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import orjson

from distillguard.models.clusters import ClusterLinker
from distillguard.models.codec import MAX_AHEAD_SECONDS, Event, decode_event
from distillguard.models.config import load_config
from distillguard.models.coverage import InputCoverage
from distillguard.models.detectors.evidence import EvidenceSource
from distillguard.models.engine import Engine, SliceObserver
from distillguard.models.errors import DecodeError, UsageError
from distillguard.models.intel.match import open_source

HELP = "offline backtest: run detection in event time over an events file, write decisions"
#: Malformed lines reported one by one before the rest are only counted.
MAX_REPORTED = 20
#: With automatic garbage collection paused (:func:`_collection_paused`), what the run
#: allocated since the last pass is checked for reference cycles once per this many events.
COLLECT_EVERY = 500_000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read API events (JSON lines, brief section 3) from a file or stdin ('-'), run the "
        "detection engine in event time and write one JSON line per decision record: "
        '{"key": "<scope>:<value>", "value": <decision or null>, "ts": <issued_at>}. '
        "Malformed lines are counted and reported on stderr; counts go to stderr."
    )
    parser.add_argument("events", metavar="EVENTS.jsonl", help="events file, or - for stdin")
    parser.add_argument(
        "--out", required=True, metavar="DECISIONS.jsonl", help="decision records (- for stdout)"
    )
    parser.add_argument(
        "--config", type=Path, default=None, metavar="FILE", help="detection config (YAML/JSON)"
    )
    parser.add_argument(
        "--intel", type=Path, metavar="WATCH.json", help="partner watch rules (intel import)"
    )
    parser.add_argument(
        "--consortium-key-file", type=Path, metavar="F", help="for --intel (else env key)"
    )
    parser.add_argument(
        "--no-linking",
        action="store_true",
        help="per-account detection only: no cross-account cluster linking",
    )


class _Reader:
    """Decodes lines, counting (and reporting) the malformed ones with their line numbers,
    and sets aside a lone event from a clock far ahead (``MAX_AHEAD_SECONDS``).

    Event time follows the events: one event stamped years ahead would carry it along,
    and every event after it would count as late. An event more than ``MAX_AHEAD_SECONDS``
    ahead of all before it is held until the next one: when that one is back near the old
    time, the held event was a clock error and is left out (reported like a malformed
    line); when it is near the held one, time really jumped (a file spanning a gap) and
    both go on. (The worker judges the same against its own clock, ``ingest``.)
    """

    def __init__(self, stream: IO[bytes], err: IO[str]) -> None:
        self.stream = stream
        self.err = err
        self.events = 0
        self.malformed = 0
        self.ahead = 0

    def _report(self, lineno: int, detail: str) -> None:
        if self.malformed + self.ahead <= MAX_REPORTED:
            print(f"distillguard replay: line {lineno}: {detail}", file=self.err)

    def __iter__(self) -> Iterator[Event]:
        clock: float | None = None
        held: tuple[int, Event, float] | None = None  # line, event, the clock it was ahead of
        for lineno, event in self._decoded():
            if held is not None:
                held_line, early, before = held
                held = None
                if event.ts >= early.ts - MAX_AHEAD_SECONDS:  # time did move: keep both
                    clock = early.ts
                    yield from self._accept(early)
                else:
                    self.ahead += 1
                    days = (early.ts - before) / 86400.0
                    self._report(
                        held_line,
                        f"field 'ts': {early.ts} is {days:,.0f} days ahead of the events "
                        "around it: left out (a clock error)",
                    )
            if clock is not None and event.ts > clock + MAX_AHEAD_SECONDS:
                held = (lineno, event, clock)
                continue
            if clock is None or event.ts > clock:
                clock = event.ts
            yield from self._accept(event)
        if held is not None:  # the last line: nothing after it to tell
            yield from self._accept(held[1])

    def _accept(self, event: Event) -> Iterator[Event]:
        self.events += 1
        if self.events % COLLECT_EVERY == 0:
            gc.collect(1)  # only what was allocated since the last pass
        yield event

    def _decoded(self) -> Iterator[tuple[int, Event]]:
        for lineno, raw in enumerate(self.stream, start=1):
            line = raw.strip()
            if not line:
                continue
            try:
                yield lineno, decode_event(line)
            except DecodeError as exc:
                self.malformed += 1
                self._report(lineno, exc.detail)


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Run without automatic garbage collection: the engine's state is large, long-lived
    and free of reference cycles, and each automatic full collection traverses all of it
    again (a sixth of the time of a replay of a few hours, for nothing found). Objects
    from before the run are frozen out of every pass; cycles made during the run are
    still found, every ``COLLECT_EVERY`` events."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


def _open_in(name: str) -> IO[bytes]:
    if name == "-":
        return sys.stdin.buffer
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"events file not found: {name}")
    return path.open("rb")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    linkers = [] if args.no_linking else [ClusterLinker()]
    intel = open_source(args.intel, args.consortium_key_file) if args.intel else None
    sources: list[EvidenceSource] = [*linkers, *([intel] if intel else [])]
    coverage = InputCoverage()
    observers: list[SliceObserver] = [*linkers, *([intel] if intel else []), coverage]
    engine = Engine(config, sources=sources, observers=observers)
    started = time.perf_counter()
    source = _open_in(args.events)
    out = sys.stdout.buffer if args.out == "-" else Path(args.out).open("wb")  # noqa: SIM115
    reader = _Reader(source, sys.stderr)
    counts = {"records": 0, "tombstones": 0, "enforce": 0, "shadow": 0}
    try:
        with _collection_paused():
            for record in engine.run(intel.watch(reader) if intel else reader):
                out.write(orjson.dumps({"key": record.key, "value": record.value, "ts": record.ts}))
                out.write(b"\n")
                counts["records"] += 1
                if record.value is None:
                    counts["tombstones"] += 1
                else:
                    counts[str(record.value["mode"])] += 1
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        if source is not sys.stdin.buffer:
            source.close()
    elapsed = time.perf_counter() - started
    rate = reader.events / elapsed if elapsed > 0 else 0.0
    if reader.malformed + reader.ahead > MAX_REPORTED:
        print(
            f"distillguard replay: {reader.malformed + reader.ahead - MAX_REPORTED} more "
            "lines left out",
            file=sys.stderr,
        )
    ahead = f", {reader.ahead} from a clock far ahead" if reader.ahead else ""
    print(
        f"distillguard replay: {reader.events} events, {reader.malformed} malformed{ahead}, "
        f"{len(engine.states)} accounts, {engine.scored} scorings, {counts['records']} records "
        f"({counts['enforce']} enforce, {counts['shadow']} shadow, {counts['tombstones']} "
        f"tombstones), {elapsed:.1f}s, {rate:,.0f} events/s",
        file=sys.stderr,
    )
    for gap in coverage.gaps(engine.rules.rules):
        print(f"distillguard replay: input: {gap.describe()}", file=sys.stderr)
    if intel is not None:
        print(f"distillguard replay: intel matched {len(intel.matched_accounts)} accounts",
              file=sys.stderr)  # fmt: skip
    return 0
