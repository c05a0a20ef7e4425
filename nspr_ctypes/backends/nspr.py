"""The NSPR backend: the primitives of :class:`Backend` on a real libnspr4.

Sockets are NSPR-*blocking* (NSPR keeps every one ``O_NONBLOCK`` at the OS
level itself), so a bounded primitive is one call that waits in C with the GIL
released: ``PR_Recv(fd, buf, n, 0, ticks)``, ``PR_Accept``, ``PR_RecvFrom``,
``PR_Connect``. ``timeout=0`` is ``PR_INTERVAL_NO_WAIT``, whose
``PR_IO_TIMEOUT_ERROR`` means "nothing yet" as would-block does.

A blocking ``PR_Send`` loses its count when its timeout runs out after a
partial write, so a send makes the socket NSPR-nonblocking for the call (a
flag write in NSPR, no system call) and waits, if it must, with ``PR_Poll``.
A receive that meets that window gets ``PR_WOULD_BLOCK_ERROR`` early and
waits for the rest of its slice with ``PR_Poll``.

Beside this module: ``_nspr_ffi`` (loading, structures, the prototype table,
copies without ``argtypes``), ``_nspr_addr`` (SockAddr <-> ``PRNetAddr``),
``_nspr_buffers`` (the memory handed to C and read back) and ``_nspr_lookups``
(the host and protocol lookups, a base class of :class:`NSPRBackend`).
"""

from __future__ import annotations

import ctypes
import itertools
import socket
import struct
import threading
from ctypes import addressof, byref, c_char, c_void_p
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar

from nspr_ctypes._args import INT_MAX as _INT32_MAX
from nspr_ctypes.backends import _nspr_ffi as ffi
from nspr_ctypes.backends._base import (
    _RECV_CAP,
    Backend,
    OptionValue,
    PollSet,
    SendData,
    SockAddr,
    _send_in_windows,
)
from nspr_ctypes.backends._nspr_addr import (
    _NETADDR_SIZE,
    _netaddr_input,
    netaddr_to_sockaddr,
    sockaddr_to_netaddr,
)
from nspr_ctypes.backends._nspr_buffers import (
    _BYTES_SHARED_WITH_C,
    _FRESH_BYTES,
    _SPARE_MAX,
    _ZERO_FILL_MAX,
    _bytes_address,
    _copy_for_c,
    _fresh_buffer,
    _received,
)
from nspr_ctypes.backends._nspr_ffi import _Unchecked
from nspr_ctypes.backends._nspr_lookups import _NSPRLookups
from nspr_ctypes.constants import (
    _SOCKOPT_KINDS,
    PR_AF_INET,
    PR_DESC_SOCKET_TCP,
    PR_DESC_SOCKET_UDP,
    PR_POLL_HUP,
    PR_POLL_NVAL,
    PR_POLL_READ,
    PR_POLL_WRITE,
    PR_SockOpt_Nonblocking,
    _SockOptKind,
)
from nspr_ctypes.error import (
    PR_BAD_DESCRIPTOR_ERROR,
    PR_CONNECT_RESET_ERROR,
    PR_IN_PROGRESS_ERROR,
    PR_INVALID_ARGUMENT_ERROR,
    PR_IO_TIMEOUT_ERROR,
    PR_WOULD_BLOCK_ERROR,
    NSPRError,
    nspr_error,
)

__all__ = ["NSPRBackend", "NSPRHandle", "create_backend"]

#: One PRPollDesc: the fd pointer, in_flags, out_flags, padding.
_POLL_ENTRY = "Phh4x"
_POLL_OUT_FLAGS = "%dxh4x" % (ctypes.sizeof(c_void_p) + 2)
#: Layouts of the PRPollDesc arrays polled so far, per size (bounded).
_POLL_LAYOUTS: Dict[int, Tuple[struct.Struct, struct.Struct]] = {}
_POLL_LAYOUTS_MAX = 64
_T = TypeVar("_T")


