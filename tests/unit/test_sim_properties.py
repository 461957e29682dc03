"""Any persona, seed, start and duration: events stay valid, ordered and inside the run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillguard.models.codec import decode_event, event_dict
from distillguard.models.sim import Simulation, parse_scenario
from distillguard.models.sim.personas import PERSONAS
from tests.support import contract_view


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    personas = draw(st.lists(st.sampled_from(sorted(PERSONAS)), min_size=1, max_size=3))
    duration = draw(st.integers(120, 2400))
    releases = []
    if draw(st.booleans()):
        releases.append({"name": "next", "at": draw(st.integers(0, duration))})
    return {
        "name": "generated",
        "seed": draw(st.integers(0, 2**32)),
        "start": draw(st.datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1))).isoformat(),
        "duration": duration,
        "models": ["base", "mini"][: draw(st.integers(1, 2))],
        "releases": releases,
        "populations": [{"persona": p, "count": draw(st.integers(1, 4))} for p in personas],
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_valid_scenario_gives_valid_ordered_events(data: dict[str, Any]) -> None:
    scenario = parse_scenario(data)
    sim = Simulation(scenario, scale=0.5)
    last = scenario.start_ts
    count = 0
    accounts = set()
    for event in sim.events():
        assert event_dict(decode_event(orjson.dumps(event))) == contract_view(event)
        assert last <= event["ts"] < scenario.end_ts
        last = event["ts"]
        count += 1
        accounts.add(event["account_id"])
    assert count == sim.size
    assert accounts == {row["account_id"] for row in sim.truth()}
