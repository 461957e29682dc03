"""New seats of an established organisation: a new hire on the company card is judged by
the organisation's age, not as a freshly made identity (``identity_age_days``); in replay
and in the worker's flow alike."""

from __future__ import annotations

from typing import Any

import pytest

from distillguard.models.clusters import ClusterLinker
from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import Engine
from tests.unit.test_clusters_linking import DAY, NOW0, event, run
from tests.unit.test_clusters_worker_flow import run_two_workers

TARGETED = ("coding", "math", "reasoning", "agentic")


def team_events(
    *, org: str | None = "org-team", hire_org: str | None = None, minutes: int = 40
) -> list[dict[str, Any]]:
    """An aged, verified owner at a person's pace and a new, unverified hire on the
    owner's card, office network and internal tool who sweeps the targeted capabilities
    with long outputs at 3 requests a minute (the signature of ``capability-sweep``).
    ``hire_org`` puts the hire in another organisation than the owner's ``org``."""
    office = {"asn": 64600, "ua": "team-tool/2.1", "card": "team-card"}
    out = []
    for m in range(minutes):
        out.append(
            event(
                "owner",
                NOW0 + m * 60 + 7.0,
                ip="192.0.2.10",
                template="00000000000000b0",
                cot=False,
                created_at=NOW0 - 700 * DAY,
                verified=True,
                **office,
            )
        )
        for s in (3.0, 23.0, 43.0):
            k = (m * 3 + int(s) // 20) % 4
            out.append(
                event(
                    "hire",
                    NOW0 + m * 60 + s,
                    ip="192.0.2.11",
                    template=f"00000000000000b{k}",
                    category=TARGETED[k],
                    cot=k % 2 == 0,
                    completion_tokens=1200,
                    created_at=NOW0 - 0.5 * DAY,
                    verified=False,
                    **office,
                )
            )
    for ev in out:
        ev["org_id"] = org if ev["account_id"] == "owner" else (hire_org or org)
    return out


def enforced(records: list[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in records:
        if r.value is not None and r.value["action"] != "monitor":
            codes = [x["code"] for x in r.value["reasons"]]
            out.setdefault(r.key.partition(":")[2], []).extend(codes)
    return out


def replay(events: list[dict[str, Any]]) -> tuple[Engine, dict[str, list[str]]]:
    linker = ClusterLinker()
    engine = Engine(DetectionConfig(), sources=[linker], observers=[linker])
    records = list(engine.run(event_records(sorted(events, key=lambda e: e["ts"]))))
    return engine, enforced(records)


def test_a_new_hire_is_a_seat_of_its_established_organisation() -> None:
    linker = ClusterLinker()
    now = run(linker, team_events())
    assert linker.graph.cluster_of("hire") == linker.graph.cluster_of("owner") is not None
    assert linker.established_since("hire", now)[0] == pytest.approx(NOW0 - 700 * DAY)
    assert linker.account_features("hire", now)["identity_age_days"] == pytest.approx(
        700 + (now - NOW0) / DAY
    )
    assert linker.established_since("owner", now) == (None, None)  # established itself


@pytest.mark.parametrize(
    ("case", "org", "hire_org"),
    [
        ("no organisation: a card alone vouches for no one", None, None),
        ("another organisation than the card's established user", "org-team", "org-other"),
    ],
)
def test_only_an_established_member_of_the_same_organisation_vouches(
    case: str, org: str | None, hire_org: str | None
) -> None:
    linker = ClusterLinker()
    now = run(linker, team_events(org=org, hire_org=hire_org))
    assert linker.graph.cluster_of("hire") is not None, case
    assert linker.established_since("hire", now)[0] is None, case
    # the card vouches for its payer only: no fresh identity, whatever it does
    assert set(linker.account_features("hire", now)) == {"payer_age_days"}, case
    assert linker.established_since("hire", now)[1] == pytest.approx(NOW0 - 700 * DAY)


def test_an_established_member_enforced_against_vouches_for_no_one() -> None:
    linker = ClusterLinker()
    now = run(linker, team_events())
    linker.observe_decision("owner", {"mode": "enforce", "action": "degrade"}, now)
    cid = linker.graph.cluster_of("owner")
    assert cid is not None
    linker.invalidate_risk(cid)
    assert linker.established_since("hire", now) == (None, None)
    assert linker.account_features("hire", now) == {}


def test_the_new_hire_is_not_degraded_where_a_fresh_identity_would_be() -> None:
    """The same traffic degrades the hire by ``capability-sweep`` when nothing vouches for
    it; as a seat of the owner's organisation it is judged as old as the organisation."""
    engine, seat = replay(team_events())
    assert "hire" not in seat, seat
    assert engine.assessments["hire"].risk < 0.6
    _, fresh = replay(team_events(org=None))
    assert "distill.capability_sweep" in fresh.get("hire", []), fresh


def eliciting_hire(org: str | None) -> list[dict[str, Any]]:
    """The owner, and a new, unverified hire on its card who asks for step-by-step
    reasoning in most requests at a person's pace, all on coding (no sweep)."""
    events = [
        ev | {"prompt": ev["prompt"] | {"category": "coding", "cot_request": True}}
        for ev in team_events(org=org)
        if ev["account_id"] == "owner" or ev["ts"] % 60 < 10
    ]
    for ev in events:
        if ev["account_id"] == "hire":
            ev["completion_tokens"] = 400
    return events


def test_an_established_payer_vouches_for_a_new_account_being_no_fresh_identity() -> None:
    """``account.new_unverified_eliciting`` judges a fresh identity; a new hire paying with
    an established member's card is none, with or without an organisation."""
    for org in (None, "org-team"):
        engine, _ = replay(eliciting_hire(org))
        codes = {r["code"] for r in engine.assessments["hire"].reasons}
        assert "account.new_unverified_eliciting" not in codes, (org, codes)
    alone = [ev for ev in eliciting_hire(None) if ev["account_id"] == "hire"]
    engine, _ = replay(alone)
    codes = {r["code"] for r in engine.assessments["hire"].reasons}
    assert "account.new_unverified_eliciting" in codes, codes


def test_the_worker_flow_vouches_for_the_new_hire_as_replay_does() -> None:
    decisions, stage = run_two_workers(team_events())
    verdict = stage.verdict("hire")
    assert verdict is not None and verdict["established_since"] == pytest.approx(NOW0 - 700 * DAY)
    assert verdict["paid_since"] == verdict["established_since"]
    assert not [v for v in decisions.get("hire", []) if v["action"] != "monitor"]
    decisions, stage = run_two_workers(team_events(org=None))
    verdict = stage.verdict("hire")
    assert verdict is not None and verdict["established_since"] is None
    assert verdict["paid_since"] == pytest.approx(NOW0 - 700 * DAY)
    assert any(v["action"] != "monitor" for v in decisions.get("hire", []))
