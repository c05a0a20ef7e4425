"""An object of one backend handed to another: ValueError naming both, never a
crash, and the receiving object is left as it was.

Pairs: two instances of the nspr backend on the same file (separate NSPR
state, so just as foreign to each other), and nspr with stdlib both ways.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

import pytest

from nspr_ctypes import io
from nspr_ctypes.backends import Backend

TIMEOUT = 10_000  # ticks
SHORT = 300

PAIRS = [("nspr", "nspr"), ("nspr", "stdlib"), ("stdlib", "nspr")]
REMAKE = "NetworkAddress(addr.address, addr.port, addr.family, backend=...)"


@pytest.fixture(
    params=PAIRS, ids=["nspr-vs-other-nspr", "nspr-vs-stdlib", "stdlib-vs-nspr"]
)
def two(
    request: pytest.FixtureRequest, loaded: Callable[..., Backend]
) -> Tuple[Backend, Backend]:
    """(mine, theirs): two independent backend instances."""
    mine_name, theirs_name = request.param
    mine, theirs = loaded(mine_name), loaded(theirs_name)
    assert mine is not theirs
    return mine, theirs


@pytest.fixture
def closing() -> Any:
    sockets: List[Any] = []

    def register(sock: Any) -> Any:
        sockets.append(sock)
        return sock

    yield register
    for sock in sockets:
        sock.close()


def assert_names_both(
    message: str, owner: Backend, other: Backend, address: bool = True
) -> None:
    assert "belongs to backend" in message
    assert "cannot be used with another" in message
    for backend in (owner, other):
        assert backend.describe() in message
    if owner.describe() == other.describe():
        assert "another instance" in message
    if address:
        assert REMAKE in message


def loopback(backend: Backend, port: int = 0) -> Any:
    return io.NetworkAddress(io.PR_IpAddrLoopback, port, backend=backend)


def udp(backend: Backend, closing: Any) -> Any:
    sock = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=backend))
    sock.bind(loopback(backend))
    return sock


# name -> call(socket of mine, address of theirs, mine, theirs)
ADDRESS_CALLS: Dict[str, Callable[[Any, Any, Backend, Backend], Any]] = {
    "bind": lambda s, a, m, t: s.bind(a),
    "connect": lambda s, a, m, t: s.connect(a, SHORT),
    "send_to": lambda s, a, m, t: s.send_to(b"x", a, SHORT),
    "recv_from": lambda s, a, m, t: s.recv_from(10, a, SHORT),
    "McastInterface": lambda s, a, m, t: s.set_socket_option(
        io.PR_SockOpt_McastInterface, a
    ),
    "AddMember group": lambda s, a, m, t: s.set_socket_option(
        io.PR_SockOpt_AddMember, a, loopback(m)
    ),
    "AddMember interface": lambda s, a, m, t: s.set_socket_option(
        io.PR_SockOpt_AddMember, loopback(m), a
    ),
    "DropMember group": lambda s, a, m, t: s.set_socket_option(
        io.PR_SockOpt_DropMember, a, loopback(m)
    ),
}


@pytest.mark.parametrize("call", sorted(ADDRESS_CALLS))
def test_socket_refuses_an_address_of_another_backend(
    two: Tuple[Backend, Backend], call: str, closing: Any
) -> None:
    mine, theirs = two
    if call == "bind":
        sock = closing(io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=mine))
    else:
        sock = udp(mine, closing)
    before = sock.netaddr
    foreign = loopback(theirs, udp(theirs, closing).get_sock_name().port)
    with pytest.raises(ValueError) as info:
        ADDRESS_CALLS[call](sock, foreign, mine, theirs)
    assert_names_both(str(info.value), theirs, mine)
    assert "Socket." in str(info.value) or "set_socket_option" in str(info.value)
    # Nothing was recorded, and the socket still works with its own addresses.
    assert sock.netaddr is before
    if call == "bind":
        sock.bind(loopback(mine))
    target = sock.get_sock_name()
    assert sock.send_to(b"ok", target, TIMEOUT) == 2
    sender = io.NetworkAddress(backend=mine)
    assert sock.recv_from(10, sender, TIMEOUT) == b"ok"
    assert sender == target


def test_tcp_connect_refuses_an_address_of_another_backend(
    two: Tuple[Backend, Backend], closing: Any
) -> None:
    mine, theirs = two
    listener = closing(io.Socket(io.PR_AF_INET, backend=theirs))
    listener.bind(loopback(theirs))
    listener.listen()
    client = closing(io.Socket(io.PR_AF_INET, backend=mine))
    with pytest.raises(ValueError) as info:
        client.connect(listener.get_sock_name(), TIMEOUT)
    assert_names_both(str(info.value), theirs, mine)
    assert "Socket.connect()" in str(info.value)
    # The same port, addressed on the client's own backend, connects.
    client.connect(loopback(mine, listener.get_sock_name().port), TIMEOUT)
    conn, _peer = listener.accept(TIMEOUT)
    closing(conn)
    client.sendall(b"hello", TIMEOUT)
    assert conn.recv(5, TIMEOUT) == b"hello"


def test_poll_refuses_sockets_of_two_backends(
    two: Tuple[Backend, Backend], closing: Any
) -> None:
    mine, theirs = two
    a = udp(mine, closing)
    b = udp(theirs, closing)
    with pytest.raises(ValueError) as info:
        io.Socket.poll([(a, io.PR_POLL_READ), (b, io.PR_POLL_READ)], 0)
    message = str(info.value)
    assert_names_both(message, theirs, mine, address=False)
    assert "poll_descs[1]" in message and "poll_descs[0]" in message
    with pytest.raises(ValueError) as info:
        io.Socket.poll([(a, io.PR_POLL_READ)], 0, backend=theirs)
    assert_names_both(str(info.value), mine, theirs, address=False)
    assert "backend= argument" in str(info.value)
    # Each on its own polls fine.
    assert io.Socket.poll([(a, io.PR_POLL_WRITE)], TIMEOUT) == (io.PR_POLL_WRITE,)
    assert io.Socket.poll([(b, io.PR_POLL_WRITE)], TIMEOUT, backend=theirs) == (
        io.PR_POLL_WRITE,
    )


def test_host_entry_refuses_an_address_of_another_backend(
    two: Tuple[Backend, Backend],
) -> None:
    mine, theirs = two
    with pytest.raises(ValueError) as info:
        io.HostEntry(loopback(theirs), backend=mine)
    assert_names_both(str(info.value), theirs, mine)
    assert "HostEntry()" in str(info.value)


def test_a_closed_socket_reports_being_closed_first(
    two: Tuple[Backend, Backend],
) -> None:
    mine, theirs = two
    sock = io.Socket(io.PR_AF_INET, backend=mine)
    sock.close()
    with pytest.raises(ValueError, match="closed"):
        sock.connect(loopback(theirs, 9), SHORT)


def test_an_address_keeps_its_backend_when_the_default_changes(
    loaded: Callable[..., Backend], closing: Any
) -> None:
    import nspr_ctypes

    first, second = loaded("nspr"), loaded("nspr")
    previous = nspr_ctypes.get_backend()
    try:
        nspr_ctypes.use_backend(first)
        addr = io.NetworkAddress(io.PR_IpAddrLoopback, 0)
        nspr_ctypes.use_backend(second)
        sock = closing(io.Socket(io.PR_AF_INET))  # on the new default
        with pytest.raises(ValueError) as info:
            sock.bind(addr)
        assert_names_both(str(info.value), first, second)
        closing(io.Socket(io.PR_AF_INET, backend=first)).bind(addr)
    finally:
        nspr_ctypes.use_backend(previous)
