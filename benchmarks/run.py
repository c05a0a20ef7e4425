#!/usr/bin/env python3
"""Speed and memory of nspr_ctypes, against python-nss and the stdlib socket.

One run measures every available implementation with the same workloads:

* ``python-nss``: the C extension ``nss.io`` (skipped, with a note, when it is
  not importable by this interpreter; on Debian only ``/usr/bin/python3`` has it);
* ``nspr_ctypes/nspr``: nspr_ctypes on libnspr4 through ctypes;
* ``nspr_ctypes/stdlib``: nspr_ctypes on its standard-library emulation;
* ``socket``: the stdlib ``socket`` module, where an equivalent operation exists.

Each timing is timeit-style: a warm-up, a calibrated number of operations per
repeat (garbage collection off while timing), several repeats; the median and
the minimum of the per-operation times are reported in nanoseconds. Ratios
divide a row's median by the peer's median, so a value above 1 means slower
than the peer (for memory: more memory than the peer).

Usage::

    /usr/bin/python3 benchmarks/run.py            # full run, markdown on stdout
    /usr/bin/python3 benchmarks/run.py --quick    # smoke run, a few seconds
    /usr/bin/python3 benchmarks/run.py --json results.json
    python3 benchmarks/run.py --bench poll_64 --impl nspr --profile

Loopback only, port 0; every wait has a timeout, and a watchdog ends a run
that hangs anyway.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import faulthandler
import gc
import json
import os
import platform
import pstats
import queue
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from types import ModuleType
from typing import (
    Any,
    Callable,
    ContextManager,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
# The benchmarks measure the tree they live in, not an installed copy.
sys.path.insert(0, str(REPO_ROOT))

import nspr_ctypes  # noqa: E402
from nspr_ctypes.backends.errors import BackendError  # noqa: E402

PYTHON_NSS = "python-nss"
NSPR = "nspr_ctypes/nspr"
STDLIB = "nspr_ctypes/stdlib"
SOCKET = "socket"
ALL_TARGETS = (PYTHON_NSS, NSPR, STDLIB, SOCKET)
# Short names accepted by --impl.
TARGET_ALIASES = {
    "python-nss": PYTHON_NSS,
    "nss": PYTHON_NSS,
    "nspr": NSPR,
    "stdlib": STDLIB,
    "socket": SOCKET,
}

LOOPBACK = "127.0.0.1"
WAIT_SECONDS = 10  # every blocking call of a benchmark gives up after this
CHUNK = 64 * 1024  # bulk transfer: bytes per send and per recv
BIG_CHUNK = 1024 * 1024  # bulk_1MiB: bytes per sendall (recv stays at CHUNK)
LINE = b"0123456789abcdefghijklmnopqrstu\n"  # readline: one short line
LINES_PER_BATCH = 256  # readline: lines sent at once (8 KiB: never blocks)
POLL_SOCKETS = 64


class Settings(NamedTuple):
    """How long and how big: the full run or the --quick smoke run."""

    repeats: int
    repeat_seconds: float  # calibrated length of one repeat
    warmup_ops: int
    bulk_bytes: int
    accept_cap: int  # connections per repeat (TIME_WAIT and ephemeral ports)
    memory_sockets: int
    watchdog_seconds: int


FULL = Settings(
    repeats=9,
    repeat_seconds=0.1,
    warmup_ops=20,
    bulk_bytes=32 * 1024 * 1024,
    accept_cap=300,
    memory_sockets=10000,
    watchdog_seconds=600,
)
QUICK = Settings(
    repeats=3,
    repeat_seconds=0.002,
    warmup_ops=2,
    bulk_bytes=1024 * 1024,
    accept_cap=20,
    memory_sockets=200,
    watchdog_seconds=120,
)

Loop = Callable[[int], None]


class BenchmarkFailure(Exception):
    """A workload did not do what it measures (wrong data, lost bytes)."""


def _expect(actual: object, expected: object, what: str) -> None:
    if actual != expected:
        raise BenchmarkFailure("%s: got %r, expected %r" % (what, actual, expected))


# -- targets --------------------------------------------------------------------


class Target(NamedTuple):
    """One implementation: an ``nss.io``-like module, or the stdlib socket."""

    label: str
    io: Optional[ModuleType]  # None for the stdlib socket module
    activate: Callable[[], None]  # make it the one the API calls use


def _nothing() -> None:
    pass


def _load_targets(wanted: Sequence[str]) -> Tuple[List[Target], Dict[str, str]]:
    """The targets that load, and for each one that does not, why."""
    targets: List[Target] = []
    notes: Dict[str, str] = {}
    for label in ALL_TARGETS:
        if label not in wanted:
            continue
        if label == PYTHON_NSS:
            try:
                import nss.io as nss_io
            except ImportError as exc:
                notes[label] = "skipped: python-nss is not importable by %s (%s)" % (
                    sys.executable,
                    exc,
                )
                continue
            targets.append(Target(label, nss_io, _nothing))
        elif label in (NSPR, STDLIB):
            name = label.split("/")[1]
            try:
                backend = nspr_ctypes.load_backend(name)
            except BackendError as exc:
                notes[label] = "skipped: backend %r does not load (%s)" % (
                    name,
                    str(exc).splitlines()[0],
                )
                continue
            targets.append(Target(label, nspr_ctypes.io, _activator(backend)))
        else:
            targets.append(Target(label, None, _nothing))
    return targets, notes


def _activator(backend: nspr_ctypes.Backend) -> Callable[[], None]:
    def activate() -> None:
        # The default backend, as an application ported from python-nss uses it.
        nspr_ctypes.use_backend(backend)

    return activate


# -- pieces shared by the workloads ------------------------------------------------


def _nss_timeout(io: ModuleType) -> int:
    return int(io.seconds_to_interval(WAIT_SECONDS))


def _nss_tcp_pair(io: ModuleType) -> Tuple[Any, Any]:
    """A connected loopback TCP pair (client, server), Nagle off."""
    timeout = _nss_timeout(io)
    listener = io.Socket(io.PR_AF_INET)
    try:
        listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        listener.listen(1)
        client = io.Socket(io.PR_AF_INET)
        client.connect(listener.get_sock_name(), timeout)
        server, _peer = listener.accept(timeout)
    finally:
        listener.close()
    for sock in (client, server):
        sock.set_socket_option(io.PR_SockOpt_NoDelay, True)
    return client, server


def _socket_tcp_pair() -> Tuple[socket.socket, socket.socket]:
    """A connected loopback TCP pair (client, server), Nagle off, timeouts set."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.settimeout(WAIT_SECONDS)
        listener.bind((LOOPBACK, 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=WAIT_SECONDS)
        server, _peer = listener.accept()
    for sock in (client, server):
        sock.settimeout(WAIT_SECONDS)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, server


def _close_all(socks: Sequence[Any]) -> None:
    for sock in socks:
        sock.close()


class _Worker:
    """A peer thread; its failure is raised in the measuring thread."""

    def __init__(self, body: Callable[[], None]) -> None:
        self.error: Optional[BaseException] = None
        self._body = body
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._body()
        except BaseException as exc:
            self.error = exc

    def check(self) -> None:
        if self.error is not None:
            raise BenchmarkFailure("peer thread failed: %r" % (self.error,))

    def join(self) -> None:
        self.thread.join(WAIT_SECONDS)
        if self.thread.is_alive():
            raise BenchmarkFailure("peer thread did not stop")
        self.check()


# -- the benchmarks -----------------------------------------------------------------
#
# Each benchmark has a setup per API: a context manager that yields a loop
# doing ``n`` operations and tears the sockets down afterwards.


def _check_address_text(address: Any, text: str) -> None:
    # python-nss's str() is the address alone; nspr_ctypes adds the port
    # (docs/differences.md).
    _expect(address.address, LOOPBACK, "NetworkAddress.address")
    if text not in (LOOPBACK, LOOPBACK + ":443"):
        raise BenchmarkFailure("str(NetworkAddress) is %r" % (text,))


@contextlib.contextmanager
def nss_address_literal(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    make = io.NetworkAddress

    def loop(n: int) -> None:
        for _ in range(n):
            address = make(LOOPBACK, 443)
            text = str(address)
        _check_address_text(address, text)

    yield loop


@contextlib.contextmanager
def socket_address_literal(settings: Settings) -> Iterator[Loop]:
    # What PR_GetAddrInfoByName(name, PR_AF_UNSPEC, PR_AI_ADDRCONFIG) asks libc.
    getaddrinfo = socket.getaddrinfo
    flags = socket.AI_CANONNAME | socket.AI_ADDRCONFIG

    def loop(n: int) -> None:
        for _ in range(n):
            infos = getaddrinfo(LOOPBACK, None, 0, socket.SOCK_STREAM, 0, flags)
            text = str(infos[-1][4][0])
        _expect(text, LOOPBACK, "getaddrinfo")

    yield loop


@contextlib.contextmanager
def nss_address_constant(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    make = io.NetworkAddress
    loopback = io.PR_IpAddrLoopback

    def loop(n: int) -> None:
        for _ in range(n):
            address = make(loopback, 443)
            text = str(address)
        _check_address_text(address, text)

    yield loop


@contextlib.contextmanager
def nss_intervals(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    to_interval = io.seconds_to_interval
    to_milliseconds = io.interval_to_milliseconds

    def loop(n: int) -> None:
        for _ in range(n):
            milliseconds = to_milliseconds(to_interval(3))
        _expect(milliseconds, 3000, "interval round trip")

    yield loop


@contextlib.contextmanager
def nss_create_close(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    make = io.Socket
    family = io.PR_AF_INET

    def loop(n: int) -> None:
        for _ in range(n):
            make(family).close()

    yield loop


@contextlib.contextmanager
def socket_create_close(settings: Settings) -> Iterator[Loop]:
    make = socket.socket

    def loop(n: int) -> None:
        for _ in range(n):
            make(socket.AF_INET, socket.SOCK_STREAM).close()

    yield loop


@contextlib.contextmanager
def nss_ping_pong(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)

    def loop(n: int) -> None:
        for _ in range(n):
            client.send(b"x", timeout)
            if server.recv(1, timeout) != b"x":
                raise BenchmarkFailure("ping lost")
            server.send(b"y", timeout)
            if client.recv(1, timeout) != b"y":
                raise BenchmarkFailure("pong lost")

    try:
        yield loop
    finally:
        _close_all((client, server))


@contextlib.contextmanager
def socket_ping_pong(settings: Settings) -> Iterator[Loop]:
    client, server = _socket_tcp_pair()

    def loop(n: int) -> None:
        for _ in range(n):
            client.send(b"x")
            if server.recv(1) != b"x":
                raise BenchmarkFailure("ping lost")
            server.send(b"y")
            if client.recv(1) != b"y":
                raise BenchmarkFailure("pong lost")

    try:
        yield loop
    finally:
        _close_all((client, server))


@contextlib.contextmanager
def nss_ping_pong_thread(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)

    def echo() -> None:
        while True:
            data = server.recv(1, timeout)
            if not data:
                return
            server.send(data, timeout)

    worker = _Worker(echo)

    def loop(n: int) -> None:
        for _ in range(n):
            client.send(b"x", timeout)
            if client.recv(1, timeout) != b"x":
                worker.check()
                raise BenchmarkFailure("echo lost")

    try:
        yield loop
    finally:
        client.shutdown(io.PR_SHUTDOWN_SEND)
        try:
            worker.join()
        finally:
            _close_all((client, server))


@contextlib.contextmanager
def socket_ping_pong_thread(settings: Settings) -> Iterator[Loop]:
    client, server = _socket_tcp_pair()

    def echo() -> None:
        while True:
            data = server.recv(1)
            if not data:
                return
            server.send(data)

    worker = _Worker(echo)

    def loop(n: int) -> None:
        for _ in range(n):
            client.send(b"x")
            if client.recv(1) != b"x":
                worker.check()
                raise BenchmarkFailure("echo lost")

    try:
        yield loop
    finally:
        client.shutdown(socket.SHUT_WR)
        try:
            worker.join()
        finally:
            _close_all((client, server))


def _bulk_loop(
    send_chunk: Callable[[], None],
    receive: Callable[[], int],
    chunk_size: int = CHUNK,
) -> Tuple[Loop, Callable[[], None]]:
    """The bulk loop: the caller sends ``n`` chunks, a thread receives them.

    Returns the loop and a stop function that ends the thread.
    """
    requests: queue.Queue[Optional[int]] = queue.Queue()
    results: queue.Queue[int] = queue.Queue()

    def reader() -> None:
        while True:
            wanted = requests.get(timeout=300)
            if wanted is None:
                return
            got = 0
            while got < wanted:
                count = receive()
                if not count:
                    raise BenchmarkFailure("EOF after %d of %d bytes" % (got, wanted))
                got += count
            results.put(got)

    worker = _Worker(reader)

    def loop(n: int) -> None:
        requests.put(n * chunk_size)
        for _ in range(n):
            send_chunk()
        try:
            got = results.get(timeout=WAIT_SECONDS * 3)
        except queue.Empty:
            worker.check()
            raise BenchmarkFailure("reader did not finish") from None
        _expect(got, n * chunk_size, "bytes received")

    def stop() -> None:
        requests.put(None)
        worker.join()

    return loop, stop


@contextlib.contextmanager
def nss_bulk(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    with _nss_bulk(io, CHUNK, sendall=False) as loop:
        yield loop


@contextlib.contextmanager
def nss_bulk_big(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    with _nss_bulk(io, BIG_CHUNK, sendall=True) as loop:
        yield loop


@contextlib.contextmanager
def _nss_bulk(io: ModuleType, chunk_size: int, sendall: bool) -> Iterator[Loop]:
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)
    chunk = b"b" * chunk_size
    # A blocking NSPR send sends it all too; the kernel takes a MiB in parts.
    send = client.sendall if sendall else client.send

    def send_chunk() -> None:
        send(chunk, timeout)

    def receive() -> int:
        return len(server.recv(CHUNK, timeout))

    loop, stop = _bulk_loop(send_chunk, receive, chunk_size)
    try:
        yield loop
    finally:
        try:
            stop()
        finally:
            _close_all((client, server))


@contextlib.contextmanager
def socket_bulk(settings: Settings) -> Iterator[Loop]:
    with _socket_bulk(CHUNK) as loop:
        yield loop


@contextlib.contextmanager
def socket_bulk_big(settings: Settings) -> Iterator[Loop]:
    with _socket_bulk(BIG_CHUNK) as loop:
        yield loop


@contextlib.contextmanager
def _socket_bulk(chunk_size: int) -> Iterator[Loop]:
    client, server = _socket_tcp_pair()
    chunk = b"b" * chunk_size

    def send_chunk() -> None:
        client.sendall(chunk)

    def receive() -> int:
        return len(server.recv(CHUNK))

    loop, stop = _bulk_loop(send_chunk, receive, chunk_size)
    try:
        yield loop
    finally:
        try:
            stop()
        finally:
            _close_all((client, server))


def _readline_loop(
    send: Callable[[bytes], None], readline: Callable[[], bytes]
) -> Loop:
    block = LINE * LINES_PER_BATCH

    def loop(n: int) -> None:
        left = n
        while left:
            batch = min(left, LINES_PER_BATCH)
            send(block[: batch * len(LINE)])  # small enough never to block
            for _ in range(batch):
                line = readline()
            _expect(line, LINE, "readline")
            left -= batch

    return loop


@contextlib.contextmanager
def nss_readline(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)

    def send(data: bytes) -> None:
        client.send(data, timeout)

    # python-nss's readline() has no timeout: every line it waits for was sent.
    try:
        yield _readline_loop(send, server.readline)
    finally:
        _close_all((client, server))


@contextlib.contextmanager
def socket_readline(settings: Settings) -> Iterator[Loop]:
    client, server = _socket_tcp_pair()
    reader = server.makefile("rb")
    try:
        yield _readline_loop(client.sendall, reader.readline)
    finally:
        _close_all((reader, client, server))


@contextlib.contextmanager
def nss_poll(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    socks: List[Any] = []
    try:
        for _ in range(POLL_SOCKETS // 2):
            socks.extend(io.Socket.new_tcp_pair())
        socks[1].send(b"!", _nss_timeout(io))  # socks[0] stays readable
        descs = [(sock, io.PR_POLL_READ) for sock in socks]
        poll = io.Socket.poll
        timeout = _nss_timeout(io)
        ready = io.PR_POLL_READ

        def loop(n: int) -> None:
            for _ in range(n):
                flags = poll(descs, timeout)
            _expect(flags[0] & ready, ready, "poll flags of the ready socket")
            _expect(sum(1 for flag in flags if flag), 1, "ready sockets")

        yield loop
    finally:
        _close_all(socks)


@contextlib.contextmanager
def socket_poll(settings: Settings) -> Iterator[Loop]:
    # select.select takes the whole set on every call, as Socket.poll does.
    socks: List[socket.socket] = []
    try:
        for _ in range(POLL_SOCKETS // 2):
            socks.extend(socket.socketpair())
        socks[1].send(b"!")
        do_select = select.select

        def loop(n: int) -> None:
            for _ in range(n):
                readable, _w, _x = do_select(socks, [], [], WAIT_SECONDS)
            _expect(readable, [socks[0]], "ready sockets")

        yield loop
    finally:
        _close_all(socks)


@contextlib.contextmanager
def nss_accept_connect(io: ModuleType, settings: Settings) -> Iterator[Loop]:
    timeout = _nss_timeout(io)
    listener = io.Socket(io.PR_AF_INET)
    try:
        listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        listener.listen(128)
        address = listener.get_sock_name()
        make = io.Socket
        family = io.PR_AF_INET

        def loop(n: int) -> None:
            for _ in range(n):
                client = make(family)
                client.connect(address, timeout)
                server, _peer = listener.accept(timeout)
                server.close()
                client.close()

        yield loop
    finally:
        listener.close()


@contextlib.contextmanager
def socket_accept_connect(settings: Settings) -> Iterator[Loop]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.settimeout(WAIT_SECONDS)
        listener.bind((LOOPBACK, 0))
        listener.listen(128)
        address = listener.getsockname()
        make = socket.socket

        def loop(n: int) -> None:
            for _ in range(n):
                client = make(socket.AF_INET, socket.SOCK_STREAM)
                client.settimeout(WAIT_SECONDS)
                client.connect(address)
                server, _peer = listener.accept()
                server.close()
                client.close()

        yield loop


class Benchmark(NamedTuple):
    name: str
    operation: str  # what one operation is
    nss: Callable[[ModuleType, Settings], ContextManager[Loop]]
    socket: Optional[Callable[[Settings], ContextManager[Loop]]]
    socket_equivalent: str = ""
    # Operations per repeat when they are not calibrated (bulk transfer).
    fixed_number: Optional[Callable[[Settings], int]] = None
    max_number: Optional[Callable[[Settings], int]] = None


BENCHMARKS: Tuple[Benchmark, ...] = (
    Benchmark(
        "address_literal",
        'str(NetworkAddress("127.0.0.1", 443)): the deprecated string path, '
        "a numeric lookup",
        nss_address_literal,
        socket_address_literal,
        "getaddrinfo(AI_CANONNAME | AI_ADDRCONFIG)",
    ),
    Benchmark(
        "address_constant",
        "str(NetworkAddress(PR_IpAddrLoopback, 443))",
        nss_address_constant,
        None,
    ),
    Benchmark(
        "intervals",
        "interval_to_milliseconds(seconds_to_interval(3)): two calls",
        nss_intervals,
        None,
    ),
    Benchmark(
        "create_close",
        "Socket(PR_AF_INET).close()",
        nss_create_close,
        socket_create_close,
        "socket.socket().close()",
    ),
    Benchmark(
        "ping_pong_1B",
        "1 byte there and back on a loopback TCP pair, both ends in one "
        "thread: 2 sends + 2 recvs with timeout",
        nss_ping_pong,
        socket_ping_pong,
        "send/recv with settimeout()",
    ),
    Benchmark(
        "ping_pong_1B_thread",
        "1 byte there and back, echoed by a peer thread: send + recv with "
        "timeout, and the thread wake-ups",
        nss_ping_pong_thread,
        socket_ping_pong_thread,
        "send/recv with settimeout()",
    ),
    Benchmark(
        "bulk_64KiB",
        "one 64 KiB send of a bulk transfer (32 MiB per repeat) read by a "
        "thread with recv(65536, timeout)",
        nss_bulk,
        socket_bulk,
        "sendall / recv(65536)",
        fixed_number=lambda settings: settings.bulk_bytes // CHUNK,
    ),
    Benchmark(
        "bulk_1MiB",
        "one 1 MiB sendall of a bulk transfer (32 MiB per repeat) read by a "
        "thread with recv(65536, timeout)",
        nss_bulk_big,
        socket_bulk_big,
        "sendall / recv(65536)",
        fixed_number=lambda settings: max(1, settings.bulk_bytes // BIG_CHUNK),
    ),
    Benchmark(
        "readline",
        "readline() of one 32-byte line (lines sent 256 at a time)",
        nss_readline,
        socket_readline,
        'makefile("rb").readline()',
    ),
    Benchmark(
        "poll_64",
        "Socket.poll() over 64 sockets, one readable",
        nss_poll,
        socket_poll,
        "select.select() over the same 64",
    ),
    Benchmark(
        "accept_connect",
        "Socket() + connect + accept + close both on loopback",
        nss_accept_connect,
        socket_accept_connect,
        "the same with socket.socket()",
        max_number=lambda settings: settings.accept_cap,
    ),
)


# -- measuring ----------------------------------------------------------------------


class Timing(NamedTuple):
    benchmark: str
    target: str
    number: int  # operations per repeat
    ns_per_op: List[float]  # one value per repeat

    @property
    def median(self) -> float:
        return float(statistics.median(self.ns_per_op))

    @property
    def best(self) -> float:
        return min(self.ns_per_op)


def _time_once(loop: Loop, number: int) -> int:
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        loop(number)
        return time.perf_counter_ns() - start
    finally:
        if gc_enabled:
            gc.enable()


def _calibrate(loop: Loop, seconds: float, cap: Optional[int]) -> int:
    """Operations that take about ``seconds`` (as timeit's autorange, scaled)."""
    target_ns = seconds * 1e9
    number = 1
    while True:
        elapsed = _time_once(loop, number)
        if cap is not None and number >= cap:
            return cap
        if elapsed >= target_ns / 10 or number >= 10**7:
            break
        number *= 10
        if cap is not None:
            number = min(number, cap)
    scaled = max(1, int(number * target_ns / max(elapsed, 1)))
    return scaled if cap is None else min(scaled, cap)


def measure(
    benchmark: Benchmark,
    target: Target,
    settings: Settings,
    profiler: Optional[cProfile.Profile],
) -> Optional[Timing]:
    """Time ``benchmark`` on ``target``; None when the target has no equivalent."""
    setup: ContextManager[Loop]
    if target.io is not None:
        setup = benchmark.nss(target.io, settings)
    elif benchmark.socket is not None:
        setup = benchmark.socket(settings)
    else:
        return None
    cap = benchmark.max_number(settings) if benchmark.max_number else None
    with setup as loop:
        if benchmark.fixed_number is not None:
            number = benchmark.fixed_number(settings)
            loop(number)  # warm-up
        else:
            loop(settings.warmup_ops if cap is None else min(cap, settings.warmup_ops))
            number = _calibrate(loop, settings.repeat_seconds, cap)
        if profiler is not None:
            profiler.enable()
        try:
            times = [_time_once(loop, number) / number for _ in range(settings.repeats)]
        finally:
            if profiler is not None:
                profiler.disable()
    return Timing(benchmark.name, target.label, number, times)


class Memory(NamedTuple):
    target: str
    sockets: int
    rss_bytes: Optional[float]  # per 1000 sockets; None without /proc
    # per 1000 sockets (tracemalloc: Python allocations); None where the
    # interpreter has no tracemalloc (PyPy)
    traced_bytes: Optional[float]


def _rss_bytes() -> Optional[int]:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _socket_maker(target: Target) -> Callable[[], Any]:
    io = target.io
    if io is None:
        return lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    make = io.Socket
    family = io.PR_AF_INET
    return lambda: make(family)


def _allow_descriptors(wanted: int) -> int:
    """Raise the soft descriptor limit for ``wanted`` sockets; how many fit."""
    spare = 64  # the interpreter's own files, the libraries
    try:
        import resource
    except ImportError:  # not POSIX: try it as it is
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + spare
    if soft != resource.RLIM_INFINITY and soft < needed:
        new_soft = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        soft = new_soft
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - spare))


def _memory_here(target: Target, settings: Settings) -> Memory:
    """Growth of RSS and of traced Python memory per 1000 open idle sockets.

    Run in a fresh process: memory freed by other work would be reused and
    hide the growth.
    """
    target.activate()
    make = _socket_maker(target)
    count = _allow_descriptors(settings.memory_sockets)
    per_thousand = 1000.0 / count
    _close_all([make() for _ in range(10)])  # one-time set-up is not per socket
    gc.collect()
    before = _rss_bytes()
    socks = [make() for _ in range(count)]
    after = _rss_bytes()
    _close_all(socks)
    del socks
    gc.collect()
    rss = None if before is None or after is None else (after - before) * per_thousand
    traced = _traced_growth(make, count)
    return Memory(
        target.label, count, rss, None if traced is None else traced * per_thousand
    )


def _traced_growth(make: Callable[[], Any], count: int) -> Optional[int]:
    """Python allocations of ``count`` new sockets, or None without tracemalloc."""
    try:
        import tracemalloc
    except ImportError:  # PyPy ships the module without its C part
        return None
    tracemalloc.start()
    try:
        start, _peak = tracemalloc.get_traced_memory()
        socks = [make() for _ in range(count)]
        gc.collect()
        end, _peak = tracemalloc.get_traced_memory()
        _close_all(socks)
        del socks
    finally:
        tracemalloc.stop()
    return end - start


def measure_memory(target: Target, quick: bool) -> Memory:
    """:func:`_memory_here` for ``target``, in a child process."""
    command = [sys.executable, str(Path(__file__).resolve())]
    command += ["--memory-child", target.label]
    if quick:
        command.append("--quick")
    child = subprocess.run(
        command, capture_output=True, text=True, timeout=WAIT_SECONDS * 12
    )
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchmarkFailure("memory child failed: %s" % last)
    values = json.loads(child.stdout)
    return Memory(
        str(values["target"]),
        int(values["sockets"]),
        None if values["rss_bytes"] is None else float(values["rss_bytes"]),
        None if values["traced_bytes"] is None else float(values["traced_bytes"]),
    )


def _memory_child(label: str, settings: Settings) -> int:
    targets, notes = _load_targets([label])
    if not targets:
        print(notes.get(label, "unknown implementation"), file=sys.stderr)
        return 2
    print(json.dumps(_memory_here(targets[0], settings)._asdict()))
    return 0


# -- reporting ----------------------------------------------------------------------


def _environment(targets: Sequence[Target]) -> Dict[str, Any]:
    info: Dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "python": "%s (%s)" % (platform.python_version(), sys.executable),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "nspr_ctypes": nspr_ctypes.__version__,
    }
    if any(target.label == PYTHON_NSS for target in targets):
        import nss

        info["python_nss"] = getattr(nss, "__version__", "?")
    try:
        backend = nspr_ctypes.load_backend("nspr")
    except BackendError as exc:
        info["nspr"] = "not loadable (%s)" % str(exc).splitlines()[0]
    else:
        info["nspr"] = "%s (%s)" % (backend.version, backend.library_path)
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _load_average() -> Optional[Tuple[float, float, float]]:
    try:
        return os.getloadavg()
    except OSError:
        return None


def _ratio(value: Optional[float], peer: Optional[float]) -> str:
    if value is None or peer is None or peer <= 0:
        return "—"
    return "%.2f" % (value / peer)


def _ns(value: float) -> str:
    return f"{value:,.0f}"


def _kib(value: Optional[float]) -> str:
    return "—" if value is None else f"{value / 1024:,.0f}"


_HEADER_LINES = (
    ("date", "date (UTC)"),
    ("mode", "mode"),
    ("python", "Python"),
    ("platform", "platform"),
    ("cpu_count", "CPUs"),
    ("cpu_model", "CPU model"),
    ("nspr", "NSPR (libnspr4 of the nspr backend)"),
    ("python_nss", "python-nss"),
    ("nspr_ctypes", "nspr_ctypes"),
    ("load_average_before", "load average before (1, 5, 15 min)"),
    ("load_average_after", "load average after (1, 5, 15 min)"),
)


def _format_load(load: Optional[Sequence[float]]) -> str:
    return "?" if load is None else " ".join("%.2f" % value for value in load)


def render(
    info: Dict[str, Any],
    settings: Settings,
    timings: Sequence[Timing],
    memory: Sequence[Memory],
    notes: Dict[str, str],
    failures: Sequence[str],
) -> str:
    out: List[str] = []
    out.append("# nspr_ctypes benchmarks")
    out.append("")
    for key, title in _HEADER_LINES:
        if key in info:
            value = info[key]
            if key.startswith("load_average"):
                value = _format_load(value)
            out.append("- %s: %s" % (title, value))
    for label, note in notes.items():
        out.append("- %s: %s" % (label, note))
    out.append("")
    out.append(
        "Times are ns per operation: median and minimum of %d repeats. "
        "Ratios are this row's median divided by the peer's median: "
        "> 1 means slower than the peer, < 1 faster." % settings.repeats
    )
    out.append("")
    out.append(
        "| benchmark | implementation | median ns | min ns | ops/repeat "
        "| vs python-nss | vs socket |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|")
    by_key = {(t.benchmark, t.target): t for t in timings}
    for benchmark in BENCHMARKS:
        nss_timing = by_key.get((benchmark.name, PYTHON_NSS))
        socket_timing = by_key.get((benchmark.name, SOCKET))
        for label in ALL_TARGETS:
            timing = by_key.get((benchmark.name, label))
            if timing is None:
                continue
            out.append(
                "| %s | %s | %s | %s | %d | %s | %s |"
                % (
                    benchmark.name,
                    label,
                    _ns(timing.median),
                    _ns(timing.best),
                    timing.number,
                    _ratio(timing.median, nss_timing.median if nss_timing else None),
                    _ratio(
                        timing.median,
                        socket_timing.median if socket_timing else None,
                    ),
                )
            )
    if memory:
        out.append("")
        out.append(
            "Memory per 1000 open idle TCP sockets (measured with %d): RSS "
            "growth, and Python allocations seen by tracemalloc. Ratios as "
            "above: > 1 means more memory than the peer." % memory[0].sockets
        )
        out.append("")
        out.append(
            "| implementation | RSS KiB | traced KiB | RSS vs python-nss "
            "| RSS vs socket | traced vs python-nss | traced vs socket |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        by_target = {m.target: m for m in memory}
        nss_memory = by_target.get(PYTHON_NSS)
        socket_memory = by_target.get(SOCKET)
        for m in memory:
            out.append(
                "| %s | %s | %s | %s | %s | %s | %s |"
                % (
                    m.target,
                    _kib(m.rss_bytes),
                    _kib(m.traced_bytes),
                    _ratio(m.rss_bytes, nss_memory.rss_bytes if nss_memory else None),
                    _ratio(
                        m.rss_bytes, socket_memory.rss_bytes if socket_memory else None
                    ),
                    _ratio(
                        m.traced_bytes,
                        nss_memory.traced_bytes if nss_memory else None,
                    ),
                    _ratio(
                        m.traced_bytes,
                        socket_memory.traced_bytes if socket_memory else None,
                    ),
                )
            )
    out.append("")
    out.append("One operation is:")
    out.append("")
    for benchmark in BENCHMARKS:
        peer = (
            "socket: " + benchmark.socket_equivalent
            if benchmark.socket is not None
            else "no socket equivalent"
        )
        out.append("- %s: %s (%s)" % (benchmark.name, benchmark.operation, peer))
    if failures:
        out.append("")
        out.append("FAILED:")
        out.extend("- %s" % failure for failure in failures)
    return "\n".join(out) + "\n"


# -- main ---------------------------------------------------------------------------


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Speed and memory of nspr_ctypes against python-nss and "
        "the stdlib socket (markdown table on stdout)."
    )
    parser.add_argument(
        "--quick", action="store_true", help="a short smoke run (a few seconds)"
    )
    parser.add_argument("--json", metavar="PATH", help="save the raw numbers here")
    parser.add_argument(
        "--bench",
        action="append",
        choices=[b.name for b in BENCHMARKS] + ["memory"],
        help="run only this benchmark (repeatable; 'memory' for the memory "
        "table); default: all",
    )
    parser.add_argument(
        "--impl",
        action="append",
        choices=sorted(TARGET_ALIASES),
        help="measure only this implementation (repeatable); default: all",
    )
    parser.add_argument(
        "--memory-child", metavar="IMPL", choices=ALL_TARGETS, help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print a cProfile of the timed repeats of each benchmark to stderr",
    )
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(argv)
    settings = QUICK if args.quick else FULL
    if args.memory_child:
        return _memory_child(args.memory_child, settings)
    # A hung run ends with a traceback of every thread instead of waiting.
    faulthandler.dump_traceback_later(settings.watchdog_seconds, exit=True)
    # NetworkAddress(str) warns on every call (a deprecated path, on purpose).
    warnings.simplefilter("ignore", DeprecationWarning)

    wanted = [TARGET_ALIASES[name] for name in args.impl] if args.impl else ALL_TARGETS
    chosen = args.bench or [b.name for b in BENCHMARKS] + ["memory"]
    targets, notes = _load_targets(wanted)
    info = _environment(targets)
    info["mode"] = "quick" if args.quick else "full"
    info["load_average_before"] = _load_average()

    timings: List[Timing] = []
    failures: List[str] = []
    for benchmark in BENCHMARKS:
        if benchmark.name not in chosen:
            continue
        for target in targets:
            target.activate()
            profiler = cProfile.Profile() if args.profile else None
            try:
                timing = measure(benchmark, target, settings, profiler)
            except Exception as exc:
                failures.append("%s on %s: %r" % (benchmark.name, target.label, exc))
                continue
            if timing is not None:
                timings.append(timing)
            if profiler is not None and timing is not None:
                print(
                    "\n== cProfile: %s on %s ==" % (benchmark.name, target.label),
                    file=sys.stderr,
                )
                stats = pstats.Stats(profiler, stream=sys.stderr)
                stats.sort_stats("tottime").print_stats(15)

    memory: List[Memory] = []
    if "memory" in chosen:
        for target in targets:
            target.activate()
            try:
                memory.append(measure_memory(target, args.quick))
            except Exception as exc:
                failures.append("memory on %s: %r" % (target.label, exc))
    info["load_average_after"] = _load_average()
    faulthandler.cancel_dump_traceback_later()

    sys.stdout.write(render(info, settings, timings, memory, notes, failures))
    if args.json:
        raw = {
            "environment": info,
            "settings": settings._asdict(),
            "notes": notes,
            "failures": failures,
            "timings": [
                dict(t._asdict(), median=t.median, min=t.best) for t in timings
            ],
            "memory": [m._asdict() for m in memory],
        }
        Path(args.json).write_text(json.dumps(raw, indent=2) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
