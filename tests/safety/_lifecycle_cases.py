"""The lifecycle cases (tests: ``test_lifecycle``).

* Use after close: every method and property of a closed socket, for each
  kind of socket (TCP v4 and v6, UDP, listening, connecting, accepted,
  ``new_tcp_pair``, PR_AF_LOCAL, imported), and for sockets that never had a
  descriptor (``Socket.__new__``, a subclass whose ``__init__`` does not call
  the base one, a re-``__init__`` that failed). I/O raises
  ``ValueError('I/O operation on closed socket')``; ``close()`` is a no-op;
  ``str``, ``repr``, ``family``, ``netaddr``, ``poll`` and ``__init__`` work.
* Double close, in the orders a program can reach it.
* Objects made without ``__init__``: NetworkAddress, AddrInfo, HostEntry and
  NSPRError; every attribute either works or raises a clean ValueError.
* A failed re-``__init__`` leaves each object usable.

Spec: nss-io.md §7.8 and §9.1-3; docs/differences.md "Lifecycle and safety".
"""

from __future__ import annotations

import copy
import gc
import os
import pickle
import socket
from typing import Any, Callable, List, NamedTuple, Optional

from ._harness import WAIT, Case, Env, Raises, Returns

CLOSED = r"^I/O operation on closed socket$"
CLOSED_ERROR = Raises("ValueError", match=CLOSED)
UNINITIALISED = r"is uninitialized$"

# How python-nss differs, by method, on a closed socket (nss-io.md §7.8).
_CRASH = (
    "%s on a closed socket raises the closed-socket ValueError (python-nss: SIGSEGV)"
)


def _returns(check: Callable[[Any], bool], text: str) -> Returns:
    return Returns(check, text)


def _is_none(value: Any) -> bool:
    return value is None


# -- sockets that have no descriptor ------------------------------------------------


class Kind(NamedTuple):
    """A way to get a socket without a descriptor; ``family`` is the value of
    its ``family`` attribute, ``shown`` its ``str()``."""

    name: str
    make: Callable[[Env], Any]
    family: str
    shown: str


def _closed(make: Callable[[Env], Any]) -> Callable[[Env], Any]:
    def closed(env: Env) -> Any:
        sock = make(env)
        sock.close()
        return sock

    return closed


def _imported(env: Env) -> Any:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as plain:
        fd = os.dup(plain.fileno())
    return env.keep(env.io.Socket.import_tcp_socket(fd))


def _subclass_without_init(env: Env) -> Any:
    class Bare(env.io.Socket):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            pass  # the base __init__ never runs: no descriptor

    return Bare()


def _failed_reinit(env: Env) -> Any:
    sock = env.socket()
    try:
        sock.__init__(99)  # an unsupported family: the old descriptor is gone
    except Exception as exc:
        if type(exc).__name__ != "NSPRError":
            raise
    return sock


TCP_SHOWN = "family=PR_AF_INET type=PR_DESC_SOCKET_TCP"
KINDS: List[Kind] = [
    Kind("tcp", _closed(lambda e: e.socket()), "PR_AF_INET", TCP_SHOWN),
    Kind(
        "tcp6",
        _closed(lambda e: e.socket(e.io.PR_AF_INET6)),
        "PR_AF_INET6",
        "family=PR_AF_INET6 type=PR_DESC_SOCKET_TCP",
    ),
    Kind(
        "udp",
        _closed(lambda e: e.udp),
        "PR_AF_INET",
        "family=PR_AF_INET type=PR_DESC_SOCKET_UDP",
    ),
    Kind("listener", _closed(lambda e: e.listener), "PR_AF_INET", TCP_SHOWN),
    Kind("client", _closed(lambda e: e.conn[0]), "PR_AF_INET", TCP_SHOWN),
    Kind("accepted", _closed(lambda e: e.conn[1]), "PR_AF_INET", TCP_SHOWN),
    Kind(
        "pair",
        _closed(lambda e: e.pair[0]),
        "PR_AF_LOCAL",
        "family=PR_AF_LOCAL type=PR_DESC_SOCKET_TCP",
    ),
    Kind("imported", _closed(_imported), "PR_AF_INET", TCP_SHOWN),
    Kind(
        "uninitialised",
        lambda e: e.io.Socket.__new__(e.io.Socket),
        "PR_AF_UNSPEC",
        "family=PR_AF_UNSPEC type=unknown(0x0)",
    ),
    Kind(
        "subclass-without-init",
        _subclass_without_init,
        "PR_AF_UNSPEC",
        "family=PR_AF_UNSPEC type=unknown(0x0)",
    ),
    Kind("failed-reinit", _failed_reinit, "PR_AF_INET", TCP_SHOWN),
]


