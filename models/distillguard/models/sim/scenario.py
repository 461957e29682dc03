"""Scenario files: YAML data validated by frozen pydantic models (unknown fields rejected).

A scenario names a seed, a start time, a duration, the models on offer, model releases
during the run, and the populations of accounts to simulate::

    name: example
    seed: 7
    start: 2026-03-02T08:00:00Z
    duration: 2h
    models: [atlas-2, atlas-2-mini]
    releases:
      - {name: atlas-3, at: 40m}          # offset from start
    populations:
      - {persona: chat-app, count: 2, params: {rpm: 40}}
      - {persona: hydra-fleet, count: 60, campaign: hydra-a, params: {rpm: 4}}

>>> parse_duration("1h30m"), parse_duration("90s"), parse_duration(45)
(5400.0, 90.0, 45.0)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from distillguard.models.errors import UsageError
from distillguard.models.sim.personas import PERSONAS

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_UNIT = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string such as ``"2h"``, ``"1h30m"``, ``"45s"``."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '2h', '30m'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _PART.findall(text)
        if parts and "".join(f"{n}{u}" for n, u in parts) == text:
            return sum(float(n) * _UNIT[u] for n, u in parts)
    raise ValueError(f"not a duration: {value!r} (use seconds or e.g. '2h', '1h30m', '45s')")


Duration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Release(_Strict):
    """A model that becomes available ``at`` (offset from the scenario start)."""

    name: str = Field(min_length=1)
    at: Duration


class Population(_Strict):
    """``count`` accounts of one persona; attack populations form one campaign each."""

    persona: str
    count: int = Field(ge=1)
    campaign: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("persona")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in PERSONAS:
            raise ValueError(f"unknown persona {value!r}; known: {', '.join(sorted(PERSONAS))}")
        return value

    @model_validator(mode="after")
    def _check_params(self) -> Population:
        try:
            PERSONAS[self.persona].params.model_validate(self.params)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise ValueError(f"params.{where}: {err['msg']}") from None
        return self

    def persona_params(self) -> Any:
        return PERSONAS[self.persona].params.model_validate(self.params)


class Scenario(_Strict):
    """A whole simulated run. The same scenario and seed always give the same events."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    seed: int = Field(ge=0)
    start: datetime
    duration: Duration
    models: list[str] = Field(min_length=1)
    releases: list[Release] = Field(default_factory=list)
    populations: list[Population] = Field(min_length=1)

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _releases_inside(self) -> Scenario:
        if self.duration <= 0:
            raise ValueError("duration: must be longer than zero")
        for i, release in enumerate(self.releases):
            if release.at > self.duration:
                raise ValueError(f"releases.{i}.at: after the end of the scenario")
            if release.name in self.models:
                raise ValueError(f"releases.{i}.name: {release.name!r} is already in models")
        return self

    @property
    def start_ts(self) -> float:
        return self.start.timestamp()

    @property
    def end_ts(self) -> float:
        return self.start_ts + self.duration

    def with_seed(self, seed: int) -> Scenario:
        return self.model_copy(update={"seed": seed})


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err["loc"]) or "(top level)"
    message = str(err["msg"]).removeprefix("Value error, ")
    head, sep, rest = message.partition(": ")
    if sep and re.fullmatch(r"[a-z_]+(\.[\w-]+)*", head):  # a nested field named by a validator
        where, message = f"{where}.{head}" if err["loc"] else head, rest
    return f"{where}: {message}"


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    """Validate loaded YAML; raise :class:`UsageError` naming the first bad field."""
    if not isinstance(data, dict):
        raise UsageError(f"{source}: a scenario is a mapping, got {type(data).__name__}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{source}: invalid scenario: {_first_error(exc)}") from None


def _bundled() -> dict[str, Any]:
    root = resources.files("distillguard.models.sim") / "scenarios"
    return {p.name.removesuffix(".yaml"): p for p in root.iterdir() if p.name.endswith(".yaml")}


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with distillguard."""
    return sorted(_bundled())


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name, or a scenario file by path."""
    bundled = _bundled()
    key = str(name_or_path)
    if key in bundled:
        text, source = bundled[key].read_text(encoding="utf-8"), key
    else:
        path = Path(name_or_path)
        if not path.is_file():
            known = ", ".join(sorted(bundled))
            raise UsageError(f"no scenario named {key!r} and no such file (bundled: {known})")
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{source}: not valid YAML: {exc}".splitlines()[0]) from None
    return parse_scenario(data, source)
