"""``NonBlockingTries``: the bounded primitives a plugin gets from its tries.

A plugin whose OS calls never wait derives from ``NonBlockingTries`` and
writes only tries (each returns None where it would block). Here the tries are
the stdlib backend's own primitives called with timeout 0, so the class's
waiting (one try, one poll of the handle for the slice, one more try) and the
whole public API above it run on real loopback sockets.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator, List, Optional, Tuple, Union

import pytest

from nspr_ctypes import error, io
from nspr_ctypes.backends._base import NonBlockingTries, SockAddr
from nspr_ctypes.backends.stdlib import StdlibBackend

WAIT = 5000  # ticks (ms): every blocking call of these tests ends by then
JOIN_SECONDS = 10


# (The stdlib backend's send_at takes bytes or a memoryview; the contract's
# takes bytes: mypy sees two bases that disagree, as intended here.)
class TriesBackend(NonBlockingTries, StdlibBackend):  # type: ignore[misc]
    """The stdlib backend's calls as non-blocking tries, and nothing more."""

    name = "tries"

    def __init__(self) -> None:
        super().__init__()
        self.recv_tries = 0

    def _try_connect(self, handle: Any, addr: SockAddr) -> bool:
        return StdlibBackend.connect(self, handle, addr, 0)

    def connect_error(self, handle: Any) -> None:
        StdlibBackend.connect_continue(self, handle, 0)

    def _try_accept(self, handle: Any) -> Optional[Tuple[Any, SockAddr]]:
        return StdlibBackend.accept(self, handle, 0)

    def _try_recv(self, handle: Any, amount: int) -> Optional[bytes]:
        self.recv_tries += 1
        return StdlibBackend.recv(self, handle, amount, 0)

    def _try_send_at(self, handle: Any, data: bytes, offset: int) -> Optional[int]:
        return StdlibBackend.send_at(self, handle, data, offset, 0)

    def _try_recv_from(
        self, handle: Any, amount: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        return StdlibBackend.recv_from(self, handle, amount, 0)

    def _try_send_to(
        self, handle: Any, data: Union[bytes, memoryview], addr: SockAddr
    ) -> Optional[int]:
        return StdlibBackend.send_to(self, handle, data, addr, 0)


@pytest.fixture
def tries() -> TriesBackend:
    return TriesBackend()


@pytest.fixture
def listener(tries: TriesBackend) -> Iterator[io.Socket]:
    sock = io.Socket(io.PR_AF_INET, backend=tries)
    sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=tries))
    sock.listen(4)
    yield sock
    sock.close()


@pytest.fixture
def pair(
    listener: io.Socket, tries: TriesBackend
) -> Iterator[Tuple[io.Socket, io.Socket]]:
    """A connected (client, server) pair, closed after the test."""
    client = io.Socket(io.PR_AF_INET, backend=tries)
    client.connect(listener.get_sock_name(), WAIT)
    server, _peer = listener.accept(WAIT)
    yield client, server
    client.close()
    server.close()


def later(seconds: float, action: Any) -> threading.Thread:
    """Run ``action`` in a thread after ``seconds``, while the test waits."""

    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_primitives_are_the_tries_plus_waiting() -> None:
    # The bounded primitives come from NonBlockingTries, not from the stdlib
    # backend the tries are borrowed from.
    for name in ("connect", "connect_continue", "accept", "recv", "recv_into"):
        assert getattr(TriesBackend, name) is getattr(NonBlockingTries, name)
    for name in ("send_at", "recv_from", "send_to"):
        assert getattr(TriesBackend, name) is getattr(NonBlockingTries, name)


def test_connect_accept_send_and_receive(pair: Tuple[io.Socket, io.Socket]) -> None:
    client, server = pair
    assert client.send(b"ping", WAIT) == 4
    assert server.recv(4, WAIT) == b"ping"
    assert server.sendall(b"pong", WAIT) == 4
    buffer = bytearray(8)
    assert client.recv_into(buffer, 0, WAIT) == 4
    assert bytes(buffer[:4]) == b"pong"


