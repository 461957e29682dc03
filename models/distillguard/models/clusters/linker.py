"""The cluster evidence source: links accounts, merges them into clusters, testifies.

:class:`ClusterLinker` is fed the slices the engine folds each tick (``observe_slices``)
and the decisions it issues (``observe_decision``), and answers ``evidence(account_id,
features, now)`` like any other :class:`~distillguard.models.detectors.evidence.EvidenceSource`:
one ``cluster.coordinated`` piece weighted by the cluster's risk and, for an account that
appeared right after another member was throttled or stopped (by a decision, or refused
service by the platform), one ``cluster.failover_join`` piece.
Both carry the ``cluster_id`` the policy writes into the decision.

Links come from :class:`~distillguard.models.clusters.links.LinkMaker`, which it extends:
this module is about what the clusters they form are worth as evidence.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from distillguard.models.clusters.config import LinkingConfig
from distillguard.models.clusters.coordination import ClusterRisk, assess
from distillguard.models.clusters.graph import BRIDGE_MIN, coincidence
from distillguard.models.clusters.links import LinkMaker
from distillguard.models.clusters.profile import (
    CAPABILITY,
    COT,
    ELICITING,
    KNOWN,
    OWN_WORK_REQUESTS,
    Profile,
)
from distillguard.models.clusters.values import (
    CORROBORATING,
    SOFT_KINDS,
)
from distillguard.models.codec import Event
from distillguard.models.detectors.evidence import Evidence
from distillguard.models.features.aggregations import hash_str
from distillguard.models.features.slices import AccountSlice

ENFORCING = frozenset({"degrade", "throttle", "challenge", "suspend"})
#: Decisions that stop or slow an account: what makes an operator replace it (failover).
#: ``degrade`` serves it a lesser model, which it may not even notice.
BLOCKING = frozenset({"throttle", "challenge", "suspend"})
#: Kinds of shared value that, alone, attach an account to a cluster only loosely: a
#: network, software with benign twins, and what never carries a link on its own.
WEAK_KINDS = frozenset({"net"}) | SOFT_KINDS | CORROBORATING
#: Share of the cluster's evidence a loosely attached member gets
#: (:meth:`ClusterLinker.peripheral`).
PERIPHERAL_SHARE = 0.5
#: Links on more than software (a network or a sign-up time among their kinds) from which
#: a member hanging on weak links alone is no longer peripheral: a fleet member that
#: shares no card is linked to several members by its proxies or sign-up bursts.
CORE_LINKS = 3
#: A cluster at least this focused on targeted capabilities (``capability_share``) ...
FOCUSED = 0.6
#: ... gives a member whose own classified requests (at least ``OWN_WORK_REQUESTS``) ask
#: for them less often than this only a peripheral member's share (:func:`off_work`).
OFF_WORK_SHARE = 0.5
#: ... and a cluster less focused whose workload elicits reasoning (``ELICITING``) to a
#: member that asks for it less often than this (ordinary use: a few percent).
OFF_REASONING_SHARE = 0.05
#: Evidence family of a cluster that does not act as one (``acting`` in its stats,
#: :data:`~distillguard.models.clusters.coordination.ACTING`): it testifies to who its
#: members are (new, unverified accounts on one narrow workload), as a member's own
#: ``account`` evidence does (a new, unverified account eliciting reasoning). The two
#: count once, the stronger, not as independent witnesses; beside what the account does
#: (reasoning at volume, a distillation profile) the cluster's evidence still counts.
ALONE_FAMILY = "account"
#: A rise of cluster risk that offers its quiet members for scoring again (:meth:`due`).
RISE = 0.05
#: A cluster smaller than this is reassessed at every tick a member is active, not every
#: ``refresh_seconds``: a fleet's first accounts show what they are within a minute or
#: two, and a first piece of evidence must not hold back the next.
SMALL = 10


def ages(seat_since: float | None, payer_since: float | None, now: float) -> dict[str, float]:
    """``identity_age_days`` and ``payer_age_days`` from when the colleague that vouches
    for a new account was created (:meth:`ClusterLinker.established_since`), as far as
    known: the features an account's cluster adds to its own."""
    out: dict[str, float] = {}
    if seat_since is not None:
        out["identity_age_days"] = max(0.0, now - seat_since) / 86400.0
    if payer_since is not None:
        out["payer_age_days"] = max(0.0, now - payer_since) / 86400.0
    return out


