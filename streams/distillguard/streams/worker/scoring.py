"""The worker's bridge to :class:`~distillguard.models.engine.Engine`.

The engine keeps account and policy state in dictionaries; in the worker the durable copy
lives in Faust tables (partitioned, changelogged). Each scoring tick lends the engine the
account's state from the table, lets it score and decide exactly as ``replay`` does, and
hands the policy state back to be written to the table.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from distillguard.models.config import load_config
from distillguard.models.coverage import FIELDS, InputCoverage
from distillguard.models.detectors.anomaly import AnomalyDetector
from distillguard.models.detectors.evidence import Evidence, fuse
from distillguard.models.detectors.supervised import LabelModel
from distillguard.models.engine import Engine
from distillguard.models.features import AccountSlice, AccountState
from distillguard.models.policy import DecisionRecord, PolicyState
from distillguard.streams import metrics
from distillguard.streams.worker.intel import WatchFile, WorkerIntel
from distillguard.streams.worker.settings import WorkerSettings
from distillguard.streams.worker.verdicts import ClusterVerdicts

log = logging.getLogger(__name__)
#: Wall-clock seconds between updates of the input-coverage gauges, and between repeated
#: warnings about fields the gateways do not send.
COVERAGE_EVERY: Final = 30.0
COVERAGE_REMIND: Final = 3600.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one account's scoring produced."""

    records: list[DecisionRecord]
    policy_state: dict[str, Any]


