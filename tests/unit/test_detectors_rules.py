"""Signature rules as data: validation names the field; evaluation fills the detail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.config import DetectionConfig
from distillguard.models.detectors import rules as rules_module
from distillguard.models.detectors.evidence import fuse
from distillguard.models.detectors.rules import RuleSet, load_rules, parse_rules
from distillguard.models.errors import ConfigError


def _rule(**over: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "busy",
        "description": "busy account",
        "when": [{"feature": "rpm_10m", "op": ">=", "value": 100}],
        "weight": 0.3,
        "reason": "volume.busy",
        "detail": "{rpm_10m:.0f} requests/min",
    }
    rule.update(over)
    return rule


@pytest.mark.parametrize(
    ("rule", "wanted"),
    [
        (
            _rule(when=[{"feature": "nope", "op": ">", "value": 1}]),
            r"rules\[0\]\.when\[0\]\.feature",
        ),
        (_rule(when=[{"feature": "rpm_10m", "op": "~", "value": 1}]), r"rules\[0\]\.when\[0\]\.op"),
        (_rule(when=[]), r"rules\[0\]\.when"),
        (_rule(weight=1.5), r"rules\[0\]\.weight"),
        (_rule(reason="Not A Code"), r"rules\[0\]\.reason"),
        (_rule(detail="{missing_feature}"), r"unknown feature 'missing_feature'"),
        (_rule(detail="{rpm_10m:.q}"), r"detail is not a valid template"),
        (_rule(colour="red"), r"rules\[0\]\.colour: Extra inputs"),
    ],
)
def test_invalid_rules_name_the_field(rule: dict[str, Any], wanted: str) -> None:
    with pytest.raises(ConfigError, match=wanted):
        parse_rules({"rules": [rule]}, "test rules")


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ConfigError, match="duplicate rule id 'busy'"):
        parse_rules({"rules": [_rule(), _rule()]})


def test_rule_file_that_is_not_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules: [\n")
    with pytest.raises(ConfigError, match="not YAML"):
        load_rules(bad)


def test_default_rules_load_and_every_detail_renders() -> None:
    rules = load_rules()
    assert len(rules) >= 10
    assert len({r.id for r in rules}) == len(rules)
    zeros: dict[str, float] = {}
    for rule in rules:
        assert rule.evidence(zeros).detail


def test_a_rule_fires_only_when_all_conditions_hold() -> None:
    (rule,) = parse_rules(
        {
            "rules": [
                _rule(
                    when=[
                        {"feature": "rpm_10m", "op": ">=", "value": 100},
                        {"feature": "cot_share_1h", "op": ">", "value": 0.5},
                    ]
                )
            ]
        }
    )
    rules = RuleSet([rule])
    assert rules.evaluate({"rpm_10m": 150.0, "cot_share_1h": 0.4}) == []
    (found,) = rules.evaluate({"rpm_10m": 150.0, "cot_share_1h": 0.6})
    assert found.code == "volume.busy"
    assert found.detail == "150 requests/min"
    assert found.drivers == ("rpm_10m", "cot_share_1h")
    assert found.family == "busy"


def test_no_single_weak_default_rule_reaches_degrade() -> None:
    """Only signals without a benign twin may enforce on their own."""
    degrade = DetectionConfig().policy.thresholds.degrade
    strong = {
        "logit-harvest",
        "logit-harvest-bulk",
        "logit-harvest-first",
        "logit-harvest-early",
        "logit-harvest-sustained",
        "logit-harvest-narrow",
        "logit-harvest-narrow-bulk",
        "logit-harvest-narrow-first",
        "logit-harvest-narrow-early",
        "logit-harvest-narrow-sustained",
        "distiller-profile-strong",
        "capability-sweep",
        "cot-multilingual-strong",
        "cot-multilingual-strong-new-verified",
    }
    for rule in load_rules():
        if rule.id not in strong:
            assert rule.weight < degrade, rule.id


def _risk(features: dict[str, float]) -> float:
    """Risk from the default rules; the identity is as old as the account unless given
    (as ``compute_features`` has it before cluster linking says otherwise)."""
    if "account_age_days" in features:
        age = features["account_age_days"]
        features = {"identity_age_days": age, "payer_age_days": age} | features
    return fuse(RuleSet(load_rules()).evaluate(features), features).risk


def _degraded_only_with(features: dict[str, float], change: dict[str, float]) -> None:
    """Below degrade as they are, at degrade or above with ``change``."""
    degrade = DetectionConfig().policy.thresholds.degrade
    assert _risk(features) < degrade <= _risk(features | change)


def test_logit_harvest_escalates_with_what_has_been_seen() -> None:
    """Degrade after a few dozen probes, throttle by the dozens, stronger at volume."""
    thresholds = DetectionConfig().policy.thresholds
    risks = [
        _risk({"harvest_share_1h": 1.0, "harvest_requests_1h": n, "requests_1h": n})
        for n in (15, 20, 80, 150)
    ]
    assert risks[0] < thresholds.degrade
    assert thresholds.degrade <= risks[1] < thresholds.throttle
    assert thresholds.throttle <= risks[2] < risks[3]


def test_early_logit_tiers_need_nearly_every_request_to_be_a_probe() -> None:
    """A label classifier restricting labels with logit_bias on part of its traffic; the
    fewer requests seen, the more extreme the share must be."""
    degrade = DetectionConfig().policy.thresholds.degrade
    classifier = {"harvest_share_1h": 0.6, "harvest_requests_1h": 60.0, "requests_1h": 100.0}
    assert _risk(classifier) < degrade
    assert _risk({"harvest_share_1h": 0.92, "harvest_requests_1h": 25.0}) < degrade
    assert _risk({"harvest_share_1h": 0.92, "harvest_requests_1h": 30.0}) >= degrade


def test_an_established_customers_label_classifier_is_no_extraction() -> None:
    """A classifier reads the logprobs of its few labels (``top_logprobs`` 2-5) by the
    thousand; extraction reads all the API gives. Narrow, an established account's
    harvest is bias probing only; wide, or on a young account, the signature as before."""
    thresholds = DetectionConfig().policy.thresholds
    classifier = {
        "harvest_share_1h": 1.0,
        "harvest_requests_1h": 2000.0,
        "requests_1h": 2000.0,
        "harvest_wide_share_1h": 0.0,
        "account_age_days": 400.0,
    }
    assert 0.0 < _risk(classifier) < thresholds.degrade
    assert _risk(classifier | {"harvest_wide_share_1h": 1.0}) >= thresholds.throttle
    assert _risk(classifier | {"account_age_days": 30.0}) >= thresholds.throttle
    early = classifier | {"harvest_requests_1h": 30.0, "requests_1h": 30.0}
    assert _risk(early) < thresholds.degrade <= _risk(early | {"harvest_wide_share_1h": 0.6})


SWEEP = {
    "capability_share_1h": 1.0,
    "category_top_share_1h": 0.4,
    "out_in_ratio_1h": 3.0,
    "tokens_out_pm_10m": 5000.0,
    "account_age_days": 30.0,
    "requests_1h": 30.0,
}


@pytest.mark.parametrize(
    "twin",
    [
        {"category_top_share_1h": 1.0},  # a coding assistant: one category
        {"out_in_ratio_1h": 0.5},  # an agentic product: long tool contexts, short outputs
        {"account_age_days": 400.0},  # an established account
        {"identity_age_days": 400.0},  # a new seat of an established organisation
        {"capability_share_1h": 0.8},  # general-purpose traffic
        {"tokens_out_pm_10m": 300.0},  # a benchmark user: short answers at a trickle
        {"requests_1h": 15.0},  # too little seen yet
    ],
)
def test_capability_sweep_needs_the_whole_signature(twin: dict[str, float]) -> None:
    degrade = DetectionConfig().policy.thresholds.degrade
    assert _risk(SWEEP) >= degrade
    assert _risk(SWEEP | twin) < degrade


def test_cot_in_many_languages_from_a_new_unverified_account_is_clear_early() -> None:
    base = {
        "cot_share_1h": 1.0,
        "cot_langs_24h": 3.0,
        "capability_share_1h": 1.0,
        "requests_1h": 4.0,
        "account_age_days": 1.0,
        "verified": 0.0,
        "verified_known": 1.0,
    }
    degrade = DetectionConfig().policy.thresholds.degrade
    assert _risk(base) >= degrade
    assert _risk(base | {"cot_langs_24h": 1.0}) < degrade  # one language: a student
    assert _risk(base | {"verified": 1.0}) < degrade  # verified: wait for more languages
    assert _risk(base | {"verified": 1.0, "cot_langs_24h": 5.0, "requests_1h": 6.0}) >= degrade


@pytest.mark.parametrize(
    "customer",
    [
        {"account_age_days": 300.0},  # an enterprise's eval harness running MGSM
        {"account_age_days": 5.0, "identity_age_days": 400.0},  # a new seat of an established org
    ],
)
def test_cot_in_many_languages_on_an_established_customer_is_a_weak_signal(
    customer: dict[str, float],
) -> None:
    """Multilingual benchmarks and tutoring apps demand reasoning in many languages on
    verified accounts that are months old: the signature alone does not enforce there,
    while a verified account younger than 90 days is judged as before."""
    harness = {
        "cot_share_1h": 1.0,
        "cot_langs_24h": 10.0,
        "capability_share_1h": 1.0,
        "requests_1h": 300.0,
        "verified": 1.0,
        "verified_known": 1.0,
    }
    degrade = DetectionConfig().policy.thresholds.degrade
    features = {"identity_age_days": customer["account_age_days"]} | harness | customer
    found = RuleSet(load_rules()).evaluate(features)
    assert [e.code for e in found if e.family == "lang"] == []
    assert ("cot.multilingual", 0.25) in [(e.code, e.weight) for e in found if e.family == "elicit"]
    assert _risk(harness | customer) < degrade
    assert _risk(harness | {"account_age_days": 20.0}) >= degrade


@pytest.mark.parametrize("tier", [5.0, 6.0])  # tier5, enterprise
def test_a_top_tier_customer_is_no_fresh_identity_on_release_day(tier: float) -> None:
    """An enterprise customer's eval harness, two months after sign-up: reasoning on the
    targeted capabilities by the hundred, one item per request, long answers, in many
    languages (MGSM). Verified on a top tier it is no fresh identity: the reasoning it
    elicits and its volume count as on any account, below degrade. The same traffic
    unverified, or verified on tier 4, is judged young."""
    harness = {
        "cot_share_1h": 1.0,
        "capability_share_1h": 1.0,
        "category_top_share_1h": 0.6,
        "template_ratio_1h": 0.01,
        "out_in_ratio_1h": 6.5,
        "tokens_out_pm_10m": 30000.0,
        "output_vs_tier_10m": 0.95,
        "requests_1h": 169.0,
        "cot_langs_24h": 9.0,
        "account_age_days": 56.0,
        "tier_level": tier,
        "tier_known": 1.0,
        "verified": 1.0,
        "verified_known": 1.0,
    }
    degrade = DetectionConfig().policy.thresholds.degrade
    top = harness | {"verified_top_tier": 1.0}
    features = {"identity_age_days": 56.0} | top
    found = {e.family for e in RuleSet(load_rules()).evaluate(features)}
    assert "distill" not in found and "lang" not in found
    assert _risk(top) < degrade
    assert _risk(harness) >= degrade  # the feature is what changed
    assert _risk(harness | {"tier_level": 4.0}) >= degrade
    assert _risk(harness | {"verified": 0.0}) >= degrade


def test_config_can_carry_its_own_rules() -> None:
    cfg = DetectionConfig.model_validate({"rules": [_rule()]})
    assert [r.id for r in cfg.signature_rules()] == ["busy"]


def test_a_young_benchmark_user_is_not_a_distiller() -> None:
    """CoT benchmark templates on targeted capabilities at two requests a minute look like
    the distiller profile except for the output they take (stealth scenario, seed 31339)."""
    benchmark = {
        "cot_share_1h": 0.79,
        "capability_share_1h": 0.9,
        "category_top_share_1h": 0.5,
        "template_ratio_1h": 0.26,
        "out_in_ratio_1h": 2.6,
        "account_age_days": 50.0,
        "requests_1h": 121.0,
        "tokens_out_pm_10m": 1540.0,
    }
    _degraded_only_with(benchmark, {"tokens_out_pm_10m": 9000.0})


def test_a_batch_job_moved_to_a_new_account_is_not_a_distiller() -> None:
    """Marketing copy moved to a new, unverified account runs at twice its tier's rate and
    hammers through its 429s, on one category and two templates: a fresh identity at its
    limit, but not on what distillers harvest. On coding and math it is a fleet account's
    shape, and degraded."""
    job = {
        "account_age_days": 0.5,
        "verified": 0.0,
        "verified_known": 1.0,
        "requests_1h": 3900.0,
        "usage_vs_tier_10m": 1.9,
        "output_vs_tier_10m": 2.5,
        "status_429_share_1h": 0.5,
        "retry_after_429_rate_1h": 0.98,
        "category_top_share_1h": 0.96,
        "template_ratio_1h": 0.001,
        "capability_share_1h": 0.0,
        "cot_share_1h": 0.0,
    }
    _degraded_only_with(job, {"capability_share_1h": 0.96})


DEFAULT_RULES = load_rules()
_CONDITIONS = [c for rule in DEFAULT_RULES for c in rule.when]


@st.composite
def _feature_vectors(draw: st.DrawFn) -> dict[str, float]:
    """Vectors around the default rules' thresholds (on, just off, far off, or absent)."""
    features: dict[str, float] = {}
    for c in _CONDITIONS:
        nudge = draw(st.sampled_from([None, 0.0, -1e-9, 1e-9, -0.5, 0.5, -50.0, 50.0]))
        if nudge is not None:
            features[c.feature] = c.value + nudge
    return features


@settings(max_examples=400, deadline=None)
@given(_feature_vectors())
def test_compiled_rules_agree_with_the_rules_as_written(features: dict[str, float]) -> None:
    """The compiled evaluation fires exactly the rules whose conditions all hold, in
    file order, with the same evidence as ``Rule.evidence``."""
    expected = [rule.evidence(features) for rule in DEFAULT_RULES if rule.fires(features)]
    assert RuleSet(DEFAULT_RULES).evaluate(features) == expected


def test_repeated_detail_reuses_the_evidence_and_the_memo_stays_bounded() -> None:
    (rule,) = parse_rules({"rules": [_rule(detail="{rpm_10m:.1f} requests/min")]})
    rules = RuleSet([rule])
    (first,) = rules.evaluate({"rpm_10m": 150.0})
    (again,) = rules.evaluate({"rpm_10m": 150.0})
    (other,) = rules.evaluate({"rpm_10m": 151.0})
    assert again is first and other.detail == "151.0 requests/min"
    for i in range(3 * rules_module._ISSUED_MAX):
        rules.evaluate({"rpm_10m": 100.0 + i})
    (compiled,) = rules._compiled
    assert 0 < len(compiled.issued) <= rules_module._ISSUED_MAX
