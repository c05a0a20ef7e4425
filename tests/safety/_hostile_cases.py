"""The hostile-input cases (tests: ``test_hostile_input``): every argument of the public API given values it does not expect.

Each case is one call and the exact outcome it must have: the exception class
python-nss raises for the same value (its ``PyArg_Parse`` format code decides
most of them, spec nss-io.md §0.1), or a value. Nothing may crash, hang or
raise anything else (SystemError, AttributeError, MemoryError, ...).

Most cases are generated from a table of *slots* (one argument of one call,
with its format code) crossed with the values that code refuses or converts:

* wrong types: None, str for int, bytes for str, float, object(), list;
* objects with ``__index__``: accepted wherever an int is, with the same
  outcome as the plain int;
* huge ints: ``i`` (C int) and ``l`` (C long) raise OverflowError out of range,
  ``I`` reduces mod 2**32 with the same outcome as the reduced value.

The rest are written out: negative sizes, ``recv(0)``, ``recv(2**31)``, NUL
bytes and 10 KB strings in host names, bytearray and memoryview buffers,
garbage poll descriptors, wrong value shapes for the socket options, ports
outside 0..65535, unknown families and option numbers.

On python-nss each case runs in a child process (see ``_harness``); where it
does otherwise the case carries ``difference`` (docs/differences.md).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._harness import (
    LONG_WAIT,
    Case,
    Env,
    Index,
    Raises,
    Returns,
    SameAs,
)

Call = Callable[[Env, Any], Any]
IntValue = Union[int, str]  # an int, or the name of an io constant

TYPE_ERROR = Raises("TypeError")
# The idna codec raises UnicodeError, and UnicodeEncodeError from Python 3.13 on.
IDNA_ERROR = Raises("UnicodeError|UnicodeEncodeError")
VALUE_ERROR = Raises("ValueError")
OVERFLOW = Raises("OverflowError")


def _nspr(errno: str) -> Raises:
    return Raises("NSPRError", errno)


def _value(check: Callable[[Any], bool], text: str) -> Returns:
    return Returns(check, text)


def _int(io: Any, value: IntValue) -> int:
    return getattr(io, value) if isinstance(value, str) else value


# -- slots -------------------------------------------------------------------------


class Slot:
    """One argument of one call: ``call(env, value)`` passes ``value`` there.

    ``code`` is python-nss's format code for it: ``i`` (C int), ``I``
    (unsigned, mod 2**32), ``l`` (C long), ``s`` (str), ``et`` (str, bytes or
    bytearray), ``y`` (bytes), ``addr`` (NetworkAddress). ``good`` is a value
    the call accepts, the reference for the values that must act like it.
    ``crash`` says how python-nss corrupts its memory when the call goes
    through (so the cases that get that far are not run there).
    """

    def __init__(
        self,
        name: str,
        code: str,
        call: Call,
        good: Any,
        crash: Optional[str] = None,
    ) -> None:
        self.name = name
        self.code = code
        self.call = call
        self.good = good
        self.crash = crash

    def good_value(self, io: Any) -> Any:
        return _int(io, self.good) if self.code in _INT_CODES else self.good


def _he(env: Env) -> Any:
    return env.io.HostEntry("localhost")


def _set_family(env: Env, value: Any) -> int:
    sock = env.tcp
    sock.family = value
    return int(sock.family)


def _set_port(env: Env, value: Any) -> int:
    address = env.loopback(80)
    address.port = value
    return int(address.port)


def _poll_read(env: Env, flags: Any) -> Any:
    return env.io.Socket.poll([(env.pair[1], flags)], 0)


def _udp_self(env: Env) -> Any:
    return env.loopback(env.udp.get_sock_name().port)


def _set_from_string(env: Env, addr: Any, family: Any = 2) -> Any:
    address = env.io.NetworkAddress()
    address.set_from_string(addr, family)
    return address


_HUGE_READ = (
    "recv(n)/read(n) with a huge n returns what is queued "
    "(python-nss allocates n bytes first: MemoryError or OverflowError)"
)
_HEAP = "accept_read() is safe (python-nss overflows its heap buffer)"
_REFCOUNT = (
    "get_network_address() is safe (python-nss drops a reference it does not own)"
)

INT_SLOTS: List[Slot] = [
    Slot(
        "Socket-type",
        "i",
        lambda e, v: e.keep(e.io.Socket(e.io.PR_AF_INET, v)),
        "PR_DESC_SOCKET_UDP",
    ),
    Slot(
        "NetworkAddress-port",
        "i",
        lambda e, v: e.io.NetworkAddress(e.io.PR_IpAddrLoopback, v),
        80,
    ),
    Slot(
        "NetworkAddress-family",
        "i",
        lambda e, v: e.io.NetworkAddress(e.io.PR_IpAddrLoopback, 0, v),
        "PR_AF_INET6",
    ),
    Slot(
        "set_from_string-family",
        "i",
        lambda e, v: _set_from_string(e, "127.0.0.1", v),
        "PR_AF_INET",
    ),
    Slot(
        "AddrInfo-family",
        "i",
        lambda e, v: len(e.io.AddrInfo("localhost", v)) > 0,
        "PR_AF_INET",
    ),
    Slot(
        "AddrInfo-flags",
        "i",
        lambda e, v: len(e.io.AddrInfo("localhost", e.io.PR_AF_UNSPEC, v)) > 0,
        "PR_AI_ADDRCONFIG",
    ),
    Slot(
        "HostEntry-get_network_address-port",
        "i",
        lambda e, v: _he(e).get_network_address(v),
        80,
        crash=_REFCOUNT,
    ),
    Slot(
        "HostEntry-get_network_addresses-port",
        "i",
        lambda e, v: _he(e).get_network_addresses(v),
        80,
    ),
    Slot(
        "accept_read-amount",
        "i",
        lambda e, v: e.pending_listener.accept_read(v, LONG_WAIT)[2],
        5,
        crash=_HEAP,
    ),
    Slot("recv_from-amount", "i", lambda e, v: e.udp.recv_from(v, e.loopback(), 0), 10),
    Slot(
        "get_socket_option-option",
        "i",
        lambda e, v: e.tcp.get_socket_option(v),
        "PR_SockOpt_Reuseaddr",
    ),
    Slot(
        "set_socket_option-flag",
        "i",
        lambda e, v: e.tcp.set_socket_option(e.io.PR_SockOpt_Reuseaddr, v),
        1,
    ),
    Slot(
        "set_socket_option-linger_polarity",
        "i",
        lambda e, v: e.tcp.set_socket_option(e.io.PR_SockOpt_Linger, v, 0),
        0,
    ),
    Slot("makefile-buffersize", "i", lambda e, v: e.tcp.makefile("r", v), 1024),
    Slot(
        "import_tcp_socket-osfd", "i", lambda e, v: e.io.Socket.import_tcp_socket(v), -1
    ),
    Slot("htons", "i", lambda e, v: e.io.htons(v), 80),
    # Unsigned 32 bits (python-nss: signed, spec item 17).
    Slot("htonl", "u32", lambda e, v: e.io.htonl(v), 80),
    Slot("ntohl", "u32", lambda e, v: e.io.ntohl(v), 80),
    Slot("ntohs", "i", lambda e, v: e.io.ntohs(v), 80),
    Slot("addr_family_name", "i", lambda e, v: e.io.addr_family_name(v), "PR_AF_INET"),
    Slot("get_proto_by_number", "i", lambda e, v: e.io.get_proto_by_number(v), 6),
    Slot(
        "get_nspr_error_string",
        "i",
        lambda e, v: e.error.get_nspr_error_string(v),
        -5990,
    ),
    # A C unsigned int, cut mod 2**32 (python-nss's code I).
    Slot(
        "CertVerifyError-usages",
        "I",
        lambda e, v: e.error.CertVerifyError(None, 0, v).usages,
        5,
    ),
    # Timeouts, backlog, how, intervals and option sizes: code I, mod 2**32.
    Slot(
        "connect-timeout",
        "I",
        lambda e, v: e.tcp.connect(e.loopback(e.listener.get_sock_name().port), v),
        LONG_WAIT,
    ),
    Slot("accept-timeout", "I", lambda e, v: e.listener.accept(v), 0),
    Slot(
        "accept_read-timeout",
        "I",
        lambda e, v: e.pending_listener.accept_read(5, v)[2],
        LONG_WAIT,
        crash=_HEAP,
    ),
    Slot("recv-timeout", "I", lambda e, v: e.pair[1].recv(1, v), 0),
    Slot("recv_from-timeout", "I", lambda e, v: e.udp.recv_from(1, e.loopback(), v), 0),
    Slot("send-timeout", "I", lambda e, v: e.pair[0].send(b"x", v), 0),
    Slot("sendall-timeout", "I", lambda e, v: e.pair[0].sendall(b"x", v), 0),
    Slot("send_to-timeout", "I", lambda e, v: e.udp.send_to(b"x", _udp_self(e), v), 0),
    Slot(
        "poll-timeout",
        "I",
        lambda e, v: e.io.Socket.poll([(e.pair[1], e.io.PR_POLL_WRITE)], v),
        0,
    ),
    Slot("listen-backlog", "I", lambda e, v: e.tcp.listen(v), 5),
    Slot("shutdown-how", "I", lambda e, v: e.conn[0].shutdown(v), "PR_SHUTDOWN_SEND"),
    Slot("seconds_to_interval", "I", lambda e, v: e.io.seconds_to_interval(v), 5),
    Slot(
        "milliseconds_to_interval",
        "I",
        lambda e, v: e.io.milliseconds_to_interval(v),
        5,
    ),
    Slot(
        "microseconds_to_interval",
        "I",
        lambda e, v: e.io.microseconds_to_interval(v),
        5,
    ),
    Slot("interval_to_seconds", "I", lambda e, v: e.io.interval_to_seconds(v), 5000),
    Slot(
        "interval_to_milliseconds",
        "I",
        lambda e, v: e.io.interval_to_milliseconds(v),
        5,
    ),
    Slot(
        "interval_to_microseconds",
        "I",
        lambda e, v: e.io.interval_to_microseconds(v),
        5,
    ),
    Slot(
        "set_socket_option-size",
        "I",
        lambda e, v: e.tcp.set_socket_option(e.io.PR_SockOpt_SendBufferSize, v),
        8192,
    ),
    Slot(
        "set_socket_option-ttl",
        "I",
        lambda e, v: e.tcp.set_socket_option(e.io.PR_SockOpt_IpTimeToLive, v),
        64,
    ),
    Slot(
        "set_socket_option-linger_interval",
        "I",
        lambda e, v: e.tcp.set_socket_option(e.io.PR_SockOpt_Linger, 0, v),
        0,
    ),
    # Sizes: code l.
    Slot("recv-amount", "l", lambda e, v: e.reader.recv(v, 0), 4),
    Slot("read-size", "l", lambda e, v: e.reader.read(v), 4),
    Slot("readline-size", "l", lambda e, v: e.reader.readline(v), 3),
    Slot("readlines-sizehint", "l", lambda e, v: e.reader.readlines(v), 1),
    Slot("Socket-family-setter", "l", _set_family, "PR_AF_INET6"),
]

TEXT_SLOTS: List[Slot] = [
    Slot("get_proto_by_name", "s", lambda e, v: e.io.get_proto_by_name(v), "tcp"),
    Slot("makefile-mode", "s", lambda e, v: e.tcp.makefile(v), "r"),
    Slot(
        "AddrInfo-hostname", "et", lambda e, v: len(e.io.AddrInfo(v)) > 0, "localhost"
    ),
    Slot(
        "set_from_string-addr", "et", lambda e, v: _set_from_string(e, v), "127.0.0.1"
    ),
    Slot("send-buf", "y", lambda e, v: e.pair[0].send(v), b"x"),
    Slot("sendall-buf", "y", lambda e, v: e.pair[0].sendall(v), b"x"),
    Slot("send_to-buf", "y", lambda e, v: e.udp.send_to(v, _udp_self(e)), b"x"),
    Slot("bind-addr", "addr", lambda e, v: e.tcp.bind(v), None),
    Slot("connect-addr", "addr", lambda e, v: e.tcp.connect(v, 0), None),
    Slot("recv_from-addr", "addr", lambda e, v: e.udp.recv_from(1, v, 0), None),
    Slot("send_to-addr", "addr", lambda e, v: e.udp.send_to(b"x", v), None),
    Slot(
        "set_socket_option-McastInterface",
        "addr",
        lambda e, v: e.udp.set_socket_option(e.io.PR_SockOpt_McastInterface, v),
        None,
    ),
    Slot(
        "set_socket_option-AddMember-group",
        "addr",
        lambda e, v: e.udp.set_socket_option(
            e.io.PR_SockOpt_AddMember, v, e.loopback()
        ),
        None,
    ),
    Slot(
        "set_socket_option-AddMember-interface",
        "addr",
        lambda e, v: e.udp.set_socket_option(
            e.io.PR_SockOpt_AddMember, e.loopback(), v
        ),
        None,
    ),
]

# Values of the wrong type, by format code.
_NOT_INT: Sequence[Tuple[str, Any]] = (
    ("None", None),
    ("str", "7"),
    ("bytes", b"7"),
    ("float", 7.0),
    ("object", object()),
    ("list", [7]),
)
_WRONG: Dict[str, Sequence[Tuple[str, Any]]] = {
    "i": _NOT_INT,
    "I": _NOT_INT,
    "l": _NOT_INT,
    "u32": _NOT_INT,
    "s": (
        ("None", None),
        ("int", 7),
        ("bytes", b"tcp"),
        ("float", 7.0),
        ("bytearray", bytearray(b"r")),
    ),
    "et": (
        ("None", None),
        ("int", 7),
        ("float", 7.0),
        ("object", object()),
        ("memoryview", memoryview(b"localhost")),
    ),
    "y": (
        ("None", None),
        ("str", "x"),
        ("int", 7),
        ("float", 7.0),
        ("bytearray", bytearray(b"x")),
        ("memoryview", memoryview(b"x")),
    ),
    "addr": (
        ("None", None),
        ("str", "127.0.0.1"),
        ("int", 7),
        ("bytes", b"127.0.0.1"),
        ("tuple", ("127.0.0.1", 80)),
    ),
}
# Other types a code accepts, with the outcome of the plain value.
_ALSO_ACCEPTED: Dict[str, Sequence[Tuple[str, Callable[[Any], Any]]]] = {
    "et": (
        ("bytes", lambda text: text.encode()),
        ("bytearray", lambda text: bytearray(text.encode())),
    ),
}
_INT_CODES = ("i", "I", "l", "u32")
_HUGE_SIGNED: Dict[str, Sequence[Tuple[str, int]]] = {
    "u32": (("2e32", 2**32), ("2e64", 2**64), ("-2e64", -(2**64))),
    "i": (
        ("2e31", 2**31),
        ("-2e31-1", -(2**31) - 1),
        ("2e64", 2**64),
        ("-2e64", -(2**64)),
    ),
    "l": (
        ("2e63", 2**63),
        ("-2e63-1", -(2**63) - 1),
        ("2e64", 2**64),
        ("2e100", 2**100),
    ),
}
# Code I: these equal ``good`` mod 2**32.
_HUGE_UNSIGNED: Sequence[Tuple[str, int]] = (
    ("plus2e32", 2**32),
    ("plus2e64", 2**64),
    ("minus2e32", -(2**32)),
    ("plus2e100", 2**100),
)


def _slot_cases() -> List[Case]:
    cases: List[Case] = []
    for slot in INT_SLOTS + TEXT_SLOTS:

        def add(
            label: str,
            category: str,
            call: Callable[[Env], Any],
            expect: Any,
            goes_through: bool = False,
            slot: Slot = slot,
        ) -> None:
            crash = slot.crash if goes_through else None
            cases.append(
                Case(
                    "%s-%s" % (slot.name, label),
                    category,
                    call,
                    expect,
                    crash,
                    crash is not None,
                )
            )

        plain = SameAs(_bound_with(slot, lambda good: good), "the plain value")
        for label, bad in _WRONG[slot.code]:
            add(label, "wrong types", _bound(slot.call, bad), TYPE_ERROR)
        for label, convert in _ALSO_ACCEPTED.get(slot.code, ()):
            add(label, "wrong types", _bound_with(slot, convert), plain, True)
        if slot.code in _INT_CODES:
            add("index", "__index__ objects", _bound_with(slot, Index), plain, True)
        for label, huge in _HUGE_SIGNED.get(slot.code, ()):
            add(label, "huge ints", _bound(slot.call, huge), OVERFLOW)
        if slot.code == "I":
            for label, offset in _HUGE_UNSIGNED:
                add(
                    label,
                    "huge ints",
                    _bound_with(slot, _plus(offset)),
                    plain,
                    True,
                )
    return cases


def _plus(offset: int) -> Callable[[int], int]:
    return lambda good: good + offset


def _bound(call: Call, value: Any) -> Callable[[Env], Any]:
    return lambda env: call(env, value)


def _bound_with(slot: Slot, convert: Callable[[Any], Any]) -> Callable[[Env], Any]:
    return lambda env: slot.call(env, convert(slot.good_value(env.io)))


# -- written-out cases -------------------------------------------------------------

LONG_NAME_LABELS = ("a" * 60 + ".") * 165 + "invalid"  # 10 KB of valid labels
LONG_LABEL = "a" * 10_000  # one label, far over the 63 characters idna allows


def _is_bytes(expected: bytes) -> Callable[[Any], bool]:
    return lambda value: value == expected


def _addr_port(expected: int) -> Callable[[Any], bool]:
    return lambda value: value.port == expected


def _poll(env: Env, descs: Any, timeout: Any = 0) -> Any:
    return env.io.Socket.poll(descs, timeout)


def _recv_zero(env: Env) -> Any:
    return env.pair[1].recv(0, 0)


def _mcast_group(env: Env) -> Any:
    group = env.io.NetworkAddress()
    group.set_from_string("224.0.0.251")
    return group


def _closed(env: Env) -> Any:
    sock = env.socket()
    sock.close()
    return sock


SIZE_CASES = [
    Case(
        "recv-negative",
        "negative sizes",
        lambda e: e.reader.recv(-1, 0),
        VALUE_ERROR,
        difference="recv(n < 0) raises ValueError (python-nss: SystemError)",
    ),
    Case(
        "recv_from-negative",
        "negative sizes",
        lambda e: e.udp.recv_from(-1, e.loopback(), 0),
        VALUE_ERROR,
        difference="recv_from(n < 0) raises ValueError (python-nss: SystemError)",
    ),
    Case(
        "accept_read-negative",
        "negative sizes",
        lambda e: e.pending_listener.accept_read(-1, LONG_WAIT),
        VALUE_ERROR,
        difference="accept_read(n < 0) raises ValueError (python-nss: SystemError)",
    ),
    Case(
        "read-negative",
        "negative sizes",
        lambda e: e.reader.read(-7),
        _value(_is_bytes(Env.PAIR_DATA), "everything until EOF"),
    ),
    Case(
        "readline-negative",
        "negative sizes",
        lambda e: e.reader.readline(-1),
        _value(_is_bytes(b"line1\n"), "a whole line"),
    ),
    Case(
        "readlines-negative",
        "negative sizes",
        lambda e: e.reader.readlines(-1)[:2],
        _value(lambda v: v == [b"line1\n", b"line2\n"], "every line"),
    ),
    Case(
        "listen-negative",
        "negative sizes",
        lambda e: e.tcp.listen(-1),
        _value(lambda v: v is None, "None"),
    ),
    Case(
        "makefile-negative",
        "negative sizes",
        lambda e: e.tcp.makefile("r", -5) is not None,
        _value(bool, "a file"),
    ),
    Case(
        "SendBufferSize-negative",
        "negative sizes",
        lambda e: e.tcp.set_socket_option(e.io.PR_SockOpt_SendBufferSize, -1),
        _value(lambda v: v is None, "None"),
    ),
    Case(
        "send-empty",
        "negative sizes",
        lambda e: e.pair[0].send(b""),
        _value(lambda v: v == 0, "0"),
    ),
    Case(
        "recv-zero-nothing-queued",
        "recv(0), recv(2**31)",
        _recv_zero,
        _nspr("PR_IO_TIMEOUT_ERROR"),
    ),
    Case(
        "recv-zero-data-queued",
        "recv(0), recv(2**31)",
        lambda e: e.reader.recv(0, 0),
        _value(_is_bytes(b""), "b''"),
    ),
    Case(
        "recv_from-zero",
        "recv(0), recv(2**31)",
        lambda e: e.udp.recv_from(0, e.loopback(), 0),
        _nspr("PR_IO_TIMEOUT_ERROR"),
    ),
    Case(
        "accept_read-zero",
        "recv(0), recv(2**31)",
        lambda e: e.pending_listener.accept_read(0, LONG_WAIT)[2],
        _value(_is_bytes(b""), "b''"),
        difference=_HEAP,
        crashes=True,
    ),
    Case(
        "read-zero",
        "recv(0), recv(2**31)",
        lambda e: e.reader.read(0),
        _value(_is_bytes(b""), "b''"),
    ),
    Case(
        "recv-2e31",
        "recv(0), recv(2**31)",
        lambda e: e.reader.recv(2**31, 0),
        _value(_is_bytes(Env.PAIR_DATA), "what is queued"),
    ),
    Case(
        "recv-2e63-1",
        "recv(0), recv(2**31)",
        lambda e: e.reader.recv(2**63 - 1, 0),
        _value(_is_bytes(Env.PAIR_DATA), "what is queued"),
        difference=_HUGE_READ,
    ),
    Case(
        "recv-2e40",
        "recv(0), recv(2**31)",
        lambda e: e.reader.recv(2**40, 0),
        _value(_is_bytes(Env.PAIR_DATA), "what is queued"),
        difference=_HUGE_READ,
    ),
    Case(
        "read-2e40",
        "recv(0), recv(2**31)",
        lambda e: e.reader.read(2**40),
        _value(_is_bytes(Env.PAIR_DATA), "what is queued"),
        difference=_HUGE_READ,
    ),
    Case(
        "read-2e31",
        "recv(0), recv(2**31)",
        lambda e: e.reader.read(2**31),
        _value(_is_bytes(Env.PAIR_DATA), "what is queued"),
    ),
    Case(
        "readline-2e40",
        "recv(0), recv(2**31)",
        lambda e: e.reader.readline(2**40),
        _value(_is_bytes(b"line1\n"), "a line"),
    ),
    Case(
        "recv_from-2e31-1",
        "recv(0), recv(2**31)",
        lambda e: e.udp.recv_from(2**31 - 1, e.loopback(), 0),
        _nspr("PR_IO_TIMEOUT_ERROR"),
    ),
    Case(
        "accept_read-2e31-1",
        "recv(0), recv(2**31)",
        lambda e: e.pending_listener.accept_read(2**31 - 1, LONG_WAIT)[2],
        _value(_is_bytes(b"hello"), "b'hello'"),
        difference=_HEAP,
        crashes=True,
    ),
]

NAME_CASES = [
    Case(
        "AddrInfo-nul", "host names", lambda e: e.io.AddrInfo("local\0host"), TYPE_ERROR
    ),
    Case(
        "AddrInfo-nul-bytes",
        "host names",
        lambda e: e.io.AddrInfo(b"local\0host"),
        TYPE_ERROR,
    ),
    Case(
        "AddrInfo-nul-bytearray",
        "host names",
        lambda e: e.io.AddrInfo(bytearray(b"localhost\0")),
        TYPE_ERROR,
    ),
    Case(
        "HostEntry-nul-cuts",
        "host names",
        lambda e: e.io.HostEntry("localhost\0junk").hostname,
        _value(lambda v: v == "localhost", "'localhost'"),
    ),
    Case(
        "set_from_string-nul",
        "host names",
        lambda e: _set_from_string(e, "127.0.0.1\0"),
        TYPE_ERROR,
    ),
    Case(
        "NetworkAddress-nul-cuts",
        "host names",
        lambda e: e.io.NetworkAddress("localhost\0junk", 5),
        _value(lambda v: v.address == "127.0.0.1" and v.port == 5, "localhost, port 5"),
    ),
    Case(
        "NetworkAddress-nul-numeric",
        "host names",
        lambda e: e.io.NetworkAddress("127.0.0.1\0", 5).address,
        _value(lambda v: v == "127.0.0.1", "127.0.0.1"),
    ),
    Case(
        "get_proto_by_name-nul",
        "host names",
        lambda e: e.io.get_proto_by_name("tcp\0"),
        VALUE_ERROR,
    ),
    Case(
        "AddrInfo-10k-label",
        "host names",
        lambda e: e.io.AddrInfo(LONG_LABEL),
        IDNA_ERROR,
    ),
    Case(
        "AddrInfo-10k-labels",
        "host names",
        lambda e: e.io.AddrInfo(LONG_NAME_LABELS),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
    ),
    Case(
        "AddrInfo-10k-bytes",
        "host names",
        lambda e: e.io.AddrInfo(b"a" * 10_000),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
    ),
    Case(
        "HostEntry-10k-label",
        "host names",
        lambda e: e.io.HostEntry(LONG_LABEL),
        IDNA_ERROR,
    ),
    Case(
        "HostEntry-10k-labels",
        "host names",
        lambda e: e.io.HostEntry(LONG_NAME_LABELS),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
    ),
    Case(
        "NetworkAddress-10k-label",
        "host names",
        lambda e: e.io.NetworkAddress(LONG_LABEL),
        IDNA_ERROR,
    ),
    Case(
        "NetworkAddress-10k-labels",
        "host names",
        lambda e: e.io.NetworkAddress(LONG_NAME_LABELS),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
    ),
    Case(
        "set_from_string-10k-bytes",
        "host names",
        lambda e: _set_from_string(e, b"a" * 10_000),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
    ),
    Case(
        "get_proto_by_name-10k",
        "host names",
        lambda e: e.io.get_proto_by_name("x" * 10_000),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
        difference="an unknown protocol raises PR_DIRECTORY_LOOKUP_ERROR (python-nss: the last entry of /etc/protocols)",
    ),
    Case(
        "AddrInfo-non-ascii-bytes",
        "host names",
        lambda e: e.io.AddrInfo(b"\xff\xfe"),
        Raises("UnicodeDecodeError"),
    ),
    Case(
        "AddrInfo-lone-surrogate",
        "host names",
        lambda e: e.io.AddrInfo("\udcff"),
        IDNA_ERROR,
    ),
    Case(
        "AddrInfo-empty",
        "host names",
        lambda e: e.io.AddrInfo(""),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
    ),
]

BUFFER_CASES = [
    Case(
        "send-bytes-subclass",
        "bytearray and memoryview buffers",
        lambda e: e.pair[0].send(type("B", (bytes,), {})(b"xy")),
        _value(lambda v: v == 2, "2"),
    ),
    Case(
        "AddrInfo-memoryview",
        "bytearray and memoryview buffers",
        lambda e: e.io.AddrInfo(memoryview(b"localhost")),
        TYPE_ERROR,
    ),
    Case(
        "send-large-bytearray",
        "bytearray and memoryview buffers",
        lambda e: e.pair[0].send(bytearray(100_000)),
        TYPE_ERROR,
    ),
    Case(
        "sendall-memoryview-slice",
        "bytearray and memoryview buffers",
        lambda e: e.pair[0].sendall(memoryview(b"abcdef")[2:]),
        TYPE_ERROR,
    ),
    Case(
        "send_to-memoryview",
        "bytearray and memoryview buffers",
        lambda e: e.udp.send_to(memoryview(b"x"), _udp_self(e)),
        TYPE_ERROR,
    ),
]


def _sock(env: Env) -> Any:
    return env.pair[1]


POLL_CASES = [
    Case("poll-None", "garbage poll descriptors", lambda e: _poll(e, None), TYPE_ERROR),
    Case("poll-int", "garbage poll descriptors", lambda e: _poll(e, 5), TYPE_ERROR),
    Case(
        "poll-dict",
        "garbage poll descriptors",
        lambda e: _poll(e, {_sock(e): 1}),
        TYPE_ERROR,
    ),
    Case(
        "poll-set", "garbage poll descriptors", lambda e: _poll(e, {1, 2}), TYPE_ERROR
    ),
    Case(
        "poll-generator",
        "garbage poll descriptors",
        lambda e: _poll(e, ((_sock(e), 1) for _ in range(1))),
        TYPE_ERROR,
    ),
    Case("poll-str", "garbage poll descriptors", lambda e: _poll(e, "ab"), TYPE_ERROR),
    Case(
        "poll-item-None",
        "garbage poll descriptors",
        lambda e: _poll(e, [None]),
        TYPE_ERROR,
    ),
    Case(
        "poll-item-socket",
        "garbage poll descriptors",
        lambda e: _poll(e, [_sock(e)]),
        TYPE_ERROR,
    ),
    Case(
        "poll-item-not-socket",
        "garbage poll descriptors",
        lambda e: _poll(e, [(None, 1)]),
        TYPE_ERROR,
    ),
    Case(
        "poll-item-fd",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e).fileno(), 1)]),
        TYPE_ERROR,
    ),
    Case(
        "poll-item-short",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e),)]),
        Raises("IndexError"),
    ),
    Case(
        "poll-item-empty",
        "garbage poll descriptors",
        lambda e: _poll(e, [()]),
        Raises("IndexError"),
    ),
    Case(
        "poll-flags-None",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), None)]),
        TYPE_ERROR,
    ),
    Case(
        "poll-flags-float",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), 1.0)]),
        TYPE_ERROR,
    ),
    Case(
        "poll-flags-0x10000",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), 0x10000)]),
        TYPE_ERROR,
    ),
    Case(
        "poll-flags-2e40",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), 2**40)]),
        TYPE_ERROR,
    ),
    Case(
        "poll-flags-2e64",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), 2**64)]),
        OVERFLOW,
    ),
    Case(
        "poll-flags-index",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), Index(2))]),
        _value(lambda v: v == (2,), "(PR_POLL_WRITE,)"),
    ),
    Case(
        "poll-flags-minus1",
        "garbage poll descriptors",
        lambda e: len(_poll(e, [(_sock(e), -1)])),
        _value(lambda v: v == 1, "one flag word"),
    ),
    Case(
        "poll-flags-all-bits",
        "garbage poll descriptors",
        lambda e: len(_poll(e, [(_sock(e), 0x7FFF)])),
        _value(lambda v: v == 1, "one flag word"),
    ),
    Case(
        "poll-extra-items",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), 2, "junk", None)]),
        _value(lambda v: v == (2,), "(PR_POLL_WRITE,)"),
    ),
    Case(
        "poll-closed-socket",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_closed(e), 1)]),
        _value(lambda v: v == (0,), "(0,)"),
    ),
    Case(
        "poll-uninitialised-socket",
        "garbage poll descriptors",
        lambda e: _poll(e, [(e.io.Socket.__new__(e.io.Socket), 1)]),
        _value(lambda v: v == (0,), "(0,)"),
    ),
    Case(
        "poll-same-socket-twice",
        "garbage poll descriptors",
        lambda e: _poll(e, [(_sock(e), 2), (_sock(e), 1)]),
        _value(lambda v: v[0] == 2, "WRITE for the first"),
    ),
    Case(
        "poll-1000-entries",
        "garbage poll descriptors",
        lambda e: len(_poll(e, [(_sock(e), 2)] * 1000)),
        _value(lambda v: v == 1000, "1000 flag words"),
    ),
    Case(
        "poll-empty",
        "garbage poll descriptors",
        lambda e: _poll(e, [], 0),
        _value(lambda v: v == (), "()"),
    ),
    Case(
        "poll-tuple-of-lists",
        "garbage poll descriptors",
        lambda e: _poll(e, ([_sock(e), 2],)),
        _value(lambda v: v == (2,), "(PR_POLL_WRITE,)"),
    ),
]


def _set_on_udp(option: str, values: Tuple[Any, ...]) -> Callable[[Env], Any]:
    def call(env: Env) -> Any:
        return env.udp.set_socket_option(getattr(env.io, option), *values)

    return call


def _option_cases() -> List[Case]:
    """Every option number 0..15 with missing, extra and wrongly shaped values."""
    names = (
        "Nonblocking Linger Reuseaddr Keepalive RecvBufferSize SendBufferSize IpTimeToLive "
        "IpTypeOfService AddMember DropMember McastInterface McastTimeToLive McastLoopback "
        "NoDelay MaxSegment Broadcast"
    ).split()
    two_values = ("Linger", "AddMember", "DropMember")
    cases: List[Case] = []
    for name in names:
        option = "PR_SockOpt_%s" % name

        count = 2 if name in two_values else 1
        shapes: List[Tuple[str, Tuple[Any, ...]]] = [
            ("no-value", ()),
            ("extra-value", (1,) * (count + 1)),
            ("None", (None,) * count),
            ("str", ("1",) * count),
        ]
        if name in two_values:
            shapes.append(("tuple", ((1, 2),)))
        for label, values in shapes:
            cases.append(
                Case(
                    "set-%s-%s" % (name, label),
                    "socket option shapes",
                    _set_on_udp(option, values),
                    TYPE_ERROR,
                )
            )
    cases += [
        Case(
            "set-flag-2e40",
            "socket option shapes",
            lambda e: e.udp.set_socket_option(e.io.PR_SockOpt_Reuseaddr, 2**40),
            OVERFLOW,
        ),
        Case(
            "set-size-2e64",
            "socket option shapes",
            lambda e: e.udp.set_socket_option(
                e.io.PR_SockOpt_RecvBufferSize, 2**64 + 4096
            ),
            SameAs(
                lambda e: e.udp.set_socket_option(e.io.PR_SockOpt_RecvBufferSize, 4096),
                "4096",
            ),
        ),
        Case(
            "set-ttl-300",
            "socket option shapes",
            lambda e: e.udp.set_socket_option(e.io.PR_SockOpt_IpTimeToLive, 300),
            _nspr("PR_BUFFER_OVERFLOW_ERROR"),
        ),
        Case(
            "set-linger-interval-float",
            "socket option shapes",
            lambda e: e.tcp.set_socket_option(e.io.PR_SockOpt_Linger, True, 1.5),
            TYPE_ERROR,
        ),
        Case(
            "set-McastInterface-int",
            "socket option shapes",
            lambda e: e.udp.set_socket_option(e.io.PR_SockOpt_McastInterface, 0),
            TYPE_ERROR,
        ),
        Case(
            "set-AddMember-unicast-group",
            "socket option shapes",
            lambda e: e.udp.set_socket_option(
                e.io.PR_SockOpt_AddMember, e.loopback(), e.loopback()
            ),
            _nspr("PR_BUFFER_OVERFLOW_ERROR"),
        ),
        Case(
            "set-AddMember-ipv6-group",
            "socket option shapes",
            lambda e: e.udp.set_socket_option(
                e.io.PR_SockOpt_AddMember, e.loopback6(), e.loopback()
            ),
            Raises("NSPRError"),
        ),
        Case(
            "set-AddMember-on-tcp",
            "socket option shapes",
            lambda e: e.tcp.set_socket_option(
                e.io.PR_SockOpt_AddMember, _mcast_group(e), e.loopback()
            ),
            Raises("NSPRError"),
        ),
        Case(
            "set-DropMember-not-member",
            "socket option shapes",
            lambda e: e.udp.set_socket_option(
                e.io.PR_SockOpt_DropMember, _mcast_group(e), e.loopback()
            ),
            Raises("NSPRError"),
        ),
        Case(
            "get-AddMember",
            "socket option shapes",
            lambda e: e.udp.get_socket_option(e.io.PR_SockOpt_AddMember),
            _nspr("PR_INVALID_ARGUMENT_ERROR"),
        ),
        Case(
            "get-DropMember",
            "socket option shapes",
            lambda e: e.udp.get_socket_option(e.io.PR_SockOpt_DropMember),
            _nspr("PR_INVALID_ARGUMENT_ERROR"),
        ),
        Case(
            "get-NoDelay-on-udp",
            "socket option shapes",
            lambda e: e.udp.get_socket_option(e.io.PR_SockOpt_NoDelay),
            _nspr("PR_NOT_TCP_SOCKET_ERROR"),
        ),
        Case(
            "get-MaxSegment-on-udp",
            "socket option shapes",
            lambda e: e.udp.get_socket_option(e.io.PR_SockOpt_MaxSegment),
            _nspr("PR_NOT_TCP_SOCKET_ERROR"),
        ),
        Case(
            "get-McastTimeToLive-on-tcp",
            "socket option shapes",
            lambda e: e.tcp.get_socket_option(e.io.PR_SockOpt_McastTimeToLive),
            _value(lambda v: isinstance(v, int), "an int"),
        ),
        Case(
            "get-option-extra-arg",
            "socket option shapes",
            lambda e: e.tcp.get_socket_option(e.io.PR_SockOpt_Reuseaddr, 1),
            TYPE_ERROR,
        ),
        Case(
            "set-option-no-args",
            "socket option shapes",
            lambda e: e.tcp.set_socket_option(),
            TYPE_ERROR,
        ),
    ]
    return cases


PORT_CASES = [
    Case(
        "NetworkAddress-port-65536",
        "ports outside 0..65535",
        lambda e: e.loopback(65536),
        _value(_addr_port(0), "port 0"),
    ),
    Case(
        "NetworkAddress-port-70000",
        "ports outside 0..65535",
        lambda e: e.loopback(70000),
        _value(_addr_port(4464), "port 4464"),
    ),
    Case(
        "NetworkAddress-port-minus1",
        "ports outside 0..65535",
        lambda e: e.loopback(-1),
        _value(_addr_port(65535), "port 65535"),
    ),
    Case(
        "NetworkAddress-port-min-int",
        "ports outside 0..65535",
        lambda e: e.loopback(-(2**31)),
        _value(_addr_port(0), "port 0"),
    ),
    Case(
        "port-setter-70000",
        "ports outside 0..65535",
        lambda e: _set_port(e, 70000),
        _value(lambda v: v == 4464, "4464"),
    ),
    Case(
        "port-setter-minus70000",
        "ports outside 0..65535",
        lambda e: _set_port(e, -70000),
        _value(lambda v: v == (-70000) & 0xFFFF, "-70000 & 0xFFFF"),
    ),
    Case(
        "port-setter-2e31",
        "ports outside 0..65535",
        lambda e: _set_port(e, 2**31),
        _value(lambda v: v == 0, "0"),
    ),
    Case(
        "port-setter-2e63",
        "ports outside 0..65535",
        lambda e: _set_port(e, 2**63),
        OVERFLOW,
        difference="port = 2**63 raises OverflowError at once (python-nss leaves the error pending)",
    ),
    Case(
        "port-setter-minus2e64",
        "ports outside 0..65535",
        lambda e: _set_port(e, -(2**64)),
        OVERFLOW,
        difference="port = -2**64 raises OverflowError at once (python-nss leaves the error pending)",
    ),
    Case(
        "port-setter-index",
        "ports outside 0..65535",
        lambda e: _set_port(e, Index(5)),
        TYPE_ERROR,
    ),
    Case(
        "port-setter-float",
        "ports outside 0..65535",
        lambda e: _set_port(e, 5.0),
        TYPE_ERROR,
    ),
    Case(
        "port-setter-None",
        "ports outside 0..65535",
        lambda e: _set_port(e, None),
        TYPE_ERROR,
    ),
    Case(
        "port-delete",
        "ports outside 0..65535",
        lambda e: delattr(e.loopback(), "port"),
        TYPE_ERROR,
    ),
    Case(
        "get_network_address-port-70000",
        "ports outside 0..65535",
        lambda e: _he(e).get_network_address(70000),
        _value(_addr_port(4464), "port 4464"),
        difference="get_network_address(port) honours the port",
    ),
    Case(
        "bind-port-wraps",
        "ports outside 0..65535",
        lambda e: e.tcp.bind(e.loopback(65536)) or e.tcp.get_sock_name().port > 0,
        _value(bool, "an ephemeral port"),
    ),
]

FAMILY_CASES = [
    Case(
        "Socket-family-99",
        "unknown families and options",
        lambda e: e.io.Socket(99),
        _nspr("PR_ADDRESS_NOT_SUPPORTED_ERROR"),
    ),
    Case(
        "Socket-family-unspec",
        "unknown families and options",
        lambda e: e.io.Socket(e.io.PR_AF_UNSPEC),
        _nspr("PR_ADDRESS_NOT_SUPPORTED_ERROR"),
    ),
    Case(
        "Socket-family-minus1",
        "unknown families and options",
        lambda e: e.io.Socket(-1),
        _nspr("PR_ADDRESS_NOT_SUPPORTED_ERROR"),
    ),
    Case(
        "Socket-family-2e40",
        "unknown families and options",
        lambda e: e.io.Socket(2**40),
        _nspr("PR_ADDRESS_NOT_SUPPORTED_ERROR"),
    ),
    Case(
        "Socket-family-2e32-plus-inet",
        "unknown families and options",
        lambda e: e.io.Socket(2**32 + 2).family,
        _value(lambda v: v == 2, "PR_AF_INET"),
    ),
    Case(
        "Socket-family-None",
        "unknown families and options",
        lambda e: e.io.Socket(None),
        TYPE_ERROR,
    ),
    Case(
        "Socket-family-str",
        "unknown families and options",
        lambda e: e.io.Socket("2"),
        TYPE_ERROR,
    ),
    Case(
        "Socket-family-index",
        "unknown families and options",
        lambda e: e.io.Socket(Index(2)),
        TYPE_ERROR,
    ),
    Case(
        "Socket-family-float",
        "wrong types",
        lambda e: e.io.Socket(2.0),
        TYPE_ERROR,
    ),
    Case(
        "Socket-family-bytes",
        "wrong types",
        lambda e: e.io.Socket(b"2"),
        TYPE_ERROR,
    ),
    Case(
        "NetworkAddress-addr-object",
        "wrong types",
        lambda e: e.io.NetworkAddress(object()),
        VALUE_ERROR,
    ),
    Case(
        "HostEntry-addr-None",
        "wrong types",
        lambda e: e.io.HostEntry(None),
        TYPE_ERROR,
    ),
    Case(
        "HostEntry-addr-bytes",
        "wrong types",
        lambda e: e.io.HostEntry(b"localhost"),
        TYPE_ERROR,
    ),
    Case(
        "HostEntry-addr-int",
        "wrong types",
        lambda e: e.io.HostEntry(2130706433),
        TYPE_ERROR,
    ),
    Case(
        "AddrInfo-index-str",
        "wrong types",
        lambda e: e.io.AddrInfo("localhost")["0"],
        TYPE_ERROR,
    ),
    Case(
        "AddrInfo-index-float",
        "wrong types",
        lambda e: e.io.AddrInfo("localhost")[0.0],
        TYPE_ERROR,
    ),
    Case(
        "AddrInfo-index-slice",
        "wrong types",
        lambda e: e.io.AddrInfo("localhost")[0:1],
        TYPE_ERROR,
    ),
    Case(
        "AddrInfo-index-2e64",
        "huge ints",
        lambda e: e.io.AddrInfo("localhost")[2**64],
        Raises("IndexError"),
    ),
    Case(
        "HostEntry-index-None",
        "wrong types",
        lambda e: _he(e)[None],
        TYPE_ERROR,
    ),
    Case(
        "HostEntry-index-minus-2e64",
        "huge ints",
        lambda e: _he(e)[-(2**64)],
        Raises("IndexError"),
    ),
    Case(
        "interval_now-argument",
        "wrong types",
        lambda e: e.io.interval_now(5),
        TYPE_ERROR,
    ),
    Case(
        "ticks_per_second-argument",
        "wrong types",
        lambda e: e.io.ticks_per_second(None),
        TYPE_ERROR,
    ),
    Case(
        "new_tcp_pair-argument",
        "wrong types",
        lambda e: e.io.Socket.new_tcp_pair(1),
        TYPE_ERROR,
    ),
    Case(
        "import_tcp_socket-unused-fd",
        "unknown families and options",
        lambda e: e.io.Socket.import_tcp_socket(1_000_000),
        _nspr("PR_BAD_DESCRIPTOR_ERROR"),
    ),
    Case(
        "htonl-2e31",
        "huge ints",
        lambda e: e.io.htonl(2**31),
        _value(lambda v: v == 128, "128"),
        difference="htonl() is unsigned, as socket.htonl (python-nss: OverflowError)",
    ),
    Case(
        "htonl-minus1",
        "huge ints",
        lambda e: e.io.htonl(-1),
        OVERFLOW,
        difference="htonl() is unsigned, as socket.htonl (python-nss: a value)",
    ),
    Case(
        "Socket-type-4",
        "unknown families and options",
        lambda e: e.io.Socket(2, 4),
        VALUE_ERROR,
    ),
    Case(
        "Socket-type-minus1",
        "unknown families and options",
        lambda e: e.io.Socket(2, -1),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-family-99",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(e.io.PR_IpAddrLoopback, 0, 99),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-family-local",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(e.io.PR_IpAddrAny, 0, e.io.PR_AF_LOCAL),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-addr-None",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(None),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-addr-bytes",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(b"127.0.0.1"),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-addr-float",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(1.0),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-addr-7",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(7),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-addr-2e64",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(2**64),
        VALUE_ERROR,
    ),
    Case(
        "NetworkAddress-addr-V4Mapped",
        "unknown families and options",
        lambda e: e.io.NetworkAddress(e.io.PR_IpAddrV4Mapped),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "set_from_string-family-99",
        "unknown families and options",
        lambda e: _set_from_string(e, "127.0.0.1", 99),
        VALUE_ERROR,
    ),
    Case(
        "AddrInfo-family-99",
        "unknown families and options",
        lambda e: e.io.AddrInfo("localhost", 99),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "AddrInfo-family-inet6",
        "unknown families and options",
        lambda e: e.io.AddrInfo("localhost", e.io.PR_AF_INET6),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "AddrInfo-flags-99",
        "unknown families and options",
        lambda e: e.io.AddrInfo("localhost", 0, 99),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "addr_family_name-99",
        "unknown families and options",
        lambda e: e.io.addr_family_name(99),
        _value(lambda v: v == "unknown(0x63)", "'unknown(0x63)'"),
    ),
    Case(
        "addr_family_name-minus1",
        "unknown families and options",
        lambda e: e.io.addr_family_name(-1),
        _value(lambda v: v == "unknown(0xffffffff)", "'unknown(0xffffffff)'"),
    ),
    Case(
        "family-99-then-bind",
        "unknown families and options",
        lambda e: _set_family(e, 99) and e.tcp.bind(e.loopback()),
        VALUE_ERROR,
    ),
    Case(
        "family-99-str",
        "unknown families and options",
        lambda e: _set_family(e, 99) and str(e.tcp),
        _value(
            lambda v: v == "family=unknown(0x63) type=PR_DESC_SOCKET_TCP",
            "unknown(0x63)",
        ),
    ),
    Case(
        "family-2e40",
        "unknown families and options",
        lambda e: _set_family(e, 2**40 + 10),
        _value(lambda v: v == 10, "10 (truncated)"),
    ),
    Case(
        "family-2e64",
        "unknown families and options",
        lambda e: _set_family(e, 2**64),
        OVERFLOW,
    ),
    Case(
        "family-delete",
        "unknown families and options",
        lambda e: delattr(e.tcp, "family"),
        TYPE_ERROR,
    ),
    Case(
        "get_proto_by_number-99999",
        "unknown families and options",
        lambda e: e.io.get_proto_by_number(99999),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
        difference="an unknown protocol raises PR_DIRECTORY_LOOKUP_ERROR (python-nss: the last entry of /etc/protocols)",
    ),
    Case(
        "get_proto_by_number-minus1",
        "unknown families and options",
        lambda e: e.io.get_proto_by_number(-1),
        _nspr("PR_DIRECTORY_LOOKUP_ERROR"),
        difference="an unknown protocol raises PR_DIRECTORY_LOOKUP_ERROR (python-nss: the last entry of /etc/protocols)",
    ),
    Case(
        "shutdown-99",
        "unknown families and options",
        lambda e: e.conn[0].shutdown(99),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "shutdown-minus1",
        "unknown families and options",
        lambda e: e.conn[0].shutdown(-1),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "get-option-16",
        "unknown families and options",
        lambda e: e.tcp.get_socket_option(16),
        VALUE_ERROR,
    ),
    Case(
        "get-option-18",
        "unknown families and options",
        lambda e: e.tcp.get_socket_option(18),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "get-option-99",
        "unknown families and options",
        lambda e: e.tcp.get_socket_option(99),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "get-option-minus1",
        "unknown families and options",
        lambda e: e.tcp.get_socket_option(-1),
        _nspr("PR_INVALID_ARGUMENT_ERROR"),
    ),
    Case(
        "set-option-16",
        "unknown families and options",
        lambda e: e.tcp.set_socket_option(16, 1),
        VALUE_ERROR,
    ),
    Case(
        "set-option-99",
        "unknown families and options",
        lambda e: e.tcp.set_socket_option(99, 1),
        VALUE_ERROR,
    ),
    Case(
        "set-option-minus1",
        "unknown families and options",
        lambda e: e.tcp.set_socket_option(-1, 1),
        VALUE_ERROR,
    ),
    Case(
        "set-option-2e64",
        "unknown families and options",
        lambda e: e.tcp.set_socket_option(2**64, 1),
        VALUE_ERROR,
    ),
    Case(
        "set-option-None",
        "unknown families and options",
        lambda e: e.tcp.set_socket_option(None, 1),
        TYPE_ERROR,
    ),
    Case(
        "set-option-str",
        "unknown families and options",
        lambda e: e.tcp.set_socket_option("2", 1),
        TYPE_ERROR,
    ),
    Case(
        "set-option-index",
        "unknown families and options",
        lambda e: e.tcp.set_socket_option(Index(2), 1),
        TYPE_ERROR,
    ),
    Case(
        "NSPRError-code-str",
        "unknown families and options",
        lambda e: e.error.NSPRError("m", "x"),
        TYPE_ERROR,
    ),
    Case(
        "NSPRError-message-bytes",
        "unknown families and options",
        lambda e: e.error.NSPRError(b"m", 1),
        TYPE_ERROR,
    ),
    Case(
        "NSPRError-code-2e64",
        "unknown families and options",
        lambda e: e.error.NSPRError("m", 2**64 - 5990).errno,
        OVERFLOW,
        difference="NSPRError(code) with a code beyond a C long raises OverflowError "
        "(python-nss: SystemError)",
    ),
    Case(
        "NSPRError-code-2e40",
        "unknown families and options",
        lambda e: e.error.NSPRError("m", 2**40 - 5990).errno,
        _value(lambda v: v == -5990, "-5990 (cut to a C int)"),
    ),
    Case(
        "NSPRError-code-unknown",
        "unknown families and options",
        lambda e: str(e.error.NSPRError(None, 12345)),
        _value(lambda v: v == "error (12345) unknown", "'error (12345) unknown'"),
    ),
]

CASES: List[Case] = (
    _slot_cases()
    + SIZE_CASES
    + NAME_CASES
    + BUFFER_CASES
    + POLL_CASES
    + _option_cases()
    + PORT_CASES
    + FAMILY_CASES
)
