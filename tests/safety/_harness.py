"""Machinery shared by the safety tests.

* ``Index``: an object that is an integer only through ``__index__``;
* ``Env``: the sockets a case aims at, made on demand and closed afterwards;
* ``Outcome``: what one call ended in (a value, an exception, a signal, a hang);
* ``Case``: one call and what it must end in. On the nspr_ctypes backends a
  case runs in the test process; on python-nss, which crashes on many of
  these calls, it runs in a child process (``run_in_child``), so a crash or a
  hang there is a failed case, not a dead test run.

The child entry point is ``child_main``: it loads a target, imports the test
module that holds the case table ``CASES``, runs one case and prints its
verdict as a line of JSON.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

ORACLE = "oracle"

# Ticks (1 ms each on Linux) for a wait that must expire, and one that must succeed.
WAIT = 20
LONG_WAIT = 5000
# How long a child may take before it counts as hung.
CHILD_TIMEOUT = 15.0

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT_DIR = os.path.dirname(TESTS_DIR)


class Index:
    """An integer only through ``__index__`` (as ``numpy.int64`` is)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return "Index(%d)" % self.value


def load_target(name: str) -> Tuple[Any, Any]:
    """The ``io`` and ``error`` modules of a target, as ``conftest`` loads them."""
    if name == ORACLE:
        import nss.error
        import nss.io

        return nss.io, nss.error
    import nspr_ctypes
    from nspr_ctypes import error, io

    nspr_ctypes.use_backend(name)
    return io, error


# -- outcomes ------------------------------------------------------------------


class Outcome(NamedTuple):
    """``kind`` is value, raise, signal, hang or exit; ``detail`` the
    normalised value, the exception class, the signal or exit status;
    ``message`` the text of an exception."""

    kind: str
    detail: str
    errno: Optional[int] = None
    errno_name: Optional[str] = None
    message: str = ""

    def __str__(self) -> str:
        if self.kind == "value":
            return "value %s" % self.detail
        if self.kind == "raise" and self.errno is not None:
            return "%s(%s)" % (self.detail, self.errno_name or self.errno)
        if self.kind == "raise":
            return self.detail
        if self.kind == "signal":
            return "killed by %s" % self.detail
        if self.kind == "hang":
            return "hang (no answer in %.0f s)" % CHILD_TIMEOUT
        return "exit status %s" % self.detail

    @property
    def key(self) -> Tuple[str, str, Optional[int]]:
        return (self.kind, self.detail, self.errno)


def normalise(value: Any) -> str:
    """A text for ``value`` that is equal for equal results on any target
    (addresses by content, sockets and files by kind)."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(normalise(item) for item in value)
        return ("[%s]" if isinstance(value, list) else "(%s)") % inner
    kind = type(value).__name__
    if kind == "NetworkAddress":
        try:
            address = value.address
        except Exception as exc:
            address = "<%s>" % type(exc).__name__
        return "NetworkAddress(family=%d, %s, port=%d)" % (
            value.family,
            address,
            value.port,
        )
    if kind == "Socket":
        return "Socket(family=%d)" % value.family
    return "<%s>" % kind


def outcome_of(call: Callable[[], Any]) -> Tuple[Outcome, Any]:
    """Run ``call``; its outcome and its value (None when it raised)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = call()
        except Exception as exc:
            return _raised(exc), None
    return Outcome("value", normalise(value)), value


def _raised(exc: BaseException) -> Outcome:
    kind = type(exc).__name__
    try:
        message = str(exc)
    except Exception:
        message = "<str() failed>"
    if kind == "NSPRError":
        code = getattr(exc, "errno", None)
        return Outcome("raise", kind, code, _error_name(code), message)
    return Outcome("raise", kind, message=message)


def _error_name(code: Optional[int]) -> Optional[str]:
    if code is None:
        return None
    for module_name in ("nspr_ctypes.error", "nss.error"):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for name, value in vars(module).items():
            if name.startswith("PR_") and value == code:
                return name
    return None


# -- sockets to aim at -----------------------------------------------------------


