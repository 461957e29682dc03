"""Enforcer benchmarks: in-process check latency, HTTP checks/s, bootstrap time and memory.

``run(bootstrap)`` measures, on a realistic mix of 1,000,000 decisions (70% accounts, 20%
API keys, 10% IP prefixes: IPv4 /32 and /24, IPv6 /64):

* ``DecisionCache.check`` latency, p50/p99 in µs, over 200,000 checks (half hit);
* the time ``distillguard enforcer`` takes to read those decisions from a fresh topic and
  report ready, and its resident memory then;
* HTTP checks/s and latency against that one enforcer process (pinned to one CPU), with
  ``wrk`` on another CPU when installed, else a Python load generator in another process.
  Medians of several runs.

Targets: in-process p99 < 10 µs; HTTP ≥ 5,000 checks/s with p99 < 5 ms on one core;
bootstrap of 1,000,000 decisions < 30 s and < 1 GiB RSS.

``python -m distillguard.streams.bench.enforcer`` prints one JSON line.
"""

from __future__ import annotations

import asyncio
import gc
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import orjson
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from distillguard.streams.enforcer import DecisionCache
from distillguard.streams.kafka import TopicSpec, ensure_topics
from distillguard.streams.settings import default_bootstrap

TARGETS: Final = {
    "in_process_p99_us": 10.0,
    "http_checks_per_s": 5000.0,
    "http_p99_ms": 5.0,
    "bootstrap_s": 30.0,
    "bootstrap_rss_mib": 1024.0,
}

Record = tuple[bytes, bytes]


# --- data -----------------------------------------------------------------------------------
def _subject(i: int, n: int) -> tuple[str, str]:
    """The i-th of n subjects in the mix."""
    if i < n * 7 // 10:
        return "account", f"acct-{i}"
    if i < n * 9 // 10:
        return "api_key", f"key-{i - n * 7 // 10}"
    j = i - n * 9 // 10
    kind, m = j % 10, j // 10
    if kind < 6:  # IPv4 hosts inside 10.0.0.0/9
        h = m * 6 + kind
        return "ip_prefix", f"10.{(h >> 16) & 127}.{(h >> 8) & 255}.{h & 255}/32"
    if kind < 9:  # IPv4 /24 networks inside 10.128.0.0/9
        h = m * 3 + kind - 6
        return "ip_prefix", f"10.{128 + ((h >> 8) & 127)}.{h & 255}.0/24"
    return "ip_prefix", f"2001:db8:{(m >> 16) & 0xFFFF:x}:{m & 0xFFFF:x}::/64"


def decision_records(n: int, *, now: float | None = None) -> Iterator[Record]:
    """``n`` contract-valid decision records (~400 bytes each), distinct keys."""
    now = time.time() if now is None else now
    actions = ("throttle", "suspend", "degrade", "challenge", "monitor")
    for i in range(n):
        scope, value = _subject(i, n)
        action = actions[i % len(actions)]
        record = {
            "decision_id": f"dec-{uuid.UUID(int=i).hex[:20]}",
            "subject": {"scope": scope, "value": value},
            "action": action,
            "rate_limit_rpm": 30 if action == "throttle" else None,
            "risk": 0.5 + (i % 50) / 100,
            "reasons": [
                {
                    "code": "template.shared",
                    "detail": "one template across many accounts",
                    "weight": 0.6,
                },
                {
                    "code": "cot.elicitation",
                    "detail": "asks for step-by-step reasoning",
                    "weight": 0.3,
                },
            ],
            "cluster_id": f"cl-{i % 997}" if i % 3 == 0 else None,
            "mode": "shadow" if i % 20 == 0 else "enforce",
            "origin": "model",
            "issued_at": now,
            "expires_at": now + 86_400,
            "detector_version": "bench",
            "config_version": "bench",
        }
        yield f"{scope}:{value}".encode(), orjson.dumps(record)


