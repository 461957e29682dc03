"""A real nginx with ``auth_request`` to a real enforcer reading a real decision topic.

nginx runs ``docs/gateways/nginx.conf`` as shipped, with its three addresses moved to free
loopback ports and a stub backend (``return 200``) added. What a client of nginx receives
is the contract: 200 allowed, 429 + Retry-After throttled, 401 challenged, 403 suspended.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import Producer

REPO = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO / "docs" / "gateways" / "nginx.conf"
DISTILLGUARD = Path(sys.executable).parent / "distillguard"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
)

Response = tuple[int, dict[str, str], bytes]


def _require_nginx() -> str:
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed but CI is set: install it (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install -y nginx); CI installs it")
    return NGINX


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(probe: Callable[[], Any], ok: Callable[[Any], bool], timeout: float = 30.0) -> Any:
    """Call ``probe`` until ``ok(result)``; return the result or fail with the last one."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except OSError as exc:
            last = exc
        else:
            if ok(last):
                return last
        time.sleep(0.05)
    pytest.fail(f"condition not met within {timeout}s; last result: {last!r}")


def get(port: int, path: str = "/v1/messages", headers: dict[str, str] | None = None) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def decision(scope: str, value: str, action: str, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "decision_id": f"dec-{scope}-{value}-{action}",
        "subject": {"scope": scope, "value": value},
        "action": action,
        "rate_limit_rpm": None,
        "risk": 0.9,
        "reasons": [{"code": "test.rule", "detail": "set by the test", "weight": 1.0}],
        "cluster_id": None,
        "mode": "enforce",
        "origin": "analyst",
        "issued_at": time.time(),
        "expires_at": time.time() + 3600,
        "detector_version": "test",
        "config_version": "test",
    }
    record.update(overrides)
    return record


class Gateway:
    """The running pair, and a producer onto its decision topic."""

    def __init__(self, bootstrap: str, topic: str, nginx_port: int, enforcer_port: int) -> None:
        self.topic = topic
        self.port = nginx_port
        self.enforcer_port = enforcer_port
        self._producer = Producer({"bootstrap.servers": bootstrap})

    def publish(self, key: str, value: dict[str, Any] | None) -> None:
        self._producer.produce(
            self.topic, key=key.encode(), value=None if value is None else orjson.dumps(value)
        )
        assert self._producer.flush(10) == 0

    def decide(self, scope: str, value: str, action: str, **overrides: Any) -> None:
        self.publish(f"{scope}:{value}", decision(scope, value, action, **overrides))

    def request(self, **headers: str) -> Response:
        return get(self.port, headers={k.replace("_", "-"): v for k, v in headers.items()})

    def until(self, status: int, **headers: str) -> Response:
        # Generous: on a loaded machine the sidecar may take a while to read a new record.
        response: Response = wait_for(
            lambda: self.request(**headers), lambda r: r[0] == status, timeout=90.0
        )
        return response


def _nginx_conf(tmp: Path, port: int, enforcer: int, backend: int) -> Path:
    text = NGINX_CONF.read_text()
    for old, new in (
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{enforcer};"),
        ("server 127.0.0.1:8081;", f"server 127.0.0.1:{backend};"),
        ("listen 8000;", f"listen 127.0.0.1:{port};"),
        ("worker_processes auto;", "worker_processes 1;"),
    ):
        assert old in text, f"{NGINX_CONF} no longer contains {old!r}"
        text = text.replace(old, new)
    stub = (
        f"http {{\n    access_log {tmp}/access.log;\n"
        f"    client_body_temp_path {tmp}/body;\n    proxy_temp_path {tmp}/proxy;\n"
        f'    server {{ listen 127.0.0.1:{backend}; location / {{ return 200 "backend\\n"; }} }}\n'
    )
    text = text.replace("http {\n", stub, 1)
    path = tmp / "nginx.conf"
    path.write_text(text)
    return path


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def gateway_factory(
    bootstrap: str, make_topic: Callable[..., str], tmp_path: Path
) -> Iterator[Callable[..., Gateway]]:
    nginx = _require_nginx()
    processes: list[subprocess.Popen[bytes]] = []

    def start(partitions: int = 4) -> Gateway:
        topic = make_topic("decisions", partitions=partitions, compacted=True)
        enforcer_port, nginx_port, backend_port = free_port(), free_port(), free_port()
        log = (tmp_path / "enforcer.log").open("wb")
        enforcer = subprocess.Popen(
            [
                str(DISTILLGUARD),
                "enforcer",
                "--bootstrap-servers",
                bootstrap,
                "--decisions-topic",
                topic,
                "--listen",
                f"127.0.0.1:{enforcer_port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(enforcer)
        wait_for(lambda: get(enforcer_port, "/readyz"), lambda r: r[0] == 200, timeout=60)
        conf = _nginx_conf(tmp_path, nginx_port, enforcer_port, backend_port)
        directives = f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"
        if os.geteuid() == 0:
            directives += " user root;"
        server = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(conf), "-g", directives],
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "nginx.out").open("wb"),
        )
        processes.append(server)
        wait_for(lambda: get(nginx_port), lambda r: r[0] == 200)
        return Gateway(bootstrap, topic, nginx_port, enforcer_port)

    yield start
    for process in reversed(processes):
        _stop(process)


