"""Shared fixtures: the target under test and loopback helpers.

The conformance suite tests the public API only. Each test receives the
``io`` and ``error`` modules of one *target*:

* ``nspr``, ``stdlib``, or any other registered backend: ``nspr_ctypes.io`` and
  ``nspr_ctypes.error`` with that backend as the default;
* ``oracle``: python-nss itself (``nss.io`` and ``nss.error``).

``NSPR_CTYPES_TEST_BACKEND`` names the targets to run (comma separated); by
default every built-in backend. A target may also be a spec of the pytest
plugin (nspr_ctypes.pytest_plugin): ``nspr:/path/libnspr4.so`` or
``nspr-build:4.29``, loaded as the plugin loads its ``--nspr-backend``
parameters. The report header says what each target loaded (backend, library
path, NSPR version; the plugin's wording), and a guard stops the run before
any test when a target cannot be loaded or differs from what the env names:
``NSPR_CTYPES_EXPECT_VERSION`` (e.g. ``4.29``) and ``NSPR_CTYPES_EXPECT_LIBRARY``
(a path), when set, must match every backend target.

Deliberate differences from python-nss carry ``@pytest.mark.difference(reason)``:
on the oracle they are strict expected failures (``crashes=True`` when
python-nss would kill the interpreter, so the test is not run there).

This conftest imports nspr_ctypes (and its plugin module) only for backend
targets: the oracle env runs on the system python, where nspr_ctypes may be
neither installed nor importable.
"""

from __future__ import annotations

import gc
import os
import signal
import time
import types
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Tuple

import pytest

if TYPE_CHECKING:
    from nspr_ctypes import Backend

ORACLE = "oracle"
BUILTIN_BACKENDS = ("nspr", "stdlib")

# A short timeout, in ticks (1 ms each on Linux), for waits that must expire.
SHORT = 300
# A generous timeout for waits that must succeed.
LONG = 10_000


def _wanted_targets() -> List[str]:
    raw = os.environ.get("NSPR_CTYPES_TEST_BACKEND", "")
    names = [name.strip() for name in raw.split(",") if name.strip()]
    return names or list(BUILTIN_BACKENDS)


# Targets given as plugin specs ("nspr:/path", "nspr-build:4.29"): one instance each.
_spec_backends: Dict[str, Backend] = {}


def _use_target_backend(name: str) -> Backend:
    """Make the backend of target ``name`` the default, and return it."""
    import nspr_ctypes

    if ":" not in name:
        return nspr_ctypes.use_backend(name)
    backend = _spec_backends.get(name)
    if backend is None:
        from nspr_ctypes.pytest_plugin import load_spec

        backend = _spec_backends[name] = load_spec(name)
    return nspr_ctypes.use_backend(backend)


def _load_target(name: str) -> Tuple[types.ModuleType, types.ModuleType]:
    if name == ORACLE:
        import nss.error
        import nss.io

        return nss.io, nss.error
    from nspr_ctypes import error, io

    _use_target_backend(name)
    return io, error


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "difference(reason, crashes=False): a deliberate difference from "
        "python-nss (docs/differences.md); an expected failure on the oracle",
    )


def pytest_report_header(config: pytest.Config) -> List[str]:
    lines = []
    for name in _wanted_targets():
        if name == ORACLE:
            try:
                import nss

                lines.append(
                    "target oracle: python-nss %s from %s"
                    % (getattr(nss, "__version__", "?"), os.path.dirname(nss.__file__))
                )
            except ImportError as exc:  # pragma: no cover - reported by the guard
                lines.append("target oracle: NOT AVAILABLE (%s)" % exc)
            continue
        try:
            from nspr_ctypes.pytest_plugin import format_backend

            backend = _use_target_backend(name)
            lines.append("target %s: %s" % (name, format_backend(backend)))
        except Exception as exc:  # pragma: no cover - reported by the guard
            lines.append("target %s: NOT AVAILABLE (%s)" % (name, exc))
    return lines


