"""Threads: close() from another thread, concurrent use of one socket, the GIL.

The guarantee that nothing a Python caller does crashes, hangs or leaks; threads:

* ``close()`` from one thread while another is blocked in ``recv``, ``accept``,
  ``connect``, ``readline``, ``poll`` (or ``sendall``) on the same socket: the
  blocked call returns within ``WAKE_LIMIT`` seconds of the close, with
  ``ValueError('I/O operation on closed socket')`` (``poll`` reports
  ``PR_POLL_NVAL``), and no call ever reaches a released descriptor.
* A ``makefile()`` file outlives the socket's ``close()``: a call waiting
  through it goes on; closing the file (the last reference, or not) wakes it
  within ``WAKE_LIMIT`` with ``ValueError('I/O operation on closed file.')``,
  and the last reference's close releases the descriptor.
* One thread sending while another receives on the same socket works.
* Two threads calling ``readline`` on one socket share its buffer safely.
* The GIL is released during every blocking call: another thread progresses.

Every bound is measured from the moment the call is known to wait (a frame of
a backend primitive is on the blocked thread's stack; on PyPy, the thread waits
in a poll-like system call), so a slow machine stretches the set-up, never the
measured interval. The blocking set-ups here (``Blocker``) are shared with
``test_signals.py``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import random
import select
import socket
import sys
import threading
import time
import zlib
from types import FrameType
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple, Type

import pytest
from conftest import LONG, SHORT, safe_close

# The bound: a blocked call returns this soon after close() or Ctrl-C.
WAKE_LIMIT = 1.0
# Generous bounds for set-up and clean-up steps that must simply finish.
JOIN_LIMIT = 10.0
BLOCKED_LIMIT = 5.0

CLOSED = "I/O operation on closed socket"
BLOCKING_KINDS = ("recv", "accept", "connect", "readline", "poll", "sendall")

# How long the GIL test lets a pure-Python loop run, alone and beside a
# blocked call, and the share of its solo speed it must keep. A call holding
# the GIL through 100 ms poll slices leaves the loop about 5 %.
PROGRESS_WINDOW = 0.3
MIN_PROGRESS_RATIO = 0.3


def _in_backend_wait(frame: Optional[FrameType]) -> bool:
    """True when ``frame``'s stack is inside a backend primitive."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if "nspr_ctypes" in filename and "backends" in filename:
            return True
        frame = frame.f_back
    return False


#: The system calls a socket wait blocks in, on this machine (Linux numbers
#: of poll, select, epoll_wait, pselect6, ppoll, epoll_pwait); empty where
#: they are not known.
_WAIT_SYSCALLS: FrozenSet[int] = {
    "x86_64": frozenset({7, 23, 232, 270, 271, 281}),
    "aarch64": frozenset({22, 72, 73}),
}.get(platform.machine() if sys.platform.startswith("linux") else "", frozenset())
#: On PyPy a blocked call is seen in the system call its thread waits in, not in
#: its frames: PyPy 7.3.11 corrupted memory now and then (a TypeError inside
#: ctypes, a segmentation fault) when one thread read another's frames with
#: sys._current_frames() while it ran JIT-compiled code (docs/backends.md).
_WAITS_FROM_PROC = (
    sys.implementation.name == "pypy"
    and bool(_WAIT_SYSCALLS)
    and os.path.isdir("/proc/self/task")
)


def _syscall_of(thread: threading.Thread) -> str:
    """What ``thread`` does in the kernel: a system call number, ``running``,
    or ``gone``, from /proc/self/task/<id>/syscall."""
    try:
        with open("/proc/self/task/%d/syscall" % (thread.native_id or 0)) as file:
            return file.read().split(" ", 1)[0].strip()
    except OSError:
        return "gone"


def _in_socket_wait(thread: threading.Thread) -> bool:
    number = _syscall_of(thread)
    return number.isdigit() and int(number) in _WAIT_SYSCALLS


def wait_until_blocked(io: Any, thread: threading.Thread) -> None:
    """Return once ``thread`` waits inside a backend primitive (on PyPy: in a
    socket wait's system call; see ``_WAITS_FROM_PROC``).

    python-nss waits in C, where no Python frame shows it: there the best
    available sign is a pause after the call started.
    """
    if not io.__name__.startswith("nspr_ctypes"):
        time.sleep(0.3)
        return
    assert thread.ident is not None
    deadline = time.monotonic() + BLOCKED_LIMIT
    seen = 0
    frame: Optional[FrameType] = None
    while time.monotonic() < deadline:
        if _WAITS_FROM_PROC:
            waiting = _in_socket_wait(thread)
        else:
            frame = sys._current_frames().get(thread.ident)
            waiting = _in_backend_wait(frame)
        # Seen waiting twice in a row: waiting there, not passing by.
        if waiting:
            seen += 1
            if seen == 2:
                return
        else:
            seen = 0
        time.sleep(0.002)
    if not thread.is_alive():
        state = "ended"
        if isinstance(thread, CallThread):
            state = "ended with %r" % (thread.error or thread.result,)
    elif _WAITS_FROM_PROC:
        state = "still running; in the kernel: %s" % _syscall_of(thread)
    else:
        state = "still running; last stack seen: %s" % _stack_names(frame)
    raise AssertionError(
        "the call did not start waiting within %s s (%s)" % (BLOCKED_LIMIT, state)
    )


