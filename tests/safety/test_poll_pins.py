"""A poll guards its whole socket set at once (nspr_ctypes's poll pins).

``close()`` of a socket that a poll in another thread is waiting on must not
free the descriptor under it: the release is left to the poll, which releases
when its slice ends. These tests check that the descriptor is neither freed
early nor leaked, and that a thread's cached poll plan lets go of closed and
dropped sockets.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, List

import pytest
from conftest import LONG, collect_garbage

JOIN_LIMIT = 10.0


def _fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


@pytest.fixture(autouse=True)
def _only_nspr_ctypes(io: Any) -> None:
    if not io.__name__.startswith("nspr_ctypes"):
        pytest.skip("the poll pins are nspr_ctypes's own design")


def test_close_during_a_poll_releases_once_the_poll_lets_go(io: Any) -> None:
    a, b = io.Socket.new_tcp_pair()
    try:
        fd = b.fileno()
        results: List[Any] = []
        poller = threading.Thread(
            target=lambda: results.append(
                io.Socket.poll([(b, io.PR_POLL_READ)], io.seconds_to_interval(5))
            ),
            daemon=True,
        )
        poller.start()
        time.sleep(0.05)  # the poll is waiting in its first slice
        b.close()
        poller.join(JOIN_LIMIT)
        assert not poller.is_alive()
        assert results == [(io.PR_POLL_NVAL,)]
        # Released by the poll once its slice ended (nothing else in this
        # test opens a descriptor that could take the number meanwhile).
        assert not _fd_is_open(fd)
    finally:
        a.close()
        b.close()


def test_many_closes_under_polls_leak_no_descriptor(io: Any) -> None:
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_fds()
    for _ in range(20):
        a, b = io.Socket.new_tcp_pair()
        stop = threading.Event()

        def poll_loop(sock: Any = b, stop: threading.Event = stop) -> None:
            while not stop.is_set():
                result = io.Socket.poll([(sock, io.PR_POLL_READ)], 5)
                if result == (io.PR_POLL_NVAL,):
                    return

        poller = threading.Thread(target=poll_loop, daemon=True)
        poller.start()
        time.sleep(0.002)
        b.close()
        a.close()
        stop.set()
        poller.join(JOIN_LIMIT)
        assert not poller.is_alive()
    collect_garbage()
    assert open_fds() <= before


def test_a_dropped_socket_is_released_after_its_thread_polls_another_set(
    io: Any,
) -> None:
    keep_a, keep_b = io.Socket.new_tcp_pair()
    try:
        a, b = io.Socket.new_tcp_pair()
        fd = b.fileno()
        assert io.Socket.poll([(b, io.PR_POLL_WRITE)], LONG) == (io.PR_POLL_WRITE,)
        a.close()
        del a, b  # dropped without close(): still in this thread's poll plan
        assert _fd_is_open(fd)
        # Polling another set lets the plan go; the drop then releases.
        with pytest.warns(ResourceWarning):
            io.Socket.poll([(keep_b, io.PR_POLL_WRITE)], LONG)
            collect_garbage()
        assert not _fd_is_open(fd)
    finally:
        keep_a.close()
        keep_b.close()


def test_a_socket_closed_while_its_poll_set_is_made_reports_nval(
    io: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The set is made before the poll pins it: a close() in that window (from
    # another thread; here, deterministically, from inside poll_set) releases
    # the handle under the backend, which must still make the set, and the
    # poll must report the socket closed without polling it.
    a, b = io.Socket.new_tcp_pair()
    try:
        backend = b._ch.backend
        make_set = backend.poll_set
        made: List[Any] = []

        def close_then_make_set(entries: Any) -> Any:
            b.close()
            made.append(entries)
            return make_set(entries)

        monkeypatch.setattr(backend, "poll_set", close_then_make_set)
        result = io.Socket.poll([(a, io.PR_POLL_WRITE), (b, io.PR_POLL_READ)], LONG)
        monkeypatch.undo()
        assert made, "the poll did not make a new set"
        assert result == (0, io.PR_POLL_NVAL)
    finally:
        a.close()
        b.close()
