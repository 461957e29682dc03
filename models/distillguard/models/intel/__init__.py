"""Intelligence sharing between labs as STIX 2.1 bundles (pure: no Kafka, no I/O but files).

Export: :class:`~.harvest.Harvest` (events + own decisions) → :func:`~.export.export_bundle`.
Import: :func:`~.validate.load_bundle` → :func:`~.watch.merge` → :class:`~.match.IntelSource`.
Docs: ``docs/intel.md``.
"""

from __future__ import annotations
