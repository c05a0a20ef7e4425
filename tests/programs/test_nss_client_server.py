"""python-nss's own client/server exchange, with SSL off.

The program of python-nss's ``test/test_client_server.py`` and
``doc/examples/ssl_example.py``, kept as it is written there: a server in a
forked child listens, accepts a connection and answers each request line
(``readline()``) with the line in braces until the client hangs up; the client
walks ``AddrInfo('localhost')``, setting the port of each ``NetworkAddress``
and trying ``connect(net_addr, timeout=...)`` until one succeeds, then sends
its lines, reads the replies with ``readline()``, and ends with ``shutdown()``
and ``close()``.

Here the server listens on 127.0.0.1 at a free port and tells the parent the
port through a pipe (the originals use a fixed port and sleep five seconds).
"""

from __future__ import annotations

import os
import socket
from typing import Any, Iterable, List, Tuple

import pytest
from conftest import safe_close

from ._forked import CHILD_OK, fork_child, read_line, reap_child, send_line

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")

TIMEOUT_SECS = 10

# Exit statuses of the server child, besides _forked's.
SERVER_WRONG_COUNT = 2


def _serve(io: Any, write_fd: int, clients: int, rounds: int) -> None:
    """The server child: answer ``rounds`` lines of each of ``clients`` clients."""
    timeout = io.seconds_to_interval(TIMEOUT_SECS)
    sock = io.Socket(io.PR_AF_INET)
    sock.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    sock.listen()
    send_line(write_fd, str(sock.get_sock_name().port))
    for _ in range(clients):
        client_sock, _client_addr = sock.accept(timeout)
        answered = 0
        while True:
            # As the originals: readline() without a timeout; the child's
            # alarm bounds it.
            buf = client_sock.readline()
            if not buf:
                break  # the client hung up
            request = buf.decode("utf-8").rstrip()
            reply = "{%s}\n" % request  # echo embedded inside braces
            client_sock.send(reply.encode("utf-8"))
            answered += 1
        client_sock.close()
        if answered != rounds:
            os._exit(SERVER_WRONG_COUNT)
    sock.close()


def _connect_first(io: Any, error: Any, addresses: Iterable[Any], port: int) -> Any:
    """The client's address loop: the first address that accepts, connected."""
    failures: List[str] = []
    for net_addr in addresses:
        net_addr.port = port
        sock = io.Socket(net_addr.family)
        try:
            sock.connect(net_addr, timeout=io.seconds_to_interval(TIMEOUT_SECS))
        except error.NSPRError as exc:
            sock.close()
            failures.append("%s: %s" % (net_addr, exc))
            continue
        return sock
    raise AssertionError("no address accepted the connection: %s" % failures)


def _talk(sock: Any, requests: List[str]) -> List[str]:
    """The client's session: one reply line per request, then hang up."""
    replies = []
    for request in requests:
        data = request + "\n"  # newline is protocol record separator
        sock.send(data.encode("utf-8"))
        # readline() without a timeout, as the originals: the server child
        # answers, or dies by its alarm and so closes the connection.
        buf = sock.readline()
        if not buf:
            break  # lost connection
        replies.append(buf.decode("utf-8").rstrip())
    sock.shutdown()
    sock.close()
    return replies


def _start_server(io: Any, clients: int, rounds: int) -> Tuple[int, int]:
    """Fork the server; ``(pid, port)`` once it listens."""
    pid, read_fd = fork_child(lambda write_fd: _serve(io, write_fd, clients, rounds))
    try:
        line = read_line(read_fd)
    except BaseException:
        reap_child(pid)
        raise
    finally:
        os.close(read_fd)
    if not line:
        raise AssertionError("server child failed: status %d" % reap_child(pid))
    return pid, int(line)


def test_client_server_exchange_lines(io: Any, error: Any) -> None:
    requests = ["request %d" % number for number in range(5)]
    pid, port = _start_server(io, clients=1, rounds=len(requests))
    try:
        sock = _connect_first(io, error, io.AddrInfo("localhost"), port)
        replies = _talk(sock, requests)
    finally:
        status = reap_child(pid)
    assert replies == ["{%s}" % request for request in requests]
    assert status == CHILD_OK


def test_server_answers_clients_one_after_another(io: Any, error: Any) -> None:
    requests = ["first", "second", "third"]
    pid, port = _start_server(io, clients=3, rounds=len(requests))
    try:
        replies = [
            _talk(_connect_first(io, error, io.AddrInfo("localhost"), port), requests)
            for _client in range(3)
        ]
    finally:
        status = reap_child(pid)
    assert replies == [["{first}", "{second}", "{third}"]] * 3
    assert status == CHILD_OK


