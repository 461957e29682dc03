"""A fleet's failover testifies about the fleet, not about a course it met by coincidence.

A course's attendees sign up in the same hours as a fleet's first accounts and draw the
same public exercises; a small group joins a cluster on one link, so the fleet's first
few accounts and the course are one cluster. When the fleet replaces a throttled account,
that says something about the fleet, and nothing about the attendees: a group of
``BRIDGE_MIN`` or more linked by more than sign-up times and templates that holds no
replacement is judged on its own members.
"""

from __future__ import annotations

from typing import Any

from distillguard.models.clusters import ClusterLinker
from distillguard.models.clusters.graph import BRIDGE_MIN
from distillguard.models.clusters.view import cluster_view

from .test_clusters_linking import NOW0, THROTTLE, event, fleet_events, fresh_joiner, run

COURSE = 8
EXERCISE = "00000000000000a0"  # one of the fleet's templates, from a public pool


def attendee(
    name: str, i: int, start: float, minutes: int, *, meets_fleet: bool
) -> list[dict[str, Any]]:
    """A new account at the venue (one /24) on the sponsor's card, asking its own
    exercises at a person's pace; with ``meets_fleet`` one of them is the fleet's, and it
    signed up in the fleet's ten minutes."""
    out = []
    for m in range(i % 3, minutes, 2):
        template = EXERCISE if meets_fleet and m % 4 == i % 3 else f"00000000000000e{i}"
        out.append(
            event(
                name,
                start + m * 60 + 7.0 * i,
                ip=f"192.0.2.{20 + i}",
                template=template,
                created_at=NOW0 - 3600.0 - (30.0 if meets_fleet else 7200.0 + i),
                verified=False,
                card="sponsor",
            )
        )
    return out


def course(start: float, minutes: int) -> list[dict[str, Any]]:
    return [
        ev
        for i in range(COURSE)
        for ev in attendee(f"course-{i}", i, start, minutes, meets_fleet=i == 0)
    ]


def merged() -> tuple[ClusterLinker, float]:
    """A fleet of four and a course of eight in one cluster; the fleet's first account
    throttled, then a replacement on its card and proxies."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(4, 20) + course(NOW0, 20))
    assert linker.graph.cluster_of("course-5") == linker.graph.cluster_of("fleet-0")
    linker.observe_decision("fleet-0", THROTTLE, now)
    return linker, now


def test_the_fleets_replacement_carries_failover_and_the_course_does_not() -> None:
    linker, now = merged()
    later = run(linker, fresh_joiner(now, now + 60, 120) + course(now + 60, 3))
    cid = linker.graph.cluster_of("fresh")
    assert cid is not None and cid == linker.graph.cluster_of("course-5")
    risk, _ = linker.cluster_risk(cid, later)
    assert "cluster.failover" in {code for code, _, _ in risk.reasons}
    assert "cluster.failover_join" in {e.code for e in linker.evidence("fresh", {}, later)}
    fleet, _ = linker.member_risk("fleet-2", cid, later)
    attendees, _ = linker.member_risk("course-5", cid, later)
    assert fleet is risk
    assert attendees is not risk and attendees.risk < risk.risk
    assert "cluster.failover" not in {code for code, _, _ in attendees.reasons}
    for piece in linker.evidence("course-5", {}, later):
        assert "appeared right after" not in piece.detail
        assert piece.cluster_id == cid
    view = cluster_view(linker, cid, later)
    assert view is not None
    rows = {m["account_id"]: m["risk"] for m in view["members"]}
    assert rows["fleet-2"] == view["risk"] == risk.risk
    assert rows["course-5"] == attendees.risk


def test_a_late_attendee_replaces_no_one() -> None:
    """An attendee whose first request comes after the fleet lost an account joins the
    course on its card: no replacement, unlike one that joins on the fleet's card."""
    linker, now = merged()
    late = attendee("late", COURSE, now + 60, 4, meets_fleet=False)
    later = run(linker, late + fresh_joiner(now, now + 60, 120))
    assert linker.graph.cluster_of("late") == linker.graph.cluster_of("fresh")
    assert "cluster.failover_join" not in {e.code for e in linker.evidence("late", {}, later)}
    assert "cluster.failover_join" in {e.code for e in linker.evidence("fresh", {}, later)}


