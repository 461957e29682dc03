"""Partner feedback: tell the lab that shared an indicator it misfired here.

Modelled on MISP's sighting types (seen, false-positive, expiration, true-positive) but
expressed in STIX: a false positive is an ``opinion`` of ``strongly-disagree`` (retire) or
``disagree`` (lower confidence) on the partner's indicator ids; a confirmation is
``agree``. The partner imports the feedback bundle like any other
(:func:`~distillguard.models.intel.watch.merge` applies opinions to the watch rules it
holds; the lab that *issued* the indicator learns which of its indicators misfire).
"""

from __future__ import annotations

import stix2

from distillguard.models.intel.export import stix_id, ts
from distillguard.models.intel.tlp import marking

OPINIONS = ("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree")


def feedback_bundle(
    indicator_ids: list[str], opinion: str, producer: str, tlp: str, now: float, explanation: str
) -> stix2.v21.Bundle:
    """One opinion on the given indicators, by ``producer``, marked ``tlp``."""
    mark = marking(tlp)
    identity = stix2.v21.Identity(
        id=stix_id("identity", producer),
        created="2020-01-01T00:00:00.000Z",
        modified="2020-01-01T00:00:00.000Z",
        name=producer,
        identity_class="organization",
        object_marking_refs=[mark.id],
    )
    refs = sorted(set(indicator_ids))
    op = stix2.v21.Opinion(
        id=stix_id("opinion", producer, opinion, *refs),
        created=ts(now),
        modified=ts(now),
        created_by_ref=identity.id,
        object_marking_refs=[mark.id],
        opinion=opinion,
        explanation=explanation,
        object_refs=refs,
    )
    return stix2.v21.Bundle(id=stix_id("bundle", op.id), objects=[mark, identity, op])
