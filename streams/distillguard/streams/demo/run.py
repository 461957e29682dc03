"""``distillguard demo``: simulate, stream through the real worker and enforcer, evaluate."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import orjson
from rich.console import Console
from rich.live import Live

from distillguard.models.evaluation import evaluate, print_summary, render_html
from distillguard.models.sim import load_scenario
from distillguard.models.sim.generator import write_files
from distillguard.streams.demo import services
from distillguard.streams.demo.traffic import DecisionWatcher, Feeder
from distillguard.streams.demo.view import render
from distillguard.streams.kafka import wait_for_broker


@dataclass(frozen=True)
class DemoSettings:
    bootstrap: str
    scenario: str
    out: Path
    rate: float
    partitions: int
    drain_seconds: float
    #: hard stop of the run; None: the traffic's time at ``rate``, plus ``SLACK_SECONDS``
    max_seconds: float | None = None


#: Time beyond the traffic's own (at the demo's rate) before a run is stopped regardless.
SLACK_SECONDS = 180.0


def _metric(text: str, name: str) -> float:
    """Sum of the samples of ``name`` in a Prometheus text exposition."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (line[len(name)] in "{ "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def run_demo(settings: DemoSettings, console: Console) -> int:
    run_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    out = settings.out / f"demo-{run_id}"
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"[b]distillguard demo[/] — run {run_id}, output in {out}")
    info = wait_for_broker(settings.bootstrap, timeout=30)
    console.print(f"Kafka at {settings.bootstrap}: cluster {info['cluster_id']}")

    # The scenario starts now, so the enforcer (which honours expires_at against its wall
    # clock) treats the decisions as current; event time then runs ahead of the wall clock
    # by the streaming speed-up.
    scenario = load_scenario(settings.scenario)
    scenario = scenario.model_copy(
        update={"start": datetime.fromtimestamp(int(time.time()), tz=UTC)}
    )
    summary = write_files(scenario, out)
    counts = summary.get("counts", {})
    console.print(
        f"scenario {scenario.name!r}: {counts.get('events', '?'):,} events from "
        f"{counts.get('accounts', '?')} accounts ({counts.get('attack_accounts', '?')} attacking) "
        f"→ {out / 'events.jsonl'}"
    )

    prefix = f"demo.{run_id}"
    topics = {
        "events": f"{prefix}.api.events",
        "decisions": f"{prefix}.decisions",
        "deadletter": f"{prefix}.deadletter",
    }
    enforcer_port = services.free_port()
    enforcer = services.start(
        "enforcer",
        [
            "enforcer",
            "--bootstrap-servers", settings.bootstrap,
            "--decisions-topic", topics["decisions"],
            "--listen", f"127.0.0.1:{enforcer_port}",
        ],
        out / "enforcer.log",
        f"http://127.0.0.1:{enforcer_port}",
    )  # fmt: skip
    worker: services.Service | None = None
    watcher: DecisionWatcher | None = None
    feeder: Feeder | None = None
    try:
        console.print("starting the worker and the enforcer …")
        worker = services.start_worker(
            settings.bootstrap,
            f"dg-{prefix}",
            topics,
            out / "state",
            out / "worker.log",
            partitions=settings.partitions,
            extra=("--instance-id", "demo-0"),
        )
        enforcer.wait_ready("/readyz", timeout=60)
        watcher = DecisionWatcher(settings.bootstrap, topics["decisions"], f"{prefix}.watch")
        watcher.start()
        feeder = Feeder(settings.bootstrap, topics["events"], out / "events.jsonl", settings.rate)
        feeder.start()
        limit = settings.max_seconds
        if limit is None:
            limit = feeder.total / settings.rate + SLACK_SECONDS
        processed = _live(console, settings, worker, enforcer, feeder, watcher, limit)
        if feeder.error:
            console.print(f"[red]producing failed: {feeder.error}[/]")
            return 1
        decisions = out / "decisions.jsonl"
        count = watcher.write(decisions)
        console.print(f"{count:,} decision records collected from {topics['decisions']}")
    finally:
        if feeder is not None:
            feeder.stop.set()
        if watcher is not None:
            watcher.stop.set()
        if worker is not None:
            worker.stop()
        enforcer.stop()

    truth, events = out / "truth.jsonl", out / "events.jsonl"
    if feeder.produced < feeder.total or processed < feeder.produced:
        console.print(
            f"[yellow]stopped after {limit:.0f} s (--max-seconds): {feeder.produced:,} of "
            f"{feeder.total:,} events produced, {processed:,} processed by the worker. The "
            "evaluation covers the produced events and their accounts only; events the "
            "worker had not processed count as served before enforcement.[/]"
        )
        truth, events = _produced_part(out, feeder.produced)
    result = evaluate(truth, decisions, events)
    print_summary(result, console)
    report = render_html(result, out / "report.html")
    (out / "evaluation.json").write_bytes(
        orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2)
    )
    console.print(f"\n[b]HTML report:[/] {report}")
    console.print(f"logs: {out / 'worker.log'}, {out / 'enforcer.log'}")
    return 0


