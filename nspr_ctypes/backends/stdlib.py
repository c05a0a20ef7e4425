"""The stdlib backend: NSPR's socket primitives emulated on ``socket``/``select``.

For machines without NSPR. Every primitive makes the same system call NSPR
makes, with the same arguments, and reports its failure with the code NSPR's
``unix_errors.c`` gives that ``errno`` for that call (one translation point,
:func:`_translate`; the table is checked against real NSPR by fault injection
in ``tests/unit/test_stdlib_backend.py`` and listed in
``docs/error-mapping.md``). Where NSPR fails without a system call (a method
its descriptor type lacks, a socket family it does not open), the emulation
raises the same code itself.
"""

from __future__ import annotations

import errno as _errno
import os
import select
import socket
import struct
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from nspr_ctypes import constants as C
from nspr_ctypes import error as E
from nspr_ctypes.backends._base import (
    _PASSING_COPIES,
    HostEnt,
    NonBlockingTries,
    OptionValue,
    SockAddr,
    _send_in_windows,
)
from nspr_ctypes.error import NSPRError, nspr_error

__all__ = ["StdlibBackend", "create_backend"]

# -- errno -> PRErrorCode ------------------------------------------------------

# NSPR's _MD_unix_map_default_error (pr/src/md/unix/unix_errors.c), every row
# confirmed on libnspr4 4.35 by making the system call fail with each errno.
# Anything not listed maps to PR_UNKNOWN_ERROR, as in NSPR.
_DEFAULT_MAP: Dict[int, int] = {
    _errno.EPERM: E.PR_NO_ACCESS_RIGHTS_ERROR,
    _errno.ENOENT: E.PR_FILE_NOT_FOUND_ERROR,
    _errno.EIO: E.PR_IO_ERROR,
    _errno.ENXIO: E.PR_FILE_NOT_FOUND_ERROR,
    _errno.EBADF: E.PR_BAD_DESCRIPTOR_ERROR,
    _errno.EAGAIN: E.PR_WOULD_BLOCK_ERROR,
    _errno.EWOULDBLOCK: E.PR_WOULD_BLOCK_ERROR,
    _errno.ENOMEM: E.PR_OUT_OF_MEMORY_ERROR,
    _errno.EACCES: E.PR_NO_ACCESS_RIGHTS_ERROR,
    _errno.EFAULT: E.PR_ACCESS_FAULT_ERROR,
    _errno.EBUSY: E.PR_FILESYSTEM_MOUNTED_ERROR,
    _errno.EEXIST: E.PR_FILE_EXISTS_ERROR,
    _errno.EXDEV: E.PR_NOT_SAME_DEVICE_ERROR,
    _errno.ENODEV: E.PR_FILE_NOT_FOUND_ERROR,
    _errno.ENOTDIR: E.PR_NOT_DIRECTORY_ERROR,
    _errno.EISDIR: E.PR_IS_DIRECTORY_ERROR,
    _errno.EINVAL: E.PR_INVALID_ARGUMENT_ERROR,
    _errno.ENFILE: E.PR_SYS_DESC_TABLE_FULL_ERROR,
    _errno.EMFILE: E.PR_PROC_DESC_TABLE_FULL_ERROR,
    _errno.EFBIG: E.PR_FILE_TOO_BIG_ERROR,
    _errno.ENOSPC: E.PR_NO_DEVICE_SPACE_ERROR,
    _errno.ESPIPE: E.PR_INVALID_METHOD_ERROR,
    _errno.EROFS: E.PR_READ_ONLY_FILESYSTEM_ERROR,
    _errno.EMLINK: E.PR_MAX_DIRECTORY_ENTRIES_ERROR,
    _errno.EPIPE: E.PR_CONNECT_RESET_ERROR,
    _errno.ERANGE: E.PR_INVALID_METHOD_ERROR,
    _errno.EDEADLK: E.PR_DEADLOCK_ERROR,
    _errno.ENAMETOOLONG: E.PR_NAME_TOO_LONG_ERROR,
    _errno.ENOLCK: E.PR_FILE_IS_LOCKED_ERROR,
    _errno.ENOSYS: E.PR_NOT_IMPLEMENTED_ERROR,
    _errno.ELOOP: E.PR_LOOP_ERROR,
    _errno.ENOTSOCK: E.PR_NOT_SOCKET_ERROR,
    _errno.EMSGSIZE: E.PR_INVALID_ARGUMENT_ERROR,
    _errno.EPROTOTYPE: E.PR_ADDRESS_NOT_SUPPORTED_ERROR,
    _errno.ENOPROTOOPT: E.PR_INVALID_ARGUMENT_ERROR,
    _errno.EPROTONOSUPPORT: E.PR_PROTOCOL_NOT_SUPPORTED_ERROR,
    _errno.EOPNOTSUPP: E.PR_NOT_TCP_SOCKET_ERROR,
    _errno.EAFNOSUPPORT: E.PR_ADDRESS_NOT_SUPPORTED_ERROR,
    _errno.EADDRINUSE: E.PR_ADDRESS_IN_USE_ERROR,
    _errno.EADDRNOTAVAIL: E.PR_ADDRESS_NOT_AVAILABLE_ERROR,
    _errno.ENETUNREACH: E.PR_NETWORK_UNREACHABLE_ERROR,
    _errno.ECONNABORTED: E.PR_CONNECT_ABORTED_ERROR,
    _errno.ECONNRESET: E.PR_CONNECT_RESET_ERROR,
    _errno.ENOBUFS: E.PR_INSUFFICIENT_RESOURCES_ERROR,
    _errno.EISCONN: E.PR_IS_CONNECTED_ERROR,
    _errno.ENOTCONN: E.PR_NOT_CONNECTED_ERROR,
    _errno.ETIMEDOUT: E.PR_IO_TIMEOUT_ERROR,
    _errno.ECONNREFUSED: E.PR_CONNECT_REFUSED_ERROR,
    _errno.EHOSTDOWN: E.PR_HOST_UNREACHABLE_ERROR,
    _errno.EHOSTUNREACH: E.PR_HOST_UNREACHABLE_ERROR,
    _errno.EALREADY: E.PR_ALREADY_INITIATED_ERROR,
    _errno.EINPROGRESS: E.PR_IN_PROGRESS_ERROR,
    _errno.EINTR: E.PR_PENDING_INTERRUPT_ERROR,
}
# Linux-only errno names, looked up so the module imports everywhere.
for _name, _code in (
    ("ENOSR", E.PR_INSUFFICIENT_RESOURCES_ERROR),
    ("ENOLINK", E.PR_REMOTE_FILE_ERROR),
    ("EMULTIHOP", E.PR_REMOTE_FILE_ERROR),
    ("EPROTO", E.PR_IO_ERROR),
    ("EBADMSG", E.PR_IO_ERROR),
    ("EOVERFLOW", E.PR_BUFFER_OVERFLOW_ERROR),
    ("EDQUOT", E.PR_NO_DEVICE_SPACE_ERROR),
):
    if hasattr(_errno, _name):
        _DEFAULT_MAP[getattr(_errno, _name)] = _code

