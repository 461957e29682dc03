"""Operator control end to end: a real worker subprocess, real Kafka, the control topics.

Each test starts its own worker on its own uuid topics, with a base detection config of its
own (``BASE``: one rule, explicit thresholds) so that tuning the shipped defaults does not
change what these tests see. Accounts send logit-harvesting traffic (the ``test-harvest``
rule, weight 0.9 → risk 0.9 → ``challenge`` under the base
thresholds) and the tests watch decisions and status records appear.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import Consumer, Producer

from distillguard.streams.worker.slicing import partition_of
from tests.integration.test_enforcer_nginx import free_port, get

REPO = Path(__file__).resolve().parents[2]
DISTILLGUARD = REPO / ".venv" / "bin" / "distillguard"
BASE = """\
config_version: test-base
min_requests_1h: 20
policy:
  thresholds: {monitor: 0.3, degrade: 0.6, throttle: 0.75, challenge: 0.88, suspend: 0.96}
  hysteresis: 0.1
anomaly: {enabled: false}
rules:
  - id: test-harvest
    description: logit_bias with top_logprobs and 1-token outputs
    when:
      - {feature: harvest_share_1h, op: ">=", value: 0.3}
      - {feature: requests_1h, op: ">=", value: 30}
    weight: 0.9
    family: logit
    reason: test.harvest
    detail: "{harvest_share_1h:.0%} of {requests_1h:.0f} requests harvest logits"
