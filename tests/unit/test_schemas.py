"""Contract tests: every example in schemas/examples passes or fails as stated.

The compiled validator used at run time (fastjsonschema) is cross-checked against the
reference implementation (jsonschema, draft 2020-12) so the two never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from referencing import Registry, Resource

from distillguard.models import schemas
from distillguard.models.codec import decode_event, event_dict, validate_decision
from distillguard.models.errors import DecodeError
from tests.support import contract_view

EXAMPLES = schemas.schema_dir() / "examples"
NAMES = [schemas.API_EVENT_V1, schemas.DECISION_V1, schemas.DEADLETTER_V1]


#: fastjsonschema reads an unescaped ``$`` in a ``pattern`` as ``\Z`` (the very end), where
#: Python's ``re`` and so jsonschema also match before a final newline: "US\n" passes
#: jsonschema's ``^[A-Z]{2}$`` but not the validator the service runs.
_DOLLAR = re.compile(r"(?<!\\)\$")


def _pattern_to_the_end(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not re.search(
        _DOLLAR.sub(r"\\Z", pattern), instance
    ):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_ToTheEnd = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _pattern_to_the_end}
)


def reference_validator(name: str, *, dollar_is_end: bool = False) -> Any:
    """jsonschema (draft 2020-12, formats checked) for schema ``name``.

    ``dollar_is_end`` reads ``$`` in patterns as fastjsonschema does (the one place where
    the two differ on these schemas), for tests that compare the two verdict for verdict.
    """
    registry: Registry[Any] = Registry()
    for path in schemas.schema_dir().glob("*.schema.json"):
        resource = Resource.from_contents(orjson.loads(path.read_bytes()))
        registry = registry.with_resource(path.name, resource)
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    kind = _ToTheEnd if dollar_is_end else jsonschema.Draft202012Validator
    return kind(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_dollar_is_end_only_changes_what_a_final_newline_does() -> None:
    plain = reference_validator(schemas.API_EVENT_V1)
    strict = reference_validator(schemas.API_EVENT_V1, dollar_is_end=True)
    event = orjson.loads(_examples(schemas.API_EVENT_V1, "valid")[0].read_bytes())
    for country, plain_ok, strict_ok in (
        ("US", True, True),
        ("US\n", True, False),
        ("us", False, False),
    ):
        event["country"] = country
        assert (plain.is_valid(event), strict.is_valid(event)) == (plain_ok, strict_ok), country


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
    reference = reference_validator(name)
    compiled = schemas.validator(name)
    for path in _examples(name, "valid"):
        record = orjson.loads(path.read_bytes())
        reference.validate(record)
        compiled(record)


@pytest.mark.parametrize("name", NAMES)
def test_invalid_examples_fail_both_validators(name: str) -> None:
    reference = reference_validator(name)
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
        data = orjson.loads(path.read_bytes())
        assert event_dict(decode_event(path.read_bytes())) == contract_view(data), path.name


def test_invalid_decisions_name_the_field() -> None:
    for path in _examples(schemas.DECISION_V1, "invalid"):
        want = _expected(schemas.DECISION_V1)[path.name]["field"]
        with pytest.raises(DecodeError) as info:
            validate_decision(orjson.loads(path.read_bytes()))
        if want is not None:
            assert info.value.field is not None and info.value.field.startswith(want), path.name


def test_decision_record_lines_accept_decisions_and_tombstones() -> None:
    reference = reference_validator(schemas.DECISION_RECORD_V1)
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
