"""The public names of ``io``: its 47 constants, 15 functions and 4 classes (§1, §2)."""

from __future__ import annotations

from typing import Any

import pytest

CONSTANTS = [
    # Address families
    ("PR_AF_UNSPEC", 0),
    ("PR_AF_LOCAL", 1),
    ("PR_AF_INET", 2),
    ("PR_AF_INET6", 10),
    # getaddrinfo flags
    ("PR_AI_ALL", 0x8),
    ("PR_AI_V4MAPPED", 0x10),
    ("PR_AI_ADDRCONFIG", 0x20),
    ("PR_AI_DEFAULT", 0x30),
    ("PR_AI_NOCANONNAME", 0x8000),
    # Descriptor types
    ("PR_DESC_FILE", 1),
    ("PR_DESC_SOCKET_TCP", 2),
    ("PR_DESC_SOCKET_UDP", 3),
    ("PR_DESC_LAYERED", 4),
    ("PR_DESC_PIPE", 5),
    # Intervals
    ("PR_INTERVAL_NO_WAIT", 0),
    ("PR_INTERVAL_MIN", 1000),
    ("PR_INTERVAL_MAX", 100000),
    ("PR_INTERVAL_NO_TIMEOUT", 0xFFFFFFFF),
    # Net-address initialisers
    ("PR_IpAddrNull", 0),
    ("PR_IpAddrAny", 1),
    ("PR_IpAddrLoopback", 2),
    ("PR_IpAddrV4Mapped", 3),
    # Poll flags
    ("PR_POLL_READ", 0x1),
    ("PR_POLL_WRITE", 0x2),
    ("PR_POLL_EXCEPT", 0x4),
    ("PR_POLL_ERR", 0x8),
    ("PR_POLL_NVAL", 0x10),
    ("PR_POLL_HUP", 0x20),
    # Shutdown modes
    ("PR_SHUTDOWN_RCV", 0),
    ("PR_SHUTDOWN_SEND", 1),
    ("PR_SHUTDOWN_BOTH", 2),
    # Socket options
    ("PR_SockOpt_Nonblocking", 0),
    ("PR_SockOpt_Linger", 1),
    ("PR_SockOpt_Reuseaddr", 2),
    ("PR_SockOpt_Keepalive", 3),
    ("PR_SockOpt_RecvBufferSize", 4),
    ("PR_SockOpt_SendBufferSize", 5),
    ("PR_SockOpt_IpTimeToLive", 6),
    ("PR_SockOpt_IpTypeOfService", 7),
    ("PR_SockOpt_AddMember", 8),
    ("PR_SockOpt_DropMember", 9),
    ("PR_SockOpt_McastInterface", 10),
    ("PR_SockOpt_McastTimeToLive", 11),
    ("PR_SockOpt_McastLoopback", 12),
    ("PR_SockOpt_NoDelay", 13),
    ("PR_SockOpt_MaxSegment", 14),
    ("PR_SockOpt_Broadcast", 15),
]

FUNCTIONS = [
    "addr_family_name",
    "get_proto_by_name",
    "get_proto_by_number",
    "htonl",
    "htons",
    "ntohl",
    "ntohs",
    "interval_now",
    "ticks_per_second",
    "seconds_to_interval",
    "milliseconds_to_interval",
    "microseconds_to_interval",
    "interval_to_seconds",
    "interval_to_milliseconds",
    "interval_to_microseconds",
]

CLASSES = ["AddrInfo", "HostEntry", "NetworkAddress", "Socket"]

# NSPR 4.35 has these, python-nss does not export them (§2 notes).
NOT_EXPORTED = [
    "PR_SockOpt_Reuseport",
    "PR_SockOpt_DontFrag",
    "PR_SockOpt_Last",
    "PR_AF_INET_SDP",
    "PR_AF_INET6_SDP",
    "PR_MSG_PEEK",
]


def test_there_are_47_constants_in_the_table() -> None:
    assert len(CONSTANTS) == 47
    assert len({name for name, _ in CONSTANTS}) == 47


@pytest.mark.parametrize("name,value", CONSTANTS, ids=[n for n, _ in CONSTANTS])
def test_constant_value(io: Any, name: str, value: int) -> None:
    constant = getattr(io, name)
    assert type(constant) is int
    assert constant == value


def test_pr_names_are_exactly_the_47_constants(io: Any) -> None:
    names = {name for name in dir(io) if name.startswith("PR_")}
    assert names == {name for name, _ in CONSTANTS}


@pytest.mark.parametrize("name", NOT_EXPORTED)
def test_nspr_constant_not_exported(io: Any, name: str) -> None:
    assert not hasattr(io, name)


def test_interval_no_timeout_is_positive(io: Any) -> None:
    assert io.PR_INTERVAL_NO_TIMEOUT == 2**32 - 1
    assert io.PR_INTERVAL_NO_TIMEOUT > 0


def test_ai_default_is_v4mapped_or_addrconfig(io: Any) -> None:
    assert io.PR_AI_DEFAULT == io.PR_AI_V4MAPPED | io.PR_AI_ADDRCONFIG


def test_there_are_15_functions_in_the_table() -> None:
    assert len(set(FUNCTIONS)) == 15


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_exists_and_is_callable(io: Any, name: str) -> None:
    function = getattr(io, name)
    assert callable(function)
    assert not isinstance(function, type)


@pytest.mark.parametrize("name", CLASSES)
def test_class_exists_and_is_a_class(io: Any, name: str) -> None:
    cls = getattr(io, name)
    assert isinstance(cls, type)


@pytest.mark.parametrize("name", CLASSES)
def test_class_is_subclassable(io: Any, name: str) -> None:
    cls = getattr(io, name)
    sub = type("Sub" + name, (cls,), {})
    assert issubclass(sub, cls)


@pytest.mark.parametrize("name", CLASSES)
def test_class_derives_from_object_only(io: Any, name: str) -> None:
    cls = getattr(io, name)
    assert cls.__mro__[0] is cls
    assert cls.__mro__[-1] is object
    assert not issubclass(cls, BaseException)


def test_public_names_include_every_documented_name(io: Any) -> None:
    public = {name for name in dir(io) if not name.startswith("_")}
    expected = set(FUNCTIONS) | set(CLASSES) | {name for name, _ in CONSTANTS}
    assert expected <= public


def test_error_module_exposes_nsprerror_and_error_string(error: Any) -> None:
    assert isinstance(error.NSPRError, type)
    assert callable(error.get_nspr_error_string)
