"""The stdlib backend: NSPR's socket primitives emulated on ``socket``/``select``.

For machines without NSPR. Every primitive makes the same system call NSPR
makes, with the same arguments, and reports its failure with the code NSPR's
``unix_errors.c`` gives that ``errno`` for that call (one translation point,
``_translate`` in ``_stdlib_errors``; the table is checked against real NSPR
by fault injection in ``tests/unit/test_stdlib_backend.py`` and listed in
``docs/error-mapping.md``). Where NSPR fails without a system call (a method
its descriptor type lacks, a socket family it does not open), the emulation
raises the same code itself.

Waiting happens inside the stdlib socket: each handle *is* a socket object
whose own timeout is set to the primitive's ``timeout`` (``settimeout`` only
when it changes; 0 makes the call a non-blocking try), so a bounded receive,
accept or send waits in one call that polls and then makes the system call in
C, with the GIL released and signal handlers run on EINTR. As NSPR, a call
tries before it waits: a receive on a stream socket and a non-empty send try
``read(2)``/``write(2)`` (what ``recv(2)``/``send(2)`` with no flags are),
accept and ``send_to`` try with the socket's timeout at 0, so that data
already queued (or room already free) costs one system call, not a poll
first; but a stream receive that may wait, right after tries that would
block, waits at once (``_WAIT_FIRST_RUN``). Connecting waits with one
``select.poll``, because NSPR's result depends on the poll's flags; on PyPy
every wait is a ``select.poll`` (see ``_SOCKET_WAITS``).

Beside this module: ``_stdlib_errors`` (errno -> PRErrorCode) and
``_stdlib_poll`` (poll(2) flags, the tick, the poll sets).
"""

from __future__ import annotations

import _socket
import errno as _errno
import os
import select
import socket
import struct
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar, Union

from nspr_ctypes import constants as C
from nspr_ctypes import error as E
from nspr_ctypes._args import INT_MAX, wrap_c_int
from nspr_ctypes.backends import _base
from nspr_ctypes.backends._base import (
    _PASSING_COPIES,
    Backend,
    HostEnt,
    OptionValue,
    SendData,
    SockAddr,
    _new_sockaddr,
)
from nspr_ctypes.backends._stdlib_errors import (
    _LOOKUP_FAILS,
    _errno_error,
    _os_error,
    _translating,
)
from nspr_ctypes.backends._stdlib_poll import (
    _MAX_POLL_MS,
    _POLLHUP,
    _POLLIN,
    _POLLNVAL,
    _POLLOUT,
    _TICKS_PER_SECOND,
    _PollSet,
)
from nspr_ctypes.constants import _SockOptKind
from nspr_ctypes.error import nspr_error

__all__ = ["StdlibBackend", "create_backend"]

_WOULD_BLOCK = frozenset((_errno.EAGAIN, _errno.EWOULDBLOCK))

#: What a socket with a timeout raises when the timeout runs out
#: (``TimeoutError`` from Python 3.10, a subclass of ``OSError`` before).
_Timeout = socket.timeout
_T = TypeVar("_T")


# -- handles -----------------------------------------------------------------


class _Handle(_socket.socket):
    """One socket: the stdlib socket object itself, plus its NSPR type, the
    timeout set on it, in ticks, and how many more of its waiting receives
    wait before they try (see :data:`_WAIT_FIRST_RUN`). (Not its fd:
    ``fileno()`` costs a call, a slot costs an idle socket 40 bytes, the fd's
    int object included.)

    The fd is O_NONBLOCK at the OS level whatever the timeout (as NSPR's
    sockets are; CPython keeps any socket with a timeout so), and ``ticks``
    lets a primitive skip ``settimeout`` (a system call) while its ``timeout``
    is the one already set. ``ticks`` is -1 when unknown.
    """

    __slots__ = ("desc_type", "ticks", "wait_first")

    desc_type: int
    ticks: int
    wait_first: int

    def __repr__(self) -> str:
        # Also for the warning of a socket freed before _adopt finished it.
        return "<stdlib socket handle fd=%d>" % self.fileno()


#: A stream receive that may wait tries read(2) before it waits, so that data
#: already queued costs one system call; but a try that would block costs a
#: Python exception besides (about 0.4 us, more than the system call), and a
#: peer that answers requests makes every receive wait. So once a try would
#: have blocked, this many of the socket's next waiting receives skip it and
#: wait at once, in one call of the socket (poll, then recv); then one tries
#: again. Received data is the same either way; the cost of a wrong guess is
#: a poll before data already queued (about 0.3 us).
_WAIT_FIRST_RUN = 8

_TCP = C.PR_DESC_SOCKET_TCP  # (a global: one lookup less a receive)


def _set_timeout(handle: _Handle, ticks: int) -> None:
    """Make ``handle``'s own timeout ``ticks``."""
    handle.settimeout(ticks / _TICKS_PER_SECOND)
    handle.ticks = ticks