class NSPRHandle(ffi.PRFileDescPtr):
    """A socket of the NSPR backend: the ``PRFileDesc*`` itself, NULL once
    closed.

    Being a ctypes pointer value, it goes to C functions that have no
    ``argtypes`` as the pointer it holds, with no conversion and no extra
    object per socket.
    The socket type is the class (:class:`NSPRTCPHandle`,
    :class:`NSPRUDPHandle`), so a handle holds nothing but the pointer.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        if not self:
            return "<%s closed>" % type(self).__name__
        return "<%s PRFileDesc*=0x%x>" % (type(self).__name__, self.value or 0)


class NSPRTCPHandle(NSPRHandle):
    """A TCP socket (opened, accepted, paired or imported)."""

    __slots__ = ()


class NSPRUDPHandle(NSPRHandle):
    """A UDP socket."""

    __slots__ = ()


def _poll_layouts(count: int) -> Tuple[struct.Struct, struct.Struct]:
    """(the packing of ``count`` PRPollDesc, the reading of their out_flags)."""
    layouts = _POLL_LAYOUTS.get(count)
    if layouts is None:
        pack = struct.Struct("@" + _POLL_ENTRY * count)
        if pack.size != count * ctypes.sizeof(ffi.PRPollDesc):
            raise AssertionError("PRPollDesc layout mismatch")  # pragma: no cover
        layouts = (pack, struct.Struct("=" + _POLL_OUT_FLAGS * count))
        if len(_POLL_LAYOUTS) >= _POLL_LAYOUTS_MAX:
            _POLL_LAYOUTS.clear()
        _POLL_LAYOUTS[count] = layouts
    return layouts


class _PollSet(PollSet):
    """A packed ``PRPollDesc`` array and the entries it was packed from."""

    __slots__ = ("backend", "count", "descs", "entries", "epoch", "out_flags")

    def __init__(
        self,
        backend: NSPRBackend,
        entries: List[Tuple[Optional[NSPRHandle], int]],
        epoch: int,
    ) -> None:
        self.backend = backend
        self.count = count = len(entries)
        pack, self.out_flags = _poll_layouts(count)
        #: a private copy: the caller may change its list afterwards
        self.entries = entries
        self.epoch = epoch
        fields: List[int] = []
        for handle, flags in entries:
            # NSPR skips an entry with a NULL fd (or no flags) and reports 0.
            fd = handle.value if handle is not None and flags else None
            if fd:
                fields += (fd, flags, 0)
            else:
                fields += (0, 0, 0)
        descs = (ffi.PRPollDesc * count)()
        pack.pack_into(descs, 0, *fields)
        self.descs: Any = descs if count else None  # NULL for PR_Poll of nothing

    def poll(self, timeout: int) -> Optional[Tuple[int, ...]]:
        """``PR_Poll`` of the packed array (of nothing: a sleep)."""
        backend = self.backend
        # A poll that does not wait never blocks: it keeps the GIL (about 60 ns less).
        call = backend._pr_poll if timeout else backend._pr_poll_now
        ready: int = call(self.descs, self.count, timeout)
        if ready > 0:
            flags: Tuple[int, ...] = self.out_flags.unpack_from(self.descs)
            return flags
        if ready < 0:
            raise backend._error()
        return None


#: What a one-call try returns when it met a send's nonblocking window and
#: returned before its timeout: the caller waits for the rest.
_EARLY: Any = object()
#: No kept buffer (a length that never matches a large receive).
_EMPTY = b""


class NSPRBackend(_NSPRLookups, Backend):
    """The backend on one loaded libnspr4 (see :func:`create_backend`)."""

    name = "nspr"

    def __init__(self, lib: ffi.NSPRLibrary) -> None:
        self.lib = lib
        self.library_path = lib.path
        self.version = lib.version
        unchecked = _Unchecked(lib)
        # Pre-bound functions: no per-call lookup on the library object.
        self._get_error: Callable[[], int] = unchecked(
            lib.PR_GetError, ctypes.c_int32, keep_gil=True
        )
        self._pr_recv = unchecked(lib.PR_Recv, ctypes.c_int32)
        self._pr_send = unchecked(lib.PR_Send, ctypes.c_int32)
        self._pr_recv_from = unchecked(lib.PR_RecvFrom, ctypes.c_int32)
        self._pr_send_to = unchecked(lib.PR_SendTo, ctypes.c_int32)
        self._pr_poll = unchecked(lib.PR_Poll, ctypes.c_int32)
        self._pr_poll_now = unchecked(lib.PR_Poll, ctypes.c_int32, keep_gil=True)
        # These return the PRFileDesc* as a handle object (NULL on failure).
        self._pr_accept = unchecked(lib.PR_Accept, NSPRTCPHandle)
        self._pr_open_tcp = unchecked(lib.PR_OpenTCPSocket, NSPRTCPHandle)
        self._pr_open_udp = unchecked(lib.PR_OpenUDPSocket, NSPRUDPHandle)
        self._pr_connect = unchecked(lib.PR_Connect, ctypes.c_int)
        self._pr_close = unchecked(lib.PR_Close, ctypes.c_int)
        self._pr_connect_continue = lib.PR_ConnectContinue
        self._pr_get_option = lib.PR_GetSocketOption
        self._pr_set_option = lib.PR_SetSocketOption
        # Setting PR_SockOpt_Nonblocking is a flag write in NSPR: it never
        # blocks, so it keeps the GIL.
        self._pr_set_mode = unchecked(
            lib.PR_SetSocketOption, ctypes.c_int, keep_gil=True
        )
        # An instance attribute in place of the method: io.interval_now() then
        # reaches C without a Python frame of the backend; it never blocks, so
        # it keeps the GIL.
        self.interval_now = unchecked(  # type: ignore[method-assign]
            lib.PR_IntervalNow, ctypes.c_uint32, keep_gil=True
        )
        self._ticks: int = int(lib.PR_TicksPerSecond())
        # Read-only inputs to PR_SetSocketOption (const pointers), shared.
        self._mode_options = []
        for value in (1, 0):
            option = ffi.PRSocketOptionData()
            option.option = PR_SockOpt_Nonblocking
            option.value.non_blocking = value
            self._mode_options.append(option)
        self._nonblocking_mode = c_void_p(addressof(self._mode_options[0]))
        self._blocking_mode = c_void_p(addressof(self._mode_options[1]))
        #: id(handle) -> number of sends in progress on it. The socket is
        #: NSPR-nonblocking while the number is not zero; the lock makes the
        #: count and the mode change together.
        self._senders: Dict[int, int] = {}
        # Handles the user made non-blocking: kept NSPR-nonblocking, so their
        # sends need no window (under _senders_lock, with _senders).
        self._nonblocking_ids: Set[int] = set()
        #: id(handle) -> one entry per lock-free send in progress on a handle
        #: the user made non-blocking (from the first set_nonblocking(True) to
        #: the close: a list handed out is never replaced). See send_at.
        self._kept_flights: Dict[int, List[None]] = {}
        self._senders_lock = threading.Lock()
        #: Buffers of short large receives, for the next (see _SPARE_MAX).
        self._spare_buffers: List[bytes] = []
        self._tls = threading.local()
        #: A new value at every close: a cached poll set packed before a close
        #: may hold a freed PRFileDesc*, so it is packed again.
        self._close_epochs = itertools.count(1)
        self._close_epoch = 0
        # Asked, not assumed: a subclass may count other ticks.
        self._millisecond_ticks = self.ticks_per_second() == 1000

    # -- helpers --------------------------------------------------------------

    def _error(self) -> NSPRError:
        """The error of the call that just failed (read before any other)."""
        return nspr_error(int(self._get_error()))

    def _nothing_yet(self) -> bool:
        """After a failed wait: False when nothing came within the whole
        timeout (NSPR's timeout on a blocking socket), True when the call
        found the socket in the nonblocking window of a send and returned
        early; any other error raises."""
        code: int = self._get_error()
        if code == PR_IO_TIMEOUT_ERROR:
            return False
        if code == PR_WOULD_BLOCK_ERROR:
            return True
        raise nspr_error(code)

    @staticmethod
    def _fd(handle: NSPRHandle) -> NSPRHandle:
        if not handle:
            # Never hand NULL to NSPR: it would dereference it.
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        return handle

    def _ready(self, handle: NSPRHandle, flags: int, timeout: int) -> int:
        """Out flags of ``handle`` after waiting up to ``timeout`` for
        ``flags`` with ``PR_Poll`` (0: the whole timeout passed). Through
        :meth:`poll`, whose cache makes repeated waits on one socket cheap."""
        ready, out_flags = self.poll([(handle, flags)], timeout)
        return out_flags[0] if ready else 0

    def _wait_and_retry(
        self,
        handle: NSPRHandle,
        flags: int,
        timeout: int,
        attempt: Callable[[int], Optional[_T]],
    ) -> Optional[_T]:
        """The rest of a call that found the socket in a send's nonblocking
        window (or a send that found no room): wait with ``PR_Poll`` and
        ``attempt(ticks_left)`` again until it gives a result or the whole
        ``timeout`` has passed (then None)."""
        start = self.interval_now()
        left = timeout
        while True:
            if not self._ready(handle, flags, left):
                return None  # PR_Poll waited all of ``left``
            result = attempt(left)
            if result is not None and result is not _EARLY:
                return result
            left = timeout - ((self.interval_now() - start) & 0xFFFFFFFF)
            if left <= 0:
                return None

    def _receive(
        self,
        handle: NSPRHandle,
        timeout: int,
        attempt: Callable[[int], Optional[_T]],
    ) -> Optional[_T]:
        """A receive by ``attempt(ticks)``: one try that waits in C, and, if
        it met a send's nonblocking window, the rest of the slice with
        ``PR_Poll`` (:meth:`_wait_and_retry`).

        On a UDP socket, tries that never wait in NSPR and ``PR_Poll`` between
        them, until a result or the whole ``timeout``: NSPR's own wait spins
        past its timeout when poll(2) reports a socket readable and recv(2)
        still finds nothing, which is what a UDP socket does after a
        ``shutdown()`` that failed with ENOTCONN (Linux marks it shut down
        anyway): a blocking ``PR_Recv`` with a timeout never returns there.
        This loop reads the clock, so it ends on time."""
        if type(handle) is NSPRUDPHandle:
            result = attempt(0)
            if (result is not None and result is not _EARLY) or not timeout:
                return None if result is _EARLY else result
            return self._wait_and_retry(
                handle, PR_POLL_READ, timeout, lambda _left: attempt(0)
            )
        result = attempt(timeout)
        if result is not _EARLY:
            return result
        if not timeout:
            return None
        return self._wait_and_retry(handle, PR_POLL_READ, timeout, attempt)

    def _enter_send(self, handle: NSPRHandle) -> None:
        """Make ``handle`` NSPR-nonblocking for one more send in progress."""
        key = id(handle)
        with self._senders_lock:
            count = self._senders.get(key, 0)
            if (
                not count
                and key not in self._nonblocking_ids
                and self._pr_set_mode(handle, self._nonblocking_mode)
            ):
                raise self._error()
            self._senders[key] = count + 1

    def _leave_send(self, handle: NSPRHandle) -> None:
        """The last send in progress on ``handle`` makes it blocking again
        (unless the user made it non-blocking)."""
        key = id(handle)
        with self._senders_lock:
            count = self._senders.pop(key) - 1
            if count:
                self._senders[key] = count
            else:
                self._blocking_if_idle(handle, key)

    def _restore_mode(self, handle: NSPRHandle, key: int) -> None:
        """After a lock-free send that met ``set_nonblocking(False)``: the last
        send out makes the socket blocking (the switch waited for it)."""
        with self._senders_lock:
            self._blocking_if_idle(handle, key)

    def _blocking_if_idle(self, handle: NSPRHandle, key: int) -> None:
        """Under ``_senders_lock``: make ``handle`` blocking unless something
        keeps it non-blocking (the user's mark, a counted send, a lock-free
        send in flight; whichever of those ends last comes here again)."""
        if (
            key in self._nonblocking_ids
            or self._senders.get(key)
            or self._kept_flights.get(key)
        ):
            return
        self._pr_set_mode(handle, self._blocking_mode)

    def set_nonblocking(self, handle: NSPRHandle, nonblocking: bool) -> None:
        """Keep ``handle`` NSPR-nonblocking while the user's socket is
        non-blocking: its sends then need no mode switch (its calls all come
        with ``timeout=0``). A send in progress keeps the mode it set."""
        fd = self._fd(handle)
        key = id(handle)
        with self._senders_lock:
            if nonblocking:
                self._nonblocking_ids.add(key)
                self._kept_flights.setdefault(key, [])
            else:
                # The mark first, the flights after: a lock-free send appends
                # first and reads the mark after, so one of the two sees the
                # other (see send_at).
                self._nonblocking_ids.discard(key)
            if self._senders.get(key) or self._kept_flights.get(key):
                return  # a send in progress keeps its mode; the last one out sets it
            mode = self._nonblocking_mode if nonblocking else self._blocking_mode
            if self._pr_set_mode(fd, mode):
                raise self._error()

    # -- sockets --------------------------------------------------------------

    def open_socket(self, family: int, desc_type: int) -> NSPRHandle:
        """Open a TCP or UDP socket of ``family``."""
        if desc_type == PR_DESC_SOCKET_TCP:
            handle: NSPRHandle = self._pr_open_tcp(family)
        elif desc_type == PR_DESC_SOCKET_UDP:
            handle = self._pr_open_udp(family)
        else:
            raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
        if not handle:
            raise self._error()
        return handle

    def close(self, handle: NSPRHandle) -> None:
        """Close; the handle is dead (NULL) afterwards, even on error."""
        if not handle:
            return
        if self._kept_flights:  # the id may be reused by a new handle
            with self._senders_lock:
                self._nonblocking_ids.discard(id(handle))
                self._kept_flights.pop(id(handle), None)
        self._close_epoch = next(self._close_epochs)
        # The handle goes as the pointer it holds (no argtypes, no copy) and
        # is NULLed right after: a handle is released once, by the one party
        # that took it from its channel, so nothing else reads it meanwhile.
        failed = self._pr_close(handle)
        handle.value = None
        if failed:
            raise self._error()

    def fileno(self, handle: NSPRHandle) -> int:
        """The OS file descriptor."""
        osfd = int(self.lib.PR_FileDesc2NativeHandle(self._fd(handle)))
        if osfd < 0:
            raise self._error()
        return osfd

    def bind(self, handle: NSPRHandle, addr: SockAddr) -> None:
        """Bind to ``addr``."""
        net = sockaddr_to_netaddr(addr)
        if self.lib.PR_Bind(self._fd(handle), byref(net)) != 0:
            raise self._error()

    def listen(self, handle: NSPRHandle, backlog: int) -> None:
        """Listen."""
        if self.lib.PR_Listen(self._fd(handle), backlog) != 0:
            raise self._error()

    def connect(self, handle: NSPRHandle, addr: SockAddr, timeout: int) -> bool:
        """NSPR's blocking ``PR_Connect``, waiting up to ``timeout`` in C."""
        if not handle:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if self._pr_connect(handle, _netaddr_input(addr), timeout) == 0:
            return True
        code: int = self._get_error()
        if code == PR_IO_TIMEOUT_ERROR:
            return False  # still in progress after the whole timeout
        if code != PR_IN_PROGRESS_ERROR:
            raise nspr_error(code)
        # Started in a send's nonblocking window: wait for the rest here.
        return bool(timeout) and self.connect_continue(handle, timeout)

    def connect_continue(self, handle: NSPRHandle, timeout: int) -> bool:
        """Wait with ``PR_Poll`` for the connection in progress; its outcome
        as NSPR's blocking connect reports it."""
        out_flags = self._ready(self._fd(handle), PR_POLL_WRITE, timeout)
        if not out_flags:
            return False
        # NSPR's blocking connect: NVAL is EBADF, a hang-up while waiting to
        # write is EPIPE (so a refused loopback connect reads as a reset).
        if out_flags & PR_POLL_NVAL:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if out_flags & PR_POLL_HUP:
            raise nspr_error(PR_CONNECT_RESET_ERROR)
        if self._pr_connect_continue(handle, out_flags) != 0:
            raise self._error()
        return True

    def connect_error(self, handle: NSPRHandle) -> None:
        """Raise the error the OS holds for a finished connect, if any
        (``PR_ConnectContinue``)."""
        if self._pr_connect_continue(self._fd(handle), PR_POLL_WRITE) != 0:
            raise self._error()

    def accept(
        self, handle: NSPRHandle, timeout: int
    ) -> Optional[Tuple[NSPRHandle, SockAddr]]:
        """``PR_Accept``, waiting up to ``timeout`` in C."""
        if not handle:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if _FRESH_BYTES:
            # _accept_try, inline: the common call is one PR_Accept.
            peer: Any = bytes(_NETADDR_SIZE)
            new: NSPRHandle = self._pr_accept(handle, peer, timeout)
            if new:
                return new, netaddr_to_sockaddr(peer)
            if not self._nothing_yet() or not timeout:
                return None
        else:
            accepted = self._accept_try(handle, timeout)
            if accepted is not _EARLY:
                return accepted
            if not timeout:
                return None
        return self._wait_and_retry(
            handle, PR_POLL_READ, timeout, partial(self._accept_try, handle)
        )

    def _accept_try(
        self, handle: NSPRHandle, timeout: int
    ) -> Optional[Tuple[NSPRHandle, SockAddr]]:
        if _FRESH_BYTES:
            peer: Any = bytes(_NETADDR_SIZE)
            new: NSPRHandle = self._pr_accept(handle, peer, timeout)
        else:
            peer = ffi.PRNetAddr()
            new = self._pr_accept(handle, byref(peer), timeout)
        if new:
            return new, netaddr_to_sockaddr(peer)
        return _EARLY if self._nothing_yet() else None

    def recv(self, handle: NSPRHandle, amount: int, timeout: int) -> Optional[bytes]:
        """At most ``amount`` bytes (at most 1 MiB a call), waiting up to
        ``timeout`` in C."""
        if not handle:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if amount > _RECV_CAP:
            amount = _RECV_CAP
        if type(handle) is NSPRUDPHandle:
            return self._receive(
                handle, timeout, partial(self._recv_try, handle, amount)
            )
        if _FRESH_BYTES:
            # Inline: the common call is one PR_Recv and no other frame.
            if amount <= _ZERO_FILL_MAX:
                buf: bytes = bytes(amount)
                spares = None
            else:
                spares = self._spare_buffers if amount <= _SPARE_MAX else None
                buf = _EMPTY
                if spares:
                    try:
                        buf = spares.pop()  # another thread may take it first
                    except IndexError:
                        pass
                if len(buf) != amount:  # returned whole when filled: exact size
                    buf = _fresh_buffer(amount)
            count: int = self._pr_recv(handle, buf, amount, 0, timeout)
            if count == amount:
                return buf
            received = buf[:count] if count >= 0 else None
            if spares is not None and not spares:
                spares.append(buf)  # after the copy: then the next may take it
            if received is not None:
                return received
            if not self._nothing_yet() or not timeout:
                return None
        else:
            data = self._recv_try(handle, amount, timeout)
            if data is not _EARLY:
                return data
            if not timeout:
                return None
        return self._wait_and_retry(
            handle, PR_POLL_READ, timeout, partial(self._recv_try, handle, amount)
        )

    def _recv_try(
        self, handle: NSPRHandle, amount: int, timeout: int
    ) -> Optional[bytes]:
        """One ``PR_Recv``: the data, None when nothing came within
        ``timeout``, :data:`_EARLY` when the call returned before it."""
        if _FRESH_BYTES:
            buf: bytes = _fresh_buffer(amount)
            count: int = self._pr_recv(handle, buf, amount, 0, timeout)
            if count >= 0:
                return buf if count == amount else buf[:count]
        else:
            array = (c_char * amount)()
            count = self._pr_recv(handle, array, amount, 0, timeout)
            if count >= 0:
                return _received(array, count)
        return _EARLY if self._nothing_yet() else None

    def recv_into(
        self, handle: NSPRHandle, buffer: memoryview, timeout: int
    ) -> Optional[int]:
        """``PR_Recv`` straight into ``buffer`` (no copy), waiting up to
        ``timeout`` in C."""
        if not handle:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        size = buffer.nbytes
        if size > _INT32_MAX:
            size = _INT32_MAX
        try:
            # The export also stops a resize of the memory during the call.
            target: Any = (c_char * size).from_buffer(buffer)
        except (TypeError, ValueError, BufferError):
            # Memory this ctypes cannot export (PyPy): through a copy.
            data = self.recv(handle, size, timeout)
            if data is None:
                return None
            buffer[: len(data)] = data
            return len(data)
        if type(handle) is not NSPRUDPHandle:
            # The common call inline (one PR_Recv, no other frame), as in recv.
            count: int = self._pr_recv(handle, target, size, 0, timeout)
            if count >= 0:
                return count
            if not self._nothing_yet() or not timeout:
                return None
            return self._wait_and_retry(
                handle,
                PR_POLL_READ,
                timeout,
                partial(self._recv_into_try, handle, target, size),
            )
        return self._receive(
            handle, timeout, partial(self._recv_into_try, handle, target, size)
        )

    def _recv_into_try(
        self, handle: NSPRHandle, target: Any, size: int, timeout: int
    ) -> Optional[int]:
        count: int = self._pr_recv(handle, target, size, 0, timeout)
        if count >= 0:
            return count
        return _EARLY if self._nothing_yet() else None

    def _send_once(self, handle: NSPRHandle, pointer: Any, size: int) -> Optional[int]:
        """One ``PR_Send`` in the nonblocking mode: the exact count, or None
        if there was no room (send_at inlines the same)."""
        self._enter_send(handle)
        try:
            count: int = self._pr_send(handle, pointer, size, 0, 0)
        finally:
            self._leave_send(handle)
        return self._sent(count)

    def _sent(self, count: int) -> Optional[int]:
        """The result of one send in the nonblocking window: the count, None
        for no room (PR_WOULD_BLOCK_ERROR); any other error raises."""
        if count >= 0:
            return count
        code: int = self._get_error()
        if code != PR_WOULD_BLOCK_ERROR:
            raise nspr_error(code)
        return None

    def _send_waiting(
        self, handle: NSPRHandle, pointer: Any, size: int, timeout: int
    ) -> Optional[int]:
        """After a send found no room: wait for some, up to ``timeout``."""
        return self._wait_and_retry(
            handle,
            PR_POLL_WRITE,
            timeout,
            lambda _left: self._send_once(handle, pointer, size),
        )

    def send_at(
        self, handle: NSPRHandle, data: bytes, offset: int, timeout: int
    ) -> Optional[int]:
        """Send what fits within ``timeout`` of ``data[offset:]``: C reads
        ``data`` itself at ``offset`` (CPython) or a copy of one window at a
        time (PyPy), never a copy of the whole rest."""
        if not handle:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if not _BYTES_SHARED_WITH_C:
            return _send_in_windows(
                partial(self._send_window, handle, data, timeout), len(data), offset
            )
        size = len(data) - offset
        if size > _INT32_MAX:
            size = _INT32_MAX
        # The caller keeps ``data`` alive for the whole call.
        pointer: Any = _bytes_address(data, offset) if offset else data
        key = id(handle)
        kept = self._nonblocking_ids  # the user's non-blocking sockets
        flights = self._kept_flights
        flight = flights.get(key) if flights else None
        if flight is not None:
            # A socket the user made non-blocking is NSPR-nonblocking already:
            # no window, no lock. This send's entry in the flight list keeps
            # set_nonblocking(False) from making it blocking under PR_Send,
            # a Dekker pair as the channel guard: this appends, then reads
            # the mark; set_nonblocking removes the mark, then reads the list.
            flight.append(None)
            sent: Optional[int] = None
            try:
                if key in kept:
                    sent = self._pr_send(handle, pointer, size, 0, 0)
            finally:
                flight.pop()
                if key not in kept:  # made blocking: the switch may wait for us
                    self._restore_mode(handle, key)
            if sent is not None:
                if sent >= 0:
                    return sent
                return self._send_failed(sent, handle, pointer, size, timeout)
        # _send_once, inline: the socket is NSPR-nonblocking while any send
        # is in progress on it (the lock keeps count and mode together), so
        # PR_Send never waits and its count is exact.
        senders = self._senders
        lock = self._senders_lock
        lock.acquire()  # not ``with``: 35 ns less, twice a send
        try:
            active = senders.get(key, 0)
            if not active and key not in kept:
                self._pr_set_mode(handle, self._nonblocking_mode)
            senders[key] = active + 1
        finally:
            lock.release()
        try:
            count: int = self._pr_send(handle, pointer, size, 0, 0)
        finally:
            lock.acquire()
            try:
                active = senders.pop(key)
                if active > 1:
                    senders[key] = active - 1
                elif key not in kept and not (flights and flights.get(key)):
                    # _blocking_if_idle, inline (the count is popped already)
                    self._pr_set_mode(handle, self._blocking_mode)
            finally:
                lock.release()
        if count >= 0:
            return count
        return self._send_failed(count, handle, pointer, size, timeout)

    def _send_failed(
        self, count: int, handle: NSPRHandle, pointer: Any, size: int, timeout: int
    ) -> Optional[int]:
        """After send_at's PR_Send failed (``count`` < 0): no room (None, or
        wait for some within ``timeout``), or the error."""
        self._sent(count)  # raises any error but "no room"
        if not timeout:
            return None
        return self._send_waiting(handle, pointer, size, timeout)

    def _send_window(
        self, handle: NSPRHandle, data: bytes, timeout: int, start: int, size: int
    ) -> Optional[int]:
        window: Any = b""
        if size:
            window = _copy_for_c(memoryview(data)[start : start + size])
        count = self._send_once(handle, window, size)
        if count is None and timeout:
            return self._send_waiting(handle, window, size, timeout)
        return count

    def recv_from(
        self, handle: NSPRHandle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """One datagram (truncated to ``amount``) and its sender, waiting up
        to ``timeout`` in C."""
        if not handle:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if amount > _RECV_CAP:
            amount = _RECV_CAP
        return self._receive(
            handle, timeout, partial(self._recv_from_try, handle, amount)
        )

    def _recv_from_try(
        self, handle: NSPRHandle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        if _FRESH_BYTES:
            buf: Any = _fresh_buffer(amount)
            peer: Any = bytes(_NETADDR_SIZE)
            count: int = self._pr_recv_from(handle, buf, amount, 0, peer, timeout)
            if count >= 0:
                data = buf if count == amount else buf[:count]
                return data, netaddr_to_sockaddr(peer)
        else:
            buf = (c_char * amount)()
            peer = ffi.PRNetAddr()
            count = self._pr_recv_from(handle, buf, amount, 0, byref(peer), timeout)
            if count >= 0:
                return _received(buf, count), netaddr_to_sockaddr(peer)
        return _EARLY if self._nothing_yet() else None

    def send_to(
        self,
        handle: NSPRHandle,
        data: SendData,
        addr: SockAddr,
        timeout: int,
    ) -> Optional[int]:
        """Send one datagram to ``addr``, waiting up to ``timeout`` for room."""
        if not handle:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        net = _netaddr_input(addr)
        pointer, size = self._data_pointer(data)
        if size > _INT32_MAX:
            size = _INT32_MAX
        if type(handle) is NSPRUDPHandle:
            attempt = partial(self._send_datagram_once, handle, pointer, size, net)
        else:
            attempt = partial(self._send_to_once, handle, pointer, size, net)
        count = attempt(0)
        if count is None and timeout:
            return self._wait_and_retry(handle, PR_POLL_WRITE, timeout, attempt)
        return count

    def _send_to_once(
        self, handle: NSPRHandle, pointer: Any, size: int, net: bytes, _left: int
    ) -> Optional[int]:
        self._enter_send(handle)
        try:
            count: int = self._pr_send_to(handle, pointer, size, 0, net, 0)
        finally:
            self._leave_send(handle)
        return self._sent(count)

    def _send_datagram_once(
        self, handle: NSPRHandle, pointer: Any, size: int, net: bytes, _left: int
    ) -> Optional[int]:
        """One ``PR_SendTo`` on a UDP socket, with no nonblocking window: a
        datagram goes whole or not at all, so no count can be lost. With
        ``PR_INTERVAL_NO_WAIT`` a blocking socket reports no room as
        PR_IO_TIMEOUT_ERROR, a non-blocking one as PR_WOULD_BLOCK_ERROR: None
        for both (any other error raises in _nothing_yet)."""
        count: int = self._pr_send_to(handle, pointer, size, 0, net, 0)
        if count >= 0:
            return count
        self._nothing_yet()
        return None

    @staticmethod
    def _data_pointer(data: SendData) -> Tuple[Any, int]:
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

    def shutdown(self, handle: NSPRHandle, how: int) -> None:
        """Shut down reading (0), writing (1) or both (2)."""
        if self.lib.PR_Shutdown(self._fd(handle), how) != 0:
            raise self._error()

    def _name(self, function: Callable[..., int], handle: NSPRHandle) -> SockAddr:
        net = ffi.PRNetAddr()
        if function(self._fd(handle), byref(net)) != 0:
            raise self._error()
        return netaddr_to_sockaddr(net)

    def get_sock_name(self, handle: NSPRHandle) -> SockAddr:
        """The local address."""
        return self._name(self.lib.PR_GetSockName, handle)

    def get_peer_name(self, handle: NSPRHandle) -> SockAddr:
        """The peer address."""
        return self._name(self.lib.PR_GetPeerName, handle)

    # -- options ----------------------------------------------------------------

    def get_option(self, handle: NSPRHandle, option: int) -> OptionValue:
        """Read an option; NSPR itself rejects the ones it cannot read."""
        fd = self._fd(handle)
        data = ffi.PRSocketOptionData()
        data.option = option
        kind = _SOCKOPT_KINDS.get(option)
        if kind == _SockOptKind.MCAST_IF:
            # NSPR fills in only the IPv4 address, not the family.
            data.value.mcast_if.inet.family = PR_AF_INET
        if self._pr_get_option(fd, byref(data)) != 0:
            raise self._error()
        value = data.value
        if kind == _SockOptKind.FLAG:
            return bool(value.non_blocking)
        if kind == _SockOptKind.SIZE:
            return int(value.recv_buffer_size)
        if kind == _SockOptKind.UINT:
            return int(value.ip_ttl)
        if kind == _SockOptKind.LINGER:
            return (bool(value.linger.polarity), int(value.linger.linger))
        if kind == _SockOptKind.MCAST_IF:
            return netaddr_to_sockaddr(value.mcast_if)
        raise nspr_error(PR_INVALID_ARGUMENT_ERROR)

    def set_option(self, handle: NSPRHandle, option: int, value: OptionValue) -> None:
        """Set an option; Nonblocking is ignored (the mode is the backend's)."""
        fd = self._fd(handle)
        if option == PR_SockOpt_Nonblocking:
            return
        data = ffi.PRSocketOptionData()
        data.option = option
        kind = _SOCKOPT_KINDS.get(option)
        slot = data.value
        if kind == _SockOptKind.FLAG:
            slot.non_blocking = 1 if value else 0
        elif kind == _SockOptKind.SIZE:
            slot.recv_buffer_size = _as_int(value) & 0xFFFFFFFFFFFFFFFF
        elif kind == _SockOptKind.UINT:
            slot.ip_ttl = _as_int(value) & 0xFFFFFFFF
        elif kind == _SockOptKind.LINGER:
            polarity, ticks = _as_pair(value)
            slot.linger.polarity = 1 if polarity else 0
            slot.linger.linger = _as_int(ticks) & 0xFFFFFFFF
        elif kind == _SockOptKind.MCAST_IF:
            if not isinstance(value, SockAddr):
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
            slot.mcast_if = sockaddr_to_netaddr(value)
        elif kind == _SockOptKind.MREQ:
            group, interface = _as_pair(value)
            if not isinstance(group, SockAddr) or not isinstance(interface, SockAddr):
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
            slot.add_member.mcaddr = sockaddr_to_netaddr(group)
            slot.add_member.ifaddr = sockaddr_to_netaddr(interface)
        # An unknown option goes to NSPR with a zero value: NSPR rejects it.
        if self._pr_set_option(fd, byref(data)) != 0:
            raise self._error()

    # -- poll -------------------------------------------------------------------

    def poll_set(self, entries: Sequence[Tuple[Optional[NSPRHandle], int]]) -> _PollSet:
        """The entries packed into a ``PRPollDesc`` array, for ``PR_Poll``."""
        return _PollSet(self, [(h, f) for h, f in entries], self._close_epoch)

    def poll(
        self, entries: Sequence[Tuple[Optional[NSPRHandle], int]], timeout: int
    ) -> Tuple[int, List[int]]:
        """``PR_Poll``; out flags exactly as NSPR leaves them (waits of this
        backend on one handle).

        The packed ``PRPollDesc`` array is kept per thread: a poll of the same
        entries (the same handles, the same flags, no close since) packs
        nothing. A handle's pointer changes only at a close, which every close
        marks, so equal entries are equal ``(PRFileDesc*, flags)`` pairs.
        """
        count = len(entries)
        if count == 0:
            self.poll_set(()).poll(timeout)  # NSPR sleeps for the timeout
            return 0, []
        tls = self._tls
        # Lent out while in use: a signal handler that polls on this thread
        # meanwhile packs its own, never overwriting the array this call is
        # about to hand to PR_Poll.
        cached: Optional[_PollSet] = tls.__dict__.pop("poll", None)
        if (
            cached is None
            or cached.epoch != self._close_epoch
            or cached.entries != entries
        ):
            # Copied as tuples: later changes of the caller's lists do not reach it.
            cached = self.poll_set(entries)
        ready: int = self._pr_poll(cached.descs, count, timeout)
        if ready < 0:
            raise self._error()
        out_flags = list(cached.out_flags.unpack_from(cached.descs))
        tls.poll = cached
        return ready, out_flags

    def new_tcp_pair(self) -> Tuple[NSPRHandle, NSPRHandle]:
        """``PR_NewTCPSocketPair`` (socketpair(AF_UNIX, SOCK_STREAM))."""
        fds = (ffi.PRFileDescPtr * 2)()
        if self.lib.PR_NewTCPSocketPair(fds) != 0:
            raise self._error()
        return NSPRTCPHandle(fds[0]), NSPRTCPHandle(fds[1])

    def import_tcp_socket(self, osfd: int) -> NSPRHandle:
        """``PR_ImportTCPSocket``; the handle owns ``osfd`` from now on.

        NSPR imports any socket. A datagram one gets the UDP handle class, so
        that its receives never make NSPR's own blocking wait, which spins for
        ever on a UDP socket after a failed ``shutdown()`` (see
        :meth:`_receive`)."""
        datagram = _is_datagram_socket(osfd)
        address: Optional[int] = self.lib.PR_ImportTCPSocket(osfd)
        if not address:
            raise self._error()
        if datagram:
            return NSPRUDPHandle(address)
        return NSPRTCPHandle(address)

    # -- time -------------------------------------------------------------------

    def ticks_per_second(self) -> int:
        """``PR_TicksPerSecond()`` (cached: it never changes)."""
        return self._ticks

    def interval_now(self) -> int:
        """``PR_IntervalNow()`` (replaced per instance by the C function)."""
        return int(self.lib.PR_IntervalNow())


def _is_datagram_socket(osfd: int) -> bool:
    """Whether ``osfd`` is a datagram socket: its ``SO_TYPE``, read before
    NSPR owns it (NSPR has no option for it). A descriptor the stdlib cannot
    look at is left to NSPR, which reports its own error."""
    try:
        probe = socket.socket(fileno=osfd)
    except (OSError, ValueError):
        return False
    try:
        return probe.type == socket.SOCK_DGRAM
    finally:
        probe.detach()  # the descriptor stays open, for NSPR


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
