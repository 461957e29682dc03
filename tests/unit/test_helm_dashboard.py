"""The Grafana dashboard and the alert rules speak the metric names the code defines.

A metric renamed in ``metrics.py`` would otherwise blank a panel or silence an alert without
any error; a metric added there without a panel would be invisible to operators.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY

import distillguard.streams.metrics  # noqa: F401  (registers every metric)

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "distillguard"
DASHBOARD = CHART / "dashboards" / "distillguard.json"
RULES = CHART / "templates" / "prometheusrule.yaml"
PANEL_DOC = REPO / "docs" / "dashboard.md"
_USED = re.compile(r"\bdistillguard_[a-z0-9_]+")


def exported_series() -> dict[str, str]:
    """Every series name distillguard exports -> the metric family it belongs to."""
    series: dict[str, str] = {}
    for family in REGISTRY.collect():
        if not family.name.startswith("distillguard_"):
            continue
        name = family.name
        suffixes = {
            "counter": ["_total"],
            "histogram": ["_bucket", "_count", "_sum"],
            "info": ["_info"],
        }.get(family.type, [""])
        for suffix in suffixes:
            series[name + suffix] = name
    return series


def panels() -> list[dict[str, Any]]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return [p for p in loaded["panels"] if p["type"] != "row"]


def test_every_metric_has_a_panel() -> None:
    used = set(_USED.findall(DASHBOARD.read_text()))
    families = {exported_series()[name] for name in used if name in exported_series()}
    missing = set(exported_series().values()) - families
    assert not missing, f"metrics without a dashboard panel: {sorted(missing)}"


def test_dashboard_and_alerts_use_only_exported_series() -> None:
    series = exported_series()
    for path in (DASHBOARD, RULES):
        unknown = set(_USED.findall(path.read_text())) - set(series)
        assert not unknown, f"{path.name} uses series nobody exports: {sorted(unknown)}"


def test_every_panel_asks_a_question_and_is_documented() -> None:
    doc = PANEL_DOC.read_text()
    for panel in panels():
        assert panel["description"].endswith("?"), panel["title"]
        assert f"**{panel['title']}**" in doc, f"docs/dashboard.md lacks panel {panel['title']!r}"


def test_panels_do_not_overlap() -> None:
    cells: set[tuple[int, int]] = set()
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        pos = panel["gridPos"]
        area = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        assert not cells & area, f"panel {panel['title']!r} overlaps another"
        cells |= area
