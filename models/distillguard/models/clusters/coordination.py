"""Cluster risk: evidence of *coordination*, not of sharing.

Accounts end up in one cluster because they share values; that alone condemns no one
(unrelated customers share framework templates, cloud ASNs and gateways). Risk comes
from what a fleet does together and a set of independent customers does not:

- ``synchronized``: each member's per-minute request series correlates with the rest of
  the cluster (waves, simultaneous bursts), minute by minute, not only by sessions that
  start and end together (a class);
- ``new_accounts``: members are new or unverified;
- ``combined_volume``: the cluster moves far more output than its largest member;
- ``capability_focus``: the cluster's requests concentrate on the targeted capabilities,
  with chain-of-thought elicitation;
- ``shared_payment``: several members pay with one card (counting less when they are all
  one organisation's accounts: a company card);
- ``posing_organisations``: most members pay with cards that each pay for accounts of
  several organisations, on a workload that elicits reasoning: one payer posing as
  several customers (a reseller paying for its clients is the benign twin; their own
  work elicits no reasoning). Like ``new_accounts``, it is about who the members are:
  a fleet of aged accounts, each at a person's pace on its own network and diluting its
  harvest with filler, shows nothing it does together;
- ``fleet_size``: many accounts on one narrow, reasoning-eliciting workload;
- ``members_stopped``: members throttled or stopped on their own evidence (a decision
  led by account evidence, or the platform's refusal): what a cluster's members do each
  is evidence of what the cluster is; not about acting together, so it needs one of the
  ``BEHAVIOUR`` factors beside it;
- ``failover``: members that appeared right after other members were throttled or
  stopped, by a decision or by the platform (403s); a member only degraded keeps working
  and is not replaced;
- ``rotating_networks``: members each hop across many networks (rotating proxies),
  where a team stays on its office network and a CI fleet on a few clouds; members too
  slow to show it alone show it together (another network than the request before at
  nearly every repeat request, however small each member's pool of proxies).

Who the members are and what they share is not enough to enforce on, however much of
it there is: a class or a hackathon without an organisation is many new accounts on one
network and one narrow, reasoning-heavy workload, just like a fleet's first accounts.
Without evidence of acting as one (``ACTING``: synchronized timing, failover, rotating
networks, posing organisations, a shared card that is no company card, members stopped on
their own evidence) a cluster's risk is at most ``ALONE_RISK``: not enough to enforce on
alone, and its members' evidence is of the ``account`` family
(:data:`~distillguard.models.clusters.linker.ALONE_FAMILY`), about who they are, so that
it counts beside what an account does, not twice with its own evidence of being new.

A cluster whose members all belong to one organisation has no risk: that is one customer,
under the organisation's shared limits, not identities spread to evade them. Likewise a
cluster counts one customer per organisation among its members (and one per member
without an organisation): two courses, each in its organiser's organisation, that one
pair of attendees links (a home network, sign-ups in the same ten minutes) are two
customers, not a fleet of all their attendees.

A cluster needs ``min_members`` active members of as many customers and two factors, one
of which is about acting together (``BEHAVIOUR``), before it has any risk: sharing, volume
and focus alone have benign twins (a team on one card and office network, benchmark
users). New accounts are no such behaviour among people at work (members keeping their
own networks at a person's pace on mixed work: a new team without an organisation).
Factors of a small cluster count less (a few accounts can share values by chance), except for *one
payer*: every member pays with the same card, they are not one organisation's accounts,
all are new or unverified, each runs at a machine's pace (``MACHINE_PACE``) and the
workload elicits reasoning (``ELICITING``). Those are one operator for certain, so two
members suffice and the factors count in full: a fleet's first accounts are judged before
the fleet grows. Likewise a *hidden payer*: every member pays with the same card, they are
not one organisation's accounts, the workload elicits reasoning, and pooled, nearly every
repeat request of a member comes from another network than that member's request before
(``HIDDEN_CHURN``): one operator spreading aged accounts over rotating proxies. Its factors
count in full from ``min_members`` on, and for two members once they have kept it up for
``PAIR_REPEATS`` requests (a team on a company card keeps its office and home networks).
And a *posing payer*: every member pays with the same card, the members name two or more
organisations, and their pooled work is the harvest's (``HARVEST_FOCUS`` targeted
capabilities, ``ELICITING`` reasoning): one operator posing as several customers, judged
in full from two members (a card is shared by no chance, and a reseller's clients do
their own products' work).

>>> from distillguard.models.clusters.profile import Profile
>>> ps = [Profile(f"a{i}", 0.0, 60.0, verified=False, card="c",
...       minutes={0: [5.0, 900.0, 3.0, 5.0, 5.0]}) for i in range(6)]
>>> r = assess(ps, now=60.0, failover_joins=0, infra_share=1.0)
>>> r.risk > 0.5, sorted(code for code, _, _ in r.reasons)[:2]
(True, ['cluster.capability_focus', 'cluster.new_accounts'])
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from distillguard.models.clusters.profile import (
    CAPABILITY,
    COT,
    ELICITING,
    HARVEST_FOCUS,
    KNOWN,
    OUT,
    OWN_WORK_REQUESTS,
    REQ,
    Profile,
)
from distillguard.models.features.slices import MINUTE

#: Complete minutes of per-minute series compared for synchronized timing.
SYNC_MINUTES: Final = 30
#: Minutes of the centred mean taken off each minute before series are compared: shared
#: session start and end times are no synchronized timing.
TREND_MINUTES: Final = 5
#: Requests in those minutes from which a member's series is compared at all: a few
#: requests that happen to fall in the minutes other members' did are no timing of theirs.
SYNC_REQUESTS: Final = 6.0
#: Requests per active minute above which an account runs at a machine's pace.
MACHINE_PACE: Final = 6.0
#: Repeat requests (after each member's first) from which members' network changes are
#: judged together (``rotating_networks``).
POOLED_REPEATS: Final = 6.0
#: Pooled share of members' repeat requests from another network than the member's request
#: before from which a small cluster on one card is judged in full (``hidden_payer``): the
#: point where ``rotating_networks`` counts in full.
HIDDEN_CHURN: Final = 0.9
#: Pooled repeat requests from which two accounts on one card are a hidden payer (three or
#: more members are from ``POOLED_REPEATS``).
PAIR_REPEATS: Final = 24.0
#: Share of a cluster's requests whose prompt the gateway classified from which shares of
#: what was asked (reasoning, capabilities) are of the classified requests alone.
CLASSIFIED: Final = 0.25
#: Requests without an organisation after which a member beside several members of one
#: organisation has none (before, a gateway that sends ``org_id`` on some requests only may not have
#: named it yet: at half the requests, 4 in a row miss it one time in 16).
ORG_SEEN_REQUESTS: Final = 4.0
#: Factors that are about acting together rather than sharing; a cluster needs one of them.
#: (Sharing, volume and focus all have benign twins: teams, benchmark users, gateways.)
BEHAVIOUR: Final = frozenset(
    {
        "cluster.synchronized",
        "cluster.new_accounts",
        "cluster.failover",
        "cluster.fleet_size",
        "cluster.rotating_networks",
        "cluster.posing_organisations",
    }
)

#: Factors that show members acting as one, not only who they are and what they share
#: (new accounts, many on one workload, networks, focus, volume: a class has all of those).
ACTING: Final = frozenset(
    {
        "cluster.synchronized",
        "cluster.failover",
        "cluster.rotating_networks",
        "cluster.posing_organisations",
        "cluster.shared_payment",
        "cluster.members_stopped",
    }
)
#: Weight below which a factor is not present (after the size discount).
PRESENT: Final = 0.05
#: Highest risk of a cluster without an ``ACTING`` factor: as member evidence
#: (x ``evidence_scale``) under the default degrade threshold alone, enough beside
#: evidence of what an account does (not beside its own of being new: the same family).
ALONE_RISK: Final = 0.55


@dataclass(frozen=True, slots=True)
class ClusterRisk:
    risk: float
    reasons: tuple[tuple[str, str, float], ...] = ()
    active: int = 0
    computed_at: float = 0.0
    stats: dict[str, float] = field(default_factory=dict)


def _clamp(x: float) -> float:
    return 0.0 if x <= 0.0 else 1.0 if x >= 1.0 else x


def _corr(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    mx = sum(x) / n
    my = sum(y) / n
    sxy = sxx = syy = 0.0
    for a, b in zip(x, y, strict=True):
        da, db = a - mx, b - my
        sxy += da * db
        sxx += da * da
        syy += db * db
    if sxx <= 0.0 or syy <= 0.0:
        return 0.0
    return sxy / math.sqrt(sxx * syy)


def _detrend(series: Sequence[float]) -> list[float]:
    """Each minute less the mean of the ``TREND_MINUTES`` around it: what is left is the
    minute-to-minute pattern, without the shape of the session it is part of."""
    k = TREND_MINUTES // 2
    n = len(series)
    out = []
    for i in range(n):
        lo, hi = max(0, i - k), min(n, i + k + 1)
        out.append(series[i] - sum(series[lo:hi]) / (hi - lo))
    return out


def synchrony(profiles: Sequence[Profile], now: float) -> float:
    """Mean correlation of each member's minute series (the ``SYNC_MINUTES`` complete
    minutes before the one in progress) with the rest of the cluster's, each series taken
    less its trend (:func:`_detrend`): a class whose session starts at nine and ends at
    half past ten rises and falls together, but each student's requests within it come at
    their own minutes; a fleet's scheduler fires its waves at the same minute in every
    account. Members with fewer than ``SYNC_REQUESTS`` requests in those minutes are left
    out: three students who each asked three questions in the last five minutes of a lab
    correlate by the lab's end alone."""
    # complete minutes only: the minute in progress is short for every member alike (empty
    # at its start), a dip they all share that is no timing of theirs
    end = now - MINUTE
    start = end - SYNC_MINUTES * MINUTE
    # only members observed through the whole window: accounts that merely started being
    # watched at the same time (a restart, a replay) must not look synchronized
    series = [p.series(end, SYNC_MINUTES) for p in profiles if p.first_seen <= start]
    series = [_detrend(s) for s in series if sum(s) >= SYNC_REQUESTS]
    if len(series) < 3:
        return 0.0
    total = [sum(col) for col in zip(*series, strict=True)]
    corrs = [_corr(s, [t - v for t, v in zip(total, s, strict=True)]) for s in series]
    return sum(corrs) / len(corrs)