def _own_address(env: Env, sock: Any) -> Any:
    """An address of the socket's family where one exists (so the family
    check passes and the closed check is reached), else an IPv4 one."""
    if sock.family == env.io.PR_AF_INET6:
        return env.loopback6()
    return env.loopback()


class Method(NamedTuple):
    """One use of a socket without a descriptor.

    ``family_checked`` methods compare families before anything else, so a
    socket whose family has no address (PR_AF_LOCAL, 0) gets the family
    mismatch ValueError. ``difference`` says how python-nss does otherwise.
    """

    name: str
    call: Callable[[Env, Any], Any]
    expect: Any = CLOSED_ERROR
    difference: Optional[str] = None
    family_checked: bool = False


def _poll_read(env: Env, sock: Any) -> Any:
    return env.io.Socket.poll([(sock, env.io.PR_POLL_READ)], 0)


def _reinit(env: Env, sock: Any) -> Any:
    env.io.Socket.__init__(sock, env.io.PR_AF_INET)
    env.keep(sock)
    return sock.desc_type


def _set_family(env: Env, sock: Any) -> Any:
    sock.family = env.io.PR_AF_INET6
    return sock.family


METHODS: List[Method] = [
    Method(
        "bind",
        lambda e, s: s.bind(_own_address(e, s)),
        difference=_CRASH % "bind()",
        family_checked=True,
    ),
    Method(
        "connect",
        lambda e, s: s.connect(_own_address(e, s), WAIT),
        difference=_CRASH % "connect()",
        family_checked=True,
    ),
    Method(
        "send_to",
        lambda e, s: s.send_to(b"x", _own_address(e, s)),
        difference=_CRASH % "send_to()",
        family_checked=True,
    ),
    Method(
        "recv_from",
        lambda e, s: s.recv_from(1, _own_address(e, s), WAIT),
        family_checked=True,
    ),
    Method("listen", lambda e, s: s.listen(), difference=_CRASH % "listen()"),
    Method("accept", lambda e, s: s.accept(WAIT), difference=_CRASH % "accept()"),
    Method(
        "accept_read",
        lambda e, s: s.accept_read(5, WAIT),
        difference=_CRASH % "accept_read()",
    ),
    Method("shutdown", lambda e, s: s.shutdown(), difference=_CRASH % "shutdown()"),
    Method("recv", lambda e, s: s.recv(1, WAIT)),
    Method("recv-zero", lambda e, s: s.recv(0, 0)),
    Method("read", lambda e, s: s.read()),
    Method("read-size", lambda e, s: s.read(5)),
    Method("readline", lambda e, s: s.readline()),
    Method("readlines", lambda e, s: s.readlines()),
    Method("iter", lambda e, s: iter(s)),
    Method("next", lambda e, s: next(s)),
    Method(
        "pending",
        lambda e, s: s.pending(),
        difference="Socket.pending() is an addition",
    ),
    Method("send", lambda e, s: s.send(b"x", WAIT), difference=_CRASH % "send()"),
    Method("send-empty", lambda e, s: s.send(b""), difference=_CRASH % "send()"),
    Method(
        "sendall", lambda e, s: s.sendall(b"x", WAIT), difference=_CRASH % "sendall()"
    ),
    Method(
        "get_sock_name",
        lambda e, s: s.get_sock_name(),
        difference=_CRASH % "get_sock_name()",
    ),
    Method(
        "get_peer_name",
        lambda e, s: s.get_peer_name(),
        difference=_CRASH % "get_peer_name()",
    ),
    Method(
        "get_socket_option",
        lambda e, s: s.get_socket_option(e.io.PR_SockOpt_Reuseaddr),
        difference=_CRASH % "get_socket_option()",
    ),
    Method(
        "get_socket_option-nonblocking",
        lambda e, s: s.get_socket_option(e.io.PR_SockOpt_Nonblocking),
        difference=_CRASH % "get_socket_option()",
    ),
    Method(
        "set_socket_option",
        lambda e, s: s.set_socket_option(e.io.PR_SockOpt_Reuseaddr, True),
        difference=_CRASH % "set_socket_option()",
    ),
    Method(
        "set_socket_option-nonblocking",
        lambda e, s: s.set_socket_option(e.io.PR_SockOpt_Nonblocking, True),
        difference=_CRASH % "set_socket_option()",
    ),
    Method(
        "fileno",
        lambda e, s: s.fileno(),
        difference="fileno() on a closed socket raises the closed-socket ValueError "
        "(python-nss: NSPRError PR_INVALID_ARGUMENT_ERROR)",
    ),
    Method(
        "desc_type",
        lambda e, s: s.desc_type,
        difference="desc_type of a closed socket raises the closed-socket ValueError "
        "(python-nss: ValueError('socket not intialized'))",
    ),
    Method(
        "makefile",
        lambda e, s: s.makefile("rb"),
        difference="makefile() of a closed socket raises the closed-socket ValueError "
        "(python-nss returns the socket itself)",
    ),
    Method(
        "close",
        lambda e, s: s.close(),
        _returns(_is_none, "None: a no-op"),
        "a second close() is a no-op (python-nss: SIGSEGV)",
    ),
    Method(
        "close-three-times",
        lambda e, s: (s.close(), s.close()),
        _returns(lambda v: v == (None, None), "None: no-ops"),
        "a second close() is a no-op (python-nss: SIGSEGV)",
    ),
    Method("repr", lambda e, s: repr(s).startswith("<"), _returns(bool, "a repr")),
    Method(
        "netaddr",
        lambda e, s: s.netaddr is None or type(s.netaddr).__name__ == "NetworkAddress",
        _returns(bool, "None or the last address given"),
    ),
    Method("poll", _poll_read, _returns(lambda v: v == (0,), "(0,): skipped")),
    Method("set-family", _set_family, _returns(lambda v: v == 10, "PR_AF_INET6")),
    Method(
        "reinit", _reinit, _returns(lambda v: v == 2, "PR_DESC_SOCKET_TCP: open again")
    ),
]


