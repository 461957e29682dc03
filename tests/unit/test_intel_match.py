"""Watch rules on local traffic: advisory by default, stronger only when configured,
lowered or retired by partner feedback, silent once expired."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from distillguard.models.codec import event_record, event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.intel.export import ExportOptions, export_bundle
from distillguard.models.intel.feedback import feedback_bundle
from distillguard.models.intel.harvest import Harvest
from distillguard.models.intel.keys import ConsortiumKey
from distillguard.models.intel.match import IntelSource
from distillguard.models.intel.validate import Admitted, Limits, load_bundle
from distillguard.models.intel.watch import MatchOptions, WatchList, merge
from tests.unit.intel_support import T0, campaign_decisions, campaign_events, fresh_accounts

KEY = ConsortiumKey(b"consortium-secret-for-tests-0001")
DEGRADE = DetectionConfig().policy.thresholds.degrade


def _admit(bundle: Any) -> Admitted:
    return load_bundle(bundle.serialize().encode(), Limits())


@pytest.fixture(scope="module")
def watch() -> WatchList:
    harvest = Harvest(KEY)
    harvest.add_decisions(campaign_decisions())
    harvest.add_events(event_records(campaign_events()))
    bundle = export_bundle(harvest, ExportOptions(producer="lab-a"), DetectionConfig())
    merged, counts = merge(WatchList(), _admit(bundle))
    assert counts["added"] == len(merged.rules) > 10
    return merged


def _lab_b(watch: WatchList, options: MatchOptions | None = None) -> IntelSource:
    source = IntelSource(watch, KEY, options)
    for event in fresh_accounts(campaign_events(), "lab-b", 86400.0):
        source.observe(event_record(event))
    return source


def _account(events: list[dict[str, Any]], original: str) -> str:
    return next(
        str(b["account_id"])
        for a, b in zip(campaign_events(), events, strict=True)
        if a["account_id"] == original
    )


@pytest.fixture(scope="module")
def fresh() -> list[dict[str, Any]]:
    return list(fresh_accounts(campaign_events(), "lab-b", 86400.0))


def test_fresh_attack_accounts_match_and_honest_ones_do_not(
    watch: WatchList, fresh: list[dict[str, Any]]
) -> None:
    source = _lab_b(watch)
    now = T0 + 86400.0 + 3600
    for i in range(6):
        account = _account(fresh, f"acct_atk_{i}")
        (evidence,) = source.evidence(account, {}, now)
        assert evidence.source == "intel" and evidence.family == "intel"
        assert 0.2 < evidence.weight < DEGRADE  # advisory: never enforces alone
        assert "lab-a" in evidence.detail
        assert source.holds(account)
    for i in range(4):
        account = _account(fresh, f"acct_legit_{i}")
        assert source.evidence(account, {}, now) == []
        assert not source.holds(account)


def test_allow_enforce_lifts_the_cap(watch: WatchList, fresh: list[dict[str, Any]]) -> None:
    source = _lab_b(watch, MatchOptions(allow_enforce=True, base_weight=0.9))
    account = _account(fresh, "acct_atk_0")
    (evidence,) = source.evidence(account, {}, T0 + 86400.0 + 3600)
    assert evidence.weight > DEGRADE


def test_the_same_account_matches_by_pseudonym_from_one_event(watch: WatchList) -> None:
    source = IntelSource(watch, KEY)
    event = next(e for e in campaign_events() if e["account_id"] == "acct_atk_4")
    source.observe(event_record(event))
    (evidence,) = source.evidence("acct_atk_4", {}, event["ts"])
    assert "account" in evidence.detail


def test_expired_rules_are_silent(watch: WatchList, fresh: list[dict[str, Any]]) -> None:
    source = _lab_b(watch)
    account = _account(fresh, "acct_atk_1")
    latest = max(r.valid_until or 0.0 for r in watch.rules if r.kind != "rule")
    assert source.evidence(account, {}, latest + 1) == []


def test_false_positive_feedback_lowers_then_retires(
    watch: WatchList, fresh: list[dict[str, Any]]
) -> None:
    template = next(r for r in watch.rules if r.kind == "template")
    lowered, counts = merge(
        watch, _admit(feedback_bundle([template.id], "disagree", "lab-b", "amber", T0, "fp"))
    )
    assert counts["feedback"] == 1
    held = next(r for r in lowered.rules if r.id == template.id)
    assert held.confidence == template.confidence // 2 and not held.retired
    again, counts = merge(
        lowered, _admit(feedback_bundle([template.id], "disagree", "lab-b", "amber", T0, "fp"))
    )
    assert counts["feedback"] == 0  # the same opinion counts once
    ids = [r.id for r in watch.rules if r.kind != "rule"]
    retired, _ = merge(
        again, _admit(feedback_bundle(ids, "strongly-disagree", "lab-b", "amber", T0, "fp"))
    )
    assert all(r.retired for r in retired.rules if r.kind != "rule")
    source = _lab_b(retired)
    assert source.evidence(_account(fresh, "acct_atk_0"), {}, T0 + 86400.0 + 3600) == []


def test_feedback_bundle_is_valid_stix_with_a_marking() -> None:
    bundle = feedback_bundle(
        ["indicator--0050c61a-fc3b-5f98-8ad6-87537ffef4a0"], "strongly-disagree", "lab-b",
        "green", T0, "legitimate batch customer",
    )  # fmt: skip
    admitted = _admit(bundle)
    opinion = next(o for o in admitted.document["objects"] if o["type"] == "opinion")
    assert opinion["opinion"] == "strongly-disagree" and admitted.partner == "lab-b"
    assert orjson.loads(bundle.serialize()) == admitted.document


def _engine_actions(watch: WatchList, options: MatchOptions | None) -> dict[str, set[str]]:
    from distillguard.models.engine import Engine

    quiet = DetectionConfig.model_validate(
        {"rules": [], "anomaly": {"enabled": False}, "supervised": {"enabled": False}}
    )
    source = IntelSource(watch, KEY, options)
    engine = Engine(quiet, sources=[source], observers=[source])
    actions: dict[str, set[str]] = {}
    events = fresh_accounts(campaign_events(), "lab-b", 86400.0)
    for record in engine.run(source.watch(event_records(events))):
        if record.value is not None:
            assert record.value["origin"] == "intel"
            actions.setdefault(record.key, set()).add(record.value["action"])
    return actions


def test_in_the_engine_intel_alone_only_monitors_unless_configured(watch: WatchList) -> None:
    advisory = _engine_actions(watch, None)
    assert len(advisory) == 6  # the six fresh attack accounts, no honest one
    assert set().union(*advisory.values()) == {"monitor"}
    strong = _engine_actions(watch, MatchOptions(allow_enforce=True, base_weight=0.9))
    assert strong.keys() == advisory.keys()
    assert all(actions - {"monitor"} for actions in strong.values())


def test_misp_style_false_positive_sightings_lower_confidence(watch: WatchList) -> None:
    import stix2

    from distillguard.models.intel.tlp import marking

    rule = next(r for r in watch.rules if r.kind == "ip_prefix")
    mark = marking("green")
    sighting = stix2.v21.Sighting(
        sighting_of_ref=rule.id, count=3, object_marking_refs=[mark.id],
        x_misp_sighting_type="false-positive", allow_custom=True,
    )  # fmt: skip
    bundle = stix2.v21.Bundle(objects=[mark, sighting], allow_custom=True)
    lowered, counts = merge(watch, _admit(bundle))
    assert counts["feedback"] == 1
    assert next(r for r in lowered.rules if r.id == rule.id).confidence == rule.confidence // 2
