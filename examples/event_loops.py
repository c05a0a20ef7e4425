"""Driving sockets from ``selectors`` and from asyncio's ``loop.add_reader()``.

Shows ``Socket.fileno()`` handed to an event loop, and ``Socket.pending()``:
``readline()`` takes whatever the system has queued, so several lines may
wait inside the socket object while its descriptor is no longer readable.
The loop must drain the lines ``pending()`` counts before it waits again
(docs/usage.md, "Event loops"); in non-blocking mode a partial line stays
buffered (``PR_WOULD_BLOCK_ERROR``) until the rest arrives. Run it::

    python examples/event_loops.py
    NSPR_CTYPES_BACKEND=stdlib python examples/event_loops.py
"""

from __future__ import annotations

import asyncio
import selectors
import sys
from typing import Callable, List

import nspr_ctypes
from nspr_ctypes import error, io

# The writer sends these in one go, the last line in two parts.
LINES = [b"one\n", b"two\n", b"three\n", b"four\n"]
WAIT_SECONDS = 10  # the longest wait for the descriptor
MAX_TURNS = 20  # the most times a loop waits before giving up


def drain_lines(sock: io.Socket, handle_line: Callable[[bytes], None]) -> bool:
    """Pass every whole line ``sock`` holds to ``handle_line``, until nothing
    is buffered; return False at EOF. ``sock`` is in non-blocking mode."""
    while True:
        try:
            line = sock.readline()
        except error.NSPRError as exc:
            if exc.errno != error.PR_WOULD_BLOCK_ERROR:
                raise
            return True  # a partial line: wait for the rest
        if not line:
            return False  # EOF
        handle_line(line)
        if not sock.pending():
            return True  # nothing buffered: the descriptor tells the truth again


def with_selectors(writer: io.Socket, reader: io.Socket) -> List[bytes]:
    """Read every line of ``reader`` with a selector loop."""
    lines: List[bytes] = []
    reader.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    timeout = io.seconds_to_interval(WAIT_SECONDS)
    writer.sendall(b"".join(LINES)[:-3], timeout)  # 'four' comes in two parts
    with selectors.DefaultSelector() as selector:
        selector.register(reader.fileno(), selectors.EVENT_READ)
        for turn in range(MAX_TURNS):
            if not selector.select(timeout=WAIT_SECONDS):
                raise TimeoutError("no data for %d s" % WAIT_SECONDS)
            if not drain_lines(reader, lines.append):
                return lines
            print(
                "selectors: turn %d: %d lines so far, %d bytes buffered"
                % (turn, len(lines), reader.pending())
            )
            if len(lines) == len(LINES) - 1:  # send the rest, then EOF
                writer.sendall(b"".join(LINES)[-3:], timeout)
                writer.shutdown(io.PR_SHUTDOWN_SEND)
    raise RuntimeError("no EOF after %d turns" % MAX_TURNS)


async def with_asyncio(writer: io.Socket, reader: io.Socket) -> List[bytes]:
    """Read every line of ``reader`` with ``loop.add_reader()``."""
    loop = asyncio.get_running_loop()
    lines: List[bytes] = []
    finished = loop.create_future()

    def on_readable() -> None:  # the same inner loop as with selectors
        if finished.done():
            return
        try:
            if not drain_lines(reader, lines.append):
                finished.set_result(None)
        except Exception as exc:  # hand it to the awaiting coroutine
            finished.set_exception(exc)

    reader.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    loop.add_reader(reader.fileno(), on_readable)
    try:
        timeout = io.seconds_to_interval(WAIT_SECONDS)
        writer.sendall(b"".join(LINES), timeout)  # all lines in one send
        writer.shutdown(io.PR_SHUTDOWN_SEND)
        await asyncio.wait_for(finished, WAIT_SECONDS)
    finally:
        loop.remove_reader(reader.fileno())
    print("asyncio: %d lines, then EOF" % len(lines))
    return lines


def main() -> int:
    print("backend: %s" % nspr_ctypes.get_backend().describe())
    writer, reader = io.Socket.new_tcp_pair()
    with writer, reader:
        selected = with_selectors(writer, reader)
    writer, reader = io.Socket.new_tcp_pair()
    with writer, reader:
        awaited = asyncio.run(with_asyncio(writer, reader))
    if selected != LINES or awaited != LINES:
        print("FAILED: selectors got %r, asyncio got %r" % (selected, awaited))
        return 1
    print("OK: selectors and asyncio each read %d lines" % len(LINES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
