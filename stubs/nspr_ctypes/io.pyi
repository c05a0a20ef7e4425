"""This module implements the NSPR IO functions

The ``nss.io`` API of python-nss: Socket, NetworkAddress, AddrInfo, HostEntry,
the interval, byte-order and protocol functions, and every ``PR_*`` constant.
Timeouts are NSPR intervals (ticks); PR_INTERVAL_NO_TIMEOUT waits for ever.
Every function that needs a backend takes an optional keyword ``backend``
(default: the process default, see :mod:`nspr_ctypes.backends`).
"""

from io import (
    BufferedIOBase,
    BufferedReader,
    BufferedRWPair,
    BufferedWriter,
    RawIOBase,
    TextIOWrapper,
)
from typing import (
    Any,
    Iterator,
    List,
    Literal,
    NoReturn,
    Optional,
    Sequence,
    Tuple,
    Union,
    overload,
)

from _typeshed import WriteableBuffer

from nspr_ctypes.backends._base import Backend
from nspr_ctypes.constants import (
    PR_AF_INET as PR_AF_INET,
    PR_AF_INET6 as PR_AF_INET6,
    PR_AF_LOCAL as PR_AF_LOCAL,
    PR_AF_UNSPEC as PR_AF_UNSPEC,
    PR_AI_ADDRCONFIG as PR_AI_ADDRCONFIG,
    PR_AI_ALL as PR_AI_ALL,
    PR_AI_DEFAULT as PR_AI_DEFAULT,
    PR_AI_NOCANONNAME as PR_AI_NOCANONNAME,
    PR_AI_V4MAPPED as PR_AI_V4MAPPED,
    PR_DESC_FILE as PR_DESC_FILE,
    PR_DESC_LAYERED as PR_DESC_LAYERED,
    PR_DESC_PIPE as PR_DESC_PIPE,
    PR_DESC_SOCKET_TCP as PR_DESC_SOCKET_TCP,
    PR_DESC_SOCKET_UDP as PR_DESC_SOCKET_UDP,
    PR_INTERVAL_MAX as PR_INTERVAL_MAX,
    PR_INTERVAL_MIN as PR_INTERVAL_MIN,
    PR_INTERVAL_NO_TIMEOUT as PR_INTERVAL_NO_TIMEOUT,
    PR_INTERVAL_NO_WAIT as PR_INTERVAL_NO_WAIT,
    PR_POLL_ERR as PR_POLL_ERR,
    PR_POLL_EXCEPT as PR_POLL_EXCEPT,
    PR_POLL_HUP as PR_POLL_HUP,
    PR_POLL_NVAL as PR_POLL_NVAL,
    PR_POLL_READ as PR_POLL_READ,
    PR_POLL_WRITE as PR_POLL_WRITE,
    PR_SHUTDOWN_BOTH as PR_SHUTDOWN_BOTH,
    PR_SHUTDOWN_RCV as PR_SHUTDOWN_RCV,
    PR_SHUTDOWN_SEND as PR_SHUTDOWN_SEND,
    PR_IpAddrAny as PR_IpAddrAny,
    PR_IpAddrLoopback as PR_IpAddrLoopback,
    PR_IpAddrNull as PR_IpAddrNull,
    PR_IpAddrV4Mapped as PR_IpAddrV4Mapped,
    PR_SockOpt_AddMember as PR_SockOpt_AddMember,
    PR_SockOpt_Broadcast as PR_SockOpt_Broadcast,
    PR_SockOpt_DropMember as PR_SockOpt_DropMember,
    PR_SockOpt_IpTimeToLive as PR_SockOpt_IpTimeToLive,
    PR_SockOpt_IpTypeOfService as PR_SockOpt_IpTypeOfService,
    PR_SockOpt_Keepalive as PR_SockOpt_Keepalive,
    PR_SockOpt_Linger as PR_SockOpt_Linger,
    PR_SockOpt_MaxSegment as PR_SockOpt_MaxSegment,
    PR_SockOpt_McastInterface as PR_SockOpt_McastInterface,
    PR_SockOpt_McastLoopback as PR_SockOpt_McastLoopback,
    PR_SockOpt_McastTimeToLive as PR_SockOpt_McastTimeToLive,
    PR_SockOpt_NoDelay as PR_SockOpt_NoDelay,
    PR_SockOpt_Nonblocking as PR_SockOpt_Nonblocking,
    PR_SockOpt_RecvBufferSize as PR_SockOpt_RecvBufferSize,
    PR_SockOpt_Reuseaddr as PR_SockOpt_Reuseaddr,
    PR_SockOpt_SendBufferSize as PR_SockOpt_SendBufferSize,
)

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
    "AddrInfo",
    "HostEntry",
    "NetworkAddress",
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

