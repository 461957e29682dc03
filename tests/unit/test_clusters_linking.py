"""Linking and clustering on hand-built traffic: fleets are found, popular values condemn no one."""

from __future__ import annotations

from typing import Any

import pytest

from distillguard.models.clusters import ClusterLinker, LinkIndex, LinkingConfig, linking_values
from distillguard.models.clusters.graph import ClusterGraph, cluster_id
from distillguard.models.codec import event_records
from distillguard.models.features import fold_events

DAY = 86400.0
NOW0 = 1_780_000_000.0
POPULAR_TEMPLATE = "00000000000000f1"  # a framework's default prompt
CLOUD_ASN = 16509
THROTTLE = {"mode": "enforce", "action": "throttle", "origin": "cluster"}


def event(account: str, ts: float, **over: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "event_id": f"{account}-{ts}",
        "ts": ts,
        "account_id": account,
        "api_key_id": f"k-{account}",
        "ip": over.pop("ip", "198.51.100.7"),
        "asn": over.pop("asn", CLOUD_ASN),
        "user_agent": over.pop("ua", "anthropic-python/0.40"),
        "endpoint": "/v1/messages",
        "model": "m",
        "status": over.pop("status", 200),
        "prompt_tokens": 200,
        "completion_tokens": over.pop("completion_tokens", 800),
        "prompt": {
            "template": over.pop("template", POPULAR_TEMPLATE),
            "category": over.pop("category", "coding"),
            "cot_request": over.pop("cot", True),
        },
        "account": {
            "created_at": over.pop("created_at", NOW0 - 400 * DAY),
            "verified": over.pop("verified", True),
            "payment_fingerprint": over.pop("card", f"card-{account}"),
        },
    }
    assert not over, over
    return ev


