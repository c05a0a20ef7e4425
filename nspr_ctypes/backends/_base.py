"""The primitive operations every backend implements.

The public classes of :mod:`nspr_ctypes.io` (``_socket.py``, ``_address.py``)
are written once, over this small interface. A backend is a driver of
*bounded* primitives on opaque handles: a call that may have to wait takes a
``timeout`` in ticks and waits at most that long inside the backend (in C:
NSPR's own timeout, the stdlib socket's), so the common case costs one backend
call. The blocking engine of
:mod:`nspr_ctypes._engine` turns the caller's timeout into such slices of at
most 100 ms and loops only when a slice runs out: between slices it notices a
``close()`` from another thread, runs signal handlers and checks the deadline.

Rules every backend follows:

* Arguments arrive checked and normalised by the public classes: ints are in
  range, sizes are non-negative, addresses are :class:`SockAddr` values of a
  family the call accepts, handles are live (not closed) and belong to this
  backend.
* ``timeout`` (ticks) is ``0`` for "do not wait" (a non-blocking try, as for
  ``PR_INTERVAL_NO_WAIT``) or a bounded slice: never
  ``PR_INTERVAL_NO_TIMEOUT``, never more than about 100 ms.
* When nothing could be done within ``timeout`` the call returns ``None``
  (``False`` for the connect calls), never an error, and only once the whole
  ``timeout`` has passed: the engine counts a returned slice as elapsed.
* Counts are exact: a send reports every byte it handed the OS, also when
  it stopped part way (the engine resumes from there and reports
  ``bytes_sent``); it never returns ``None`` after sending something.
* Every other failure raises :class:`nspr_ctypes.error.NSPRError` built with
  :func:`nspr_ctypes.error.nspr_error` and the ``PR_*_ERROR`` code NSPR reports
  for it, translated at one place in the backend.
* A primitive never blocks longer than its ``timeout``, whatever the mode of
  the handle: the engine passes ``timeout=0`` for the sockets the user made
  non-blocking (the user's ``PR_SockOpt_Nonblocking`` reaches a backend only
  as the :meth:`Backend.set_nonblocking` hint).
"""

from __future__ import annotations

import abc
import sys
from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple, Union

from nspr_ctypes.constants import PR_POLL_HUP, PR_POLL_NVAL, PR_POLL_READ, PR_POLL_WRITE
from nspr_ctypes.error import (
    PR_BAD_DESCRIPTOR_ERROR,
    PR_CONNECT_RESET_ERROR,
    NSPRError,
    nspr_error,
)

#: PyPy copies what it hands C of a bytes object, unless the object is passed
#: whole: ctypes copies a bytes argument byte by byte, ``socket.send`` copies a
#: memoryview slice. There a send hands C at most one window of the rest per
#: call, so that a retry costs what it sends.
_PASSING_COPIES = sys.implementation.name != "cpython"
_SEND_WINDOW = 256 * 1024
#: The most one receive asks a backend for (its buffer is allocated per call).
_RECV_CAP = 1 << 20


def _send_in_windows(
    send_window: Callable[[int, int], Optional[int]], length: int, offset: int
) -> Optional[int]:
    """Send ``[offset, length)`` with ``send_window(start, size)`` calls of at
    most :data:`_SEND_WINDOW` bytes, the next only while each is taken whole,
    as one send of the rest would be: the count so far once a window is
    short, would block or fails (the kernel reports the error again at the
    next send), None or the error if the first does."""
    sent = 0
    while True:
        start = offset + sent
        size = min(length - start, _SEND_WINDOW)
        try:
            count = send_window(start, size)
        except NSPRError:
            if sent:
                return sent
            raise
        if count is None:
            return sent or None
        sent += count
        if count < size or not count or start + count >= length:
            return sent


class SockAddr(NamedTuple):
    """A network address as plain values (the contents of a ``PRNetAddr``).

    ``addr`` holds the packed address: 4 bytes for ``PR_AF_INET``, 16 for
    ``PR_AF_INET6``, the path bytes for ``PR_AF_LOCAL`` (``b''`` when unnamed),
    and ``b''`` for ``PR_AF_UNSPEC``. ``port`` is in host order.
    """

    family: int
    addr: bytes
    port: int = 0
    flowinfo: int = 0
    scope_id: int = 0


