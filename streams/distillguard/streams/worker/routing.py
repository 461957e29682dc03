"""Answer a web request on the instance that holds what it asks about.

Faust's ``table_route`` finds a key's partition with the producer's partitioner, which fits
neither table served here: accounts live in the partition :func:`~distillguard.streams.worker.
slicing.partition_of` gives them (CRC-32, the partition of the slice they arrived in), and the
clustering stage's owner table is never written, so the producer may not even have its
metadata (a 500 from inside the client until it does). Here the partition is known up front
and its owner is read from the assignment the whole group received at the last rebalance.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from yarl import URL

log = logging.getLogger(__name__)

#: Set on a forwarded request: the instance it reaches answers it, whatever its own view of
#: the assignment (two instances in the middle of a rebalance never send it back and forth).
FORWARDED_HEADER = "X-Distillguard-Forwarded"

#: How long a forwarded request may take before the caller gets a 503.
FORWARD_TIMEOUT_SECONDS = 10.0


def owner_url(app: Any, table: Any, partition: int) -> URL | None:
    """The web address of the instance that owns ``partition`` of ``table``'s changelog
    (the active replica, not a standby), or ``None`` while nobody does."""
    topic = table.changelog_topic.get_topic_name()
    for url, topics in app.router.table_metadata(table.name).items():
        if partition in topics.get(topic, ()):
            return URL(url)
    return None


def _same_instance(a: URL, b: URL) -> bool:
    return (a.host, a.port) == (b.host, b.port)


async def at_owner(
    app: Any,
    web: Any,
    request: Any,
    table: Any,
    partition: int,
    answer: Callable[[], Awaitable[Any]],
) -> Any:
    """``answer()`` here if this instance owns the partition, else the owner's answer."""
    if request.headers.get(FORWARDED_HEADER):
        return await answer()
    url = owner_url(app, table, partition)
    if url is None:
        return web.json(
            {
                "error": f"partition {partition} of {table.name!r} has no owner yet "
                "(the group is rebalancing); try again shortly"
            },
            status=503,
        )
    if _same_instance(url, URL(str(app.conf.canonical_url))):
        return await answer()
    target = request.url.with_scheme(url.scheme).with_host(url.host).with_port(url.port)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
    headers[FORWARDED_HEADER] = "1"
    try:
        async with app.http_client.request(
            method=request.method,
            url=target,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=FORWARD_TIMEOUT_SECONDS),
        ) as response:
            return web.text(
                await response.text(),
                content_type=response.content_type,
                status=response.status,
            )
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("could not forward %s to %s: %s", request.url.path, url, exc)
        return web.json(
            {"error": f"the instance owning partition {partition} ({url}) did not answer"},
            status=503,
        )
