"""This module implements the NSPR IO functions

The ``nss.io`` API of python-nss: :class:`Socket`, :class:`NetworkAddress`,
:class:`AddrInfo`, :class:`HostEntry`, the interval, byte-order and protocol
functions, and every ``PR_*`` constant. Importing it loads no library: the
backend is chosen on first use (see :mod:`nspr_ctypes.backends`).
"""

from __future__ import annotations as _annotations

import socket as _socket
from typing import Callable as _Callable
from typing import Optional as _Optional

from nspr_ctypes import _args
from nspr_ctypes import backends as _backends
from nspr_ctypes import constants as _constants
from nspr_ctypes._address import AddrInfo, HostEntry, NetworkAddress
from nspr_ctypes._address import family_name as _family_name
from nspr_ctypes._socket import Socket
from nspr_ctypes.backends import get_backend as _get_backend
from nspr_ctypes.backends._base import Backend as _Backend
from nspr_ctypes.constants import *  # noqa: F403 (every PR_* name, as socket does)

__all__ = [
    "AddrInfo",
    "HostEntry",
    "NetworkAddress",
    "Socket",
    "addr_family_name",
    "get_proto_by_name",
    "get_proto_by_number",
    "htonl",
    "htons",
    "interval_now",
    "interval_to_microseconds",
    "interval_to_milliseconds",
    "interval_to_seconds",
    "microseconds_to_interval",
    "milliseconds_to_interval",
    "ntohl",
    "ntohs",
    "seconds_to_interval",
    "ticks_per_second",
]
__all__ += _constants.__all__

_M = _args.UINT32_MOD


def _backend(backend: _Optional[_Backend]) -> _Backend:
    return _get_backend() if backend is None else backend


# The functions below are called in tight loops, so each runs in one Python
# frame on the usual arguments, reading what it needs of the default backend
# from the two globals below (the registry keeps them, ``_follow_default``),
# and python-nss's exact conversions run only for unusual arguments.


def _interval_now_first_use() -> int:
    return _get_backend().interval_now()  # chooses the default


#: The default backend's ``interval_now`` (before the first use: a function
#: that chooses the default), and whether it counts 1000 ticks a second.
_default_interval_now: _Callable[[], int] = _interval_now_first_use
_default_ms_ticks = False


def _follow_default(backend: _Optional[_Backend]) -> None:
    global _default_interval_now, _default_ms_ticks
    if backend is None:
        _default_ms_ticks = False
        _default_interval_now = _interval_now_first_use
    else:
        # Flag first: a reader between the two stores takes the slow path.
        _default_ms_ticks = False
        _default_interval_now = backend.interval_now
        _default_ms_ticks = backend._millisecond_ticks


_backends._watch_default(_follow_default)

# -- intervals -----------------------------------------------------------------


def ticks_per_second(*, backend: _Optional[_Backend] = None) -> int:
    """ticks_per_second() -> int

    An integer between 1000 and 100000 indicating the number of ticks per
    second counted by PRIntervalTime on the current platform.
    """
    return _backend(backend).ticks_per_second()


def interval_now(*, backend: _Optional[_Backend] = None) -> int:
    """interval_now() -> int

    The current interval (ticks of a monotonic clock, wrapping at 2**32), to
    establish epochs and measure intervals.
    """
    if backend is None:
        return _default_interval_now()
    return backend.interval_now()


# With 1000 ticks per second (NSPR on Linux, and the stdlib backend) an
# interval is a count of milliseconds: each conversion of an int below is
# python-nss's formula with ``ticks_per_second() == 1000`` worked out.


def seconds_to_interval(seconds: int, *, backend: _Optional[_Backend] = None) -> int:
    """seconds_to_interval(seconds) -> interval

    Converts standard clock seconds to platform-dependent intervals.
    """
    if backend is None and _default_ms_ticks and type(seconds) is int:
        return seconds * 1000 & 0xFFFFFFFF
    value = _args.c_uint_mask(seconds)
    return value * _backend(backend).ticks_per_second() % _M


def milliseconds_to_interval(
    milliseconds: int, *, backend: _Optional[_Backend] = None
) -> int:
    """milliseconds_to_interval(milliseconds) -> interval

    Converts standard clock milliseconds to platform-dependent intervals.
    """
    if backend is None and _default_ms_ticks and type(milliseconds) is int:
        return milliseconds & 0xFFFFFFFF
    value = _args.c_uint_mask(milliseconds)
    return (value * _backend(backend).ticks_per_second() + 500) // 1000 % _M


def microseconds_to_interval(
    microseconds: int, *, backend: _Optional[_Backend] = None
) -> int:
    """microseconds_to_interval(microseconds) -> interval

    Converts standard clock microseconds to platform-dependent intervals.
    """
    if backend is None and _default_ms_ticks and type(microseconds) is int:
        return ((microseconds & 0xFFFFFFFF) + 500) // 1000
    value = _args.c_uint_mask(microseconds)
    return (value * _backend(backend).ticks_per_second() + 500000) // 1000000 % _M


