"""Real other NSPR builds, side by side in one process.

NSPR 4.29 (Debian bullseye) loads here next to the system's libnspr4; the
tests fetch it through :func:`nspr_build` (see conftest.py).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys
import threading
from typing import Any, Callable, List

import pytest

import nspr_ctypes
from nspr_ctypes import error, io
from nspr_ctypes.backends import Backend
from nspr_ctypes.backends import _nspr_ffi as ffi
from nspr_ctypes.backends.nspr import NSPRBackend

from .conftest import child_env

TIMEOUT = 10_000  # ticks: generous, for waits that must succeed
OLD = "4.29"
#: A real NSPR function newer than 4.29: the ``NSPR_4.34`` section of nspr.def.
NEWER_FUNCTION = ffi.Prototype(
    "PR_GetPrefLoopbackAddrInfo",
    ctypes.c_int,
    (ctypes.POINTER(ffi.PRNetAddr), ctypes.c_uint16),
    "4.34",
)


def _mapped_files() -> List[str]:
    try:
        with open("/proc/self/maps") as maps:
            return [line.split()[-1] for line in maps if "/" in line]
    except OSError:  # pragma: no cover - not Linux
        return []


def test_old_build_identity(nspr_build: Callable[[str], str]) -> None:
    path = nspr_build(OLD)
    backend = nspr_ctypes.load_backend("nspr", library=path)
    assert backend.version == OLD
    assert backend.library_path == os.path.realpath(path)
    assert backend.describe() == "nspr (%s, NSPR %s)" % (os.path.realpath(path), OLD)
    # Every function the binding uses exists in 4.29: no stand-in.
    assert isinstance(backend, NSPRBackend)
    assert backend.lib.stand_ins == []


def test_server_on_system_nspr_and_client_on_old_nspr(
    system_library: str, nspr_build: Callable[[str], str]
) -> None:
    server_backend = nspr_ctypes.load_backend("nspr", library=system_library)
    client_backend = nspr_ctypes.load_backend("nspr", library=nspr_build(OLD))
    assert client_backend.version == OLD
    if server_backend.version == OLD:
        pytest.skip("the system NSPR is %s itself" % OLD)
    assert server_backend.library_path != client_backend.library_path
    mapped = _mapped_files()
    if mapped:  # both files are really loaded in this one process
        assert server_backend.library_path in mapped
        assert client_backend.library_path in mapped

    payload = os.urandom(1 << 20)
    lines = [b"hello from NSPR %s\n" % OLD.encode(), b"second line\n"]
    failures: List[BaseException] = []
    server_seen: List[Any] = []

    with io.Socket(io.PR_AF_INET, backend=server_backend) as listener:
        listener.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
        listener.bind(
            io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=server_backend)
        )
        listener.listen()
        port = listener.get_sock_name().port

        def serve() -> None:
            try:
                conn, peer = listener.accept(TIMEOUT)
                with conn:
                    server_seen.append(peer)
                    for _ in lines:  # echo each line, upper-cased
                        conn.sendall(conn.readline(timeout=TIMEOUT).upper(), TIMEOUT)
                    received = b""
                    while len(received) < len(payload):  # bounded by TIMEOUT each
                        chunk = conn.recv(len(payload) - len(received), TIMEOUT)
                        if not chunk:
                            break
                        received += chunk
                    digest = hashlib.sha256(received).hexdigest().encode()
                    conn.sendall(digest + b"\n", TIMEOUT)
                    server_seen.append(conn.recv(1, TIMEOUT))  # b"": client closed
            except BaseException as exc:  # reported by the test thread
                failures.append(exc)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with io.Socket(io.PR_AF_INET, backend=client_backend) as client:
            client.connect(
                io.NetworkAddress(io.PR_IpAddrLoopback, port, backend=client_backend),
                TIMEOUT,
            )
            replies = []
            for line in lines:
                client.sendall(line, TIMEOUT)
                replies.append(client.readline(timeout=TIMEOUT))
            client.sendall(payload, TIMEOUT)
            digest = client.readline(timeout=TIMEOUT)
            client_port = client.get_sock_name().port
            client.shutdown()
        thread.join(TIMEOUT / 1000)
    assert not thread.is_alive()
    if failures:
        raise failures[0]
    assert replies == [line.upper() for line in lines]
    assert digest == hashlib.sha256(payload).hexdigest().encode() + b"\n"
    peer, eof = server_seen
    assert (peer.address, peer.port, eof) == ("127.0.0.1", client_port, b"")


def test_udp_between_two_nspr_versions(
    system_library: str, nspr_build: Callable[[str], str]
) -> None:
    new = nspr_ctypes.load_backend("nspr", library=system_library)
    old = nspr_ctypes.load_backend("nspr", library=nspr_build(OLD))
    with io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=new) as a, io.Socket(
        io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=old
    ) as b:
        a.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=new))
        b.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=old))
        to_a = io.NetworkAddress(
            io.PR_IpAddrLoopback, a.get_sock_name().port, backend=old
        )
        assert b.send_to(b"ping", to_a, TIMEOUT) == 4
        sender = io.NetworkAddress(backend=new)
        assert a.recv_from(100, sender, TIMEOUT) == b"ping"
        assert sender.port == b.get_sock_name().port
        assert a.send_to(b"pong", sender, TIMEOUT) == 4  # sender belongs to new
        assert b.recv(100, TIMEOUT) == b"pong"
        # b's own address object cannot be handed to a's backend.
        with pytest.raises(ValueError, match="NSPR %s" % OLD):
            a.send_to(b"x", to_a, TIMEOUT)


def test_function_newer_than_the_loaded_nspr_is_a_stand_in(
    nspr_build: Callable[[str], str],
) -> None:
    path = nspr_build(OLD)
    cdll = ctypes.CDLL(path, mode=os.RTLD_LOCAL)
    assert not hasattr(cdll, NEWER_FUNCTION.name)  # really absent from 4.29
    lib = ffi.NSPRLibrary(cdll, path, prototypes=(*ffi.PROTOTYPES, NEWER_FUNCTION))
    assert lib.version == OLD
    assert lib.stand_ins == [NEWER_FUNCTION.name]
    with pytest.raises(error.NSPRError) as info:
        getattr(lib, NEWER_FUNCTION.name)(None, 0)
    assert info.value.errno == error.PR_NOT_IMPLEMENTED_ERROR
    message = str(info.value)
    for words in (NEWER_FUNCTION.name, "needs NSPR 4.34", "loaded NSPR is %s" % OLD):
        assert words in message


def test_function_of_the_loaded_nspr_is_bound(system_library: str) -> None:
    cdll = ctypes.CDLL(system_library, mode=os.RTLD_LOCAL)
    lib = ffi.NSPRLibrary(
        cdll, system_library, prototypes=(*ffi.PROTOTYPES, NEWER_FUNCTION)
    )
    if lib.version_tuple < (4, 34):
        pytest.skip("the system NSPR %s predates 4.34" % lib.version)
    assert lib.stand_ins == []
    function = getattr(lib, NEWER_FUNCTION.name)
    assert function is getattr(cdll, NEWER_FUNCTION.name)
    result = ffi.PRNetAddr()
    assert function(ctypes.byref(result), 80) == 0
    assert result.raw.family in (io.PR_AF_INET, io.PR_AF_INET6)


def _run_cli(*args: str, env: Any = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nspr_ctypes", *args],
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("how", ["environment", "--library"])
def test_diagnose_shows_the_old_build(
    nspr_build: Callable[[str], str], how: str
) -> None:
    path = nspr_build(OLD)
    if how == "environment":
        result = _run_cli(env={"NSPR_CTYPES_LIBRARY": path})
    else:
        result = _run_cli("--library", path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "backend: nspr" in lines
    assert "library: %s" % os.path.realpath(path) in lines
    assert "NSPR version: %s" % OLD in lines
    if how == "environment":
        assert "NSPR_CTYPES_LIBRARY=%s" % path in lines
    assert any(
        line.split()[:2] == ["nspr", "chosen"] and "NSPR %s]" % OLD in line
        for line in lines
    ), result.stdout
    assert result.stdout.rstrip().endswith("OK")


def test_diagnose_in_process_reports_the_default(
    nspr_build: Callable[[str], str],
) -> None:
    code = (
        "import nspr_ctypes\n"
        "report = nspr_ctypes.diagnose()\n"
        "print(report.chosen.version, report.chosen.library_path)\n"
    )
    path = nspr_build(OLD)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=child_env({"NSPR_CTYPES_LIBRARY": path}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [OLD, os.path.realpath(path)]


def test_loaded_backends_stay_independent_of_the_default(
    nspr_build: Callable[[str], str], loaded: Callable[..., Backend]
) -> None:
    old = loaded("nspr", nspr_build(OLD))
    default = nspr_ctypes.get_backend()
    assert old is not default
    with io.Socket(io.PR_AF_INET, backend=old) as sock:
        sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=old))
        assert sock.get_sock_name().address == "127.0.0.1"
    assert nspr_ctypes.get_backend() is default


def test_automatic_search_is_not_taken_in_by_a_build_loaded_by_path(
    nspr_build: Callable[[str], str],
    system_library: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Once a libnspr4 is loaded by its path, the system loader answers the
    # name "libnspr4.so" with it: the search must look past that answer.
    old = nspr_ctypes.load_backend("nspr", library=os.path.relpath(nspr_build(OLD)))
    assert old.version == OLD
    monkeypatch.delenv("NSPR_CTYPES_LIBRARY", raising=False)
    found = ffi.load_library()
    assert found.path == system_library
    if found.version != OLD:
        assert nspr_ctypes.load_backend("nspr").version == found.version


def test_the_floor_is_the_newest_function_of_the_table() -> None:
    newest = max(
        ffi.parse_version(proto.min_version or "4.0") for proto in ffi.PROTOTYPES
    )
    assert newest == ffi.parse_version(ffi.MIN_NSPR_VERSION)
    assert [p.name for p in ffi.PROTOTYPES if p.min_version == "4.8.9"] == [
        "PR_GetVersion"
    ]


@pytest.mark.parametrize("build", ["system", OLD])
def test_every_function_of_the_table_is_in_the_real_build(
    build: str, system_library: str, nspr_build: Callable[[str], str]
) -> None:
    path = system_library if build == "system" else nspr_build(build)
    cdll = ctypes.CDLL(path, mode=os.RTLD_LOCAL)
    missing = [p.name for p in ffi.PROTOTYPES if not hasattr(cdll, p.name)]
    assert missing == []
