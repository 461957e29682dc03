"""Build the STIX 2.1 bundle a lab shares: indicators, sightings, campaigns, rules, strategy.

Everything is deterministic: ids are uuid5 over the object's content and timestamps come
from event time, so exporting the same events and decisions twice gives the same bundle,
and a partner that imports both keeps one copy of each object.

Objects, per campaign cluster (``cluster_id`` from the decisions, else enforced accounts
joined by a shared template, IP prefix, JA4 or payment pseudonym):

- ``campaign`` *attributed-to* an ``intrusion-set``; the campaign *uses* an
  ``infrastructure`` (anonymization: the proxy network) when IP prefixes or ASNs back it;
- ``indicator`` per shared identifier (*indicates* the campaign, IP ones also the
  infrastructure), with a ``sighting`` (count, first/last seen);
- ``indicator`` (``pattern_type: distillguard-rule``) per signature rule that fired;
- one ``course-of-action`` (the action ladder) that *mitigates* each campaign.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import stix2
from pydantic import BaseModel, ConfigDict, Field

from distillguard.models.config import ACTIONS, DetectionConfig
from distillguard.models.detectors.rules import Rule
from distillguard.models.intel.harvest import Harvest, IdentifierStats
from distillguard.models.intel.identifiers import HASHED_KINDS, KINDS
from distillguard.models.intel.patterns import RULE, build
from distillguard.models.intel.tlp import SharingPolicy, Tlp, marking

NAMESPACE: Final = uuid.UUID("5d3c2e0a-2f57-5c36-9b1e-6a1f0c1d2b3e")
DAY: Final = 86400.0
LINKING_KINDS: Final = ("template", "ip_prefix", "ja4", "payment")


class ExportOptions(BaseModel):
    """What goes out, and with which validity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tlp: Tlp = "amber"
    producer: str = Field(default="distillguard", min_length=1, max_length=128)
    min_confidence: int = Field(default=50, ge=0, le=100)
    #: share of an identifier's events that must come from enforced accounts
    min_specificity: float = Field(default=0.95, ge=0.0, le=1.0)
    #: distinct enforced accounts behind an infrastructure/content identifier (k-anonymity)
    min_accounts: int = Field(default=2, ge=1)
    max_per_kind: int = Field(default=1000, ge=1)
    valid_days: Mapping[str, float] = Field(
        default_factory=lambda: {
            "ip_prefix": 7, "asn": 7, "user_agent": 14, "ja4": 14, "template": 30,
            "lsh_band": 30, "account": 90, "api_key": 30, "org": 90, "payment": 90, "rule": 90,
        }
    )  # fmt: skip
    sharing: SharingPolicy = SharingPolicy()


