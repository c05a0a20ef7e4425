"""Socket lifecycle: close(), use after close, uninitialised sockets.

Spec: nss-io.md §7.8, §9.1-3; docs/differences.md "Lifecycle and safety".
python-nss crashes (SIGSEGV) on most of these; those tests carry
``crashes=True`` so they never run in-process on the oracle.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from conftest import SHORT

CLOSED = "I/O operation on closed socket"


def _closed_tcp(io: Any) -> Any:
    sock = io.Socket(io.PR_AF_INET)
    sock.close()
    return sock


def _closed_udp(io: Any) -> Any:
    sock = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    sock.close()
    return sock


def _loopback(io: Any, port: int = 0) -> Any:
    return io.NetworkAddress(io.PR_IpAddrLoopback, port)


def _assert_closed_error(exc_info: Any) -> None:
    assert type(exc_info.value) is ValueError
    assert str(exc_info.value) == CLOSED


# --------------------------------------------------------------------------
# close()


def test_close_returns_none(io: Any) -> None:
    sock = io.Socket(io.PR_AF_INET)
    assert sock.close() is None


def test_close_takes_no_arguments(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(TypeError):
        sock.close(1)


def test_close_releases_the_port(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = io.Socket(io.PR_AF_INET)
    sock.bind(_loopback(io))
    sock.listen()
    port = sock.get_sock_name().port
    sock.close()
    again = closing(io.Socket(io.PR_AF_INET))
    again.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    again.bind(_loopback(io, port))
    assert again.get_sock_name().port == port


def test_close_connected_peer_sees_eof(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.close()
    assert server.recv(10, SHORT) == b""


@pytest.mark.difference("a second close() is a no-op", crashes=True)
def test_double_close_is_noop(io: Any) -> None:
    sock = io.Socket(io.PR_AF_INET)
    sock.close()
    assert sock.close() is None
    assert sock.close() is None


@pytest.mark.difference("a second close() of a UDP socket is a no-op", crashes=True)
def test_double_close_udp_is_noop(io: Any) -> None:
    sock = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    sock.close()
    assert sock.close() is None


@pytest.mark.difference("a second close() of a pair socket is a no-op", crashes=True)
def test_double_close_pair_is_noop(io: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    a.close()
    b.close()
    assert a.close() is None
    assert b.close() is None


# --------------------------------------------------------------------------
# What still works after close()


def test_repr_after_close_works(io: Any) -> None:
    sock = _closed_tcp(io)
    assert repr(sock).startswith("<") and "Socket" in repr(sock)


@pytest.mark.difference("repr() says the socket is closed")
def test_repr_after_close_says_closed(io: Any) -> None:
    sock = _closed_tcp(io)
    assert repr(sock) == "<Socket closed family=PR_AF_INET type=PR_DESC_SOCKET_TCP>"


def test_family_survives_close(io: Any) -> None:
    sock = io.Socket(io.PR_AF_INET6, io.PR_DESC_SOCKET_UDP)
    sock.close()
    assert sock.family == io.PR_AF_INET6


def test_family_writable_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    sock.family = io.PR_AF_INET6
    assert sock.family == io.PR_AF_INET6


def test_netaddr_none_after_close(io: Any) -> None:
    assert _closed_tcp(io).netaddr is None


def test_reinit_after_close_reopens(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = _closed_tcp(io)
    sock.__init__(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    closing(sock)
    assert sock.desc_type == io.PR_DESC_SOCKET_UDP
    assert sock.fileno() >= 0
    assert str(sock) == "family=PR_AF_INET type=PR_DESC_SOCKET_UDP"


def test_poll_skips_closed_socket(io: Any) -> None:
    sock = _closed_tcp(io)
    assert io.Socket.poll([(sock, io.PR_POLL_READ)], 0) == (0,)


@pytest.mark.difference("str() of a closed socket works", crashes=True)
def test_str_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    assert str(sock) == "family=PR_AF_INET type=PR_DESC_SOCKET_TCP"


@pytest.mark.difference("str() of a closed socket works", crashes=True)
def test_str_after_close_udp_inet6(io: Any) -> None:
    sock = io.Socket(io.PR_AF_INET6, io.PR_DESC_SOCKET_UDP)
    sock.close()
    assert str(sock) == "family=PR_AF_INET6 type=PR_DESC_SOCKET_UDP"


# --------------------------------------------------------------------------
# Methods that already raise the ValueError on python-nss


def test_recv_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.recv(10, SHORT)
    _assert_closed_error(info)


def test_recv_zero_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.recv(0)
    _assert_closed_error(info)


def test_read_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.read()
    _assert_closed_error(info)


def test_read_n_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.read(5)
    _assert_closed_error(info)


def test_readline_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.readline()
    _assert_closed_error(info)


def test_readlines_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.readlines()
    _assert_closed_error(info)


def test_iter_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        iter(sock)
    _assert_closed_error(info)


def test_next_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        next(sock)
    _assert_closed_error(info)


def test_recv_from_after_close(io: Any) -> None:
    sock = _closed_udp(io)
    with pytest.raises(ValueError) as info:
        sock.recv_from(10, io.NetworkAddress(), SHORT)
    _assert_closed_error(info)


def test_recv_from_family_check_before_closed_check(io: Any) -> None:
    sock = _closed_udp(io)
    addr = io.NetworkAddress(io.PR_IpAddrLoopback, 0, io.PR_AF_INET6)
    with pytest.raises(ValueError) as info:
        sock.recv_from(10, addr, SHORT)
    assert str(info.value) == (
        "Socket family (PR_AF_INET) does not match NetworkAddress family (PR_AF_INET6)"
    )


def test_read_after_close_of_pair_with_buffered_data(io: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    try:
        a.send(b"line\nrest")
        assert b.readline() == b"line\n"
    finally:
        a.close()
    b.close()
    with pytest.raises(ValueError) as info:
        b.recv(4, SHORT)
    _assert_closed_error(info)


# --------------------------------------------------------------------------
# Methods that crash (or raise something else) on python-nss


@pytest.mark.difference("fileno() after close raises the closed-socket ValueError")
def test_fileno_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.fileno()
    _assert_closed_error(info)


@pytest.mark.difference("desc_type after close raises the closed-socket ValueError")
def test_desc_type_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.desc_type  # noqa: B018
    _assert_closed_error(info)


@pytest.mark.difference("makefile() after close raises the closed-socket ValueError")
def test_makefile_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.makefile("rb")
    _assert_closed_error(info)


@pytest.mark.difference("send() after close raises ValueError", crashes=True)
def test_send_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.send(b"x", SHORT)
    _assert_closed_error(info)


@pytest.mark.difference("send(b'') after close raises ValueError", crashes=True)
def test_send_empty_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.send(b"")
    _assert_closed_error(info)


@pytest.mark.difference("sendall() after close raises ValueError", crashes=True)
def test_sendall_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.sendall(b"x", SHORT)
    _assert_closed_error(info)


@pytest.mark.difference("send_to() after close raises ValueError", crashes=True)
def test_send_to_after_close(io: Any) -> None:
    sock = _closed_udp(io)
    with pytest.raises(ValueError) as info:
        sock.send_to(b"x", _loopback(io, 9), SHORT)
    _assert_closed_error(info)


@pytest.mark.difference("connect() after close raises ValueError", crashes=True)
def test_connect_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.connect(_loopback(io, 9), SHORT)
    _assert_closed_error(info)


@pytest.mark.difference("bind() after close raises ValueError", crashes=True)
def test_bind_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.bind(_loopback(io))
    _assert_closed_error(info)


@pytest.mark.difference("listen() after close raises ValueError", crashes=True)
def test_listen_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.listen()
    _assert_closed_error(info)


@pytest.mark.difference("accept() after close raises ValueError", crashes=True)
def test_accept_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.accept(SHORT)
    _assert_closed_error(info)


@pytest.mark.difference("accept_read() after close raises ValueError", crashes=True)
def test_accept_read_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.accept_read(16, SHORT)
    _assert_closed_error(info)


@pytest.mark.difference("shutdown() after close raises ValueError", crashes=True)
def test_shutdown_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.shutdown()
    _assert_closed_error(info)


@pytest.mark.difference("get_sock_name() after close raises ValueError", crashes=True)
def test_get_sock_name_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.get_sock_name()
    _assert_closed_error(info)


@pytest.mark.difference("get_peer_name() after close raises ValueError", crashes=True)
def test_get_peer_name_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.get_peer_name()
    _assert_closed_error(info)


@pytest.mark.difference(
    "get_socket_option() after close raises ValueError", crashes=True
)
def test_get_socket_option_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.get_socket_option(io.PR_SockOpt_Reuseaddr)
    _assert_closed_error(info)


@pytest.mark.difference(
    "set_socket_option() after close raises ValueError", crashes=True
)
def test_set_socket_option_after_close(io: Any) -> None:
    sock = _closed_tcp(io)
    with pytest.raises(ValueError) as info:
        sock.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    _assert_closed_error(info)


@pytest.mark.difference("accepted socket: second close() is a no-op", crashes=True)
def test_double_close_accepted_socket(io: Any, listener: Any) -> None:
    client = io.Socket(io.PR_AF_INET)
    client.connect(_loopback(io, listener.get_sock_name().port), SHORT * 10)
    server, _peer = listener.accept(SHORT * 10)
    server.close()
    client.close()
    assert server.close() is None
    with pytest.raises(ValueError) as info:
        server.send(b"x")
    _assert_closed_error(info)


# --------------------------------------------------------------------------
# Socket.__new__(Socket) without __init__ behaves as a closed socket


def _uninit(io: Any) -> Any:
    return io.Socket.__new__(io.Socket)


def test_uninitialised_family_is_unspec(io: Any) -> None:
    sock = _uninit(io)
    assert sock.family == io.PR_AF_UNSPEC
    assert sock.netaddr is None


def test_uninitialised_recv_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).recv(1, SHORT)
    _assert_closed_error(info)


def test_uninitialised_read_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).read()
    _assert_closed_error(info)


def test_uninitialised_readline_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).readline()
    _assert_closed_error(info)


def test_uninitialised_iter_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        iter(_uninit(io))
    _assert_closed_error(info)


def test_uninitialised_poll_entry_is_zero(io: Any) -> None:
    assert io.Socket.poll([(_uninit(io), io.PR_POLL_READ)], 0) == (0,)


def test_uninitialised_init_opens_it(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = _uninit(io)
    sock.__init__(io.PR_AF_INET)
    closing(sock)
    assert str(sock) == "family=PR_AF_INET type=PR_DESC_SOCKET_TCP"
    assert sock.fileno() >= 0


@pytest.mark.difference("uninitialised Socket: fileno() raises the closed ValueError")
def test_uninitialised_fileno_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).fileno()
    _assert_closed_error(info)


@pytest.mark.difference("uninitialised Socket: desc_type raises the closed ValueError")
def test_uninitialised_desc_type_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).desc_type  # noqa: B018
    _assert_closed_error(info)


@pytest.mark.difference("str() of an uninitialised Socket works", crashes=True)
def test_uninitialised_str(io: Any) -> None:
    assert str(_uninit(io)) == "family=PR_AF_UNSPEC type=unknown(0x0)"


@pytest.mark.difference("close() of an uninitialised Socket is a no-op", crashes=True)
def test_uninitialised_close_is_noop(io: Any) -> None:
    assert _uninit(io).close() is None


@pytest.mark.difference("uninitialised Socket: send() raises ValueError", crashes=True)
def test_uninitialised_send_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).send(b"x")
    _assert_closed_error(info)


@pytest.mark.difference(
    "uninitialised Socket: get_sock_name() raises ValueError", crashes=True
)
def test_uninitialised_get_sock_name_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).get_sock_name()
    _assert_closed_error(info)


@pytest.mark.difference(
    "uninitialised Socket: set_socket_option() raises ValueError", crashes=True
)
def test_uninitialised_set_socket_option_raises_closed(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        _uninit(io).set_socket_option(io.PR_SockOpt_Nonblocking, True)
    _assert_closed_error(info)


@pytest.mark.difference("uninitialised Socket: bind() raises ValueError", crashes=True)
def test_uninitialised_bind_raises_closed(io: Any) -> None:
    sock = _uninit(io)
    sock.family = io.PR_AF_INET  # get past the family check
    with pytest.raises(ValueError) as info:
        sock.bind(_loopback(io))
    _assert_closed_error(info)


@pytest.mark.difference("a dropped socket is closed, with a ResourceWarning")
def test_dropped_socket_is_closed_with_resource_warning(io: Any) -> None:
    import gc
    import os
    import warnings

    sock = io.Socket(io.PR_AF_INET)
    fd = sock.fileno()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del sock
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    with pytest.raises(OSError):
        os.fstat(fd)


@pytest.mark.difference(
    "a signal handler runs during a blocking call (python-nss: only when the "
    "call returns)",
    crashes=True,
)
def test_signal_interrupts_blocking_recv(io: Any, local_pair: Any) -> None:
    import signal
    import time

    class Interrupted(Exception):
        pass

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted

    a, b = local_pair
    previous = signal.signal(signal.SIGALRM, handler)
    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(Interrupted):
            b.recv(10)  # no data, no timeout
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 1.0
    a.send(b"still usable")
    assert b.recv(100, 2000) == b"still usable"