def _produced_part(out: Path, produced: int) -> tuple[Path, Path]:
    """The first ``produced`` events and the truth of their accounts, beside the full files."""
    events, truth = out / "events.produced.jsonl", out / "truth.produced.jsonl"
    accounts: set[str] = set()
    with (out / "events.jsonl").open("rb") as src, events.open("wb") as dst:
        for _, line in zip(range(produced), src, strict=False):
            accounts.add(orjson.loads(line)["account_id"])
            dst.write(line)
    with (out / "truth.jsonl").open("rb") as src, truth.open("wb") as dst:
        for line in src:
            if line.strip() and orjson.loads(line)["account_id"] in accounts:
                dst.write(line)
    return truth, events


def _live(
    console: Console,
    settings: DemoSettings,
    worker: services.Service,
    enforcer: services.Service,
    feeder: Feeder,
    watcher: DecisionWatcher,
    limit: float,
) -> int:
    """Show the run until the worker has caught up and the decisions are quiet (or
    ``limit`` seconds have passed); the events the worker processed."""
    started = time.monotonic()
    processed = 0
    last = (started, 0)
    rate = 0.0
    checks: dict[str, str] = {}
    with Live(console=console, refresh_per_second=4, transient=False) as live:
        while True:
            now = time.monotonic()
            status, body, _ = services.http_get(worker.base_url + "/metrics")
            text = body.decode() if status == 200 else ""
            processed = max(processed, int(_metric(text, "distillguard_events_total")))
            dead = int(_metric(text, "distillguard_deadletter_total"))
            if now - last[0] >= 1.0:
                rate = (processed - last[1]) / (now - last[0])
                last = (now, processed)
            by_action, top, records = watcher.snapshot()
            for value in top[:5]:
                account = value["subject"]["value"]
                if value["subject"]["scope"] == "account" and account in feeder.first_seen:
                    key, ip = feeder.first_seen[account]
                    query = urlencode({"account_id": account, "api_key_id": key, "ip": ip})
                    code, _, headers = services.http_get(f"{enforcer.base_url}/check?{query}")
                    checks[account] = f"{code} {headers.get('X-Distillguard-Action', 'allow')}"
            live.update(
                render(
                    elapsed=now - started,
                    produced=feeder.produced,
                    total=feeder.total,
                    processed=processed,
                    deadlettered=dead,
                    rate=rate,
                    by_action=by_action,
                    top=top,
                    records=records,
                    checks=checks,
                )
            )
            caught_up = feeder.done.is_set() and processed + dead >= feeder.produced
            quiet = now - watcher.last_change >= settings.drain_seconds
            if (caught_up and quiet) or feeder.error or now - started > limit:
                return processed
            if not worker.alive() or not enforcer.alive():
                raise RuntimeError("a service exited; see the logs in the output directory")
            feeder.done.wait(0.25)
