"""TCP sockets over loopback: bind, listen, connect, accept, shutdown, send, recv.

Spec: nss-io.md §0.1 (timeouts), §7.1 (NSPR facts), §7.4, §7.5, §9.15, §9.25-26,
§9.31; docs/differences.md ("Reading and writing": sendall, bytes_sent; negative
recv amount).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable, List, Tuple

import pytest
from conftest import LONG, SHORT

MISMATCH = "Socket family (%s) does not match NetworkAddress family (%s)"
BIG = 4 * 1024 * 1024


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(
    not _ipv6_available(), reason="the platform has no IPv6 loopback (::1)"
)


def _loopback(io: Any, port: int = 0, family: Any = None) -> Any:
    if family is None:
        family = io.PR_AF_INET
    return io.NetworkAddress(io.PR_IpAddrLoopback, port, family)


def _listen(io: Any, closing: Callable[[Any], Any], family: Any = None) -> Any:
    if family is None:
        family = io.PR_AF_INET
    srv = closing(io.Socket(family))
    srv.bind(_loopback(io, 0, family))
    srv.listen()
    return srv


def _unused_port(io: Any, closing: Callable[[Any], Any]) -> int:
    """A loopback port that is bound but not listening: connects are refused."""
    holder = closing(io.Socket(io.PR_AF_INET))
    holder.bind(_loopback(io))
    port: int = holder.get_sock_name().port
    return port


def _nspr_errno(error: Any, func: Callable[..., Any], *args: Any) -> int:
    with pytest.raises(error.NSPRError) as info:
        func(*args)
    code: int = info.value.errno
    return code


class _Reader(threading.Thread):
    """Reads from ``sock`` until ``total`` bytes, EOF or an error."""

    def __init__(self, sock: Any, total: int) -> None:
        super().__init__(daemon=True)
        self.sock = sock
        self.total = total
        self.chunks: List[bytes] = []
        self.failure: Any = None

    def run(self) -> None:
        count = 0
        try:
            while count < self.total:
                chunk = self.sock.recv(1 << 20, LONG)
                if not chunk:
                    break
                self.chunks.append(chunk)
                count += len(chunk)
        except Exception as exc:  # reported by the test
            self.failure = exc

    def data(self) -> bytes:
        return b"".join(self.chunks)


def _drain(error: Any, sock: Any) -> int:
    """Read everything that arrives until a SHORT silence; return the count."""
    count = 0
    while True:
        try:
            chunk = sock.recv(1 << 20, SHORT)
        except error.NSPRError as exc:
            assert exc.errno == error.PR_IO_TIMEOUT_ERROR
            return count
        if not chunk:
            return count
        count += len(chunk)


def _payload(size: int = BIG) -> bytes:
    return bytes(range(256)) * (size // 256)


# --------------------------------------------------------------------------
# bind / get_sock_name


def test_bind_returns_none_and_assigns_port(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    assert sock.bind(_loopback(io)) is None
    name = sock.get_sock_name()
    assert name.family == io.PR_AF_INET
    assert name.address == "127.0.0.1"
    assert 0 < name.port < 65536


def test_bind_any_address(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(io.NetworkAddress(io.PR_IpAddrAny, 0))
    assert sock.get_sock_name().address == "0.0.0.0"


def test_get_sock_name_unbound_inet(io: Any, closing: Callable[[Any], Any]) -> None:
    name = closing(io.Socket(io.PR_AF_INET)).get_sock_name()
    assert (name.family, name.address, name.port) == (io.PR_AF_INET, "0.0.0.0", 0)


def test_get_sock_name_unbound_inet6(io: Any, closing: Callable[[Any], Any]) -> None:
    name = closing(io.Socket(io.PR_AF_INET6)).get_sock_name()
    assert (name.family, name.address, name.port) == (io.PR_AF_INET6, "::", 0)


def test_get_sock_name_returns_fresh_object(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    first = sock.get_sock_name()
    second = sock.get_sock_name()
    assert first is not second
    assert first.port == second.port
    assert first.hostname is None
    assert isinstance(first, io.NetworkAddress)


def test_get_sock_name_takes_no_arguments(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    with pytest.raises(TypeError):
        closing(io.Socket(io.PR_AF_INET)).get_sock_name(1)


@pytest.mark.parametrize("addr", ["127.0.0.1", None, ("127.0.0.1", 0), 0])
def test_bind_non_networkaddress_raises_typeerror(
    io: Any, closing: Callable[[Any], Any], addr: Any
) -> None:
    with pytest.raises(TypeError):
        closing(io.Socket(io.PR_AF_INET)).bind(addr)


def test_bind_address_in_use(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    srv = _listen(io, closing)
    other = closing(io.Socket(io.PR_AF_INET))
    port = srv.get_sock_name().port
    with pytest.raises(error.NSPRError) as info:
        other.bind(_loopback(io, port))
    assert info.value.errno == error.PR_ADDRESS_IN_USE_ERROR
    assert str(info.value) == (
        "(PR_ADDRESS_IN_USE_ERROR) Local Network address is in use."
    )


def test_second_bind_is_already_bound(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    code = _nspr_errno(error, sock.bind, _loopback(io))
    assert code == error.PR_SOCKET_ADDRESS_IS_BOUND_ERROR


def test_bind_family_mismatch_inet_socket(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(ValueError) as info:
        sock.bind(_loopback(io, 0, io.PR_AF_INET6))
    assert str(info.value) == MISMATCH % ("PR_AF_INET", "PR_AF_INET6")


def test_bind_family_mismatch_inet6_socket(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET6))
    with pytest.raises(ValueError) as info:
        sock.bind(_loopback(io))
    assert str(info.value) == MISMATCH % ("PR_AF_INET6", "PR_AF_INET")


def test_bind_family_mismatch_local_socket(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_LOCAL))
    with pytest.raises(ValueError) as info:
        sock.bind(_loopback(io))
    assert str(info.value) == MISMATCH % ("PR_AF_LOCAL", "PR_AF_INET")


# --------------------------------------------------------------------------
# listen


def test_listen_returns_none(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    assert sock.listen() is None


@pytest.mark.parametrize("backlog", [0, 1, 128, -1])
def test_listen_backlog_values(
    io: Any, closing: Callable[[Any], Any], backlog: int
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    assert sock.listen(backlog) is None


def test_listen_backlog_keyword(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    assert sock.listen(backlog=3) is None


def test_listen_backlog_float_raises_typeerror(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    with pytest.raises(TypeError):
        sock.listen(1.0)


def test_listen_on_udp_is_not_tcp(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    sock.bind(_loopback(io))
    assert _nspr_errno(error, sock.listen) == error.PR_NOT_TCP_SOCKET_ERROR


# --------------------------------------------------------------------------
# connect / accept


def test_connect_and_accept_inet(io: Any, closing: Callable[[Any], Any]) -> None:
    srv = _listen(io, closing)
    port = srv.get_sock_name().port
    client = closing(io.Socket(io.PR_AF_INET))
    assert client.connect(_loopback(io, port), LONG) is None
    result = srv.accept(LONG)
    assert type(result) is tuple and len(result) == 2
    conn, peer = result
    closing(conn)
    assert type(conn) is io.Socket
    assert isinstance(peer, io.NetworkAddress)
    assert peer.family == io.PR_AF_INET
    assert peer.address == "127.0.0.1"
    assert peer.port == client.get_sock_name().port
    assert peer.hostname is None
    assert conn.family == io.PR_AF_INET
    assert conn.desc_type == io.PR_DESC_SOCKET_TCP
    assert str(conn) == "family=PR_AF_INET type=PR_DESC_SOCKET_TCP"


def test_get_peer_name_both_ends(io: Any, tcp_pair: Any, listener: Any) -> None:
    client, server = tcp_pair
    assert client.get_peer_name().port == listener.get_sock_name().port
    assert client.get_peer_name().address == "127.0.0.1"
    assert server.get_peer_name().port == client.get_sock_name().port
    assert server.get_sock_name().port == listener.get_sock_name().port


def test_get_peer_name_not_connected(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    code = _nspr_errno(error, sock.get_peer_name)
    assert code == error.PR_NOT_CONNECTED_ERROR


def test_get_peer_name_of_listener_not_connected(
    io: Any, error: Any, listener: Any
) -> None:
    assert _nspr_errno(error, listener.get_peer_name) == error.PR_NOT_CONNECTED_ERROR


def test_connect_binds_implicitly(io: Any, tcp_pair: Any) -> None:
    client, _server = tcp_pair
    name = client.get_sock_name()
    assert name.address == "127.0.0.1"
    assert name.port != 0


def test_connect_keywords(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = closing(io.Socket(io.PR_AF_INET))
    dst = _loopback(io, listener.get_sock_name().port)
    assert client.connect(addr=dst, timeout=LONG) is None
    conn, _peer = listener.accept(timeout=LONG)
    closing(conn)


def test_accept_several_connections(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    port = listener.get_sock_name().port
    clients = [closing(io.Socket(io.PR_AF_INET)) for _ in range(3)]
    for client in clients:
        client.connect(_loopback(io, port), LONG)
    ports = set()
    for _ in clients:
        conn, peer = listener.accept(LONG)
        closing(conn)
        ports.add(peer.port)
    assert ports == {c.get_sock_name().port for c in clients}


@needs_ipv6
def test_connect_and_accept_inet6(io: Any, closing: Callable[[Any], Any]) -> None:
    srv = _listen(io, closing, io.PR_AF_INET6)
    name = srv.get_sock_name()
    assert (name.family, name.address) == (io.PR_AF_INET6, "::1")
    client = closing(io.Socket(io.PR_AF_INET6))
    client.connect(_loopback(io, name.port, io.PR_AF_INET6), LONG)
    conn, peer = srv.accept(LONG)
    closing(conn)
    assert conn.family == io.PR_AF_INET6
    assert peer.family == io.PR_AF_INET6
    assert peer.address == "::1"
    assert peer.port == client.get_sock_name().port
    assert client.get_peer_name().port == name.port
    assert str(conn) == "family=PR_AF_INET6 type=PR_DESC_SOCKET_TCP"
    client.send(b"six")
    assert conn.recv(10, LONG) == b"six"


@needs_ipv6
def test_inet_client_to_inet6_any_listener_is_v4_mapped(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    srv = closing(io.Socket(io.PR_AF_INET6))
    srv.bind(io.NetworkAddress(io.PR_IpAddrAny, 0, io.PR_AF_INET6))
    srv.listen()
    client = closing(io.Socket(io.PR_AF_INET))
    client.connect(_loopback(io, srv.get_sock_name().port), LONG)
    conn, peer = srv.accept(LONG)
    closing(conn)
    assert conn.family == io.PR_AF_INET6
    assert peer.family == io.PR_AF_INET6
    assert peer.address == "::ffff:127.0.0.1"


def test_accepted_family_copied_from_listener_attribute(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    srv = _listen(io, closing)
    port = srv.get_sock_name().port
    srv.family = io.PR_AF_INET6
    client = closing(io.Socket(io.PR_AF_INET))
    client.connect(_loopback(io, port), LONG)
    conn, peer = srv.accept(LONG)
    closing(conn)
    assert conn.family == io.PR_AF_INET6
    assert peer.family == io.PR_AF_INET


def test_accept_on_subclass_returns_plain_socket(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    class MySocket(io.Socket):  # type: ignore[misc]
        pass

    srv = closing(MySocket(io.PR_AF_INET))
    srv.bind(_loopback(io))
    srv.listen()
    client = closing(io.Socket(io.PR_AF_INET))
    client.connect(_loopback(io, srv.get_sock_name().port), LONG)
    conn, _peer = srv.accept(LONG)
    closing(conn)
    assert type(conn) is io.Socket


def test_connect_family_mismatch(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET6))
    with pytest.raises(ValueError) as info:
        sock.connect(_loopback(io, 9), SHORT)
    assert str(info.value) == MISMATCH % ("PR_AF_INET6", "PR_AF_INET")


def test_connect_family_mismatch_inet_socket(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(ValueError) as info:
        sock.connect(_loopback(io, 9, io.PR_AF_INET6), SHORT)
    assert str(info.value) == MISMATCH % ("PR_AF_INET", "PR_AF_INET6")


@pytest.mark.parametrize("addr", ["127.0.0.1", None, ("127.0.0.1", 80)])
def test_connect_non_networkaddress_raises_typeerror(
    io: Any, closing: Callable[[Any], Any], addr: Any
) -> None:
    with pytest.raises(TypeError):
        closing(io.Socket(io.PR_AF_INET)).connect(addr, SHORT)


def test_connect_refused_is_reset_then_refused(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    dst = _loopback(io, _unused_port(io, closing))
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(error.NSPRError) as info:
        sock.connect(dst, LONG)
    assert info.value.errno == error.PR_CONNECT_RESET_ERROR
    assert str(info.value) == "(PR_CONNECT_RESET_ERROR) TCP connection reset by peer."
    with pytest.raises(error.NSPRError) as info:
        sock.connect(dst, LONG)
    assert info.value.errno == error.PR_CONNECT_REFUSED_ERROR
    assert str(info.value) == "(PR_CONNECT_REFUSED_ERROR) Connection refused by peer."


def test_connect_refused_without_timeout_is_reset(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    dst = _loopback(io, _unused_port(io, closing))
    sock = closing(io.Socket(io.PR_AF_INET))
    assert _nspr_errno(error, sock.connect, dst) == error.PR_CONNECT_RESET_ERROR


def test_connect_no_wait_times_out_then_completes(
    io: Any, error: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    dst = _loopback(io, listener.get_sock_name().port)
    sock = closing(io.Socket(io.PR_AF_INET))
    code = _nspr_errno(error, sock.connect, dst, io.PR_INTERVAL_NO_WAIT)
    assert code == error.PR_IO_TIMEOUT_ERROR
    # The connection completes in the background.
    assert io.Socket.poll([(sock, io.PR_POLL_WRITE)], LONG) == (io.PR_POLL_WRITE,)
    assert sock.connect(dst, LONG) is None
    conn, peer = listener.accept(LONG)
    closing(conn)
    assert peer.port == sock.get_sock_name().port


def test_connect_timeout_2_pow_32_is_no_wait(
    io: Any, error: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    dst = _loopback(io, listener.get_sock_name().port)
    sock = closing(io.Socket(io.PR_AF_INET))
    code = _nspr_errno(error, sock.connect, dst, 2**32)
    assert code == error.PR_IO_TIMEOUT_ERROR


@pytest.mark.parametrize("timeout", [1.0, "1000", None])
def test_connect_timeout_not_int_raises_typeerror(
    io: Any, listener: Any, closing: Callable[[Any], Any], timeout: Any
) -> None:
    dst = _loopback(io, listener.get_sock_name().port)
    with pytest.raises(TypeError):
        closing(io.Socket(io.PR_AF_INET)).connect(dst, timeout)


def test_accept_not_listening(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    assert _nspr_errno(error, sock.accept, SHORT) == error.PR_INVALID_ARGUMENT_ERROR


def test_accept_on_udp_is_invalid_method(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    sock.bind(_loopback(io))
    assert _nspr_errno(error, sock.accept, SHORT) == error.PR_INVALID_METHOD_ERROR


def test_accept_timeout(io: Any, error: Any, listener: Any) -> None:
    start = time.monotonic()
    with pytest.raises(error.NSPRError) as info:
        listener.accept(SHORT)
    elapsed = time.monotonic() - start
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert str(info.value) == "(PR_IO_TIMEOUT_ERROR) I/O operation timed out."
    assert 0.2 <= elapsed < 5


def test_accept_no_wait(io: Any, error: Any, listener: Any) -> None:
    start = time.monotonic()
    code = _nspr_errno(error, listener.accept, io.PR_INTERVAL_NO_WAIT)
    assert code == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - start < 0.2


def test_accept_timeout_float_raises_typeerror(io: Any, listener: Any) -> None:
    with pytest.raises(TypeError):
        listener.accept(1.0)


# --------------------------------------------------------------------------
# Nonblocking mode


def test_nonblocking_recv_would_block(io: Any, error: Any, tcp_pair: Any) -> None:
    client, _server = tcp_pair
    client.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    assert _nspr_errno(error, client.recv, 10) == error.PR_WOULD_BLOCK_ERROR


def test_nonblocking_recv_ignores_timeout(io: Any, error: Any, tcp_pair: Any) -> None:
    client, _server = tcp_pair
    client.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    start = time.monotonic()
    assert _nspr_errno(error, client.recv, 10, LONG) == error.PR_WOULD_BLOCK_ERROR
    assert time.monotonic() - start < 2


def test_nonblocking_recv_returns_available_data(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    server.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    client.send(b"ready")
    assert io.Socket.poll([(server, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)
    assert server.recv(100) == b"ready"


def test_nonblocking_accept_would_block(io: Any, error: Any, listener: Any) -> None:
    listener.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    assert _nspr_errno(error, listener.accept) == error.PR_WOULD_BLOCK_ERROR
    assert _nspr_errno(error, listener.accept, SHORT) == error.PR_WOULD_BLOCK_ERROR


def test_accepted_from_nonblocking_listener_is_blocking(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    listener.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    client = closing(io.Socket(io.PR_AF_INET))
    client.connect(_loopback(io, listener.get_sock_name().port), LONG)
    assert io.Socket.poll([(listener, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)
    conn, _peer = listener.accept()
    closing(conn)
    assert conn.get_socket_option(io.PR_SockOpt_Nonblocking) is False


def test_nonblocking_connect_in_progress_then_connected(
    io: Any, error: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    dst = _loopback(io, listener.get_sock_name().port)
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    with pytest.raises(error.NSPRError) as info:
        sock.connect(dst)
    assert info.value.errno == error.PR_IN_PROGRESS_ERROR
    assert str(info.value) == (
        "(PR_IN_PROGRESS_ERROR) Operation is still in progress "
        "(probably a non-blocking connect)."
    )
    assert io.Socket.poll([(sock, io.PR_POLL_WRITE)], LONG) == (io.PR_POLL_WRITE,)
    assert sock.connect(dst) is None
    assert _nspr_errno(error, sock.connect, dst) == error.PR_IS_CONNECTED_ERROR


def test_nonblocking_send_returns_partial_count(io: Any, error: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    try:
        a.set_socket_option(io.PR_SockOpt_Nonblocking, True)
        data = _payload()
        sent = a.send(data)
        assert 0 < sent < len(data)
        # Nothing more fits now.
        assert _nspr_errno(error, a.send, data) == error.PR_WOULD_BLOCK_ERROR
    finally:
        a.close()
        b.close()


def test_nonblocking_option_roundtrip_changes_behaviour(
    io: Any, error: Any, tcp_pair: Any
) -> None:
    client, _server = tcp_pair
    client.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    client.set_socket_option(io.PR_SockOpt_Nonblocking, False)
    assert _nspr_errno(error, client.recv, 10, SHORT) == error.PR_IO_TIMEOUT_ERROR


# --------------------------------------------------------------------------
# shutdown


def test_shutdown_default_is_both(io: Any, error: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    assert client.shutdown() is None
    assert server.recv(10, LONG) == b""
    assert client.recv(10, SHORT) == b""
    assert _nspr_errno(error, client.send, b"x", SHORT) == error.PR_CONNECT_RESET_ERROR


def test_shutdown_send(io: Any, error: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.shutdown(io.PR_SHUTDOWN_SEND)
    assert server.recv(10, LONG) == b""
    assert _nspr_errno(error, client.send, b"x", SHORT) == error.PR_CONNECT_RESET_ERROR
    # The other direction still works.
    server.send(b"back")
    assert client.recv(10, LONG) == b"back"


def test_shutdown_rcv(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.shutdown(io.PR_SHUTDOWN_RCV)
    assert client.recv(10, SHORT) == b""
    assert client.recv(10, SHORT) == b""
    client.send(b"still")
    assert server.recv(10, LONG) == b"still"


def test_shutdown_both_explicit(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.shutdown(io.PR_SHUTDOWN_BOTH)
    assert server.recv(10, LONG) == b""


def test_shutdown_keyword(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    assert client.shutdown(how=io.PR_SHUTDOWN_SEND) is None
    assert server.recv(10, LONG) == b""


def test_shutdown_how_reduced_mod_2_pow_32(io: Any, error: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.shutdown(2**32 + io.PR_SHUTDOWN_SEND)
    assert server.recv(10, LONG) == b""
    assert _nspr_errno(error, client.send, b"x", SHORT) == error.PR_CONNECT_RESET_ERROR


@pytest.mark.parametrize("how", [-1, 3, 99])
def test_shutdown_invalid_how(io: Any, error: Any, tcp_pair: Any, how: int) -> None:
    client, _server = tcp_pair
    assert _nspr_errno(error, client.shutdown, how) == error.PR_INVALID_ARGUMENT_ERROR


def test_shutdown_not_connected(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    assert _nspr_errno(error, sock.shutdown) == error.PR_NOT_CONNECTED_ERROR


def test_shutdown_how_float_raises_typeerror(io: Any, tcp_pair: Any) -> None:
    client, _server = tcp_pair
    with pytest.raises(TypeError):
        client.shutdown(1.0)


# --------------------------------------------------------------------------
# send / recv


def test_send_recv_round_trip(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    assert client.send(b"hello", LONG) == 5
    assert server.recv(100, LONG) == b"hello"
    assert server.send(b"world") == 5
    assert client.recv(100) == b"world"


def test_recv_returns_bytes(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.send(b"\x00\xff\n")
    data = server.recv(10, LONG)
    assert type(data) is bytes
    assert data == b"\x00\xff\n"


def test_recv_at_most_amount(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.send(b"0123456789")
    assert io.Socket.poll([(server, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)
    assert server.recv(4, LONG) == b"0123"
    assert server.recv(100, LONG) == b"456789"


def test_recv_keywords(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.send(b"kw")
    assert server.recv(amount=10, timeout=LONG) == b"kw"


def test_send_keywords(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    assert client.send(buf=b"kw", timeout=LONG) == 2
    assert server.recv(10, LONG) == b"kw"


@pytest.mark.parametrize("method", ["send", "sendall"])
@pytest.mark.parametrize(
    "buf", ["text", bytearray(b"x"), memoryview(b"x"), None, 1], ids=repr
)
def test_send_non_bytes_raises_typeerror(
    io: Any, tcp_pair: Any, method: str, buf: Any
) -> None:
    client, _server = tcp_pair
    with pytest.raises(TypeError):
        getattr(client, method)(buf)


def test_send_empty_returns_zero(io: Any, tcp_pair: Any) -> None:
    client, _server = tcp_pair
    assert client.send(b"") == 0


def test_sendall_empty_returns_zero(io: Any, tcp_pair: Any) -> None:
    client, _server = tcp_pair
    assert client.sendall(b"") == 0


def test_sendall_round_trip(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    assert client.sendall(b"all of it", LONG) == 9
    assert server.recv(100, LONG) == b"all of it"


def test_recv_timeout(io: Any, error: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    start = time.monotonic()
    with pytest.raises(error.NSPRError) as info:
        server.recv(10, SHORT)
    elapsed = time.monotonic() - start
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert str(info.value) == "(PR_IO_TIMEOUT_ERROR) I/O operation timed out."
    assert 0.2 <= elapsed < 5


def test_recv_no_wait(io: Any, error: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    start = time.monotonic()
    code = _nspr_errno(error, server.recv, 10, io.PR_INTERVAL_NO_WAIT)
    assert code == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - start < 0.2


def test_recv_timeout_2_pow_32_is_no_wait(io: Any, error: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    start = time.monotonic()
    assert _nspr_errno(error, server.recv, 10, 2**32) == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - start < 0.2


def test_recv_timeout_reduced_mod_2_pow_32(io: Any, error: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    start = time.monotonic()
    assert (
        _nspr_errno(error, server.recv, 10, 2**32 + SHORT) == error.PR_IO_TIMEOUT_ERROR
    )
    assert 0.2 <= time.monotonic() - start < 5


def test_recv_timeout_minus_one_is_no_timeout(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.send(b"z")
    assert server.recv(5, -1) == b"z"


def test_recv_timeout_no_timeout_constant(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.send(b"z")
    assert server.recv(5, io.PR_INTERVAL_NO_TIMEOUT) == b"z"


def test_send_timeout_minus_one_accepted(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    assert client.send(b"abc", -1) == 3
    assert client.send(b"def", 2**64 + 5) == 3
    assert server.recv(10, LONG) in (b"abcdef", b"abc")


@pytest.mark.parametrize("timeout", [1.0, "100", None])
def test_recv_timeout_not_int_raises_typeerror(
    io: Any, tcp_pair: Any, timeout: Any
) -> None:
    _client, server = tcp_pair
    with pytest.raises(TypeError):
        server.recv(10, timeout)


@pytest.mark.parametrize("timeout", [1.0, "100"])
def test_send_timeout_not_int_raises_typeerror(
    io: Any, tcp_pair: Any, timeout: Any
) -> None:
    client, _server = tcp_pair
    with pytest.raises(TypeError):
        client.send(b"x", timeout)


@pytest.mark.parametrize("amount", [1.0, "10", None])
def test_recv_amount_not_int_raises_typeerror(
    io: Any, tcp_pair: Any, amount: Any
) -> None:
    _client, server = tcp_pair
    with pytest.raises(TypeError):
        server.recv(amount, SHORT)


def test_recv_amount_too_large_raises_overflowerror(io: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    with pytest.raises(OverflowError):
        server.recv(2**63, SHORT)


def test_recv_missing_amount_raises_typeerror(io: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    with pytest.raises(TypeError):
        server.recv()


@pytest.mark.difference("recv() with a negative amount raises ValueError")
def test_recv_negative_amount_raises_valueerror(io: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    with pytest.raises(ValueError) as info:
        server.recv(-1, SHORT)
    assert str(info.value) == "negative buffersize in recv"


def test_recv_zero_with_data_returns_empty_without_consuming(
    io: Any, tcp_pair: Any
) -> None:
    client, server = tcp_pair
    client.send(b"data")
    assert io.Socket.poll([(server, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)
    assert server.recv(0, SHORT) == b""
    assert server.recv(10, LONG) == b"data"


def test_recv_zero_without_data_waits_for_timeout(
    io: Any, error: Any, tcp_pair: Any
) -> None:
    _client, server = tcp_pair
    assert _nspr_errno(error, server.recv, 0, SHORT) == error.PR_IO_TIMEOUT_ERROR


def test_recv_after_peer_shutdown_returns_empty(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.send(b"last")
    client.shutdown(io.PR_SHUTDOWN_SEND)
    assert server.recv(100, LONG) == b"last"
    assert server.recv(100, LONG) == b""
    assert server.recv(100, LONG) == b""


def test_recv_after_peer_close_returns_empty(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.close()
    assert server.recv(100, LONG) == b""


def test_recv_after_peer_reset(io: Any, error: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    server.set_socket_option(io.PR_SockOpt_Linger, True, 0)
    server.close()
    assert _nspr_errno(error, client.recv, 10, LONG) == error.PR_CONNECT_RESET_ERROR
    assert client.recv(10, LONG) == b""


def test_send_after_peer_close_resets(io: Any, error: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    server.close()
    codes = []
    for _ in range(20):
        try:
            client.send(b"x", LONG)
        except error.NSPRError as exc:
            codes.append(exc.errno)
            break
        time.sleep(0.02)
    assert codes == [error.PR_CONNECT_RESET_ERROR]


def test_send_on_unconnected_tcp_socket(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    code = _nspr_errno(error, sock.send, b"x", SHORT)
    assert code == error.PR_CONNECT_RESET_ERROR


def test_send_large_payload_blocking_sends_everything(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    data = _payload()
    reader = _Reader(b, len(data))
    reader.start()
    assert a.send(data, LONG) == len(data)
    reader.join(LONG / 1000 + 5)
    assert not reader.is_alive()
    assert reader.failure is None
    assert reader.data() == data


def test_sendall_large_payload_sends_everything(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    data = _payload()
    reader = _Reader(b, len(data))
    reader.start()
    assert a.sendall(data, LONG) == len(data)
    reader.join(LONG / 1000 + 5)
    assert not reader.is_alive()
    assert reader.failure is None
    assert reader.data() == data


def test_sendall_large_payload_over_tcp(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    data = _payload(1024 * 1024)
    reader = _Reader(server, len(data))
    reader.start()
    assert client.sendall(data) == len(data)
    reader.join(LONG / 1000 + 5)
    assert not reader.is_alive()
    assert reader.data() == data


def test_send_timeout_when_peer_does_not_read(io: Any, error: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    try:
        start = time.monotonic()
        assert (
            _nspr_errno(error, a.send, _payload(), SHORT) == error.PR_IO_TIMEOUT_ERROR
        )
        assert 0.2 <= time.monotonic() - start < 5
    finally:
        a.close()
        b.close()


@pytest.mark.difference("sendall() in nonblocking mode sends everything or raises")
def test_sendall_nonblocking_raises_with_bytes_sent(io: Any, error: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    try:
        a.set_socket_option(io.PR_SockOpt_Nonblocking, True)
        data = _payload()
        with pytest.raises(error.NSPRError) as info:
            a.sendall(data)
        assert info.value.errno == error.PR_WOULD_BLOCK_ERROR
        sent = info.value.bytes_sent
        assert 0 < sent < len(data)
        assert _drain(error, b) == sent
    finally:
        a.close()
        b.close()


@pytest.mark.difference("sendall() timeout after a partial send carries bytes_sent")
def test_sendall_timeout_carries_bytes_sent(io: Any, error: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    try:
        data = _payload()
        with pytest.raises(error.NSPRError) as info:
            a.sendall(data, SHORT)
        assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
        sent = info.value.bytes_sent
        assert 0 < sent < len(data)
        assert _drain(error, b) == sent
    finally:
        a.close()
        b.close()


@pytest.mark.difference("send() timeout after a partial send carries bytes_sent")
def test_send_timeout_carries_bytes_sent(io: Any, error: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    try:
        data = _payload()
        with pytest.raises(error.NSPRError) as info:
            a.send(data, SHORT)
        assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
        sent = info.value.bytes_sent
        assert 0 < sent < len(data)
        assert _drain(error, b) == sent
    finally:
        a.close()
        b.close()


@pytest.mark.difference("send() timeout over TCP carries bytes_sent")
def test_send_timeout_over_tcp_carries_bytes_sent(
    io: Any, error: Any, tcp_pair: Any
) -> None:
    client, server = tcp_pair
    data = _payload(16 * 1024 * 1024)
    with pytest.raises(error.NSPRError) as info:
        client.send(data, SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    sent = info.value.bytes_sent
    assert 0 < sent < len(data)
    assert _drain(error, server) == sent


@pytest.mark.difference("a non-blocking send() failure carries bytes_sent 0")
def test_nonblocking_send_failures_carry_bytes_sent_zero(
    io: Any, error: Any, tcp_pair: Any
) -> None:
    client, _server = tcp_pair
    client.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    data = _payload()
    assert 0 < client.send(data) < len(data)
    with pytest.raises(error.NSPRError) as info:
        client.send(data)  # no room
    assert info.value.errno == error.PR_WOULD_BLOCK_ERROR
    assert info.value.bytes_sent == 0
    client.shutdown(io.PR_SHUTDOWN_SEND)
    with pytest.raises(error.NSPRError) as info:
        client.send(b"x")
    assert info.value.errno == error.PR_CONNECT_RESET_ERROR
    assert info.value.bytes_sent == 0


def test_threads_send_and_recv_concurrently(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    results: List[Tuple[str, bytes]] = []

    def echo() -> None:
        data = server.recv(100, LONG)
        results.append(("server", data))
        server.send(data.upper(), LONG)

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    client.send(b"ping", LONG)
    assert client.recv(100, LONG) == b"PING"
    thread.join(LONG / 1000)
    assert results == [("server", b"ping")]
