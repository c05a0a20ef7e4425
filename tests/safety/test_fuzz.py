"""Property-based fuzzing: random sequences of calls with random arguments.

Hypothesis draws a *program*: 10 to ``NSPR_CTYPES_FUZZ_STEPS`` calls on a
small world of sockets (a connected TCP pair and its listener, a
``new_tcp_pair``, two UDP sockets, unbound IPv4 and IPv6 sockets, and the
sockets the calls return), with arguments mixing good values, edge values
(2**31, 2**64, -1, 0x10000, ...) and wrong types. Each program runs in a
child process (``_fuzz_program``) with a hard timeout, so a crash, a hang
and a leaked descriptor are each a failure, reported with the program.

The property: every call ends in a value or an allowed exception
(TypeError, ValueError, OverflowError, NSPRError, IndexError); the child
never dies, never hangs, and closes every descriptor it opened.

Every wait is bounded: timeouts are drawn from 0..30 ticks (or values equal
to those mod 2**32), read calls always get ``timeout=``, and the Linger
interval stays below one second, so a correct library never blocks long.
Names looked up are numeric or in the hosts file, so no DNS query is made.

``NSPR_CTYPES_FUZZ_EXAMPLES`` (default 12) programs per backend;
``NSPR_CTYPES_FUZZ_STEPS`` (default 40) calls at most per program;
``NSPR_CTYPES_FUZZ_SEED`` fixes the seed (by default it is random, and
Hypothesis prints it with any failure).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Callable, Dict, List, Optional, TypeVar

import pytest

from ._fuzz_program import ADDRESS_NAMES, SOCKET_SLOTS
from ._harness import ORACLE, ROOT_DIR, TESTS_DIR

pytest.importorskip("hypothesis")
import hypothesis
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("NSPR_CTYPES_FUZZ_EXAMPLES", "12"))
STEPS = int(os.environ.get("NSPR_CTYPES_FUZZ_STEPS", "40"))
SEED = os.environ.get("NSPR_CTYPES_FUZZ_SEED")
# A program's calls wait at most ~30 ticks each; this bounds the whole child.
CHILD_TIMEOUT = 10.0 + STEPS * 0.25

Tagged = List[Any]
TestFunction = TypeVar("TestFunction", bound=Callable[..., Any])
Strategy = Any

_CHILD_CODE = (
    "import sys; sys.path[:0] = %r; "
    "from safety._fuzz_program import main; main()" % ([TESTS_DIR, ROOT_DIR],)
)

# -- argument strategies ---------------------------------------------------------


def _tag(tag: str) -> Any:
    return lambda value: [tag, value]


EDGE_INTS = (
    -1,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x10000,
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**32,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**64,
    2**100,
)

wrong_type = st.one_of(
    st.just(["N"]),
    st.text(max_size=8).map(_tag("s")),
    st.binary(max_size=8).map(lambda raw: ["b", raw.hex()]),
    st.floats(allow_nan=True).map(_tag("f")),
    st.just(["o"]),
    st.lists(st.integers(0, 3).map(_tag("i")), max_size=2).map(_tag("list")),
)


def mostly(valid: Strategy, one_in: int = 8) -> Strategy:
    """``valid``, and a wrong type once in ``one_in`` draws: enough calls get
    past argument checking to reach the sockets' states."""
    return st.integers(1, one_in).flatmap(lambda n: wrong_type if n == 1 else valid)