"""


@dataclass
class Worker:
    """A running worker and its topics."""

    bootstrap: str
    topics: dict[str, str]
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    base: Path
    decisions: Consumer
    status: Consumer
    seen_decisions: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    seen_status: list[dict[str, Any]] = field(default_factory=list)

    def config_cli_args(self) -> list[str]:
        """What `distillguard config` needs to reach this worker's config topic."""
        return [
            "--bootstrap-servers",
            self.bootstrap,
            "--config-topic",
            self.topics["config"],
            "--base",
            str(self.base),
        ]

    def produce(self, topic: str, key: str, value: Any) -> None:
        producer = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 1})
        payload = value if isinstance(value, bytes) or value is None else orjson.dumps(value)
        errors: list[Any] = []
        producer.produce(
            self.topics[topic],
            key=key.encode(),
            value=payload,
            on_delivery=lambda err, _msg: errors.append(err) if err else None,
        )
        assert producer.flush(30) == 0 and errors == []

    def harvest(self, account: str, count: int = 40, org: str | None = None) -> None:
        """Logit-harvesting requests (1-token outputs with logit_bias and top_logprobs), from
        an account of organisation ``org`` if given."""
        producer = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5})
        now = time.time()
        for i in range(count):
            event = {
                "event_id": f"{account}-{uuid.uuid4().hex[:8]}-{i}",
                "ts": now - count + i,
                "account_id": account,
                "api_key_id": f"key-{account}",
                "ip": "198.51.100.7",
                "endpoint": "/v1/messages",
                "model": "m1",
                "status": 200,
                "prompt_tokens": 12,
                "completion_tokens": 1,
                "params": {"logprobs": True, "top_logprobs": 5, "logit_bias": True},
            }
            if org is not None:
                event["org_id"] = org
            producer.produce(self.topics["events"], key=account.encode(), value=orjson.dumps(event))
        assert producer.flush(30) == 0

    def _drain(self) -> None:
        for message in self.decisions.consume(500, timeout=0.2):
            if message.error() is None:
                key, value = message.key() or b"", message.value()
                self.seen_decisions.append(
                    (key.decode(), orjson.loads(value) if value is not None else None)
                )
        for message in self.status.consume(500, timeout=0.2):
            if message.error() is None:
                self.seen_status.append(orjson.loads(message.value() or b"null"))

    def wait_decision(
        self, key: str, ok: Callable[[dict[str, Any] | None], bool], timeout: float = 60.0
    ) -> dict[str, Any] | None:
        """The first decision record for ``key`` that satisfies ``ok`` (``None`` = tombstone)."""
        deadline = time.monotonic() + timeout
        checked = 0
        while time.monotonic() < deadline:
            self._drain()
            for k, value in self.seen_decisions[checked:]:
                if k == key and ok(value):
                    return value
            checked = len(self.seen_decisions)
            assert self.process.poll() is None, self.log.read_text()[-3000:]
        pytest.fail(f"no matching decision for {key} in {timeout}s: {self.seen_decisions}")

    def wait_status(
        self, ok: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._drain()
            for status in self.seen_status:
                if ok(status):
                    return status
        pytest.fail(f"no matching status in {timeout}s: {self.seen_status}")

    def decisions_for(self, key: str) -> list[dict[str, Any] | None]:
        self._drain()
        return [value for k, value in self.seen_decisions if k == key]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture
def worker(
    bootstrap: str,
    make_topic: Callable[..., str],
    consumer_factory: Callable[..., Consumer],
    tmp_path: Path,
    uid: str,
) -> Iterator[Worker]:
    topics = {
        "events": make_topic("events", partitions=2),
        "decisions": make_topic("decisions", partitions=1, compacted=True),  # total order
        "deadletter": make_topic("deadletter", partitions=1),
        "config": make_topic("config", partitions=1, compacted=True),
        "status": make_topic("config-status", partitions=1),
        "labels": make_topic("labels", partitions=1),
    }
    port = free_port()
    env = dict(os.environ)
    log = tmp_path / "worker.log"
    base = tmp_path / "detection.yaml"
    base.write_text(BASE, encoding="utf-8")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(DISTILLGUARD),
                "worker",
                "--bootstrap-servers",
                bootstrap,
                "--app-id",
                f"test-control-{uid}",
                "--instance-id",
                f"w-{uid}",
                "--events-topic",
                topics["events"],
                "--decisions-topic",
                topics["decisions"],
                "--deadletter-topic",
                topics["deadletter"],
                "--config-topic",
                topics["config"],
                "--config-status-topic",
                topics["status"],
                "--labels-topic",
                topics["labels"],
                "--partitions",
                "2",
                "--data-dir",
                str(tmp_path / "data"),
                "--web",
                f"127.0.0.1:{port}",
                "--tick-seconds",
                "1",
                "--config",
                str(base),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    running = Worker(
        bootstrap,
        topics,
        port,
        process,
        log,
        base,
        consumer_factory(topics["decisions"]),
        consumer_factory(topics["status"]),
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "worker did not become healthy"
            time.sleep(0.2)
        yield running
    finally:
        _stop(process)


def config_record(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": 1, "kind": kind, "spec": spec, "published_by": "test"}


def rejected_at(offset: int) -> Callable[[dict[str, Any]], bool]:
    return lambda s: s["status"] == "rejected" and s["source"]["offset"] == offset


def enforced(value: dict[str, Any] | None) -> bool:
    return value is not None and value["mode"] == "enforce"


def test_bad_config_is_rejected_and_old_config_stays_then_a_good_one_applies(
    worker: Worker,
) -> None:
    worker.harvest("acct-before")
    before = worker.wait_decision("account:acct-before", enforced)
    assert before is not None and before["action"] == "challenge"
    assert before["config_version"] == "test-base"

    # (1) schema error, semantic error, not JSON: each rejected, naming the field
    worker.produce("config", "policy", config_record("policy", {"thresholds": {"degrade": 1.5}}))
    worker.produce(
        "config",
        "policy",
        config_record("policy", {"thresholds": {"degrade": 0.9, "throttle": 0.8}}),
    )
    worker.produce("config", "rule:test-harvest", b"{not json")
    rejected = [worker.wait_status(rejected_at(n)) for n in range(3)]
    assert rejected[0]["field"] == "spec.thresholds.degrade"
    assert rejected[1]["field"] == "spec.thresholds" and "increase" in rejected[1]["reason"]
    assert rejected[2]["key"] == "rule:test-harvest" and "not JSON" in rejected[2]["reason"]
    assert {s["version"] for s in rejected} == {"test-base"}
    assert {s["worker"] for s in rejected} == {f"w-{worker.topics['events'].rsplit('.', 1)[1]}"}

    # detection keeps running under the old config
    worker.harvest("acct-during")
    during = worker.wait_decision("account:acct-during", enforced)
    assert during is not None and during["action"] == "challenge"
    assert during["config_version"] == "test-base"

    # (2) a valid threshold change applies and changes the next decisions
    worker.produce(
        "config",
        "policy",
        config_record("policy", {"thresholds": {"challenge": 0.85, "suspend": 0.89}}),
    )
    applied = worker.wait_status(lambda s: s["status"] == "applied" and s["key"] == "policy")
    assert applied["version"].startswith("test-base+")
    worker.harvest("acct-after")
    after = worker.wait_decision("account:acct-after", enforced)
    assert after is not None and after["action"] == "suspend"
    assert after["config_version"] == applied["version"]

    kafka = worker.config_cli_args()
    history = cli("config", "history", *kafka, "--config-status-topic", worker.topics["status"])
    assert history.returncode == 0, history.stderr
    assert history.stdout.count("rejected") == 3 and "applied" in history.stdout
    shown = cli("config", "show", *kafka)
    assert shown.returncode == 0, shown.stderr
    assert applied["version"] in shown.stdout and "suspend: 0.89" in shown.stdout


def same_partition_as(account: str, stem: str, partitions: int = 2) -> str:
    """An account id that lands in ``account``'s partition (scored in the same ticks)."""
    want = partition_of(account, partitions)
    return next(
        f"{stem}-{i}" for i in range(1000) if partition_of(f"{stem}-{i}", partitions) == want
    )


def test_upheld_appeal_lifts_the_decision_and_the_account_is_not_re_enforced(
    worker: Worker,
) -> None:
    worker.harvest("acct-appeal")
    live = worker.wait_decision("account:acct-appeal", enforced)
    assert live is not None and live["action"] == "challenge"

    label = {
        "schema_version": 1,
        "label_id": "appeal-0001",
        "kind": "appeal",
        "appeal": "upheld",
        "subject": {"scope": "account", "value": "acct-appeal"},
        "analyst": "analyst-7",
        "note": "nightly evaluation harness",
        "ts": time.time(),
        "allow_seconds": 3600,
    }
    worker.produce("labels", "acct-appeal", label)
    assert worker.wait_decision("account:acct-appeal", lambda v: v is None, timeout=10) is None
    audit = worker.wait_status(lambda s: s["key"] == "label:appeal-0001")
    assert audit["status"] == "handled" and audit["reason"] is None  # the model learnt
    assert audit["audit"]["actions"] == ["lift", "allow", "learn_legit"]
    assert audit["audit"]["decisions"] == [{"key": "account:acct-appeal", "action": None}]
    assert audit["audit"]["analyst"] == "analyst-7"
    allowed = worker.wait_status(lambda s: s["key"] == "allow:label-appeal-0001")
    assert allowed["status"] == "applied"

    # more abusive traffic from the allowlisted account, then from a witness account in
    # the same partition: once the witness is decided, the account has been scored again
    witness = same_partition_as("acct-appeal", "acct-witness")
    worker.harvest("acct-appeal")
    worker.harvest(witness)
    assert worker.wait_decision(f"account:{witness}", enforced) is not None
    history = worker.decisions_for("account:acct-appeal")
    lifted_at = history.index(None)
    assert not [v for v in history[lifted_at:] if enforced(v)], history

    shown = cli(
        "explain",
        "acct-appeal",
        "--worker-url",
        f"http://127.0.0.1:{worker.port}",
        "--bootstrap-servers",
        worker.bootstrap,
        "--labels-topic",
        worker.topics["labels"],
    )
    assert shown.returncode == 0, shown.stderr
    assert "test.harvest" in shown.stdout and "harvest_share_1h" in shown.stdout
    assert "appeal-0001" in shown.stdout and "upheld" in shown.stdout


def test_an_organisation_allowlisted_on_the_config_topic_covers_all_its_accounts(
    worker: Worker,
) -> None:
    """A live decision on an organisation's account is lifted once the organisation is
    allowlisted, and an account of it seen for the first time afterwards is not enforced
    against; an account of another organisation still is."""
    worker.harvest("acct-course-1", org="org-course")
    assert worker.wait_decision("account:acct-course-1", enforced) is not None
    entry = {"org_id": "org-course", "expires_at": time.time() + 3600, "reason": "workshop"}
    worker.produce("config", "allow:course", config_record("allow", entry))
    applied = worker.wait_status(lambda s: s["key"] == "allow:course")
    assert applied["status"] == "applied", applied

    newcomer = same_partition_as("acct-course-1", "acct-course-new")
    outsider = same_partition_as("acct-course-1", "acct-outsider")
    worker.harvest("acct-course-1", org="org-course")
    worker.harvest(newcomer, org="org-course")
    worker.harvest(outsider, org="org-other")
    assert worker.wait_decision("account:acct-course-1", lambda v: v is None) is None
    assert worker.wait_decision(f"account:{outsider}", enforced) is not None
    history = worker.decisions_for("account:acct-course-1")
    assert not [v for v in history[history.index(None) :] if enforced(v)], history
    assert not [v for v in worker.decisions_for(f"account:{newcomer}") if enforced(v)]


def test_a_rule_switched_to_shadow_stops_producing_enforceable_decisions(
    worker: Worker, tmp_path: Path, uid: str
) -> None:
    worker.harvest("acct-enforced")
    assert worker.wait_decision("account:acct-enforced", enforced) is not None

    ops = tmp_path / "shadow.yaml"
    ops.write_text("shadow:\n  rules: {test-harvest: true}\n", encoding="utf-8")
    kafka = worker.config_cli_args()
    diff = cli("config", "diff", str(ops), *kafka)
    assert diff.returncode == 0 and "+ shadow: added" in diff.stdout, diff.stdout + diff.stderr
    published = cli(
        "config",
        "publish",
        str(ops),
        *kafka,
        "--config-status-topic",
        worker.topics["status"],
        "--wait",
        "30",
    )
    assert published.returncode == 0, published.stdout + published.stderr
    assert f"w-{uid}: shadow applied" in published.stdout
    applied = worker.wait_status(lambda s: s["key"] == "shadow" and s["status"] == "applied")
    again = cli("config", "publish", str(ops), *kafka, "--wait", "0")
    assert "nothing to publish" in again.stdout

    worker.harvest("acct-shadowed")
    decided = worker.wait_decision("account:acct-shadowed", lambda v: v is not None)
    assert decided is not None
    assert decided["mode"] == "shadow" and decided["config_version"] == applied["version"]
    assert [r["code"] for r in decided["reasons"]] == ["shadow.test.harvest"]
    assert not [v for v in worker.decisions_for("account:acct-shadowed") if enforced(v)]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [str(DISTILLGUARD), *args], capture_output=True, text=True, timeout=120, env=env
    )
