"""Cluster linking in the Faust worker: re-key by linking value, meet in one place.

Per-account state is partitioned by account; accounts of one fleet land on every
partition. Linking therefore goes through two re-keyings:

1. ``publish`` (called by the slice-merging agent with each batch's slices): one record
   per distinct linking value per batch to the ``by_value`` repartition topic, keyed by
   the value, so every account sharing a value meets in one partition.
2. the ``by_value`` agent keeps bounded recent membership per value (``ValueStage``) and,
   for each new membership, sends the co-members it now shares that value with, with the
   kind and specificity, to the ``pairs`` topic.
3. the ``pairs`` agent (one partition: pairs are low volume, one per new membership and
   sampled co-member) adds up independent kinds per pair (``PairStage``), links pairs that
   pass, merges them into clusters with stable ids and sends ``account -> cluster_id`` to
   the ``alerts`` topic (compacted) whenever an account's cluster changes.

State here is in memory and rebuilt from traffic (links live for hours, not days); see
``docs/clusters.md`` for what a changelog-backed version and cluster risk in the worker add.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from distillguard.models.clusters import ClusterGraph, LinkIndex, LinkingConfig, linking_values
from distillguard.models.clusters.profile import NEW_DAYS
from distillguard.models.clusters.values import KIND_WEIGHTS, SOFT_KINDS, kind_of
from distillguard.models.features import AccountSlice


def _is_new(piece: AccountSlice) -> bool:
    if piece.meta.get("verified") is False:
        return True
    created = piece.meta.get("created_at")
    return isinstance(created, int | float) and piece.last_ts - created < NEW_DAYS * 86400.0


def value_records(slices: Mapping[str, AccountSlice]) -> dict[str, list[list[Any]]]:
    """Linking value -> ``[[account, last_ts, first_ts, new], ...]`` for one batch."""
    out: dict[str, list[list[Any]]] = {}
    for account_id in sorted(slices):
        piece = slices[account_id]
        row = [account_id, piece.last_ts, piece.first_ts, _is_new(piece)]
        for value in sorted(linking_values(piece)):
            out.setdefault(value, []).append(row)
    return out


class ValueStage:
    """Bounded members per linking value (one by-value partition's worth)."""

    def __init__(self, config: LinkingConfig | None = None) -> None:
        self.config = c = config or LinkingConfig()
        self.index = LinkIndex(cap=c.member_cap, ttl=c.ttl_seconds)
        self.new: dict[str, bool] = {}
        self.first_seen: dict[str, float] = {}

    def specificity(self, value: str) -> float:
        c = self.config
        if kind_of(value) not in SOFT_KINDS and self.index.popularity(value) <= c.popular_members:
            return 1.0
        sample = self.index.recent(value, c.sample)
        new = sum(1 for a in sample if self.new.get(a)) / max(1, len(sample))
        return 0.4 + 0.6 * new

    def apply(self, value: str, rows: list[list[Any]]) -> list[dict[str, Any]]:
        """Admit members; return the co-memberships that are new."""
        out: list[dict[str, Any]] = []
        fresh = []
        for account_id, last_ts, first_ts, new in rows:
            known = account_id in self.index.members(value)
            self.index.add(value, account_id, float(last_ts))
            self.new[account_id] = bool(new)
            self.first_seen.setdefault(account_id, float(first_ts))
            if not known:
                fresh.append((account_id, float(last_ts)))
        if not fresh:
            return out
        weight = round(KIND_WEIGHTS[kind_of(value)] * self.specificity(value), 4)
        for account_id, ts in fresh:
            for other in self.index.recent(value, self.config.sample):
                if other != account_id:
                    out.append(
                        {
                            "a": account_id,
                            "b": other,
                            "k": kind_of(value),
                            "w": weight,
                            "ts": ts,
                            "fa": self.first_seen[account_id],
                            "fb": self.first_seen.get(other, ts),
                        }
                    )
        return out


class PairStage:
    """Independent kinds per pair -> links -> clusters (the one place clusters meet)."""

    def __init__(self, config: LinkingConfig | None = None) -> None:
        self.config = c = config or LinkingConfig()
        self.graph = ClusterGraph(ttl=c.ttl_seconds)
        self.pairs: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
        self.announced: dict[str, str] = {}

    def apply(self, record: Mapping[str, Any]) -> dict[str, str]:
        """Take one co-membership; return ``account -> cluster_id`` for changed accounts."""
        a, b = sorted((str(record["a"]), str(record["b"])))
        ts = float(record["ts"])
        kinds = self.pairs.setdefault((a, b), {})
        kind, weight = str(record["k"]), float(record["w"])
        held = kinds.get(kind)
        if held is None or weight >= held[0]:
            kinds[kind] = (weight, ts)
        horizon = ts - self.config.ttl_seconds
        live = {k: w for k, (w, t) in kinds.items() if t >= horizon}
        strength = sum(live.values())
        if len(live) < self.config.min_kinds or strength < self.config.link_threshold:
            return {}
        first = {str(record["a"]): float(record["fa"]), str(record["b"]): float(record["fb"])}
        self.graph.link(a, b, round(strength, 4), ts, first, tuple(sorted(live)))
        cid = self.graph.cluster_of(a)
        changed: dict[str, str] = {}
        if cid is None:
            return changed
        for member in sorted(self.graph.members(cid)):
            if self.announced.get(member) != cid:
                self.announced[member] = cid
                changed[member] = cid
        return changed


class Linking:
    """Faust wiring of the three steps; ``publish`` is called from the merging agent."""

    def __init__(
        self,
        app: Any,
        *,
        by_value_topic: str,
        pairs_topic: str,
        alerts_topic: str,
        partitions: int,
        config: LinkingConfig | None = None,
    ) -> None:
        # internal: Faust creates the repartition topics with these partition counts
        self.by_value = app.topic(
            by_value_topic,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions,
            internal=True,
        )
        self.pairs = app.topic(
            pairs_topic, key_serializer="raw", value_serializer="raw", partitions=1, internal=True
        )
        self.alerts = app.topic(alerts_topic, key_serializer="raw", value_serializer="raw")
        self.values: dict[int, ValueStage] = {}
        self.pair_stage = PairStage(config)
        self.config = config

        @app.agent(self.by_value)
        async def link_values(stream: Any) -> None:
            async for event in stream.events():
                stage = self.values.get(event.message.partition)
                if stage is None:
                    stage = self.values[event.message.partition] = ValueStage(self.config)
                value = event.key.decode()
                found = stage.apply(value, orjson.loads(event.value))
                if found:
                    await self.pairs.send(key=b"pairs", value=orjson.dumps(found))

        @app.agent(self.pairs)
        async def cluster_pairs(stream: Any) -> None:
            async for payload in stream:
                for record in orjson.loads(payload):
                    for account_id, cid in self.pair_stage.apply(record).items():
                        alert = {"account_id": account_id, "cluster_id": cid}
                        await self.alerts.send(key=account_id.encode(), value=orjson.dumps(alert))

    async def publish(self, slices: Mapping[str, AccountSlice]) -> None:
        """Re-key one batch's slices by linking value (one record per distinct value)."""
        for value, rows in value_records(slices).items():
            await self.by_value.send(key=value.encode(), value=orjson.dumps(rows))
