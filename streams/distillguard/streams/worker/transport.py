"""A Faust transport whose consumer reads only committed records.

The ingest stage writes slices in Kafka transactions; a consumer that read uncommitted
records would see (and double-count) slices of an aborted transaction that is then retried.
Faust switches its aiokafka consumer to ``read_committed`` only when the whole app runs with
``processing_guarantee="exactly_once"``; this keeps Faust's own at-least-once processing and
changes nothing but the isolation level of the consumer it creates.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver


class _ReadCommittedThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka reads this attribute when it creates its fetcher in start().
        consumer._isolation_level = "read_committed"
        return consumer


class _ReadCommittedConsumer(driver.Consumer):
    def _new_consumer_thread(self) -> _ReadCommittedThread:
        return _ReadCommittedThread(self, loop=self.loop, beacon=self.beacon)


class ReadCommittedTransport(driver.Transport):
    Consumer = _ReadCommittedConsumer


class App(faust.App):
    """A Faust app on :class:`ReadCommittedTransport`."""

    def _new_transport(self) -> ReadCommittedTransport:
        return ReadCommittedTransport(self.conf.broker_consumer, self)