def _stack_names(frame: Optional[FrameType]) -> str:
    """``frame``'s stack as ``file:function`` names, innermost first."""
    names = []
    while frame is not None:
        code = frame.f_code
        names.append("%s:%s" % (code.co_filename.rsplit("/", 1)[-1], code.co_name))
        frame = frame.f_back
    return " < ".join(names) or "none"


class CallThread(threading.Thread):
    """Runs one call and keeps its result or exception and when it ended."""

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__(daemon=True)  # a stuck call must not hold up exit
        self._call = call
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.finished_at: Optional[float] = None

    def run(self) -> None:
        try:
            self.result = self._call()
        except BaseException as exc:
            self.error = exc
        finally:
            self.finished_at = time.monotonic()

    def finish(self) -> None:
        """Join within JOIN_LIMIT or fail the test."""
        self.join(JOIN_LIMIT)
        assert not self.is_alive(), "the call still runs after %s s" % JOIN_LIMIT


def start_call(call: Callable[[], Any]) -> CallThread:
    thread = CallThread(call)
    thread.start()
    return thread


def _poll_fd(sock: socket.socket, events: int, seconds: float) -> bool:
    poller = select.poll()
    poller.register(sock, events)
    return bool(poller.poll(int(seconds * 1000)))


# --------------------------------------------------------------------------
# Blocking set-ups: one call that waits with no timeout, on loopback


class Blocker:
    """A call that blocks on ``sock`` (no timeout) until ``release()``.

    ``check_released`` verifies the call's result after a release,
    ``check_usable`` that the socket still works after an interrupted call,
    ``call_with_timeout`` makes the same call with a timeout in ticks.
    """

    sock: Any

    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        self.io = io
        self._cleanup = cleanup

    def own(self, sock: Any) -> Any:
        """Close ``sock`` at the end of the test unless it is closed already."""
        self._cleanup.callback(safe_close, sock)
        return sock

    def own_stdlib(self, sock: socket.socket) -> socket.socket:
        self._cleanup.callback(sock.close)
        return sock

    def pair(self) -> Tuple[Any, Any]:
        first, second = self.io.Socket.new_tcp_pair()
        return self.own(first), self.own(second)

    def call(self) -> Any:
        raise NotImplementedError

    def call_with_timeout(self, ticks: int) -> Any:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def check_released(self, result: Any) -> None:
        raise NotImplementedError

    def check_usable(self) -> None:
        self.release()
        self.check_released(self.call_with_timeout(LONG))

    def check_closed_outcome(self, thread: CallThread) -> None:
        """The blocked call ended because the socket was closed."""
        error = thread.error
        assert type(error) is ValueError, "got %r / %r" % (error, thread.result)
        assert str(error) == CLOSED


class RecvBlocker(Blocker):
    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.peer, self.sock = self.pair()

    def call(self) -> Any:
        return self.sock.recv(100)

    def call_with_timeout(self, ticks: int) -> Any:
        return self.sock.recv(100, ticks)

    def release(self) -> None:
        self.peer.send(b"released")

    def check_released(self, result: Any) -> None:
        assert result == b"released"


class ReadlineBlocker(Blocker):
    """readline() with half a line received: that half must never be lost."""

    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.peer, self.sock = self.pair()
        self.peer.send(b"half a ")

    def call(self) -> Any:
        return self.sock.readline()

    def call_with_timeout(self, ticks: int) -> Any:
        return self.sock.readline(timeout=ticks)

    def release(self) -> None:
        self.peer.send(b"line\nnext")

    def check_released(self, result: Any) -> None:
        assert result == b"half a line\n"


class AcceptBlocker(Blocker):
    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.sock = self.own(io.Socket(io.PR_AF_INET))
        self.sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        self.sock.listen()
        self.client: Any = None

    def call(self) -> Any:
        return self.sock.accept()

    def call_with_timeout(self, ticks: int) -> Any:
        return self.sock.accept(ticks)

    def release(self) -> None:
        self.client = self.own(self.io.Socket(self.io.PR_AF_INET))
        self.client.connect(self.sock.get_sock_name(), LONG)

    def check_released(self, result: Any) -> None:
        accepted, peer = result
        self.own(accepted)
        assert peer.port == self.client.get_sock_name().port