small_int = st.integers(-3, 70).map(_tag("i"))
edge_int = st.sampled_from(EDGE_INTS).map(_tag("i"))
index_int = st.integers(-3, 70).map(_tag("x"))
any_int = mostly(st.one_of(small_int, edge_int, index_int), one_in=5)
# Waits: a few ticks, written in every way that means a few ticks.
timeout = mostly(
    st.one_of(
        st.integers(0, 30).map(_tag("i")),
        st.integers(0, 30).map(lambda ticks: ["i", ticks + 2**32]),
        st.integers(0, 30).map(lambda ticks: ["i", ticks - 2**64]),
        st.integers(0, 30).map(_tag("x")),
    )
)
size = mostly(st.one_of(st.integers(-3, 70_000).map(_tag("i")), edge_int, index_int))
buffer = mostly(
    st.one_of(
        st.binary(max_size=64).map(lambda raw: ["b", raw.hex()]),
        st.sampled_from([0, 1000, 65_536, 300_000]).map(_tag("big")),
        st.binary(max_size=8).map(lambda raw: ["ba", raw.hex()]),
        st.binary(max_size=8).map(lambda raw: ["mv", raw.hex()]),
    )
)
slot = st.sampled_from(SOCKET_SLOTS)
address = mostly(st.sampled_from(ADDRESS_NAMES).map(_tag("addr")))
sock_arg = slot.map(_tag("sock"))
# Numeric names and names in the hosts file only: no DNS query.
host_name = st.one_of(
    st.sampled_from(
        [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "::1",
            "0.0.0.0",
            "",
            "local\0host",
            "a" * 70,
        ]
    ).map(_tag("s")),
    st.sampled_from([b"localhost", b"127.0.0.1", b"\xff"]).map(
        lambda raw: ["b", raw.hex()]
    ),
    st.just(["ba", b"localhost".hex()]),
    wrong_type,
)
family = st.one_of(
    st.sampled_from([0, 1, 2, 10, 99, -1, 2**32 + 2]).map(_tag("i")), any_int
)
# Option numbers other than Linger (1), whose interval is drawn below.
option = st.one_of(
    st.sampled_from([0, *range(2, 20), -1]).map(_tag("i")), edge_int, wrong_type
)
option_value = st.one_of(any_int, address)
poll_item = st.one_of(
    st.tuples(
        sock_arg,
        st.one_of(
            st.sampled_from([0, 1, 2, 3, 4, 7, 8, -1, 0x7FFF]).map(_tag("i")), any_int
        ),
    ).map(lambda item: ["tuple", list(item)]),
    sock_arg.map(lambda item: ["tuple", [item]]),
    sock_arg,
    wrong_type,
)
poll_descs = st.one_of(st.lists(poll_item, max_size=4).map(_tag("list")), wrong_type)


def _call(method: str, *args: Strategy, **kwargs: Strategy) -> Strategy:
    return st.tuples(slot, st.tuples(*args), st.fixed_dictionaries(kwargs)).map(
        lambda drawn: ["call", drawn[0], method, list(drawn[1]), drawn[2]]
    )


def _op(kind: str, *args: Strategy) -> Strategy:
    return st.tuples(*args).map(lambda drawn: [kind, *drawn])


linger = st.tuples(
    slot,
    any_int,
    st.one_of(
        st.integers(0, 999).map(_tag("i")),
        st.integers(0, 999).map(lambda ms: ["i", ms + 2**32]),
        wrong_type,
    ),
).map(
    lambda drawn: [
        "call",
        drawn[0],
        "set_socket_option",
        [["i", 1], drawn[1], drawn[2]],
        {},
    ]
)

