"""Wire operator control into the Faust worker: ``attach_control(app, settings, scoring)``.

Call it after ``build_app`` and before the worker starts. It creates the control topics if
missing, reads the config topic to its end (so the first tick already decides under the
published config), swaps each new config into the engine, and polls the config and labels
topics on the event loop every ``poll_seconds``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from distillguard.models.control import ControlState, reconfigure
from distillguard.models.features import AccountState
from distillguard.streams import metrics
from distillguard.streams.control.applier import ConfigApplier
from distillguard.streams.control.labels import LabelHandler
from distillguard.streams.control.status import Publisher
from distillguard.streams.kafka import TopicSpec, ensure_topics
from distillguard.streams.settings import TOPICS
from distillguard.streams.worker.stored import StoredAccount

log = logging.getLogger(__name__)

LABELS_TOPIC_ENV = "DISTILLGUARD_LABELS_TOPIC"
STATUS_TOPIC_ENV = "DISTILLGUARD_CONFIG_STATUS_TOPIC"


@dataclass(frozen=True, slots=True)
class ControlTopics:
    config: str
    status: str
    labels: str
    decisions: str

    @classmethod
    def from_settings(cls, settings: Any) -> ControlTopics:
        """From ``WorkerSettings``; ``config_status_topic``/``labels_topic`` when it has them,
        else ``$DISTILLGUARD_CONFIG_STATUS_TOPIC``/``$DISTILLGUARD_LABELS_TOPIC``, else the
        defaults."""
        status = getattr(settings, "config_status_topic", None) or os.environ.get(
            STATUS_TOPIC_ENV, TOPICS.config_status
        )
        labels = getattr(settings, "labels_topic", None) or os.environ.get(
            LABELS_TOPIC_ENV, TOPICS.labels
        )
        return cls(settings.config_topic, status, labels, settings.decisions_topic)

    def specs(self, partitions: int, replication: int) -> list[TopicSpec]:
        return [
            TopicSpec.compacted(self.config, 1, replication),
            TopicSpec(self.status, 1, replication),
            TopicSpec(self.labels, partitions, replication),
        ]


@dataclass(slots=True)
class Control:
    """The running control components of one worker."""

    applier: ConfigApplier
    labels: LabelHandler
    publisher: Publisher

    def poll(self) -> int:
        return self.applier.poll() + self.labels.poll()

    def close(self) -> None:
        self.applier.close()
        self.labels.close()
        self.publisher.flush()


def start_control(settings: Any, scoring: Any, lookup_state: Any = None) -> Control:
    """Create topics, catch up with the config topic and subscribe to labels (blocking)."""
    topics = ControlTopics.from_settings(settings)
    ensure_topics(settings.bootstrap, topics.specs(settings.partitions, settings.replication))
    client = dict(settings.client_config)
    publisher = Publisher(settings.bootstrap, client)

    def swap(state: ControlState) -> None:
        reconfigure(scoring.engine, state.config)
        log.info("config %s in force", state.version)

    applier = ConfigApplier(
        ControlState.initial(scoring.engine.config),
        worker=settings.instance_id,
        status_topic=topics.status,
        publisher=publisher,
        on_change=swap,
    )
    count = applier.catch_up(settings.bootstrap, topics.config, client)
    log.info("config topic read: %d records, version %s", count, applier.state.version)

    def learn(account_id: str, is_abuse: bool, ts: float) -> bool:
        state = lookup_state(account_id) if lookup_state is not None else None
        engine = scoring.engine
        if state is None or engine.labels is None:
            return False
        engine.labels.learn_label(engine.features_of(state, max(ts, state.last_ts)), is_abuse)
        metrics.MODEL_UPDATES.labels(model="supervised").inc()
        return True

    labels = LabelHandler(
        publisher=publisher,
        worker=settings.instance_id,
        topics={"config": topics.config, "status": topics.status, "decisions": topics.decisions},
        config=lambda: applier.state.config,
        learn=learn,
        allow_locally=applier.apply_local,
    )
    labels.subscribe(settings.bootstrap, topics.labels, f"{settings.app_id}-labels", client)
    return Control(applier, labels, publisher)


def attach_control(app: Any, settings: Any, scoring: Any, poll_seconds: float = 0.5) -> Control:
    """Start control for the Faust ``app`` and poll it on the app's event loop."""

    def lookup(account_id: str) -> AccountState | None:
        table = app.tables.get("account-state")
        raw = table.get(account_id.encode()) if table is not None else None
        return StoredAccount.decode(account_id, raw).state if raw is not None else None

    control = start_control(settings, scoring, lookup)

    @app.timer(poll_seconds)
    async def poll_control() -> None:
        control.poll()

    async def stop(*_: Any, **__: Any) -> None:
        control.close()

    app.on_before_shutdown.connect(stop)
    return control