# NSPR's call-specific _MD_unix_map_<call>_error overrides.
_OVERRIDES: Dict[str, Dict[int, int]] = {
    "bind": {_errno.EINVAL: E.PR_SOCKET_ADDRESS_IS_BOUND_ERROR},
    "connect": {_errno.ENXIO: E.PR_IO_ERROR},
    "accept": {_errno.ENODEV: E.PR_NOT_TCP_SOCKET_ERROR},
    "socket": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "socketpair": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "getsockname": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "getpeername": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "getsockopt": {
        _errno.EINVAL: E.PR_BUFFER_OVERFLOW_ERROR,
        _errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR,
    },
    "setsockopt": {
        _errno.EINVAL: E.PR_BUFFER_OVERFLOW_ERROR,
        _errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR,
    },
    "poll": {_errno.EAGAIN: E.PR_INSUFFICIENT_RESOURCES_ERROR},
}

#: The system calls whose errors are translated (each uses the default table
#: plus its overrides).
CALLS: Tuple[str, ...] = (
    "socket",
    "socketpair",
    "close",
    "bind",
    "listen",
    "connect",
    "accept",
    "recv",
    "send",
    "recvfrom",
    "sendto",
    "shutdown",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "poll",
)

_MAPS: Dict[str, Dict[int, int]] = {
    call: {**_DEFAULT_MAP, **_OVERRIDES.get(call, {})} for call in CALLS
}


def _translate(call: str, errnum: Optional[int]) -> int:
    """The ``PR_*_ERROR`` code NSPR reports when ``call`` fails with ``errnum``."""
    if errnum is None:
        return E.PR_UNKNOWN_ERROR
    return _MAPS[call].get(errnum, E.PR_UNKNOWN_ERROR)


def _os_error(call: str, exc: OSError) -> NSPRError:
    """The one translation point from an ``OSError`` to an ``NSPRError``."""
    return nspr_error(_translate(call, exc.errno))


def _errno_error(call: str, errnum: int) -> NSPRError:
    return nspr_error(_translate(call, errnum))


_WOULD_BLOCK = frozenset((_errno.EAGAIN, _errno.EWOULDBLOCK))


def _raise_unless_would_block(call: str, exc: OSError) -> None:
    """Return for a would-block (EAGAIN), else raise the translated error.

    Python's BlockingIOError also covers EINPROGRESS and EALREADY, which NSPR
    reports as errors, hence the errno test.
    """
    if exc.errno not in _WOULD_BLOCK:
        raise _os_error(call, exc) from None


