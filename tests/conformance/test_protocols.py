"""``addr_family_name``, ``get_proto_by_name``, ``get_proto_by_number`` (§3.3-§3.5)."""

from __future__ import annotations

from typing import Any

import pytest

# --- addr_family_name --------------------------------------------------------


@pytest.mark.parametrize(
    "family,name",
    [(0, "PR_AF_UNSPEC"), (1, "PR_AF_LOCAL"), (2, "PR_AF_INET"), (10, "PR_AF_INET6")],
)
def test_addr_family_name_of_known_family(io: Any, family: int, name: str) -> None:
    result = io.addr_family_name(family)
    assert type(result) is str
    assert result == name


def test_addr_family_name_of_constants(io: Any) -> None:
    assert io.addr_family_name(io.PR_AF_INET) == "PR_AF_INET"
    assert io.addr_family_name(io.PR_AF_INET6) == "PR_AF_INET6"


@pytest.mark.parametrize(
    "family,name",
    [
        (3, "unknown(0x3)"),
        (99, "unknown(0x63)"),
        (255, "unknown(0xff)"),
        (-1, "unknown(0xffffffff)"),
        (0x7FFFFFFF, "unknown(0x7fffffff)"),
        (-(2**31), "unknown(0x80000000)"),
    ],
)
def test_addr_family_name_of_unknown_family(io: Any, family: int, name: str) -> None:
    assert io.addr_family_name(family) == name


def test_addr_family_name_accepts_bool(io: Any) -> None:
    assert io.addr_family_name(True) == "PR_AF_LOCAL"
    assert io.addr_family_name(False) == "PR_AF_UNSPEC"


@pytest.mark.parametrize("family", [2**31, -(2**31) - 1, 2**64])
def test_addr_family_name_outside_c_int_overflows(io: Any, family: int) -> None:
    with pytest.raises(OverflowError):
        io.addr_family_name(family)


@pytest.mark.parametrize("family", ["x", 2.0, None])
def test_addr_family_name_rejects_non_int(io: Any, family: object) -> None:
    with pytest.raises(TypeError):
        io.addr_family_name(family)


# --- get_proto_by_name -------------------------------------------------------


@pytest.mark.parametrize(
    "name,number",
    [
        ("ip", 0),
        ("icmp", 1),
        ("tcp", 6),
        ("udp", 17),
        ("ipv6", 41),
        ("TCP", 6),
        ("UDP", 17),
        ("IPv6", 41),
    ],
)
def test_get_proto_by_name_known(io: Any, name: str, number: int) -> None:
    result = io.get_proto_by_name(name)
    assert type(result) is int
    assert result == number


@pytest.mark.parametrize("name", [b"tcp", 6, None])
def test_get_proto_by_name_requires_str(io: Any, name: object) -> None:
    with pytest.raises(TypeError):
        io.get_proto_by_name(name)


@pytest.mark.difference("unknown protocol name raises PR_DIRECTORY_LOOKUP_ERROR")
@pytest.mark.parametrize("name", ["nonexistent", "", "no-such-proto"])
def test_get_proto_by_name_unknown_raises_lookup_error(
    io: Any, error: Any, name: str
) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.get_proto_by_name(name)
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR


# --- get_proto_by_number -----------------------------------------------------


@pytest.mark.parametrize(
    "number,expected",
    [
        (0, ("ip", ("IP",))),
        (1, ("icmp", ("ICMP",))),
        (6, ("tcp", ("TCP",))),
        (17, ("udp", ("UDP",))),
        (41, ("ipv6", ("IPv6",))),
    ],
)
def test_get_proto_by_number_known(io: Any, number: int, expected: Any) -> None:
    result = io.get_proto_by_number(number)
    assert type(result) is tuple
    assert result == expected


def test_get_proto_by_number_result_types(io: Any) -> None:
    name, aliases = io.get_proto_by_number(6)
    assert type(name) is str
    assert type(aliases) is tuple
    assert all(type(alias) is str for alias in aliases)


def test_get_proto_by_number_and_name_agree(io: Any) -> None:
    for number in (1, 6, 17, 41):
        name, aliases = io.get_proto_by_number(number)
        assert io.get_proto_by_name(name) == number
        for alias in aliases:
            assert io.get_proto_by_name(alias) == number


@pytest.mark.parametrize("number", [2**31, -(2**31) - 1])
def test_get_proto_by_number_outside_c_int_overflows(io: Any, number: int) -> None:
    with pytest.raises(OverflowError):
        io.get_proto_by_number(number)


@pytest.mark.parametrize("number", ["6", 6.0, None])
def test_get_proto_by_number_rejects_non_int(io: Any, number: object) -> None:
    with pytest.raises(TypeError):
        io.get_proto_by_number(number)


@pytest.mark.difference("unknown protocol number raises PR_DIRECTORY_LOOKUP_ERROR")
@pytest.mark.parametrize("number", [9999, -1, 254, 2**31 - 1])
def test_get_proto_by_number_unknown_raises_lookup_error(
    io: Any, error: Any, number: int
) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.get_proto_by_number(number)
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR
