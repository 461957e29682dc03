"""The action ladder: enter/exit hysteresis, dwell, TTLs, escalation, allowlist, shadow,
deterministic ids, tombstones, and records that satisfy the decision contract."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.codec import validate_decision
from distillguard.models.config import DetectionConfig
from distillguard.models.detectors.evidence import Assessment
from distillguard.models.policy import DecisionRecord, Policy, PolicyState, decision_id

T = 1_780_000_000.0


def _assess(risk: float, shadow_risk: float | None = None) -> Assessment:
    reasons: list[dict[str, object]] = [{"code": "test.reason", "detail": "why", "weight": risk}]
    return Assessment(
        risk=risk,
        shadow_risk=risk if shadow_risk is None else shadow_risk,
        reasons=reasons,
        features_that_drove_it={"rpm_10m": 1.0},
    )


def _policy(**over: Any) -> Policy:
    return Policy(DetectionConfig.model_validate(over))


def _value(record: DecisionRecord | None) -> dict[str, Any]:
    assert record is not None and record.value is not None
    validate_decision(record.value)
    return record.value


def test_low_risk_gives_no_decision() -> None:
    assert _policy().decide("a", PolicyState(), _assess(0.1), T) is None


def test_risk_enters_the_matching_action_at_once() -> None:
    policy, state = _policy(), PolicyState()
    v = _value(policy.decide("a", state, _assess(0.8), T))
    assert (v["action"], v["mode"], v["origin"]) == ("throttle", "enforce", "rule")
    assert v["rate_limit_rpm"] == 10
    assert v["subject"] == {"scope": "account", "value": "a"}
    assert v["issued_at"] == T and v["expires_at"] > T
    v = _value(policy.decide("a", state, _assess(0.97), T + 30))
    assert v["action"] == "suspend"


def test_hysteresis_and_minimum_dwell_hold_the_action() -> None:
    policy, state = _policy(), PolicyState()
    _value(policy.decide("a", state, _assess(0.65), T))  # degrade
    # below the enter threshold but above exit (0.6 - 0.1): stays
    assert policy.decide("a", state, _assess(0.55), T + 30) is None
    # below exit but before the dwell: stays
    assert policy.decide("a", state, _assess(0.35), T + 60) is None
    # below exit after the dwell: steps down to monitor
    v = _value(policy.decide("a", state, _assess(0.35), T + 700))
    assert v["action"] == "monitor"
    # nothing left: lifted with a tombstone
    record = policy.decide("a", state, _assess(0.0), T + 1400)
    assert record == DecisionRecord("account:a", None, T + 1400)
    assert state.action is None


def test_expired_decision_of_a_quiet_account_is_tombstoned() -> None:
    policy, state = _policy(), PolicyState()
    v = _value(policy.decide("a", state, _assess(0.65), T))
    assert policy.expire("a", state, v["expires_at"] - 1) is None
    record = policy.expire("a", state, v["expires_at"])
    assert record is not None and record.value is None and record.key == "account:a"


def test_active_account_still_at_risk_is_renewed_with_the_same_id() -> None:
    policy, state = _policy(), PolicyState()
    first = _value(policy.decide("a", state, _assess(0.65), T))
    assert policy.decide("a", state, _assess(0.65), T + 60) is None
    renewed = _value(policy.decide("a", state, _assess(0.65), T + 3000))
    assert renewed["decision_id"] == first["decision_id"]
    assert renewed["expires_at"] > first["expires_at"]


def test_repeat_offence_escalates_ttl_and_starting_action() -> None:
    policy, state = _policy(), PolicyState()
    first = _value(policy.decide("a", state, _assess(0.8), T))  # throttle
    assert policy.expire("a", state, first["expires_at"]) is not None
    again = _value(policy.decide("a", state, _assess(0.62), T + 10_000))
    assert again["action"] == "throttle"  # no lower than last episode's worst
    assert again["expires_at"] - again["issued_at"] == pytest.approx(
        2 * (first["expires_at"] - first["issued_at"])
    )
    assert again["decision_id"] != first["decision_id"]  # a new episode


def test_allowlisted_account_is_lifted_until_the_entry_expires() -> None:
    policy = _policy(policy={"allowlist": [{"account_id": "a", "expires_at": T + 100}]})
    state = PolicyState()
    assert policy.decide("a", state, _assess(0.9), T) is None
    v = _value(policy.decide("a", state, _assess(0.9), T + 100))
    assert v["action"] == "challenge"
    other = _policy(policy={"allowlist": [{"account_id": "a", "expires_at": T + 10_000}]})
    record = other.decide("a", state, _assess(0.9), T + 200)
    assert record is not None and record.value is None


def test_an_organisation_entry_allowlists_every_account_of_the_organisation() -> None:
    """A course in its organiser's organisation, or an evaluation partner: one entry for
    all its accounts, present and future; an account of another organisation, or of none,
    is judged as before."""
    entry = {"org_id": "org-course", "expires_at": T + 100, "reason": "workshop"}
    policy = _policy(policy={"allowlist": [entry]})
    assert policy.decide("a", PolicyState(), _assess(0.9), T, "org-course") is None
    assert policy.decide("b", PolicyState(), _assess(0.9), T, "org-course") is None
    assert _value(policy.decide("c", PolicyState(), _assess(0.9), T, "org-other"))
    assert _value(policy.decide("d", PolicyState(), _assess(0.9), T))
    assert _value(policy.decide("a", PolicyState(), _assess(0.9), T + 100, "org-course"))
    state = PolicyState()
    assert _value(_policy().decide("a", state, _assess(0.9), T, "org-course"))
    lifted = policy.decide("a", state, _assess(0.9), T + 1, "org-course")
    assert lifted is not None and lifted.value is None


@pytest.mark.parametrize(
    "entry",
    [
        {"expires_at": T},
        {"account_id": "a", "org_id": "org-1", "expires_at": T},
    ],
    ids=["neither", "both"],
)
def test_an_allowlist_entry_names_one_account_or_one_organisation(entry: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="exactly one of account_id and org_id"):
        _policy(policy={"allowlist": [entry]})


def test_global_shadow_mode_marks_every_decision() -> None:
    policy, state = _policy(shadow=True), PolicyState()
    v = _value(policy.decide("a", state, _assess(0.1, shadow_risk=0.9), T))
    assert (v["action"], v["mode"]) == ("challenge", "shadow")


def test_shadow_rules_alone_give_a_shadow_decision() -> None:
    policy, state = _policy(), PolicyState()
    v = _value(policy.decide("a", state, _assess(0.35, shadow_risk=0.7), T))
    assert (v["action"], v["mode"]) == ("degrade", "shadow")
    v = _value(policy.decide("a", state, _assess(0.8, shadow_risk=0.8), T + 30))
    assert (v["action"], v["mode"]) == ("throttle", "enforce")


def test_decision_ids_are_deterministic() -> None:
    a = decision_id("account", "x", "degrade", "enforce", 1)
    assert a == decision_id("account", "x", "degrade", "enforce", 1)
    assert a != decision_id("account", "x", "degrade", "enforce", 2)
    assert a != decision_id("account", "x", "throttle", "enforce", 1)
    p1, p2 = _policy(), _policy()
    r1 = _value(p1.decide("a", PolicyState(), _assess(0.7), T))
    r2 = _value(p2.decide("a", PolicyState(), _assess(0.7), T))
    assert r1 == r2


def test_policy_state_round_trips_through_json() -> None:
    policy, state = _policy(), PolicyState()
    policy.decide("a", state, _assess(0.8), T)
    again = PolicyState.from_dict(orjson.loads(orjson.dumps(state.to_dict())))
    assert again == state


@settings(max_examples=50, deadline=None)
@given(risks=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=40))
def test_every_record_is_contract_valid_and_keys_stay_put(risks: list[float]) -> None:
    policy, state = _policy(), PolicyState()
    for i, risk in enumerate(risks):
        record = policy.decide("a", state, _assess(risk), T + 30 * i)
        if record is not None:
            assert record.key == "account:a"
            if record.value is not None:
                validate_decision(record.value)
                assert record.value["action"] == state.action
