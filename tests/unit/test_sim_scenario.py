"""Scenario files: the bundled suite loads, and bad files fail naming the bad field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from distillguard.models.errors import UsageError
from distillguard.models.sim import list_scenarios, load_scenario, parse_scenario
from distillguard.models.sim.personas import PERSONAS

GOOD = """
name: tiny
seed: 3
start: 2026-03-02T10:00:00Z
duration: 10m
models: [m-1]
releases: [{name: m-2, at: 5m}]
populations:
  - {persona: small-dev, count: 2, params: {rpm: 2}}
"""


def test_the_suite_is_bundled_and_valid() -> None:
    names = list_scenarios()
    assert {"demo", "mixed-6h", "hydra-heavy", "hard-legit", "smoke", "stealth"} <= set(names)
    loaded = [load_scenario(name) for name in names]
    assert len({s.seed for s in loaded}) == len(loaded), "every scenario has its own seed"


STRESS = Path(__file__).resolve().parents[2] / "docs" / "stress"


@pytest.mark.parametrize("path", sorted(STRESS.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_stress_scenarios_in_the_docs_load(path: Path) -> None:
    """The held-out stress scenarios docs/clusters.md reports on stay runnable."""
    scenario = load_scenario(path)
    assert scenario.name == path.stem


def test_demo_has_every_persona() -> None:
    demo = load_scenario("demo")
    assert {p.persona for p in demo.populations} == set(PERSONAS)


def test_hard_legit_has_one_small_campaign() -> None:
    scenario = load_scenario("hard-legit")
    attacks = [p for p in scenario.populations if PERSONAS[p.persona].is_attack]
    assert len(attacks) == 1
    assert attacks[0].count < sum(p.count for p in scenario.populations) / 5


def test_a_scenario_file_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD)
    scenario = load_scenario(path)
    assert scenario.duration == 600
    assert scenario.releases[0].at == 300
    assert scenario.end_ts - scenario.start_ts == 600


def _mutate(change: dict[str, object]) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(GOOD)
    for dotted, value in change.items():
        target: Any = data
        *path, last = dotted.split(".")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"seed": "abc"}, "seed"),
        ({"duration": "ten minutes"}, "duration"),
        ({"duration": 0}, "duration"),
        ({"models": []}, "models"),
        ({"populations.0.persona": "wizard"}, "populations.0.persona"),
        ({"populations.0.count": 0}, "populations.0.count"),
        ({"populations.0.params": {"rpmm": 2}}, "populations.0.params.rpmm"),
        ({"populations.0.params": {"rpm": "fast"}}, "populations.0.params.rpm"),
        ({"releases.0.at": "2h"}, "releases.0.at"),
        ({"releases.0.name": "m-1"}, "releases.0.name"),
        ({"releases.0.when": "1m"}, "releases.0.when"),
    ],
)
def test_a_bad_scenario_names_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_scenario(_mutate(change), "bad.yaml")
    message = str(info.value)
    assert message.startswith("bad.yaml: invalid scenario: ")
    assert f" {field}: " in message
    assert "\n" not in message


def test_a_missing_field_is_named() -> None:
    data = yaml.safe_load(GOOD)
    del data["start"]
    with pytest.raises(UsageError, match=r"invalid scenario: start: Field required"):
        parse_scenario(data)


def test_not_yaml_or_not_a_mapping_is_a_usage_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        load_scenario(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(UsageError, match="a scenario is a mapping"):
        load_scenario(listed)


def test_an_unknown_name_lists_the_bundled_ones() -> None:
    with pytest.raises(UsageError, match="no scenario named 'nope'.*demo"):
        load_scenario("nope")


def test_scenarios_are_frozen() -> None:
    scenario = load_scenario("smoke")
    with pytest.raises(ValueError, match="frozen"):
        scenario.seed = 5
    assert scenario.with_seed(5).seed == 5
