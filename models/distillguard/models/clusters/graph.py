"""Clusters as connected components of evidence-weighted links, with stable ids.

Links are added as they are found (union-find, near O(1)); links decay: each carries the
event time it was last confirmed, and :meth:`ClusterGraph.rebuild` drops links older than
``ttl`` and recomputes the components from the live ones. Two clusters of ``BRIDGE_MIN``
members or more merge only through a common payer or member to member, by links that are
more than a sign-up time and templates (:meth:`ClusterGraph._joins`), never through one
account's coincidence. A cluster's id is a hash of its *anchor*, the earliest-seen member
(ties by account id), so it does not change as members join, nor when two clusters merge
(the older anchor wins).

>>> g = ClusterGraph(ttl=100.0)
>>> g.link("b", "c", 0.8, 10.0, first_seen={"b": 5.0, "c": 7.0})
>>> g.link("a", "b", 0.8, 20.0, first_seen={"a": 1.0, "b": 5.0})
>>> g.cluster_of("c") == g.cluster_of("a") == cluster_id("a")
True
>>> sorted(g.members(g.cluster_of("c") or ""))
['a', 'b', 'c']
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Final

#: Neighbours remembered per account (the strongest are kept).
MAX_NEIGHBOURS: Final = 16
#: Clusters of at least this many members merge only on a link through a common payer
#: (``PAYER_KINDS``) or on ``BRIDGES`` links between distinct members on either side.
BRIDGE_MIN: Final = 5
BRIDGES: Final = 2
PAYER_KINDS: Final = frozenset({"card", "hop"})
#: Kinds a large platform's accounts share by chance every day: the ten minutes they signed
#: up in and templates of a public pool. Links of these alone join no two clusters of
#: ``BRIDGE_MIN`` members or more.
COINCIDENCE_KINDS: Final = frozenset({"created", "prompt"})


def coincidence(kinds: tuple[str, ...]) -> bool:
    """Whether a link of ``kinds`` rests on nothing but a sign-up time and templates."""
    return bool(kinds) and all(k in COINCIDENCE_KINDS for k in kinds)


def cluster_id(anchor: str) -> str:
    return "cl-" + hashlib.sha256(anchor.encode()).hexdigest()[:16]


class ClusterGraph:
    def __init__(self, ttl: float = 6 * 3600.0) -> None:
        self.ttl = ttl
        #: account -> neighbour -> (strength, kinds, last confirmed)
        self.edges: dict[str, dict[str, tuple[float, tuple[str, ...], float]]] = {}
        self.first_seen: dict[str, float] = {}
        self._parent: dict[str, str] = {}
        self._members: dict[str, set[str]] = {}  # root -> members
        self._anchor: dict[str, tuple[float, str]] = {}  # root -> (first seen, account)
        self._ids: dict[str, str] = {}  # cluster id -> root
        self._cid: dict[str, str] = {}  # root -> cluster id

    # union-find -------------------------------------------------------------------
    def _find(self, a: str) -> str:
        parent = self._parent
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    def _add(self, a: str) -> None:
        if a not in self._parent:
            self._parent[a] = a
            self._members[a] = {a}
            self._anchor[a] = (self.first_seen.get(a, 0.0), a)
            self._cid[a] = cid = cluster_id(a)
            self._ids[cid] = a

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if len(self._members[ra]) < len(self._members[rb]):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._members[ra] |= self._members.pop(rb)
        del self._ids[self._cid.pop(rb)]
        del self._ids[self._cid[ra]]
        anchor = min(self._anchor.pop(rb), self._anchor[ra])
        self._anchor[ra] = anchor
        self._cid[ra] = cid = cluster_id(anchor[1])
        self._ids[cid] = ra

    # links ------------------------------------------------------------------------
    def link(
        self,
        a: str,
        b: str,
        strength: float,
        now: float,
        first_seen: Mapping[str, float],
        kinds: tuple[str, ...] = (),
    ) -> None:
        """Record (or refresh) a link between two accounts and merge their clusters."""
        for x in (a, b):
            if x not in self.first_seen:
                self.first_seen[x] = first_seen.get(x, now)
        for x, y in ((a, b), (b, a)):
            nbrs = self.edges.setdefault(x, {})
            if y not in nbrs and len(nbrs) >= MAX_NEIGHBOURS:
                weakest = min(nbrs, key=lambda n: (nbrs[n][0], nbrs[n][2]))
                if (nbrs[weakest][0], nbrs[weakest][2]) > (strength, now):
                    continue  # x has enough stronger links; the union below still holds
                del nbrs[weakest]
            nbrs[y] = (strength, kinds, now)
        self._add(a)
        self._add(b)
        if self._joins(a, b, kinds):
            self._union(a, b)

    def _joins(self, a: str, b: str, kinds: tuple[str, ...]) -> bool:
        """Whether a link between ``a`` and ``b`` merges their clusters. An account joins
        a cluster on one link, and small clusters merge on one; two clusters of
        ``BRIDGE_MIN`` members or more merge on a link through a common payer, or once
        ``BRIDGES`` links that are more than a coincidence (:func:`coincidence`) join
        distinct members on both sides. One account that shares a sign-up time and a
        template with a course, or a home network with a team, is a coincidence a
        platform's scale makes every day, and so are a course's attendees and a fleet's
        accounts that signed up in the same hours and drew on one public pool of
        templates, however many of them meet; two groups that act as one share a payer,
        or networks or clients member to member."""
        ra, rb = self._find(a), self._find(b)
        members = self._members
        if ra == rb or len(members[ra]) < BRIDGE_MIN or len(members[rb]) < BRIDGE_MIN:
            return True
        if PAYER_KINDS.intersection(kinds):
            return True
        if len(members[ra]) > len(members[rb]):
            ra, rb = rb, ra
        ends: set[str] = set()
        starts: set[str] = set()
        parent = self._parent
        for x in members[ra]:
            for y, (_, link_kinds, _) in self.edges.get(x, {}).items():
                if y in parent and not coincidence(link_kinds) and self._find(y) == rb:
                    starts.add(x)
                    ends.add(y)
        return min(len(starts), len(ends)) >= BRIDGES

    def unlink(self, a: str, b: str) -> None:
        """Forget a link that no longer holds; components split at the next rebuild."""
        for x, y in ((a, b), (b, a)):
            nbrs = self.edges.get(x)
            if nbrs is not None:
                nbrs.pop(y, None)
                if not nbrs:
                    del self.edges[x]

    def rebuild(self, now: float) -> None:
        """Drop links not confirmed within ``ttl`` and recompute the components."""
        horizon = now - self.ttl
        for a in list(self.edges):
            nbrs = self.edges[a]
            for b in [b for b, e in nbrs.items() if e[2] < horizon]:
                del nbrs[b]
            if not nbrs:
                del self.edges[a]
        self._parent.clear()
        self._members.clear()
        self._anchor.clear()
        self._ids.clear()
        self._cid.clear()
        # in the order the links were confirmed, as they arrived
        links = sorted(
            (e[2], a, b, e[1]) for a, nbrs in self.edges.items() for b, e in nbrs.items() if a < b
        )
        for _, a, b, kinds in links:
            self._add(a)
            self._add(b)
            if self._joins(a, b, kinds):
                self._union(a, b)
        for a in [a for a in self.first_seen if a not in self.edges]:
            del self.first_seen[a]

    # queries ----------------------------------------------------------------------
    def cluster_of(self, account_id: str) -> str | None:
        if account_id not in self._parent:
            return None
        return self._cid[self._find(account_id)]

    def members(self, cid: str) -> set[str]:
        root = self._ids.get(cid)
        return self._members.get(root, set()) if root is not None else set()

    def neighbours(self, account_id: str) -> dict[str, tuple[float, tuple[str, ...], float]]:
        return self.edges.get(account_id, {})
