"""Act on analyst verdicts and appeals from ``distillguard.labels``.

Labels are consumed in a consumer group (one worker acts on each label). For a label that
lifts (``legit``, upheld appeal) the worker, in this order and without yielding to other
work on its event loop: applies and publishes the allowlist record (``allow:label-<id>`` on
the config topic, so every worker honours it and it survives restarts), writes the
tombstone for ``account:<id>`` on the decisions topic, trains the supervised model and
writes the audit record. An ``abuse`` verdict trains the model and, with ``escalate``,
issues an ``analyst`` decision.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from confluent_kafka import Consumer

from distillguard.models import DETECTOR_VERSION
from distillguard.models.codec import validate_decision
from distillguard.models.config import DetectionConfig
from distillguard.models.control import Label, LabelPlan, allow_record, decode_label, plan_label
from distillguard.models.control.labels import LabelRejected
from distillguard.streams import metrics
from distillguard.streams.control.status import Publisher, status_record
from distillguard.streams.control.topic import Record, to_record
from distillguard.streams.kafka import client_config as kafka_config

log = logging.getLogger(__name__)

#: ``learn(account_id, is_abuse, ts)`` → whether the model learnt (it needs the account's state)
Learn = Callable[[str, bool, float], bool]
#: ``allow(key, record)`` applies an allowlist record locally, before it comes back from Kafka
AllowLocally = Callable[[str, Mapping[str, Any]], None]


def analyst_decision(label: Label, config: DetectionConfig) -> dict[str, Any]:
    """The decision an escalating ``abuse`` verdict issues (``origin: analyst``)."""
    assert label.escalate is not None
    action = label.escalate
    ttl = float(getattr(config.policy.ttl, action))
    raw = f"account:{label.account_id}|{action}|enforce|label:{label.label_id}".encode()
    decision = {
        "decision_id": hashlib.sha256(raw).hexdigest()[:32],
        "subject": {"scope": "account", "value": label.account_id},
        "action": action,
        "rate_limit_rpm": config.policy.throttle_rpm if action == "throttle" else None,
        "risk": 1.0,
        "reasons": [
            {
                "code": "analyst.abuse",
                "detail": f"abuse verdict {label.label_id} by {label.analyst}",
                "weight": 1.0,
            }
        ],
        "cluster_id": None,
        "mode": "enforce",
        "origin": "analyst",
        "issued_at": label.ts,
        "expires_at": label.ts + ttl,
        "detector_version": DETECTOR_VERSION,
        "config_version": config.config_version,
    }
    validate_decision(decision)
    return decision


class LabelHandler:
    """Turns label records into tombstones, allowlist entries, training and audit records."""

    def __init__(
        self,
        *,
        publisher: Publisher,
        worker: str,
        topics: Mapping[str, str],
        config: Callable[[], DetectionConfig],
        learn: Learn,
        allow_locally: AllowLocally,
    ) -> None:
        self.publisher = publisher
        self.worker = worker
        self.topics = dict(topics)  # config, status, decisions
        self.config = config
        self.learn = learn
        self.allow_locally = allow_locally
        self.handled = 0
        self.ignored = 0
        self._consumer: Consumer | None = None

    def handle(self, record: Record) -> dict[str, Any]:
        """Act on one label record; the audit/status record written."""
        config = self.config()
        try:
            label = decode_label(record.value, key=record.key or "label")
        except LabelRejected as exc:
            self.ignored += 1
            metrics.LABELS.labels(outcome="invalid", status="ignored").inc()
            log.warning("label at offset %d ignored: %s", record.offset, exc)
            status = status_record(
                record,
                "ignored",
                config.config_version,
                self.worker,
                key=f"label:{record.key or '?'}",
                reason=str(exc),
                field=exc.field,
            )
            self.publisher.send(self.topics["status"], status["key"], status)
            return status
        plan = plan_label(label)
        decisions: list[dict[str, Any]] = []
        if plan.allow_key is not None:
            allow = allow_record(label, plan)
            self.allow_locally(plan.allow_key, allow)
            self.publisher.send(self.topics["config"], plan.allow_key, allow)
        if plan.lift:
            key = f"account:{label.account_id}"
            self.publisher.send(self.topics["decisions"], key, None)
            metrics.TOMBSTONES.labels(cause="appeal" if label.kind == "appeal" else "analyst").inc()
            decisions.append({"key": key, "action": None})
        if plan.escalate is not None:
            decision = analyst_decision(label, config)
            key = f"account:{label.account_id}"
            self.publisher.send(self.topics["decisions"], key, decision)
            metrics.DECISIONS.labels(
                action=decision["action"], origin="analyst", mode="enforce"
            ).inc()
            decisions.append({"key": key, "action": decision["action"]})
        learnt, why_not = False, "this worker holds no state for the account"
        if plan.learn_abuse is not None:
            try:
                learnt = self.learn(label.account_id, plan.learn_abuse, label.ts)
            except Exception as exc:  # noqa: BLE001 - the lift stands even if training fails
                log.exception("label %s: training the supervised model failed", label.label_id)
                why_not = f"training failed: {type(exc).__name__}: {exc}"
        self.handled += 1
        metrics.LABELS.labels(outcome=label.outcome, status="handled").inc()
        status = status_record(
            record,
            "handled",
            config.config_version,
            self.worker,
            key=f"label:{label.label_id}",
            reason=None if learnt or plan.learn_abuse is None else f"model not trained: {why_not}",
            audit=_audit(label, plan, decisions),
        )
        self.publisher.send(self.topics["status"], status["key"], status)
        log.info(
            "label %s (%s %s) handled: %s",
            label.label_id,
            label.kind,
            label.outcome,
            ", ".join(plan.actions),
        )
        return status

    def subscribe(
        self,
        bootstrap: str,
        topic: str,
        group_id: str,
        client_config: Mapping[str, Any] | None = None,
    ) -> None:
        self._consumer = Consumer(
            {
                **kafka_config(bootstrap),
                "group.id": group_id,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": True,
                "enable.auto.offset.store": False,
                **dict(client_config or {}),
            }
        )
        self._consumer.subscribe([topic])

    def poll(self, max_records: int = 100) -> int:
        """Handle what arrived, without blocking; offsets are stored after each label."""
        if self._consumer is None:
            return 0
        count = 0
        for message in self._consumer.consume(max_records, timeout=0):
            if message.error() is not None:
                log.warning("labels topic: %s", message.error())
                continue
            self.handle(to_record(message))
            self._consumer.store_offsets(message)
            count += 1
        return count

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


def _audit(label: Label, plan: LabelPlan, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "label_id": label.label_id,
        "kind": label.kind,
        "outcome": label.outcome,
        "account_id": label.account_id,
        "analyst": label.analyst,
        "note": label.note,
        "label_ts": label.ts,
        "actions": plan.actions,
        "decisions": decisions,
        "allow_key": plan.allow_key,
        "allow_expires_at": plan.allow_expires_at,
    }
