"""The blocking engine on a scripted backend: no network, no real waiting.

A ``ScriptedBackend`` answers each bounded primitive from a script (a result,
``None`` for "nothing within the slice", an exception, or a callable run at
that moment) and records the ticks it was given. A fake monotonic clock
advances by every slice that comes back empty, as the backend contract says
(``None`` only once the whole timeout has passed), and raises what a signal
handler raises when the engine reads it between two slices. So slicing,
deadlines, partial sends, ``bytes_sent``, close while waiting and signals
between slices are checked exactly, beside the loopback tests of
tests/conformance and tests/safety.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from nspr_ctypes import _engine, io
from nspr_ctypes._poll import _WAIT_FIRST_POLLS
from nspr_ctypes.backends._base import Backend, PollSet, SockAddr
from nspr_ctypes.error import (
    PR_CONNECT_RESET_ERROR,
    PR_IN_PROGRESS_ERROR,
    PR_IO_TIMEOUT_ERROR,
    PR_WOULD_BLOCK_ERROR,
    NSPRError,
    nspr_error,
)

NO_TIMEOUT = io.PR_INTERVAL_NO_TIMEOUT
SLICE = 100  # ticks of one slice at 1000 ticks per second


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        #: Raised by the next read: a signal handler that raises while the
        #: engine runs between two slices (where it reads the clock).
        self.signal: Optional[BaseException] = None

    def monotonic(self) -> float:
        signal, self.signal = self.signal, None
        if signal is not None:
            raise signal
        return self.now


class ScriptedHandle:
    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False


class ScriptedPollSet(PollSet):
    """A poll of fixed entries, answered from the backend's script."""

    __slots__ = ("backend", "entries")

    def __init__(self, backend: ScriptedBackend, entries: List[Any]) -> None:
        self.backend = backend
        self.entries = entries

    def poll(self, timeout: int) -> Optional[Tuple[int, ...]]:
        backend = self.backend
        for handle, _flags in self.entries:
            if handle is not None:
                assert not handle.closed, "a poll reached a released handle"
        backend.calls.append(("poll", timeout))
        step = backend.script["poll"].pop(0)
        if callable(step):
            step = step()
        if step is None:
            backend.clock.now += timeout / 1000.0
            return None
        return tuple(step)


