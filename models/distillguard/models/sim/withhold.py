"""Traffic from gateways that send fewer fields: optional event fields withheld.

The contract (brief section 3) lets a gateway leave out every field that is not required,
and many start without the billing join (``account``) or the prompt fingerprinting
(``prompt``). ``distillguard simulate --without`` and ``distillguard backtest --without``
write such traffic, to see what detection is worth on it before the gateways send more
(docs/detection.md, "What the optional fields buy").

A name may carry the share of events that lack the field, ``prompt:0.5``: a rollout in
which some gateways send it and others do not yet (which events lack it is decided by
their ``event_id``, the same on every run).

>>> names = parse_withheld("account.payment_fingerprint, org_id")
>>> names
('account.payment_fingerprint', 'org_id')
>>> ev = {"event_id": "e1", "account_id": "a", "org_id": "o",
...       "account": {"tier": "tier1", "payment_fingerprint": "p"}}
>>> next(withhold([ev], names))
{'event_id': 'e1', 'account_id': 'a', 'account': {'tier': 'tier1'}}
>>> parse_withheld("prompt:0.5")
('prompt:0.5',)
>>> events = [{"event_id": f"e{i}", "org_id": "o"} for i in range(1000)]
>>> sum("org_id" not in e for e in withhold(events, ("org_id:0.25",)))
257
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from distillguard.models import schemas
from distillguard.models.errors import UsageError
from distillguard.models.features.aggregations import hash_str


def optional_fields() -> tuple[str, ...]:
    """Every optional field of the event contract, nested ones as ``object.field``."""
    schema = schemas.load(schemas.API_EVENT_V1)
    required = set(schema["required"])
    out = []
    for name, sub in schema["properties"].items():
        if name in required:
            continue
        out.append(name)
        out += [f"{name}.{inner}" for inner in sub.get("properties", {})]
    return tuple(out)


def parse_withheld(text: str) -> tuple[str, ...]:
    """``"account,prompt.template:0.5"`` -> the names, each checked to be an optional field
    of the contract (a required one cannot be withheld: the event would be malformed), with
    its share of events when given (above 0, at most 1)."""
    names = tuple(dict.fromkeys(n.strip().replace(" ", "") for n in text.split(",") if n.strip()))
    if not names:
        raise UsageError("--without needs at least one field name")
    allowed = optional_fields()
    for entry in names:
        name, _, share = entry.partition(":")
        if share:
            try:
                ok = 0.0 < float(share) <= 1.0
            except ValueError:
                ok = False
            if not ok:
                raise UsageError(
                    f"--without: {entry!r}: the share after ':' must be a number above 0 and "
                    "at most 1 (the share of events without the field)"
                )
        if name not in allowed:
            required = set(schemas.load(schemas.API_EVENT_V1)["required"])
            why = "is required by the contract" if name in required else "is no event field"
            raise UsageError(f"--without: {name!r} {why}; optional fields: {', '.join(allowed)}")
    return names


def withhold(events: Iterable[dict[str, Any]], names: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The events without the named fields (changed in place); untouched when there are
    none."""
    if not names:
        return iter(events)
    return _without(events, names)


def _without(events: Iterable[dict[str, Any]], names: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    # (outer field, inner field or None, share of events without it)
    plan: list[tuple[str, str | None, float]] = []
    for entry in names:
        name, _, share = entry.partition(":")
        outer, _, inner = name.partition(".")
        plan.append((outer, inner or None, float(share) if share else 1.0))
    for event in events:
        draw = hash_str(str(event.get("event_id", ""))) / 2**32
        for field, part, cut in plan:
            if draw >= cut:
                continue
            if part is None:
                event.pop(field, None)
            else:
                sub = event.get(field)
                if isinstance(sub, dict):
                    sub.pop(part, None)
        yield event