class ConnectBlocker(Blocker):
    """connect() to a listener whose accept queue is full: the kernel drops
    the SYN, so the connect waits (until the SYN is retransmitted, 1 s or
    more later, and finds room)."""

    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.listener = self.own_stdlib(socket.socket())
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self._fill_accept_queue()
        self.sock = self.own(io.Socket(io.PR_AF_INET))
        self.addr = io.NetworkAddress(io.PR_IpAddrLoopback, self.port)

    def _fill_accept_queue(self) -> None:
        for _attempt in range(32):
            filler = self.own_stdlib(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", self.port))
            if _poll_fd(filler, select.POLLOUT, 0.2):
                continue  # connected: one more in the queue
            # No answer: its SYN was dropped, if the queue holds a connection
            # already. On a loaded machine a handshake may take longer than
            # the wait, and then the queue may still be empty: a connect
            # there would not block. So the queue is full once the listener
            # has a connection waiting (however late it completed).
            if _poll_fd(self.listener, select.POLLIN, JOIN_LIMIT):
                filler.close()
                return
        raise AssertionError("could not fill the listener's accept queue")

    def call(self) -> Any:
        return self.sock.connect(self.addr)

    def call_with_timeout(self, ticks: int) -> Any:
        return self.sock.connect(self.addr, ticks)

    def release(self) -> None:
        # Room for the retransmitted SYN; connections there are left queued.
        self.listener.listen(64)

    def check_released(self, result: Any) -> None:
        assert result is None
        assert self.sock.get_peer_name().port == self.port

    def check_usable(self) -> None:
        # An interrupted connect goes on in the kernel: once there is room
        # the socket is connected and carries data.
        self.release()
        ready = self.io.Socket.poll([(self.sock, self.io.PR_POLL_WRITE)], LONG)
        assert ready[0] & self.io.PR_POLL_WRITE
        self.sock.send(b"connected", LONG)
        deadline = time.monotonic() + JOIN_LIMIT
        own_port = self.sock.get_sock_name().port
        while time.monotonic() < deadline:
            if not _poll_fd(self.listener, select.POLLIN, 0.1):
                continue
            accepted, (_host, port) = self.listener.accept()
            self.own_stdlib(accepted)
            if port == own_port:
                accepted.settimeout(JOIN_LIMIT)
                assert accepted.recv(100) == b"connected"
                return
        raise AssertionError("the interrupted connect never completed")


class PollBlocker(Blocker):
    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.peer, self.sock = self.pair()

    def call(self) -> Any:
        return self.call_with_timeout(self.io.PR_INTERVAL_NO_TIMEOUT)

    def call_with_timeout(self, ticks: int) -> Any:
        return self.io.Socket.poll([(self.sock, self.io.PR_POLL_READ)], ticks)

    def release(self) -> None:
        self.peer.send(b"x")

    def check_released(self, result: Any) -> None:
        assert result[0] & self.io.PR_POLL_READ
        assert self.sock.recv(10, LONG) == b"x"

    def check_closed_outcome(self, thread: CallThread) -> None:
        # PR_Poll's answer for a descriptor closed under it.
        assert thread.error is None, "got %r" % (thread.error,)
        assert thread.result == (self.io.PR_POLL_NVAL,)


class SendallBlocker(Blocker):
    """sendall() of more than the socket buffers hold, to a peer not reading."""

    PAYLOAD = bytes(range(256)) * (4 * 4096)  # 4 MiB

    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.peer, self.sock = self.pair()

    def call(self) -> Any:
        return self.sock.sendall(self.PAYLOAD)

    def call_with_timeout(self, ticks: int) -> Any:
        return self.sock.sendall(self.PAYLOAD, ticks)

    def release(self) -> None:
        # Read everything on a thread of its own: the caller may be the one
        # blocked in sendall().
        def drain() -> bytes:
            chunks: List[bytes] = []
            received = 0
            while received < len(self.PAYLOAD):
                chunk = self.peer.recv(1 << 16, LONG)
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
            return b"".join(chunks)

        self.drainer = start_call(drain)

    def check_released(self, result: Any) -> None:
        assert result == len(self.PAYLOAD)
        self.drainer.finish()
        assert self.drainer.result == self.PAYLOAD


BLOCKERS: Dict[str, Type[Blocker]] = {
    "recv": RecvBlocker,
    "accept": AcceptBlocker,
    "connect": ConnectBlocker,
    "readline": ReadlineBlocker,
    "poll": PollBlocker,
    "sendall": SendallBlocker,
}


@contextlib.contextmanager
def blocker(io: Any, kind: str) -> Iterator[Blocker]:
    """The set-up of one blocking call; everything is closed afterwards."""
    with contextlib.ExitStack() as cleanup:
        yield BLOCKERS[kind](io, cleanup)


@pytest.mark.skipif(
    not _WAIT_SYSCALLS, reason="reads a thread's system call from Linux's /proc"
)
def test_the_kernel_shows_a_thread_in_a_socket_wait() -> None:
    # The sign wait_until_blocked reads on PyPy: a thread blocked in a socket
    # wait is seen there, one running Python is not, nor one that has ended.
    left, right = socket.socketpair()
    stop = threading.Event()
    # poll, not select: a run that leaked descriptors has them above FD_SETSIZE.
    poller = select.poll()
    poller.register(left, select.POLLIN)

    def spin() -> None:
        while not stop.is_set():
            pass

    spinner = threading.Thread(target=spin)
    waiter = start_call(lambda: poller.poll(LONG))
    spinner.start()
    try:
        deadline = time.monotonic() + BLOCKED_LIMIT
        while not _in_socket_wait(waiter) and time.monotonic() < deadline:
            time.sleep(0.002)
        assert _in_socket_wait(waiter), (_syscall_of(waiter), waiter.error)
        for _ in range(50):
            assert not _in_socket_wait(spinner), _syscall_of(spinner)
    finally:
        stop.set()
        right.send(b"x")
        waiter.join(JOIN_LIMIT)
        spinner.join(JOIN_LIMIT)
        left.close()
        right.close()
    assert not waiter.is_alive() and not _in_socket_wait(waiter)


# --------------------------------------------------------------------------
# close() from another thread


@pytest.mark.difference(
    "close() from another thread wakes a blocked call at once (python-nss "
    "frees the descriptor under it: the call fails about 5 s later with "
    "PR_BAD_DESCRIPTOR_ERROR, poll() never returns)",
    crashes=True,
)
@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", BLOCKING_KINDS)
def test_close_wakes_blocked_call(io: Any, kind: str) -> None:
    with blocker(io, kind) as blocked:
        thread = start_call(blocked.call)
        wait_until_blocked(io, thread)
        closed_at = time.monotonic()
        blocked.sock.close()
        thread.finish()
        assert thread.finished_at is not None
        woken_after = thread.finished_at - closed_at
        print("%s woken %.3f s after close()" % (kind, woken_after))  # pytest -rP
        blocked.check_closed_outcome(thread)
        assert woken_after < WAKE_LIMIT, "woken %.3f s after close()" % woken_after
        with pytest.raises(ValueError):
            blocked.sock.fileno()


@pytest.mark.difference(
    "close() wakes every thread blocked on the socket", crashes=True
)
@pytest.mark.timeout(60)
def test_close_wakes_every_blocked_caller(io: Any) -> None:
    peer, sock = io.Socket.new_tcp_pair()
    try:
        payload = SendallBlocker.PAYLOAD
        calls: List[Callable[[], Any]] = [
            lambda: sock.recv(100),
            lambda: sock.readline(),
            lambda: io.Socket.poll(
                [(sock, io.PR_POLL_READ)], io.PR_INTERVAL_NO_TIMEOUT
            ),
            lambda: sock.sendall(payload),
        ]
        # recv() first, so that readline() waits behind recv's read lock.
        threads = [start_call(calls[0])]
        wait_until_blocked(io, threads[0])
        threads += [start_call(call) for call in calls[1:]]
        for thread in threads[2:]:
            wait_until_blocked(io, thread)
        assert all(thread.is_alive() for thread in threads)
        closed_at = time.monotonic()
        sock.close()
        for thread in threads:
            thread.finish()
        slowest = max(t.finished_at or 0.0 for t in threads) - closed_at
        assert slowest < WAKE_LIMIT, "last woken %.3f s after close()" % slowest
        for index in (0, 1, 3):
            assert type(threads[index].error) is ValueError, threads[index].error
        assert threads[2].result == (io.PR_POLL_NVAL,)
    finally:
        safe_close(peer)
        safe_close(sock)


@pytest.mark.difference(
    "a blocked call never reaches a descriptor released by close()", crashes=True
)
@pytest.mark.timeout(60)
def test_blocked_call_never_reads_a_reused_descriptor(io: Any) -> None:
    # Closed under a blocked recv(), the descriptor stays reserved until the
    # call leaves: sockets opened meanwhile get other descriptors, and their
    # data is never read by the old call.
    peer, sock = io.Socket.new_tcp_pair()
    newcomers: List[Any] = []
    try:
        thread = start_call(lambda: sock.recv(100))
        wait_until_blocked(io, thread)
        sock.close()
        for _ in range(4):
            first, second = io.Socket.new_tcp_pair()
            newcomers += [first, second]
            first.send(b"for the newcomer")
        thread.finish()
        assert type(thread.error) is ValueError, "got %r" % (thread.result,)
        for second in newcomers[1::2]:
            assert second.recv(100, LONG) == b"for the newcomer"
    finally:
        for other in [peer, sock, *newcomers]:
            safe_close(other)


# --------------------------------------------------------------------------
# makefile() files: they outlive the socket's close(), and their own close()
# wakes a call waiting through them

CLOSED_FILE = "I/O operation on closed file."
# Several wait slices: a wait that noticed a close() has ended by then.
SEVERAL_SLICES = 0.35


class FileReadBlocker(RecvBlocker):
    """A read through a raw makefile('rb', 0) file, nothing sent yet."""

    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.file = self.own(self.sock.makefile("rb", 0))

    def call(self) -> Any:
        return self.file.read(100)


class FileWriteBlocker(SendallBlocker):
    """A write through a raw makefile('wb', 0) file of more than the socket
    buffers hold, to a peer not reading."""

    def __init__(self, io: Any, cleanup: contextlib.ExitStack) -> None:
        super().__init__(io, cleanup)
        self.file = self.own(self.sock.makefile("wb", 0))

    def call(self) -> Any:
        return self.file.write(self.PAYLOAD)


FILE_BLOCKERS: Dict[str, Type[Blocker]] = {
    "read": FileReadBlocker,
    "write": FileWriteBlocker,
}
_NO_FILE_WRITE = pytest.mark.difference("makefile('wb') returns a writable file object")


@contextlib.contextmanager
def file_blocker(io: Any, kind: str) -> Iterator[Any]:
    """A blocking call through a makefile() file; everything closed afterwards."""
    with contextlib.ExitStack() as cleanup:
        yield FILE_BLOCKERS[kind](io, cleanup)


def _wait_until_in(io: Any, thread_id: Optional[int], function: str) -> None:
    """Return once thread ``thread_id`` runs nspr_ctypes's ``function``
    (python-nss: after a pause, as ``wait_until_blocked``)."""
    if not io.__name__.startswith("nspr_ctypes"):
        time.sleep(0.3)
        return
    deadline = time.monotonic() + BLOCKED_LIMIT
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread_id or 0)
        while frame is not None:
            if frame.f_code.co_name == function:
                return
            frame = frame.f_back
        time.sleep(0.002)
    raise AssertionError(
        "the call did not reach %s within %s s" % (function, BLOCKED_LIMIT)
    )


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["read", pytest.param("write", marks=_NO_FILE_WRITE)])
def test_socket_close_leaves_a_blocked_file_call_waiting(io: Any, kind: str) -> None:
    with file_blocker(io, kind) as blocked:
        thread = start_call(blocked.call)
        wait_until_blocked(io, thread)
        blocked.sock.close()
        time.sleep(SEVERAL_SLICES)
        assert thread.is_alive(), "ended by the socket's close(): %r" % thread.error
        blocked.release()
        thread.finish()
        assert thread.error is None, "got %r" % (thread.error,)
        blocked.check_released(thread.result)


