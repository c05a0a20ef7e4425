"""nspr_ctypes.io.Socket: every method, property and static method (see usage_support)."""

from __future__ import annotations

from io import (
    BufferedIOBase,
    BufferedReader,
    BufferedRWPair,
    BufferedWriter,
    RawIOBase,
    TextIOWrapper,
)
from typing import Callable, Iterator, List, NoReturn, Optional, Tuple, Union

from usage_support import assert_type

from nspr_ctypes import Backend, io


def construction(backend: Backend) -> None:
    assert_type(io.Socket(io.PR_AF_INET), io.Socket)
    assert_type(io.Socket(io.PR_AF_INET6, io.PR_DESC_SOCKET_UDP), io.Socket)
    assert_type(io.Socket(family=io.PR_AF_LOCAL, type=io.PR_DESC_SOCKET_TCP), io.Socket)
    assert_type(io.Socket(io.PR_AF_INET, backend=backend), io.Socket)
    io.Socket(io.PR_AF_INET, backend="stdlib")  # type: ignore[arg-type]
    io.Socket("PR_AF_INET")  # type: ignore[arg-type]


def context_manager_and_iteration(sock: io.Socket) -> None:
    with io.Socket(io.PR_AF_INET) as entered:
        assert_type(entered, io.Socket)
    assert_type(iter(sock), Iterator[bytes])
    for line in sock:
        assert_type(line, bytes)
    assert_type(next(sock), bytes)


def properties(sock: io.Socket) -> None:
    assert_type(sock.family, int)
    sock.family = io.PR_AF_INET6
    assert_type(sock.desc_type, int)
    assert_type(sock.netaddr, Optional[io.NetworkAddress])
    sock.desc_type = io.PR_DESC_SOCKET_UDP  # type: ignore[misc]
    sock.netaddr = None  # type: ignore[misc]


def connection_set_up(sock: io.Socket, addr: io.NetworkAddress) -> None:
    sock.bind(addr)
    sock.listen()
    sock.listen(128)
    sock.connect(addr)
    sock.connect(addr, io.seconds_to_interval(5))
    sock.connect(addr, timeout=io.PR_INTERVAL_NO_WAIT)
    assert_type(sock.accept(), Tuple[io.Socket, io.NetworkAddress])
    conn, peer = sock.accept(io.PR_INTERVAL_NO_TIMEOUT)
    assert_type(conn, io.Socket)
    assert_type(peer, io.NetworkAddress)
    assert_type(sock.accept_read(1024), Tuple[io.Socket, io.NetworkAddress, bytes])
    assert_type(
        sock.accept_read(1024, timeout=1000),
        Tuple[io.Socket, io.NetworkAddress, bytes],
    )
    sock.shutdown()
    sock.shutdown(io.PR_SHUTDOWN_SEND)
    sock.close()
    sock.bind(("127.0.0.1", 0))  # type: ignore[arg-type]


def receiving(sock: io.Socket, addr: io.NetworkAddress) -> None:
    assert_type(sock.recv(4096), bytes)
    assert_type(sock.recv(4096, 1000), bytes)
    assert_type(sock.read(), bytes)
    assert_type(sock.read(100), bytes)
    assert_type(sock.read(100, timeout=1000), bytes)
    assert_type(sock.readline(), bytes)
    assert_type(sock.readline(80), bytes)
    assert_type(sock.readline(timeout=1000), bytes)
    assert_type(sock.readlines(), List[bytes])
    assert_type(sock.readlines(1024, timeout=1000), List[bytes])
    assert_type(sock.recv_from(1500, addr), bytes)
    assert_type(sock.recv_from(1500, addr, timeout=1000), bytes)
    assert_type(sock.pending(), int)
    assert_type(sock.recv_into(bytearray(100)), int)
    assert_type(sock.recv_into(memoryview(bytearray(100)), 10, 1000), int)
    # The timeout of read(), readline() and readlines() is keyword-only.
    _read: Callable[[int, int], bytes] = sock.read  # type: ignore[assignment]
    _readline: Callable[[int, int], bytes] = sock.readline  # type: ignore[assignment]
    _readlines: Callable[[int, int], List[bytes]] = sock.readlines  # type: ignore[assignment]


def sending(sock: io.Socket, addr: io.NetworkAddress) -> None:
    assert_type(sock.send(b"data"), int)
    assert_type(sock.send(b"data", 1000), int)
    assert_type(sock.sendall(b"data"), int)
    assert_type(sock.sendall(b"data", timeout=1000), int)
    assert_type(sock.send_to(b"datagram", addr), int)
    assert_type(sock.send_to(b"datagram", addr, 1000), int)
    # Only bytes are sent.
    sock.send("text")  # type: ignore[arg-type]
    sock.sendall("text")  # type: ignore[arg-type]
    sock.send_to("text", addr)  # type: ignore[arg-type]