def off_work(p: Profile, risk: ClusterRisk, now: float) -> bool:
    """Whether a member does other work than its cluster's harvest: of its own last hour's
    requests whose prompt the gateway classified, at least ``OWN_WORK_REQUESTS``, under
    ``OFF_WORK_SHARE`` ask for the targeted capabilities of a cluster focused on them
    (``FOCUSED``), or, in a cluster less focused whose workload elicits reasoning
    (``ELICITING``), under ``OFF_REASONING_SHARE`` ask for reasoning. A fleet's account
    mixes filler into its harvest; a customer hanging on the cluster by a coincidence of
    network, sign-up time, software or template (a reseller's client on the cloud and
    client library a fleet hides behind) does its own work."""
    t = p.totals(now)
    if t[KNOWN] < OWN_WORK_REQUESTS:
        return False
    if risk.stats.get("capability_share", 0.0) >= FOCUSED:
        return t[CAPABILITY] < OFF_WORK_SHARE * t[KNOWN]
    return risk.stats.get("cot_share", 0.0) >= ELICITING and t[COT] < OFF_REASONING_SHARE * t[KNOWN]


def _firm(kinds: Iterable[str]) -> bool:
    """Whether a link rests on more than software (``SOFT_KINDS``): on a network, a
    sign-up time or stronger."""
    return not set(kinds) <= SOFT_KINDS


