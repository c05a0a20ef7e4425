"""``Socket.poll()`` called again and again, as an event loop does.

nspr_ctypes keeps what a poll of one list needs for the thread's next poll;
these tests pin that a repeated poll sees every change a fresh one would: new
readiness, other flags, entries replaced in place, sockets closed between two
polls, lists and tuples of other shapes.
"""

from __future__ import annotations

from typing import Any, List

import pytest
from conftest import LONG

# python-nss reports NSPR's bookkeeping bits for an entry that is not ready
# when the whole poll times out (docs/differences.md); nspr_ctypes reports 0.
NOT_READY_IS_ZERO = "poll(): an entry that is not ready reports 0"


def _drain(sock: Any) -> None:
    sock.recv(100, LONG)


@pytest.mark.difference(NOT_READY_IS_ZERO)
def test_a_repeated_poll_follows_readiness(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    descs = [(b, io.PR_POLL_READ)]
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (0,)
    a.send(b"x", LONG)
    assert io.Socket.poll(descs, LONG) == (io.PR_POLL_READ,)
    _drain(b)
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (0,)


@pytest.mark.difference(NOT_READY_IS_ZERO)
def test_a_repeated_poll_sees_flags_changed_in_place(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    descs = [(b, io.PR_POLL_READ)]
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (0,)
    descs[0] = (b, io.PR_POLL_WRITE)
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (io.PR_POLL_WRITE,)


@pytest.mark.difference(NOT_READY_IS_ZERO)
def test_a_repeated_poll_sees_a_socket_replaced_in_place(
    io: Any, local_pair: Any, closing: Any
) -> None:
    a, b = local_pair
    c, d = (closing(s) for s in io.Socket.new_tcp_pair())
    c.send(b"x", LONG)
    descs = [(b, io.PR_POLL_READ)]
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (0,)
    descs[0] = (d, io.PR_POLL_READ)
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (io.PR_POLL_READ,)
    descs[0] = (b, io.PR_POLL_READ)
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (0,)
    a.send(b"y", LONG)
    assert io.Socket.poll(descs, LONG) == (io.PR_POLL_READ,)


def test_a_repeated_poll_skips_a_socket_closed_since(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x", LONG)
    descs = [(a, io.PR_POLL_WRITE), (b, io.PR_POLL_READ)]
    assert io.Socket.poll(descs, LONG) == (io.PR_POLL_WRITE, io.PR_POLL_READ)
    a.close()
    result = io.Socket.poll(descs, LONG)
    assert result[0] == 0
    assert result[1] & io.PR_POLL_READ


@pytest.mark.difference(NOT_READY_IS_ZERO)
def test_a_repeated_poll_survives_closes_of_other_sockets(
    io: Any, local_pair: Any
) -> None:
    a, b = local_pair
    descs = [(b, io.PR_POLL_READ)]
    assert io.Socket.poll(descs, io.PR_INTERVAL_NO_WAIT) == (0,)
    for _ in range(3):
        other, peer = io.Socket.new_tcp_pair()
        other.close()
        peer.close()
    a.send(b"x", LONG)
    assert io.Socket.poll(descs, LONG) == (io.PR_POLL_READ,)


def test_tuples_of_lists_poll_as_lists_of_tuples(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x", LONG)
    as_lists: List[Any] = [[b, io.PR_POLL_READ]]
    as_tuple = ((b, io.PR_POLL_READ),)
    for _ in range(2):
        assert io.Socket.poll(as_lists, LONG) == (io.PR_POLL_READ,)
        assert io.Socket.poll(as_tuple, LONG) == (io.PR_POLL_READ,)
    as_lists[0][1] = io.PR_POLL_WRITE
    assert io.Socket.poll(as_lists, LONG) == (io.PR_POLL_WRITE,)


@pytest.mark.difference(NOT_READY_IS_ZERO)
def test_equal_lists_of_other_sockets_are_polled_anew(io: Any, closing: Any) -> None:
    first = [closing(s) for s in io.Socket.new_tcp_pair()]
    second = [closing(s) for s in io.Socket.new_tcp_pair()]
    second[0].send(b"x", LONG)
    assert io.Socket.poll([(first[1], io.PR_POLL_READ)], io.PR_INTERVAL_NO_WAIT) == (0,)
    assert io.Socket.poll([(second[1], io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)
