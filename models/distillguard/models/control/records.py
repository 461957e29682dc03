"""Config records: the key names the item, the value is a ``config-record.v1`` envelope.

Keys: ``policy``, ``shadow``, ``detector:<name>``, ``rule:<id>``, ``allow:<id>``. Decoding
checks the key, the JSON, the schema and the item's own model (a rule is a
:class:`~distillguard.models.detectors.rules.Rule`, a detector section an
``AnomalyConfig``/``SupervisedConfig`` fragment, …) and raises :class:`ConfigRejected` naming
the field; checks that need the other items live in :mod:`.state`.

>>> item = decode_config_record("allow:ci", b'{"schema_version": 1, "kind": "allow",'
...     b' "spec": {"account_id": "acct_ci", "expires_at": 2e9, "reason": "CI runners"}}')
>>> item.kind, item.name, item.spec["account_id"]
('allow', 'ci', 'acct_ci')
>>> decode_config_record("allow:ci", b'{"schema_version": 1, "kind": "allow",'
...     b' "spec": {"account_id": "acct_ci", "reason": "CI runners"}}')
Traceback (most recent call last):
...
distillguard.models.errors.ConfigRejected: allow:ci: spec: missing required field 'expires_at'
>>> decode_config_record("allow:ci", b'{"schema_version": 1, "kind": "allow",'
...     b' "spec": {"expires_at": 2e9, "reason": "CI runners"}}')  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
distillguard.models.errors.ConfigRejected: allow:ci: spec: give exactly one of 'account_id' and...
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import fastjsonschema
import orjson
from pydantic import BaseModel, ValidationError

from distillguard.models import schemas
from distillguard.models.config import AnomalyConfig, SupervisedConfig
from distillguard.models.detectors.rules import Rule
from distillguard.models.errors import ConfigRejected

CONFIG_RECORD_V1: Final = "config-record.v1"
KINDS: Final = ("policy", "detector", "rule", "allow", "shadow")
#: detectors a ``detector:<name>`` record can configure
DETECTORS: Final[dict[str, type[BaseModel]]] = {
    "anomaly": AnomalyConfig,
    "supervised": SupervisedConfig,
}
#: names ``shadow.detectors`` accepts: the detectors, and ``rules`` for every rule at once
SHADOW_DETECTORS: Final = (*DETECTORS, "rules")
_NAME: Final = re.compile(r"^[a-z0-9_.:-]{1,64}$")
_SINGLETONS: Final = ("policy", "shadow")
_validate = schemas.validator(CONFIG_RECORD_V1)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class ConfigItem:
    """One validated config record: ``spec`` is the item itself, ``record`` the envelope."""

    key: str
    kind: str
    name: str
    spec: Mapping[str, Any]
    record: Mapping[str, Any]

    @property
    def enabled(self) -> bool:
        return bool(self.record.get("enabled", True))


def split_key(key: str) -> tuple[str, str]:
    """``"rule:cot-burst"`` → ``("rule", "cot-burst")``; ``"shadow"`` → ``("shadow", "")``."""
    if key in _SINGLETONS:
        return key, ""
    kind, sep, name = key.partition(":")
    if not sep or kind not in ("detector", "rule", "allow"):
        raise ConfigRejected(
            key or "<empty>",
            "unknown key: use policy, shadow, detector:<name>, rule:<id> or allow:<id>",
            "key",
        )
    if not _NAME.match(name):
        raise ConfigRejected(key, "name must match [a-z0-9_.:-]{1,64}", "key")
    if kind == "detector" and name not in DETECTORS:
        raise ConfigRejected(key, f"unknown detector {name!r} (known: {', '.join(DETECTORS)})")
    return kind, name


def _path(loc: Sequence[int | str], prefix: str) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_field(exc: fastjsonschema.JsonSchemaValueException) -> str | None:
    path = (exc.name or "").removeprefix("data").lstrip(".")
    return path or None


def _schema_reason(
    data: Mapping[str, Any], exc: fastjsonschema.JsonSchemaValueException
) -> tuple[str, str | None]:
    field = _schema_field(exc)
    if exc.rule == "required" and isinstance(exc.rule_definition, list):
        node: Any = data
        for part in (field or "").split(".") if field else []:
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        missing = [n for n in exc.rule_definition if not isinstance(node, Mapping) or n not in node]
        if missing:
            return f"missing required field {missing[0]!r}", field
    if exc.rule == "propertyNames" and isinstance(exc.value, Mapping):
        known = exc.rule_definition.get("enum") if isinstance(exc.rule_definition, dict) else None
        if known:
            bad = sorted(name for name in exc.value if name not in known)
            return f"unknown name(s) {bad} (known: {', '.join(known)})", field
        return f"invalid name(s) among {sorted(exc.value)}", field
    if exc.rule == "oneOf" and isinstance(exc.rule_definition, list):
        # alternatives that each require one field: exactly one of them must be given
        names = [alt["required"][0] for alt in exc.rule_definition if alt.get("required")]
        if names and len(names) == len(exc.rule_definition):
            return f"give exactly one of {' and '.join(repr(n) for n in names)}", field
    if exc.rule == "additionalProperties":
        return f"unknown field(s) {exc.value and sorted(set(exc.value))!s}", field
    message = (exc.message or "invalid").replace(f"{exc.name} ", "", 1)
    return message, field


def validate_model(key: str, model: type[M], spec: Mapping[str, Any]) -> M:
    """Validate ``spec`` with a pydantic model; errors name ``spec.<field>``."""
    try:
        return model.model_validate(spec)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = first["msg"].removeprefix("Value error, ")
        raise ConfigRejected(key, msg, _path(first["loc"], "spec")) from None


def decode_config_record(key: str, value: bytes | Mapping[str, Any] | None) -> ConfigItem | None:
    """Validate one record of the config topic; ``None`` for a tombstone."""
    kind, name = split_key(key)
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        try:
            data = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise ConfigRejected(key, f"not JSON: {exc}", None) from None
    else:
        data = dict(value)
    if not isinstance(data, dict):
        raise ConfigRejected(key, f"not a JSON object but a {type(data).__name__}")
    try:
        _validate(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        reason, field = _schema_reason(data, exc)
        raise ConfigRejected(key, reason, field) from None
    if data["kind"] != kind:
        raise ConfigRejected(key, f"kind {data['kind']!r} does not match key {key!r}", "kind")
    if "enabled" in data and kind != "rule":
        raise ConfigRejected(key, "only rule records may set 'enabled'", "enabled")
    spec: dict[str, Any] = data["spec"]
    if kind == "rule":
        rule = validate_model(key, Rule, spec)
        if rule.id != name:
            raise ConfigRejected(
                key, f"id {spec['id']!r} differs from the key's {name!r}", "spec.id"
            )
    elif kind == "detector":
        merged = DETECTORS[name]().model_dump() | spec
        validate_model(key, DETECTORS[name], merged)
    return ConfigItem(key=key, kind=kind, name=name, spec=spec, record=data)


def encode_item(kind: str, spec: Mapping[str, Any], **envelope: Any) -> dict[str, Any]:
    """The envelope for ``spec``: what ``config publish`` writes."""
    record: dict[str, Any] = {"schema_version": 1, "kind": kind, "spec": dict(spec)}
    record.update({k: v for k, v in envelope.items() if v is not None})
    return record