@pytest.mark.difference(
    "closing the last of a socket and its makefile() files wakes a call "
    "waiting through the file (python-nss frees the descriptor under it)",
    crashes=True,
)
@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["read", "write"])
def test_closing_the_last_file_wakes_its_blocked_call(io: Any, kind: str) -> None:
    with file_blocker(io, kind) as blocked:
        fd = blocked.file.fileno()
        blocked.sock.close()
        thread = start_call(blocked.call)
        wait_until_blocked(io, thread)
        closed_at = time.monotonic()
        blocked.file.close()
        thread.finish()
        assert thread.finished_at is not None
        woken_after = thread.finished_at - closed_at
        print("file %s woken %.3f s after close()" % (kind, woken_after))
        assert type(thread.error) is ValueError, "got %r" % (thread.result,)
        assert str(thread.error) == CLOSED_FILE
        assert woken_after < WAKE_LIMIT, "woken %.3f s after close()" % woken_after
        with pytest.raises(OSError):  # released once the call left
            os.fstat(fd)


@pytest.mark.difference(
    "closing a makefile() file wakes a call waiting through it (python-nss: "
    "the file is the socket, and its close() is ignored while makefile() has "
    "raised its counter)",
    crashes=True,
)
@pytest.mark.timeout(60)
def test_closing_a_file_wakes_its_read_while_the_socket_is_open(io: Any) -> None:
    with file_blocker(io, "read") as blocked:
        thread = start_call(blocked.call)
        wait_until_blocked(io, thread)
        closed_at = time.monotonic()
        blocked.file.close()
        thread.finish()
        assert thread.finished_at is not None
        assert thread.finished_at - closed_at < WAKE_LIMIT
        assert str(thread.error) == CLOSED_FILE, "got %r" % (thread.error,)
        blocked.peer.send(b"still open")
        assert blocked.sock.recv(100, LONG) == b"still open"


