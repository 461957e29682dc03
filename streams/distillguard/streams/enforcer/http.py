"""The enforcer's HTTP face (aiohttp): checks for gateways, health, readiness, metrics.

Routes:

* ``GET /check?account_id=…&api_key_id=…&ip=…`` — identifiers from the query; any that is
  missing is taken from the request headers (below).
* ``* /ext_authz/<anything>`` — for Envoy's HTTP ``ext_authz`` with ``path_prefix:
  /ext_authz``. Identifiers from headers only: the query string belongs to the client.
* ``* /auth_request`` — for nginx ``auth_request``; headers only, nginx status mapping.
* ``/healthz`` (process and feed alive), ``/readyz`` (caught up and fresh), ``/metrics``.

Identifier headers (the gateway must set them from what it authenticated and must not
pass a client's own values through): ``X-Account-Id``, ``X-Api-Key-Id``, and for the
address ``X-Real-IP``, else the last entry of ``X-Forwarded-For`` (the hop the gateway
itself appended).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Final

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from distillguard.streams import metrics
from distillguard.streams.enforcer.answer import Answer, Checker, Flavour

_observe: Final = metrics.ENFORCER_CHECK_LATENCY.observe
_perf: Final = time.perf_counter


def _ip_from(headers: Mapping[str, str]) -> str | None:
    real = headers.get("X-Real-IP")
    if real:
        return real.strip()
    forwarded = headers.get("X-Forwarded-For")
    if forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return None


def _respond(answer: Answer) -> web.Response:
    return web.Response(status=answer.status, headers=answer.headers)


class EnforcerApp:
    """Builds the aiohttp application around a :class:`Checker`."""

    def __init__(self, checker: Checker, *, alive: Callable[[], bool] = lambda: True) -> None:
        self.checker = checker
        self.alive = alive

    def build(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/check", self.check)
        app.router.add_route("*", "/ext_authz", self.ext_authz)
        app.router.add_route("*", "/ext_authz/{tail:.*}", self.ext_authz)
        app.router.add_route("*", "/auth_request", self.auth_request)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def check(self, request: web.Request) -> web.Response:
        started = _perf()
        query = request.query
        headers = request.headers
        account = query.get("account_id") or headers.get("X-Account-Id")
        api_key = query.get("api_key_id") or headers.get("X-Api-Key-Id")
        ip = query.get("ip") or _ip_from(headers)
        if not (account or api_key or ip):
            return web.json_response(
                {"error": "give at least one of account_id, api_key_id, ip"}, status=400
            )
        answer = self.checker.answer(account, api_key, ip)
        _observe(_perf() - started)
        return _respond(answer)

    async def ext_authz(self, request: web.Request) -> web.Response:
        return self._from_headers(request, "native")

    async def auth_request(self, request: web.Request) -> web.Response:
        return self._from_headers(request, "nginx")

    def _from_headers(self, request: web.Request, flavour: Flavour) -> web.Response:
        started = _perf()
        headers = request.headers
        answer = self.checker.answer(
            headers.get("X-Account-Id"), headers.get("X-Api-Key-Id"), _ip_from(headers), flavour
        )
        _observe(_perf() - started)
        return _respond(answer)

    async def healthz(self, request: web.Request) -> web.Response:
        del request
        alive = self.alive()
        return web.json_response({"alive": alive}, status=200 if alive else 500)

    def _state(self) -> dict[str, object]:
        checker = self.checker
        age = checker.freshness.age()
        stale = checker.freshness.stale()
        ready = checker.ready()
        metrics.ENFORCER_STALE.set(1 if stale else 0)
        metrics.ENFORCER_READY.set(1 if ready else 0)
        if age is not None:
            metrics.ENFORCER_LAST_READ_AGE.set(age)
        return {
            "ready": ready and not stale,
            "caught_up": ready,
            "stale": stale,
            "last_read_age_seconds": None if age is None else round(age, 3),
            "stale_after_seconds": checker.freshness.stale_after,
            "failure_mode": checker.failure_mode,
            "decisions": checker.cache.counts(),
            "malformed": sum(checker.cache.malformed.values()),
        }

    async def readyz(self, request: web.Request) -> web.Response:
        del request
        state = self._state()
        return web.Response(
            body=orjson.dumps(state),
            status=200 if state["ready"] else 503,
            content_type="application/json",
        )

    async def metrics(self, request: web.Request) -> web.Response:
        del request
        self._state()
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
