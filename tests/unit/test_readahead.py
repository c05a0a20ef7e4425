"""The read-ahead buffer (nspr_ctypes._readahead) on its own, without sockets.

Its invariant carries the lock-free readline(): ``lines`` holds whole lines
only (it ends with a newline, or is empty), and the bytes after the last
newline wait in ``tail``.
"""

from __future__ import annotations

import random
from typing import List

import pytest

from nspr_ctypes._readahead import NO_LINES, ReadAhead


def _published(ahead: ReadAhead) -> bytes:
    position = ahead.lines.tell()
    rest: bytes = ahead.lines.getvalue()[position:]
    return rest


def _random_pieces(stream: bytes, seed: int) -> List[bytes]:
    rng = random.Random(seed)
    pieces = []
    position = 0
    while position < len(stream):
        step = rng.randint(1, 50)
        pieces.append(stream[position : position + step])
        position += step
    return pieces


STREAM = b"".join(b"%d%s\n" % (i, b"." * (i % 13)) for i in range(200)) + b"end"


@pytest.mark.parametrize("seed", range(5))
def test_lines_hold_whole_lines_only(seed: int) -> None:
    ahead = ReadAhead()
    for piece in _random_pieces(STREAM, seed):
        ahead.feed(piece)
        published = _published(ahead)
        assert published == b"" or published.endswith(b"\n")
        assert b"\n" not in ahead.tail


@pytest.mark.parametrize("seed", range(5))
def test_take_line_returns_every_line_then_nothing(seed: int) -> None:
    ahead = ReadAhead()
    got: List[bytes] = []
    for piece in _random_pieces(STREAM, seed):
        ahead.feed(piece)
        while True:
            line = ahead.take_line(0)
            if not line:
                break
            got.append(line)
    assert b"".join(got) + ahead.take_all() == STREAM
    assert all(line.endswith(b"\n") for line in got)


@pytest.mark.parametrize("seed", range(5))
def test_mixed_takes_keep_stream_order(seed: int) -> None:
    rng = random.Random(seed)
    ahead = ReadAhead()
    got: List[bytes] = []
    for piece in _random_pieces(STREAM, seed + 100):
        ahead.feed(piece)
        kind = rng.randrange(4)
        if kind == 0:
            got.append(ahead.take_line(rng.choice((0, 1, 5))))
        elif kind == 1:
            got.append(ahead.take(rng.randint(1, 30)))
        elif kind == 2:
            view = memoryview(bytearray(rng.randint(1, 30)))
            got.append(bytes(view[: ahead.take_into(view)]))
        else:
            got.append(ahead.lines.readline())  # the lock-free readline()
    assert b"".join(got) + ahead.take_all() == STREAM


def test_take_line_with_size_cuts_the_tail() -> None:
    ahead = ReadAhead()
    ahead.feed(b"abcdefg")
    assert ahead.take_line(3) == b"abc"
    assert ahead.take_line(10) == b""
    ahead.feed(b"h\n")
    assert ahead.take_line(10) == b"defgh\n"


def test_pending_counts_lines_and_tail() -> None:
    ahead = ReadAhead()
    ahead.feed(b"one\ntwo\nthr")
    assert ahead.pending() == 11
    assert ahead.lines.readline() == b"one\n"
    assert ahead.pending() == 7
    assert ahead.take(5) == b"two\nt"
    assert ahead.pending() == 2


def test_drained_lines_are_the_shared_empty_buffer() -> None:
    ahead = ReadAhead()
    ahead.feed(b"x\n")
    assert ahead.lines is not NO_LINES
    assert ahead.take_line(0) == b"x\n"
    assert ahead.take_line(0) == b""
    assert ahead.lines is NO_LINES
    assert NO_LINES.getvalue() == b""


def test_feed_keeps_lines_not_yet_taken_in_front() -> None:
    ahead = ReadAhead()
    ahead.feed(b"a\nb")
    ahead.feed(b"\nc\n")
    assert [ahead.take_line(0) for _ in range(4)] == [b"a\n", b"b\n", b"c\n", b""]
