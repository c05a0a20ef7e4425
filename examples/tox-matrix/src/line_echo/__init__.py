"""A line echo over nspr_ctypes.io: the code under test of the example.

It never names a backend: it runs on the process default, which the pytest
plugin's ``nspr_backend`` fixture sets for each test.
"""

from __future__ import annotations

import threading

from nspr_ctypes import io

__all__ = ["EchoServer", "echo_line"]

#: How long one blocking call may wait, in seconds.
TIMEOUT_SECONDS = 10


class EchoServer:
    """A loopback TCP server that echoes one line per connection, in a thread."""

    def __init__(self) -> None:
        self.listener = io.Socket(io.PR_AF_INET)
        self.listener.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
        self.listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        self.listener.listen()
        self.port: int = self.listener.get_sock_name().port
        self._thread = threading.Thread(target=self._serve_one, daemon=True)
        self._thread.start()

    def _serve_one(self) -> None:
        timeout = io.seconds_to_interval(TIMEOUT_SECONDS)
        conn, _peer = self.listener.accept(timeout)
        with conn:
            conn.sendall(conn.readline(timeout=timeout), timeout)

    def close(self) -> None:
        self._thread.join(TIMEOUT_SECONDS)
        self.listener.close()

    def __enter__(self) -> EchoServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def echo_line(port: int, line: bytes, timeout_seconds: int = TIMEOUT_SECONDS) -> bytes:
    """Send ``line`` to the echo server on 127.0.0.1:``port``; its reply.

    Raises ``nspr_ctypes.error.NSPRError`` as python-nss would, e.g.
    ``PR_IO_TIMEOUT_ERROR`` when no reply comes within ``timeout_seconds``.
    """
    timeout = io.seconds_to_interval(timeout_seconds)
    with io.Socket(io.PR_AF_INET) as sock:
        sock.connect(io.NetworkAddress(io.PR_IpAddrLoopback, port), timeout)
        sock.sendall(line, timeout)
        reply: bytes = sock.readline(timeout=timeout)
    return reply