def _guard_failures() -> List[str]:
    """Why the loaded targets are not what this run names (empty if they are)."""
    failures = []
    for name in _wanted_targets():
        try:
            _load_target(name)
        except Exception as exc:
            failures.append("target %s cannot be loaded: %s" % (name, exc))
            continue
        if name == ORACLE:
            continue
        import nspr_ctypes
        from nspr_ctypes.__main__ import expectation_failures

        backend = nspr_ctypes.get_backend()
        failures.extend(
            "target %s: %s" % (name, failure)
            for failure in expectation_failures(
                backend,
                name,
                os.environ.get("NSPR_CTYPES_EXPECT_VERSION") or None,
                os.environ.get("NSPR_CTYPES_EXPECT_LIBRARY") or None,
            )
        )
    return failures


def pytest_collection_finish(session: pytest.Session) -> None:
    failures = _guard_failures()
    if failures:
        pytest.exit(
            "this run does not test what it names:\n  " + "\n  ".join(failures),
            returncode=3,
        )


def pytest_collection_modifyitems(
    config: pytest.Config, items: List[pytest.Item]
) -> None:
    for item in items:
        marker = item.get_closest_marker("difference")
        if marker is None:
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is None or callspec.params.get("target") != ORACLE:
            continue
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
        crashes = bool(marker.kwargs.get("crashes", False))
        item.add_marker(
            pytest.mark.xfail(
                reason="deliberate difference from python-nss: %s" % reason,
                strict=True,
                run=not crashes,
            )
        )


@pytest.fixture(scope="session", params=_wanted_targets())
def target(request: pytest.FixtureRequest) -> str:
    """The name of the target under test (a backend name, or ``oracle``)."""
    name: str = request.param
    return name


@pytest.fixture
def nss_modules(target: str) -> Tuple[types.ModuleType, types.ModuleType]:
    return _load_target(target)


@pytest.fixture
def io(nss_modules: Tuple[types.ModuleType, types.ModuleType]) -> Any:
    """The ``io`` module of the target (``nss.io`` or ``nspr_ctypes.io``)."""
    return nss_modules[0]


@pytest.fixture
def error(nss_modules: Tuple[types.ModuleType, types.ModuleType]) -> Any:
    """The ``error`` module of the target (``nss.error`` or ``nspr_ctypes.error``)."""
    return nss_modules[1]


def collect_garbage() -> None:
    """Collect until dropped objects and what their finalizers hold are gone.

    One ``gc.collect()`` does it on CPython; PyPy runs finalizers after a
    collection, so what they release is freed only by a later one.
    """
    for _ in range(3):
        gc.collect()


def reap_child(pid: int, limit: float) -> int:
    """The exit status of forked child ``pid`` (-signal if it was killed).

    A child still running after ``limit`` seconds is killed with SIGKILL (by
    its pid), and AssertionError raised.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFSIGNALED(status):
                return -os.WTERMSIG(status)
            return os.WEXITSTATUS(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("child %d did not exit within %s s" % (pid, limit))


def safe_close(sock: Any) -> None:
    """Close ``sock`` unless it is closed already.

    python-nss crashes on a second ``close()``, so ask ``fileno()`` first: on a
    closed socket it raises (NSPRError on python-nss, ValueError here).
    """
    try:
        sock.fileno()
    except Exception:
        return
    sock.close()


@pytest.fixture
def closing() -> Iterator[Callable[[Any], Any]]:
    """``closing(sock)`` registers a socket to be closed after the test."""
    sockets: List[Any] = []

    def register(sock: Any) -> Any:
        sockets.append(sock)
        return sock

    yield register
    for sock in reversed(sockets):
        safe_close(sock)


@pytest.fixture
def listener(io: Any, closing: Callable[[Any], Any]) -> Any:
    """A TCP socket listening on 127.0.0.1 at a free port."""
    srv = closing(io.Socket(io.PR_AF_INET))
    srv.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    srv.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    srv.listen()
    return srv


@pytest.fixture
def tcp_pair(io: Any, listener: Any, closing: Callable[[Any], Any]) -> Tuple[Any, Any]:
    """``(client, server)``: a connected TCP pair over 127.0.0.1."""
    client = closing(io.Socket(io.PR_AF_INET))
    port = listener.get_sock_name().port
    client.connect(io.NetworkAddress(io.PR_IpAddrLoopback, port), LONG)
    server, _peer = listener.accept(LONG)
    closing(server)
    return client, server


@pytest.fixture
def local_pair(io: Any, closing: Callable[[Any], Any]) -> Tuple[Any, Any]:
    """``Socket.new_tcp_pair()``, closed after the test."""
    a, b = io.Socket.new_tcp_pair()
    return closing(a), closing(b)
