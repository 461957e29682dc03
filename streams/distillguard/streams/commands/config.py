"""`distillguard config`: validate, publish, show, diff and trace operator configuration.

The configuration lives on the compacted topic ``distillguard.config`` (one record per
item); every worker validates each record before it applies and acknowledges it on
``distillguard.config.status``. ``validate`` needs no broker; the others read the topics.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from distillguard.models.config import DetectionConfig, load_config
from distillguard.models.control import ControlState
from distillguard.models.control.cfgfile import read_file, validate_file
from distillguard.models.errors import ConfigRejected, UsageError
from distillguard.streams.kafka import client_config
from distillguard.streams.settings import add_kafka_arguments

HELP = "validate, publish, show, diff and trace operator configuration (the config topic)"


def _publisher_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    def command(name: str, help_: str, *, kafka: bool = True) -> argparse.ArgumentParser:
        child = sub.add_parser(name, help=help_, description=help_)
        if kafka:
            add_kafka_arguments(child, "config", "config_status")
        child.add_argument(
            "--base",
            type=Path,
            default=None,
            metavar="FILE",
            help="the workers' detection config file (their --config); default: built-in",
        )
        return child

    v = command("validate", "check a config file without publishing it", kafka=False)
    v.add_argument("file", type=Path, metavar="FILE", help="YAML or JSON config file")
    p = command("publish", "validate a config file against the topic and publish its items")
    p.add_argument("file", type=Path, metavar="FILE", help="YAML or JSON config file")
    p.add_argument("--published-by", default=_publisher_name(), help="recorded with each item")
    p.add_argument("--comment", default=None, help="recorded with each item")
    p.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="wait this long for workers to acknowledge (0: do not wait; default %(default)s)",
    )
    d = command("delete", "remove items by key (tombstones), e.g. allow:ci-runners")
    d.add_argument("keys", nargs="+", metavar="KEY")
    d.add_argument("--wait", type=float, default=10.0, metavar="SECONDS")
    s = command("show", "print the configuration in force on the topic")
    s.add_argument("--json", action="store_true", help="print the records as JSON")
    f = command("diff", "compare a config file with the topic")
    f.add_argument("file", type=Path, metavar="FILE", help="YAML or JSON config file")
    command("history", "every record on the config topic with its acknowledgements")
    r = command(
        "render",
        "the full detection config a file yields (for replay/worker --config)",
        kafka=False,
    )
    r.add_argument("file", type=Path, metavar="FILE", help="YAML or JSON config file")
    r.add_argument("--out", type=Path, default=None, help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    base = load_config(args.base) if args.base is not None else DetectionConfig()
    out = Console(highlight=False, soft_wrap=True)
    if args.action == "validate":
        return _validate(args, base, out)
    if args.action == "publish":
        return _publish(args, base, out)
    if args.action == "delete":
        return _delete(args, base, out)
    if args.action == "show":
        return _show(args, base, out)
    if args.action == "diff":
        return _diff(args, base, out)
    if args.action == "render":
        return _render(args, base, out)
    return _history(args, out)


def _validate(args: argparse.Namespace, base: DetectionConfig, out: Console) -> int:
    records, state = validate_file(read_file(args.file), str(args.file), base=base)
    out.print(
        f"{args.file}: valid: {len(records)} item(s) ({', '.join(records) or 'none'}); "
        f"config version {state.version}"
    )
    return 0


def _render(args: argparse.Namespace, base: DetectionConfig, out: Console) -> int:
    """Compose a file over the base: what ``replay --config`` needs to backtest it."""
    from distillguard.streams.control.history import dump_yaml

    _, state = validate_file(read_file(args.file), str(args.file), base=base)
    data = state.config.model_dump(mode="json")
    data["rules"] = [r.model_dump(mode="json") for r in state.config.signature_rules()]
    text = f"# rendered from {args.file}: config version {state.version}\n" + dump_yaml(data)
    if args.out is None:
        out.print(text, end="", markup=False)
    else:
        args.out.write_text(text, encoding="utf-8")
        out.print(f"wrote {args.out} (config version {state.version})")
    return 0


def _topic_state(args: argparse.Namespace, base: DetectionConfig) -> tuple[ControlState, list[str]]:
    from distillguard.streams.control.history import replay_topic
    from distillguard.streams.control.topic import read_topic

    return replay_topic(
        read_topic(args.bootstrap_servers, args.config_topic), ControlState.initial(base)
    )


def _publish(args: argparse.Namespace, base: DetectionConfig, out: Console) -> int:
    from distillguard.streams.control.history import diff_records

    current, _ = _topic_state(args, base)
    envelope = {
        "published_by": args.published_by,
        "published_at": time.time(),
        "comment": args.comment,
    }
    records, state = validate_file(
        read_file(args.file), str(args.file), current=current, **envelope
    )
    changes = {k: c for k, c, _ in diff_records(current.records(), records) if k in records}
    todo = {k: v for k, v in records.items() if changes.get(k) != "unchanged"}
    if not todo:
        out.print(f"nothing to publish: the topic already holds every item of {args.file}")
        return 0
    step = current
    for key, record in todo.items():  # workers apply one record at a time, in this order
        try:
            step = step.apply(key, record)
        except ConfigRejected as exc:
            raise UsageError(
                f"{args.file}: publishing {key} before the rest would be rejected: {exc}"
            ) from None
    offsets = _send(args, list(todo.items()))
    out.print(f"published {len(todo)} item(s): {', '.join(todo)}; expected version {state.version}")
    return _await_acks(args, offsets, out)


def _delete(args: argparse.Namespace, base: DetectionConfig, out: Console) -> int:
    current, _ = _topic_state(args, base)
    missing = [k for k in args.keys if k not in current.items]
    if missing:
        raise UsageError(f"not on the config topic: {', '.join(missing)}")
    items = {k: v for k, v in current.items.items() if k not in args.keys}
    current.with_items(items, key=args.keys[0])  # would the rest still be valid?
    offsets = _send(args, [(k, None) for k in args.keys])
    out.print(f"deleted {', '.join(args.keys)}")
    return _await_acks(args, offsets, out)


def _send(args: argparse.Namespace, records: list[tuple[str, Any]]) -> dict[str, int]:
    from confluent_kafka import Producer

    producer = Producer(client_config(args.bootstrap_servers, **{"enable.idempotence": True}))
    offsets: dict[str, int] = {}
    errors: list[str] = []

    def delivered(err: Any, message: Any) -> None:
        if err is not None:
            errors.append(str(err))
        else:
            offsets[message.key().decode()] = message.offset()

    for key, value in records:
        payload = orjson.dumps(value) if value is not None else None
        producer.produce(args.config_topic, key=key.encode(), value=payload, on_delivery=delivered)
    left = producer.flush(30)
    if left or errors:
        raise UsageError(f"could not publish to {args.config_topic}: {errors or 'timed out'}")
    return offsets


def _await_acks(args: argparse.Namespace, offsets: dict[str, int], out: Console) -> int:
    """Print workers' acknowledgements of the records just written; 1 if any rejected."""
    if args.wait <= 0:
        return 0
    from distillguard.streams.control.topic import assigned_consumer, to_record

    consumer, _ = assigned_consumer(args.bootstrap_servers, args.config_status_topic)
    wanted = {(k, o) for k, o in offsets.items()}
    seen: set[tuple[str, int]] = set()
    code = 0
    deadline = time.monotonic() + args.wait
    try:
        while time.monotonic() < deadline and seen != wanted:
            for message in consumer.consume(500, timeout=0.2):
                if message.error() is not None or message.value() is None:
                    continue
                status = orjson.loads(to_record(message).value or b"{}")
                mark = (status.get("key"), status.get("source", {}).get("offset"))
                if mark not in wanted:
                    continue
                seen.add(mark)
                line = (
                    f"{status['worker']}: {status['key']} {status['status']} "
                    f"(version {status['version']})"
                )
                if status["status"] == "rejected":
                    code = 1
                    line += f": {status['reason']}"
                out.print(line)
    finally:
        consumer.close()
    if not seen:
        print(f"distillguard: no worker acknowledged within {args.wait:.0f}s", file=sys.stderr)
    return code


