"""Every public entry point that may use a backend takes ``backend=``, and what
it makes belongs to that instance, not to the default.

The default backend is replaced by one whose every primitive fails the test,
so a call that silently falls back to the default cannot pass; the given
instance is a fresh ``load_backend()`` of each built-in.
"""

from __future__ import annotations

import inspect
import socket
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import nspr_ctypes
from nspr_ctypes import error, io
from nspr_ctypes.backends import Backend

TIMEOUT = 10_000  # ticks: generous, for waits that must succeed


class DefaultUsed(AssertionError):
    """The default backend was used where ``backend=`` was given."""


def _poisoned_backend() -> Backend:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DefaultUsed("the default backend was used")

    namespace: Dict[str, Any] = {name: refuse for name in Backend.__abstractmethods__}
    namespace["name"] = "poisoned"
    cls = type("PoisonedBackend", (Backend,), namespace)
    backend: Backend = cls()
    return backend


@pytest.fixture
def poisoned_default() -> Iterator[Backend]:
    """Make a backend that fails on any use the default, for the test."""
    previous = nspr_ctypes.get_backend()
    poisoned = nspr_ctypes.use_backend(_poisoned_backend())
    try:
        yield poisoned
    finally:
        nspr_ctypes.use_backend(previous)


@pytest.fixture(params=["nspr", "stdlib"])
def other(
    request: pytest.FixtureRequest,
    loaded: Callable[..., Backend],
    poisoned_default: Backend,
) -> Backend:
    """A fresh instance of a built-in backend; the default is poisoned."""
    name: str = request.param
    backend = loaded(name)
    assert backend is not nspr_ctypes.get_backend()
    return backend


def owner(obj: Any) -> Backend:
    """The backend an object of the public API belongs to."""
    if isinstance(obj, io.Socket):
        channel = obj._ch
        assert channel is not None
        return channel.backend
    assert isinstance(obj, io.NetworkAddress)
    backend = obj._backend
    assert backend is not None
    return backend


def calls_of(backend: Backend, method: str, counter: List[str]) -> None:
    """Count the calls of ``backend.method`` in ``counter``."""
    original = getattr(backend, method)

    def spy(*args: Any, **kwargs: Any) -> Any:
        counter.append(method)
        return original(*args, **kwargs)

    setattr(backend, method, spy)
    if method == "ticks_per_second":
        # With 1000 ticks per second io converts intervals without asking;
        # the backend now answers through the spy, so io must ask it.
        backend._millisecond_ticks = False


# -- constructors and static methods ---------------------------------------------


def _sockets(backend: Backend) -> List[Any]:
    made = [
        io.Socket(io.PR_AF_INET, backend=backend),
        io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=backend),
        io.Socket(io.PR_AF_INET6, backend=backend),
        io.Socket(io.PR_AF_LOCAL, backend=backend),
    ]
    made += io.Socket.new_tcp_pair(backend=backend)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    made.append(io.Socket.import_tcp_socket(raw.detach(), backend=backend))
    return made


def _addresses(backend: Backend) -> List[Any]:
    made = [
        io.NetworkAddress(backend=backend),
        io.NetworkAddress(io.PR_IpAddrLoopback, 7, backend=backend),
        io.NetworkAddress(io.PR_IpAddrAny, 7, io.PR_AF_INET6, backend=backend),
        io.NetworkAddress("127.0.0.1", 7, backend=backend),
    ]
    reset = io.NetworkAddress(io.PR_IpAddrLoopback, backend=backend)
    reset.set_from_string("127.0.0.1")
    made.append(reset)
    return made


def _lookups(backend: Backend) -> List[Any]:
    made: List[Any] = list(io.AddrInfo("localhost", backend=backend))
    made += list(io.HostEntry("localhost", backend=backend))
    entry = io.HostEntry("localhost", backend=backend)
    made.append(entry.get_network_address(80))
    made += list(entry.get_network_addresses(80) or ())
    return made


