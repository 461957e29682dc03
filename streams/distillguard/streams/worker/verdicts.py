"""Cluster verdicts on the scoring side: every worker reads all of them, fuses them as evidence.

The clustering stage (one instance) writes one record per member account to a compacted
topic: its cluster, the cluster's risk, whether a quiet member is held for scoring, and the
member's cluster evidence exactly as :class:`~distillguard.models.clusters.ClusterLinker`
computed it. Every worker reads the whole topic from the beginning into a dict
(:class:`VerdictReader`, a consumer thread outside any group), so an account's verdict is at
hand wherever its partition lives, and after a restart the verdicts are back once the
compacted topic has been read.

:class:`ClusterVerdicts` is the engine's cluster ``EvidenceSource`` and ``SliceObserver``:
it testifies with the verdict's evidence (carrying the ``cluster_id`` into decisions), says
which quiet members to score (``holds``), and collects the decisions the clustering stage
needs back (failover evidence, ``/clusters/{id}``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Mapping
from typing import Any

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from distillguard.models.clusters.linker import ENFORCING, ages
from distillguard.models.detectors.evidence import Evidence
from distillguard.models.features import AccountSlice
from distillguard.streams.kafka import client_config as kafka_config
from distillguard.streams.worker.clustering import VERDICT_FIELDS

log = logging.getLogger(__name__)
#: A member is scored again, without new traffic, when its cluster evidence moved this much.
RESCORE_WEIGHT_STEP = 0.05


class ClusterVerdicts:
    """Account -> its cluster verdict, as evidence; decisions to feed back to clustering."""

    def __init__(self) -> None:
        self.verdicts: dict[str, dict[str, Any]] = {}
        self._evidence: dict[str, list[Evidence]] = {}
        #: accounts whose verdict changed enough to score them again: they joined or left
        #: a cluster, or their hold, failover or evidence weight moved (reader thread)
        self.changed: deque[str] = deque()
        #: accounts that joined a cluster or moved to another (reader thread)
        self.joined: deque[str] = deque()
        self._feedback: list[list[Any]] = []
        #: this worker's accounts -> when first enforced against (count like new accounts
        #: in the by-value stage's specificity, as in ``ClusterLinker.specificity``)
        self.enforced: dict[str, float] = {}
        self._newly_enforced: list[str] = []

    def update(self, account_id: str, verdict: dict[str, Any] | None) -> None:
        old = self.verdicts.get(account_id)
        if verdict is None:
            self.verdicts.pop(account_id, None)
            self._evidence.pop(account_id, None)
        else:
            cid = str(verdict["cluster_id"])
            self._evidence[account_id] = [
                Evidence(
                    "cluster",
                    str(e["code"]),
                    str(e["detail"]),
                    float(e["weight"]),
                    str(e["family"]),
                    shadow=bool(e.get("shadow", False)),
                    cluster_id=cid,
                )
                for e in verdict.get("evidence", ())
            ]
            self.verdicts[account_id] = verdict
        if verdict is not None and (old is None or old["cluster_id"] != verdict["cluster_id"]):
            self.joined.append(account_id)
        if _matters(old, verdict):
            self.changed.append(account_id)

    def cluster_of(self, account_id: str) -> str | None:
        verdict = self.verdicts.get(account_id)
        return str(verdict["cluster_id"]) if verdict is not None else None

    def drain_changed(self) -> list[str]:
        return _drain(self.changed)

    def drain_joined(self) -> list[str]:
        return _drain(self.joined)

    # EvidenceSource -----------------------------------------------------------------------
    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        return list(self._evidence.get(account_id, ()))

    # SliceObserver ------------------------------------------------------------------------
    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        """Slices reach the clustering stage through the linking topics instead."""

    # FeatureSource ------------------------------------------------------------------------
    def account_features(self, account_id: str, now: float) -> dict[str, float]:
        """``identity_age_days`` and ``payer_age_days`` of a new account its cluster vouches
        for, as ``ClusterLinker.account_features`` computes them."""
        verdict = self.verdicts.get(account_id)
        if verdict is None:
            return {}
        seat, payer = verdict.get("established_since"), verdict.get("paid_since")
        return ages(
            float(seat) if seat is not None else None,
            float(payer) if payer is not None else None,
            now,
        )

    def holds(self, account_id: str) -> bool:
        verdict = self.verdicts.get(account_id)
        return verdict is not None and bool(verdict.get("hold"))

    def observe_decision(
        self, account_id: str, value: Mapping[str, Any] | None, now: float
    ) -> None:
        """Queue decisions on members, and enforcing ones on anyone (an account enforced
        before it was linked still counts for failover), for the clustering stage."""
        enforcing = (
            value is not None
            and value.get("mode") == "enforce"
            and value.get("action") in ENFORCING
        )
        if enforcing or account_id in self.verdicts:
            self._feedback.append([account_id, dict(value) if value is not None else None, now])
        if enforcing:
            self.note_enforced(account_id, now)

    def note_enforced(self, account_id: str, at: float) -> None:
        """The account is enforced against since ``at`` (a decision seen here, or a live one
        in the policy state a restarted worker read back)."""
        if account_id not in self.enforced:
            self.enforced[account_id] = at
            self._newly_enforced.append(account_id)

    def drain_feedback(self) -> list[list[Any]]:
        out, self._feedback = self._feedback, []
        return out

    def drain_enforced(self) -> list[str]:
        """Accounts first enforced against since the last call (their linking values are
        worth sending again, flagged)."""
        out, self._newly_enforced = self._newly_enforced, []
        return out

    def expire_enforced(self, horizon: float) -> None:
        """Forget enforcement older than ``horizon`` (``ttl_seconds``, as the linker does)."""
        for account_id in [a for a, t in self.enforced.items() if t < horizon]:
            del self.enforced[account_id]


def _drain(queue: deque[str]) -> list[str]:
    out = []
    while queue:
        out.append(queue.popleft())
    return out


def _weight(verdict: Mapping[str, Any] | None) -> float:
    return max((float(e["weight"]) for e in verdict["evidence"]), default=0.0) if verdict else 0.0


def _matters(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether a verdict change can change a decision: worth scoring the account again."""
    if old is None or new is None:
        return old is not new
    return (
        any(old.get(k) != new.get(k) for k in VERDICT_FIELDS)
        or abs(_weight(old) - _weight(new)) >= RESCORE_WEIGHT_STEP
    )


