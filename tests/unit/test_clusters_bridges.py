"""Clusters grow member by member; a coincidence between two groups does not make them one."""

from __future__ import annotations

from typing import Any

from distillguard.models.clusters import ClusterLinker, LinkIndex
from distillguard.models.clusters.graph import ClusterGraph, cluster_id

from .test_clusters_linking import NOW0, THROTTLE, event, fleet_events, run

GROUP = 5  # BRIDGE_MIN
COURSE = [f"a{i}" for i in range(1, GROUP + 1)]
FLEET = [f"b{i}" for i in range(1, GROUP + 1)]
SEEN = {x: float(i) for i, x in enumerate([*COURSE, *FLEET, "c1", "c2"])}
SOFT = ("created", "prompt")
NET = ("net", "prompt")


def two_groups(g: ClusterGraph) -> None:
    """A course (a1-a5) and a fleet (b1-b5), each linked member to member."""
    for group in (COURSE, FLEET):
        for x, y in zip(group, group[1:], strict=False):
            g.link(x, y, 0.9, 10.0, SEEN, ("card", "net"))


def test_one_member_linked_to_another_group_does_not_merge_the_groups() -> None:
    """One fleet account signed up in the course's ten minutes and used one of its
    templates: linked to every attendee it met, it still joins no group to the other."""
    g = ClusterGraph(ttl=1000.0)
    two_groups(g)
    for attendee in COURSE:
        g.link(attendee, "b1", 0.65, 20.0, SEEN, SOFT)
    assert g.cluster_of("a1") == cluster_id("a1")
    assert g.cluster_of("b1") == g.cluster_of("b3") == cluster_id("b1")
    g.rebuild(30.0)
    assert g.cluster_of("a3") == cluster_id("a1") != g.cluster_of("b2")


def test_groups_linked_member_to_member_are_one_cluster() -> None:
    g = ClusterGraph(ttl=1000.0)
    two_groups(g)
    g.link("a1", "b1", 0.8, 20.0, SEEN, NET)
    assert g.cluster_of("a1") != g.cluster_of("b1")
    g.link("a2", "b2", 0.8, 21.0, SEEN, NET)
    assert g.cluster_of("a3") == g.cluster_of("b3") == cluster_id("a1")
    g.rebuild(30.0)
    assert g.members(cluster_id("a1")) == {*COURSE, *FLEET}


def test_sign_up_times_and_templates_alone_bridge_no_groups() -> None:
    """A course's attendees and a fleet's accounts signed up in the same hours and drew
    templates from one public pool: members of each meet members of the other on a
    sign-up time and a template, member to member, and that is still a coincidence. A
    network beside them is not."""
    g = ClusterGraph(ttl=1000.0)
    two_groups(g)
    for a, b in zip(COURSE, FLEET, strict=True):
        g.link(a, b, 0.65, 20.0, SEEN, SOFT)
    assert g.cluster_of("a1") == cluster_id("a1") != g.cluster_of("b1")
    g.rebuild(30.0)
    assert g.members(cluster_id("a1")) == set(COURSE)
    g.link("a4", "b4", 0.8, 31.0, SEEN, NET)
    assert g.cluster_of("a1") != g.cluster_of("b1")
    g.link("a5", "b5", 1.05, 32.0, SEEN, ("created", "net", "prompt"))
    assert g.cluster_of("a1") == g.cluster_of("b1")


def test_a_common_card_merges_groups_on_one_link() -> None:
    g = ClusterGraph(ttl=1000.0)
    two_groups(g)
    g.link("a3", "b3", 1.0, 20.0, SEEN, ("card", "prompt"))
    assert g.cluster_of("a1") == g.cluster_of("b1")
    g.rebuild(30.0)
    assert g.cluster_of("a1") == g.cluster_of("b1")