def _use(kind: Kind, method: Method) -> Callable[[Env], Any]:
    return lambda env: method.call(env, kind.make(env))


def _str_of(kind: Kind) -> Callable[[Env], Any]:
    return lambda env: str(kind.make(env))


def _family_kept(kind: Kind) -> Callable[[Env], Any]:
    return lambda env: kind.make(env).family == getattr(env.io, kind.family)


def _equals(expected: Any) -> Callable[[Any], bool]:
    return lambda value: bool(value == expected)


def _use_after_close_cases() -> List[Case]:
    cases: List[Case] = []
    for kind in KINDS:
        never_open = kind.name in ("uninitialised", "subclass-without-init")
        for method in METHODS:
            expect = method.expect
            difference = method.difference
            if method.family_checked and kind.family not in (
                "PR_AF_INET",
                "PR_AF_INET6",
            ):
                # The family check comes first, in python-nss too.
                expect = Raises(
                    "ValueError", match="does not match NetworkAddress family"
                )
                difference = None
            if never_open and method.name == "close":
                difference = "close() of a Socket that never opened is a no-op (python-nss: SIGSEGV)"
            cases.append(
                Case(
                    "%s-%s" % (kind.name, method.name),
                    "use after close",
                    _use(kind, method),
                    expect,
                    difference,
                )
            )
        cases.append(
            Case(
                "%s-str" % kind.name,
                "use after close",
                _str_of(kind),
                _returns(_equals(kind.shown), repr(kind.shown)),
                "str() of a closed socket works (python-nss: SIGSEGV)",
            )
        )
        cases.append(
            Case(
                "%s-family" % kind.name,
                "use after close",
                _family_kept(kind),
                _returns(bool, kind.family),
            )
        )
    return cases