def check_mix(n: int, decisions: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(account, api key, ip) triples; roughly half hit a held decision."""
    rng = random.Random(seed)  # noqa: S311 - load shape, not security
    accounts, keys = decisions * 7 // 10, decisions * 2 // 10
    out = []
    for _ in range(n):
        if rng.random() < 0.9:
            ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        else:
            ip = f"2001:db8:{rng.randrange(4):x}:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
        out.append((f"acct-{rng.randrange(accounts * 2)}", f"key-{rng.randrange(keys * 2)}", ip))
    return out


# --- in-process -----------------------------------------------------------------------------
def in_process(records: list[Record], checks: int, repeats: int = 3) -> dict[str, Any]:
    cache = DecisionCache()
    start = time.process_time()
    for key, value in records:
        cache.apply(key.decode(), value)
    apply_us = (time.process_time() - start) / len(records) * 1e6
    mix = check_mix(checks, len(records))
    check, clock = cache.check, time.perf_counter_ns
    now = time.time()
    p50s, p99s, cpu, hits = [], [], [], 0
    gc.collect()
    for _ in range(repeats):
        started_cpu = time.process_time()
        for account, api_key, ip in mix:
            check(account, api_key, ip, now)
        cpu.append((time.process_time() - started_cpu) / len(mix) * 1e6)
        samples = []
        for account, api_key, ip in mix:
            started = clock()
            verdict = check(account, api_key, ip, now)
            samples.append(clock() - started)
            hits += verdict.action != "allow"
        samples.sort()
        p50s.append(samples[len(samples) // 2] / 1000)
        p99s.append(samples[int(len(samples) * 0.99)] / 1000)
    return {
        "enforcer_apply_cpu_us_per_record": round(apply_us, 2),
        "enforcer_check_p50_us": round(statistics.median(p50s), 2),
        "enforcer_check_p99_us": round(statistics.median(p99s), 2),
        # CPU time per check, immune to other processes taking the core (unlike p50/p99)
        "enforcer_check_cpu_mean_us": round(statistics.median(cpu), 2),
        "enforcer_check_enforced_share": round(hits / (checks * repeats), 3),
        "enforcer_index_decisions": len(cache),
    }


# --- Kafka + process ------------------------------------------------------------------------
def _produce(bootstrap: str, topic: str, records: list[Record]) -> float:
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 20,
            "batch.size": 1_000_000,
            "compression.type": "lz4",
            "queue.buffering.max.messages": 1_000_000,
        }
    )
    failed: list[Any] = []

    def delivered(error: Any, message: Any) -> None:
        if error is not None:
            failed.append(error)

    start = time.perf_counter()
    for key, value in records:
        while True:
            try:
                producer.produce(topic, key=key, value=value, on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    producer.flush(120)
    if failed:
        raise RuntimeError(f"{len(failed)} decision records not delivered: {failed[0]}")
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(rest.split()[0]) / 1024
    return fields


def _start_enforcer(bootstrap: str, topic: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "distillguard"),
        "enforcer",
        "--bootstrap-servers",
        bootstrap,
        "--decisions-topic",
        topic,
        "--listen",
        f"127.0.0.1:{port}",
        "--log-level",
        "WARNING",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log.open("wb"))  # noqa: S603


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"enforcer exited with {process.returncode} before ready")
        try:
            status, body = _get(port, "/readyz")
        except OSError:
            status, body = 0, b""
        if status == 200:
            state: dict[str, Any] = orjson.loads(body)
            return state
        time.sleep(0.02)
    raise RuntimeError(f"enforcer not ready within {timeout:.0f}s")


# --- HTTP load ------------------------------------------------------------------------------
_WRK_SCRIPT: Final = """
math.randomseed(42)
request = function()
  local ip
  if math.random() < 0.9 then
    ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(0, 255)
  else
    ip = string.format("2001:db8:%x:%x::1", math.random(0, 3), math.random(0, 65535))
  end
  return wrk.format("GET", "/check?account_id=acct-" .. math.random(0, %(accounts)d) ..
    "&api_key_id=key-" .. math.random(0, %(keys)d) .. "&ip=" .. ip)
end
"""

_UNITS: Final = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _wrk(
    port: int, seconds: float, connections: int, decisions: int, cpus: set[int]
) -> dict[str, float]:
    wrk = shutil.which("wrk")
    assert wrk is not None
    script_text = _WRK_SCRIPT.replace("%(accounts)d", str(decisions * 14 // 10)).replace(
        "%(keys)d", str(decisions * 4 // 10)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(script_text)
    try:
        command = [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            "-s",
            script.name,
        ]
        out = subprocess.run(  # noqa: S603
            [*command, f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=True,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    result = {"checks_per_s": rps}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match is not None, out
        result[f"p{pct}_ms"] = float(match.group(1)) * _UNITS[match.group(2)]
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        result["socket_errors"] = errors.group(1)  # type: ignore[assignment]
    return result


async def _load_worker(
    port: int, seconds: float, accounts: int, seed: int, latencies: list[float]
) -> None:
    rng = random.Random(seed)  # noqa: S311 - load shape, not security
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        path = f"/check?account_id=acct-{rng.randrange(accounts)}&ip={ip}"
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: enforcer\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length:
            await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
    writer.close()


def loadgen(port: int, seconds: float, connections: int, accounts: int) -> dict[str, float]:
    """A keep-alive HTTP/1.1 load generator (asyncio); the fallback when ``wrk`` is absent."""
    latencies: list[float] = []

    async def main() -> None:
        await asyncio.gather(
            *(_load_worker(port, seconds, accounts, i, latencies) for i in range(connections))
        )

    asyncio.run(main())
    latencies.sort()
    return {
        "checks_per_s": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1e3,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1e3,
    }


def _python_load(
    port: int, seconds: float, connections: int, decisions: int, cpus: set[int]
) -> dict[str, float]:
    module = "distillguard.streams.bench.enforcer"
    args = ["--loadgen", str(port), str(seconds), str(connections), str(decisions * 14 // 10)]
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", module, *args],
        capture_output=True,
        check=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    ).stdout
    result: dict[str, float] = orjson.loads(out)
    return result


def http_load(
    port: int,
    decisions: int,
    *,
    seconds: float,
    runs: int,
    connections: int,
    cpus: set[int],
    pid: int,
) -> dict[str, Any]:
    """Several load runs; besides wall-clock rates, checks per CPU-second of the enforcer
    (what one core can answer, whoever else shares it)."""
    generator = "wrk" if shutil.which("wrk") else "python"
    load = _wrk if generator == "wrk" else _python_load
    load(port, 1.0, connections, decisions, cpus)  # warm-up
    results = []
    for _ in range(runs):
        cpu_before = _cpu_seconds(pid)
        measured = load(port, seconds, connections, decisions, cpus)
        cpu = _cpu_seconds(pid) - cpu_before
        measured["checks_per_cpu_s"] = measured["checks_per_s"] * seconds / cpu if cpu else 0.0
        results.append(measured)
    return {
        "enforcer_http_checks_per_cpu_s": round(
            statistics.median(r["checks_per_cpu_s"] for r in results)
        ),
        "enforcer_http_load_generator": generator,
        "enforcer_http_connections": connections,
        "enforcer_http_checks_per_s": round(statistics.median(r["checks_per_s"] for r in results)),
        "enforcer_http_p50_ms": round(statistics.median(r["p50_ms"] for r in results), 3),
        "enforcer_http_p99_ms": round(statistics.median(r["p99_ms"] for r in results), 3),
        "enforcer_http_runs": results,
    }


# --- all ------------------------------------------------------------------------------------
def run(
    bootstrap: str,
    decisions: int = 1_000_000,
    checks: int = 200_000,
    http_seconds: float = 5.0,
    http_runs: int = 3,
    connections: int = 16,
) -> dict[str, Any]:
    records = list(decision_records(decisions))
    result: dict[str, Any] = {
        "enforcer_decisions": decisions,
        "enforcer_cpus": os.cpu_count(),
        "enforcer_loadavg_1m_at_start": round(os.getloadavg()[0], 2),
    }
    result.update(in_process(records, checks))
    gc.collect()

    topic = f"bench.decisions.{uuid.uuid4().hex[:10]}"
    ensure_topics(bootstrap, [TopicSpec.compacted(topic, partitions=4)])
    port = _free_port()
    process: subprocess.Popen[bytes] | None = None
    cpus = sorted(os.sched_getaffinity(0))
    enforcer_cpus, load_cpus = ({cpus[0]}, set(cpus[1:])) if len(cpus) > 1 else (set(), set())
    try:
        result["enforcer_produce_s"] = round(_produce(bootstrap, topic, records), 2)
        del records
        gc.collect()
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            process = _start_enforcer(bootstrap, topic, port, Path(tmp) / "enforcer.log")
            state = _wait_ready(process, port, timeout=300)
            result["enforcer_bootstrap_s"] = round(time.perf_counter() - started, 2)
            result["enforcer_bootstrap_cpu_s"] = round(_cpu_seconds(process.pid), 2)
            memory = _rss_mib(process.pid)
            result["enforcer_bootstrap_rss_mib"] = round(memory["VmRSS"], 1)
            result["enforcer_bootstrap_peak_rss_mib"] = round(memory["VmHWM"], 1)
            result["enforcer_bootstrap_decisions_held"] = sum(state["decisions"].values())
            if enforcer_cpus:
                os.sched_setaffinity(process.pid, enforcer_cpus)
                for task in os.listdir(f"/proc/{process.pid}/task"):
                    os.sched_setaffinity(int(task), enforcer_cpus)
            result.update(
                http_load(
                    port,
                    decisions,
                    seconds=http_seconds,
                    runs=http_runs,
                    connections=connections,
                    cpus=load_cpus,
                    pid=process.pid,
                )
            )
            result["enforcer_pinned_cpus"] = len(enforcer_cpus) or len(cpus)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(30)
        # Keep the client referenced until the deletion completes: a client destroyed
        # with the request in flight never deletes the topic.
        admin = AdminClient({"bootstrap.servers": bootstrap})
        for future in admin.delete_topics([topic]).values():
            future.exception()
    result["enforcer_loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    result["enforcer_targets"] = TARGETS
    result["enforcer_targets_met"] = (
        result["enforcer_check_p99_us"] < TARGETS["in_process_p99_us"]
        and result["enforcer_http_checks_per_s"] >= TARGETS["http_checks_per_s"]
        and result["enforcer_http_p99_ms"] < TARGETS["http_p99_ms"]
        and result["enforcer_bootstrap_s"] < TARGETS["bootstrap_s"]
        and result["enforcer_bootstrap_rss_mib"] < TARGETS["bootstrap_rss_mib"]
    )
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--loadgen"]:
        port, seconds, connections, accounts = sys.argv[2:6]
        print(
            orjson.dumps(
                loadgen(int(port), float(seconds), int(connections), int(accounts))
            ).decode()
        )
    else:
        print(orjson.dumps(run(default_bootstrap())).decode())
