"""Linking settings: frozen, validated, unknown fields rejected; every field has a default."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LinkingConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    #: members kept per linking value (least recently seen evicted first)
    member_cap: int = Field(default=256, ge=2)
    #: members, links and accounts not seen for this long (event time) are forgotten
    ttl_seconds: float = Field(default=6 * 3600.0, gt=0)
    #: members of one value compared when an account is linked
    sample: int = Field(default=32, ge=1)
    #: a value with more members than this is popular: it counts only as much as its
    #: members are new or unverified
    popular_members: int = Field(default=16, ge=1)
    #: link strength needed (sum over kinds of kind weight x specificity) ...
    link_threshold: float = Field(default=0.6, gt=0.0)
    #: ... from at least this many independent kinds of shared value
    min_kinds: int = Field(default=2, ge=1)
    #: an account's links are recomputed at least this often while it is active
    relink_seconds: float = Field(default=1800.0, gt=0)
    #: cluster risk is recomputed at most this often
    refresh_seconds: float = Field(default=120.0, gt=0)
    #: expiry and link decay run this often
    maintenance_seconds: float = Field(default=900.0, gt=0)
    min_members: int = Field(default=3, ge=2)
    #: members whose activity enters the cluster statistics (sums are extrapolated)
    stats_sample: int = Field(default=120, ge=3)
    #: an account new within this long after a cluster member was throttled or stopped is failover
    failover_seconds: float = Field(default=2 * 3600.0, ge=0)
    #: member evidence weight = cluster risk x this
    evidence_scale: float = Field(default=0.9, gt=0.0, le=1.0)
    failover_weight: float = Field(default=0.35, ge=0.0, le=1.0)
    #: quiet members of a cluster at least this risky are scored anyway
    hold_risk: float = Field(default=0.3, ge=0.0, le=1.0)
    shadow: bool = False
