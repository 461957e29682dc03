"""The Kafka-free by-value stage of cluster linking, and what the publisher feeds it.

:func:`batch_values` turns one batch of merged slices into rows per linking value (the
values each account showed, and its history shows, that are due: :class:`ValueMemo`);
:class:`ValueStage` keeps bounded recent membership per value and answers each new
membership with the co-members it now shares the value with; :class:`ProfileFeed` keeps
every account's activity profile and sends members' profiles to the clustering stage.
:class:`~distillguard.streams.worker.linking.Linking` wires them to Kafka
(docs/clusters.md, "In the Faust worker").
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from typing import Any

from distillguard.models.clusters import LinkIndex, LinkingConfig, linking_values
from distillguard.models.clusters.profile import NEW_DAYS, Profile, apart
from distillguard.models.clusters.values import KIND_WEIGHTS, kind_of, merge_profile
from distillguard.models.features import AccountSlice
from distillguard.streams.worker.clustering import encode_profile
from distillguard.streams.worker.verdicts import ClusterVerdicts

#: An active member's profile is sent to the clustering stage at most this often (event
#: time); a restarted clustering stage has every active member's activity back within it.
PROFILE_SECONDS = 60.0


def _is_new(piece: AccountSlice) -> bool:
    if piece.meta.get("verified") is False:
        return True
    created = piece.meta.get("created_at")
    return isinstance(created, int | float) and piece.last_ts - created < NEW_DAYS * 86400.0


def value_records(
    slices: Mapping[str, AccountSlice],
    values: Mapping[str, set[str]] | None = None,
    enforced: Container[str] = (),
    roams: Mapping[str, bool | None] | None = None,
    proxies: Container[str] = (),
) -> dict[str, list[list[Any]]]:
    """Linking value -> ``[[account, last_ts, first_ts, new, roams, enforced, proxies],
    ...]`` for one batch (``values``: each account's linking values, when the caller
    already has them; ``new``: new or unverified, or in ``enforced``, as
    ``ClusterLinker.specificity`` counts them; ``roams``: :meth:`Profile.roams` of the
    accounts whose profile the caller keeps; ``proxies``: the accounts behind proxies
    that a fleet's templates alone can link, :meth:`Profile.fleet_linkable`)."""
    out: dict[str, list[list[Any]]] = {}
    roaming = roams or {}
    for account_id in sorted(slices):
        piece = slices[account_id]
        stopped = account_id in enforced
        new = _is_new(piece) or stopped
        row = [
            account_id,
            piece.last_ts,
            piece.first_ts,
            new,
            roaming.get(account_id),
            stopped,
            account_id in proxies,
        ]
        mine = values.get(account_id, ()) if values is not None else linking_values(piece)
        for value in sorted(mine):
            out.setdefault(value, []).append(row)
    return out


class ValueStage:
    """Bounded members per linking value (one by-value partition's worth).

    Per value at most ``member_cap`` members; accounts and values not seen for
    ``ttl_seconds`` (event time) are forgotten every ``maintenance_seconds``.
    """

    def __init__(self, config: LinkingConfig | None = None) -> None:
        self.config = c = config or LinkingConfig()
        self.index = LinkIndex(cap=c.member_cap, ttl=c.ttl_seconds)
        self.new: dict[str, bool] = {}
        #: account -> whether it roams networks, keeps its own, or has not shown yet
        self.roams: dict[str, bool | None] = {}
        #: accounts enforced against, and those behind proxies, as last sent; and
        #: the memberships whose row said enforced
        self.enforced: set[str] = set()
        self.proxies: set[str] = set()
        self.flagged: set[tuple[str, str]] = set()
        self.first_seen: dict[str, float] = {}
        self.last_seen: dict[str, float] = {}
        #: (value, account) -> when its co-members were last sent (relinking)
        self.sent: dict[tuple[str, str], float] = {}
        self.now = 0.0
        self._maintained = -1.0

    def expire(self, now: float) -> None:
        horizon = now - self.config.ttl_seconds
        self.index.expire(now)
        for account_id in [a for a, t in self.last_seen.items() if t < horizon]:
            del self.last_seen[account_id]
            self.new.pop(account_id, None)
            self.roams.pop(account_id, None)
            self.enforced.discard(account_id)
            self.proxies.discard(account_id)
            self.first_seen.pop(account_id, None)
        index = self.index
        self.sent = {k: t for k, t in self.sent.items() if k[1] in index.members(k[0])}
        self.flagged = {k for k in self.flagged if k[1] in index.members(k[0])}

    def specificity(self, value: str) -> float:
        c = self.config
        return self.index.specificity(
            value, c.popular_members, c.sample, lambda a: bool(self.new.get(a))
        )

    def _fleet(self, value: str, account_id: str, ts: float) -> list[list[Any]]:
        """The enforced members (``[[member, first seen], ...]``) of a fleet template that
        an account behind proxies uses
        (:meth:`~distillguard.models.clusters.index.LinkIndex.fleet_members`): the
        clustering stage links it to their cluster once it uses ``FLEET_TEMPLATES`` of
        them, as :meth:`~distillguard.models.clusters.links.LinkMaker.fleet_links` does."""
        if account_id not in self.proxies or not self.enforced:
            return []
        c = self.config
        fleet = self.index.fleet_members(
            value, account_id, c.popular_members, c.sample, self.enforced
        )
        return [[b, self.first_seen.get(b, ts)] for b in fleet]

    def _fleet_records(self, value: str, accounts: set[str]) -> list[dict[str, Any]]:
        """A fleet-only record (no co-memberships) for each of ``accounts`` (members
        behind proxies whose row was no new membership, or that were there when
        another member was first said to be enforced against) to whom the value is a
        fleet template, as the replay linker would find at that member's next link."""
        out: list[dict[str, Any]] = []
        if kind_of(value) != "prompt":
            return out
        for account_id in sorted(accounts):
            ts = self.last_seen.get(account_id, self.now)
            fleet = self._fleet(value, account_id, ts)
            if fleet:
                out.append(
                    {
                        "a": account_id,
                        "fa": self.first_seen.get(account_id, ts),
                        "k": "prompt",
                        "w": 0.0,
                        "ts": ts,
                        "with": [],
                        "v": value,
                        "f": fleet,
                    }
                )
        return out

    def apply(self, value: str, rows: list[list[Any]]) -> list[dict[str, Any]]:
        """Admit members; return the co-memberships that are new, and those of members
        last sent ``relink_seconds`` ago (links decay unless confirmed): one record per
        such member, ``{"a", "fa", "k", "w", "ts", "v", "with": [[co-member, first seen],
        ...]}`` (``"v"``: the value; ``"with"``: its recent co-members, the pair stage
        drops what the member shared with anyone else through it), with ``"f"`` (its
        members enforced against, as ``"with"``) where it is a fleet template to that
        member (:meth:`_fleet`)."""
        out: list[dict[str, Any]] = []
        fresh = []
        relink = self.config.relink_seconds
        enforced_now = False  # a member newly enforced against: the value may be a fleet's
        check: set[str] = set()  # members to whom the value may be a fleet template
        for account_id, last_ts, first_ts, new, *rest in rows:  # shorter: sent by older workers
            roams = rest[0] if rest else None
            stopped = len(rest) > 1 and bool(rest[1])
            proxies = len(rest) > 2 and bool(rest[2])
            if stopped:
                self.enforced.add(account_id)
                if (value, account_id) not in self.flagged:
                    self.flagged.add((value, account_id))
                    enforced_now = True
            else:
                self.enforced.discard(account_id)
            if proxies:
                self.proxies.add(account_id)
                check.add(account_id)
            else:
                self.proxies.discard(account_id)
            sent = self.sent.get((value, account_id))
            known = (
                account_id in self.index.members(value)
                and sent is not None
                and float(last_ts) - sent < relink
            )
            self.index.add(value, account_id, float(last_ts))
            self.new[account_id] = bool(new)
            self.roams[account_id] = roams
            self.first_seen.setdefault(account_id, float(first_ts))
            self.last_seen[account_id] = max(self.last_seen.get(account_id, 0.0), float(last_ts))
            self.now = max(self.now, float(last_ts))
            if not known:
                fresh.append((account_id, float(last_ts)))
        if self._maintained < 0:
            self._maintained = self.now
        elif self.now - self._maintained >= self.config.maintenance_seconds:
            self._maintained = self.now
            self.expire(self.now)
        if enforced_now:
            check.update(self.proxies.intersection(self.index.members(value)))
        if check:
            out.extend(self._fleet_records(value, check - {a for a, _ in fresh}))
        if not fresh:
            return out
        kind = kind_of(value)
        weight = round(KIND_WEIGHTS[kind] * self.specificity(value), 4)
        anchor = self.index.anchors(value, self.config.popular_members)
        first_seen = self.first_seen
        roaming = self.roams if kind == "net" else {}
        for account_id, ts in fresh:
            self.sent[(value, account_id)] = ts
            mine = roaming.get(account_id)
            others = [
                [other, first_seen.get(other, ts)]
                for other in self.index.recent(value, self.config.sample)
                if other != account_id and not apart(mine, roaming.get(other))
            ]
            if others:
                record = {
                    "a": account_id,
                    "fa": first_seen[account_id],
                    "k": kind,
                    "w": weight,
                    "x": anchor,
                    "ts": ts,
                    "with": others,
                    "v": value,
                }
                fleet = self._fleet(value, account_id, ts)
                if fleet:
                    record["f"] = fleet
                out.append(record)
        return out


class ValueMemo:
    """Which of an account's linking values the by-value stage needs to hear about.

    A value the account has not shown within ``relink_seconds / 2`` (event time): new
    memberships at once, and a refresh of each membership (recency, new-or-unverified
    flag, expiry) twice per relink period, instead of one row per value per slice batch.
    Bounded: per account, the values it showed within ``ttl_seconds``.
    """

    def __init__(self, config: LinkingConfig | None = None) -> None:
        self.config = config or LinkingConfig()
        self.sent: dict[str, dict[str, float]] = {}
        self.resend: set[str] = set()
        self._expired = -1.0

    def again(self, accounts: Iterable[str]) -> None:
        """Send every value of these accounts again at their next batch: those it shows
        then, and those it showed within ``ttl_seconds`` (what they say about the
        account changed: it was enforced against, or is behind proxies)."""
        self.resend.update(accounts)

    def expiring(self, now: float) -> bool:
        """Whether :meth:`due` expires old entries at ``now`` (every ``maintenance_seconds``)."""
        return self._expired < 0 or now - self._expired >= self.config.maintenance_seconds

    def due(self, values: Mapping[str, set[str]], now: float) -> dict[str, set[str]]:
        refresh = self.config.relink_seconds / 2
        out: dict[str, set[str]] = {}
        for account_id, mine in values.items():
            sent = self.sent.setdefault(account_id, {})
            if account_id in self.resend:
                self.resend.discard(account_id)
                fresh = set(mine) | set(sent)
            else:
                fresh = {v for v in mine if v not in sent or now - sent[v] >= refresh}
            if fresh:
                for value in fresh:
                    sent[value] = now
                out[account_id] = fresh
        if self.expiring(now):
            self._expired = now
            horizon = now - self.config.ttl_seconds
            for account_id in list(self.sent):
                sent = self.sent[account_id]
                for value in [v for v, t in sent.items() if t < horizon]:
                    del sent[value]
                if not sent:
                    del self.sent[account_id]
            self.resend.intersection_update(self.sent)
        return out


class ProfileFeed:
    """This worker's accounts' activity profiles; members' ones go to the clustering stage.

    Every account merged here keeps a :class:`Profile` (≤ 60 one-minute buckets, forgotten
    after ``ttl_seconds`` quiet), merged from its slices by the same code as in the replay
    linker. For cluster members only (the verdicts say who), the whole profile is sent when
    the account becomes a member and then at most every ``PROFILE_SECONDS`` (event time)
    while it is active: the clustering stage's copy is never older than that, well within
    the linker's ``refresh_seconds`` between risk computations.
    """

    def __init__(self, config: LinkingConfig | None = None) -> None:
        self.config = config or LinkingConfig()
        self.profiles: dict[str, Profile] = {}
        self.sent: dict[str, float] = {}
        self.pending: set[str] = set()
        #: accounts behind proxies at their latest batch, that a fleet's templates alone can
        #: link (:meth:`Profile.fleet_linkable`)
        self.proxies: set[str] = set()
        self._expired = -1.0

    def note_members(self, accounts: Iterable[str]) -> None:
        """Accounts whose membership changed: send their profile with the next batch."""
        self.pending.update(a for a in accounts if a in self.profiles)

    def merge(self, slices: Mapping[str, AccountSlice], values: Mapping[str, set[str]]) -> set[str]:
        """Fold one batch's slices into the profiles and add to each account's ``values``
        those its history shows, as the replay linker does
        (:func:`~distillguard.models.clusters.values.merge_profile`). Returns the accounts
        that are now behind proxies and were not at their batch before."""
        started: set[str] = set()
        for account_id in sorted(slices):
            p = merge_profile(self.profiles, slices[account_id], values.get(account_id, set()))
            if p.fleet_linkable(p.last_seen):
                if account_id not in self.proxies:
                    self.proxies.add(account_id)
                    started.add(account_id)
            else:
                self.proxies.discard(account_id)
        return started

    def rows(
        self,
        slices: Mapping[str, AccountSlice],
        is_member: Callable[[str], bool],
        now: float,
    ) -> list[dict[str, Any]]:
        """The profiles to send for this batch, whose slices :meth:`merge` took."""
        due: set[str] = set()
        for account_id in sorted(slices):
            last = self.sent.get(account_id)
            if last is None or now - last >= PROFILE_SECONDS:
                due.add(account_id)
        out = []
        for account_id in sorted(due | self.pending):
            known = self.profiles.get(account_id)
            if known is not None and is_member(account_id):
                self.sent[account_id] = now
                out.append(encode_profile(known))
        self.pending.clear()
        self._expire(now)
        return out

    def _expire(self, now: float) -> None:
        if self._expired >= 0 and now - self._expired < self.config.maintenance_seconds:
            return
        self._expired = now
        horizon = now - self.config.ttl_seconds
        for account_id in [a for a, p in self.profiles.items() if p.last_seen < horizon]:
            del self.profiles[account_id]
            self.sent.pop(account_id, None)
            self.proxies.discard(account_id)


def batch_values(
    slices: Mapping[str, AccountSlice],
    memo: ValueMemo,
    feed: ProfileFeed,
    verdicts: ClusterVerdicts,
    now: float,
) -> dict[str, list[list[Any]]]:
    """What one batch of merged slices sends to the by-value stage: the values each
    account showed (and its history shows, :meth:`ProfileFeed.merge`) that are due
    (:class:`ValueMemo`); all of an account's values within ``ttl_seconds`` again once
    it is first enforced against, flagged as a new account's and as enforced, and once it
    is first seen behind proxies (its templates may be an enforced fleet's,
    :meth:`ValueStage._fleet`)."""
    values = {a: linking_values(piece) for a, piece in slices.items()}
    memo.again(feed.merge(slices, values))
    memo.again(verdicts.drain_enforced())
    if memo.expiring(now):
        verdicts.expire_enforced(now - memo.config.ttl_seconds)
    due = memo.due(values, now)
    roams = {a: feed.profiles[a].roams() for a in due}
    return value_records(slices, due, verdicts.enforced, roams, feed.proxies)