@pytest.mark.difference(
    "closing a makefile() file wakes its read queued behind another reader",
    crashes=True,
)
@pytest.mark.timeout(60)
def test_closing_a_file_wakes_its_read_queued_behind_another(io: Any) -> None:
    with file_blocker(io, "read") as blocked:
        second = blocked.own(blocked.sock.makefile("rb", 0))
        blocked.sock.close()
        first_call = start_call(blocked.call)
        wait_until_blocked(io, first_call)
        queued = start_call(lambda: second.read(100))
        _wait_until_in(io, queued.ident, "acquire_waiting")
        closed_at = time.monotonic()
        second.close()
        queued.finish()
        assert queued.finished_at is not None
        assert queued.finished_at - closed_at < WAKE_LIMIT
        assert str(queued.error) == CLOSED_FILE, "got %r" % (queued.error,)
        assert first_call.is_alive()
        blocked.release()
        first_call.finish()
        blocked.check_released(first_call.result)


def _hammer(sock: Any, other: Any, io: Any, error: Any, stop_at: float) -> str:
    """Use ``sock`` every which way until it is closed (``other``, an open
    socket, shares its polls); returns how it ended."""
    buffer = bytearray(16)
    either = io.PR_POLL_READ | io.PR_POLL_WRITE
    operations: List[Callable[[], Any]] = [
        lambda: sock.recv(10, 1),
        lambda: sock.send(b"x", 1),
        lambda: io.Socket.poll([(sock, either)], 1),
        lambda: sock.readline(timeout=1),
        lambda: sock.get_sock_name(),
        lambda: sock.get_socket_option(io.PR_SockOpt_RecvBufferSize),
        lambda: sock.fileno(),
        lambda: sock.recv_into(buffer, 0, 1),
        lambda: sock.sendall(b"y" * 3000, 1),
        # Not the set of the poll above: each poll makes a new plan and poll set.
        lambda: io.Socket.poll([(other, io.PR_POLL_READ), (sock, either)], 1),
        lambda: sock.read(10, timeout=1),
        lambda: sock.pending(),
        lambda: sock.get_peer_name(),
        lambda: sock.set_socket_option(io.PR_SockOpt_Nonblocking, True),
        lambda: sock.set_socket_option(io.PR_SockOpt_Nonblocking, False),
        lambda: (str(sock), repr(sock), sock.netaddr, sock.desc_type),
    ]
    index = 0
    while time.monotonic() < stop_at:
        try:
            result = operations[index % len(operations)]()
        except ValueError as exc:
            return "closed" if str(exc) == CLOSED else "ValueError %s" % exc
        except error.NSPRError:
            pass  # timeouts, a full buffer: the socket is still open
        else:
            if type(result) is tuple and io.PR_POLL_NVAL in result:
                return "closed"  # poll saw the close
        index += 1
    return "never closed"


