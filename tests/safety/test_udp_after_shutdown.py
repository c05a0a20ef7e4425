"""A UDP socket after a failed ``shutdown()``: timeouts still end the wait.

Linux marks an unconnected UDP socket shut down even though ``shutdown()``
fails with ENOTCONN; from then on poll(2) calls it readable while recv(2)
finds nothing. NSPR's own blocking receive spins on that for ever, whatever
its timeout (python-nss hangs there, at full CPU). nspr_ctypes waits on UDP
sockets with ``PR_Poll`` and its own clock, so every receive ends on time;
also on such a socket's descriptor imported with ``import_tcp_socket``
(NSPR imports any socket as TCP).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Dict, List

import pytest
from conftest import SHORT

JOIN_LIMIT = 10.0


@pytest.fixture(autouse=True)
def _only_nspr_ctypes(io: Any) -> None:
    if not io.__name__.startswith("nspr_ctypes"):
        pytest.skip("python-nss spins for ever here (NSPR's blocking receive)")


def _shut_down_udp_socket(io: Any, error: Any) -> Any:
    sock = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    try:
        sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        with pytest.raises(error.NSPRError):
            sock.shutdown()  # PR_NOT_CONNECTED_ERROR, yet the kernel shuts it
    except BaseException:
        sock.close()
        raise
    return sock


@pytest.mark.parametrize("call", ["recv", "recv_from", "recv_into", "readline"])
def test_a_receive_times_out_on_a_udp_socket_shut_down_unconnected(
    io: Any, error: Any, call: str
) -> None:
    sock = _shut_down_udp_socket(io, error)
    try:
        calls: Dict[str, Callable[[], Any]] = {
            "recv": lambda: sock.recv(100, SHORT),
            "recv_from": lambda: sock.recv_from(
                100, io.NetworkAddress(io.PR_IpAddrLoopback, 0), SHORT
            ),
            "recv_into": lambda: sock.recv_into(bytearray(100), 0, SHORT),
            "readline": lambda: sock.readline(timeout=SHORT),
        }
        _ends_on_time(error, calls[call])
    finally:
        sock.close()


@pytest.mark.parametrize("call", ["recv", "recv_into", "readline", "read"])
def test_a_receive_times_out_on_that_socket_imported_as_tcp(
    io: Any, error: Any, call: str
) -> None:
    # Found by the fuzzer: the import made it a TCP socket for NSPR, whose
    # blocking receive then spun past its timeout.
    udp = _shut_down_udp_socket(io, error)
    try:
        sock = io.Socket.import_tcp_socket(os.dup(udp.fileno()))
    finally:
        udp.close()
    try:
        calls: Dict[str, Callable[[], Any]] = {
            "recv": lambda: sock.recv(100, SHORT),
            "recv_into": lambda: sock.recv_into(bytearray(100), 0, SHORT),
            "readline": lambda: sock.readline(timeout=SHORT),
            "read": lambda: sock.read(-1, timeout=SHORT),
        }
        _ends_on_time(error, calls[call])
    finally:
        sock.close()


def _ends_on_time(error: Any, call: Callable[[], Any]) -> None:
    """``call()`` returns (or times out) within JOIN_LIMIT, in a thread."""
    outcome: List[Any] = []

    def receive() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    thread.join(JOIN_LIMIT)
    assert not thread.is_alive(), "the receive never returned"
    result = outcome[0]
    if isinstance(result, error.NSPRError):
        assert result.errno == error.PR_IO_TIMEOUT_ERROR
    else:  # the kernel may report the end of input instead
        assert result in (b"", 0), result
