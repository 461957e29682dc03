"""An account that shares nothing with an enforced fleet but its templates, harvesting
with them behind rotating proxies, is linked to the fleet: in replay and in the worker's
stages alike. Its twins are not: a customer on its home network, an account on one of
the templates, and users of a template customers in good standing share."""

from __future__ import annotations

from typing import Any

import pytest

from distillguard.models.clusters import ClusterGraph, ClusterLinker, LinkIndex, linking_values
from distillguard.models.clusters.links import FLEET_KIND
from distillguard.models.codec import event_records
from distillguard.models.features import fold_events
from distillguard.streams.worker.by_value import ProfileFeed, ValueStage, value_records
from distillguard.streams.worker.clustering import PairStage
from tests.unit.test_clusters_linking import DAY, NOW0, event, run

DEGRADE = {"mode": "enforce", "action": "degrade", "origin": "cluster"}
FLEET = [f"slow-{i}" for i in range(4)]
#: the fleet's own templates
TEMPLATES = [f"00000000000000c{k}" for k in range(4)]
HOMES = {"lone": 90, "home": 91, "one": 92}


def member(i: int, k: int) -> dict[str, Any]:
    """The ``k``-th request of an aged fleet account on the fleet's card, each from
    another residential network, on the fleet's templates in turn."""
    return event(
        f"slow-{i}",
        NOW0 + k * 90.0 + i * 11.0,
        ip=f"100.{40 + i}.{k}.9",
        asn=70000 + 100 * i + k,
        template=TEMPLATES[(i + k) % 4],
        created_at=NOW0 - (90 + i) * DAY,
        card="slow-card",
    )


def later(account: str, k: int, *, templates: list[str], hop: bool) -> dict[str, Any]:
    """The ``k``-th request, after the fleet was enforced, of an aged account on its own
    card: from another network each time when ``hop``, else from its home network."""
    net = k if hop else 0
    home = HOMES[account]
    return event(
        account,
        NOW0 + 1200.0 + k * 90.0,
        ip=f"100.{home}.{net}.9",
        asn=71000 + 100 * home + net,
        template=templates[k % len(templates)],
        created_at=NOW0 - 200 * DAY,
        card=f"card-{account}",
    )


def enforced_fleet() -> tuple[ClusterLinker, str]:
    linker = ClusterLinker()
    now = run(linker, [member(i, k) for i in range(4) for k in range(6)])
    cid = linker.graph.cluster_of("slow-0")
    assert cid is not None and linker.graph.members(cid) == set(FLEET)
    for a in FLEET:
        linker.observe_decision(a, DEGRADE, now)
    return linker, cid


def test_an_account_on_two_templates_of_an_enforced_fleet_behind_proxies_joins_it() -> None:
    linker, cid = enforced_fleet()
    run(linker, [later("lone", k, templates=TEMPLATES[:2], hop=True) for k in range(3)])
    assert linker.graph.cluster_of("lone") == cid
    assert {kinds for _, kinds, _ in linker.graph.neighbours("lone").values()} == {(FLEET_KIND,)}
    assert not linker.peripheral("lone")  # its link is the fleet's tooling, not a coincidence
    (piece,) = linker.evidence("lone", {}, NOW0 + 1500.0)
    assert piece.code == "cluster.coordinated" and piece.cluster_id == cid
    assert piece.weight >= 0.9 * linker.cluster_risk(cid, NOW0 + 1500.0)[0].risk - 1e-9


def test_its_twins_do_not_join() -> None:
    """From its home network on the same templates; hopping proxies on one of them (and
    templates of its own); the same before any member was enforced against."""
    linker, _ = enforced_fleet()
    run(
        linker,
        [later("home", k, templates=TEMPLATES[:2], hop=False) for k in range(6)]
        + [
            later("one", k, templates=[TEMPLATES[0], "00000000000000d1"], hop=True)
            for k in range(6)
        ],
    )
    assert linker.graph.cluster_of("home") is None and linker.graph.cluster_of("one") is None
    quiet = ClusterLinker()
    run(quiet, [member(i, k) for i in range(4) for k in range(6)])
    run(quiet, [later("lone", k, templates=TEMPLATES[:2], hop=True) for k in range(3)])
    assert quiet.graph.cluster_of("lone") is None


def test_a_template_customers_in_good_standing_share_is_no_fleets() -> None:
    index = LinkIndex()
    for a, t in (("f1", 1.0), ("f2", 2.0), ("c1", 3.0), ("c2", 4.0), ("c3", 5.0), ("me", 6.0)):
        index.add("prompt:7", a, t)
    enforced = {"f1", "f2"}
    assert index.fleet_members("prompt:7", "me", 16, 32, enforced) == []  # 2 of 5
    assert sorted(index.fleet_members("prompt:7", "me", 16, 32, enforced | {"c1"})) == [
        "c1",
        "f1",
        "f2",
    ]
    assert index.fleet_members("prompt:7", "me", 4, 32, enforced | {"c1"}) == []  # popular
    assert index.fleet_members("net:7", "me", 16, 32, set(index.members("prompt:7"))) == []