def test_allowed_request_reaches_the_backend(gateway_factory: Callable[..., Gateway]) -> None:
    gateway = gateway_factory()
    status, headers, body = gateway.request(X_Account_Id="acct-ok", X_Api_Key_Id="key-ok")
    assert (status, body) == (200, b"backend\n")
    assert "x-distillguard-action" not in headers


def test_throttle_answers_429_with_retry_after(gateway_factory: Callable[..., Gateway]) -> None:
    gateway = gateway_factory()
    gateway.decide("account", "acct-t", "throttle", rate_limit_rpm=1)
    status, headers, _ = gateway.until(429, X_Account_Id="acct-t")
    assert headers["x-distillguard-action"] == "throttle"
    assert headers["x-distillguard-decision-id"] == "dec-account-acct-t-throttle"
    assert int(headers["retry-after"]) >= 1
    assert gateway.request(X_Account_Id="acct-other")[0] == 200


def test_suspend_answers_403_and_a_tombstone_lifts_it(
    gateway_factory: Callable[..., Gateway],
) -> None:
    gateway = gateway_factory()
    gateway.decide("api_key", "key-s", "suspend")
    _, headers, _ = gateway.until(403, X_Account_Id="acct-s", X_Api_Key_Id="key-s")
    assert headers["x-distillguard-action"] == "suspend"
    assert headers["x-distillguard-decision-id"] == "dec-api_key-key-s-suspend"
    gateway.publish("api_key:key-s", None)
    status, _, body = gateway.until(200, X_Account_Id="acct-s", X_Api_Key_Id="key-s")
    assert body == b"backend\n"


def test_challenge_answers_401(gateway_factory: Callable[..., Gateway]) -> None:
    gateway = gateway_factory()
    gateway.decide("account", "acct-c", "challenge")
    _, headers, _ = gateway.until(401, X_Account_Id="acct-c")
    assert headers["x-distillguard-action"] == "challenge"


def test_shadow_decision_changes_nothing(gateway_factory: Callable[..., Gateway]) -> None:
    # One partition: once the later sentinel is enforced, the shadow record was read too.
    gateway = gateway_factory(partitions=1)
    gateway.decide("account", "acct-sh", "suspend", mode="shadow")
    gateway.decide("account", "sentinel", "suspend")
    gateway.until(403, X_Account_Id="sentinel")
    status, headers, body = gateway.request(X_Account_Id="acct-sh")
    assert (status, body) == (200, b"backend\n")
    assert "x-distillguard-action" not in headers
    _, _, metrics = get(gateway.enforcer_port, "/metrics")
    assert b'distillguard_enforcer_would_have_total{action="suspend"}' in metrics


def test_ip_prefix_matches_addresses_inside_it(gateway_factory: Callable[..., Gateway]) -> None:
    gateway = gateway_factory()
    gateway.decide("ip_prefix", "198.51.100.0/24", "suspend")
    gateway.decide("ip_prefix", "2001:db8:77::/48", "suspend")
    _, headers, _ = gateway.until(403, X_Forwarded_For="198.51.100.77")
    assert headers["x-distillguard-decision-id"] == "dec-ip_prefix-198.51.100.0/24-suspend"
    gateway.until(403, X_Forwarded_For="2001:db8:77:1::9")
    assert gateway.request(X_Forwarded_For="198.51.101.77")[0] == 200
    assert gateway.request(X_Forwarded_For="2001:db8:78::9")[0] == 200
