"""Rotating networks, judged together: members too slow to show proxy rotation alone."""

from __future__ import annotations

from distillguard.models.clusters.coordination import PAIR_REPEATS, POOLED_REPEATS, assess
from distillguard.models.clusters.profile import Profile, merge_slice
from distillguard.models.codec import event_records
from distillguard.models.features import fold_events
from tests.unit.detection_support import event

NOW = 1_780_000_000.0
MINUTE = int(NOW // 60)
DAY = 86400.0


def slow(
    name: str, requests: int, networks: int, *, card: str = "card-1", asns: int = 0
) -> Profile:
    """An aged, verified member at a trickle: ``requests`` in the last minutes, changing
    prefix ``networks - 1`` times, all on the targeted capabilities with reasoning; each
    network of its own provider (rotating residential proxies), or of ``asns`` of them."""
    return Profile(
        name,
        NOW - 600.0,
        NOW,
        created_at=NOW - 200 * DAY,
        verified=True,
        card=card,
        minutes={MINUTE - i: [1.0, 900.0, 0.6, 1.0, 1.0] for i in range(requests)},
        requests=float(requests),
        repeats=float(requests - 1),
        changes=float(networks - 1),
        networks=networks,
        asns={64500 + i for i in range(asns or networks)},
    )


def factors(*members: Profile) -> dict[str, float]:
    r = assess(list(members), NOW, failover_joins=0, infra_share=0.0)
    return {code: weight for code, _, weight in r.reasons}


def test_members_changing_network_at_every_request_rotate_together() -> None:
    """Three requests each, each from a network the member had not used: no member shows
    rotation alone (fewer than four networks), the fleet does."""
    fleet = [slow(f"a{i}", 3, 3) for i in range(6)]
    assert not any(p.rotates_networks() for p in fleet)
    r = assess(fleet, NOW, failover_joins=0, infra_share=0.0)
    assert r.stats["network_churn"] == 1.0
    assert "cluster.rotating_networks" in {code for code, _, _ in r.reasons}


def test_members_that_keep_their_network_do_not() -> None:
    """The same fleet from one office or home network each: no rotation, and without a
    factor about acting together the shared card and the focus are no risk."""
    r = assess([slow(f"a{i}", 3, 1) for i in range(6)], NOW, failover_joins=0, infra_share=0.0)
    assert r.stats["network_churn"] == 0.0
    assert r.risk == 0.0


def test_a_few_requests_are_no_evidence() -> None:
    """One request per member tells nothing about changing networks; the pooled judgement
    waits for ``POOLED_REPEATS`` repeat requests."""
    assert "cluster.rotating_networks" not in factors(*[slow(f"a{i}", 1, 1) for i in range(8)])
    few = int(POOLED_REPEATS) - 1  # repeat requests in all, each from a new network
    members = [slow(f"a{i}", 2, 2) for i in range(few)]
    assert assess(members, NOW, failover_joins=0, infra_share=0.0).stats["network_churn"] == 0.0


def one_by_one(ips: list[str]) -> Profile:
    """An account's profile after one request per slice, from ``ips`` in turn."""
    profiles: dict[str, Profile] = {}
    for i, ip in enumerate(ips):
        piece = fold_events(event_records([event(i, "acct-s", NOW + 60 * i, ip=ip)]))
        p = merge_slice(profiles, piece["acct-s"])
    return p


def test_a_small_pool_of_proxies_keeps_changing_network() -> None:
    """Forty requests through a pool of ten proxies: every network is used again and
    again, yet never twice in a row. Someone between office, home and a phone uses a few
    networks however often they change among them: only reaching a new one counts."""
    pool = [f"198.51.{k}.7" for k in range(10)]
    proxied = one_by_one([pool[(i * 3) % 10] for i in range(40)])
    assert proxied.network_changes() == (39.0, 39.0)
    assert proxied.hops_networks()
    office, home, phone = "203.0.113.7", "192.0.2.7", "198.18.0.7"
    person = one_by_one(([office] * 2 + [home] + [phone]) * 10)
    assert person.network_changes() == (39.0, 2.0)
    assert not person.hops_networks()


def sliced(ips: list[str], size: int) -> Profile:
    """An account's profile after its requests from ``ips`` in turn, ``size`` per slice."""
    profiles: dict[str, Profile] = {}
    events = [event(i, "acct-s", NOW + i, ip=ip) for i, ip in enumerate(ips)]
    for start in range(0, len(events), size):
        piece = fold_events(event_records(events[start : start + size]))
        p = merge_slice(profiles, piece["acct-s"])
    return p


def test_changes_of_network_count_the_same_whatever_the_slices() -> None:
    """An LLM gateway leaves through ten /24s of a few clouds, another one at two
    requests in three: the worker folds its requests in slices of a few seconds,
    ``replay`` in slices of 30, and both count its changes of network as its requests
    made them, in order."""
    egress = [f"198.51.{k}.7" for k in range(10)]
    ips = [egress[(i * 2 // 3) % 10] for i in range(48)]
    exact = sum(1 for a, b in zip(ips, ips[1:], strict=False) if a != b)
    assert 0 < exact < len(ips) - 1
    counts = {sliced(ips, size).network_changes() for size in (1, 3, 8, 48)}
    assert counts == {(47.0, float(exact))}


def test_profiles_remember_the_prefixes_an_account_came_from() -> None:
    events = [event(i, "acct-r", NOW + i, ip=f"203.0.{113 + i}.7") for i in range(4)] + [
        event(9, "acct-r", NOW + 9, ip="203.0.113.8")
    ]  # the first /24 again
    profiles: dict[str, Profile] = {}
    p = merge_slice(profiles, fold_events(event_records(events))["acct-r"])
    assert len(p.nets) == 4
    assert p.network_changes() == (4.0, 3.0)


def test_a_few_aged_accounts_on_one_card_behind_rotating_proxies_count_in_full() -> None:
    """Four aged, verified accounts on one card (each its own organisation's), every
    repeat request from a network the member had not used: one operator hiding behind
    proxies, judged in full at four members instead of two thirds."""
    fleet = [slow(f"a{i}", 3, 3) for i in range(4)]
    r = assess(fleet, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["hidden_payer"] == 1.0
    assert r.risk * 0.9 >= 0.6, r  # as cluster evidence alone: at least degrade
    mixed = fleet[:3] + [slow("a3", 3, 3, card="card-2")]  # not one payer: scaled down
    m = assess(mixed, NOW, failover_joins=0, infra_share=1.0)
    assert m.stats["hidden_payer"] == 0.0
    assert m.risk * 0.9 < 0.6, m


def test_a_team_on_a_company_card_is_no_hidden_payer() -> None:
    """The twin: four colleagues on one card without an organisation, the same workload,
    each keeping an office or home network (one change in three requests at most)."""
    team = [slow(f"t{i}", 3, 2 if i % 2 else 1) for i in range(4)]
    r = assess(team, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["hidden_payer"] == 0.0
    assert r.risk * 0.9 < 0.6, r


def test_two_hidden_payers_need_a_long_record() -> None:
    """Two accounts hopping networks on one card are no cluster risk at first: unlike one
    payer, a hidden payer's accounts are aged and verified, so chance sharing is not ruled
    out. Two that keep changing network at every request for ``PAIR_REPEATS`` requests
    are one operator behind proxies, judged in full; not if one of them stays put."""
    r = assess([slow("a0", 5, 5), slow("a1", 5, 5)], NOW, failover_joins=0, infra_share=1.0)
    assert r.risk == 0.0
    k = int(PAIR_REPEATS) // 2 + 1  # requests each
    pair = [slow("a0", k, k), slow("a1", k, k)]
    r = assess(pair, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["hidden_payer"] == 1.0
    assert r.risk * 0.9 >= 0.6, r
    r = assess([slow("a0", k, k), slow("a1", k, 2)], NOW, failover_joins=0, infra_share=1.0)
    assert r.risk == 0.0


def test_an_egress_pool_of_one_provider_is_no_proxy_rotation() -> None:
    """A reseller's clients on its card leave through its cloud's egress pool: another /24
    at nearly every request, all of one autonomous system. Without a factor about acting
    together, their card and their shared infrastructure are no risk."""
    clients = [slow(f"c{i}", 3, 3, asns=1) for i in range(6)]
    r = assess(clients, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["network_churn"] == 0.0
    assert r.risk == 0.0
    proxied = [slow(f"c{i}", 3, 3, asns=2) for i in range(6)]
    r = assess(proxied, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["network_churn"] == 1.0 and r.risk > 0.6
    unknown = [slow(f"c{i}", 3, 3) for i in range(6)]
    for p in unknown:
        p.asns.clear()  # a gateway that sends no ASN: the churn alone is judged
    assert assess(unknown, NOW, failover_joins=0, infra_share=1.0).stats["network_churn"] == 1.0


def test_companies_behind_one_secure_web_gateway_are_no_proxy_rotation() -> None:
    """Employees of three companies, two seats each on its company card, aged and
    verified, leave through a secure web gateway that hands out another address at nearly
    every request, across its own provider and the office's: the company's egress, not
    proxies. The same traffic from accounts that name no organisation is judged as
    before."""
    seats = []
    for i in range(6):
        p = slow(f"e{i}", 3, 3, card=f"company-{i // 2}", asns=2)
        p.org = f"org-{i // 2}"
        seats.append(p)
    r = assess(seats, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["network_churn"] == 0.0
    assert "cluster.rotating_networks" not in {code for code, _, _ in r.reasons}
    for p in seats:
        p.org = None
    r = assess(seats, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["network_churn"] == 1.0
    assert "cluster.rotating_networks" in {code for code, _, _ in r.reasons}
