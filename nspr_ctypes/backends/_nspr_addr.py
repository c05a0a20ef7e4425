"""SockAddr <-> ``PRNetAddr`` for the NSPR backend: the one place that knows
the layout (network byte order inside, the family in host order)."""

from __future__ import annotations

import ctypes
import socket
import struct
from ctypes import addressof
from typing import Union

from nspr_ctypes.backends import _nspr_ffi as ffi
from nspr_ctypes.backends._base import SockAddr, _new_sockaddr
from nspr_ctypes.constants import PR_AF_INET, PR_AF_INET6, PR_AF_LOCAL
from nspr_ctypes.error import PR_INVALID_ARGUMENT_ERROR, nspr_error

_NET_U16 = struct.Struct("!H")
_NET_U32 = struct.Struct("!I")
_U32 = struct.Struct("=I")
_NETADDR_SIZE = ctypes.sizeof(ffi.PRNetAddr)
#: A PRNetAddr of PR_AF_INET: family (host order), port (network order,
#: passed pre-swapped), the address, zero padding to the full union.
_INET_NETADDR = struct.Struct("=HH4s%dx" % (_NETADDR_SIZE - 8))
#: The head of any PRNetAddr read as PR_AF_INET's: one unpack for the family,
#: the port (still in network order) and an IPv4 address.
_INET_HEAD = struct.Struct("=HH4s")


def sockaddr_to_netaddr(addr: SockAddr) -> ffi.PRNetAddr:
    """A new ``PRNetAddr`` holding ``addr``."""
    net = ffi.PRNetAddr()
    base = addressof(net)
    family = addr.family
    packed = addr.addr
    if family == PR_AF_INET:
        if len(packed) != 4:
            raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
        net.inet.family = PR_AF_INET
        net.inet.port = socket.htons(addr.port & 0xFFFF)
        ctypes.memmove(base + 4, packed, 4)
    elif family == PR_AF_INET6:
        if len(packed) != 16:
            raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
        net.ipv6.family = PR_AF_INET6
        net.ipv6.port = socket.htons(addr.port & 0xFFFF)
        net.ipv6.flowinfo = socket.htonl(addr.flowinfo & 0xFFFFFFFF)
        ctypes.memmove(base + 8, packed, 16)
        net.ipv6.scope_id = addr.scope_id & 0xFFFFFFFF
    elif family == PR_AF_LOCAL:
        if len(packed) > 104:
            raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
        net.local.family = PR_AF_LOCAL
        ctypes.memmove(base + 2, packed, len(packed))
    else:
        # UNSPEC or anything else: NSPR reports what it reports for it.
        net.raw.family = family & 0xFFFF
    return net


def netaddr_to_sockaddr(net: Union[ffi.PRNetAddr, bytes]) -> SockAddr:
    """The :class:`SockAddr` value of a ``PRNetAddr`` (or of its bytes)."""
    raw = net if type(net) is bytes else bytes(net)
    family, port, packed = _INET_HEAD.unpack_from(raw)
    if family == PR_AF_INET:  # every accept: SockAddr's own __new__ costs more
        return _new_sockaddr(SockAddr, (family, packed, socket.ntohs(port), 0, 0))
    if family == PR_AF_INET6:
        return SockAddr(
            family,
            raw[8:24],
            _NET_U16.unpack_from(raw, 2)[0],
            _NET_U32.unpack_from(raw, 4)[0],
            _U32.unpack_from(raw, 24)[0],
        )
    if family == PR_AF_LOCAL:
        # Unnamed sockets (socketpair) leave the zero-filled path: b''.
        return SockAddr(family, raw[2:106].split(b"\0", 1)[0], 0)
    return SockAddr(family, b"", 0)


def _netaddr_input(addr: SockAddr) -> bytes:
    """A ``PRNetAddr`` holding ``addr`` as bytes, for a call that only reads
    it (C gets the bytes themselves on CPython, a copy on PyPy)."""
    if addr.family == PR_AF_INET and len(addr.addr) == 4:
        return _INET_NETADDR.pack(
            PR_AF_INET, socket.htons(addr.port & 0xFFFF), addr.addr
        )
    return bytes(sockaddr_to_netaddr(addr))