class VerdictReader(threading.Thread):
    """Reads the verdicts topic from the beginning and keeps following it."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        verdicts: ClusterVerdicts,
        client_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name="cluster-verdicts", daemon=True)
        self.topic = topic
        self.verdicts = verdicts
        self.records = 0
        self._stop_event = threading.Event()
        self._consumer = Consumer(
            {
                **kafka_config(bootstrap),
                # no group: offsets are never committed, every start reads the whole topic
                "group.id": f"cluster-verdicts-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                **(client_config or {}),
            }
        )

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        consumer = self._consumer
        try:
            partitions: list[int] = []
            while not partitions and not self._stop_event.is_set():
                meta = consumer.list_topics(self.topic, timeout=5).topics.get(self.topic)
                if meta is not None and meta.error is None and meta.partitions:
                    partitions = sorted(meta.partitions)
                else:
                    self._stop_event.wait(1.0)  # the clustering stage's Faust app creates it
            consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
            while not self._stop_event.is_set():
                for message in consumer.consume(1000, timeout=0.5):
                    if message.error() is not None:
                        log.warning("cluster verdicts: %s", message.error())
                        continue
                    key = message.key()
                    if key is None:
                        continue
                    value = message.value()
                    self.verdicts.update(
                        key.decode(), orjson.loads(value) if value is not None else None
                    )
                    self.records += 1
        finally:
            consumer.close()
