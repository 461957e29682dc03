"""The Faust half of the worker: slices → account state tables → scoring ticks → decisions.

- ``merge`` agent: one record per partition per slice interval (see ``slicing``); each slice is
  merged into its account's :class:`~distillguard.models.features.AccountState`, held in a
  RocksDB table backed by a changelog topic, so a restarted worker recovers it from Kafka.
- scoring: at most every ``tick_seconds`` per partition, after merging a batch, the accounts of
  that partition touched since its last tick are scored at event time (never per event) and
  the policy's decisions go to the decisions topic. Scoring runs inside stream iteration so
  policy-state writes land in the partition's own changelog.
- cluster linking (``linking``): the merge agent re-keys each batch's slices by linking
  value; the by-value and clustering stages link accounts of every partition into clusters
  and publish per-member verdicts, which every worker reads and scores with (the engine's
  cluster evidence source). An account whose verdict changed is scored again at its
  partition's next tick.
- web: ``/metrics``, ``/healthz``, ``/accounts/{id}``, ``/clusters/{id}`` (answered by the
  instance that runs the clustering stage; other instances forward the request).
"""

from __future__ import annotations

import logging
import ssl
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import faust
import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from distillguard.models.features import AccountSlice
from distillguard.streams import metrics
from distillguard.streams.settings import EVENT_TIME_HEADER
from distillguard.streams.worker.linking import Linking
from distillguard.streams.worker.routing import at_owner
from distillguard.streams.worker.scoring import Scoring
from distillguard.streams.worker.settings import WorkerSettings
from distillguard.streams.worker.slicing import partition_of
from distillguard.streams.worker.snapshots import PartitionLog
from distillguard.streams.worker.stored import StoredAccount
from distillguard.streams.worker.transport import App
from distillguard.streams.worker.verdicts import ClusterVerdicts, VerdictReader

log = logging.getLogger(__name__)

#: The longest feature window: accounts seen within it count as active.
ACTIVE_WINDOW_SECONDS = 24 * 3600.0


@dataclass(slots=True)
class Runtime:
    """Mutable, process-local state of the Faust half (rebuilt from tables on restart)."""

    touched: dict[int, set[str]] = field(default_factory=dict)
    #: partition -> its accounts whose cluster verdict changed, scored at its next batch
    rescore: dict[int, set[str]] = field(default_factory=dict)
    last_scored: dict[int, float] = field(default_factory=dict)
    watermark: float = 0.0
    slices: int = 0
    ticks: int = 0
    decisions: int = 0
    snapshots: int = 0
    merged_events: int = 0
    duplicates: int = 0
    #: account -> event time of its latest slice, for accounts inside the longest window
    last_seen: dict[str, float] = field(default_factory=dict)
    healthy: Callable[[], bool] = lambda: True


def _credentials(client: dict[str, Any]) -> Any:
    protocol = client.get("security.protocol", "PLAINTEXT").upper()
    if protocol == "PLAINTEXT":
        return None
    context = ssl.create_default_context(cafile=client.get("ssl.ca.location"))
    if client.get("ssl.certificate.location"):
        context.load_cert_chain(client["ssl.certificate.location"], client.get("ssl.key.location"))
    if protocol == "SSL":
        return faust.SSLCredentials(context)
    return faust.SASLCredentials(
        username=client.get("sasl.username"),
        password=client.get("sasl.password"),
        mechanism=client.get("sasl.mechanism", "SCRAM-SHA-512"),
        ssl_context=context,
    )