#: CPython's socket calls resume an interrupted wait with the time left; PyPy's
#: restart it whole, so signals arriving faster than the timeout would keep a
#: call waiting for ever: there the backend waits in select.poll (which
#: resumes with the time left) and the socket only tries.
_SOCKET_WAITS = sys.implementation.name == "cpython"


#: PyPy's ``recv_into`` refuses a cast memoryview (what ``Socket`` passes): there
#: a receive is copied in.
_RECV_INTO_VIEWS = sys.implementation.name == "cpython"


def _wait(handle: _Handle, timeout: int, events: int) -> bool:
    """Make ``handle``'s next call wait up to ``timeout`` ticks for
    ``events`` (none for 0): inside it (True), or, where the socket cannot
    wait, here first, then False if nothing came."""
    if _SOCKET_WAITS:
        if handle.ticks != timeout:
            _set_timeout(handle, timeout)
        return True
    if handle.ticks:
        _set_timeout(handle, 0)
    if not timeout:
        return True
    poller = select.poll()
    poller.register(handle.fileno(), events)
    with _translating("poll"):
        return bool(poller.poll(timeout))  # ticks are ms


def _try_then_wait(
    handle: _Handle,
    timeout: int,
    events: int,
    call: str,
    attempt: Callable[[], _T],
) -> Optional[_T]:
    """``attempt()`` with the socket's timeout at 0, then, if it would block
    and ``timeout`` allows, once more after a wait for ``events``: for the
    calls that must try before they wait (a socket that does not listen fails
    accept(2) at once but may never poll ready; poll(2) reports room for a
    datagram later than a send finds it)."""
    if handle.ticks:
        _set_timeout(handle, 0)
    try:
        return attempt()
    except OSError as exc:
        _not_ready(handle, 0, call, exc)
    if not timeout or not _wait(handle, timeout, events):
        return None
    try:
        return attempt()
    except OSError as exc:
        _not_ready(handle, timeout, call, exc)
        return None


def _not_ready(handle: _Handle, timeout: int, call: str, exc: OSError) -> None:
    """Return (the primitive's None) if ``exc`` says the call's ``timeout``
    ran out (``socket.timeout``) or that a try would block (EAGAIN); raise the
    translated error otherwise.

    Two threads setting the timeouts of one socket at once can leave
    ``ticks`` other than the socket's timeout; either outcome forgets it, so
    that such a mix-up lasts one wait at most.
    """
    if isinstance(exc, _Timeout):
        handle.ticks = -1
        return
    if exc.errno not in _WOULD_BLOCK:
        # Python's BlockingIOError also covers EINPROGRESS and EALREADY,
        # which NSPR reports as errors, hence the errno test.
        raise _os_error(call, exc) from None
    if timeout:
        handle.ticks = -1


def _adopt(handle: _Handle, desc_type: int, inheritable: bool) -> _Handle:
    """Finish a new handle: O_NONBLOCK with timeout 0 and, unlike Python's
    sockets, not close-on-exec as NSPR's (imported fds keep their flag)."""
    if handle.gettimeout() != 0.0:  # not made non-blocking at creation
        handle.settimeout(0.0)
    if inheritable:
        os.set_inheritable(handle.fileno(), True)
    handle.desc_type = desc_type
    handle.ticks = 0
    handle.wait_first = 0
    return handle


_PR_TO_AF: Dict[int, int] = {
    C.PR_AF_INET: socket.AF_INET,
    C.PR_AF_INET6: socket.AF_INET6,
    C.PR_AF_LOCAL: socket.AF_UNIX,
}
_AF_TO_PR: Dict[int, int] = {af: pr for pr, af in _PR_TO_AF.items()}

_MSG_FASTOPEN: int = getattr(socket, "MSG_FASTOPEN", 0x20000000)
# Created non-blocking: no second system call (Linux; elsewhere _adopt makes it).
_SOCK_NONBLOCK: int = getattr(socket, "SOCK_NONBLOCK", 0)

# The tries: with no flags, recv(2) and send(2) are read(2) and write(2), which
# ignore the socket's timeout (CPython's own calls poll for it first). Not
# for an empty send (write(2) of nothing returns 0 unchecked: no datagram, no
# error), nor for a receive on a datagram socket (read(2) leaves an empty
# datagram queued).
# (PyPy has no os.readv: there recv_into waits in the socket at once.)
_read = os.read
_readv: Optional[Callable[[int, List[memoryview]], int]] = getattr(os, "readv", None)
_write = os.write


# -- addresses ---------------------------------------------------------------

_Address = Union[Tuple[Any, ...], str, bytes]