# -- handles -----------------------------------------------------------------


class _Handle:
    """One socket: the stdlib object (non-blocking), its fd and NSPR type."""

    __slots__ = ("__weakref__", "desc_type", "family", "fd", "sock")

    def __init__(self, sock: socket.socket, desc_type: int) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        self.family = int(sock.family)
        self.desc_type = desc_type

    def __repr__(self) -> str:
        return "<stdlib socket handle fd=%d>" % self.fd


_PR_TO_AF: Dict[int, int] = {
    C.PR_AF_INET: socket.AF_INET,
    C.PR_AF_INET6: socket.AF_INET6,
    C.PR_AF_LOCAL: socket.AF_UNIX,
}
_AF_TO_PR: Dict[int, int] = {af: pr for pr, af in _PR_TO_AF.items()}

_MSG_FASTOPEN: int = getattr(socket, "MSG_FASTOPEN", 0x20000000)


def _adopt(sock: socket.socket, desc_type: int, inheritable: bool) -> _Handle:
    # NSPR sockets are O_NONBLOCK at the OS level and, unlike Python's, not
    # close-on-exec (imported fds keep whatever flag they had).
    sock.setblocking(False)
    if inheritable:
        os.set_inheritable(sock.fileno(), True)
    return _Handle(sock, desc_type)


# -- addresses ---------------------------------------------------------------

_Address = Union[Tuple[Any, ...], str, bytes]


def _from_python(family: int, addr: Any) -> SockAddr:
    """A stdlib socket address as a SockAddr."""
    if family == socket.AF_INET:
        return SockAddr(C.PR_AF_INET, socket.inet_aton(addr[0]), addr[1])
    if family == socket.AF_INET6:
        host = addr[0].partition("%")[0]
        return SockAddr(
            C.PR_AF_INET6,
            socket.inet_pton(socket.AF_INET6, host),
            addr[1],
            addr[2],
            addr[3],
        )
    if family == socket.AF_UNIX:
        if addr is None:
            return SockAddr(C.PR_AF_LOCAL, b"", 0)
        path = addr if isinstance(addr, bytes) else os.fsencode(addr)
        return SockAddr(C.PR_AF_LOCAL, path, 0)
    return SockAddr(C.PR_AF_UNSPEC, b"", 0)


def _to_python(addr: SockAddr) -> _Address:
    """A SockAddr as the stdlib address of its own family."""
    if addr.family == C.PR_AF_INET:
        return (socket.inet_ntoa(addr.addr), addr.port)
    if addr.family == C.PR_AF_INET6:
        return (
            socket.inet_ntop(socket.AF_INET6, addr.addr),
            addr.port,
            addr.flowinfo & 0xFFFFF,  # the stdlib refuses wider values
            addr.scope_id,
        )
    return addr.addr


# The kernel's answer when NSPR hands a sockaddr of another family to the
# socket's call (``io`` lets that through when ``Socket.family`` was changed);
# the stdlib cannot build such a call, so the errno is given here. Probed on
# Linux with NSPR (``test_family_mismatch_*``).
def _mismatch_errno(h: _Handle) -> int:
    if h.family == socket.AF_UNIX:
        return _errno.EINVAL
    if h.family == socket.AF_INET:
        return _errno.EAFNOSUPPORT
    return _errno.EINVAL  # AF_INET6 socket, 16-byte sockaddr_in: too short


def _address_for(h: _Handle, addr: SockAddr, call: str) -> _Address:
    family = _PR_TO_AF.get(addr.family)
    if family == h.family:
        return _to_python(addr)
    raise _errno_error(call, _mismatch_errno(h))


# -- socket options ----------------------------------------------------------

_FLAG, _INT, _BYTE, _BYTEFLAG, _LINGER, _INADDR, _MREQ = range(7)