# Socket option numbers by the type get_socket_option() returns for them (the
# values of the PR_SockOpt_* constants; Literal cannot name a constant).
# tests/unit/test_option_table.py keeps them equal to the option kinds of
# nspr_ctypes.constants.
# Nonblocking, Reuseaddr, Keepalive, McastLoopback, NoDelay, Broadcast: bool
_FlagOption = Literal[0, 2, 3, 12, 13, 15]
# Recv- and SendBufferSize, IpTimeToLive, IpTypeOfService, McastTimeToLive,
# MaxSegment: int
_SizeOption = Literal[4, 5, 6, 7, 11, 14]
_LingerOption = Literal[1]  # Linger: (polarity, interval)
_InterfaceOption = Literal[10]  # McastInterface: NetworkAddress
_MembershipOption = Literal[8, 9]  # AddMember, DropMember: set only
_OptionValue = Union[bool, int, Tuple[bool, int], NetworkAddress]

# makefile() modes: the letters r, w and b in any order.
_TextMode = Literal["", "r", "w", "rw", "wr"]
_ReadBinaryMode = Literal["b", "rb", "br"]
_WriteBinaryMode = Literal["wb", "bw"]
_ReadWriteBinaryMode = Literal["rwb", "rbw", "wrb", "wbr", "brw", "bwr"]
_BinaryMode = Union[_ReadBinaryMode, _WriteBinaryMode, _ReadWriteBinaryMode]
_FileObject = Union[TextIOWrapper, BufferedIOBase, RawIOBase]

