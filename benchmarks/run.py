#!/usr/bin/env python3
"""Speed and memory of nspr_ctypes, against python-nss and the stdlib socket.

The headline is the paired table: every workload of the speed target, with
python-nss (``nss.io``), ``nspr_ctypes/nspr`` and ``nspr_ctypes/stdlib`` in
this one interpreter, measured in alternating rounds (A B C, then C B A; each
round interleaves several short slices per implementation). A round's ratio
is nspr_ctypes's throughput divided by python-nss's in that round; the table
gives the median over the rounds and their IQR: **> 1 means faster than
python-nss**. python-nss is skipped, with a note, when this interpreter cannot
import it (on Debian only ``/usr/bin/python3`` has it); the ratios are then
``—``.

``--absolute`` adds the older timeit-style table: each implementation (and the
stdlib ``socket`` module, where an equivalent exists) timed alone, a warm-up,
a calibrated number of operations per repeat, several repeats; the median and
minimum ns per operation. Where a paired workload does the same work, the
table runs that workload's body. Its ratios divide a row's median *time* by the
peer's, so there a value above 1 means slower than the peer. The memory table
(always run) gives RSS and tracemalloc growth per 1000 idle sockets.

Usage::

    /usr/bin/python3 benchmarks/run.py            # full paired run, markdown on stdout
    /usr/bin/python3 benchmarks/run.py --quick    # smoke run, a few seconds
    /usr/bin/python3 benchmarks/run.py --rounds 11 --json results.json
    /usr/bin/python3 benchmarks/run.py --absolute # also the timeit-style table
    python3 benchmarks/run.py --bench poll_64 --impl nspr --profile

Loopback only, port 0; every wait has a timeout, child processes are killed
(by pid) when they overrun, and a watchdog ends a run that hangs anyway.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import faulthandler
import gc
import http.client
import http.server
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
    Type,
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
POLL_IDLE = 64  # poll_64: idle sockets beside the readable one


class Settings(NamedTuple):
    """How long and how big: the full run or the --quick smoke run."""

    repeats: int
    repeat_seconds: float  # calibrated length of one repeat
    warmup_ops: int
    bulk_bytes: int
    accept_cap: int  # connections per repeat (TIME_WAIT and ephemeral ports)
    memory_sockets: int
    watchdog_seconds: int
    paired_seconds: float  # paired workloads: one implementation's time per round
    slices: int  # paired workloads: interleaved measurements per round
    rounds: int  # paired workloads: rounds (--rounds overrides)
    churn_cap: int  # paired churn: connections per slice


FULL = Settings(
    repeats=9,
    repeat_seconds=0.1,
    warmup_ops=20,
    bulk_bytes=32 * 1024 * 1024,
    accept_cap=300,
    memory_sockets=10000,
    watchdog_seconds=600,
    paired_seconds=0.25,
    slices=5,
    rounds=7,
    churn_cap=400,
)
QUICK = Settings(
    repeats=3,
    repeat_seconds=0.002,
    warmup_ops=2,
    bulk_bytes=1024 * 1024,
    accept_cap=20,
    memory_sockets=200,
    watchdog_seconds=120,
    paired_seconds=0.003,
    slices=2,
    rounds=2,
    churn_cap=20,
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
def nss_address_literal(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
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
def nss_address_constant(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    make = io.NetworkAddress
    loopback = io.PR_IpAddrLoopback

    def loop(n: int) -> None:
        for _ in range(n):
            address = make(loopback, 443)
            text = str(address)
        _check_address_text(address, text)

    yield loop


@contextlib.contextmanager
def nss_intervals(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    to_interval = io.seconds_to_interval
    to_milliseconds = io.interval_to_milliseconds

    def loop(n: int) -> None:
        for _ in range(n):
            milliseconds = to_milliseconds(to_interval(3))
        _expect(milliseconds, 3000, "interval round trip")

    yield loop


@contextlib.contextmanager
def socket_create_close(settings: Settings) -> Iterator[Loop]:
    make = socket.socket

    def loop(n: int) -> None:
        for _ in range(n):
            make(socket.AF_INET, socket.SOCK_STREAM).close()

    yield loop


@contextlib.contextmanager
def nss_ping_pong(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
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


@contextlib.contextmanager
def bulk_transfer(
    send_chunk: Callable[[], None],
    receive: Callable[[], int],
    chunk_size: int,
    socks: Sequence[Any],
) -> Iterator[Loop]:
    """The bulk loop, for a ``with`` block: the caller sends ``n`` chunks, a
    thread receives them. After the block the thread ends and ``socks`` are
    closed."""
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

    try:
        yield loop
    finally:
        try:
            requests.put(None)
            worker.join()
        finally:
            _close_all(socks)


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

    with bulk_transfer(send_chunk, receive, chunk_size, (client, server)) as loop:
        yield loop


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

    with bulk_transfer(send_chunk, receive, chunk_size, (client, server)) as loop:
        yield loop


@contextlib.contextmanager
def socket_readline(settings: Settings) -> Iterator[Loop]:
    client, server = _socket_tcp_pair()
    reader = server.makefile("rb")
    try:
        yield _lines_loop(client.sendall, reader.readline)
    finally:
        _close_all((reader, client, server))


@contextlib.contextmanager
def socket_poll(settings: Settings) -> Iterator[Loop]:
    # select.select takes the whole set on every call, as Socket.poll does;
    # the set of pw_poll_64: 64 idle sockets and 1 readable.
    socks: List[socket.socket] = []
    try:
        while len(socks) < POLL_IDLE + 1:
            socks.extend(socket.socketpair())
        socks[1].send(b"!")  # socks[0] stays readable
        polled = socks[: POLL_IDLE + 1]
        do_select = select.select

        def loop(n: int) -> None:
            for _ in range(n):
                readable, _w, _x = do_select(polled, [], [], WAIT_SECONDS)
            _expect(readable, [socks[0]], "ready sockets")

        yield loop
    finally:
        _close_all(socks)


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
    nss: Callable[[Target, Settings], ContextManager[Loop]]  # the nss.io side
    socket: Optional[Callable[[Settings], ContextManager[Loop]]]
    socket_equivalent: str = ""
    # Operations per repeat when they are not calibrated (bulk transfer).
    fixed_number: Optional[Callable[[Settings], int]] = None
    max_number: Optional[Callable[[Settings], int]] = None


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
        setup = benchmark.nss(target, settings)
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
    paired: Optional[List[str]] = None,
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
    if paired:
        out.extend(paired)
        out.append("")
    if timings:
        out.extend(_render_absolute(settings, timings))
    if memory:
        out.extend(_render_memory(memory))
    if failures:
        out.append("")
        out.append("FAILED:")
        out.extend("- %s" % failure for failure in failures)
    return "\n".join(out) + "\n"


def _render_absolute(settings: Settings, timings: Sequence[Timing]) -> List[str]:
    out: List[str] = []
    out.append("## Absolute times (timeit-style, each implementation alone)")
    out.append("")
    out.append(
        "Times are ns per operation: median and minimum of %d repeats. "
        "Ratios here are the opposite of the paired table's: this row's "
        "median time divided by the peer's median time, so "
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
    out.append("")
    return out


def _render_memory(memory: Sequence[Memory]) -> List[str]:
    out: List[str] = []
    if memory:
        out.append("## Memory")
        out.append("")
        out.append(
            "Memory per 1000 open idle TCP sockets (measured with %d): RSS "
            "growth, and Python allocations seen by tracemalloc. Ratios are "
            "this row's bytes divided by the peer's: > 1 means more memory "
            "than the peer." % memory[0].sockets
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
    return out


# -- the paired workloads -----------------------------------------------------------
#
# The speed target of nspr_ctypes, measured as paired rounds: python-nss and
# both nspr_ctypes backends in this one interpreter, alternating per workload
# and round (A B C, then C B A). A round's ratio is the implementation's
# throughput divided by python-nss's in the same round; the table gives the
# median over the rounds. > 1 means faster than python-nss.

PAIRED_TARGETS = (PYTHON_NSS, NSPR, STDLIB)
PAIRED_IMPLS = (NSPR, STDLIB)  # the ratio columns
LINE_80 = b"%079d\n" % 0  # Socket.readline: one 80-byte line
LINES_80_PER_BATCH = 100  # 8000 bytes sent at once: never blocks
QUEUED_BYTES = 1024  # recv(1): bytes sent at once, then read one by one
UNROLL = 10  # calls per operation of the helper workloads (less loop overhead)
POLL_CLIENTS = 32  # end-to-end poll server: clients in the child process
POLL_ROUND_TRIPS = 10  # ... round trips of each client per operation
MESSAGE = 64  # ... bytes per round trip
HTTP_BODY = bytes(range(256)) * 4  # end-to-end http.client: 1 KiB


class Unavailable(Exception):
    """The implementation lacks what the workload measures (a missing method)."""


class Workload(NamedTuple):
    name: str
    operation: str  # what one operation is
    setup: Callable[[Target, Settings], ContextManager[Loop]]
    target_nspr: Tuple[str, float]  # (">=" or "<=", value)
    target_stdlib: Tuple[str, float]
    calls_per_op: int = 1  # the ns column is per call
    max_number: Optional[Callable[[Settings], int]] = None
    # Bound by thread or process wake-ups: measured beside a busy neighbour
    # process (see _busy_neighbour).
    wakes: bool = False


def _io(target: Target) -> Any:
    if target.io is None:
        raise Unavailable("not an nss.io implementation")
    return target.io


@contextlib.contextmanager
def pw_create_close(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    make = io.Socket
    family = io.PR_AF_INET

    def loop(n: int) -> None:
        for _ in range(n):
            make(family).close()

    yield loop


@contextlib.contextmanager
def pw_churn(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
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
def _echoed_by_thread(
    io: ModuleType, echo: Callable[[Any], None]
) -> Iterator[Tuple[Any, _Worker]]:
    """A connected pair whose server side runs ``echo(server)`` in a thread
    until end of input: (the client, the thread). Ends with the client's
    shutdown, the thread's end and both closed."""
    client, server = _nss_tcp_pair(io)
    worker = _Worker(lambda: echo(server))
    try:
        yield client, worker
    finally:
        client.shutdown(io.PR_SHUTDOWN_SEND)
        try:
            worker.join()
        finally:
            _close_all((client, server))


