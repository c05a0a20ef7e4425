"""A socket's read-ahead buffer: bytes received that no call has returned yet.

``readline()`` of a line already received must cost one C call, with no lock:
the buffer keeps its whole lines in an :class:`io.BytesIO` (``lines``), whose
``readline`` is C and atomic under the GIL (it runs no Python code and never
releases the GIL), so threads may take lines from it without the read lock.
``lines`` only ever holds whole lines: the bytes after the last newline
received so far wait in ``tail``, which only the holder of the read lock
touches. A readline that finds ``lines`` empty therefore never takes half a
line: it takes the read lock and reads on (the socket waits, in slices).

Only the read lock's holder changes the buffer, and only by replacing
``lines`` once it is empty (``read()`` empties it in one C call), never by
writing into it: a thread still holding the old object finds it empty and
comes to the lock. So every byte is returned once, and each thread sees
its lines in stream order. No byte read from the socket is ever held by
Python code alone while a call waits: a partial line interrupted by a
timeout, ``close()`` or a signal stays in ``tail`` for the next call.
"""

from __future__ import annotations

import threading
from io import BytesIO

#: An empty, never written ``lines``, shared: it holds no memory for the
#: many sockets whose buffer is drained. A drained ``lines`` is replaced by
#: it under the lock, so ``lines is NO_LINES`` (and an empty tail) says
#: that nothing is buffered, unless lock-free readline() calls drained it.
NO_LINES = BytesIO()


class ReadAhead:
    """The read-ahead buffer of one socket, and the read lock of its users.

    Except :attr:`lines`'s ``readline`` and :meth:`pending`, every method
    needs the lock.
    """

    __slots__ = ("lines", "lock", "tail")

    def __init__(self) -> None:
        #: Whole lines received, read without the lock (``lines.readline``).
        self.lines = NO_LINES
        #: Bytes after the last newline received; lock holders only.
        self.tail = bytearray()
        self.lock = threading.Lock()

    def feed(self, data: bytes) -> None:
        """Add ``data`` at the end of the buffer (received after everything
        in it). Needs the lock."""
        newline = data.rfind(b"\n")
        tail = self.tail
        if newline < 0:
            tail += data
            return
        end = newline + 1
        # data itself when it ends with a newline and nothing waits in tail
        whole = bytes(tail) + data[:end] if tail else data[:end]
        rest = self.lines.read()  # normally empty: taken in one C call
        lines = BytesIO(rest + whole if rest else whole)
        # No call from here on, so no signal handler can raise half way.
        del tail[:]
        tail += data[end:]
        self.lines = lines

    def take_line(self, size: int) -> bytes:
        """The next line if the buffer holds all of it (up to and including a
        newline, or ``size`` bytes when ``size`` > 0); else ``b''``. Needs
        the lock."""
        line: bytes = self.lines.readline(size or -1)
        if line:
            return line
        self.lines = NO_LINES  # drained: let its memory go
        tail = self.tail
        if 0 < size <= len(tail):
            line = bytes(tail[:size])
            del tail[:size]
        return line

    def take(self, amount: int) -> bytes:
        """Up to ``amount`` buffered bytes, ``b''`` when none. Needs the lock."""
        data: bytes = self.lines.read(amount)
        if len(data) < amount:
            self.lines = NO_LINES
            tail = self.tail
            if tail:
                more = bytes(tail[: amount - len(data)])
                del tail[: len(more)]
                data = data + more if data else more
        return data

    def take_into(self, view: memoryview) -> int:
        """Copy up to ``len(view)`` buffered bytes into ``view``; how many.
        Needs the lock."""
        # (read() and a copy: PyPy's BytesIO.readinto refuses the views
        # io.BufferedReader hands its raw file.)
        size = len(view)
        data = self.take(size)
        count = len(data)
        if count:
            view[:count] = data
        return count

    def take_all(self) -> bytes:
        """Every buffered byte (the buffer is empty afterwards). Needs the lock."""
        data: bytes = self.lines.read()
        self.lines = NO_LINES
        tail = self.tail
        if tail:
            data += tail
            del tail[:]  # (not clear(): a call, after which a signal may raise)
        return data

    def pending(self) -> int:
        """How many bytes the buffer holds: a snapshot, without the lock."""
        lines = self.lines
        with lines.getbuffer() as view:
            size = view.nbytes
        return max(0, size - lines.tell()) + len(self.tail)


__all__ = ["NO_LINES", "ReadAhead"]
