"""One card links the accounts it pays for; rotating proxies behind it add the rotation."""

from __future__ import annotations

from typing import Any

from distillguard.models.clusters import ClusterLinker, linking_values
from distillguard.models.clusters.profile import Profile, merge_slice
from distillguard.models.clusters.values import profile_values
from distillguard.models.codec import event_record, event_records
from distillguard.models.features import fold_events
from distillguard.streams.worker.by_value import ProfileFeed
from distillguard.streams.worker.clustering import PairStage
from tests.unit.test_clusters_linking import DAY, NOW0, THROTTLE, event, run


def aged(account: int, request: int, *, card: str, hop: bool) -> dict[str, Any]:
    """An aged, verified account's ``request``-th request, ~2 minutes apart, on a template
    of its own: from a new network (its own /24 and ASN) each time when ``hop``, else
    always from its home network."""
    net = 10 * account + (request if hop else 0)
    return event(
        f"acct-{account}",
        NOW0 + request * 120.0 + account * 7.0,
        ip=f"198.51.{net}.9",
        asn=64600 + net,
        ua=f"client-{account}/1.0",
        template=f"00000000000000{account:x}{request % 2}",
        created_at=NOW0 - (100 + 30 * account) * DAY,
        card=card,
    )


def test_an_account_hops_networks_from_its_second_request_on() -> None:
    def profile(ips: list[str]) -> Profile:
        evs = [event("a", NOW0 + i * 60.0, ip=ip) for i, ip in enumerate(ips)]
        return merge_slice({}, fold_events(event_records(evs))["a"])

    assert not profile(["198.51.1.9"]).hops_networks()  # one request tells nothing
    assert profile(["198.51.1.9", "198.51.2.9"]).hops_networks()
    assert not profile(["198.51.1.9", "198.51.1.10", "198.51.2.9"]).hops_networks()
    hopping = profile([f"198.51.{i}.9" for i in range(6)])
    assert hopping.hops_networks()
    assert profile_values(hopping) == set()  # no card, nothing to key rotation by
    hopping.card = "card:123"
    assert profile_values(hopping) == {"hop:123"}


def test_accounts_on_one_card_hopping_networks_share_the_card_and_the_rotation() -> None:
    """Three aged accounts on one card, no template in common, each request from a new
    network: linked on the card from their first requests (one card names one payer),
    and they share the rotation behind it (``hop``) from their second."""
    linker = ClusterLinker()
    run(linker, [aged(a, r, card="card-x", hop=True) for a in range(3) for r in range(2)])
    cid = linker.graph.cluster_of("acct-0")
    assert cid is not None and len(linker.graph.members(cid)) == 3
    assert all("card" in k for _, k, _ in linker.graph.neighbours("acct-0").values())
    hops = [
        {v for v in linker.profiles[f"acct-{a}"].values if v.startswith("hop:")} for a in range(3)
    ]
    assert hops[0] == hops[1] == hops[2] and len(hops[0]) == 1


def test_colleagues_on_a_company_card_each_on_their_network_are_a_cluster_without_risk() -> None:
    """The twin: the same accounts and card, each from its own network every time, are
    linked by the card alone, and their cluster has no risk: nothing they do together.
    Accounts hopping networks on different cards share nothing."""
    linker = ClusterLinker()
    now = run(linker, [aged(a, r, card="card-x", hop=False) for a in range(3) for r in range(4)])
    cid = linker.graph.cluster_of("acct-0")
    assert cid is not None and len(linker.graph.members(cid)) == 3
    assert linker.cluster_risk(cid, now)[0].risk == 0.0
    assert linker.evidence("acct-0", {}, now) == []
    linker = ClusterLinker()
    run(linker, [aged(a, r, card=f"card-{a}", hop=True) for a in range(3) for r in range(4)])
    assert all(linker.graph.cluster_of(f"acct-{a}") is None for a in range(3))


def test_the_worker_adds_the_values_an_accounts_history_shows_as_replay_does() -> None:
    """``ProfileFeed.merge`` (the worker's merging agent) and the replay linker index the
    same values for an account: its slice's and its history's."""
    evs = [aged(0, r, card="card-x", hop=True) for r in range(3)]
    feed, linker = ProfileFeed(), ClusterLinker()
    for r, ev in enumerate(evs):
        slices = fold_events([event_record(ev)])
        values = {a: linking_values(piece) for a, piece in slices.items()}
        feed.merge(slices, values)
        linker.observe_slices(slices, ev["ts"] + 1.0)
        hop = {v for v in values["acct-0"] if v.startswith("hop:")}
        assert bool(hop) == (r >= 1)
        assert hop <= linker.profiles["acct-0"].values
    assert feed.profiles["acct-0"].hops_networks()