# -- double close -------------------------------------------------------------------


def _close_twice(make: Callable[[Env], Any]) -> Callable[[Env], Any]:
    def call(env: Env) -> Any:
        sock = make(env)
        sock.close()
        return sock.close()

    return call


def _close_after_makefile(env: Env) -> Any:
    sock = env.socket()
    sock.makefile("rb")
    return (sock.close(), sock.close(), sock.close())


def _close_socket_then_file(env: Env) -> Any:
    sock = env.socket()
    f = sock.makefile("rb")
    return (sock.close(), f.close(), sock.close(), f.close())


def _close_file_then_socket(env: Env) -> Any:
    sock = env.socket()
    f = sock.makefile("rb")
    return (f.close(), sock.close(), f.close(), sock.close())


def _close_in_with(env: Env) -> Any:
    sock = env.socket()
    sock.close()
    return sock.close()


def _close_both_ends(env: Env) -> Any:
    first, second = env.io.Socket.new_tcp_pair()
    first.close()
    second.close()
    return (second.close(), first.close())


def _close_listener_then_accepted(env: Env) -> Any:
    client, server = env.conn
    env.listener.close()
    server.close()
    client.close()
    return (env.listener.close(), server.close(), client.close())


def _close_imported_twice(env: Env) -> Any:
    sock = _imported(env)
    sock.close()
    return sock.close()


def _close_after_os_close(env: Env) -> Any:
    """The descriptor closed behind the socket's back: close() reports it
    (PR_BAD_DESCRIPTOR_ERROR, as python-nss), and a second close is a no-op."""
    sock = env.socket()
    os.close(sock.fileno())
    try:
        sock.close()
    except Exception as exc:
        first = type(exc).__name__
    else:
        first = "None"
    return (first, sock.close())


_DOUBLE = "a second close() is a no-op (python-nss: SIGSEGV)"

DOUBLE_CLOSE_CASES = [
    Case(
        "close-twice-tcp",
        "double close",
        _close_twice(lambda e: e.socket()),
        _returns(_is_none, "None"),
        _DOUBLE,
    ),
    Case(
        "close-twice-udp",
        "double close",
        _close_twice(lambda e: e.udp),
        _returns(_is_none, "None"),
        _DOUBLE,
    ),
    Case(
        "close-twice-accepted",
        "double close",
        _close_twice(lambda e: e.conn[1]),
        _returns(_is_none, "None"),
        _DOUBLE,
    ),
    Case(
        "close-both-pair-ends-twice",
        "double close",
        _close_both_ends,
        _returns(lambda v: v == (None, None), "(None, None)"),
        _DOUBLE,
    ),
    Case(
        "close-listener-and-accepted-twice",
        "double close",
        _close_listener_then_accepted,
        _returns(lambda v: v == (None, None, None), "(None, None, None)"),
        _DOUBLE,
    ),
    Case(
        "close-twice-imported",
        "double close",
        _close_imported_twice,
        _returns(_is_none, "None"),
        _DOUBLE,
    ),
    Case(
        "close-after-makefile-three-times",
        "double close",
        _close_after_makefile,
        _returns(lambda v: v == (None, None, None), "(None, None, None)"),
        "close() after makefile() closes, later ones are no-ops "
        "(python-nss: the first is ignored, the third SIGSEGV)",
    ),
    Case(
        "close-socket-then-makefile-file-twice",
        "double close",
        _close_socket_then_file,
        _returns(lambda v: v == (None,) * 4, "(None, None, None, None)"),
        "the socket and its makefile() file close in either order, later "
        "closes are no-ops (python-nss: the file is the socket; SIGSEGV)",
    ),
    Case(
        "close-makefile-file-then-socket-twice",
        "double close",
        _close_file_then_socket,
        _returns(lambda v: v == (None,) * 4, "(None, None, None, None)"),
        "the socket and its makefile() file close in either order, later "
        "closes are no-ops (python-nss: the file is the socket; SIGSEGV)",
    ),
    Case(
        "close-after-os-close",
        "double close",
        _close_after_os_close,
        _returns(lambda v: v == ("NSPRError", None), "NSPRError, then None"),
        _DOUBLE,
    ),
]


