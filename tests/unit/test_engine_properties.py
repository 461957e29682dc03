"""Any contract-valid traffic runs through the whole engine (features, rules, anomaly model,
cluster linking, policy) without an error, and every record it emits is a valid decision."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillguard.models.clusters import ClusterLinker
from distillguard.models.codec import decode_event, validate_decision
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import Engine
from tests.unit.test_codec import events

#: Few accounts and a narrow time range, so accounts accumulate traffic and ticks happen.
traffic = st.lists(
    st.tuples(events, st.integers(0, 3), st.floats(0, 7200)), min_size=1, max_size=80
)


CONFIG = DetectionConfig().model_copy(update={"min_requests_1h": 0})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(traffic, st.booleans())
def test_any_contract_valid_traffic_yields_valid_decisions(
    rows: list[tuple[dict[str, Any], int, float]], in_order: bool
) -> None:
    batch = []
    for event, account, offset in rows:
        event = {**event, "account_id": f"acct-{account}", "ts": 1_780_000_000 + offset}
        batch.append(decode_event(orjson.dumps(event)))  # as the replay and the worker see it
    if in_order:
        batch.sort(key=lambda e: e.ts)
    linker = ClusterLinker()
    engine = Engine(CONFIG, sources=[linker], observers=[linker])
    records = list(engine.run(batch))
    records += engine.tick(engine.clock + 7 * 24 * 3600.0)  # everything expires
    for record in records:
        if record.value is not None:
            validate_decision(record.value)
            assert record.key.startswith(("account:", "api_key:", "ip_prefix:"))
    # every event is counted once: folded into its account, or dropped as too late
    counted = sum(state.events_total + state.late_dropped for state in engine.states.values())
    assert counted == len(batch)


def test_a_long_gap_in_event_time_is_crossed_not_ticked_through() -> None:
    """Twenty years between two events (a clock far ahead, or a file that spans years)
    take one day of ticks, not 20 million: the replay finishes and the second event is
    judged at its own time."""
    from distillguard.models.codec import event_record
    from distillguard.models.config import DetectionConfig
    from distillguard.models.engine import IDLE_SKIP_SECONDS, Engine
    from tests.support import full_event

    engine = Engine(DetectionConfig())
    ticks: list[float] = []
    tick = engine.tick

    def counted(now: float) -> Any:
        ticks.append(now)
        return tick(now)

    engine.tick = counted  # type: ignore[method-assign]
    later = 1_790_000_000.0 + 20 * 365 * 86400.0
    events = [event_record(full_event(i)) for i in range(50)]
    events.append(event_record(full_event(50, ts=later)))
    list(engine.run(events))
    step = engine.config.tick_seconds
    assert len(ticks) <= IDLE_SKIP_SECONDS / step + 5  # not 20 years / step
    assert ticks[-1] > later - 2 * step  # the last event judged at its own time
    assert engine.clock == later
