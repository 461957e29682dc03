"""Early ticks for watched joiners: a replacement on a stopped member's card is judged within
seconds of its first request, not at the next regular tick."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from distillguard.models.clusters import ClusterLinker
from distillguard.models.codec import Event, event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import WATCH_DELAY, Engine
from distillguard.models.features import AccountSlice
from tests.unit.detection_support import T0, event
from tests.unit.test_clusters_linking import fleet_events, fresh_joiner, run


class Watcher:
    """Records the ticks it is fed; watches the accounts named ``watched``."""

    def __init__(self, watched: set[str]) -> None:
        self.watched = watched
        self.looked: list[str] = []
        self.ticks: list[tuple[float, list[str]]] = []

    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        self.ticks.append((now, sorted(slices)))

    def observe_decision(
        self, account_id: str, value: Mapping[str, Any] | None, now: float
    ) -> None:
        pass

    def holds(self, account_id: str) -> bool:
        return False

    def watches(self, event: Event) -> bool:
        self.looked.append(event.account_id)
        return event.account_id in self.watched


def test_a_watched_first_request_brings_the_next_tick_forward() -> None:
    start = (T0 // 30 + 1) * 30  # a tick boundary
    events = [event(i, "a", start + 2 * i) for i in range(40)]  # 80 s of an ordinary account
    events += [event(100 + i, "b", start + 36 + i) for i in range(10)]  # b from 36 s on
    events.sort(key=lambda e: e["ts"])
    watcher = Watcher({"b"})
    engine = Engine(DetectionConfig(), observers=[watcher])
    list(engine.run(event_records(events)))
    times = [now - start for now, _ in watcher.ticks]
    assert times[:4] == [30.0, 36.0 + WATCH_DELAY, 60.0, 90.0]
    assert watcher.ticks[1][1] == ["b"]  # b alone: a's requests wait for the tick at 60 s
    assert watcher.ticks[2][1] == ["a", "b"]
    # each account without state is looked at once per tick, not at every request
    assert watcher.looked.count("b") == 1 and watcher.looked.count("a") == 1


def test_a_late_first_request_is_judged_after_the_latest_time_seen() -> None:
    """Event time never runs backwards: a watched account whose first request arrives late
    (stamped before requests already seen) is judged 5 s after the latest of them."""
    start = (T0 // 30 + 1) * 30
    events = [event(i, "a", start + 2 * i) for i in range(20)]  # up to 38 s
    events.append(event(100, "b", start + 20))  # arrives after a's request at 38 s
    events += [event(200 + i, "a", start + 40 + 2 * i) for i in range(20)]
    watcher = Watcher({"b"})
    list(Engine(DetectionConfig(), observers=[watcher]).run(event_records(events)))
    times = [now - start for now, _ in watcher.ticks]
    assert times[:3] == [30.0, 38.0 + WATCH_DELAY, 60.0]
    assert times == sorted(times)


def test_without_a_watch_the_ticks_stay_on_the_grid() -> None:
    start = (T0 // 30 + 1) * 30
    events = [event(i, "a", start + 2 * i) for i in range(40)]
    watcher = Watcher(set())
    list(Engine(DetectionConfig(), observers=[watcher]).run(event_records(events)))
    assert [now - start for now, _ in watcher.ticks] == [30.0, 60.0, 90.0]


def test_the_linker_watches_new_accounts_on_a_stopped_members_card() -> None:
    linker = ClusterLinker()
    now = run(linker, fleet_events(5, 20))
    (joiner,) = event_records(fresh_joiner(now, now + 60, 5))
    assert not linker.watches(joiner)  # nobody stopped yet
    linker.observe_decision("fleet-0", {"mode": "enforce", "action": "degrade"}, now)
    assert not linker.watches(joiner)  # degraded accounts keep working: nothing to replace
    linker.observe_decision("fleet-1", {"mode": "enforce", "action": "throttle"}, now)
    assert linker.watches(joiner)  # fleet-1 pays with fleet-card-1, as the joiner does
    (other,) = event_records([dict(fresh_joiner(now, now + 60, 5)[0], account=None)])
    assert not linker.watches(other)
    (late,) = event_records(fresh_joiner(now, now + linker.config.failover_seconds + 1, 5))
    assert not linker.watches(late)


def test_a_replacement_living_less_than_a_tick_is_enforced_before_its_last_request() -> None:
    """The fleet is throttled; a fresh account on its card, template and proxy sends a
    request every 5 s for 20 s, starting 4 s after a tick: the regular tick after it comes
    only when it is gone, the early one while it still sends."""
    linker = ClusterLinker()
    engine = Engine(DetectionConfig(), sources=[linker], observers=[linker])
    fleet = fleet_events(8, 30)
    records = list(engine.run(event_records(fleet)))
    stopped = {r.key for r in records if r.value and r.value["action"] in ("throttle", "suspend")}
    assert stopped  # the fleet was stopped by its own decisions
    end = max(e["ts"] for e in fleet)
    begin = (end // 30 + 3) * 30 + 4.0
    joiner = fresh_joiner(end, begin, 20)
    out = [r for r in engine.run(event_records(joiner)) if r.key == "account:fresh"]
    first = next(r.value for r in out if r.value and r.value["action"] != "monitor")
    assert first["issued_at"] < joiner[-1]["ts"]
    assert first["issued_at"] == begin + WATCH_DELAY
    assert "cluster.failover_join" in {r["code"] for r in first["reasons"]}
