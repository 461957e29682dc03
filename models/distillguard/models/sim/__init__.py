"""The traffic simulator: legitimate personas and distillation campaigns as API events.

>>> sorted(list_scenarios())[:1]
['demo']
"""

from __future__ import annotations

from distillguard.models.sim.generator import Simulation, build_plans, generate, write_files
from distillguard.models.sim.scenario import (
    Scenario,
    list_scenarios,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "Scenario",
    "Simulation",
    "build_plans",
    "generate",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
    "write_files",
]
