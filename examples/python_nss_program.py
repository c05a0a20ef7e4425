"""A python-nss program, written for python-nss and left as it is.

It imports ``nss.io`` and ``nss.error``, opens a loopback listener, connects
to ``localhost`` with the classic loop over ``io.AddrInfo`` (trying each
address of the name until one answers), and exchanges a few lines.

It runs on nspr_ctypes, unchanged, through the ``nss`` alias (see
``run_python_nss_program.py`` and docs/porting.md)::

    python -m nspr_ctypes.compat examples/python_nss_program.py
    python -m nspr_ctypes.compat --backend stdlib examples/python_nss_program.py

and on python-nss itself with ``python examples/python_nss_program.py`` where
python-nss is installed.
"""

from __future__ import annotations

import sys

import nss.error as nss_error
import nss.io as io
from nss.error import NSPRError

TIMEOUT = io.seconds_to_interval(10)
LINES = [b"first line\n", b"second line\n"]


def open_listener() -> io.Socket:
    sock = io.Socket(io.PR_AF_INET)
    sock.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    sock.listen()
    return sock


def connect(hostname: str, port: int) -> io.Socket:
    """Try every address of hostname; return the first socket that connects."""
    addr_info = io.AddrInfo(hostname)
    for net_addr in addr_info:
        net_addr.port = port
        sock = io.Socket(net_addr.family)
        try:
            sock.connect(net_addr, TIMEOUT)
        except NSPRError as e:
            if e.errno != nss_error.PR_CONNECT_REFUSED_ERROR:
                raise
            print("%s refused the connection, trying the next address" % net_addr)
            sock.close()
            continue
        print("connected to %s" % net_addr)
        return sock
    raise RuntimeError("could not connect to %s port %d" % (hostname, port))


def read_line(sock: io.Socket) -> bytes:
    """Wait (bounded) until sock is readable, then read one line: python-nss's
    readline() has no timeout, and each line here arrives whole."""
    if not io.Socket.poll([(sock, io.PR_POLL_READ)], TIMEOUT)[0]:
        raise RuntimeError("no line within the timeout")
    line: bytes = sock.readline()
    return line


def main() -> int:
    listener = open_listener()
    port = listener.get_sock_name().port
    client = connect("localhost", port)
    conn, peer = listener.accept(TIMEOUT)
    for line in LINES:
        client.send(line, TIMEOUT)
        received = read_line(conn)
        print("server got %r from %s" % (received, peer))
        conn.send(received.upper(), TIMEOUT)
        print("client got %r" % read_line(client))
    client.close()
    conn.close()
    listener.close()
    print("OK: %d lines exchanged over localhost" % len(LINES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
