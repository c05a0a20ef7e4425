"""Interval functions of ``io`` (§3.1): the exact NSPR formulas, with tps = 1000."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List

import pytest

M = 2**32
TPS = 1000

FORMULAS: Dict[str, Callable[[int], int]] = {
    "seconds_to_interval": lambda s: (s % M) * TPS % M,
    "milliseconds_to_interval": lambda ms: ((ms % M) * TPS + 500) // 1000 % M,
    "microseconds_to_interval": lambda us: ((us % M) * TPS + 500000) // 1000000 % M,
    "interval_to_seconds": lambda t: (t % M) // TPS,
    "interval_to_milliseconds": lambda t: ((t % M) * 1000 + TPS // 2) // TPS % M,
    "interval_to_microseconds": lambda t: ((t % M) * 1000000 + TPS // 2) // TPS % M,
}

EDGE_VALUES: List[int] = [
    0,
    1,
    499,
    500,
    999,
    1000,
    1500,
    1999,
    4294967,
    4294968,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**32 + 100,
    2**64 + 3,
    -1,
    -1000,
    -(2**31),
    -(2**63),
]

CONVERSIONS = sorted(FORMULAS)


def _mono_ms() -> int:
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1000) % M


# --- ticks_per_second / interval_now ---------------------------------------


def test_ticks_per_second_is_1000(io: Any) -> None:
    tps = io.ticks_per_second()
    assert type(tps) is int
    assert tps == 1000


def test_ticks_per_second_takes_no_arguments(io: Any) -> None:
    with pytest.raises(TypeError):
        io.ticks_per_second(1)


def test_interval_now_is_an_unsigned_32_bit_int(io: Any) -> None:
    now = io.interval_now()
    assert type(now) is int
    assert 0 <= now < M


def test_interval_now_takes_no_arguments(io: Any) -> None:
    with pytest.raises(TypeError):
        io.interval_now(1)


def test_interval_now_advances_monotonically(io: Any) -> None:
    first = io.interval_now()
    time.sleep(0.05)
    second = io.interval_now()
    elapsed = (second - first) % M
    assert 40 <= elapsed < 2000


def test_interval_now_follows_clock_monotonic_in_ms(io: Any) -> None:
    before = _mono_ms()
    now = io.interval_now()
    after = _mono_ms()
    # now lies in [before, after] modulo 2**32, allowing a few ms of rounding.
    assert (now - before + 5) % M <= (after - before) % M + 10


# --- conversions: exact formulas ---------------------------------------------


@pytest.mark.parametrize("value", EDGE_VALUES)
@pytest.mark.parametrize("name", CONVERSIONS)
def test_conversion_follows_nspr_formula(io: Any, name: str, value: int) -> None:
    result = getattr(io, name)(value)
    assert type(result) is int
    assert 0 <= result < M
    assert result == FORMULAS[name](value)


@pytest.mark.parametrize(
    "value,expected",
    [
        (0, 0),
        (1, 1000),
        (4294967, 4294967000),
        (4294968, 704),
        (-1, 4294966296),
        (2**32, 0),
        (2**32 + 5, 5000),
    ],
)
def test_seconds_to_interval_wraps_at_32_bits(
    io: Any, value: int, expected: int
) -> None:
    assert io.seconds_to_interval(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [(0, 0), (1, 1), (1500, 1500), (-1, 4294967295), (2**32, 0), (2**32 + 100, 100)],
)
def test_milliseconds_to_interval_is_identity_mod_2_32(
    io: Any, value: int, expected: int
) -> None:
    assert io.milliseconds_to_interval(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        (1, 0),
        (499, 0),
        (500, 1),
        (999, 1),
        (1500, 2),
        (1999, 2),
        (4294967295, 4294967),
        (-1, 4294967),
    ],
)
def test_microseconds_to_interval_rounds_half_up(
    io: Any, value: int, expected: int
) -> None:
    assert io.microseconds_to_interval(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [(999, 0), (1000, 1), (1999, 1), (2000, 2), (-1, 4294967)],
)
def test_interval_to_seconds_truncates(io: Any, value: int, expected: int) -> None:
    assert io.interval_to_seconds(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [(0, 0), (1999, 1999), (-1, 4294967295), (2**32 + 7, 7)],
)
def test_interval_to_milliseconds_is_identity_mod_2_32(
    io: Any, value: int, expected: int
) -> None:
    assert io.interval_to_milliseconds(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [(1, 1000), (4294967, 4294967000), (4294968, 704), (-1, 4294966296)],
)
def test_interval_to_microseconds_wraps_at_32_bits(
    io: Any, value: int, expected: int
) -> None:
    assert io.interval_to_microseconds(value) == expected


@pytest.mark.parametrize("name", CONVERSIONS)
def test_conversion_accepts_bool(io: Any, name: str) -> None:
    fn = getattr(io, name)
    assert fn(True) == fn(1)
    assert fn(False) == fn(0)


def test_seconds_to_interval_of_true_is_1000(io: Any) -> None:
    assert io.seconds_to_interval(True) == 1000


@pytest.mark.parametrize("bad", [1.5, 1.0, "1", None, b"1"])
@pytest.mark.parametrize("name", CONVERSIONS)
def test_conversion_rejects_non_int_with_type_error(
    io: Any, name: str, bad: object
) -> None:
    with pytest.raises(TypeError):
        getattr(io, name)(bad)


@pytest.mark.parametrize("name", CONVERSIONS)
def test_conversion_requires_an_argument(io: Any, name: str) -> None:
    with pytest.raises(TypeError):
        getattr(io, name)()


def test_no_timeout_converts_back_to_itself(io: Any) -> None:
    assert io.interval_to_milliseconds(io.PR_INTERVAL_NO_TIMEOUT) == 2**32 - 1
    assert io.milliseconds_to_interval(-1) == io.PR_INTERVAL_NO_TIMEOUT


def test_round_trip_seconds(io: Any) -> None:
    for seconds in (0, 1, 5, 60, 3600, 4294967):
        assert io.interval_to_seconds(io.seconds_to_interval(seconds)) == seconds
