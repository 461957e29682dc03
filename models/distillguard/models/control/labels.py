"""Analyst verdicts and customer appeals (``label.v1``) and what each one sets in motion.

The plan is pure: :func:`plan_label` says *what* to do; the worker does it (writes the
tombstones, the allowlist record, the analyst decision, the audit record) and trains the
supervised model.

- ``legit`` verdict, upheld appeal: lift the account's decisions, allowlist it for
  ``allow_seconds`` (default 7 days) from the label's time, learn "legit";
- ``abuse`` verdict: learn "abuse"; with ``escalate`` also issue an analyst decision;
- denied appeal: learn "abuse" (an analyst confirmed the decision); opened appeal: record only.

>>> label = decode_label(b'{"schema_version": 1, "label_id": "ap-1", "kind": "appeal",'
...     b' "appeal": "upheld", "subject": {"scope": "account", "value": "acct_7"},'
...     b' "analyst": "an-3", "note": "batch jobs", "ts": 1000.0}')
>>> plan = plan_label(label)
>>> plan.lift, plan.learn_abuse, plan.allow_key, plan.allow_expires_at
(True, False, 'allow:label-ap-1', 605800.0)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import fastjsonschema
import orjson

from distillguard.models import schemas
from distillguard.models.errors import ConfigRejected

LABEL_V1: Final = "label.v1"
DEFAULT_ALLOW_SECONDS: Final = 7 * 24 * 3600.0
_validate = schemas.validator(LABEL_V1)
_NAME: Final = re.compile(r"^[a-z0-9_.:-]{1,64}$")


class LabelRejected(ConfigRejected):
    """A label record that cannot be acted on; the message names the field."""


@dataclass(frozen=True, slots=True)
class Label:
    """One decoded label: ``outcome`` is the verdict or the appeal state."""

    label_id: str
    kind: str
    outcome: str
    account_id: str
    analyst: str
    note: str
    ts: float
    allow_seconds: float
    escalate: str | None


@dataclass(frozen=True, slots=True)
class LabelPlan:
    """What a label sets in motion."""

    lift: bool
    learn_abuse: bool | None
    escalate: str | None
    allow_key: str | None
    allow_expires_at: float | None

    @property
    def actions(self) -> list[str]:
        out = []
        if self.lift:
            out.append("lift")
        if self.allow_key:
            out.append("allow")
        if self.learn_abuse is not None:
            out.append("learn_abuse" if self.learn_abuse else "learn_legit")
        if self.escalate:
            out.append("escalate")
        return out or ["none"]


def decode_label(value: bytes | Mapping[str, Any] | None, key: str = "label") -> Label:
    """Validate a ``label.v1`` record; raise :class:`LabelRejected` naming the field."""
    if value is None:
        raise LabelRejected(key, "a tombstone is not a label")
    if isinstance(value, bytes | bytearray):
        try:
            data = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise LabelRejected(key, f"not JSON: {exc}") from None
    else:
        data = dict(value)
    if not isinstance(data, dict):
        raise LabelRejected(key, f"not a JSON object but a {type(data).__name__}")
    try:
        _validate(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        field = (exc.name or "").removeprefix("data").lstrip(".") or None
        message = (exc.message or "invalid").replace(f"{exc.name} ", "", 1)
        if exc.rule == "not":
            other = "appeal" if data.get("kind") == "verdict" else "verdict"
            message, field = f"a {data.get('kind')} label must not carry {other!r}", other
        raise LabelRejected(key, message, field) from None
    outcome = data.get("verdict") or data["appeal"]
    escalate = data.get("escalate")
    if escalate is not None and outcome != "abuse":
        raise LabelRejected(key, "only an abuse verdict can escalate", "escalate")
    allow = data.get("allow_seconds")
    return Label(
        label_id=data["label_id"],
        kind=data["kind"],
        outcome=outcome,
        account_id=data["subject"]["value"],
        analyst=data["analyst"],
        note=data.get("note", ""),
        ts=float(data["ts"]),
        allow_seconds=float(allow) if allow is not None else DEFAULT_ALLOW_SECONDS,
        escalate=escalate,
    )


def _allow_name(label_id: str) -> str:
    name = f"label-{label_id.lower()}"
    if _NAME.match(name):
        return name
    return f"label-{hashlib.sha256(label_id.encode()).hexdigest()[:20]}"


def plan_label(label: Label) -> LabelPlan:
    """What to do about ``label``."""
    lift = label.outcome in ("legit", "upheld")
    learn: bool | None = {"abuse": True, "denied": True, "legit": False, "upheld": False}.get(
        label.outcome
    )
    return LabelPlan(
        lift=lift,
        learn_abuse=learn,
        escalate=label.escalate,
        allow_key=f"allow:{_allow_name(label.label_id)}" if lift else None,
        allow_expires_at=label.ts + label.allow_seconds if lift else None,
    )


def allow_record(label: Label, plan: LabelPlan) -> dict[str, Any]:
    """The config-topic record that allowlists the account of a lifted label."""
    assert plan.allow_expires_at is not None
    return {
        "schema_version": 1,
        "kind": "allow",
        "spec": {
            "account_id": label.account_id,
            "expires_at": plan.allow_expires_at,
            "reason": f"{label.kind} {label.outcome} by {label.analyst} ({label.label_id})",
        },
        "published_by": f"labels:{label.analyst}",
        "published_at": label.ts,
    }