def interval_to_seconds(interval: int, *, backend: _Optional[_Backend] = None) -> int:
    """interval_to_seconds(interval) -> seconds

    Converts platform-dependent intervals to standard clock seconds (truncating).
    """
    if backend is None and _default_ms_ticks and type(interval) is int:
        return (interval & 0xFFFFFFFF) // 1000
    value = _args.c_uint_mask(interval)
    return value // _backend(backend).ticks_per_second()


def interval_to_milliseconds(
    interval: int, *, backend: _Optional[_Backend] = None
) -> int:
    """interval_to_milliseconds(interval) -> milliseconds

    Converts platform-dependent intervals to standard clock milliseconds.
    """
    if backend is None and _default_ms_ticks and type(interval) is int:
        return interval & 0xFFFFFFFF
    value = _args.c_uint_mask(interval)
    tps = _backend(backend).ticks_per_second()
    return (value * 1000 + tps // 2) // tps % _M


def interval_to_microseconds(
    interval: int, *, backend: _Optional[_Backend] = None
) -> int:
    """interval_to_microseconds(interval) -> microseconds

    Converts platform-dependent intervals to standard clock microseconds.
    """
    if backend is None and _default_ms_ticks and type(interval) is int:
        return interval * 1000 & 0xFFFFFFFF
    value = _args.c_uint_mask(interval)
    tps = _backend(backend).ticks_per_second()
    return (value * 1000000 + tps // 2) // tps % _M


# -- byte order ----------------------------------------------------------------

# Bound once: a global read instead of a global and a module attribute (about
# 4 of a 45 ns call).
_htons, _ntohs, _htonl, _ntohl = (
    _socket.htons,
    _socket.ntohs,
    _socket.htonl,
    _socket.ntohl,
)


def htons(value: int) -> int:
    """htons(value) -> int

    16 bit conversion from host to network (the low 16 bits of ``value``).
    """
    if type(value) is int and 0 <= value <= 0xFFFF:
        return _htons(value)
    return _htons(_args.c_int(value) & 0xFFFF)


def ntohs(value: int) -> int:
    """ntohs(value) -> int

    16 bit conversion from network to host (the low 16 bits of ``value``).
    """
    if type(value) is int and 0 <= value <= 0xFFFF:
        return _ntohs(value)
    return _ntohs(_args.c_int(value) & 0xFFFF)


def _uint32(value: int, function: str) -> int:
    number = _args.operator_index(value)
    if not 0 <= number < _M:
        raise OverflowError("%s() argument out of range 0..4294967295" % function)
    return number


# socket.htonl/ntohl return the right answer for every value they accept (an
# int of 0..2**32-1, or on PyPy anything with that __index__), and refuse the
# rest with OverflowError or TypeError in their own words: those are checked
# again by _uint32, which raises python-nss's exception.


def htonl(value: int) -> int:
    """htonl(value) -> int

    32 bit conversion from host to network, unsigned as ``socket.htonl``.
    """
    try:
        return _htonl(value)
    except (OverflowError, TypeError):
        pass  # raised outside the handler: no exception context
    return _htonl(_uint32(value, "htonl"))


def ntohl(value: int) -> int:
    """ntohl(value) -> int

    32 bit conversion from network to host, unsigned as ``socket.ntohl``.
    """
    try:
        return _ntohl(value)
    except (OverflowError, TypeError):
        pass  # raised outside the handler: no exception context
    return _ntohl(_uint32(value, "ntohl"))


# -- names ---------------------------------------------------------------------


def addr_family_name(family: int) -> str:
    """addr_family_name(family) -> string

    Given an address family constant returns the string name.
    """
    return _family_name(_args.c_int(family))


def get_proto_by_name(name: str, *, backend: _Optional[_Backend] = None) -> int:
    """get_proto_by_name(name) -> int

    Returns the protocol number given the protocol's name. Raises NSPRError
    (PR_DIRECTORY_LOOKUP_ERROR) if the lookup fails.
    """
    text = _args.need_str(name, "get_proto_by_name")
    return _backend(backend).get_proto_by_name(text.encode("utf-8"))


def get_proto_by_number(
    number: int, *, backend: _Optional[_Backend] = None
) -> tuple[str, tuple[str, ...]]:
    """get_proto_by_number(number) -> (name, aliases)

    Returns the protocol name and a tuple of aliases given the protocol's
    number. Raises NSPRError (PR_DIRECTORY_LOOKUP_ERROR) if the lookup fails.
    """
    value = _args.c_int(number)
    name, aliases = _backend(backend).get_proto_by_number(value)
    return (
        name.decode("utf-8", "replace"),
        tuple(alias.decode("utf-8", "replace") for alias in aliases),
    )