def test_an_account_roams_keeps_its_networks_or_has_not_shown_yet() -> None:
    def profile(ips: list[str]) -> Profile:
        evs = [event("a", NOW0 + i * 60.0, ip=ip) for i, ip in enumerate(ips)]
        return merge_slice({}, fold_events(event_records(evs))["a"])

    assert profile(["198.51.1.9"]).roams() is None
    assert profile(["198.51.1.9", "198.51.1.10", "198.51.1.11"]).roams() is None
    assert profile(["198.51.1.9"] * 4).roams() is False
    assert profile([f"198.51.{i}.9" for i in range(4)]).roams() is True
    # a proxy reused once early on: no longer hopping, nor keeping its networks
    assert profile(["198.51.1.9", "198.51.1.9", "198.51.2.9", "198.51.3.9"]).roams() is None


def passer_by(i: int, k: int, home: str) -> dict[str, Any]:
    """The ``k``-th request of a rotating fleet member on the fleet's template: each from
    another residential network, the fourth through the customer's ``home`` /24."""
    return event(
        f"slow-{i}",
        NOW0 + k * 90.0 + i * 11.0,
        ip=f"{home}.{30 + i}" if k == 3 else f"100.{40 + i}.{k}.9",
        asn=70000 + 100 * i + k,
        template="00000000000000b0",
        created_at=NOW0 - (90 + i) * DAY,
        verified=i % 2 == 0,
        card=f"slow-card-{i % 2}",
    )


def test_a_customer_whose_home_network_a_rotating_fleet_came_through_is_not_linked() -> None:
    """A residential proxy's exit is someone's home. Fleet members each came through a
    verified customer's /24 once, on the template the customer also uses (found to be the
    fleet's once its members are enforced): network and template are two kinds, yet the
    network is the customer's, not one the fleet shares with it. Fleet members that keep
    their networks (office proxies) link to each other by a shared one as before."""
    linker = ClusterLinker()
    home = "81.2.69"
    evs = [
        event("home", NOW0 + m * 45.0, ip=f"{home}.7", template="00000000000000b0", card="c-h")
        for m in range(60)
    ]
    evs += [passer_by(i, k, home) for i in range(6) for k in range(8)]
    now = run(linker, [e for e in evs if e["ts"] < NOW0 + 200.0])
    for i in range(6):
        linker.observe_decision(f"slow-{i}", THROTTLE, now)
    now = run(linker, [e for e in evs if e["ts"] >= NOW0 + 200.0])
    assert linker.graph.cluster_of("slow-0") is not None
    assert linker.graph.neighbours("home") == {}
    template = next(v for v in linker.index.values if v.startswith("prompt:"))
    assert linker.specificity(template, now) > 0.6  # strong enough with the network

    office = ClusterLinker()
    run(
        office,
        [
            event(f"o-{i}", NOW0 + m * 60.0 + i, ip=f"{home}.{i}", template="00000000000000c1")
            for i in range(3)
            for m in range(6)
        ],
    )
    assert office.graph.cluster_of("o-0") is not None


def test_one_card_alone_links_the_accounts_it_pays_for() -> None:
    """Nothing in common but the card: other networks, providers, templates, clients and
    sign-up days.
    In replay, and in the worker's pair stage from one card record."""
    evs = [
        event(
            account,
            NOW0 + i * 60.0,
            ip=f"198.51.{i}.9",
            asn=64700 + i,
            ua=f"client-{i}/1.0",
            template=f"00000000000000e{i}",
            created_at=NOW0 - (100 + 37 * i) * DAY,
            card="one-card",
        )
        for i, account in enumerate(("x", "y"))
    ]
    linker = ClusterLinker()
    run(linker, evs)
    assert linker.graph.cluster_of("x") == linker.graph.cluster_of("y") is not None
    assert linker.graph.neighbours("x")["y"][1] == ("card",)
    pairs = PairStage()
    changed = pairs.apply(
        {"a": "x", "b": "y", "ts": 10.0, "fa": 1.0, "fb": 2.0, "k": "card", "w": 0.6}
    )
    assert set(changed) == {"x", "y"}


def test_a_card_many_aged_accounts_share_links_them_no_longer_alone() -> None:
    """A company card paying for twenty aged, verified staff, each on its own network,
    template and client: once more than ``popular_members`` use it, the card counts less
    than the link threshold alone, and the links it made while fewer did are dropped at the
    staff's next relink. The same card behind twenty new accounts keeps them linked."""
    for created, linked in ((NOW0 - 300 * DAY, False), (NOW0 - 2 * DAY, True)):
        evs = [
            event(
                f"staff-{i}",
                NOW0 + i * 30.0,
                ip=f"198.51.{i}.9",
                asn=64800 + i,
                ua=f"client-{i}/1.0",
                template=f"0000000000000{i:03x}",
                created_at=created - i * 3600.0,
                card="company-card",
            )
            for i in range(20)
        ]
        # their next relink (``relink_seconds``), then the graph's next rebuild
        later = [
            {**e, "ts": e["ts"] + dt, "event_id": f"{e['event_id']}-{dt}"}
            for e in evs
            for dt in (1900.0, 3000.0)
        ]
        linker = ClusterLinker()
        run(linker, evs + later)
        clustered = {linker.graph.cluster_of(f"staff-{i}") for i in range(20)}
        if linked:
            assert len(clustered) == 1 and None not in clustered
        else:
            assert clustered == {None}
