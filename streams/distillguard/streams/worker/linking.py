"""Cluster linking in the Faust worker: re-key by linking value, meet in one place.

Per-account state is partitioned by account; accounts of one fleet land on every
partition. No stage needs all events, or all accounts, in one partition:

1. ``publish`` (called by the slice-merging agent with each batch's merged slices): the
   batch's rows per linking value (:class:`ValueMemo`: values new to the account or due
   for refresh), one message per ``by_value`` partition, each value always to the
   partition ``partition_of(value)``, so every account sharing a value meets in one
   partition; and, for accounts that are cluster members, their activity profile
   (:class:`ProfileFeed`) to the clustering topic.
2. the ``by_value`` agent keeps bounded recent membership per value (``ValueStage``) and,
   for each new membership, sends the co-members it now shares that value with, with the
   kind, specificity and whether the value can carry a link, to the clustering topic.
3. the ``clustering`` agent (one partition: pairs, members' profiles and decisions are low
   volume) runs :class:`~distillguard.streams.worker.clustering.ClusteringStage`: links,
   clusters with stable ids, risk and member evidence by the replay code, and sends each
   member's verdict to the compacted verdicts topic, which every worker reads
   (:mod:`~distillguard.streams.worker.verdicts`).

The clustering stage's state is rebuilt whenever an instance is assigned the clustering
partition: it applies that partition's records from the beginning up to the group's
committed offset (the topic keeps ``ttl_seconds`` and a maintenance interval of them), so
clusters keep their ids and members across restarts and rebalances. By-value membership
is in memory and rebuilt from traffic (links live for hours, not days); the verdicts
survive a restart in their compacted topic. See ``docs/clusters.md``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Container, Iterable, Mapping
from typing import Any, Protocol

import orjson

from distillguard.models.clusters import LinkIndex, LinkingConfig, linking_values
from distillguard.models.clusters.profile import NEW_DAYS, Profile, apart
from distillguard.models.clusters.values import KIND_WEIGHTS, kind_of, merge_profile
from distillguard.models.features import AccountSlice
from distillguard.streams.worker.clustering import ClusteringStage, PairStage, encode_profile
from distillguard.streams.worker.slicing import partition_of
from distillguard.streams.worker.verdicts import ClusterVerdicts

__all__ = [
    "ClusteringStage",
    "Linking",
    "PairStage",
    "ProfileFeed",
    "ValueMemo",
    "StageLog",
    "ValueStage",
    "batch_values",
    "rebuild_stage",
    "value_records",
]

log = logging.getLogger(__name__)
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
) -> dict[str, list[list[Any]]]:
    """Linking value -> ``[[account, last_ts, first_ts, new, roams], ...]`` for one batch
    (``values``: each account's linking values, when the caller already has them; ``new``:
    new or unverified, or in ``enforced``, as ``ClusterLinker.specificity`` counts them;
    ``roams``: :meth:`Profile.roams` of the accounts whose profile the caller keeps)."""
    out: dict[str, list[list[Any]]] = {}
    roaming = roams or {}
    for account_id in sorted(slices):
        piece = slices[account_id]
        new = _is_new(piece) or account_id in enforced
        row = [account_id, piece.last_ts, piece.first_ts, new, roaming.get(account_id)]
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
            self.first_seen.pop(account_id, None)
        index = self.index
        self.sent = {k: t for k, t in self.sent.items() if k[1] in index.members(k[0])}

    def specificity(self, value: str) -> float:
        c = self.config
        return self.index.specificity(
            value, c.popular_members, c.sample, lambda a: bool(self.new.get(a))
        )

    def apply(self, value: str, rows: list[list[Any]]) -> list[dict[str, Any]]:
        """Admit members; return the co-memberships that are new, and those of members
        last sent ``relink_seconds`` ago (links decay unless confirmed): one record per
        such member, ``{"a", "fa", "k", "w", "ts", "with": [[co-member, first seen], ...]}``."""
        out: list[dict[str, Any]] = []
        fresh = []
        relink = self.config.relink_seconds
        for account_id, last_ts, first_ts, new, *roams in rows:  # rows of four: sent before roams
            sent = self.sent.get((value, account_id))
            known = (
                account_id in self.index.members(value)
                and sent is not None
                and float(last_ts) - sent < relink
            )
            self.index.add(value, account_id, float(last_ts))
            self.new[account_id] = bool(new)
            self.roams[account_id] = roams[0] if roams else None
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
                }
                if not anchor and kind == "prompt":
                    record["v"] = value  # popular templates count towards an anchor
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
        self._expired = -1.0

    def forget(self, accounts: Iterable[str]) -> None:
        """Send every value of these accounts again at their next batch."""
        for account_id in accounts:
            self.sent.pop(account_id, None)

    def expiring(self, now: float) -> bool:
        """Whether :meth:`due` expires old entries at ``now`` (every ``maintenance_seconds``)."""
        return self._expired < 0 or now - self._expired >= self.config.maintenance_seconds

    def due(self, values: Mapping[str, set[str]], now: float) -> dict[str, set[str]]:
        refresh = self.config.relink_seconds / 2
        out: dict[str, set[str]] = {}
        for account_id, mine in values.items():
            sent = self.sent.setdefault(account_id, {})
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
        self._expired = -1.0

    def note_members(self, accounts: Iterable[str]) -> None:
        """Accounts whose membership changed: send their profile with the next batch."""
        self.pending.update(a for a in accounts if a in self.profiles)

    def merge(self, slices: Mapping[str, AccountSlice], values: Mapping[str, set[str]]) -> None:
        """Fold one batch's slices into the profiles and add to each account's ``values``
        those its history shows, as the replay linker does
        (:func:`~distillguard.models.clusters.values.merge_profile`)."""
        for account_id in sorted(slices):
            merge_profile(self.profiles, slices[account_id], values.get(account_id, set()))

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


def batch_values(
    slices: Mapping[str, AccountSlice],
    memo: ValueMemo,
    feed: ProfileFeed,
    verdicts: ClusterVerdicts,
    now: float,
) -> dict[str, list[list[Any]]]:
    """What one batch of merged slices sends to the by-value stage: the values each
    account showed (and its history shows, :meth:`ProfileFeed.merge`) that are due
    (:class:`ValueMemo`); all of an account's values again once it is first enforced
    against, flagged as a new account's."""
    values = {a: linking_values(piece) for a, piece in slices.items()}
    feed.merge(slices, values)
    memo.forget(verdicts.drain_enforced())
    if memo.expiring(now):
        verdicts.expire_enforced(now - memo.config.ttl_seconds)
    due = memo.due(values, now)
    roams = {a: feed.profiles[a].roams() for a in due}
    return value_records(slices, due, verdicts.enforced, roams)


