"""Partner intel in the worker counts exactly what the backtest counts, and follows the file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.models.codec import event_record, event_records
from distillguard.models.features import fold_events
from distillguard.models.intel.match import open_source
from distillguard.streams.worker import intel as worker_intel
from tests.unit.intel_support import partner_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    key, watch, events = partner_lab(tmp_path_factory.mktemp("intel-worker"))
    return {"key": key, "watch": watch, "events": events}


def test_split_counting_matches_the_backtest(lab: dict[str, Any]) -> None:
    events: list[dict[str, Any]] = lab["events"]
    direct = open_source(lab["watch"], lab["key"])
    for event in events:
        direct.observe(event_record(event))

    ingest = worker_intel.WatchFile(lab["watch"], lab["key"])
    faust = worker_intel.WorkerIntel(worker_intel.WatchFile(lab["watch"], lab["key"]))
    for start in range(0, len(events), 500):  # one transform call per slice interval
        batch = events[start : start + 500]
        hits = worker_intel.harvest(ingest, list(event_records(batch)))
        faust.absorb(hits, fold_events(event_records(batch)), float(batch[-1]["ts"]))

    split = faust.watch.current()
    assert direct.hits and split.hits == direct.hits
    assert split.kind_hits == direct.kind_hits
    assert split.events == direct.events
    now = float(events[-1]["ts"])
    for account in direct.hits:
        assert faust.evidence(account, {}, now) == direct.evidence(account, {}, now)


def test_a_rewritten_watch_file_is_picked_up_and_counts_are_kept(
    lab: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_intel, "RELOAD_CHECK_SECONDS", 0.0)
    watch = tmp_path / "watch.json"
    watch.write_bytes(lab["watch"].read_bytes())
    followed = worker_intel.WatchFile(watch, lab["key"])
    before = followed.current()
    before.hits["acct_x"]["rule-1"] += 3
    data = orjson.loads(watch.read_bytes())
    watch.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    os.utime(watch, ns=(1, os.stat(watch).st_mtime_ns + 1_000_000))
    after = followed.current()
    assert after is not before and followed.reloads == 1
    assert after.hits["acct_x"]["rule-1"] == 3