def _payers(profiles: Iterable[Profile]) -> dict[str, tuple[int, bool]]:
    """Card -> (members paying with it, whether they are all one organisation's accounts)."""
    orgs: dict[str, set[str | None]] = {}
    count: Counter[str] = Counter()
    for p in profiles:
        if p.card:
            count[p.card] += 1
            orgs.setdefault(p.card, set()).add(p.org)
    return {card: (k, len(orgs[card]) == 1 and None not in orgs[card]) for card, k in count.items()}


def _asked(totals: Iterable[Sequence[float]]) -> tuple[float, float]:
    """(requests asking for reasoning, requests the shares are of): of the requests whose
    prompt the gateway classified while those are enough to stand for the rest
    (``CLASSIFIED``), else of every request."""
    req = known = cot = 0.0
    for t in totals:
        req += t[REQ]
        known += t[KNOWN]
        cot += t[COT]
    return cot, known if known >= CLASSIFIED * req and known > 0.0 else req


def posing_share(active: Sequence[tuple[Profile, Sequence[float]]], sharing: int) -> float:
    """Share of members paying with a card that pays for the accounts of several
    organisations (at least ``sharing`` members naming two or more) whose pooled requests
    elicit reasoning (``ELICITING``), as do the own requests of half or more of its
    accounts with enough of them to tell (``OWN_WORK_REQUESTS``).

    A company card pays for one organisation's accounts; one card behind accounts that
    name several organisations is a payer posing as them, or a reseller paying for its
    clients. The clients do their own products' work, not a harvest of reasoning; the
    few whose products are tutors can bring the card's pooled requests to an eliciting
    share, but a payer posing as customers harvests on most of its accounts (the slow
    ones, a request or two each, show it only pooled)."""
    groups: dict[str, list[tuple[Profile, Sequence[float]]]] = {}
    for p, t in active:
        if p.card:
            groups.setdefault(p.card, []).append((p, t))
    posing = 0
    for group in groups.values():
        if len(group) < sharing or len({p.org for p, _ in group if p.org}) < 2:
            continue
        cot, asked = _asked(t for _, t in group)
        if not (asked and cot >= ELICITING * asked):
            continue
        judged = [own for own in (_asked((t,)) for _, t in group) if own[1] >= OWN_WORK_REQUESTS]
        if 2 * sum(c >= ELICITING * a for c, a in judged) >= len(judged):
            posing += len(group)
    return posing / len(active) if active else 0.0


