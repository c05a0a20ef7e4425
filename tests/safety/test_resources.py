"""Resources: descriptors and memory come back, dropped sockets are closed.

The guarantee that nothing a Python caller does crashes, hangs or leaks; resources:

* A socket dropped without ``close()`` is closed by a finalizer, with a
  ``ResourceWarning``.
* 20 000 create/close cycles, 20 000 refused connects, 20 000
  ``AddrInfo('localhost')`` and 5 000 accept/close cycles leave the process's
  descriptor count unchanged and its RSS growth under 5 MB.
* A ``makefile()`` file keeps the descriptor after the socket's ``close()``;
  the last of the two to close (or to be dropped) releases it, once.
* A forked child does not close its parent's descriptors by garbage
  collection.
* Short-lived threads leave nothing behind (NSPR gives each thread that calls
  it a record of its own; NSPR frees it when the thread ends).

Each loop is warmed up first (caches, free lists, the allocator's pools), then
measured between two ``gc.collect()`` calls.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import socket
import threading
import warnings
from typing import Any, Callable, List, NamedTuple, Optional

import pytest
from conftest import LONG, collect_garbage, reap_child

FD_DIR = "/proc/self/fd"
RSS_LIMIT = 5 * 1024 * 1024
#: C memory 1 000 short-lived threads may leave (NSPR's thread records would
#: be about 620 KB).
MALLOC_LIMIT = 64 * 1024
#: How many thousands of threads may run before one leaves nothing (PyPy's
#: warm-up; see test_short_lived_threads_leak_nothing).
MAX_THOUSANDS = 8
CHILD_LIMIT = 10.0

pytestmark = pytest.mark.skipif(
    not os.path.isdir(FD_DIR), reason="needs /proc/self (Linux)"
)


class Usage(NamedTuple):
    fds: int
    rss: int


def _usage() -> Usage:
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return Usage(len(os.listdir(FD_DIR)), resident_pages * os.sysconf("SC_PAGE_SIZE"))


def _growth(cycle: Callable[[], None], count: int) -> Usage:
    """Descriptors and RSS gained over ``count`` calls of ``cycle``."""
    # A warm-up as long as the measurement: PyPy's JIT and collector grow the
    # heap during the first thousands of cycles, whether or not anything leaks.
    for _ in range(count):
        cycle()
    collect_garbage()
    growth = _growth_of_one_run(cycle, count)
    if growth.rss >= RSS_LIMIT:
        # On a loaded machine PyPy's heap can still grow by a few MB once; a
        # leak grows again with the next run of the cycles.
        again = _growth_of_one_run(cycle, count)
        growth = Usage(growth.fds + again.fds, again.rss)
    return growth


def _growth_of_one_run(cycle: Callable[[], None], count: int) -> Usage:
    before = _usage()
    for _ in range(count):
        cycle()
    collect_garbage()
    after = _usage()
    return Usage(after.fds - before.fds, after.rss - before.rss)


def _assert_nothing_leaked(what: str, growth: Usage) -> None:
    print("%s: %r" % (what, growth))  # pytest -rP shows the measurement
    assert growth.fds == 0 and growth.rss < RSS_LIMIT, (
        "%s: descriptors %+d, RSS %+.2f MB"
        % (what, growth.fds, growth.rss / (1024 * 1024))
    )


# --------------------------------------------------------------------------
# Dropped sockets


@pytest.mark.difference("a dropped socket is closed, with a ResourceWarning")
@pytest.mark.parametrize("kind", ["tcp", "udp", "pair", "accepted"])
def test_dropped_socket_closed_with_resource_warning(
    io: Any, listener: Any, kind: str
) -> None:
    keep: List[Any] = []  # the other end of a pair or connection
    if kind == "tcp":
        sock = io.Socket(io.PR_AF_INET)
    elif kind == "udp":
        sock = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    elif kind == "pair":
        sock, other = io.Socket.new_tcp_pair()
        keep.append(other)
    else:
        client = io.Socket(io.PR_AF_INET)
        client.connect(listener.get_sock_name(), LONG)
        keep.append(client)
        sock, _peer = listener.accept(LONG)
    fd = sock.fileno()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del sock
            collect_garbage()
        resource_warnings = [w for w in caught if w.category is ResourceWarning]
        assert len(resource_warnings) == 1, [str(w.message) for w in caught]
        assert "unclosed" in str(resource_warnings[0].message)
        with pytest.raises(OSError):
            os.fstat(fd)
    finally:
        for other in keep:
            other.close()


@pytest.mark.difference("dropped sockets are closed (python-nss leaks their fds)")
def test_dropped_sockets_leak_no_descriptors(io: Any) -> None:
    def drop() -> None:
        io.Socket(io.PR_AF_INET)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        growth = _growth(drop, 5_000)
    _assert_nothing_leaked("5 000 dropped sockets", growth)


# --------------------------------------------------------------------------
# makefile() files: the descriptor goes with the last of a socket and its files


@pytest.mark.difference(
    "a dropped makefile() file of a closed socket releases the descriptor, "
    "without a warning, as the stdlib's (python-nss never closes it)"
)
def test_file_dropped_after_socket_close_leaks_no_descriptors(io: Any) -> None:
    def cycle() -> None:
        peer, sock = io.Socket.new_tcp_pair()
        f = sock.makefile("rb")
        sock.close()
        peer.close()
        del f  # the last reference: dropped, not closed

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        growth = _growth(cycle, 2_000)
    assert not [w for w in caught if w.category is ResourceWarning]
    _assert_nothing_leaked("2 000 files dropped after close()", growth)


@pytest.mark.difference("a dropped socket is closed, with a ResourceWarning")
def test_socket_dropped_with_its_file_closed_with_one_resource_warning(
    io: Any,
) -> None:
    peer, sock = io.Socket.new_tcp_pair()
    try:
        f = sock.makefile("rb")
        fd = sock.fileno()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del sock, f
            collect_garbage()
        resource_warnings = [w for w in caught if w.category is ResourceWarning]
        assert len(resource_warnings) == 1, [str(w.message) for w in caught]
        assert "unclosed" in str(resource_warnings[0].message)
        with pytest.raises(OSError):
            os.fstat(fd)
    finally:
        peer.close()


@pytest.mark.difference(
    "closing a socket and its makefile() file, in either order and again, "
    "releases the descriptor once (python-nss: SIGSEGV at the extra close)",
    crashes=True,
)
@pytest.mark.parametrize("first", ["socket", "file"])
def test_socket_and_file_release_the_descriptor_once(io: Any, first: str) -> None:
    peer, sock = io.Socket.new_tcp_pair()
    newcomers: List[Any] = []
    try:
        f = sock.makefile("rb")
        fd = sock.fileno()
        closers = [sock.close, f.close] if first == "socket" else [f.close, sock.close]
        closers[0]()
        os.fstat(fd)  # still open: the other one holds it
        closers[1]()
        with pytest.raises(OSError):
            os.fstat(fd)
        # New sockets until one gets the number; the old closes must spare it.
        reused: Any = None
        while reused is None and len(newcomers) < 64:
            newcomers += io.Socket.new_tcp_pair()
            if fd in (newcomers[-2].fileno(), newcomers[-1].fileno()):
                reused = newcomers[-2]
                if newcomers[-1].fileno() == fd:
                    reused = newcomers[-1]
        assert reused is not None, "no new socket got descriptor %d" % fd
        for close in closers + closers:
            close()
        os.fstat(fd)
        reused.send(b"still mine", LONG)
        other = newcomers[-1] if reused is newcomers[-2] else newcomers[-2]
        assert other.recv(100, LONG) == b"still mine"
    finally:
        for owned in [peer, *newcomers]:
            owned.close()


# --------------------------------------------------------------------------
# The cycles the guarantee is checked with


def test_create_close_cycles_leak_nothing(io: Any) -> None:
    kinds = [io.PR_DESC_SOCKET_TCP, io.PR_DESC_SOCKET_UDP]
    turn = [0]

    def cycle() -> None:
        turn[0] += 1
        io.Socket(io.PR_AF_INET, kinds[turn[0] % 2]).close()

    _assert_nothing_leaked("20 000 create/close", _growth(cycle, 20_000))


@pytest.mark.difference("refused connects leak nothing (python-nss: ~560 B each)")
def test_refused_connects_leak_nothing(io: Any, error: Any) -> None:
    # A port that is bound but not listening refuses connections, and stays
    # refusing for the whole test (nothing else can take it).
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 0))
        refusing = io.NetworkAddress(io.PR_IpAddrLoopback, holder.getsockname()[1])
        codes = set()

        def cycle() -> None:
            sock = io.Socket(io.PR_AF_INET)
            try:
                sock.connect(refusing, LONG)
            except error.NSPRError as exc:
                codes.add(exc.errno)
            else:
                raise AssertionError("connected to a port nobody listens on")
            finally:
                sock.close()

        growth = _growth(cycle, 20_000)
    finally:
        holder.close()
    assert codes <= {error.PR_CONNECT_REFUSED_ERROR, error.PR_CONNECT_RESET_ERROR}
    _assert_nothing_leaked("20 000 refused connects", growth)


def test_addrinfo_lookups_leak_nothing(io: Any) -> None:
    def cycle() -> None:
        info = io.AddrInfo("localhost")
        for addr in info:
            str(addr)

    _assert_nothing_leaked("20 000 AddrInfo('localhost')", _growth(cycle, 20_000))


def test_accept_close_cycles_leak_nothing(io: Any, listener: Any) -> None:
    addr = listener.get_sock_name()

    def cycle() -> None:
        client = io.Socket(io.PR_AF_INET)
        try:
            client.connect(addr, LONG)
            accepted, _peer = listener.accept(LONG)
            # Linger 0: the close resets the connection, so thousands of
            # cycles leave no TIME_WAIT entries behind in the kernel.
            client.set_socket_option(io.PR_SockOpt_Linger, True, 0)
        finally:
            client.close()
        accepted.close()

    _assert_nothing_leaked("5 000 accept/close", _growth(cycle, 5_000))


# --------------------------------------------------------------------------
# fork()

# Exit codes of the forked child.
_CHILD_OK = 0
_CHILD_CLOSED_A_DESCRIPTOR = 2
_CHILD_WARNED = 3
_CHILD_FAILED = 4


def _child_drops_sockets(held: List[Any], fds: List[int]) -> None:
    """In the forked child: drop every socket, collect, report; never return."""
    status = _CHILD_FAILED
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            held.clear()
            collect_garbage()
        status = _CHILD_OK
        for fd in fds:
            try:
                os.fstat(fd)
            except OSError:
                status = _CHILD_CLOSED_A_DESCRIPTOR
        if status == _CHILD_OK and any(w.category is ResourceWarning for w in caught):
            status = _CHILD_WARNED
    finally:
        os._exit(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_leaves_parent_descriptors_open(io: Any) -> None:
    # Only this list holds the sockets, so the child's clear() drops its
    # copies of them; the parent keeps using its own afterwards.
    held: List[Any] = [*io.Socket.new_tcp_pair(), io.Socket(io.PR_AF_INET)]
    try:
        fds = [sock.fileno() for sock in held]
        pid = os.fork()
        if pid == 0:
            _child_drops_sockets(held, fds)
        assert reap_child(pid, CHILD_LIMIT) == _CHILD_OK
        first, second, _unused = held
        first.send(b"still open", LONG)
        assert second.recv(100, LONG) == b"still open"
        assert [sock.fileno() for sock in held] == fds
    finally:
        for sock in held:
            sock.close()


# --------------------------------------------------------------------------
# Threads


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _malloc_in_use() -> Optional[Callable[[], int]]:
    """Bytes in use by C's malloc (glibc's mallinfo2), or None."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    try:
        mallinfo2 = ctypes.CDLL(libc_name).mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    mallinfo2.argtypes = ()

    def in_use() -> int:
        return int(mallinfo2().uordblks)

    return in_use


