"""Linking: accounts that share enough independent values are linked in the cluster graph.

:class:`LinkMaker` keeps every account's :class:`~distillguard.models.clusters.profile.Profile`
and the :class:`~distillguard.models.clusters.index.LinkIndex` of recent members per
linking value, and links an account to the accounts it shares values with. Linking an
account compares it with at most ``sample`` recent members of each of its values; a link
needs ``min_kinds`` independent kinds of shared value (or a card, :func:`enough`) and
enough strength, each value weighted by its specificity (:meth:`LinkMaker.specificity`),
and something beyond popular software in common: an anchoring value
(:meth:`LinkIndex.anchors`) or ``ANCHOR_TEMPLATES`` popular templates
(:func:`carries_link`). A network does not count between an account that roams networks
and one that keeps its own (:func:`~distillguard.models.clusters.profile.apart`).

An account that shares nothing with a fleet but its templates is linked to it once the
fleet is enforced against: when it uses ``FLEET_TEMPLATES`` of the enforced cluster's
fleet templates (:meth:`~distillguard.models.clusters.index.LinkIndex.fleet_members`)
from behind proxies (:meth:`LinkMaker.fleet_links`).

What the clusters the links form are worth as evidence is the
:class:`~distillguard.models.clusters.linker.ClusterLinker`'s business.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from distillguard.models.clusters.config import LinkingConfig
from distillguard.models.clusters.graph import MAX_NEIGHBOURS, ClusterGraph
from distillguard.models.clusters.index import FLEET_TEMPLATES, LinkIndex, carries_link
from distillguard.models.clusters.profile import Profile, apart
from distillguard.models.clusters.values import (
    KIND_WEIGHTS,
    kind_of,
    linking_values,
    merge_profile,
)
from distillguard.models.features.slices import AccountSlice

#: An account is relinked at most this often, however many new values it shows.
MIN_RELINK_SECONDS = 300.0
#: Values remembered per account (beyond it, only the latest slice's values are kept).
MAX_VALUES = 64
#: The kind of a link to an enforced fleet whose templates an account uses
#: (:meth:`LinkMaker.fleet_links`).
FLEET_KIND = "fleet"


def enough(kinds: Collection[str], need: int) -> bool:
    """Whether a pair shares enough kinds of value to be linked: ``need`` independent
    kinds, or a card. One card paying for two accounts names their payer, whatever else
    they share; what the cluster is worth is its risk's business (a company card's
    accounts are one organisation, a reseller's clients do their own products' work)."""
    return len(kinds) >= need or "card" in kinds


class LinkMaker:
    """Profiles, the value index and the links between accounts (pure; event time only)."""

    def __init__(self, config: LinkingConfig | None = None) -> None:
        self.config = c = config or LinkingConfig()
        self.index = LinkIndex(cap=c.member_cap, ttl=c.ttl_seconds)
        self.graph = ClusterGraph(ttl=c.ttl_seconds)
        self.profiles: dict[str, Profile] = {}
        #: account -> first enforcing decision (its values count as a new account's)
        self.enforced: dict[str, float] = {}
        self._spec: dict[str, tuple[float, float]] = {}  # value -> (computed at, spec)
        self.links_made = 0

    def _absorb(
        self, slices: Mapping[str, AccountSlice], now: float
    ) -> tuple[list[str], list[Profile], list[tuple[Profile, set[str]]]]:
        """Fold one tick's slices into the profiles and the index (any order of accounts).
        Returns the accounts the platform was first seen refusing service, the accounts
        due a full relink (every ``relink_seconds``, or at most every
        ``MIN_RELINK_SECONDS`` once they share something new with accounts outside their
        cluster), and the others with the values they just showed (:meth:`_link_due`)."""
        c = self.config
        refused_now: list[str] = []
        relink: list[Profile] = []
        extend: list[tuple[Profile, set[str]]] = []
        for account_id in sorted(slices):
            piece = slices[account_id]
            values = linking_values(piece)
            known = self.profiles.get(account_id)
            refused = known.refused_at if known is not None else None
            p = merge_profile(self.profiles, piece, values)
            if refused is None and p.refused_at is not None:
                refused_now.append(account_id)
            self.index.add_all(values, account_id, piece.last_ts)
            fresh = values - p.values
            union = p.values | values
            p.values = values if len(union) > MAX_VALUES else union
            if p.linked_at < 0 or now - p.linked_at >= c.relink_seconds:
                relink.append(p)
            elif now - p.linked_at >= MIN_RELINK_SECONDS and any(
                self._news(account_id, v) for v in fresh
            ):
                relink.append(p)  # it now shares something with accounts outside its cluster
            elif fresh:
                extend.append((p, fresh))
        return refused_now, relink, extend

    def _expire(self, now: float) -> None:
        """Forget what was not seen within ``ttl_seconds``: index members, links (the graph
        is rebuilt from the live ones, which splits clusters whose links decayed),
        profiles and enforcement times; and every cached specificity."""
        horizon = now - self.config.ttl_seconds
        self.index.expire(now)
        self.graph.rebuild(now)
        for a in [a for a, p in self.profiles.items() if p.last_seen < horizon]:
            del self.profiles[a]
        for a in [a for a, t in self.enforced.items() if t < horizon]:
            del self.enforced[a]
        self._spec.clear()

    def _link_due(
        self, relink: list[Profile], extend: list[tuple[Profile, set[str]]], now: float
    ) -> None:
        """Relink ``relink`` in full, and link each of ``extend`` by its fresh values."""
        for p in relink:
            self._link(p, now)
        for p, fresh in extend:
            self._link_fresh(p, fresh, now)

    def _news(self, account_id: str, value: str) -> bool:
        """Whether a value the account just showed links it to some account outside its
        cluster (prompt values churn too much to trigger relinking on their own)."""
        if value.startswith("prompt:"):
            return False
        mine = self.graph.cluster_of(account_id)
        return any(
            other != account_id and (mine is None or self.graph.cluster_of(other) != mine)
            for other in self.index.recent(value, 8)
        )

    def specificity(self, value: str, now: float) -> float:
        """1 for a card, network or creation bucket few accounts share; for a popular one,
        and for any prompt or client value, ``0.4 + 0.6 x`` the share of its recent members
        that are new or unverified, or enforced against (a framework default template is
        shared by aged, verified customers in good standing; a fleet's template by fresh
        accounts, or by aged ones found out)."""
        cached = self._spec.get(value)
        if cached is not None and now - cached[0] < self.config.refresh_seconds:
            return cached[1]
        profiles, enforced = self.profiles, self.enforced

        def is_new(account_id: str) -> bool | None:
            p = profiles.get(account_id)
            if p is None:
                return None
            return p.is_new(now) or account_id in enforced

        c = self.config
        spec = self.index.specificity(value, c.popular_members, c.sample, is_new)
        self._spec[value] = (now, spec)
        return spec

    def fleet_links(self, p: Profile) -> dict[str, tuple[float, str]]:
        """Enforced clusters whose templates the account uses: cluster id -> (strength,
        an enforced member to link to), for each cluster of whose enforced members it
        shares ``FLEET_TEMPLATES`` fleet templates or more
        (:meth:`~distillguard.models.clusters.index.LinkIndex.fleet_members`), from behind
        proxies (:meth:`Profile.behind_proxies`: hopping across them, or an aged account
        harvesting through several providers' networks), unless it is an established
        enterprise customer (:meth:`Profile.fleet_linkable`).

        A fleet's templates are its own tooling: once its accounts are enforced against,
        an account still harvesting with two of them is one of its accounts that shared
        nothing else with them (its own card and proxies), or its replacement. A
        framework's template is shared by customers in good standing."""
        enforced = self.enforced
        if not enforced or not p.fleet_linkable(p.last_seen):
            return {}
        c = self.config
        cluster_of = self.graph.cluster_of
        mine = cluster_of(p.account_id)
        found: dict[str, dict[str, str]] = {}  # cluster -> template -> an enforced member
        for value in p.values:
            for a in self.index.fleet_members(
                value, p.account_id, c.popular_members, c.sample, enforced
            ):
                cid = cluster_of(a)
                if cid is not None and cid != mine:
                    found.setdefault(cid, {}).setdefault(value, a)
        out = {}
        for cid, templates in found.items():
            if len(templates) >= FLEET_TEMPLATES:
                member = max(templates.values(), key=lambda a: (enforced[a], a))
                out[cid] = (KIND_WEIGHTS["prompt"] * len(templates), member)
        return out

    def _link_fleets(self, p: Profile, now: float) -> None:
        """Link the account to each enforced cluster whose templates it uses
        (:meth:`fleet_links`)."""
        for strength, other in self.fleet_links(p).values():
            q = self.profiles.get(other)
            first_seen = {p.account_id: p.first_seen}
            if q is not None:
                first_seen[other] = q.first_seen
            self.graph.link(p.account_id, other, round(strength, 4), now, first_seen, (FLEET_KIND,))
            self.links_made += 1

    def _link(self, p: Profile, now: float) -> None:
        c = self.config
        p.linked_at = now
        # other account -> kind -> strongest shared value of that kind (weights are > 0)
        shared: dict[str, dict[str, float]] = {}
        anchored: set[str] = set()  # others sharing a value that can carry a link
        templates: dict[str, int] = {}  # others -> popular templates shared
        entries, recent, sample = self.index.values, self.index.recent, c.sample
        roams, profiles = p.roams(), self.profiles
        for value in p.values:
            entry = entries.get(value)
            if entry is None or len(entry.members) < 2:
                continue
            kind = kind_of(value)
            weight = KIND_WEIGHTS[kind] * self.specificity(value, now)
            anchor = self.index.anchors(value, c.popular_members)
            for other in recent(value, sample):
                if kind == "net" and roams is not None:
                    q = profiles.get(other)
                    if q is not None and apart(roams, q.roams()):
                        continue  # one came through the other's network
                if anchor:
                    anchored.add(other)
                elif kind == "prompt":
                    templates[other] = templates.get(other, 0) + 1
                kinds = shared.get(other)
                if kinds is None:
                    shared[other] = {kind: weight}
                elif weight > kinds.get(kind, 0.0):
                    kinds[kind] = weight
        shared.pop(p.account_id, None)
        need, threshold = c.min_kinds, c.link_threshold
        found = []
        for other, kinds in shared.items():
            if enough(kinds, need) and carries_link(other in anchored, templates.get(other, 0)):
                strength = sum(kinds.values())
                if strength >= threshold:
                    found.append((-round(strength, 4), other))
        linked = {other for _, other in found}
        for strength, other in self.fleet_links(p).values():
            if other not in linked:
                shared[other] = {FLEET_KIND: strength}
                found.append((-round(strength, 4), other))
        found.sort()
        del found[MAX_NEIGHBOURS:]
        held = self.graph.neighbours(p.account_id)
        keep = {other for _, other in found}
        for other in [o for o in held if o not in keep]:
            self.graph.unlink(p.account_id, other)  # the values it rested on grew popular
        if not found:
            return
        first_seen = {
            other: self.profiles[other].first_seen for _, other in found if other in self.profiles
        }
        first_seen[p.account_id] = p.first_seen
        held = self.graph.neighbours(p.account_id)
        for neg, other in found:
            edge = held.get(other)
            if edge is not None and now - edge[2] < c.ttl_seconds / 4:
                continue  # confirmed recently; nothing changed
            link_kinds = tuple(sorted(shared[other]))
            self.graph.link(p.account_id, other, -neg, now, first_seen, link_kinds)
            self.links_made += 1

    def _link_fresh(self, p: Profile, fresh: set[str], now: float) -> None:
        """Link an account to accounts outside its cluster that it now shares enough with
        through a value it just showed (a slow account's next template, a member's new
        proxy): only the members of the fresh values are compared, each by the values
        both accounts showed, so an account is linked at the first tick that could link
        it instead of at its next full relink."""
        self._link_fleets(p, now)
        c = self.config
        entries, cluster_of = self.index.values, self.graph.cluster_of
        mine = cluster_of(p.account_id)
        roams = p.roams()
        candidates: set[str] = set()
        for value in fresh:
            entry = entries.get(value)
            if entry is None or len(entry.members) < 2:
                continue
            for other in self.index.recent(value, c.sample):
                if other != p.account_id and (mine is None or cluster_of(other) != mine):
                    candidates.add(other)
        if not candidates:
            return
        weights: dict[str, tuple[float, bool]] = {}  # value -> (weight, anchors)
        first_seen = {p.account_id: p.first_seen}
        for other in sorted(candidates):
            q = self.profiles.get(other)
            if q is None or (mine is not None and cluster_of(other) == mine):
                continue
            kinds: dict[str, float] = {}
            anchored = False
            templates = 0
            passing = roams is not None and apart(roams, q.roams())
            for value in p.values & q.values:
                entry = entries.get(value)
                if entry is None or other not in entry.members:
                    continue  # forgotten there (expired or evicted)
                kind = kind_of(value)
                if passing and kind == "net":
                    continue
                known = weights.get(value)
                if known is None:
                    known = weights[value] = (
                        KIND_WEIGHTS[kind] * self.specificity(value, now),
                        self.index.anchors(value, c.popular_members),
                    )
                weight, anchor = known
                if anchor:
                    anchored = True
                elif kind == "prompt":
                    templates += 1
                if weight > kinds.get(kind, 0.0):
                    kinds[kind] = weight
            strength = sum(kinds.values())
            if not enough(kinds, c.min_kinds) or strength < c.link_threshold:
                continue
            if not carries_link(anchored, templates):
                continue
            first_seen[other] = q.first_seen
            self.graph.link(
                p.account_id, other, round(strength, 4), now, first_seen, tuple(sorted(kinds))
            )
            self.links_made += 1
            mine = self.graph.cluster_of(p.account_id)