class StageLog(Protocol):
    """The clustering partition as the stage's consumer group left it
    (:class:`~distillguard.streams.worker.snapshots.PartitionLog`)."""

    def committed(self) -> int: ...
    def read(self, end: int) -> Iterable[bytes]: ...


def rebuild_stage(
    config: LinkingConfig | None, records: Iterable[bytes]
) -> tuple[ClusteringStage, int]:
    """A clustering stage that took ``records`` in order, as the clustering agent does
    (verdicts taken after each, so none already published is sent again); and how many
    there were."""
    stage = ClusteringStage(config)
    n = 0
    for payload in records:
        stage.take(payload)
        n += 1
    return stage, n


def clustering_retention(config: LinkingConfig) -> float:
    """Seconds the clustering topic keeps: what a newly assigned clustering stage replays
    (older links have expired)."""
    return config.ttl_seconds + config.maintenance_seconds


class Linking:
    """Faust wiring of the stages; ``publish`` and ``feedback`` are called by the worker's
    merging agent, ``verdicts`` is the scoring stage's cluster evidence source."""

    def __init__(
        self,
        app: Any,
        *,
        by_value_topic: str,
        clustering_topic: str,
        verdicts_topic: str,
        partitions: int,
        verdicts: ClusterVerdicts | None = None,
        config: LinkingConfig | None = None,
        restore: StageLog | None = None,
    ) -> None:
        # internal: the Faust app creates these topics with these partition counts
        self.by_value = app.topic(
            by_value_topic,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions,
            internal=True,
        )
        c = config or LinkingConfig()
        self.clustering = app.topic(
            clustering_topic,
            key_serializer="raw",
            value_serializer="raw",
            partitions=1,
            internal=True,
            retention=clustering_retention(c),
        )
        self.verdicts_topic = app.topic(
            verdicts_topic,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions,
            internal=True,
            compacting=True,
        )
        self.partitions = partitions
        self.values: dict[int, ValueStage] = {}
        self.stage = ClusteringStage(config)
        self.feed = ProfileFeed(config)
        self.memo = ValueMemo(config)
        self.verdicts = verdicts if verdicts is not None else ClusterVerdicts()
        self.config = config
        self.stats = {
            "value_records": 0,
            "clustering_records": 0,
            "verdicts_sent": 0,
            "clustering_restored": 0,  # records replayed into the stage when last assigned
        }
        self.now = 0.0
        self._rescore: set[str] = set()
        #: set while the clustering stage holds the state of every record it was given
        self.stage_ready = asyncio.Event()
        self.stage_ready.set()
        self._rebuilding: asyncio.Future[None] | None = None
        #: offset of the next clustering record the stage has not taken
        self.next_offset = 0

        @app.on_partitions_assigned.connect
        async def restore_stage(sender: Any, assigned: Any, /, **kwargs: Any) -> None:
            if restore is None or not any(tp.topic == clustering_topic for tp in assigned):
                return
            # in the background: the rebalance completes at once, the agent waits for it
            self.stage_ready.clear()
            self._cancel_rebuild()
            self._rebuilding = asyncio.ensure_future(self._rebuild(restore))

        @app.on_partitions_revoked.connect
        async def stop_rebuild(sender: Any, revoked: Any, /, **kwargs: Any) -> None:
            # the stage stays: if the partition comes back and nobody took records meanwhile,
            # it goes on from where it was (see ``_rebuild``)
            if any(tp.topic == clustering_topic for tp in revoked):
                self._cancel_rebuild()
                self.stage_ready.set()

        @app.timer(1.0)
        async def flush_profiles() -> None:
            await self.flush()

        @app.task
        async def declare_verdicts() -> None:
            # only sent to, never subscribed: Faust would not create it (compacted) itself
            await self.verdicts_topic.maybe_declare()

        @app.agent(self.by_value)
        async def link_values(stream: Any) -> None:
            async for event in stream.events():
                stage = self.values.get(event.message.partition)
                if stage is None:
                    stage = self.values[event.message.partition] = ValueStage(self.config)
                found = []
                for value, rows in orjson.loads(event.value).items():
                    found.extend(stage.apply(value, rows))
                if found:
                    await self._send({"t": "pairs", "rows": found})

        @app.agent(self.clustering)
        async def cluster(stream: Any) -> None:
            async for event in stream.events():
                await self.stage_ready.wait()
                offset = event.message.offset
                if offset < self.next_offset:
                    continue  # taken before a rebalance; the group resumes at its commit
                changed = self.stage.take(event.value)
                self.next_offset = offset + 1
                self.stats["clustering_records"] += 1
                for account_id, verdict in changed.items():
                    value = orjson.dumps(verdict) if verdict is not None else None
                    await self.verdicts_topic.send(key=account_id.encode(), value=value)
                    self.stats["verdicts_sent"] += 1

    def _cancel_rebuild(self) -> None:
        if self._rebuilding is not None and not self._rebuilding.done():
            self._rebuilding.cancel()  # its thread finishes on its own; the result is dropped
        self._rebuilding = None

    async def _rebuild(self, restore: StageLog) -> None:
        """Make the stage hold every clustering record before the group's committed offset:
        keep it when it already took them (the partition stayed here, or came back with
        nobody having taken more); otherwise replace it by one rebuilt from the partition.
        On failure go on with an empty stage (clusters then re-form from traffic)."""
        loop = asyncio.get_running_loop()
        try:
            committed = await loop.run_in_executor(None, restore.committed)
            if committed > self.next_offset:
                stage, n = await loop.run_in_executor(
                    None, lambda: rebuild_stage(self.config, restore.read(committed))
                )
                self.stage, self.next_offset = stage, committed
                self.stats["clustering_restored"] = n
                log.info("clustering stage rebuilt from %d records", n)
        except asyncio.CancelledError:
            raise  # reassigned or revoked meanwhile: whoever cancelled sets the stage ready
        except Exception:
            log.exception("rebuilding the clustering stage failed; it starts empty")
            self.stage, self.next_offset = ClusteringStage(self.config), 0
        self.stage_ready.set()

    async def _send(self, record: dict[str, Any]) -> None:
        await self.clustering.send(key=b"clustering", value=orjson.dumps(record))

    def _take_changed(self) -> None:
        self.feed.note_members(self.verdicts.drain_joined())
        self._rescore.update(self.verdicts.drain_changed())

    async def publish(self, slices: Mapping[str, AccountSlice], now: float) -> list[str]:
        """One batch's merged slices: one record per distinct linking value to the by-value
        topic; the profiles of cluster members to the clustering stage. Returns the accounts
        whose verdict changed since the previous batch (worth scoring again)."""
        self.now = max(self.now, now)
        self._take_changed()
        by_partition: dict[int, dict[str, list[list[Any]]]] = {}
        records = batch_values(slices, self.memo, self.feed, self.verdicts, now)
        for value, rows in records.items():
            by_partition.setdefault(partition_of(value, self.partitions), {})[value] = rows
        for partition, records in sorted(by_partition.items()):
            # one message per by-value partition per batch: Faust's cost is per message
            await self.by_value.send(
                key=b"values", value=orjson.dumps(records), partition=partition
            )
            self.stats["value_records"] += 1
        await self._send_profiles(slices)
        rescore, self._rescore = sorted(self._rescore), set()
        return rescore

    async def _send_profiles(self, slices: Mapping[str, AccountSlice]) -> None:
        rows = self.feed.rows(slices, lambda a: a in self.verdicts.verdicts, self.now)
        if rows:
            await self._send({"t": "profiles", "rows": rows})

    async def flush(self) -> None:
        """Send the whole profile of accounts that just became members, without waiting
        for their next slice (a timer calls this)."""
        self._take_changed()
        if self.feed.pending:
            await self._send_profiles({})

    async def feedback(self) -> None:
        """Decisions the scoring stage queued for the clustering stage."""
        rows = self.verdicts.drain_feedback()
        if rows:
            await self._send({"t": "decisions", "rows": rows})