class ScriptedBackend(Backend):
    """Answers from ``script[primitive]``, records ``(primitive, ticks)``."""

    name = "scripted"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.script: Dict[str, List[Any]] = {}
        self.calls: List[Tuple[str, int]] = []
        self.offsets: List[int] = []
        self.closed_handles: List[ScriptedHandle] = []
        self._opened = 0
        self._millisecond_ticks = True

    def _answer(self, primitive: str, handle: Any, ticks: int) -> Any:
        assert not handle.closed, "a call reached a released handle"
        self.calls.append((primitive, ticks))
        steps = self.script.get(primitive)
        if not steps:
            raise AssertionError("no scripted answer for %s" % primitive)
        step = steps.pop(0)
        if callable(step):
            step = step()
        if isinstance(step, BaseException):
            raise step
        if step is None:
            self.clock.now += ticks / 1000.0  # the whole slice passed
        return step

    # -- the bounded primitives under test ----------------------------------

    def recv(self, handle: Any, amount: int, timeout: int) -> Optional[bytes]:
        data = self._answer("recv", handle, timeout)
        return None if data is None else bytes(data)[:amount]

    def recv_into(self, handle: Any, buffer: memoryview, timeout: int) -> Optional[int]:
        data = self._answer("recv_into", handle, timeout)
        if data is None:
            return None
        buffer[: len(data)] = data
        return len(data)

    def send_at(
        self, handle: Any, data: bytes, offset: int, timeout: int
    ) -> Optional[int]:
        self.offsets.append(offset)
        count = self._answer("send_at", handle, timeout)
        return None if count is None else min(count, len(data) - offset)

    def accept(self, handle: Any, timeout: int) -> Any:
        accepted = self._answer("accept", handle, timeout)
        if accepted is None:
            return None
        return self.open_socket(io.PR_AF_INET, io.PR_DESC_SOCKET_TCP), SockAddr(
            io.PR_AF_INET, b"\x7f\0\0\x01", 4242
        )

    def connect(self, handle: Any, addr: SockAddr, timeout: int) -> bool:
        return bool(self._answer("connect", handle, timeout))

    def connect_continue(self, handle: Any, timeout: int) -> bool:
        done = self._answer("connect_continue", handle, timeout)
        return bool(done)

    def recv_from(self, handle: Any, amount: int, timeout: int) -> Any:
        data = self._answer("recv_from", handle, timeout)
        if data is None:
            return None
        return data, SockAddr(io.PR_AF_INET, b"\x7f\0\0\x01", 53)

    def send_to(self, handle: Any, data: Any, addr: SockAddr, timeout: int) -> Any:
        return self._answer("send_to", handle, timeout)

    def poll_set(self, entries: Any) -> ScriptedPollSet:
        return ScriptedPollSet(self, list(entries))

    # -- the rest: plain answers ---------------------------------------------

    def open_socket(self, family: int, desc_type: int) -> ScriptedHandle:
        self._opened += 1
        return ScriptedHandle(self._opened)

    def close(self, handle: Any) -> None:
        assert not handle.closed, "a handle was released twice"
        handle.closed = True
        self.closed_handles.append(handle)

    def fileno(self, handle: Any) -> int:
        return 1000 + int(handle.number)

    def bind(self, handle: Any, addr: SockAddr) -> None:
        pass

    def listen(self, handle: Any, backlog: int) -> None:
        pass

    def shutdown(self, handle: Any, how: int) -> None:
        pass

    def get_sock_name(self, handle: Any) -> SockAddr:
        return SockAddr(io.PR_AF_INET, b"\x7f\0\0\x01", 1)

    def get_peer_name(self, handle: Any) -> SockAddr:
        return SockAddr(io.PR_AF_INET, b"\x7f\0\0\x01", 2)

    def get_option(self, handle: Any, option: int) -> Any:
        return 0

    def set_option(self, handle: Any, option: int, value: Any) -> None:
        pass

    def new_tcp_pair(self) -> Tuple[Any, Any]:
        return self.open_socket(0, 0), self.open_socket(0, 0)

    def import_tcp_socket(self, osfd: int) -> Any:
        return self.open_socket(0, 0)

    def get_addr_info(self, host: bytes, family: int, flags: int) -> Any:
        raise nspr_error(PR_IO_TIMEOUT_ERROR)

    def get_host_by_name(self, name: bytes) -> Any:
        raise nspr_error(PR_IO_TIMEOUT_ERROR)

    def get_host_by_addr(self, addr: SockAddr) -> Any:
        raise nspr_error(PR_IO_TIMEOUT_ERROR)

    def get_proto_by_name(self, name: bytes) -> int:
        return 6

    def get_proto_by_number(self, number: int) -> Any:
        return b"tcp", ()

    def ticks_per_second(self) -> int:
        return 1000

    def interval_now(self) -> int:
        return int(self.clock.now * 1000) & 0xFFFFFFFF


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    # The engine's clock only (not the process's time module).
    monkeypatch.setattr(_engine, "time", SimpleNamespace(monotonic=fake.monotonic))
    return fake


@pytest.fixture
def backend(clock: FakeClock) -> ScriptedBackend:
    return ScriptedBackend(clock)


@pytest.fixture
def sock(backend: ScriptedBackend) -> Iterator[Any]:
    s = io.Socket(io.PR_AF_INET, backend=backend)
    yield s
    s.close()


def _ticks(backend: ScriptedBackend, primitive: str) -> List[int]:
    return [ticks for name, ticks in backend.calls if name == primitive]


def _error_code(call: Callable[[], Any]) -> int:
    with pytest.raises(NSPRError) as info:
        call()
    return int(info.value.errno)


# -- the first try -----------------------------------------------------------