# -- objects made without __init__ --------------------------------------------------


def _bare(env: Env, name: str) -> Any:
    module = env.error if name == "NSPRError" else env.io
    cls = getattr(module, name)
    return cls.__new__(cls)


def _bare_attr(name: str, attribute: str) -> Callable[[Env], Any]:
    return lambda env: getattr(_bare(env, name), attribute)


def _bare_address_used(method: str) -> Callable[[Env], Any]:
    def call(env: Env) -> Any:
        address = _bare(env, "NetworkAddress")
        sock = env.udp
        if method == "bind":
            return sock.bind(address)
        if method == "connect":
            return sock.connect(address, WAIT)
        if method == "send_to":
            return sock.send_to(b"x", address)
        return sock.recv_from(1, address, WAIT)

    return call


def _bare_port_set(env: Env) -> Any:
    address = _bare(env, "NetworkAddress")
    address.port = 80
    return (address.port, address.family)


def _bare_set_from_string(env: Env) -> Any:
    address = _bare(env, "NetworkAddress")
    address.set_from_string("127.0.0.1")
    return (address.address, address.family)


def _bare_init(env: Env) -> Any:
    address = _bare(env, "NetworkAddress")
    address.__init__(env.io.PR_IpAddrLoopback, 80)
    return address.address


def _bare_error_pickled(env: Env) -> Any:
    bare = _bare(env, "NSPRError")
    return pickle.loads(pickle.dumps(bare)).errno


def _bare_error_raised(env: Env) -> Any:
    try:
        raise _bare(env, "NSPRError")
    except env.error.NSPRError as exc:
        return exc.errno


def _bare_error_with_args(env: Env) -> Any:
    cls = env.error.NSPRError
    bare = cls.__new__(cls, "message", -5990)
    return (bare.args, bare.errno, bare.error_message)


def _bare_addrinfo_list(env: Env) -> Any:
    return list(_bare(env, "AddrInfo"))


def _bare_hostentry_list(env: Env) -> Any:
    return list(_bare(env, "HostEntry"))


_UNINIT_ERROR = Raises("ValueError", match=UNINITIALISED)

