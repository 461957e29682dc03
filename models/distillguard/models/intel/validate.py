"""Admission of a partner bundle: every check that can fail runs before anything is used.

Order: size (before parsing), JSON, bundle shape and object count, ``spec_version`` 2.1 on
every object, a TLP marking on every object, full parsing with ``stix2``, and the detached
signature when one is required or present. The first failure raises
:class:`BundleRejected` with a one-line reason.

>>> load_bundle(b'{"type": "bundle", "id": "x"}', Limits())
Traceback (most recent call last):
...
distillguard.models.intel.errors.BundleRejected: bundle has no objects list
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson
import stix2
from stix2.exceptions import STIXError

from distillguard.models.intel.errors import BundleRejected
from distillguard.models.intel.signing import verify
from distillguard.models.intel.tlp import LEVELS, MARKING_LEVEL, rank

DEFAULT_MAX_BYTES: Final = 16 * 1024 * 1024
DEFAULT_MAX_OBJECTS: Final = 50_000


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_objects: int = DEFAULT_MAX_OBJECTS


@dataclass(frozen=True, slots=True)
class Admitted:
    """A bundle that passed: its JSON, who sent it (and whether a signature proves it)."""

    document: dict[str, Any]
    partner: str
    verified: bool
    tlp: str


def _producer(objects: list[dict[str, Any]]) -> str:
    identities = {o["id"]: o.get("name") for o in objects if o.get("type") == "identity"}
    creators = {o.get("created_by_ref") for o in objects if o.get("created_by_ref")}
    names = sorted({str(identities.get(c) or c) for c in creators})
    return names[0] if len(names) == 1 else ("unknown" if not names else ",".join(names))


def load_bundle(
    raw: bytes,
    limits: Limits,
    signature: Any = None,
    keys: Mapping[str, bytes] | None = None,
    require_signature: bool = False,
) -> Admitted:
    """Validate raw bundle bytes; return what was admitted or raise :class:`BundleRejected`."""
    if len(raw) > limits.max_bytes:
        raise BundleRejected(f"bundle is {len(raw)} bytes, over the limit of {limits.max_bytes}")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BundleRejected(f"bundle is not JSON: {exc}".splitlines()[0]) from None
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        raise BundleRejected("not a STIX bundle (type must be 'bundle')")
    objects = doc.get("objects")
    if not isinstance(objects, list):
        raise BundleRejected("bundle has no objects list")
    if len(objects) > limits.max_objects:
        raise BundleRejected(
            f"bundle has {len(objects)} objects, over the limit of {limits.max_objects}"
        )
    level = -1
    for i, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise BundleRejected(f"object {i} is not a JSON object")
        if obj.get("spec_version") != "2.1":
            raise BundleRejected(f"object {i} ({obj.get('id')}) is not spec_version 2.1")
        confidence = obj.get("confidence", 0)
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int)
            or not (0 <= confidence <= 100)
        ):
            raise BundleRejected(f"object {i} ({obj.get('id')}) has confidence outside 0-100")
        if obj.get("type") == "marking-definition":
            continue
        marks = [m for m in obj.get("object_marking_refs") or () if m in MARKING_LEVEL]
        if not marks:
            raise BundleRejected(f"object {i} ({obj.get('id')}) carries no TLP marking")
        level = max(level, *(rank(MARKING_LEVEL[m]) for m in marks))
    try:
        stix2.parse(doc, allow_custom=True)
    except (STIXError, ValueError, TypeError, KeyError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BundleRejected(f"not valid STIX 2.1: {reason}") from None
    partner, verified = _producer(objects), False
    if signature is not None:
        partner, verified = verify(doc, signature, keys or {}), True
    elif require_signature:
        raise BundleRejected("bundle is not signed and a signature is required")
    return Admitted(doc, partner, verified, LEVELS[level] if level >= 0 else "clear")