class Env:
    """The sockets and addresses a case uses, each made on first use.

    Everything made here, and every socket or file a case returns (through
    ``keep``), is closed by ``close``.
    """

    PAIR_DATA = b"line1\nline2\nrest"

    def __init__(self, io: Any, error: Any) -> None:
        self.io = io
        self.error = error
        self._made: Dict[str, Any] = {}
        self._owned: List[Any] = []

    def keep(self, value: Any) -> Any:
        """Close ``value`` (or the sockets and files inside it) later."""
        if isinstance(value, (tuple, list)):
            for item in value:
                self.keep(item)
        elif hasattr(value, "close") and type(value).__name__ != "NSPRError":
            self._owned.append(value)
        return value

    def close(self) -> None:
        for item in reversed(self._owned):
            close_quietly(item)
        self._owned.clear()
        self._made.clear()

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    # addresses

    def loopback(self, port: int = 0) -> Any:
        return self.io.NetworkAddress(self.io.PR_IpAddrLoopback, port)

    def loopback6(self, port: int = 0) -> Any:
        return self.io.NetworkAddress(
            self.io.PR_IpAddrLoopback, port, self.io.PR_AF_INET6
        )

    # sockets

    def socket(self, family: Optional[int] = None, udp: bool = False) -> Any:
        """A new socket, closed by ``close()``."""
        io = self.io
        kind = io.PR_DESC_SOCKET_UDP if udp else io.PR_DESC_SOCKET_TCP
        return self.keep(io.Socket(io.PR_AF_INET if family is None else family, kind))

    @property
    def tcp(self) -> Any:
        """An unbound IPv4 TCP socket."""
        return self._once("tcp", self.socket)

    @property
    def udp(self) -> Any:
        """An IPv4 UDP socket bound to the loopback (nothing queued)."""

        def make() -> Any:
            sock = self.socket(udp=True)
            sock.bind(self.loopback())
            return sock

        return self._once("udp", make)

    @property
    def listener(self) -> Any:
        """A TCP socket listening on the loopback, no connection pending."""

        def make() -> Any:
            sock = self.socket()
            sock.bind(self.loopback())
            sock.listen()
            return sock

        return self._once("listener", make)

    @property
    def pending_listener(self) -> Any:
        """A listener with one pending connection whose client sent b'hello'."""

        def make() -> Any:
            sock = self.socket()
            sock.bind(self.loopback())
            sock.listen()
            client = self.socket()
            client.connect(self.loopback(sock.get_sock_name().port), LONG_WAIT)
            client.send(b"hello")
            return sock

        return self._once("pending_listener", make)

    @property
    def pair(self) -> Tuple[Any, Any]:
        """``new_tcp_pair()``: nothing queued either way."""
        pair: Tuple[Any, Any] = self._once(
            "pair", lambda: self.keep(self.io.Socket.new_tcp_pair())
        )
        return pair

    @property
    def reader(self) -> Any:
        """The read end of a pair holding ``PAIR_DATA`` and then EOF."""

        def make() -> Any:
            writer, reader = self.keep(self.io.Socket.new_tcp_pair())
            writer.send(self.PAIR_DATA)
            writer.shutdown(self.io.PR_SHUTDOWN_SEND)
            return reader

        return self._once("reader", make)

    @property
    def conn(self) -> Tuple[Any, Any]:
        """``(client, server)``: a connected TCP pair over the loopback."""

        def make() -> Tuple[Any, Any]:
            client = self.socket()
            client.connect(self.loopback(self.listener.get_sock_name().port), LONG_WAIT)
            server, _peer = self.keep(self.listener.accept(LONG_WAIT))
            return client, server

        conn: Tuple[Any, Any] = self._once("conn", make)
        return conn


def close_quietly(item: Any) -> None:
    """Close a socket or file unless it is closed already.

    python-nss crashes on a second ``close()``, so ask ``fileno()`` first: on
    a closed socket it raises.
    """
    try:
        item.fileno()
    except Exception:
        if type(item).__name__ == "Socket":
            return
    try:
        item.close()
    except Exception:
        pass


# -- cases ---------------------------------------------------------------------


class Raises(NamedTuple):
    """The call raises exactly ``cls`` (``"A|B"``: one of them), and for
    NSPRError ``errno``; when ``match`` is given, a message ``re.search``
    finds it in."""

    cls: str
    errno: Optional[str] = None
    match: Optional[str] = None

    def __str__(self) -> str:
        text = "%s(%s)" % (self.cls, self.errno) if self.errno else self.cls
        return text if self.match is None else "%s matching %r" % (text, self.match)


class Returns(NamedTuple):
    """The call returns a value for which ``check`` is true."""

    check: Callable[[Any], bool]
    text: str

    def __str__(self) -> str:
        return "a value: %s" % self.text


class SameAs(NamedTuple):
    """The call ends as ``reference`` does in a fresh Env (same value, or the
    same exception class and errno)."""

    reference: Callable[[Env], Any]
    text: str

    def __str__(self) -> str:
        return "the same as %s" % self.text


Expectation = Any  # Raises | Returns | SameAs