# option -> (level, name, kind), as NSPR's _PR_MapOptionName and ptio.c's
# pt_Get/SetSocketOption pass them to the kernel.
_OPTIONS: Dict[int, Tuple[int, int, int]] = {
    C.PR_SockOpt_Linger: (socket.SOL_SOCKET, socket.SO_LINGER, _LINGER),
    C.PR_SockOpt_Reuseaddr: (socket.SOL_SOCKET, socket.SO_REUSEADDR, _FLAG),
    C.PR_SockOpt_Keepalive: (socket.SOL_SOCKET, socket.SO_KEEPALIVE, _FLAG),
    C.PR_SockOpt_RecvBufferSize: (socket.SOL_SOCKET, socket.SO_RCVBUF, _INT),
    C.PR_SockOpt_SendBufferSize: (socket.SOL_SOCKET, socket.SO_SNDBUF, _INT),
    C.PR_SockOpt_IpTimeToLive: (socket.IPPROTO_IP, socket.IP_TTL, _INT),
    C.PR_SockOpt_IpTypeOfService: (socket.IPPROTO_IP, socket.IP_TOS, _INT),
    C.PR_SockOpt_AddMember: (socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, _MREQ),
    C.PR_SockOpt_DropMember: (socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, _MREQ),
    C.PR_SockOpt_McastInterface: (
        socket.IPPROTO_IP,
        socket.IP_MULTICAST_IF,
        _INADDR,
    ),
    # NSPR passes these two as a single byte (PRUint8).
    C.PR_SockOpt_McastTimeToLive: (
        socket.IPPROTO_IP,
        socket.IP_MULTICAST_TTL,
        _BYTE,
    ),
    C.PR_SockOpt_McastLoopback: (
        socket.IPPROTO_IP,
        socket.IP_MULTICAST_LOOP,
        _BYTEFLAG,
    ),
    C.PR_SockOpt_NoDelay: (socket.IPPROTO_TCP, socket.TCP_NODELAY, _FLAG),
    C.PR_SockOpt_MaxSegment: (socket.IPPROTO_TCP, socket.TCP_MAXSEG, _INT),
    C.PR_SockOpt_Broadcast: (socket.SOL_SOCKET, socket.SO_BROADCAST, _FLAG),
}

_LINGER_STRUCT = struct.Struct("ii")


def _c_int(value: int) -> int:
    """``value`` cast to a C ``int`` (NSPR stores sizes and TTLs in one)."""
    return (value + 2**31) % 2**32 - 2**31


def _inaddr(addr: SockAddr) -> bytes:
    if addr.family != C.PR_AF_INET:
        # NSPR would read 4 bytes of another layout here; refuse instead.
        raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
    return addr.addr


# -- poll --------------------------------------------------------------------

_POLLIN = select.POLLIN
_POLLOUT = select.POLLOUT
_POLLPRI = select.POLLPRI
_POLLERR = select.POLLERR
_POLLHUP = select.POLLHUP
_POLLNVAL = select.POLLNVAL

# PR_POLL_READ/WRITE/EXCEPT (the low three bits) -> poll(2) events.
_EVENTS: Tuple[int, ...] = tuple(
    (_POLLIN if bits & C.PR_POLL_READ else 0)
    | (_POLLOUT if bits & C.PR_POLL_WRITE else 0)
    | (_POLLPRI if bits & C.PR_POLL_EXCEPT else 0)
    for bits in range(8)
)


def _out_flags(in_flags: int, revents: int) -> int:
    """PR_Poll's out_flags for one entry (NSPR's _pr_poll_with_poll)."""
    if revents & _POLLNVAL:
        return C.PR_POLL_NVAL
    out = 0
    if revents & _POLLIN and in_flags & C.PR_POLL_READ:
        out |= C.PR_POLL_READ
    if revents & _POLLOUT and in_flags & C.PR_POLL_WRITE:
        out |= C.PR_POLL_WRITE
    if revents & _POLLPRI and in_flags & C.PR_POLL_EXCEPT:
        out |= C.PR_POLL_EXCEPT
    if revents & _POLLERR:
        out |= C.PR_POLL_ERR
    if revents & _POLLHUP:
        out |= C.PR_POLL_HUP
    return out


_MAX_POLL_MS = 2**31 - 1

# -- protocols ---------------------------------------------------------------

_PROTOCOLS_FILE = "/etc/protocols"