OPERATIONS = st.one_of(
    _call("bind", address),
    _call("listen"),
    _call("listen", any_int),
    _call("connect", address, timeout),
    _call("accept", timeout),
    _call("accept_read", size, timeout),
    _call("shutdown"),
    _call("shutdown", any_int),
    _call("close"),
    _call("close"),
    _call("recv", size, timeout),
    _call("recv", size, timeout),
    _call("read", timeout=timeout),
    _call("read", size, timeout=timeout),
    _call("readline", size, timeout=timeout),
    _call("readlines", size, timeout=timeout),
    _call("recv_from", size, address, timeout),
    _call("send", buffer, timeout),
    _call("send", buffer, timeout),
    _call("sendall", buffer, timeout),
    _call("send_to", buffer, address, timeout),
    _call("get_sock_name"),
    _call("get_peer_name"),
    _call("fileno"),
    _call("get_socket_option", any_int),
    _call("get_socket_option", option),
    _call("set_socket_option", option, option_value),
    _call("set_socket_option", option),
    _call("set_socket_option", option, option_value, option_value),
    _call("set_socket_option", st.just(["i", 0]), any_int),
    linger,
    _op("get", slot, st.sampled_from(["desc_type", "family", "netaddr"])),
    _op("set-family", slot, family),
    _op("text", slot),
    _op("iter", slot),
    _op("reinit", slot, st.lists(st.one_of(family, any_int), max_size=2)),
    _op("new-pair"),
    _op("import-dup", slot),
    _op("import", st.one_of(any_int, st.integers(0, 40).map(_tag("i")))),
    _op("poll", poll_descs, timeout),
    _op(
        "makefile",
        slot,
        st.lists(
            st.one_of(
                st.sampled_from(["r", "rb", "w", "wb", "rw", "x"]).map(_tag("s")),
                any_int,
            ),
            max_size=2,
        ),
    ),
    _op(
        "module",
        st.sampled_from(
            [
                "htons",
                "ntohs",
                "htonl",
                "ntohl",
                "addr_family_name",
                "get_proto_by_number",
                "seconds_to_interval",
                "interval_to_microseconds",
                "get_nspr_error_string",
            ]
        ),
        st.lists(any_int, max_size=2),
    ),
    _op(
        "module",
        st.just("get_proto_by_name"),
        st.lists(
            st.one_of(
                st.sampled_from(["tcp", "udp", "icmp", "x" * 300, "tcp\0"]).map(
                    _tag("s")
                ),
                wrong_type,
            ),
            max_size=2,
        ),
    ),
    _op(
        "address",
        st.lists(
            st.one_of(st.sampled_from([0, 1, 2, 3]).map(_tag("i")), any_int, host_name),
            max_size=3,
        ),
    ),
    _op("address-port", st.sampled_from(ADDRESS_NAMES), any_int),
    _op(
        "address-from-string",
        st.sampled_from(ADDRESS_NAMES),
        st.lists(st.one_of(host_name, family), min_size=1, max_size=2),
    ),
    _op("address-text", st.sampled_from(ADDRESS_NAMES)),
    _op(
        "addrinfo",
        st.lists(st.one_of(host_name, family), min_size=1, max_size=3),
        any_int,
    ),
    _op(
        "hostentry",
        st.one_of(
            st.sampled_from(["localhost", "127.0.0.1", "localhost\0x"]).map(_tag("s")),
            st.just(["addr", "lo4"]),
            st.just(["addr", "bare"]),
            wrong_type,
        ),
        any_int,
    ),
    _op(
        "error",
        st.lists(st.one_of(st.text(max_size=5).map(_tag("s")), any_int), max_size=3),
    ),
)
PROGRAMS = st.lists(OPERATIONS, min_size=min(10, STEPS), max_size=STEPS)


# -- running one program -----------------------------------------------------------


class Report:
    """What a child said about a program, and how it ended."""

    def __init__(
        self, returncode: Optional[int], lines: List[str], stderr: str, timeout: float
    ) -> None:
        self.returncode = returncode
        self.lines = lines
        self.stderr = stderr
        self.timeout = timeout

    @property
    def last_started(self) -> Optional[int]:
        started = [int(line[2:]) for line in self.lines if line.startswith("> ")]
        return started[-1] if started else None

    def problems(self) -> List[str]:
        found = [line for line in self.lines if line.startswith("! ")]
        if self.returncode is None:
            found.append(
                "the child hung (no end in %.0f s) in op %s"
                % (self.timeout, self.last_started)
            )
        elif self.returncode < 0:
            found.append(
                "the child was killed by signal %d in op %s"
                % (-self.returncode, self.last_started)
            )
        elif self.returncode != 0 or "done" not in self.lines:
            tail = " | ".join(self.stderr.strip().splitlines()[-5:])
            found.append(
                "the child exited with %d in op %s: %s"
                % (self.returncode, self.last_started, tail)
            )
        return found


def run_program(
    backend: str, ops: List[Tagged], timeout: float = CHILD_TIMEOUT
) -> Report:
    program = json.dumps({"backend": backend, "ops": ops})
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD_CODE],
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=stderr,
        )
        returncode: Optional[int]
        try:
            child.communicate(program.encode(), timeout=timeout)
            returncode = child.returncode
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            returncode = None
        finally:
            # Interrupted otherwise (pytest-timeout, Ctrl-C): a hung child
            # must not go on spinning after the test.
            if child.poll() is None:
                child.kill()
                child.wait()
        stdout.seek(0)
        stderr.seek(0)
        lines = stdout.read().decode("utf-8", "replace").splitlines()
        return Report(
            returncode, lines, stderr.read().decode("utf-8", "replace"), timeout
        )


