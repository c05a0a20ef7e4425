"""Forked children for the program tests: start one, hear from it, reap it.

The children run the server (or forwarder) half of a program, as python-nss's
own client/server test does with ``os.fork()``. Every wait is bounded:

* the child arms ``alarm()`` with the default action, so a child stuck in a
  blocking call (python-nss's ``readline()`` has no timeout) is killed by the
  kernel, which also closes its sockets and so ends the parent's waits on them;
* the parent reads the child's pipe with a ``poll()`` timeout, and reaps the
  child with a ``WNOHANG`` loop that kills that pid if it overstays.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
import traceback
from typing import Callable, Tuple

import conftest

# Seconds a child may live; the parent gives it a little longer before SIGKILL.
CHILD_LIMIT = 30

CHILD_OK = 0
CHILD_RAISED = 1


def fork_child(body: Callable[[int], None]) -> Tuple[int, int]:
    """Run ``body(write_fd)`` in a forked child; ``(pid, read_fd)`` in the parent.

    The child exits with CHILD_OK when ``body`` returns, CHILD_RAISED (after
    printing the traceback) when it raises; it never returns into the caller.
    """
    read_fd, write_fd = os.pipe()
    # Nothing buffered before the fork may be written twice (by both processes).
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        status = CHILD_RAISED
        try:
            os.close(read_fd)
            # The parent's SIGALRM handler (pytest-timeout's) must not catch
            # the child's alarm: the default action ends the child.
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(CHILD_LIMIT)
            body(write_fd)
            status = CHILD_OK
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def send_line(write_fd: int, text: str) -> None:
    """In the child: send one line of text to the parent."""
    data = (text + "\n").encode("ascii")
    while data:
        data = data[os.write(write_fd, data) :]


def read_line(read_fd: int, limit: float = CHILD_LIMIT) -> str:
    """In the parent: the child's next line ('' if the child closed the pipe)."""
    data = b""
    deadline = time.monotonic() + limit
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the child sent no line within %s s" % limit)
        # poll, not select: descriptors above FD_SETSIZE are fine (python-nss
        # leaks descriptors in the tests run before these).
        poller = select.poll()
        poller.register(read_fd, select.POLLIN)
        if not poller.poll(left * 1000):
            continue
        chunk = os.read(read_fd, 1)
        if not chunk:
            return ""
        data += chunk
    return data[:-1].decode("ascii")


def reap_child(pid: int, limit: float = CHILD_LIMIT + 5) -> int:
    """conftest.reap_child with a limit past the child's own alarm."""
    return conftest.reap_child(pid, limit)
