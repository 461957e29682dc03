"""Typed records from a JSON Schema, proven valid in one pass, derived at import time.

The compiled fastjsonschema validator stays the judge of what the contract accepts; it
costs ~9 µs per API event because it runs as generated Python. This module turns the
same schema into msgspec Structs, decoded from the raw bytes and type-checked in C in one
pass (~3 µs per API event, parsing included), and checks the string keywords msgspec
cannot express (``pattern``, ``format``, ``anyOf`` of them) on the decoded record with the
regular expressions fastjsonschema compiled for them, remembering strings that passed (an
account reuses a few IP addresses). The proof is one-sided by design:

- a record proves the input valid: every check is the schema's own keyword, at least as
  strict as fastjsonschema reads it (msgspec rejects a float with an integral value, such
  as ``200.0``, for an integer, which fastjsonschema accepts);
- ``None`` proves nothing; the caller asks the full validator, which accepts or builds
  the error, and :meth:`RecordType.build` makes the record of what it accepted. The
  accepted set and every error stay exactly fastjsonschema's.

Records have the schema's property names as attributes (a name that is no Python
identifier gets a stand-in, ``field<index>``) and ``None`` for absent optional ones;
unknown properties are not kept.

A schema keyword this module does not know makes :func:`compile_record_type` raise
:class:`UnsupportedSchemaError`, so a schema change can never be read loosely.

>>> kind = compile_record_type({"type": "object", "required": ["n"],
...     "properties": {"n": {"type": "integer", "minimum": 0},
...                    "tag": {"type": ["string", "null"], "pattern": "^[a-z]+$"}}})
>>> kind.decode(b'{"n": 1, "tag": "ok", "extra": [1]}')
Root(n=1, tag='ok')
>>> kind.decode(b'{"n": -1}'), kind.decode(b'{"n": 1, "tag": "A"}')
(None, None)
>>> kind.prove({"n": True}), kind.prove({"n": 1.0})  # no bool is an integer; 1.0: ask the judge
(None, None)
>>> kind.build({"n": 1.0})  # what the judge accepted
Root(n=1, tag=None)
"""

from __future__ import annotations

import functools
import keyword
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

import fastjsonschema
import msgspec

from distillguard.models.errors import DistillguardError

#: Keywords with no effect on validity.
_ANNOTATIONS: Final = frozenset(
    {"title", "description", "$comment", "examples", "deprecated", "readOnly", "writeOnly"}
)
#: Keywords on a leaf property that msgspec cannot express; they constrain strings only
#: and are checked with the regular expressions fastjsonschema compiled for them.
_RESIDUAL: Final = frozenset({"pattern", "format", "anyOf"})
_STRING: Final = frozenset({"minLength", "maxLength"})
_NUMBER: Final = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_OBJECT: Final = frozenset({"properties", "required"})
_BOUNDS: Final = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
}
#: Beyond this a float bound would compare inexactly with a large integer.
_EXACT_FLOAT: Final = 2**53
#: Strings remembered per checked property (IP addresses, templates, countries repeat).
MEMO_SIZE: Final = 4096

_Check = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class _Text:
    """String keywords on attribute ``attr``: ``matches`` decides; up to ``size`` strings
    that passed are remembered in ``passed`` (0: none)."""

    attr: str
    matches: Callable[[str], object]
    passed: set[str]
    size: int


_Residual = _Text | _Check


@dataclass(frozen=True, slots=True)
class _Shape:
    """How to build one object's Struct from a mapping without checks: per attribute,
    its JSON name and, for a nested object, that object's shape."""

    struct: type[msgspec.Struct]
    fields: tuple[tuple[str, str, _Shape | None], ...]


class UnsupportedSchemaError(DistillguardError):
    """The schema uses a keyword that :func:`compile_record_type` cannot prove."""


@dataclass(frozen=True)
class _Context:
    draft: str | None
    memo_size: int


class RecordType:
    """The records of one object schema (see the module docstring)."""

    def __init__(self, shape: _Shape, residual: _Check | None) -> None:
        self.struct: Final = shape.struct
        self._shape = shape
        self._decoder = msgspec.json.Decoder(shape.struct)
        self._residual = residual
        # ValidationError is a DecodeError; invalid UTF-8 raises UnicodeDecodeError
        self._invalid = (msgspec.DecodeError, UnicodeDecodeError)

    def decode(self, raw: bytes) -> Any | None:
        """The record of JSON ``raw`` when this proves it valid, else ``None``."""
        try:
            record = self._decoder.decode(raw)
        except self._invalid:
            return None
        residual = self._residual
        return record if residual is None or residual(record) else None

    def prove(self, data: Mapping[str, Any]) -> Any | None:
        """The record of parsed JSON ``data`` when this proves it valid, else ``None``."""
        try:
            record = msgspec.convert(data, self.struct)
        except msgspec.ValidationError:
            return None
        residual = self._residual
        return record if residual is None or residual(record) else None

    def build(self, data: Mapping[str, Any]) -> Any:
        """The record of ``data`` that the full validator accepted but this could not
        prove (an integral float for an integer): converted where msgspec can (``200.0``
        becomes ``200``), else taken value by value as parsed (``1e30`` stays a float)."""
        try:
            return msgspec.convert(data, self.struct, strict=False)
        except msgspec.ValidationError:
            return _build(self._shape, data)


