"""The clustering stage: links → clusters → risk → one verdict per member (no Kafka here).

It runs on the single partition of the clustering topic, where three kinds of record meet
(all low volume: nothing here is per event):

- ``pairs``: co-memberships found by the by-value stage (:class:`PairStage` turns them into
  links and clusters);
- ``profiles``: compact activity profiles (:class:`~distillguard.models.clusters.profile.
  Profile`: ≤ 60 one-minute buckets of 4 numbers and a few account facts) of accounts
  that are cluster members, sent by the worker that owns each account when it learns the
  membership and then at most every ``PROFILE_SECONDS`` of event time while it is active;
- ``decisions``: the scoring stage's decisions on members and its enforcing decisions on
  anyone (failover evidence needs to know who was enforced, and when).

Risk, failover and member evidence are computed by a
:class:`~distillguard.models.clusters.ClusterLinker` exactly as ``distillguard replay``
computes them (``cluster_risk``, ``evidence``, ``holds``, ``observe_decision``); here its
links come from :class:`PairStage` instead of its own index. :meth:`ClusteringStage.verdicts`
returns what changed, for the compacted verdicts topic every worker reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

import orjson

from distillguard.models.clusters import ClusterGraph, ClusterLinker, LinkingConfig
from distillguard.models.clusters.index import ANCHOR_TEMPLATES, FLEET_TEMPLATES, carries_link
from distillguard.models.clusters.links import FLEET_KIND, enough
from distillguard.models.clusters.profile import BUCKET, MINUTES, REQ, Profile
from distillguard.models.clusters.values import KIND_WEIGHTS
from distillguard.models.clusters.view import cluster_view
from distillguard.models.features.slices import MINUTE

#: Profile fields that are linking's own bookkeeping, not activity: never sent.
LOCAL_FIELDS: Final = frozenset(
    {"account_id", "values", "linked_at", "linked_values", "nets", "last_nets", "refusals"}
)


def encode_profile(p: Profile) -> dict[str, Any]:
    """A profile's activity as JSON-ready data. Generic over the profile's fields, so a
    field added for a new coordination factor travels without a change here."""
    out: dict[str, Any] = {"account_id": p.account_id}
    for f in dataclasses.fields(p):
        if f.name in LOCAL_FIELDS:
            continue
        value = getattr(p, f.name)
        if isinstance(value, set):
            value = sorted(value)
        elif isinstance(value, dict):
            value = [[k, v] for k, v in sorted(value.items())]
        out[f.name] = value
    return out


def decode_profile(data: Mapping[str, Any]) -> Profile:
    p = Profile(str(data["account_id"]), float(data["first_seen"]), float(data["last_seen"]))
    for f in dataclasses.fields(p):
        if f.name in LOCAL_FIELDS or f.name not in data:
            continue
        value = data[f.name]
        current = getattr(p, f.name)
        if isinstance(current, set):
            value = set(value)
        elif isinstance(current, dict):
            value = {k: v for k, v in value}
        setattr(p, f.name, value)
    for minute, bucket in p.minutes.items():
        if len(bucket) < BUCKET:
            # from a profile record written before buckets counted classified requests:
            # every request was taken for classified then
            p.minutes[minute] = [*bucket, bucket[REQ]]
    return p


#: Verdict fields whose change alone republishes it.
VERDICT_FIELDS: Final = ("cluster_id", "hold", "failover", "established_since", "paid_since")
#: A member's verdict is published again when an evidence weight moved at least this much
#: (or a field of ``VERDICT_FIELDS`` or its evidence codes changed): risk moves a little at every
#: refresh, and each verdict costs a message to every worker.
PUBLISH_WEIGHT_STEP: Final = 0.01


def _differs(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    if old is None:
        return True
    if any(new.get(k) != old.get(k) for k in VERDICT_FIELDS):
        return True
    before = {e["code"]: e["weight"] for e in old["evidence"]}
    after = {e["code"]: e["weight"] for e in new["evidence"]}
    return before.keys() != after.keys() or any(
        abs(w - before[code]) >= PUBLISH_WEIGHT_STEP for code, w in after.items()
    )


#: What a pair shares of one kind: (weight, event time, the value it was seen through; None
#: in records written before every record named its value).
Kind = tuple[float, float, str | None]


class PairStage:
    """Independent kinds per pair -> links -> clusters (the one place clusters meet).

    Pair state is bounded by time: a pair not confirmed within ``ttl_seconds`` is forgotten
    at the next :meth:`expire`.
    """

    def __init__(self, config: LinkingConfig | None = None, graph: ClusterGraph | None = None):
        self.config = c = config or LinkingConfig()
        self.graph = graph if graph is not None else ClusterGraph(ttl=c.ttl_seconds)
        #: pair -> kind -> (weight, event time, the value it was seen through)
        self.pairs: dict[tuple[str, str], dict[str, Kind]] = {}
        #: (account, value) -> the accounts it shares a kind with through that value (a few
        #: it no longer does, until :meth:`_drop` or :meth:`expire` meets them)
        self.through: dict[tuple[str, str], set[str]] = {}
        #: pair -> when it last shared a value that can carry a link (``LinkIndex.anchors``)
        self.anchored: dict[tuple[str, str], float] = {}
        #: pair -> popular templates it shares -> when (at most ``ANCHOR_TEMPLATES``)
        self.templates: dict[tuple[str, str], dict[str, float]] = {}
        #: pair -> (kinds, event time) it was last linked on
        self.confirmed: dict[tuple[str, str], tuple[tuple[str, ...], float]] = {}
        #: account -> cluster -> fleet template -> (when, a member enforced against, its
        #: first seen) (:meth:`_fleet`)
        self.fleets: dict[str, dict[str, dict[str, tuple[float, str, float]]]] = {}
        self.announced: dict[str, str] = {}

    def apply(self, record: Mapping[str, Any]) -> dict[str, str]:
        """Take one member's co-memberships of one value (``"with"``: ``[[co-member, first
        seen], ...]``, or a single ``"b"``/``"fb"``); return ``account -> cluster_id`` for
        accounts whose cluster changed."""
        a, fa = str(record["a"]), float(record["fa"])
        kind, weight, ts = str(record["k"]), float(record["w"]), float(record["ts"])
        anchor = bool(record.get("x", True))  # records from before anchors carried links
        value = record.get("v")
        others = record["with"] if "with" in record else [[record["b"], record["fb"]]]
        if value is not None and record.get("with"):
            # the member's co-members of the value now (a fleet-only record has none;
            # records written before every record named its value cannot tell)
            self._drop(a, str(value), kind, {str(b) for b, _ in others}, ts)
        template = value if kind == "prompt" else None
        changed: dict[str, str] = {}
        for b, fb in others:
            changed.update(self._pair(a, fa, str(b), float(fb), kind, weight, ts, anchor, value))
        if "f" in record and template is not None:
            changed.update(self._fleet(a, fa, template, record["f"], ts))
        return changed

    def _drop(self, a: str, value: str, kind: str, kept: set[str], ts: float) -> None:
        """``a``'s co-members of ``value`` are now ``kept`` (the value's recent members):
        a pair with anyone else no longer shares ``kind`` through that value, and its link
        is dropped if what it still shares links no two accounts, as the replay linker
        drops the links an account's relink no longer finds."""
        sharing = self.through.get((a, value))
        if not sharing:
            return
        graph = self.graph
        for b in sorted(sharing.difference(kept)):
            sharing.discard(b)
            key = (a, b) if a < b else (b, a)
            kinds = self.pairs.get(key)
            held = kinds.get(kind) if kinds is not None else None
            if kinds is None or held is None or held[2] != value:
                continue
            del kinds[kind]
            edge = graph.neighbours(a).get(b)
            if edge is None or FLEET_KIND in edge[1] or self._links(key, kinds, ts):
                continue
            graph.unlink(a, b)
            self.confirmed.pop(key, None)

    def _share(self, a: str, b: str, value: str | None) -> None:
        """Note that ``a`` and ``b`` share a kind through ``value`` (:attr:`through`)."""
        if value is not None:
            self.through.setdefault((a, value), set()).add(b)
            self.through.setdefault((b, value), set()).add(a)

    def _links(
        self, key: tuple[str, str], kinds: Mapping[str, Kind], ts: float
    ) -> dict[str, float]:
        """The kinds (-> weight) on which what a pair shared within ``ttl_seconds`` links
        it: two independent ones or a card, strong enough, and anchored; else none."""
        horizon = ts - self.config.ttl_seconds
        live = {k: w for k, (w, t, _) in kinds.items() if t >= horizon}
        if (
            not enough(live, self.config.min_kinds)
            or sum(live.values()) < self.config.link_threshold
        ):
            return {}
        return live if self._is_anchored(key, horizon) else {}

    def _fleet(
        self, a: str, fa: float, template: str, members: list[list[Any]], ts: float
    ) -> dict[str, str]:
        """``a``, behind proxies, uses a fleet template of these members enforced
        against: link it to their cluster once it uses ``FLEET_TEMPLATES`` of that
        cluster's within ``ttl_seconds``, as
        :meth:`~distillguard.models.clusters.links.LinkMaker.fleet_links` does."""
        graph = self.graph
        mine = graph.cluster_of(a)
        held = self.fleets.setdefault(a, {})
        horizon = ts - self.config.ttl_seconds
        changed: dict[str, str] = {}
        for b, fb in members:
            cid = graph.cluster_of(str(b))
            if cid is None or cid == mine:
                continue
            templates = held.setdefault(cid, {})
            templates[template] = (ts, str(b), float(fb))
            live = [x for x in templates.values() if x[0] >= horizon]
            if len(live) < FLEET_TEMPLATES:
                continue
            _, member, fm = max(live)
            before = (mine, cid)
            graph.link(
                a,
                member,
                round(KIND_WEIGHTS["prompt"] * len(live), 4),
                ts,
                {a: fa, member: fm},
                (FLEET_KIND,),
            )
            mine = graph.cluster_of(a)
            changed.update(self._announce(mine, before))
        return changed

    def _announce(self, cid: str | None, before: tuple[str | None, str | None]) -> dict[str, str]:
        """The members of ``cid`` to announce after a link that joined or merged clusters
        (``before``: the two ends' clusters before it)."""
        changed: dict[str, str] = {}
        if cid is None or before == (cid, cid):
            return changed  # no member joined, no cluster merged: nothing to announce
        for member in sorted(self.graph.members(cid)):
            if self.announced.get(member) != cid:
                self.announced[member] = cid
                changed[member] = cid
        return changed

    def _pair(
        self,
        a: str,
        fa: float,
        b: str,
        fb: float,
        kind: str,
        weight: float,
        ts: float,
        anchor: bool = True,
        value: str | None = None,
    ) -> dict[str, str]:
        key = (a, b) if a < b else (b, a)
        kinds = self.pairs.get(key)
        if kinds is None:
            kinds = self.pairs[key] = {}
        ttl = self.config.ttl_seconds
        horizon = ts - ttl
        template = value if kind == "prompt" else None
        gained = self._note_anchor(key, ts, horizon, anchor, template)
        held = kinds.get(kind)
        if not gained and held is not None and held[0] == weight and ts - held[1] < ttl / 4:
            return {}  # seen recently with this weight: a relink that changes nothing
        if held is None or weight >= held[0] or ts - held[1] >= ttl / 4:
            kinds[kind] = (weight, ts, value)
            self._share(a, b, value)
        live = self._links(key, kinds, ts)
        if not live:
            return {}
        strength = sum(live.values())
        graph = self.graph
        link_kinds = tuple(sorted(live))
        confirmed = self.confirmed.get(key)
        if confirmed is not None and confirmed[0] == link_kinds and ts - confirmed[1] < ttl / 4:
            return {}  # linked recently on the same kinds (the replay linker skips it too)
        self.confirmed[key] = (link_kinds, ts)
        before = (graph.cluster_of(a), graph.cluster_of(b))
        graph.link(key[0], key[1], round(strength, 4), ts, {a: fa, b: fb}, link_kinds)
        return self._announce(graph.cluster_of(a), before)

    def _note_anchor(
        self, key: tuple[str, str], ts: float, horizon: float, anchor: bool, template: str | None
    ) -> bool:
        """Record what the pair shares beyond popular software; True when that is news
        (an anchoring value after none within ``ttl_seconds``, or a popular template not
        yet counted)."""
        if anchor:
            before = self.anchored.get(key)
            self.anchored[key] = ts
            return before is None or before < horizon
        if template is None:
            return False
        held = self.templates.get(key)
        if held is None:
            held = self.templates[key] = {}
        news = template not in held
        held[template] = ts
        if len(held) > ANCHOR_TEMPLATES:
            del held[min(held, key=held.__getitem__)]
        return news

    def _is_anchored(self, key: tuple[str, str], horizon: float) -> bool:
        """What the pair shared within ``ttl_seconds`` carries a link (:func:`carries_link`,
        as the replay linker requires)."""
        at = self.anchored.get(key)
        held = self.templates.get(key, {})
        return carries_link(
            at is not None and at >= horizon, sum(1 for t in held.values() if t >= horizon)
        )

    def expire(self, now: float) -> None:
        """Forget pairs not confirmed within ``ttl_seconds``; re-read clusters from the graph
        (the caller rebuilt it: decayed links split clusters)."""
        horizon = now - self.config.ttl_seconds
        for pair in [
            p
            for p, kinds in self.pairs.items()
            if max((t for _, t, _ in kinds.values()), default=-1.0) < horizon
        ]:
            del self.pairs[pair]
            self.confirmed.pop(pair, None)
            self.anchored.pop(pair, None)
            self.templates.pop(pair, None)
        self.through = {}
        for (a, b), kinds in self.pairs.items():
            for _, _, value in kinds.values():
                self._share(a, b, value)
        for account_id in list(self.fleets):
            clusters = self.fleets[account_id]
            for held in list(clusters):
                clusters[held] = {v: x for v, x in clusters[held].items() if x[0] >= horizon}
                if not clusters[held]:
                    del clusters[held]
            if not clusters:
                del self.fleets[account_id]
        for account_id in list(self.announced):
            cid = self.graph.cluster_of(account_id)
            if cid is None:
                del self.announced[account_id]
            else:
                self.announced[account_id] = cid