def build_app(settings: WorkerSettings, scoring: Scoring) -> tuple[Any, Runtime]:
    """Create the Faust app with its topics, tables, agents, timers and web pages."""
    runtime = Runtime()
    app = App(
        settings.app_id,
        broker=[f"kafka://{server}" for server in settings.bootstrap.split(",")],
        broker_credentials=_credentials(settings.client_config),
        store="rocksdb://",
        datadir=str(settings.data_dir / "faust"),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        web_host=settings.web_host,
        web_port=settings.web_port,
        canonical_url=settings.canonical_url,
        web_in_thread=False,
        consumer_group_instance_id=f"{settings.app_id}-{settings.instance_id}",
        consumer_auto_offset_reset="earliest",
        table_standby_replicas=0,
        logging_config=None,
    )
    slices_topic = app.topic(
        settings.slices_topic,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.partitions,
    )
    states = app.Table(
        "account-state",
        default=None,
        partitions=settings.partitions,
        key_type=bytes,
        value_type=bytes,
    )
    policy_states = app.Table(
        "policy-state",
        default=None,
        partitions=settings.partitions,
        key_type=bytes,
        value_type=bytes,
    )
    decisions_topic = app.topic(
        settings.decisions_topic, key_serializer="raw", value_serializer="raw"
    )
    if scoring.clusters is None:
        scoring.clusters = ClusterVerdicts()
    linking = Linking(
        app,
        by_value_topic=settings.by_value_topic,
        clustering_topic=settings.clustering_topic,
        verdicts_topic=settings.verdicts_topic,
        partitions=settings.partitions,
        verdicts=scoring.clusters,
        # the clustering partition as the group (the Faust app) committed it
        restore=PartitionLog(
            settings.bootstrap, settings.clustering_topic, app.conf.id, settings.client_config
        ),
    )
    # Never written: one partition, assigned with the clustering topic's, so that
    # ``/clusters/{id}`` can be routed to the instance running the clustering stage.
    clustering_owner = app.Table(
        "clustering-owner", default=None, partitions=1, key_type=bytes, value_type=bytes
    )
    reader = VerdictReader(
        settings.bootstrap, settings.verdicts_topic, scoring.clusters, settings.client_config
    )

    @app.task
    async def read_verdicts() -> None:
        reader.start()

    @app.task
    async def size_changelog_buffer() -> None:
        app.producer.buffer.max_messages = settings.changelog_buffer

    @app.on_before_shutdown.connect
    async def stop_verdicts(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        reader.stop()

    # Parsing a state costs more than merging a slice into it, so hot accounts stay parsed
    # in memory. The table stays the durable copy: every merge writes through to it (and its
    # changelog) before the slice's offset can be committed. Cleared on every rebalance,
    # when another worker may have changed what we held.
    cache: OrderedDict[str, StoredAccount] = OrderedDict()

    def load(account_id: str) -> StoredAccount:
        stored = cache.get(account_id)
        if stored is not None:
            cache.move_to_end(account_id)
            return stored
        stored = StoredAccount.decode(account_id, states.get(account_id.encode()))
        cache[account_id] = stored
        if len(cache) > settings.state_cache_size:
            cache.popitem(last=False)
        return stored

    @app.on_partitions_revoked.connect
    async def forget(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        cache.clear()
        runtime.last_seen.clear()

    async def score_accounts(accounts: set[str]) -> None:
        # Runs inside stream iteration of a record of the accounts' partition: table writes
        # land in that partition's changelog, which is where these accounts live.
        now = runtime.watermark
        for account_id in sorted(accounts):
            key = account_id.encode()
            raw_policy = policy_states.get(key)
            outcome = scoring.score(
                load(account_id).state,
                orjson.loads(raw_policy) if raw_policy is not None else None,
                now,
            )
            policy_states[key] = orjson.dumps(outcome.policy_state)
            for record in outcome.records:
                await send_decision(record.key, record.value)

    async def score_partition(partition: int) -> None:
        touched = runtime.touched.pop(partition, set())
        touched |= runtime.rescore.pop(partition, set())
        await score_accounts(touched)
        now = runtime.watermark
        for record, policy in scoring.expire(now):
            account_id = record.key.partition(":")[2]
            if partition_of(account_id, settings.partitions) == partition:
                policy_states[account_id.encode()] = orjson.dumps(policy)
            await send_decision(record.key, None)
            linking.verdicts.observe_decision(account_id, None, now)
        await linking.feedback()
        runtime.ticks += 1
        if runtime.ticks % 100 == 0:
            horizon = now - ACTIVE_WINDOW_SECONDS
            runtime.last_seen = {a: t for a, t in runtime.last_seen.items() if t >= horizon}
        metrics.ACTIVE_ACCOUNTS.set(len(runtime.last_seen))

    async def send_decision(key: str, value: dict[str, Any] | None) -> None:
        # The record keeps the broker's wall-clock timestamp: Kafka refuses records stamped
        # more than an hour ahead of it (log.message.timestamp.after.max.ms), and event time
        # can run ahead when a backlog or a backfill is replayed. The detector's clock travels
        # in a header (and, for decisions, in issued_at), so tombstones keep their event time.
        payload = orjson.dumps(value) if value is not None else None
        stamp = float(value["issued_at"]) if value is not None else runtime.watermark
        headers = {EVENT_TIME_HEADER: repr(stamp).encode()}
        await decisions_topic.send(key=key.encode(), value=payload, headers=headers)
        runtime.decisions += 1

    @app.agent(slices_topic)
    async def merge(stream: Any) -> None:
        async for event in stream.events():
            batch = orjson.loads(event.value)
            partition, offset = event.message.partition, event.message.offset
            touched = runtime.touched.setdefault(partition, set())
            pieces = {}
            for data in batch["slices"]:
                piece = AccountSlice.from_dict(data)
                stored = load(piece.account_id)
                if not stored.merge(piece, offset, scoring.engine.config.late_seconds):
                    runtime.duplicates += 1
                    continue  # re-read after a crash: already in the table
                states[piece.account_id.encode()] = stored.encode()
                pieces[piece.account_id] = piece
                touched.add(piece.account_id)
                runtime.last_seen[piece.account_id] = piece.last_ts
                runtime.merged_events += piece.events
            runtime.watermark = max(runtime.watermark, float(batch["max_ts"]))
            scoring.observe_slices(pieces, runtime.watermark)
            for account_id in await linking.publish(pieces, runtime.watermark):
                if account_id in runtime.last_seen:  # ours: score it with its new verdict
                    owner = partition_of(account_id, settings.partitions)
                    runtime.rescore.setdefault(owner, set()).add(account_id)
            scoring.absorb_intel(batch.get("intel", {}), pieces, runtime.watermark)
            runtime.slices += len(batch["slices"])
            ts = event.message.timestamp
            if ts:
                metrics.PROCESSING_LATENCY.observe(max(0.0, time.time() - ts))
            wall = time.monotonic()
            if wall - runtime.last_scored.get(partition, 0.0) >= settings.tick_seconds:
                runtime.last_scored[partition] = wall
                await score_partition(partition)
            elif partition in runtime.rescore:
                # a verdict changed: score its members now, not at the next tick
                await score_accounts(runtime.rescore.pop(partition))
                await linking.feedback()

    @app.page("/metrics")
    async def prometheus(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz")
    async def health(web: Any, request: Any) -> Any:
        ok = runtime.healthy()
        body = {
            "ok": ok,
            "slices": runtime.slices,
            "ticks": runtime.ticks,
            "watermark": runtime.watermark,
            "decisions": runtime.decisions,
            "snapshots": runtime.snapshots,
            "merged_events": runtime.merged_events,
            "duplicate_slices_skipped": runtime.duplicates,
            "models": scoring.model_stats(),
            "input": {
                "field_share": {k: round(v, 3) for k, v in scoring.coverage.shares().items()},
                "blind": [g.describe() for g in scoring.coverage.gaps(scoring.engine.rules.rules)],
            },
            "clusters": {
                **linking.stats,
                "verdicts_read": reader.records,
                "accounts_with_verdict": len(linking.verdicts.verdicts),
            },
        }
        return web.json(body, status=200 if ok else 503)

    @app.page("/clusters/{cluster_id}")
    async def cluster(web: Any, request: Any, cluster_id: str) -> Any:
        async def answer() -> Any:
            view = linking.stage.view(cluster_id)
            if view is None:
                return web.json({"error": f"unknown cluster {cluster_id!r}"}, status=404)
            return web.json(view)

        return await at_owner(app, web, request, clustering_owner, 0, answer)

    @app.page("/accounts/{account_id}")
    async def account(web: Any, request: Any, account_id: str) -> Any:
        async def answer() -> Any:
            raw = states.get(account_id.encode())
            if raw is None:
                return web.json({"error": f"unknown account {account_id!r}"}, status=404)
            state = StoredAccount.decode(account_id, raw).state
            raw_policy = policy_states.get(account_id.encode())
            explanation = scoring.explain(
                state,
                orjson.loads(raw_policy) if raw_policy is not None else None,
                max(runtime.watermark, state.last_ts),
            )
            return web.json(explanation)

        partition = partition_of(account_id, settings.partitions)
        return await at_owner(app, web, request, states, partition, answer)

    return app, runtime
