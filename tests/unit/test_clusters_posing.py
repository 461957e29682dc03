"""One card behind several organisations' accounts, and the reseller it must not condemn."""

from __future__ import annotations

from distillguard.models.clusters import ClusterLinker
from distillguard.models.clusters.coordination import ClusterRisk, posing_share
from distillguard.models.clusters.linker import SMALL, off_work
from distillguard.models.clusters.profile import COT, ELICITING, KNOWN, OWN_WORK_REQUESTS, Profile
from tests.unit.test_clusters_linking import fleet_events, run
from tests.unit.test_clusters_payers import NOW, member, risk_of


def _account(
    name: str, *, card: str, org: str | None, cot: float, focus: float, pace: float = 3.0
) -> Profile:
    """An aged, verified account active for the last 30 minutes at a person's pace on its
    own network (one change in 40 repeat requests), ``focus`` of its requests on the
    targeted capabilities and ``cot`` of them eliciting reasoning."""
    p = member(name, card=card, org=org, new=False, pace=pace, cot=cot, focus=focus, minutes=30)
    p.repeats, p.changes, p.networks = 40.0, 1.0, 2
    return p


def _fleet(cards: int = 4, per_card: int = 6) -> list[Profile]:
    """Aged, verified accounts, each naming its own organisation (or none), on a few cards
    bought for them; 40% product-like filler, the rest reasoning harvested."""
    return [
        _account(
            f"f{c}-{i}",
            card=f"fleet-card-{c}",
            org=None if i % 4 == 3 else f"org-f{c}-{i}",
            cot=0.55,
            focus=0.58,
        )
        for c in range(cards)
        for i in range(per_card)
    ]


def _reseller(clients: int = 24) -> list[Profile]:
    """A reseller's clients on the reseller's card, each in its own organisation (or none),
    doing their products' work: copy, support replies, listings."""
    return [
        _account(
            f"r{i}",
            card="reseller-card",
            org=None if i % 3 == 2 else f"org-r{i}",
            cot=0.0,
            focus=0.1,
            pace=1.5,
        )
        for i in range(clients)
    ]


def _codes(r: ClusterRisk) -> set[str]:
    return {code for code, _, _ in r.reasons}


def test_a_card_behind_several_organisations_on_a_harvest_is_coordination() -> None:
    """Aged, verified, each at a person's pace on its own network, not synchronized and
    diluted with filler: nothing those accounts do together shows, but each of the few
    cards pays for accounts of several organisations while they harvest reasoning."""
    r = risk_of(*_fleet())
    assert r.stats["posing_share"] == 1.0
    assert "cluster.posing_organisations" in _codes(r)
    assert r.risk * 0.9 >= 0.6, r  # as cluster evidence alone: at least degrade


def test_the_same_accounts_on_company_cards_are_no_fleet() -> None:
    """The same work, but each card pays for one organisation's accounts (company cards):
    several customers sharing software and a format, which condemns nobody."""
    teams = [
        _account(f"t{c}-{i}", card=f"company-{c}", org=f"org-{c}", cot=0.55, focus=0.58)
        for c in range(4)
        for i in range(6)
    ]
    r = risk_of(*teams)
    assert r.stats["posing_share"] == 0.0
    assert r.risk == 0.0, r


def test_a_resellers_clients_on_its_card_are_no_fleet() -> None:
    """One card pays for two dozen accounts of different organisations: a reseller paying
    for its clients, whose own work elicits no reasoning."""
    r = risk_of(*_reseller())
    assert r.stats["posing_share"] == 0.0
    assert r.risk == 0.0, r