def test_client_tries_next_address_after_refusal(io: Any, error: Any) -> None:
    # The first address is a loopback port that is bound but not listening,
    # so its connect is refused and the loop moves on to AddrInfo's.
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 0))
        refusing = io.NetworkAddress(io.PR_IpAddrLoopback, holder.getsockname()[1])
        pid, port = _start_server(io, clients=1, rounds=1)
        try:
            addresses = [refusing, *io.AddrInfo("localhost")]
            sock = _connect_first(io, error, addresses, port)
            connected_to = sock.get_peer_name().port
            replies = _talk(sock, ["after a refusal"])
        finally:
            status = reap_child(pid)
    finally:
        holder.close()
    assert connected_to == port
    assert replies == ["{after a refusal}"]
    assert status == CHILD_OK


def _handle_in_child(listener: Any, client_sock: Any) -> None:
    """A forking server's child: answer one client's lines until it hangs up."""
    listener.close()  # the child's copy; the parent keeps listening
    while True:
        buf = client_sock.readline()
        if not buf:
            break
        client_sock.send(b"{" + buf.rstrip(b"\n") + b"}\n")
    client_sock.close()


def _read_reply(conn: socket.socket) -> bytes:
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = conn.recv(100)
        if not chunk:
            break
        reply += chunk
    return reply


def test_forking_server_answers_each_client_in_a_child(io: Any) -> None:
    # The classic forking server: accept, fork, the child serves the
    # connection and the parent closes its copy at once. A client sees the end
    # of its stream only when both copies are closed.
    listener = io.Socket(io.PR_AF_INET)
    listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    listener.listen()
    port = listener.get_sock_name().port
    clients: List[socket.socket] = []
    pids: List[int] = []
    try:
        for _ in range(3):
            clients.append(
                socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECS)
            )
            client_sock, _client_addr = listener.accept(
                io.seconds_to_interval(TIMEOUT_SECS)
            )

            def child(_write_fd: int, client_sock: Any = client_sock) -> None:
                _handle_in_child(listener, client_sock)

            pid, read_fd = fork_child(child)
            os.close(read_fd)
            pids.append(pid)
            client_sock.close()
        replies = []
        ends = []
        for number, conn in enumerate(clients):
            conn.sendall(b"client %d\n" % number)
            replies.append(_read_reply(conn))
            conn.shutdown(socket.SHUT_WR)
            ends.append(conn.recv(100))
    finally:
        listener.close()
        for conn in clients:
            conn.close()
        statuses = [reap_child(pid) for pid in pids]
    assert replies == [b"{client 0}\n", b"{client 1}\n", b"{client 2}\n"]
    assert ends == [b"", b"", b""]
    assert statuses == [CHILD_OK] * 3


def test_preforked_workers_share_one_listener(io: Any) -> None:
    # The pre-forking server: the parent listens, then forks workers that all
    # accept() on the inherited listener. Each worker here takes one client,
    # so two clients meet two different workers.
    listener = io.Socket(io.PR_AF_INET)
    listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    listener.listen()
    port = listener.get_sock_name().port

    def worker(_write_fd: int) -> None:
        client_sock, _client_addr = listener.accept(
            io.seconds_to_interval(TIMEOUT_SECS)
        )
        buf = client_sock.readline()
        reply = "{%s} %d\n" % (buf.decode("utf-8").rstrip(), os.getpid())
        client_sock.send(reply.encode("utf-8"))
        client_sock.close()
        listener.close()

    pids: List[int] = []
    replies = []
    try:
        for _ in range(2):
            pid, read_fd = fork_child(worker)
            os.close(read_fd)
            pids.append(pid)
        listener.close()  # the parent's copy: the workers keep theirs
        for number in range(2):
            with socket.create_connection(
                ("127.0.0.1", port), timeout=TIMEOUT_SECS
            ) as conn:
                conn.sendall(b"client %d\n" % number)
                replies.append(_read_reply(conn).decode("utf-8").split())
    finally:
        safe_close(listener)  # python-nss crashes on a second close()
        statuses = [reap_child(pid) for pid in pids]
    assert [reply[:2] for reply in replies] == [["{client", "0}"], ["{client", "1}"]]
    assert sorted(int(reply[2]) for reply in replies) == sorted(pids)
    assert statuses == [CHILD_OK, CHILD_OK]
