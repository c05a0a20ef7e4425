"""Static methods and accept_read: new_tcp_pair, poll, import_tcp_socket, accept_read.

Spec: nss-io.md §7.9-7.12, §9.5, §9.8, §9.12, §9.29-30; docs/differences.md.

accept_read() in python-nss overflows its buffer (NSPR writes the peer address
at align8(buf + amount)). The tests that run on the oracle use IPv4 listeners
and amounts that are multiples of 16, so the 16-byte address lands in the
allocation's padding and the interpreter survives.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from typing import Any, Callable

import pytest
from conftest import LONG, SHORT


def _loopback(io: Any, port: int = 0) -> Any:
    return io.NetworkAddress(io.PR_IpAddrLoopback, port)


def _nspr_errno(error: Any, func: Callable[..., Any], *args: Any) -> int:
    with pytest.raises(error.NSPRError) as info:
        func(*args)
    code: int = info.value.errno
    return code


def _fill(io: Any, error: Any, sock: Any) -> None:
    """Fill the send buffer of ``sock`` until nothing more fits."""
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    chunk = b"\0" * 65536
    for _ in range(10000):
        try:
            sock.send(chunk)
        except error.NSPRError as exc:
            assert exc.errno == error.PR_WOULD_BLOCK_ERROR
            break
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, False)


def _close_fd(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------
# new_tcp_pair (§7.10)


def test_new_tcp_pair_returns_two_sockets(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    assert type(a) is io.Socket
    assert type(b) is io.Socket
    assert a is not b
    assert a.fileno() != b.fileno()


def test_new_tcp_pair_is_a_tuple(io: Any, closing: Callable[[Any], Any]) -> None:
    pair = io.Socket.new_tcp_pair()
    for sock in pair:
        closing(sock)
    assert type(pair) is tuple
    assert len(pair) == 2


def test_new_tcp_pair_family_is_local(io: Any, local_pair: Any) -> None:
    for sock in local_pair:
        assert sock.family == io.PR_AF_LOCAL
        assert sock.desc_type == io.PR_DESC_SOCKET_TCP
        assert str(sock) == "family=PR_AF_LOCAL type=PR_DESC_SOCKET_TCP"
        assert sock.netaddr is None


def test_new_tcp_pair_names_are_localhost(io: Any, local_pair: Any) -> None:
    for sock in local_pair:
        for name in (sock.get_sock_name(), sock.get_peer_name()):
            assert name.family == io.PR_AF_LOCAL
            assert name.address == "localhost"


@pytest.mark.difference("new_tcp_pair() sock/peer name port is 0, not garbage")
def test_new_tcp_pair_name_ports_are_zero(io: Any, local_pair: Any) -> None:
    ports = [
        name.port
        for sock in local_pair
        for name in (sock.get_sock_name(), sock.get_peer_name())
    ]
    assert ports == [0, 0, 0, 0]


def test_new_tcp_pair_data_both_ways(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    assert a.send(b"to b") == 4
    assert b.recv(10, LONG) == b"to b"
    assert b.send(b"to a") == 4
    assert a.recv(10, LONG) == b"to a"


def test_new_tcp_pair_blocking_by_default(io: Any, local_pair: Any) -> None:
    a, _b = local_pair
    assert a.get_socket_option(io.PR_SockOpt_Nonblocking) is False


def test_new_tcp_pair_close_gives_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.close()
    assert b.recv(10, LONG) == b""


def test_new_tcp_pair_takes_no_arguments(io: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket.new_tcp_pair(1)


def test_new_tcp_pair_on_subclass_returns_plain_sockets(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    class MySocket(io.Socket):  # type: ignore[misc]
        pass

    a, b = MySocket.new_tcp_pair()
    closing(a)
    closing(b)
    assert type(a) is io.Socket
    assert type(b) is io.Socket


def test_new_tcp_pair_callable_on_instance(
    io: Any, local_pair: Any, closing: Callable[[Any], Any]
) -> None:
    a, b = local_pair[0].new_tcp_pair()
    closing(a)
    closing(b)
    a.send(b"x")
    assert b.recv(1, LONG) == b"x"


# --------------------------------------------------------------------------
# poll (§7.11)


def test_poll_readable(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x")
    assert io.Socket.poll([(b, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)


def test_poll_writable(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    assert io.Socket.poll([(b, io.PR_POLL_WRITE)], 0) == (io.PR_POLL_WRITE,)


def test_poll_read_write_with_data(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x")
    flags = io.PR_POLL_READ | io.PR_POLL_WRITE
    assert io.Socket.poll([(b, flags)], LONG) == (flags,)


def test_poll_read_write_without_data_reports_write_only(
    io: Any, local_pair: Any
) -> None:
    _a, b = local_pair
    flags = io.PR_POLL_READ | io.PR_POLL_WRITE
    assert io.Socket.poll([(b, flags)], 0) == (io.PR_POLL_WRITE,)


def test_poll_not_ready_entry_is_zero_when_another_is_ready(
    io: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"x")
    result = io.Socket.poll([(b, io.PR_POLL_READ), (a, io.PR_POLL_READ)], LONG)
    assert result == (io.PR_POLL_READ, 0)


def test_poll_mixed_entries(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    result = io.Socket.poll([(b, io.PR_POLL_READ), (b, io.PR_POLL_WRITE)], 0)
    assert result == (0, io.PR_POLL_WRITE)


def test_poll_peer_closed_read_hup(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.close()
    assert io.Socket.poll([(b, io.PR_POLL_READ)], LONG) == (
        io.PR_POLL_READ | io.PR_POLL_HUP,
    )


def test_poll_peer_closed_read_write_hup(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.close()
    flags = io.PR_POLL_READ | io.PR_POLL_WRITE
    assert io.Socket.poll([(b, flags)], LONG) == (flags | io.PR_POLL_HUP,)


def test_poll_peer_closed_write_hup(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.close()
    assert io.Socket.poll([(b, io.PR_POLL_WRITE)], LONG) == (
        io.PR_POLL_WRITE | io.PR_POLL_HUP,
    )


def test_poll_eof_is_readable(io: Any, tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.shutdown(io.PR_SHUTDOWN_SEND)
    result = io.Socket.poll([(server, io.PR_POLL_READ)], LONG)
    assert result[0] & io.PR_POLL_READ


def test_poll_listener_readable_on_pending_connection(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = closing(io.Socket(io.PR_AF_INET))
    client.connect(_loopback(io, listener.get_sock_name().port), LONG)
    assert io.Socket.poll([(listener, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)


def test_poll_returns_tuple_of_ints(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    result = io.Socket.poll([(a, io.PR_POLL_WRITE), (b, io.PR_POLL_WRITE)], 0)
    assert type(result) is tuple
    assert all(type(flag) is int for flag in result)
    assert result == (io.PR_POLL_WRITE, io.PR_POLL_WRITE)


def test_poll_accepts_lists_and_tuples(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    assert io.Socket.poll([[b, io.PR_POLL_WRITE]], 0) == (io.PR_POLL_WRITE,)
    assert io.Socket.poll(((b, io.PR_POLL_WRITE),), 0) == (io.PR_POLL_WRITE,)


def test_poll_empty_list(io: Any) -> None:
    start = time.monotonic()
    assert io.Socket.poll([], 50) == ()
    assert time.monotonic() - start < 5


def test_poll_closed_socket_entry_is_zero(io: Any) -> None:
    sock = io.Socket(io.PR_AF_INET)
    sock.close()
    assert io.Socket.poll([(sock, io.PR_POLL_READ)], 0) == (0,)


def test_poll_closed_socket_next_to_ready_one(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    sock = io.Socket(io.PR_AF_INET)
    sock.close()
    result = io.Socket.poll([(sock, io.PR_POLL_READ), (b, io.PR_POLL_WRITE)], 0)
    assert result == (0, io.PR_POLL_WRITE)


def test_poll_flags_zero(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    assert io.Socket.poll([(b, 0)], 0) == (0,)


def test_poll_except_alone_not_ready(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    assert io.Socket.poll([(b, io.PR_POLL_EXCEPT)], 0) == (0,)


def test_poll_subclass_socket(io: Any, closing: Callable[[Any], Any]) -> None:
    class MySocket(io.Socket):  # type: ignore[misc]
        pass

    sock = closing(MySocket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    assert io.Socket.poll([(sock, io.PR_POLL_WRITE)], 0) == (io.PR_POLL_WRITE,)


@pytest.mark.difference("poll(): a READ entry that is not ready reports 0")
def test_poll_timeout_read_reports_zero(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    assert io.Socket.poll([(b, io.PR_POLL_READ)], 0) == (0,)


@pytest.mark.difference("poll(): timing out reports 0 after waiting")
def test_poll_timeout_waits_and_reports_zero(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    start = time.monotonic()
    result = io.Socket.poll([(b, io.PR_POLL_READ)], SHORT)
    elapsed = time.monotonic() - start
    assert result == (0,)
    assert 0.2 <= elapsed < 5


@pytest.mark.difference("poll(): a WRITE entry that is not ready reports 0")
def test_poll_timeout_write_reports_zero(io: Any, error: Any, local_pair: Any) -> None:
    a, _b = local_pair
    _fill(io, error, a)
    assert io.Socket.poll([(a, io.PR_POLL_WRITE)], 0) == (0,)


@pytest.mark.difference("poll(): a READ|WRITE entry that is not ready reports 0")
def test_poll_timeout_read_write_reports_zero(
    io: Any, error: Any, local_pair: Any
) -> None:
    a, _b = local_pair
    _fill(io, error, a)
    assert io.Socket.poll([(a, io.PR_POLL_READ | io.PR_POLL_WRITE)], 0) == (0,)


@pytest.mark.difference("poll(): several entries, none ready, all report 0")
def test_poll_timeout_several_entries(io: Any, error: Any, local_pair: Any) -> None:
    a, _b = local_pair
    _fill(io, error, a)  # a: send buffer full, nothing to read
    result = io.Socket.poll(
        [(a, io.PR_POLL_WRITE), (a, io.PR_POLL_READ), (a, io.PR_POLL_EXCEPT)], 0
    )
    assert result == (0, 0, 0)


@pytest.mark.parametrize("descs", [5, None, {1}], ids=repr)
def test_poll_descs_not_a_sequence(io: Any, descs: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket.poll(descs, 0)


def test_poll_descs_string(io: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket.poll("ab", 0)


def test_poll_item_bare_socket(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        io.Socket.poll([b], 0)


def test_poll_item_too_short(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(IndexError):
        io.Socket.poll([(b,)], 0)


def test_poll_item_not_a_socket(io: Any) -> None:
    with pytest.raises(TypeError) as info:
        io.Socket.poll([(1, io.PR_POLL_READ)], 0)
    assert str(info.value) == "Invalid content of poll_descs"


def test_poll_flags_not_int(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        io.Socket.poll([(b, "x")], 0)


@pytest.mark.parametrize("flags", [0xFFFF, 0x10000, 2**40, -32769])
def test_poll_flags_outside_short(io: Any, local_pair: Any, flags: int) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError) as info:
        io.Socket.poll([(b, flags)], 0)
    assert str(info.value) == "Invalid content of poll_descs"


def test_poll_timeout_not_int(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        io.Socket.poll([(b, io.PR_POLL_READ)], 1.0)


def test_poll_missing_timeout(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        io.Socket.poll([(b, io.PR_POLL_READ)])


# --------------------------------------------------------------------------
# import_tcp_socket (§7.12)


def test_import_listening_socket(io: Any, closing: Callable[[Any], Any]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as std:
        std.bind(("127.0.0.1", 0))
        std.listen()
        fd = os.dup(std.fileno())
        sock = closing(io.Socket.import_tcp_socket(fd))
        assert type(sock) is io.Socket
        assert sock.fileno() == fd
        assert sock.family == io.PR_AF_INET
        assert sock.desc_type == io.PR_DESC_SOCKET_TCP
        assert sock.netaddr is None
        assert str(sock) == "family=PR_AF_INET type=PR_DESC_SOCKET_TCP"
        assert sock.get_sock_name().port == std.getsockname()[1]
        assert sock.get_socket_option(io.PR_SockOpt_Nonblocking) is False


def test_import_listening_socket_accepts(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as std:
        std.bind(("127.0.0.1", 0))
        std.listen()
        srv = closing(io.Socket.import_tcp_socket(os.dup(std.fileno())))
        client = closing(io.Socket(io.PR_AF_INET))
        client.connect(_loopback(io, std.getsockname()[1]), LONG)
        conn, peer = srv.accept(LONG)
        closing(conn)
        assert conn.family == io.PR_AF_INET
        assert peer.address == "127.0.0.1"
        client.send(b"hi")
        assert conn.recv(10, LONG) == b"hi"


def test_import_connected_socket(io: Any, closing: Callable[[Any], Any]) -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        sock = closing(io.Socket.import_tcp_socket(os.dup(left.fileno())))
        assert sock.family == io.PR_AF_LOCAL
        right.sendall(b"from stdlib")
        assert sock.recv(100, LONG) == b"from stdlib"
        sock.send(b"from nspr")
        right.settimeout(LONG / 1000)
        assert right.recv(100) == b"from nspr"


def test_import_tcp_connection(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    std = socket.create_connection(("127.0.0.1", listener.get_sock_name().port), 10)
    with std:
        sock = closing(io.Socket.import_tcp_socket(os.dup(std.fileno())))
        conn, _peer = listener.accept(LONG)
        closing(conn)
        assert sock.get_peer_name().port == listener.get_sock_name().port
        sock.send(b"imported")
        assert conn.recv(100, LONG) == b"imported"


def test_import_inet6_socket_family(io: Any, closing: Callable[[Any], Any]) -> None:
    try:
        std = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        pytest.skip("the platform has no IPv6 sockets")
    with std:
        sock = closing(io.Socket.import_tcp_socket(os.dup(std.fileno())))
        assert sock.family == io.PR_AF_INET6


def test_import_udp_socket_reports_tcp(io: Any, closing: Callable[[Any], Any]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as std:
        sock = closing(io.Socket.import_tcp_socket(os.dup(std.fileno())))
        assert sock.desc_type == io.PR_DESC_SOCKET_TCP
        assert sock.family == io.PR_AF_INET


def test_import_sets_fd_nonblocking(io: Any, closing: Callable[[Any], Any]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as std:
        fd = os.dup(std.fileno())
        assert os.get_blocking(fd) is True
        closing(io.Socket.import_tcp_socket(fd))
        assert os.get_blocking(fd) is False


@pytest.mark.parametrize("fd", [-1, 99999])
def test_import_invalid_fd(io: Any, error: Any, fd: int) -> None:
    code = _nspr_errno(error, io.Socket.import_tcp_socket, fd)
    assert code == error.PR_BAD_DESCRIPTOR_ERROR


def test_import_pipe_fd_raises(io: Any, error: Any) -> None:
    r, w = os.pipe()
    try:
        code = _nspr_errno(error, io.Socket.import_tcp_socket, r)
        assert code in (error.PR_NOT_SOCKET_ERROR, error.PR_BAD_DESCRIPTOR_ERROR)
    finally:
        _close_fd(r)
        _close_fd(w)


def test_import_regular_file_raises(io: Any, error: Any) -> None:
    with tempfile.TemporaryFile() as f:
        fd = os.dup(f.fileno())
        try:
            code = _nspr_errno(error, io.Socket.import_tcp_socket, fd)
        finally:
            _close_fd(fd)
    assert code in (error.PR_NOT_SOCKET_ERROR, error.PR_BAD_DESCRIPTOR_ERROR)


@pytest.mark.difference("import_tcp_socket() leaves a non-socket fd open")
def test_import_pipe_fd_left_open(io: Any, error: Any) -> None:
    r, w = os.pipe()
    try:
        with pytest.raises(error.NSPRError):
            io.Socket.import_tcp_socket(r)
        assert _fd_is_open(r)
        os.write(w, b"x")
        assert os.read(r, 1) == b"x"
    finally:
        _close_fd(r)
        _close_fd(w)


@pytest.mark.difference("import_tcp_socket() leaves a regular file's fd open")
def test_import_regular_file_left_open(io: Any, error: Any) -> None:
    with tempfile.TemporaryFile() as f:
        fd = os.dup(f.fileno())
        try:
            with pytest.raises(error.NSPRError):
                io.Socket.import_tcp_socket(fd)
            assert _fd_is_open(fd)
        finally:
            _close_fd(fd)


@pytest.mark.parametrize("fd", ["3", 3.0, None])
def test_import_fd_not_int(io: Any, fd: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket.import_tcp_socket(fd)


def test_import_missing_fd(io: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket.import_tcp_socket()


# --------------------------------------------------------------------------
# accept_read (§7.9)


def _client(io: Any, closing: Callable[[Any], Any], listener: Any) -> Any:
    client = closing(io.Socket(io.PR_AF_INET))
    client.connect(_loopback(io, listener.get_sock_name().port), LONG)
    return client


def test_accept_read_returns_socket_peer_and_data(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = _client(io, closing, listener)
    client.send(b"hello")
    result = listener.accept_read(64, LONG)
    assert type(result) is tuple and len(result) == 3
    conn, peer, data = result
    closing(conn)
    assert type(conn) is io.Socket
    assert conn.family == io.PR_AF_INET
    assert conn.netaddr is None
    assert isinstance(peer, io.NetworkAddress)
    assert peer.address == "127.0.0.1"
    assert peer.port == client.get_sock_name().port
    assert type(data) is bytes
    assert data == b"hello"


def test_accept_read_at_most_amount(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = _client(io, closing, listener)
    client.send(b"0123456789" * 4)
    conn, _peer, data = listener.accept_read(16, LONG)
    closing(conn)
    assert data == b"0123456789012345"
    assert conn.recv(100, LONG) == b"678901234567890123456789"


@pytest.mark.difference(
    "python-nss reads into the shared empty-bytes object and NSPR writes the "
    "peer address past it: the heap is corrupted",
    crashes=True,
)
def test_accept_read_amount_zero(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = _client(io, closing, listener)
    client.send(b"pending")
    conn, _peer, data = listener.accept_read(0, LONG)
    closing(conn)
    assert data == b""
    assert conn.recv(100, LONG) == b"pending"


def test_accept_read_peer_closed(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = _client(io, closing, listener)
    client.close()
    conn, _peer, data = listener.accept_read(64, LONG)
    closing(conn)
    assert data == b""


def test_accept_read_keywords(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = _client(io, closing, listener)
    client.send(b"kw")
    conn, _peer, data = listener.accept_read(amount=64, timeout=LONG)
    closing(conn)
    assert data == b"kw"


def test_accept_read_family_from_listener(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = _client(io, closing, listener)
    client.send(b"x")
    listener.family = io.PR_AF_INET6
    conn, peer, _data = listener.accept_read(16, LONG)
    closing(conn)
    assert conn.family == io.PR_AF_INET6
    assert peer.family == io.PR_AF_INET


def test_accept_read_read_timeout(
    io: Any, error: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    client = _client(io, closing, listener)
    start = time.monotonic()
    with pytest.raises(error.NSPRError) as info:
        listener.accept_read(16, SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - start < 5
    # The accepted connection was closed: the client sees EOF.
    assert client.recv(10, LONG) == b""


def test_accept_read_missing_amount(io: Any, listener: Any) -> None:
    with pytest.raises(TypeError):
        listener.accept_read()


@pytest.mark.parametrize("amount", ["16", 16.0, None])
def test_accept_read_amount_not_int(io: Any, listener: Any, amount: Any) -> None:
    with pytest.raises(TypeError):
        listener.accept_read(amount, SHORT)


def test_accept_read_timeout_not_int(io: Any, listener: Any) -> None:
    with pytest.raises(TypeError):
        listener.accept_read(16, 1.0)


@pytest.mark.difference("accept_read() with a negative amount raises ValueError")
def test_accept_read_negative_amount(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    _client(io, closing, listener)
    with pytest.raises(ValueError) as info:
        listener.accept_read(-1, SHORT)
    assert str(info.value) == "negative buffersize in accept_read"


@pytest.mark.difference(
    "accept_read() timeout covers the wait for a connection (python-nss hangs)",
    crashes=True,
)
def test_accept_read_timeout_without_connection(
    io: Any, error: Any, listener: Any
) -> None:
    start = time.monotonic()
    with pytest.raises(error.NSPRError) as info:
        listener.accept_read(16, SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert 0.2 <= time.monotonic() - start < 5


@pytest.mark.difference(
    "accept_read() timeout covers connection wait plus first read", crashes=True
)
def test_accept_read_no_wait_without_connection(
    io: Any, error: Any, listener: Any
) -> None:
    start = time.monotonic()
    code = _nspr_errno(error, listener.accept_read, 16, io.PR_INTERVAL_NO_WAIT)
    assert code == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - start < 1


@pytest.mark.difference("accept_read() is safe when repeated", crashes=True)
def test_accept_read_repeated_is_safe(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    # python-nss overflows its buffer here and crashes within ~100 calls.
    for i in range(120):
        client = io.Socket(io.PR_AF_INET)
        try:
            client.connect(_loopback(io, listener.get_sock_name().port), LONG)
            client.send(b"%d" % i)
            conn, _peer, data = listener.accept_read(13, LONG)
            conn.close()
            assert data == b"%d" % i
        finally:
            client.close()


def test_accept_read_not_listening(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    code = _nspr_errno(error, sock.accept_read, 16, SHORT)
    assert code == error.PR_INVALID_ARGUMENT_ERROR


def test_accept_read_refused_in_nonblocking_mode(
    io: Any, error: Any, listener: Any
) -> None:
    listener.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    with pytest.raises(error.NSPRError) as info:
        listener.accept_read(5, SHORT)
    assert info.value.errno == error.PR_INVALID_ARGUMENT_ERROR
