"""Keyed pseudonyms: how identifiers cross the lab boundary without being disclosed.

Every account-level identifier (account, API key, organisation, payment fingerprint) is
shared only as ``HMAC-SHA256(consortium_key, "<kind>:<value>")``. Partners holding the same
key and the same identifier compute the same pseudonym and can match it; a partner who does
not hold the identifier learns nothing from it (a keyed hash cannot be brute-forced from a
dictionary of guesses without the key). The kind is part of the message so an account id
never matches an API key that happens to spell the same.

>>> key = ConsortiumKey(b"k" * 32)
>>> key.pseudonym("account", "acct_1") == key.pseudonym("account", "acct_1")
True
>>> key.pseudonym("account", "acct_1") == key.pseudonym("api_key", "acct_1")
False
>>> len(key.pseudonym("account", "acct_1"))
64
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from distillguard.models.errors import UsageError

ENV_VAR: Final = "DISTILLGUARD_CONSORTIUM_KEY"
#: Shorter keys make the pseudonyms guessable by whoever learns a few pairs.
MIN_KEY_BYTES: Final = 16


@dataclass(frozen=True)
class ConsortiumKey:
    """The secret shared by the labs of one consortium; never serialised."""

    secret: bytes = field(repr=False)
    _cache: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_BYTES:
            raise UsageError(f"consortium key too short: at least {MIN_KEY_BYTES} bytes needed")

    def pseudonym(self, kind: str, value: str) -> str:
        """The keyed hash (64 hex) of one identifier of one kind."""
        memo = (kind, value)
        found = self._cache.get(memo)
        if found is None:
            message = f"{kind}:{value}".encode()
            found = hmac.new(self.secret, message, hashlib.sha256).hexdigest()
            if len(self._cache) < 1_000_000:
                self._cache[memo] = found
        return found


def load_key(path: Path | None, environ: dict[str, str] | None = None) -> ConsortiumKey:
    """The key from ``path`` (raw bytes, surrounding whitespace stripped) or the env var."""
    env = os.environ if environ is None else environ
    if path is not None:
        try:
            secret = path.read_bytes().strip()
        except OSError as exc:
            raise UsageError(f"consortium key file {path}: cannot read: {exc.strerror}") from None
        if not secret:
            raise UsageError(f"consortium key file {path} is empty")
        return ConsortiumKey(secret)
    text = env.get(ENV_VAR, "").strip()
    if not text:
        raise UsageError(f"no consortium key: pass --consortium-key-file or set {ENV_VAR}")
    return ConsortiumKey(text.encode())