class Scoring:
    """Scores accounts whose state is owned by the caller."""

    def __init__(
        self,
        engine: Engine,
        intel: WorkerIntel | None = None,
        clusters: ClusterVerdicts | None = None,
    ) -> None:
        self.engine = engine
        self.intel = intel
        self.clusters = clusters
        self.coverage = InputCoverage()
        self._coverage_at = 0.0
        self._gaps_told: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings: WorkerSettings) -> Scoring:
        # Cluster evidence comes from the verdicts of the clustering stage, which links the
        # accounts of every partition (worker.linking); this worker only reads them.
        clusters = ClusterVerdicts()
        config = load_config(settings.detection_config)
        if settings.intel_watch is None:
            engine = Engine(config, sources=[clusters], observers=[clusters])
            return cls(engine, clusters=clusters)
        intel = WorkerIntel(WatchFile(settings.intel_watch, settings.consortium_key_file))
        engine = Engine(config, sources=[clusters, intel], observers=[clusters, intel])
        return cls(engine, intel, clusters)

    def absorb_intel(
        self, hits: Mapping[str, Any], pieces: Mapping[str, AccountSlice], now: float
    ) -> None:
        """Partner-watch hits the ingest matched, and the events they are a share of."""
        if self.intel is not None:
            self.intel.absorb(hits, pieces, now)

    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        """Feed a batch of slices to the cross-account observers (cluster linking)."""
        for observer in self.engine.observers:
            observer.observe_slices(slices, now)
        self.coverage.observe_slices(slices, now)
        wall = time.monotonic()
        if wall - self._coverage_at >= COVERAGE_EVERY:
            self._coverage_at = wall
            self.report_coverage(wall)

    def report_coverage(self, wall: float) -> list[str]:
        """Update the input-coverage gauges; warn (at once, then hourly) about expected
        fields most account activity comes without, naming what they blind. Returns the
        current gaps, described."""
        for (field, _), share in zip(FIELDS, self.coverage.shares().values(), strict=True):
            expected = "true" if field.expected else "false"
            metrics.INPUT_FIELD_SHARE.labels(field.name, expected).set(share)
        gaps = self.coverage.gaps(self.engine.rules.rules)
        told = self._gaps_told
        for name in set(told) - {g.field.name for g in gaps}:
            del told[name]
            log.info("input: gateways now send %s", name)
        for gap in gaps:
            if wall - told.get(gap.field.name, -COVERAGE_REMIND) >= COVERAGE_REMIND:
                told[gap.field.name] = wall
                log.warning("input: %s", gap.describe())
        return [g.describe() for g in gaps]

    def snapshot(self) -> dict[str, bytes]:
        """The online models' state, to persist (see ``snapshots``)."""
        out = {}
        if self.engine.anomaly is not None:
            out["anomaly"] = self.engine.anomaly.to_bytes()
        if self.engine.labels is not None:
            out["labels"] = self.engine.labels.to_bytes()
        return out

    def model_stats(self) -> dict[str, int]:
        """How much each online model has learned (for health and tests)."""
        stats = {}
        if self.engine.anomaly is not None:
            stats["anomaly_learned"] = self.engine.anomaly.learned
        return stats

    def restore(self, models: dict[str, bytes]) -> None:
        """Load what :meth:`snapshot` returned (models absent from the config are skipped)."""
        if "anomaly" in models and self.engine.anomaly is not None:
            self.engine.anomaly = AnomalyDetector.from_bytes(models["anomaly"])
        if "labels" in models and self.engine.labels is not None:
            self.engine.labels = LabelModel.from_bytes(models["labels"])
            self.engine.sources = [
                s for s in self.engine.sources if not isinstance(s, LabelModel)
            ] + [self.engine.labels]

    def score(self, state: AccountState, policy: dict[str, Any] | None, now: float) -> Outcome:
        account_id = state.account_id
        engine = self.engine
        engine.states[account_id] = state
        if account_id not in engine.policies and policy is not None:
            loaded = engine.policies[account_id] = PolicyState.from_dict(policy)
            if self.clusters is not None and loaded.mode == "enforce" and loaded.above_monitor:
                # enforced before this worker held the account (a restart, a rebalance)
                self.clusters.note_enforced(account_id, loaded.entered_at)
        try:
            record = engine.score(account_id, now)
        finally:
            del engine.states[account_id]
        assessment = engine.assessments.pop(account_id, None)
        if assessment is not None:
            metrics.RISK.observe(assessment.risk)
        records = [record] if record is not None else []
        for r in records:
            _count(r)
        pstate = engine.policies.get(account_id) or PolicyState()
        return Outcome(records, pstate.to_dict())

    def expire(self, now: float) -> list[tuple[DecisionRecord, dict[str, Any]]]:
        """Tombstones for decisions whose TTL ran out, with the updated policy state."""
        out = []
        for record in self.engine._expire(now):  # noqa: SLF001 - the engine's own expiry heap
            account_id = record.key.partition(":")[2]
            _count(record)
            out.append((record, self.engine.policies[account_id].to_dict()))
        return out

    def explain(self, state: AccountState, policy: dict[str, Any] | None, now: float) -> Any:
        """What ``GET /accounts/{id}`` answers: features, risk, reasons, live decision."""
        account_id = state.account_id
        engine = self.engine
        features = engine.features_of(state, now)
        engine.states[account_id] = state
        saved_policy = engine.policies.get(account_id)
        engine.policies[account_id] = (
            PolicyState.from_dict(policy) if policy is not None else PolicyState()
        )
        try:
            evidence: list[Evidence] = []
            for source in engine.sources:
                evidence.extend(source.evidence(account_id, features, now))
            assessment = fuse(evidence, features)
        finally:
            del engine.states[account_id]
            if saved_policy is None:
                engine.policies.pop(account_id, None)
            else:
                engine.policies[account_id] = saved_policy
        entry = engine.policy.allow_entry(account_id, now, state.org_id)
        return {
            "account_id": account_id,
            "at": now,
            "allowlisted": entry.model_dump(exclude_none=True) if entry is not None else None,
            "risk": assessment.risk,
            "shadow_risk": assessment.shadow_risk,
            "reasons": assessment.reasons,
            "drivers": assessment.features_that_drove_it,
            "features": features,
            "policy": policy,
            "events_total": state.events_total,
            "first_seen": state.first_ts,
            "last_seen": state.last_ts,
        }


def _count(record: DecisionRecord) -> None:
    if record.value is None:
        metrics.TOMBSTONES.labels(cause="lifted").inc()
        return
    value = record.value
    metrics.DECISIONS.labels(
        action=value["action"], origin=value["origin"], mode=value["mode"]
    ).inc()
