"""Cluster linking in the Faust worker: re-key by linking value, meet in one place.

Per-account state is partitioned by account; accounts of one fleet land on every
partition. No stage needs all events, or all accounts, in one partition:

1. ``publish`` (called by the slice-merging agent with each batch's merged slices): the
   batch's rows per linking value (:class:`ValueMemo`: values new to the account or due
   for refresh), one message per ``by_value`` partition, each value always to the
   partition ``partition_of(value)``, so every account sharing a value meets in one
   partition; and, for accounts that are cluster members, their activity profile
   (:class:`ProfileFeed`) to the clustering topic.
2. the ``by_value`` agent keeps bounded recent membership per value (``ValueStage``;
   steps 1 and 2 without Kafka are :mod:`~distillguard.streams.worker.by_value`) and,
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
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import orjson

from distillguard.models.clusters import LinkingConfig
from distillguard.models.features import AccountSlice
from distillguard.streams.worker.by_value import (
    ProfileFeed,
    ValueMemo,
    ValueStage,
    batch_values,
)
from distillguard.streams.worker.clustering import ClusteringStage
from distillguard.streams.worker.slicing import partition_of
from distillguard.streams.worker.verdicts import ClusterVerdicts

__all__ = ["Linking", "StageLog", "clustering_retention", "rebuild_stage"]

log = logging.getLogger(__name__)


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