@pytest.mark.difference(
    "closing a socket another thread is using is safe (python-nss: SIGSEGV)",
    crashes=True,
)
@pytest.mark.timeout(60)
def test_close_races_with_calls_in_other_threads(io: Any, error: Any) -> None:
    # Each round closes the socket at a random moment of another thread's
    # calls, from two threads at once; nothing may crash or go astray.
    rng = random.Random(6)
    for _round in range(150):
        peer, sock = io.Socket.new_tcp_pair()
        try:
            stop_at = time.monotonic() + JOIN_LIMIT
            user = start_call(lambda: _hammer(sock, peer, io, error, stop_at))  # noqa: B023
            time.sleep(rng.random() * 0.003)
            second_closer = start_call(sock.close)
            sock.close()
            second_closer.finish()
            user.finish()
            assert second_closer.error is None
            assert user.error is None, "the user thread raised %r" % (user.error,)
            assert user.result == "closed", user.result
        finally:
            safe_close(peer)
            safe_close(sock)


# --------------------------------------------------------------------------
# Concurrent use


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "kind",
    [
        "recv",
        pytest.param(
            "readline",
            marks=pytest.mark.difference("readline() has no timeout in python-nss"),
        ),
    ],
)
def test_timeout_holds_while_another_thread_receives(
    io: Any, error: Any, kind: str
) -> None:
    # A receive with a timeout queued behind another thread's receive with
    # none (which holds the socket's read lock) still times out on time.
    peer, sock = io.Socket.new_tcp_pair()
    try:
        holder = start_call(lambda: sock.recv(100))
        wait_until_blocked(io, holder)
        started = time.monotonic()
        with pytest.raises(error.NSPRError) as info:
            if kind == "recv":
                sock.recv(100, SHORT)
            else:
                sock.readline(timeout=SHORT)
        elapsed = time.monotonic() - started
        assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
        timeout = io.interval_to_milliseconds(SHORT) / 1000
        assert timeout - 0.005 <= elapsed < timeout + 0.4, elapsed
        peer.send(b"for the holder")
        holder.finish()
        assert holder.result == b"for the holder"
    finally:
        safe_close(peer)
        safe_close(sock)


@pytest.mark.timeout(60)
def test_concurrent_recv_from_gets_whole_datagrams(io: Any, error: Any) -> None:
    # Three threads receive on one UDP socket: every datagram arrives whole
    # (its checksum matches), none twice.
    receiver = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    sender = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    try:
        receiver.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        receiver.set_socket_option(io.PR_SockOpt_RecvBufferSize, 1 << 21)
        target = receiver.get_sock_name()

        def receive() -> List[bytes]:
            got: List[bytes] = []
            sender_addr = io.NetworkAddress(io.PR_IpAddrAny, 0)
            while True:
                try:
                    got.append(receiver.recv_from(4096, sender_addr, SHORT))
                except error.NSPRError:
                    return got  # quiet for SHORT: the sender is done

        threads = [start_call(receive) for _ in range(3)]
        sent = set()
        for number in range(10_000):
            body = b"%07d" % number * (1 + number % 150)
            datagram = body + b"%010d" % zlib.crc32(body)
            sender.send_to(datagram, target)
            sent.add(datagram)
            if number % 200 == 199:
                time.sleep(0.001)  # let the receivers keep up
        received: List[bytes] = []
        for thread in threads:
            thread.finish()
            assert thread.error is None, thread.error
            received += thread.result
    finally:
        receiver.close()
        sender.close()
    assert len(received) == len(set(received))
    assert set(received) <= sent, "a datagram arrived altered"
    assert len(received) >= 1_000, "too few datagrams to tell"


