"""Signals: Ctrl-C during a blocking call, timeouts while signals arrive.

The guarantee that nothing a Python caller does crashes, hangs or leaks; signals:

* ``SIGINT`` during a blocking ``accept``, ``recv``, ``connect``, ``readline``
  or ``poll`` with no timeout raises ``KeyboardInterrupt`` within
  ``WAKE_LIMIT`` seconds, and the socket stays usable (no byte is lost).
* Explicit timeouts stay exact: a call with timeout T times out after T even
  while harmless signals with a Python handler arrive every few milliseconds.

Python handles signals in the main thread only, so the blocking call runs
there, and a second thread sends the signal once the call is known to wait.
SIGINT goes to the whole process (``os.kill``), as a terminal's Ctrl-C does;
the harmless signals go to the main thread itself (``pthread_kill``), so its
system calls are interrupted each time. SIGALRM is left alone: pytest-timeout
uses it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from types import FrameType
from typing import Any, Iterator, List, NamedTuple, Optional

import pytest
from conftest import LONG

from safety.test_threads import (
    JOIN_LIMIT,
    WAKE_LIMIT,
    Blocker,
    ReadlineBlocker,
    blocker,
    wait_until_blocked,
)

SIGNAL_KINDS = ("recv", "accept", "connect", "readline", "poll")
# The timeout of the exactness test, and how often a harmless signal arrives.
TIMEOUT_SECONDS = 0.5
SIGNAL_EVERY = 0.02
# Scheduling delays on a loaded machine may add this much to a timeout.
TIMEOUT_SLACK = 0.4

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "pthread_kill"), reason="needs POSIX signals"
)


@pytest.fixture
def default_sigint() -> Iterator[None]:
    """Python's own SIGINT handler (a shell may start pytest with SIGINT
    ignored, and then Python installs none)."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are handled in the main thread only")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class SigintWhenBlocked(threading.Thread):
    """Sends one SIGINT to the process once the main thread waits."""

    def __init__(self, io: Any) -> None:
        super().__init__(daemon=True)
        self._io = io
        self._main = threading.main_thread()
        self.sent_at: Optional[float] = None
        self.failure: Optional[BaseException] = None

    def run(self) -> None:
        try:
            wait_until_blocked(self._io, self._main)
        except AssertionError as exc:
            self.failure = exc  # the call never waited: send nothing
            return
        self.sent_at = time.monotonic()
        os.kill(os.getpid(), signal.SIGINT)


class Interruption:
    """What happened to one call run under ``SigintWhenBlocked``."""

    def __init__(self) -> None:
        self.sent_at: Optional[float] = None
        self.interrupted_at: Optional[float] = None
        self.result: Any = None
        self.returned = False
        self.error: Optional[BaseException] = None
        self.sender_failure: Optional[BaseException] = None


def interrupt(io: Any, blocked: Blocker) -> Interruption:
    """Run ``blocked.call()`` here, SIGINT it once it waits.

    Every moment the KeyboardInterrupt may arrive at (the call, joining the
    sender, a late delivery after the call returned) lies inside the ``try``,
    so it can never escape into the test runner.
    """
    outcome = Interruption()
    sender = SigintWhenBlocked(io)
    try:
        sender.start()
        try:
            outcome.result = blocked.call()
            outcome.returned = True
        except Exception as exc:
            outcome.error = exc
        finally:
            sender.join(JOIN_LIMIT)
        if sender.sent_at is not None:  # sent, but not raised yet
            deadline = time.monotonic() + JOIN_LIMIT
            while time.monotonic() < deadline:
                time.sleep(0.01)
    except KeyboardInterrupt:
        outcome.interrupted_at = time.monotonic()
        sender.join(JOIN_LIMIT)
    outcome.sent_at = sender.sent_at
    outcome.sender_failure = sender.failure
    return outcome


@pytest.mark.difference(
    "Ctrl-C interrupts a blocking call (python-nss: the call goes on until it "
    "completes, so with no timeout and no data it never returns)",
    crashes=True,
)
@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", SIGNAL_KINDS)
def test_sigint_interrupts_blocking_call(
    io: Any, kind: str, default_sigint: None
) -> None:
    with blocker(io, kind) as blocked:
        outcome = interrupt(io, blocked)
        assert outcome.sender_failure is None, outcome.sender_failure
        assert outcome.error is None, "the call raised %r" % (outcome.error,)
        assert not outcome.returned, "the call returned %r" % (outcome.result,)
        assert outcome.interrupted_at is not None, "no KeyboardInterrupt"
        assert outcome.sent_at is not None
        delay = outcome.interrupted_at - outcome.sent_at
        print("%s: KeyboardInterrupt %.3f s after SIGINT" % (kind, delay))
        assert delay < WAKE_LIMIT, "KeyboardInterrupt %.3f s after SIGINT" % delay
        blocked.check_usable()


@pytest.mark.difference(
    "Ctrl-C interrupts a blocking call, again and again", crashes=True
)
@pytest.mark.timeout(60)
def test_repeated_sigint_leaves_socket_consistent(
    io: Any, default_sigint: None
) -> None:
    # Five interrupted readline() calls in a row, each with more of the line
    # arriving in between: not a byte is lost, and nothing stays in flight.
    with blocker(io, "readline") as blocked:
        assert isinstance(blocked, ReadlineBlocker)
        for index in range(5):
            outcome = interrupt(io, blocked)
            assert outcome.error is None, outcome.error
            assert not outcome.returned, outcome.result
            assert outcome.interrupted_at is not None
            blocked.peer.send(b"%d " % index)
        blocked.release()
        assert blocked.sock.readline(timeout=LONG) == b"half a 0 1 2 3 4 line\n"
        blocked.sock.close()
        with pytest.raises(ValueError):
            blocked.sock.fileno()


