"""Every ``PR_*`` constant of ``nss.io``, with its value on Linux x86-64.

One table, read by :mod:`nspr_ctypes.io` (which re-exports every name of
``__all__``) and by the backends.
"""

from __future__ import annotations as _annotations

from typing import Dict as _Dict
from typing import Final as _Final
from typing import FrozenSet as _FrozenSet

# fmt: off
# Address families
PR_AF_UNSPEC: _Final = 0
PR_AF_LOCAL: _Final = 1
PR_AF_INET: _Final = 2
PR_AF_INET6: _Final = 10          # platform-specific in NSPR; 10 on Linux

# getaddrinfo flags
PR_AI_ALL: _Final = 0x08
PR_AI_V4MAPPED: _Final = 0x10
PR_AI_ADDRCONFIG: _Final = 0x20
PR_AI_DEFAULT: _Final = PR_AI_V4MAPPED | PR_AI_ADDRCONFIG
PR_AI_NOCANONNAME: _Final = 0x8000

# Descriptor types
PR_DESC_FILE: _Final = 1
PR_DESC_SOCKET_TCP: _Final = 2
PR_DESC_SOCKET_UDP: _Final = 3
PR_DESC_LAYERED: _Final = 4
PR_DESC_PIPE: _Final = 5

# Intervals
PR_INTERVAL_NO_WAIT: _Final = 0
PR_INTERVAL_MIN: _Final = 1000
PR_INTERVAL_MAX: _Final = 100000
PR_INTERVAL_NO_TIMEOUT: _Final = 0xFFFFFFFF

# NetworkAddress initialisers
PR_IpAddrNull: _Final = 0
PR_IpAddrAny: _Final = 1
PR_IpAddrLoopback: _Final = 2
PR_IpAddrV4Mapped: _Final = 3

# Poll flags
PR_POLL_READ: _Final = 0x1
PR_POLL_WRITE: _Final = 0x2
PR_POLL_EXCEPT: _Final = 0x4
PR_POLL_ERR: _Final = 0x8
PR_POLL_NVAL: _Final = 0x10
PR_POLL_HUP: _Final = 0x20

# Shutdown modes
PR_SHUTDOWN_RCV: _Final = 0
PR_SHUTDOWN_SEND: _Final = 1
PR_SHUTDOWN_BOTH: _Final = 2

# Socket options
PR_SockOpt_Nonblocking: _Final = 0
PR_SockOpt_Linger: _Final = 1
PR_SockOpt_Reuseaddr: _Final = 2
PR_SockOpt_Keepalive: _Final = 3
PR_SockOpt_RecvBufferSize: _Final = 4
PR_SockOpt_SendBufferSize: _Final = 5
PR_SockOpt_IpTimeToLive: _Final = 6
PR_SockOpt_IpTypeOfService: _Final = 7
PR_SockOpt_AddMember: _Final = 8
PR_SockOpt_DropMember: _Final = 9
PR_SockOpt_McastInterface: _Final = 10
PR_SockOpt_McastTimeToLive: _Final = 11
PR_SockOpt_McastLoopback: _Final = 12
PR_SockOpt_NoDelay: _Final = 13
PR_SockOpt_MaxSegment: _Final = 14
PR_SockOpt_Broadcast: _Final = 15
# NSPR's options after python-nss's table (prio.h), which python-nss does not
# map: nss.io has no constant for them, and get/set_socket_option refuse them.
_PR_SockOpt_Reuseport: _Final = 16
_PR_SockOpt_DontFrag: _Final = 17
_PR_SockOpt_Last: _Final = 18  # NSPR refuses this and above


class _SockOptKind:
    """The shape of a socket option's value: the member of NSPR's
    PRSocketOptionData union that carries it.

    Socket's argument checks and both backends read the one table below (a
    backend keeps only its own details, such as the stdlib's level and
    name); tests/unit/test_option_table.py pins the typing.Literal option
    types of the source and the stubs to it.
    """

    FLAG: _Final = 0      # PRBool: bool
    SIZE: _Final = 1      # PRSize: int (a C size_t)
    UINT: _Final = 2      # PRUintn: int (TTLs, TOS)
    LINGER: _Final = 3    # PRLinger: (polarity, interval)
    MCAST_IF: _Final = 4  # PRNetAddr: an IPv4 interface address
    MREQ: _Final = 5      # PRMcastRequest: (group, interface); set only


