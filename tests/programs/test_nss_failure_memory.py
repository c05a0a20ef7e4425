"""Failures cost nothing once they are handled.

A server written the python-nss way polls a non-blocking listener and calls
``accept()``, which fails with ``PR_WOULD_BLOCK_ERROR`` whenever no client is
waiting: such a program fails thousands of times an hour, for as long as it
runs. Each failure, and each ``NSPRError`` a program makes and drops, must
give back all its memory and descriptors.

Each loop is warmed up first, then measured between two ``gc.collect()``
calls (an exception caught with its traceback is a reference cycle: only the
collector frees it, and a test that did not collect would count it as a leak).
Python memory is measured with ``tracemalloc``; C memory too, as the resident
size of a process of its own (``_accept_failures.py``).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from typing import Any, Callable, Dict

import pytest
from conftest import collect_garbage

from ._accept_failures import failing_accept, nonblocking_listener

FD_DIR = "/proc/self/fd"
WARM_UP = 200
COUNT = 1000
# Python memory that 1000 handled failures may keep: far less than one
# object per failure.
TRACED_LIMIT = 64 * 1024
# Resident memory that 60 000 failures (after as many to warm up) may add in a
# process of their own.
SUBPROCESS_COUNT = 60_000
RSS_LIMIT = 2 * 1024 * 1024
CHILD_TIMEOUT = 60

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import tracemalloc
except ImportError:  # PyPy has no tracemalloc; the RSS test still runs there
    tracemalloc = None  # type: ignore[assignment]

needs_tracemalloc = pytest.mark.skipif(
    tracemalloc is None,
    reason="tracemalloc (Python memory tracing) is not available on this interpreter",
)

pytestmark = pytest.mark.skipif(
    not os.path.isdir(FD_DIR), reason="needs /proc/self (Linux)"
)


def _traced_growth(cycle: Callable[[], None]) -> int:
    """Bytes of Python memory gained over COUNT calls of ``cycle``."""
    for _ in range(WARM_UP):
        cycle()
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        collect_garbage()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(COUNT):
            cycle()
        collect_garbage()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        if started:
            tracemalloc.stop()
    growth = after - before
    print("%d cycles: %+d bytes traced" % (COUNT, growth))  # shown by pytest -rP
    return growth


def _fd_growth(cycle: Callable[[], None]) -> int:
    """Descriptors gained over COUNT calls of ``cycle``."""
    for _ in range(WARM_UP):
        cycle()
    collect_garbage()
    before = len(os.listdir(FD_DIR))
    for _ in range(COUNT):
        cycle()
    collect_garbage()
    return len(os.listdir(FD_DIR)) - before


@needs_tracemalloc
@pytest.mark.difference(
    "a failed accept() keeps no memory (python-nss: about 470 bytes each)"
)
def test_failed_nonblocking_accepts_keep_no_python_memory(io: Any, error: Any) -> None:
    listener = nonblocking_listener(io)
    try:
        growth = _traced_growth(failing_accept(error, listener))
    finally:
        listener.close()
    assert growth < TRACED_LIMIT


def test_failed_nonblocking_accepts_keep_no_descriptors(io: Any, error: Any) -> None:
    listener = nonblocking_listener(io)
    try:
        growth = _fd_growth(failing_accept(error, listener))
    finally:
        listener.close()
    assert growth == 0


@needs_tracemalloc
@pytest.mark.difference(
    "a failed recv() keeps no memory (python-nss: about 470 bytes each)"
)
def test_failed_nonblocking_recvs_keep_no_python_memory(io: Any, error: Any) -> None:
    # The forwarder's case: recv() on a non-blocking socket with nothing to read.
    first, second = io.Socket.new_tcp_pair()
    try:
        second.set_socket_option(io.PR_SockOpt_Nonblocking, True)

        def fail_once() -> None:
            try:
                second.recv(100)
            except error.NSPRError as exc:
                if exc.errno != error.PR_WOULD_BLOCK_ERROR:
                    raise
            else:
                raise AssertionError("recv() read bytes nobody sent")

        growth = _traced_growth(fail_once)
    finally:
        first.close()
        second.close()
    assert growth < TRACED_LIMIT


def _measure_in_subprocess(target: str) -> Dict[str, int]:
    env = dict(os.environ)
    if target != "oracle":
        # The child imports nspr_ctypes from where this process found it.
        import nspr_ctypes

        package_parent = os.path.dirname(os.path.dirname(nspr_ctypes.__file__))
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [package_parent, env.get("PYTHONPATH")])
        )
    script = os.path.join(HERE, "_accept_failures.py")
    completed = subprocess.run(
        [sys.executable, script, target, str(SUBPROCESS_COUNT)],
        env=env,
        capture_output=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    result: Dict[str, int] = json.loads(completed.stdout)
    print("%d failed accepts in a subprocess: %r" % (SUBPROCESS_COUNT, result))
    return result


@pytest.mark.difference(
    "a failed accept() keeps no memory (python-nss: about 500 bytes of RSS each)"
)
def test_failed_nonblocking_accepts_keep_no_process_memory(target: str) -> None:
    growth = _measure_in_subprocess(target)
    assert growth["fds"] == 0
    assert growth["rss"] < RSS_LIMIT


@needs_tracemalloc
@pytest.mark.difference(
    "a dropped NSPRError keeps no memory (python-nss: 60-200 bytes each)"
)
def test_created_nspr_errors_keep_no_memory(error: Any) -> None:
    def cycle() -> None:
        exc = error.NSPRError("message", error.PR_IO_TIMEOUT_ERROR)
        str(exc)
        repr(exc)
        exc.errno  # noqa: B018 - the attribute reads are the point
        exc.error_desc  # noqa: B018

    assert _traced_growth(cycle) < TRACED_LIMIT


@needs_tracemalloc
@pytest.mark.difference(
    "a dropped NSPRError keeps no memory (python-nss: 60-200 bytes each)"
)
def test_raised_nspr_errors_with_tracebacks_keep_no_memory(error: Any) -> None:
    def cycle() -> None:
        try:
            raise error.NSPRError("message", error.PR_IO_TIMEOUT_ERROR)
        except error.NSPRError as exc:
            # The traceback holds this frame, and the frame the exception:
            # a cycle, freed only by the collector.
            caught = exc  # noqa: F841 - the reference is the point

    assert _traced_growth(cycle) < TRACED_LIMIT


def _live_nspr_errors(error: Any) -> int:
    return sum(isinstance(obj, error.NSPRError) for obj in gc.get_objects())


class _Probe:
    cycle: object = None


def _unreachable_cycles_are_listed() -> bool:
    """Whether gc.get_objects() lists a dropped cycle until the collector
    runs (CPython's reference counting with a cycle collector; PyPy lists
    only what is reachable)."""
    gc.disable()
    try:
        probe = _Probe()
        probe.cycle = probe
        marker = id(probe)
        del probe
        return any(id(obj) == marker for obj in gc.get_objects())
    finally:
        gc.enable()


@pytest.mark.skipif(
    not _unreachable_cycles_are_listed(),
    reason="gc.get_objects() lists only reachable objects on this interpreter, "
    "so what a collection frees cannot be counted",
)
def test_caught_nspr_errors_live_until_collected(error: Any) -> None:
    # What makes the measurement above honest: a caught error kept in a local
    # outlives its frame, and only gc.collect() frees it.
    def raise_and_keep() -> None:
        try:
            raise error.NSPRError("message", error.PR_IO_TIMEOUT_ERROR)
        except error.NSPRError as exc:
            caught = exc  # noqa: F841 - the reference is the point

    collect_garbage()
    gc.disable()
    try:
        before = _live_nspr_errors(error)
        raise_and_keep()
        kept = _live_nspr_errors(error)
        collect_garbage()
        collected = _live_nspr_errors(error)
    finally:
        gc.enable()
    assert (kept, collected) == (before + 1, before)