@dataclass(frozen=True)
class Case:
    """``call(env)`` and what it must end in.

    ``difference`` says why python-nss, which does otherwise, is not followed
    (see docs/differences.md); such a case is an expected failure there.
    ``crashes`` marks one where python-nss corrupts its memory, so whether it
    dies in a given run is chance: the case is not run there.
    """

    name: str
    category: str
    call: Callable[[Env], Any]
    expect: Expectation
    difference: Optional[str] = None
    crashes: bool = False


def judge(case: Case, io: Any, error: Any) -> Tuple[Outcome, Optional[str]]:
    """Run ``case`` in this process: its outcome, and what is wrong with it."""
    env = Env(io, error)
    try:
        outcome, value = outcome_of(lambda: env.keep(case.call(env)))
        expect = case.expect
        if isinstance(expect, Raises):
            wanted_errno = (
                None if expect.errno is None else getattr(error, expect.errno)
            )
            if (
                outcome.kind == "raise"
                and outcome.detail in expect.cls.split("|")
                and (wanted_errno is None or outcome.errno == wanted_errno)
                and (expect.match is None or re.search(expect.match, outcome.message))
            ):
                return outcome, None
            return outcome, "expected %s, got %s %r" % (
                expect,
                outcome,
                outcome.message,
            )
        if isinstance(expect, Returns):
            if outcome.kind == "value" and _checked(expect.check, value):
                return outcome, None
            return outcome, "expected %s, got %s" % (expect, outcome)
        reference_env = Env(io, error)
        try:
            reference, _ = outcome_of(
                lambda: reference_env.keep(expect.reference(reference_env))
            )
        finally:
            reference_env.close()
        if outcome.key == reference.key:
            return outcome, None
        return outcome, "expected %s (%s), got %s" % (expect, reference, outcome)
    finally:
        env.close()


def _checked(check: Callable[[Any], bool], value: Any) -> bool:
    try:
        return bool(check(value))
    except Exception:
        return False


def check_case(
    case: Case, target: str, io: Any, error: Any, module: str
) -> Optional[str]:
    """What is wrong with ``case`` on ``target`` (None when nothing is).

    python-nss runs each case in a child process; the backends in-process.
    """
    if target == ORACLE:
        _outcome, problem = run_in_child(target, module, case.name)
        return problem
    _outcome, problem = judge(case, io, error)
    return problem


def case_params(cases: Sequence[Case]) -> List[Any]:
    """``cases`` as pytest parameters, a deliberate difference marked on each.

    pytest is imported here, not at the top: child processes import this
    module and must start without it.
    """
    import pytest

    params = []
    for case in cases:
        marks = []
        if case.difference is not None:
            marks.append(pytest.mark.difference(case.difference, crashes=case.crashes))
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


# -- child processes -------------------------------------------------------------

_CHILD_CODE = (
    "import sys; sys.path[:0] = %r; "
    "from safety._harness import child_main; child_main(sys.argv[1:])"
    % ([TESTS_DIR, ROOT_DIR],)
)


def child_command(*args: str, python: Optional[str] = None) -> List[str]:
    return [python or sys.executable, "-c", _CHILD_CODE, *args]


def run_in_child(
    target: str, module: str, case_name: str, python: Optional[str] = None
) -> Tuple[Outcome, Optional[str]]:
    """Run one case of ``module.CASES`` on ``target`` in a child process.

    A child killed by a signal (even after it printed its verdict, as when
    the heap is found corrupted at exit), one that exits with an error, and
    one that does not answer within CHILD_TIMEOUT are failures.
    """
    command = child_command(target, module, case_name, python=python)
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        outcome = Outcome("hang", "")
        return outcome, "the child hung"
    verdict = _verdict(done.stdout)
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        outcome = Outcome("signal", name)
        if verdict is not None:
            return outcome, "killed by %s after %s" % (name, verdict[0])
        return outcome, "killed by %s" % name
    if verdict is None or done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        outcome = Outcome("exit", str(done.returncode))
        return outcome, "the child exited with %d: %s" % (
            done.returncode,
            " | ".join(tail),
        )
    return verdict


def _verdict(stdout: bytes) -> Optional[Tuple[Outcome, Optional[str]]]:
    for line in stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            data = json.loads(line)
            return Outcome(*data["outcome"]), data["problem"]
    return None


def child_main(argv: Sequence[str]) -> None:
    """``target module case``: run one case and print its verdict."""
    target, module_name, case_name = argv
    io, error = load_target(target)
    module = importlib.import_module(module_name)
    cases = {case.name: case for case in module.CASES}
    outcome, problem = judge(cases[case_name], io, error)
    line = json.dumps({"outcome": list(outcome), "problem": problem})
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