class ClusterLinker(LinkMaker):
    """Cross-account linking (:class:`LinkMaker`) and cluster evidence (pure; event time
    only)."""

    def __init__(self, config: LinkingConfig | None = None) -> None:
        super().__init__(config)
        self.blocked: dict[str, float] = {}  # account -> first throttle or stronger
        #: ... of those, the accounts whose decision account evidence led, not the cluster's
        self.stopped_own: dict[str, float] = {}
        #: cluster id -> (risk, members' times throttled or stopped, member count it was
        #: computed on)
        self._risk: dict[str, tuple[ClusterRisk, list[float], int]] = {}
        #: cluster id -> member its failover does not testify about -> the risk of that
        #: member's group judged alone (:meth:`_beyond_failover`)
        self._apart: dict[str, dict[str, ClusterRisk]] = {}
        #: cluster id -> (organisation, card) -> when its oldest established member was
        #: created, and (None, card) -> the same whatever the organisation
        #: (:meth:`established_since`; refreshed with the cluster's risk)
        self._seats: dict[str, dict[tuple[str | None, str], float]] = {}
        self._maintained = -1.0
        self._now = 0.0
        #: clusters whose risk rose to ``hold_risk`` or by RISE since their members were
        #: last offered for scoring (:meth:`due`)
        self._risen: set[str] = set()
        #: card value -> when a member paying with it was last stopped (:meth:`watches`)
        self._stopped_cards: dict[str, float] = {}

    # feeding --------------------------------------------------------------------------
    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        """Take in one tick's slices (any order of accounts; output is order-independent)."""
        c = self.config
        self._now = max(self._now, now)
        refused, relink, extend = self._absorb(slices, now)
        for account_id in refused:
            self.note_refused(account_id)
        self.reassess_small(slices)
        self._link_due(relink, extend, now)
        if self._maintained < 0:
            self._maintained = now
        elif now - self._maintained >= c.maintenance_seconds:
            self._maintain(now)

    def observe_decision(
        self, account_id: str, value: Mapping[str, Any] | None, now: float
    ) -> None:
        """Remember when an account was first enforced against, first throttled or
        stopped (failover evidence), and first stopped by a decision its own evidence led
        (``cluster.members_stopped``)."""
        if value is None or value.get("mode") != "enforce":
            return
        action = value.get("action")
        if action in ENFORCING and account_id not in self.enforced:
            self.enforced[account_id] = now
        if action not in BLOCKING:
            return
        changed = False
        if value.get("origin") != "cluster" and account_id not in self.stopped_own:
            self.stopped_own[account_id] = now  # what the cluster is, for its other members
            changed = True
        if account_id not in self.blocked:
            self.blocked[account_id] = now
            self._stopped(account_id, now)
            changed = True  # failover evidence for the next joiner at once
        cid = self.graph.cluster_of(account_id)
        if changed and cid is not None:
            self.invalidate_risk(cid)

    def note_refused(self, account_id: str) -> None:
        """The platform was first seen refusing the account service (``Profile.refused_at``):
        failover evidence for its cluster's next joiner at once, as after a block of ours."""
        p = self.profiles.get(account_id)
        if p is not None and p.refused_at is not None:
            self._stopped(account_id, p.refused_at)
        cid = self.graph.cluster_of(account_id)
        if cid is not None:
            self.invalidate_risk(cid)

    def _stopped(self, account_id: str, at: float) -> None:
        """Remember that an account paying with its card was stopped at ``at``."""
        p = self.profiles.get(account_id)
        if p is not None and p.card and at > self._stopped_cards.get(p.card, -math.inf):
            self._stopped_cards[p.card] = at

    def watches(self, event: Event) -> bool:
        """Whether an account seen for the first time pays with the card of an account
        stopped (by a decision or by the platform) within ``failover_seconds``: likely its
        replacement, worth judging within seconds (:class:`~distillguard.models.engine.JoinWatch`).
        Only a look: it links and judges nothing itself."""
        if not self._stopped_cards:
            return False
        account = event.account
        card = account.payment_fingerprint if account is not None else None
        if not card:
            return False
        at = self._stopped_cards.get(f"card:{hash_str(str(card))}")
        return at is not None and event.ts - at <= self.config.failover_seconds

    def reassess_small(self, active: Iterable[str]) -> None:
        """Forget the cached risk of small clusters that have an ``active`` member: a
        fleet's first accounts show what they are within a minute or two, sooner than
        ``refresh_seconds``, and evidence by evidence."""
        risk, cluster_of, members = self._risk, self.graph.cluster_of, self.graph.members
        for account_id in active:
            cid = cluster_of(account_id)
            if cid is None:
                continue
            if cid in risk and len(members(cid)) < SMALL:
                del risk[cid]

    def invalidate_risk(self, cid: str) -> None:
        """Forget the cached risk of cluster ``cid``: its inputs changed (a member was
        enforced, or a member's activity arrived), so the next read recomputes it."""
        self._risk.pop(cid, None)

    def _maintain(self, now: float) -> None:
        self._maintained = now
        self._expire(now)
        horizon = now - self.config.ttl_seconds
        for times in (self.blocked, self.stopped_own):
            for a in [a for a, t in times.items() if t < horizon]:
                del times[a]
        cards = self._stopped_cards
        for card in [c for c, t in cards.items() if now - t > self.config.failover_seconds]:
            del cards[card]
        self._risk.clear()
        self._apart.clear()
        self._seats.clear()
        self._risen = {cid for cid in self._risen if self.graph.members(cid)}

    # testimony ------------------------------------------------------------------------
    def cluster_risk(self, cid: str, now: float) -> tuple[ClusterRisk, list[float]]:
        """The cluster's risk and its members' enforcement times (cached for a while, and
        until members join or leave, or a member of a small cluster is active); with it,
        the own risk of each group its failover does not reach (:meth:`member_risk`)."""
        cached = self._risk.get(cid)
        size = len(self.graph.members(cid))
        # a few members more or less change a large cluster's risk little: recompute at once
        # only when the membership moved by more than a tenth (always, for a small cluster)
        if cached is not None and (
            now - cached[0].computed_at < self.config.refresh_seconds
            and abs(size - cached[2]) * 10 <= cached[2]
        ):
            return cached[0], cached[1]
        c = self.config
        members = sorted(self.graph.members(cid))
        blocked = self._stops(members)
        joiners = [
            a
            for a in members
            if a in self.profiles and self._is_failover(self.profiles[a], blocked, now)
        ]
        risk, established = self._judge(members, now, len(joiners))
        self._apart.pop(cid, None)
        if joiners and risk.risk > 0.0:
            apart: dict[str, ClusterRisk] = {}
            for group in self._beyond_failover(members, joiners):
                apart.update(dict.fromkeys(group, self._judge(sorted(group), now, 0)[0]))
            if apart:
                self._apart[cid] = apart
        seats: dict[tuple[str | None, str], float] = {}
        for q in established:
            card = q.card
            if card and q.created_at is not None:
                for key in ((q.org, card), (None, card)) if q.org else ((None, card),):
                    seats[key] = min(q.created_at, seats.get(key, q.created_at))
        if seats:
            self._seats[cid] = seats
        else:
            self._seats.pop(cid, None)
        before = cached[0].risk if cached is not None else 0.0
        if risk.risk >= c.hold_risk and risk.risk >= before + RISE:
            self._risen.add(cid)
        self._risk[cid] = (risk, blocked, size)
        return risk, blocked

    def _judge(
        self, members: list[str], now: float, failover_joins: int
    ) -> tuple[ClusterRisk, list[Profile]]:
        """:func:`~distillguard.models.clusters.coordination.assess` of ``members`` (of one
        cluster, sorted), and its established members not enforced against (their cards
        vouch, :meth:`established_since`)."""
        c = self.config
        profiles = [self.profiles[a] for a in members if a in self.profiles]
        profiles.sort(key=lambda q: (-q.last_seen, q.account_id))
        recent = [q for q in profiles if q.last_seen >= now - 3600.0]
        sample = recent[: c.stats_sample]
        scale = len(recent) / len(sample) if sample else 1.0
        infra = sum(1 for q in sample if self._infra_linked(q.account_id)) / max(1, len(sample))
        stopped = sum(
            1 for q in profiles if q.account_id in self.stopped_own or q.refused_at is not None
        )
        # established members, active or not, not enforced against: their cards vouch
        established = [
            q
            for q in profiles
            if q.card and not q.is_new(now) and q.account_id not in self.enforced
        ]
        risk = assess(
            sample,
            now,
            failover_joins=failover_joins,
            infra_share=infra,
            min_members=c.min_members,
            scale=scale,
            stopped_share=stopped / len(profiles) if profiles else 0.0,
            vouching=frozenset(str(q.card) for q in established),
        )
        return risk, established

    def _reached(self, account_id: str) -> Iterator[str]:
        """The account's *group*, member by member as they are reached: the members
        linked to it through links that are more than a sign-up time and templates
        (:func:`~distillguard.models.clusters.graph.coincidence`)."""
        group = {account_id}
        todo = [account_id]
        yield account_id
        while todo:
            for b, (_, kinds, _) in self.graph.neighbours(todo.pop()).items():
                if b not in group and not coincidence(kinds):
                    group.add(b)
                    todo.append(b)
                    yield b

    def _group(self, account_id: str) -> set[str]:
        return set(self._reached(account_id))

    def _beyond_failover(self, members: list[str], joiners: list[str]) -> list[set[str]]:
        """The groups (:meth:`_group`) of ``BRIDGE_MIN`` members or more that hold none of
        the cluster's replacements (``joiners``): a course whose attendees signed up in the
        same hours as a fleet's first accounts and drew the same public exercises is
        linked to the fleet by nothing else, and the fleet replacing its accounts says
        nothing about them. Groups that large meet no other one on coincidences alone
        (:meth:`~distillguard.models.clusters.graph.ClusterGraph._joins`); what joined
        them was a group still smaller, so each is judged alone, with the smaller groups
        not replaced whose links all go to it (or to it most, among groups judged
        alone)."""
        # an account keeps its strongest links only (``MAX_NEIGHBOURS``): a link may be
        # known from one end, so a group reaching the replacements' is theirs
        everyone = set(members)
        window = self.config.failover_seconds
        arrivals = sorted(self.profiles[a].first_seen for a in joiners)

        def replaced(group: set[str]) -> bool:
            """Whether a member of the group was stopped within ``failover_seconds``
            before a replacement was first seen: what the failover replaced."""
            for account_id in group:
                at = self._stopped_at(account_id)
                if at is not None:
                    i = bisect.bisect_left(arrivals, at)
                    if i < len(arrivals) and arrivals[i] - at <= window:
                        return True
            return False

        reach: set[str] = set()
        for account_id in joiners:
            if account_id not in reach:
                reach |= self._group(account_id)
        left = everyone - reach
        beyond: list[set[str]] = []
        small: list[set[str]] = []
        while left:
            group = self._group(left.pop()) & everyone
            left -= group
            if len(group) >= BRIDGE_MIN:
                if group.isdisjoint(reach) and not replaced(group):
                    beyond.append(group)
            elif not replaced(group):
                small.append(group)
        # an attendee tied to the course by nothing but sign-up times and exercises is a
        # group of its own; when all its links go to groups judged alone, it goes with
        # the one it has most links to (one link to the replacements' side keeps it there)
        owner = {a: i for i, group in enumerate(beyond) for a in group}
        for group in small:
            near = [
                owner.get(b)
                for a in group
                for b in self.graph.neighbours(a)
                if b in everyone and b not in group
            ]
            sides = [i for i in near if i is not None]
            if sides and len(sides) == len(near):
                beyond[max(sorted(set(sides)), key=sides.count)] |= group
        return beyond

    def member_risk(self, account_id: str, cid: str, now: float) -> tuple[ClusterRisk, list[float]]:
        """The cluster's risk as it testifies about one member (:meth:`cluster_risk`); for
        a member of a group beyond its failover's reach, that group's own risk
        (:meth:`_beyond_failover`)."""
        risk, blocked = self.cluster_risk(cid, now)
        alone = self._apart.get(cid, {}).get(account_id)
        return (alone if alone is not None else risk), blocked

    def established_since(self, account_id: str, now: float) -> tuple[float | None, float | None]:
        """For a new or unverified account, when the oldest established (aged, verified,
        not enforced against) member of its cluster paying with the same card was
        created: among those in the same organisation (the *seat*), and among all (the
        *payer*); ``None`` where there is none.

        In the same organisation the account is a new seat of an established customer, a
        new hire on the company card: no fresh identity (a fleet that put its accounts
        into one organisation would share that organisation's limits, and its cluster
        has no risk: one customer). On the card alone its *payer* is an established
        customer, which vouches for it being no fresh identity but not for what it does
        (a fleet can pay with one aged account's card)."""
        p = self.profiles.get(account_id)
        if p is None or not p.card or not p.is_new(now):
            return None, None
        cid = self.graph.cluster_of(account_id)
        if cid is None:
            return None, None
        self.cluster_risk(cid, now)
        seats = self._seats.get(cid)
        if not seats:
            return None, None
        return (seats.get((p.org, p.card)) if p.org else None), seats.get((None, p.card))

    def account_features(self, account_id: str, now: float) -> dict[str, float]:
        """What the account's cluster knows of its age (the engine keeps the account's own
        where it is larger, :class:`~distillguard.models.engine.FeatureSource`):
        ``identity_age_days`` of a new seat in an established organisation and
        ``payer_age_days`` of a new account paying with an established member's card,
        the age of that colleague (:meth:`established_since`)."""
        return ages(*self.established_since(account_id, now), now)

    def due(self, now: float) -> list[str]:
        """Members to score now although quiet this tick: the not yet enforced members,
        active within the hour, of clusters whose risk rose since the last call. A slow
        member is otherwise judged only at its next request, which is then already served.
        The engine scores them after the tick's active accounts (``DueSource``)."""
        out: set[str] = set()
        horizon = now - 3600.0
        for cid in self._risen:
            for account_id in self.graph.members(cid):
                p = self.profiles.get(account_id)
                if p is not None and account_id not in self.enforced and p.last_seen >= horizon:
                    out.add(account_id)
        self._risen.clear()
        return sorted(out)

    def _stops(self, members: Iterable[str]) -> list[float]:
        """When members were first stopped, sorted: throttled, challenged or suspended by a
        decision, or refused service by the platform (blocked by another defence), whichever
        came first. Replacing an account after a 403 is failover as much as after ours."""
        out = [at for at in map(self._stopped_at, members) if at is not None]
        out.sort()
        return out

    def _stopped_at(self, account_id: str) -> float | None:
        """When the account was first throttled or stopped, by a decision or by the
        platform (:meth:`_stops`); ``None``: never."""
        at = self.blocked.get(account_id)
        p = self.profiles.get(account_id)
        refused = p.refused_at if p is not None else None
        if refused is not None and (at is None or refused < at):
            at = refused
        return at

    def _infra_linked(self, account_id: str) -> bool:
        return any(
            "card" in kinds or "net" in kinds
            for _, kinds, _ in self.graph.neighbours(account_id).values()
        )

    def _is_failover(self, p: Profile, blocked: list[float], now: float) -> bool:
        """First seen within ``failover_seconds`` after a member of its cluster was
        throttled or stopped, by a decision or by the platform (``blocked``: those times,
        sorted, :meth:`_stops`), and not :meth:`peripheral`: a replacement. (A member
        merely degraded is not replaced; one degraded by mistake must not make every
        colleague who joins after it a failover. A replacement is put in with the fleet's
        cards, templates and proxies; an account hanging on the cluster by its ISP's
        network and a popular SDK is a customer whose day started after the block.)"""
        if (
            not blocked
            or p.account_id in self.enforced
            and self.enforced[p.account_id] <= p.first_seen
        ):
            return False
        i = bisect.bisect_right(blocked, p.first_seen)
        if i == 0 or p.first_seen - blocked[i - 1] > self.config.failover_seconds:
            return False
        return not self.peripheral(p.account_id, now) and self._replaces(p)

    def _replaces(self, p: Profile) -> bool:
        """Whether the account's group (:meth:`_group`) is one that replaces its own: a
        group smaller than ``BRIDGE_MIN``, or one of which a member was stopped within
        ``failover_seconds`` before the account was first seen. An attendee who joins a
        course late, after a fleet that met the course by a coincidence of sign-up times
        and exercises lost an account, replaces nobody; a fleet's replacement is put in
        with its cards, networks and tooling, or is one of a few accounts tied to the
        fleet by its sign-up bursts and templates alone."""
        window = self.config.failover_seconds
        size = 0
        for b in self._reached(p.account_id):
            size += 1
            at = self._stopped_at(b)
            if at is not None and 0.0 <= p.first_seen - at <= window:
                return True
        return size < BRIDGE_MIN

    def holds(self, account_id: str) -> bool:
        """True when the account belongs to a cluster risky enough to score it while quiet
        (as of the last tick observed: a fresh member is scored on its first tick)."""
        cid = self.graph.cluster_of(account_id)
        if cid is None:
            return False
        cached = self._risk.get(cid)
        if (
            cached is not None
            and cached[0].computed_at == self._now
            and cached[2] == len(self.graph.members(cid))
        ):  # computed this tick, membership unchanged: what cluster_risk would return
            return cached[0].risk >= self.config.hold_risk
        return self.cluster_risk(cid, self._now)[0].risk >= self.config.hold_risk

    def peripheral(self, account_id: str, now: float | None = None) -> bool:
        """Whether the account hangs on its cluster by links that all rest on nothing but
        networks, sign-up times and popular software (``WEAK_KINDS``), fewer than
        ``CORE_LINKS`` of them on a network or a sign-up time to members the cluster holds
        (:meth:`_held`; a campus network links a student to developers who are bystanders
        of the fleet themselves): a residential /24 a member or two of a rotating fleet
        came through, or the ten minutes one signed up in (hundreds do on a large
        platform), and the benchmark format everybody uses are a coincidence such a fleet
        makes with some customer every day; and however many
        accounts it shares a browser on its ISP's network and popular questions with
        (``SOFT_KINDS`` alone: a class's shared account on campus, the hobbyists on the
        same ISP), it shares software, not an operator; nor do any count for an aged
        customer at home on its own work (:meth:`Profile.resident`), whose /24 a fleet's
        sticky proxies exit through. Unless the account itself harvests from behind
        several providers' networks (:meth:`Profile.spreads_providers`, as of ``now``,
        else the latest tick): an aged account on sticky residential proxies, which comes
        near the fleet's members by the same chance, is one of them. Members of a fleet
        share its card or proxy rotation, or are linked to several members by its proxies
        and sign-up bursts."""
        links = self.graph.neighbours(account_id)
        if not links:
            return True  # its links were dropped (their values grew popular) until the rebuild
        if not all(set(kinds) <= WEAK_KINDS for _, kinds, _ in links.values()):
            return False
        p = self.profiles.get(account_id)
        at = self._now if now is None else now
        core = sum(1 for b, (_, kinds, _) in links.items() if _firm(kinds) and self._held(b))
        if core >= CORE_LINKS:
            return p is not None and p.resident(at)
        return p is None or not p.spreads_providers(at)

    def _held(self, account_id: str) -> bool:
        """Whether the cluster holds the account by more than weak links, or by
        ``CORE_LINKS`` weak links on a network or a sign-up time (:meth:`peripheral`,
        without asking its neighbours in turn)."""
        links = self.graph.neighbours(account_id).values()
        return any(not set(kinds) <= WEAK_KINDS for _, kinds, _ in links) or (
            sum(1 for _, kinds, _ in links if _firm(kinds)) >= CORE_LINKS
        )

    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        c = self.config
        if not c.enabled:
            return []
        cid = self.graph.cluster_of(account_id)
        if cid is None:
            return []
        risk, blocked = self.member_risk(account_id, cid, now)
        out: list[Evidence] = []
        p = self.profiles.get(account_id)
        off = p is not None and off_work(p, risk, now)
        if risk.risk > 0.0:
            top = "; ".join(d for _, d, _ in risk.reasons[:3])
            scale, note = c.evidence_scale, ""
            if self.peripheral(account_id, now):
                scale *= PERIPHERAL_SHARE
                note = " (attached by network, sign-up time and software alone)"
            elif off:
                scale *= PERIPHERAL_SHARE
                note = " (its own requests are not on the cluster's workload)"
            out.append(
                Evidence(
                    "cluster",
                    "cluster.coordinated",
                    f"member of coordinated cluster {cid} ({risk.active} active){note}: {top}",
                    round(risk.risk * scale, 6),
                    "cluster" if risk.stats.get("acting") else ALONE_FAMILY,
                    shadow=c.shadow,
                    cluster_id=cid,
                )
            )
        if (
            p is not None
            and not off
            and c.failover_weight > 0
            and self._is_failover(p, blocked, now)
        ):
            out.append(
                Evidence(
                    "cluster",
                    "cluster.failover_join",
                    f"appeared right after other members of cluster {cid} were throttled, "
                    "stopped or refused service",
                    c.failover_weight,
                    "cluster_failover",
                    shadow=c.shadow,
                    cluster_id=cid,
                )
            )
        return out
