"""The NSPR backend: the primitives of :class:`Backend` on a real libnspr4.

Every socket is NSPR-nonblocking from the moment it exists, so no call ever
blocks in C; :mod:`nspr_ctypes.io` builds the blocking behaviour on top.
"""

from __future__ import annotations

import ctypes
import socket
import struct
import threading
from ctypes import addressof, byref, c_char, c_char_p, c_void_p, create_string_buffer
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union, cast

from nspr_ctypes.backends import _nspr_ffi as ffi
from nspr_ctypes.backends._base import (
    _PASSING_COPIES,
    HostEnt,
    NonBlockingTries,
    OptionValue,
    SockAddr,
    _send_in_windows,
)
from nspr_ctypes.constants import (
    PR_AF_INET,
    PR_AF_INET6,
    PR_AF_LOCAL,
    PR_AI_NOCANONNAME,
    PR_DESC_SOCKET_TCP,
    PR_DESC_SOCKET_UDP,
    PR_POLL_WRITE,
    PR_SockOpt_AddMember,
    PR_SockOpt_Broadcast,
    PR_SockOpt_DropMember,
    PR_SockOpt_IpTimeToLive,
    PR_SockOpt_IpTypeOfService,
    PR_SockOpt_Keepalive,
    PR_SockOpt_Linger,
    PR_SockOpt_MaxSegment,
    PR_SockOpt_McastInterface,
    PR_SockOpt_McastLoopback,
    PR_SockOpt_McastTimeToLive,
    PR_SockOpt_NoDelay,
    PR_SockOpt_Nonblocking,
    PR_SockOpt_RecvBufferSize,
    PR_SockOpt_Reuseaddr,
    PR_SockOpt_SendBufferSize,
)
from nspr_ctypes.error import (
    PR_BAD_DESCRIPTOR_ERROR,
    PR_DIRECTORY_LOOKUP_ERROR,
    PR_IN_PROGRESS_ERROR,
    PR_INVALID_ARGUMENT_ERROR,
    PR_WOULD_BLOCK_ERROR,
    NSPRError,
    nspr_error,
)

__all__ = ["NSPRBackend", "NSPRHandle", "create_backend"]

_INT32_MAX = 2**31 - 1
#: One recv never asks for more than this: the buffer is kept per socket.
_RECV_CAP = 1 << 20
_RECV_MIN = 1024
#: CPython's ctypes hands C the storage of a bytes object itself (no copy; the
#: object cannot move). PyPy's copies a bytes argument byte by byte (about
#: 35 ms per MiB), so there the bytes to send are first copied into a C array
#: with one memcpy, a window at a time (_base._send_in_windows).
_BYTES_SHARED_WITH_C = not _PASSING_COPIES
#: Option numbers of NSPR newer than python-nss's table (both PRBool).
_SOCKOPT_REUSEPORT = 16
_SOCKOPT_DONTFRAG = 17

_BOOL, _SIZE, _UINT, _LINGER, _MCAST_IF, _MREQ = range(6)
_OPTION_KINDS: Dict[int, int] = {
    PR_SockOpt_Nonblocking: _BOOL,
    PR_SockOpt_Linger: _LINGER,
    PR_SockOpt_Reuseaddr: _BOOL,
    PR_SockOpt_Keepalive: _BOOL,
    PR_SockOpt_RecvBufferSize: _SIZE,
    PR_SockOpt_SendBufferSize: _SIZE,
    PR_SockOpt_IpTimeToLive: _UINT,
    PR_SockOpt_IpTypeOfService: _UINT,
    PR_SockOpt_AddMember: _MREQ,
    PR_SockOpt_DropMember: _MREQ,
    PR_SockOpt_McastInterface: _MCAST_IF,
    PR_SockOpt_McastTimeToLive: _UINT,
    PR_SockOpt_McastLoopback: _BOOL,
    PR_SockOpt_NoDelay: _BOOL,
    PR_SockOpt_MaxSegment: _SIZE,
    PR_SockOpt_Broadcast: _BOOL,
    _SOCKOPT_REUSEPORT: _BOOL,
    _SOCKOPT_DONTFRAG: _BOOL,
}

