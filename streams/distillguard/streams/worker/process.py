"""Run one worker: the ingest stage in a child process, the Faust app in this one.

Two processes so the hot path (decode, validate, fold) and the stateful stage use both cores.
If either dies the whole worker exits non-zero, so its supervisor (Kubernetes) restarts it;
nothing is lost because both halves only commit what they finished.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
from typing import Any

from distillguard.models.clusters import LinkingConfig
from distillguard.streams.ingest import TransactionalIngest
from distillguard.streams.kafka import TopicSpec, ensure_topics, wait_for_broker
from distillguard.streams.worker.bridge import StatsBridge
from distillguard.streams.worker.intel import WatchFile
from distillguard.streams.worker.linking import clustering_retention
from distillguard.streams.worker.settings import WorkerSettings
from distillguard.streams.worker.slicing import slice_batches
from distillguard.streams.worker.snapshots import SnapshotWriter, load_latest

log = logging.getLogger(__name__)


def topics(settings: WorkerSettings) -> list[TopicSpec]:
    """The topics a worker reads or writes, with their required configuration.

    The linking stages' topics are the Faust app's own, but they are created here too,
    before the app subscribes: a topic Faust creates at start-up can be missing from the
    broker's metadata when its agent subscribes a moment later, and Faust then ignores it
    for good ("Ignoring missing topic"), which leaves that stage never running."""
    p, r = settings.partitions, settings.replication
    retention = clustering_retention(LinkingConfig())
    return [
        TopicSpec(settings.events_topic, p, r),
        TopicSpec(settings.slices_topic, p, r, {"retention.ms": str(24 * 3600 * 1000)}),
        TopicSpec(settings.deadletter_topic, p, r, {"max.message.bytes": str(4 * 1024 * 1024)}),
        TopicSpec.compacted(settings.decisions_topic, p, r),
        TopicSpec.compacted(settings.snapshots_topic, 1, r),
        TopicSpec(settings.by_value_topic, p, r),
        TopicSpec(settings.clustering_topic, 1, r, {"retention.ms": str(int(retention * 1000))}),
        TopicSpec.compacted(settings.verdicts_topic, p, r),
    ]


def run_ingest(settings: WorkerSettings, bridge: StatsBridge | None = None) -> None:
    """Entry point of the ingest child process."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s ingest %(levelname)s %(message)s")
    ingest = TransactionalIngest(
        bootstrap=settings.bootstrap,
        group_id=settings.group_id,
        source_topic=settings.events_topic,
        deadletter_topic=settings.deadletter_topic,
        transactional_id=settings.transactional_id,
        transform=slice_batches(
            settings.slices_topic,
            settings.partitions,
            WatchFile(settings.intel_watch, settings.consortium_key_file)
            if settings.intel_watch is not None
            else None,
        ),
        flush_interval=settings.slice_interval,
        client_config=settings.client_config,
        instance_id=f"{settings.app_id}-ingest-{settings.instance_id}",
        on_commit=bridge.publish if bridge is not None else None,
    )
    signal.signal(signal.SIGTERM, lambda *_: ingest.stop())
    signal.signal(signal.SIGINT, lambda *_: ingest.stop())
    ingest.run()


def run_worker(settings: WorkerSettings, loglevel: str = "info") -> int:
    """Start both halves and block until the worker stops."""
    from distillguard.streams.control.attach import attach_control
    from distillguard.streams.worker.app import build_app
    from distillguard.streams.worker.scoring import Scoring

    scoring = Scoring.from_settings(settings)  # bad detection config or intel: fail now
    wait_for_broker(settings.bootstrap, timeout=60)
    ensure_topics(settings.bootstrap, topics(settings))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("spawn")
    bridge = StatsBridge(context, settings.events_topic)
    child = context.Process(target=run_ingest, args=(settings, bridge), name="ingest", daemon=True)
    child.start()
    snapshot_key = f"{settings.app_id}-{settings.instance_id}"
    saved = load_latest(
        settings.bootstrap, settings.snapshots_topic, snapshot_key, settings.client_config
    )
    if saved:
        scoring.restore(saved)
        log.info("restored online models %s from %s", sorted(saved), settings.snapshots_topic)
    writer = SnapshotWriter(
        settings.bootstrap, settings.snapshots_topic, snapshot_key, settings.client_config
    )
    app, runtime = build_app(settings, scoring)
    attach_control(app, settings, scoring)
    runtime.healthy = child.is_alive

    @app.timer(settings.snapshot_seconds)
    async def snapshot() -> None:
        writer.write(scoring.snapshot())
        runtime.snapshots += 1

    @app.timer(1.0)
    async def supervise() -> None:
        bridge.sync()
        if not child.is_alive():
            log.error("ingest process exited with %s; stopping the worker", child.exitcode)
            app._crash(RuntimeError("ingest process exited"))  # noqa: SLF001

    worker: Any = app.Worker(loglevel=loglevel, quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    finally:
        if child.is_alive():
            child.terminate()
            child.join(15)
    if child.exitcode not in (0, None, -signal.SIGTERM):
        code = code or 1
    sys.stdout.flush()
    return code