def _from_python(family: int, addr: Any) -> SockAddr:
    """A stdlib socket address as a SockAddr."""
    if family == socket.AF_INET:
        # The fields without SockAddr's Python __new__: a peer of each accept
        return _new_sockaddr(
            SockAddr, (C.PR_AF_INET, socket.inet_aton(addr[0]), addr[1], 0, 0)
        )
    if family == socket.AF_INET6:
        host = addr[0].partition("%")[0]
        return SockAddr(
            C.PR_AF_INET6,
            socket.inet_pton(socket.AF_INET6, host),
            addr[1],
            addr[2],
            addr[3],
        )
    if family == socket.AF_UNIX:
        if addr is None:
            return SockAddr(C.PR_AF_LOCAL, b"", 0)
        path = addr if isinstance(addr, bytes) else os.fsencode(addr)
        return SockAddr(C.PR_AF_LOCAL, path, 0)
    return SockAddr(C.PR_AF_UNSPEC, b"", 0)


def _to_python(addr: SockAddr) -> _Address:
    """A SockAddr as the stdlib address of its own family."""
    if addr.family == C.PR_AF_INET:
        return (socket.inet_ntoa(addr.addr), addr.port)
    if addr.family == C.PR_AF_INET6:
        return (
            socket.inet_ntop(socket.AF_INET6, addr.addr),
            addr.port,
            addr.flowinfo & 0xFFFFF,  # the stdlib refuses wider values
            addr.scope_id,
        )
    return addr.addr


# The kernel's answer when NSPR hands a sockaddr of another family to the
# socket's call (``Socket`` lets that through when its ``family`` was changed);
# the stdlib cannot build such a call, so the errno is given here. Probed on
# Linux with NSPR (``test_family_mismatch_*``).
def _mismatch_errno(h: _Handle) -> int:
    if h.family == socket.AF_UNIX:
        return _errno.EINVAL
    if h.family == socket.AF_INET:
        return _errno.EAFNOSUPPORT
    return _errno.EINVAL  # AF_INET6 socket, 16-byte sockaddr_in: too short


def _address_for(h: _Handle, addr: SockAddr, call: str) -> _Address:
    family = _PR_TO_AF.get(addr.family)
    if family == h.family:
        return _to_python(addr)
    raise _errno_error(call, _mismatch_errno(h))


# -- socket options ----------------------------------------------------------

