"""Socket: constructor, str()/repr(), attributes, fileno, iteration protocol.

Spec: nss-io.md §7.2 (constructor), §7.3 (attributes), §9.34 (netaddr);
docs/differences.md (context manager).
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable

import pytest
from conftest import LONG, SHORT

DEPRECATION_TEXT = (
    "Socket initialization will require family parameter in future, default "
    "family parameter of PR_AF_INET is deprecated. Suggest using the family "
    "property of the NetworkAddress object associated with the socket, e.g. "
    "Socket(net_addr.family)"
)
TYPE_TEXT = "type must be PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP"


def _loopback(io: Any, port: int = 0, family: Any = None) -> Any:
    if family is None:
        family = io.PR_AF_INET
    return io.NetworkAddress(io.PR_IpAddrLoopback, port, family)


# --------------------------------------------------------------------------
# Constructor


def test_constructor_default_family_emits_deprecation_warning(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    with pytest.warns(DeprecationWarning) as record:
        sock = closing(io.Socket())
    assert any(str(w.message) == DEPRECATION_TEXT for w in record)
    assert sock.family == io.PR_AF_INET
    assert sock.desc_type == io.PR_DESC_SOCKET_TCP


def test_constructor_type_keyword_only_still_warns(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    with pytest.warns(DeprecationWarning, match="require family parameter"):
        sock = closing(io.Socket(type=io.PR_DESC_SOCKET_UDP))
    assert sock.desc_type == io.PR_DESC_SOCKET_UDP
    assert sock.family == io.PR_AF_INET


def test_constructor_with_family_does_not_warn(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        closing(io.Socket(io.PR_AF_INET))
    assert not [w for w in record if issubclass(w.category, DeprecationWarning)]


def test_constructor_tcp_inet(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    assert isinstance(sock, io.Socket)
    assert sock.family == io.PR_AF_INET
    assert sock.desc_type == io.PR_DESC_SOCKET_TCP


def test_constructor_udp_inet(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    assert sock.family == io.PR_AF_INET
    assert sock.desc_type == io.PR_DESC_SOCKET_UDP


def test_constructor_tcp_inet6(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET6))
    assert sock.family == io.PR_AF_INET6
    assert sock.desc_type == io.PR_DESC_SOCKET_TCP


def test_constructor_udp_inet6(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET6, io.PR_DESC_SOCKET_UDP))
    assert sock.family == io.PR_AF_INET6
    assert sock.desc_type == io.PR_DESC_SOCKET_UDP


def test_constructor_keywords(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(family=io.PR_AF_INET, type=io.PR_DESC_SOCKET_UDP))
    assert sock.family == io.PR_AF_INET
    assert sock.desc_type == io.PR_DESC_SOCKET_UDP


def test_constructor_af_local_tcp_works(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_LOCAL))
    assert sock.family == io.PR_AF_LOCAL
    assert sock.desc_type == io.PR_DESC_SOCKET_TCP
    assert str(sock) == "family=PR_AF_LOCAL type=PR_DESC_SOCKET_TCP"


def test_constructor_af_local_udp_works(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_LOCAL, io.PR_DESC_SOCKET_UDP))
    assert sock.family == io.PR_AF_LOCAL
    assert sock.desc_type == io.PR_DESC_SOCKET_UDP
    assert str(sock) == "family=PR_AF_LOCAL type=PR_DESC_SOCKET_UDP"


def test_constructor_bool_family_is_an_int(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(True))
    assert sock.family == io.PR_AF_LOCAL


@pytest.mark.parametrize("family", [0, 99, -1])
def test_constructor_unsupported_family(io: Any, error: Any, family: int) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.Socket(family)
    assert info.value.errno == error.PR_ADDRESS_NOT_SUPPORTED_ERROR
    assert str(info.value) == (
        "(PR_ADDRESS_NOT_SUPPORTED_ERROR) Network address type not supported."
    )


def test_constructor_unsupported_family_udp(io: Any, error: Any) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.Socket(io.PR_AF_UNSPEC, io.PR_DESC_SOCKET_UDP)
    assert info.value.errno == error.PR_ADDRESS_NOT_SUPPORTED_ERROR


def test_constructor_family_truncated_to_c_int(io: Any, error: Any) -> None:
    # 2**40 is cut to a C int (0): an unsupported family.
    with pytest.raises(error.NSPRError) as info:
        io.Socket(2**40)
    assert info.value.errno == error.PR_ADDRESS_NOT_SUPPORTED_ERROR


@pytest.mark.parametrize("family", ["2", None, 2.0, b"2"])
def test_constructor_family_not_int_raises_typeerror(io: Any, family: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket(family)


@pytest.mark.parametrize("sock_type", [0, 1, 4, 5, -1, 99])
def test_constructor_bad_type_raises_valueerror(io: Any, sock_type: int) -> None:
    with pytest.raises(ValueError) as info:
        io.Socket(io.PR_AF_INET, sock_type)
    assert str(info.value) == TYPE_TEXT


@pytest.mark.parametrize("sock_type", ["tcp", None, 2.0])
def test_constructor_type_not_int_raises_typeerror(io: Any, sock_type: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket(io.PR_AF_INET, sock_type)


def test_constructor_too_many_arguments(io: Any) -> None:
    with pytest.raises(TypeError):
        io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_TCP, 0)


def test_reinit_live_socket_opens_a_new_one(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.__init__(io.PR_AF_INET6, io.PR_DESC_SOCKET_UDP)
    assert sock.family == io.PR_AF_INET6
    assert sock.desc_type == io.PR_DESC_SOCKET_UDP
    assert str(sock) == "family=PR_AF_INET6 type=PR_DESC_SOCKET_UDP"


def test_socket_is_subclassable(io: Any, closing: Callable[[Any], Any]) -> None:
    class MySocket(io.Socket):  # type: ignore[misc]
        pass

    sock = closing(MySocket(io.PR_AF_INET))
    assert isinstance(sock, io.Socket)
    assert type(sock) is MySocket
    assert str(sock) == "family=PR_AF_INET type=PR_DESC_SOCKET_TCP"


# --------------------------------------------------------------------------
# str() / repr()


@pytest.mark.parametrize(
    "family_name, type_name",
    [
        ("PR_AF_INET", "PR_DESC_SOCKET_TCP"),
        ("PR_AF_INET", "PR_DESC_SOCKET_UDP"),
        ("PR_AF_INET6", "PR_DESC_SOCKET_TCP"),
        ("PR_AF_INET6", "PR_DESC_SOCKET_UDP"),
    ],
)
def test_str_format(
    io: Any, closing: Callable[[Any], Any], family_name: str, type_name: str
) -> None:
    sock = closing(io.Socket(getattr(io, family_name), getattr(io, type_name)))
    assert str(sock) == "family=%s type=%s" % (family_name, type_name)


def test_str_uses_family_attribute(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.family = 99
    assert str(sock) == "family=unknown(0x63) type=PR_DESC_SOCKET_TCP"


def test_format_and_percent_equal_str(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    assert "%s" % sock == str(sock)
    assert format(sock) == str(sock)


@pytest.mark.difference("repr() shows the state, family and type")
def test_repr_shows_state_family_and_type(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    assert repr(sock) == "<Socket open family=PR_AF_INET type=PR_DESC_SOCKET_TCP>"


def test_repr_is_a_str(io: Any, closing: Callable[[Any], Any]) -> None:
    text = repr(closing(io.Socket(io.PR_AF_INET)))
    assert isinstance(text, str) and text.startswith("<") and text.endswith(">")


def test_equality_and_hash_are_identity(io: Any, closing: Callable[[Any], Any]) -> None:
    a = closing(io.Socket(io.PR_AF_INET))
    b = closing(io.Socket(io.PR_AF_INET))
    assert a == a
    assert a != b
    assert hash(a) == hash(a)
    assert len({a, b}) == 2


# --------------------------------------------------------------------------
# family


def test_family_is_writable(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.family = io.PR_AF_INET6
    assert sock.family == io.PR_AF_INET6
    assert type(sock.family) is int
    # The real descriptor is unchanged.
    assert sock.desc_type == io.PR_DESC_SOCKET_TCP


def test_family_accepts_bool(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.family = True
    assert sock.family == 1


@pytest.mark.parametrize("value", ["x", None, 2.0])
def test_family_set_non_int_raises_typeerror(
    io: Any, closing: Callable[[Any], Any], value: Any
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(TypeError):
        sock.family = value
    assert sock.family == io.PR_AF_INET


def test_family_delete_raises_typeerror(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(TypeError):
        del sock.family
    assert sock.family == io.PR_AF_INET


def test_family_assignment_bypasses_family_check(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.family = io.PR_AF_INET6
    with pytest.raises(error.NSPRError) as info:
        sock.bind(_loopback(io, 0, io.PR_AF_INET6))
    assert info.value.errno == error.PR_ADDRESS_NOT_SUPPORTED_ERROR


def test_family_assignment_drives_family_check(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.family = io.PR_AF_INET6
    with pytest.raises(ValueError) as info:
        sock.bind(_loopback(io))
    assert str(info.value) == (
        "Socket family (PR_AF_INET6) does not match NetworkAddress family (PR_AF_INET)"
    )


# --------------------------------------------------------------------------
# desc_type


def test_desc_type_is_read_only(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(AttributeError):
        sock.desc_type = io.PR_DESC_SOCKET_UDP
    assert sock.desc_type == io.PR_DESC_SOCKET_TCP


def test_desc_type_is_int(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    assert type(sock.desc_type) is int
    assert sock.desc_type == 3


# --------------------------------------------------------------------------
# netaddr (§7.3, §9.34)


def test_netaddr_initially_none(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    assert sock.netaddr is None


def test_netaddr_is_read_only(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(AttributeError):
        sock.netaddr = _loopback(io)
    assert sock.netaddr is None


def test_netaddr_is_the_object_passed_to_bind(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    addr = _loopback(io)
    sock.bind(addr)
    assert sock.netaddr is addr
    # The bound port is not written back into the caller's object.
    assert addr.port == 0
    assert sock.get_sock_name().port != 0


def test_netaddr_set_even_when_bind_fails(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    sock.bind(_loopback(io))
    second = _loopback(io)
    with pytest.raises(error.NSPRError):
        sock.bind(second)
    assert sock.netaddr is second


def test_netaddr_not_set_on_family_mismatch(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(ValueError):
        sock.bind(_loopback(io, 0, io.PR_AF_INET6))
    assert sock.netaddr is None


def test_netaddr_is_the_object_passed_to_connect(
    io: Any, listener: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    dst = _loopback(io, listener.get_sock_name().port)
    sock.connect(dst, LONG)
    assert sock.netaddr is dst


def test_netaddr_set_even_when_connect_fails(
    io: Any, error: Any, closing: Callable[[Any], Any]
) -> None:
    # A port nobody listens on: bind one and leave it unlistened.
    holder = closing(io.Socket(io.PR_AF_INET))
    holder.bind(_loopback(io))
    dst = _loopback(io, holder.get_sock_name().port)
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(error.NSPRError):
        sock.connect(dst, LONG)
    assert sock.netaddr is dst


def test_netaddr_is_destination_of_send_to(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    rx = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    rx.bind(_loopback(io))
    tx = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    dst = rx.get_sock_name()
    tx.send_to(b"x", dst)
    assert tx.netaddr is dst


def test_netaddr_is_sender_filled_by_recv_from(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    rx = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    bound = _loopback(io)
    rx.bind(bound)
    tx = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP))
    tx.send_to(b"x", rx.get_sock_name())
    sender = io.NetworkAddress()
    assert rx.recv_from(10, sender, LONG) == b"x"
    assert rx.netaddr is sender
    assert sender.port == tx.get_sock_name().port


def test_netaddr_of_accepted_socket_is_none(io: Any, tcp_pair: Any) -> None:
    _client, server = tcp_pair
    assert server.netaddr is None


def test_netaddr_of_pair_is_none(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    assert a.netaddr is None
    assert b.netaddr is None


def test_netaddr_survives_close(io: Any) -> None:
    sock = io.Socket(io.PR_AF_INET)
    addr = _loopback(io)
    sock.bind(addr)
    sock.close()
    assert sock.netaddr is addr


# --------------------------------------------------------------------------
# fileno


def test_fileno_is_an_os_fd(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    fd = sock.fileno()
    assert type(fd) is int
    assert fd >= 0
    assert sock.fileno() == fd
    os.fstat(fd)


def test_fileno_distinct_per_socket(io: Any, closing: Callable[[Any], Any]) -> None:
    a = closing(io.Socket(io.PR_AF_INET))
    b = closing(io.Socket(io.PR_AF_INET))
    assert a.fileno() != b.fileno()


def test_fd_is_nonblocking_at_os_level(io: Any, closing: Callable[[Any], Any]) -> None:
    # NSPR puts every socket in O_NONBLOCK and emulates blocking with poll().
    sock = closing(io.Socket(io.PR_AF_INET))
    assert os.get_blocking(sock.fileno()) is False
    assert sock.get_socket_option(io.PR_SockOpt_Nonblocking) is False


def test_fileno_takes_no_arguments(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(TypeError):
        sock.fileno(1)


# --------------------------------------------------------------------------
# Iteration protocol, context manager


def test_iter_returns_the_socket_itself(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    assert iter(sock) is sock


def test_next_reads_a_line(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"one\ntwo")
    assert next(b) == b"one\n"


@pytest.mark.difference("Socket is a context manager")
def test_context_manager_returns_socket(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with sock as entered:
        assert entered is sock
        assert sock.fileno() >= 0


@pytest.mark.difference("Socket is a context manager that closes on exit")
def test_context_manager_closes_on_exit(io: Any, closing: Callable[[Any], Any]) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with sock:
        pass
    with pytest.raises(ValueError, match="I/O operation on closed socket"):
        sock.recv(1, SHORT)


@pytest.mark.difference("Socket is a context manager that closes on exception")
def test_context_manager_closes_on_exception(
    io: Any, closing: Callable[[Any], Any]
) -> None:
    sock = closing(io.Socket(io.PR_AF_INET))
    with pytest.raises(KeyError):
        with sock:
            raise KeyError("boom")
    with pytest.raises(ValueError, match="I/O operation on closed socket"):
        sock.recv(1, SHORT)