def names_and_descriptor(sock: io.Socket) -> None:
    assert_type(sock.fileno(), int)
    assert_type(sock.get_sock_name(), io.NetworkAddress)
    assert_type(sock.get_peer_name(), io.NetworkAddress)


def option_getters(sock: io.Socket, option: int) -> None:
    # The result type follows the option constant.
    assert_type(sock.get_socket_option(io.PR_SockOpt_Nonblocking), bool)
    assert_type(sock.get_socket_option(io.PR_SockOpt_Reuseaddr), bool)
    assert_type(sock.get_socket_option(io.PR_SockOpt_Keepalive), bool)
    assert_type(sock.get_socket_option(io.PR_SockOpt_McastLoopback), bool)
    assert_type(sock.get_socket_option(io.PR_SockOpt_NoDelay), bool)
    assert_type(sock.get_socket_option(io.PR_SockOpt_Broadcast), bool)
    assert_type(sock.get_socket_option(io.PR_SockOpt_RecvBufferSize), int)
    assert_type(sock.get_socket_option(io.PR_SockOpt_SendBufferSize), int)
    assert_type(sock.get_socket_option(io.PR_SockOpt_MaxSegment), int)
    assert_type(sock.get_socket_option(io.PR_SockOpt_IpTimeToLive), int)
    assert_type(sock.get_socket_option(io.PR_SockOpt_IpTypeOfService), int)
    assert_type(sock.get_socket_option(io.PR_SockOpt_McastTimeToLive), int)
    assert_type(sock.get_socket_option(io.PR_SockOpt_Linger), Tuple[bool, int])
    assert_type(sock.get_socket_option(io.PR_SockOpt_McastInterface), io.NetworkAddress)
    # An option only known at run time gives any of the values.
    assert_type(
        sock.get_socket_option(option),
        Union[bool, int, Tuple[bool, int], io.NetworkAddress],
    )


def membership_options_cannot_be_read(sock: io.Socket) -> None:
    # AddMember and DropMember can only be set; reading one raises.
    assert_type(sock.get_socket_option(io.PR_SockOpt_AddMember), NoReturn)


def membership_drop_cannot_be_read(sock: io.Socket) -> None:
    assert_type(sock.get_socket_option(io.PR_SockOpt_DropMember), NoReturn)


def option_setters(sock: io.Socket, group: io.NetworkAddress) -> None:
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    sock.set_socket_option(io.PR_SockOpt_RecvBufferSize, 65536)
    sock.set_socket_option(io.PR_SockOpt_Linger, True, 1000)
    sock.set_socket_option(io.PR_SockOpt_AddMember, group, group)
    sock.set_socket_option(io.PR_SockOpt_McastInterface, group)


def makefile_modes(sock: io.Socket, mode: str) -> None:
    # As open(): text modes give a TextIOWrapper, binary modes a buffered
    # file of the matching direction, buffersize 0 the raw file.
    assert_type(sock.makefile(), TextIOWrapper)
    assert_type(sock.makefile("r"), TextIOWrapper)
    assert_type(sock.makefile("w", encoding="utf-8", newline=""), TextIOWrapper)
    assert_type(sock.makefile("rw", 8192), TextIOWrapper)
    assert_type(sock.makefile("rb"), BufferedReader)
    assert_type(sock.makefile("wb"), BufferedWriter)
    assert_type(sock.makefile("rwb"), BufferedRWPair)
    assert_type(sock.makefile("rb", 0), RawIOBase)
    assert_type(sock.makefile("wb", 4096), Union[BufferedIOBase, RawIOBase])
    assert_type(sock.makefile(mode), Union[TextIOWrapper, BufferedIOBase, RawIOBase])
    assert_type(sock.makefile("rb").read(10), bytes)
    assert_type(sock.makefile("r").readline(), str)
    sock.makefile(b"r")  # type: ignore[call-overload]


def static_methods(sock: io.Socket, backend: Backend) -> None:
    assert_type(io.Socket.new_tcp_pair(), Tuple[io.Socket, io.Socket])
    assert_type(io.Socket.new_tcp_pair(backend=backend), Tuple[io.Socket, io.Socket])
    assert_type(io.Socket.import_tcp_socket(3), io.Socket)
    assert_type(io.Socket.import_tcp_socket(3, backend=backend), io.Socket)
    assert_type(io.Socket.poll([(sock, io.PR_POLL_READ)], 1000), Tuple[int, ...])
    assert_type(sock.poll([[sock, io.PR_POLL_WRITE]], 0), Tuple[int, ...])
    io.Socket.poll([(sock, io.PR_POLL_READ)], 0.5)  # type: ignore[arg-type]
