"""The persona registry: every kind of account the simulator can generate, by name."""

from __future__ import annotations

from typing import Any, Final

from distillguard.models.sim.personas.attack import ATTACKS
from distillguard.models.sim.personas.base import Persona, PersonaParams
from distillguard.models.sim.personas.legit import LEGIT

PERSONAS: Final[dict[str, Persona[Any]]] = {p.name: p for p in LEGIT + ATTACKS}

__all__ = ["PERSONAS", "Persona", "PersonaParams"]