def test_recv_waits_for_data_that_comes_later(
    pair: Tuple[io.Socket, io.Socket], tries: TriesBackend
) -> None:
    client, server = pair
    tries.recv_tries = 0
    sender = later(0.2, lambda: client.send(b"late", WAIT))
    assert server.recv(4, WAIT) == b"late"
    sender.join(JOIN_SECONDS)
    # Each slice is a try, a wait in poll for up to 100 ms, one more try:
    # a few tries in 0.2 s, not a busy loop.
    assert 2 <= tries.recv_tries <= 8


def test_accept_waits_for_a_connection_that_comes_later(
    listener: io.Socket, tries: TriesBackend
) -> None:
    clients: List[io.Socket] = []

    def connect() -> None:
        client = io.Socket(io.PR_AF_INET, backend=tries)
        clients.append(client)
        client.connect(listener.get_sock_name(), WAIT)

    connector = later(0.2, connect)
    server, peer = listener.accept(WAIT)
    connector.join(JOIN_SECONDS)
    try:
        assert peer.port == clients[0].get_sock_name().port
    finally:
        server.close()
        clients[0].close()


def test_recv_times_out_after_its_timeout(pair: Tuple[io.Socket, io.Socket]) -> None:
    _client, server = pair
    started = time.monotonic()
    with pytest.raises(error.NSPRError) as info:
        server.recv(1, 250)  # three slices: 100, 100, 50 ms
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - started >= 0.24
    with pytest.raises(error.NSPRError) as info:
        server.recv(1, io.PR_INTERVAL_NO_WAIT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR


def test_a_refused_connect_fails_as_on_the_stdlib_backend(tries: TriesBackend) -> None:
    # A port that was bound and is not listening: the kernel refuses it.
    stdlib = StdlibBackend()
    codes = []
    for backend in (tries, stdlib):
        holder = io.Socket(io.PR_AF_INET, backend=backend)
        holder.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=backend))
        client = io.Socket(io.PR_AF_INET, backend=backend)
        try:
            with pytest.raises(error.NSPRError) as info:
                client.connect(holder.get_sock_name(), WAIT)
            codes.append(info.value.errno)
        finally:
            client.close()
            holder.close()
    assert codes[0] == codes[1]


def test_sendall_of_4_mib_arrives_whole_through_partial_sends(
    pair: Tuple[io.Socket, io.Socket],
) -> None:
    client, server = pair
    data = bytes(range(256)) * (4 * 4096)
    received: List[bytes] = []

    def read_all() -> None:
        while True:
            chunk = server.recv(65536, WAIT)
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=read_all)
    reader.start()
    assert client.sendall(data, WAIT) == len(data)
    client.shutdown(io.PR_SHUTDOWN_SEND)
    reader.join(JOIN_SECONDS)
    assert not reader.is_alive()
    assert b"".join(received) == data


def test_close_from_another_thread_wakes_a_waiting_recv(
    pair: Tuple[io.Socket, io.Socket],
) -> None:
    _client, server = pair
    closer = later(0.2, server.close)
    with pytest.raises(ValueError, match="closed"):
        server.recv(1, WAIT)
    closer.join(JOIN_SECONDS)


def test_datagrams_go_both_ways(tries: TriesBackend) -> None:
    a = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=tries)
    b = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=tries)
    try:
        for sock in (a, b):
            sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=tries))
        target = b.get_sock_name()
        sender = later(0.1, lambda: a.send_to(b"dgram", target, WAIT))
        origin = io.NetworkAddress(backend=tries)
        data = b.recv_from(100, origin, WAIT)  # waits for the datagram
        sender.join(JOIN_SECONDS)
        assert data == b"dgram"
        assert origin.port == a.get_sock_name().port
    finally:
        a.close()
        b.close()
