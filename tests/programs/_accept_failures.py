"""Run failing non-blocking accepts in a process of their own; print the growth.

``python _accept_failures.py TARGET COUNT`` loads TARGET (a backend name, or
``oracle`` for python-nss), makes a non-blocking listener nobody connects to,
warms up with COUNT ``accept()`` calls, then prints, as one line of JSON, how
much the process's resident memory (``rss``, bytes) and descriptor count
(``fds``) grew over COUNT more, each failing with
``PR_WOULD_BLOCK_ERROR``. A process of its own, so that a target that leaks
leaks there, and C memory counts too.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import Any, Callable, Dict, Tuple


def _load(name: str) -> Tuple[Any, Any]:
    if name == "oracle":
        import nss.error
        import nss.io

        return nss.io, nss.error
    import nspr_ctypes
    from nspr_ctypes import error, io

    nspr_ctypes.use_backend(name)
    return io, error


def _usage() -> Tuple[int, int]:
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    rss = resident_pages * os.sysconf("SC_PAGE_SIZE")
    return rss, len(os.listdir("/proc/self/fd"))


def nonblocking_listener(io: Any) -> Any:
    """A listening loopback socket in non-blocking mode: accept() fails."""
    sock = io.Socket(io.PR_AF_INET)
    sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    sock.listen()
    sock.set_socket_option(io.PR_SockOpt_Nonblocking, True)
    return sock


def failing_accept(error: Any, listener: Any) -> Callable[[], None]:
    """One accept() on ``listener`` that must fail with PR_WOULD_BLOCK_ERROR."""

    def fail_once() -> None:
        try:
            listener.accept()
        except error.NSPRError as exc:
            if exc.errno != error.PR_WOULD_BLOCK_ERROR:
                raise
        else:
            raise AssertionError("accept() found a connection nobody made")

    return fail_once


def measure(name: str, count: int) -> Dict[str, int]:
    """RSS and descriptor growth over ``count`` failing accepts."""
    io, error = _load(name)
    listener = nonblocking_listener(io)
    fail_once = failing_accept(error, listener)

    # A warm-up as long as the measurement: PyPy's JIT and collector grow the
    # heap during the first thousands of calls, whether or not anything leaks.
    for _ in range(count):
        fail_once()
    for _ in range(3):  # PyPy frees what finalizers held on later passes
        gc.collect()
    rss_before, fds_before = _usage()
    for _ in range(count):
        fail_once()
    for _ in range(3):  # PyPy frees what finalizers held on later passes
        gc.collect()
    rss_after, fds_after = _usage()
    listener.close()
    return {"rss": rss_after - rss_before, "fds": fds_after - fds_before}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