UNINITIALISED_CASES = [
    # NetworkAddress: an unset address (family 0), as in python-nss.
    Case(
        "NetworkAddress-address",
        "uninitialised objects",
        _bare_attr("NetworkAddress", "address"),
        _returns(lambda v: v == "<unset>", "'<unset>'"),
    ),
    Case(
        "NetworkAddress-str",
        "uninitialised objects",
        lambda e: str(_bare(e, "NetworkAddress")),
        _returns(lambda v: v == "<unset>", "'<unset>'"),
    ),
    Case(
        "NetworkAddress-repr",
        "uninitialised objects",
        lambda e: repr(_bare(e, "NetworkAddress"))[:1],
        _returns(lambda v: v == "<", "a repr"),
    ),
    Case(
        "NetworkAddress-port",
        "uninitialised objects",
        _bare_attr("NetworkAddress", "port"),
        _returns(lambda v: v == 0, "0"),
    ),
    Case(
        "NetworkAddress-family",
        "uninitialised objects",
        _bare_attr("NetworkAddress", "family"),
        _returns(lambda v: v == 0, "0"),
    ),
    Case(
        "NetworkAddress-hostname",
        "uninitialised objects",
        _bare_attr("NetworkAddress", "hostname"),
        _returns(_is_none, "None"),
    ),
    Case(
        "NetworkAddress-hostentry",
        "uninitialised objects",
        _bare_attr("NetworkAddress", "hostentry"),
        Raises("NSPRError", "PR_DIRECTORY_LOOKUP_ERROR"),
    ),
    Case(
        "NetworkAddress-port-set",
        "uninitialised objects",
        _bare_port_set,
        _returns(lambda v: v == (80, 0), "(80, 0)"),
    ),
    Case(
        "NetworkAddress-set_from_string",
        "uninitialised objects",
        _bare_set_from_string,
        _returns(lambda v: v == ("127.0.0.1", 2), "127.0.0.1"),
    ),
    Case(
        "NetworkAddress-init-later",
        "uninitialised objects",
        _bare_init,
        _returns(lambda v: v == "127.0.0.1", "127.0.0.1"),
    ),
    Case(
        "NetworkAddress-hash",
        "uninitialised objects",
        lambda e: isinstance(hash(_bare(e, "NetworkAddress")), int),
        _returns(bool, "an int"),
    ),
    Case(
        "NetworkAddress-HostEntry",
        "uninitialised objects",
        lambda e: e.io.HostEntry(_bare(e, "NetworkAddress")),
        Raises("NSPRError", "PR_DIRECTORY_LOOKUP_ERROR"),
    ),
    Case(
        "NetworkAddress-bind",
        "uninitialised objects",
        _bare_address_used("bind"),
        Raises("ValueError", match="does not match"),
    ),
    Case(
        "NetworkAddress-connect",
        "uninitialised objects",
        _bare_address_used("connect"),
        Raises("ValueError", match="does not match"),
    ),
    Case(
        "NetworkAddress-send_to",
        "uninitialised objects",
        _bare_address_used("send_to"),
        Raises("ValueError", match="does not match"),
    ),
    Case(
        "NetworkAddress-recv_from",
        "uninitialised objects",
        _bare_address_used("recv_from"),
        Raises("ValueError", match="does not match"),
    ),
    # AddrInfo: ValueError for everything.
    Case(
        "AddrInfo-hostname",
        "uninitialised objects",
        _bare_attr("AddrInfo", "hostname"),
        _UNINIT_ERROR,
        "uninitialised AddrInfo.hostname raises ValueError (python-nss: SIGSEGV)",
    ),
    Case(
        "AddrInfo-canonical_name",
        "uninitialised objects",
        _bare_attr("AddrInfo", "canonical_name"),
        _UNINIT_ERROR,
        "uninitialised AddrInfo.canonical_name raises ValueError (python-nss: SIGSEGV)",
    ),
    Case(
        "AddrInfo-len",
        "uninitialised objects",
        lambda e: len(_bare(e, "AddrInfo")),
        _UNINIT_ERROR,
    ),
    Case(
        "AddrInfo-index",
        "uninitialised objects",
        lambda e: _bare(e, "AddrInfo")[0],
        _UNINIT_ERROR,
    ),
    Case("AddrInfo-iter", "uninitialised objects", _bare_addrinfo_list, _UNINIT_ERROR),
    Case(
        "AddrInfo-str",
        "uninitialised objects",
        lambda e: str(_bare(e, "AddrInfo")),
        _UNINIT_ERROR,
    ),
    Case(
        "AddrInfo-bool",
        "uninitialised objects",
        lambda e: bool(_bare(e, "AddrInfo")),
        _UNINIT_ERROR,
    ),
    # HostEntry: values where python-nss has them, ValueError otherwise.
    Case(
        "HostEntry-hostname",
        "uninitialised objects",
        _bare_attr("HostEntry", "hostname"),
        _UNINIT_ERROR,
        "uninitialised HostEntry.hostname raises ValueError (python-nss: SIGSEGV)",
    ),
    Case(
        "HostEntry-aliases",
        "uninitialised objects",
        _bare_attr("HostEntry", "aliases"),
        _returns(_is_none, "None"),
    ),
    Case(
        "HostEntry-family",
        "uninitialised objects",
        _bare_attr("HostEntry", "family"),
        _returns(lambda v: v == 0, "0"),
    ),
    Case(
        "HostEntry-len",
        "uninitialised objects",
        lambda e: len(_bare(e, "HostEntry")),
        _UNINIT_ERROR,
    ),
    Case(
        "HostEntry-index",
        "uninitialised objects",
        lambda e: _bare(e, "HostEntry")[0],
        _UNINIT_ERROR,
    ),
    Case(
        "HostEntry-iter", "uninitialised objects", _bare_hostentry_list, _UNINIT_ERROR
    ),
    Case(
        "HostEntry-str",
        "uninitialised objects",
        lambda e: str(_bare(e, "HostEntry")),
        _returns(
            lambda v: v == "name=None family=PR_AF_UNSPEC aliases=None addresses=None",
            "the unset fields",
        ),
    ),
    Case(
        "HostEntry-get_network_address",
        "uninitialised objects",
        lambda e: _bare(e, "HostEntry").get_network_address(),
        _returns(_is_none, "None"),
    ),
    Case(
        "HostEntry-get_network_addresses",
        "uninitialised objects",
        lambda e: _bare(e, "HostEntry").get_network_addresses(),
        _returns(_is_none, "None"),
    ),
    # NSPRError: code 0 and no text, as python-nss; str() a clean ValueError.
    Case(
        "NSPRError-errno",
        "uninitialised objects",
        _bare_attr("NSPRError", "errno"),
        _returns(lambda v: v == 0, "0"),
    ),
    Case(
        "NSPRError-error_code",
        "uninitialised objects",
        _bare_attr("NSPRError", "error_code"),
        _returns(lambda v: v == 0, "0"),
    ),
    Case(
        "NSPRError-error_desc",
        "uninitialised objects",
        _bare_attr("NSPRError", "error_desc"),
        _returns(_is_none, "None"),
    ),
    Case(
        "NSPRError-strerror",
        "uninitialised objects",
        _bare_attr("NSPRError", "strerror"),
        _returns(_is_none, "None"),
    ),
    Case(
        "NSPRError-error_message",
        "uninitialised objects",
        _bare_attr("NSPRError", "error_message"),
        _returns(_is_none, "None"),
    ),
    Case(
        "NSPRError-args",
        "uninitialised objects",
        _bare_attr("NSPRError", "args"),
        _returns(lambda v: v == (), "()"),
    ),
    Case(
        "NSPRError-repr",
        "uninitialised objects",
        lambda e: repr(_bare(e, "NSPRError")),
        _returns(lambda v: v == "NSPRError()", "'NSPRError()'"),
    ),
    Case(
        "NSPRError-str",
        "uninitialised objects",
        lambda e: str(_bare(e, "NSPRError")),
        _UNINIT_ERROR,
        "str() of an uninitialised NSPRError raises ValueError (python-nss: SystemError)",
    ),
    Case(
        "NSPRError-raised",
        "uninitialised objects",
        _bare_error_raised,
        _returns(lambda v: v == 0, "caught, errno 0"),
    ),
    Case(
        "NSPRError-pickled",
        "uninitialised objects",
        _bare_error_pickled,
        _returns(lambda v: v == 0, "errno 0"),
    ),
    Case(
        "NSPRError-new-with-args",
        "uninitialised objects",
        _bare_error_with_args,
        _returns(lambda v: v == (("message", -5990), 0, None), "args kept, errno 0"),
    ),
    Case(
        "NSPRError-copy",
        "uninitialised objects",
        lambda e: copy.copy(_bare(e, "NSPRError")).errno,
        _returns(lambda v: v == 0, "errno 0"),
    ),
]


