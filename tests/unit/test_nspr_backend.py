"""Primitive-level tests of NSPRBackend on loopback; every wait is bounded."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import gc
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import pytest

from nspr_ctypes.backends import _nspr_buffers as buffers
from nspr_ctypes.backends import _nspr_ffi as ffi
from nspr_ctypes.backends import nspr as nspr_module
from nspr_ctypes.backends._base import HostEnt, SockAddr
from nspr_ctypes.backends._nspr_addr import (
    _NETADDR_SIZE,
    netaddr_to_sockaddr,
    sockaddr_to_netaddr,
)
from nspr_ctypes.backends.errors import BackendUnavailable
from nspr_ctypes.backends.nspr import (
    NSPRBackend,
    NSPRHandle,
    NSPRTCPHandle,
    NSPRUDPHandle,
    create_backend,
)
from nspr_ctypes.constants import (
    PR_AF_INET,
    PR_AF_INET6,
    PR_AF_LOCAL,
    PR_AF_UNSPEC,
    PR_AI_ADDRCONFIG,
    PR_AI_NOCANONNAME,
    PR_DESC_SOCKET_TCP,
    PR_DESC_SOCKET_UDP,
    PR_POLL_ERR,
    PR_POLL_HUP,
    PR_POLL_READ,
    PR_POLL_WRITE,
    PR_SockOpt_AddMember,
    PR_SockOpt_Broadcast,
    PR_SockOpt_DropMember,
    PR_SockOpt_IpTimeToLive,
    PR_SockOpt_Keepalive,
    PR_SockOpt_Linger,
    PR_SockOpt_McastInterface,
    PR_SockOpt_McastLoopback,
    PR_SockOpt_McastTimeToLive,
    PR_SockOpt_NoDelay,
    PR_SockOpt_Nonblocking,
    PR_SockOpt_RecvBufferSize,
    PR_SockOpt_Reuseaddr,
)
from nspr_ctypes.error import (
    PR_ADDRESS_IN_USE_ERROR,
    PR_ADDRESS_NOT_SUPPORTED_ERROR,
    PR_BAD_DESCRIPTOR_ERROR,
    PR_BUFFER_OVERFLOW_ERROR,
    PR_CONNECT_RESET_ERROR,
    PR_DIRECTORY_LOOKUP_ERROR,
    PR_INVALID_ARGUMENT_ERROR,
    PR_IO_TIMEOUT_ERROR,
    PR_NETWORK_UNREACHABLE_ERROR,
    PR_NOT_TCP_SOCKET_ERROR,
    PR_WOULD_BLOCK_ERROR,
    NSPRError,
)

LOOPBACK = socket.inet_aton("127.0.0.1")
LOOPBACK6 = socket.inet_pton(socket.AF_INET6, "::1")
WAIT = 5000  # ticks: a generous bound for waits that must succeed
SHORT = 100  # ticks: a wait that must expire


@pytest.fixture(scope="module")
def backend() -> NSPRBackend:
    try:
        return create_backend()
    except BackendUnavailable as exc:  # pragma: no cover - machine without NSPR
        pytest.skip("NSPR not loadable: %s" % exc)


class Sockets:
    """Opens handles and closes whatever is left at the end of a test."""

    def __init__(self, backend: NSPRBackend) -> None:
        self.backend = backend
        self.handles: List[NSPRHandle] = []

    def keep(self, handle: NSPRHandle) -> NSPRHandle:
        self.handles.append(handle)
        return handle

    def open(
        self, family: int = PR_AF_INET, kind: int = PR_DESC_SOCKET_TCP
    ) -> NSPRHandle:
        return self.keep(self.backend.open_socket(family, kind))

    def listener(self) -> Tuple[NSPRHandle, SockAddr]:
        server = self.open()
        self.backend.set_option(server, PR_SockOpt_Reuseaddr, True)
        self.backend.bind(server, SockAddr(PR_AF_INET, LOOPBACK, 0))
        self.backend.listen(server, 16)
        return server, self.backend.get_sock_name(server)

    def wait(self, handle: NSPRHandle, flags: int) -> int:
        ready, out = self.backend.poll([(handle, flags)], WAIT)
        assert ready == 1, "not ready within %d ticks" % WAIT
        return out[0]

    def connected_pair(self) -> Tuple[NSPRHandle, NSPRHandle]:
        server, addr = self.listener()
        client = self.open()
        if not self.backend.connect(client, addr, WAIT):
            assert self.backend.connect_continue(client, WAIT)
        accepted = self.backend.accept(server, WAIT)
        assert accepted is not None
        return client, self.keep(accepted[0])

    def close_all(self) -> None:
        for handle in self.handles:
            self.backend.close(handle)


@pytest.fixture
def socks(backend: NSPRBackend) -> Iterator[Sockets]:
    sockets = Sockets(backend)
    yield sockets
    sockets.close_all()


def free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


# -- identity ----------------------------------------------------------------------


def test_identity(backend: NSPRBackend) -> None:
    assert backend.name == "nspr"
    assert backend.library_path is not None
    assert os.path.isabs(backend.library_path)
    assert backend.library_path == os.path.realpath(backend.library_path)
    assert backend.version and backend.version[0].isdigit()
    assert backend.version in backend.describe()


def test_time(backend: NSPRBackend) -> None:
    ticks = backend.ticks_per_second()
    assert ticks == 1000  # NSPR on Linux
    first = backend.interval_now()
    time.sleep(0.02)
    elapsed = (backend.interval_now() - first) % 2**32
    assert 10 <= elapsed < 5 * ticks


# -- TCP ---------------------------------------------------------------------------


def test_tcp_round_trip(backend: NSPRBackend, socks: Sockets) -> None:
    server, addr = socks.listener()
    assert addr.family == PR_AF_INET and addr.addr == LOOPBACK and addr.port > 0
    assert backend.accept(server, 0) is None  # nothing waiting: would block
    client = socks.open()
    assert backend.connect(client, addr, 0) is False  # loopback TCP: in progress
    assert backend.connect_continue(client, WAIT) is True
    accepted = backend.accept(server, WAIT)
    assert accepted is not None
    conn, peer = socks.keep(accepted[0]), accepted[1]
    assert peer == backend.get_sock_name(client)
    assert backend.get_peer_name(client) == addr
    assert type(conn) is NSPRTCPHandle  # the class is the socket type

    assert backend.recv(conn, 100, 0) is None  # idle: would block
    assert backend.send(client, b"hello") == 5
    assert backend.send(client, memoryview(bytearray(b" big"))) == 4
    assert backend.send(client, memoryview(b"xx world")[2:]) == 6
    assert backend.send(client, memoryview(b"a-b-c")[::2]) == 3  # not contiguous
    received = b""
    while len(received) < 18:
        socks.wait(conn, PR_POLL_READ)
        chunk = backend.recv(conn, 100, 0)
        assert chunk
        received += chunk
    assert received == b"hello big worldabc"


def test_shutdown_gives_eof(backend: NSPRBackend, socks: Sockets) -> None:
    client, conn = socks.connected_pair()
    backend.shutdown(client, 1)
    socks.wait(conn, PR_POLL_READ)
    assert backend.recv(conn, 10, 0) == b""


def test_recv_huge_amount_is_capped(backend: NSPRBackend, socks: Sockets) -> None:
    client, conn = socks.connected_pair()
    assert backend.send(client, b"x" * 1000) == 1000
    socks.wait(conn, PR_POLL_READ)
    # 2**31-1 must not allocate 2 GiB; the call returns what is there
    data = backend.recv(conn, 2**31 - 1, 0)
    assert data is not None and 0 < len(data) <= 1000


def test_send_until_would_block(backend: NSPRBackend, socks: Sockets) -> None:
    client, conn = socks.connected_pair()
    chunk = b"z" * 65536
    total = 0
    for _ in range(10000):
        sent = backend.send(client, chunk)
        if sent is None:
            break
        total += sent
    else:  # pragma: no cover
        pytest.fail("the socket never filled up")
    assert total > 0
    # drain a little: it becomes writable again eventually
    drained = 0
    while drained < total:
        data = backend.recv(conn, 1 << 20, 0)
        if data is None:
            break
        drained += len(data)
    assert drained > 0


def test_send_at_sends_from_the_offset(backend: NSPRBackend, socks: Sockets) -> None:
    client, conn = socks.connected_pair()
    data = bytes(range(256)) * 16
    sent = backend.send_at(client, data, 1000, 0)
    assert sent == len(data) - 1000
    received = b""
    while len(received) < sent:
        socks.wait(conn, PR_POLL_READ)
        chunk = backend.recv(conn, 1 << 20, 0)
        assert chunk
        received += chunk
    assert received == data[1000:]


def _copied(argument: object, data: bytes) -> int:
    """How many bytes a C call was handed as a copy of ``data``."""
    if argument is data or isinstance(argument, ctypes.c_void_p):
        return 0  # the bytes object itself, or an address into it
    return len(argument)  # type: ignore[arg-type]


def test_a_resumed_send_copies_at_most_one_window(
    backend: NSPRBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A send that is resumed at an offset (here: the kernel takes part of
    # 16 MiB, then nothing more) must cost what it sends: no PR_Send may be
    # handed a copy of the whole rest.
    from nspr_ctypes import io
    from nspr_ctypes.backends._base import _SEND_WINDOW

    handed: List[int] = []
    real_send = backend._pr_send
    data = b"w" * (16 << 20)

    def recording_send(
        fd: int, buf: object, size: int, flags: int, timeout: int
    ) -> int:
        handed.append(_copied(buf, data))
        result: int = real_send(fd, buf, size, flags, timeout)
        return result

    client, server = io.Socket.new_tcp_pair(backend=backend)
    try:
        monkeypatch.setattr(backend, "_pr_send", recording_send)
        with pytest.raises(NSPRError) as info:
            client.send(data, SHORT)
        monkeypatch.undo()
    finally:
        client.close()
        server.close()
    sent = info.value.bytes_sent
    assert sent is not None and 0 < sent < len(data)
    assert len(handed) >= 2  # resumed at least once
    assert max(handed) <= _SEND_WINDOW


def test_refused_connect_waiting_in_nspr(backend: NSPRBackend, socks: Sockets) -> None:
    # NSPR's blocking connect sees WRITE|ERR|HUP and turns the HUP into
    # EPIPE -> PR_CONNECT_RESET_ERROR, as python-nss reports it.
    client = socks.open()
    target = SockAddr(PR_AF_INET, LOOPBACK, free_port())
    with pytest.raises(NSPRError) as info:
        backend.connect(client, target, WAIT)
    assert info.value.errno == PR_CONNECT_RESET_ERROR


def test_refused_connect_continued(backend: NSPRBackend, socks: Sockets) -> None:
    client = socks.open()
    target = SockAddr(PR_AF_INET, LOOPBACK, free_port())
    assert backend.connect(client, target, 0) is False
    flags = socks.wait(client, PR_POLL_WRITE)
    # Observed on Linux: WRITE|ERR|HUP (42).
    assert flags & PR_POLL_HUP
    assert flags & PR_POLL_ERR
    with pytest.raises(NSPRError) as info:
        backend.connect_continue(client, WAIT)
    assert info.value.errno == PR_CONNECT_RESET_ERROR


def test_connect_to_an_unreachable_address(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client = socks.open()
    with pytest.raises(NSPRError) as info:
        backend.connect(client, SockAddr(PR_AF_INET, b"\xff\xff\xff\xff", 80), WAIT)
    assert info.value.errno == PR_NETWORK_UNREACHABLE_ERROR


def test_refused_connect_poll_read(backend: NSPRBackend, socks: Sockets) -> None:
    client = socks.open()
    backend.connect(client, SockAddr(PR_AF_INET, LOOPBACK, free_port()), 0)
    flags = socks.wait(client, PR_POLL_READ | PR_POLL_WRITE)
    assert flags & PR_POLL_HUP and flags & PR_POLL_READ


def test_bind_address_in_use(backend: NSPRBackend, socks: Sockets) -> None:
    _, addr = socks.listener()
    other = socks.open()
    with pytest.raises(NSPRError) as info:
        backend.bind(other, addr)
    assert info.value.errno == PR_ADDRESS_IN_USE_ERROR


def test_unsupported_family(backend: NSPRBackend) -> None:
    with pytest.raises(NSPRError) as info:
        backend.open_socket(99, PR_DESC_SOCKET_TCP)
    assert info.value.errno == PR_ADDRESS_NOT_SUPPORTED_ERROR


def test_sockets_are_os_nonblocking_and_nspr_blocking(
    backend: NSPRBackend, socks: Sockets
) -> None:
    handle = socks.open()
    osfd = backend.fileno(handle)
    assert fcntl.fcntl(osfd, fcntl.F_GETFL) & os.O_NONBLOCK
    assert backend.get_option(handle, PR_SockOpt_Nonblocking) is False


def test_close_is_final_and_harmless(backend: NSPRBackend) -> None:
    handle = backend.open_socket(PR_AF_INET, PR_DESC_SOCKET_TCP)
    backend.close(handle)
    backend.close(handle)  # a second close does nothing
    for call in (
        lambda: backend.recv(handle, 1, 0),
        lambda: backend.send(handle, b"x"),
        lambda: backend.fileno(handle),
        lambda: backend.get_sock_name(handle),
        lambda: backend.get_option(handle, PR_SockOpt_Reuseaddr),
        lambda: backend.accept(handle, 0),
    ):
        with pytest.raises(NSPRError) as info:
            call()
        assert info.value.errno == PR_BAD_DESCRIPTOR_ERROR
    # a closed handle in a poll list is skipped (NULL fd)
    assert backend.poll([(handle, PR_POLL_READ)], 0) == (0, [0])


def test_ipv6_loopback(backend: NSPRBackend, socks: Sockets) -> None:
    server = socks.open(PR_AF_INET6)
    try:
        backend.bind(server, SockAddr(PR_AF_INET6, LOOPBACK6, 0))
    except NSPRError as exc:  # pragma: no cover - no IPv6 here
        pytest.skip("no IPv6 loopback: %s" % exc)
    backend.listen(server, 4)
    addr = backend.get_sock_name(server)
    assert (addr.family, addr.addr, addr.flowinfo) == (PR_AF_INET6, LOOPBACK6, 0)
    client = socks.open(PR_AF_INET6)
    if not backend.connect(client, addr, WAIT):
        assert backend.connect_continue(client, WAIT)
    accepted = backend.accept(server, WAIT)
    assert accepted is not None
    socks.keep(accepted[0])
    assert accepted[1].family == PR_AF_INET6


def test_local_socket(backend: NSPRBackend, socks: Sockets, tmp_path: Path) -> None:
    path = os.fsencode(str(tmp_path / "sock"))
    if len(path) > 100:  # pragma: no cover
        pytest.skip("temporary path too long for AF_UNIX")
    server = socks.open(PR_AF_LOCAL)
    backend.bind(server, SockAddr(PR_AF_LOCAL, path))
    backend.listen(server, 4)
    assert backend.get_sock_name(server) == SockAddr(PR_AF_LOCAL, path, 0)
    client = socks.open(PR_AF_LOCAL)
    assert backend.connect(client, SockAddr(PR_AF_LOCAL, path), 0) is True
    socks.wait(server, PR_POLL_READ)
    accepted = backend.accept(server, 0)
    assert accepted is not None
    socks.keep(accepted[0])
    assert accepted[1].family == PR_AF_LOCAL


# -- UDP ---------------------------------------------------------------------------


def test_udp(backend: NSPRBackend, socks: Sockets) -> None:
    sock = socks.open(PR_AF_INET, PR_DESC_SOCKET_UDP)
    assert type(sock) is NSPRUDPHandle
    backend.bind(sock, SockAddr(PR_AF_INET, LOOPBACK, 0))
    addr = backend.get_sock_name(sock)
    assert backend.recv_from(sock, 10, 0) is None
    assert backend.send_to(sock, b"datagram", addr, 0) == 8
    assert backend.send_to(sock, memoryview(bytearray(b"second")), addr, 0) == 6
    socks.wait(sock, PR_POLL_READ)
    first = backend.recv_from(sock, 4, 0)  # truncated
    assert first == (b"data", addr)
    socks.wait(sock, PR_POLL_READ)
    assert backend.recv_from(sock, 100, 0) == (b"second", addr)


# -- poll --------------------------------------------------------------------------


def test_poll_empty_list_sleeps(backend: NSPRBackend) -> None:
    start = time.monotonic()
    assert backend.poll([], 200) == (0, [])
    assert time.monotonic() - start >= 0.15


def test_poll_timeout_and_skipped_entries(backend: NSPRBackend, socks: Sockets) -> None:
    client, conn = socks.connected_pair()
    start = time.monotonic()
    ready, flags = backend.poll(
        [(conn, PR_POLL_READ), (None, PR_POLL_READ), (client, 0)], SHORT
    )
    assert time.monotonic() - start >= 0.05
    assert ready == 0
    # Skipped entries report 0. On a timeout NSPR leaves its internal
    # bookkeeping bits in the others (READ -> 1), as python-nss shows them.
    assert flags[1:] == [0, 0]
    assert flags[0] == 1


def test_poll_ready_entries(backend: NSPRBackend, socks: Sockets) -> None:
    client, conn = socks.connected_pair()
    backend.send(client, b"x")
    socks.wait(conn, PR_POLL_READ)
    ready, flags = backend.poll(
        [(client, PR_POLL_READ), (conn, PR_POLL_READ), (client, PR_POLL_WRITE)], 0
    )
    assert ready == 2
    assert flags == [0, PR_POLL_READ, PR_POLL_WRITE]
    # the cached descriptor array is rebuilt for each call
    assert backend.poll([(client, PR_POLL_WRITE)], 0) == (1, [PR_POLL_WRITE])


def test_poll_from_threads(backend: NSPRBackend, socks: Sockets) -> None:
    client, _conn = socks.connected_pair()
    results: List[Tuple[int, List[int]]] = []

    def worker() -> None:
        for _ in range(50):
            results.append(backend.poll([(client, PR_POLL_WRITE)] * 3, WAIT))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [(3, [PR_POLL_WRITE] * 3)] * 200


# -- options -----------------------------------------------------------------------


def test_flag_options(backend: NSPRBackend, socks: Sockets) -> None:
    handle = socks.open()
    for option in (
        PR_SockOpt_Reuseaddr,
        PR_SockOpt_Keepalive,
        PR_SockOpt_NoDelay,
        PR_SockOpt_Broadcast,
    ):
        assert backend.get_option(handle, option) is False
        backend.set_option(handle, option, True)
        assert backend.get_option(handle, option) is True
        backend.set_option(handle, option, False)
        assert backend.get_option(handle, option) is False


def test_linger_is_truncated_to_seconds(backend: NSPRBackend, socks: Sockets) -> None:
    handle = socks.open()
    assert backend.get_option(handle, PR_SockOpt_Linger) == (False, 0)
    for value, expected in (
        ((True, 1500), (True, 1000)),
        ((True, 999), (True, 0)),
        ((False, 5000), (False, 0)),
    ):
        backend.set_option(handle, PR_SockOpt_Linger, value)
        assert backend.get_option(handle, PR_SockOpt_Linger) == expected


def test_size_and_ttl_options(backend: NSPRBackend, socks: Sockets) -> None:
    handle = socks.open()
    backend.set_option(handle, PR_SockOpt_RecvBufferSize, 65536)
    assert backend.get_option(handle, PR_SockOpt_RecvBufferSize) == 131072
    assert backend.get_option(handle, PR_SockOpt_IpTimeToLive) == 64
    backend.set_option(handle, PR_SockOpt_IpTimeToLive, 10)
    assert backend.get_option(handle, PR_SockOpt_IpTimeToLive) == 10
    with pytest.raises(NSPRError) as info:
        backend.set_option(handle, PR_SockOpt_IpTimeToLive, 300)
    assert info.value.errno == PR_BUFFER_OVERFLOW_ERROR


def test_option_errors(backend: NSPRBackend, socks: Sockets) -> None:
    tcp = socks.open()
    udp = socks.open(PR_AF_INET, PR_DESC_SOCKET_UDP)
    for option in (PR_SockOpt_AddMember, PR_SockOpt_DropMember, 99, -1):
        with pytest.raises(NSPRError) as info:
            backend.get_option(tcp, option)
        assert info.value.errno == PR_INVALID_ARGUMENT_ERROR
    with pytest.raises(NSPRError) as info:
        backend.get_option(udp, PR_SockOpt_NoDelay)
    assert info.value.errno == PR_NOT_TCP_SOCKET_ERROR


def test_multicast_options(backend: NSPRBackend, socks: Sockets) -> None:
    udp = socks.open(PR_AF_INET, PR_DESC_SOCKET_UDP)
    assert backend.get_option(udp, PR_SockOpt_McastTimeToLive) == 1
    assert backend.get_option(udp, PR_SockOpt_McastLoopback) is True
    loopback = SockAddr(PR_AF_INET, LOOPBACK)
    backend.set_option(udp, PR_SockOpt_McastInterface, loopback)
    assert backend.get_option(udp, PR_SockOpt_McastInterface) == loopback
    group = SockAddr(PR_AF_INET, socket.inet_aton("224.0.0.251"))
    try:
        backend.set_option(udp, PR_SockOpt_AddMember, (group, loopback))
    except NSPRError as exc:  # pragma: no cover - no multicast on lo here
        pytest.skip("cannot join a group on loopback: %s" % exc)
    backend.set_option(udp, PR_SockOpt_DropMember, (group, loopback))


def test_handle_holds_only_the_pointer(backend: NSPRBackend) -> None:
    """A handle is a ctypes pointer value with no instance dict or weak
    reference slot on CPython (c_void_p instances have both: 24 bytes more a
    socket; PyPy's ctypes objects always have a dict)."""
    handle = backend.open_socket(PR_AF_INET, PR_DESC_SOCKET_TCP)
    try:
        if sys.implementation.name == "cpython":
            assert not hasattr(handle, "__dict__")
            with pytest.raises(AttributeError):
                handle.note = 1  # type: ignore[attr-defined]
            assert sys.getsizeof(handle) < sys.getsizeof(ctypes.c_void_p(1))
        # Declared PRFileDesc* parameters take it as it is; c_void_p ones
        # take its value.
        assert backend.lib.PR_FileDesc2NativeHandle(handle) == backend.fileno(handle)
        as_void_p = backend.lib.cdll["PR_FileDesc2NativeHandle"]
        as_void_p.argtypes = (ctypes.c_void_p,)
        as_void_p.restype = ctypes.c_int32
        assert as_void_p(handle.value) == backend.fileno(handle)
    finally:
        backend.close(handle)
    assert not handle and handle.value is None  # NULL once closed


def test_udp_send_to_needs_no_nonblocking_window(
    backend: NSPRBackend, socks: Sockets, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A datagram goes whole or not at all, so a UDP send_to is one PR_SendTo
    with no mode switch around it (a TCP one keeps its window); no room, as
    either error NSPR gives for it, is None, and any other error raises."""
    udp = socks.open(PR_AF_INET, PR_DESC_SOCKET_UDP)
    tcp, _server = socks.connected_pair()
    dst = SockAddr(PR_AF_INET, LOOPBACK, 9)
    switches: List[int] = []
    set_mode = backend._pr_set_mode

    def counted_set_mode(*args: object) -> int:
        switches.append(1)
        result: int = set_mode(*args)
        return result

    monkeypatch.setattr(backend, "_pr_set_mode", counted_set_mode)
    assert backend.send_to(udp, b"datagram", dst, WAIT) == 8
    assert switches == []
    backend.send_to(tcp, b"x", dst, 0)  # Linux sends it on the connection
    assert switches == [1, 1]  # into the window and out of it

    monkeypatch.setattr(backend, "_pr_send_to", lambda *args: -1)
    for code in (PR_IO_TIMEOUT_ERROR, PR_WOULD_BLOCK_ERROR):
        monkeypatch.setattr(backend, "_get_error", lambda code=code: code)
        assert backend.send_to(udp, b"x", dst, 0) is None
    monkeypatch.setattr(backend, "_get_error", lambda: PR_NETWORK_UNREACHABLE_ERROR)
    with pytest.raises(NSPRError) as info:
        backend.send_to(udp, b"x", dst, 0)
    assert info.value.errno == PR_NETWORK_UNREACHABLE_ERROR


# -- pair and import -------------------------------------------------------------


def test_new_tcp_pair(backend: NSPRBackend, socks: Sockets) -> None:
    one, two = backend.new_tcp_pair()
    socks.keep(one)
    socks.keep(two)
    assert type(one) is NSPRTCPHandle
    assert backend.get_sock_name(one) == SockAddr(PR_AF_LOCAL, b"", 0)
    assert backend.get_peer_name(two) == SockAddr(PR_AF_LOCAL, b"", 0)
    assert backend.recv(two, 10, 0) is None
    assert backend.send(one, b"ping") == 4
    socks.wait(two, PR_POLL_READ)
    assert backend.recv(two, 10, 0) == b"ping"
    assert fcntl.fcntl(backend.fileno(one), fcntl.F_GETFL) & os.O_NONBLOCK


def test_import_tcp_socket(backend: NSPRBackend, socks: Sockets) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    osfd = listener.detach()
    handle = socks.keep(backend.import_tcp_socket(osfd))
    assert backend.fileno(handle) == osfd
    assert type(handle) is NSPRTCPHandle
    assert fcntl.fcntl(osfd, fcntl.F_GETFL) & os.O_NONBLOCK
    assert backend.get_sock_name(handle) == SockAddr(PR_AF_INET, LOOPBACK, port)
    assert backend.accept(handle, 0) is None
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        socks.wait(handle, PR_POLL_READ)
        accepted = backend.accept(handle, 0)
        assert accepted is not None
        socks.keep(accepted[0])


def test_import_closes_nothing_on_success(backend: NSPRBackend) -> None:
    sock = socket.socket()
    osfd = sock.detach()
    handle = backend.import_tcp_socket(osfd)
    backend.close(handle)
    with pytest.raises(OSError) as info:
        os.fstat(osfd)
    assert info.value.errno == errno.EBADF


# -- lookups ---------------------------------------------------------------------


def test_addr_info_localhost(backend: NSPRBackend) -> None:
    canonical, addresses = backend.get_addr_info(
        b"localhost", PR_AF_INET, PR_AI_ADDRCONFIG
    )
    assert canonical == b"localhost"
    assert SockAddr(PR_AF_INET, LOOPBACK, 0) in addresses
    canonical, addresses = backend.get_addr_info(
        b"localhost", PR_AF_UNSPEC, PR_AI_ADDRCONFIG | PR_AI_NOCANONNAME
    )
    assert canonical is None
    assert addresses and all(a.port == 0 for a in addresses)


@pytest.mark.parametrize("host", [b"", b"256.256.256.256", b"a\0b"])
def test_addr_info_failure(backend: NSPRBackend, host: bytes) -> None:
    with pytest.raises(NSPRError) as info:
        backend.get_addr_info(host, PR_AF_UNSPEC, PR_AI_ADDRCONFIG)
    assert info.value.errno == PR_DIRECTORY_LOOKUP_ERROR


def test_host_entries(backend: NSPRBackend) -> None:
    entry = backend.get_host_by_name(b"localhost")
    assert isinstance(entry, HostEnt)
    assert entry.family == PR_AF_INET
    assert LOOPBACK in entry.addresses
    reverse = backend.get_host_by_addr(SockAddr(PR_AF_INET, LOOPBACK))
    assert reverse.family == PR_AF_INET
    assert reverse.addresses and all(len(a) == 4 for a in reverse.addresses)
    with pytest.raises(NSPRError) as info:
        backend.get_host_by_name(b"")
    assert info.value.errno == PR_DIRECTORY_LOOKUP_ERROR


needs_protocols = pytest.mark.skipif(
    not os.path.exists("/etc/protocols"), reason="no /etc/protocols"
)


@needs_protocols
def test_proto_lookups(backend: NSPRBackend) -> None:
    assert backend.get_proto_by_name(b"tcp") == 6
    assert backend.get_proto_by_name(b"TCP") == 6  # an alias
    assert backend.get_proto_by_name(b"udp") == 17
    assert backend.get_proto_by_number(6) == (b"tcp", (b"TCP",))
    assert backend.get_proto_by_number(17) == (b"udp", (b"UDP",))


@needs_protocols
@pytest.mark.parametrize("name", [b"nonexistent", b"", b"Tcp", b"tcp\0x"])
def test_unknown_proto_name(backend: NSPRBackend, name: bytes) -> None:
    with pytest.raises(NSPRError) as info:
        backend.get_proto_by_name(name)
    assert info.value.errno == PR_DIRECTORY_LOOKUP_ERROR


@needs_protocols
@pytest.mark.parametrize("number", [9999, -1, 2**31 - 1, -(2**31)])
def test_unknown_proto_number(backend: NSPRBackend, number: int) -> None:
    with pytest.raises(NSPRError) as info:
        backend.get_proto_by_number(number)
    assert info.value.errno == PR_DIRECTORY_LOOKUP_ERROR


# -- address conversion ------------------------------------------------------------


@pytest.mark.parametrize(
    "addr",
    [
        SockAddr(PR_AF_INET, LOOPBACK, 8080),
        SockAddr(PR_AF_INET, b"\x01\x02\x03\x04", 65535),
        SockAddr(PR_AF_INET6, LOOPBACK6, 443, 0x12345, 7),
        SockAddr(PR_AF_LOCAL, b"/tmp/some.sock", 0),
        SockAddr(PR_AF_LOCAL, b"", 0),
        SockAddr(PR_AF_UNSPEC, b"", 0),
    ],
)
def test_sockaddr_round_trip(addr: SockAddr) -> None:
    assert netaddr_to_sockaddr(sockaddr_to_netaddr(addr)) == addr


def test_netaddr_byte_order() -> None:
    raw = bytes(sockaddr_to_netaddr(SockAddr(PR_AF_INET, b"\x7f\x00\x00\x01", 0x1234)))
    assert raw[:8] == PR_AF_INET.to_bytes(2, "little") + b"\x12\x34\x7f\x00\x00\x01"
    raw6 = bytes(sockaddr_to_netaddr(SockAddr(PR_AF_INET6, LOOPBACK6, 1, 2, 3)))
    assert raw6[2:8] == b"\x00\x01\x00\x00\x00\x02"
    assert raw6[8:24] == LOOPBACK6
    assert raw6[24:28] == (3).to_bytes(4, "little")


@pytest.mark.parametrize(
    "addr",
    [
        SockAddr(PR_AF_INET, b"\x01\x02\x03", 0),
        SockAddr(PR_AF_INET6, LOOPBACK, 0),
        SockAddr(PR_AF_LOCAL, b"x" * 105, 0),
    ],
)
def test_bad_sockaddr_is_rejected(addr: SockAddr) -> None:
    with pytest.raises(NSPRError) as info:
        sockaddr_to_netaddr(addr)
    assert info.value.errno == PR_INVALID_ARGUMENT_ERROR


# -- bounded waits inside the backend ----------------------------------------------

PAUSE = 50  # ticks: a wait on an idle socket that must expire


def _later(seconds: float, action: Callable[[], object]) -> threading.Thread:
    """Run ``action`` on a thread after ``seconds``; join it with a timeout."""

    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_recv_waits_and_returns_none_on_an_idle_socket(
    backend: NSPRBackend, socks: Sockets
) -> None:
    _client, conn = socks.connected_pair()
    assert backend.recv(conn, 10, PAUSE) is None
    assert backend.recv_into(conn, memoryview(bytearray(10)), PAUSE) is None


def test_accept_waits_and_returns_none_without_a_client(
    backend: NSPRBackend, socks: Sockets
) -> None:
    server, _addr = socks.listener()
    assert backend.accept(server, PAUSE) is None


def test_recv_from_waits_and_returns_none_without_a_datagram(
    backend: NSPRBackend, socks: Sockets
) -> None:
    sock = socks.open(PR_AF_INET, PR_DESC_SOCKET_UDP)
    backend.bind(sock, SockAddr(PR_AF_INET, LOOPBACK, 0))
    assert backend.recv_from(sock, 10, PAUSE) is None


def test_recv_gets_data_that_arrives_while_it_waits(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    sender = _later(0.02, lambda: backend.send(client, b"late"))
    assert backend.recv(conn, 10, WAIT) == b"late"
    sender.join(10)


def test_connect_with_a_timeout_connects_in_one_call(
    backend: NSPRBackend, socks: Sockets
) -> None:
    server, addr = socks.listener()
    client = socks.open()
    assert backend.connect(client, addr, WAIT) is True
    accepted = backend.accept(server, WAIT)
    assert accepted is not None
    socks.keep(accepted[0])
    assert accepted[1] == backend.get_sock_name(client)


# -- the nonblocking window of a send ---------------------------------------------


def test_recv_in_a_sends_window_waits_for_the_rest_of_its_timeout(
    backend: NSPRBackend, socks: Sockets
) -> None:
    # A send in progress keeps the socket NSPR-nonblocking: a receive then
    # gets PR_WOULD_BLOCK_ERROR at once, and must wait with PR_Poll instead
    # of returning None before its timeout.
    client, conn = socks.connected_pair()
    backend._enter_send(conn)
    try:
        assert backend.get_option(conn, PR_SockOpt_Nonblocking) is True
        sender = _later(0.03, lambda: backend.send(client, b"data"))
        assert backend.recv(conn, 10, WAIT) == b"data"
        sender.join(10)
        assert backend.recv(conn, 10, PAUSE) is None
        assert backend.recv(conn, 10, 0) is None
    finally:
        backend._leave_send(conn)
    assert backend.get_option(conn, PR_SockOpt_Nonblocking) is False


def test_recv_into_in_a_sends_window_waits_for_the_rest_of_its_timeout(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    target = bytearray(10)
    backend._enter_send(conn)
    try:
        sender = _later(0.03, lambda: backend.send(client, b"data"))
        assert backend.recv_into(conn, memoryview(target), WAIT) == 4
        sender.join(10)
    finally:
        backend._leave_send(conn)
    assert target == b"data" + bytes(6)


def test_accept_in_a_sends_window_waits_for_the_rest_of_its_timeout(
    backend: NSPRBackend, socks: Sockets
) -> None:
    server, addr = socks.listener()
    client = socks.open()
    backend._enter_send(server)
    try:
        connector = _later(0.03, lambda: backend.connect(client, addr, WAIT))
        accepted = backend.accept(server, WAIT)
        connector.join(10)
        assert accepted is not None
        socks.keep(accepted[0])
        assert backend.accept(server, PAUSE) is None
    finally:
        backend._leave_send(server)


def test_recv_from_in_a_sends_window_waits_for_the_rest_of_its_timeout(
    backend: NSPRBackend, socks: Sockets
) -> None:
    sock = socks.open(PR_AF_INET, PR_DESC_SOCKET_UDP)
    backend.bind(sock, SockAddr(PR_AF_INET, LOOPBACK, 0))
    addr = backend.get_sock_name(sock)
    other = socks.open(PR_AF_INET, PR_DESC_SOCKET_UDP)
    backend._enter_send(sock)
    try:
        sender = _later(0.03, lambda: backend.send_to(other, b"dgram", addr, WAIT))
        received = backend.recv_from(sock, 100, WAIT)
        sender.join(10)
    finally:
        backend._leave_send(sock)
    assert received is not None and received[0] == b"dgram"


def test_connect_in_a_sends_window_finishes_within_its_timeout(
    backend: NSPRBackend, socks: Sockets
) -> None:
    server, addr = socks.listener()
    client = socks.open()
    backend._enter_send(client)
    try:
        assert backend.connect(client, addr, WAIT) is True
    finally:
        backend._leave_send(client)
    accepted = backend.accept(server, WAIT)
    assert accepted is not None
    socks.keep(accepted[0])


def test_a_send_leaves_the_socket_blocking(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, _conn = socks.connected_pair()
    assert backend.send_at(client, b"x" * 100, 0, PAUSE) == 100
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is False
    assert backend._senders == {}


# -- a socket the user made non-blocking ---------------------------------------------


def test_a_socket_the_user_made_nonblocking_sends_with_no_mode_switch(
    backend: NSPRBackend, socks: Sockets, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, conn = socks.connected_pair()
    backend.set_nonblocking(client, True)
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is True
    switches: List[object] = []
    real = backend._pr_set_mode

    def counted(handle: object, mode: object) -> int:
        switches.append(mode)
        result: int = real(handle, mode)
        return result

    monkeypatch.setattr(backend, "_pr_set_mode", counted)
    assert backend.send_at(client, b"x" * 100, 0, 0) == 100
    assert backend.send(client, b"y", 0) == 1
    assert switches == []
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is True
    assert backend.recv(conn, 200, WAIT) == b"x" * 100 + b"y"
    backend.set_nonblocking(client, False)
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is False
    assert backend.send_at(client, b"z", 0, PAUSE) == 1
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is False
    assert backend._senders == {}


def test_a_nonblocking_socket_reports_an_exact_short_send(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    backend.set_nonblocking(client, True)
    data = b"x" * (16 << 20)  # more than any socket buffer
    sent = backend.send_at(client, data, 0, 0)
    assert sent is not None and 0 < sent < len(data)
    assert backend.send_at(client, data, sent, 0) is None  # full: nothing more
    received = 0
    for _ in range(10_000):  # bounded: every chunk is at least a byte
        if received >= sent:
            break
        chunk = backend.recv(conn, 1 << 20, WAIT)
        assert chunk
        received += len(chunk)
    assert received == sent
    assert backend.recv(conn, 10, 0) is None


#: The lock-free send of a non-blocking socket is CPython's send_at path.
_LOCK_FREE_SENDS = pytest.mark.skipif(
    not buffers._BYTES_SHARED_WITH_C,
    reason="PyPy sends copied windows through _send_once, which takes the window",
)


class _CountingLock:
    """A lock that counts its acquisitions."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.taken = 0

    def acquire(self, *args: object) -> bool:
        self.taken += 1
        return self.lock.acquire()

    def release(self) -> None:
        self.lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


@_LOCK_FREE_SENDS
def test_a_nonblocking_socket_sends_without_the_senders_lock(
    backend: NSPRBackend, socks: Sockets, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, conn = socks.connected_pair()
    backend.set_nonblocking(client, True)
    lock = _CountingLock()
    monkeypatch.setattr(backend, "_senders_lock", lock)
    for _ in range(10):
        assert backend.send_at(client, b"abc", 0, 0) == 3
    assert lock.taken == 0
    assert backend._kept_flights[id(client)] == []  # every send left its entry
    assert backend.recv(conn, 100, WAIT) == b"abc" * 10
    # A blocking socket's sends still take the window, under the lock.
    backend.set_nonblocking(client, False)
    assert backend.send_at(client, b"d", 0, PAUSE) == 1
    assert lock.taken >= 2


def test_made_blocking_during_a_lock_free_send_switches_after_it(
    backend: NSPRBackend, socks: Sockets, monkeypatch: pytest.MonkeyPatch
) -> None:
    # set_nonblocking(False) from "another thread" while a lock-free send is
    # inside PR_Send: the socket must stay NSPR-nonblocking until that send
    # returns (else a partial count could be lost), then become blocking.
    client, conn = socks.connected_pair()
    backend.set_nonblocking(client, True)
    real_send = backend._pr_send
    seen: List[object] = []

    def send_meeting_a_switch(*args: object) -> int:
        backend.set_nonblocking(client, False)
        seen.append(backend.get_option(client, PR_SockOpt_Nonblocking))
        result: int = real_send(*args)
        return result

    monkeypatch.setattr(backend, "_pr_send", send_meeting_a_switch)
    assert backend.send_at(client, b"xyz", 0, 0) == 3
    assert seen == [True]  # the switch waited for the send in flight
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is False
    assert backend._kept_flights[id(client)] == []
    monkeypatch.setattr(backend, "_pr_send", real_send)
    assert backend.send_at(client, b"!", 0, PAUSE) == 1  # the window again
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is False
    assert backend.recv(conn, 100, WAIT) == b"xyz!"
    assert backend._senders == {}


@_LOCK_FREE_SENDS
def test_a_send_that_finds_the_mark_gone_takes_the_window(
    backend: NSPRBackend, socks: Sockets, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mark removed between the flight lookup and its check: the send
    # must not go lock-free (the switch did not wait for it), and the socket
    # ends blocking.
    client, conn = socks.connected_pair()
    backend.set_nonblocking(client, True)
    flight = backend._kept_flights[id(client)]

    class SwitchOnAppend(list):  # type: ignore[type-arg]
        def append(self, item: object) -> None:
            backend.set_nonblocking(client, False)
            super().append(item)

    switching = SwitchOnAppend(flight)
    monkeypatch.setitem(backend._kept_flights, id(client), switching)
    real_send = backend._pr_send
    modes: List[object] = []

    def recording_send(*args: object) -> int:
        modes.append(backend.get_option(client, PR_SockOpt_Nonblocking))
        result: int = real_send(*args)
        return result

    monkeypatch.setattr(backend, "_pr_send", recording_send)
    assert backend.send_at(client, b"ab", 0, PAUSE) == 2
    assert modes == [True]  # sent in the window, never on the blocking socket
    assert switching == []
    assert backend.get_option(client, PR_SockOpt_Nonblocking) is False
    assert backend._senders == {}
    assert backend.recv(conn, 100, WAIT) == b"ab"


def test_the_nonblocking_mark_ends_with_the_socket(
    backend: NSPRBackend, socks: Sockets
) -> None:
    # A new handle may get the closed one's id: it must start blocking.
    handle = socks.open()
    backend.set_nonblocking(handle, True)
    key = id(handle)
    assert key in backend._nonblocking_ids
    assert key in backend._kept_flights
    backend.close(handle)
    assert key not in backend._nonblocking_ids
    assert key not in backend._kept_flights


# -- exact send counts ---------------------------------------------------------------


def _receive_until_eof(backend: NSPRBackend, handle: NSPRHandle) -> bytes:
    chunks: List[bytes] = []
    while True:
        chunk = backend.recv(handle, 1 << 20, WAIT)
        assert chunk is not None, "no EOF within %d ticks" % WAIT
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_a_short_send_reports_exactly_what_the_peer_gets(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    data = bytes(range(251)) * ((16 << 20) // 251)  # more than the socket holds
    sent = backend.send_at(client, data, 0, PAUSE)
    assert sent is not None and 0 < sent < len(data)
    again = backend.send_at(client, data, sent, 0)  # still full: nothing
    assert again is None
    backend.shutdown(client, 1)
    assert _receive_until_eof(backend, conn) == data[:sent]


def test_a_resumed_send_continues_at_its_offset(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    data = bytes(range(256)) * 16384  # 4 MiB
    received: List[bytes] = []
    reader = threading.Thread(
        target=lambda: received.append(_receive_until_eof(backend, conn)), daemon=True
    )
    reader.start()
    offset = 0
    for _ in range(10000):
        if offset == len(data):
            break
        offset += backend.send_at(client, data, offset, PAUSE) or 0
    backend.shutdown(client, 1)
    reader.join(30)
    assert offset == len(data)
    assert received == [data]


def test_concurrent_send_and_recv_on_one_socket_keep_counts_exact(
    backend: NSPRBackend, socks: Sockets
) -> None:
    # One socket sends from a thread while another thread receives on it:
    # the receives meet the sends' nonblocking windows, the counts stay exact.
    one, two = socks.connected_pair()
    size = 4 << 20
    forth = bytes(range(256)) * (size // 256)
    back = forth[::-1]
    errors: List[BaseException] = []
    results: Dict[str, bytes] = {}

    def send_all(handle: NSPRHandle, data: bytes) -> None:
        offset = 0
        while offset < len(data):
            offset += backend.send_at(handle, data, offset, SHORT) or 0

    def receive(handle: NSPRHandle, name: str) -> None:
        chunks: List[bytes] = []
        got = 0
        while got < size:
            chunk = backend.recv(handle, 65536, SHORT)
            if chunk is None:
                continue
            assert chunk, "EOF after %d bytes" % got
            chunks.append(chunk)
            got += len(chunk)
        results[name] = b"".join(chunks)

    def guarded(function: Callable[..., None], *args: object) -> threading.Thread:
        def run() -> None:
            try:
                function(*args)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    threads = [
        guarded(send_all, one, forth),
        guarded(receive, one, "back"),
        guarded(send_all, two, back),
        guarded(receive, two, "forth"),
    ]
    for thread in threads:
        thread.join(60)
    assert not errors
    assert not any(thread.is_alive() for thread in threads)
    assert results["forth"] == forth
    assert results["back"] == back
    assert backend._senders == {}


# -- receive buffers ----------------------------------------------------------------


def test_recv_into_fills_the_callers_memory(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    assert backend.recv_into(conn, memoryview(bytearray(4)), 0) is None
    target = bytearray(b"." * 12)
    backend.send(client, b"abcdef")
    assert backend.recv_into(conn, memoryview(target)[3:9], WAIT) == 6
    assert target == b"...abcdef..."
    backend.shutdown(client, 1)
    assert backend.recv_into(conn, memoryview(target), WAIT) == 0


_FRESH_BYTES_ONLY = pytest.mark.skipif(
    not buffers._FRESH_BYTES, reason="CPython's fresh bytes buffers"
)


@pytest.fixture()
def no_kept_buffer(backend: NSPRBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend fixture is shared: start with no buffer kept by earlier tests."""
    monkeypatch.setattr(backend, "_spare_buffers", [])


@_FRESH_BYTES_ONLY
@pytest.mark.parametrize(
    "size", [1, 2, 112, buffers._ZERO_FILL_MAX, buffers._ZERO_FILL_MAX + 1, 1 << 20]
)
def test_receive_buffers_are_fresh_objects(size: int) -> None:
    # C writes into these before returning them: each must be a new object
    # nobody else holds (not a cached one-byte object, not b'').
    first = buffers._fresh_buffer(size)
    second = buffers._fresh_buffer(size)
    assert type(first) is bytes and len(first) == size
    assert first is not second
    assert sys.getrefcount(first) == 2  # this name and the argument
    zeroed = bytes(size)  # what recv uses inline up to _ZERO_FILL_MAX
    assert zeroed is not bytes(size)
    assert sys.getrefcount(zeroed) == 2
    peer = bytes(_NETADDR_SIZE)  # the PRNetAddr of accept and recv_from
    assert sys.getrefcount(peer) == 2


def test_received_bytes_leave_shared_objects_alone(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    backend.send(client, b"\xff")
    assert backend.recv(conn, 1, WAIT) == b"\xff"
    assert bytes(1) == b"\x00" and bytes([0]) == b"\x00" and b"\x00"[0] == 0
    backend.send(client, b"\xfe" * 3)
    first = backend.recv(conn, 2, WAIT)
    assert first == b"\xfe\xfe"
    assert backend.recv(conn, 2, WAIT) == b"\xfe"
    assert first == b"\xfe\xfe"  # a later receive did not reuse it


@_FRESH_BYTES_ONLY
@pytest.mark.usefixtures("no_kept_buffer")
def test_a_short_large_receive_keeps_its_buffer_for_the_next(
    backend: NSPRBackend, socks: Sockets, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, conn = socks.connected_pair()
    size = buffers._ZERO_FILL_MAX * 4
    assert size <= buffers._SPARE_MAX
    made: List[int] = []
    real = buffers._fresh_buffer  # the function nspr imports

    def counted(amount: int) -> bytes:
        made.append(amount)
        return real(amount)

    monkeypatch.setattr(nspr_module, "_fresh_buffer", counted)
    backend.send(client, b"a" * 100)
    first = backend.recv(conn, size, WAIT)
    assert first == b"a" * 100
    assert made == [size] and len(backend._spare_buffers) == 1
    kept = backend._spare_buffers[0]
    backend.send(client, b"b" * 50)
    assert backend.recv(conn, size, WAIT) == b"b" * 50
    assert made == [size]  # the kept buffer, not a new one
    assert backend._spare_buffers == [kept]
    # Filled whole, the kept buffer is the result and leaves the backend:
    # later receives must never write into it.
    block = bytes(range(256)) * (size // 256)
    assert backend.send_at(client, block, 0, WAIT) == size
    whole = b""
    for _ in range(1000):  # bounded: each try returns at least a byte
        if len(whole) >= size:
            break
        chunk = backend.recv(conn, size - len(whole), WAIT)
        assert chunk
        whole += chunk
    assert whole == block
    backend.send(client, b"c" * 10)
    assert backend.recv(conn, size, WAIT) == b"c" * 10
    assert first == b"a" * 100 and whole == block
    # Another size never reuses it (a result is returned whole at its size).
    backend.send(client, b"d" * 10)
    assert backend.recv(conn, size + 1, WAIT) == b"d" * 10
    assert made[-1] == size + 1


@_FRESH_BYTES_ONLY
@pytest.mark.usefixtures("no_kept_buffer")
def test_a_receive_filled_whole_is_not_kept(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    size = buffers._ZERO_FILL_MAX + 1
    backend.send(client, b"x")
    assert backend.recv(conn, size, WAIT) == b"x"
    kept = backend._spare_buffers[0]
    data = b"y" * size
    assert backend.send_at(client, data, 0, WAIT) == size
    got = backend.recv(conn, size, WAIT)
    assert got is not None
    if len(got) == size:  # arrived in one piece: the kept buffer itself
        assert got is kept and got == data
        assert kept not in backend._spare_buffers
        backend.send(client, b"z")
        assert backend.recv(conn, size, WAIT) == b"z"
        assert got == data  # never written again


@_FRESH_BYTES_ONLY
def test_threads_receiving_large_never_share_a_buffer(
    backend: NSPRBackend, socks: Sockets
) -> None:
    # Four threads, each on its own connection, receive short and whole
    # large blocks at once; every byte must arrive as it was sent.
    size = buffers._ZERO_FILL_MAX * 2
    pairs = [socks.connected_pair() for _ in range(4)]
    errors: List[BaseException] = []

    def receive(number: int) -> None:
        client, conn = pairs[number]
        try:
            for round_ in range(200):
                message = bytes([number * 50 + round_ % 50]) * (
                    size if round_ % 3 == 0 else 1 + round_
                )
                assert backend.send_at(client, message, 0, WAIT) == len(message)
                got = b""
                while len(got) < len(message):
                    chunk = backend.recv(conn, size, WAIT)
                    assert chunk
                    got += chunk
                assert got == message
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=receive, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(backend._spare_buffers) <= 4


# -- pointers reach C whole ----------------------------------------------------------


def test_pointers_without_argtypes_reach_c_untruncated(backend: NSPRBackend) -> None:
    # On CPython the hot functions have no argtypes; a pointer passed as a
    # Python int would reach C as a 32-bit int. memset(p, 0, 0) touches
    # nothing and returns p as C received it.
    if ffi._CHEAP_WITHOUT_ARGTYPES:
        assert backend._pr_recv.argtypes is None and backend._pr_send.argtypes is None
    libc = ctypes.CDLL(None)
    memset = libc.memset
    memset.restype = ctypes.c_void_p
    high = 0x7F12_3456_789A
    assert memset(NSPRHandle(high), 0, 0) == high
    assert memset(high, 0, 0) != high  # what an int would do
    if buffers._BYTES_SHARED_WITH_C:  # a resumed send points into the bytes
        data = b"p" * (1 << 20)  # allocated by mmap: far above 4 GiB
        base = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value
        assert base is not None and base > 2**32
        assert memset(buffers._bytes_address(data, 12345), 0, 0) == base + 12345


def test_address_converts_each_pointer_argument_to_its_address() -> None:
    # Outside CPython the hot copies take their pointers as _Address: each
    # kind of argument a call passes becomes an _Address of the same address.
    convert = ffi._Address.from_param
    option = ffi.PRSocketOptionData()
    array = (ctypes.c_char * 8)()
    high = 0x7F12_3456_789A
    cases = [
        (None, None),
        (NSPRTCPHandle(high), high),
        (NSPRUDPHandle(high), high),
        (ctypes.c_void_p(4096), 4096),
        (array, ctypes.addressof(array)),
        (option, ctypes.addressof(option)),
        (ctypes.pointer(option), ctypes.addressof(option)),
    ]
    for argument, address in cases:
        converted = convert(argument)
        assert type(converted) is ffi._Address and converted.value == address
    for wrong in (12345, "text", bytearray(4), memoryview(b"x"), 1.5):
        with pytest.raises(TypeError, match="a pointer argument"):
            convert(wrong)


@pytest.mark.skipif(
    ffi._CHEAP_WITHOUT_ARGTYPES, reason="CPython: the hot copies have no argtypes"
)
def test_hot_copies_reuse_one_call_descriptor(backend: NSPRBackend) -> None:
    # PyPy's ctypes builds a call descriptor (some µs) whenever the converted
    # arguments' types differ from the declared ones. A handle of either
    # class, bytes, arrays and None must all convert to the declared types.
    address, c_int, interval = ffi._Address, ctypes.c_int, ctypes.c_uint32
    assert list(backend._pr_recv.argtypes) == [address, address, c_int, c_int, interval]
    assert list(backend._pr_poll.argtypes) == [address, c_int, interval]
    assert list(backend._pr_close.argtypes) == [address]
    # bytes: the converted argument keeps ctypes' copy of them alive.
    data = ffi._Address.from_param(b"kept by %s" % b"the converted argument")
    gc.collect()
    assert data.value is not None
    assert ctypes.string_at(data.value) == b"kept by the converted argument"
    tcp = backend.open_socket(PR_AF_INET, PR_DESC_SOCKET_TCP)
    udp = backend.open_socket(PR_AF_INET, PR_DESC_SOCKET_UDP)
    try:
        recv = backend._pr_recv
        if not hasattr(recv, "_ptr"):
            pytest.skip("this ctypes keeps no call descriptor on the function")
        recv(tcp, (ctypes.c_char * 4)(), 4, 0, 0)
        descriptor = recv._ptr  # kept only for the declared argument types
        assert descriptor is not None
        recv(udp, b"four", 4, 0, 0)
        recv(tcp, (ctypes.c_char * 9)(), 9, 0, 0)
        recv(udp, None, 0, 0, 0)
        assert recv._ptr is descriptor
    finally:
        backend.close(tcp)
        backend.close(udp)


# -- poll cache ----------------------------------------------------------------------


def test_repeated_poll_reuses_the_packed_array(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    entries = [(client, PR_POLL_WRITE), (conn, PR_POLL_READ)]
    assert backend.poll(entries, 0) == (1, [PR_POLL_WRITE, 0])
    packed = backend._tls.poll
    assert backend.poll(list(entries), 0) == (1, [PR_POLL_WRITE, 0])
    assert backend._tls.poll is packed
    backend.send(client, b"x")
    assert backend.poll(entries, WAIT)[1] == [PR_POLL_WRITE, PR_POLL_READ]
    assert backend._tls.poll is packed


def test_poll_of_other_entries_packs_again(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, conn = socks.connected_pair()
    assert backend.poll([(client, PR_POLL_WRITE)], 0) == (1, [PR_POLL_WRITE])
    packed = backend._tls.poll
    assert backend.poll([(client, PR_POLL_READ)], 0) == (0, [1])
    assert backend._tls.poll is not packed
    assert backend.poll([(conn, PR_POLL_WRITE)], 0) == (1, [PR_POLL_WRITE])


def test_poll_after_a_close_packs_again(backend: NSPRBackend, socks: Sockets) -> None:
    client, conn = socks.connected_pair()
    entries = [(client, PR_POLL_WRITE), (conn, PR_POLL_WRITE)]
    assert backend.poll(entries, 0) == (2, [PR_POLL_WRITE, PR_POLL_WRITE])
    backend.close(conn)  # its PRFileDesc* is freed: the cached one is stale
    assert backend.poll(entries, 0) == (1, [PR_POLL_WRITE, 0])


def test_poll_from_a_signal_handler_on_the_same_thread(
    backend: NSPRBackend, socks: Sockets, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A handler that polls other entries while this thread is inside a poll
    # (here: just before PR_Poll) packs its own array.
    client, conn = socks.connected_pair()
    real_poll = backend._pr_poll
    inner: List[Tuple[int, List[int]]] = []

    def poll_with_interruption(descs: object, count: int, timeout: int) -> int:
        if not inner:
            inner.append((-1, []))  # only the first call is interrupted
            inner[0] = backend.poll([(conn, PR_POLL_READ)], 0)
        result: int = real_poll(descs, count, timeout)
        return result

    monkeypatch.setattr(backend, "_pr_poll", poll_with_interruption)
    assert backend.poll([(client, PR_POLL_WRITE)], 0) == (1, [PR_POLL_WRITE])
    assert inner == [(0, [1])]


def test_poll_of_a_list_changed_in_place_packs_again(
    backend: NSPRBackend, socks: Sockets
) -> None:
    client, _conn = socks.connected_pair()
    entries = [(client, PR_POLL_WRITE)]
    assert backend.poll(entries, 0) == (1, [PR_POLL_WRITE])
    entries[0] = (client, PR_POLL_READ)
    assert backend.poll(entries, 0) == (0, [1])
