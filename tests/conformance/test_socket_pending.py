"""``Socket.pending()``: the bytes buffered in the socket object (an addition).

python-nss has no ``pending()``: every test here is a deliberate difference
(docs/differences.md, "Additions"). The event loops that need it are in
tests/programs/test_event_loops.py.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from conftest import LONG, SHORT

ADDITION = "Socket.pending() is an addition"


def _wait_readable(io: Any, sock: Any) -> None:
    assert io.Socket.poll([(sock, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)


@pytest.mark.difference(ADDITION)
def test_pending_is_zero_on_a_new_connection(local_pair: Any) -> None:
    _a, b = local_pair
    assert b.pending() == 0


@pytest.mark.difference(ADDITION)
def test_pending_counts_what_readline_buffered(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"one\ntwo\nthree\n", LONG)
    assert b.readline(timeout=LONG) == b"one\n"
    assert b.pending() == len(b"two\nthree\n")


@pytest.mark.difference(ADDITION)
def test_pending_is_an_int(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\ny", LONG)
    b.readline(timeout=LONG)
    assert type(b.pending()) is int


@pytest.mark.difference(ADDITION)
def test_pending_falls_as_buffered_bytes_are_read(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"one\ntwo\nthree\n", LONG)
    b.readline(timeout=LONG)
    assert b.recv(2, LONG) == b"tw"
    assert b.pending() == len(b"o\nthree\n")
    assert b.readline(timeout=LONG) == b"o\n"
    assert b.readline(timeout=LONG) == b"three\n"
    assert b.pending() == 0


@pytest.mark.difference(ADDITION)
def test_pending_ignores_bytes_queued_in_the_system(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"not read yet", LONG)
    _wait_readable(io, b)
    assert b.pending() == 0
    assert b.recv(100, LONG) == b"not read yet"


@pytest.mark.difference(ADDITION)
def test_pending_counts_a_partial_line_kept_after_timeout(
    error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"partial", LONG)
    with pytest.raises(error.NSPRError) as info:
        b.readline(timeout=SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert b.pending() == len(b"partial")


@pytest.mark.difference(ADDITION)
def test_pending_counts_the_tail_at_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\ntail", LONG)
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readline(timeout=LONG) == b"x\n"
    assert b.pending() == len(b"tail")
    assert b.readline(timeout=LONG) == b"tail"
    assert b.pending() == 0


@pytest.mark.difference(ADDITION)
def test_pending_over_tcp(tcp_pair: Any) -> None:
    client, server = tcp_pair
    client.send(b"a\nbc\n", LONG)
    assert server.readline(timeout=LONG) == b"a\n"
    assert server.pending() == 3


@pytest.mark.difference(ADDITION)
def test_pending_does_not_wait_for_a_blocked_reader(local_pair: Any) -> None:
    a, b = local_pair
    reader = threading.Thread(target=b.readline, kwargs={"timeout": LONG})
    reader.start()
    time.sleep(0.1)  # let it reach its wait (sooner, the test proves less)
    try:
        result = []
        asker = threading.Thread(target=lambda: result.append(b.pending()))
        asker.start()
        asker.join(LONG / 1000)
        assert result == [0]
    finally:
        a.send(b"done\n", LONG)
        reader.join(LONG / 1000)
    assert not reader.is_alive()


@pytest.mark.difference(ADDITION)
def test_pending_on_a_closed_socket_raises_value_error(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"one\ntwo\n", LONG)
    b.readline(timeout=LONG)
    b.close()
    with pytest.raises(ValueError, match="I/O operation on closed socket"):
        b.pending()


@pytest.mark.difference(ADDITION)
def test_pending_on_an_uninitialised_socket_raises_value_error(io: Any) -> None:
    with pytest.raises(ValueError):
        io.Socket.__new__(io.Socket).pending()


@pytest.mark.difference(ADDITION)
def test_pending_takes_no_arguments(local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        b.pending(0)
