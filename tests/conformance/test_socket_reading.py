"""Reading: recv, read, readline, readlines, iteration, the read-ahead buffer, makefile.

Spec: nss-io.md §7.6, §7.8, §9.21-24; docs/differences.md "Reading and writing".
Most tests use ``Socket.new_tcp_pair()`` (the ``local_pair`` fixture).
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any, Callable, List

import pytest
from conftest import LONG, SHORT


def _send_later(sock: Any, data: bytes, delay: float = 0.1) -> threading.Thread:
    """Send ``data`` on ``sock`` from a thread after ``delay`` seconds."""

    def run() -> None:
        time.sleep(delay)
        sock.send(data, LONG)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _wait_readable(io: Any, sock: Any) -> None:
    assert io.Socket.poll([(sock, io.PR_POLL_READ)], LONG) == (io.PR_POLL_READ,)


# --------------------------------------------------------------------------
# readline


def test_readline_size_limit_then_rest(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abcdef\n")
    assert b.readline(3) == b"abc"
    assert b.readline(0) == b"def\n"


def test_readline_size_larger_than_line(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"xy\nz")
    assert b.readline(10) == b"xy\n"
    assert b.readline(1) == b"z"


def test_readline_tail_at_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"tail")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readline() == b"tail"
    assert b.readline() == b""
    assert b.readline() == b""


def test_readline_at_eof_returns_empty(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.close()
    assert b.readline() == b""


def test_readline_returns_bytes(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"line\n")
    line = b.readline()
    assert type(line) is bytes
    assert line == b"line\n"


def test_readline_keeps_crlf_and_nul(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\r\n\x00y\n")
    assert b.readline() == b"x\r\n"
    assert b.readline() == b"\x00y\n"


def test_readline_several_lines_in_one_packet(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"1\n22\n333\n")
    assert [b.readline() for _ in range(3)] == [b"1\n", b"22\n", b"333\n"]


def test_readline_negative_size_is_unlimited(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"unlimited line\n")
    assert b.readline(-1) == b"unlimited line\n"


def test_readline_size_keyword(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"kw\n")
    assert b.readline(size=1) == b"k"
    assert b.readline(size=0) == b"w\n"


def test_readline_waits_for_newline_across_sends(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"ab")
    thread = _send_later(a, b"c\n")
    assert b.readline() == b"abc\n"
    thread.join(LONG / 1000)


def test_readline_long_line(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    line = b"x" * 5000 + b"\n"
    a.send(line + b"next\n")
    assert b.readline() == line
    assert b.readline() == b"next\n"


def test_readline_size_limit_on_long_line(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"y" * 3000 + b"\n")
    assert b.readline(2048) == b"y" * 2048
    assert b.readline() == b"y" * 952 + b"\n"


@pytest.mark.parametrize("size", ["1", 1.0, None])
def test_readline_size_not_int_raises_typeerror(
    io: Any, local_pair: Any, size: Any
) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        b.readline(size)


def test_readline_timeout_is_not_positional(io: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        b.readline(5, SHORT)


def test_readline_size_limit_across_receives(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abc")
    thread = _send_later(a, b"defg\n")
    assert b.readline(5) == b"abcde"
    assert b.readline() == b"fg\n"
    thread.join(LONG / 1000)


def test_readline_size_limits_cut_a_partial_line(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abcdefgh")
    _wait_readable(io, b)
    assert b.readline(3) == b"abc"
    assert b.readline(3) == b"def"
    a.send(b"\n")
    assert b.readline() == b"gh\n"


def test_readline_size_limit_then_tail_at_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abcdef")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readline(4) == b"abcd"
    assert b.readline() == b"ef"
    assert b.readline() == b""


def test_readline_line_over_many_receives(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    pieces = [bytes([65 + i % 26]) * 1000 for i in range(70)]  # 70 000 bytes

    def send() -> None:
        for piece in pieces:
            a.send(piece, LONG)
            time.sleep(0.001)
        a.send(b"\nafter\n", LONG)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    assert b.readline() == b"".join(pieces) + b"\n"
    assert b.readline() == b"after\n"
    thread.join(LONG / 1000)


def test_readline_every_line_whole_over_random_chunks(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    rng = random.Random(5)
    lines = [
        b"%d:%s\n" % (i, b"x" * rng.choice((0, 1, 7, 80, 3000, 70000)))
        for i in range(300)
    ]
    stream = b"".join(lines) + b"unterminated"

    def send() -> None:
        position = 0
        while position < len(stream):
            step = rng.randint(1, 9000)
            a.send(stream[position : position + step], LONG)
            position += step
        a.shutdown(io.PR_SHUTDOWN_SEND)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    got = [b.readline() for _ in range(len(lines) + 2)]
    thread.join(LONG / 1000)
    assert got == [*lines, b"unterminated", b""]


# --------------------------------------------------------------------------
# recv / read(n) and the read-ahead buffer


def test_recv_serves_buffer_when_enough(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\nyz")
    assert b.readline() == b"x\n"
    assert b.recv(1, SHORT) == b"y"
    assert b.recv(1, SHORT) == b"z"


def test_read_n_serves_buffer_when_enough(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"q\nrest")
    assert b.readline() == b"q\n"
    assert b.read(2) == b"re"


def test_recv_zero_with_buffered_data_returns_empty(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"q\nrest")
    assert b.readline() == b"q\n"
    assert b.recv(0, SHORT) == b""
    assert b.recv(4, SHORT) == b"rest"


def test_buffered_bytes_come_before_new_bytes(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\nyz")
    assert b.readline() == b"x\n"
    a.send(b"more")
    _wait_readable(io, b)
    got = b""
    while len(got) < 6:
        chunk = b.recv(100, LONG)
        assert chunk
        got += chunk
    assert got == b"yzmore"


def test_read_n_returns_what_one_recv_gives(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"12345678")
    _wait_readable(io, b)
    assert b.read(3) == b"123"
    assert b.read(10) == b"45678"


def test_read_size_keyword(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"kw")
    assert b.read(size=2) == b"kw"


def test_read_returns_bytes(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abc")
    data = b.read(3)
    assert type(data) is bytes
    assert data == b"abc"


def test_read_n_at_eof_returns_empty(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.read(10) == b""


@pytest.mark.parametrize("size", ["1", 1.0, None])
def test_read_size_not_int_raises_typeerror(
    io: Any, local_pair: Any, size: Any
) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        b.read(size)


@pytest.mark.difference(
    "recv() returns buffered bytes at once instead of blocking and losing them"
)
def test_recv_returns_buffered_bytes_without_waiting(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\nyz")
    assert b.readline() == b"x\n"
    start = time.monotonic()
    assert b.recv(100, SHORT) == b"yz"
    assert time.monotonic() - start < 0.2


@pytest.mark.difference(
    "read(n) returns buffered bytes at once (python-nss blocks for ever)",
    crashes=True,
)
def test_read_n_returns_buffered_bytes_without_waiting(
    io: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"x\nyz")
    assert b.readline() == b"x\n"
    assert b.read(100) == b"yz"


@pytest.mark.difference("buffered bytes survive a recv() that would time out")
def test_buffered_bytes_never_lost(io: Any, error: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\nyz")
    assert b.readline() == b"x\n"
    # python-nss raises PR_IO_TIMEOUT_ERROR here and drops b'yz'.
    assert b.recv(100, SHORT) == b"yz"
    with pytest.raises(error.NSPRError) as info:
        b.recv(100, SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR


@pytest.mark.difference("recv(n) returns at most n of the buffered bytes")
def test_recv_buffered_then_new(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\nabcdef")
    assert b.readline() == b"x\n"
    assert b.recv(4, SHORT) == b"abcd"
    assert b.recv(100, SHORT) == b"ef"


@pytest.mark.difference("recv(n) returns at most n of the buffered bytes")
def test_recv_returns_buffered_lines_and_partial_line_in_order(
    io: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"l1\nl2\npart")
    _wait_readable(io, b)
    assert b.readline() == b"l1\n"
    assert b.recv(4, SHORT) == b"l2\np"
    assert b.recv(100, SHORT) == b"art"


@pytest.mark.difference(
    "recv(), read(n) and readline() share one buffer, in stream order",
    crashes=True,
)
def test_interleaved_reads_keep_stream_order(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    rng = random.Random(11)
    stream = b"".join(
        b"%d%s\n" % (i, b"-" * rng.choice((0, 3, 50, 900))) for i in range(400)
    )

    def send() -> None:
        position = 0
        while position < len(stream):
            step = rng.randint(1, 4000)
            a.send(stream[position : position + step], LONG)
            position += step
        a.shutdown(io.PR_SHUTDOWN_SEND)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    got: List[bytes] = []
    calls: List[Callable[[], bytes]] = [
        lambda: b.readline(),
        lambda: b.readline(rng.randint(1, 40)),
        lambda: b.recv(rng.randint(1, 700), LONG),
        lambda: b.read(rng.randint(1, 700)),
    ]
    while True:
        piece = rng.choice(calls)()
        if not piece:
            break
        got.append(piece)
    thread.join(LONG / 1000)
    assert b"".join(got) == stream


@pytest.mark.difference("readline(timeout=) keeps the partial line on timeout")
def test_partial_line_after_timeouts_comes_back_whole_to_read(
    io: Any, error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"x\nab")
    assert b.readline(timeout=LONG) == b"x\n"
    for more in (b"c", b"d"):
        with pytest.raises(error.NSPRError) as info:
            b.readline(timeout=SHORT)
        assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
        a.send(more)
        _wait_readable(io, b)
    a.send(b"e\nrest")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.read() == b"abcde\nrest"


@pytest.mark.difference("readline(timeout=) keeps the partial line on timeout")
def test_partial_line_after_timeout_cut_by_size_limit(
    io: Any, error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"abcdef")
    with pytest.raises(error.NSPRError):
        b.readline(timeout=SHORT)
    assert b.readline(4, timeout=LONG) == b"abcd"
    a.send(b"g\n")
    assert b.readline(timeout=LONG) == b"efg\n"


@pytest.mark.difference("readlines() has no trailing empty line")
def test_readlines_sizehint_leaves_the_partial_line(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"l1\nl2\npar")
    _wait_readable(io, b)
    assert b.readlines(3) == [b"l1\n"]
    assert b.readline() == b"l2\n"
    a.send(b"t\n")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readlines() == [b"part\n"]


# --------------------------------------------------------------------------
# read() to EOF


def test_read_to_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abc\ndef")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.read() == b"abc\ndef"


def test_read_after_readline_returns_buffered_first(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abc\ndef")
    assert b.readline() == b"abc\n"
    a.send(b"gh")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.read() == b"defgh"


def test_read_at_eof_returns_empty(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.read() == b""
    assert b.read() == b""


@pytest.mark.parametrize("size", [-1, -5])
def test_read_negative_size_reads_to_eof(io: Any, local_pair: Any, size: int) -> None:
    a, b = local_pair
    a.send(b"zz")
    a.close()
    assert b.read(size) == b"zz"


def test_read_large_payload_to_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    data = bytes(range(256)) * 4000  # 1 024 000 bytes

    def write() -> None:
        a.send(data, LONG)
        a.shutdown(io.PR_SHUTDOWN_SEND)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    assert b.read() == data
    thread.join(LONG / 1000)
    assert not thread.is_alive()


def test_read_waits_for_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"first ")

    def finish() -> None:
        time.sleep(0.1)
        a.send(b"second", LONG)
        a.shutdown(io.PR_SHUTDOWN_SEND)

    thread = threading.Thread(target=finish, daemon=True)
    thread.start()
    assert b.read() == b"first second"
    thread.join(LONG / 1000)


# --------------------------------------------------------------------------
# readlines / iteration


def test_readlines_sizehint_stops_after_whole_lines(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"l1\nl2\nl3\nl4\n")
    assert b.readline() == b"l1\n"
    assert b.readlines(4) == [b"l2\n", b"l3\n"]
    assert b.readline() == b"l4\n"


def test_readlines_sizehint_does_not_cut_lines(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"a long line\nnext\n")
    assert b.readlines(1) == [b"a long line\n"]
    assert b.readline() == b"next\n"


def test_readlines_sizehint_keyword(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"k\nk\n")
    assert b.readlines(sizehint=1) == [b"k\n"]


def test_readlines_returns_list_of_bytes(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\ny\n")
    lines = b.readlines(3)
    assert type(lines) is list
    assert all(type(line) is bytes for line in lines)


@pytest.mark.difference("readlines() has no trailing empty line")
def test_readlines_to_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"x\ny\n")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readlines() == [b"x\n", b"y\n"]


@pytest.mark.difference("readlines() has no trailing empty line")
def test_readlines_partial_last_line(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"1\n2")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readlines() == [b"1\n", b"2"]


@pytest.mark.difference("readlines() at EOF is an empty list")
def test_readlines_at_eof_is_empty_list(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readlines() == []


def test_iteration_yields_lines_until_eof(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"a\nb\n\nc")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert list(b) == [b"a\n", b"b\n", b"\n", b"c"]
    assert list(b) == []


def test_next_at_eof_raises_stopiteration(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.shutdown(io.PR_SHUTDOWN_SEND)
    with pytest.raises(StopIteration):
        next(b)


def test_for_loop_over_socket(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"one\ntwo\n")
    a.close()
    lines: List[bytes] = []
    for line in b:
        lines.append(line)
    assert lines == [b"one\n", b"two\n"]


def test_iteration_shares_buffer_with_recv(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"one\ntwo")
    assert next(b) == b"one\n"
    assert b.recv(3, SHORT) == b"two"


# --------------------------------------------------------------------------
# keyword-only timeout= (DIFFERENCE §9.23)


@pytest.mark.difference("readline() takes a keyword-only timeout=")
def test_readline_timeout_keyword(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"ping\n")
    assert b.readline(timeout=LONG) == b"ping\n"


@pytest.mark.difference("readline(timeout=) raises PR_IO_TIMEOUT_ERROR")
def test_readline_timeout_expires(io: Any, error: Any, local_pair: Any) -> None:
    _a, b = local_pair
    start = time.monotonic()
    with pytest.raises(error.NSPRError) as info:
        b.readline(timeout=SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    assert time.monotonic() - start < 5


@pytest.mark.difference("readline(timeout=) keeps the partial line on timeout")
def test_readline_timeout_keeps_partial_line(
    io: Any, error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"abc")
    with pytest.raises(error.NSPRError) as info:
        b.readline(timeout=SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    a.send(b"def\n")
    assert b.readline(timeout=LONG) == b"abcdef\n"


@pytest.mark.difference("readline(timeout=) keeps the partial line for recv()")
def test_readline_timeout_then_recv_gets_partial(
    io: Any, error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"x\nyz")
    assert b.readline(timeout=LONG) == b"x\n"
    with pytest.raises(error.NSPRError):
        b.readline(timeout=SHORT)
    assert b.recv(100, SHORT) == b"yz"


@pytest.mark.difference("readline(size, timeout=) with both arguments")
def test_readline_size_and_timeout(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abcdef\n")
    assert b.readline(3, timeout=LONG) == b"abc"


@pytest.mark.difference("readlines() takes a keyword-only timeout=")
def test_readlines_timeout_keyword(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"1\n2\n")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readlines(timeout=LONG) == [b"1\n", b"2\n"]


@pytest.mark.difference("readlines(timeout=) raises PR_IO_TIMEOUT_ERROR, keeps bytes")
def test_readlines_timeout_expires_keeps_bytes(
    io: Any, error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"partial")
    with pytest.raises(error.NSPRError) as info:
        b.readlines(timeout=SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    a.send(b"\n")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.readlines(timeout=LONG) == [b"partial\n"]


@pytest.mark.difference("read() takes a keyword-only timeout=")
def test_read_timeout_keyword(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"all")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.read(timeout=LONG) == b"all"


@pytest.mark.difference("read(timeout=) raises PR_IO_TIMEOUT_ERROR, keeps bytes")
def test_read_timeout_expires_keeps_bytes(io: Any, error: Any, local_pair: Any) -> None:
    a, b = local_pair
    a.send(b"abc")
    with pytest.raises(error.NSPRError) as info:
        b.read(timeout=SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR
    a.send(b"def")
    a.shutdown(io.PR_SHUTDOWN_SEND)
    assert b.read(timeout=LONG) == b"abcdef"


@pytest.mark.difference("read(n, timeout=) with both arguments")
def test_read_n_timeout_keyword(io: Any, error: Any, local_pair: Any) -> None:
    _a, b = local_pair
    with pytest.raises(error.NSPRError) as info:
        b.read(5, timeout=SHORT)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR


# --------------------------------------------------------------------------
# makefile (DIFFERENCE §9.24: a real file object)


@pytest.mark.parametrize("args", [(1,), ("rb", "x"), ("rb", 1.0), (None,)])
def test_makefile_argument_types(io: Any, local_pair: Any, args: Any) -> None:
    _a, b = local_pair
    with pytest.raises(TypeError):
        b.makefile(*args)


def test_makefile_keeps_descriptor_open_after_close(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    b.close()
    a.send(b"still open\n")
    assert f.readline() == b"still open\n"
    f.close()


@pytest.mark.difference("makefile('rb') returns a binary file object")
def test_makefile_rb_readline(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    try:
        assert f is not b
        a.send(b"one\ntwo\n")
        a.shutdown(io.PR_SHUTDOWN_SEND)
        assert f.readline() == b"one\n"
        assert f.read() == b"two\n"
        assert f.read() == b""
    finally:
        if f is not b:
            f.close()


@pytest.mark.difference("makefile('rb') file reads exactly n bytes like a file")
def test_makefile_rb_read_n_is_exact(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    try:
        assert f is not b
        a.send(b"abc")
        thread = _send_later(a, b"defgh")
        assert f.read(6) == b"abcdef"
        thread.join(LONG / 1000)
    finally:
        if f is not b:
            f.close()


@pytest.mark.difference("makefile('rb') file iterates over lines")
def test_makefile_rb_iteration(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    try:
        assert f is not b
        a.send(b"x\ny\n")
        a.shutdown(io.PR_SHUTDOWN_SEND)
        assert list(f) == [b"x\n", b"y\n"]
    finally:
        if f is not b:
            f.close()


@pytest.mark.difference("makefile('wb') returns a writable file object")
def test_makefile_wb_write_flush(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = a.makefile("wb")
    try:
        assert f is not a
        f.write(b"data")
        f.flush()
        assert b.recv(100, LONG) == b"data"
    finally:
        if f is not a:
            f.close()


@pytest.mark.difference("makefile('r') returns a text file object")
def test_makefile_text_mode_returns_str(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("r")
    try:
        assert f is not b
        a.send(b"text\n")
        line = f.readline()
        assert type(line) is str
        assert line == "text\n"
    finally:
        if f is not b:
            f.close()


@pytest.mark.difference("makefile('w') writes str as bytes")
def test_makefile_text_write(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = a.makefile("w")
    try:
        assert f is not a
        f.write("hello\n")
        f.flush()
        assert b.recv(100, LONG) == b"hello\n"
    finally:
        if f is not a:
            f.close()


@pytest.mark.difference("makefile() defaults to text mode 'r', as open()")
def test_makefile_default_mode_is_text_read(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile()
    try:
        assert f is not b
        a.send(b"default\n")
        assert f.readline() == "default\n"
    finally:
        if f is not b:
            f.close()


@pytest.mark.difference("makefile('rb', buffersize) honours the buffer size")
def test_makefile_with_buffersize(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb", 1024)
    try:
        assert f is not b
        a.send(b"buffered\n")
        assert f.readline() == b"buffered\n"
    finally:
        if f is not b:
            f.close()


@pytest.mark.difference("makefile('rb', 0) is an unbuffered binary file")
def test_makefile_unbuffered(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb", 0)
    try:
        assert f is not b
        a.send(b"raw")
        assert f.read(3) == b"raw"
    finally:
        if f is not b:
            f.close()


@pytest.mark.difference("a makefile() file keeps working after the socket's close()")
def test_makefile_file_works_after_socket_close(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("wb")
    try:
        assert f is not b
        b.close()
        f.write(b"after close")
        f.flush()
        assert a.recv(100, LONG) == b"after close"
    finally:
        if f is not b:
            f.close()


# --------------------------------------------------------------------------
# makefile() files after the socket's close(): the file keeps the connection,
# and its reads and writes wait for the peer as before (http.client closes the
# socket and then reads the body through the file)


def _later(delay: float, *calls: Callable[[], Any]) -> threading.Thread:
    """Make ``calls`` in order from a thread after ``delay`` seconds."""

    def run() -> None:
        time.sleep(delay)
        for call in calls:
            call()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_makefile_readline_waits_after_close(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    b.close()
    sender = _later(0.2, lambda: a.send(b"x\n", LONG))
    try:
        assert f.readline() == b"x\n"
    finally:
        f.close()
    sender.join(LONG / 1000)


def test_makefile_read_n_waits_after_close(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    b.close()
    sender = _later(0.2, lambda: a.send(b"abc", LONG))
    try:
        assert f.read(3) == b"abc"
    finally:
        f.close()
    sender.join(LONG / 1000)


def test_makefile_read_to_eof_waits_after_close(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    b.close()
    sender = _later(
        0.2,
        lambda: a.send(b"the whole body", LONG),
        lambda: a.shutdown(io.PR_SHUTDOWN_SEND),
    )
    try:
        assert f.read() == b"the whole body"
    finally:
        f.close()
    sender.join(LONG / 1000)


def test_makefile_reads_bytes_readline_buffered_before_close(
    io: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"one\ntwo\n")
    assert b.readline() == b"one\n"  # "two\n" stays in the read-ahead buffer
    f = b.makefile("rb")
    b.close()
    try:
        assert f.read(4) == b"two\n"
    finally:
        f.close()


@pytest.mark.difference("readline(timeout=) keeps the partial line on timeout")
def test_makefile_reads_the_partial_line_a_readline_timeout_kept(
    io: Any, error: Any, local_pair: Any
) -> None:
    a, b = local_pair
    a.send(b"x\nhalf")
    assert b.readline(timeout=LONG) == b"x\n"
    with pytest.raises(error.NSPRError):
        b.readline(timeout=SHORT)
    f = b.makefile("rb")
    try:
        a.send(b" line\nnext\n")
        assert f.readline() == b"half line\n"
        assert f.readline() == b"next\n"
    finally:
        f.close()


@pytest.mark.difference("makefile('wb') returns a writable file object")
def test_makefile_write_waits_after_close(io: Any, local_pair: Any) -> None:
    a, b = local_pair
    payload = bytes(range(256)) * (4 * 4096)  # 4 MiB: more than the buffers hold
    received: List[bytes] = []

    def drain() -> None:
        total = 0
        while total < len(payload):
            chunk = b.recv(1 << 16, LONG)
            if not chunk:
                return
            received.append(chunk)
            total += len(chunk)

    f = a.makefile("wb")
    try:
        a.close()
        reader = _later(0.2, drain)  # the write waits until the peer reads
        f.write(payload)
        f.flush()
    finally:
        f.close()
    reader.join(LONG / 1000)
    assert b"".join(received) == payload


@pytest.mark.difference(
    "after close() the socket's own methods refuse even while a makefile() file "
    "is open (python-nss ignores close() while makefile() has raised its counter)"
)
def test_socket_methods_refuse_after_close_with_file_open(
    io: Any, local_pair: Any
) -> None:
    a, b = local_pair
    f = b.makefile("rb")
    try:
        b.close()
        a.send(b"for the file\n")
        with pytest.raises(ValueError, match=r"^I/O operation on closed socket$"):
            b.recv(100, LONG)
        assert f.readline() == b"for the file\n"
    finally:
        f.close()
