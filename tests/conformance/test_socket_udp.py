"""UDP sockets over loopback: send_to, recv_from, connected UDP.

Spec: nss-io.md §7.1, §7.3 (netaddr), §7.4 (recv_from, send_to), §7.5, §9.34;
docs/differences.md (negative recv_from amount).
"""

from __future__ import annotations

import socket
import time
from typing import Any, Callable, Tuple

import pytest
from conftest import LONG, SHORT

MISMATCH = "Socket family (%s) does not match NetworkAddress family (%s)"


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
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


def _udp(io: Any, closing: Callable[[Any], Any], family: Any = None) -> Any:
    if family is None:
        family = io.PR_AF_INET
    return closing(io.Socket(family, io.PR_DESC_SOCKET_UDP))


@pytest.fixture
def udp_pair(io: Any, closing: Callable[[Any], Any]) -> Tuple[Any, Any]:
    """``(sender, receiver)``: the receiver is bound to 127.0.0.1."""
    rx = _udp(io, closing)
    rx.bind(_loopback(io))
    tx = _udp(io, closing)
    return tx, rx


def _nspr_errno(error: Any, func: Callable[..., Any], *args: Any) -> int:
    with pytest.raises(error.NSPRError) as info:
        func(*args)
    code: int = info.value.errno
    return code


# --------------------------------------------------------------------------
# send_to / recv_from