# option number -> _SockOptKind, for every option NSPR has.
_SOCKOPT_KINDS: _Final[_Dict[int, int]] = {
    PR_SockOpt_Nonblocking: _SockOptKind.FLAG,
    PR_SockOpt_Linger: _SockOptKind.LINGER,
    PR_SockOpt_Reuseaddr: _SockOptKind.FLAG,
    PR_SockOpt_Keepalive: _SockOptKind.FLAG,
    PR_SockOpt_RecvBufferSize: _SockOptKind.SIZE,
    PR_SockOpt_SendBufferSize: _SockOptKind.SIZE,
    PR_SockOpt_IpTimeToLive: _SockOptKind.UINT,
    PR_SockOpt_IpTypeOfService: _SockOptKind.UINT,
    PR_SockOpt_AddMember: _SockOptKind.MREQ,
    PR_SockOpt_DropMember: _SockOptKind.MREQ,
    PR_SockOpt_McastInterface: _SockOptKind.MCAST_IF,
    PR_SockOpt_McastTimeToLive: _SockOptKind.UINT,
    PR_SockOpt_McastLoopback: _SockOptKind.FLAG,
    PR_SockOpt_NoDelay: _SockOptKind.FLAG,
    PR_SockOpt_MaxSegment: _SockOptKind.SIZE,
    PR_SockOpt_Broadcast: _SockOptKind.FLAG,
    _PR_SockOpt_Reuseport: _SockOptKind.FLAG,
    _PR_SockOpt_DontFrag: _SockOptKind.FLAG,
}
# The ones python-nss's get/set_socket_option do not map (ValueError).
_SOCKOPTS_UNMAPPED: _Final[_FrozenSet[int]] = frozenset(
    (_PR_SockOpt_Reuseport, _PR_SockOpt_DontFrag)
)
# fmt: on

# A literal list, so that type checkers see what io's star import re-exports.
__all__ = [
    "PR_AF_INET",
    "PR_AF_INET6",
    "PR_AF_LOCAL",
    "PR_AF_UNSPEC",
    "PR_AI_ADDRCONFIG",
    "PR_AI_ALL",
    "PR_AI_DEFAULT",
    "PR_AI_NOCANONNAME",
    "PR_AI_V4MAPPED",
    "PR_DESC_FILE",
    "PR_DESC_LAYERED",
    "PR_DESC_PIPE",
    "PR_DESC_SOCKET_TCP",
    "PR_DESC_SOCKET_UDP",
    "PR_INTERVAL_MAX",
    "PR_INTERVAL_MIN",
    "PR_INTERVAL_NO_TIMEOUT",
    "PR_INTERVAL_NO_WAIT",
    "PR_POLL_ERR",
    "PR_POLL_EXCEPT",
    "PR_POLL_HUP",
    "PR_POLL_NVAL",
    "PR_POLL_READ",
    "PR_POLL_WRITE",
    "PR_SHUTDOWN_BOTH",
    "PR_SHUTDOWN_RCV",
    "PR_SHUTDOWN_SEND",
    "PR_IpAddrAny",
    "PR_IpAddrLoopback",
    "PR_IpAddrNull",
    "PR_IpAddrV4Mapped",
    "PR_SockOpt_AddMember",
    "PR_SockOpt_Broadcast",
    "PR_SockOpt_DropMember",
    "PR_SockOpt_IpTimeToLive",
    "PR_SockOpt_IpTypeOfService",
    "PR_SockOpt_Keepalive",
    "PR_SockOpt_Linger",
    "PR_SockOpt_MaxSegment",
    "PR_SockOpt_McastInterface",
    "PR_SockOpt_McastLoopback",
    "PR_SockOpt_McastTimeToLive",
    "PR_SockOpt_NoDelay",
    "PR_SockOpt_Nonblocking",
    "PR_SockOpt_RecvBufferSize",
    "PR_SockOpt_Reuseaddr",
    "PR_SockOpt_SendBufferSize",
]


def _names(prefix: str) -> _Dict[int, str]:
    """value -> name of the public constants named ``prefix...``."""
    return {globals()[name]: name for name in __all__ if name.startswith(prefix)}


# For reprs and messages: family and descriptor type names by value.
_FAMILY_NAMES: _Final = _names("PR_AF_")
_DESC_TYPE_NAMES: _Final = _names("PR_DESC_")