# -- a failed re-__init__ -----------------------------------------------------------


def _address_reinit_fails(env: Env) -> Any:
    address = env.loopback(80)
    try:
        address.__init__(None)
    except ValueError:
        pass
    return (address.address, address.port)


def _addrinfo_reinit_fails(env: Env) -> Any:
    info = env.io.AddrInfo("localhost")
    try:
        info.__init__("")
    except Exception as exc:
        if type(exc).__name__ != "NSPRError":
            raise
    return (info.hostname, len(info) > 0, info[0].address)


def _hostentry_reinit_fails(env: Env) -> Any:
    entry = env.io.HostEntry("localhost")
    try:
        entry.__init__(5)
    except TypeError:
        pass
    return (entry.hostname, entry[0].address)


def _socket_reinit_bad_type(env: Env) -> Any:
    """A type that parses but is not TCP or UDP: the old descriptor is
    closed first (as python-nss does), so the socket is closed after."""
    sock = env.socket()
    try:
        sock.__init__(env.io.PR_AF_INET, 99)
    except ValueError:
        pass
    return sock.recv(1, 0)


def _socket_reinit_unparsable(env: Env) -> Any:
    """Arguments that do not parse leave the old descriptor alone."""
    sock = env.socket()
    for bad in (("2",), (2, "x"), (2, 2**40)):
        try:
            sock.__init__(*bad)
        except (TypeError, OverflowError):
            pass
    sock.bind(env.loopback())
    return sock.get_sock_name().port > 0


