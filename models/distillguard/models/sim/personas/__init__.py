"""The persona registry: every kind of account the simulator can generate, by name.

Legitimate personas (``services``, ``developers``) each trip single detection signals on
purpose; attack personas (``solo``, ``fleets``) follow the public reports. See
docs/simulator.md for what each one looks like and which signals it trips.
"""

from __future__ import annotations

from typing import Any, Final

from distillguard.models.sim.personas import developers, fleets, services, solo
from distillguard.models.sim.personas.base import Persona, PersonaParams

PERSONAS: Final[dict[str, Persona[Any]]] = {
    p.name: p for module in (services, developers, solo, fleets) for p in module.PERSONAS
}

__all__ = ["PERSONAS", "Persona", "PersonaParams"]
