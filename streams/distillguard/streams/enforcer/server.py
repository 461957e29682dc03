"""Run the sidecar: feed thread + HTTP server until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

from aiohttp import web

from distillguard.streams.enforcer.answer import Checker
from distillguard.streams.enforcer.cache import DecisionCache
from distillguard.streams.enforcer.feed import DecisionFeed
from distillguard.streams.enforcer.freshness import FailureMode, Freshness
from distillguard.streams.enforcer.http import EnforcerApp

log = logging.getLogger("distillguard.enforcer")


@dataclass(frozen=True, slots=True)
class EnforcerSettings:
    bootstrap: str
    topic: str
    host: str
    port: int
    stale_after: float
    failure_mode: FailureMode


async def serve(settings: EnforcerSettings) -> None:
    cache = DecisionCache()
    freshness = Freshness(settings.stale_after)
    feed = DecisionFeed(settings.bootstrap, settings.topic, cache, freshness)
    checker = Checker(cache, freshness, feed.ready.is_set, settings.failure_mode)
    app = EnforcerApp(checker, alive=lambda: feed.alive and feed.failed is None).build()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    feed.start()
    try:
        site = web.TCPSite(runner, settings.host, settings.port, backlog=1024)
        await site.start()
        log.info(
            "enforcer listening on %s:%d (decisions from %r at %s; stale after %gs, fail %s)",
            settings.host,
            settings.port,
            settings.topic,
            settings.bootstrap,
            settings.stale_after,
            settings.failure_mode,
        )
        await stop.wait()
        log.info("enforcer stopping")
    finally:
        await runner.cleanup()
        await asyncio.to_thread(feed.stop)
