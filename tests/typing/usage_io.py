"""nspr_ctypes.io: its constants and module functions (see usage_support)."""

from __future__ import annotations

from typing import Callable, Literal, Tuple

from usage_support import assert_type

from nspr_ctypes import Backend, io


def constants_are_final_literals() -> None:
    # Final, with the value of python-nss on Linux x86-64: usable as Literal.
    assert_type(io.PR_AF_INET, Literal[2])
    assert_type(io.PR_AF_INET6, Literal[10])
    assert_type(io.PR_AF_LOCAL, Literal[1])
    assert_type(io.PR_AF_UNSPEC, Literal[0])
    assert_type(io.PR_AI_ADDRCONFIG, Literal[32])
    assert_type(io.PR_AI_ALL, Literal[8])
    assert_type(io.PR_AI_DEFAULT, Literal[48])
    assert_type(io.PR_AI_NOCANONNAME, Literal[32768])
    assert_type(io.PR_AI_V4MAPPED, Literal[16])
    assert_type(io.PR_DESC_FILE, Literal[1])
    assert_type(io.PR_DESC_LAYERED, Literal[4])
    assert_type(io.PR_DESC_PIPE, Literal[5])
    assert_type(io.PR_DESC_SOCKET_TCP, Literal[2])
    assert_type(io.PR_DESC_SOCKET_UDP, Literal[3])
    assert_type(io.PR_INTERVAL_MAX, Literal[100000])
    assert_type(io.PR_INTERVAL_MIN, Literal[1000])
    assert_type(io.PR_INTERVAL_NO_TIMEOUT, Literal[4294967295])
    assert_type(io.PR_INTERVAL_NO_WAIT, Literal[0])
    assert_type(io.PR_POLL_ERR, Literal[8])
    assert_type(io.PR_POLL_EXCEPT, Literal[4])
    assert_type(io.PR_POLL_HUP, Literal[32])
    assert_type(io.PR_POLL_NVAL, Literal[16])
    assert_type(io.PR_POLL_READ, Literal[1])
    assert_type(io.PR_POLL_WRITE, Literal[2])
    assert_type(io.PR_SHUTDOWN_BOTH, Literal[2])
    assert_type(io.PR_SHUTDOWN_RCV, Literal[0])
    assert_type(io.PR_SHUTDOWN_SEND, Literal[1])
    assert_type(io.PR_IpAddrAny, Literal[1])
    assert_type(io.PR_IpAddrLoopback, Literal[2])
    assert_type(io.PR_IpAddrNull, Literal[0])
    assert_type(io.PR_IpAddrV4Mapped, Literal[3])
    assert_type(io.PR_SockOpt_AddMember, Literal[8])
    assert_type(io.PR_SockOpt_Broadcast, Literal[15])
    assert_type(io.PR_SockOpt_DropMember, Literal[9])
    assert_type(io.PR_SockOpt_IpTimeToLive, Literal[6])
    assert_type(io.PR_SockOpt_IpTypeOfService, Literal[7])
    assert_type(io.PR_SockOpt_Keepalive, Literal[3])
    assert_type(io.PR_SockOpt_Linger, Literal[1])
    assert_type(io.PR_SockOpt_MaxSegment, Literal[14])
    assert_type(io.PR_SockOpt_McastInterface, Literal[10])
    assert_type(io.PR_SockOpt_McastLoopback, Literal[12])
    assert_type(io.PR_SockOpt_McastTimeToLive, Literal[11])
    assert_type(io.PR_SockOpt_NoDelay, Literal[13])
    assert_type(io.PR_SockOpt_Nonblocking, Literal[0])
    assert_type(io.PR_SockOpt_RecvBufferSize, Literal[4])
    assert_type(io.PR_SockOpt_Reuseaddr, Literal[2])
    assert_type(io.PR_SockOpt_SendBufferSize, Literal[5])


def constants_combine_as_ints() -> None:
    flags = io.PR_POLL_READ | io.PR_POLL_WRITE
    assert_type(flags, int)
    ai_flags = io.PR_AI_ADDRCONFIG | io.PR_AI_NOCANONNAME
    assert_type(ai_flags, int)


def constants_cannot_be_rebound() -> None:
    io.PR_AF_INET = 3  # type: ignore[misc]


def intervals(backend: Backend) -> None:
    assert_type(io.ticks_per_second(), int)
    assert_type(io.ticks_per_second(backend=backend), int)
    assert_type(io.interval_now(), int)
    assert_type(io.interval_now(backend=backend), int)
    assert_type(io.seconds_to_interval(5), int)
    assert_type(io.seconds_to_interval(5, backend=backend), int)
    assert_type(io.milliseconds_to_interval(250), int)
    assert_type(io.milliseconds_to_interval(250, backend=backend), int)
    assert_type(io.microseconds_to_interval(250), int)
    assert_type(io.microseconds_to_interval(250, backend=backend), int)
    assert_type(io.interval_to_seconds(io.PR_INTERVAL_MAX), int)
    assert_type(io.interval_to_seconds(1000, backend=backend), int)
    assert_type(io.interval_to_milliseconds(1000), int)
    assert_type(io.interval_to_milliseconds(1000, backend=backend), int)
    assert_type(io.interval_to_microseconds(1000), int)
    assert_type(io.interval_to_microseconds(1000, backend=backend), int)
    # Intervals are whole ticks: a float is refused, as python-nss does.
    io.seconds_to_interval(1.5)  # type: ignore[arg-type]
    # The backend is keyword-only.
    _positional: Callable[[Backend], int] = io.interval_now  # type: ignore[assignment]


def byte_order() -> None:
    assert_type(io.htons(80), int)
    assert_type(io.ntohs(20480), int)
    assert_type(io.htonl(128), int)
    assert_type(io.ntohl(2147483648), int)
    io.htonl(b"x")  # type: ignore[arg-type]


def names(backend: Backend) -> None:
    assert_type(io.addr_family_name(io.PR_AF_INET6), str)
    assert_type(io.get_proto_by_name("tcp"), int)
    assert_type(io.get_proto_by_name("udp", backend=backend), int)
    assert_type(io.get_proto_by_number(6), Tuple[str, Tuple[str, ...]])
    name, aliases = io.get_proto_by_number(17, backend=backend)
    assert_type(name, str)
    assert_type(aliases, Tuple[str, ...])
    io.get_proto_by_name(b"tcp")  # type: ignore[arg-type]