def _derived(backend: Backend) -> List[Any]:
    """Objects made by methods of objects of ``backend``."""
    made: List[Any] = []
    with io.Socket(io.PR_AF_INET, backend=backend) as listener:
        listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=backend))
        listener.listen()
        address = listener.get_sock_name()
        made.append(address)
        with io.Socket(io.PR_AF_INET, backend=backend) as client:
            client.connect(address, TIMEOUT)
            made.append(client.get_peer_name())
            conn, peer = listener.accept(TIMEOUT)
            made += [conn, peer]
            conn.close()
            with io.Socket(io.PR_AF_INET, backend=backend) as second:
                second.connect(address, TIMEOUT)
                second.send(b"y")
                accepted, peer2, data = listener.accept_read(1, TIMEOUT)
                made += [accepted, peer2]
                assert data == b"y"
                accepted.close()
    with io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=backend) as udp:
        udp.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=backend))
        udp.send_to(b"z", udp.get_sock_name(), TIMEOUT)
        sender = io.NetworkAddress(backend=backend)
        assert udp.recv_from(10, sender, TIMEOUT) == b"z"
        made.append(sender)
        made.append(udp.get_socket_option(io.PR_SockOpt_McastInterface))
    try:
        entry = io.NetworkAddress(io.PR_IpAddrLoopback, backend=backend).hostentry
    except error.NSPRError:  # no reverse entry for 127.0.0.1 on this machine
        return made
    made += list(entry)
    return made


MAKERS: Dict[str, Callable[[Backend], List[Any]]] = {
    "Socket, new_tcp_pair, import_tcp_socket": _sockets,
    "NetworkAddress, set_from_string": _addresses,
    "AddrInfo, HostEntry": _lookups,
    "accept, accept_read, names, recv_from, options, hostentry": _derived,
}


@pytest.mark.parametrize("maker", sorted(MAKERS))
def test_objects_belong_to_the_given_backend(other: Backend, maker: str) -> None:
    made = MAKERS[maker](other)
    try:
        assert made
        for obj in made:
            assert owner(obj) is other, obj
    finally:
        for obj in made:
            if isinstance(obj, io.Socket):
                obj.close()


# -- functions: the given backend does the work ------------------------------------

# name -> (call with backend=, the backend method it must use)
FUNCTIONS: Dict[str, Tuple[Callable[[Backend], Any], str]] = {
    "ticks_per_second": (
        lambda b: io.ticks_per_second(backend=b),
        "ticks_per_second",
    ),
    "interval_now": (lambda b: io.interval_now(backend=b), "interval_now"),
    "seconds_to_interval": (
        lambda b: io.seconds_to_interval(2, backend=b),
        "ticks_per_second",
    ),
    "milliseconds_to_interval": (
        lambda b: io.milliseconds_to_interval(2, backend=b),
        "ticks_per_second",
    ),
    "microseconds_to_interval": (
        lambda b: io.microseconds_to_interval(2, backend=b),
        "ticks_per_second",
    ),
    "interval_to_seconds": (
        lambda b: io.interval_to_seconds(2000, backend=b),
        "ticks_per_second",
    ),
    "interval_to_milliseconds": (
        lambda b: io.interval_to_milliseconds(2000, backend=b),
        "ticks_per_second",
    ),
    "interval_to_microseconds": (
        lambda b: io.interval_to_microseconds(2000, backend=b),
        "ticks_per_second",
    ),
    "get_proto_by_name": (
        lambda b: io.get_proto_by_name("tcp", backend=b),
        "get_proto_by_name",
    ),
    "get_proto_by_number": (
        lambda b: io.get_proto_by_number(6, backend=b),
        "get_proto_by_number",
    ),
    "Socket.poll": (lambda b: io.Socket.poll([], 0, backend=b), "poll_set"),
    "NetworkAddress(str)": (
        lambda b: io.NetworkAddress("127.0.0.1", backend=b),
        "get_addr_info",
    ),
    "AddrInfo": (lambda b: io.AddrInfo("localhost", backend=b), "get_addr_info"),
    "HostEntry(str)": (
        lambda b: io.HostEntry("localhost", backend=b),
        "get_host_by_name",
    ),
    "HostEntry(NetworkAddress)": (
        lambda b: _host_entry_of_address(b),
        "get_host_by_addr",
    ),
}