def _build(shape: _Shape, data: Mapping[str, Any]) -> Any:
    kwargs = {}
    for attr, name, inner in shape.fields:
        if name in data:
            value = data[name]
            kwargs[attr] = _build(inner, value) if inner and isinstance(value, Mapping) else value
    return shape.struct(**kwargs)


def compile_record_type(schema: Mapping[str, Any], *, memo_size: int = MEMO_SIZE) -> RecordType:
    """The :class:`RecordType` of ``schema``, a draft 2020-12 object schema without
    ``$ref``; raises :class:`UnsupportedSchemaError` for anything else. Up to
    ``memo_size`` strings that passed a ``pattern`` or ``format`` are remembered per
    property (0: none)."""
    ctx = _Context(schema.get("$schema"), memo_size)
    root = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    if _types(root) != ["object"]:
        raise UnsupportedSchemaError("the root must be an object schema")
    residual: list[_Residual] = []
    try:
        shape = _object(root, (), residual, ctx)
        msgspec.json.Decoder(shape.struct)  # msgspec checks the types here, not at first use
    except (TypeError, ValueError) as exc:
        raise UnsupportedSchemaError(f"msgspec cannot express it: {exc}") from None
    return RecordType(shape, _all(residual) if residual else None)


def _all(checks: list[_Residual]) -> _Check:
    """One check of a record: its properties' string keywords in one loop (it runs for
    every record), then its nested objects' checks."""
    texts = tuple((c.attr, c.matches, c.passed, c.size) for c in checks if isinstance(c, _Text))
    nested = tuple(c for c in checks if not isinstance(c, _Text))

    def check(record: Any) -> bool:
        for attr, matches, passed, size in texts:
            value = getattr(record, attr)
            if not isinstance(value, str) or value in passed:
                continue
            if not matches(value):
                return False
            if size:
                if len(passed) >= size:
                    passed.clear()
                passed.add(value)
        for each in nested:
            if not each(record):
                return False
        return True

    return check


def _nested(attr: str, checks: list[_Residual]) -> _Check:
    inner = _all(checks)

    def nested(record: Any) -> bool:
        sub = getattr(record, attr)
        # msgspec proved it an object or null; null or absent leaves nothing to check
        return sub is None or inner(sub)

    return nested


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    if declared is None:
        return []
    return [declared] if isinstance(declared, str) else list(declared)


def _object(
    schema: Mapping[str, Any], path: tuple[str, ...], residual: list[_Residual], ctx: _Context
) -> _Shape:
    """A msgspec Struct for an object schema; checks msgspec cannot make go to ``residual``."""
    _only(schema, {"type"} | _OBJECT, path)
    required = set(schema.get("required", ()))
    properties: Mapping[str, Any] = schema.get("properties", {})
    if not required <= set(properties):
        raise UnsupportedSchemaError(f"{_where(path)}: a required field without properties")
    fields: list[tuple[str, Any, Any]] = []
    shapes: list[tuple[str, str, _Shape | None]] = []
    for index, (name, sub) in enumerate(properties.items()):
        if not isinstance(sub, Mapping):
            raise UnsupportedSchemaError(f"{_where((*path, name))}: a boolean schema")
        # JSON names that are no Python identifier get a stand-in attribute name
        plain = name.isidentifier() and not keyword.iskeyword(name) and name[0] != "_"
        attr = name if plain else f"field{index}"
        if not plain and attr in properties:
            raise UnsupportedSchemaError(f"{_where((*path, name))}: no attribute name")
        kind, inner = _property(sub, (*path, name), attr, residual, ctx)
        shapes.append((attr, name, inner))
        if name in required:
            fields.append((attr, kind, msgspec.field(name=name)))
        else:
            fields.append((attr, kind, msgspec.field(default=None, name=name)))
    label = "_".join(("Root", *path))
    # no cycle can be decoded from JSON: the collector need not track records
    struct = msgspec.defstruct(label, fields, kw_only=True, gc=False, omit_defaults=True)
    return _Shape(struct, tuple(shapes))


def _property(
    schema: Mapping[str, Any],
    path: tuple[str, ...],
    attr: str,
    residual: list[_Residual],
    ctx: _Context,
) -> tuple[Any, _Shape | None]:
    """The msgspec type of one property (and its shape when it is an object)."""
    types = _types(schema)
    if "object" in types:
        if not set(types) <= {"object", "null"}:
            raise UnsupportedSchemaError(f"{_where(path)}: an object or a scalar")
        inner: list[_Residual] = []
        nested = _object(schema, path, inner, ctx)
        if inner:
            residual.append(_nested(attr, inner))
        return (nested.struct | None if "null" in types else nested.struct), nested
    _only(schema, {"type", "enum"} | _STRING | _NUMBER | _RESIDUAL, path)
    if _RESIDUAL & set(schema):
        keywords = {k: v for k, v in schema.items() if k in _RESIDUAL}
        residual.append(_text_check(keywords, path, attr, ctx))
    if "enum" in schema:
        return _enum(schema, types, path), None
    if not types:
        if (_STRING | _NUMBER) & set(schema):
            raise UnsupportedSchemaError(f"{_where(path)}: bounds without a type")
        return Any, None
    return _union([_scalar(t, schema, path) for t in types]), None


