"""Event loops driving a Socket through ``fileno()``, with ``pending()``.

``readline()`` takes whatever the system has queued, so it may keep several
lines in the socket object; the descriptor is then not readable though lines
wait. A loop that drains ``pending()`` before it waits again gets every line
(docs/usage.md, "Event loops"). Every wait is bounded: a loop that stalls
fails at its bound instead of hanging.

python-nss has no ``pending()``: these tests do not run on the oracle.
"""

from __future__ import annotations

import asyncio
import select
import selectors
from typing import Any, Callable, List

import pytest
from conftest import LONG, ORACLE

LINES = [b"one\n", b"two\n", b"three\n"]
# Bounds: a select or asyncio wait, in seconds, and the turns of a loop.
WAIT_SECONDS = LONG / 1000
MAX_TURNS = 20


@pytest.fixture(autouse=True)
def _not_on_python_nss(target: str) -> None:
    if target == ORACLE:
        pytest.skip("python-nss has no Socket.pending()")


@pytest.fixture(params=["tcp_pair", "local_pair"])
def pair(request: pytest.FixtureRequest) -> Any:
    """``(writer, reader)``: a TCP loopback pair, or ``Socket.new_tcp_pair()``."""
    return request.getfixturevalue(request.param)


def drain_lines(error: Any, sock: Any, handle_line: Callable[[bytes], None]) -> bool:
    """Pass on every whole line the socket holds; False at EOF.

    The loop of docs/usage.md: read until nothing is buffered; in
    non-blocking mode a partial line stays buffered until more comes.
    """
    while True:
        try:
            line = sock.readline(timeout=LONG)
        except error.NSPRError as exc:
            if exc.errno != error.PR_WOULD_BLOCK_ERROR:
                raise
            return True
        if not line:
            return False
        handle_line(line)
        if not sock.pending():
            return True


def readable_within(fd: int, seconds: float) -> bool:
    """Whether the OS reports ``fd`` readable within ``seconds`` (a poll,
    so any descriptor number works)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(seconds * 1000))


def select_lines(error: Any, sock: Any, lines: List[bytes], wanted: int) -> None:
    """Run a selector loop on ``sock`` until ``lines`` has ``wanted`` lines
    or EOF; fail if a wait for the descriptor expires."""
    with selectors.DefaultSelector() as selector:
        selector.register(sock.fileno(), selectors.EVENT_READ)
        for _turn in range(MAX_TURNS):
            if len(lines) >= wanted:
                return
            events = selector.select(timeout=WAIT_SECONDS)
            assert events, "stalled with %d bytes buffered" % sock.pending()
            if not drain_lines(error, sock, lines.append):
                return
    pytest.fail("no end after %d turns: %r" % (MAX_TURNS, lines))


# --- why pending() -----------------------------------------------------------------


def test_descriptor_is_not_readable_while_a_line_is_buffered(
    io: Any, pair: Any
) -> None:
    writer, reader = pair
    writer.send(b"one\ntwo\n", LONG)
    assert readable_within(reader.fileno(), WAIT_SECONDS)
    assert reader.readline(timeout=LONG) == b"one\n"
    assert not readable_within(reader.fileno(), 0)
    assert reader.pending() == len(b"two\n")


# --- selectors ----------------------------------------------------------------------


@pytest.mark.parametrize("nonblocking", [True, False], ids=["nonblocking", "blocking"])
def test_selector_loop_gets_every_line_of_one_send(
    io: Any, error: Any, pair: Any, nonblocking: bool
) -> None:
    writer, reader = pair
    reader.set_socket_option(io.PR_SockOpt_Nonblocking, nonblocking)
    writer.send(b"".join(LINES), LONG)  # the writer then stays silent
    lines: List[bytes] = []
    select_lines(error, reader, lines, len(LINES))
    assert lines == LINES


def test_selector_loop_waits_for_the_rest_of_a_partial_line(
    io: Any, error: Any, pair: Any
) -> None:
    writer, reader = pair
    reader.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    writer.send(b"one\ntwo\nthr", LONG)
    lines: List[bytes] = []
    select_lines(error, reader, lines, 2)
    assert lines == [b"one\n", b"two\n"]
    assert reader.pending() == len(b"thr")
    writer.send(b"ee\nfour\n", LONG)
    writer.shutdown(io.PR_SHUTDOWN_SEND)
    select_lines(error, reader, lines, MAX_TURNS)
    assert lines == [*LINES, b"four\n"]


# --- asyncio ------------------------------------------------------------------------


async def _reader_lines(error: Any, sock: Any, wanted: int) -> List[bytes]:
    """Collect lines with ``loop.add_reader(sock.fileno(), ...)`` until there
    are ``wanted`` of them or EOF, within WAIT_SECONDS."""
    loop = asyncio.get_running_loop()
    lines: List[bytes] = []
    done: asyncio.Future[None] = loop.create_future()

    def on_readable() -> None:
        if done.done():
            return
        try:
            still_open = drain_lines(error, sock, lines.append)
        except Exception as exc:
            done.set_exception(exc)
            return
        if len(lines) >= wanted or not still_open:
            done.set_result(None)

    fd = sock.fileno()
    loop.add_reader(fd, on_readable)
    try:
        await asyncio.wait_for(done, WAIT_SECONDS)
    finally:
        loop.remove_reader(fd)
    return lines


def test_asyncio_reader_gets_every_line_of_one_send(
    io: Any, error: Any, pair: Any
) -> None:
    writer, reader = pair
    reader.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    writer.send(b"".join(LINES), LONG)  # the writer then stays silent
    assert asyncio.run(_reader_lines(error, reader, len(LINES))) == LINES


def test_asyncio_reader_waits_for_the_rest_of_a_partial_line(
    io: Any, error: Any, pair: Any
) -> None:
    writer, reader = pair
    reader.set_socket_option(io.PR_SockOpt_Nonblocking, True)

    async def main() -> List[bytes]:
        writer.send(b"one\ntwo\nthr", LONG)
        first = await _reader_lines(error, reader, 2)
        assert reader.pending() == len(b"thr")
        writer.send(b"ee\nfour\n", LONG)
        writer.shutdown(io.PR_SHUTDOWN_SEND)
        return first + await _reader_lines(error, reader, MAX_TURNS)

    assert asyncio.run(main()) == [*LINES, b"four\n"]
