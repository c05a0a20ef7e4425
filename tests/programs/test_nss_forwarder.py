"""A non-blocking TCP forwarder, built as python-nss programs built theirs.

The forwarder accepts a client on an ``io.Socket`` listener, connects to the
upstream server with the standard library's ``socket`` and hands that
connection to NSPR with ``Socket.import_tcp_socket(sock.detach())`` (the
imported Socket owns the descriptor from then on, so the stdlib object must let
go of it). Both sockets are switched to ``PR_SockOpt_Nonblocking``, and a
``Socket.poll()`` loop relays bytes in both directions, treating
``PR_WOULD_BLOCK_ERROR`` from ``recv()`` or ``send()`` as "not now" (python-nss's
``poll()`` can report a socket as ready when it is not). An end of stream is
passed on with ``shutdown(PR_SHUTDOWN_SEND)``. The other classic, a blocking
thread per direction, is here too.

The client and the upstream server are plain stdlib sockets in threads; each
sends 300 KB of its own and reads everything the other sent. Every loop is
bounded by a number of polls, every poll by a timeout.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import socket
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from ._forked import CHILD_OK, fork_child, read_line, reap_child, send_line

PAYLOAD_SIZE = 300 * 1024
CHUNK = 16 * 1024
# The forwarder reads no more from a side while this much waits to be written
# to the other: the slow side holds back the fast one.
BUFFER_LIMIT = 64 * 1024
# Small kernel buffers, so that sends would block and back pressure happens.
SOCKET_BUFFER = 32 * 1024
POLL_TIMEOUT_MS = 500
MAX_POLLS = 20_000
# Polls in a row that move no byte before the relay counts as stalled.
MAX_IDLE_POLLS = 40
THREAD_LIMIT = 30.0


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# The forwarder


class _Direction:
    """Bytes read from ``source`` and not yet written to ``sink``."""

    def __init__(self, source: Any, sink: Any) -> None:
        self.source = source
        self.sink = sink
        self.pending = bytearray()
        self.source_done = False  # the source reached the end of its stream
        self.finished = False  # ... and the sink was told (shutdown)
        self.moved = 0

    def wants_read(self) -> bool:
        return not self.source_done and len(self.pending) < BUFFER_LIMIT


def _poll_flags(io: Any, sock: Any, directions: List[_Direction]) -> int:
    flags = 0
    for direction in directions:
        if direction.source is sock and direction.wants_read():
            flags |= io.PR_POLL_READ
        if direction.sink is sock and direction.pending:
            flags |= io.PR_POLL_WRITE
    return flags


def _step(
    io: Any, error: Any, direction: _Direction, source_ready: int, sink_ready: int
) -> bool:
    """Move what can be moved now; whether any byte or end of stream moved."""
    progress = False
    # Any flag (READ, ERR, HUP) is a reason to try: recv() tells what holds.
    if source_ready and direction.wants_read():
        try:
            data = direction.source.recv(CHUNK)
        except error.NSPRError as exc:
            if exc.errno != error.PR_WOULD_BLOCK_ERROR:
                raise
        else:
            progress = True
            if data:
                direction.pending += data
            else:
                direction.source_done = True
    if sink_ready and direction.pending:
        try:
            sent = direction.sink.send(bytes(direction.pending))
        except error.NSPRError as exc:
            if exc.errno != error.PR_WOULD_BLOCK_ERROR:
                raise
        else:
            if sent:
                progress = True
                del direction.pending[:sent]
                direction.moved += sent
    if direction.source_done and not direction.pending and not direction.finished:
        direction.sink.shutdown(io.PR_SHUTDOWN_SEND)
        direction.finished = True
        progress = True
    return progress


def relay(io: Any, error: Any, left: Any, right: Any) -> Tuple[int, int]:
    """Forward between two non-blocking Sockets until both streams end.

    Return the bytes moved left to right and right to left.
    """
    directions = [_Direction(left, right), _Direction(right, left)]
    sockets = (left, right)
    timeout = io.milliseconds_to_interval(POLL_TIMEOUT_MS)
    idle_polls = 0
    for _ in range(MAX_POLLS):
        if all(direction.finished for direction in directions):
            return directions[0].moved, directions[1].moved
        descs = [(sock, _poll_flags(io, sock, directions)) for sock in sockets]
        ready = dict(zip(sockets, io.Socket.poll(descs, timeout)))
        progress = False
        for direction in directions:
            if _step(
                io, error, direction, ready[direction.source], ready[direction.sink]
            ):
                progress = True
        idle_polls = 0 if progress else idle_polls + 1
        if idle_polls > MAX_IDLE_POLLS:
            raise AssertionError("the relay stalled")
    raise AssertionError("the relay did not finish within %d polls" % MAX_POLLS)


def _pump(io: Any, source: Any, sink: Any, moved: List[int]) -> None:
    """One direction of the threaded forwarder: blocking recv() and send()."""
    timeout = io.seconds_to_interval(int(THREAD_LIMIT))
    while True:
        data = source.recv(CHUNK, timeout)
        if not data:
            sink.shutdown(io.PR_SHUTDOWN_SEND)
            return
        while data:
            sent = sink.send(data, timeout)
            data = data[sent:]
            moved[0] += sent


def relay_with_threads(io: Any, left: Any, right: Any) -> Tuple[int, int]:
    """The other classic forwarder: a blocking thread per direction.

    Return the bytes moved left to right and right to left.
    """
    moved = ([0], [0])
    failures: List[BaseException] = []

    def run(source: Any, sink: Any, count: List[int]) -> None:
        try:
            _pump(io, source, sink, count)
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(left, right, moved[0]), daemon=True),
        threading.Thread(target=run, args=(right, left, moved[1]), daemon=True),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_LIMIT + 5)
    assert not any(thread.is_alive() for thread in threads), "a pump hung"
    if failures:
        raise failures[0]
    return moved[0][0], moved[1][0]


def import_connection(io: Any, address: Tuple[str, int], handoff: str) -> Any:
    """A stdlib connection to ``address``, imported into an io.Socket.

    The imported Socket owns the descriptor it is given, so the stdlib object
    must not close it too: ``detach`` makes the stdlib object forget its
    descriptor; ``dup`` imports a duplicate and closes the stdlib object.
    """
    sock = socket.create_connection(address, timeout=THREAD_LIMIT)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
    if handoff == "detach":
        return io.Socket.import_tcp_socket(sock.detach())
    with sock:
        return io.Socket.import_tcp_socket(os.dup(sock.fileno()))


def forward_one(
    io: Any,
    error: Any,
    listener: Any,
    upstream: Tuple[str, int],
    handoff: str = "detach",
    threads: bool = False,
) -> Tuple[int, int]:
    """Accept one client on ``listener`` and relay it to ``upstream``, with
    the poll loop (or a thread per direction)."""
    client, _peer = listener.accept(io.seconds_to_interval(int(THREAD_LIMIT)))
    try:
        server = import_connection(io, upstream, handoff)
        try:
            client.set_socket_option(io.PR_SockOpt_SendBufferSize, SOCKET_BUFFER)
            client.set_socket_option(io.PR_SockOpt_RecvBufferSize, SOCKET_BUFFER)
            if threads:
                return relay_with_threads(io, client, server)
            for sock in (client, server):
                sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
            return relay(io, error, client, server)
        finally:
            server.close()
    finally:
        client.close()


# --------------------------------------------------------------------------
# The two ends: stdlib sockets in threads


def exchange(sock: socket.socket, outgoing: bytes) -> bytes:
    """Send ``outgoing`` (then end the stream) while reading to the end."""
    sock.setblocking(False)
    received = bytearray()
    view = memoryview(outgoing)
    sent = 0
    at_end = False
    if not outgoing:
        sock.shutdown(socket.SHUT_WR)
    idle_polls = 0
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        for _ in range(MAX_POLLS):
            sending = sent < len(outgoing)
            if at_end and not sending:
                return bytes(received)
            events = (0 if at_end else selectors.EVENT_READ) | (
                selectors.EVENT_WRITE if sending else 0
            )
            selector.modify(sock, events)
            ready = selector.select(POLL_TIMEOUT_MS / 1000)
            mask = ready[0][1] if ready else 0
            idle_polls = 0 if mask else idle_polls + 1
            if idle_polls > MAX_IDLE_POLLS:
                raise AssertionError("the exchange stalled")
            if mask & selectors.EVENT_READ:
                try:
                    data = sock.recv(CHUNK)
                except BlockingIOError:
                    pass
                else:
                    received += data
                    at_end = not data
            if mask & selectors.EVENT_WRITE:
                try:
                    sent += sock.send(view[sent : sent + CHUNK])
                except BlockingIOError:
                    pass
                if sent == len(outgoing):
                    sock.shutdown(socket.SHUT_WR)
    raise AssertionError("the exchange did not finish within %d polls" % MAX_POLLS)


class _Ends:
    """The client and the upstream server, each in a thread of its own."""

    def __init__(self, upstream: socket.socket) -> None:
        self.upstream = upstream
        self.client_data = os.urandom(PAYLOAD_SIZE)
        self.server_data = os.urandom(PAYLOAD_SIZE)
        self.received: Dict[str, bytes] = {}
        self.failures: List[BaseException] = []
        self.threads: List[threading.Thread] = []

    def _run(self, name: str, body: Callable[[], bytes]) -> None:
        try:
            self.received[name] = body()
        except BaseException as exc:
            self.failures.append(exc)

    def _serve(self) -> bytes:
        conn, _peer = self.upstream.accept()
        with conn:
            return exchange(conn, self.server_data)

    def _connect(self, port: int) -> bytes:
        with socket.create_connection(
            ("127.0.0.1", port), timeout=THREAD_LIMIT
        ) as conn:
            return exchange(conn, self.client_data)

    def start(self, forwarder_port: int) -> None:
        self.upstream.settimeout(THREAD_LIMIT)
        for name, body in (
            ("server", self._serve),
            ("client", lambda: self._connect(forwarder_port)),
        ):
            thread = threading.Thread(target=self._run, args=(name, body), daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(THREAD_LIMIT)
        assert not any(thread.is_alive() for thread in self.threads), "an end hung"
        if self.failures:
            raise self.failures[0]

    def check(self) -> None:
        """Each end got the other's bytes, whole and in order."""
        assert len(self.received["server"]) == PAYLOAD_SIZE
        assert len(self.received["client"]) == PAYLOAD_SIZE
        assert _digest(self.received["server"]) == _digest(self.client_data)
        assert _digest(self.received["client"]) == _digest(self.server_data)