def _show(args: argparse.Namespace, base: DetectionConfig, out: Console) -> int:
    from distillguard.streams.control.history import as_file, dump_yaml

    state, rejected = _topic_state(args, base)
    if args.json:
        out.print_json(
            orjson.dumps({"version": state.version, "records": state.records()}).decode()
        )
        return 0
    out.print(
        f"# config version {state.version} ({len(state.items)} item(s) on {args.config_topic})"
    )
    for line in rejected:
        out.print(f"# rejected, not in force: {line}")
    text = dump_yaml(as_file(state.records())) if state.items else "{}\n"
    out.print(text, end="", markup=False)
    return 0


def _diff(args: argparse.Namespace, base: DetectionConfig, out: Console) -> int:
    from distillguard.streams.control.history import diff_records

    current, _ = _topic_state(args, base)
    records, state = validate_file(read_file(args.file), str(args.file), current=current)
    changed = 0
    for key, change, lines in diff_records(current.records(), records):
        if change == "unchanged":
            continue
        if change == "only-on-topic":
            out.print(
                f"  {key}: only on the topic (publish keeps it; 'config delete {key}' removes it)"
            )
            continue
        changed += 1
        out.print(f"{'+' if change == 'added' else '~'} {key}: {change}")
        for line in lines:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            out.print(f"    {line}", style=style, markup=False)
    out.print(f"{changed} item(s) would change; version after publish: {state.version}")
    return 0


def _history(args: argparse.Namespace, out: Console) -> int:
    from distillguard.streams.control.history import decode_value
    from distillguard.streams.control.topic import read_topic

    records = read_topic(args.bootstrap_servers, args.config_topic)
    acks: dict[int, list[dict[str, Any]]] = {}
    for record in read_topic(args.bootstrap_servers, args.config_status_topic):
        status = decode_value(record.value)
        if isinstance(status, dict) and status.get("source", {}).get("topic") == args.config_topic:
            acks.setdefault(int(status["source"]["offset"]), []).append(status)
    table = Table(
        title=f"{args.config_topic}: {len(records)} record(s) (compaction keeps the latest per key)"
    )
    for column in ("offset", "time (UTC)", "key", "by", "outcome"):
        table.add_column(column)
    for record in records:
        value = decode_value(record.value)
        by = value.get("published_by", "") if isinstance(value, dict) else ""
        when = dt.datetime.fromtimestamp(record.timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        outcome = (
            "; ".join(
                f"{s['worker']}: {s['status']}"
                + (f" ({s['reason']})" if s.get("reason") else "")
                + (f" → {s['version']}" if s["status"] != "rejected" else "")
                for s in acks.get(record.offset, [])
            )
            or "not acknowledged"
        )
        key = record.key + (" (delete)" if record.value is None else "")
        table.add_row(str(record.offset), when, key, by, outcome)
    out.print(table)
    return 0
