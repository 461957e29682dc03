"""Contract tests for the control topics' schemas: every example passes or fails as stated,
for the run-time validator and the reference one, and the decoders agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import orjson
import pytest

from distillguard.models import schemas
from distillguard.models.control import decode_config_record, decode_label
from distillguard.models.errors import ConfigRejected

EXAMPLES = schemas.schema_dir() / "examples"
NAMES = ["config-record.v1", "config-status.v1", "label.v1"]
KEYS = {
    "policy": "policy",
    "shadow": "shadow",
    "rule": "rule:cot-burst",
    "allow": "allow:ci",
    "detector": "detector:anomaly",
}


def _examples(name: str, kind: str) -> list[Path]:
    return sorted(p for p in (EXAMPLES / name / kind).glob("*.json") if p.name != "expected.json")


def _expected(name: str) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = orjson.loads(
        (EXAMPLES / name / "invalid" / "expected.json").read_bytes()
    )
    return data


def _reference(name: str) -> jsonschema.Draft202012Validator:
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", NAMES)
def test_every_invalid_example_states_its_field(name: str) -> None:
    assert {p.name for p in _examples(name, "invalid")} == set(_expected(name))
    assert _examples(name, "valid")


@pytest.mark.parametrize("name", NAMES)
def test_valid_examples_pass_both_validators(name: str) -> None:
    reference, compiled = _reference(name), schemas.validator(name)
    for path in _examples(name, "valid"):
        record = orjson.loads(path.read_bytes())
        reference.validate(record)
        compiled(record)


@pytest.mark.parametrize("name", NAMES)
def test_invalid_examples_fail_both_validators_at_the_stated_field(name: str) -> None:
    reference, compiled = _reference(name), schemas.validator(name)
    for path in _examples(name, "invalid"):
        record = orjson.loads(path.read_bytes())
        assert not reference.is_valid(record), path.name
        with pytest.raises(fastjsonschema.JsonSchemaValueException) as info:
            compiled(record)
        want = _expected(name)[path.name]["field"]
        if want is not None:
            got = (info.value.name or "").removeprefix("data").lstrip(".")
            assert got == want, path.name


def test_config_record_examples_decode_as_stated() -> None:
    for path in _examples("config-record.v1", "valid"):
        record = orjson.loads(path.read_bytes())
        item = decode_config_record(KEYS[record["kind"]], path.read_bytes())
        assert item is not None and item.spec == record["spec"]
    for path in _examples("config-record.v1", "invalid"):
        record = orjson.loads(path.read_bytes())
        key = KEYS.get(record.get("kind"), "policy")
        with pytest.raises(ConfigRejected) as info:
            decode_config_record(key, path.read_bytes())
        want = _expected("config-record.v1")[path.name]["field"]
        if want is not None:
            assert info.value.field == want, path.name


def test_label_examples_decode_as_stated() -> None:
    for path in _examples("label.v1", "valid"):
        label = decode_label(path.read_bytes())
        assert label.account_id == "acct_0042"
    for path in _examples("label.v1", "invalid"):
        with pytest.raises(ConfigRejected):
            decode_label(path.read_bytes())