# What SockAddr(...) does, without its Python frame: all five fields in order,
# ``_new_sockaddr(SockAddr, (family, addr, port, flowinfo, scope_id))``.
_new_sockaddr = tuple.__new__


class HostEnt(NamedTuple):
    """The result of a host lookup (the contents of a ``PRHostEnt``)."""

    name: bytes
    aliases: Tuple[bytes, ...]
    family: int
    addresses: Tuple[bytes, ...]  # packed addresses of ``family``


#: Values of the socket options, as they cross the backend interface:
#: ``bool`` for flag options; ``int`` for sizes, TTLs and TOS;
#: ``(polarity, interval_ticks)`` for Linger; a :class:`SockAddr` for
#: McastInterface; ``(group, interface)`` for AddMember / DropMember.
OptionValue = Union[bool, int, Tuple[bool, int], SockAddr, Tuple[SockAddr, SockAddr]]

#: The bytes a send takes: a ``bytes`` object or a view of the caller's memory.
SendData = Union[bytes, memoryview]

#: An opaque socket handle of one backend.
Handle = Any


class PollSet(abc.ABC):
    """A poll of fixed entries, prepared by :meth:`Backend.poll_set`."""

    __slots__ = ()

    @abc.abstractmethod
    def poll(self, timeout: int) -> Optional[Tuple[int, ...]]:
        """Wait up to ``timeout`` ticks (0, or a slice; never NO_TIMEOUT) for
        an entry to be ready: then the out flags of every entry (the
        ``PR_POLL_*`` bits, as ``PR_Poll`` reports them; 0 for an entry not
        ready or skipped), else None once the whole timeout has passed.

        ``Socket.poll`` calls it with 0 first (a poll usually finds something
        ready), so a poll of 0 ticks is worth making cheap."""


