"""ControlState: records apply atomically or not at all; versions follow content."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.control import ControlState, reconfigure
from distillguard.models.engine import Engine
from distillguard.models.errors import ConfigRejected

RULE: dict[str, Any] = {
    "id": "cot-burst",
    "description": "reasoning elicitation at volume",
    "when": [{"feature": "cot_share_1h", "op": ">=", "value": 0.7}],
    "weight": 0.3,
    "reason": "cot.burst",
    "detail": "{cot_share_1h:.0%} of requests",
}


HARVEST: dict[str, Any] = {
    "id": "test-harvest",
    "description": "logit_bias with top_logprobs and 1-token outputs",
    "when": [
        {"feature": "harvest_share_1h", "op": ">=", "value": 0.3},
        {"feature": "requests_1h", "op": ">=", "value": 30},
    ],
    "weight": 0.9,
    "family": "logit",
    "reason": "test.harvest",
    "detail": "{harvest_share_1h:.0%} harvest",
}
#: the base under test: its own rules and thresholds, so tuning the shipped defaults does not
#: change these tests
BASE = DetectionConfig.model_validate(
    {
        "config_version": "test-base",
        "min_requests_1h": 20,
        "policy": {
            "thresholds": {
                "monitor": 0.3,
                "degrade": 0.6,
                "throttle": 0.75,
                "challenge": 0.88,
                "suspend": 0.96,
            },
            "hysteresis": 0.1,
        },
        "anomaly": {"enabled": False},
        "rules": [HARVEST, {**RULE, "id": "test-cot", "weight": 0.2, "family": "cot"}],
    }
)


def rec(kind: str, spec: dict[str, Any], **extra: Any) -> bytes:
    return orjson.dumps({"schema_version": 1, "kind": kind, "spec": spec, **extra})


@pytest.fixture
def state() -> ControlState:
    return ControlState.initial(BASE)


def test_a_good_record_applies_and_the_old_state_is_untouched(state: ControlState) -> None:
    new = state.apply(
        "policy", rec("policy", {"thresholds": {"suspend": 0.9}, "ttl": {"monitor": 60}})
    )
    assert new.config.policy.thresholds.suspend == 0.9 and new.config.policy.ttl.monitor == 60
    assert new.config.policy.thresholds.degrade == 0.6  # the rest of the base stays
    assert new.config.config_version == new.version != state.version
    assert state.config.policy.thresholds.suspend == 0.96 and not state.items


@pytest.mark.parametrize(
    ("key", "value", "field", "words"),
    [
        ("policy", rec("policy", {"thresholds": {"degrade": 1.5}}), "spec.thresholds.degrade", "1"),
        ("policy", rec("policy", {"thresholds": {"throttle": 0.5}}), "spec.thresholds", "increase"),
        ("policy", rec("policy", {"hysteresis": 0.3}), "spec.hysteresis", "monitor"),
        ("policy", b"{not json", None, "not JSON"),
        ("policy", b"[1]", None, "not a JSON object"),
        ("policy", rec("shadow", {}), "kind", "does not match"),
        ("policies", rec("policy", {}), "key", "unknown key"),
        ("detector:forest", rec("detector", {}), None, "unknown detector"),
        ("detector:anomaly", rec("detector", {"quantile": 0.2}), "spec.quantile", "0.5"),
        ("rule:other", rec("rule", RULE), "spec.id", "differs"),
        (
            "rule:cot-burst",
            rec("rule", {**RULE, "when": [{"feature": "x", "op": ">", "value": 1}]}),
            "spec.when[0].feature",
            "unknown feature",
        ),
        ("allow:ci", rec("allow", {"account_id": "a", "expires_at": 1}), "spec", "reason"),
        (
            "allow:ci",
            rec("allow", {"account_id": "a", "expires_at": 1, "reason": "r"}, enabled=False),
            "enabled",
            "only rule",
        ),
        ("shadow", rec("shadow", {"rules": {"nope": True}}), "spec.rules.nope", "unknown rule"),
    ],
)
def test_bad_records_are_rejected_naming_the_field(
    state: ControlState, key: str, value: bytes, field: str | None, words: str
) -> None:
    with pytest.raises(ConfigRejected) as info:
        state.apply(key, value)
    assert info.value.field == field and words in info.value.reason
    assert str(info.value).startswith(f"{key}: ")


def test_a_rejected_record_leaves_the_previous_config_in_force(state: ControlState) -> None:
    good = state.apply("policy", rec("policy", {"thresholds": {"suspend": 0.9}}))
    with pytest.raises(ConfigRejected):
        good.apply("policy", rec("policy", {"thresholds": {"suspend": 0.1}}))
    assert good.config.policy.thresholds.suspend == 0.9


def test_tombstones_remove_items_and_restore_the_base(state: ControlState) -> None:
    allow = rec("allow", {"account_id": "acct_ci", "expires_at": 2e9, "reason": "CI"})
    with_allow = state.apply("allow:ci", allow)
    assert [e.account_id for e in with_allow.config.policy.allowlist] == ["acct_ci"]
    without = with_allow.apply("allow:ci", None)
    assert without.config.policy.allowlist == () and without.version == "test-base"
    assert without.apply("allow:never-there", None) is without


def test_rules_replace_add_and_disable_by_id(state: ControlState) -> None:
    default_ids = [r.id for r in BASE.signature_rules()]
    changed = {**HARVEST, "weight": 0.5}
    s1 = state.apply("rule:test-harvest", rec("rule", changed))
    s2 = s1.apply("rule:cot-burst", rec("rule", RULE))
    s3 = s2.apply("rule:test-harvest", rec("rule", changed, enabled=False))
    rules = {r.id: r for r in s2.config.signature_rules()}
    assert rules["test-harvest"].weight == 0.5 and "cot-burst" in rules
    assert [r.id for r in s2.config.signature_rules()][: len(default_ids)] == default_ids
    assert "test-harvest" not in {r.id for r in s3.config.signature_rules()}


def test_shadow_section_sets_global_detector_and_rule_shadow(state: ControlState) -> None:
    spec = {
        "global": True,
        "detectors": {"anomaly": False, "rules": True},
        "rules": {"test-harvest": False},
    }
    config = state.apply("shadow", rec("shadow", spec)).config
    assert config.shadow is True and config.anomaly.shadow is False
    shadows = {r.id: r.shadow for r in config.signature_rules()}
    assert shadows.pop("test-harvest") is False and all(shadows.values())


def test_a_rule_referenced_by_shadow_cannot_be_removed(state: ControlState) -> None:
    s = state.apply("rule:cot-burst", rec("rule", RULE))
    s = s.apply("shadow", rec("shadow", {"rules": {"cot-burst": True}}))
    with pytest.raises(ConfigRejected, match="unknown rule 'cot-burst'"):
        s.apply("rule:cot-burst", None)


def test_versions_follow_content_not_history(state: ControlState) -> None:
    a = rec("policy", {"thresholds": {"suspend": 0.9}})
    b = rec("allow", {"account_id": "x", "expires_at": 5, "reason": "r"})
    one = state.apply("policy", a).apply("allow:x", b)
    two = state.apply("allow:x", b).apply("policy", a)
    assert one.version == two.version
    republished = rec("policy", {"thresholds": {"suspend": 0.9}}, published_by="someone else")
    assert one.apply("policy", republished).version == one.version
    assert (
        state.apply("policy", rec("policy", {"thresholds": {"suspend": 0.91}})).version
        != one.version
    )


_records = st.sampled_from(
    [
        ("policy", rec("policy", {"thresholds": {"suspend": 0.9}})),
        ("policy", rec("policy", {"thresholds": {"degrade": 0.99}})),
        ("policy", rec("policy", {"hysteresis": 0.05})),
        ("policy", None),
        ("rule:cot-burst", rec("rule", RULE)),
        ("rule:cot-burst", None),
        ("shadow", rec("shadow", {"rules": {"cot-burst": True}})),
        ("shadow", None),
        ("allow:x", rec("allow", {"account_id": "x", "expires_at": 5, "reason": "r"})),
        ("allow:x", None),
        ("detector:anomaly", rec("detector", {"weight": 0.3})),
        ("detector:anomaly", b"nope"),
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_records, max_size=12))
def test_any_sequence_leaves_a_valid_state_that_rebuilds_from_its_items(
    sequence: list[tuple[str, bytes | None]],
) -> None:
    state = ControlState.initial(BASE)
    for key, value in sequence:
        try:
            state = state.apply(key, value)
        except ConfigRejected:
            continue
    DetectionConfig.model_validate(state.config.model_dump())
    assert state.version == "test-base" or state.version.startswith("test-base+")
    rebuilt = ControlState.initial(BASE).with_items(state.items)
    assert rebuilt.version == state.version and rebuilt.config == state.config


def _harvest(account: str, start: float) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"{account}-{i}",
            "ts": start + i,
            "account_id": account,
            "api_key_id": "k",
            "ip": "198.51.100.7",
            "endpoint": "/v1/messages",
            "model": "m",
            "status": 200,
            "prompt_tokens": 10,
            "completion_tokens": 1,
            "params": {"logprobs": True, "top_logprobs": 5, "logit_bias": True},
        }
        for i in range(40)
    ]


def test_reconfigure_changes_decisions_and_keeps_state(state: ControlState) -> None:
    engine = Engine(BASE)
    first = [r for r in engine.run(event_records(_harvest("a", 1000.0))) if r.value is not None]
    assert first[-1].value is not None and first[-1].value["action"] == "challenge"
    new = state.apply("policy", rec("policy", {"thresholds": {"challenge": 0.85, "suspend": 0.89}}))
    new = new.apply("shadow", rec("shadow", {"rules": {"test-cot": True}}))
    reconfigure(engine, new.config)
    assert "a" in engine.states and "a" in engine.policies
    second = [r for r in engine.run(event_records(_harvest("b", 1100.0))) if r.value is not None]
    assert second[-1].value is not None and second[-1].value["action"] == "suspend"
    assert second[-1].value["config_version"] == new.version
    shadow_new = new.apply("shadow", rec("shadow", {"rules": {"test-harvest": True}}))
    reconfigure(engine, shadow_new.config)
    third = [r for r in engine.run(event_records(_harvest("c", 1200.0))) if r.value is not None]
    assert third and all(r.value is not None and r.value["mode"] == "shadow" for r in third)
