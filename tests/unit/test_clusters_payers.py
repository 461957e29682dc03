"""Cluster risk and who pays: one organisation's accounts, a company card, one payer."""

from __future__ import annotations

from typing import Any

import pytest

from distillguard.models.clusters import ClusterLinker
from distillguard.models.clusters.coordination import MACHINE_PACE, assess
from distillguard.models.clusters.profile import Profile
from distillguard.models.codec import event_records
from distillguard.models.features import fold_events
from tests.unit.test_clusters_linking import NOW0, event, fleet_events, run

DAY = 86400.0
NOW = 1_780_000_000.0
MINUTE = int(NOW // 60)


def member(
    name: str,
    *,
    card: str = "card-1",
    org: str | None = None,
    new: bool = True,
    pace: float = 12.0,
    cot: float = 0.6,
    focus: float = 1.0,
    minutes: int = 3,
) -> Profile:
    """A member active for the last ``minutes`` minutes at ``pace`` requests a minute, 900
    output tokens each, ``focus`` of its requests on the targeted capabilities (all, by
    default) and ``cot`` of them asking for reasoning."""
    return Profile(
        name,
        NOW - minutes * 60.0,
        NOW,
        created_at=NOW - (0.02 if new else 400.0) * DAY,
        verified=not new,
        card=card,
        org=org,
        minutes={
            MINUTE - i: [pace, 900.0 * pace, cot * pace, focus * pace, pace] for i in range(minutes)
        },
        requests=pace * minutes,
    )


def risk_of(*members: Profile) -> Any:
    return assess(list(members), NOW, failover_joins=0, infra_share=1.0)


def test_a_fleets_first_two_accounts_on_one_card_are_judged_at_once() -> None:
    """Two new accounts, not one organisation's, one card, a machine's pace, eliciting
    reasoning: one operator for certain, judged in full before a third member appears."""
    r = risk_of(member("a"), member("b", org="org-b"))
    assert r.stats["one_payer"] == 1.0
    assert r.risk * 0.9 >= 0.6, r  # as cluster evidence alone: at least degrade
    assert {c for c, _, _ in r.reasons} >= {"cluster.new_accounts", "cluster.shared_payment"}


def test_two_accounts_on_one_card_without_every_sign_of_a_fleet_need_a_third() -> None:
    """Each of these is one missing sign; below ``min_members`` they have no risk at all."""
    variants = {
        "an established member (the card's owner)": (member("a"), member("b", new=False)),
        "a person's pace": (member("a", pace=2.0), member("b", pace=2.0)),
        "answers, not reasoning": (member("a", cot=0.1), member("b", cot=0.1)),
        "two cards": (member("a"), member("b", card="card-2")),
        "one organisation's accounts": (member("a", org="org-1"), member("b", org="org-1")),
    }
    for why, members in variants.items():
        r = risk_of(*members)
        assert r.risk == 0.0 and not r.stats.get("one_payer"), why
    assert MACHINE_PACE > 2.0


def aged(name: str, org: str | None, **kw: Any) -> Profile:
    """An aged, verified account at a person's pace."""
    return member(name, org=org, new=False, pace=1.0, **kw)


def test_one_card_behind_two_organisations_harvesting_is_judged_at_once() -> None:
    """Two aged, verified accounts at a person's pace, each its own organisation's, paying
    with one card, both on the targeted capabilities with reasoning elicited: one operator
    posing as two customers. Neither new nor fast nor hopping networks, they are judged in
    full from two members."""
    r = risk_of(aged("a", "org-a"), aged("b", "org-b"))
    assert r.risk * 0.9 >= 0.6, r  # as cluster evidence alone: at least degrade
    assert r.stats["posing_payer"] == 1.0 and r.stats["one_payer"] == 0.0
    assert r.stats["hidden_payer"] == 0.0
    assert "cluster.posing_organisations" in {c for c, _, _ in r.reasons}


def test_one_card_behind_several_organisations_is_no_posing_payer_without_a_harvest() -> None:
    """Each of these lacks one sign; as a pair it has no risk at all."""
    variants = {
        "a reseller's clients doing their own products' work": (
            aged("a", "org-a", cot=0.05, focus=0.4),
            aged("b", "org-b", cot=0.05, focus=0.4),
        ),
        "mixed work": (aged("a", "org-a", focus=0.6), aged("b", "org-b", focus=0.6)),
        "answers, not reasoning": (aged("a", "org-a", cot=0.1), aged("b", "org-b", cot=0.1)),
        "two cards": (aged("a", "org-a"), aged("b", "org-b", card="card-2")),
        "one organisation's accounts": (aged("a", "org-a"), aged("b", "org-a")),
        "no organisation named": (aged("a", None), aged("b", None)),
    }
    for why, members in variants.items():
        r = risk_of(*members)
        assert r.risk == 0.0 and not r.stats.get("posing_payer"), why
    # a reseller's card across more clients stays below degrade as cluster evidence alone
    clients = [aged(f"c{i}", f"org-{i}", cot=0.05, focus=0.4) for i in range(6)]
    assert risk_of(*clients).risk * 0.9 < 0.6


def test_one_organisations_accounts_are_one_customer_not_a_fleet() -> None:
    """Five new accounts of one organisation on its card, at a machine's pace, eliciting
    reasoning: the organisation's limits are shared, nothing is spread to evade them."""
    team = [member(f"m{i}", org="org-1") for i in range(5)]
    assert risk_of(*team).risk == 0.0
    unaffiliated = [member(f"m{i}", org=f"org-{i}") for i in range(5)]
    assert risk_of(*unaffiliated).risk > 0.5


def test_a_cluster_counts_one_customer_per_organisation() -> None:
    """Two courses, each in its organiser's organisation, linked by two attendees who
    share a home network and signed up in the same ten minutes: two customers, each under
    its organisation's limits, not a fleet of 50. Every member of a third customer, with
    or without an organisation, counts: then the cluster is judged."""
    courses = [member(f"a{i}", org="org-a", card=f"a{i}") for i in range(30)]
    courses += [member(f"b{i}", org="org-b", card=f"b{i}") for i in range(20)]
    r = risk_of(*courses)
    assert r.risk == 0.0 and r.stats["customers"] == 2.0
    assert risk_of(*courses, member("x", card="x")).risk > 0.5
    assert risk_of(*courses, member("x", org="org-x", card="x")).risk > 0.5
    # a gateway rolling org_id out names an attendee's organisation on some requests only:
    # beside the course, an attendee that has not named one yet may still be the course's
    early = [member(f"e{i}", card=f"e{i}", pace=1.0, minutes=2) for i in range(3)]
    r = risk_of(*courses[:30], *early)
    assert r.risk == 0.0 and r.stats["customers"] == 1.0
    assert risk_of(*courses[:30], *[member(f"e{i}", card=f"e{i}") for i in range(3)]).risk > 0.5
    # a fleet's accounts have no organisation or one each: every one counts at once
    own = [member(f"o{i}", org=f"org-{i}", card=f"o{i}") for i in range(2)]
    assert risk_of(*own, *early).stats["customers"] == 5.0
    # one card across two organisations is judged from two members on (one payer)
    assert risk_of(member("a", org="org-a"), member("b", org="org-b")).stats["one_payer"] == 1.0


def test_shares_of_what_was_asked_are_of_the_requests_whose_prompt_was_classified() -> None:
    """A gateway rolling ``prompt`` out sends it on half the requests: the cluster's
    reasoning and capability shares are those of the half it classified, not halved."""
    full = [member(f"m{i}", card=f"c{i}", cot=0.3) for i in range(6)]
    half = [member(f"m{i}", card=f"c{i}", cot=0.3) for i in range(6)]
    for p in half:
        for bucket in p.minutes.values():
            bucket[2] /= 2  # COT
            bucket[3] /= 2  # CAPABILITY
            bucket[4] /= 2  # KNOWN
    a, b = risk_of(*full), risk_of(*half)
    assert b.stats["cot_share"] == a.stats["cot_share"] == pytest.approx(0.3)
    assert b.stats["capability_share"] == a.stats["capability_share"] == 1.0
    assert b.risk == a.risk


def test_a_company_card_counts_less_than_a_card_across_unaffiliated_accounts() -> None:
    company = [member(f"c{i}", org="org-1", card="company") for i in range(3)]
    others = [member(f"o{i}", card=f"own-{i}") for i in range(2)]
    r = risk_of(*company, *others)
    assert r.stats["company_card_share"] == 0.6 and r.stats["card_share"] == 0.0
    weights = {c: w for c, _, w in r.reasons}
    spread = risk_of(*[member(f"c{i}", card="company") for i in range(3)], *others)
    assert (
        weights["cluster.shared_payment"]
        < {c: w for c, _, w in spread.reasons}["cluster.shared_payment"]
    )


def test_the_linker_reads_the_organisation_from_the_events() -> None:
    """Fleet traffic with every account in one organisation: linked, but no risk."""
    events = fleet_events(6, 20)
    for ev in events:
        ev["org_id"] = "org-1"
    linker = ClusterLinker()
    now = run(linker, events)
    cid = linker.graph.cluster_of("fleet-0")
    assert cid is not None and linker.profiles["fleet-0"].org == "org-1"
    assert linker.cluster_risk(cid, now)[0].risk == 0.0
    plain = ClusterLinker()
    now = run(plain, fleet_events(6, 20))
    assert plain.cluster_risk(str(plain.graph.cluster_of("fleet-0")), now)[0].risk > 0.5


def test_slices_carry_the_organisation() -> None:
    ev = event("a", NOW0)
    ev["org_id"] = "org-7"
    assert fold_events(event_records([ev]))["a"].meta["org_id"] == "org-7"


def test_new_hires_on_an_established_members_card_are_not_new_identities() -> None:
    """A team on a company card without an organisation: its owner (aged, verified) and
    four new hires at a person's pace, on the owner's card and office network. The new
    hires are the owner's colleagues, not freshly made identities; the same four new
    accounts on a card no established account pays with are."""
    owner = member("owner", new=False, pace=2.0, cot=0.1)
    hires = [member(f"hire-{i}", pace=2.0, cot=0.1) for i in range(4)]
    team = risk_of(owner, *hires)
    assert team.stats["new_share"] == 0.0
    assert team.risk == 0.0, team
    fresh = risk_of(*[member(f"new-{i}", pace=2.0, cot=0.1) for i in range(5)])
    assert fresh.stats["new_share"] == 1.0
    assert "cluster.new_accounts" in {c for c, _, _ in fresh.reasons}


def _worker(name: str, *, roams: bool, cot: float, focus: float, pace: float = 2.0) -> Profile:
    """A new, unverified account without an organisation on the shared card, active for
    30 minutes at ``pace``: settled on its office network (one change in 40 repeat
    requests) or changing network at every request; ``focus`` of its requests on the
    targeted capabilities, ``cot`` of them eliciting reasoning."""
    p = member(name, pace=pace, cot=cot, focus=focus, minutes=30)
    p.repeats, p.changes = 40.0, (40.0 if roams else 1.0)
    p.networks = 40 if roams else 2
    return p


def test_a_new_team_at_work_without_an_organisation_is_no_fleet() -> None:
    """Five new, unverified accounts on one card and no organisation (a start-up's first
    seats, or a gateway that does not send ``org_id``), each keeping its office network
    at a person's pace on mixed work: new accounts alone do not make them a fleet; the
    same accounts rotating networks, at a machine's pace, or on the harvest's workload
    (nearly all targeted capabilities, reasoning elicited) do."""
    team = [_worker(f"t{i}", roams=False, cot=0.15, focus=0.7) for i in range(5)]
    r = risk_of(*team)
    assert r.risk == 0.0 and r.stats["at_work"] == 1.0, r
    assert r.stats["new_share"] == 1.0  # still measured, just not a behaviour
    variants = {
        "rotating networks": [_worker(f"t{i}", roams=True, cot=0.15, focus=0.7) for i in range(5)],
        "a machine's pace": [
            _worker(f"t{i}", roams=False, cot=0.15, focus=0.7, pace=MACHINE_PACE + 1)
            for i in range(5)
        ],
        "the harvest": [_worker(f"t{i}", roams=False, cot=0.5, focus=1.0) for i in range(5)],
    }
    for why, members in variants.items():
        r = risk_of(*members)
        assert r.stats["at_work"] == 0.0 and r.risk > 0.3, why
    # a newcomer's second request, from home, does not make the team roam
    newcomer = member("t9", pace=2.0, cot=0.15, minutes=30)
    newcomer.repeats, newcomer.changes, newcomer.networks = 1.0, 1.0, 2
    assert risk_of(*team[:4], newcomer).stats["at_work"] == 1.0


def test_an_established_member_away_from_work_still_vouches_for_the_card() -> None:
    """Two new hires at a machine's pace eliciting reasoning on their team's card are one
    payer only while nobody established stands behind the card; the card's owner, a
    member of the cluster but not active this hour, vouches as when at work (the linker
    passes the cards of its established members not enforced against)."""
    hires = (member("a"), member("b"))
    assert risk_of(*hires).stats["one_payer"] == 1.0
    r = assess(list(hires), NOW, failover_joins=0, infra_share=1.0, vouching=frozenset({"card-1"}))
    assert not r.stats.get("one_payer") and r.risk == 0.0
    other = assess(list(hires), NOW, failover_joins=0, infra_share=1.0, vouching=frozenset({"x"}))
    assert other.stats["one_payer"] == 1.0  # another card vouches for nobody here


def test_the_linker_hears_an_idle_card_owner() -> None:
    """The owner's last request was two hours ago; the two hires on its card work now."""
    linker = ClusterLinker()
    owner = [
        event("owner", NOW0 - 7200 + 60 * m, card="team", ip="198.51.100.40", template="0" * 16)
        for m in range(20)
    ]
    hires = [
        event(
            f"hire-{i}",
            NOW0 + 6 * s + i,
            card="team",
            ip="198.51.100.40",
            created_at=NOW0 - 0.5 * DAY,
            verified=False,
            template="0" * 16,
        )
        for i in range(2)
        for s in range(100)
    ]
    now = run(linker, owner + hires)
    cid = linker.graph.cluster_of("hire-0")
    assert cid is not None and linker.graph.cluster_of("owner") == cid
    risk, _ = linker.cluster_risk(cid, now)
    assert not risk.stats.get("one_payer"), risk
