"""Topic names and Kafka connection settings shared by every command."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Final

BOOTSTRAP_ENV: Final = "DISTILLGUARD_BOOTSTRAP_SERVERS"
#: Kafka header carrying the detector's event-time clock on every decision record (the
#: record timestamp itself stays wall-clock: brokers refuse timestamps far in the future).
EVENT_TIME_HEADER: Final = "distillguard-event-time"
DEFAULT_BOOTSTRAP: Final = "127.0.0.1:9092"


@dataclass(frozen=True, slots=True)
class Topics:
    """Default topic names (brief section 2); every command can override them by flag."""

    events: str = "api.events"
    decisions: str = "enforcement.decisions"
    deadletter: str = "distillguard.deadletter"
    config: str = "distillguard.config"
    config_status: str = "distillguard.config.status"
    labels: str = "distillguard.labels"
    intel_in: str = "distillguard.intel.in"
    intel_out: str = "distillguard.intel.out"


TOPICS: Final = Topics()

#: flag name -> (Topics attribute, help)
_TOPIC_FLAGS: Final = {
    "events": ("--events-topic", "API events from gateways"),
    "decisions": ("--decisions-topic", "enforcement decisions (compacted)"),
    "deadletter": ("--deadletter-topic", "records that could not be processed"),
    "config": ("--config-topic", "operator configuration (compacted)"),
    "config_status": ("--config-status-topic", "config applied/rejected acknowledgements"),
    "labels": ("--labels-topic", "analyst verdicts and appeals"),
    "intel_in": ("--intel-in-topic", "STIX 2.1 bundles from partners"),
    "intel_out": ("--intel-out-topic", "STIX 2.1 bundles to partners"),
}


def default_bootstrap() -> str:
    return os.environ.get(BOOTSTRAP_ENV) or DEFAULT_BOOTSTRAP


def add_kafka_arguments(parser: argparse.ArgumentParser, *topics: str) -> None:
    """Add ``--bootstrap-servers`` and the ``--<name>-topic`` flags named in ``topics``."""
    parser.add_argument(
        "--bootstrap-servers",
        default=default_bootstrap(),
        metavar="HOST:PORT[,…]",
        help=f"Kafka bootstrap servers (env {BOOTSTRAP_ENV}; default %(default)s)",
    )
    for name in topics:
        flag, what = _TOPIC_FLAGS[name]
        parser.add_argument(
            flag,
            dest=f"{name}_topic",
            default=getattr(TOPICS, name),
            metavar="TOPIC",
            help=f"{what} (default %(default)s)",
        )