@pytest.mark.timeout(60)
def test_send_and_recv_concurrently_on_one_socket(io: Any, tcp_pair: Any) -> None:
    # Both ends send 1 MiB while receiving 1 MiB, each direction from a
    # thread of its own: four threads on two sockets.
    client, server = tcp_pair
    size = 1 << 20
    to_server = bytes(random.Random(1).getrandbits(8) for _ in range(4096)) * (
        size // 4096
    )
    to_client = to_server[::-1]

    def sender(sock: Any, data: bytes) -> int:
        for start in range(0, len(data), 50_000):
            sock.sendall(data[start : start + 50_000], LONG)
        return len(data)

    def receiver(sock: Any) -> bytes:
        chunks: List[bytes] = []
        received = 0
        while received < size:
            chunk = sock.recv(1 << 16, LONG)
            assert chunk, "EOF after %d bytes" % received
            chunks.append(chunk)
            received += len(chunk)
        return b"".join(chunks)

    threads = [
        start_call(lambda: sender(client, to_server)),
        start_call(lambda: receiver(client)),
        start_call(lambda: sender(server, to_client)),
        start_call(lambda: receiver(server)),
    ]
    for thread in threads:
        thread.finish()
        assert thread.error is None, thread.error
    assert threads[1].result == to_client
    assert threads[3].result == to_server


@pytest.mark.difference(
    "two threads may readline() on one socket (python-nss corrupts its "
    "buffer and the heap: lost lines, SIGABRT)",
    crashes=True,
)
@pytest.mark.timeout(60)
def test_two_threads_readline_on_one_socket(io: Any, tcp_pair: Any) -> None:
    # Every line reaches exactly one reader, whole; each reader sees its
    # lines in stream order.
    client, server = tcp_pair
    lines = [b"line %05d %s\n" % (i, b"." * (i % 61)) for i in range(5000)]
    stream = b"".join(lines)

    def reader() -> List[bytes]:
        got: List[bytes] = []
        while True:
            line = server.readline()
            if not line:
                return got
            got.append(line)

    readers = [start_call(reader), start_call(reader)]
    rng = random.Random(2)
    position = 0
    while position < len(stream):
        step = rng.randint(1, 3000)  # chunks cut lines anywhere
        client.sendall(stream[position : position + step], LONG)
        position += step
    client.shutdown(io.PR_SHUTDOWN_SEND)
    for thread in readers:
        thread.finish()
        assert thread.error is None, thread.error
    first: List[bytes] = readers[0].result
    second: List[bytes] = readers[1].result
    assert sorted(first + second) == lines
    for got in (first, second):
        assert got == sorted(got)


def _send_in_random_pieces(io: Any, client: Any, stream: bytes, seed: int) -> None:
    rng = random.Random(seed)
    position = 0
    while position < len(stream):
        step = rng.randint(1, 3000)  # chunks cut lines anywhere
        client.sendall(stream[position : position + step], LONG)
        position += step
    client.shutdown(io.PR_SHUTDOWN_SEND)


@pytest.mark.difference(
    "readline() and readlines() may share one socket between threads "
    "(python-nss corrupts its buffer and the heap)",
    crashes=True,
)
@pytest.mark.timeout(60)
def test_readline_threads_beside_a_readlines_thread(io: Any, tcp_pair: Any) -> None:
    # Every line reaches exactly one caller, whole; each caller sees its
    # lines in stream order, readlines() batches included.
    client, server = tcp_pair
    lines = [b"line %05d %s\n" % (i, b"." * (i % 61)) for i in range(5000)]

    def reader() -> List[bytes]:
        got: List[bytes] = []
        while True:
            line = server.readline()
            if not line:
                return got
            got.append(line)

    def batch_reader() -> List[bytes]:
        got: List[bytes] = []
        while True:
            batch = server.readlines(500)
            if not batch:
                return got
            got.extend(batch)

    readers = [start_call(reader), start_call(reader), start_call(batch_reader)]
    _send_in_random_pieces(io, client, b"".join(lines), 3)
    results: List[bytes] = []
    for thread in readers:
        thread.finish()
        assert thread.error is None, thread.error
        assert thread.result == sorted(thread.result)
        results += thread.result
    assert sorted(results) == lines


