"""A line echo client: sends lines to an echo server and reads each one back.

Shows ``connect()`` with a timeout, ``sendall()``, and ``readline(timeout=)``
reading the answers line by line.

Against a running ``echo_server.py``::

    python examples/echo_server.py --port 0 --max-clients 1   # prints its port
    python examples/echo_client.py --port PORT hello world

Without ``--port`` it starts the server of ``echo_server.py`` in a thread
first, so it runs by itself::

    python examples/echo_client.py
    NSPR_CTYPES_BACKEND=stdlib python examples/echo_client.py
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import List, Optional, Sequence

import nspr_ctypes
from nspr_ctypes import io

DEFAULT_LINES = ["hello", "echo over NSPR sockets", "bye"]
# Seconds to wait for the connection and for each answer.
TIMEOUT_SECONDS = 10


def run_client(port: int, lines: Sequence[str]) -> int:
    """Send each of ``lines`` to 127.0.0.1:port and check that it comes
    back; return the number of lines echoed."""
    timeout = io.seconds_to_interval(TIMEOUT_SECONDS)
    with io.Socket(io.PR_AF_INET) as sock:
        sock.connect(io.NetworkAddress(io.PR_IpAddrLoopback, port), timeout)
        print("client: connected to %s" % sock.get_peer_name(), flush=True)
        for text in lines:
            line = text.encode("utf-8") + b"\n"
            sock.sendall(line, timeout)
            answer = sock.readline(timeout=timeout)
            if answer != line:
                raise RuntimeError("sent %r, got back %r" % (line, answer))
            print("client: sent and got back %r" % text, flush=True)
        # Tell the server we are done; it then closes its side.
        sock.shutdown(io.PR_SHUTDOWN_SEND)
        if sock.readline(timeout=timeout) != b"":
            raise RuntimeError("the server sent more than the echoes")
    return len(lines)


def run_with_own_server(lines: Sequence[str]) -> int:
    """Start echo_server.py's server for one client in a thread, then run
    the client against it."""
    import echo_server  # the other half of the pair, next to this file

    with echo_server.open_listener() as listener:
        port = listener.get_sock_name().port
        print("client: started echo_server on 127.0.0.1:%d" % port, flush=True)
        server = threading.Thread(
            target=echo_server.serve, args=(listener, 1, 10), daemon=True
        )
        server.start()
        try:
            return run_client(port, lines)
        finally:
            server.join(echo_server.CLIENT_TIMEOUT + 15)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, help="the server's port (default: start one)"
    )
    parser.add_argument("lines", nargs="*", help="lines to send")
    args = parser.parse_args(argv)
    lines: List[str] = args.lines or DEFAULT_LINES
    print("backend: %s" % nspr_ctypes.get_backend().describe())
    if args.port is None:
        count = run_with_own_server(lines)
    else:
        count = run_client(args.port, lines)
    print("OK: %d line(s) echoed" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
