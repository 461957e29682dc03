"""`distillguard intel`: export and import STIX 2.1 intelligence bundles between labs.

``export`` turns this lab's events and its own decisions into a bundle (indicators,
sightings, campaigns, the signature rules that fired, the action ladder); ``import``
validates a partner's bundle and merges it into a watch file that ``replay --intel`` and
the worker match local traffic against; ``feedback`` tells a partner which of its
indicators misfired here. Docs: docs/intel.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml

from distillguard.models.codec import Event, decode_event
from distillguard.models.config import load_config
from distillguard.models.errors import DecodeError, UsageError
from distillguard.models.intel.export import ExportOptions, export_bundle, read_records
from distillguard.models.intel.feedback import OPINIONS, feedback_bundle
from distillguard.models.intel.harvest import Harvest
from distillguard.models.intel.keys import load_key
from distillguard.models.intel.match import IntelSource
from distillguard.models.intel.signing import load_partner_keys, sign
from distillguard.models.intel.tlp import LEVELS, SharingPolicy
from distillguard.models.intel.validate import DEFAULT_MAX_BYTES, DEFAULT_MAX_OBJECTS, Limits
from distillguard.models.intel.validate import load_bundle as admit
from distillguard.models.intel.watch import WatchList, load_watch, merge, save_watch
from distillguard.streams.settings import add_kafka_arguments

HELP = "export and import STIX 2.1 intelligence bundles"


def _key_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--consortium-key-file",
        type=Path,
        metavar="F",
        help="secret shared by the consortium (else env DISTILLGUARD_CONSORTIUM_KEY); "
        "account-level identifiers are shared only as HMAC-SHA256 under it",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Share detection signatures, blocking strategies and attribution intelligence with "
        "partner labs as STIX 2.1 bundles. Raw account ids, API keys, payment fingerprints, "
        "e-mails and single IPs never leave: account-level identifiers are keyed hashes, "
        "IPs /24 or /48 prefixes seen on several enforced accounts."
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    ex = sub.add_parser("export", help="build a bundle from events and this lab's decisions")
    ex.add_argument("--events", metavar="E.jsonl", help="API events (file mode)")
    ex.add_argument("--decisions", metavar="D.jsonl", help="replay output (file mode)")
    ex.add_argument(
        "--from-kafka",
        action="store_true",
        help="read the decisions topic and the last --since hours of the events topic instead",
    )
    ex.add_argument("--since", type=float, default=24.0, metavar="HOURS", help="with --from-kafka")
    ex.add_argument(
        "--publish", action="store_true", help="also send the bundle to the intel-out topic"
    )
    add_kafka_arguments(ex, "events", "decisions", "intel_out")
    ex.add_argument("--out", required=True, metavar="BUNDLE.json", help="bundle (- for stdout)")
    ex.add_argument("--tlp", choices=LEVELS, default="amber", help="marking (default amber)")
    ex.add_argument("--min-confidence", type=int, default=50, metavar="N", help="0-100")
    ex.add_argument("--producer", default="distillguard", help="this lab's name in the bundle")
    ex.add_argument("--config", type=Path, metavar="FILE", help="detection config (rules)")
    ex.add_argument(
        "--sharing",
        type=Path,
        metavar="FILE",
        help="YAML mapping indicator kind -> minimum TLP level (docs/intel.md)",
    )
    ex.add_argument("--sign-key-file", type=Path, metavar="F", help="write BUNDLE.json.sig")
    ex.add_argument("--sign-key-id", default=None, metavar="ID", help="key id (default producer)")
    _key_arg(ex)

    im = sub.add_parser("import", help="validate a partner bundle and merge it into watch rules")
    im.add_argument("bundle", metavar="FILE", help="partner bundle (STIX 2.1 JSON)")
    im.add_argument(
        "--out", type=Path, metavar="WATCH.json", help="watch file to merge into (else: check only)"
    )
    im.add_argument("--signature", type=Path, metavar="SIG", help="detached signature (FILE.sig)")
    im.add_argument("--partner-keys", type=Path, metavar="F", help="YAML key_id: secret")
    im.add_argument("--require-signature", action="store_true", help="reject unsigned bundles")
    im.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N")
    im.add_argument("--max-objects", type=int, default=DEFAULT_MAX_OBJECTS, metavar="N")

    pub = sub.add_parser("publish", help="send a bundle (and its .sig) to the intel-out topic")
    pub.add_argument("bundle", metavar="FILE", help="bundle written by export or feedback")
    add_kafka_arguments(pub, "intel_out")

    fo = sub.add_parser("follow", help="merge partner bundles from the intel-in topic")
    fo.add_argument("--out", required=True, type=Path, metavar="WATCH.json")
    fo.add_argument("--partner-keys", type=Path, metavar="F", help="YAML key_id: secret")
    fo.add_argument("--require-signature", action="store_true", help="reject unsigned bundles")
    fo.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N")
    fo.add_argument("--max-objects", type=int, default=DEFAULT_MAX_OBJECTS, metavar="N")
    fo.add_argument("--group", default="distillguard-intel", help="consumer group")
    fo.add_argument(
        "--idle-exit", type=float, metavar="SECONDS", help="stop after this long without records"
    )
    add_kafka_arguments(fo, "intel_in")

    fb = sub.add_parser("feedback", help="tell partners which of their indicators misfired")
    fb.add_argument("--watch", required=True, type=Path, metavar="WATCH.json")
    fb.add_argument("--indicator", action="append", default=[], metavar="ID")
    fb.add_argument("--account", action="append", default=[], metavar="ACCOUNT_ID",
                    help="every watch rule this account's events (--events) matched")  # fmt: skip
    fb.add_argument("--events", metavar="E.jsonl", help="events for --account")
    fb.add_argument("--opinion", choices=OPINIONS, default="strongly-disagree")
    fb.add_argument("--explanation", default="false positive: legitimate customer")
    fb.add_argument("--producer", default="distillguard")
    fb.add_argument("--tlp", choices=LEVELS, default="amber")
    fb.add_argument("--out", required=True, metavar="FEEDBACK.json")
    _key_arg(fb)


def _events(path: str, counts: dict[str, int]) -> Iterator[Event]:
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"events file not found: {path}")
    with p.open("rb") as f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            try:
                yield decode_event(line)
            except DecodeError:
                counts["malformed"] += 1


def _topic_decisions(bootstrap: str, topic: str) -> Iterator[dict[str, Any]]:
    """The decision records of the compacted topic, as the backtest writes them."""
    from distillguard.streams.control.topic import read_topic

    for record in read_topic(bootstrap, topic):
        if not record.key:
            continue
        decision = orjson.loads(record.value) if record.value else None
        ts = decision["issued_at"] if decision else record.timestamp
        yield {"key": record.key, "value": decision, "ts": ts}


def _topic_events(
    bootstrap: str, topic: str, since: float, counts: dict[str, int]
) -> Iterator[Event]:
    """The events the gateways published since ``since`` (wall time)."""
    from distillguard.streams.control.topic import read_topic

    for record in read_topic(bootstrap, topic, since=since):
        try:
            yield decode_event(record.value)
        except DecodeError:
            counts["malformed"] += 1


def _write(text: bytes, out: str) -> None:
    if out == "-":
        sys.stdout.buffer.write(text + b"\n")
    else:
        Path(out).write_bytes(text)


def _export(args: argparse.Namespace) -> int:
    key = load_key(args.consortium_key_file)
    config = load_config(args.config)
    sharing = SharingPolicy()
    if args.sharing is not None:
        try:
            sharing = SharingPolicy.parse(yaml.safe_load(args.sharing.read_text("utf-8")))
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise UsageError(f"sharing file {args.sharing}: {exc}".splitlines()[0]) from None
    options = ExportOptions(
        tlp=args.tlp, producer=args.producer, min_confidence=args.min_confidence, sharing=sharing
    )
    harvest = Harvest(key)
    counts = {"malformed": 0}
    if args.from_kafka:
        if args.events or args.decisions:
            raise UsageError("--from-kafka reads topics: drop --events and --decisions")
        harvest.add_decisions(_topic_decisions(args.bootstrap_servers, args.decisions_topic))
        since = time.time() - args.since * 3600
        harvest.add_events(_topic_events(args.bootstrap_servers, args.events_topic, since, counts))
    else:
        if not (args.events and args.decisions):
            raise UsageError("export needs --events and --decisions files, or --from-kafka")
        decisions = Path(args.decisions)
        if not decisions.is_file():
            raise UsageError(f"decisions file not found: {args.decisions}")
        try:
            with decisions.open("rb") as f:
                harvest.add_decisions(read_records(f))
        except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
            raise UsageError(f"decisions file {args.decisions}: {exc}".splitlines()[0]) from None
        harvest.add_events(_events(args.events, counts))
    bundle = export_bundle(harvest, options, config)
    document = orjson.loads(bundle.serialize())
    _write(orjson.dumps(document, option=orjson.OPT_INDENT_2), args.out)
    if args.sign_key_file is not None:
        if args.out == "-":
            raise UsageError("--sign-key-file needs --out FILE")
        secret = args.sign_key_file.read_bytes().strip()
        signature = sign(document, args.sign_key_id or args.producer, secret)
        Path(f"{args.out}.sig").write_bytes(orjson.dumps(signature))
    else:
        signature = None
    if args.publish:
        from distillguard.streams.intel_stream import publish

        publish(args.bootstrap_servers, args.intel_out_topic, document, signature)
        print(f"distillguard intel: published to {args.intel_out_topic}", file=sys.stderr)
    kinds: dict[str, int] = {}
    for obj in document["objects"]:
        kinds[obj["type"]] = kinds.get(obj["type"], 0) + 1
    summary = ", ".join(f"{n} {t}" for t, n in sorted(kinds.items()))
    print(
        f"distillguard intel: exported {len(document['objects'])} objects ({summary}) from "
        f"{harvest.events} events ({counts['malformed']} malformed), "
        f"{len(harvest.enforced)} enforced accounts, TLP:{args.tlp.upper()}",
        file=sys.stderr,
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    path = Path(args.bundle)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"bundle {path}: cannot read: {exc.strerror}") from None
    sig_path = args.signature or Path(f"{path}.sig")
    signature = None
    if args.signature is not None or (args.require_signature and sig_path.is_file()):
        try:
            signature = orjson.loads(sig_path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            raise UsageError(f"signature {sig_path}: missing or not JSON") from None
    keys = load_partner_keys(args.partner_keys) if args.partner_keys else {}
    if signature is not None and not keys:
        raise UsageError("a signature needs --partner-keys to be verified")
    limits = Limits(max_bytes=args.max_bytes, max_objects=args.max_objects)
    admitted = admit(raw, limits, signature, keys, args.require_signature)
    current = load_watch(args.out) if args.out is not None and args.out.exists() else WatchList()
    merged, counts = merge(current, admitted)
    if args.out is not None:
        save_watch(merged, args.out)
    proof = "signature verified" if admitted.verified else "unsigned"
    print(
        f"distillguard intel: {'imported' if args.out else 'checked'} bundle from "
        f"{admitted.partner} ({proof}, TLP:{admitted.tlp.upper()}): {counts['added']} rules "
        f"added, {counts['updated']} updated, {counts['feedback']} changed by feedback, "
        f"{counts['skipped']} indicators not understood; {len(merged.rules)} watch rules",
        file=sys.stderr,
    )
    return 0


def _feedback(args: argparse.Namespace) -> int:
    watch = load_watch(args.watch)
    ids = list(args.indicator)
    if args.account:
        if not args.events:
            raise UsageError("--account needs --events")
        source = IntelSource(watch, load_key(args.consortium_key_file))
        wanted = set(args.account)
        counts = {"malformed": 0}
        last = 0.0
        for event in _events(args.events, counts):
            if event.account_id in wanted:
                source.observe(event)
                last = max(last, event.ts)
        for account in sorted(wanted):
            ids.extend(r.id for r in source.matches(account, {}, last))
    known = {r.id for r in watch.rules}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise UsageError(f"not in the watch file: {unknown[0]}")
    if not ids:
        raise UsageError("no indicators: give --indicator or --account with --events")
    now = time.time()  # feedback is an operator's act: stamped with the wall clock
    bundle = feedback_bundle(ids, args.opinion, args.producer, args.tlp, now, args.explanation)
    _write(orjson.dumps(orjson.loads(bundle.serialize()), option=orjson.OPT_INDENT_2), args.out)
    print(f"distillguard intel: {args.opinion} on {len(set(ids))} indicators", file=sys.stderr)
    return 0


def _publish(args: argparse.Namespace) -> int:
    from distillguard.streams.intel_stream import publish

    path = Path(args.bundle)
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        raise UsageError(f"bundle {path}: missing or not JSON") from None
    sig_path = Path(f"{path}.sig")
    signature = orjson.loads(sig_path.read_bytes()) if sig_path.is_file() else None
    publish(args.bootstrap_servers, args.intel_out_topic, document, signature)
    signed = "signed" if signature else "unsigned"
    print(
        f"distillguard intel: published {signed} {path} to {args.intel_out_topic}", file=sys.stderr
    )
    return 0


def _follow(args: argparse.Namespace) -> int:
    from distillguard.streams.intel_stream import Follower, consumer

    keys = load_partner_keys(args.partner_keys) if args.partner_keys else {}
    if args.out.exists():
        load_watch(args.out)  # refuse to start on a broken watch file
    follower = Follower(
        consumer(args.bootstrap_servers, args.intel_in_topic, args.group),
        args.out,
        Limits(max_bytes=args.max_bytes, max_objects=args.max_objects),
        keys,
        args.require_signature,
        on_reject=lambda line: print(f"distillguard intel: {line}", file=sys.stderr),
    )
    try:
        stats = follower.run(idle_seconds=args.idle_exit)
    finally:
        follower.consumer.close()
    print(
        f"distillguard intel: {stats.imported} bundles merged, {stats.rejected} rejected",
        file=sys.stderr,
    )
    return 0


def run(args: argparse.Namespace) -> int:
    actions = {"export": _export, "import": _import, "feedback": _feedback}
    actions |= {"publish": _publish, "follow": _follow}
    return actions[args.action](args)