def _upstream_listener() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def _forwarder_listener(io: Any) -> Any:
    sock = io.Socket(io.PR_AF_INET)
    sock.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    sock.listen()
    return sock


# --------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("handoff", ["detach", "dup"])
def test_forwarder_relays_both_ways_intact(io: Any, error: Any, handoff: str) -> None:
    with _upstream_listener() as upstream:
        ends = _Ends(upstream)
        listener = _forwarder_listener(io)
        moved: Optional[Tuple[int, int]] = None
        try:
            ends.start(listener.get_sock_name().port)
            moved = forward_one(io, error, listener, upstream.getsockname(), handoff)
        finally:
            listener.close()
            ends.join()
    assert moved == (PAYLOAD_SIZE, PAYLOAD_SIZE)
    ends.check()


def test_threaded_forwarder_relays_both_ways_intact(io: Any, error: Any) -> None:
    with _upstream_listener() as upstream:
        ends = _Ends(upstream)
        listener = _forwarder_listener(io)
        moved: Optional[Tuple[int, int]] = None
        try:
            ends.start(listener.get_sock_name().port)
            moved = forward_one(
                io, error, listener, upstream.getsockname(), threads=True
            )
        finally:
            listener.close()
            ends.join()
    assert moved == (PAYLOAD_SIZE, PAYLOAD_SIZE)
    ends.check()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forwarder_in_forked_child_relays_both_ways_intact(io: Any, error: Any) -> None:
    with _upstream_listener() as upstream:
        upstream_address = upstream.getsockname()

        def forwarder(write_fd: int) -> None:
            listener = _forwarder_listener(io)
            send_line(write_fd, str(listener.get_sock_name().port))
            moved = forward_one(io, error, listener, upstream_address)
            listener.close()
            send_line(write_fd, "%d %d" % moved)

        # Fork before any thread starts: the child gets one thread only.
        pid, read_fd = fork_child(forwarder)
        ends = _Ends(upstream)
        try:
            port_line = read_line(read_fd)
            assert port_line, "the forwarder child failed"
            ends.start(int(port_line))
            ends.join()
            moved_line = read_line(read_fd)
        finally:
            os.close(read_fd)
            status = reap_child(pid)
    assert status == CHILD_OK
    assert moved_line == "%d %d" % (PAYLOAD_SIZE, PAYLOAD_SIZE)
    ends.check()
