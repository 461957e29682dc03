"""`distillguard enforcer`: run the edge sidecar: decision cache and HTTP check endpoint."""

from __future__ import annotations

import argparse
import asyncio
import logging

from distillguard.models.errors import UsageError
from distillguard.streams.enforcer.freshness import FAILURE_MODES

HELP = "run the edge sidecar: decision cache and HTTP check endpoint"

DESCRIPTION = """\
Read every decision on the compacted decisions topic (all partitions, from the beginning;
no consumer group), keep them in memory, and answer gateway checks over HTTP:
GET /check?account_id=A&api_key_id=K&ip=IP (200 allow or degrade, 429 throttle, 401
challenge, 403 suspend), /ext_authz/* for Envoy, /auth_request for nginx, /healthz,
/readyz (200 once caught up with the topic and fresh), /metrics. See docs/enforcer.md.
"""


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[IPv6]:PORT`` → (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT, e.g. 127.0.0.1:8080")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def configure(parser: argparse.ArgumentParser) -> None:
    from distillguard.streams.settings import add_kafka_arguments

    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_kafka_arguments(parser, "decisions")
    parser.add_argument(
        "--listen",
        default="127.0.0.1:8080",
        metavar="HOST:PORT",
        help="address of the HTTP check endpoint (default %(default)s)",
    )
    parser.add_argument(
        "--stale-after",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="treat the cache as stale when the decision topic was not read for this long "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--failure-mode",
        choices=FAILURE_MODES,
        default="open",
        help="answer while stale or still catching up: open = allow (and count it), "
        "closed = 503 (default %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level (default %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    from distillguard.streams.enforcer.server import EnforcerSettings, serve

    host, port = parse_listen(args.listen)
    if not args.stale_after > 0:
        raise UsageError(f"--stale-after {args.stale_after}: must be a positive number of seconds")
    if not args.decisions_topic:
        raise UsageError("--decisions-topic must not be empty")
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = EnforcerSettings(
        bootstrap=args.bootstrap_servers,
        topic=args.decisions_topic,
        host=host,
        port=port,
        stale_after=args.stale_after,
        failure_mode=args.failure_mode,
    )
    asyncio.run(serve(settings))
    return 0
