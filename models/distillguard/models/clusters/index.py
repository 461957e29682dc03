"""Bounded recent membership per linking value.

Each value keeps at most ``cap`` members (the least recently seen is evicted first) and
forgets members not seen for ``ttl`` seconds of event time, so state per value is bounded
whatever the traffic, and a value shared by the whole internet (a framework's default
template, a big cloud's ASN) costs no more than a rare one. ``seen`` counts every member
ever admitted, so a value that overflowed its cap is still known to be popular.

>>> idx = LinkIndex(cap=2, ttl=100.0)
>>> for i, t in enumerate((1.0, 2.0, 3.0)):
...     idx.add("prompt:1", f"a{i}", t)
>>> sorted(idx.members("prompt:1")), idx.popularity("prompt:1")
(['a1', 'a2'], 3)
>>> idx.expire(200.0); idx.members("prompt:1")
{}
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from itertools import islice

from distillguard.models.clusters.values import CORROBORATING, SOFT_KINDS, kind_of


@dataclass(slots=True)
class ValueEntry:
    members: dict[str, float] = field(default_factory=dict)  # account -> last seen
    seen: int = 0
    last_seen: float = 0.0


#: Popular templates two accounts must share for a link that no anchoring value
#: (:meth:`LinkIndex.anchors`) carries: a fleet's set of templates, where a framework's
#: users have its one default.
ANCHOR_TEMPLATES = 3


#: Fleet templates (:meth:`LinkIndex.fleet_members`) of one enforced cluster an account
#: must use to be linked to it on them alone ...
FLEET_TEMPLATES = 2
#: ... each used, of its other recent members, by at least this share enforced against.
FLEET_SHARE = 0.5


def carries_link(anchored: bool, popular_templates: int) -> bool:
    """Whether what two accounts share can carry a link beyond popular software: an
    anchoring value (:meth:`LinkIndex.anchors`), or ``ANCHOR_TEMPLATES`` popular templates."""
    return anchored or popular_templates >= ANCHOR_TEMPLATES


class LinkIndex:
    """Linking value -> its recent members."""

    def __init__(self, cap: int = 256, ttl: float = 6 * 3600.0) -> None:
        self.cap = cap
        self.ttl = ttl
        self.values: dict[str, ValueEntry] = {}

    def add(self, value: str, account_id: str, ts: float) -> None:
        self.add_all((value,), account_id, ts)

    def add_all(self, values: Iterable[str], account_id: str, ts: float) -> None:
        """Record that the account showed each of ``values`` at ``ts``."""
        entries, cap = self.values, self.cap
        for value in values:
            entry = entries.get(value)
            if entry is None:
                entry = entries[value] = ValueEntry()
            members = entry.members
            if account_id not in members:
                entry.seen += 1
                if len(members) >= cap:
                    del members[next(iter(members))]  # least recently seen
            elif next(reversed(members)) != account_id:
                del members[account_id]  # re-insert: dict order is recency order
            members[account_id] = ts
            if ts > entry.last_seen:
                entry.last_seen = ts

    def members(self, value: str) -> dict[str, float]:
        entry = self.values.get(value)
        return entry.members if entry is not None else {}

    def popularity(self, value: str) -> int:
        """Distinct members ever admitted (not capped)."""
        entry = self.values.get(value)
        return entry.seen if entry is not None else 0

    def recent(self, value: str, limit: int) -> list[str]:
        """The ``limit`` most recently seen members."""
        members = self.members(value)
        if len(members) <= limit:
            return list(members)
        return list(islice(reversed(members), limit))

    def specificity(
        self, value: str, popular_members: int, sample: int, is_new: Callable[[str], bool | None]
    ) -> float:
        """1 for a card, network or creation bucket at most ``popular_members`` accounts
        share; for a popular one, and for any prompt or client value, ``0.4 + 0.6 x`` the
        share of its ``sample`` most recent members that ``is_new`` (None: unknown, not
        counted)."""
        if kind_of(value) not in SOFT_KINDS and self.popularity(value) <= popular_members:
            return 1.0
        flags = [flag for a in self.recent(value, sample) if (flag := is_new(a)) is not None]
        return 0.4 + 0.6 * (sum(flags) / max(1, len(flags)))

    def anchors(self, value: str, popular_members: int) -> bool:
        """Whether a shared value can carry a link: a card, network or proxy hop, or a
        template or client stack at most ``popular_members`` accounts share.
        Two accounts that share only a popular template and a popular client stack use the
        same software (a framework and its SDK on a big cloud), as thousands of strangers
        do: however many of its users are new or enforced, that names no common operator.
        A sign-up time (``CORROBORATING``) adds to a link, never carries one: hundreds of
        strangers sign up in the same ten minutes of a release day and ask the same
        popular question."""
        kind = kind_of(value)
        if kind in CORROBORATING:
            return False
        return kind not in SOFT_KINDS or self.popularity(value) <= popular_members

    def fleet_members(
        self,
        value: str,
        account_id: str,
        popular_members: int,
        sample: int,
        enforced: Container[str],
    ) -> list[str]:
        """The members enforced against of a *fleet template* the account uses: a template
        at most ``popular_members`` accounts use, of whose other ``sample`` most recent
        members at least ``FLEET_SHARE`` are ``enforced`` (none when ``value`` is no such
        template). A framework's template is used by customers in good standing; a
        fleet's own tooling by the fleet."""
        if kind_of(value) != "prompt" or self.popularity(value) > popular_members:
            return []
        if account_id not in self.members(value):
            return []
        others = [a for a in self.recent(value, sample) if a != account_id]
        hit = [a for a in others if a in enforced]
        return hit if hit and len(hit) >= FLEET_SHARE * len(others) else []

    def expire(self, now: float) -> None:
        """Forget members (and values) not seen within ``ttl``."""
        horizon = now - self.ttl
        gone = []
        for value, entry in self.values.items():  # one pass: there are many values
            members = entry.members
            if entry.last_seen < horizon:
                gone.append(value)
            elif min(members.values(), default=horizon) < horizon:
                for account_id in [a for a, t in members.items() if t < horizon]:
                    del members[account_id]
        for value in gone:
            del self.values[value]
