"""Detection config: frozen, validated, unknown fields rejected; every field has a default.

Operators load it from a YAML/JSON file (``replay --config``) or, later, the config
topic. Signature rules default to the ones shipped in ``rules/default.yaml``; a config
may carry its own ``rules`` list instead.

>>> cfg = DetectionConfig()
>>> cfg.tick_seconds, cfg.policy.thresholds.degrade
(30.0, 0.6)
>>> DetectionConfig.model_validate({"tick_second": 5})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for DetectionConfig
tick_second
  Extra inputs are not permitted [type=extra_forbidden, input_value=5, input_type=int]
...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from distillguard.models.detectors.rules import Rule, config_error, load_rules
from distillguard.models.errors import ConfigError

ACTIONS = ("monitor", "degrade", "throttle", "challenge", "suspend")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Thresholds(_Frozen):
    """Risk at which each action is entered; must increase up the ladder."""

    monitor: float = Field(default=0.3, ge=0.0, le=1.0)
    degrade: float = Field(default=0.6, ge=0.0, le=1.0)
    throttle: float = Field(default=0.75, ge=0.0, le=1.0)
    challenge: float = Field(default=0.88, ge=0.0, le=1.0)
    suspend: float = Field(default=0.96, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _increasing(self) -> Thresholds:
        values = [getattr(self, a) for a in ACTIONS]
        if any(b <= a for a, b in zip(values, values[1:], strict=False)):
            raise ValueError("thresholds must strictly increase from monitor to suspend")
        return self


class Ttl(_Frozen):
    """How long a decision of each action lives (seconds of event time) before it expires."""

    monitor: float = Field(default=3600.0, gt=0)
    degrade: float = Field(default=3600.0, gt=0)
    throttle: float = Field(default=3600.0, gt=0)
    challenge: float = Field(default=6 * 3600.0, gt=0)
    suspend: float = Field(default=24 * 3600.0, gt=0)


class AllowEntry(_Frozen):
    """An account, or every account of an organisation (``org_id``: an evaluation partner,
    a course whose attendees joined the organiser's organisation), never enforced against
    until ``expires_at`` (epoch seconds, event time). Exactly one of the two is given."""

    account_id: str | None = Field(default=None, min_length=1)
    org_id: str | None = Field(default=None, min_length=1)
    expires_at: float = Field(ge=0)
    reason: str = ""

    @model_validator(mode="after")
    def _one_subject(self) -> AllowEntry:
        if (self.account_id is None) == (self.org_id is None):
            raise ValueError("give exactly one of account_id and org_id")
        return self

    def covers(self, account_id: str, org_id: str | None, now: float) -> bool:
        """Whether this entry allowlists ``account_id`` (of ``org_id``) at ``now``."""
        if now >= self.expires_at:
            return False
        if self.account_id is not None:
            return self.account_id == account_id
        return org_id is not None and self.org_id == org_id


class PolicyConfig(_Frozen):
    thresholds: Thresholds = Thresholds()
    #: exit threshold of an action = its enter threshold minus this
    hysteresis: float = Field(default=0.1, ge=0.0, le=0.5)
    #: minimum time at an action before stepping down
    min_dwell_seconds: float = Field(default=600.0, ge=0)
    ttl: Ttl = Ttl()
    #: TTL multiplier per previous enforced episode (repeat offence), capped
    escalation_factor: float = Field(default=2.0, ge=1.0)
    max_escalation: float = Field(default=8.0, ge=1.0)
    throttle_rpm: int = Field(default=10, ge=0)
    allowlist: tuple[AllowEntry, ...] = ()


class AnomalyConfig(_Frozen):
    """River HalfSpaceTrees over squashed account features, one model for all accounts."""

    enabled: bool = True
    n_trees: int = Field(default=15, ge=1, le=50)
    height: int = Field(default=6, ge=1, le=10)
    #: an account's vector is scored (and learnt) at most this often
    every_seconds: float = Field(default=120.0, ge=0)
    window_size: int = Field(default=250, ge=10)
    seed: int = 42
    quantile: float = Field(default=0.995, gt=0.5, lt=1.0)
    warmup: int = Field(default=2000, ge=0)
    weight: float = Field(default=0.2, gt=0.0, le=1.0)
    shadow: bool = True


class SupervisedConfig(_Frozen):
    """Online logistic regression fed by analyst labels."""

    enabled: bool = True
    min_labels_per_class: int = Field(default=20, ge=1)
    probability: float = Field(default=0.8, gt=0.5, lt=1.0)
    weight: float = Field(default=0.4, gt=0.0, le=1.0)
    shadow: bool = True
    seed: int = 42


class DetectionConfig(_Frozen):
    """Everything the detection core needs; no I/O happens before this validates."""

    config_version: str = Field(default="default", min_length=1)
    tick_seconds: float = Field(default=30.0, ge=1.0, le=300.0)
    late_seconds: float = Field(default=120.0, ge=0.0, le=3600.0)
    #: accounts with fewer requests in the last hour are not scored (no evidence yet)
    min_requests_1h: int = Field(default=3, ge=0)
    #: a slow account is scored again once this share of its last hour is new traffic...
    rescore_new_share: float = Field(default=0.05, ge=0.0, le=1.0)
    #: ...or this long after its last scoring (busy accounts are scored every tick)
    rescore_max_seconds: float = Field(default=120.0, ge=0.0)
    #: an account held at degrade or stronger is rescored this often while active (at
    #: monitor, every tick): escalation and renewal need no per-tick scoring...
    rescore_held_seconds: float = Field(default=120.0, ge=0.0)
    #: ...and, while its rescorings change nothing, twice as long after each, up to this
    #: (never past the moment it may step down: ``policy.min_dwell_seconds`` at its action)
    rescore_held_max_seconds: float = Field(default=480.0, ge=0.0)
    shadow: bool = False
    rules: tuple[Rule, ...] | None = None
    policy: PolicyConfig = PolicyConfig()
    anomaly: AnomalyConfig = AnomalyConfig()
    supervised: SupervisedConfig = SupervisedConfig()

    def signature_rules(self) -> tuple[Rule, ...]:
        """The configured rules, or the default rules shipped with the package."""
        return self.rules if self.rules is not None else load_rules()


def parse_config(data: Any, source: str = "config") -> DetectionConfig:
    if data is None:
        data = {}
    try:
        return DetectionConfig.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, source) from None


def load_config(path: Path | None) -> DetectionConfig:
    """Load and validate a config file (YAML or JSON); ``None`` gives the defaults."""
    if path is None:
        return DetectionConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not YAML/JSON: {exc}".splitlines()[0]) from None
    return parse_config(data, str(path))
