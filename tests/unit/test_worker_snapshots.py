"""Reading the model snapshot topic waits out a partition that has no leader yet."""

from __future__ import annotations

from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from distillguard.streams.worker.snapshots import _watermarks


class _Consumer:
    def __init__(self, failures: list[int]) -> None:
        self.failures = failures
        self.calls = 0

    def get_watermark_offsets(self, tp: TopicPartition, timeout: float) -> tuple[int, int]:
        self.calls += 1
        if self.failures:
            raise KafkaException(KafkaError(self.failures.pop(0)))
        return 3, 9


def test_a_partition_without_a_leader_yet_is_waited_for() -> None:
    consumer: Any = _Consumer(
        [KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE]
    )
    assert _watermarks(consumer, TopicPartition("t", 0)) == (3, 9)
    assert consumer.calls == 3


def test_other_errors_are_raised_at_once() -> None:
    consumer: Any = _Consumer([KafkaError.TOPIC_AUTHORIZATION_FAILED])
    with pytest.raises(KafkaException):
        _watermarks(consumer, TopicPartition("t", 0))
    assert consumer.calls == 1


def test_the_wait_is_bounded() -> None:
    consumer: Any = _Consumer([KafkaError.NOT_LEADER_FOR_PARTITION] * 1000)
    with pytest.raises(KafkaException):
        _watermarks(consumer, TopicPartition("t", 0), wait=0.3)