class Pelter(threading.Thread):
    """Sends ``signum`` to the main thread every SIGNAL_EVERY seconds."""

    def __init__(self, signum: int) -> None:
        super().__init__(daemon=True)
        self._signum = signum
        self._main_id = threading.main_thread().ident
        self._stop_event = threading.Event()
        self.sent = 0

    def run(self) -> None:
        assert self._main_id is not None
        while not self._stop_event.wait(SIGNAL_EVERY):
            signal.pthread_kill(self._main_id, self._signum)
            self.sent += 1

    def stop(self) -> None:
        self._stop_event.set()
        self.join(JOIN_LIMIT)


class SignalledCall(NamedTuple):
    result: Any  # the call's result, or the NSPRError it raised
    elapsed: float
    signals_sent: int
    handled_during_call: int


def _call_while_signals_arrive(
    io: Any, error: Any, kind: str, timeout: float
) -> SignalledCall:
    """Make the ``kind`` call with ``timeout`` seconds while SIGUSR1, with a
    Python handler, reaches the main thread every SIGNAL_EVERY seconds."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are handled in the main thread only")
    handled_at: List[float] = []

    def note(signum: int, frame: Optional[FrameType]) -> None:
        handled_at.append(time.monotonic())

    ticks = io.milliseconds_to_interval(int(timeout * 1000))
    previous = signal.signal(signal.SIGUSR1, note)
    try:
        with blocker(io, kind) as blocked:
            pelter = Pelter(signal.SIGUSR1)
            pelter.start()
            started = time.monotonic()
            try:
                result = blocked.call_with_timeout(ticks)
            except error.NSPRError as exc:
                result = exc
            finally:
                ended = time.monotonic()
                pelter.stop()
        time.sleep(SIGNAL_EVERY)  # a signal still on its way lands here
    finally:
        signal.signal(signal.SIGUSR1, previous)
    during = sum(1 for moment in handled_at if moment < ended)
    return SignalledCall(result, ended - started, pelter.sent, during)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "kind",
    [
        "recv",
        "accept",
        "connect",
        pytest.param(
            "readline",
            marks=pytest.mark.difference("readline() has no timeout in python-nss"),
        ),
        pytest.param(
            "poll",
            marks=pytest.mark.difference(
                "poll() reports 0 for a socket that is not ready (python-nss: "
                "NSPR's bookkeeping bit)"
            ),
        ),
    ],
)
def test_timeout_stays_exact_while_signals_arrive(
    io: Any, error: Any, kind: str
) -> None:
    call = _call_while_signals_arrive(io, error, kind, TIMEOUT_SECONDS)
    print("%s: %r" % (kind, call))  # pytest -rP shows the measurement
    if kind == "poll":
        assert call.result == (0,)
    else:
        assert isinstance(call.result, error.NSPRError), "got %r" % (call.result,)
        assert call.result.errno == error.PR_IO_TIMEOUT_ERROR
    assert call.signals_sent >= 5, "only %d signals were sent" % call.signals_sent
    assert TIMEOUT_SECONDS - 0.005 <= call.elapsed < TIMEOUT_SECONDS + TIMEOUT_SLACK, (
        "a %.1f s timeout took %.3f s with %d signals"
        % (TIMEOUT_SECONDS, call.elapsed, call.signals_sent)
    )


@pytest.mark.difference(
    "signal handlers run while a call waits (python-nss runs them once the "
    "call returns, and runs one for many signals)"
)
@pytest.mark.timeout(60)
def test_signal_handlers_run_while_call_waits(io: Any, error: Any) -> None:
    call = _call_while_signals_arrive(io, error, "recv", TIMEOUT_SECONDS)
    # A handler runs between two poll slices (100 ms), so at least one in
    # every few signals is handled before the call ends.
    assert call.handled_during_call >= 3, "%d of %d signals handled in the call" % (
        call.handled_during_call,
        call.signals_sent,
    )


@pytest.mark.difference(
    "signal handlers run while a call waits (python-nss runs them once the "
    "call returns)"
)
@pytest.mark.timeout(60)
def test_a_signal_handler_polling_the_same_list_inside_a_poll(io: Any) -> None:
    # The stdlib backend runs handlers inside its poll(2) wait, the nspr
    # backend between slices: either way the handler's poll of the very list
    # the interrupted poll is using works, and so does the interrupted poll.
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are handled in the main thread only")
    reader, writer = io.Socket.new_tcp_pair()
    descs = [(reader, io.PR_POLL_READ)]
    inside: List[Any] = []

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        inside.append(io.Socket.poll(descs, 0))
        writer.send(b"x")

    previous = signal.signal(signal.SIGUSR1, handler)
    main = threading.get_ident()
    timer = threading.Timer(0.2, signal.pthread_kill, (main, signal.SIGUSR1))
    try:
        io.Socket.poll(descs, 0)  # this list is the thread's last poll
        timer.start()
        result = io.Socket.poll(descs, LONG)
    finally:
        timer.cancel()
        timer.join(JOIN_LIMIT)
        signal.signal(signal.SIGUSR1, previous)
        reader.close()
        writer.close()
    assert inside == [(0,)]
    assert result == (io.PR_POLL_READ,)