def stix_id(kind: str, *parts: object) -> str:
    """``<kind>--<uuid5 over the parts>``: the same content always gives the same id."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join(map(str, (kind, *parts))))}"


def ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


@dataclass(slots=True)
class _Selected:
    kind: str
    value: str
    stats: IdentifierStats
    confidence: int
    id: str = ""
    clusters: set[str] = field(default_factory=set)


class BundleBuilder:
    """Turns a :class:`Harvest` into a ``stix2`` bundle under :class:`ExportOptions`."""

    def __init__(self, harvest: Harvest, options: ExportOptions, config: DetectionConfig) -> None:
        self.h = harvest
        self.o = options
        self.config = config
        self.marking = marking(options.tlp)
        self.identity = stix2.v21.Identity(
            id=stix_id("identity", options.producer),
            created="2020-01-01T00:00:00.000Z",
            modified="2020-01-01T00:00:00.000Z",
            name=options.producer,
            identity_class="organization",
            object_marking_refs=[self.marking.id],
        )
        self.objects: list[Any] = [self.marking, self.identity]

    def _common(self, created: float, modified: float) -> dict[str, Any]:
        return {
            "created": ts(created),
            "modified": ts(max(created, modified)),
            "created_by_ref": self.identity.id,
            "object_marking_refs": [self.marking.id],
        }

    def select(self) -> list[_Selected]:
        """Identifiers backed by enforced accounts, specific, allowed at this TLP level."""
        chosen: list[_Selected] = []
        for kind in KINDS:
            if not self.o.sharing.allows(kind, self.o.tlp):
                continue
            hashed = kind in HASHED_KINDS
            need = 1 if hashed else self.o.min_accounts
            found = []
            for (k, value), stats in self.h.stats.items():
                n = len(stats.enforced_accounts)
                if k != kind or n < need or stats.specificity < self.o.min_specificity:
                    continue
                risk = sum(self.h.enforced[a].risk for a in stats.enforced_accounts) / n
                support = 1.0 if hashed else 1.0 - 0.5**n
                confidence = round(100 * risk * stats.specificity * support)
                if confidence >= self.o.min_confidence:
                    found.append(_Selected(kind, value, stats, confidence))
            found.sort(key=lambda s: (-s.confidence, -s.stats.enforced_events, s.value))
            chosen.extend(found[: self.o.max_per_kind])
        return chosen

    def clusters(self, selected: list[_Selected]) -> dict[str, set[str]]:
        """Cluster label → enforced accounts; labels are pseudonyms, never raw ids."""
        parent = {a: a for a in self.h.enforced}

        def find(a: str) -> str:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        by_given: dict[str, str] = {}
        for account, e in sorted(self.h.enforced.items()):
            if e.cluster_id:
                union(account, by_given.setdefault(e.cluster_id, account))
        for s in selected:
            if s.kind in LINKING_KINDS:
                linked = sorted(s.stats.enforced_accounts)
                for other in linked[1:]:
                    union(linked[0], other)
        groups: dict[str, set[str]] = {}
        for account in self.h.enforced:
            groups.setdefault(find(account), set()).add(account)
        out: dict[str, set[str]] = {}
        for members in groups.values():
            names = sorted(self.h.key.pseudonym("account", a) for a in members)
            label = hashlib.sha256("|".join(names).encode()).hexdigest()[:16]
            out[label] = members
        return out

    def build(self) -> stix2.v21.Bundle:
        selected = self.select()
        clusters = self.clusters(selected)
        cluster_of = {a: c for c, members in clusters.items() for a in members}
        for s in selected:
            s.clusters = {cluster_of[a] for a in s.stats.enforced_accounts}
            self._indicator(s)
        campaigns = {c: self._campaign(c, m, selected) for c, m in sorted(clusters.items())}
        self._rules(cluster_of, campaigns)
        if self.o.sharing.allows("strategy", self.o.tlp) and campaigns:
            self._strategy(campaigns)
        objects = sorted(self.objects[2:], key=lambda o: str(o.id))
        self.objects = [*self.objects[:2], *objects]
        bundle_id = "bundle--" + str(uuid.uuid5(NAMESPACE, "|".join(str(o.id) for o in objects)))
        return stix2.v21.Bundle(id=bundle_id, objects=self.objects, allow_custom=True)

    def _indicator(self, s: _Selected) -> None:
        pattern_type, pattern = build(s.kind, s.value)
        st = s.stats
        s.id = stix_id("indicator", pattern_type, pattern)
        valid_until = st.last_seen + self.o.valid_days.get(s.kind, 30) * DAY
        hashed = s.kind in HASHED_KINDS
        self.objects.append(
            stix2.v21.Indicator(
                id=s.id,
                name=f"{s.kind} seen on {len(st.enforced_accounts)} enforced accounts",
                description=(
                    f"{st.enforced_events} requests from enforced accounts, "
                    f"{st.specificity:.0%} of all requests with this {s.kind}"
                    + (" (keyed pseudonym: HMAC-SHA256 with the consortium key)" if hashed else "")
                ),
                indicator_types=["attribution" if hashed else "anomalous-activity"],
                pattern_type=pattern_type,
                pattern=pattern,
                valid_from=ts(st.first_seen),
                valid_until=ts(valid_until),
                confidence=s.confidence,
                x_distillguard_kind=s.kind,
                allow_custom=True,
                **self._common(st.first_seen, st.last_seen),
            )
        )
        self.objects.append(
            stix2.v21.Sighting(
                id=stix_id("sighting", s.id),
                sighting_of_ref=s.id,
                count=min(st.enforced_events, 999_999_999),
                first_seen=ts(st.first_seen),
                last_seen=ts(st.last_seen),
                where_sighted_refs=[self.identity.id],
                **self._common(st.first_seen, st.last_seen),
            )
        )

    def _relate(self, source: str, rel: str, target: str, created: float) -> None:
        self.objects.append(
            stix2.v21.Relationship(
                id=stix_id("relationship", source, rel, target),
                source_ref=source,
                relationship_type=rel,
                target_ref=target,
                **self._common(created, created),
            )
        )

    def _campaign(self, label: str, members: set[str], selected: list[_Selected]) -> str:
        first = min(self.h.enforced[a].first_enforced for a in members)
        mine = [s for s in selected if label in s.clusters]
        seen = [s.stats for s in mine] or None
        first_seen = min((st.first_seen for st in seen), default=first) if seen else first
        last_seen = max((st.last_seen for st in seen), default=first) if seen else first
        common = self._common(first_seen, last_seen)
        risk = max(self.h.enforced[a].risk for a in members)
        campaign = stix2.v21.Campaign(
            id=stix_id("campaign", label),
            name=f"distillation cluster {label}",
            description=f"{len(members)} enforced accounts linked by shared infrastructure",
            first_seen=ts(first_seen),
            last_seen=ts(last_seen),
            confidence=round(100 * risk),
            **common,
        )
        actor = stix2.v21.IntrusionSet(
            id=stix_id("intrusion-set", label),
            name=f"operator of distillation cluster {label}",
            goals=["harvest model outputs to train a competing model"],
            first_seen=ts(first_seen),
            last_seen=ts(last_seen),
            **common,
        )
        self.objects += [campaign, actor]
        self._relate(campaign.id, "attributed-to", actor.id, first_seen)
        infra_refs = [s for s in mine if s.kind in ("ip_prefix", "asn")]
        if infra_refs:
            infra = stix2.v21.Infrastructure(
                id=stix_id("infrastructure", label),
                name=f"proxy network of cluster {label}",
                infrastructure_types=["anonymization"],
                first_seen=ts(first_seen),
                last_seen=ts(last_seen),
                **common,
            )
            self.objects.append(infra)
            self._relate(campaign.id, "uses", infra.id, first_seen)
            self._relate(actor.id, "uses", infra.id, first_seen)
            for s in infra_refs:
                self._relate(s.id, "indicates", infra.id, s.stats.first_seen)
        for s in mine:
            self._relate(s.id, "indicates", campaign.id, s.stats.first_seen)
        return str(campaign.id)

    def _rules(self, cluster_of: Mapping[str, str], campaigns: Mapping[str, str]) -> None:
        if not self.o.sharing.allows("rule", self.o.tlp):
            return
        by_reason: dict[str, Rule] = {r.reason: r for r in self.config.signature_rules()}
        fired: dict[str, list[str]] = {}
        for account, e in sorted(self.h.enforced.items()):
            for code in e.reasons:
                if code in by_reason:
                    fired.setdefault(code, []).append(account)
        for code, accounts in sorted(fired.items()):
            rule = by_reason[code]
            first = min(self.h.enforced[a].first_enforced for a in accounts)
            risk = sum(self.h.enforced[a].risk for a in accounts) / len(accounts)
            if round(100 * risk) < self.o.min_confidence:
                continue
            pattern = " AND ".join(f"{c.feature} {c.op} {c.value:g}" for c in rule.when)
            ind = stix2.v21.Indicator(
                id=stix_id("indicator", RULE, rule.id, pattern),
                name=f"signature {rule.id}",
                description=rule.description,
                indicator_types=["anomalous-activity"],
                pattern_type=RULE,
                pattern=pattern,
                valid_from=ts(first),
                valid_until=ts(first + self.o.valid_days.get("rule", 90) * DAY),
                confidence=round(100 * risk),
                x_distillguard_rule=rule.model_dump(mode="json"),
                allow_custom=True,
                **self._common(first, first),
            )
            self.objects.append(ind)
            for label in sorted({cluster_of[a] for a in accounts}):
                self._relate(ind.id, "indicates", campaigns[label], first)

    def _strategy(self, campaigns: Mapping[str, str]) -> None:
        p = self.config.policy
        ladder = [
            {
                "action": a,
                "enter_risk": getattr(p.thresholds, a),
                "ttl_seconds": getattr(p.ttl, a),
            }
            for a in ACTIONS
        ]
        steps = ", ".join(f"{s['action']} at risk {s['enter_risk']}" for s in ladder)
        first = min(e.first_enforced for e in self.h.enforced.values())
        coa = stix2.v21.CourseOfAction(
            id=stix_id("course-of-action", "ladder", steps),
            name="graduated action ladder",
            description=(
                f"Fuse evidence into one risk and act by steps: {steps}; step down only "
                f"{p.hysteresis} below a threshold after {p.min_dwell_seconds:g}s; degrade = "
                "covertly perturbed outputs; throttle at "
                f"{p.throttle_rpm} requests/min; TTLs grow x{p.escalation_factor:g} per repeat "
                "offence. No single weak signal enforces."
            ),
            x_distillguard_ladder=ladder,
            allow_custom=True,
            **self._common(first, first),
        )
        self.objects.append(coa)
        for campaign in campaigns.values():
            self._relate(coa.id, "mitigates", campaign, first)


def export_bundle(
    harvest: Harvest, options: ExportOptions, config: DetectionConfig
) -> stix2.v21.Bundle:
    """The bundle for one harvest; raises nothing for an empty harvest (empty bundle)."""
    return BundleBuilder(harvest, options, config).build()


def read_records(lines: Iterable[bytes]) -> Iterable[dict[str, Any]]:
    """Decision records of a ``replay`` output file, skipping blank lines."""
    import orjson

    for raw in lines:
        line = raw.strip()
        if line:
            record = orjson.loads(line)
            if isinstance(record, dict):
                yield record