def _scalar(kind: str, schema: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    if kind == "null":
        return None
    if kind == "boolean":
        return bool
    if kind == "string":
        meta = {
            "min_length": schema.get("minLength"),
            "max_length": schema.get("maxLength"),
        }
        return _annotated(str, meta)
    if kind in ("integer", "number"):
        base: type = int if kind == "integer" else float
        meta = {}
        for keyword_, option in _BOUNDS.items():
            if keyword_ not in schema:
                continue
            bound = schema[keyword_]
            if isinstance(bound, bool) or not isinstance(bound, int | float):
                raise UnsupportedSchemaError(f"{_where(path)}: {keyword_} is not a number")
            if base is int and not isinstance(bound, int):
                raise UnsupportedSchemaError(f"{_where(path)}: fractional integer bound")
            if base is float and abs(bound) > _EXACT_FLOAT:
                raise UnsupportedSchemaError(f"{_where(path)}: bound beyond 2**53")
            meta[option] = bound
        return _annotated(base, meta)
    raise UnsupportedSchemaError(f"{_where(path)}: type {kind!r}")


def _enum(schema: Mapping[str, Any], types: list[str], path: tuple[str, ...]) -> Any:
    values = list(schema["enum"])
    strings = [v for v in values if isinstance(v, str)]
    if len(strings) + values.count(None) != len(values) or not set(types) <= {"string", "null"}:
        raise UnsupportedSchemaError(f"{_where(path)}: enum of other than strings and null")
    if (_STRING | _NUMBER) & set(schema):
        raise UnsupportedSchemaError(f"{_where(path)}: enum with bounds")
    if types and "null" not in types and None in values:
        values.remove(None)
    if types and "string" not in types:
        strings = []
    kinds: list[Any] = [Literal[tuple(strings)]] if strings else []
    if None in values:
        kinds.append(None)
    return _union(kinds)


def _union(kinds: list[Any]) -> Any:
    if not kinds:
        raise UnsupportedSchemaError("no type accepts anything")
    if kinds == [None]:
        return None
    return functools.reduce(operator.or_, kinds)


def _annotated(base: type, meta: dict[str, Any]) -> Any:
    given = {k: v for k, v in meta.items() if v is not None}
    return Annotated[base, msgspec.Meta(**given)] if given else base


def _text_check(residual: dict[str, Any], path: tuple[str, ...], attr: str, ctx: _Context) -> _Text:
    """``residual`` (``pattern``/``format``/``anyOf``) on one property, remembering passed strings.

    The regular expressions are the very objects fastjsonschema compiled for this schema
    (``pattern`` with ``re.search``, ``format`` with ``re.match``, as its generated code
    calls them), so a string passes here exactly when it passes there. Non-strings pass:
    these keywords constrain strings only, and the type was proven by msgspec.
    """
    compiled = fastjsonschema.compile(
        {**residual, **({"$schema": ctx.draft} if ctx.draft else {})}, use_formats=True
    )
    regexes: Mapping[str, re.Pattern[str]] = getattr(compiled, "__globals__", {}).get(
        "REGEX_PATTERNS", {}
    )
    return _Text(attr, _matcher(residual, regexes, path), set(), max(0, ctx.memo_size))


def _matcher(
    schema: Mapping[str, Any], regexes: Mapping[str, re.Pattern[str]], path: tuple[str, ...]
) -> Callable[[str], object]:
    checks: list[Callable[[str], object]] = []
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "pattern" and value in regexes:
            checks.append(regexes[value].search)
        elif key == "format" and f"{value}_re_pattern" in regexes:
            checks.append(regexes[f"{value}_re_pattern"].match)
        elif key == "anyOf" and all(isinstance(b, Mapping) for b in value):
            checks.append(_any_of(tuple(_matcher(b, regexes, path) for b in value)))
        else:
            raise UnsupportedSchemaError(f"{_where(path)}: {key} {value!r}")
    if not checks:
        raise UnsupportedSchemaError(f"{_where(path)}: an empty branch")
    if len(checks) == 1:
        return checks[0]
    return lambda text: all(check(text) for check in checks)


def _any_of(branches: tuple[Callable[[str], object], ...]) -> Callable[[str], bool]:
    def any_of(text: str) -> bool:
        for branch in branches:
            if branch(text):
                return True
        return False

    return any_of


def _only(
    schema: Mapping[str, Any], allowed: set[str] | frozenset[str], path: tuple[str, ...]
) -> None:
    unknown = set(schema) - allowed - _ANNOTATIONS
    if unknown:
        raise UnsupportedSchemaError(f"{_where(path)}: keywords {sorted(unknown)}")


def _where(path: tuple[str, ...]) -> str:
    return ".".join(path) or "the root"
