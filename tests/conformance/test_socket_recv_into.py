"""``Socket.recv_into()``: receiving into the caller's buffer (an addition).

python-nss has no ``recv_into()``: every test here is a deliberate difference
(docs/differences.md, "Additions"). Its arguments follow
``socket.socket.recv_into``; its blocking, timeouts and errors follow recv().
"""

from __future__ import annotations

import array
import threading
import time
from typing import Any, List

import pytest
from conftest import LONG, SHORT

ADDITION = "Socket.recv_into() is an addition"


@pytest.mark.difference(ADDITION)
def test_recv_into_fills_a_bytearray_and_returns_the_count(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"hello", LONG)
    buffer = bytearray(16)
    count = b.recv_into(buffer, 0, LONG)
    assert count == 5
    assert buffer[:5] == b"hello"
    assert buffer[5:] == bytes(11)  # untouched


@pytest.mark.difference(ADDITION)
def test_recv_into_takes_at_most_nbytes(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abcdef", LONG)
    buffer = bytearray(b"......")
    assert b.recv_into(buffer, 2, LONG) == 2
    assert buffer == b"ab...."
    assert b.recv(10, LONG) == b"cdef"


@pytest.mark.difference(ADDITION)
def test_recv_into_writes_through_a_memoryview_slice(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"xyz", LONG)
    buffer = bytearray(8)
    assert b.recv_into(memoryview(buffer)[4:], timeout=LONG) == 3
    assert buffer == b"\0\0\0\0xyz\0"


@pytest.mark.difference(ADDITION)
def test_recv_into_counts_bytes_in_an_array_of_wider_items(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"\x01\x02\x03\x04", LONG)
    target = array.array("H", [0, 0, 0])
    count = b.recv_into(target, timeout=LONG)
    assert 1 <= count <= 4  # bytes, not items
    assert target.tobytes()[:count] == b"\x01\x02\x03\x04"[:count]


@pytest.mark.difference(ADDITION)
def test_recv_into_returns_zero_at_eof(local_pair: Any) -> None:
    a, b = local_pair
    a.close()
    assert b.recv_into(bytearray(4), timeout=LONG) == 0


@pytest.mark.difference(ADDITION)
def test_recv_into_an_empty_buffer_returns_zero_at_once(local_pair: Any) -> None:
    _a, b = local_pair
    assert b.recv_into(bytearray(), timeout=LONG) == 0


@pytest.mark.difference(ADDITION)
def test_recv_into_gives_buffered_bytes_first(local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"line\nrest", LONG)
    assert b.readline(timeout=LONG) == b"line\n"
    buffer = bytearray(10)
    count = b.recv_into(buffer, timeout=LONG)
    assert buffer[:count] == b"rest"[:count]
    assert count >= 1


@pytest.mark.difference(ADDITION)
def test_recv_into_times_out_as_recv_does(io: Any, error: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(error.NSPRError) as info:
        b.recv_into(bytearray(4), 0, SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR


@pytest.mark.difference(ADDITION)
def test_recv_into_would_block_in_nonblocking_mode(
    io: Any, error: Any, local_pair: Any
) -> None:
    _a, b = local_pair
    b.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    with pytest.raises(error.NSPRError) as info:
        b.recv_into(bytearray(4))
    assert info.value.errno == error.PR_WOULD_BLOCK_ERROR


@pytest.mark.difference(ADDITION)
def test_recv_into_waits_for_data(local_pair: Any) -> None:
    a, b = local_pair
    sender = threading.Timer(0.05, lambda: a.send(b"late", LONG))
    sender.start()
    try:
        buffer = bytearray(4)
        assert b.recv_into(buffer, timeout=LONG) == 4
        assert buffer == b"late"
    finally:
        sender.join(LONG / 1000)


@pytest.mark.difference(ADDITION)
@pytest.mark.parametrize("buffer", [b"read-only", memoryview(b"read-only"), "text"])
def test_recv_into_refuses_what_it_cannot_write(local_pair: Any, buffer: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        b.recv_into(buffer, timeout=SHORT)


@pytest.mark.difference(ADDITION)
def test_recv_into_refuses_a_negative_nbytes(local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(ValueError, match="negative buffersize"):
        b.recv_into(bytearray(4), -1, SHORT)


@pytest.mark.difference(ADDITION)
def test_recv_into_refuses_nbytes_beyond_the_buffer(local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(ValueError, match="buffer too small"):
        b.recv_into(bytearray(4), 5, SHORT)


@pytest.mark.difference(ADDITION)
def test_recv_into_on_a_closed_socket_raises_value_error(local_pair: Any) -> None:
    _a, b = local_pair
    b.close()
    with pytest.raises(ValueError, match="closed socket"):
        b.recv_into(bytearray(4), timeout=SHORT)


@pytest.mark.difference(ADDITION)
def test_recv_into_releases_the_buffer_for_resizing(
    error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"ab", LONG)
    buffer = bytearray(4)
    b.recv_into(buffer, timeout=LONG)
    buffer.extend(b"more")  # BufferError if a view of it were still held
    with pytest.raises(error.NSPRError):
        b.recv_into(buffer, 0, SHORT)  # nothing queued: the timeout
    buffer.extend(b"again")
    assert len(buffer) == 13


@pytest.mark.difference(ADDITION)
def test_recv_into_is_woken_by_close_from_another_thread(local_pair: Any) -> None:
    _a, b = local_pair
    outcome: List[BaseException] = []

    def receive() -> None:
        try:
            b.recv_into(bytearray(4), timeout=LONG)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    time.sleep(0.05)
    b.close()
    thread.join(LONG / 1000)
    assert not thread.is_alive()
    assert outcome and isinstance(outcome[0], ValueError)