def _stages() -> tuple[ValueStage, PairStage, str]:
    """The worker's by-value and pair stages with the fleet already one cluster."""
    graph = ClusterGraph()
    for a in FLEET[1:]:
        graph.link("slow-0", a, 0.85, NOW0, {"slow-0": NOW0, a: NOW0}, ("card", "hop"))
    cid = graph.cluster_of("slow-0")
    assert cid is not None
    return ValueStage(), PairStage(graph=graph), cid


def _feed(
    values: ValueStage,
    pairs: PairStage,
    events: list[dict[str, Any]],
    *,
    enforced: set[str],
    proxies: set[str],
) -> None:
    slices = fold_events(event_records(events))
    mine = {a: {v for v in linking_values(s) if v.startswith("prompt:")} for a, s in slices.items()}
    for value, rows in value_records(slices, mine, enforced, None, proxies).items():
        for record in values.apply(value, rows):
            pairs.apply(record)


def test_the_worker_stages_link_it_as_replay_does_in_either_order() -> None:
    """The lone account's templates reach the by-value stage after the fleet was enforced,
    or before it: its members' values sent again flagged (as after any enforcement) make
    fleet templates of them then."""
    for first_fleet in (True, False):
        values, pairs, cid = _stages()
        fleet = [member(i, k) for i in range(4) for k in range(6)]
        lone = [later("lone", k, templates=TEMPLATES[:2], hop=True) for k in range(3)]
        if first_fleet:
            _feed(values, pairs, fleet, enforced=set(FLEET), proxies=set(FLEET))
            _feed(values, pairs, lone, enforced=set(), proxies={"lone"})
        else:
            _feed(values, pairs, fleet, enforced=set(), proxies=set(FLEET))
            _feed(values, pairs, lone, enforced=set(), proxies={"lone"})
            assert pairs.graph.cluster_of("lone") is None
            _feed(values, pairs, fleet, enforced=set(FLEET), proxies=set(FLEET))
        assert pairs.graph.cluster_of("lone") == cid
        assert pairs.announced.get("lone") == cid


def test_the_worker_stages_leave_its_twins_alone() -> None:
    values, pairs, _ = _stages()
    _feed(
        values,
        pairs,
        [member(i, k) for i in range(4) for k in range(6)],
        enforced=set(FLEET),
        proxies=set(FLEET),
    )
    _feed(
        values,
        pairs,
        [later("home", k, templates=TEMPLATES[:2], hop=False) for k in range(6)]
        + [
            later("one", k, templates=[TEMPLATES[0], "00000000000000d1"], hop=True)
            for k in range(6)
        ],
        enforced=set(),
        proxies={"one"},
    )
    assert pairs.graph.cluster_of("home") is None and pairs.graph.cluster_of("one") is None


def _top_tier(events: list[dict[str, Any]], tier: str = "enterprise") -> list[dict[str, Any]]:
    for ev in events:
        ev["account"]["tier"] = tier
    return events


@pytest.mark.parametrize("tier", ["enterprise", "tier5"])
def test_an_enterprise_customer_on_two_of_its_templates_stays_out(tier: str) -> None:
    """An LLM gateway on an enterprise contract leaves through a few clouds, another
    network at nearly every request, and its customers use some fleet's templates; a
    top-tier app whose key ships in a phone app comes from its users' thousands of
    addresses: the templates alone tie neither to a fleet, in replay and in the worker. A
    young account is no established customer yet and is linked as any other."""
    linker, _ = enforced_fleet()
    run(
        linker,
        _top_tier([later("lone", k, templates=TEMPLATES[:2], hop=True) for k in range(3)], tier),
    )
    assert linker.graph.cluster_of("lone") is None

    young = [later("lone", k, templates=TEMPLATES[:2], hop=True) for k in range(3)]
    for ev in _top_tier(young, tier):
        ev["account"]["created_at"] = NOW0 - 3 * DAY
    linker, cid = enforced_fleet()
    run(linker, young)
    assert linker.graph.cluster_of("lone") == cid

    feed = ProfileFeed()
    slices = fold_events(
        event_records(
            _top_tier([later("lone", k, templates=TEMPLATES[:2], hop=True) for k in range(3)], tier)
            + [later("one", k, templates=TEMPLATES[:2], hop=True) for k in range(3)]
        )
    )
    feed.merge(slices, {a: set() for a in slices})
    assert feed.proxies == {"one"}
