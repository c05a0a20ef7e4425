"""One thread serving many clients with ``Socket.poll()`` and non-blocking sockets.

Shows ``io.Socket.poll([(sock, flags), ...], timeout)`` with ``PR_POLL_READ``
and ``PR_POLL_WRITE``, sockets in non-blocking mode
(``PR_SockOpt_Nonblocking``), and the ``PR_WOULD_BLOCK_ERROR`` that
``accept()``, ``recv()`` and ``send()`` raise instead of waiting.

The server echoes lines; 32 client threads each make 10 round trips with
ordinary blocking sockets. Run it::

    python examples/poll_server.py
    NSPR_CTYPES_BACKEND=stdlib python examples/poll_server.py
"""

from __future__ import annotations

import sys
import threading
import time
from typing import List

import nspr_ctypes
from nspr_ctypes import error, io

CLIENTS = 32
ROUND_TRIPS = 10  # per client
# Bounds, in seconds: one blocking call of a client, and the whole run.
CLIENT_TIMEOUT = 10
RUN_SECONDS = 60


class Connection:
    """A client's socket with the bytes received but not yet answered."""

    def __init__(self, sock: io.Socket) -> None:
        sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
        self.sock = sock
        self.received = b""  # a partial line, waiting for its end
        self.to_send = b""  # echoes that did not fit in the socket yet

    def flags(self) -> int:
        """What to wait for: always input, and room to write when there are
        echoes to send."""
        return io.PR_POLL_READ | (io.PR_POLL_WRITE if self.to_send else 0)

    def read(self) -> int:
        """Take what has arrived; queue an echo of every whole line. Return
        the number of lines, or -1 when the client has closed."""
        try:
            data = self.sock.recv(4096)  # non-blocking: never waits
        except error.NSPRError as exc:
            if exc.errno == error.PR_WOULD_BLOCK_ERROR:
                return 0  # readiness can be spurious: try again later
            raise
        if not data:
            return -1
        self.received += data
        lines = self.received.count(b"\n")
        end = self.received.rfind(b"\n") + 1
        self.to_send += self.received[:end]
        self.received = self.received[end:]
        return lines

    def write(self) -> None:
        """Send as much of the queued echoes as the socket takes now."""
        try:
            sent = self.sock.send(self.to_send)  # non-blocking: what fits
        except error.NSPRError as exc:
            if exc.errno != error.PR_WOULD_BLOCK_ERROR:
                raise
            sent = 0
        self.to_send = self.to_send[sent:]


def accept_all(listener: io.Socket, connections: List[Connection]) -> None:
    """Accept every client waiting on the non-blocking ``listener``."""
    while True:
        try:
            sock, _peer = listener.accept()
        except error.NSPRError as exc:
            if exc.errno == error.PR_WOULD_BLOCK_ERROR:
                return  # no more clients waiting
            raise
        connections.append(Connection(sock))


def serve(listener: io.Socket, clients: int) -> int:
    """Echo lines until ``clients`` clients have come and gone; return the
    number of round trips served."""
    listener.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    connections: List[Connection] = []
    closed = round_trips = polls = 0
    poll_timeout = io.milliseconds_to_interval(500)
    deadline = time.monotonic() + RUN_SECONDS
    while closed < clients:
        if time.monotonic() > deadline:
            raise RuntimeError("only %d of %d clients done" % (closed, clients))
        descs = [(listener, io.PR_POLL_READ)]
        descs += [(conn.sock, conn.flags()) for conn in connections]
        ready = io.Socket.poll(descs, poll_timeout)  # 0 for each: timed out
        polls += 1
        if ready[0] & io.PR_POLL_READ:
            accept_all(listener, connections)
        for conn, flags in zip(list(connections), ready[1:]):
            if flags & (io.PR_POLL_ERR | io.PR_POLL_NVAL):
                lines = -1
            elif flags & (io.PR_POLL_READ | io.PR_POLL_HUP):
                lines = conn.read()
            else:
                lines = 0
            if lines < 0:
                conn.sock.close()
                connections.remove(conn)
                closed += 1
                continue
            round_trips += lines
            if conn.to_send:
                conn.write()
    print("server: %d polls for %d clients" % (polls, clients))
    return round_trips


def client(port: int, number: int, done: List[int]) -> None:
    """Make ROUND_TRIPS round trips with a blocking socket."""
    timeout = io.seconds_to_interval(CLIENT_TIMEOUT)
    with io.Socket(io.PR_AF_INET) as sock:
        sock.connect(io.NetworkAddress(io.PR_IpAddrLoopback, port), timeout)
        for trip in range(ROUND_TRIPS):
            line = b"client %d trip %d\n" % (number, trip)
            sock.sendall(line, timeout)
            if sock.readline(timeout=timeout) != line:
                raise RuntimeError("client %d: wrong echo" % number)
    done.append(number)


def main() -> int:
    print("backend: %s" % nspr_ctypes.get_backend().describe())
    done: List[int] = []
    with io.Socket(io.PR_AF_INET) as listener:
        listener.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
        listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        listener.listen(CLIENTS)  # room for every client connecting at once
        port = listener.get_sock_name().port
        print("server: polling on 127.0.0.1:%d, %d clients" % (port, CLIENTS))
        threads = [
            threading.Thread(target=client, args=(port, n, done), daemon=True)
            for n in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        round_trips = serve(listener, CLIENTS)
        for thread in threads:
            thread.join(CLIENT_TIMEOUT)
    if len(done) != CLIENTS or round_trips != CLIENTS * ROUND_TRIPS:
        print("FAILED: %d clients finished, %d round trips" % (len(done), round_trips))
        return 1
    print("OK: %d round trips served to %d clients" % (round_trips, CLIENTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
