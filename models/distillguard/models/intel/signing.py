"""Detached signatures of origin: HMAC-SHA256 over the bundle's canonical JSON.

Each pair of partner labs agrees on a secret (distinct from the consortium key, which every
member holds). The exporting lab writes ``BUNDLE.json.sig``::

    {"alg": "hmac-sha256", "key_id": "lab-a", "signature": "<64 hex>"}

and the importing lab keeps a partner-keys file mapping ``key_id`` to the secret. The MAC
is over the *canonical* JSON of the bundle (keys sorted, no insignificant whitespace, UTF-8),
so re-indenting a bundle does not break its signature but changing any value does. HMAC
was chosen over Ed25519 to need no new dependency; its cost is that the verifier could also
forge the partner's signature, so a bundle re-shared onwards proves nothing to a third lab.

>>> keys = {"lab-a": b"s" * 32}
>>> sig = sign({"type": "bundle", "id": "b", "objects": []}, "lab-a", keys["lab-a"])
>>> verify({"objects": [], "id": "b", "type": "bundle"}, sig, keys)
'lab-a'
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import orjson
import yaml

from distillguard.models.errors import UsageError
from distillguard.models.intel.errors import BundleRejected

ALG: Final = "hmac-sha256"
MIN_SECRET: Final = 16


def canonical(document: Any) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def sign(document: Any, key_id: str, secret: bytes) -> dict[str, str]:
    mac = hmac.new(secret, canonical(document), hashlib.sha256).hexdigest()
    return {"alg": ALG, "key_id": key_id, "signature": mac}


def verify(document: Any, signature: Any, keys: Mapping[str, bytes]) -> str:
    """The partner whose key made ``signature``; raises :class:`BundleRejected` otherwise."""
    if not isinstance(signature, Mapping) or signature.get("alg") != ALG:
        raise BundleRejected(f"signature is not an {ALG} signature object")
    key_id, mac = signature.get("key_id"), signature.get("signature")
    if not isinstance(key_id, str) or not isinstance(mac, str):
        raise BundleRejected("signature lacks key_id or signature")
    secret = keys.get(key_id)
    if secret is None:
        raise BundleRejected(f"signature by unknown partner {key_id!r}")
    expected = hmac.new(secret, canonical(document), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        raise BundleRejected(f"signature of partner {key_id!r} does not match the bundle")
    return key_id


def load_partner_keys(path: Path) -> dict[str, bytes]:
    """A YAML/JSON mapping ``key_id: secret``; secrets at least 16 bytes."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"partner keys file {path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError:
        raise UsageError(f"partner keys file {path}: not YAML/JSON") from None
    if not isinstance(data, dict) or not data:
        raise UsageError(f"partner keys file {path}: expected a mapping key_id: secret")
    keys: dict[str, bytes] = {}
    for name, secret in data.items():
        if not isinstance(secret, str) or len(secret.encode()) < MIN_SECRET:
            raise UsageError(f"partner keys file {path}: key {name!r} shorter than {MIN_SECRET}")
        keys[str(name)] = secret.encode()
    return keys