_U16 = struct.Struct("=H")
_NET_U16 = struct.Struct("!H")
_NET_U32 = struct.Struct("!I")
_U32 = struct.Struct("=I")
_POINTER = struct.Struct("@P")
_POLL_ENTRY = "Phh4x"  # one PRPollDesc, native alignment
_POLL_CACHE_MAX = 16  # PRPollDesc array sizes kept per thread


class _PollArrays:
    """A ``PRPollDesc`` array of one size, kept per thread and reused (building
    one costs about ten times what filling it does)."""

    __slots__ = ("descs", "fields", "layout", "out_flags", "raw")

    def __init__(self, count: int) -> None:
        self.layout = struct.Struct("@" + _POLL_ENTRY * count)
        if self.layout.size != count * ctypes.sizeof(ffi.PRPollDesc):
            raise AssertionError("PRPollDesc layout mismatch")  # pragma: no cover
        self.raw = bytearray(self.layout.size)
        self.descs = (ffi.PRPollDesc * count).from_buffer(self.raw)
        #: fd, in_flags, out_flags of each entry, packed into ``raw`` per call
        self.fields: List[int] = [0] * (3 * count)
        #: the out_flags of every entry, read in one slice
        stride = ctypes.sizeof(ffi.PRPollDesc) // 2
        first = ffi.PRPollDesc.out_flags.offset // 2
        self.out_flags = memoryview(self.raw).cast("h")[first::stride]


class NSPRHandle:
    """A socket of the NSPR backend: the ``PRFileDesc*`` and its buffers."""

    __slots__ = ("__weakref__", "buf", "desc_type", "fdint")

    def __init__(self, fdint: int, desc_type: int) -> None:
        #: the PRFileDesc* as an int, 0 once closed. NSPR's functions take it
        #: as it is: ctypes passes an int for a pointer as fast as a c_void_p,
        #: which would add 136 bytes to every socket.
        self.fdint: int = fdint
        self.desc_type: int = desc_type
        #: receive buffer, allocated on first recv and grown lazily
        self.buf: Optional[ctypes.Array[c_char]] = None

    @property
    def fd(self) -> Optional[c_void_p]:
        """The PRFileDesc* (None once closed)."""
        return c_void_p(self.fdint) if self.fdint else None

    def __repr__(self) -> str:
        if not self.fdint:
            return "<NSPRHandle closed>"
        return "<NSPRHandle PRFileDesc*=0x%x>" % self.fdint


# -- SockAddr <-> PRNetAddr (the one place; network byte order inside) ---------


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


def netaddr_to_sockaddr(net: ffi.PRNetAddr) -> SockAddr:
    """The :class:`SockAddr` value of a ``PRNetAddr``."""
    raw = bytes(net)
    family = _U16.unpack_from(raw, 0)[0]
    if family == PR_AF_INET:
        return SockAddr(family, raw[4:8], _NET_U16.unpack_from(raw, 2)[0])
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


# -- reading results that NSPR wrote into a caller buffer ---------------------


class _BadPointer(Exception):
    pass


class _BufferReader:
    """Reads strings and pointer lists out of a lookup buffer, refusing any
    pointer that does not point into it (NSPR may hand back garbage)."""

    __slots__ = ("base", "raw", "size")

    def __init__(self, buf: ctypes.Array[c_char]) -> None:
        self.raw = buf.raw
        self.base = addressof(buf)
        self.size = len(self.raw)

    def _offset(self, pointer: Optional[int], length: int) -> int:
        if not pointer:
            raise _BadPointer()
        offset = pointer - self.base
        if offset < 0 or offset + length > self.size:
            raise _BadPointer()
        return offset

    def cstring(self, pointer: Optional[int]) -> bytes:
        offset = self._offset(pointer, 1)
        end = self.raw.find(b"\0", offset)
        if end < 0:
            raise _BadPointer()
        return self.raw[offset:end]

    def data(self, pointer: Optional[int], length: int) -> bytes:
        offset = self._offset(pointer, length)
        return self.raw[offset : offset + length]

    def pointers(self, pointer: Optional[int]) -> List[int]:
        """A NULL-terminated array of pointers."""
        result: List[int] = []
        offset = self._offset(pointer, _POINTER.size)
        while True:
            if offset + _POINTER.size > self.size:
                raise _BadPointer()
            value: int = _POINTER.unpack_from(self.raw, offset)[0]
            if value == 0:
                return result
            result.append(value)
            offset += _POINTER.size


