"""The primitive operations every backend implements.

The public classes of :mod:`nspr_ctypes.io` are written once, over this small
interface. A backend is a driver of *non-blocking* primitives on opaque
handles: every blocking behaviour of NSPR (timeouts in ticks, "blocking"
sockets, the poll loop, interruptibility) is built once in :mod:`nspr_ctypes.io`
from these primitives, so the backends cannot drift apart there.

Rules every backend follows:

* Arguments arrive checked and normalised by ``io``: ints are in range, sizes
  are non-negative, addresses are :class:`SockAddr` values of a family the
  call accepts, handles are live (not closed) and belong to this backend.
* A would-block condition is reported by returning ``None`` (never an error).
* Every other failure raises :class:`nspr_ctypes.error.NSPRError` built with
  :func:`nspr_ctypes.error.nspr_error` and the ``PR_*_ERROR`` code NSPR reports
  for it, translated at one place in the backend.
* A socket handle is always non-blocking at the OS level and at the NSPR level.
"""

from __future__ import annotations

import abc
import sys
from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple, Union

from nspr_ctypes.error import NSPRError

#: PyPy copies what it hands C of a bytes object, unless the object is passed
#: whole: ctypes copies a bytes argument byte by byte, ``socket.send`` copies a
#: memoryview slice. There a send hands C at most one window of the rest per
#: call, so that a retry costs what it sends.
_PASSING_COPIES = sys.implementation.name != "cpython"
_SEND_WINDOW = 256 * 1024


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

#: An opaque socket handle of one backend.
Handle = Any


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
    def desc_type(self, handle: Handle) -> int:
        """``PR_DESC_SOCKET_TCP`` or ``PR_DESC_SOCKET_UDP`` (imported: TCP)."""

    @abc.abstractmethod
    def bind(self, handle: Handle, addr: SockAddr) -> None:
        """Bind to ``addr``."""

    @abc.abstractmethod
    def listen(self, handle: Handle, backlog: int) -> None:
        """Listen; ``backlog`` is a C int."""

    @abc.abstractmethod
    def connect(self, handle: Handle, addr: SockAddr) -> bool:
        """Start connecting: True when connected at once, False when in progress."""

    @abc.abstractmethod
    def connect_continue(self, handle: Handle) -> None:
        """Finish a connection in progress once poll reported the socket
        writable: raise the connect error the OS holds for it, if any."""

    @abc.abstractmethod
    def accept(self, handle: Handle) -> Optional[Tuple[Handle, SockAddr]]:
        """Accept one connection (non-blocking), or None."""

    @abc.abstractmethod
    def recv(self, handle: Handle, amount: int) -> Optional[bytes]:
        """Receive at most ``amount`` bytes; ``b''`` at EOF; None if none ready."""

    @abc.abstractmethod
    def send(self, handle: Handle, data: Union[bytes, memoryview]) -> Optional[int]:
        """Send what fits now; the count sent, or None if nothing fits."""

    def send_at(self, handle: Handle, data: bytes, offset: int) -> Optional[int]:
        """Send what fits now of ``data[offset:]`` (``0 <= offset < len(data)``
        unless ``data`` is empty); like :meth:`send`.

        The send loop of ``io`` calls this with the same ``data`` and a growing
        ``offset``, so a retry must cost what it sends, not what is left: this
        default hands :meth:`send` a zero-copy view of the rest. A backend
        whose ``send`` copies its argument overrides it.
        """
        if not offset:
            return self.send(handle, data)
        return self.send(handle, memoryview(data)[offset:])

    @abc.abstractmethod
    def recv_from(
        self, handle: Handle, amount: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """Receive one datagram (truncated to ``amount``) and its sender."""

    @abc.abstractmethod
    def send_to(
        self, handle: Handle, data: Union[bytes, memoryview], addr: SockAddr
    ) -> Optional[int]:
        """Send one datagram to ``addr``."""

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
    def poll(
        self, entries: Sequence[Tuple[Optional[Handle], int]], timeout: int
    ) -> Tuple[int, List[int]]:
        """Wait up to ``timeout`` ticks (a short slice; never NO_TIMEOUT) for
        any entry to be ready. Returns ``(ready_count, out_flags)``; entries
        with a None handle or zero flags are skipped and report 0. Out flags use
        the ``PR_POLL_*`` bits, as ``PR_Poll`` reports them."""

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
