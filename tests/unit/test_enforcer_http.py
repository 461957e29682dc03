"""The enforcer's HTTP answers and headers, with a fake clock for staleness (no broker)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY

from distillguard.streams.enforcer import DecisionCache
from distillguard.streams.enforcer.answer import Checker
from distillguard.streams.enforcer.freshness import FailureMode, Freshness
from distillguard.streams.enforcer.http import EnforcerApp

from .test_enforcer_cache import NOW, put


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class Harness:
    """A checker over a cache with decisions, a monotonic and a wall clock we move by hand."""

    def __init__(self, failure_mode: FailureMode = "open") -> None:
        self.cache = DecisionCache()
        self.mono = Clock(1000.0)
        self.wall = Clock(NOW)
        self.freshness = Freshness(stale_after=30, clock=self.mono)
        self.freshness.mark()
        self.caught_up = True
        self.checker = Checker(
            self.cache, self.freshness, lambda: self.caught_up, failure_mode, clock=self.wall
        )
        put(self.cache, "account", "a-degrade", "degrade")
        put(self.cache, "account", "a-throttle", "throttle", rate_limit_rpm=1)
        put(self.cache, "account", "a-zero", "throttle", rate_limit_rpm=0)
        put(self.cache, "api_key", "k-challenge", "challenge")
        put(self.cache, "ip_prefix", "203.0.113.0/24", "suspend")
        put(self.cache, "account", "a-shadow", "suspend", mode="shadow")


@pytest_asyncio.fixture
async def client_for() -> AsyncIterator[Callable[[Harness], Any]]:
    clients: list[TestClient[Any, Any]] = []

    async def make(harness: Harness) -> TestClient[Any, Any]:
        client: TestClient[Any, Any] = TestClient(TestServer(EnforcerApp(harness.checker).build()))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("query", "status", "action"),
    [
        ({"account_id": "nobody", "ip": "198.51.100.1"}, 200, None),
        ({"account_id": "a-degrade"}, 200, "degrade"),
        ({"account_id": "a-zero"}, 429, "throttle"),
        ({"api_key_id": "k-challenge"}, 401, "challenge"),
        ({"ip": "203.0.113.9"}, 403, "suspend"),
        ({"account_id": "a-shadow"}, 200, None),
    ],
)
async def test_check_answers_and_headers(
    client_for: Callable[[Harness], Any], query: dict[str, str], status: int, action: str | None
) -> None:
    client = await client_for(Harness())
    response = await client.get("/check", params=query)
    assert response.status == status
    assert response.headers.get("X-Distillguard-Action") == action
    if action is None:
        assert "X-Distillguard-Decision-Id" not in response.headers
    else:
        assert response.headers["X-Distillguard-Decision-Id"].endswith(f":{action}")
    assert ("Retry-After" in response.headers) == (status == 429)


@pytest.mark.asyncio
async def test_throttle_admits_at_the_rate_then_429s(client_for: Callable[[Harness], Any]) -> None:
    harness = Harness()
    client = await client_for(harness)
    first = await client.get("/check", params={"account_id": "a-throttle"})
    assert first.status == 200 and first.headers["X-Distillguard-Action"] == "throttle"
    second = await client.get("/check", params={"account_id": "a-throttle"})
    assert second.status == 429 and second.headers["Retry-After"] == "60"
    harness.wall.now += 60
    assert (await client.get("/check", params={"account_id": "a-throttle"})).status == 200


@pytest.mark.asyncio
async def test_identifiers_from_headers(client_for: Callable[[Harness], Any]) -> None:
    client = await client_for(Harness())
    by_key = await client.get("/check", headers={"X-Api-Key-Id": "k-challenge"})
    assert by_key.status == 401
    by_real_ip = await client.get("/check", headers={"X-Real-IP": "203.0.113.1"})
    assert by_real_ip.status == 403
    # the last X-Forwarded-For hop is the one the gateway appended
    spoofed = await client.get("/check", headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.1"})
    assert spoofed.status == 200
    appended = await client.get("/check", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.1"})
    assert appended.status == 403
    # the query wins over headers on /check
    both = await client.get(
        "/check", params={"account_id": "nobody"}, headers={"X-Account-Id": "a-degrade"}
    )
    assert both.headers.get("X-Distillguard-Action") is None


@pytest.mark.asyncio
async def test_check_without_identifiers_is_a_bad_request(
    client_for: Callable[[Harness], Any],
) -> None:
    client = await client_for(Harness())
    response = await client.get("/check")
    assert response.status == 400
    assert "account_id" in (await response.json())["error"]


@pytest.mark.asyncio
async def test_ext_authz_reads_headers_not_the_clients_query(
    client_for: Callable[[Harness], Any],
) -> None:
    client = await client_for(Harness())
    spoof = await client.post(
        "/ext_authz/v1/messages?account_id=nobody", headers={"X-Account-Id": "a-zero"}
    )
    assert spoof.status == 429 and spoof.headers["X-Distillguard-Action"] == "throttle"
    ignored = await client.get("/ext_authz/v1/messages?api_key_id=k-challenge")
    assert ignored.status == 200


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("headers", "status", "client_status"),
    [
        ({"X-Account-Id": "a-zero"}, 403, "429"),
        ({"X-Api-Key-Id": "k-challenge"}, 401, "401"),
        ({"X-Real-IP": "203.0.113.5"}, 403, "403"),
        ({"X-Account-Id": "a-degrade"}, 200, None),
    ],
)
async def test_auth_request_speaks_nginx(
    client_for: Callable[[Harness], Any],
    headers: dict[str, str],
    status: int,
    client_status: str | None,
) -> None:
    client = await client_for(Harness())
    response = await client.get("/auth_request", headers=headers)
    assert response.status == status
    assert response.headers.get("X-Distillguard-Status") == client_status
    if client_status == "429":
        assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.asyncio
async def test_stale_fails_open_and_counts_it(client_for: Callable[[Harness], Any]) -> None:
    harness = Harness("open")
    client = await client_for(harness)
    assert (await client.get("/check", params={"ip": "203.0.113.9"})).status == 403
    before = sample("distillguard_enforcer_failmode_answers_total", mode="open")
    harness.mono.now += 31
    response = await client.get("/check", params={"ip": "203.0.113.9"})
    assert response.status == 200
    assert response.headers["X-Distillguard-Failure-Mode"] == "open"
    assert sample("distillguard_enforcer_failmode_answers_total", mode="open") == before + 1
    ready = await client.get("/readyz")
    assert ready.status == 503
    assert orjson.loads(await ready.read())["stale"] is True
    metrics = await (await client.get("/metrics")).text()
    assert "distillguard_enforcer_stale 1.0" in metrics
    harness.freshness.mark()
    assert (await client.get("/check", params={"ip": "203.0.113.9"})).status == 403
    assert (await client.get("/readyz")).status == 200


@pytest.mark.asyncio
async def test_stale_fails_closed(client_for: Callable[[Harness], Any]) -> None:
    harness = Harness("closed")
    client = await client_for(harness)
    assert (await client.get("/check", params={"account_id": "nobody"})).status == 200
    harness.mono.now += 30.5
    closed = await client.get("/check", params={"account_id": "nobody"})
    assert closed.status == 503
    assert closed.headers["X-Distillguard-Failure-Mode"] == "closed"
    nginx = await client.get("/auth_request", headers={"X-Account-Id": "nobody"})
    assert (nginx.status, nginx.headers["X-Distillguard-Status"]) == (403, "503")


@pytest.mark.asyncio
async def test_not_caught_up_answers_by_failure_mode(client_for: Callable[[Harness], Any]) -> None:
    harness = Harness("closed")
    harness.caught_up = False
    client = await client_for(harness)
    assert (await client.get("/check", params={"account_id": "nobody"})).status == 503
    ready = await client.get("/readyz")
    body = orjson.loads(await ready.read())
    assert ready.status == 503 and body["caught_up"] is False and body["stale"] is False
    harness.caught_up = True
    assert (await client.get("/readyz")).status == 200


@pytest.mark.asyncio
async def test_healthz_and_metrics(client_for: Callable[[Harness], Any]) -> None:
    client = await client_for(Harness())
    assert (await client.get("/healthz")).status == 200
    before = sample("distillguard_enforcer_would_have_total", action="suspend")
    await client.get("/check", params={"account_id": "a-shadow"})
    assert sample("distillguard_enforcer_would_have_total", action="suspend") == before + 1
    metrics = await client.get("/metrics")
    assert metrics.status == 200
    assert metrics.headers["Content-Type"].startswith("text/plain")
    text = await metrics.text()
    assert "distillguard_enforcer_check_latency_seconds_count" in text
    assert "distillguard_enforcer_ready 1.0" in text


@pytest.mark.asyncio
async def test_healthz_reports_a_dead_feed() -> None:
    harness = Harness()
    client: TestClient[Any, Any] = TestClient(
        TestServer(EnforcerApp(harness.checker, alive=lambda: False).build())
    )
    await client.start_server()
    try:
        assert (await client.get("/healthz")).status == 500
    finally:
        await client.close()