def _copy_for_c(data: Union[bytes, memoryview]) -> ctypes.Array[c_char]:
    """A C array holding a copy of ``data`` (not empty), made with one
    memcpy; for PyPy, whose ctypes copies a bytes argument byte by byte.

    Not ``from_buffer_copy``: with it, PyPy 7.3.11 corrupted memory in the
    concurrent UDP test (a set's table overwritten by received datagrams).
    The array keeps the bytearray alive.
    """
    copy = bytearray(data)
    return (c_char * len(copy)).from_buffer(copy)


def _received(buf: ctypes.Array[c_char], count: int) -> bytes:
    """The first ``count`` bytes of ``buf`` as a bytes object."""
    if _BYTES_SHARED_WITH_C:
        # Slicing the c_char array copies just ``count`` bytes.
        return cast(bytes, buf[:count])
    # PyPy slices a c_char array byte by byte (about 0.3 s per MiB); ``raw``
    # is one memcpy, of the whole array, so a small part goes through a view.
    if count * 8 >= len(buf):
        return buf.raw[:count]
    return (c_char * count).from_buffer(buf).raw


def _holding_the_gil(lib: ffi.NSPRLibrary, name: str) -> Callable[[], int]:
    """The C function ``name`` of ``lib`` called through ``ctypes.PyDLL``,
    which keeps the GIL: for a call that never blocks, releasing and taking
    the GIL back costs more than the call. Where ctypes has no PyDLL (PyPy),
    the ordinary function."""
    function: Any = lib.functions[name]
    handle = getattr(lib.cdll, "_handle", None)
    if not hasattr(ctypes, "PyDLL") or handle is None or name in lib.stand_ins:
        return cast("Callable[[], int]", function)
    # The same loaded library (its dlopen handle), not a second dlopen.
    held = ctypes.PyDLL(lib.path, handle=handle)[name]
    held.restype = function.restype
    held.argtypes = function.argtypes
    return cast("Callable[[], int]", held)