@contextlib.contextmanager
def pw_ping_pong_thread(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    timeout = _nss_timeout(io)

    def echo(server: Any) -> None:
        while True:
            data = server.recv(1, timeout)
            if not data:
                return
            server.send(data, timeout)

    with _echoed_by_thread(io, echo) as (client, worker):

        def loop(n: int) -> None:
            for _ in range(n):
                client.send(b"x", timeout)
                if client.recv(1, timeout) != b"x":
                    worker.check()
                    raise BenchmarkFailure("echo lost")

        yield loop


def _child_command(*args: str) -> List[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def _end_child(child: subprocess.Popen[bytes]) -> None:
    """Wait for a child that was told to stop; kill it (by its pid) if it does not."""
    try:
        child.wait(WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(WAIT_SECONDS)
        raise BenchmarkFailure("child process did not stop; killed") from None
    if child.returncode != 0:
        raise BenchmarkFailure("child process failed (exit %d)" % child.returncode)


def _listen(io: ModuleType, backlog: int) -> Any:
    listener = io.Socket(io.PR_AF_INET)
    try:
        listener.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        listener.listen(backlog)
    except BaseException:
        listener.close()
        raise
    return listener


@contextlib.contextmanager
def _echoed_by_child(io: ModuleType) -> Iterator[Any]:
    """A socket connected to an echo child process (``--echo-child``), Nagle
    off. Ends with its shutdown and the child's end; the child is killed (by
    its pid) if the body fails."""
    timeout = _nss_timeout(io)
    listener = _listen(io, 1)
    child = None
    server = None
    try:
        port = listener.get_sock_name().port
        child = subprocess.Popen(_child_command("--echo-child", str(port)))
        server, _peer = listener.accept(timeout)
        server.set_socket_option(io.PR_SockOpt_NoDelay, True)
        yield server
        server.shutdown(io.PR_SHUTDOWN_SEND)
        _end_child(child)
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait(WAIT_SECONDS)
        _close_all([sock for sock in (server, listener) if sock is not None])


@contextlib.contextmanager
def pw_ping_pong_process(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    timeout = _nss_timeout(io)
    with _echoed_by_child(io) as conn:

        def loop(n: int) -> None:
            for _ in range(n):
                conn.send(b"x", timeout)
                if conn.recv(1, timeout) != b"x":
                    raise BenchmarkFailure("echo lost")

        yield loop


def _echo_child(port: int) -> int:
    """The peer of the ping-pong process workload: echo until EOF."""
    sock = socket.create_connection((LOOPBACK, port), timeout=WAIT_SECONDS)
    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = sock.recv(1)
            if not data:
                return 0
            sock.sendall(data)


@contextlib.contextmanager
def pw_recv_queued(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)
    block = b"q" * QUEUED_BYTES
    recv = server.recv

    def loop(n: int) -> None:
        left = n
        while left:
            batch = min(left, QUEUED_BYTES)
            client.send(block[:batch], timeout)
            # The last byte sent must be queued before the first recv.
            for _ in range(batch):
                data = recv(1, timeout)
            _expect(data, b"q", "recv(1)")
            left -= batch

    try:
        yield loop
    finally:
        _close_all((client, server))


@contextlib.contextmanager
def pw_bulk(target: Target, settings: Settings) -> Iterator[Loop]:
    with _nss_bulk(_io(target), CHUNK, sendall=False) as loop:
        yield loop


@contextlib.contextmanager
def pw_bulk_sendall(target: Target, settings: Settings) -> Iterator[Loop]:
    with _nss_bulk(_io(target), BIG_CHUNK, sendall=True) as loop:
        yield loop


@contextlib.contextmanager
def pw_bulk_recv_into(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    if target.label == PYTHON_NSS:
        # The reference: python-nss has no recv_into; its recv is the peer.
        with _nss_bulk(io, CHUNK, sendall=False) as loop:
            yield loop
        return
    if not hasattr(io.Socket, "recv_into"):
        raise Unavailable("Socket.recv_into not available")
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)
    chunk = b"b" * CHUNK
    buffer = bytearray(CHUNK)

    def send_chunk() -> None:
        client.send(chunk, timeout)

    def receive() -> int:
        return int(server.recv_into(buffer, CHUNK, timeout=timeout))

    with bulk_transfer(send_chunk, receive, CHUNK, (client, server)) as loop:
        yield loop


@contextlib.contextmanager
def _poll_sockets(io: ModuleType, idle: int) -> Iterator[List[Any]]:
    """``idle + 1`` sockets to poll, the first readable, the rest idle."""
    socks: List[Any] = []
    try:
        while len(socks) < idle + 1:
            socks.extend(io.Socket.new_tcp_pair())
        socks[1].send(b"!", _nss_timeout(io))  # socks[0] stays readable
        yield socks[: idle + 1]
    finally:
        _close_all(socks)


@contextlib.contextmanager
def _poll_set(target: Target, idle: int) -> Iterator[Loop]:
    io = _io(target)
    with _poll_sockets(io, idle) as socks:
        descs = [(sock, io.PR_POLL_READ) for sock in socks]
        poll = io.Socket.poll
        timeout = _nss_timeout(io)
        ready = io.PR_POLL_READ

        def loop(n: int) -> None:
            for _ in range(n):
                flags = poll(descs, timeout)
            _expect(flags[0] & ready, ready, "poll flags of the ready socket")
            _expect(sum(1 for flag in flags if flag), 1, "ready sockets")
            _expect(len(flags), idle + 1, "poll results")

        yield loop


@contextlib.contextmanager
def pw_poll_1(target: Target, settings: Settings) -> Iterator[Loop]:
    with _poll_set(target, 1) as loop:
        yield loop


@contextlib.contextmanager
def pw_poll_64(target: Target, settings: Settings) -> Iterator[Loop]:
    with _poll_set(target, POLL_IDLE) as loop:
        yield loop


def _lines_loop(send: Callable[[bytes], None], readline: Callable[[], bytes]) -> Loop:
    block = LINE_80 * LINES_80_PER_BATCH

    def loop(n: int) -> None:
        left = n
        while left:
            batch = min(left, LINES_80_PER_BATCH)
            send(block[: batch * len(LINE_80)])
            for _ in range(batch):
                line = readline()
            _expect(line, LINE_80, "readline")
            left -= batch

    return loop


@contextlib.contextmanager
def pw_readline(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)

    def send(data: bytes) -> None:
        client.sendall(data, timeout)

    # python-nss's readline() has no timeout: every line it waits for was sent.
    try:
        yield _lines_loop(send, server.readline)
    finally:
        _close_all((client, server))


@contextlib.contextmanager
def pw_makefile_readline(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    client, server = _nss_tcp_pair(io)
    timeout = _nss_timeout(io)

    def send(data: bytes) -> None:
        client.sendall(data, timeout)

    # python-nss's makefile() returns the socket itself: its readline is the peer.
    reader = server if target.label == PYTHON_NSS else server.makefile("rb")
    try:
        yield _lines_loop(send, reader.readline)
    finally:
        if reader is not server:
            reader.close()
        _close_all((client, server))


@contextlib.contextmanager
def pw_htonl(target: Target, settings: Settings) -> Iterator[Loop]:
    htonl = _io(target).htonl
    value = 0x01020304

    def loop(n: int) -> None:
        for _ in range(n):
            htonl(value), htonl(value), htonl(value), htonl(value), htonl(value)
            htonl(value), htonl(value), htonl(value), htonl(value)
            result = htonl(value)
        _expect(result, socket.htonl(value), "htonl")

    yield loop


@contextlib.contextmanager
def pw_ms_to_interval(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    convert = io.milliseconds_to_interval
    expected = io.ticks_per_second()

    def loop(n: int) -> None:
        for _ in range(n):
            convert(1000), convert(1000), convert(1000), convert(1000), convert(1000)
            convert(1000), convert(1000), convert(1000), convert(1000)
            result = convert(1000)
        _expect(result, expected, "milliseconds_to_interval(1000)")

    yield loop


@contextlib.contextmanager
def pw_interval_now(target: Target, settings: Settings) -> Iterator[Loop]:
    now = _io(target).interval_now

    def loop(n: int) -> None:
        for _ in range(n):
            now(), now(), now(), now(), now(), now(), now(), now(), now()
            result = now()
        if not isinstance(result, int) or not 0 <= result <= 0xFFFFFFFF:
            raise BenchmarkFailure("interval_now() returned %r" % (result,))

    yield loop


def _check_address_8080(address: Any, text: str) -> None:
    # python-nss's str() is the address alone; nspr_ctypes adds the port.
    _expect(address.port, 8080, "NetworkAddress.port")
    if text not in (LOOPBACK, LOOPBACK + ":8080"):
        raise BenchmarkFailure("str(NetworkAddress) is %r" % (text,))


@contextlib.contextmanager
def pw_netaddr_new(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    make = io.NetworkAddress
    lo = io.PR_IpAddrLoopback

    def loop(n: int) -> None:
        for _ in range(n):
            make(lo, 8080), make(lo, 8080), make(lo, 8080), make(lo, 8080)
            make(lo, 8080), make(lo, 8080), make(lo, 8080), make(lo, 8080)
            make(lo, 8080)
            address = make(lo, 8080)
        _check_address_8080(address, str(address))

    yield loop


@contextlib.contextmanager
def pw_netaddr_str(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    address = io.NetworkAddress(io.PR_IpAddrLoopback, 8080)

    def loop(n: int) -> None:
        for _ in range(n):
            str(address), str(address), str(address), str(address), str(address)
            str(address), str(address), str(address), str(address)
            text = str(address)
        _check_address_8080(address, text)

    yield loop


class _ChildLines:
    """Lines from a child's stdout, each awaited with a timeout."""

    def __init__(self, child: subprocess.Popen[bytes]) -> None:
        assert child.stdout is not None and child.stdin is not None
        self._child = child
        self._stdin = child.stdin
        self._fd = child.stdout.fileno()
        self._pending = b""

    def send(self, line: str) -> None:
        self._stdin.write(line.encode() + b"\n")
        self._stdin.flush()

    def expect(self, wanted: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS * 3
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            readable, _w, _x = select.select([self._fd], [], [], max(0.0, left))
            if not readable:
                raise BenchmarkFailure("child process: no %r in time" % wanted)
            data = os.read(self._fd, 4096)
            if not data:
                raise BenchmarkFailure("child process ended before %r" % wanted)
            self._pending += data
        line, self._pending = self._pending.split(b"\n", 1)
        _expect(line.decode(), wanted, "child process")


class PollServer(NamedTuple):
    """The server side of the end-to-end poll workload, set up: the listener and
    the 32 accepted non-blocking connections, and the clients' child process."""

    lines: _ChildLines
    listener: Any
    conns: List[Any]
    timeout: int


@contextlib.contextmanager
def poll_server(io: Any) -> Iterator[PollServer]:
    """A listener of ``io`` and its 32 accepted connections (non-blocking, no
    Nagle), each connected by a client of the child process, which waits for
    ``go K``; ended (and the child stopped) on exit."""
    timeout = _nss_timeout(io)
    listener = _listen(io, POLL_CLIENTS)
    conns: List[Any] = []
    child = subprocess.Popen(
        _child_command(
            "--poll-clients", str(listener.get_sock_name().port), str(POLL_CLIENTS)
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        lines = _ChildLines(child)
        for _ in range(POLL_CLIENTS):
            conn, _peer = listener.accept(timeout)
            conns.append(conn)
            conn.set_socket_option(io.PR_SockOpt_NoDelay, True)
            conn.set_socket_option(io.PR_SockOpt_Nonblocking, True)
        lines.expect("ready")
        yield PollServer(lines, listener, conns, timeout)
        lines.send("quit")
        _end_child(child)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(WAIT_SECONDS)
        for pipe in (child.stdin, child.stdout):
            if pipe is not None:
                pipe.close()
        _close_all([*conns, listener])


@contextlib.contextmanager
def pw_poll_server(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    with poll_server(io) as server:
        lines, conns, timeout = server.lines, server.conns, server.timeout
        read = io.PR_POLL_READ
        descs = [(server.listener, read)] + [(conn, read) for conn in conns]
        poll = io.Socket.poll
        per_exchange = POLL_CLIENTS * POLL_ROUND_TRIPS * MESSAGE

        def exchange() -> None:
            lines.send("go %d" % POLL_ROUND_TRIPS)
            left = per_exchange
            while left:
                flags = poll(descs, timeout)
                if not any(flags):
                    raise BenchmarkFailure("poll timed out, %d bytes left" % left)
                _expect(flags[0], 0, "poll flags of the idle listener")
                for conn, flag in zip(conns, flags[1:]):
                    if not flag:
                        continue
                    if flag != read:
                        raise BenchmarkFailure("poll flags %#x" % flag)
                    data = conn.recv(65536)
                    if not data:
                        raise BenchmarkFailure("client closed early")
                    # 64-byte messages: the socket buffer always has room.
                    _expect(conn.send(data), len(data), "bytes echoed")
                    left -= len(data)
            lines.expect("done")

        def loop(n: int) -> None:
            for _ in range(n):
                exchange()

        yield loop


def _poll_clients_child(port: int, count: int) -> int:
    """The clients of the end-to-end poll server: stdlib sockets, lock-step rounds.

    Commands on stdin: ``go K`` (every client makes K round trips of MESSAGE
    bytes, all in flight at once; answers ``done``) and ``quit``.
    """
    clients = []
    for number in range(count):
        sock = socket.create_connection((LOOPBACK, port), timeout=WAIT_SECONDS)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        clients.append((sock, (b"%02d" % number) * (MESSAGE // 2)))
    poller = select.poll()
    by_fd = {sock.fileno(): (sock, message) for sock, message in clients}
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for command in sys.stdin:
        words = command.split()
        if words == ["quit"]:
            break
        round_trips = int(words[1])
        for _ in range(round_trips):
            got = {fd: b"" for fd in by_fd}
            for sock, message in clients:
                sock.sendall(message)
            waiting = len(got)
            while waiting:
                events = poller.poll(WAIT_SECONDS * 1000)
                if not events:
                    raise BenchmarkFailure("echo server did not answer")
                for fd, _event in events:
                    sock, message = by_fd[fd]
                    data = sock.recv(MESSAGE)
                    if not data:
                        raise BenchmarkFailure("server closed a connection")
                    got[fd] += data
                    if len(got[fd]) == MESSAGE:
                        waiting -= 1
                        _expect(got[fd], message, "echo")
                    elif len(got[fd]) > MESSAGE:
                        raise BenchmarkFailure("echo too long")
        out.write("done\n")
        out.flush()
    _close_all([sock for sock, _message in clients])
    return 0


class _HTTPHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = WAIT_SECONDS  # an idle or stuck connection ends its thread
    # The headers and the body are two writes: without this, Nagle's algorithm
    # holds the body until the client's delayed ACK (40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(HTTP_BODY)))
        self.end_headers()
        self.wfile.write(HTTP_BODY)


def _connection_class(io: Any) -> Type[http.client.HTTPConnection]:
    """An HTTPConnection over ``io.Socket``, as python-nss's http example makes it."""

    class NSPRConnection(http.client.HTTPConnection):
        def connect(self) -> None:
            net_addr = io.NetworkAddress(io.PR_IpAddrLoopback, self.port)
            sock = io.Socket(net_addr.family)
            try:
                sock.connect(net_addr, timeout=io.seconds_to_interval(WAIT_SECONDS))
            except BaseException:
                sock.close()
                raise
            self.sock = sock

    return NSPRConnection


@contextlib.contextmanager
def pw_http(target: Target, settings: Settings) -> Iterator[Loop]:
    io = _io(target)
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _HTTPHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True
    )
    thread.start()
    conn = _connection_class(io)(LOOPBACK, server.server_address[1])
    try:

        def loop(n: int) -> None:
            for _ in range(n):
                conn.request("GET", "/")
                response = conn.getresponse()
                body = response.read()
            _expect((response.status, body), (200, HTTP_BODY), "GET")
            if response.will_close:
                raise BenchmarkFailure("the connection was not kept alive")

        yield loop
    finally:
        conn.close()
        server.shutdown()
        server.server_close()
        thread.join(WAIT_SECONDS)


def _at_least(value: float) -> Tuple[str, float]:
    return (">=", value)


WORKLOADS: Tuple[Workload, ...] = (
    Workload(
        "create_close",
        "Socket(PR_AF_INET).close()",
        pw_create_close,
        _at_least(0.65),
        _at_least(0.6),
    ),
    Workload(
        "churn",
        "Socket() + connect + accept + close both, on loopback",
        pw_churn,
        _at_least(0.75),
        _at_least(0.7),
        max_number=lambda settings: settings.churn_cap,
    ),
    Workload(
        "ping_pong_thread",
        "1 byte there and back (send + recv(1, timeout)), echoed by a thread "
        "using the same implementation (a busy neighbour process keeps the "
        "CPUs out of idle)",
        pw_ping_pong_thread,
        _at_least(0.88),
        _at_least(0.95),
        wakes=True,
    ),
    Workload(
        "ping_pong_process",
        "1 byte there and back (send + recv(1, timeout)), echoed by a child "
        "process using stdlib sockets (beside a busy neighbour process)",
        pw_ping_pong_process,
        _at_least(0.88),
        _at_least(0.9),
        wakes=True,
    ),
    Workload(
        "recv_1B_queued",
        "recv(1, timeout) of a byte already queued (1024 bytes sent at once, "
        "the send included)",
        pw_recv_queued,
        _at_least(0.4),
        _at_least(0.35),
    ),
    Workload(
        "bulk_64KiB",
        "send(64 KiB), read by a thread with recv(65536, timeout)",
        pw_bulk,
        _at_least(0.9),
        _at_least(0.9),
    ),
    Workload(
        "bulk_sendall_1MiB",
        "sendall(1 MiB), read by a thread with recv(65536, timeout)",
        pw_bulk_sendall,
        _at_least(1.0),
        _at_least(1.0),
    ),
    Workload(
        "bulk_recv_into",
        "send(64 KiB), read by a thread with recv_into(bytearray(65536)); "
        "python-nss: recv(65536)",
        pw_bulk_recv_into,
        _at_least(1.0),
        _at_least(1.0),
    ),
    Workload(
        "poll_1_idle_1_ready",
        "Socket.poll() of 2 sockets, 1 readable",
        pw_poll_1,
        _at_least(0.6),
        _at_least(0.6),
    ),
    Workload(
        "poll_64_idle_1_ready",
        "Socket.poll() of 65 sockets, 1 readable",
        pw_poll_64,
        _at_least(0.95),
        _at_least(0.95),
    ),
    Workload(
        "readline_80B",
        "Socket.readline() of an 80-byte line (100 lines sent at once, the "
        "send included)",
        pw_readline,
        _at_least(0.5),
        _at_least(0.5),
    ),
    Workload(
        "makefile_readline_80B",
        "makefile('rb').readline() of an 80-byte line; python-nss: "
        "Socket.readline() (its makefile() returns the socket)",
        pw_makefile_readline,
        _at_least(1.3),
        _at_least(1.3),
    ),
    Workload(
        "htonl",
        "htonl(0x01020304)",
        pw_htonl,
        _at_least(1.0),
        _at_least(1.0),
        calls_per_op=UNROLL,
    ),
    Workload(
        "milliseconds_to_interval",
        "milliseconds_to_interval(1000)",
        pw_ms_to_interval,
        _at_least(0.65),
        _at_least(0.65),
        calls_per_op=UNROLL,
    ),
    Workload(
        "interval_now",
        "interval_now()",
        pw_interval_now,
        _at_least(0.45),
        _at_least(0.4),
        calls_per_op=UNROLL,
    ),
    Workload(
        "netaddr_new",
        "NetworkAddress(PR_IpAddrLoopback, 8080)",
        pw_netaddr_new,
        _at_least(0.4),
        _at_least(0.4),
        calls_per_op=UNROLL,
    ),
    Workload(
        "netaddr_str",
        "str() of NetworkAddress(PR_IpAddrLoopback, 8080)",
        pw_netaddr_str,
        _at_least(2.9),
        _at_least(2.9),
        calls_per_op=UNROLL,
    ),
    Workload(
        "e2e_poll_server",
        "an echo server on Socket.poll (listener + 32 non-blocking "
        "connections) for 32 clients in a child process (stdlib sockets), "
        "10 round trips of 64 bytes each per operation",
        pw_poll_server,
        _at_least(0.85),
        _at_least(0.9),
    ),
    Workload(
        "e2e_http_keepalive",
        "a keep-alive GET of a 1 KiB body through an http.client."
        "HTTPConnection whose connect() makes an io.Socket; http.server in a "
        "thread of this process",
        pw_http,
        _at_least(0.95),
        _at_least(0.95),
    ),
)
# The absolute table: each benchmark timed alone on every implementation. Where
# a paired workload does the same work, its body is the nss.io side here too;
# the socket side is the stdlib socket's equivalent.
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
        pw_create_close,
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
        pw_ping_pong_thread,
        socket_ping_pong_thread,
        "send/recv with settimeout()",
    ),
    Benchmark(
        "bulk_64KiB",
        "one 64 KiB send of a bulk transfer (32 MiB per repeat) read by a "
        "thread with recv(65536, timeout)",
        pw_bulk,
        socket_bulk,
        "sendall / recv(65536)",
        fixed_number=lambda settings: settings.bulk_bytes // CHUNK,
    ),
    Benchmark(
        "bulk_1MiB",
        "one 1 MiB sendall of a bulk transfer (32 MiB per repeat) read by a "
        "thread with recv(65536, timeout)",
        pw_bulk_sendall,
        socket_bulk_big,
        "sendall / recv(65536)",
        fixed_number=lambda settings: max(1, settings.bulk_bytes // BIG_CHUNK),
    ),
    Benchmark(
        "readline",
        "readline() of one 80-byte line (lines sent 100 at a time, the send included)",
        pw_readline,
        socket_readline,
        'makefile("rb").readline()',
    ),
    Benchmark(
        "poll_64",
        "Socket.poll() of 65 sockets, 1 readable",
        pw_poll_64,
        socket_poll,
        "select.select() over the same 65",
    ),
    Benchmark(
        "accept_connect",
        "Socket() + connect + accept + close both on loopback",
        pw_churn,
        socket_accept_connect,
        "the same with socket.socket()",
        max_number=lambda settings: settings.accept_cap,
    ),
)


MEMORY_TARGET = ("<=", 300.0)  # bytes of Python memory per open idle socket


class PairedResult(NamedTuple):
    workload: str
    target: str
    number: int  # operations per measurement
    ns_per_call: List[float]  # one value per round
    unavailable: Optional[str] = None


#: How long a busy neighbour may spin at most (it is stopped by its pid
#: as soon as its workload ends; this bounds it if the benchmark dies).
NEIGHBOUR_SECONDS = 600
_SPIN = "import time\nend = time.monotonic() + %d\nwhile time.monotonic() < end:\n    pass\n"


@contextlib.contextmanager
def _busy_neighbour() -> Iterator[None]:
    """A child process that keeps one CPU busy while a workload runs.

    A thread or process woken on an idle virtual CPU pays the hypervisor's
    wake-up (on this machine kind about 35 us, against a whole python-nss
    round trip of 6 us), and whether a CPU idles between two wake-ups varies
    from run to run: the ping-pong rows then read 0.07 in one run and 0.6 in
    the next, for whichever implementation happened to meet idle CPUs. A
    busy neighbour keeps the CPUs out of idle, so the rows measure the
    libraries, the same way for each.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", _SPIN % NEIGHBOUR_SECONDS],
        stdin=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        child.kill()
        child.wait(WAIT_SECONDS)


def run_workload(
    workload: Workload, targets: Sequence[Target], settings: Settings, rounds: int
) -> List[PairedResult]:
    """Measure ``workload`` on every target, in alternating rounds."""
    cap = workload.max_number(settings) if workload.max_number else None
    loops: Dict[str, Loop] = {}
    numbers: Dict[str, int] = {}
    results: List[PairedResult] = []
    by_label = {target.label: target for target in targets}
    with contextlib.ExitStack() as stack:
        if workload.wakes:
            stack.enter_context(_busy_neighbour())
        for target in targets:
            target.activate()
            try:
                loop = stack.enter_context(workload.setup(target, settings))
            except Unavailable as exc:
                results.append(
                    PairedResult(workload.name, target.label, 0, [], str(exc))
                )
                continue
            warm = settings.warmup_ops if cap is None else min(cap, settings.warmup_ops)
            loop(warm)
            numbers[target.label] = _calibrate(
                loop, settings.paired_seconds / settings.slices, cap
            )
            loops[target.label] = loop
        times: Dict[str, List[float]] = {label: [] for label in loops}
        order = list(loops)
        for _ in range(rounds):
            # A round is several short slices per implementation, interleaved,
            # so that every implementation samples the same stretch of time
            # (the machine's state drifts within a fraction of a second).
            elapsed = {label: 0 for label in loops}
            for _slice in range(settings.slices):
                for label in order:
                    by_label[label].activate()
                    elapsed[label] += _time_once(loops[label], numbers[label])
                order.reverse()
            for label in loops:
                operations = numbers[label] * settings.slices * workload.calls_per_op
                times[label].append(elapsed[label] / operations)
    for label in loops:
        results.append(PairedResult(workload.name, label, numbers[label], times[label]))
    return results


def _round_ratios(
    results: Sequence[PairedResult], workload: str, label: str
) -> Optional[List[float]]:
    """Per round: the throughput of ``label`` over python-nss's (> 1: faster)."""
    found = {r.target: r for r in results if r.workload == workload}
    impl = found.get(label)
    reference = found.get(PYTHON_NSS)
    if impl is None or reference is None or not impl.ns_per_call:
        return None
    if not reference.ns_per_call:
        return None
    return [ref / own for ref, own in zip(reference.ns_per_call, impl.ns_per_call)]


def _spread(values: Sequence[float]) -> str:
    if len(values) >= 4:
        low, _mid, high = statistics.quantiles(values, n=4, method="inclusive")
    else:
        low, high = min(values), max(values)
    return "%.2f-%.2f" % (low, high)


def _met(value: float, target: Tuple[str, float]) -> str:
    ok = value >= target[1] if target[0] == ">=" else value <= target[1]
    return "yes" if ok else "**no**"


def _target_text(target: Tuple[str, float], unit: str = "") -> str:
    return "%s %s%s" % ("≥" if target[0] == ">=" else "≤", "%g" % target[1], unit)


def render_paired(
    results: Sequence[PairedResult],
    memory: Sequence[Memory],
    rounds: int,
    settings: Settings,
) -> List[str]:
    out: List[str] = []
    out.append("## Paired ratios to python-nss (the speed target)")
    out.append("")
    out.append(
        "Ratio = nspr_ctypes throughput / python-nss throughput in the same "
        "round, median over %d rounds; the spread is the IQR of the rounds' "
        "ratios (min-max under 4 rounds). **> 1 means faster than "
        "python-nss.** python-nss and both backends run in this one process; "
        "a round gives each about %g s in %d interleaved slices (A B C, then "
        "C B A, ...). The memory row is bytes, not a ratio."
        % (rounds, settings.paired_seconds, settings.slices)
    )
    out.append("")
    out.append(
        "| workload | nspr | nspr spread | nspr target | met "
        "| stdlib | stdlib spread | stdlib target | met | python-nss ns/call |"
    )
    out.append("|---|---:|---:|---:|---|---:|---:|---:|---|---:|")
    notes: List[str] = []
    for workload in WORKLOADS:
        rows = [r for r in results if r.workload == workload.name]
        if not rows:
            continue
        cells = [workload.name]
        for label, target in (
            (NSPR, workload.target_nspr),
            (STDLIB, workload.target_stdlib),
        ):
            ratios = _round_ratios(results, workload.name, label)
            if ratios is None:
                cells += ["—", "", _target_text(target), ""]
                for r in rows:
                    if r.target == label and r.unavailable:
                        notes.append(
                            "%s on %s: %s" % (workload.name, label, r.unavailable)
                        )
            else:
                median = statistics.median(ratios)
                cells += [
                    "%.2f" % median,
                    _spread(ratios),
                    _target_text(target),
                    _met(median, target),
                ]
        reference = [r for r in rows if r.target == PYTHON_NSS and r.ns_per_call]
        cells.append(
            _ns(statistics.median(reference[0].ns_per_call)) if reference else "—"
        )
        out.append("| " + " | ".join(cells) + " |")
    by_target = {m.target: m for m in memory}
    if memory:
        cells = ["memory per idle socket, bytes (tracemalloc)"]
        for label in PAIRED_IMPLS:
            m = by_target.get(label)
            traced = None if m is None else m.traced_bytes
            if traced is None:
                cells += ["—", "", _target_text(MEMORY_TARGET, " B"), ""]
            else:
                per_socket = traced / 1000.0
                cells += [
                    "%.0f B" % per_socket,
                    "",
                    _target_text(MEMORY_TARGET, " B"),
                    _met(per_socket, MEMORY_TARGET),
                ]
        nss_memory = by_target.get(PYTHON_NSS)
        cells.append(
            "%.0f B" % (nss_memory.traced_bytes / 1000.0)
            if nss_memory is not None and nss_memory.traced_bytes is not None
            else "—"
        )
        out.append("| " + " | ".join(cells) + " |")
    if not any(r.target == PYTHON_NSS for r in results):
        notes.append(
            "python-nss was not measured, so there are no ratios (it is "
            "installed for /usr/bin/python3 only); each implementation's ns per call "
            "is in the --json output"
        )
    if notes:
        out.append("")
        out.extend("- %s" % note for note in notes)
    out.append("")
    out.append("One operation is:")
    out.append("")
    for workload in WORKLOADS:
        per = (
            ""
            if workload.calls_per_op == 1
            else " (%d per loop pass)" % (workload.calls_per_op)
        )
        out.append("- %s: %s%s" % (workload.name, workload.operation, per))
    return out


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
        "--rounds",
        type=int,
        help="rounds of the paired workloads (default: %d; --quick: %d)"
        % (FULL.rounds, QUICK.rounds),
    )
    parser.add_argument(
        "--workload",
        action="append",
        choices=[w.name for w in WORKLOADS] + ["none"],
        help="run only this paired workload (repeatable; 'none' for none); "
        "default: all",
    )
    parser.add_argument(
        "--absolute",
        action="store_true",
        help="also run the absolute timeit-style table (with the stdlib "
        "socket as a fourth implementation)",
    )
    parser.add_argument(
        "--bench",
        action="append",
        choices=[b.name for b in BENCHMARKS] + ["memory"],
        help="run only this benchmark of the absolute table (repeatable; "
        "implies --absolute; 'memory' for the memory tables); default: all",
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
    parser.add_argument("--echo-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--poll-clients", type=int, nargs=2, help=argparse.SUPPRESS)
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
    if args.echo_child is not None:
        return _echo_child(args.echo_child)
    if args.poll_clients is not None:
        return _poll_clients_child(*args.poll_clients)
    rounds = settings.rounds if args.rounds is None else args.rounds
    if rounds < 1:
        print("--rounds must be at least 1", file=sys.stderr)
        return 2
    # A hung run ends with a traceback of every thread instead of waiting.
    faulthandler.dump_traceback_later(settings.watchdog_seconds, exit=True)
    # NetworkAddress(str) warns on every call (a deprecated path, on purpose).
    warnings.simplefilter("ignore", DeprecationWarning)

    wanted = [TARGET_ALIASES[name] for name in args.impl] if args.impl else ALL_TARGETS
    absolute = args.absolute or bool(args.bench)
    chosen = args.bench or (
        [b.name for b in BENCHMARKS] + ["memory"] if absolute else ["memory"]
    )
    chosen_workloads = args.workload or [w.name for w in WORKLOADS]
    targets, notes = _load_targets(wanted)
    info = _environment(targets)
    info["mode"] = "quick" if args.quick else "full"
    info["load_average_before"] = _load_average()

    failures: List[str] = []
    paired: List[PairedResult] = []
    paired_targets = [t for t in targets if t.label in PAIRED_TARGETS]
    for workload in WORKLOADS:
        if workload.name not in chosen_workloads:
            continue
        try:
            paired.extend(run_workload(workload, paired_targets, settings, rounds))
        except Exception as exc:
            failures.append("%s (paired): %r" % (workload.name, exc))

    timings: List[Timing] = []
    for benchmark in BENCHMARKS if absolute else ():
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

    paired_lines = render_paired(paired, memory, rounds, settings) if paired else None
    sys.stdout.write(
        render(info, settings, timings, memory, notes, failures, paired_lines)
    )
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
            "rounds": rounds,
            "paired": [
                dict(
                    r._asdict(),
                    ratio_per_round=_round_ratios(paired, r.workload, r.target),
                )
                for r in paired
            ],
        }
        Path(args.json).write_text(json.dumps(raw, indent=2) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
