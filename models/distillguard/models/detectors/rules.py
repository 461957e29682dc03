"""Signature rules as data: validated on load, evaluated against a feature vector.

A rule fires when all its conditions hold; it then contributes :class:`Evidence` with its
weight, reason code and a detail sentence filled from the feature values. Rules are the
operator's to publish (on the config topic); unknown fields, unknown feature names,
unknown placeholders and bad operators are rejected with the field named.

>>> rule = Rule.model_validate({"id": "hot", "description": "busy",
...     "when": [{"feature": "rpm_10m", "op": ">=", "value": 100}],
...     "weight": 0.3, "reason": "rate.high", "detail": "{rpm_10m:.0f} requests/min"})
>>> [e.detail for e in RuleSet([rule]).evaluate({"rpm_10m": 250.0})]
['250 requests/min']
"""

from __future__ import annotations

import operator
import string
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from distillguard.models.detectors.evidence import Evidence
from distillguard.models.errors import ConfigError
from distillguard.models.features.names import FEATURE_NAMES

Op = Literal[">", ">=", "<", "<=", "==", "!="]
_OPS: Final[dict[str, Callable[[float, float], bool]]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
CODE_PATTERN: Final = r"^[a-z0-9_.:-]+$"
#: distinct detail texts a compiled rule remembers before it starts over
_ISSUED_MAX: Final = 1024


class Condition(BaseModel):
    """``feature op value``, e.g. ``cot_share_1h >= 0.6``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feature: str
    op: Op
    value: float

    @field_validator("feature")
    @classmethod
    def _known_feature(cls, name: str) -> str:
        if name not in FEATURE_NAMES:
            raise ValueError(f"unknown feature {name!r}")
        return name

    def holds(self, features: Mapping[str, float]) -> bool:
        return _OPS[self.op](features.get(self.feature, 0.0), self.value)


class Rule(BaseModel):
    """One signature: all conditions (``when``) must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=CODE_PATTERN, min_length=1, max_length=64)
    description: str = Field(min_length=1)
    when: tuple[Condition, ...] = Field(min_length=1)
    weight: float = Field(gt=0.0, le=1.0)
    reason: str = Field(pattern=CODE_PATTERN, min_length=1, max_length=64)
    detail: str = Field(min_length=1)
    family: str = Field(default="", pattern=r"^[a-z0-9_]*$")
    shadow: bool = False

    @model_validator(mode="after")
    def _check_detail(self) -> Rule:
        for _, name, _, _ in string.Formatter().parse(self.detail):
            if name is not None and name not in FEATURE_NAMES:
                raise ValueError(f"detail names unknown feature {name!r}")
        sample = dict.fromkeys(FEATURE_NAMES, 0.0)
        try:
            self.detail.format_map(sample)
        except (ValueError, IndexError, KeyError) as exc:
            raise ValueError(f"detail is not a valid template: {exc}") from None
        return self

    def fires(self, features: Mapping[str, float]) -> bool:
        return all(c.holds(features) for c in self.when)

    def evidence(self, features: Mapping[str, float]) -> Evidence:
        return _CompiledRule(self).evidence(_Defaulting(features))


class _Defaulting(dict[str, float]):
    """Feature values for detail templates; a feature the vector lacks reads as 0."""

    def __missing__(self, key: str) -> float:
        return 0.0


class RuleFile(BaseModel):
    """The file format: ``{"rules": [...]}`` (YAML or JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return self


def _where(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "rules"


def config_error(exc: ValidationError, source: str) -> ConfigError:
    """One-line error naming the first failing field, e.g. ``rules[2].when[0].feature``."""
    first = exc.errors()[0]
    where = _where(first["loc"])
    msg = first["msg"].removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return ConfigError(f"{source}: {where}: {msg}{more}")


def parse_rules(data: Any, source: str = "rules") -> tuple[Rule, ...]:
    """Validate already-parsed rule data (a mapping with ``rules``)."""
    try:
        return RuleFile.model_validate(data).rules
    except ValidationError as exc:
        raise config_error(exc, source) from None


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """Load and validate a rule file; ``None`` loads the rules shipped in the package."""
    if path is None:
        text = resources.files("distillguard.models").joinpath("rules/default.yaml").read_text()
        source = "default rules"
    else:
        text = path.read_text(encoding="utf-8")
        source = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not YAML/JSON: {exc}".splitlines()[0]) from None
    return parse_rules(data, source)


class _CompiledRule:
    """A rule prepared for evaluation: its conditions as ``(feature, operator, value)``
    tuples and the parts of its evidence that do not depend on the features."""

    __slots__ = (
        "conditions",
        "detail",
        "drivers",
        "family",
        "issued",
        "reason",
        "rule_id",
        "shadow",
        "weight",
    )

    def __init__(self, rule: Rule) -> None:
        self.conditions = tuple((c.feature, _OPS[c.op], c.value) for c in rule.when)
        self.detail = rule.detail
        self.drivers = tuple(dict.fromkeys(c.feature for c in rule.when))
        self.family = rule.family or rule.id
        self.reason = rule.reason
        self.rule_id = rule.id
        self.shadow = rule.shadow
        self.weight = rule.weight
        #: detail text -> evidence: an active account's detail often repeats tick to tick
        self.issued: dict[str, Evidence] = {}

    def evidence(self, values: _Defaulting) -> Evidence:
        """The rule's evidence; an unchanged detail text reuses the (frozen) instance."""
        detail = self.detail.format_map(values)
        found = self.issued.get(detail)
        if found is None:
            if len(self.issued) >= _ISSUED_MAX:
                self.issued.clear()
            found = self.issued[detail] = Evidence(
                source="rule",
                code=self.reason,
                detail=detail,
                weight=self.weight,
                family=self.family,
                shadow=self.shadow,
                drivers=self.drivers,
                rule_id=self.rule_id,
            )
        return found


class RuleSet:
    """Evaluates rules; an :class:`~distillguard.models.detectors.evidence.EvidenceSource`.

    Each rule is compiled once, when the set is built (on load and on every rules update
    from the config topic); evaluation is then a plain loop that stops at a rule's first
    failing condition.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self._compiled = tuple(_CompiledRule(rule) for rule in self.rules)

    def evaluate(self, features: Mapping[str, float]) -> list[Evidence]:
        get = features.get
        fired: list[Evidence] = []
        values: _Defaulting | None = None
        for rule in self._compiled:
            for name, op, value in rule.conditions:
                if not op(get(name, 0.0), value):
                    break
            else:
                if values is None:
                    values = _Defaulting(features)
                fired.append(rule.evidence(values))
        return fired

    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        del account_id, now
        return self.evaluate(features)