class NSPRBackend(NonBlockingTries):
    """The backend on one loaded libnspr4 (see :func:`create_backend`)."""

    name = "nspr"

    def __init__(self, lib: ffi.NSPRLibrary) -> None:
        self.lib = lib
        self.library_path = lib.path
        self.version = lib.version
        f = lib.functions
        # Pre-bound functions: no per-call lookup on the library object.
        self._get_error: Callable[[], int] = f["PR_GetError"]
        self._pr_recv = f["PR_Recv"]
        self._pr_send = f["PR_Send"]
        self._pr_recv_from = f["PR_RecvFrom"]
        self._pr_send_to = f["PR_SendTo"]
        self._pr_poll = f["PR_Poll"]
        self._pr_accept = f["PR_Accept"]
        self._pr_connect = f["PR_Connect"]
        self._pr_connect_continue = f["PR_ConnectContinue"]
        self._pr_close = f["PR_Close"]
        self._pr_set_option = f["PR_SetSocketOption"]
        self._pr_get_option = f["PR_GetSocketOption"]
        # An instance attribute in place of the method: io.interval_now() then
        # reaches C without a Python frame of the backend.
        self.interval_now = _holding_the_gil(lib, "PR_IntervalNow")  # type: ignore[method-assign]
        self._ticks: int = int(f["PR_TicksPerSecond"]())
        # Read-only input to PR_SetSocketOption (a const pointer), shared.
        self._nonblocking = ffi.PRSocketOptionData()
        self._nonblocking.option = PR_SockOpt_Nonblocking
        self._nonblocking.value.non_blocking = 1
        self._tls = threading.local()
        self._buffer_lock = threading.Lock()
        # Asked, not assumed: a subclass may count other ticks.
        self._millisecond_ticks = self.ticks_per_second() == 1000

    # -- helpers --------------------------------------------------------------

    def _error(self) -> NSPRError:
        """The error of the call that just failed (read before any other)."""
        return nspr_error(int(self._get_error()))

    def _raise_unless_would_block(self) -> None:
        """After a failed call: return on would-block, raise any other error."""
        code = int(self._get_error())
        if code != PR_WOULD_BLOCK_ERROR:
            raise nspr_error(code)

    @staticmethod
    def _fd(handle: NSPRHandle) -> int:
        fd = handle.fdint
        if not fd:
            # Never hand NULL to NSPR: it would dereference it.
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        return fd

    def _adopt(self, fdint: Optional[int], desc_type: int) -> NSPRHandle:
        """Wrap a new PRFileDesc* and make it NSPR-nonblocking, or close it."""
        if not fdint:
            raise self._error()
        handle = NSPRHandle(fdint, desc_type)
        if self._pr_set_option(fdint, byref(self._nonblocking)) != 0:
            error = self._error()
            self._pr_close(fdint)
            handle.fdint = 0
            raise error
        return handle

    @staticmethod
    def _data_pointer(data: Union[bytes, memoryview]) -> Tuple[Any, int]:
        """(something ctypes passes as ``void*``, its length in bytes)."""
        if type(data) is bytes and _BYTES_SHARED_WITH_C:
            return data, len(data)
        view = memoryview(data)
        size = view.nbytes
        if not size:
            return b"", 0
        if not view.readonly and view.c_contiguous:
            try:
                # Zero-copy; the export also stops a resize during the call.
                return (c_char * size).from_buffer(view), size
            except (TypeError, ValueError, BufferError):
                pass
        if _BYTES_SHARED_WITH_C:
            return view.tobytes(), size
        return _copy_for_c(view), size

    # -- sockets --------------------------------------------------------------

    def open_socket(self, family: int, desc_type: int) -> NSPRHandle:
        """Open a TCP or UDP socket of ``family``."""
        if desc_type == PR_DESC_SOCKET_TCP:
            opener = self.lib.functions["PR_OpenTCPSocket"]
        elif desc_type == PR_DESC_SOCKET_UDP:
            opener = self.lib.functions["PR_OpenUDPSocket"]
        else:
            raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
        return self._adopt(opener(family), desc_type)

    def close(self, handle: NSPRHandle) -> None:
        """Close; the handle is dead afterwards, even on error."""
        fd = handle.fdint
        if not fd:
            return
        handle.fdint = 0
        handle.buf = None
        if self._pr_close(fd) != 0:
            raise self._error()

    def fileno(self, handle: NSPRHandle) -> int:
        """The OS file descriptor."""
        osfd = int(self.lib.functions["PR_FileDesc2NativeHandle"](self._fd(handle)))
        if osfd < 0:
            raise self._error()
        return osfd

    def desc_type(self, handle: NSPRHandle) -> int:
        """TCP or UDP, as opened (accepted, paired, imported: TCP)."""
        self._fd(handle)
        return handle.desc_type

    def bind(self, handle: NSPRHandle, addr: SockAddr) -> None:
        """Bind to ``addr``."""
        net = sockaddr_to_netaddr(addr)
        if self.lib.functions["PR_Bind"](self._fd(handle), byref(net)) != 0:
            raise self._error()

    def listen(self, handle: NSPRHandle, backlog: int) -> None:
        """Listen."""
        if self.lib.functions["PR_Listen"](self._fd(handle), backlog) != 0:
            raise self._error()

    def _try_connect(self, handle: NSPRHandle, addr: SockAddr) -> bool:
        """True when connected at once, False when in progress."""
        net = sockaddr_to_netaddr(addr)
        if self._pr_connect(self._fd(handle), byref(net), 0) == 0:
            return True
        code = int(self._get_error())
        if code == PR_IN_PROGRESS_ERROR:
            return False
        raise nspr_error(code)

    def connect_error(self, handle: NSPRHandle) -> None:
        """Raise the error of the finished connect, if any."""
        if self._pr_connect_continue(self._fd(handle), PR_POLL_WRITE) != 0:
            raise self._error()

    def _try_accept(self, handle: NSPRHandle) -> Optional[Tuple[NSPRHandle, SockAddr]]:
        """Accept one connection, or None if none is waiting."""
        net = ffi.PRNetAddr()
        newfd: Optional[int] = self._pr_accept(self._fd(handle), byref(net), 0)
        if not newfd:
            self._raise_unless_would_block()
            return None
        return self._adopt(newfd, PR_DESC_SOCKET_TCP), netaddr_to_sockaddr(net)

    def _take_buffer(self, handle: NSPRHandle, size: int) -> ctypes.Array[c_char]:
        # The buffer is taken off the handle while in use, so two threads
        # receiving on one socket never share it; the lock makes the take
        # atomic (the GIL may pass between the read and the reset).
        with self._buffer_lock:
            buf = handle.buf
            handle.buf = None
        if buf is None or len(buf) < size:
            old = 0 if buf is None else len(buf)
            buf = (c_char * min(_RECV_CAP, max(size, old * 2, _RECV_MIN)))()
        return buf

    def _try_recv(self, handle: NSPRHandle, amount: int) -> Optional[bytes]:
        """At most ``amount`` bytes (one call reads at most 1 MiB)."""
        fd = handle.fdint
        if not fd:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if amount > _RECV_CAP:
            amount = _RECV_CAP
        buf = self._take_buffer(handle, amount)
        count: int = self._pr_recv(fd, buf, amount, 0, 0)
        if count < 0:
            handle.buf = buf
            self._raise_unless_would_block()
            return None
        data = _received(buf, count)
        handle.buf = buf
        return data

    def _try_send_at(
        self, handle: NSPRHandle, data: bytes, offset: int
    ) -> Optional[int]:
        """Send what fits now of ``data[offset:]``: C reads ``data`` itself
        at ``offset`` (CPython) or a copy of one window (PyPy), never a copy
        of the whole rest."""
        fd = handle.fdint
        if not fd:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if not _BYTES_SHARED_WITH_C:
            return _send_in_windows(
                partial(self._send_copy, fd, data), len(data), offset
            )
        size = min(len(data) - offset, _INT32_MAX)
        pointer: Any = data
        if offset:
            # The caller keeps ``data`` alive for the whole call.
            pointer = cast(int, ctypes.cast(c_char_p(data), c_void_p).value) + offset
        count: int = self._pr_send(fd, pointer, size, 0, 0)
        if count < 0:
            self._raise_unless_would_block()
            return None
        return count

    def _send_copy(self, fd: int, data: bytes, start: int, size: int) -> Optional[int]:
        window: Any = b""
        if size:
            window = _copy_for_c(memoryview(data)[start : start + size])
        count: int = self._pr_send(fd, window, size, 0, 0)
        if count < 0:
            self._raise_unless_would_block()
            return None
        return count

    def _try_recv_from(
        self, handle: NSPRHandle, amount: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """One datagram (truncated to ``amount``) and its sender."""
        fd = self._fd(handle)
        if amount > _RECV_CAP:
            amount = _RECV_CAP
        net = ffi.PRNetAddr()
        buf = self._take_buffer(handle, amount)
        count: int = self._pr_recv_from(fd, buf, amount, 0, byref(net), 0)
        if count < 0:
            handle.buf = buf
            self._raise_unless_would_block()
            return None
        data = _received(buf, count)
        handle.buf = buf
        return data, netaddr_to_sockaddr(net)

    def _try_send_to(
        self, handle: NSPRHandle, data: Union[bytes, memoryview], addr: SockAddr
    ) -> Optional[int]:
        """Send one datagram to ``addr``."""
        fd = self._fd(handle)
        net = sockaddr_to_netaddr(addr)
        pointer, size = self._data_pointer(data)
        if size > _INT32_MAX:
            size = _INT32_MAX
        count: int = self._pr_send_to(fd, pointer, size, 0, byref(net), 0)
        if count < 0:
            self._raise_unless_would_block()
            return None
        return count

    def shutdown(self, handle: NSPRHandle, how: int) -> None:
        """Shut down reading (0), writing (1) or both (2)."""
        if self.lib.functions["PR_Shutdown"](self._fd(handle), how) != 0:
            raise self._error()

    def _name(self, function: str, handle: NSPRHandle) -> SockAddr:
        net = ffi.PRNetAddr()
        if self.lib.functions[function](self._fd(handle), byref(net)) != 0:
            raise self._error()
        return netaddr_to_sockaddr(net)

    def get_sock_name(self, handle: NSPRHandle) -> SockAddr:
        """The local address."""
        return self._name("PR_GetSockName", handle)

    def get_peer_name(self, handle: NSPRHandle) -> SockAddr:
        """The peer address."""
        return self._name("PR_GetPeerName", handle)

    # -- options ----------------------------------------------------------------

    def get_option(self, handle: NSPRHandle, option: int) -> OptionValue:
        """Read an option; NSPR itself rejects the ones it cannot read."""
        fd = self._fd(handle)
        data = ffi.PRSocketOptionData()
        data.option = option
        if option == PR_SockOpt_McastInterface:
            # NSPR fills in only the IPv4 address, not the family.
            data.value.mcast_if.inet.family = PR_AF_INET
        if self._pr_get_option(fd, byref(data)) != 0:
            raise self._error()
        kind = _OPTION_KINDS.get(option)
        value = data.value
        if kind == _BOOL:
            return bool(value.non_blocking)
        if kind == _SIZE:
            return int(value.recv_buffer_size)
        if kind == _UINT:
            return int(value.ip_ttl)
        if kind == _LINGER:
            return (bool(value.linger.polarity), int(value.linger.linger))
        if kind == _MCAST_IF:
            return netaddr_to_sockaddr(value.mcast_if)
        raise nspr_error(PR_INVALID_ARGUMENT_ERROR)

    def set_option(self, handle: NSPRHandle, option: int, value: OptionValue) -> None:
        """Set an option; Nonblocking is ignored (handles stay nonblocking)."""
        fd = self._fd(handle)
        if option == PR_SockOpt_Nonblocking:
            return
        data = ffi.PRSocketOptionData()
        data.option = option
        kind = _OPTION_KINDS.get(option)
        slot = data.value
        if kind == _BOOL:
            slot.non_blocking = 1 if value else 0
        elif kind == _SIZE:
            slot.recv_buffer_size = _as_int(value) & 0xFFFFFFFFFFFFFFFF
        elif kind == _UINT:
            slot.ip_ttl = _as_int(value) & 0xFFFFFFFF
        elif kind == _LINGER:
            polarity, ticks = _as_pair(value)
            slot.linger.polarity = 1 if polarity else 0
            slot.linger.linger = _as_int(ticks) & 0xFFFFFFFF
        elif kind == _MCAST_IF:
            if not isinstance(value, SockAddr):
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
            slot.mcast_if = sockaddr_to_netaddr(value)
        elif kind == _MREQ:
            group, interface = _as_pair(value)
            if not isinstance(group, SockAddr) or not isinstance(interface, SockAddr):
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
            slot.add_member.mcaddr = sockaddr_to_netaddr(group)
            slot.add_member.ifaddr = sockaddr_to_netaddr(interface)
        # An unknown option goes to NSPR with a zero value: NSPR rejects it.
        if self._pr_set_option(fd, byref(data)) != 0:
            raise self._error()

    # -- poll -------------------------------------------------------------------

    def _poll_cache(self) -> Dict[int, _PollArrays]:
        cache: Optional[Dict[int, _PollArrays]] = getattr(self._tls, "poll", None)
        if cache is None:
            cache = self._tls.poll = {}
        return cache

    def poll(
        self, entries: Sequence[Tuple[Optional[NSPRHandle], int]], timeout: int
    ) -> Tuple[int, List[int]]:
        """``PR_Poll``; out flags exactly as NSPR leaves them (see io)."""
        count = len(entries)
        if count == 0:
            # NSPR sleeps for the timeout when given no descriptors.
            if self._pr_poll(None, 0, timeout) < 0:
                raise self._error()
            return 0, []
        # The arrays for this size are lent out while in use: a signal handler
        # that polls on this thread meanwhile makes its own, never overwriting
        # the descriptors this call is about to hand to PR_Poll.
        cache = self._poll_cache()
        arrays = cache.pop(count, None)
        if arrays is None:
            arrays = _PollArrays(count)
        fields = arrays.fields
        # NSPR skips an entry with a NULL fd and reports 0 for it.
        fds = [
            0 if handle is None or not flags else handle.fdint
            for handle, flags in entries
        ]
        fields[0::3] = fds
        fields[1::3] = [flags if fd else 0 for fd, (_, flags) in zip(fds, entries)]
        arrays.layout.pack_into(arrays.raw, 0, *fields)
        ready: int = self._pr_poll(arrays.descs, count, timeout)
        if ready < 0:
            raise self._error()
        out_flags = arrays.out_flags.tolist()
        if len(cache) >= _POLL_CACHE_MAX:
            cache.clear()
        cache[count] = arrays
        return ready, out_flags

    def new_tcp_pair(self) -> Tuple[NSPRHandle, NSPRHandle]:
        """``PR_NewTCPSocketPair`` (socketpair(AF_UNIX, SOCK_STREAM))."""
        fds = (c_void_p * 2)()
        if self.lib.functions["PR_NewTCPSocketPair"](fds) != 0:
            raise self._error()
        first: Optional[int] = fds[0]
        second: Optional[int] = fds[1]
        try:
            one = self._adopt(first, PR_DESC_SOCKET_TCP)
        except NSPRError:
            if second:
                self._pr_close(second)
            raise
        try:
            two = self._adopt(second, PR_DESC_SOCKET_TCP)
        except NSPRError:
            self.close(one)
            raise
        return one, two

    def import_tcp_socket(self, osfd: int) -> NSPRHandle:
        """``PR_ImportTCPSocket``; the handle owns ``osfd`` from now on."""
        fdint: Optional[int] = self.lib.functions["PR_ImportTCPSocket"](osfd)
        return self._adopt(fdint, PR_DESC_SOCKET_TCP)

    # -- lookups ----------------------------------------------------------------

    def get_addr_info(
        self, host: bytes, family: int, flags: int
    ) -> Tuple[Optional[bytes], List[SockAddr]]:
        """``PR_GetAddrInfoByName``; results copied, then freed."""
        if b"\0" in host:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        functions = self.lib.functions
        info: Optional[int] = functions["PR_GetAddrInfoByName"](host, family, flags)
        if not info:
            raise self._error()
        try:
            canonical: Optional[bytes] = None
            if not flags & PR_AI_NOCANONNAME:
                canonical = functions["PR_GetCanonNameFromAddrInfo"](info)
            enumerate_ = functions["PR_EnumerateAddrInfo"]
            addresses: List[SockAddr] = []
            net = ffi.PRNetAddr()
            cursor: Optional[int] = None
            while True:
                cursor = enumerate_(cursor, info, 0, byref(net))
                if not cursor:
                    break
                addresses.append(netaddr_to_sockaddr(net))
        finally:
            functions["PR_FreeAddrInfo"](info)
        return canonical, addresses

    def _host_entry(self, function: str, first: Any) -> HostEnt:
        buf = create_string_buffer(ffi.PR_NETDB_BUF_SIZE)
        entry = ffi.PRHostEnt()
        status = self.lib.functions[function](
            first, buf, ffi.PR_NETDB_BUF_SIZE, byref(entry)
        )
        if status != 0:
            raise self._error()
        reader = _BufferReader(buf)
        try:
            name = reader.cstring(entry.h_name) if entry.h_name else b""
            aliases = (
                tuple(reader.cstring(p) for p in reader.pointers(entry.h_aliases))
                if entry.h_aliases
                else ()
            )
            length = int(entry.h_length)
            if length not in (4, 16):
                raise _BadPointer()
            addresses = (
                tuple(
                    reader.data(p, length) for p in reader.pointers(entry.h_addr_list)
                )
                if entry.h_addr_list
                else ()
            )
        except _BadPointer:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR) from None
        return HostEnt(name, aliases, int(entry.h_addrtype), addresses)

    def get_host_by_name(self, name: bytes) -> HostEnt:
        """``PR_GetHostByName`` (IPv4)."""
        if b"\0" in name:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        return self._host_entry("PR_GetHostByName", name)

    def get_host_by_addr(self, addr: SockAddr) -> HostEnt:
        """``PR_GetHostByAddr``."""
        return self._host_entry("PR_GetHostByAddr", byref(sockaddr_to_netaddr(addr)))

    def _proto_entry(
        self, function: str, key: Any
    ) -> Tuple[bytes, Tuple[bytes, ...], int]:
        buf = create_string_buffer(ffi.PR_NETDB_BUF_SIZE)
        entry = ffi.PRProtoEnt()
        status = self.lib.functions[function](
            key, buf, ffi.PR_NETDB_BUF_SIZE, byref(entry)
        )
        if status != 0:
            raise self._error()
        # NSPR reports success for unknown names and numbers and leaves the
        # last line of /etc/protocols (or nothing) in the entry: every pointer
        # is checked against the buffer, and the caller checks the match.
        reader = _BufferReader(buf)
        try:
            name = reader.cstring(entry.p_name)
            aliases = (
                tuple(reader.cstring(p) for p in reader.pointers(entry.p_aliases))
                if entry.p_aliases
                else ()
            )
        except _BadPointer:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR) from None
        return name, aliases, int(entry.p_num)

    def get_proto_by_name(self, name: bytes) -> int:
        """The protocol number of ``name`` (the name or one of its aliases)."""
        if b"\0" in name:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        p_name, aliases, number = self._proto_entry("PR_GetProtoByName", name)
        if name != p_name and name not in aliases:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        return number

    def get_proto_by_number(self, number: int) -> Tuple[bytes, Tuple[bytes, ...]]:
        """``(name, aliases)`` of protocol ``number``."""
        p_name, aliases, p_num = self._proto_entry("PR_GetProtoByNumber", number)
        if p_num != number:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        return p_name, aliases

    # -- time -------------------------------------------------------------------

    def ticks_per_second(self) -> int:
        """``PR_TicksPerSecond()`` (cached: it never changes)."""
        return self._ticks

    def interval_now(self) -> int:
        """``PR_IntervalNow()`` (replaced per instance by the C function)."""
        return int(self.lib.functions["PR_IntervalNow"]())


def _as_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    raise nspr_error(PR_INVALID_ARGUMENT_ERROR)


def _as_pair(value: Any) -> Tuple[Any, Any]:
    if isinstance(value, tuple) and len(value) == 2:
        return value[0], value[1]
    raise nspr_error(PR_INVALID_ARGUMENT_ERROR)


def create_backend(
    library: Optional[str] = None, min_version: Optional[str] = None
) -> NSPRBackend:
    """Load libnspr4 (see :func:`_nspr_ffi.load_library`) and wrap it.

    Raises the loading errors of :mod:`nspr_ctypes.backends.errors`.
    """
    return NSPRBackend(ffi.load_library(library, min_version))