def _protocol_entries() -> List[Tuple[bytes, int, Tuple[bytes, ...]]]:
    """``(name, number, aliases)`` of each line of /etc/protocols, in order."""
    entries: List[Tuple[bytes, int, Tuple[bytes, ...]]] = []
    try:
        with open(_PROTOCOLS_FILE, "rb") as f:
            lines = f.read().splitlines()
    except OSError:
        return entries
    for line in lines:
        fields = line.split(b"#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            number = int(fields[1])
        except ValueError:
            continue
        entries.append((fields[0], number, tuple(fields[2:])))
    return entries


# -- the backend -------------------------------------------------------------

# NSPR's PR_TicksPerSecond() on Linux (pthreads build, _PR_UNIX_TicksPerSecond:
# CLOCK_MONOTONIC in milliseconds) is 1000; checked against libnspr4 by the
# tests. interval_now below counts in the same unit.
_TICKS_PER_SECOND = 1000

_LOCALHOST_NAMES = frozenset(
    (b"localhost", b"localhost.localdomain", b"localhost6", b"localhost6.localdomain6")
)


class StdlibBackend(NonBlockingTries):
    """NSPR's primitives on the standard library (no NSPR needed)."""

    name = "stdlib"
    library_path = None
    version = None

    def __init__(self) -> None:
        # Per thread: the last poll's registrations and its select.poll.
        self._tls = threading.local()
        # Asked, not assumed: a subclass may count other ticks.
        self._millisecond_ticks = self.ticks_per_second() == 1000

    # -- sockets --------------------------------------------------------------

    def open_socket(self, family: int, desc_type: int) -> _Handle:
        """PR_OpenTCPSocket / PR_OpenUDPSocket."""
        af = _PR_TO_AF.get(family)
        if af is None:  # NSPR refuses other families before any system call
            raise nspr_error(E.PR_ADDRESS_NOT_SUPPORTED_ERROR)
        kind = (
            socket.SOCK_STREAM
            if desc_type == C.PR_DESC_SOCKET_TCP
            else socket.SOCK_DGRAM
        )
        try:
            sock = socket.socket(af, kind, 0)
        except OSError as exc:
            raise _os_error("socket", exc) from None
        return _adopt(sock, desc_type, True)

    def close(self, handle: _Handle) -> None:
        """PR_Close."""
        try:
            handle.sock.close()
        except OSError as exc:
            raise _os_error("close", exc) from None

    def fileno(self, handle: _Handle) -> int:
        """The OS file descriptor."""
        fd: int = handle.fd
        return fd

    def desc_type(self, handle: _Handle) -> int:
        """PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP."""
        kind: int = handle.desc_type
        return kind

    def bind(self, handle: _Handle, addr: SockAddr) -> None:
        """PR_Bind."""
        target = _address_for(handle, addr, "bind")
        try:
            handle.sock.bind(target)
        except OSError as exc:
            raise _os_error("bind", exc) from None

    def listen(self, handle: _Handle, backlog: int) -> None:
        """PR_Listen."""
        # The stdlib turns a negative backlog into 0, NSPR passes it on and
        # the kernel reads it unsigned (so: somaxconn); INT_MAX gets the same.
        if backlog < 0:
            backlog = 2**31 - 1
        try:
            handle.sock.listen(backlog)
        except OSError as exc:
            raise _os_error("listen", exc) from None

    def _try_connect(self, handle: _Handle, addr: SockAddr) -> bool:
        """PR_Connect on a non-blocking socket."""
        target = _address_for(handle, addr, "connect")
        try:
            err = handle.sock.connect_ex(target)
        except OSError as exc:
            raise _os_error("connect", exc) from None
        if err == 0:
            return True
        if err == _errno.EINPROGRESS:
            return False
        # EAGAIN (a full AF_UNIX backlog) did not start a connection, so it
        # cannot be reported as "in progress": NSPR raises WOULD_BLOCK too.
        raise _errno_error("connect", err)

    def connect_error(self, handle: _Handle) -> None:
        """PR_ConnectContinue: the error the OS holds (SO_ERROR), if any."""
        try:
            err = handle.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        except OSError as exc:
            raise _os_error("connect", exc) from None
        if err:
            raise _errno_error("connect", err)

    def _try_accept(self, handle: _Handle) -> Optional[Tuple[_Handle, SockAddr]]:
        """PR_Accept, non-blocking."""
        if handle.desc_type != C.PR_DESC_SOCKET_TCP:
            # A UDP PRFileDesc has no accept method.
            raise nspr_error(E.PR_INVALID_METHOD_ERROR)
        sock = handle.sock
        try:
            fd, peer = sock._accept()  # type: ignore[attr-defined]
        except OSError as exc:
            _raise_unless_would_block("accept", exc)
            return None
        new = socket.socket(sock.family, sock.type, sock.proto, fileno=fd)
        return _adopt(new, C.PR_DESC_SOCKET_TCP, True), _from_python(sock.family, peer)

    def _try_recv(self, handle: _Handle, amount: int) -> Optional[bytes]:
        """PR_Recv, non-blocking."""
        try:
            if amount == 0:
                # socket.recv(0) answers b'' without asking the OS; NSPR asks it,
                # so it waits for data (and a UDP socket drops a datagram).
                handle.sock.recvmsg(0)
                return b""
            data: bytes = handle.sock.recv(amount)
        except OSError as exc:
            _raise_unless_would_block("recv", exc)
            return None
        return data

    def _try_send_at(
        self, handle: _Handle, data: Union[bytes, memoryview], offset: int
    ) -> Optional[int]:
        """PR_Send of ``data[offset:]``, non-blocking. The send loop's
        primitive: its first try (offset 0) is one call to the socket. On
        PyPy, where ``socket.send`` copies a memoryview slice whole, a resumed
        send goes a window at a time."""
        if offset:
            view = memoryview(data)
            if _PASSING_COPIES:
                return _send_in_windows(
                    lambda start, size: self._try_send_at(
                        handle, view[start : start + size], 0
                    ),
                    len(data),
                    offset,
                )
            data = view[offset:]
        try:
            sent: int = handle.sock.send(data)
        except OSError as exc:
            _raise_unless_would_block("send", exc)
            return None
        return sent

    def _try_recv_from(
        self, handle: _Handle, amount: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """PR_RecvFrom, non-blocking."""
        if handle.desc_type != C.PR_DESC_SOCKET_UDP:
            # NSPR's TCP methods have no recvfrom.
            raise nspr_error(E.PR_INVALID_METHOD_ERROR)
        try:
            data, peer = handle.sock.recvfrom(amount)
        except OSError as exc:
            _raise_unless_would_block("recvfrom", exc)
            return None
        return data, _from_python(handle.family, peer)

    def _try_send_to(
        self, handle: _Handle, data: Union[bytes, memoryview], addr: SockAddr
    ) -> Optional[int]:
        """PR_SendTo, non-blocking."""
        sock = handle.sock
        family = _PR_TO_AF.get(addr.family)
        try:
            if handle.desc_type == C.PR_DESC_SOCKET_TCP:
                # NSPR's TCP sendto on Linux is TCP Fast Open: sendto with
                # MSG_FASTOPEN, which may start a connection.
                if family != handle.family:
                    return self._stream_send_to_other_family(handle, data)
                sent: int = sock.sendto(data, _MSG_FASTOPEN, _to_python(addr))
                return sent
            if family != handle.family:
                if handle.family == socket.AF_INET6 and family == socket.AF_INET:
                    # The kernel sends a sockaddr_in given to a dual-stack
                    # UDPv6 socket as IPv4; the mapped address does the same.
                    v6 = SockAddr(
                        C.PR_AF_INET6, b"\0" * 10 + b"\xff\xff" + addr.addr, addr.port
                    )
                    sent = sock.sendto(data, _to_python(v6))
                    return sent
                raise _errno_error("sendto", _mismatch_errno(handle))
            sent = sock.sendto(data, _to_python(addr))
            return sent
        except OSError as exc:
            # A Fast Open sendto that starts a connection fails EINPROGRESS
            # (PR_IN_PROGRESS_ERROR), which is not a would-block.
            _raise_unless_would_block("sendto", exc)
            return None

    def _stream_send_to_other_family(
        self, handle: _Handle, data: Union[bytes, memoryview]
    ) -> Optional[int]:
        # What the kernel does with a sockaddr of another family on a stream
        # socket: AF_UNIX refuses any address (EISCONN when connected, else
        # EOPNOTSUPP); a connected TCP socket ignores it; an unconnected one
        # tries the Fast Open connect, which refuses the family as connect does.
        connected = True
        try:
            handle.sock.getpeername()
        except OSError:
            connected = False
        if handle.family == socket.AF_UNIX:
            raise _errno_error(
                "sendto", _errno.EISCONN if connected else _errno.EOPNOTSUPP
            )
        if not connected:
            raise _errno_error("sendto", _mismatch_errno(handle))
        sent: int = handle.sock.send(data, _MSG_FASTOPEN)
        return sent

    def shutdown(self, handle: _Handle, how: int) -> None:
        """PR_Shutdown."""
        try:
            handle.sock.shutdown(how)
        except OSError as exc:
            raise _os_error("shutdown", exc) from None

    def get_sock_name(self, handle: _Handle) -> SockAddr:
        """PR_GetSockName."""
        try:
            name = handle.sock.getsockname()
        except OSError as exc:
            raise _os_error("getsockname", exc) from None
        return _from_python(handle.family, name)

    def get_peer_name(self, handle: _Handle) -> SockAddr:
        """PR_GetPeerName."""
        try:
            name = handle.sock.getpeername()
        except OSError as exc:
            raise _os_error("getpeername", exc) from None
        return _from_python(handle.family, name)

    def get_option(self, handle: _Handle, option: int) -> OptionValue:
        """PR_GetSocketOption, with NSPR's conversions."""
        spec = _OPTIONS.get(option)
        if spec is None:
            raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
        level, name, kind = spec
        sock = handle.sock
        try:
            if kind == _MREQ:
                # NSPR makes the call (the kernel refuses it: ENOPROTOOPT, or
                # EOPNOTSUPP on a local socket) and has no value to return.
                sock.getsockopt(level, name, 8)
                raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
            if kind == _FLAG:
                return sock.getsockopt(level, name) != 0
            if kind == _INT:
                value: int = sock.getsockopt(level, name)
                return value
            if kind == _LINGER:
                onoff, seconds = _LINGER_STRUCT.unpack(
                    sock.getsockopt(level, name, _LINGER_STRUCT.size)
                )
                # PR_SecondsToInterval: a 32-bit multiply.
                return onoff != 0, (seconds * _TICKS_PER_SECOND) & 0xFFFFFFFF
            raw: bytes = sock.getsockopt(level, name, 4 if kind == _INADDR else 1)
        except OSError as exc:
            raise _os_error("getsockopt", exc) from None
        if kind == _INADDR:
            return SockAddr(C.PR_AF_INET, raw.ljust(4, b"\0")[:4], 0)
        byte = raw[0] if raw else 0
        return byte != 0 if kind == _BYTEFLAG else byte

    def set_option(self, handle: _Handle, option: int, value: OptionValue) -> None:
        """PR_SetSocketOption, with NSPR's conversions."""
        spec = _OPTIONS.get(option)
        if spec is None:
            raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
        level, name, kind = spec
        arg: Union[int, bytes]
        if kind == _FLAG:
            arg = 1 if value else 0
        elif kind == _INT:
            assert isinstance(value, int)
            arg = _c_int(value)
        elif kind == _BYTE:
            assert isinstance(value, int)
            arg = bytes((value & 0xFF,))
        elif kind == _BYTEFLAG:
            arg = b"\x01" if value else b"\x00"
        elif kind == _LINGER:
            assert isinstance(value, tuple) and not isinstance(value, SockAddr)
            polarity, interval = value
            assert isinstance(interval, int)
            # PR_IntervalToSeconds truncates: 1500 ticks linger 1 s.
            seconds = (interval & 0xFFFFFFFF) // _TICKS_PER_SECOND
            arg = _LINGER_STRUCT.pack(1 if polarity else 0, seconds)
        elif kind == _INADDR:
            assert isinstance(value, SockAddr)
            arg = _inaddr(value)
        else:
            assert isinstance(value, tuple) and not isinstance(value, SockAddr)
            group, interface = value
            assert isinstance(group, SockAddr) and isinstance(interface, SockAddr)
            arg = _inaddr(group) + _inaddr(interface)  # struct ip_mreq
        try:
            handle.sock.setsockopt(level, name, arg)
        except OSError as exc:
            raise _os_error("setsockopt", exc) from None

    def poll(
        self, entries: Sequence[Tuple[Optional[_Handle], int]], timeout: int
    ) -> Tuple[int, List[int]]:
        """PR_Poll: one poll(2) over the entries, flags translated as NSPR does."""
        ms = min(timeout * 1000 // _TICKS_PER_SECOND, _MAX_POLL_MS)
        if not entries:
            # PR_Poll with no descriptors is PR_Sleep(timeout).
            time.sleep(ms / 1000.0)
            return 0, []
        events: Dict[int, int] = {}
        for handle, flags in entries:
            if handle is not None and flags:
                fd = handle.fd
                events[fd] = events.get(fd, 0) | _EVENTS[flags & 7]
        # The same descriptors and events as this thread's last poll (a poll
        # loop) reuse its select.poll: registering costs more than comparing.
        # It is lent out while in use, so a signal handler polling on this
        # thread meanwhile makes its own.
        tls = self._tls
        last: Optional[Tuple[Dict[int, int], Any]] = getattr(tls, "poller", None)
        tls.poller = None
        if last is not None and last[0] == events:
            poller = last[1]
        else:
            poller = select.poll()
            for fd, mask in events.items():
                poller.register(fd, mask)
        try:
            ready = poller.poll(ms)
        except OSError as exc:
            raise _os_error("poll", exc) from None
        tls.poller = (events, poller)
        if not ready:
            return 0, [0] * len(entries)
        revents = dict(ready)
        # One pollfd per entry in NSPR: an entry sees only the events it asked
        # for, plus ERR/HUP/NVAL; the count is of entries with any flag.
        out = [
            _out_flags(flags, revents[handle.fd])
            if handle is not None and flags and handle.fd in revents
            else 0
            for handle, flags in entries
        ]
        return len(out) - out.count(0), out

    def new_tcp_pair(self) -> Tuple[_Handle, _Handle]:
        """PR_NewTCPSocketPair: socketpair(AF_UNIX, SOCK_STREAM) on Unix."""
        try:
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError as exc:
            raise _os_error("socketpair", exc) from None
        return (
            _adopt(a, C.PR_DESC_SOCKET_TCP, True),
            _adopt(b, C.PR_DESC_SOCKET_TCP, True),
        )

    def import_tcp_socket(self, osfd: int) -> _Handle:
        """PR_ImportTCPSocket: own ``osfd`` and make it O_NONBLOCK."""
        try:
            sock = socket.socket(fileno=osfd)
        except OSError as exc:
            raise _os_error("getsockname", exc) from None
        # PR_ImportTCPSocket leaves close-on-exec as it was.
        return _adopt(sock, C.PR_DESC_SOCKET_TCP, False)

    # -- lookups --------------------------------------------------------------

    def get_addr_info(
        self, host: bytes, family: int, flags: int
    ) -> Tuple[Optional[bytes], List[SockAddr]]:
        """PR_GetAddrInfoByName: getaddrinfo with NSPR's hints."""
        ai_flags = 0 if flags & C.PR_AI_NOCANONNAME else socket.AI_CANONNAME
        # NSPR drops AI_ADDRCONFIG for the localhost names, so that they still
        # resolve on a host with loopback only.
        if flags & C.PR_AI_ADDRCONFIG and host not in _LOCALHOST_NAMES:
            ai_flags |= socket.AI_ADDRCONFIG
        af = socket.AF_INET if family == C.PR_AF_INET else socket.AF_UNSPEC
        try:
            results = socket.getaddrinfo(
                host, None, af, socket.SOCK_STREAM, 0, ai_flags
            )
        except (OSError, UnicodeError, ValueError):
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR) from None
        addresses = [
            _from_python(res_family, sockaddr)
            for res_family, _type, _proto, _canon, sockaddr in results
            if res_family in (socket.AF_INET, socket.AF_INET6)
        ]
        canonical: Optional[bytes] = None
        if not flags & C.PR_AI_NOCANONNAME and results and results[0][3]:
            canonical = results[0][3].encode("utf-8", "surrogateescape")
        return canonical, addresses

    def get_host_by_name(self, name: bytes) -> HostEnt:
        """PR_GetHostByName: gethostbyname_r (IPv4)."""
        # gethostbyname_ex takes str on every interpreter (PyPy refuses
        # bytes) and idna-encodes it, which leaves an ASCII name as it is: the
        # bytes NSPR would hand gethostbyname_r. nspr_ctypes's own names are
        # idna-encoded, so ASCII; others, and names with NUL (a C string
        # would end there), are not found, as NSPR does not find them.
        if b"\0" in name:
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR)
        try:
            text = name.decode("ascii")
            hostname, aliases, addresses = socket.gethostbyname_ex(text)
        except (OSError, UnicodeError, ValueError):
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR) from None
        return HostEnt(
            hostname.encode("utf-8", "surrogateescape"),
            tuple(a.encode("utf-8", "surrogateescape") for a in aliases),
            C.PR_AF_INET,
            tuple(socket.inet_aton(a) for a in addresses),
        )

    def get_host_by_addr(self, addr: SockAddr) -> HostEnt:
        """PR_GetHostByAddr: gethostbyaddr_r for the address's family."""
        if addr.family == C.PR_AF_INET:
            af, text = socket.AF_INET, socket.inet_ntoa(addr.addr)
        elif addr.family == C.PR_AF_INET6:
            af, text = socket.AF_INET6, socket.inet_ntop(socket.AF_INET6, addr.addr)
        else:
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR)
        try:
            hostname, aliases, addresses = socket.gethostbyaddr(text)
        except (OSError, UnicodeError, ValueError):
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR) from None
        return HostEnt(
            hostname.encode("utf-8", "surrogateescape"),
            tuple(a.encode("utf-8", "surrogateescape") for a in aliases),
            _AF_TO_PR[af],
            tuple(socket.inet_pton(af, a.partition("%")[0]) for a in addresses),
        )

    def get_proto_by_name(self, name: bytes) -> int:
        """getprotobyname; an unknown name is PR_DIRECTORY_LOOKUP_ERROR."""
        try:
            return socket.getprotobyname(name.decode("utf-8"))
        except (OSError, UnicodeError, ValueError):
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR) from None

    def get_proto_by_number(self, number: int) -> Tuple[bytes, Tuple[bytes, ...]]:
        """The first /etc/protocols entry of ``number`` (the stdlib has no
        getprotobynumber); an unknown number is PR_DIRECTORY_LOOKUP_ERROR."""
        for name, value, aliases in _protocol_entries():
            if value == number:
                return name, aliases
        raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR)

    # -- time -----------------------------------------------------------------

    def ticks_per_second(self) -> int:
        """PR_TicksPerSecond(): 1000, as NSPR reports on Linux."""
        return _TICKS_PER_SECOND

    def interval_now(self) -> int:
        """PR_IntervalNow(): CLOCK_MONOTONIC in ms, mod 2**32 (NSPR's formula:
        ``tv_sec * 1000 + tv_nsec // 1000000`` in 32 bits)."""
        return (time.monotonic_ns() // 1_000_000) & 0xFFFFFFFF


def create_backend(
    library: Optional[str] = None, min_version: Optional[str] = None
) -> StdlibBackend:
    """The registry's factory. The stdlib backend loads no library, so
    ``library`` must be None; ``min_version`` does not apply and is ignored."""
    if library is not None:
        raise ValueError(
            "the stdlib backend uses no NSPR library; library=%r does not apply"
            % (library,)
        )
    return StdlibBackend()


if sys.platform == "win32":  # pragma: no cover - the emulation is POSIX only
    raise ImportError("the stdlib backend needs select.poll (POSIX)")
