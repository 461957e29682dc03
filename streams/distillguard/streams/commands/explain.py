"""`distillguard explain ACCOUNT`: why an account has the risk and decision it has.

Asks the worker that holds the account (``GET /accounts/{id}``: features, risk, reasons,
policy state) and reads the account's analyst verdicts and appeals from the labels topic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from distillguard.models.errors import DistillguardError, UsageError
from distillguard.streams.settings import add_kafka_arguments

HELP = "explain an account's current risk, reasons, decision and labels"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("account", metavar="ACCOUNT", help="the account id")
    parser.add_argument(
        "--worker-url",
        default="http://127.0.0.1:6066",
        help="a worker's web address (any worker forwards to the owner; default %(default)s)",
    )
    add_kafka_arguments(parser, "labels")
    parser.add_argument(
        "--no-labels", action="store_true", help="do not read the labels topic (no Kafka needed)"
    )
    parser.add_argument("--features", action="store_true", help="list every feature value")
    parser.add_argument("--json", action="store_true", help="print the raw explanation as JSON")
    parser.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout in seconds")


def fetch_explanation(url: str, account: str, timeout: float) -> dict[str, Any] | None:
    """The worker's answer, or ``None`` when the worker does not know the account."""
    target = f"{url.rstrip('/')}/accounts/{urllib.parse.quote(account, safe='')}"
    if not target.startswith(("http://", "https://")):
        raise UsageError(f"--worker-url must be http(s)://HOST:PORT, got {url!r}")
    try:
        with urllib.request.urlopen(target, timeout=timeout) as response:  # noqa: S310
            body: dict[str, Any] = orjson.loads(response.read())
            return body
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise UsageError(f"worker at {url} answered HTTP {exc.code} for {account!r}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UsageError(f"worker at {url} is not reachable: {reason}") from None
    except orjson.JSONDecodeError:
        raise UsageError(f"worker at {url} did not answer JSON") from None


def labels_for(bootstrap: str, topic: str, account: str) -> list[dict[str, Any]]:
    """The account's labels, oldest first (the topic is keyed by account id)."""
    from distillguard.streams.control.topic import read_topic

    out = []
    for record in read_topic(bootstrap, topic):
        if record.value is None:
            continue
        try:
            label = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            continue
        subject = label.get("subject") if isinstance(label, dict) else None
        if isinstance(subject, dict) and subject.get("value") == account:
            out.append(label)
    return sorted(out, key=lambda lb: float(lb.get("ts") or 0))


def _when(ts: Any) -> str:
    if not isinstance(ts, int | float) or ts <= 0:
        return "-"
    return dt.datetime.fromtimestamp(float(ts), dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render(
    account: str,
    explanation: Mapping[str, Any] | None,
    labels: Sequence[Mapping[str, Any]] | None,
    out: Console,
    all_features: bool = False,
) -> None:
    """Print an explanation readably."""
    if explanation is None:
        out.print(f"[bold]{account}[/]: the worker holds no state for this account")
    else:
        _render_state(account, explanation, out, all_features)
    if labels is None:
        return
    if not labels:
        out.print("labels and appeals: none")
        return
    table = Table(title="labels and appeals", title_justify="left")
    for column in ("when", "label", "kind", "outcome", "by", "note"):
        table.add_column(column)
    for label in labels:
        outcome = label.get("verdict") or label.get("appeal") or "?"
        if label.get("escalate"):
            outcome += f" → {label['escalate']}"
        table.add_row(
            _when(label.get("ts")),
            str(label.get("label_id", "")),
            str(label.get("kind", "")),
            outcome,
            str(label.get("analyst", "")),
            str(label.get("note", "")),
        )
    out.print(table)


def _render_state(
    account: str, explanation: Mapping[str, Any], out: Console, all_features: bool
) -> None:
    risk = float(explanation.get("risk") or 0.0)
    shadow = float(explanation.get("shadow_risk") or 0.0)
    colour = "red" if risk >= 0.6 else "yellow" if risk >= 0.3 else "green"
    out.print(f"[bold]{account}[/] at {_when(explanation.get('at'))}")
    out.print(
        f"  risk [{colour}]{risk:.3f}[/]"
        + (f" (with shadow evidence {shadow:.3f})" if shadow != risk else "")
        + f"; {explanation.get('events_total', '?')} events, first seen "
        f"{_when(explanation.get('first_seen'))}, last seen {_when(explanation.get('last_seen'))}"
    )
    policy = explanation.get("policy") or {}
    if policy.get("action"):
        out.print(
            f"  decision: [bold]{policy['action']}[/] ({policy.get('mode', 'enforce')}) "
            f"until {_when(policy.get('expires_at'))}; episode {policy.get('episode', '?')}, "
            f"previous offences {policy.get('offences', 0)}"
        )
    else:
        out.print("  decision: none in force")
    allowed = explanation.get("allowlisted")
    if allowed:
        whom = f"organisation {allowed['org_id']}" if allowed.get("org_id") else "account"
        out.print(
            f"  allowlisted ({whom}) until {_when(allowed.get('expires_at'))}: "
            f"{allowed.get('reason', '')}; no decision is enforced against it"
        )
    reasons = explanation.get("reasons") or []
    if reasons:
        table = Table(title="reasons", title_justify="left")
        table.add_column("code")
        table.add_column("weight", justify="right")
        table.add_column("detail")
        for reason in reasons:
            code = str(reason.get("code", ""))
            style = "dim" if code.startswith("shadow.") else ""
            table.add_row(
                code,
                f"{float(reason.get('weight', 0)):.2f}",
                str(reason.get("detail", "")),
                style=style,
            )
        out.print(table)
    else:
        out.print("  reasons: no evidence")
    features = explanation.get("features") or {}
    drivers = explanation.get("drivers") or {}
    shown = features if all_features else drivers
    if shown:
        table = Table(
            title="features" if all_features else "features that drove it", title_justify="left"
        )
        table.add_column("feature")
        table.add_column("value", justify="right")
        for name in sorted(shown):
            table.add_row(
                name, f"{float(shown[name]):.4g}", style="bold" if name in drivers else ""
            )
        out.print(table)


def run(args: argparse.Namespace) -> int:
    out = Console(highlight=False, soft_wrap=True)
    explanation = fetch_explanation(args.worker_url, args.account, args.timeout)
    labels: list[dict[str, Any]] | None = None
    if not args.no_labels:
        try:
            labels = labels_for(args.bootstrap_servers, args.labels_topic, args.account)
        except DistillguardError as exc:
            out.print(f"[yellow]labels not available: {exc}[/]")
    if args.json:
        out.print_json(orjson.dumps({"explanation": explanation, "labels": labels}).decode())
    else:
        render(args.account, explanation, labels, out, args.features)
    return 0 if explanation is not None or labels else 1