@pytest.mark.difference(
    "readlines(timeout=) puts the lines back on a timeout, whole and in "
    "order, while other threads readline()",
    crashes=True,
)
@pytest.mark.timeout(60)
def test_timed_out_readlines_beside_readline_threads(
    io: Any, error: Any, tcp_pair: Any
) -> None:
    # readlines() that time out give back what they collected; readline()
    # in other threads meanwhile must still get every line once, in order.
    client, server = tcp_pair
    lines = [b"line %05d %s\n" % (i, b"." * (i % 37)) for i in range(3000)]
    stream = b"".join(lines)

    def reader() -> List[bytes]:
        got: List[bytes] = []
        while True:
            line = server.readline()
            if not line:
                return got
            got.append(line)

    def timing_out_reader() -> List[bytes]:
        # Until EOF, readlines() with no sizehint waits for EOF and times out.
        got: List[bytes] = []
        for _ in range(2000):  # 5 ms each: bounded
            try:
                batch = server.readlines(timeout=5)
            except error.NSPRError:
                continue
            if not batch:
                return got
            got.extend(batch)
        return got

    readers = [start_call(reader), start_call(reader), start_call(timing_out_reader)]
    rng = random.Random(4)
    position = 0
    while position < len(stream):
        step = rng.randint(1, 3000)
        client.sendall(stream[position : position + step], LONG)
        position += step
        time.sleep(0.001)  # let the readlines() time out between pieces
    client.shutdown(io.PR_SHUTDOWN_SEND)
    results: List[bytes] = []
    for thread in readers:
        thread.finish()
        assert thread.error is None, thread.error
        assert thread.result == sorted(thread.result)
        results += thread.result
    assert sorted(results) == lines


@pytest.mark.difference(
    "recv() and readline() may share one socket between threads "
    "(python-nss loses the bytes readline() buffered)",
    crashes=True,
)
@pytest.mark.timeout(60)
def test_recv_thread_beside_a_readline_thread_loses_nothing(
    io: Any, tcp_pair: Any
) -> None:
    # Whatever each call returns is a piece of the stream taken at once, in
    # order: the stream is an interleaving of the two threads' pieces.
    client, server = tcp_pair
    stream = b"".join(b"%06d\n" % i for i in range(20000))

    def reader(call: Callable[[], bytes]) -> List[bytes]:
        got: List[bytes] = []
        while True:
            piece = call()
            if not piece:
                return got
            got.append(piece)

    readers = [
        start_call(lambda: reader(server.readline)),
        start_call(lambda: reader(lambda: server.recv(100, LONG))),
    ]
    _send_in_random_pieces(io, client, stream, 6)
    for thread in readers:
        thread.finish()
        assert thread.error is None, thread.error
    assert _interleaves(stream, readers[0].result, readers[1].result)


def _interleaves(stream: bytes, first: List[bytes], second: List[bytes]) -> bool:
    """Whether ``stream`` is the pieces of ``first`` and ``second``, each list
    in its order, interleaved (a piece is never split)."""
    ends_first = [0]
    for piece in first:
        ends_first.append(ends_first[-1] + len(piece))
    ends_second = [0]
    for piece in second:
        ends_second.append(ends_second[-1] + len(piece))
    if ends_first[-1] + ends_second[-1] != len(stream):
        return False
    # States (pieces of first taken, pieces of second taken), explored in
    # stream order; the position is the sum of the lengths taken.
    frontier = {(0, 0)}
    while frontier:
        if (len(first), len(second)) in frontier:
            return True
        step = set()
        for i, j in frontier:
            at = ends_first[i] + ends_second[j]
            if i < len(first) and stream.startswith(first[i], at):
                step.add((i + 1, j))
            if j < len(second) and stream.startswith(second[j], at):
                step.add((i, j + 1))
        frontier = step
    return False


# --------------------------------------------------------------------------
# The GIL


def _progress(seconds: float) -> int:
    """Iterations a pure-Python loop makes in ``seconds`` of wall time."""
    count = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        count += 1
    return count


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", BLOCKING_KINDS)
def test_blocking_call_releases_the_gil(io: Any, kind: str) -> None:
    with blocker(io, kind) as blocked:
        alone = _progress(PROGRESS_WINDOW)
        thread = start_call(blocked.call)
        try:
            wait_until_blocked(io, thread)
            beside = _progress(PROGRESS_WINDOW)
        finally:
            blocked.release()
            thread.finish()
        assert thread.error is None, thread.error
        blocked.check_released(thread.result)
    ratio = beside / max(alone, 1)
    print("%s: another thread ran at %.0f %%" % (kind, ratio * 100))  # pytest -rP
    assert ratio >= MIN_PROGRESS_RATIO, (
        "another thread ran at %.0f %% of its speed during a blocking %s"
        % (ratio * 100, kind)
    )


@pytest.mark.skipif(
    not hasattr(ctypes, "PyDLL"),
    reason="ctypes.PyDLL (C calls that keep the GIL) is not available on this interpreter",
)
@pytest.mark.timeout(60)
def test_progress_measure_detects_a_call_holding_the_gil() -> None:
    # The measure of the test above, against C calls that keep the GIL (a
    # PyDLL function): it must report the starved thread.
    libc = ctypes.PyDLL(None)
    usleep = libc.usleep
    usleep.argtypes = (ctypes.c_uint,)
    started = threading.Event()
    stop = threading.Event()

    def hold_the_gil() -> None:
        started.set()
        while not stop.is_set():
            usleep(100_000)

    alone = _progress(PROGRESS_WINDOW)
    thread = start_call(hold_the_gil)
    try:
        started.wait(JOIN_LIMIT)
        time.sleep(0.05)
        beside = _progress(PROGRESS_WINDOW)
    finally:
        stop.set()
        thread.finish()
    assert beside / max(alone, 1) < MIN_PROGRESS_RATIO