def fleet_events(n: int, minutes: int, start: float = NOW0) -> list[dict[str, Any]]:
    """``n`` new unverified accounts on two cards and one proxy /24, in synchronized waves."""
    out = []
    for i in range(n):
        for m in range(minutes):
            if (m // 5) % 2:  # five minutes on, five off, all together
                continue
            for s in (5.0, 25.0, 45.0):
                out.append(
                    event(
                        f"fleet-{i}",
                        start + m * 60 + s + i * 0.1,
                        ip=f"203.0.113.{10 + i % 200}",
                        asn=64512,
                        ua="python-httpx/0.27.2",
                        template=f"00000000000000a{i % 3}",
                        created_at=start - 3600.0 - i,
                        verified=False,
                        card=f"fleet-card-{i % 2}",
                    )
                )
    return out


def legit_events(n: int, minutes: int, start: float = NOW0) -> list[dict[str, Any]]:
    """``n`` unrelated aged customers on the popular template and the big cloud's ASN."""
    out = []
    for i in range(n):
        for m in range(i % 7, minutes, 3):
            out.append(
                event(
                    f"legit-{i}",
                    start + m * 60 + (i * 7) % 60,
                    ip=f"10.{i}.{i % 250}.{i % 200 + 1}",
                    created_at=start - (100 + 13 * i) * DAY,
                )
            )
    return out


def fresh_joiner(created: float, start: float, seconds: int) -> list[dict[str, Any]]:
    """A new, unverified account on the fleet's card, proxy and template (a failover
    replacement), one request every 5 s from ``start``."""
    return [
        event(
            "fresh",
            start + s,
            ip="203.0.113.99",
            asn=64512,
            ua="python-httpx/0.27.2",
            template="00000000000000a1",
            created_at=created,
            verified=False,
            card="fleet-card-1",
        )
        for s in range(0, seconds, 5)
    ]


def run(linker: ClusterLinker, events: list[dict[str, Any]], tick: float = 30.0) -> float:
    """Feed events to the linker in ``tick``-second slices, as the engine does."""
    events = sorted(events, key=lambda e: e["ts"])
    now = float(events[0]["ts"] // tick + 1) * tick
    batch: list[dict[str, Any]] = []
    for ev in events:
        while ev["ts"] >= now:
            linker.observe_slices(fold_events(event_records(batch)), now)
            batch = []
            now += tick
        batch.append(ev)
    linker.observe_slices(fold_events(event_records(batch)), now)
    return now


def test_linking_values_cover_every_kind_and_hash_the_card() -> None:
    values = linking_values(fold_events(event_records([event("a", NOW0)]))["a"])
    kinds = {v.split(":", 1)[0] for v in values}
    assert kinds == {"prompt", "net", "client", "card", "created"}
    assert not any("card-a" in v for v in values)


def test_index_caps_members_and_counts_popularity() -> None:
    idx = LinkIndex(cap=3, ttl=100.0)
    for i in range(10):
        idx.add("prompt:1", f"a{i}", float(i))
    assert list(idx.members("prompt:1")) == ["a7", "a8", "a9"]
    assert idx.popularity("prompt:1") == 10
    idx.add("prompt:1", "a8", 11.0)
    assert idx.recent("prompt:1", 1) == ["a8"]
    idx.expire(108.5)
    assert list(idx.members("prompt:1")) == ["a9", "a8"]


def test_fleet_is_one_cluster_with_risk_and_cluster_evidence() -> None:
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    cids = {linker.graph.cluster_of(f"fleet-{i}") for i in range(12)}
    assert len(cids) == 1
    (cid,) = cids
    assert cid is not None
    risk, _ = linker.cluster_risk(cid, now)
    codes = {code for code, _, _ in risk.reasons}
    assert {"cluster.synchronized", "cluster.new_accounts", "cluster.shared_payment"} <= codes
    found = linker.evidence("fleet-3", {}, now)
    assert found and found[0].source == "cluster" and found[0].cluster_id == cid
    assert found[0].weight >= 0.6


def test_legit_users_of_a_popular_template_on_a_big_cloud_are_not_a_fleet() -> None:
    linker = ClusterLinker()
    now = run(linker, legit_events(40, 60) + fleet_events(6, 60))
    for i in range(40):
        cid = linker.graph.cluster_of(f"legit-{i}")
        assert cid is None or not any(m.startswith("fleet") for m in linker.graph.members(cid))
        assert linker.evidence(f"legit-{i}", {}, now) == []
    assert linker.evidence("fleet-0", {}, now)


def fleet_on_the_popular_stack(n: int, minutes: int, *, aged: bool = False) -> list[dict[str, Any]]:
    """A fleet on the framework's template and the popular SDK on the big cloud, each
    account on its own address, two cards, in waves."""
    return [
        event(
            f"fleet-{i}",
            NOW0 + m * 60 + s + i * 0.1,
            ip=f"198.18.{i}.{1 + i % 200}",
            created_at=NOW0 - (300 * DAY if aged else 3600.0 + i),
            verified=aged,
            card=f"fleet-card-{i % 2}",
        )
        for i in range(n)
        for m in range(minutes)
        if not (m // 5) % 2
        for s in (5.0, 25.0, 45.0)
    ]


def test_a_fleet_on_the_popular_template_and_sdk_drags_no_user_of_them_in() -> None:
    """However many of a popular template's and SDK's users are a fleet's new accounts,
    and however many are enforced, sharing them names no common operator."""
    for aged in (False, True):
        linker = ClusterLinker()
        events = sorted(
            legit_events(40, 120) + fleet_on_the_popular_stack(40, 120, aged=aged),
            key=lambda e: e["ts"],
        )
        now = float(events[0]["ts"] // 30 + 1) * 30
        batch: list[dict[str, Any]] = []
        for ev in events + [event("end", events[-1]["ts"] + 60)]:
            while ev["ts"] >= now:
                linker.observe_slices(fold_events(event_records(batch)), now)
                batch = []
                if now >= NOW0 + 1800:  # the fleet is enforced after half an hour
                    for i in range(40):
                        linker.observe_decision(f"fleet-{i}", THROTTLE, now)
                dragged = [
                    i
                    for i in range(40)
                    if (cid := linker.graph.cluster_of(f"legit-{i}")) is not None
                    and any(m.startswith("fleet") for m in linker.graph.members(cid))
                ]
                assert not dragged, (aged, now - NOW0, dragged)
                now += 30
            batch.append(ev)


def test_a_fleet_sharing_several_popular_templates_is_still_linked() -> None:
    """One card and one address each, the popular SDK: a fleet whose only common ground is
    its own set of templates (each used by more accounts than a value stays rare for)."""
    linker = ClusterLinker()
    evs = [
        event(
            f"f-{i}",
            NOW0 + m * 60 + t * 10 + i * 0.1,
            ip=f"198.18.{i}.9",
            template=f"00000000000000b{t}",
            created_at=NOW0 - 3 * 3600.0 * (1 + i),  # no creation burst either
            verified=False,
        )
        for i in range(24)
        for m in range(30)
        for t in range(6)  # popular from the first minute
    ]
    now = run(linker, evs)
    prompts = [v for v in linker.index.values if v.startswith("prompt:")]
    assert len(prompts) == 6
    assert min(map(linker.index.popularity, prompts)) > linker.config.popular_members
    cids = {linker.graph.cluster_of(f"f-{i}") for i in range(24)}
    assert len(cids) == 1 and None not in cids
    assert linker.evidence("f-3", {}, now)


def test_enforced_users_of_a_value_count_like_new_ones() -> None:
    """A network shared by many aged, verified accounts counts little, until they are
    found to be a fleet: then it is the fleet's, and names its next member."""
    linker = ClusterLinker()
    run(linker, [event(f"a-{i}", NOW0 + i, ip="203.0.113.7") for i in range(20)])
    value = next(v for v in linker.index.values if v.startswith("net:"))
    assert linker.specificity(value, NOW0 + 60) == 0.4
    for i in range(10):
        linker.observe_decision(f"a-{i}", THROTTLE, NOW0 + 60)
    assert linker.specificity(value, NOW0 + 60 + linker.config.refresh_seconds) == 0.7


def test_an_account_hanging_on_a_fleet_by_one_network_and_template_gets_half_its_evidence() -> None:
    """A residential /24 one member once came through and a public format: a coincidence a
    rotating fleet makes with some customer every day, not membership."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    first_seen = {"bystander": now, "recruit": now, "fleet-0": NOW0}
    linker.graph.link("bystander", "fleet-0", 0.62, now, first_seen, ("net", "prompt"))
    linker.graph.link("recruit", "fleet-0", 1.0, now, first_seen, ("card", "net"))
    cid = linker.graph.cluster_of("fleet-0")
    assert linker.graph.cluster_of("bystander") == linker.graph.cluster_of("recruit") == cid
    (member,) = linker.evidence("fleet-3", {}, now)
    (bystander,) = linker.evidence("bystander", {}, now)
    (recruit,) = linker.evidence("recruit", {}, now)
    assert linker.peripheral("bystander") and not linker.peripheral("recruit")
    assert recruit.weight == member.weight > 0.6
    assert bystander.weight == round(member.weight / 2, 6)
    assert "network, sign-up time and software alone" in bystander.detail


def attach(
    linker: ClusterLinker,
    accounts: tuple[str, ...],
    members: int,
    kinds: tuple[str, ...],
    now: float,
    strength: float = 0.62,
) -> None:
    """Link each of ``accounts`` to the fleet's first ``members`` by ``kinds``."""
    first_seen = {f"fleet-{i}": NOW0 for i in range(members)} | {a: now for a in accounts}
    for account in accounts:
        for i in range(members):
            linker.graph.link(account, f"fleet-{i}", strength, now, first_seen, kinds)


def test_a_customer_two_fleet_members_came_near_is_still_peripheral() -> None:
    """Two members of a rotating fleet came through the customer's residential /24 and
    use its benchmark format: still coincidence. Linked so to three members, or by a card
    to one, it is a member."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    first_seen = {f"fleet-{i}": NOW0 for i in range(3)} | {"near": now, "linked": now}
    attach(linker, ("near", "linked"), 2, ("net", "prompt"), now, 0.64)
    assert linker.peripheral("near") and linker.peripheral("linked")
    linker.graph.link("linked", "fleet-2", 0.64, now, first_seen, ("net", "prompt"))
    assert not linker.peripheral("linked")
    linker.graph.link("carded", "fleet-2", 1.0, now, first_seen | {"carded": now}, ("card",))
    assert linker.peripheral("near") and not linker.peripheral("carded")


def test_an_account_sharing_software_and_questions_with_many_members_is_still_peripheral() -> None:
    """A class's shared account on campus is linked to the other class accounts, to
    hobbyists on the same ISP and browser and to fleet members that proxied through that
    ISP, all by a client stack and popular questions: however many such links, it shares
    software with them, not an operator. Three links on a network make it a member."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    attach(linker, ("class", "peer"), 4, ("client", "prompt"), now)
    assert linker.graph.cluster_of("class") == linker.graph.cluster_of("fleet-0")
    assert linker.peripheral("class") and linker.peripheral("peer")
    (member,) = linker.evidence("fleet-5", {}, now)
    (student,) = linker.evidence("class", {}, now)
    assert student.weight == round(member.weight / 2, 6)
    attach(linker, ("peer",), 2, ("client", "net", "prompt"), now, 0.7)
    assert linker.peripheral("peer")
    first_seen = {"peer": now, "fleet-2": NOW0}
    linker.graph.link("peer", "fleet-2", 0.7, now, first_seen, ("created", "prompt"))
    assert not linker.peripheral("peer") and linker.peripheral("class")


def test_sharing_alone_gives_no_risk() -> None:
    """Aged, verified customers who share a card and a network but act independently."""
    linker = ClusterLinker()
    evs = [
        event(f"team-{i}", NOW0 + m * 60 + i * 17, ip="192.0.2.5", card="company-card")
        for i in range(5)
        for m in range(i, 60, 4)
    ]
    now = run(linker, evs)
    cid = linker.graph.cluster_of("team-0")
    assert cid is not None and len(linker.graph.members(cid)) == 5
    assert linker.evidence("team-0", {}, now) == []


def test_failover_account_joins_the_cluster_and_carries_failover_evidence() -> None:
    linker = ClusterLinker()
    evs = fleet_events(5, 20)
    now = run(linker, evs)
    linker.observe_decision("fleet-0", {"mode": "enforce", "action": "throttle"}, now)
    now = run(linker, fresh_joiner(now, now + 60, 120))
    cid = linker.graph.cluster_of("fresh")
    assert cid is not None and cid == linker.graph.cluster_of("fleet-0")
    codes = {e.code for e in linker.evidence("fresh", {}, now)}
    assert "cluster.failover_join" in codes


def test_a_join_after_a_member_was_only_degraded_is_no_failover() -> None:
    """A degraded account keeps working (a lesser model) and is not replaced: a colleague
    who joins after a member was degraded, perhaps by mistake, carries no failover
    evidence; once a member is throttled, the next joiner does."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(5, 20))
    linker.observe_decision("fleet-0", {"mode": "enforce", "action": "degrade"}, now)
    later = run(linker, fresh_joiner(now, now + 60, 120))
    assert linker.graph.cluster_of("fresh") == linker.graph.cluster_of("fleet-0")
    assert "cluster.failover_join" not in {e.code for e in linker.evidence("fresh", {}, later)}
    assert "fleet-0" in linker.enforced  # still enforced against for everything else
    linker.observe_decision("fleet-1", {"mode": "enforce", "action": "throttle"}, now)
    assert "cluster.failover_join" in {e.code for e in linker.evidence("fresh", {}, later)}


def test_a_customer_hanging_on_a_fleet_by_network_and_software_is_no_failover() -> None:
    """A replacement comes with the fleet's card, templates and proxies. A customer whose
    day starts right after a member was throttled, linked to one member by its ISP's
    network and a popular SDK, is a peripheral member, not a failover; one linked by the
    fleet's card at the same moment is."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(5, 20))
    linker.observe_decision("fleet-0", THROTTLE, now)
    later = run(
        linker,
        [
            event(
                a,
                now + 60 + s,
                ip=f"192.0.{i}.2",
                asn=64700 + i,
                ua=f"tool-{i}/1.0",
                template=f"00000000000000c{i}",
                created_at=NOW0 - (300 + 50 * i) * DAY,
            )
            for i, a in enumerate(("customer", "recruit"))
            for s in range(0, 120, 20)
        ],
    )
    first_seen = {"customer": now + 60, "recruit": now + 60, "fleet-1": NOW0}
    linker.graph.link("customer", "fleet-1", 0.64, later, first_seen, ("client", "net"))
    linker.graph.link("recruit", "fleet-1", 0.85, later, first_seen, ("card", "net"))
    linker.invalidate_risk(linker.graph.cluster_of("fleet-1") or "")
    assert linker.graph.cluster_of("customer") == linker.graph.cluster_of("recruit")
    assert linker.peripheral("customer") and not linker.peripheral("recruit")
    assert "cluster.failover_join" not in {e.code for e in linker.evidence("customer", {}, later)}
    assert "cluster.failover_join" in {e.code for e in linker.evidence("recruit", {}, later)}


def refused_tail(account_id: str, start: float, n: int) -> list[dict[str, Any]]:
    """``n`` more requests of a fleet member, every 5 s from ``start``, each answered 403:
    the platform blocked it (another defence than ours)."""
    return [
        event(
            account_id,
            start + 5 * k,
            ip="203.0.113.10",
            asn=64512,
            ua="python-httpx/0.27.2",
            template="00000000000000a0",
            created_at=NOW0 - 3600.0,
            verified=False,
            card="fleet-card-0",
            status=403,
            completion_tokens=0,
        )
        for k in range(n)
    ]


def test_a_join_after_the_platform_blocked_a_member_is_failover() -> None:
    """Replacing an account the platform refuses (403s in a row, no decision of ours) is
    failover as much as replacing one we throttled; a refusal or two among answered
    requests (a model the plan does not include) is no block."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(5, 20))
    run(linker, refused_tail("fleet-0", now + 1, 2))
    assert linker.profiles["fleet-0"].refused_at is None
    now = run(linker, refused_tail("fleet-0", now + 31, 4))
    assert linker.profiles["fleet-0"].refused_at is not None
    assert not linker.blocked  # no decision of ours
    later = run(linker, fresh_joiner(now, now + 60, 120))
    assert linker.graph.cluster_of("fresh") == linker.graph.cluster_of("fleet-0")
    assert "cluster.failover_join" in {e.code for e in linker.evidence("fresh", {}, later)}


@pytest.mark.parametrize("tick", [5.0, 30.0, 120.0])
def test_refusals_in_a_row_count_whatever_the_slices(tick: float) -> None:
    """A block falls inside a slice as often as not: the member's last answered requests
    and its first refusals are folded together. Three refusals in a row are a block
    however the requests were sliced (5-s ticks in the worker, 30 s in ``replay``)."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(5, 20))
    start = now + tick - 15.0  # served twice, then refused: across a slice boundary or not
    served = [dict(e, status=200, completion_tokens=400) for e in refused_tail("fleet-0", start, 2)]
    refused = refused_tail("fleet-0", start + 10.0, 3)
    run(linker, served + refused, tick)
    assert linker.profiles["fleet-0"].refused_at == refused[-1]["ts"]


def test_a_few_refusals_among_answered_requests_are_no_block() -> None:
    linker = ClusterLinker()
    now = run(linker, fleet_events(5, 20))
    mixed = refused_tail("fleet-0", now + 1, 6)
    for e in mixed[1::2]:
        e["status"], e["completion_tokens"] = 200, 400
    now = run(linker, mixed)
    assert linker.profiles["fleet-0"].refused_at is None
    later = run(linker, fresh_joiner(now, now + 60, 120))
    assert "cluster.failover_join" not in {e.code for e in linker.evidence("fresh", {}, later)}


def test_members_stopped_on_their_own_evidence_raise_the_clusters_risk() -> None:
    """Members throttled by decisions their own evidence led say what the cluster is, and
    its other members carry it; decisions the cluster's evidence led do not count (they
    would feed back into themselves), nor does a degrade."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(6, 20))
    cid = linker.graph.cluster_of("fleet-5")
    assert cid is not None
    before = linker.cluster_risk(cid, now)[0]
    for i in range(3):
        linker.observe_decision(
            f"fleet-{i}", {"mode": "enforce", "action": "throttle", "origin": "cluster"}, now
        )
    linker.observe_decision(
        "fleet-3", {"mode": "enforce", "action": "degrade", "origin": "rule"}, now
    )
    same = linker.cluster_risk(cid, now)[0]
    assert "cluster.members_stopped" not in {c for c, _, _ in same.reasons}
    assert same.risk == before.risk
    for i in range(3):
        linker.observe_decision(
            f"fleet-{i}", {"mode": "enforce", "action": "throttle", "origin": "rule"}, now
        )
    after = linker.cluster_risk(cid, now)[0]
    assert "cluster.members_stopped" in {c for c, _, _ in after.reasons}
    assert after.risk > before.risk


def test_stopped_members_alone_are_no_coordination() -> None:
    """Without a factor about acting together, members stopped on their own evidence and
    a shared card make no risk: colleagues each judged on their own stay each judged."""
    from distillguard.models.clusters.coordination import assess
    from distillguard.models.clusters.profile import Profile

    minute = int(NOW0 // 60)
    team = [
        Profile(
            f"t{i}",
            NOW0 - 600.0,
            NOW0,
            created_at=NOW0 - 400 * DAY,
            verified=True,
            card="card:1",
            minutes={minute - k: [2.0, 900.0, 1.0, 2.0, 2.0] for k in range(5)},
        )
        for i in range(5)
    ]
    r = assess(team, NOW0, failover_joins=0, infra_share=1.0, stopped_share=1.0)
    assert r.risk == 0.0


def test_cluster_id_is_the_earliest_member_and_survives_joins_and_merges() -> None:
    g = ClusterGraph(ttl=1000.0)
    seen = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}
    g.link("c", "d", 0.7, 10.0, seen)
    assert g.cluster_of("d") == cluster_id("c")
    g.link("a", "b", 0.7, 11.0, seen)
    g.link("b", "c", 0.7, 12.0, seen)
    assert {g.cluster_of(x) for x in "abcd"} == {cluster_id("a")}
    assert g.members(cluster_id("a")) == set("abcd")
    assert g.members(cluster_id("c")) == set()


def test_links_decay_and_clusters_split() -> None:
    g = ClusterGraph(ttl=100.0)
    seen = {"a": 1.0, "b": 2.0, "c": 3.0}
    g.link("a", "b", 0.7, 10.0, seen)
    g.link("b", "c", 0.7, 150.0, seen)
    g.rebuild(200.0)
    assert g.cluster_of("a") is None
    assert g.cluster_of("c") == cluster_id("b")


def test_linker_is_deterministic() -> None:
    evs = fleet_events(8, 20) + legit_events(10, 20)
    a, b = ClusterLinker(), ClusterLinker()
    now_a, now_b = run(a, evs), run(b, list(reversed(evs)))
    assert now_a == now_b
    assert a.graph.edges == b.graph.edges
    assert a.evidence("fleet-1", {}, now_a) == b.evidence("fleet-1", {}, now_b)


def test_cluster_view_lists_members_links_and_reasons() -> None:
    from distillguard.models.clusters.view import cluster_view

    linker = ClusterLinker()
    now = run(linker, fleet_events(6, 30))
    cid = linker.graph.cluster_of("fleet-0")
    assert cid is not None
    view = cluster_view(linker, cid, now)
    assert view is not None
    assert [m["account_id"] for m in view["members"]] == sorted(f"fleet-{i}" for i in range(6))
    assert view["links"] and all(len(link["kinds"]) >= 2 for link in view["links"])
    assert view["risk"] > 0 and view["reasons"]
    assert cluster_view(linker, "cl-unknown", now) is None


def slow_fleet_events(
    n: int, minutes: int, start: float = NOW0, pool: int = 0
) -> list[dict[str, Any]]:
    """``n`` aged, mostly verified accounts at a trickle, each request through another
    residential network (its own ASN), two cards, a handful of campaign templates; with a
    ``pool``, each account goes round its own ``pool`` proxies (never one twice in a row)."""
    out = []
    for i in range(n):
        for k, m in enumerate(range(i % 3, minutes, 2)):
            j = (3 * k) % pool if pool else k
            out.append(
                event(
                    f"slow-{i}",
                    start + m * 60 + 7 * i,
                    ip=f"100.{(17 * i + 31 * j) % 200 + 20}.{(13 * j + i) % 250}.9",
                    asn=70000 + (i * 97 + j * 13) % 5000,
                    template=f"00000000000000b{(i + k) % 4}",
                    created_at=start - (60 + 20 * i) * DAY,
                    verified=i % 3 != 0,
                    card=f"slow-card-{i % 2}",
                )
            )
    return out


def test_a_slow_fleet_on_rotating_networks_is_found_and_held() -> None:
    """Aged accounts each under any volume threshold: linked by card and template as soon
    as they share one (not at the next full relink), judged by hopping networks."""
    linker = ClusterLinker()
    now = run(linker, slow_fleet_events(12, 24))
    for card in (0, 1):  # one cluster per card: nothing but templates links the two
        cids = {linker.graph.cluster_of(f"slow-{i}") for i in range(card, 12, 2)}
        assert len(cids) == 1 and None not in cids
    cid = linker.graph.cluster_of("slow-1")
    assert cid is not None
    risk, _ = linker.cluster_risk(cid, now)
    assert "cluster.rotating_networks" in {code for code, _, _ in risk.reasons}
    assert linker.holds("slow-1")  # verified, aged and quiet, still scored
    found = linker.evidence("slow-1", {}, now)
    assert found and found[0].weight >= 0.6


def test_a_slow_fleet_on_a_small_pool_of_proxies_stays_held() -> None:
    """Three hours through ten proxies each: every member is back on used networks after
    a few requests, yet still changes network at every request, and stays held."""
    linker = ClusterLinker()
    now = run(linker, slow_fleet_events(12, 180, pool=10))
    cid = linker.graph.cluster_of("slow-1")
    assert cid is not None
    risk, _ = linker.cluster_risk(cid, now)
    assert risk.stats["network_churn"] >= 0.9
    assert "cluster.rotating_networks" in {code for code, _, _ in risk.reasons}
    assert linker.holds("slow-1")
    assert linker.evidence("slow-1", {}, now)[0].weight >= 0.6


def test_a_team_working_from_a_few_networks_is_not_rotating() -> None:
    """Colleagues on one card and the same templates, at the office or at home."""
    linker = ClusterLinker()
    evs = [
        event(
            f"team-{i}",
            NOW0 + m * 60 + i * 11,
            ip=("192.0.2.5", f"198.18.{i}.7", "198.51.100.40")[m % 3],
            asn=(64496, 64600 + i, 64497)[m % 3],
            template=f"00000000000000c{m % 4}",
            card="company-card",
        )
        for i in range(6)
        for m in range(i % 2, 40, 2)
    ]
    now = run(linker, evs)
    cid = linker.graph.cluster_of("team-0")
    assert cid is not None and len(linker.graph.members(cid)) == 6
    risk, _ = linker.cluster_risk(cid, now)
    assert risk.stats["rotating_share"] == 0.0
    assert linker.evidence("team-0", {}, now) == []


def test_cluster_risk_follows_joins_and_enforcement_without_waiting_for_refresh() -> None:
    linker = ClusterLinker(LinkingConfig(maintenance_seconds=3600.0))  # no cache clearing
    now = run(linker, fleet_events(5, 20))
    cid = linker.graph.cluster_of("fleet-0")
    assert cid is not None
    before, _ = linker.cluster_risk(cid, now)
    fresh = fresh_joiner(now, now + 1, 20)
    linker.observe_decision("fleet-0", {"mode": "enforce", "action": "throttle"}, now)
    now = run(linker, fresh)  # one tick later: well within the risk cache's refresh time
    assert linker.graph.cluster_of("fresh") == cid
    after, enforced = linker.cluster_risk(cid, now)
    assert enforced and after.computed_at == now != before.computed_at
    assert "cluster.failover" in {code for code, _, _ in after.reasons}
    assert "cluster.failover_join" in {e.code for e in linker.evidence("fresh", {}, now)}


def test_quiet_members_of_a_cluster_whose_risk_rose_are_offered_for_scoring_once() -> None:
    linker = ClusterLinker()
    now = run(linker, slow_fleet_events(12, 24))
    cid = linker.graph.cluster_of("slow-1")
    assert cid is not None
    linker.cluster_risk(cid, now)
    members = sorted(linker.graph.members(cid))
    linker.observe_decision(members[0], {"mode": "enforce", "action": "degrade"}, now)
    linker.cluster_risk(cid, now)  # recomputed after the enforcement
    due = linker.due(now)
    assert members[0] not in due and set(members[1:]) <= set(due)
    assert linker.due(now) == []  # offered once per rise
    team = [  # aged customers sharing a card and a network, each at its own pace
        event(f"team-{i}", NOW0 + m * 60 + i * 17, ip="192.0.2.5", card="company-card")
        for i in range(5)
        for m in range(i, 60, 4)
    ]
    other = ClusterLinker()
    other_now = run(other, team)
    team_cid = other.graph.cluster_of("team-0")
    assert team_cid is not None
    other.cluster_risk(team_cid, other_now)
    assert other.due(other_now) == []


def test_links_to_bystanders_do_not_make_a_member() -> None:
    """A student account on campus is linked by the campus network and popular questions
    to three developers who work there, each hanging on a fleet by one such link of their
    own (a member proxied through campus): bystanders of the fleet, which holds none of
    them. Three such links to members the fleet holds make it a member."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    seen = {f"fleet-{i}": NOW0 for i in range(3)} | {"campus": now}
    for i in range(3):
        seen[f"dev-{i}"] = now
        linker.graph.link(f"dev-{i}", f"fleet-{i}", 0.62, now, seen, ("net", "prompt"))
        linker.graph.link("campus", f"dev-{i}", 0.62, now, seen, ("net", "prompt"))
    assert linker.graph.cluster_of("campus") == linker.graph.cluster_of("fleet-0")
    assert linker.peripheral("campus")
    attach(linker, ("campus",), 3, ("net", "prompt"), now)
    assert not linker.peripheral("campus")