def _failure_text(backend: str, ops: List[Tagged], problems: List[str]) -> str:
    saved = tempfile.NamedTemporaryFile(
        "w", prefix="nspr-ctypes-fuzz-", suffix=".json", delete=False
    )
    with saved:
        json.dump({"backend": backend, "ops": ops}, saved)
    listing = "\n".join(
        "  %3d %s" % (index, json.dumps(op)) for index, op in enumerate(ops)
    )
    return (
        "%s\nprogram (saved in %s; replay: cd tests && PYTHONPATH=.. python -m safety._fuzz_program < %s):\n%s"
        % (
            "\n".join(problems),
            saved.name,
            saved.name,
            listing,
        )
    )


def _settings() -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )


def _seeded(test: TestFunction) -> TestFunction:
    return hypothesis.seed(int(SEED))(test) if SEED is not None else test


# -- the tests ---------------------------------------------------------------------


@pytest.mark.difference(
    "random call sequences never crash (python-nss: SIGSEGV)", crashes=True
)
def test_random_call_sequences(target: str) -> None:
    if target == ORACLE:
        pytest.skip("the fuzz programs run on the nspr_ctypes backends")

    @_seeded
    @_settings()
    @hypothesis.given(PROGRAMS)
    def check(ops: List[Tagged]) -> None:
        report = run_program(target, ops)
        problems = report.problems()
        assert not problems, _failure_text(target, ops, problems)

    check()


KNOWN_PROGRAMS: Dict[str, List[Tagged]] = {
    # Every socket closed twice, then used: no crash, no leak.
    "close-everything-twice": [["call", name, "close", [], {}] for name in SOCKET_SLOTS]
    * 2
    + [["call", "c", "send", [["b", "78"], ["i", 0]], {}], ["text", "c"]],
    # A duplicate of a descriptor imported and closed: the original still works.
    "imported-duplicate": [
        ["import-dup", "c"],
        ["call", "n", "close", [], {}],
        ["call", "c", "send", [["b", "78"], ["i", 5]], {}],
        ["call", "c", "close", [], {}],
    ],
    # Pairs dropped without close() are closed by their finalizers, and a
    # re-initialised socket releases its old descriptor: nothing leaks.
    "dropped-sockets": [["new-pair"]] * 5 + [["reinit", "x", [["i", 2], ["i", 3]]]] * 5,
}


@pytest.mark.parametrize("name", sorted(KNOWN_PROGRAMS))
@pytest.mark.difference(
    "these call sequences never crash (python-nss: SIGSEGV)", crashes=True
)
def test_known_programs(name: str, target: str) -> None:
    """Fixed programs for the cases random ones reach rarely; also a check
    that the child reports what it ran."""
    if target == ORACLE:
        pytest.skip("the fuzz programs run on the nspr_ctypes backends")
    ops = KNOWN_PROGRAMS[name]
    report = run_program(target, ops)
    problems = report.problems()
    assert not problems, _failure_text(target, ops, problems)
    assert report.last_started == len(ops) - 1


@pytest.mark.parametrize(
    "ops, timeout, expected",
    [
        (
            [["text", "c"], ["signal", 11]],
            CHILD_TIMEOUT,
            "the child was killed by signal 11 in op 1",
        ),
        # The child must start and reach op 1 within the timeout, also on a
        # loaded machine; it sleeps far longer.
        ([["text", "c"], ["sleep", 60]], 5.0, "the child hung (no end in 5 s) in op 1"),
        ([["get", "c", "no_such_attribute"]], CHILD_TIMEOUT, "! 0 AttributeError: "),
    ],
    ids=["crash", "hang", "disallowed-exception"],
)
def test_the_runner_reports_problems(
    ops: List[Tagged], timeout: float, expected: str, target: str
) -> None:
    """A child that dies, hangs or raises something not allowed is a problem,
    with the op named (so a fuzz run cannot pass by not looking)."""
    if target == ORACLE:
        pytest.skip("the fuzz programs run on the nspr_ctypes backends")
    problems = run_program(target, ops, timeout=timeout).problems()
    assert [problem for problem in problems if problem.startswith(expected)], problems
