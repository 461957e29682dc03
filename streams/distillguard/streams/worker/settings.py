"""Settings of one worker process, validated before anything starts."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from distillguard.streams.kafka import security_config
from distillguard.streams.settings import TOPICS


class WorkerSettings(BaseModel):
    """Everything a worker needs; frozen, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bootstrap: str
    app_id: str = "distillguard"
    events_topic: str = TOPICS.events
    decisions_topic: str = TOPICS.decisions
    deadletter_topic: str = TOPICS.deadletter
    config_topic: str = TOPICS.config
    config_status_topic: str = TOPICS.config_status
    labels_topic: str = TOPICS.labels
    slices_topic: str = "distillguard.slices"
    snapshots_topic: str = "distillguard.model-snapshots"
    partitions: int = Field(4, ge=1, le=1024)
    replication: int = Field(1, ge=1, le=16)
    data_dir: Path = Path("/var/lib/distillguard")
    instance_id: str = Field(default_factory=socket.gethostname, min_length=1)
    web_host: str = "127.0.0.1"
    web_port: int = Field(6066, ge=0, le=65535)
    #: how the other workers reach this one's web endpoints (``/accounts`` and ``/clusters``
    #: requests are forwarded to the instance that holds the answer); ``None``: derived
    advertised_url: str | None = Field(None, pattern=r"^https?://[^/\s]+(:\d+)?/?$")
    slice_interval: float = Field(1.0, gt=0, le=60)
    tick_seconds: float = Field(5.0, gt=0, le=600)
    snapshot_seconds: float = Field(30.0, gt=0, le=3600)
    state_cache_size: int = Field(100_000, ge=0)
    #: table writes waiting for the producer before stream processing pauses to flush them;
    #: a scoring tick writes one policy state per account it scores, so Faust's own 100
    #: paused (and warned) on nearly every tick of a busy partition
    changelog_buffer: int = Field(5_000, ge=100)
    detection_config: Path | None = None
    intel_watch: Path | None = None
    consortium_key_file: Path | None = None
    client_config: dict[str, Any] = Field(default_factory=dict)

    @property
    def canonical_url(self) -> str:
        """``advertised_url``, else ``http://HOST:PORT`` of the web server; a server bound to
        every interface is advertised under this host's fully qualified name (in a
        StatefulSet: the pod's stable DNS name), never as ``0.0.0.0``."""
        if self.advertised_url:
            return self.advertised_url.rstrip("/")
        host = self.web_host
        if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 (a check, not a bind)
            host = socket.getfqdn()
        return f"http://{host}:{self.web_port}"

    @property
    def group_id(self) -> str:
        return f"{self.app_id}-ingest"

    @property
    def transactional_id(self) -> str:
        return f"{self.app_id}-ingest-{self.instance_id}"

    # Cluster linking's topics; the Faust app creates them (see ``worker.linking``).
    @property
    def by_value_topic(self) -> str:
        """Slices' linking values, keyed by value (``partitions`` partitions)."""
        return f"{self.app_id}.links-by-value"

    @property
    def clustering_topic(self) -> str:
        """Pairs, members' profiles and decisions for the clustering stage (1 partition)."""
        return f"{self.app_id}.clustering"

    @property
    def verdicts_topic(self) -> str:
        """Per-account cluster verdicts every worker reads (compacted)."""
        return f"{self.app_id}.cluster-verdicts"


def client_config_from_env() -> dict[str, Any]:
    """librdkafka security settings from ``DISTILLGUARD_KAFKA_*`` environment variables."""
    return security_config(os.environ)
