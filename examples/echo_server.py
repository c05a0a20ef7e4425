"""A line echo server: every line a client sends comes back to it.

Shows a listening ``io.Socket`` on the loopback, ``accept()`` with a timeout,
one thread per client, ``readline()`` and ``sendall()`` with timeouts.

Run it as a server, then connect with ``echo_client.py --port PORT``::

    python examples/echo_server.py --port 0 --max-clients 2   # prints its port

Without ``--port`` it tests itself: it listens on any free port, talks to
itself with ``echo_client.py`` in a thread, and exits::

    python examples/echo_server.py
    NSPR_CTYPES_BACKEND=stdlib python examples/echo_server.py

Every wait is bounded: the server gives up after ``--idle`` seconds without
a new client.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import List, Optional

import nspr_ctypes
from nspr_ctypes import error, io

# How long one client may stay silent, in seconds.
CLIENT_TIMEOUT = 10


def open_listener(port: int = 0) -> io.Socket:
    """A TCP socket listening on 127.0.0.1:port (0: any free port)."""
    listener = io.Socket(io.PR_AF_INET)
    listener.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, port))
    listener.listen()
    return listener


def echo_lines(conn: io.Socket) -> int:
    """Send every line read from ``conn`` back until the client closes;
    return the number of lines echoed."""
    timeout = io.seconds_to_interval(CLIENT_TIMEOUT)
    count = 0
    with conn:
        while True:
            line = conn.readline(timeout=timeout)
            if not line:  # b'': the client closed its side
                return count
            conn.sendall(line, timeout)
            count += 1


def handle_client(conn: io.Socket, peer: io.NetworkAddress) -> None:
    """Echo one client's lines and say how it went (one thread per client)."""
    try:
        count = echo_lines(conn)
    except error.NSPRError as exc:
        print("server: client %s failed: %s" % (peer, exc.strerror), flush=True)
    else:
        print("server: client %s done, %d line(s) echoed" % (peer, count), flush=True)


def serve(listener: io.Socket, max_clients: Optional[int], idle_seconds: int) -> int:
    """Accept clients until ``max_clients`` have come (None: no limit) or none
    comes for ``idle_seconds``; return the number of clients served."""
    timeout = io.seconds_to_interval(idle_seconds)
    threads: List[threading.Thread] = []
    while max_clients is None or len(threads) < max_clients:
        try:
            conn, peer = listener.accept(timeout)
        except error.NSPRError as exc:
            if exc.errno != error.PR_IO_TIMEOUT_ERROR:
                raise
            print("server: no client for %d s, stopping" % idle_seconds, flush=True)
            break
        thread = threading.Thread(target=handle_client, args=(conn, peer), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(CLIENT_TIMEOUT + 5)
    return len(threads)


def self_test() -> None:
    """Serve one client run from echo_client.py in a thread."""
    import echo_client  # the other half of the pair, next to this file

    echoed: List[int] = []

    def client() -> None:
        echoed.append(echo_client.run_client(port, echo_client.DEFAULT_LINES))

    with open_listener() as listener:
        port = listener.get_sock_name().port
        print("server: self-test on 127.0.0.1:%d" % port, flush=True)
        thread = threading.Thread(target=client, daemon=True)
        thread.start()
        serve(listener, max_clients=1, idle_seconds=10)
        thread.join(CLIENT_TIMEOUT + 5)
    if echoed != [len(echo_client.DEFAULT_LINES)]:
        raise SystemExit("server: the self-test client did not finish")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, help="port to listen on, 0 for any (default: self-test)"
    )
    parser.add_argument(
        "--max-clients", type=int, help="stop after this many clients (default: none)"
    )
    parser.add_argument(
        "--idle",
        type=int,
        default=60,
        help="stop after this many seconds without a client",
    )
    args = parser.parse_args(argv)
    print("backend: %s" % nspr_ctypes.get_backend().describe())
    if args.port is None:
        self_test()
        print("OK: echo server served its own client")
        return 0
    with open_listener(args.port) as listener:
        # The line a script or a test reads to find the port.
        print("listening on %s" % listener.get_sock_name(), flush=True)
        served = serve(listener, args.max_clients, args.idle)
    print("OK: echo server stopped after %d client(s)" % served)
    return 0


if __name__ == "__main__":
    sys.exit(main())
