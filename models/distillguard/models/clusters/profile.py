"""What linking remembers of one account: a short activity series and a few account facts.

Bounded per account: at most ``MINUTES`` one-minute buckets of five numbers (requests,
output tokens, chain-of-thought requests, requests on the targeted capabilities, requests
whose prompt was classified), the
account facts the gateway sent, and the account's current linking values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from distillguard.models.features import counters as C
from distillguard.models.features.compute import TOP_TIERS
from distillguard.models.features.slices import MINUTE, AccountSlice

#: Minutes of activity kept per account (the horizon of timing and volume evidence).
MINUTES: Final = 60
REQ: Final = 0
OUT: Final = 1
COT: Final = 2
CAPABILITY: Final = 3
#: requests whose prompt carried a category: the requests that shares of what was asked
#: are of (a gateway rolling ``prompt`` out sends it on some requests only)
KNOWN: Final = 4
#: the length of a minute bucket
BUCKET: Final = 5
#: The capabilities distillation campaigns concentrate on.
TARGETED: Final = tuple(
    C.CAT0 + C.CATEGORIES.index(c) for c in ("coding", "math", "reasoning", "agentic")
)
_T0, _T1, _T2, _T3 = TARGETED  # unpacked for the per-minute merge
#: An account younger than this (days) counts as new.
NEW_DAYS: Final = 14.0
#: Autonomous systems an account at home keeps at most (:meth:`Profile.resident`): a
#: home and a phone.
HOME_ASNS: Final = 2
#: An account on at least this many ASNs, one per at most 1 / ``ROTATION_SHARE``
#: requests, rotates networks.
ROTATION_MIN_ASNS: Final = 4
ROTATION_SHARE: Final = 0.4
#: Share of an account's repeat requests from another network than the request before
#: from which it hops networks (:meth:`Profile.hops_networks`).
HOP_SHARE: Final = 0.75
#: Repeat requests from which an account that changed network at most at one in four of
#: them (the mirror of ``HOP_SHARE``) keeps its networks (:meth:`Profile.roams`).
SETTLED_REPEATS: Final = 3
#: Distinct networks (/24, /48) from which an account that hops networks hops proxies
#: (:meth:`Profile.hops_proxies`).
PROXY_NETWORKS: Final = 3
#: Distinct networks (ASNs) remembered per account.
MAX_ASNS: Final = 32
#: Distinct IP prefixes (/24, /48) remembered per account.
MAX_NETS: Final = 32
#: Requests in a row refused (status 403) from which an account was refused service
#: (:attr:`Profile.refused_at`).
REFUSED_STREAK: Final = 3
#: Distinct prefixes from which an account's changes of network between requests count in
#: full (:meth:`Profile.network_changes`): below it, only its changes to a new one do.
POOL: Final = 8
#: Share of requests asking for step-by-step reasoning from which a workload is reasoning
#: elicitation (ordinary use asks for it in a few percent of requests).
ELICITING: Final = 0.2
#: Share of requests on the targeted capabilities from which a workload is the harvest's
#: (with reasoning elicited, ``ELICITING``), not a team's mixed work.
HARVEST_FOCUS: Final = 0.9
#: Classified requests of its own last hour from which an account's work is judged
#: (:meth:`Profile.harvests`; off its cluster's work,
#: :func:`~distillguard.models.clusters.linker.off_work`).
OWN_WORK_REQUESTS: Final = 3.0
#: Autonomous systems from which an aged account harvesting exits through other people's
#: providers (:meth:`Profile.spreads_providers`): a home, an office and a phone are three,
#: within hours, for few people.
PROVIDERS: Final = 3


@dataclass(slots=True)
class Profile:
    account_id: str
    first_seen: float
    last_seen: float
    created_at: float | None = None
    verified: bool | None = None
    card: str | None = None
    #: the organisation the account belongs to (``None``: none registered)
    org: str | None = None
    #: its plan (``free``, ``tier1``…``tier5``, ``enterprise``; ``None``: not sent)
    tier: str | None = None
    minutes: dict[int, list[float]] = field(default_factory=dict)
    values: set[str] = field(default_factory=set)
    #: when this account's links were last computed, and its value count then
    linked_at: float = -1.0
    linked_values: int = 0
    #: requests seen since the account was first seen, and the distinct ASNs (hashes,
    #: at most ``MAX_ASNS``) they came from
    requests: float = 0.0
    asns: set[int] = field(default_factory=set)
    #: requests after its first, and how many of them came from another network (/24 or
    #: /48 prefix) than the request before (:meth:`network_changes`)
    repeats: float = 0.0
    changes: float = 0.0
    #: the distinct prefixes (hashes, at most ``MAX_NETS``) it came from, and how many; and
    #: that of its latest request (those of its latest slice, for a slice that did not
    #: keep it) (the clustering stage is sent the counts: the prefixes stay with the
    #: account's owner)
    nets: set[int] = field(default_factory=set)
    networks: int = 0
    last_nets: set[int] = field(default_factory=set)
    #: when the platform was first seen refusing the account service (``REFUSED_STREAK``
    #: requests in a row answered 403: blocked, by whatever defence); its refusals in a row
    refused_at: float | None = None
    refusals: float = 0.0

    def merge(self, piece: AccountSlice) -> None:
        self.last_seen = max(self.last_seen, piece.last_ts)
        self.first_seen = min(self.first_seen, piece.first_ts)
        meta = piece.meta
        created = meta.get("created_at")
        if isinstance(created, int | float):
            self.created_at = float(created)
        verified = meta.get("verified")
        if isinstance(verified, bool):
            self.verified = verified
        org = meta.get("org_id")
        if isinstance(org, str):
            self.org = org
        tier = meta.get("tier")
        if isinstance(tier, str):
            self.tier = tier
        requests = 0.0
        for minute, c in piece.minutes.items():
            requests += c[C.N]
            bucket = self.minutes.get(minute)
            if bucket is None:
                bucket = self.minutes[minute] = [0.0, 0.0, 0.0, 0.0, 0.0]
            bucket[REQ] += c[C.N]
            bucket[OUT] += c[C.COMPLETION_TOKENS]
            bucket[COT] += c[C.COT]
            bucket[CAPABILITY] += c[_T0] + c[_T1] + c[_T2] + c[_T3]  # = sum(c[i] for i in TARGETED)
            bucket[KNOWN] += c[C.CAT_KNOWN]
        self.requests += requests
        if requests:
            tail = float(piece.refused_tail)
            # every request of the slice refused: the run goes on; else it is the last ones
            self.refusals = self.refusals + requests if tail >= requests else tail
            if self.refused_at is None and self.refusals >= REFUSED_STREAK:
                self.refused_at = piece.last_ts
        if len(self.asns) < MAX_ASNS:
            for hour in piece.hours.values():
                self.asns.update(hour.sketches.get("asn", ()))
        nets: set[int] = set()
        for hour in piece.hours.values():
            nets.update(hour.sketches.get("pfx", ()))
        path = piece.net_path
        if nets and requests:
            if path is not None:
                # the slice's own changes between requests, and one more from the slice
                # before when its first request came from another network than that
                # slice's last: the same count whatever the slices
                first, last, changes = path[0], path[1], float(path[2])
                joined = first in self.last_nets
                last_nets = {last}
            else:
                # within the slice, at least one change per network beyond the first; from
                # the slice before, one more when no network is in both (order within a
                # slice is not kept: a lower bound, exact for a slow account's one request
                # per slice)
                changes = len(nets) - 1.0
                joined = bool(nets & self.last_nets)
                last_nets = nets
            if self.last_nets:
                self.repeats += requests
                self.changes += changes + (0.0 if joined else 1.0)
            else:
                self.repeats += requests - 1.0
                self.changes += changes
            self.last_nets = last_nets
            if len(self.nets) < MAX_NETS:
                self.nets.update(nets)
                self.networks = len(self.nets)
        if len(self.minutes) > MINUTES:
            horizon = int(self.last_seen // MINUTE) - MINUTES
            for minute in [m for m in self.minutes if m <= horizon]:
                del self.minutes[minute]

    def is_new(self, now: float) -> bool:
        """New or unverified: what a freshly bought or farmed account looks like."""
        if self.verified is False:
            return True
        return self.created_at is not None and now - self.created_at < NEW_DAYS * 86400.0

    def rotates_networks(self) -> bool:
        """Its requests hop across many autonomous systems, most of them a different one
        (rotating residential or mobile proxies): an office, a home, a cloud CI fleet or a
        gateway each stay on a few."""
        n = len(self.asns)
        return n >= ROTATION_MIN_ASNS and n >= ROTATION_SHARE * self.requests

    def network_changes(self) -> tuple[float, float]:
        """(requests after its first, how many of them came from another network than the
        request before): a client behind rotating proxies changes network at nearly every
        request, however small its pool of proxies (a pool of 20 is back on a used network
        within a few requests, yet rarely on the one just used); a person, an office or a
        server rarely does. Changes back and forth among fewer than ``POOL`` networks (an
        office, a home and a phone) count only as the new networks they reached."""
        if self.networks >= min(self.repeats + 1.0, POOL):
            return self.repeats, self.changes
        return self.repeats, min(self.changes, self.networks - 1.0)

    def hops_networks(self) -> bool:
        """So far nearly every request after its first came from another network (/24 or
        /48) than the request before (every one of them up to its fourth request, then three
        in four): a client behind rotating proxies, seen from its second request on. A
        person, an office or a server keeps its network."""
        return self.roams() is True

    def hops_proxies(self) -> bool:
        """It hops networks (:meth:`hops_networks`) across at least ``PROXY_NETWORKS`` of
        them: rotating proxies, not a laptop that went from home to a phone's hotspot and
        back."""
        return self.networks >= PROXY_NETWORKS and self.hops_networks()

    def harvests(self, now: float) -> bool:
        """Its own last hour is the harvest's: of its classified requests (at least
        ``OWN_WORK_REQUESTS``), nearly all on the targeted capabilities
        (``HARVEST_FOCUS``), with reasoning elicited (``ELICITING``)."""
        return _harvest(self.totals(now))

    def _aged(self, now: float) -> bool:
        """``NEW_DAYS`` old or more, verified or not."""
        created = self.created_at
        return created is not None and now - created >= NEW_DAYS * 86400.0

    def resident(self, now: float) -> bool:
        """An aged account (``NEW_DAYS`` or older, verified or not) that keeps its network
        (:meth:`roams` False, on at most ``HOME_ASNS`` autonomous systems) and whose own
        last hour is not the harvest's (:meth:`harvests`; under ``OWN_WORK_REQUESTS``
        classified requests it is a person's pace, whatever they ask): a developer at
        home, whose residential /24 a fleet's sticky proxies exit through and who asks
        some of the same popular questions. An account on sticky proxies changes provider
        at its next session, and a fleet's account harvests."""
        if not (self._aged(now) and self.roams() is False and len(self.asns) <= HOME_ASNS):
            return False
        return not self.harvests(now)

    def spreads_providers(self, now: float) -> bool:
        """An aged account (``NEW_DAYS`` or older, verified or not) that harvests
        (:meth:`harvests`) from ``PROVIDERS`` autonomous systems or more: bought or farmed
        aged accounts behind sticky residential proxies, which keep an exit for a
        session and take another provider's at the next. It changes network at few
        requests, so it does not hop (:meth:`hops_networks`); a person keeps a home, an
        office and a phone, and a fleet of new accounts shows what it is by being new."""
        return self._aged(now) and len(self.asns) >= PROVIDERS and self.harvests(now)

    def contracted(self, now: float) -> bool:
        """An established top-tier customer: on the enterprise plan or ``tier5``, verified
        and ``NEW_DAYS`` old or more. A contract with the lab (sales, invoicing,
        verification) or a long paid history is no identity a fleet buys by the dozen; an
        LLM gateway, a platform or a phone app whose key ships in it carries many people's
        traffic from as many addresses, and a few of them may use a fleet's templates."""
        return self.tier in TOP_TIERS and self.verified is True and self._aged(now)

    def behind_proxies(self, now: float) -> bool:
        """It hops across proxies (:meth:`hops_proxies`) or spreads its sessions over
        providers (:meth:`spreads_providers`)."""
        return self.hops_proxies() or self.spreads_providers(now)

    def fleet_linkable(self, now: float) -> bool:
        """Whether it can be linked to an enforced fleet by the fleet's templates alone:
        behind proxies (:meth:`behind_proxies`), and no established enterprise customer
        (:meth:`contracted`: an LLM gateway's egress across a few clouds changes network
        at nearly every request, and its customers use some fleet's templates)."""
        return self.behind_proxies(now) and not self.contracted(now)

    def roams(self) -> bool | None:
        """True while it hops networks (:meth:`hops_networks`); False once it has shown it
        keeps them (at least ``SETTLED_REPEATS`` repeat requests, at most one in four from
        another network than the request before); None in between, or before."""
        repeats, changes = self.network_changes()
        if repeats >= 1.0 and changes >= HOP_SHARE * repeats:
            return True
        if repeats >= SETTLED_REPEATS and changes <= (1.0 - HOP_SHARE) * repeats:
            return False
        return None

    def totals(self, now: float, horizon: float = 3600.0) -> list[float]:
        """Sum of the buckets within ``horizon`` seconds of ``now``."""
        first = int((now - horizon) // MINUTE)
        req = out = cot = capability = known = 0.0
        # unrolled (same order of additions): called for every member of every cluster
        for minute, (r, o, c, k, q) in self.minutes.items():
            if minute > first:
                req += r
                out += o
                cot += c
                capability += k
                known += q
        return [req, out, cot, capability, known]

    def pace(self, now: float, horizon: float = 3600.0) -> float:
        """Requests per minute over the minutes within ``horizon`` in which it was active
        (refused requests count: a client that keeps its pace through 429s is a machine)."""
        first = int((now - horizon) // MINUTE)
        active = [b[REQ] for m, b in self.minutes.items() if m > first and b[REQ] > 0]
        return sum(active) / len(active) if active else 0.0

    def series(self, now: float, length: int) -> list[float]:
        """Requests per minute over the ``length`` minutes ending at ``now``."""
        last = int(now // MINUTE)
        return [self.minutes.get(m, _ZERO)[REQ] for m in range(last - length + 1, last + 1)]


_ZERO: Final = [0.0] * BUCKET


def _harvest(t: Sequence[float]) -> bool:
    """Whether an hour's totals (:meth:`Profile.totals`) are the harvest's
    (:meth:`Profile.harvests`)."""
    known = t[KNOWN]
    return (
        known >= OWN_WORK_REQUESTS
        and t[CAPABILITY] >= HARVEST_FOCUS * known
        and t[COT] >= ELICITING * known
    )


def apart(roams: bool | None, theirs: bool | None) -> bool:
    """Whether, of two accounts (their :meth:`Profile.roams`), one is known to roam
    networks and the other to keep its own: a network they share is then one the roaming
    account came through (a residential proxy's exit is someone's home), no network in
    common."""
    return roams is not None and theirs is not None and roams != theirs


def merge_slice(profiles: dict[str, Profile], piece: AccountSlice) -> Profile:
    """Fold one account slice into its profile in ``profiles`` (created on first sight)."""
    p = profiles.get(piece.account_id)
    if p is None:
        p = profiles[piece.account_id] = Profile(piece.account_id, piece.first_ts, piece.last_ts)
    p.merge(piece)
    return p