# option -> (level, name), as NSPR's _PR_MapOptionName and ptio.c's
# pt_Get/SetSocketOption pass them to the kernel; the value's shape is the
# option's kind in the shared table (C._SOCKOPT_KINDS). Nonblocking is the
# socket's mode, never a kernel option; NSPR's Reuseport and DontFrag are not
# emulated (python-nss cannot name them).
_OPTION_NAMES: Dict[int, Tuple[int, int]] = {
    C.PR_SockOpt_Linger: (socket.SOL_SOCKET, socket.SO_LINGER),
    C.PR_SockOpt_Reuseaddr: (socket.SOL_SOCKET, socket.SO_REUSEADDR),
    C.PR_SockOpt_Keepalive: (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    C.PR_SockOpt_RecvBufferSize: (socket.SOL_SOCKET, socket.SO_RCVBUF),
    C.PR_SockOpt_SendBufferSize: (socket.SOL_SOCKET, socket.SO_SNDBUF),
    C.PR_SockOpt_IpTimeToLive: (socket.IPPROTO_IP, socket.IP_TTL),
    C.PR_SockOpt_IpTypeOfService: (socket.IPPROTO_IP, socket.IP_TOS),
    C.PR_SockOpt_AddMember: (socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP),
    C.PR_SockOpt_DropMember: (socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP),
    C.PR_SockOpt_McastInterface: (socket.IPPROTO_IP, socket.IP_MULTICAST_IF),
    C.PR_SockOpt_McastTimeToLive: (socket.IPPROTO_IP, socket.IP_MULTICAST_TTL),
    C.PR_SockOpt_McastLoopback: (socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP),
    C.PR_SockOpt_NoDelay: (socket.IPPROTO_TCP, socket.TCP_NODELAY),
    C.PR_SockOpt_MaxSegment: (socket.IPPROTO_TCP, socket.TCP_MAXSEG),
    C.PR_SockOpt_Broadcast: (socket.SOL_SOCKET, socket.SO_BROADCAST),
}
# NSPR passes these two to the kernel as a single byte (PRUint8), not an int.
_ONE_BYTE_OPTIONS = frozenset(
    (C.PR_SockOpt_McastTimeToLive, C.PR_SockOpt_McastLoopback)
)
# option -> (level, name, kind, one byte): what get/set_option look up.
_OPTIONS: Dict[int, Tuple[int, int, int, bool]] = {
    option: (level, name, C._SOCKOPT_KINDS[option], option in _ONE_BYTE_OPTIONS)
    for option, (level, name) in _OPTION_NAMES.items()
}

_LINGER_STRUCT = struct.Struct("ii")


def _inaddr(addr: SockAddr) -> bytes:
    if addr.family != C.PR_AF_INET:
        # NSPR would read 4 bytes of another layout here; refuse instead.
        raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
    return addr.addr


# -- protocols ---------------------------------------------------------------

_PROTOCOLS_FILE = "/etc/protocols"


def _protocol_entries() -> List[Tuple[bytes, int, Tuple[bytes, ...]]]:
    """``(name, number, aliases)`` of each line of /etc/protocols, in order."""
    entries: List[Tuple[bytes, int, Tuple[bytes, ...]]] = []
    try:
        with open(_PROTOCOLS_FILE, "rb") as f:
            lines = f.read().splitlines()
    except OSError:
        return entries
    for line in lines:
        fields = line.split(b"#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            number = int(fields[1])
        except ValueError:
            continue
        entries.append((fields[0], number, tuple(fields[2:])))
    return entries


# -- the backend -------------------------------------------------------------

_LOCALHOST_NAMES = frozenset(
    (b"localhost", b"localhost.localdomain", b"localhost6", b"localhost6.localdomain6")
)


class StdlibBackend(Backend):
    """NSPR's primitives on the standard library (no NSPR needed)."""

    name = "stdlib"
    library_path = None
    version = None

    def __init__(self) -> None:
        # Asked, not assumed: a subclass may count other ticks.
        self._millisecond_ticks = self.ticks_per_second() == 1000

    # -- sockets --------------------------------------------------------------

    def open_socket(self, family: int, desc_type: int) -> _Handle:
        """PR_OpenTCPSocket / PR_OpenUDPSocket."""
        af = _PR_TO_AF.get(family)
        if af is None:  # NSPR refuses other families before any system call
            raise nspr_error(E.PR_ADDRESS_NOT_SUPPORTED_ERROR)
        kind = (
            socket.SOCK_STREAM
            if desc_type == C.PR_DESC_SOCKET_TCP
            else socket.SOCK_DGRAM
        )
        try:
            handle = _Handle(af, kind | _SOCK_NONBLOCK, 0)
        except OSError as exc:
            raise _os_error("socket", exc) from None
        if not _SOCK_NONBLOCK:
            return _adopt(handle, desc_type, True)
        # _adopt inline (the churn of short connections runs through here).
        os.set_inheritable(handle.fileno(), True)
        handle.desc_type = desc_type
        handle.ticks = 0
        handle.wait_first = 0
        return handle

    def close(self, handle: _Handle) -> None:
        """PR_Close."""
        try:
            handle.close()
        except OSError as exc:
            raise _os_error("close", exc) from None

    def fileno(self, handle: _Handle) -> int:
        """The OS file descriptor."""
        return handle.fileno()

    def bind(self, handle: _Handle, addr: SockAddr) -> None:
        """PR_Bind."""
        target = _address_for(handle, addr, "bind")
        with _translating("bind"):
            handle.bind(target)

    def listen(self, handle: _Handle, backlog: int) -> None:
        """PR_Listen."""
        # The stdlib turns a negative backlog into 0, NSPR passes it on and
        # the kernel reads it unsigned (so: somaxconn); INT_MAX gets the same.
        if backlog < 0:
            backlog = INT_MAX
        with _translating("listen"):
            handle.listen(backlog)

    def connect(self, handle: _Handle, addr: SockAddr, timeout: int) -> bool:
        """PR_Connect, waiting up to ``timeout`` ticks as NSPR's blocking
        connect does: connect(2), one poll(2) for writing, then SO_ERROR."""
        target = _address_for(handle, addr, "connect")
        if handle.ticks:
            # With a timeout CPython would wait itself and read SO_ERROR,
            # without the poll's flags that NSPR's result depends on.
            _set_timeout(handle, 0)
        try:
            err = handle.connect_ex(target)
        except OSError as exc:
            raise _os_error("connect", exc) from None
        if err == 0:
            return True
        if err != _errno.EINPROGRESS:
            # EAGAIN (a full AF_UNIX backlog) did not start a connection, so
            # it cannot be reported as "in progress": NSPR raises WOULD_BLOCK.
            raise _errno_error("connect", err)
        return bool(timeout) and self.connect_continue(handle, timeout)

    def connect_continue(self, handle: _Handle, timeout: int) -> bool:
        """Wait up to ``timeout`` ticks for the connection in progress, with
        NSPR's rules: POLLNVAL is EBADF, a hang-up while waiting to write is
        EPIPE (so a refused loopback connect reads as a reset), otherwise
        the error the OS holds (SO_ERROR, read as PR_ConnectContinue does)."""
        poller = select.poll()  # fresh: a signal handler may connect meanwhile
        poller.register(handle.fileno(), _POLLOUT)
        # A connect's path (a TCP connect is in progress at first): the try
        # blocks inline, as in the other hot calls.
        try:
            ready = poller.poll(min(timeout, _MAX_POLL_MS))  # ticks are ms
        except OSError as exc:
            raise _os_error("poll", exc) from None
        if not ready:
            return False
        revents = ready[0][1]
        if revents & _POLLNVAL:
            raise nspr_error(E.PR_BAD_DESCRIPTOR_ERROR)
        if revents & _POLLHUP:
            raise nspr_error(E.PR_CONNECT_RESET_ERROR)
        try:
            err = handle.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        except OSError as exc:
            # Reading SO_ERROR fails as the connect (PR_ConnectContinue's).
            raise _os_error("connect", exc) from None
        if err:
            raise _errno_error("connect", err)
        return True

    def accept(
        self, handle: _Handle, timeout: int
    ) -> Optional[Tuple[_Handle, SockAddr]]:
        """PR_Accept: a try, then a wait of up to ``timeout`` ticks inside the
        socket. The try comes first, as in NSPR, because a socket that does
        not listen fails accept(2) at once, but may never poll readable."""
        if handle.desc_type != C.PR_DESC_SOCKET_TCP:
            # A UDP PRFileDesc has no accept method.
            raise nspr_error(E.PR_INVALID_METHOD_ERROR)
        accepted = _try_then_wait(
            handle,
            timeout,
            _POLLIN,
            "accept",
            handle._accept,  # type: ignore[attr-defined]
        )
        if accepted is None:
            return None
        fd, peer = accepted
        family = handle.family
        try:
            new = _Handle(family, socket.SOCK_STREAM, handle.proto, fd)
        except OSError as exc:
            os.close(fd)
            raise _os_error("accept", exc) from None
        return _adopt(new, C.PR_DESC_SOCKET_TCP, True), _from_python(family, peer)

    def recv(self, handle: _Handle, amount: int, timeout: int) -> Optional[bytes]:
        """PR_Recv: a try, then a wait of up to ``timeout`` ticks inside the
        socket (as NSPR: recv, poll, recv); a stream socket whose tries would
        block lately waits at once (see :data:`_WAIT_FIRST_RUN`)."""
        if amount and handle.desc_type == _TCP:
            run = handle.wait_first
            if timeout and run > 0:
                handle.wait_first = run - 1  # (never below 0, whatever the threads)
            else:
                try:
                    return _read(handle.fileno(), amount)
                except OSError as exc:
                    if exc.errno not in _WOULD_BLOCK:
                        raise _os_error("recv", exc) from None
                if not timeout:
                    return None
                handle.wait_first = _WAIT_FIRST_RUN
        if _SOCKET_WAITS:  # _wait(), inline: a frame less a wait
            if handle.ticks != timeout:
                _set_timeout(handle, timeout)
        elif not _wait(handle, timeout, _POLLIN):
            return None
        try:
            if amount:
                data: bytes = handle.recv(amount)
                return data
            # socket.recv(0) answers b'' without asking the OS; NSPR asks it,
            # so it waits for data (and a UDP socket drops a datagram).
            handle.recvmsg(0)
            return b""
        except OSError as exc:
            _not_ready(handle, timeout, "recv", exc)
            return None

    def recv_into(
        self, handle: _Handle, buffer: memoryview, timeout: int
    ) -> Optional[int]:
        """PR_Recv into ``buffer`` (no copy): a try, then a wait of up to
        ``timeout`` ticks inside the socket; as recv() after tries that would
        block."""
        if _readv is not None and handle.desc_type == _TCP:
            run = handle.wait_first
            if timeout and run > 0:
                handle.wait_first = run - 1
            else:
                try:
                    return _readv(handle.fileno(), [buffer])
                except OSError as exc:
                    if exc.errno not in _WOULD_BLOCK:
                        raise _os_error("recv", exc) from None
                if not timeout:
                    return None
                handle.wait_first = _WAIT_FIRST_RUN
        if _SOCKET_WAITS:  # as in recv()
            if handle.ticks != timeout:
                _set_timeout(handle, timeout)
        elif not _wait(handle, timeout, _POLLIN):
            return None
        try:
            if _RECV_INTO_VIEWS:
                count: int = handle.recv_into(buffer)
                return count
            data = handle.recv(len(buffer))
        except OSError as exc:
            _not_ready(handle, timeout, "recv", exc)
            return None
        buffer[: len(data)] = data
        return len(data)

    def send_at(
        self,
        handle: _Handle,
        data: SendData,
        offset: int,
        timeout: int,
    ) -> Optional[int]:
        """PR_Send of ``data[offset:]``: what fits within ``timeout`` ticks.
        A try, then, if nothing fitted, the socket waits for room and makes
        one send(2); each count is exact (``sendall`` would lose it). On PyPy,
        where ``socket.send`` copies a memoryview slice whole, a resumed send
        goes a window at a time, only the first window waiting."""
        if offset:
            view = memoryview(data)
            if _PASSING_COPIES:
                return _base._send_in_windows(
                    lambda start, size: self.send_at(
                        handle,
                        view[start : start + size],
                        0,
                        timeout if start == offset else 0,
                    ),
                    len(data),
                    offset,
                )
            data = view[offset:]
        if data:
            try:
                return _write(handle.fileno(), data)
            except OSError as exc:
                if exc.errno not in _WOULD_BLOCK:
                    raise _os_error("send", exc) from None
            if not timeout:
                return None
        elif handle.desc_type == C.PR_DESC_SOCKET_TCP:
            timeout = 0  # TCP's send(2) of nothing never waits for room
        if not _wait(handle, timeout, _POLLOUT):
            return None
        try:
            sent: int = handle.send(data)
            return sent
        except OSError as exc:
            _not_ready(handle, timeout, "send", exc)
            return None

    def recv_from(
        self, handle: _Handle, amount: int, timeout: int
    ) -> Optional[Tuple[bytes, SockAddr]]:
        """PR_RecvFrom, waiting up to ``timeout`` ticks inside the socket."""
        if handle.desc_type != C.PR_DESC_SOCKET_UDP:
            # NSPR's TCP methods have no recvfrom.
            raise nspr_error(E.PR_INVALID_METHOD_ERROR)
        if not _wait(handle, timeout, _POLLIN):
            return None
        try:
            data, peer = handle.recvfrom(amount)
        except OSError as exc:
            _not_ready(handle, timeout, "recvfrom", exc)
            return None
        return data, _from_python(handle.family, peer)

    def send_to(
        self,
        handle: _Handle,
        data: SendData,
        addr: SockAddr,
        timeout: int,
    ) -> Optional[int]:
        """PR_SendTo: a try, then a wait of up to ``timeout`` ticks for room
        inside the socket (poll(2) reports room later than a send finds it)."""
        family = _PR_TO_AF.get(addr.family)

        def send_to() -> int:
            if handle.desc_type == C.PR_DESC_SOCKET_TCP:
                # NSPR's TCP sendto on Linux is TCP Fast Open: sendto with
                # MSG_FASTOPEN, which may start a connection.
                if family != handle.family:
                    return self._stream_send_to_other_family(handle, data)
                sent: int = handle.sendto(data, _MSG_FASTOPEN, _to_python(addr))
                return sent
            if family != handle.family:
                if handle.family == socket.AF_INET6 and family == socket.AF_INET:
                    # The kernel sends a sockaddr_in given to a dual-stack
                    # UDPv6 socket as IPv4; the mapped address does the same.
                    v6 = SockAddr(
                        C.PR_AF_INET6, b"\0" * 10 + b"\xff\xff" + addr.addr, addr.port
                    )
                    sent = handle.sendto(data, _to_python(v6))
                    return sent
                raise _errno_error("sendto", _mismatch_errno(handle))
            sent = handle.sendto(data, _to_python(addr))
            return sent

        # A Fast Open sendto that starts a connection fails EINPROGRESS
        # (PR_IN_PROGRESS_ERROR), which is not a would-block.
        return _try_then_wait(handle, timeout, _POLLOUT, "sendto", send_to)

    def _stream_send_to_other_family(self, handle: _Handle, data: SendData) -> int:
        # What the kernel does with a sockaddr of another family on a stream
        # socket: AF_UNIX refuses any address (EISCONN when connected, else
        # EOPNOTSUPP); a connected TCP socket ignores it; an unconnected one
        # tries the Fast Open connect, which refuses the family as connect does.
        connected = True
        try:
            handle.getpeername()
        except OSError:
            connected = False
        if handle.family == socket.AF_UNIX:
            raise _errno_error(
                "sendto", _errno.EISCONN if connected else _errno.EOPNOTSUPP
            )
        if not connected:
            raise _errno_error("sendto", _mismatch_errno(handle))
        sent: int = handle.send(data, _MSG_FASTOPEN)
        return sent

    def shutdown(self, handle: _Handle, how: int) -> None:
        """PR_Shutdown."""
        with _translating("shutdown"):
            handle.shutdown(how)

    def get_sock_name(self, handle: _Handle) -> SockAddr:
        """PR_GetSockName."""
        with _translating("getsockname"):
            name = handle.getsockname()
        return _from_python(handle.family, name)

    def get_peer_name(self, handle: _Handle) -> SockAddr:
        """PR_GetPeerName."""
        with _translating("getpeername"):
            name = handle.getpeername()
        return _from_python(handle.family, name)

    def get_option(self, handle: _Handle, option: int) -> OptionValue:
        """PR_GetSocketOption, with NSPR's conversions."""
        spec = _OPTIONS.get(option)
        if spec is None:
            raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
        level, name, kind, one_byte = spec
        with _translating("getsockopt"):
            if kind == _SockOptKind.MREQ:
                # NSPR makes the call (the kernel refuses it: ENOPROTOOPT, or
                # EOPNOTSUPP on a local socket) and has no value to return.
                handle.getsockopt(level, name, 8)
                raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
            if one_byte:
                raw: bytes = handle.getsockopt(level, name, 1)
            elif kind == _SockOptKind.FLAG:
                return handle.getsockopt(level, name) != 0
            elif kind == _SockOptKind.SIZE or kind == _SockOptKind.UINT:
                value: int = handle.getsockopt(level, name)
                return value
            elif kind == _SockOptKind.LINGER:
                onoff, seconds = _LINGER_STRUCT.unpack(
                    handle.getsockopt(level, name, _LINGER_STRUCT.size)
                )
                # PR_SecondsToInterval: a 32-bit multiply.
                return onoff != 0, (seconds * _TICKS_PER_SECOND) & 0xFFFFFFFF
            elif kind == _SockOptKind.MCAST_IF:
                raw = handle.getsockopt(level, name, 4)  # struct in_addr
            else:  # a kind added to the shared table but not here
                raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
        if kind == _SockOptKind.MCAST_IF:
            return SockAddr(C.PR_AF_INET, raw.ljust(4, b"\0")[:4], 0)
        byte = raw[0] if raw else 0
        return byte != 0 if kind == _SockOptKind.FLAG else byte

    def set_option(self, handle: _Handle, option: int, value: OptionValue) -> None:
        """PR_SetSocketOption, with NSPR's conversions."""
        spec = _OPTIONS.get(option)
        if spec is None:
            raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
        level, name, kind, one_byte = spec
        arg: Union[int, bytes]
        if kind == _SockOptKind.FLAG:
            flag = 1 if value else 0
            arg = bytes((flag,)) if one_byte else flag
        elif kind == _SockOptKind.SIZE or kind == _SockOptKind.UINT:
            assert isinstance(value, int)
            # NSPR stores sizes and TTLs in a C int (a byte for the one-byte options)
            arg = bytes((value & 0xFF,)) if one_byte else wrap_c_int(value)
        elif kind == _SockOptKind.LINGER:
            assert isinstance(value, tuple) and not isinstance(value, SockAddr)
            polarity, interval = value
            assert isinstance(interval, int)
            # PR_IntervalToSeconds truncates: 1500 ticks linger 1 s.
            seconds = (interval & 0xFFFFFFFF) // _TICKS_PER_SECOND
            arg = _LINGER_STRUCT.pack(1 if polarity else 0, seconds)
        elif kind == _SockOptKind.MCAST_IF:
            assert isinstance(value, SockAddr)
            arg = _inaddr(value)
        elif kind == _SockOptKind.MREQ:
            assert isinstance(value, tuple) and not isinstance(value, SockAddr)
            group, interface = value
            assert isinstance(group, SockAddr) and isinstance(interface, SockAddr)
            arg = _inaddr(group) + _inaddr(interface)  # struct ip_mreq
        else:  # a kind added to the shared table but not here
            raise nspr_error(E.PR_INVALID_ARGUMENT_ERROR)
        with _translating("setsockopt"):
            handle.setsockopt(level, name, arg)

    def poll_set(self, entries: Sequence[Tuple[Optional[_Handle], int]]) -> _PollSet:
        """PR_Poll's entries registered with a ``select.poll``."""
        return _PollSet(entries)

    def new_tcp_pair(self) -> Tuple[_Handle, _Handle]:
        """PR_NewTCPSocketPair: socketpair(AF_UNIX, SOCK_STREAM) on Unix."""
        kind = socket.SOCK_STREAM | _SOCK_NONBLOCK
        with _translating("socketpair"):
            a, b = socket.socketpair(socket.AF_UNIX, kind)
            handles = [_Handle(socket.AF_UNIX, kind, 0, s.detach()) for s in (a, b)]
        return (
            _adopt(handles[0], C.PR_DESC_SOCKET_TCP, True),
            _adopt(handles[1], C.PR_DESC_SOCKET_TCP, True),
        )

    def import_tcp_socket(self, osfd: int) -> _Handle:
        """PR_ImportTCPSocket: own ``osfd`` and make it O_NONBLOCK."""
        # Wrapping asks the fd for its name: a failure is getsockname's.
        with _translating("getsockname"):
            handle = _Handle(fileno=osfd)
        # PR_ImportTCPSocket leaves close-on-exec as it was.
        return _adopt(handle, C.PR_DESC_SOCKET_TCP, False)

    # -- lookups --------------------------------------------------------------

    def get_addr_info(
        self, host: bytes, family: int, flags: int
    ) -> Tuple[Optional[bytes], List[SockAddr]]:
        """PR_GetAddrInfoByName: getaddrinfo with NSPR's hints."""
        ai_flags = 0 if flags & C.PR_AI_NOCANONNAME else socket.AI_CANONNAME
        # NSPR drops AI_ADDRCONFIG for the localhost names, so that they still
        # resolve on a host with loopback only.
        if flags & C.PR_AI_ADDRCONFIG and host not in _LOCALHOST_NAMES:
            ai_flags |= socket.AI_ADDRCONFIG
        af = socket.AF_INET if family == C.PR_AF_INET else socket.AF_UNSPEC
        with _LOOKUP_FAILS:
            results = socket.getaddrinfo(
                host, None, af, socket.SOCK_STREAM, 0, ai_flags
            )
        addresses = [
            _from_python(res_family, sockaddr)
            for res_family, _type, _proto, _canon, sockaddr in results
            if res_family in (socket.AF_INET, socket.AF_INET6)
        ]
        canonical: Optional[bytes] = None
        if not flags & C.PR_AI_NOCANONNAME and results and results[0][3]:
            canonical = results[0][3].encode("utf-8", "surrogateescape")
        return canonical, addresses

    def get_host_by_name(self, name: bytes) -> HostEnt:
        """PR_GetHostByName: gethostbyname_r (IPv4)."""
        # gethostbyname_ex takes str on every interpreter (PyPy refuses
        # bytes) and idna-encodes it, which leaves an ASCII name as it is: the
        # bytes NSPR would hand gethostbyname_r. nspr_ctypes's own names are
        # idna-encoded, so ASCII; others, and names with NUL (a C string
        # would end there), are not found, as NSPR does not find them.
        if b"\0" in name:
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR)
        with _LOOKUP_FAILS:
            text = name.decode("ascii")
            hostname, aliases, addresses = socket.gethostbyname_ex(text)
        return HostEnt(
            hostname.encode("utf-8", "surrogateescape"),
            tuple(a.encode("utf-8", "surrogateescape") for a in aliases),
            C.PR_AF_INET,
            tuple(socket.inet_aton(a) for a in addresses),
        )

    def get_host_by_addr(self, addr: SockAddr) -> HostEnt:
        """PR_GetHostByAddr: gethostbyaddr_r for the address's family."""
        if addr.family == C.PR_AF_INET:
            af, text = socket.AF_INET, socket.inet_ntoa(addr.addr)
        elif addr.family == C.PR_AF_INET6:
            af, text = socket.AF_INET6, socket.inet_ntop(socket.AF_INET6, addr.addr)
        else:
            raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR)
        with _LOOKUP_FAILS:
            hostname, aliases, addresses = socket.gethostbyaddr(text)
        return HostEnt(
            hostname.encode("utf-8", "surrogateescape"),
            tuple(a.encode("utf-8", "surrogateescape") for a in aliases),
            _AF_TO_PR[af],
            tuple(socket.inet_pton(af, a.partition("%")[0]) for a in addresses),
        )

    def get_proto_by_name(self, name: bytes) -> int:
        """getprotobyname; an unknown name is PR_DIRECTORY_LOOKUP_ERROR."""
        with _LOOKUP_FAILS:
            return socket.getprotobyname(name.decode("utf-8"))

    def get_proto_by_number(self, number: int) -> Tuple[bytes, Tuple[bytes, ...]]:
        """The first /etc/protocols entry of ``number`` (the stdlib has no
        getprotobynumber); an unknown number is PR_DIRECTORY_LOOKUP_ERROR."""
        for name, value, aliases in _protocol_entries():
            if value == number:
                return name, aliases
        raise nspr_error(E.PR_DIRECTORY_LOOKUP_ERROR)

    # -- time -----------------------------------------------------------------

    def ticks_per_second(self) -> int:
        """PR_TicksPerSecond(): 1000, as NSPR reports on Linux."""
        return _TICKS_PER_SECOND

    def interval_now(self) -> int:
        """PR_IntervalNow(): CLOCK_MONOTONIC in ms, mod 2**32 (NSPR's formula:
        ``tv_sec * 1000 + tv_nsec // 1000000`` in 32 bits)."""
        return (time.monotonic_ns() // 1_000_000) & 0xFFFFFFFF


def create_backend(
    library: Optional[str] = None, min_version: Optional[str] = None
) -> StdlibBackend:
    """The registry's factory. The stdlib backend loads no library, so
    ``library`` must be None; ``min_version`` does not apply and is ignored."""
    if library is not None:
        raise ValueError(
            "the stdlib backend uses no NSPR library; library=%r does not apply"
            % (library,)
        )
    return StdlibBackend()


if sys.platform == "win32":  # pragma: no cover - the emulation is POSIX only
    raise ImportError("the stdlib backend needs select.poll (POSIX)")
