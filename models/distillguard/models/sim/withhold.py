"""Traffic from gateways that send fewer fields: optional event fields withheld.

The contract (brief section 3) lets a gateway leave out every field that is not required,
and many start without the billing join (``account``) or the prompt fingerprinting
(``prompt``). ``distillguard simulate --without`` and ``distillguard backtest --without``
write such traffic, to see what detection is worth on it before the gateways send more
(docs/detection.md, "What the optional fields buy").

>>> names = parse_withheld("account.payment_fingerprint, org_id")
>>> names
('account.payment_fingerprint', 'org_id')
>>> ev = {"account_id": "a", "org_id": "o",
...       "account": {"tier": "tier1", "payment_fingerprint": "p"}}
>>> next(withhold([ev], names))
{'account_id': 'a', 'account': {'tier': 'tier1'}}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from distillguard.models import schemas
from distillguard.models.errors import UsageError


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
    """``"account,prompt.template"`` -> the names, each checked to be an optional field
    of the contract (a required one cannot be withheld: the event would be malformed)."""
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        raise UsageError("--without needs at least one field name")
    allowed = optional_fields()
    for name in names:
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
    top = [n for n in names if "." not in n]
    nested = [tuple(n.split(".", 1)) for n in names if "." in n]
    for event in events:
        for name in top:
            event.pop(name, None)
        for outer, inner in nested:
            sub = event.get(outer)
            if isinstance(sub, dict):
                sub.pop(inner, None)
        yield event