def assess(
    profiles: Sequence[Profile],
    now: float,
    *,
    failover_joins: int,
    infra_share: float,
    min_members: int = 3,
    scale: float = 1.0,
    stopped_share: float = 0.0,
    vouching: frozenset[str] = frozenset(),
) -> ClusterRisk:
    """Risk of a cluster from its (active, possibly sampled) members' profiles.

    ``scale`` extrapolates sums when ``profiles`` is a sample of a larger cluster;
    ``stopped_share`` is the share of its members stopped on their own evidence
    (throttled or worse by a decision the cluster's evidence did not lead, or refused
    service by the platform); ``vouching`` cards that established members vouch for
    beyond the active ones in ``profiles`` (the linker passes the cards of every
    established member not enforced against, active this hour or not: a team's card
    owner away from work vouches for the new hires all the same).
    """
    totals = [p.totals(now) for p in profiles]
    active = [(p, t) for p, t in zip(profiles, totals, strict=True) if t[REQ] > 0]
    n = len(active)
    # an organisation's accounts are one customer under the organisation's shared limits,
    # not identities spread to evade them: the cluster holds one customer per organisation
    # among its members, and one per member without an organisation. Beside several
    # members of one organisation, a member that has not named one in its first
    # ``ORG_SEEN_REQUESTS`` requests may still be theirs (gateways rolling ``org_id`` out
    # send it on some requests only): it counts once it has shown it has none. (A fleet's
    # accounts have no organisation, or one each.)
    orgs = Counter(p.org for p, _ in active)
    unnamed = orgs[None]
    if unnamed and any(k >= 2 for org, k in orgs.items() if org is not None):
        unnamed = sum(1 for p, _ in active if p.org is None and p.requests >= ORG_SEEN_REQUESTS)
    customers = len(orgs) - (None in orgs) + unnamed
    if customers == 1 and None not in orgs:
        # one organisation's accounts; each account is still judged on its own
        return ClusterRisk(0.0, active=n, computed_at=now, stats={"one_org": 1.0})
    payers = _payers(p for p, _ in active)
    # a new account paying with the card of an established (aged, verified) member is that
    # member's colleague, a new hire on the company card: it is no fresh identity
    vouched = {p.card for p, _ in active if p.card and not p.is_new(now)} | vouching
    new = sum(1 for p, _ in active if p.is_new(now) and p.card not in vouched)
    req = sum(t[REQ] for _, t in active)
    # shares of what was asked are of the requests whose prompt the gateway classified
    # (all of them, or those of the gateways that send ``prompt`` during a rollout), while
    # those are enough to stand for the rest (``CLASSIFIED``); below, of every request
    cot, asked = _asked(t for _, t in active)
    cot_share = min(1.0, cot / asked) if asked else 0.0
    # one card, not one organisation's accounts, every member new or unverified, each at a
    # machine's pace, on a workload of reasoning elicitation: a fleet's first accounts. (A
    # team has its card's owner, an established account, among its members; people work
    # at a few requests a minute and ask mostly for answers, not for reasoning.)
    one_card = list(payers.values()) == [(n, False)]
    one_payer = (
        n >= 2
        and new == n
        and cot_share >= ELICITING
        and one_card
        and min(p.pace(now) for p, _ in active) >= MACHINE_PACE
    )
    # members too slow to show rotation alone show it together: pooled, nearly every
    # request after a member's first comes from another network than the one before.
    # Members seen on one autonomous system only do not count: a reseller's or a
    # company's egress pool, or a carrier's NAT, hands out other /24s of one AS at every
    # request; rotating proxies exit through other people's providers. (Without ASNs from
    # the gateway, every member counts.) Nor do an established company's seats (aged and
    # verified, two or more of one organisation on its card): its secure web gateway or
    # VPN hands out another address of its own provider or the office's at every request,
    # and a fleet posing as customers does not hold several companies' contracts and cards.
    seats = {
        p.account_id
        for p, _ in active
        if p.card and payers[p.card][1] and payers[p.card][0] >= 2 and not p.is_new(now)
    }
    repeats = changes = 0.0
    for p, _ in active:
        if len(p.asns) == 1 or p.account_id in seats:
            continue
        r, k = p.network_changes()
        repeats += r
        changes += k
    churn = changes / repeats if repeats >= POOLED_REPEATS else 0.0
    # one card, not one organisation's, members changing network at nearly every
    # request, reasoning elicited: one operator behind rotating proxies, however aged and
    # verified its accounts are; a few of them are no chance sharing, and two are not
    # once they have kept it up for ``PAIR_REPEATS`` requests
    hidden_payer = (
        one_card
        and churn >= HIDDEN_CHURN
        and cot_share >= ELICITING
        and (n >= min_members or repeats >= PAIR_REPEATS)
    )
    cap_share = sum(t[CAPABILITY] for _, t in active) / asked if asked else 0.0
    # the harvest's workload: nearly all on the targeted capabilities, reasoning elicited
    harvest = cap_share >= HARVEST_FOCUS and cot_share >= ELICITING
    # one card behind the accounts of several organisations, their pooled work the
    # harvest's: one operator posing as several customers, however aged and verified its
    # accounts. Templates, networks and formats are shared by chance, a card is not: two
    # members suffice. (A reseller pays for its clients, whose own products' work is no
    # reasoning harvest on the targeted capabilities; a company card pays for one
    # organisation's accounts.)
    posing_payer = one_card and harvest and len({p.org for p, _ in active if p.org}) >= 2
    in_full = one_payer or hidden_payer or posing_payer
    if customers < (2 if in_full else min_members):
        return ClusterRisk(0.0, active=n, computed_at=now, stats={"customers": float(customers)})
    out = sum(t[OUT] for _, t in active)
    max_out = max(t[OUT] for _, t in active)
    new_share = new / n
    sharing = 2 if in_full else 3
    card_share = company_share = 0.0
    for members, company in payers.values():
        if members >= sharing:
            if company:
                company_share += members / n
            else:
                card_share += members / n
    posing = posing_share(active, sharing)
    sync = synchrony([p for p, _ in active], now)
    rotating = sum(1 for p, _ in active if p.account_id not in seats and p.rotates_networks()) / n
    rotation = max(_clamp((rotating - 0.3) / 0.4), _clamp((churn - 0.6) / 0.3))
    ratio = out * scale / max_out if max_out > 0 else 0.0
    # members on a shared card that is no company card (a company card weighs less)
    shared_card = 0.25 * card_share
    factors = {
        "cluster.synchronized": (
            0.45 * _clamp((sync - 0.45) / 0.35),
            f"timing correlation {sync:.2f}",
        ),
        "cluster.new_accounts": (
            0.3 * _clamp((new_share - 0.3) / 0.5),
            f"{new_share:.0%} of members new or unverified",
        ),
        "cluster.combined_volume": (
            0.25 * _clamp((ratio - 3.0) / 7.0) * _clamp(req * scale / 60.0 / 10.0),
            f"combined output {ratio:.1f}x its largest member",
        ),
        "cluster.capability_focus": (
            0.25 * _clamp((cap_share - 0.6) / 0.3) * (0.4 + 0.6 * _clamp(cot_share / 0.3)),
            f"{cap_share:.0%} targeted capabilities, {cot_share:.0%} reasoning elicitation",
        ),
        "cluster.fleet_size": (
            0.3
            * _clamp((n - 5) / 15.0)
            * _clamp((cap_share - 0.6) / 0.2)
            * _clamp(cot_share / 0.2),
            f"{n} accounts on one narrow, reasoning-eliciting workload",
        ),
        "cluster.rotating_networks": (
            0.3 * rotation,
            f"{rotating:.0%} of members hop across many networks, another network than "
            f"the request before at {churn:.0%} of repeat requests (rotating proxies)",
        ),
        "cluster.posing_organisations": (
            0.3 * _clamp((posing - 0.5) / 0.3),
            f"{posing:.0%} of members pay with a card that pays for several organisations' "
            "accounts, on a reasoning-eliciting workload",
        ),
        "cluster.shared_payment": (
            shared_card + 0.1 * company_share,
            f"{card_share + company_share:.0%} of members share a card"
            + (f" ({company_share:.0%} one organisation's)" if company_share else ""),
        ),
        "cluster.shared_infrastructure": (
            0.2 * infra_share,
            f"{infra_share:.0%} of members linked by card or network",
        ),
        "cluster.members_stopped": (
            0.3 * _clamp(stopped_share / 0.5),
            f"{stopped_share:.0%} of members stopped on their own evidence",
        ),
        "cluster.failover": (
            0.5 if failover_joins else 0.0,
            f"{failover_joins} members appeared right after others were throttled, stopped "
            "or refused service",
        ),
    }
    size = 1.0 if in_full else _clamp((n - min_members + 1) / 3.0)
    present = {c: (w * size, d) for c, (w, d) in factors.items() if w * size >= PRESENT}
    stats = {"sync": sync, "new_share": new_share, "card_share": card_share, "ratio": ratio}
    stats["customers"] = float(customers)
    stats |= {"company_card_share": company_share, "one_payer": float(one_payer)}
    stats["hidden_payer"] = float(hidden_payer)
    stats["posing_payer"] = float(posing_payer)
    stats["rotating_share"] = rotating
    stats["posing_share"] = posing
    stats["network_churn"] = churn
    stats |= {"capability_share": cap_share, "cot_share": cot_share, "active": float(n)}
    # people at work: members keep their own networks (an office, a home; a fleet rotates
    # proxies): at least half of them have shown it, against at most one roaming for
    # three settled (a newcomer's second request from home), at a person's pace, on
    # mixed work (not nearly all targeted capabilities with reasoning elicited: the
    # harvest). However new they are, new accounts there are a new team's, not a fleet's,
    # unless the members also act as one
    roaming = [p.roams() for p, _ in active]
    settled = roaming.count(False)
    at_work = (
        settled >= max(2.0, n / 2.0)
        and 3 * roaming.count(True) <= settled
        and max(p.pace(now) for p, _ in active) < MACHINE_PACE
        and not harvest
    )
    stats["at_work"] = float(at_work)
    behaviour = BEHAVIOUR - {"cluster.new_accounts"} if at_work else BEHAVIOUR
    if len(present) < 2 or not set(present) & behaviour:
        return ClusterRisk(0.0, active=n, computed_at=now, stats=stats)
    keep = 1.0
    for w, _ in present.values():
        keep *= 1.0 - w
    reasons = tuple(
        sorted(((c, d, round(w, 4)) for c, (w, d) in present.items()), key=lambda r: -r[2])
    )
    acting = set(present) & ACTING
    if shared_card * size < PRESENT:
        acting.discard("cluster.shared_payment")  # a company card: colleagues, not a payer
    risk = 1.0 - keep
    if not acting:
        risk = min(risk, ALONE_RISK)
    stats["acting"] = float(bool(acting))
    return ClusterRisk(round(risk, 6), reasons, n, now, stats)