def _host_entry_of_address(backend: Backend) -> Any:
    addr = io.NetworkAddress(io.PR_IpAddrLoopback, backend=backend)
    try:
        return io.HostEntry(addr)  # the address's backend, as backend= would
    except error.NSPRError:
        return None  # no reverse entry for 127.0.0.1 here: the call is what counts


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_functions_use_the_given_backend(other: Backend, function: str) -> None:
    call, method = FUNCTIONS[function]
    used: List[str] = []
    calls_of(other, method, used)
    call(other)
    assert used, "%s did not use the given backend's %s" % (function, method)


def test_poll_uses_the_backend_of_its_sockets(other: Backend) -> None:
    used: List[str] = []
    calls_of(other, "poll_set", used)
    with io.Socket(io.PR_AF_INET, backend=other) as sock:
        assert len(io.Socket.poll([(sock, io.PR_POLL_READ)], 0)) == 1
        assert len(io.Socket.poll([(sock, io.PR_POLL_READ)], 0, backend=other)) == 1
    assert used == ["poll_set", "poll_set"]


# -- the audit: which public callables take backend= ----------------------------------

#: Public callables of nspr_ctypes.io that need no backend at all.
PURE_FUNCTIONS = {"addr_family_name", "htonl", "htons", "ntohl", "ntohs"}
#: Public classes, each with constructors and static methods taking backend=.
CLASSES = {
    "AddrInfo": ["__init__"],
    "HostEntry": ["__init__"],
    "NetworkAddress": ["__init__"],
    "Socket": ["__init__", "new_tcp_pair", "import_tcp_socket", "poll"],
}


def _public_callables() -> Dict[str, Any]:
    return {
        name: getattr(io, name)
        for name in io.__all__
        if callable(getattr(io, name)) and not name.startswith("PR_")
    }


def test_every_public_callable_is_classified() -> None:
    functions = {n for n, f in _public_callables().items() if not inspect.isclass(f)}
    classes = {n for n, f in _public_callables().items() if inspect.isclass(f)}
    tested = {name for name in FUNCTIONS if name.islower() and "." not in name}
    assert functions == PURE_FUNCTIONS | tested
    assert classes == set(CLASSES)


@pytest.mark.parametrize(
    "qualified",
    sorted(
        [name for name in FUNCTIONS if name.islower() and "." not in name]
        + [
            "%s.%s" % (cls, meth)
            for cls, methods in CLASSES.items()
            for meth in methods
        ]
    ),
)
def test_backend_is_a_keyword_only_argument(qualified: str) -> None:
    target: Any = io
    for part in qualified.split("."):
        target = getattr(target, part)
    parameter = inspect.signature(target).parameters.get("backend")
    assert parameter is not None, "%s has no backend= argument" % qualified
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default is None


@pytest.mark.parametrize("name", sorted(PURE_FUNCTIONS))
def test_pure_functions_touch_no_backend(name: str, poisoned_default: Backend) -> None:
    function = getattr(io, name)
    assert "backend" not in inspect.signature(function).parameters
    function(io.PR_AF_INET if name == "addr_family_name" else 80)


def test_address_made_without_backend_belongs_to_the_default_at_creation(
    loaded: Callable[..., Backend],
) -> None:
    first, second = loaded("stdlib"), loaded("stdlib")
    previous = nspr_ctypes.get_backend()
    try:
        nspr_ctypes.use_backend(first)
        addr = io.NetworkAddress(io.PR_IpAddrLoopback, 0)
        nspr_ctypes.use_backend(second)
        assert owner(addr) is first
        assert owner(io.NetworkAddress(io.PR_IpAddrLoopback, 0)) is second
    finally:
        nspr_ctypes.use_backend(previous)
