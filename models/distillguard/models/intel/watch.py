"""Watch rules: partner indicators turned into something local traffic can be matched on.

A watch rule keeps its provenance (the partner, whether a signature proved it, the bundle
and indicator ids), the partner's ``confidence`` and its expiry (``valid_until``). Partner
feedback lowers or retires rules: an ``opinion`` on an indicator (MISP's false-positive
sighting in STIX clothing) of ``disagree`` halves its confidence, ``strongly-disagree``
retires it; ``agree``/``strongly-agree`` restore confidence up to what the indicator said.

The watch file is plain JSON so operators can read it and diff it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from distillguard.models.errors import UsageError
from distillguard.models.intel.patterns import RULE, read
from distillguard.models.intel.validate import Admitted

FORMAT: Final = "distillguard.watch.v1"


def epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


class WatchRule(BaseModel):
    """One partner indicator, ready to match."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str  # the STIX indicator id: re-imports replace, never duplicate
    kind: str  # an identifier kind, or "rule" (a partner signature over local features)
    value: str
    partner: str
    verified: bool = False
    tlp: str = "amber"
    confidence: int = Field(ge=0, le=100)
    stated_confidence: int = Field(ge=0, le=100)
    valid_from: float
    valid_until: float | None = None
    modified: float = 0.0
    retired: bool = False
    feedback: tuple[str, ...] = ()
    rule: dict[str, Any] | None = None

    def live(self, now: float) -> bool:
        return not self.retired and (self.valid_until is None or now < self.valid_until)


class MatchOptions(BaseModel):
    """How much partner intelligence may count locally; defaults keep it advisory.

    Operators set it in the watch file's ``match`` section; imports keep it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_weight: float = Field(default=0.4, gt=0.0, le=1.0)
    max_weight: float = Field(default=0.45, gt=0.0, le=1.0)
    allow_enforce: bool = False
    enforce_weight: float = Field(default=0.8, gt=0.0, le=1.0)
    min_events: int = Field(default=3, ge=1)
    min_share: float = Field(default=0.1, ge=0.0, le=1.0)
    min_confidence: int = Field(default=20, ge=0, le=100)
    shadow: bool = False
    #: evaluate partners' signature rules on local features; off by default because a
    #: partner rule that is also a local rule would count twice: review and adopt instead
    evaluate_rules: bool = False


class WatchList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str = FORMAT
    match: MatchOptions = MatchOptions()
    rules: tuple[WatchRule, ...] = ()
    bundles: tuple[str, ...] = ()


def rules_from(admitted: Admitted) -> tuple[list[WatchRule], int]:
    """Watch rules of a bundle's indicators, and how many indicators were not understood."""
    out: list[WatchRule] = []
    skipped = 0
    for obj in admitted.document["objects"]:
        if obj.get("type") != "indicator":
            continue
        pattern_type, pattern = str(obj.get("pattern_type")), str(obj.get("pattern"))
        rule_data = obj.get("x_distillguard_rule") if pattern_type == RULE else None
        found = ("rule", pattern) if isinstance(rule_data, dict) else read(pattern_type, pattern)
        if found is None:
            skipped += 1
            continue
        confidence = int(obj.get("confidence", 50))
        until = obj.get("valid_until")
        out.append(
            WatchRule(
                id=str(obj["id"]),
                kind=found[0],
                value=found[1],
                partner=admitted.partner,
                verified=admitted.verified,
                tlp=admitted.tlp,
                confidence=confidence,
                stated_confidence=confidence,
                valid_from=epoch(str(obj["valid_from"])),
                valid_until=epoch(str(until)) if until else None,
                modified=epoch(str(obj.get("modified", obj["valid_from"]))),
                rule=rule_data if isinstance(rule_data, dict) else None,
            )
        )
    return out, skipped


#: MISP-style sighting types some producers put on STIX sightings, as opinions.
SIGHTING_TYPES: Final = {"false-positive": "disagree", "true-positive": "agree"}


def _opinions(admitted: Admitted) -> list[tuple[str, str, str]]:
    """``(indicator id, opinion, feedback id)`` for every opinion in the bundle, and for
    every sighting typed ``false-positive``/``true-positive`` (``x_misp_sighting_type``)."""
    out = []
    for obj in admitted.document["objects"]:
        if obj.get("type") == "opinion":
            for ref in obj.get("object_refs") or ():
                out.append((str(ref), str(obj.get("opinion")), str(obj["id"])))
        elif obj.get("type") == "sighting":
            kind = obj.get("x_misp_sighting_type")
            if kind in SIGHTING_TYPES:
                out.append((str(obj["sighting_of_ref"]), SIGHTING_TYPES[kind], str(obj["id"])))
    return out


def _apply_opinion(rule: WatchRule, opinion: str, opinion_id: str) -> WatchRule:
    if opinion_id in rule.feedback:
        return rule  # the same feedback imported twice counts once
    feedback = (*rule.feedback, opinion_id)
    if opinion == "strongly-disagree":
        return rule.model_copy(update={"retired": True, "feedback": feedback})
    if opinion == "disagree":
        return rule.model_copy(update={"confidence": rule.confidence // 2, "feedback": feedback})
    if opinion in ("agree", "strongly-agree"):
        return rule.model_copy(update={"confidence": rule.stated_confidence, "feedback": feedback})
    return rule.model_copy(update={"feedback": feedback})


def merge(current: WatchList, admitted: Admitted) -> tuple[WatchList, dict[str, int]]:
    """``current`` with the bundle's indicators added/updated and its opinions applied."""
    incoming, skipped = rules_from(admitted)
    rules = {r.id: r for r in current.rules}
    added = updated = 0
    for rule in incoming:
        held = rules.get(rule.id)
        if held is None:
            rules[rule.id] = rule
            added += 1
        elif rule.modified > held.modified or (rule.verified and not held.verified):
            keep = {"retired": held.retired, "feedback": held.feedback}
            if held.feedback:
                keep["confidence"] = min(held.confidence, rule.confidence)
            rules[rule.id] = rule.model_copy(update=keep)
            updated += 1
    lowered = 0
    for ref, opinion, opinion_id in _opinions(admitted):
        if ref in rules:
            before = rules[ref]
            rules[ref] = _apply_opinion(before, opinion, opinion_id)
            lowered += rules[ref] != before
    bundle_id = str(admitted.document.get("id"))
    bundles = current.bundles if bundle_id in current.bundles else (*current.bundles, bundle_id)
    merged = WatchList(
        match=current.match,
        rules=tuple(sorted(rules.values(), key=lambda r: r.id)),
        bundles=bundles,
    )
    counts = {"added": added, "updated": updated, "skipped": skipped, "feedback": lowered}
    return merged, counts


def load_watch(path: Path) -> WatchList:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"watch file {path}: cannot read: {exc.strerror}") from None
    except orjson.JSONDecodeError:
        raise UsageError(f"watch file {path}: not JSON") from None
    try:
        watch = WatchList.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"watch file {path}: {where}: {first['msg']}") from None
    if watch.format != FORMAT:
        raise UsageError(f"watch file {path}: unknown format {watch.format!r}")
    return watch


def save_watch(watch: WatchList, path: Path) -> None:
    """Write atomically (temp file + rename): a crash leaves the old file intact."""
    tmp = path.with_name(f".{path.name}.tmp")
    # defaults are left out so a later version's better defaults apply to old files
    data = {"format": FORMAT, **watch.model_dump(mode="json", exclude_defaults=True)}
    tmp.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    os.replace(tmp, path)


def live_rules(watch: WatchList, now: float) -> Iterable[WatchRule]:
    return (r for r in watch.rules if r.live(now))
