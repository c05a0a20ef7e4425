"""The NSPR backend: the primitives of Backend on a real libnspr4, through ctypes.

Sockets are NSPR-blocking (NSPR keeps them O_NONBLOCK at the OS level): a
bounded primitive waits inside NSPR, in C, for at most its timeout. A send
makes the socket NSPR-nonblocking for its call, so its count stays exact.
"""

from ctypes import c_void_p
from typing import Any, List, Optional, Sequence, Tuple, Union

from nspr_ctypes.backends._base import Backend, HostEnt, OptionValue, SockAddr

__all__ = ["NSPRBackend", "NSPRHandle", "create_backend"]

class NSPRHandle(c_void_p):
    """A socket of the NSPR backend: the PRFileDesc* itself (a c_void_p),
    NULL once closed. The socket type is the class."""

    desc_type: int
    """PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP."""

class NSPRTCPHandle(NSPRHandle):
    """A TCP socket (opened, accepted, paired or imported)."""

class NSPRUDPHandle(NSPRHandle):
    """A UDP socket."""

class NSPRBackend(Backend):
    """NSPRBackend(lib)

    The backend on one loaded libnspr4 (see create_backend()).
    """

    lib: Any
    """The loaded library (an object of the private ctypes layer)."""

    def __init__(self, lib: Any) -> None: ...
    def open_socket(self, family: int, desc_type: int) -> NSPRHandle: ...
    def close(self, handle: NSPRHandle) -> None: ...
    def fileno(self, handle: NSPRHandle) -> int: ...
    def desc_type(self, handle: NSPRHandle) -> int: ...
    def bind(self, handle: NSPRHandle, addr: SockAddr) -> None: ...
    def listen(self, handle: NSPRHandle, backlog: int) -> None: ...
    def connect(self, handle: NSPRHandle, addr: SockAddr, timeout: int) -> bool: ...
    def connect_continue(self, handle: NSPRHandle, timeout: int) -> bool: ...
    def connect_error(self, handle: NSPRHandle) -> None:
        """Raise the error the OS holds for a finished connect, if any."""
    def accept(
        self, handle: NSPRHandle, timeout: int
    ) -> Optional[Tuple[NSPRHandle, SockAddr]]: ...
    def recv(
        self, handle: NSPRHandle, amount: int, timeout: int
    ) -> Optional[bytes]: ...
    def recv_into(
        self, handle: NSPRHandle, buffer: memoryview, timeout: int
    ) -> Optional[int]: ...
    def send_at(
        self, handle: NSPRHandle, data: bytes, offset: int, timeout: int
    ) -> Optional[int]: ...
    def recv_from(
        self, handle: NSPRHandle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]: ...
    def send_to(
        self,
        handle: NSPRHandle,
        data: Union[bytes, memoryview],
        addr: SockAddr,
        timeout: int,
    ) -> Optional[int]: ...
    def shutdown(self, handle: NSPRHandle, how: int) -> None: ...
    def get_sock_name(self, handle: NSPRHandle) -> SockAddr: ...
    def get_peer_name(self, handle: NSPRHandle) -> SockAddr: ...
    def get_option(self, handle: NSPRHandle, option: int) -> OptionValue: ...
    def set_option(
        self, handle: NSPRHandle, option: int, value: OptionValue
    ) -> None: ...
    def poll(
        self, entries: Sequence[Tuple[Optional[NSPRHandle], int]], timeout: int
    ) -> Tuple[int, List[int]]: ...
    def new_tcp_pair(self) -> Tuple[NSPRHandle, NSPRHandle]: ...
    def import_tcp_socket(self, osfd: int) -> NSPRHandle: ...
    def get_addr_info(
        self, host: bytes, family: int, flags: int
    ) -> Tuple[Optional[bytes], List[SockAddr]]: ...
    def get_host_by_name(self, name: bytes) -> HostEnt: ...
    def get_host_by_addr(self, addr: SockAddr) -> HostEnt: ...
    def get_proto_by_name(self, name: bytes) -> int: ...
    def get_proto_by_number(self, number: int) -> Tuple[bytes, Tuple[bytes, ...]]: ...
    def ticks_per_second(self) -> int: ...
    def interval_now(self) -> int: ...

def create_backend(
    library: Optional[str] = None, min_version: Optional[str] = None
) -> NSPRBackend:
    """create_backend(library=None, min_version=None) -> NSPRBackend

    Load libnspr4 (the file ``library``, or the one found on the system) and
    wrap it. Raises LibraryNotFound, LibraryLoadFailed, LibraryIncompatible,
    or LibraryTooOld when it is older than ``min_version``.
    """
