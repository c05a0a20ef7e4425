#!/usr/bin/env python3
"""The ceiling of any ctypes binding of NSPR: a workload's bare libnspr4 calls.

Each paired workload of ``run.py`` whose speed is bound by its calls into
libnspr4 is measured here a third way, as **bare ctypes**: the same NSPR calls
through the nspr backend's pre-bound ctypes functions, with nothing around
them. No argument checks, no guard against a close from another thread, no
waiting in slices (a blocked call ignores close() and Ctrl-C), no exact count
of a partial send, no result objects beyond what ctypes returns. It runs in
``run.py``'s harness (rounds paired with python-nss and nspr_ctypes in one
process, the busy neighbour where ``run.py`` uses one), so its ratios read as
``run.py``'s: where a target sits at or above the bare-ctypes ratio, no binding
over ctypes that keeps any of nspr_ctypes' guarantees can meet it.

The bare calls send with NSPR's own blocking ``PR_Send``, whose count a
timeout part way loses. With ``--exact-sends`` the rows whose sends are on
blocking sockets send as nspr_ctypes must to keep that count instead: each
``PR_Send`` inside the **exact-count window** (the socket NSPR-nonblocking for
the one call, blocking again after), still with no lock, no check and no wait
around it. That is the ceiling of a binding that keeps ``bytes_sent`` exact.

With ``--plain-socket`` it measures the stdlib backend the same way instead:
its rows that are bound by system calls, a third way as the **plain socket
module's** calls on the backend's own sockets (which are ``_socket.socket``
objects), with a timeout where the library waits, and nothing else around them.

Usage::

    /usr/bin/python3 benchmarks/ffi_ceiling.py [--quick] [--rounds N] [--workload NAME ...]
    /usr/bin/python3 benchmarks/ffi_ceiling.py --exact-sends [--quick] [--rounds N] [--workload NAME ...]
    /usr/bin/python3 benchmarks/ffi_ceiling.py --plain-socket [--quick] [--rounds N] [--workload NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import io as io_module
import os
import select
import socket
import statistics
import sys
import warnings
from functools import partial
from pathlib import Path
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
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

import nspr_ctypes
from nspr_ctypes.backends._nspr_addr import _netaddr_input

BARE = "bare ctypes"
EXACT = "exact-count ctypes"
PLAIN = "plain socket"
Loop = run.Loop
BareSetup = Callable[[Any, run.Settings], ContextManager[Loop]]


def _handle(sock: Any) -> Any:
    """The ``PRFileDesc*`` of an nspr_ctypes socket (made through the API)."""
    return sock._ch.handle


@contextlib.contextmanager
def bare_create_close(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    open_tcp, close = backend._pr_open_tcp, backend._pr_close
    family = nspr_ctypes.io.PR_AF_INET

    def loop(n: int) -> None:
        for _ in range(n):
            handle = open_tcp(family)
            if not handle or close(handle):
                raise run.BenchmarkFailure("PR_OpenTCPSocket / PR_Close failed")

    yield loop


@contextlib.contextmanager
def bare_churn(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    io = nspr_ctypes.io
    timeout = run._nss_timeout(io)
    listener = run._listen(io, 128)
    try:
        listening = _handle(listener)
        address = _netaddr_input(listener.get_sock_name()._sa)
        peer = ctypes.create_string_buffer(112)  # a PRNetAddr, never parsed
        open_tcp, close = backend._pr_open_tcp, backend._pr_close
        connect, accept = backend._pr_connect, backend._pr_accept
        family = io.PR_AF_INET

        def loop(n: int) -> None:
            for _ in range(n):
                client = open_tcp(family)
                if not client or connect(client, address, timeout):
                    raise run.BenchmarkFailure("PR_Connect failed")
                server = accept(listening, peer, timeout)
                if not server:
                    raise run.BenchmarkFailure("PR_Accept failed")
                close(server)
                close(client)

        yield loop
    finally:
        listener.close()


def _round_trips(backend: Any, handle: Any, timeout: int, windowed: bool) -> Loop:
    """1-byte round trips from ``handle``, each send as NSPR's blocking
    ``PR_Send`` or, ``windowed``, in the window; written out both ways, so
    that no Python frame of a helper is timed."""
    send, recv, set_mode = backend._pr_send, backend._pr_recv, backend._pr_set_mode
    nonblocking, blocking = backend._nonblocking_mode, backend._blocking_mode
    out = b"x"
    buf = ctypes.create_string_buffer(1)

    def loop(n: int) -> None:
        for _ in range(n):
            send(handle, out, 1, 0, timeout)
            if recv(handle, buf, 1, 0, timeout) != 1:
                raise run.BenchmarkFailure("echo lost")

    def windowed_loop(n: int) -> None:
        for _ in range(n):
            set_mode(handle, nonblocking)
            send(handle, out, 1, 0, 0)
            set_mode(handle, blocking)
            if recv(handle, buf, 1, 0, timeout) != 1:
                raise run.BenchmarkFailure("echo lost")

    if not windowed:
        return loop
    if set_mode(handle, blocking):  # PR_FAILURE: the window would not switch
        raise run.BenchmarkFailure("PR_SetSocketOption failed")
    return windowed_loop


def _echo(backend: Any, timeout: int, windowed: bool) -> Callable[[Any], None]:
    """The echo thread's body, sending as ``_round_trips`` does."""
    send, recv, set_mode = backend._pr_send, backend._pr_recv, backend._pr_set_mode
    nonblocking, blocking = backend._nonblocking_mode, backend._blocking_mode

    def echo(server: Any) -> None:
        serving = _handle(server)
        buf = ctypes.create_string_buffer(1)
        while recv(serving, buf, 1, 0, timeout) == 1:
            send(serving, buf, 1, 0, timeout)

    def windowed_echo(server: Any) -> None:
        serving = _handle(server)
        buf = ctypes.create_string_buffer(1)
        while recv(serving, buf, 1, 0, timeout) == 1:
            set_mode(serving, nonblocking)
            send(serving, buf, 1, 0, 0)
            set_mode(serving, blocking)

    return windowed_echo if windowed else echo


