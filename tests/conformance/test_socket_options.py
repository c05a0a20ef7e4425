"""Socket options: get_socket_option / set_socket_option for every documented option.

Spec: nss-io.md §7.7, §9.11; the Socket API document (value shapes);
docs/differences.md (McastInterface get).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

BOOL_OPTIONS = [
    "PR_SockOpt_Nonblocking",
    "PR_SockOpt_Reuseaddr",
    "PR_SockOpt_Keepalive",
    "PR_SockOpt_McastLoopback",
    "PR_SockOpt_NoDelay",
    "PR_SockOpt_Broadcast",
]
UDP_BOOL_OPTIONS = [
    "PR_SockOpt_Nonblocking",
    "PR_SockOpt_Reuseaddr",
    "PR_SockOpt_Keepalive",
    "PR_SockOpt_McastLoopback",
    "PR_SockOpt_Broadcast",
]
MCAST_GROUP = "224.0.0.251"


@pytest.fixture
def tcp(io: Any, closing: Callable[[Any], Any]) -> Any:
    return closing(io.Socket(io.PR_AF_INET))


@pytest.fixture
def udp(io: Any, closing: Callable[[Any], Any]) -> Any:
    return closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))


def _nspr_errno(error: Any, func: Callable[..., Any], *args: Any) -> int:
    with pytest.raises(error.NSPRError) as info:
        func(*args)
    code: int = info.value.errno
    return code


def _group(io: Any) -> Any:
    return io.NetworkAddress(MCAST_GROUP, 0)


def _loopback(io: Any) -> Any:
    return io.NetworkAddress(io.PR_IpAddrLoopback, 0)


# --------------------------------------------------------------------------
# Defaults on a fresh socket


@pytest.mark.parametrize(
    "name, expected",
    [
        ("PR_SockOpt_Nonblocking", False),
        ("PR_SockOpt_Reuseaddr", False),
        ("PR_SockOpt_Keepalive", False),
        ("PR_SockOpt_McastLoopback", True),
        ("PR_SockOpt_NoDelay", False),
        ("PR_SockOpt_Broadcast", False),
    ],
)
def test_default_bool_options_tcp(io: Any, tcp: Any, name: str, expected: bool) -> None:
    value = tcp.get_socket_option(getattr(io, name))
    assert type(value) is bool
    assert value is expected


def test_default_linger(io: Any, tcp: Any) -> None:
    assert tcp.get_socket_option(io.PR_SockOpt_Linger) == (False, 0)


def test_default_ttl(io: Any, tcp: Any) -> None:
    assert tcp.get_socket_option(io.PR_SockOpt_IpTimeToLive) == 64


def test_default_tos(io: Any, tcp: Any) -> None:
    assert tcp.get_socket_option(io.PR_SockOpt_IpTypeOfService) == 0


def test_default_mcast_ttl(io: Any, udp: Any) -> None:
    assert udp.get_socket_option(io.PR_SockOpt_McastTimeToLive) == 1


def test_default_mcast_loopback_udp(io: Any, udp: Any) -> None:
    assert udp.get_socket_option(io.PR_SockOpt_McastLoopback) is True


def test_default_max_segment_before_connect(io: Any, tcp: Any) -> None:
    value = tcp.get_socket_option(io.PR_SockOpt_MaxSegment)
    assert type(value) is int
    assert value == 536


@pytest.mark.parametrize(
    "name", ["PR_SockOpt_RecvBufferSize", "PR_SockOpt_SendBufferSize"]
)
def test_default_buffer_sizes_are_positive_ints(io: Any, tcp: Any, name: str) -> None:
    value = tcp.get_socket_option(getattr(io, name))
    assert type(value) is int
    assert value > 0


# --------------------------------------------------------------------------
# bool options


@pytest.mark.parametrize("name", BOOL_OPTIONS)
def test_bool_option_roundtrip_tcp(io: Any, tcp: Any, name: str) -> None:
    option = getattr(io, name)
    assert tcp.set_socket_option(option, True) is None
    assert tcp.get_socket_option(option) is True
    assert tcp.set_socket_option(option, False) is None
    assert tcp.get_socket_option(option) is False


@pytest.mark.parametrize("name", UDP_BOOL_OPTIONS)
def test_bool_option_roundtrip_udp(io: Any, udp: Any, name: str) -> None:
    option = getattr(io, name)
    udp.set_socket_option(option, not udp.get_socket_option(option))
    value = udp.get_socket_option(option)
    udp.set_socket_option(option, not value)
    assert udp.get_socket_option(option) is (not value)


@pytest.mark.parametrize(
    "flag, expected", [(5, True), (1, True), (0, False), (-1, True)]
)
def test_bool_option_accepts_ints(io: Any, tcp: Any, flag: int, expected: bool) -> None:
    tcp.set_socket_option(io.PR_SockOpt_Reuseaddr, flag)
    assert tcp.get_socket_option(io.PR_SockOpt_Reuseaddr) is expected


@pytest.mark.parametrize("value", ["yes", None, 1.0, b"1", (1,)], ids=repr)
def test_bool_option_wrong_type(io: Any, tcp: Any, value: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(io.PR_SockOpt_Reuseaddr, value)


def test_bool_option_too_large_overflows(io: Any, tcp: Any) -> None:
    with pytest.raises(OverflowError):
        tcp.set_socket_option(io.PR_SockOpt_Keepalive, 2**40)


# --------------------------------------------------------------------------
# Linger


@pytest.mark.parametrize(
    "polarity, interval, expected",
    [
        (True, 1500, (True, 1000)),
        (True, 999, (True, 0)),
        (True, 0, (True, 0)),
        (True, 3000, (True, 3000)),
        (False, 5000, (False, 0)),
        (0, 3000, (False, 0)),
        (1, -1, (True, 4294967000)),
    ],
)
def test_linger_seconds_truncation(
    io: Any, tcp: Any, polarity: Any, interval: int, expected: Any
) -> None:
    assert tcp.set_socket_option(io.PR_SockOpt_Linger, polarity, interval) is None
    value = tcp.get_socket_option(io.PR_SockOpt_Linger)
    assert value == expected
    assert type(value) is tuple
    assert type(value[0]) is bool
    assert type(value[1]) is int


def test_linger_needs_two_values(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(io.PR_SockOpt_Linger, True)


def test_linger_tuple_is_not_two_values(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(io.PR_SockOpt_Linger, (True, 1000))


def test_linger_three_values(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(io.PR_SockOpt_Linger, True, 1000, 1)


@pytest.mark.parametrize("values", [("yes", 1000), (True, 1.5), (True, "1000")])
def test_linger_wrong_types(io: Any, tcp: Any, values: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(io.PR_SockOpt_Linger, *values)


# --------------------------------------------------------------------------
# Buffer sizes


@pytest.mark.parametrize(
    "name", ["PR_SockOpt_RecvBufferSize", "PR_SockOpt_SendBufferSize"]
)
@pytest.mark.parametrize("size", [4096, 10000, 65536])
def test_buffer_size_at_least_set_value(
    io: Any, tcp: Any, name: str, size: int
) -> None:
    option = getattr(io, name)
    assert tcp.set_socket_option(option, size) is None
    value = tcp.get_socket_option(option)
    assert type(value) is int
    assert value >= size


@pytest.mark.parametrize(
    "name", ["PR_SockOpt_RecvBufferSize", "PR_SockOpt_SendBufferSize"]
)
def test_buffer_size_grows_with_request(io: Any, tcp: Any, name: str) -> None:
    option = getattr(io, name)
    tcp.set_socket_option(option, 8192)
    small = tcp.get_socket_option(option)
    tcp.set_socket_option(option, 65536)
    assert tcp.get_socket_option(option) > small


@pytest.mark.parametrize(
    "name", ["PR_SockOpt_RecvBufferSize", "PR_SockOpt_SendBufferSize"]
)
def test_buffer_size_reduced_mod_2_pow_32(
    io: Any, closing: Callable[[Any], Any], name: str
) -> None:
    option = getattr(io, name)
    plain = closing(io.Socket(io.PR_AF_INET))
    wrapped = closing(io.Socket(io.PR_AF_INET))
    plain.set_socket_option(option, 8192)
    wrapped.set_socket_option(option, 2**32 + 8192)
    assert wrapped.get_socket_option(option) == plain.get_socket_option(option)


def test_buffer_size_on_udp(io: Any, udp: Any) -> None:
    udp.set_socket_option(io.PR_SockOpt_RecvBufferSize, 32768)
    assert udp.get_socket_option(io.PR_SockOpt_RecvBufferSize) >= 32768


def test_buffer_size_wrong_type(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(io.PR_SockOpt_RecvBufferSize, 1.0)


# --------------------------------------------------------------------------
# TTL, TOS, MaxSegment


@pytest.mark.parametrize("ttl", [1, 10, 255])
def test_ttl_roundtrip(io: Any, tcp: Any, ttl: int) -> None:
    tcp.set_socket_option(io.PR_SockOpt_IpTimeToLive, ttl)
    assert tcp.get_socket_option(io.PR_SockOpt_IpTimeToLive) == ttl


def test_ttl_out_of_range(io: Any, error: Any, tcp: Any) -> None:
    code = _nspr_errno(error, tcp.set_socket_option, io.PR_SockOpt_IpTimeToLive, 300)
    assert code == error.PR_BUFFER_OVERFLOW_ERROR


def test_ttl_on_inet6_socket(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET6))
    assert sock.get_socket_option(io.PR_SockOpt_IpTimeToLive) == 64


def test_ttl_on_udp(io: Any, udp: Any) -> None:
    udp.set_socket_option(io.PR_SockOpt_IpTimeToLive, 7)
    assert udp.get_socket_option(io.PR_SockOpt_IpTimeToLive) == 7


@pytest.mark.parametrize("tos", [0x10, 0x08, 0])
def test_tos_roundtrip(io: Any, tcp: Any, tos: int) -> None:
    tcp.set_socket_option(io.PR_SockOpt_IpTypeOfService, tos)
    assert tcp.get_socket_option(io.PR_SockOpt_IpTypeOfService) == tos


def test_ttl_wrong_type(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(io.PR_SockOpt_IpTimeToLive, "64")


def test_max_segment_set_on_tcp(io: Any, tcp: Any) -> None:
    assert tcp.set_socket_option(io.PR_SockOpt_MaxSegment, 1000) is None
    value = tcp.get_socket_option(io.PR_SockOpt_MaxSegment)
    assert type(value) is int
    assert value > 0


def test_no_delay_get_on_udp_is_not_tcp(io: Any, error: Any, udp: Any) -> None:
    code = _nspr_errno(error, udp.get_socket_option, io.PR_SockOpt_NoDelay)
    assert code == error.PR_NOT_TCP_SOCKET_ERROR


def test_max_segment_get_on_udp_is_not_tcp(io: Any, error: Any, udp: Any) -> None:
    code = _nspr_errno(error, udp.get_socket_option, io.PR_SockOpt_MaxSegment)
    assert code == error.PR_NOT_TCP_SOCKET_ERROR


def test_no_delay_set_on_udp_is_invalid(io: Any, error: Any, udp: Any) -> None:
    code = _nspr_errno(error, udp.set_socket_option, io.PR_SockOpt_NoDelay, True)
    assert code == error.PR_INVALID_ARGUMENT_ERROR


def test_max_segment_set_on_udp_is_invalid(io: Any, error: Any, udp: Any) -> None:
    code = _nspr_errno(error, udp.set_socket_option, io.PR_SockOpt_MaxSegment, 1000)
    assert code == error.PR_INVALID_ARGUMENT_ERROR


def test_no_delay_on_connected_socket(io: Any, tcp_pair: Any) -> None:
    client, _server = tcp_pair
    client.set_socket_option(io.PR_SockOpt_NoDelay, True)
    assert client.get_socket_option(io.PR_SockOpt_NoDelay) is True


def test_keepalive_on_connected_socket(io: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    server.set_socket_option(io.PR_SockOpt_Keepalive, True)
    assert server.get_socket_option(io.PR_SockOpt_Keepalive) is True


# --------------------------------------------------------------------------
# Multicast


@pytest.mark.parametrize("ttl", [0, 5, 255])
def test_mcast_ttl_roundtrip_udp(io: Any, udp: Any, ttl: int) -> None:
    udp.set_socket_option(io.PR_SockOpt_McastTimeToLive, ttl)
    assert udp.get_socket_option(io.PR_SockOpt_McastTimeToLive) == ttl


def test_mcast_ttl_set_on_tcp_fails(io: Any, error: Any, tcp: Any) -> None:
    code = _nspr_errno(error, tcp.set_socket_option, io.PR_SockOpt_McastTimeToLive, 3)
    assert code == error.PR_BUFFER_OVERFLOW_ERROR


def test_mcast_loopback_roundtrip_udp(io: Any, udp: Any) -> None:
    udp.set_socket_option(io.PR_SockOpt_McastLoopback, False)
    assert udp.get_socket_option(io.PR_SockOpt_McastLoopback) is False
    udp.set_socket_option(io.PR_SockOpt_McastLoopback, True)
    assert udp.get_socket_option(io.PR_SockOpt_McastLoopback) is True


def test_add_and_drop_member_on_udp(io: Any, udp: Any) -> None:
    group = _group(io)
    iface = _loopback(io)
    assert udp.set_socket_option(io.PR_SockOpt_AddMember, group, iface) is None
    assert udp.set_socket_option(io.PR_SockOpt_DropMember, group, iface) is None


def test_drop_member_not_joined(io: Any, error: Any, udp: Any) -> None:
    code = _nspr_errno(
        error,
        udp.set_socket_option,
        io.PR_SockOpt_DropMember,
        _group(io),
        _loopback(io),
    )
    assert code == error.PR_ADDRESS_NOT_AVAILABLE_ERROR


@pytest.mark.parametrize("name", ["PR_SockOpt_AddMember", "PR_SockOpt_DropMember"])
def test_member_get_is_invalid_argument(
    io: Any, error: Any, udp: Any, name: str
) -> None:
    code = _nspr_errno(error, udp.get_socket_option, getattr(io, name))
    assert code == error.PR_INVALID_ARGUMENT_ERROR
    assert code == _nspr_errno(error, udp.get_socket_option, getattr(io, name))


@pytest.mark.parametrize("name", ["PR_SockOpt_AddMember", "PR_SockOpt_DropMember"])
def test_member_needs_two_addresses(io: Any, udp: Any, name: str) -> None:
    with pytest.raises(TypeError):
        udp.set_socket_option(getattr(io, name), _group(io))


@pytest.mark.parametrize("name", ["PR_SockOpt_AddMember", "PR_SockOpt_DropMember"])
def test_member_wrong_types(io: Any, udp: Any, name: str) -> None:
    with pytest.raises(TypeError):
        udp.set_socket_option(getattr(io, name), MCAST_GROUP, "127.0.0.1")


def test_mcast_interface_set_returns_none(io: Any, udp: Any) -> None:
    assert udp.set_socket_option(io.PR_SockOpt_McastInterface, _loopback(io)) is None


def test_mcast_interface_get_returns_networkaddress(io: Any, udp: Any) -> None:
    udp.set_socket_option(io.PR_SockOpt_McastInterface, _loopback(io))
    assert isinstance(
        udp.get_socket_option(io.PR_SockOpt_McastInterface), io.NetworkAddress
    )


@pytest.mark.difference("McastInterface get is a proper INET NetworkAddress")
def test_mcast_interface_get_after_set(io: Any, udp: Any) -> None:
    udp.set_socket_option(io.PR_SockOpt_McastInterface, _loopback(io))
    value = udp.get_socket_option(io.PR_SockOpt_McastInterface)
    assert isinstance(value, io.NetworkAddress)
    assert value.family == io.PR_AF_INET
    assert value.port == 0
    assert value.address == "127.0.0.1"


@pytest.mark.difference("McastInterface get returns the interface that was set")
def test_mcast_interface_get_after_set_any(io: Any, udp: Any) -> None:
    udp.set_socket_option(io.PR_SockOpt_McastInterface, _loopback(io))
    udp.set_socket_option(
        io.PR_SockOpt_McastInterface, io.NetworkAddress(io.PR_IpAddrAny, 0)
    )
    value = udp.get_socket_option(io.PR_SockOpt_McastInterface)
    assert (value.family, value.port, value.address) == (io.PR_AF_INET, 0, "0.0.0.0")
    # ... and the port of the address set is not carried over.
    udp.set_socket_option(
        io.PR_SockOpt_McastInterface, io.NetworkAddress(io.PR_IpAddrLoopback, 5353)
    )
    value = udp.get_socket_option(io.PR_SockOpt_McastInterface)
    assert (value.family, value.port, value.address) == (
        io.PR_AF_INET,
        0,
        "127.0.0.1",
    )


def test_mcast_interface_wrong_type(io: Any, udp: Any) -> None:
    with pytest.raises(TypeError):
        udp.set_socket_option(io.PR_SockOpt_McastInterface, "127.0.0.1")


def test_mcast_interface_missing_value(io: Any, udp: Any) -> None:
    with pytest.raises(TypeError):
        udp.set_socket_option(io.PR_SockOpt_McastInterface)


# --------------------------------------------------------------------------
# Unknown options and argument errors


@pytest.mark.parametrize("option", [16, 17])
def test_get_unmapped_option(io: Any, tcp: Any, option: int) -> None:
    with pytest.raises(ValueError) as info:
        tcp.get_socket_option(option)
    assert str(info.value) == "get_socket_option: unknown option"


@pytest.mark.parametrize("option", [16, 17, 18, 99, -1, 2**31])
def test_set_unknown_option(io: Any, tcp: Any, option: int) -> None:
    with pytest.raises(ValueError) as info:
        tcp.set_socket_option(option, 1)
    assert str(info.value) == "set_socket_option: unknown option"


@pytest.mark.parametrize("option", [16, 99])
def test_set_unknown_option_checked_before_values(
    io: Any, tcp: Any, option: int
) -> None:
    with pytest.raises(ValueError) as info:
        tcp.set_socket_option(option)
    assert str(info.value) == "set_socket_option: unknown option"


@pytest.mark.parametrize("option", [18, 99, -1])
def test_get_unknown_option_is_invalid_argument(
    io: Any, error: Any, tcp: Any, option: int
) -> None:
    with pytest.raises(error.NSPRError) as info:
        tcp.get_socket_option(option)
    assert info.value.errno == error.PR_INVALID_ARGUMENT_ERROR
    assert str(info.value) == "(PR_INVALID_ARGUMENT_ERROR) Invalid function argument."


def test_get_option_too_large_overflows(io: Any, tcp: Any) -> None:
    with pytest.raises(OverflowError):
        tcp.get_socket_option(2**31)


def test_set_without_arguments(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option()


@pytest.mark.parametrize("option", ["0", None, 1.0])
def test_set_option_not_int(io: Any, tcp: Any, option: Any) -> None:
    with pytest.raises(TypeError):
        tcp.set_socket_option(option, 1)


@pytest.mark.parametrize("option", ["0", None, 1.0])
def test_get_option_not_int(io: Any, tcp: Any, option: Any) -> None:
    with pytest.raises(TypeError):
        tcp.get_socket_option(option)


def test_get_without_arguments(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.get_socket_option()


def test_get_with_extra_argument(io: Any, tcp: Any) -> None:
    with pytest.raises(TypeError):
        tcp.get_socket_option(io.PR_SockOpt_Reuseaddr, 1)


@pytest.mark.parametrize(
    "name",
    [
        "PR_SockOpt_Nonblocking",
        "PR_SockOpt_Reuseaddr",
        "PR_SockOpt_Keepalive",
        "PR_SockOpt_RecvBufferSize",
        "PR_SockOpt_SendBufferSize",
        "PR_SockOpt_IpTimeToLive",
        "PR_SockOpt_IpTypeOfService",
        "PR_SockOpt_McastTimeToLive",
        "PR_SockOpt_McastLoopback",
        "PR_SockOpt_NoDelay",
        "PR_SockOpt_MaxSegment",
        "PR_SockOpt_Broadcast",
    ],
)
def test_single_value_option_value_count(io: Any, tcp: Any, name: str) -> None:
    option = getattr(io, name)
    with pytest.raises(TypeError):
        tcp.set_socket_option(option)
    with pytest.raises(TypeError):
        tcp.set_socket_option(option, 1, 2)