def test_an_agencys_clients_a_few_of_them_tutoring_are_no_fleet() -> None:
    """An agency pays for its clients' accounts, each in its own organisation. A few of
    the clients run tutoring products that ask for reasoning in most requests, enough to
    bring the card's pooled requests to a reasoning-eliciting share; the rest do their
    own products' work. A payer posing as customers harvests on most of its accounts."""

    def client(i: int, cot: float) -> Profile:
        return _account(f"c{i}", card="agency-card", org=f"org-c{i}", cot=cot, focus=0.5)

    clients = [client(i, 0.8 if i < 4 else 0.0) for i in range(13)]
    pooled = [sum(p.totals(NOW)[k] for p in clients) for k in (COT, KNOWN)]
    assert pooled[0] >= ELICITING * pooled[1]  # pooled, the card's work elicits reasoning
    assert posing_share([(p, p.totals(NOW)) for p in clients], 3) == 0.0
    assert "cluster.posing_organisations" not in _codes(risk_of(*clients))
    posing = [client(i, 0.8 if i < 7 else 0.0) for i in range(13)]
    assert posing_share([(p, p.totals(NOW)) for p in posing], 3) == 1.0
    # a slow fleet's members ask a question or two each, too few to tell their own work
    slow = [
        _account(f"s{i}", card="agency-card", org=f"org-s{i}", cot=0.0, focus=0.5, pace=0.05)
        for i in range(9)
    ]
    assert all(p.totals(NOW)[KNOWN] < OWN_WORK_REQUESTS for p in slow)
    fleet = clients[:4] + slow
    assert posing_share([(p, p.totals(NOW)) for p in fleet], 3) == 1.0


def test_a_fleet_merged_with_the_reseller_it_hides_behind() -> None:
    """A fleet on the reseller's cloud and client library, its filler on the clients'
    product templates, links to the clients. Its cards still pay for several
    organisations' accounts on a harvest; the reseller's card does not count, and
    while the fleet is the smaller part the factor stays out."""
    clients, fleet = _reseller(), _fleet(cards=2, per_card=6)
    active = [(p, p.totals(NOW)) for p in clients + fleet]
    assert posing_share(active, 3) == len(fleet) / len(active)
    assert "cluster.posing_organisations" not in _codes(risk_of(*clients, *fleet))


def test_a_client_doing_its_own_work_gets_a_peripheral_share_of_the_evidence() -> None:
    """A member is off its cluster's work when it does not do what the cluster does: in a
    cluster focused on the targeted capabilities, it rarely asks for them; in a cluster
    less focused whose workload elicits reasoning (a fleet diluting its harvest with
    filler), it does not ask for reasoning, whatever its capability (a reseller's
    code-review client). A fleet's account is on the work, and so is a member too quiet
    to tell."""
    diluted = ClusterRisk(0.8, stats={"capability_share": 0.4, "cot_share": 0.34})
    client = _reseller(1)[0]
    code_review = _account("cr", card="reseller-card", org="o", cot=0.0, focus=1.0)
    assert off_work(client, diluted, NOW)
    assert off_work(code_review, diluted, NOW)
    assert not off_work(_fleet(1, 1)[0], diluted, NOW)
    quiet = _account("q", card="reseller-card", org="o", cot=0.0, focus=0.1, pace=0.05)
    assert quiet.totals(NOW)[4] < OWN_WORK_REQUESTS
    assert not off_work(quiet, diluted, NOW)
    calm = ClusterRisk(0.8, stats={"capability_share": 0.4, "cot_share": 0.1})
    assert not off_work(client, calm, NOW)  # the cluster itself elicits no reasoning
    focused = ClusterRisk(0.8, stats={"capability_share": 0.9, "cot_share": 0.5})
    assert off_work(client, focused, NOW)
    assert not off_work(code_review, focused, NOW)  # on the harvest's capabilities


def test_a_small_clusters_risk_is_reassessed_whenever_a_member_is_active() -> None:
    """A fleet's first accounts gather evidence minute by minute: a first, low risk is not
    kept for ``refresh_seconds`` while the next piece (rotation, a third member's pace)
    arrives. A large cluster's risk is kept: a few members more or less change it little."""
    for n, kept in ((4, False), (SMALL + 2, True)):
        linker = ClusterLinker()
        now = run(linker, fleet_events(n, 6))
        cid = linker.graph.cluster_of("fleet-0")
        assert cid is not None and len(linker.graph.members(cid)) == n
        first, _ = linker.cluster_risk(cid, now)
        assert first.risk > 0.0  # a risk already, but not necessarily all of it
        linker.reassess_small(["fleet-1"])
        again, _ = linker.cluster_risk(cid, now + 30.0)
        assert (again.computed_at == first.computed_at) is kept, n
