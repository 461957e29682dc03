"""Pure detection code for distillguard: no Kafka, no network, no clocks of its own.

Everything here runs the same way inside the streaming worker and in the offline
``distillguard replay`` backtest, and is unit-testable without a broker.
"""

from __future__ import annotations

DETECTOR_VERSION = "0.1.0"