@contextlib.contextmanager
def _ping_pong_thread(
    backend: Any, settings: run.Settings, *, windowed: bool
) -> Iterator[Loop]:
    io = nspr_ctypes.io
    timeout = run._nss_timeout(io)
    echo = _echo(backend, timeout, windowed)
    with run._echoed_by_thread(io, echo) as (client, _worker):
        yield _round_trips(backend, _handle(client), timeout, windowed)


@contextlib.contextmanager
def _ping_pong_process(
    backend: Any, settings: run.Settings, *, windowed: bool
) -> Iterator[Loop]:
    io = nspr_ctypes.io
    timeout = run._nss_timeout(io)
    with run._echoed_by_child(io) as server:
        yield _round_trips(backend, _handle(server), timeout, windowed)


@contextlib.contextmanager
def bare_recv_queued(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    io = nspr_ctypes.io
    client, server = run._nss_tcp_pair(io)
    timeout = run._nss_timeout(io)
    sending, receiving = _handle(client), _handle(server)
    send, recv = backend._pr_send, backend._pr_recv
    block = b"q" * run.QUEUED_BYTES
    buf = ctypes.create_string_buffer(1)

    def loop(n: int) -> None:
        left = n
        while left:
            batch = min(left, run.QUEUED_BYTES)
            if send(sending, block, batch, 0, timeout) != batch:
                raise run.BenchmarkFailure("short send")
            for _ in range(batch):
                count = recv(receiving, buf, 1, 0, timeout)
            run._expect((count, buf.raw), (1, b"q"), "PR_Recv of 1 byte")
            left -= batch

    try:
        yield loop
    finally:
        run._close_all((client, server))


@contextlib.contextmanager
def bare_bulk(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    """``bulk_64KiB`` and ``bulk_recv_into`` alike: NSPR's own blocking
    ``PR_Send`` of the chunk, read by a thread with ``PR_Recv`` into one
    buffer (no ``bytes`` object, as ``recv_into``)."""
    io = nspr_ctypes.io
    client, server = run._nss_tcp_pair(io)
    timeout = run._nss_timeout(io)
    sending, receiving = _handle(client), _handle(server)
    send, recv = backend._pr_send, backend._pr_recv
    chunk = b"b" * run.CHUNK
    buffer = (ctypes.c_char * run.CHUNK)()

    def send_chunk() -> None:
        # One call sends it all (its count lost if a timeout ended it part way).
        if send(sending, chunk, run.CHUNK, 0, timeout) != run.CHUNK:
            raise run.BenchmarkFailure("short send")

    def receive() -> int:
        count: int = recv(receiving, buffer, run.CHUNK, 0, timeout)
        if count < 0:
            raise run.BenchmarkFailure("PR_Recv failed")
        return count

    with run.bulk_transfer(send_chunk, receive, run.CHUNK, (client, server)) as loop:
        yield loop


class _BareRaw(io_module.RawIOBase):
    """The least raw stream a ``makefile('rb')`` can stand on: ``readinto`` is
    one ``PR_Recv`` into the reader's buffer (waiting in NSPR, whatever a
    close or Ctrl-C does meanwhile)."""

    def __init__(self, backend: Any, handle: Any, timeout: int) -> None:
        super().__init__()
        self._recv, self._handle, self._timeout = backend._pr_recv, handle, timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        target = (ctypes.c_char * size).from_buffer(buffer)
        count: int = self._recv(self._handle, target, size, 0, self._timeout)
        if count < 0:
            raise run.BenchmarkFailure("PR_Recv failed")
        return count


#: Sends a whole buffer in one call: (the handle, the buffer, its size) ->
#: the count.
SendAll = Callable[[Any, Any, int], int]


def _blocking_send(backend: Any, timeout: int) -> SendAll:
    """NSPR's own blocking ``PR_Send``: one call, its count lost if a timeout
    ends it part way."""
    send = backend._pr_send

    def send_all(handle: Any, data: Any, size: int) -> int:
        count: int = send(handle, data, size, 0, timeout)
        return count

    return send_all


def _windowed_send(backend: Any, timeout: int) -> SendAll:
    """``PR_Send`` inside nspr_ctypes' exact-count window: the socket
    NSPR-nonblocking for the one call, so its count is exact, and blocking
    again after. No lock, and no wait where the kernel has no room (the
    workloads' sends fit)."""
    send, set_mode = backend._pr_send, backend._pr_set_mode
    nonblocking, blocking = backend._nonblocking_mode, backend._blocking_mode

    def send_all(handle: Any, data: Any, size: int) -> int:
        set_mode(handle, nonblocking)
        count: int = send(handle, data, size, 0, 0)
        set_mode(handle, blocking)
        return count

    return send_all


@contextlib.contextmanager
def _makefile_readline(
    backend: Any, settings: run.Settings, *, windowed: bool
) -> Iterator[Loop]:
    io = nspr_ctypes.io
    client, server = run._nss_tcp_pair(io)
    timeout = run._nss_timeout(io)
    sending = _handle(client)
    send_all = (_windowed_send if windowed else _blocking_send)(backend, timeout)

    def send_batch(data: bytes) -> None:
        # A helper's frame here is one per batch of 100 lines.
        if send_all(sending, data, len(data)) != len(data):
            raise run.BenchmarkFailure("short send")

    reader = io_module.BufferedReader(_BareRaw(backend, _handle(server), timeout))
    try:
        yield run._lines_loop(send_batch, reader.readline)
    finally:
        run._close_all((client, server))


@contextlib.contextmanager
def _bare_poll(backend: Any, idle: int) -> Iterator[Loop]:
    io = nspr_ctypes.io
    with run._poll_sockets(io, idle) as socks:
        ready = io.PR_POLL_READ
        # The packed PRPollDesc array, built once, as a cached poll set has it.
        poll_set = backend.poll_set([(_handle(sock), ready) for sock in socks])
        descs, count, out_flags = poll_set.descs, poll_set.count, poll_set.out_flags
        poll = backend._pr_poll
        timeout = run._nss_timeout(io)

        def loop(n: int) -> None:
            for _ in range(n):
                if poll(descs, count, timeout) > 0:
                    flags = out_flags.unpack_from(descs)
            run._expect(flags[0] & ready, ready, "poll flags of the ready socket")
            run._expect(sum(1 for flag in flags if flag), 1, "ready sockets")

        yield loop


@contextlib.contextmanager
def bare_poll_1(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    with _bare_poll(backend, 1) as loop:
        yield loop


@contextlib.contextmanager
def bare_poll_64(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    with _bare_poll(backend, run.POLL_IDLE) as loop:
        yield loop


@contextlib.contextmanager
def bare_interval_now(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    now = backend.interval_now  # PR_IntervalNow itself, through ctypes.PyDLL

    def loop(n: int) -> None:
        for _ in range(n):
            now(), now(), now(), now(), now(), now(), now(), now(), now()
            result = now()
        if not 0 <= result <= 0xFFFFFFFF:
            raise run.BenchmarkFailure("PR_IntervalNow returned %r" % (result,))

    yield loop


@contextlib.contextmanager
def bare_poll_server(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    io = nspr_ctypes.io
    with run.poll_server(io) as server:
        lines, timeout = server.lines, server.timeout
        read = io.PR_POLL_READ
        socks = [server.listener, *server.conns]
        poll_set = backend.poll_set([(_handle(sock), read) for sock in socks])
        descs, count, out_flags = poll_set.descs, poll_set.count, poll_set.out_flags
        handles = [_handle(conn) for conn in server.conns]
        poll, send, recv = backend._pr_poll, backend._pr_send, backend._pr_recv
        # Echoed from the buffer it was received into: no bytes object at all.
        buf = ctypes.create_string_buffer(65536)
        per_exchange = run.POLL_CLIENTS * run.POLL_ROUND_TRIPS * run.MESSAGE

        def exchange() -> None:
            lines.send("go %d" % run.POLL_ROUND_TRIPS)
            left = per_exchange
            while left:
                if poll(descs, count, timeout) <= 0:
                    raise run.BenchmarkFailure("PR_Poll: %d bytes left" % left)
                flags = out_flags.unpack_from(descs)
                run._expect(flags[0], 0, "poll flags of the idle listener")
                for handle, flag in zip(handles, flags[1:]):
                    if not flag:
                        continue
                    if flag != read:
                        raise run.BenchmarkFailure("poll flags %#x" % flag)
                    size = recv(handle, buf, 65536, 0, 0)
                    if size <= 0:
                        raise run.BenchmarkFailure("PR_Recv returned %d" % size)
                    run._expect(send(handle, buf, size, 0, 0), size, "bytes echoed")
                    left -= size
            lines.expect("done")

        def loop(n: int) -> None:
            for _ in range(n):
                exchange()

        yield loop


BARE_SETUPS: Dict[str, BareSetup] = {
    "create_close": bare_create_close,
    "churn": bare_churn,
    "ping_pong_thread": partial(_ping_pong_thread, windowed=False),
    "ping_pong_process": partial(_ping_pong_process, windowed=False),
    "recv_1B_queued": bare_recv_queued,
    "bulk_64KiB": bare_bulk,
    "bulk_recv_into": bare_bulk,
    "makefile_readline_80B": partial(_makefile_readline, windowed=False),
    "poll_1_idle_1_ready": bare_poll_1,
    "poll_64_idle_1_ready": bare_poll_64,
    "interval_now": bare_interval_now,
    "e2e_poll_server": bare_poll_server,
}

#: The rows whose sends are on blocking sockets, sending in the window.
EXACT_SETUPS: Dict[str, BareSetup] = {
    "ping_pong_thread": partial(_ping_pong_thread, windowed=True),
    "ping_pong_process": partial(_ping_pong_process, windowed=True),
    "makefile_readline_80B": partial(_makefile_readline, windowed=True),
}


# -- the plain socket module, on the stdlib backend's sockets -----------------


def _plain(sock: Any, timeout: Optional[float] = run.WAIT_SECONDS) -> Any:
    """The socket object under a stdlib-backend socket, with ``timeout``."""
    handle = _handle(sock)
    handle.settimeout(timeout)
    return handle


@contextlib.contextmanager
def _plain_bulk(receive_into: bool) -> Iterator[Loop]:
    io = nspr_ctypes.io
    client, server = run._nss_tcp_pair(io)
    sending, receiving = _plain(client), _plain(server)
    chunk = b"b" * run.CHUNK
    buffer = bytearray(run.CHUNK)

    def send_chunk() -> None:
        sending.sendall(chunk)

    def receive_bytes() -> int:
        return len(receiving.recv(run.CHUNK))

    def receive_in_buffer() -> int:
        return int(receiving.recv_into(buffer, run.CHUNK))

    receive = receive_in_buffer if receive_into else receive_bytes
    with run.bulk_transfer(send_chunk, receive, run.CHUNK, (client, server)) as loop:
        yield loop


def plain_bulk(backend: Any, settings: run.Settings) -> ContextManager[Loop]:
    """``sendall`` of the chunk, read by a thread with ``recv``."""
    return _plain_bulk(receive_into=False)


def plain_bulk_recv_into(backend: Any, settings: run.Settings) -> ContextManager[Loop]:
    """``sendall`` of the chunk, read by a thread with ``recv_into``."""
    return _plain_bulk(receive_into=True)


def _plain_round_trips(conn: Any, check_peer: Callable[[], None]) -> Loop:
    """1-byte round trips on the plain socket ``conn``; ``check_peer`` raises
    the echo's own failure, if it has one, before the lost echo is reported."""

    def loop(n: int) -> None:
        for _ in range(n):
            conn.send(b"x")
            if conn.recv(1) != b"x":
                check_peer()
                raise run.BenchmarkFailure("echo lost")

    return loop


@contextlib.contextmanager
def plain_ping_pong_thread(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    """Both sides plain sockets with a timeout (CPython polls, then receives),
    the echo in a thread of this process."""
    io = nspr_ctypes.io

    def echo(server: Any) -> None:
        conn = _plain(server)
        while True:
            data = conn.recv(1)
            if not data:
                return
            conn.send(data)

    with run._echoed_by_thread(io, echo) as (client, worker):
        yield _plain_round_trips(_plain(client), worker.check)


@contextlib.contextmanager
def plain_ping_pong_process(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    io = nspr_ctypes.io
    with run._echoed_by_child(io) as server:
        yield _plain_round_trips(_plain(server), lambda: None)


@contextlib.contextmanager
def plain_makefile_readline(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    """The stdlib's own ``makefile('rb')``: on a duplicate of the descriptor,
    since the backend's socket object is a ``_socket.socket``, which has none."""
    io = nspr_ctypes.io
    client, server = run._nss_tcp_pair(io)
    duplicate = socket.socket(fileno=os.dup(server.fileno()))
    duplicate.settimeout(run.WAIT_SECONDS)
    reader = duplicate.makefile("rb")
    try:
        yield run._lines_loop(_plain(client).sendall, reader.readline)
    finally:
        reader.close()
        duplicate.close()
        run._close_all((client, server))


@contextlib.contextmanager
def plain_poll_server(backend: Any, settings: run.Settings) -> Iterator[Loop]:
    """``select.poll`` over the connections, each message echoed with one
    ``recv`` and one ``send`` of the non-blocking socket."""
    io = nspr_ctypes.io
    with run.poll_server(io) as server:
        lines = server.lines
        poller = select.poll()
        poller.register(server.listener.fileno(), select.POLLIN)
        conns: Dict[int, Any] = {}
        for conn in server.conns:
            conns[conn.fileno()] = _plain(conn, 0.0)
            poller.register(conn.fileno(), select.POLLIN)
        wait_ms = run.WAIT_SECONDS * 1000
        per_exchange = run.POLL_CLIENTS * run.POLL_ROUND_TRIPS * run.MESSAGE

        def exchange() -> None:
            lines.send("go %d" % run.POLL_ROUND_TRIPS)
            left = per_exchange
            while left:
                ready = poller.poll(wait_ms)
                if not ready:
                    raise run.BenchmarkFailure("poll: %d bytes left" % left)
                for fd, _events in ready:
                    conn = conns[fd]
                    data = conn.recv(65536)
                    if not data:
                        raise run.BenchmarkFailure("a client hung up")
                    run._expect(conn.send(data), len(data), "bytes echoed")
                    left -= len(data)
            lines.expect("done")

        def loop(n: int) -> None:
            for _ in range(n):
                exchange()

        yield loop


PLAIN_SETUPS: Dict[str, BareSetup] = {
    "ping_pong_thread": plain_ping_pong_thread,
    "ping_pong_process": plain_ping_pong_process,
    "bulk_64KiB": plain_bulk,
    "bulk_recv_into": plain_bulk_recv_into,
    "makefile_readline_80B": plain_makefile_readline,
    "e2e_poll_server": plain_poll_server,
}


def _with_setup(
    workload: run.Workload, label: str, own: BareSetup, backend: Any
) -> run.Workload:
    """``workload`` with the ``label`` target served by ``own`` setup."""

    def setup(target: run.Target, settings: run.Settings) -> ContextManager[Loop]:
        if target.label == label:
            return own(backend, settings)
        return workload.setup(target, settings)

    return workload._replace(setup=setup)


def _median_ns(results: Sequence[run.PairedResult], name: str, label: str) -> str:
    for result in results:
        if result.workload == name and result.target == label and result.ns_per_call:
            return run._ns(statistics.median(result.ns_per_call))
    return "—"


def _ratio(results: Sequence[run.PairedResult], name: str, label: str) -> str:
    ratios = run._round_ratios(results, name, label)
    if not ratios:
        return "—"
    return "%.2f (%s)" % (statistics.median(ratios), run._spread(ratios))


class Mode(NamedTuple):
    """What a run sets beside python-nss: the floor's label and setups, and the
    backend it is the floor of."""

    floor: str
    setups: Dict[str, BareSetup]
    library: str  # run.py's label of the backend
    backend_name: str  # as in the workloads' target_<backend_name>


BARE_CTYPES = Mode(BARE, BARE_SETUPS, run.NSPR, "nspr")
EXACT_SENDS = Mode(EXACT, EXACT_SETUPS, run.NSPR, "nspr")
PLAIN_SOCKET = Mode(PLAIN, PLAIN_SETUPS, run.STDLIB, "stdlib")


def render(
    results: Sequence[run.PairedResult], rounds: int, mode: Mode = BARE_CTYPES
) -> List[str]:
    out = [
        "| workload | python-nss ns/call | %s ns/call | %s ns/call | %s ratio | %s "
        "ratio | %s target |"
        % (mode.floor, mode.library, mode.floor, mode.library, mode.backend_name),
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in run.WORKLOADS:
        name = workload.name
        if any(r.workload == name for r in results):
            target = getattr(workload, "target_" + mode.backend_name)
            out.append(
                "| %s |"
                % " | ".join(
                    [
                        name,
                        _median_ns(results, name, run.PYTHON_NSS),
                        _median_ns(results, name, mode.floor),
                        _median_ns(results, name, mode.library),
                        _ratio(results, name, mode.floor),
                        _ratio(results, name, mode.library),
                        run._target_text(target),
                    ]
                )
            )
    out.append("")
    out.append(
        "Ratio = throughput / python-nss's in the same round, median over %d rounds "
        "(IQR); > 1 is faster than python-nss." % rounds
    )
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--rounds", type=int, help="paired rounds (default: run.py's)")
    floors = parser.add_mutually_exclusive_group()
    floors.add_argument(
        "--exact-sends",
        action="store_true",
        help="bare calls that send inside the exact-count window (the rows "
        "whose sends are on blocking sockets)",
    )
    floors.add_argument(
        "--plain-socket",
        action="store_true",
        help="measure the stdlib backend against the plain socket module's calls",
    )
    parser.add_argument(
        "--workload",
        action="append",
        choices=sorted(set(BARE_SETUPS) | set(EXACT_SETUPS) | set(PLAIN_SETUPS)),
        help="measure only this workload (repeatable); default: all of the mode",
    )
    args = parser.parse_args(argv)
    if args.plain_socket:
        mode = PLAIN_SOCKET
    elif args.exact_sends:
        mode = EXACT_SENDS
    else:
        mode = BARE_CTYPES
    wanted = args.workload or list(mode.setups)
    unknown = sorted(set(wanted) - set(mode.setups))
    if unknown:
        parser.error("no %s setup for: %s" % (mode.floor, ", ".join(unknown)))
    settings = run.QUICK if args.quick else run.FULL
    rounds = args.rounds or settings.rounds
    warnings.simplefilter("ignore", DeprecationWarning)
    targets, notes = run._load_targets([run.PYTHON_NSS, mode.library])
    for label, why in notes.items():
        print("%s: %s" % (label, why))
    library = [target for target in targets if target.label == mode.library]
    if not library:
        return 2  # the backend does not load: nothing to measure
    library[0].activate()
    backend = nspr_ctypes.get_backend()
    targets.append(run.Target(mode.floor, nspr_ctypes.io, library[0].activate))
    results: List[run.PairedResult] = []
    for workload in run.WORKLOADS:
        name = workload.name
        if name in wanted:
            own = _with_setup(workload, mode.floor, mode.setups[name], backend)
            results += run.run_workload(own, targets, settings, rounds)
    print("\n".join(render(results, rounds, mode)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
