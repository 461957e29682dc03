"""Read the evaluation inputs: ground truth, the optional scenario file, API events.

Truth and decisions are small and must be right, so a bad line stops the run with the
file and line number. Events are the same records the detectors read, so a bad event is
skipped and counted, just as the worker would dead-letter it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from distillguard.models.codec import Event, decode_event
from distillguard.models.errors import DecodeError, UsageError

#: The optional file beside the truth file that names the scenario and its time range.
SCENARIO_FILE = "scenario.json"


@dataclass(frozen=True, slots=True)
class TruthAccount:
    """What an account really is: its persona and, for attackers, its campaign."""

    account_id: str
    persona: str
    is_attack: bool
    campaign: str | None


@dataclass(frozen=True, slots=True)
class Scenario:
    """Name and time range of a simulated scenario (all optional)."""

    name: str | None
    start: float | None
    end: float | None


@dataclass(slots=True)
class EventStats:
    """How many event lines were read and why some were skipped."""

    lines: int = 0
    malformed: int = 0
    unknown_account: int = 0


def open_lines(path: Path, what: str) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, line)`` for the non-blank lines of ``path``."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise UsageError(f"{what} file not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{what} file is a directory: {path}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.strip()
            if stripped:
                yield number, stripped


def parse_object(path: Path, number: int, line: bytes) -> dict[str, Any]:
    """One JSON object per line, or a :class:`UsageError` naming the file and line."""
    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"{path}:{number}: not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise UsageError(f"{path}:{number}: expected a JSON object, got {type(parsed).__name__}")
    return parsed


def _truth_account(path: Path, number: int, row: dict[str, Any]) -> TruthAccount:
    where = f"{path}:{number}"
    account_id = row.get("account_id")
    if not isinstance(account_id, str) or not account_id:
        raise UsageError(f"{where}: 'account_id' must be a non-empty string")
    persona = row.get("persona")
    if not isinstance(persona, str) or not persona:
        raise UsageError(f"{where}: 'persona' must be a non-empty string")
    is_attack = row.get("is_attack")
    if not isinstance(is_attack, bool):
        raise UsageError(f"{where}: 'is_attack' must be true or false")
    campaign = row.get("campaign")
    if campaign is not None and not isinstance(campaign, str):
        raise UsageError(f"{where}: 'campaign' must be a string or null")
    return TruthAccount(account_id, persona, is_attack, campaign if is_attack else None)


def load_truth(path: Path) -> dict[str, TruthAccount]:
    """Accounts by id, in file order; a duplicate account is an error."""
    truth: dict[str, TruthAccount] = {}
    for number, line in open_lines(path, "truth"):
        account = _truth_account(path, number, parse_object(path, number, line))
        if account.account_id in truth:
            raise UsageError(f"{path}:{number}: account {account.account_id!r} listed twice")
        truth[account.account_id] = account
    if not truth:
        raise UsageError(f"{path}: no accounts")
    return truth


def _optional_number(path: Path, data: dict[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{path}: {name!r} must be a number (epoch seconds)")
    return float(value)


def load_scenario(truth_path: Path) -> Scenario | None:
    """The ``scenario.json`` beside the truth file, when there is one."""
    path = truth_path.parent / SCENARIO_FILE
    if not path.is_file():
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a JSON object")
    name = data.get("name")
    return Scenario(
        name=name if isinstance(name, str) else None,
        start=_optional_number(path, data, "start"),
        end=_optional_number(path, data, "end"),
    )


def iter_events(path: Path, stats: EventStats) -> Iterator[Event]:
    """Contract-valid events of ``path``; malformed lines are counted in ``stats``."""
    for _number, line in open_lines(path, "events"):
        stats.lines += 1
        try:
            yield decode_event(line)
        except DecodeError:
            stats.malformed += 1
