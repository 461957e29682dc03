"""`distillguard worker`: the streaming detection worker (all detection agents)."""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

from pydantic import ValidationError

from distillguard.models.errors import UsageError
from distillguard.streams.settings import add_kafka_arguments

HELP = "run the streaming detection worker (all detection agents)"


def configure(parser: argparse.ArgumentParser) -> None:
    add_kafka_arguments(
        parser, "events", "decisions", "deadletter", "config", "config_status", "labels"
    )
    parser.add_argument("--app-id", default="distillguard", help="consumer group / app id")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("DISTILLGUARD_DATA_DIR", "/var/lib/distillguard")),
        help="RocksDB table state (env DISTILLGUARD_DATA_DIR; default %(default)s)",
    )
    parser.add_argument(
        "--instance-id",
        default=os.environ.get("DISTILLGUARD_INSTANCE_ID") or socket.gethostname(),
        help="stable id of this worker (static group membership; use the pod name)",
    )
    parser.add_argument("--partitions", type=int, default=4, help="partitions of internal topics")
    parser.add_argument("--replication", type=int, default=1, help="replication of new topics")
    parser.add_argument(
        "--web", default="127.0.0.1:6066", metavar="HOST:PORT", help="metrics/health/explain"
    )
    parser.add_argument(
        "--advertise-url",
        default=os.environ.get("DISTILLGUARD_ADVERTISE_URL"),
        metavar="URL",
        help="how other workers reach this one's web server, for forwarded /accounts and "
        "/clusters requests (env DISTILLGUARD_ADVERTISE_URL; default http://HOST:PORT of "
        "--web, or this host's FQDN when --web binds every interface)",
    )
    parser.add_argument(
        "--slice-interval", type=float, default=1.0, help="seconds of events per slice batch"
    )
    parser.add_argument("--tick-seconds", type=float, default=5.0, help="scoring tick (wall s)")
    parser.add_argument(
        "--snapshot-seconds", type=float, default=30.0, help="online-model snapshot interval"
    )
    parser.add_argument(
        "--state-cache-size",
        type=int,
        default=100_000,
        help="account states kept parsed in memory (the table stays the durable copy)",
    )
    parser.add_argument(
        "--changelog-buffer",
        type=int,
        default=5_000,
        help="table writes that may wait for the producer before processing pauses to flush",
    )
    parser.add_argument(
        "--intel",
        type=Path,
        metavar="WATCH.json",
        help="partner watch rules (distillguard intel import/follow); reloaded when it changes",
    )
    parser.add_argument(
        "--consortium-key-file",
        type=Path,
        metavar="F",
        help="key for --intel identifiers (else env DISTILLGUARD_CONSORTIUM_KEY)",
    )
    parser.add_argument("--config", type=Path, default=None, help="detection config file")
    parser.add_argument("--loglevel", default="info", choices=["debug", "info", "warn", "error"])


def run(args: argparse.Namespace) -> int:
    from distillguard.streams.worker.process import run_worker
    from distillguard.streams.worker.settings import WorkerSettings, client_config_from_env

    host, _, port = args.web.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--web must be HOST:PORT, got {args.web!r}")
    try:
        settings = WorkerSettings(
            bootstrap=args.bootstrap_servers,
            app_id=args.app_id,
            events_topic=args.events_topic,
            decisions_topic=args.decisions_topic,
            deadletter_topic=args.deadletter_topic,
            config_topic=args.config_topic,
            config_status_topic=args.config_status_topic,
            labels_topic=args.labels_topic,
            slices_topic=f"{args.app_id}.slices",
            snapshots_topic=f"{args.app_id}.model-snapshots",
            partitions=args.partitions,
            replication=args.replication,
            data_dir=args.data_dir,
            instance_id=args.instance_id,
            web_host=host,
            web_port=int(port),
            advertised_url=args.advertise_url,
            slice_interval=args.slice_interval,
            tick_seconds=args.tick_seconds,
            snapshot_seconds=args.snapshot_seconds,
            state_cache_size=args.state_cache_size,
            changelog_buffer=args.changelog_buffer,
            detection_config=args.config,
            intel_watch=args.intel,
            consortium_key_file=args.consortium_key_file,
            client_config=client_config_from_env(),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"invalid worker setting {field}: {first['msg']}") from None
    return run_worker(settings, loglevel=args.loglevel)
