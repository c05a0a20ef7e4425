"""Byte-order functions of ``io`` (§3.2).

``htons``/``ntohs`` are python-nss's. ``htonl``/``ntohl`` are unsigned, as the
stdlib's ``socket.htonl`` (docs/differences.md); python-nss returns signed values
and rejects inputs >= 2**31, so those cases are marked as differences.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

SHORT_FUNCS = ["htons", "ntohs"]
LONG_FUNCS = ["htonl", "ntohl"]


# --- htons / ntohs ---------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        (0, 0),
        (1, 256),
        (True, 256),
        (0x1234, 13330),
        (0xFF, 0xFF00),
        (0xFF00, 0xFF),
        (128, 32768),
        (65535, 65535),
        (0x10000, 0),
        (0x12345, 17699),
        (-1, 65535),
        (-2, 65279),
        (-(2**31), 0),
        (2**31 - 1, 65535),
        (0x12345678, 30806),
    ],
)
@pytest.mark.parametrize("name", SHORT_FUNCS)
def test_short_swap_of_low_16_bits(
    io: Any, name: str, value: int, expected: int
) -> None:
    result = getattr(io, name)(value)
    assert type(result) is int
    assert result == expected


@pytest.mark.parametrize("value", [2**31, 2**32, -(2**31) - 1, 2**63])
@pytest.mark.parametrize("name", SHORT_FUNCS)
def test_short_swap_outside_c_int_overflows(io: Any, name: str, value: int) -> None:
    with pytest.raises(OverflowError):
        getattr(io, name)(value)


@pytest.mark.parametrize("bad", [1.0, "1", None, b"\x01"])
@pytest.mark.parametrize("name", SHORT_FUNCS + LONG_FUNCS)
def test_byte_order_rejects_non_int(io: Any, name: str, bad: object) -> None:
    with pytest.raises(TypeError):
        getattr(io, name)(bad)


@pytest.mark.parametrize("name", SHORT_FUNCS + LONG_FUNCS)
def test_byte_order_requires_an_argument(io: Any, name: str) -> None:
    with pytest.raises(TypeError):
        getattr(io, name)()


def test_htons_and_ntohs_agree(io: Any) -> None:
    for value in (0, 1, 0x1234, 0xABCD, 65535, 70000, -5):
        assert io.htons(value) == io.ntohs(value)


def test_ntohs_inverts_htons(io: Any) -> None:
    for value in (0, 1, 0x1234, 0xABCD, 65535):
        assert io.ntohs(io.htons(value)) == value


def test_htons_matches_stdlib_in_16_bit_range(io: Any) -> None:
    for value in (0, 1, 80, 443, 0x1234, 65535):
        assert io.htons(value) == socket.htons(value)


# --- htonl / ntohl: identical on both ---------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        (0, 0),
        (1, 16777216),
        (True, 16777216),
        (0x1234, 873594880),
        (0x10000, 256),
        (0x12345, 1159921920),
        (0x12345678, 2018915346),
        (0x7F, 0x7F000000),
        (0x01000000, 1),
    ],
)
@pytest.mark.parametrize("name", LONG_FUNCS)
def test_long_swap_without_high_bit(
    io: Any, name: str, value: int, expected: int
) -> None:
    result = getattr(io, name)(value)
    assert type(result) is int
    assert result == expected


@pytest.mark.parametrize("value", [2**32, 2**32 + 1, 2**63, -(2**31) - 1, -(2**63)])
@pytest.mark.parametrize("name", LONG_FUNCS)
def test_long_swap_far_out_of_range_overflows(io: Any, name: str, value: int) -> None:
    with pytest.raises(OverflowError):
        getattr(io, name)(value)


def test_ntohl_inverts_htonl_for_small_values(io: Any) -> None:
    for value in (0, 1, 0x1234, 0x12345678, 0x7F):
        assert io.ntohl(io.htonl(value)) == value


# --- htonl / ntohl: unsigned (difference) ----------------------------------


@pytest.mark.difference("htonl/ntohl are unsigned like socket.htonl")
@pytest.mark.parametrize(
    "value,expected",
    [
        (128, 2147483648),
        (255, 4278190080),
        (2**31 - 1, 4294967167),
        (0x80, 0x80000000),
        (0x12345680, 0x80563412),
    ],
)
@pytest.mark.parametrize("name", LONG_FUNCS)
def test_long_swap_result_is_unsigned(
    io: Any, name: str, value: int, expected: int
) -> None:
    assert getattr(io, name)(value) == expected


@pytest.mark.difference("htonl/ntohl accept the full unsigned 32-bit range")
@pytest.mark.parametrize(
    "value,expected",
    [
        (2**31, 128),
        (2**32 - 1, 2**32 - 1),
        (0x80000001, 0x01000080),
        (0xFF000000, 0xFF),
        (0x87654321, 0x21436587),
    ],
)
@pytest.mark.parametrize("name", LONG_FUNCS)
def test_long_swap_accepts_values_from_2_31(
    io: Any, name: str, value: int, expected: int
) -> None:
    assert getattr(io, name)(value) == expected


@pytest.mark.difference("htonl/ntohl reject negative values like socket.htonl")
@pytest.mark.parametrize("value", [-1, -(2**31)])
@pytest.mark.parametrize("name", LONG_FUNCS)
def test_long_swap_rejects_negative(io: Any, name: str, value: int) -> None:
    with pytest.raises(OverflowError):
        getattr(io, name)(value)


@pytest.mark.difference("htonl is unsigned like socket.htonl")
def test_htonl_matches_stdlib_over_unsigned_range(io: Any) -> None:
    for value in (0, 1, 128, 255, 0x12345678, 0x80000000, 0xDEADBEEF, 2**32 - 1):
        assert io.htonl(value) == socket.htonl(value)
        assert io.ntohl(value) == socket.ntohl(value)


@pytest.mark.difference("htonl/ntohl are unsigned, so they round-trip every value")
def test_ntohl_inverts_htonl_over_unsigned_range(io: Any) -> None:
    for value in (128, 0x80000000, 0xDEADBEEF, 2**32 - 1):
        assert io.ntohl(io.htonl(value)) == value