def test_a_fleet_linked_by_sign_up_times_and_templates_alone_keeps_its_failover() -> None:
    """Accounts of a fleet that share nothing but sign-up bursts and templates are a
    group of one each: every member still carries the cluster's failover."""
    assert BRIDGE_MIN > 1
    linker = ClusterLinker()
    now = run(linker, fleet_events(6, 20))
    cid = linker.graph.cluster_of("fleet-0")
    assert cid is not None
    for a in linker.graph.members(cid):
        for b, (strength, _, at) in list(linker.graph.neighbours(a).items()):
            linker.graph.edges[a][b] = (strength, ("created", "prompt"), at)
    linker.observe_decision("fleet-0", THROTTLE, now)
    later = run(linker, fresh_joiner(now, now + 60, 120))
    risk, _ = linker.cluster_risk(cid, later)
    assert "cluster.failover" in {code for code, _, _ in risk.reasons}
    for member in ("fleet-3", "fresh"):
        assert linker.member_risk(member, cid, later)[0] is risk


def test_the_group_a_fleet_replaced_keeps_its_failover() -> None:
    """A fleet's first accounts, one group on its cards and proxy, were throttled; their
    replacements come on cards and networks of their own, tied to the fleet by sign-up
    bursts and templates alone. The group they replaced is what the failover is about."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(6, 20))
    for i in range(6):
        linker.observe_decision(f"fleet-{i}", THROTTLE, now)
    spares = [f"spare-{i}" for i in range(3)]
    later = run(
        linker,
        [
            event(
                name,
                now + 60 + s,
                ip=f"198.18.{i}.7",
                asn=64600 + i,
                template="00000000000000a0",
                created_at=now,
                verified=False,
                card=f"spare-card-{i}",
            )
            for i, name in enumerate(spares)
            for s in range(0, 120, 10)
        ],
    )
    first_seen = {a: p.first_seen for a, p in linker.profiles.items()}
    for i, name in enumerate(spares):
        for other in [*spares[i + 1 :], "fleet-1"]:
            linker.graph.link(name, other, 0.65, later, first_seen, ("created", "prompt"))
    cid = linker.graph.cluster_of("fleet-0")
    assert cid is not None and cid == linker.graph.cluster_of("spare-2")
    linker.invalidate_risk(cid)
    risk, _ = linker.cluster_risk(cid, later)
    assert "cluster.failover" in {code for code, _, _ in risk.reasons}
    assert linker.member_risk("fleet-3", cid, later)[0] is risk
    assert linker.member_risk("spare-0", cid, later)[0] is risk


def test_an_attendee_tied_to_the_course_by_sign_up_time_and_exercises_goes_with_it() -> None:
    """An attendee on its own card and network met the course by nothing but the ten
    minutes they signed up in and the exercises: a group of one by its links, but all of
    them go to the course, so it is judged with the course, not with the fleet the course
    met by coincidence."""
    linker, now = merged()
    start = now - 20 * 60
    loner = [
        event(
            "loner",
            start + m * 60,
            ip="198.18.77.7",
            asn=64777,
            template=f"00000000000000f{m % 3}",
            created_at=NOW0 - 3600.0 - 60.0,
            verified=False,
            card="card-loner",
        )
        for m in range(0, 20, 2)
    ]
    run(linker, loner)
    first_seen = {a: p.first_seen for a, p in linker.profiles.items()}
    for i in range(1, 4):
        linker.graph.link("loner", f"course-{i}", 0.65, now, first_seen, ("created", "prompt"))
    later = run(linker, fresh_joiner(now, now + 60, 120) + course(now + 60, 3))
    cid = linker.graph.cluster_of("loner")
    assert cid is not None and cid == linker.graph.cluster_of("fresh")
    risk, _ = linker.cluster_risk(cid, later)
    assert "cluster.failover" in {code for code, _, _ in risk.reasons}
    attendees, _ = linker.member_risk("course-5", cid, later)
    assert attendees is not risk
    assert linker.member_risk("loner", cid, later)[0] is attendees
    # linked to a fleet account as well, it is the fleet's as much as the course's
    linker.graph.link("loner", "fleet-2", 0.65, later, first_seen, ("created", "prompt"))
    linker.invalidate_risk(cid)
    assert linker.member_risk("loner", cid, later)[0] is linker.cluster_risk(cid, later)[0]