@pytest.mark.difference(
    "threads leave nothing behind (python-nss keeps ~620 B of C memory per "
    "thread that used it)"
)
def test_short_lived_threads_leak_nothing(io: Any, error: Any) -> None:
    # A thread's first NSPR call gives it an NSPR thread record (a few hundred
    # bytes of C memory, freed by NSPR when the thread ends). 1 000 threads
    # keeping theirs would hold well over 64 KiB of malloc memory.
    first, second = io.Socket.new_tcp_pair()

    def calls() -> None:
        try:
            second.recv(10, 0)  # would block: sets the thread's NSPR error
        except error.NSPRError:
            pass
        io.Socket.poll([(second, io.PR_POLL_READ)], 0)

    def cycle() -> None:
        thread = threading.Thread(target=calls)
        thread.start()
        thread.join()

    in_use = _malloc_in_use()

    def malloc_now() -> int:
        return in_use() if in_use else 0

    try:
        for _ in range(200):
            cycle()
        # PyPy's heap and malloc use grow in steps over its first few thousand
        # threads, whether they call anything or not (measured: +1.8 MB of
        # malloc memory in one thousand threads that do nothing, about 0 from
        # the sixth on). So thousands are measured until one is quiet: what
        # threads keep would grow in every one. CPython's first one is.
        for _thousand in range(MAX_THOUSANDS):
            collect_garbage()
            before, malloc_before = _usage(), malloc_now()
            for _ in range(1_000):
                cycle()
            collect_garbage()
            after, malloc_after = _usage(), malloc_now()
            growth = Usage(after.fds - before.fds, after.rss - before.rss)
            malloc_growth = malloc_after - malloc_before
            if growth.fds or (growth.rss < RSS_LIMIT and malloc_growth < MALLOC_LIMIT):
                break  # a descriptor left is a leak at once
    finally:
        first.close()
        second.close()
    _assert_nothing_leaked("1 000 threads", growth)
    print("1 000 threads: malloc %+d bytes" % malloc_growth)
    assert malloc_growth < MALLOC_LIMIT, "1 000 threads kept %d bytes" % malloc_growth
