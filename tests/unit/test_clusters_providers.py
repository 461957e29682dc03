"""Aged accounts behind sticky residential proxies: they keep an exit for a session and take
another provider's at the next, so they change network at few requests and do not hop.
Harvesting from three providers or more, such an account is no bystander of the cluster it
hangs on by a network and a template, and is linked to an enforced fleet by its templates.
Its twins: a customer on its home provider, a person with a home, an office and a phone
doing mixed work, and a new account."""

from __future__ import annotations

from typing import Any

from distillguard.models.clusters import ClusterLinker
from distillguard.models.clusters.links import FLEET_KIND
from distillguard.models.clusters.profile import KNOWN, PROVIDERS, Profile, merge_slice
from distillguard.models.codec import event_record, event_records
from distillguard.models.features import fold_events
from distillguard.streams.worker.by_value import ProfileFeed
from tests.unit.test_clusters_fleet_templates import TEMPLATES, enforced_fleet
from tests.unit.test_clusters_linking import DAY, NOW0, attach, event, fleet_events, run

#: sessions ten minutes apart, three requests a minute apart in each
SESSION = 600.0


def sessions(
    account: str,
    start: float,
    *,
    providers: int,
    count: int = 3,
    category: str = "coding",
    created_at: float = NOW0 - 300 * DAY,
    templates: tuple[str, ...] = tuple(TEMPLATES[:2]),
) -> list[dict[str, Any]]:
    """``count`` sessions of an account on its own card, each from one residential /24,
    the ``s``-th through provider ``s % providers``: another provider at every session
    (``providers`` = ``count``), or its home provider throughout (1)."""
    out = []
    for s in range(count):
        provider = s % providers
        for k in range(3):
            out.append(
                event(
                    account,
                    start + s * SESSION + k * 60.0,
                    ip=f"100.{70 + provider}.{s}.9",
                    asn=73000 + provider,
                    template=templates[(s + k) % len(templates)],
                    category=category,
                    created_at=created_at,
                    card=f"card-{account}",
                )
            )
    return out


def profile(events: list[dict[str, Any]]) -> Profile:
    return merge_slice({}, fold_events(event_records(events))[events[0]["account_id"]])


def test_an_aged_account_harvesting_from_three_providers_spreads_them() -> None:
    evs = sessions("slow", NOW0, providers=PROVIDERS)
    now = evs[-1]["ts"] + 1.0
    p = profile(evs)
    assert p.harvests(now) and p.spreads_providers(now) and p.behind_proxies(now)
    assert p.roams() is False and not p.hops_proxies()  # few changes of network: no hopping


def test_its_twins_do_not() -> None:
    """On two providers (a home and a phone); on mixed work; eliciting no reasoning; a new
    account (new accounts show what they are by being new); one session so far."""
    twins = [
        sessions("home", NOW0, providers=2),
        sessions("mixed", NOW0, providers=3, category="creative"),
        [
            {**e, "prompt": {**e["prompt"], "cot_request": False}}
            for e in sessions("plain", NOW0, providers=3)
        ],
        sessions("new", NOW0, providers=3, created_at=NOW0 - 2 * DAY),
        sessions("short", NOW0, providers=3, count=1),
    ]
    for evs in twins:
        now = evs[-1]["ts"] + 1.0
        p = profile(evs)
        assert not p.spreads_providers(now), evs[0]["account_id"]
        assert not p.behind_proxies(now), evs[0]["account_id"]
    assert profile(twins[0]).harvests(twins[0][-1]["ts"] + 1.0)  # harvesting at home


def test_a_member_hanging_by_a_network_and_template_spreading_providers_is_no_bystander() -> None:
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    run(
        linker,
        sessions("slow", now - 3 * SESSION, providers=3)
        + sessions("home", now - 3 * SESSION, providers=1),
    )
    first_seen = {"slow": now, "home": now, "fleet-0": NOW0}
    for account in ("slow", "home"):
        linker.graph.link(account, "fleet-0", 0.62, now, first_seen, ("net", "prompt"))
    (member,) = linker.evidence("fleet-3", {}, now)
    (slow,) = linker.evidence("slow", {}, now)
    (home,) = linker.evidence("home", {}, now)
    assert not linker.peripheral("slow", now) and linker.peripheral("home", now)
    assert slow.weight == member.weight > 0.6
    assert home.weight == round(member.weight / 2, 6)


def test_an_aged_account_on_an_enforced_fleets_templates_from_three_providers_joins_it() -> None:
    linker, cid = enforced_fleet()
    run(linker, sessions("slow", NOW0 + 1200.0, providers=3))
    assert linker.graph.cluster_of("slow") == cid
    assert {kinds for _, kinds, _ in linker.graph.neighbours("slow").values()} == {(FLEET_KIND,)}
    for twin in (
        sessions("home", NOW0 + 1200.0, providers=2),
        sessions("new", NOW0 + 1200.0, providers=3, created_at=NOW0 - 2 * DAY),
    ):
        linker, _ = enforced_fleet()
        run(linker, twin)
        assert linker.graph.cluster_of(twin[0]["account_id"]) is None


def test_the_worker_marks_it_for_the_fleet_templates_as_replay_does() -> None:
    """``ProfileFeed.merge`` flags the account once it spreads providers (the by-value
    stage then looks up its templates among enforced fleets'), at its third session."""
    feed = ProfileFeed()
    started = []
    for s in range(3):
        evs = sessions("slow", NOW0, providers=3)[3 * s : 3 * s + 3]
        slices = fold_events([event_record(e) for e in evs])
        started.append(feed.merge(slices, {"slow": set()}))
    assert started == [set(), set(), {"slow"}]
    assert "slow" in feed.proxies


def test_an_aged_customer_at_home_on_its_own_work_is_a_bystander_of_many_links() -> None:
    """A developer at home whose residential /24 a fleet's sticky proxies exit through, and
    who asks some of the fleet's popular questions, is linked so to three of its members:
    aged, on its home provider, its own hour not the harvest's, it is peripheral however
    many such links. Harvesting at home, or new, it is a member."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    start = now - 3 * SESSION
    run(
        linker,
        sessions("dev", start, providers=1, category="creative")
        + sessions("harvester", start, providers=1)
        + sessions("fresh", start, providers=1, category="creative", created_at=NOW0 - 2 * DAY),
    )
    attach(linker, ("dev", "harvester", "fresh"), 3, ("net", "prompt"), now)
    assert linker.profiles["dev"].resident(now)
    assert linker.peripheral("dev", now)
    assert not linker.peripheral("harvester", now) and not linker.peripheral("fresh", now)
    (member,) = linker.evidence("fleet-5", {}, now)
    (dev,) = linker.evidence("dev", {}, now)
    assert dev.weight == round(member.weight / 2, 6)


def test_an_aged_customer_at_home_asking_a_question_or_two_an_hour_is_a_bystander() -> None:
    """Two of the fleet's kind of questions in the last hour, from home, by an account two
    years old: a person's pace, no harvest, whatever they ask."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    born = NOW0 - 700 * DAY
    earlier = sessions("quiet", now - 3 * 3600.0, providers=1, count=2, created_at=born)
    home = [
        event(
            "quiet", now - k * 600.0, ip="100.70.1.9", asn=73000, created_at=born, card="card-quiet"
        )
        for k in (2, 1)
    ]
    run(linker, earlier + home)
    attach(linker, ("quiet",), 3, ("net", "prompt"), now)
    p = linker.profiles["quiet"]
    assert p.totals(now)[KNOWN] == 2 and not p.harvests(now) and p.roams() is False
    assert p.resident(now) and linker.peripheral("quiet", now)
