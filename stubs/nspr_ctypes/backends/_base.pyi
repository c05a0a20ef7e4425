"""The primitive operations every backend implements (the plugin interface).

A backend drives *bounded* primitives on opaque handles: a call that may wait
takes a timeout in ticks (0: one try; else a slice of at most about 100 ms)
and waits inside the backend. The blocking engine of nspr_ctypes hands out the
caller's timeout in such slices. Nothing within the timeout returns None, only
once the whole timeout passed; counts are exact; every other failure raises
NSPRError built with :func:`nspr_ctypes.error.nspr_error` and the PR_*_ERROR
code NSPR reports.
"""

import abc
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple, Union

from typing_extensions import TypeAlias

class SockAddr(NamedTuple):
    """A network address as plain values (the contents of a PRNetAddr).

    ``addr`` is the packed address: 4 bytes for PR_AF_INET, 16 for
    PR_AF_INET6, the path for PR_AF_LOCAL, ``b''`` for PR_AF_UNSPEC; ``port``
    is in host order.
    """

    family: int
    addr: bytes
    port: int = 0
    flowinfo: int = 0
    scope_id: int = 0

class HostEnt(NamedTuple):
    """The result of a host lookup (the contents of a PRHostEnt)."""

    name: bytes
    aliases: Tuple[bytes, ...]
    family: int
    addresses: Tuple[bytes, ...]

# A socket option value as it crosses the backend interface: bool for flag
# options; int for sizes, TTLs and TOS; (polarity, interval) for Linger; a
# SockAddr for McastInterface; (group, interface) for AddMember / DropMember.
OptionValue: TypeAlias = Union[
    bool, int, Tuple[bool, int], SockAddr, Tuple[SockAddr, SockAddr]
]

# The bytes a send takes: a bytes object or a view of the caller's memory.
SendData: TypeAlias = Union[bytes, memoryview]

# An opaque socket handle of one backend.
Handle: TypeAlias = Any

class PollSet(abc.ABC):
    """A poll of fixed entries, prepared by :meth:`Backend.poll_set`."""
    @abc.abstractmethod
    def poll(self, timeout: int) -> Optional[Tuple[int, ...]]:
        """The out flags of every entry once one is ready within ``timeout``
        ticks, else None."""