def test_send_to_returns_count(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    assert tx.send_to(b"hello", rx.get_sock_name(), LONG) == 5


def test_recv_from_returns_datagram(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.send_to(b"hello", rx.get_sock_name())
    data = rx.recv_from(100, io.NetworkAddress(), LONG)
    assert type(data) is bytes
    assert data == b"hello"


def test_recv_from_fills_addr_with_sender(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.send_to(b"who", rx.get_sock_name())
    sender = io.NetworkAddress()
    assert rx.recv_from(100, sender, LONG) == b"who"
    assert sender.family == io.PR_AF_INET
    assert sender.address == "127.0.0.1"
    assert sender.port == tx.get_sock_name().port


def test_recv_from_overwrites_previous_addr_content(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.send_to(b"x", rx.get_sock_name())
    sender = io.NetworkAddress(io.PR_IpAddrAny, 4242)
    rx.recv_from(100, sender, LONG)
    assert sender.address == "127.0.0.1"
    assert sender.port == tx.get_sock_name().port


def test_send_to_binds_implicitly(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    assert tx.get_sock_name().port == 0
    tx.send_to(b"x", rx.get_sock_name())
    assert tx.get_sock_name().port != 0


def test_reply_to_filled_sender_addr(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.send_to(b"ping", rx.get_sock_name())
    sender = io.NetworkAddress()
    assert rx.recv_from(100, sender, LONG) == b"ping"
    rx.send_to(b"pong", sender)
    back = io.NetworkAddress()
    assert tx.recv_from(100, back, LONG) == b"pong"
    assert back.port == rx.get_sock_name().port


def test_datagram_boundaries_are_kept(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    dst = rx.get_sock_name()
    for payload in (b"one", b"two", b"three"):
        tx.send_to(payload, dst)
    sender = io.NetworkAddress()
    got = [rx.recv_from(100, sender, LONG) for _ in range(3)]
    assert got == [b"one", b"two", b"three"]


def test_recv_from_truncates_and_drops_rest(io: Any, error: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.send_to(b"abcdefgh", rx.get_sock_name())
    sender = io.NetworkAddress()
    assert rx.recv_from(3, sender, LONG) == b"abc"
    code = _nspr_errno(error, rx.recv_from, 100, sender, SHORT)
    assert code == error.PR_IO_TIMEOUT_ERROR


def test_send_to_empty_datagram(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    assert tx.send_to(b"", rx.get_sock_name()) == 0
    assert rx.recv_from(10, io.NetworkAddress(), LONG) == b""


def test_send_to_too_big(io: Any, error: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    with pytest.raises(error.NSPRError) as info:
        tx.send_to(b"x" * 70000, rx.get_sock_name())
    assert info.value.errno == error.PR_INVALID_ARGUMENT_ERROR
    assert str(info.value) == "(PR_INVALID_ARGUMENT_ERROR) Invalid function argument."


def test_send_to_large_datagram_fits(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    data = bytes(range(256)) * 100  # 25 600 bytes
    assert tx.send_to(data, rx.get_sock_name()) == len(data)
    assert rx.recv_from(65536, io.NetworkAddress(), LONG) == data


def test_recv_from_timeout(io: Any, error: Any, udp_pair: Any) -> None:
    _tx, rx = udp_pair
    start = time.monotonic()
    with pytest.raises(error.NSPRError) as info:
        rx.recv_from(10, io.NetworkAddress(), SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert str(info.value) == "(PR_IO_TIMEOUT_ERROR) I/O operation timed out."
    assert 0.2 <= time.monotonic() - start < 5


def test_recv_from_no_wait(io: Any, error: Any, udp_pair: Any) -> None:
    _tx, rx = udp_pair
    start = time.monotonic()
    code = _nspr_errno(
        error, rx.recv_from, 10, io.NetworkAddress(), io.PR_INTERVAL_NO_WAIT
    )
    assert code == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - start < 0.2


def test_recv_from_zero_amount_without_data_times_out(
    io: Any, error: Any, udp_pair: Any
) -> None:
    _tx, rx = udp_pair
    code = _nspr_errno(error, rx.recv_from, 0, io.NetworkAddress(), SHORT)
    assert code == error.PR_IO_TIMEOUT_ERROR


def test_recv_from_keywords(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    assert tx.send_to(buf=b"kw", addr=rx.get_sock_name(), timeout=LONG) == 2
    sender = io.NetworkAddress()
    assert rx.recv_from(amount=10, addr=sender, timeout=LONG) == b"kw"


@pytest.mark.difference("recv_from() with a negative amount raises ValueError")
def test_recv_from_negative_amount(io: Any, udp_pair: Any) -> None:
    _tx, rx = udp_pair
    with pytest.raises(ValueError) as info:
        rx.recv_from(-1, io.NetworkAddress(), SHORT)
    assert str(info.value) == "negative buffersize in recv_from"


@pytest.mark.parametrize("timeout", [1.0, "10"])
def test_recv_from_timeout_not_int(io: Any, udp_pair: Any, timeout: Any) -> None:
    _tx, rx = udp_pair
    with pytest.raises(TypeError):
        rx.recv_from(10, io.NetworkAddress(), timeout)


@pytest.mark.parametrize("amount", [1.0, "10", None])
def test_recv_from_amount_not_int(io: Any, udp_pair: Any, amount: Any) -> None:
    _tx, rx = udp_pair
    with pytest.raises(TypeError):
        rx.recv_from(amount, io.NetworkAddress(), SHORT)


@pytest.mark.parametrize("addr", ["127.0.0.1", None, ("127.0.0.1", 9)])
def test_recv_from_addr_not_networkaddress(io: Any, udp_pair: Any, addr: Any) -> None:
    _tx, rx = udp_pair
    with pytest.raises(TypeError):
        rx.recv_from(10, addr, SHORT)


@pytest.mark.parametrize(
    "buf", ["text", bytearray(b"x"), memoryview(b"x"), None], ids=repr
)
def test_send_to_non_bytes(io: Any, udp_pair: Any, buf: Any) -> None:
    tx, rx = udp_pair
    with pytest.raises(TypeError):
        tx.send_to(buf, rx.get_sock_name())


@pytest.mark.parametrize("addr", ["127.0.0.1", None, ("127.0.0.1", 9)])
def test_send_to_addr_not_networkaddress(io: Any, udp_pair: Any, addr: Any) -> None:
    tx, _rx = udp_pair
    with pytest.raises(TypeError):
        tx.send_to(b"x", addr)


def test_send_to_family_mismatch(io: Any, udp_pair: Any) -> None:
    tx, _rx = udp_pair
    with pytest.raises(ValueError) as info:
        tx.send_to(b"x", _loopback(io, 9, io.PR_AF_INET6))
    assert str(info.value) == MISMATCH % ("PR_AF_INET", "PR_AF_INET6")
    assert tx.netaddr is None


def test_recv_from_family_mismatch(io: Any, udp_pair: Any) -> None:
    _tx, rx = udp_pair
    with pytest.raises(ValueError) as info:
        rx.recv_from(10, _loopback(io, 0, io.PR_AF_INET6), SHORT)
    assert str(info.value) == MISMATCH % ("PR_AF_INET", "PR_AF_INET6")


def test_send_to_family_mismatch_inet6_socket(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = _udp(io, closing, io.PR_AF_INET6)
    with pytest.raises(ValueError) as info:
        sock.send_to(b"x", _loopback(io, 9))
    assert str(info.value) == MISMATCH % ("PR_AF_INET6", "PR_AF_INET")


@needs_ipv6
def test_inet6_send_to_recv_from(io: Any, closing: Callable[[Any], Any]) -> None:
    rx = _udp(io, closing, io.PR_AF_INET6)
    rx.bind(_loopback(io, 0, io.PR_AF_INET6))
    tx = _udp(io, closing, io.PR_AF_INET6)
    assert tx.send_to(b"six", rx.get_sock_name()) == 3
    sender = io.NetworkAddress(io.PR_IpAddrAny, 0, io.PR_AF_INET6)
    assert rx.recv_from(10, sender, LONG) == b"six"
    assert sender.family == io.PR_AF_INET6
    assert sender.address == "::1"
    assert sender.port == tx.get_sock_name().port


def test_udp_get_sock_name_after_bind(io: Any, udp_pair: Any) -> None:
    _tx, rx = udp_pair
    name = rx.get_sock_name()
    assert name.family == io.PR_AF_INET
    assert name.address == "127.0.0.1"
    assert name.port != 0


def test_udp_bind_address_in_use(
    io: Any, error: Any, udp_pair: Any, closing: Callable[[Any], Any]
) -> None:
    _tx, rx = udp_pair
    other = _udp(io, closing)
    code = _nspr_errno(error, other.bind, rx.get_sock_name())
    assert code == error.PR_ADDRESS_IN_USE_ERROR


# --------------------------------------------------------------------------
# connect() on UDP


def test_udp_connect_sets_default_peer(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    dst = rx.get_sock_name()
    assert tx.connect(dst) is None
    assert tx.netaddr is dst
    peer = tx.get_peer_name()
    assert peer.port == dst.port
    assert peer.address == "127.0.0.1"


def test_udp_connected_send_and_recv(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.connect(rx.get_sock_name())
    assert tx.send(b"conn", LONG) == 4
    sender = io.NetworkAddress()
    assert rx.recv_from(100, sender, LONG) == b"conn"
    rx.send_to(b"back", sender)
    assert tx.recv(100, LONG) == b"back"


def test_udp_connected_recv_truncates(io: Any, error: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.connect(rx.get_sock_name())
    tx.send(b"x")
    sender = io.NetworkAddress()
    rx.recv_from(10, sender, LONG)
    rx.send_to(b"12345", sender)
    assert tx.recv(2, LONG) == b"12"
    assert _nspr_errno(error, tx.recv, 10, SHORT) == error.PR_IO_TIMEOUT_ERROR


def test_udp_connected_to_closed_port_refused(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    # Find a free UDP port, then release it.
    holder = _udp(io, closing)
    holder.bind(_loopback(io))
    port = holder.get_sock_name().port
    holder.close()
    sock = _udp(io, closing)
    sock.connect(_loopback(io, port))
    assert sock.send(b"x") == 1
    code = _nspr_errno(error, sock.recv, 10, LONG)
    assert code == error.PR_CONNECT_REFUSED_ERROR


def test_udp_recv_timeout(io: Any, error: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.connect(rx.get_sock_name())
    assert _nspr_errno(error, tx.recv, 10, SHORT) == error.PR_IO_TIMEOUT_ERROR


def test_udp_get_peer_name_not_connected(io: Any, error: Any, udp_pair: Any) -> None:
    _tx, rx = udp_pair
    assert _nspr_errno(error, rx.get_peer_name) == error.PR_NOT_CONNECTED_ERROR


def test_udp_send_empty(io: Any, udp_pair: Any) -> None:
    tx, rx = udp_pair
    tx.connect(rx.get_sock_name())
    assert tx.send(b"") == 0
    assert rx.recv_from(10, io.NetworkAddress(), LONG) == b""


def test_udp_connect_family_mismatch(io: Any, udp_pair: Any) -> None:
    tx, _rx = udp_pair
    with pytest.raises(ValueError) as info:
        tx.connect(_loopback(io, 9, io.PR_AF_INET6))
    assert str(info.value) == MISMATCH % ("PR_AF_INET", "PR_AF_INET6")