def test_a_blocking_recv_waits_one_slice_in_its_first_call(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["recv"] = [b"data"]
    assert sock.recv(10) == b"data"
    assert backend.calls == [("recv", SLICE)]


def test_a_short_timeout_is_the_whole_first_slice(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["recv"] = [None]
    assert _error_code(lambda: sock.recv(10, 30)) == PR_IO_TIMEOUT_ERROR
    assert backend.calls == [("recv", 30)]


def test_no_wait_is_one_try(backend: ScriptedBackend, sock: Any) -> None:
    backend.script["recv"] = [None]
    code = _error_code(lambda: sock.recv(10, io.PR_INTERVAL_NO_WAIT))
    assert code == PR_IO_TIMEOUT_ERROR
    assert backend.calls == [("recv", 0)]


def test_nonblocking_mode_tries_without_waiting(
    backend: ScriptedBackend, sock: Any
) -> None:
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    backend.script["recv"] = [None]
    assert _error_code(lambda: sock.recv(10, NO_TIMEOUT)) == PR_WOULD_BLOCK_ERROR
    assert backend.calls == [("recv", 0)]


# -- slices and the deadline --------------------------------------------------


def test_a_timeout_is_handed_out_in_slices_to_the_tick(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["recv"] = [None, None, None]
    assert _error_code(lambda: sock.recv(10, 250)) == PR_IO_TIMEOUT_ERROR
    assert _ticks(backend, "recv") == [SLICE, SLICE, 50]


def test_no_timeout_slices_until_data(backend: ScriptedBackend, sock: Any) -> None:
    backend.script["recv"] = [None] * 5 + [b"late"]
    assert sock.recv(10) == b"late"
    assert _ticks(backend, "recv") == [SLICE] * 6


def test_a_slice_that_returns_data_early_ends_the_call(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["recv"] = [None, b"x"]
    assert sock.recv(1, 1000) == b"x"
    assert _ticks(backend, "recv") == [SLICE, SLICE]


def test_accept_and_recv_from_slice_the_same_way(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["accept"] = [None, None, object()]
    new, peer = sock.accept(1000)
    try:
        assert peer.port == 4242
        assert _ticks(backend, "accept") == [SLICE, SLICE, SLICE]
    finally:
        new.close()
    udp = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=backend)
    try:
        backend.script["recv_from"] = [None, None]
        addr = io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=backend)
        code = _error_code(lambda: udp.recv_from(10, addr, 150))
        assert code == PR_IO_TIMEOUT_ERROR
        assert _ticks(backend, "recv_from") == [SLICE, 50]
    finally:
        udp.close()


def test_connect_goes_on_with_connect_continue(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["connect"] = [False]
    backend.script["connect_continue"] = [False, True]
    sock.connect(io.NetworkAddress(io.PR_IpAddrLoopback, 1, backend=backend), 1000)
    assert backend.calls == [
        ("connect", SLICE),
        ("connect_continue", SLICE),
        ("connect_continue", SLICE),
    ]


def test_connect_in_nonblocking_mode_is_in_progress(
    backend: ScriptedBackend, sock: Any
) -> None:
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    backend.script["connect"] = [False]
    addr = io.NetworkAddress(io.PR_IpAddrLoopback, 1, backend=backend)
    assert _error_code(lambda: sock.connect(addr)) == PR_IN_PROGRESS_ERROR
    assert backend.calls == [("connect", 0)]


def test_a_connect_error_of_a_later_slice_is_raised(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["connect"] = [False]
    backend.script["connect_continue"] = [nspr_error(PR_CONNECT_RESET_ERROR)]
    addr = io.NetworkAddress(io.PR_IpAddrLoopback, 1, backend=backend)
    assert _error_code(lambda: sock.connect(addr, 1000)) == PR_CONNECT_RESET_ERROR


# -- sends: offsets, partial counts, bytes_sent -------------------------------


def test_sendall_resumes_from_the_count_sent(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["send_at"] = [3, None, 4, 3]
    assert sock.sendall(b"0123456789") == 10
    assert backend.offsets == [0, 3, 3, 7]


def test_a_timeout_after_a_partial_send_reports_bytes_sent(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["send_at"] = [5, None, None, None]
    with pytest.raises(NSPRError) as info:
        sock.sendall(b"x" * 100, 250)
    assert info.value.errno == PR_IO_TIMEOUT_ERROR
    assert info.value.bytes_sent == 5
    assert backend.offsets == [0, 5, 5, 5]


def test_an_error_after_a_partial_send_reports_bytes_sent(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["send_at"] = [7, nspr_error(PR_CONNECT_RESET_ERROR)]
    with pytest.raises(NSPRError) as info:
        sock.send(b"x" * 100)
    assert info.value.errno == PR_CONNECT_RESET_ERROR
    assert info.value.bytes_sent == 7


def test_send_in_nonblocking_mode_returns_a_short_count(
    backend: ScriptedBackend, sock: Any
) -> None:
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    backend.script["send_at"] = [4]
    assert sock.send(b"x" * 100) == 4
    assert backend.calls == [("send_at", 0)]


def test_sendall_in_nonblocking_mode_would_block_with_the_count(
    backend: ScriptedBackend, sock: Any
) -> None:
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    backend.script["send_at"] = [4, None]
    with pytest.raises(NSPRError) as info:
        sock.sendall(b"x" * 100)
    assert info.value.errno == PR_WOULD_BLOCK_ERROR
    assert info.value.bytes_sent == 4
    assert _ticks(backend, "send_at") == [0, 0]


# -- close while waiting, and interruptions ------------------------------------


def test_close_between_slices_ends_the_call_and_releases_after_it(
    backend: ScriptedBackend, sock: Any
) -> None:
    def close_from_another_thread() -> None:
        sock.close()  # what another thread would do while this call waits
        assert backend.closed_handles == [], "released under a call in flight"
        return None

    backend.script["recv"] = [None, close_from_another_thread]
    with pytest.raises(ValueError, match="closed socket"):
        sock.recv(10)
    assert len(backend.closed_handles) == 1  # released once the call left
    assert _ticks(backend, "recv") == [SLICE, SLICE]


def test_an_interrupt_between_slices_leaves_the_socket_usable(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["recv"] = [None, KeyboardInterrupt(), b"after"]
    with pytest.raises(KeyboardInterrupt):
        sock.recv(10)
    assert sock.recv(10) == b"after"
    sock.close()
    assert len(backend.closed_handles) == 1


def test_no_call_reaches_the_backend_after_close(
    backend: ScriptedBackend, sock: Any
) -> None:
    sock.close()
    calls: List[Callable[[], Any]] = [
        lambda: sock.recv(1),
        lambda: sock.send(b"x"),
        lambda: sock.recv_into(bytearray(1)),
        lambda: sock.accept(),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()
    assert backend.calls == []
    assert len(backend.closed_handles) == 1


def test_close_between_slices_of_a_sendall_ends_it_and_releases_after_it(
    backend: ScriptedBackend, sock: Any
) -> None:
    def close_from_another_thread() -> None:
        sock.close()
        assert backend.closed_handles == [], "released under a send in flight"
        return None

    backend.script["send_at"] = [5, close_from_another_thread]
    with pytest.raises(ValueError, match="closed socket"):
        sock.sendall(b"x" * 100)
    assert backend.offsets == [0, 5]
    assert len(backend.closed_handles) == 1


def _signal_in_the_slice(clock: FakeClock) -> Callable[[], None]:
    """A scripted step: the slice passes empty and a signal arrives in it,
    whose handler raises once Python runs between the slices."""

    def step() -> None:
        clock.signal = KeyboardInterrupt()
        return None

    return step


def test_a_signal_between_slices_ends_the_call_and_the_socket_works_on(
    clock: FakeClock, backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["recv"] = [_signal_in_the_slice(clock), b"after"]
    with pytest.raises(KeyboardInterrupt):
        sock.recv(10, 1000)
    assert _ticks(backend, "recv") == [SLICE]  # no slice after the signal
    assert sock.recv(10, 1000) == b"after"
    sock.close()
    assert len(backend.closed_handles) == 1  # the interrupted call left


def test_a_signal_between_slices_of_readline_keeps_the_unfinished_line(
    clock: FakeClock, backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["recv"] = [b"unfin", _signal_in_the_slice(clock), b"ished\nnext"]
    with pytest.raises(KeyboardInterrupt):
        sock.readline(timeout=1000)
    assert sock.readline(timeout=1000) == b"unfinished\n"
    assert sock.recv(10, 1000) == b"next"


def test_a_signal_between_slices_of_a_sendall_ends_it(
    clock: FakeClock, backend: ScriptedBackend, sock: Any
) -> None:
    def short_then_signal() -> int:
        clock.signal = KeyboardInterrupt()
        return 5

    backend.script["send_at"] = [short_then_signal, 95]
    with pytest.raises(KeyboardInterrupt):
        sock.sendall(b"x" * 100, 1000)
    assert backend.offsets == [0]  # nothing sent again after the signal


def test_a_blocking_send_with_room_is_one_try_that_does_not_wait(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["send_at"] = [100, 100]
    assert sock.send(b"x" * 100, 250) == 100
    assert sock.sendall(b"x" * 100, 250) == 100
    assert backend.calls == [("send_at", 0), ("send_at", 0)]


def test_a_blocking_send_without_room_waits_after_its_first_try(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["send_at"] = [None, 100, 40, 60]
    assert sock.send(b"x" * 100, 250) == 100
    assert sock.sendall(b"x" * 100) == 100
    assert _ticks(backend, "send_at") == [0, SLICE, 0, SLICE]
    assert backend.offsets == [0, 0, 0, 40]


def test_a_send_counts_the_time_its_short_waiting_try_waited(
    clock: FakeClock, backend: ScriptedBackend, sock: Any
) -> None:
    def short_after_80_ticks() -> int:
        clock.now += 0.0805  # off the tick, so float error cannot round across one
        return 5

    backend.script["send_at"] = [5, short_after_80_ticks, None, None]
    with pytest.raises(NSPRError) as info:
        sock.sendall(b"x" * 100, 250)
    assert info.value.errno == PR_IO_TIMEOUT_ERROR
    assert info.value.bytes_sent == 10
    # The first try does not wait. Then 250 ticks in all: 80.5 in the first
    # waiting try, then 100 and the last 69.5 (up).
    assert _ticks(backend, "send_at") == [0, SLICE, SLICE, 70]
    assert backend.offsets == [0, 5, 10, 10]


def test_the_steps_of_one_readline_share_its_deadline(
    clock: FakeClock, backend: ScriptedBackend, sock: Any
) -> None:
    def part_of_the_line_after_60_ticks() -> bytes:
        clock.now += 0.0605  # off the tick, so float error cannot round across one
        return b"par"

    backend.script["recv"] = [None, part_of_the_line_after_60_ticks, None]
    assert _error_code(lambda: sock.readline(timeout=250)) == PR_IO_TIMEOUT_ERROR
    # 250 ticks in all: a slice, 60.5 until the part came, the last 89.5 (up).
    assert _ticks(backend, "recv") == [SLICE, SLICE, 90]
    backend.script["recv"] = [b"t\n"]
    assert sock.readline(timeout=250) == b"part\n"


# -- poll ---------------------------------------------------------------------


def test_poll_slices_its_timeout_and_reports_zero_at_the_end(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["poll"] = [None, None, None, None]
    assert io.Socket.poll([(sock, io.PR_POLL_READ)], 250) == (0,)
    # The first try does not wait; the timeout is all in the slices after it.
    assert _ticks(backend, "poll") == [0, SLICE, SLICE, 50]


def test_a_poll_of_a_ready_set_is_one_try_that_does_not_wait(
    backend: ScriptedBackend, sock: Any
) -> None:
    backend.script["poll"] = [(io.PR_POLL_READ,)]
    assert io.Socket.poll([(sock, io.PR_POLL_READ)], 1000) == (io.PR_POLL_READ,)
    assert _ticks(backend, "poll") == [0]


def test_after_a_first_try_finds_nothing_the_next_polls_wait_at_once(
    backend: ScriptedBackend, sock: Any
) -> None:
    descs = [(sock, io.PR_POLL_READ)]
    ready = (io.PR_POLL_READ,)
    backend.script["poll"] = [None, ready]
    assert io.Socket.poll(descs, 1000) == ready
    assert _ticks(backend, "poll") == [0, SLICE]
    # A run of polls of the set skips the try; then one tries again.
    backend.calls.clear()
    backend.script["poll"] = [ready] * (_WAIT_FIRST_POLLS + 1)
    for _ in range(_WAIT_FIRST_POLLS + 1):
        assert io.Socket.poll(descs, 1000) == ready
    assert _ticks(backend, "poll") == [SLICE] * _WAIT_FIRST_POLLS + [0]
    # A poll that may not wait is one try, in a run too.
    backend.calls.clear()
    backend.script["poll"] = [None, ready, None]
    assert io.Socket.poll(descs, 1000) == ready
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (0,)
    assert _ticks(backend, "poll") == [0, SLICE, 0]


def test_poll_of_a_socket_closed_meanwhile_reports_nval_and_releases_it(
    backend: ScriptedBackend, sock: Any
) -> None:
    def close_during_the_slice() -> None:
        sock.close()
        assert backend.closed_handles == [], "released under the poll"
        return None

    backend.script["poll"] = [close_during_the_slice]
    assert io.Socket.poll([(sock, io.PR_POLL_READ)], 1000) == (io.PR_POLL_NVAL,)
    assert len(backend.closed_handles) == 1
    assert _ticks(backend, "poll") == [0]  # the first try; no slice after it