class ClusteringStage:
    """Clusters with risk and per-member verdicts, from pairs, profiles and decisions."""

    def __init__(self, config: LinkingConfig | None = None) -> None:
        self.config = c = config or LinkingConfig()
        #: risk, failover and evidence: the replay code, fed from the records below
        self.linker = ClusterLinker(c)
        self.pairs = PairStage(c, graph=self.linker.graph)
        #: latest decision on each member (for ``/clusters/{id}``)
        self.decisions: dict[str, dict[str, Any]] = {}
        self.published: dict[str, dict[str, Any]] = {}
        self.now = 0.0
        self._dirty: set[str] = set()
        self._risk: dict[str, float] = {}  # cluster -> risk last published
        self._maintained = -1.0

    # feeding ------------------------------------------------------------------------------
    def apply(self, record: Mapping[str, Any]) -> None:
        kind = record["t"]
        rows = record["rows"]
        if kind == "pairs":
            for row in rows:
                self.now = max(self.now, float(row["ts"]))
                self._dirty.update(self.pairs.apply(row))
        elif kind == "profiles":
            for row in rows:
                self._absorb(row)
        elif kind == "decisions":
            for account_id, value, at in rows:
                self.now = max(self.now, float(at))
                self.linker.observe_decision(account_id, value, float(at))
                if value is None:
                    self.decisions.pop(account_id, None)
                else:
                    self.decisions[account_id] = value
                cid = self.linker.graph.cluster_of(account_id)
                if cid is not None:
                    self._dirty.update(self.linker.graph.members(cid))
        else:
            raise ValueError(f"unknown clustering record type {kind!r}")
        self._maintain()

    def take(self, payload: bytes) -> dict[str, dict[str, Any] | None]:
        """One record off the clustering topic: apply it, return the verdicts it changed
        (what the clustering agent publishes, and what a rebuild replays)."""
        self.apply(orjson.loads(payload))
        return self.verdicts()

    def _absorb(self, data: Mapping[str, Any]) -> None:
        """Replace a member's profile with the one its owner sent."""
        p = decode_profile(data)
        self.now = max(self.now, p.last_seen)
        profiles = self.linker.profiles
        old = profiles.get(p.account_id)
        if old is not None and p.first_seen > old.first_seen:
            # The account's new owner (after a rebalance or a worker restart) saw less of it
            # than the one before: keep what was observed, and since when.
            p.first_seen = old.first_seen
            horizon = int(p.last_seen // MINUTE) - MINUTES
            for minute, bucket in old.minutes.items():
                mine = p.minutes.get(minute)
                if mine is None:
                    if minute > horizon:
                        p.minutes[minute] = bucket
                else:
                    p.minutes[minute] = [max(a, b) for a, b in zip(mine, bucket, strict=True)]
        if old is not None and old.refused_at is not None:
            # first refused as the stage knew it, whatever the owner saw since a rebalance
            p.refused_at = min(old.refused_at, p.refused_at or old.refused_at)
        profiles[p.account_id] = p
        cid = self.linker.graph.cluster_of(p.account_id)
        if cid is None:
            return
        self._dirty.add(p.account_id)
        if p.refused_at is not None and (old is None or old.refused_at is None):
            self.linker.note_refused(p.account_id)  # failover evidence for the next joiner
        if old is None:
            # the cluster's risk was computed without this member's activity
            self.linker.invalidate_risk(cid)
        else:
            self.linker.reassess_small((p.account_id,))  # as replay, for a member's activity

    def _maintain(self) -> None:
        """Link decay and expiry on the linker's own schedule (event time): the linker
        rebuilds its graph every ``maintenance_seconds``; pairs and announcements follow."""
        self.linker.observe_slices({}, self.now)
        if self._maintained < 0:
            self._maintained = self.now
        elif self.now - self._maintained >= self.config.maintenance_seconds:
            self._maintained = self.now
            self.pairs.expire(self.now)
            self._dirty.update(self.published)
            graph = self.linker.graph
            for account_id in [a for a in self.decisions if a not in graph.first_seen]:
                del self.decisions[account_id]
            self._risk = {c: r for c, r in self._risk.items() if graph.members(c)}

    # verdicts -----------------------------------------------------------------------------
    def verdict(self, account_id: str) -> dict[str, Any] | None:
        """What the scoring stage needs about one account; ``None``: in no cluster."""
        linker = self.linker
        cid = linker.graph.cluster_of(account_id)
        if cid is None:
            return None
        risk, _ = linker.member_risk(account_id, cid, self.now)
        evidence = linker.evidence(account_id, {}, self.now)
        seat, payer = linker.established_since(account_id, self.now)
        return {
            "account_id": account_id,
            "cluster_id": cid,
            "risk": risk.risk,
            "hold": linker.holds(account_id),
            "failover": any(e.code == "cluster.failover_join" for e in evidence),
            "established_since": seat,
            "paid_since": payer,
            "evidence": [
                {
                    "code": e.code,
                    "detail": e.detail,
                    "weight": e.weight,
                    "family": e.family,
                    "shadow": e.shadow,
                }
                for e in evidence
            ],
        }

    def verdicts(self) -> dict[str, dict[str, Any] | None]:
        """Verdicts that changed since the last call (``None``: left every cluster)."""
        dirty, self._dirty = self._dirty, set()
        clusters: dict[str, set[str]] = {}
        out: dict[str, dict[str, Any] | None] = {}
        for account_id in sorted(dirty):
            cid = self.linker.graph.cluster_of(account_id)
            if cid is None:
                if self.published.pop(account_id, None) is not None:
                    out[account_id] = None
                continue
            clusters.setdefault(cid, set()).add(account_id)
        for cid, accounts in clusters.items():
            risk, _ = self.linker.cluster_risk(cid, self.now)
            if self._risk.get(cid) != risk.risk:
                self._risk[cid] = risk.risk
                accounts = self.linker.graph.members(cid)  # the whole cluster's risk moved
            for account_id in sorted(accounts):
                verdict = self.verdict(account_id)
                if verdict is not None and _differs(verdict, self.published.get(account_id)):
                    self.published[account_id] = verdict
                    out[account_id] = verdict
        return out

    def view(self, cid: str) -> dict[str, Any] | None:
        """``GET /clusters/{id}``: members, links, risk, and each member's evidence and
        latest decision."""
        view = cluster_view(self.linker, cid, self.now)
        if view is None:
            return None
        for member in view["members"]:
            account_id = member["account_id"]
            published = self.published.get(account_id)
            member["evidence"] = published["evidence"] if published else []
            member["decision"] = self.decisions.get(account_id)
        return view