class Backend(abc.ABC):
    """One backend: an NSPR library loaded through ctypes, or an emulation.

    Instances are independent: two NSPR backends may wrap two different
    libnspr4 files in one process.
    """

    name: str
    """Registry name, e.g. ``"nspr"`` or ``"stdlib"``."""
    library_path: Optional[str]
    """Path of the loaded NSPR library, or None when no library is used."""
    version: Optional[str]
    """NSPR version string (PR_GetVersion()), or None for an emulation."""

    def describe(self) -> str:
        """One line naming the backend, its library and version."""
    @abc.abstractmethod
    def open_socket(self, family: int, desc_type: int) -> Handle:
        """Open a PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP socket of ``family``."""
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
        """Listen with a queue of ``backlog`` pending connections."""
    @abc.abstractmethod
    def connect(self, handle: Handle, addr: SockAddr, timeout: int) -> bool:
        """Connect, waiting up to ``timeout`` ticks: True when connected, False
        while in progress."""
    @abc.abstractmethod
    def connect_continue(self, handle: Handle, timeout: int) -> bool:
        """Wait up to ``timeout`` ticks for the connection in progress: True once
        set up, False while still in progress."""
    @abc.abstractmethod
    def accept(self, handle: Handle, timeout: int) -> Optional[Tuple[Handle, SockAddr]]:
        """Accept one connection and its peer address within ``timeout`` ticks, or None."""
    @abc.abstractmethod
    def recv(self, handle: Handle, amount: int, timeout: int) -> Optional[bytes]:
        """Receive at most ``amount`` bytes within ``timeout`` ticks; ``b''`` at EOF;
        None if none came."""
    @abc.abstractmethod
    def recv_into(
        self, handle: Handle, buffer: memoryview, timeout: int
    ) -> Optional[int]:
        """Receive into ``buffer`` within ``timeout`` ticks: the count, 0 at EOF,
        None if none came."""
    @abc.abstractmethod
    def send_at(
        self, handle: Handle, data: bytes, offset: int, timeout: int
    ) -> Optional[int]:
        """Send what fits within ``timeout`` ticks of ``data[offset:]``: the exact
        count, or None if nothing fitted."""
    def send(self, handle: Handle, data: SendData, timeout: int = 0) -> Optional[int]:
        """Convenience over ``send_at``."""
    @abc.abstractmethod
    def recv_from(
        self, handle: Handle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """Receive one datagram (truncated to ``amount``) and its sender within
        ``timeout`` ticks, or None."""
    @abc.abstractmethod
    def send_to(
        self,
        handle: Handle,
        data: SendData,
        addr: SockAddr,
        timeout: int,
    ) -> Optional[int]:
        """Send one datagram to ``addr`` within ``timeout`` ticks: the amount sent,
        or None."""
    @abc.abstractmethod
    def shutdown(self, handle: Handle, how: int) -> None:
        """Shut down receives, sends or both (a PR_SHUTDOWN_* mode)."""
    @abc.abstractmethod
    def get_sock_name(self, handle: Handle) -> SockAddr:
        """The local address."""
    @abc.abstractmethod
    def get_peer_name(self, handle: Handle) -> SockAddr:
        """The peer address."""
    @abc.abstractmethod
    def get_option(self, handle: Handle, option: int) -> OptionValue:
        """Read a socket option (every PR_SockOpt_* but Nonblocking, AddMember
        and DropMember)."""
    @abc.abstractmethod
    def set_option(self, handle: Handle, option: int, value: OptionValue) -> None:
        """Set a socket option (every PR_SockOpt_* but Nonblocking)."""
    @abc.abstractmethod
    def poll_set(self, entries: Sequence[Tuple[Optional[Handle], int]]) -> PollSet:
        """Prepare a poll of ``entries`` (handle, PR_POLL_* flags), to be polled
        again and again."""
    def set_nonblocking(self, handle: Handle, nonblocking: bool) -> None:
        """The user's PR_SockOpt_Nonblocking of ``handle`` (a hint)."""
    def poll(
        self, entries: Sequence[Tuple[Optional[Handle], int]], timeout: int
    ) -> Tuple[int, List[int]]:
        """One poll of ``entries``: ``(ready_count, out_flags)``."""
    @abc.abstractmethod
    def new_tcp_pair(self) -> Tuple[Handle, Handle]:
        """A connected pair of local stream sockets."""
    @abc.abstractmethod
    def import_tcp_socket(self, osfd: int) -> Handle:
        """Wrap an existing socket file descriptor, which the handle then owns."""
    @abc.abstractmethod
    def get_addr_info(
        self, host: bytes, family: int, flags: int
    ) -> Tuple[Optional[bytes], List[SockAddr]]:
        """PR_GetAddrInfoByName: the canonical name (None with PR_AI_NOCANONNAME)
        and the addresses, port 0, in resolver order."""
    @abc.abstractmethod
    def get_host_by_name(self, name: bytes) -> HostEnt:
        """PR_GetHostByName (IPv4)."""
    @abc.abstractmethod
    def get_host_by_addr(self, addr: SockAddr) -> HostEnt:
        """PR_GetHostByAddr."""
    @abc.abstractmethod
    def get_proto_by_name(self, name: bytes) -> int:
        """The protocol number of ``name``."""
    @abc.abstractmethod
    def get_proto_by_number(self, number: int) -> Tuple[bytes, Tuple[bytes, ...]]:
        """The protocol name and aliases of ``number``."""
    @abc.abstractmethod
    def ticks_per_second(self) -> int:
        """PR_TicksPerSecond()."""
    @abc.abstractmethod
    def interval_now(self) -> int:
        """PR_IntervalNow(): ticks of the monotonic clock, mod 2**32."""

class NonBlockingTries(Backend):
    """The bounded primitives built from non-blocking tries and ``poll``."""

    @abc.abstractmethod
    def _try_connect(self, handle: Handle, addr: SockAddr) -> bool: ...
    @abc.abstractmethod
    def connect_error(self, handle: Handle) -> None:
        """Raise the error the OS holds for a finished connect, if any."""
    @abc.abstractmethod
    def _try_accept(self, handle: Handle) -> Optional[Tuple[Handle, SockAddr]]: ...
    @abc.abstractmethod
    def _try_recv(self, handle: Handle, amount: int) -> Optional[bytes]: ...
    @abc.abstractmethod
    def _try_send_at(
        self, handle: Handle, data: bytes, offset: int
    ) -> Optional[int]: ...
    @abc.abstractmethod
    def _try_recv_from(
        self, handle: Handle, amount: int
    ) -> Optional[Tuple[bytes, SockAddr]]: ...
    @abc.abstractmethod
    def _try_send_to(
        self, handle: Handle, data: SendData, addr: SockAddr
    ) -> Optional[int]: ...
    def _ready(self, handle: Handle, flags: int, timeout: int) -> int: ...
    def connect(self, handle: Handle, addr: SockAddr, timeout: int) -> bool: ...
    def connect_continue(self, handle: Handle, timeout: int) -> bool: ...
    def accept(
        self, handle: Handle, timeout: int
    ) -> Optional[Tuple[Handle, SockAddr]]: ...
    def recv(self, handle: Handle, amount: int, timeout: int) -> Optional[bytes]: ...
    def recv_into(
        self, handle: Handle, buffer: memoryview, timeout: int
    ) -> Optional[int]: ...
    def send_at(
        self, handle: Handle, data: bytes, offset: int, timeout: int
    ) -> Optional[int]: ...
    def recv_from(
        self, handle: Handle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]: ...
    def send_to(
        self,
        handle: Handle,
        data: SendData,
        addr: SockAddr,
        timeout: int,
    ) -> Optional[int]: ...