class Socket:
    """Socket(family=PR_AF_INET, type=PR_DESC_SOCKET_TCP)

    Create a new NSPR socket. ``family`` is one of PR_AF_INET, PR_AF_INET6,
    PR_AF_LOCAL (omitting it is deprecated and warns); ``type`` one of
    PR_DESC_SOCKET_TCP, PR_DESC_SOCKET_UDP. A socket is a context manager
    (``with`` closes it) and iterates over its lines.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Socket: ...
    def __init__(
        self, family: int = ..., type: int = 2, *, backend: Optional[Backend] = None
    ) -> None: ...
    @property
    def family(self) -> int:
        """socket family: PR_AF_INET, PR_AF_INET6, PR_AF_LOCAL, PR_AF_UNSPEC"""
    @family.setter
    def family(self, value: int) -> None: ...
    @property
    def desc_type(self) -> int:
        """socket description: PR_DESC_FILE, PR_DESC_SOCKET_TCP, PR_DESC_SOCKET_UDP,
        PR_DESC_LAYERED, PR_DESC_PIPE"""
    @property
    def netaddr(self) -> Optional[NetworkAddress]:
        """NetworkAddress object bound to this socket (None until bind, connect,
        send_to or recv_from)"""
    def bind(self, addr: NetworkAddress) -> None:
        """bind(addr)

        Assign the network address ``addr`` to the socket.
        """
    def listen(self, backlog: int = 5) -> None:
        """listen(backlog=5)

        Turn the socket into a rendezvous socket listening for connections;
        ``backlog`` is the maximum length of the queue of pending connections.
        """
    def connect(self, addr: NetworkAddress, timeout: int = 0xFFFFFFFF) -> None:
        """connect(addr, timeout=PR_INTERVAL_NO_TIMEOUT)

        Connect to ``addr`` (on a UDP socket: set the default peer). Raises
        NSPRError PR_IO_TIMEOUT_ERROR when the connection is not set up within
        ``timeout``.
        """
    def accept(self, timeout: int = 0xFFFFFFFF) -> Tuple[Socket, NetworkAddress]:
        """accept(timeout=PR_INTERVAL_NO_TIMEOUT) -> (Socket, NetworkAddress)

        Accept the first pending connection of this rendezvous socket: a new
        Socket and the NetworkAddress of the peer.
        """
    def accept_read(
        self, amount: int, timeout: int = 0xFFFFFFFF
    ) -> Tuple[Socket, NetworkAddress, bytes]:
        """accept_read(amount, timeout=PR_INTERVAL_NO_TIMEOUT) -> (Socket, NetworkAddress, buf)

        Accept a connection, then receive up to ``amount`` bytes from it, as
        Socket.accept() followed by Socket.recv().
        """
    def shutdown(self, how: int = 2) -> None:
        """shutdown(how=PR_SHUTDOWN_BOTH)

        Disallow further receives (PR_SHUTDOWN_RCV), sends (PR_SHUTDOWN_SEND)
        or both (PR_SHUTDOWN_BOTH).
        """
    def close(self) -> None:
        """close()

        Close the socket. Closing a closed socket does nothing.
        """
    def recv(self, amount: int, timeout: int = 0xFFFFFFFF) -> bytes:
        """recv(amount, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Block until some bytes arrive, then return at most ``amount`` of them.
        A buf of length 0 means the network connection is closed.
        """
    def recv_into(
        self, buffer: WriteableBuffer, nbytes: int = 0, timeout: int = 0xFFFFFFFF
    ) -> int:
        """recv_into(buffer, nbytes=0, timeout=PR_INTERVAL_NO_TIMEOUT) -> int

        Receive at most ``nbytes`` bytes (all of ``buffer`` when 0) into the
        writable bytes-like object ``buffer``, without allocating; the count.
        """
    def read(self, size: int = -1, *, timeout: int = 0xFFFFFFFF) -> bytes:
        """read(size=-1, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        With ``size`` >= 0, as recv(size); otherwise read until EOF.
        """
    def readline(self, size: int = 0, *, timeout: int = 0xFFFFFFFF) -> bytes:
        """readline(size=0, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Read one entire line, including the trailing newline; with ``size`` > 0
        at most ``size`` bytes. An empty buf is returned on EOF.
        """
    def readlines(self, sizehint: int = 0, *, timeout: int = 0xFFFFFFFF) -> List[bytes]:
        """readlines(sizehint=0, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> [buf]

        Read lines until EOF, or whole lines totalling about ``sizehint`` bytes.
        """
    def pending(self) -> int:
        """pending() -> int

        Return the number of bytes already received and buffered in this
        object, which recv(), read() and readline() return before receiving
        more; 0 when none. The descriptor's readiness does not show them: in an
        event loop, drain pending() before waiting on fileno() again.
        """
    def __iter__(self) -> Iterator[bytes]: ...
    def __next__(self) -> bytes: ...
    def recv_from(
        self, amount: int, addr: NetworkAddress, timeout: int = 0xFFFFFFFF
    ) -> bytes:
        """recv_from(amount, addr, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Receive one datagram of at most ``amount`` bytes; ``addr`` (a
        NetworkAddress object) is set to the sender's address.
        """
    def send(self, buf: bytes, timeout: int = 0xFFFFFFFF) -> int:
        """send(buf, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send ``buf``, blocking until all bytes are sent (unless the socket is
        in non-blocking mode). Returns the number of bytes transmitted; on a
        timeout or error NSPRError is raised, ``bytes_sent`` saying how many
        were sent before it.
        """
    def sendall(self, buf: bytes, timeout: int = 0xFFFFFFFF) -> int:
        """sendall(buf, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send every byte of ``buf`` or raise NSPRError (with ``bytes_sent``).
        """
    def send_to(
        self, buf: bytes, addr: NetworkAddress, timeout: int = 0xFFFFFFFF
    ) -> int:
        """send_to(buf, addr, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send ``buf`` as one datagram to the NetworkAddress ``addr``.
        """
    def fileno(self) -> int:
        """fileno() -> integer

        Return the integer file descriptor of the socket.
        """
    def get_sock_name(self) -> NetworkAddress:
        """get_sock_name() -> NetworkAddress

        Return the network address for this socket.
        """
    def get_peer_name(self) -> NetworkAddress:
        """get_peer_name() -> NetworkAddress

        Return the network address for the connected peer socket.
        """
    @overload
    def get_socket_option(self, option: _FlagOption) -> bool:
        """get_socket_option(option)

        The return value depends on the option: a bool for PR_SockOpt_Nonblocking,
        Reuseaddr, Keepalive, McastLoopback, NoDelay, Broadcast; a size for
        PR_SockOpt_RecvBufferSize, SendBufferSize, MaxSegment; an int for
        PR_SockOpt_IpTimeToLive, IpTypeOfService, McastTimeToLive;
        (polarity, interval) for PR_SockOpt_Linger; a NetworkAddress (ifaddr)
        for PR_SockOpt_McastInterface. PR_SockOpt_AddMember and DropMember can
        only be set: reading them raises NSPRError PR_INVALID_ARGUMENT_ERROR.
        """
    @overload
    def get_socket_option(self, option: _SizeOption) -> int: ...
    @overload
    def get_socket_option(self, option: _LingerOption) -> Tuple[bool, int]: ...
    @overload
    def get_socket_option(self, option: _InterfaceOption) -> NetworkAddress: ...
    @overload
    def get_socket_option(self, option: _MembershipOption) -> NoReturn: ...
    @overload
    def get_socket_option(self, option: int) -> _OptionValue: ...
    def set_socket_option(self, option: int, *values: Any) -> None:
        """set_socket_option(option, ...)

        The values depend on the option: a bool for the flag options, a size,
        interval or tos for the numeric ones, ``polarity, interval`` for
        PR_SockOpt_Linger, ``mcaddr, ifaddr`` for PR_SockOpt_AddMember and
        PR_SockOpt_DropMember, ``ifaddr`` for PR_SockOpt_McastInterface
        (mcaddr and ifaddr are NetworkAddress objects).
        """
    @overload
    def makefile(
        self,
        mode: _BinaryMode,
        buffersize: Literal[0],
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> RawIOBase:
        """makefile(mode='r', buffersize=-1) -> file object

        Return a regular file object corresponding to the socket; ``mode`` and
        ``buffersize`` are as for the built-in open(): a TextIOWrapper for a
        text mode, a BufferedReader, BufferedWriter or BufferedRWPair for a
        binary mode, an unbuffered raw file for a binary mode with buffersize 0.
        """
    @overload
    def makefile(
        self,
        mode: _ReadBinaryMode,
        buffersize: Literal[-1] = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> BufferedReader: ...
    @overload
    def makefile(
        self,
        mode: _WriteBinaryMode,
        buffersize: Literal[-1] = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> BufferedWriter: ...
    @overload
    def makefile(
        self,
        mode: _ReadWriteBinaryMode,
        buffersize: Literal[-1] = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> BufferedRWPair: ...
    @overload
    def makefile(
        self,
        mode: _BinaryMode,
        buffersize: int,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> Union[BufferedIOBase, RawIOBase]: ...
    @overload
    def makefile(
        self,
        mode: _TextMode = "r",
        buffersize: int = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> TextIOWrapper: ...
    @overload
    def makefile(
        self,
        mode: str,
        buffersize: int = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> _FileObject: ...
    @staticmethod
    def new_tcp_pair(*, backend: Optional[Backend] = None) -> Tuple[Socket, Socket]:
        """new_tcp_pair() -> (Socket, Socket)

        Returns a pair of connected sockets: data written to one can be read
        from the other and vice versa.
        """
    @staticmethod
    def import_tcp_socket(osfd: int, *, backend: Optional[Backend] = None) -> Socket:
        """import_tcp_socket(osfd) -> Socket

        Returns a Socket object that uses the socket file descriptor ``osfd``
        (a SOCK_STREAM socket) for communication, and owns it from now on.
        """
    @staticmethod
    def poll(
        poll_descs: Sequence[Sequence[Any]],
        timeout: int,
        *,
        backend: Optional[Backend] = None,
    ) -> Tuple[int, ...]:
        """poll(poll_descs, timeout) -> (flags, ...)

        Wait until at least one of the Socket objects is ready for the action
        in flags. ``poll_descs`` is a sequence of (Socket, flags) sequences,
        flags a bitwise OR of PR_POLL_* flags. Returns the flags that hold for
        each Socket, in order. All sockets belong to one backend (``backend``
        when given), else ValueError.
        """
    def __enter__(self) -> Socket: ...
    def __exit__(self, *exc_info: Any) -> None: ...
    def __del__(self) -> None: ...

class NetworkAddress:
    """NetworkAddress(addr=PR_IpAddrNull, port=0, family=PR_AF_INET)

    An IPv4 or IPv6 address with a port. ``addr`` is one of PR_IpAddrNull,
    PR_IpAddrAny, PR_IpAddrLoopback, or (deprecated: use AddrInfo instead) a
    host name or numeric address string. ``family`` is PR_AF_INET or
    PR_AF_INET6. ``str()`` gives ``'address:port'``.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> NetworkAddress: ...
    def __init__(
        self,
        addr: Union[int, str] = 0,
        port: int = 0,
        family: int = 2,
        *,
        backend: Optional[Backend] = None,
    ) -> None: ...
    @property
    def address(self) -> str:
        """address as string"""
    @property
    def port(self) -> int:
        """network address port"""
    @port.setter
    def port(self, value: int) -> None: ...
    @property
    def family(self) -> int:
        """address family (e.g. PR_AF_INET, etc.)"""
    @property
    def hostname(self) -> Optional[str]:
        """If an address string was used to construct this NetworkAddress then
        the canonical hostname, otherwise None"""
    @property
    def hostentry(self) -> HostEntry:
        """HostEntry object representing this NetworkAddress
        (Warning: Deprecated, use AddrInfo instead)"""
    def set_from_string(
        self, addr: Union[str, bytes, bytearray], family: int = 2
    ) -> None:
        """set_from_string(addr, family=PR_AF_INET)

        Reinitializes the NetworkAddress object given a string; ``family`` is
        PR_AF_INET, PR_AF_INET6 or PR_AF_UNSPEC. Deprecated: use AddrInfo.
        """
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class AddrInfo:
    """AddrInfo(hostname, family=PR_AF_UNSPEC, flags=PR_AI_ADDRCONFIG)

    The network addresses of ``hostname`` (a host name or numeric address
    string), an ordered sequence of NetworkAddress objects, accessed by
    iteration or indexing. ``family`` is PR_AF_UNSPEC or PR_AF_INET; ``flags``
    PR_AI_ADDRCONFIG, optionally with PR_AI_NOCANONNAME.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> AddrInfo: ...
    def __init__(
        self,
        hostname: Union[str, bytes, bytearray],
        family: int = 0,
        flags: int = 32,
        *,
        backend: Optional[Backend] = None,
    ) -> None: ...
    @property
    def hostname(self) -> str:
        """Returns the hostname this object was initialized from"""
    @property
    def canonical_name(self) -> Optional[str]:
        """Returns the canonical name associated with the IP address or None if not known"""
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> NetworkAddress: ...
    def __iter__(self) -> Iterator[NetworkAddress]: ...

class HostEntry:
    """HostEntry(addr)

    The official name, aliases, address family and network addresses of a
    host (IPv4 only). ``addr`` is a string (as GetHostByName) or a
    NetworkAddress object (as GetHostByAddr). Deprecated: use AddrInfo instead.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> HostEntry: ...
    def __init__(
        self, addr: Union[str, NetworkAddress], *, backend: Optional[Backend] = None
    ) -> None: ...
    @property
    def hostname(self) -> str:
        """official name of host"""
    @property
    def aliases(self) -> Optional[Tuple[str, ...]]:
        """tuple of aliases for host (None before initialization)"""
    @property
    def family(self) -> int:
        """address family (e.g. PR_AF_INET, etc.)"""
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> NetworkAddress: ...
    def __iter__(self) -> Iterator[NetworkAddress]: ...
    def get_network_addresses(
        self, port: int = 0
    ) -> Optional[Tuple[NetworkAddress, ...]]:
        """get_network_addresses(port=0)

        Return a tuple of all possible network addresses of this HostEntry, as
        NetworkAddress objects with ``port`` (None before initialization).
        Deprecated: iterate instead.
        """
    def get_network_address(self, port: int = 0) -> Optional[NetworkAddress]:
        """get_network_address(port=0)

        Returns the first network address of this HostEntry as a
        NetworkAddress object with ``port``, or None if it has none.
        Deprecated: index instead.
        """

def ticks_per_second(*, backend: Optional[Backend] = None) -> int:
    """ticks_per_second() -> int

    An integer between 1000 and 100000 indicating the number of ticks per
    second counted by PRIntervalTime on the current platform.
    """

def interval_now(*, backend: Optional[Backend] = None) -> int:
    """interval_now() -> int

    The current interval, to establish epochs and to determine intervals
    (that is, compute the difference between two times).
    """

def seconds_to_interval(seconds: int, *, backend: Optional[Backend] = None) -> int:
    """seconds_to_interval(seconds) -> interval

    Converts standard clock seconds to platform-dependent intervals.
    """

def milliseconds_to_interval(
    milliseconds: int, *, backend: Optional[Backend] = None
) -> int:
    """milliseconds_to_interval(milliseconds) -> interval

    Converts standard clock milliseconds to platform-dependent intervals.
    """

def microseconds_to_interval(
    microseconds: int, *, backend: Optional[Backend] = None
) -> int:
    """microseconds_to_interval(microseconds) -> interval

    Converts standard clock microseconds to platform-dependent intervals.
    """

def interval_to_seconds(interval: int, *, backend: Optional[Backend] = None) -> int:
    """interval_to_seconds(interval) -> seconds

    Converts platform-dependent intervals to standard clock seconds.
    """

def interval_to_milliseconds(
    interval: int, *, backend: Optional[Backend] = None
) -> int:
    """interval_to_milliseconds(interval) -> milliseconds

    Converts platform-dependent intervals to standard clock milliseconds.
    """

def interval_to_microseconds(
    interval: int, *, backend: Optional[Backend] = None
) -> int:
    """interval_to_microseconds(interval) -> microseconds

    Converts platform-dependent intervals to standard clock microseconds.
    """

def htons(value: int) -> int:
    """htons(value) -> int

    16 bit conversion from host to network.
    """

def ntohs(value: int) -> int:
    """ntohs(value) -> int

    16 bit conversion from network to host.
    """

def htonl(value: int) -> int:
    """htonl(value) -> int

    32 bit conversion from host to network.
    """

def ntohl(value: int) -> int:
    """ntohl(value) -> int

    32 bit conversion from network to host.
    """

def addr_family_name(family: int) -> str:
    """addr_family_name(family) -> string

    Given an address family constant returns the string name.
    """

def get_proto_by_name(name: str, *, backend: Optional[Backend] = None) -> int:
    """get_proto_by_name(name) -> int

    Returns the protocol number given the protocol's name. Raises NSPRError
    if the lookup fails.
    """

def get_proto_by_number(
    number: int, *, backend: Optional[Backend] = None
) -> Tuple[str, Tuple[str, ...]]:
    """get_proto_by_number(number) -> (name, aliases)

    Returns the protocol name and a tuple of aliases given the protocol's
    number. Raises NSPRError if the lookup fails.
    """
