"""The example's tests: each one that takes ``nspr_backend`` runs once per
backend of the run (stdlib, the system NSPR, NSPR 4.29, ...)."""

from __future__ import annotations

import pytest
from line_echo import EchoServer, echo_line

import nspr_ctypes
from nspr_ctypes import error, io


def test_a_line_comes_back(nspr_backend: nspr_ctypes.Backend) -> None:
    with EchoServer() as server:
        assert echo_line(server.port, b"hello\n") == b"hello\n"


def test_the_code_runs_on_the_backend_of_the_test(
    nspr_backend: nspr_ctypes.Backend,
) -> None:
    assert nspr_ctypes.get_backend() is nspr_backend


def test_a_silent_server_is_an_nspr_timeout(nspr_backend: nspr_ctypes.Backend) -> None:
    # A listener that never accepts: the connection completes (the backlog),
    # the reply never comes, and every backend says so with NSPR's code.
    with io.Socket(io.PR_AF_INET) as silent:
        silent.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        silent.listen()
        port = silent.get_sock_name().port
        with pytest.raises(error.NSPRError) as info:
            echo_line(port, b"anyone?\n", timeout_seconds=1)
    assert info.value.errno == error.PR_IO_TIMEOUT_ERROR


@pytest.mark.nspr_skip("stdlib", reason="the emulation loads no libnspr4")
def test_a_real_libnspr4_is_loaded(nspr_backend: nspr_ctypes.Backend) -> None:
    assert nspr_backend.library_path is not None


@pytest.mark.nspr_xfail(
    "stdlib", reason="the emulation has no NSPR version", strict=True
)
def test_the_nspr_version_is_known(nspr_backend: nspr_ctypes.Backend) -> None:
    assert nspr_backend.version is not None


@pytest.mark.nspr_min_version("4.32", reason="an example of a newer-NSPR-only test")
def test_only_on_nspr_4_32_or_later(nspr_backend: nspr_ctypes.Backend) -> None:
    version = nspr_backend.version
    if version is not None:  # the emulation runs it too
        major, minor = (int(part) for part in version.split(".")[:2])
        assert (major, minor) >= (4, 32)


def test_without_the_fixture_a_test_runs_once() -> None:
    assert io.htons(1) == 256