def test_accounts_and_small_groups_join_on_one_link() -> None:
    """A fleet grows one fresh account at a time, and its first few meet on one link."""
    g = ClusterGraph(ttl=1000.0)
    two_groups(g)
    g.link("c1", "b1", 0.65, 20.0, SEEN, SOFT)
    assert g.cluster_of("c1") == cluster_id("b1")
    g.link("c2", "a1", 0.65, 20.0, SEEN, SOFT)
    g.link("c2", "b1", 0.65, 21.0, SEEN, SOFT)  # c2 is in the course's cluster by now
    assert g.cluster_of("c2") == cluster_id("a1") != g.cluster_of("b1")
    h = ClusterGraph(ttl=1000.0)
    h.link("a1", "a2", 0.9, 10.0, SEEN, ("card",))
    h.link("b1", "b2", 0.9, 10.0, SEEN, ("card",))
    h.link("a2", "b2", 0.65, 20.0, SEEN, SOFT)
    assert h.cluster_of("b1") == cluster_id("a1")


def test_a_sign_up_time_and_a_template_attach_a_customer_only_loosely() -> None:
    """Hundreds of accounts sign up in any ten minutes of a large platform: a creation
    bucket and a template in common with one fleet member is a coincidence, as a network
    and a template are."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    first_seen = {"signup": now, "fleet-0": NOW0}
    linker.graph.link("signup", "fleet-0", 0.65, now, first_seen, SOFT)
    assert linker.peripheral("signup")
    (member,) = linker.evidence("fleet-3", {}, now)
    (signup,) = linker.evidence("signup", {}, now)
    assert signup.weight == round(member.weight / 2, 6)


def test_a_member_doing_other_work_than_the_cluster_gets_half_its_evidence() -> None:
    """Linked to the fleet by card and network, but its own requests are not the fleet's
    harvest of targeted capabilities: half the cluster's evidence and no failover,
    however soon after a block it appeared; a member on the harvest gets it all."""
    linker = ClusterLinker()
    fleet = fleet_events(12, 40)
    end = max(e["ts"] for e in fleet)
    own = [
        event(name, end + 5.0 + s, category=category, cot=False, ip="192.0.2.9")
        for name, category in (("writer", "creative"), ("coder", "coding"))
        for s in range(0, 120, 20)
    ]
    linker.observe_decision("fleet-0", THROTTLE, NOW0 + 600)
    now = run(linker, fleet + own)
    first_seen = {"writer": end, "coder": end, "fleet-0": NOW0, "fleet-1": NOW0}
    for name in ("writer", "coder"):
        for i in range(3):
            linker.graph.link(name, f"fleet-{i}", 1.0, now, first_seen, ("card", "net"))
    assert not linker.peripheral("writer") and not linker.peripheral("coder")
    (member,) = linker.evidence("fleet-3", {}, now)
    (writer,) = linker.evidence("writer", {}, now)
    coder = linker.evidence("coder", {}, now)
    assert writer.weight == round(member.weight / 2, 6)
    assert "not on the cluster's workload" in writer.detail
    assert coder[0].weight == member.weight
    assert [e.code for e in coder] == ["cluster.coordinated", "cluster.failover_join"]


def sign_ups(shared_net: bool) -> list[dict[str, Any]]:
    """Twenty accounts signed up in the same ten minutes of a busy day, each asking the
    same popular question on its own card and client, from its own network or, with
    ``shared_net``, from one /24."""
    out = []
    for i in range(20):
        for s in range(0, 600, 120):
            out.append(
                event(
                    f"new-{i}",
                    NOW0 + s + i,
                    ip=f"203.0.113.{10 + i}" if shared_net else f"198.{18 + i}.7.9",
                    asn=64500 + i,
                    ua=f"client-{i}/1.0",
                    template="00000000000000c7",
                    created_at=NOW0 - 300.0 - i,
                    verified=False,
                )
            )
    return out


def test_a_sign_up_time_corroborates_a_link_but_does_not_carry_one() -> None:
    """A shared ten minutes of sign-up and a popular question are the coincidence of a
    busy day, however new the accounts; a common network as well carries a link."""
    index = LinkIndex()
    assert not index.anchors("created:2966666", popular_members=16)
    apart, together = ClusterLinker(), ClusterLinker()
    run(apart, sign_ups(shared_net=False))
    run(together, sign_ups(shared_net=True))
    assert apart.links_made == 0
    assert all(apart.graph.cluster_of(f"new-{i}") is None for i in range(20))
    assert together.links_made > 0
    (cid,) = {together.graph.cluster_of(f"new-{i}") for i in range(20)}
    assert cid is not None
    links = together.graph.neighbours("new-0").values()
    assert links and {kinds for _, kinds, _ in links} == {("created", "net", "prompt")}
