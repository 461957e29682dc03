"""Small parts of the enforcer: the rate limiter, freshness, the command line."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError

from distillguard.cli import main
from distillguard.models.errors import UsageError
from distillguard.streams.commands.enforcer import parse_listen
from distillguard.streams.enforcer import RateLimiter
from distillguard.streams.enforcer.cache import DecisionCache
from distillguard.streams.enforcer.feed import DecisionFeed
from distillguard.streams.enforcer.freshness import Freshness


def test_limiter_admits_rpm_per_minute_with_a_one_second_burst() -> None:
    limiter = RateLimiter()
    assert [limiter.admit("d", rpm=120, now=0.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert limiter.admit("d", rpm=120, now=0.5) == 0.0
    assert limiter.admit("d", rpm=120, now=0.5) == 0.5
    admitted = sum(limiter.admit("d", rpm=120, now=1 + t / 100) == 0 for t in range(6000))
    assert admitted == 120  # 60 s at 2 per second


def test_limiter_keys_are_independent_and_zero_rate_admits_nothing() -> None:
    limiter = RateLimiter()
    assert limiter.admit("a", rpm=1, now=0) == 0
    assert limiter.admit("a", rpm=1, now=1) == pytest.approx(59)
    assert limiter.admit("b", rpm=1, now=1) == 0
    assert limiter.admit("c", rpm=0, now=0) > 0
    assert limiter.admit("c", rpm=None, now=0) > 0


def test_freshness_needs_a_first_read_and_goes_stale() -> None:
    now = [0.0]
    fresh = Freshness(5, clock=lambda: now[0])
    assert fresh.stale() and fresh.age() is None
    fresh.mark()
    now[0] = 5.0
    assert not fresh.stale()
    now[0] = 5.01
    assert fresh.stale()
    with pytest.raises(ValueError):
        Freshness(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("[::1]:9", ("::1", 9)),
        ("localhost:1", ("localhost", 1)),
    ],
)
def test_parse_listen(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["8080", ":8080", "host:", "host:http", "host:0", "host:70000"])
def test_parse_listen_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="HOST:PORT"):
        parse_listen(text)


def test_cli_bad_listen_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["enforcer", "--listen", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("distillguard: error: --listen 'nowhere'") and err.count("\n") == 1


def test_cli_rejects_non_positive_stale_after(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["enforcer", "--stale-after", "0"]) == 2
    assert "--stale-after" in capsys.readouterr().err


class _Eof:
    """What confluent-kafka hands over when a fetch reached a partition's end."""

    def __init__(self, partition: int, end: int) -> None:
        self._partition, self._end = partition, end

    def error(self) -> KafkaError:
        return KafkaError(KafkaError._PARTITION_EOF)

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._end


def test_the_feed_is_caught_up_only_at_the_end_it_noted_at_start() -> None:
    feed = DecisionFeed("127.0.0.1:1", "decisions", DecisionCache(), Freshness(stale_after=30))
    feed._pending = {0: 500, 1: 40}
    feed._apply([_Eof(0, 300), _Eof(1, 40)])  # an end short of partition 0's noted watermark
    assert feed._pending == {0: 500}
    feed._apply([_Eof(0, 500)])
    assert feed._pending == {}
