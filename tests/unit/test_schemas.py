"""Contract tests: every example in schemas/examples passes or fails as stated.

The compiled validator used at run time (fastjsonschema) is cross-checked against the
reference implementation (jsonschema, draft 2020-12) so the two never disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from referencing import Registry, Resource

from distillguard.models import schemas
from distillguard.models.codec import decode_event, validate_decision
from distillguard.models.errors import DecodeError

EXAMPLES = schemas.schema_dir() / "examples"
NAMES = [schemas.API_EVENT_V1, schemas.DECISION_V1, schemas.DEADLETTER_V1]


def _reference_validator(name: str) -> jsonschema.Draft202012Validator:
    registry: Registry[Any] = Registry()
    for path in schemas.schema_dir().glob("*.schema.json"):
        resource = Resource.from_contents(orjson.loads(path.read_bytes()))
        registry = registry.with_resource(path.name, resource)
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _examples(name: str, kind: str) -> list[Path]:
    return sorted(p for p in (EXAMPLES / name / kind).glob("*.json") if p.name != "expected.json")


def _expected(name: str) -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = orjson.loads(
        (EXAMPLES / name / "invalid" / "expected.json").read_bytes()
    )
    return loaded


@pytest.mark.parametrize("name", NAMES)
def test_every_invalid_example_states_its_reason(name: str) -> None:
    files = {p.name for p in _examples(name, "invalid")}
    assert files and files == set(_expected(name))
    assert _examples(name, "valid")


@pytest.mark.parametrize("name", NAMES)
def test_valid_examples_pass_both_validators(name: str) -> None:
    reference = _reference_validator(name)
    compiled = schemas.validator(name)
    for path in _examples(name, "valid"):
        record = orjson.loads(path.read_bytes())
        reference.validate(record)
        compiled(record)


@pytest.mark.parametrize("name", NAMES)
def test_invalid_examples_fail_both_validators(name: str) -> None:
    reference = _reference_validator(name)
    compiled = schemas.validator(name)
    for path in _examples(name, "invalid"):
        record = orjson.loads(path.read_bytes())
        assert not reference.is_valid(record), f"{path.name} passes the reference validator"
        with pytest.raises(Exception, match=".") as info:
            compiled(record)
        assert "JsonSchema" in type(info.value).__name__


def test_invalid_events_fail_for_the_stated_reason() -> None:
    for path in _examples(schemas.API_EVENT_V1, "invalid"):
        want = _expected(schemas.API_EVENT_V1)[path.name]
        with pytest.raises(DecodeError) as info:
            decode_event(path.read_bytes())
        assert (info.value.reason, info.value.field) == (want["reason"], want["field"]), path.name


def test_valid_events_decode_unchanged() -> None:
    for path in _examples(schemas.API_EVENT_V1, "valid"):
        assert decode_event(path.read_bytes()) == orjson.loads(path.read_bytes())


def test_invalid_decisions_name_the_field() -> None:
    for path in _examples(schemas.DECISION_V1, "invalid"):
        want = _expected(schemas.DECISION_V1)[path.name]["field"]
        with pytest.raises(DecodeError) as info:
            validate_decision(orjson.loads(path.read_bytes()))
        if want is not None:
            assert info.value.field is not None and info.value.field.startswith(want), path.name


def test_decision_record_lines_accept_decisions_and_tombstones() -> None:
    reference = _reference_validator(schemas.DECISION_RECORD_V1)
    compiled = schemas.validator(schemas.DECISION_RECORD_V1)
    decision = orjson.loads(
        (EXAMPLES / schemas.DECISION_V1 / "valid" / "account-throttle.json").read_bytes()
    )
    for line in (
        {"key": "account:acct_0001", "value": decision, "ts": decision["issued_at"]},
        {"key": "account:acct_0001", "value": None, "ts": decision["issued_at"] + 60},
    ):
        reference.validate(line)
        compiled(line)
    assert not reference.is_valid({"key": "user:x", "value": None, "ts": 1})