def _socket_reinit_live(env: Env) -> Any:
    sock = env.socket()
    sock.__init__(env.io.PR_AF_INET, env.io.PR_DESC_SOCKET_UDP)
    env.keep(sock)
    return str(sock)


def _address_outlives_addrinfo(env: Env) -> Any:
    info = env.io.AddrInfo("localhost")
    address = info[0]
    del info
    gc.collect()
    return address.address


def _address_outlives_socket(env: Env) -> Any:
    sock = env.socket()
    sock.bind(env.loopback())
    address = sock.get_sock_name()
    sock.close()
    del sock
    gc.collect()
    return address.address


REINIT_CASES = [
    Case(
        "NetworkAddress-reinit-fails",
        "uninitialised objects",
        _address_reinit_fails,
        _returns(lambda v: v == ("127.0.0.1", 80), "unchanged"),
    ),
    Case(
        "AddrInfo-reinit-fails",
        "uninitialised objects",
        _addrinfo_reinit_fails,
        _returns(lambda v: v == ("", True, "127.0.0.1"), "new hostname, old addresses"),
    ),
    Case(
        "HostEntry-reinit-fails",
        "uninitialised objects",
        _hostentry_reinit_fails,
        _returns(lambda v: v == ("localhost", "127.0.0.1"), "unchanged"),
    ),
    Case(
        "Socket-reinit-bad-type",
        "uninitialised objects",
        _socket_reinit_bad_type,
        CLOSED_ERROR,
    ),
    Case(
        "Socket-reinit-unparsable",
        "uninitialised objects",
        _socket_reinit_unparsable,
        _returns(bool, "the old descriptor, still usable"),
    ),
    Case(
        "Socket-reinit-live",
        "uninitialised objects",
        _socket_reinit_live,
        _returns(
            lambda v: v == "family=PR_AF_INET type=PR_DESC_SOCKET_UDP",
            "a new UDP socket",
        ),
    ),
    Case(
        "NetworkAddress-outlives-AddrInfo",
        "uninitialised objects",
        _address_outlives_addrinfo,
        _returns(lambda v: v == "127.0.0.1", "127.0.0.1"),
    ),
    Case(
        "NetworkAddress-outlives-Socket",
        "uninitialised objects",
        _address_outlives_socket,
        _returns(lambda v: v == "127.0.0.1", "127.0.0.1"),
    ),
]

CASES: List[Case] = (
    _use_after_close_cases() + DOUBLE_CLOSE_CASES + UNINITIALISED_CASES + REINIT_CASES
)