class Backend(abc.ABC):
    """One backend: an NSPR library loaded through ctypes, or an emulation.

    Instances are independent: two NSPR backends may wrap two different
    ``libnspr4`` files in one process.
    """

    #: Registry name, e.g. ``"nspr"`` or ``"stdlib"``.
    name: str = ""
    #: Path of the loaded NSPR library, or None when no library is used.
    library_path: Optional[str] = None
    #: NSPR version string (``PR_GetVersion()``), or None for an emulation.
    version: Optional[str] = None
    #: ``ticks_per_second() == 1000``, which lets ``io`` convert intervals
    #: without calling the backend (False is always correct, only slower).
    _millisecond_ticks: bool = False

    def describe(self) -> str:
        """One line naming the backend, its library and version."""
        if self.library_path is None:
            return "%s (no NSPR library)" % self.name
        return "%s (%s, NSPR %s)" % (self.name, self.library_path, self.version)

    # -- sockets --------------------------------------------------------------

    @abc.abstractmethod
    def open_socket(self, family: int, desc_type: int) -> Handle:
        """Open a TCP (``PR_DESC_SOCKET_TCP``) or UDP socket of ``family``.

        An unsupported family raises ``PR_ADDRESS_NOT_SUPPORTED_ERROR``.
        """

    @abc.abstractmethod
    def close(self, handle: Handle) -> None:
        """Close the socket; the handle is dead afterwards, even on error."""

    @abc.abstractmethod
    def fileno(self, handle: Handle) -> int:
        """The OS file descriptor."""

    @abc.abstractmethod
    def bind(self, handle: Handle, addr: SockAddr) -> None:
        """Bind to ``addr``."""

    @abc.abstractmethod
    def listen(self, handle: Handle, backlog: int) -> None:
        """Listen; ``backlog`` is a C int."""

    @abc.abstractmethod
    def connect(self, handle: Handle, addr: SockAddr, timeout: int) -> bool:
        """Connect to ``addr``, waiting up to ``timeout`` ticks: True when
        connected, False while the connection is still in progress (then
        :meth:`connect_continue` goes on). A failure raises what NSPR's
        blocking ``PR_Connect`` raises for it: while waiting, ``POLLNVAL`` is
        ``PR_BAD_DESCRIPTOR_ERROR`` and a hang-up ``PR_CONNECT_RESET_ERROR``
        (so a refused loopback connect reads as a reset, as in python-nss)."""

    @abc.abstractmethod
    def connect_continue(self, handle: Handle, timeout: int) -> bool:
        """Wait up to ``timeout`` ticks for the connection in progress: True
        once it is set up, False while still in progress; its failure raises
        as for :meth:`connect`."""

    @abc.abstractmethod
    def accept(self, handle: Handle, timeout: int) -> Optional[Tuple[Handle, SockAddr]]:
        """Accept one connection, waiting up to ``timeout`` ticks; None if
        none came. The new handle is in the state :meth:`open_socket` gives."""

    @abc.abstractmethod
    def recv(self, handle: Handle, amount: int, timeout: int) -> Optional[bytes]:
        """Receive at most ``amount`` bytes (``amount`` > 0), waiting up to
        ``timeout`` ticks for some; ``b''`` at EOF; None if none came. The
        result may be a fresh object owned by the caller."""

    @abc.abstractmethod
    def recv_into(
        self, handle: Handle, buffer: memoryview, timeout: int
    ) -> Optional[int]:
        """Receive into ``buffer`` (a writable, C-contiguous byte view that is
        not empty) with no copy, waiting up to ``timeout`` ticks: the count,
        0 at EOF, None if none came."""

    @abc.abstractmethod
    def send_at(
        self, handle: Handle, data: bytes, offset: int, timeout: int
    ) -> Optional[int]:
        """Send of ``data[offset:]`` (``0 <= offset < len(data)`` unless
        ``data`` is empty) what fits within ``timeout`` ticks: the exact count
        handed to the OS, possibly short; None if nothing fitted.

        The send loop of the engine calls this with the same ``data`` and a
        growing ``offset``, so a retry must cost what it sends, not what is
        left: never copy the rest.
        """

    def send(self, handle: Handle, data: SendData, timeout: int = 0) -> Optional[int]:
        """Convenience over :meth:`send_at` (the engine uses ``send_at``)."""
        return self.send_at(handle, bytes(data), 0, timeout)

    @abc.abstractmethod
    def recv_from(
        self, handle: Handle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """Receive one datagram (truncated to ``amount``) and its sender,
        waiting up to ``timeout`` ticks; None if none came."""

    @abc.abstractmethod
    def send_to(
        self,
        handle: Handle,
        data: SendData,
        addr: SockAddr,
        timeout: int,
    ) -> Optional[int]:
        """Send one datagram to ``addr``, waiting up to ``timeout`` ticks for
        room; None if there was none."""

    @abc.abstractmethod
    def shutdown(self, handle: Handle, how: int) -> None:
        """Shut down reading (0), writing (1) or both (2)."""

    @abc.abstractmethod
    def get_sock_name(self, handle: Handle) -> SockAddr:
        """The local address (``PR_AF_LOCAL`` with port 0 for local sockets)."""

    @abc.abstractmethod
    def get_peer_name(self, handle: Handle) -> SockAddr:
        """The peer address."""

    @abc.abstractmethod
    def get_option(self, handle: Handle, option: int) -> OptionValue:
        """Read one of the options Linger, Reuseaddr, Keepalive, Recv- and
        SendBufferSize, IpTimeToLive, IpTypeOfService, McastInterface,
        McastTimeToLive, McastLoopback, NoDelay, MaxSegment, Broadcast."""

    @abc.abstractmethod
    def set_option(self, handle: Handle, option: int, value: OptionValue) -> None:
        """Set an option (the options above plus AddMember / DropMember)."""

    @abc.abstractmethod
    def poll_set(self, entries: Sequence[Tuple[Optional[Handle], int]]) -> PollSet:
        """Prepare a poll of ``entries`` (handle, ``PR_POLL_*`` flags), to be
        polled again and again: ``Socket.poll`` keeps the set of each thread's
        last poll, so a poll loop packs nothing. An entry with a None handle or
        zero flags is skipped and reports 0; with no entries the poll sleeps
        for its timeout (``PR_Poll`` of nothing). ``io`` keeps the handles open
        while it uses the set, and uses one set in one thread at a time; but
        a handle may be released by another thread's ``close()`` while the set
        is made (``io`` then sees the close and never polls the set), so
        reading a released handle here must not fail."""

    def set_nonblocking(self, handle: Handle, nonblocking: bool) -> None:  # noqa: B027
        """The user set ``PR_SockOpt_Nonblocking`` of ``handle`` to
        ``nonblocking``. A hint: ``io`` passes ``timeout=0`` to every call on
        a non-blocking socket anyway, so a backend may ignore it (the default)
        or keep the socket in the matching mode (the nspr backend does, to
        spare two mode switches per send)."""

    def poll(
        self, entries: Sequence[Tuple[Optional[Handle], int]], timeout: int
    ) -> Tuple[int, List[int]]:
        """One poll of ``entries``: ``(ready_count, out_flags)``.
        Convenience over :meth:`poll_set` for waits inside a backend."""
        flags = self.poll_set(entries).poll(timeout)
        if flags is None:
            return 0, [0] * len(entries)
        return len(flags) - flags.count(0), list(flags)

    @abc.abstractmethod
    def new_tcp_pair(self) -> Tuple[Handle, Handle]:
        """A connected pair of stream sockets (``socketpair(AF_UNIX)``)."""

    @abc.abstractmethod
    def import_tcp_socket(self, osfd: int) -> Handle:
        """Wrap an existing socket fd (checked to be a socket); the handle owns
        it from now on and the fd is made O_NONBLOCK."""

    # -- lookups --------------------------------------------------------------

    @abc.abstractmethod
    def get_addr_info(
        self, host: bytes, family: int, flags: int
    ) -> Tuple[Optional[bytes], List[SockAddr]]:
        """``PR_GetAddrInfoByName``: the canonical name (None with
        ``PR_AI_NOCANONNAME``) and the addresses, port 0, in resolver order.
        ``family``/``flags`` are already checked (UNSPEC/INET; ADDRCONFIG with
        or without NOCANONNAME). Failure: ``PR_DIRECTORY_LOOKUP_ERROR``."""

    @abc.abstractmethod
    def get_host_by_name(self, name: bytes) -> HostEnt:
        """``PR_GetHostByName`` (IPv4). Failure: ``PR_DIRECTORY_LOOKUP_ERROR``."""

    @abc.abstractmethod
    def get_host_by_addr(self, addr: SockAddr) -> HostEnt:
        """``PR_GetHostByAddr``. Failure: ``PR_DIRECTORY_LOOKUP_ERROR``."""

    @abc.abstractmethod
    def get_proto_by_name(self, name: bytes) -> int:
        """The protocol number; unknown names raise ``PR_DIRECTORY_LOOKUP_ERROR``."""

    @abc.abstractmethod
    def get_proto_by_number(self, number: int) -> Tuple[bytes, Tuple[bytes, ...]]:
        """``(name, aliases)``; unknown numbers raise ``PR_DIRECTORY_LOOKUP_ERROR``."""

    # -- time -----------------------------------------------------------------

    @abc.abstractmethod
    def ticks_per_second(self) -> int:
        """``PR_TicksPerSecond()``."""

    @abc.abstractmethod
    def interval_now(self) -> int:
        """``PR_IntervalNow()``: ticks of the monotonic clock, mod 2**32."""


class NonBlockingTries(Backend):
    """The bounded primitives built from non-blocking tries and :meth:`poll`.

    A backend whose OS calls never wait implements the ``_try_*`` methods
    (each returns None where it would block) and ``connect_error``; this class
    makes each bounded primitive one try, then, with a ``timeout``, one poll
    of the handle and one more try.
    """

    @abc.abstractmethod
    def _try_connect(self, handle: Handle, addr: SockAddr) -> bool:
        """Start connecting: True when connected at once, False in progress."""

    @abc.abstractmethod
    def connect_error(self, handle: Handle) -> None:
        """Raise the error the OS holds for a finished connect, if any."""

    @abc.abstractmethod
    def _try_accept(self, handle: Handle) -> Optional[Tuple[Handle, SockAddr]]:
        """Accept one connection, or None."""

    @abc.abstractmethod
    def _try_recv(self, handle: Handle, amount: int) -> Optional[bytes]:
        """Receive at most ``amount`` bytes, or None."""

    @abc.abstractmethod
    def _try_send_at(self, handle: Handle, data: bytes, offset: int) -> Optional[int]:
        """Send what fits now of ``data[offset:]``, or None."""

    @abc.abstractmethod
    def _try_recv_from(
        self, handle: Handle, amount: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """Receive one datagram and its sender, or None."""

    @abc.abstractmethod
    def _try_send_to(
        self, handle: Handle, data: SendData, addr: SockAddr
    ) -> Optional[int]:
        """Send one datagram, or None."""

    def _ready(self, handle: Handle, flags: int, timeout: int) -> int:
        """Out flags of ``handle`` after waiting up to ``timeout`` for ``flags``."""
        if not timeout:
            return 0
        ready, out_flags = self.poll([(handle, flags)], timeout)
        return out_flags[0] if ready else 0

    def connect(self, handle: Handle, addr: SockAddr, timeout: int) -> bool:
        if self._try_connect(handle, addr):
            return True
        return bool(timeout) and self.connect_continue(handle, timeout)

    def connect_continue(self, handle: Handle, timeout: int) -> bool:
        ready, flags = self.poll([(handle, PR_POLL_WRITE)], timeout)
        if not ready:
            return False
        out_flags = flags[0]
        # NSPR's blocking connect: NVAL is EBADF, a hang-up while waiting to
        # write is EPIPE (so a refused loopback connect reads as a reset).
        if out_flags & PR_POLL_NVAL:
            raise nspr_error(PR_BAD_DESCRIPTOR_ERROR)
        if out_flags & PR_POLL_HUP:
            raise nspr_error(PR_CONNECT_RESET_ERROR)
        self.connect_error(handle)
        return True

    def accept(self, handle: Handle, timeout: int) -> Optional[Tuple[Handle, SockAddr]]:
        accepted = self._try_accept(handle)
        if accepted is None and self._ready(handle, PR_POLL_READ, timeout):
            accepted = self._try_accept(handle)
        return accepted

    def recv(self, handle: Handle, amount: int, timeout: int) -> Optional[bytes]:
        data = self._try_recv(handle, amount)
        if data is None and self._ready(handle, PR_POLL_READ, timeout):
            data = self._try_recv(handle, amount)
        return data

    def recv_into(
        self, handle: Handle, buffer: memoryview, timeout: int
    ) -> Optional[int]:
        data = self.recv(handle, len(buffer), timeout)
        if data is None:
            return None
        buffer[: len(data)] = data
        return len(data)

    def send_at(
        self, handle: Handle, data: bytes, offset: int, timeout: int
    ) -> Optional[int]:
        count = self._try_send_at(handle, data, offset)
        if count is None and self._ready(handle, PR_POLL_WRITE, timeout):
            count = self._try_send_at(handle, data, offset)
        return count

    def recv_from(
        self, handle: Handle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        received = self._try_recv_from(handle, amount)
        if received is None and self._ready(handle, PR_POLL_READ, timeout):
            received = self._try_recv_from(handle, amount)
        return received

    def send_to(
        self,
        handle: Handle,
        data: SendData,
        addr: SockAddr,
        timeout: int,
    ) -> Optional[int]:
        count = self._try_send_to(handle, data, addr)
        if count is None and self._ready(handle, PR_POLL_WRITE, timeout):
            count = self._try_send_to(handle, data, addr)
        return count
