"""``benchmarks/run.py --quick`` still runs, so the benchmarks cannot rot.

One quick run in a subprocess (a few seconds) on this interpreter, with the
absolute table too; it must report every paired workload and every absolute
benchmark for each implementation that loads here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest

import nspr_ctypes
from nspr_ctypes.backends.errors import BackendError

RUN_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"

BENCHMARKS = {
    "address_literal",
    "address_constant",
    "intervals",
    "create_close",
    "ping_pong_1B",
    "ping_pong_1B_thread",
    "bulk_64KiB",
    "bulk_1MiB",
    "readline",
    "poll_64",
    "accept_connect",
}
# Benchmarks of an nss.io function the socket module has no equivalent of.
NO_SOCKET_EQUIVALENT = {"address_constant", "intervals"}
# The paired workloads: the rows of the speed-target table.
WORKLOADS = {
    "create_close",
    "churn",
    "ping_pong_thread",
    "ping_pong_process",
    "recv_1B_queued",
    "bulk_64KiB",
    "bulk_sendall_1MiB",
    "bulk_recv_into",
    "poll_1_idle_1_ready",
    "poll_64_idle_1_ready",
    "readline_80B",
    "makefile_readline_80B",
    "htonl",
    "milliseconds_to_interval",
    "interval_now",
    "netaddr_new",
    "netaddr_str",
    "e2e_poll_server",
    "e2e_http_keepalive",
}
MEMORY_ROW = "memory per idle socket, bytes (tracemalloc)"
# Workloads of a method nspr_ctypes may not have yet: measured when it has it.
MAY_BE_UNAVAILABLE = {"bulk_recv_into": "Socket.recv_into not available"}

pytestmark = pytest.mark.timeout(90)


def _nspr_backend_loads() -> bool:
    try:
        nspr_ctypes.load_backend("nspr")
    except BackendError:
        return False
    return True


class QuickRun:
    def __init__(self, stdout: str, raw: Dict[str, Any]) -> None:
        self.stdout = stdout
        self.raw = raw

    def rows(self) -> Set[Tuple[str, str]]:
        """(benchmark, implementation) of every row of the timing table."""
        found = set()
        for line in self.stdout.splitlines():
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if len(cells) == 7 and cells[0] in BENCHMARKS:
                found.add((cells[0], cells[1]))
        return found

    def paired_rows(self) -> Dict[str, List[str]]:
        """The cells of each row of the paired table, by workload."""
        found = {}
        for line in self.stdout.splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == 10 and (cells[0] in WORKLOADS or cells[0] == MEMORY_ROW):
                found[cells[0]] = cells
        return found

    def implementations(self) -> List[str]:
        return ["nspr_ctypes/stdlib", "socket"] + (
            ["nspr_ctypes/nspr"] if _nspr_backend_loads() else []
        )


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    raw_path = tmp_path_factory.mktemp("benchmarks") / "raw.json"
    result = subprocess.run(
        [
            sys.executable,
            str(RUN_SCRIPT),
            "--quick",
            "--absolute",
            "--json",
            str(raw_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return QuickRun(result.stdout, json.loads(raw_path.read_text()))


def test_every_benchmark_has_a_row_per_implementation(quick_run: QuickRun) -> None:
    rows = quick_run.rows()
    for implementation in quick_run.implementations():
        expected = BENCHMARKS
        if implementation == "socket":
            expected = BENCHMARKS - NO_SOCKET_EQUIVALENT
        missing = {name for name in expected if (name, implementation) not in rows}
        assert not missing, "%s has no row for %s" % (implementation, sorted(missing))


def test_python_nss_is_measured_or_reported_skipped(quick_run: QuickRun) -> None:
    if importlib.util.find_spec("nss") is None:
        assert "python-nss: skipped" in quick_run.stdout
        assert not any(impl == "python-nss" for _name, impl in quick_run.rows())
    else:
        assert ("ping_pong_1B", "python-nss") in quick_run.rows()


def test_nspr_backend_is_measured_or_reported_skipped(quick_run: QuickRun) -> None:
    measured = ("create_close", "nspr_ctypes/nspr") in quick_run.rows()
    assert measured == _nspr_backend_loads()
    if not measured:
        assert "nspr_ctypes/nspr: skipped" in quick_run.stdout


def test_ratio_conventions_are_stated(quick_run: QuickRun) -> None:
    assert "> 1 means faster than python-nss" in quick_run.stdout
    assert "> 1 means slower than the peer" in quick_run.stdout


def test_every_workload_is_measured_for_every_implementation(
    quick_run: QuickRun,
) -> None:
    expected = set(quick_run.implementations()) - {"socket"}
    if importlib.util.find_spec("nss") is not None:
        expected.add("python-nss")
    measured: Dict[str, Set[str]] = {name: set() for name in WORKLOADS}
    unavailable: Dict[str, Set[str]] = {name: set() for name in WORKLOADS}
    for result in quick_run.raw["paired"]:
        if result["unavailable"] is None:
            assert len(result["ns_per_call"]) == quick_run.raw["rounds"]
            assert all(value > 0 for value in result["ns_per_call"])
            measured[result["workload"]].add(result["target"])
        else:
            assert result["unavailable"] == MAY_BE_UNAVAILABLE[result["workload"]]
            unavailable[result["workload"]].add(result["target"])
    for name in WORKLOADS:
        assert measured[name] | unavailable[name] == expected, name


def test_paired_table_has_a_row_per_workload(quick_run: QuickRun) -> None:
    rows = quick_run.paired_rows()
    assert set(rows) == WORKLOADS | {MEMORY_ROW}


def test_paired_ratios_are_given_where_both_sides_ran(quick_run: QuickRun) -> None:
    has_nss = importlib.util.find_spec("nss") is not None
    for name, cells in quick_run.paired_rows().items():
        if name == MEMORY_ROW or name in MAY_BE_UNAVAILABLE:
            continue
        nspr_ratio, stdlib_ratio = cells[1], cells[5]
        if not has_nss:
            assert (nspr_ratio, stdlib_ratio) == ("—", "—"), name
            continue
        assert float(stdlib_ratio) > 0, name
        if _nspr_backend_loads():
            assert float(nspr_ratio) > 0, name
        else:
            assert nspr_ratio == "—", name


def test_unavailable_workload_is_reported_with_its_reason(quick_run: QuickRun) -> None:
    for result in quick_run.raw["paired"]:
        if result["unavailable"] is not None:
            note = "%s on %s: %s" % (
                result["workload"],
                result["target"],
                result["unavailable"],
            )
            assert note in quick_run.stdout


def test_raw_numbers_are_saved(quick_run: QuickRun) -> None:
    raw = quick_run.raw
    assert raw["failures"] == []
    repeats = raw["settings"]["repeats"]
    timings = raw["timings"]
    assert {t["benchmark"] for t in timings} == BENCHMARKS
    for timing in timings:
        assert len(timing["ns_per_op"]) == repeats
        assert all(value > 0 for value in timing["ns_per_op"])
        assert timing["min"] <= timing["median"]
    memory = {m["target"]: m for m in raw["memory"]}
    for implementation in quick_run.implementations():
        traced = memory[implementation]["traced_bytes"]
        if _has_tracemalloc():
            assert traced > 0
        else:
            assert traced is None


def _has_tracemalloc() -> bool:
    try:
        import tracemalloc  # noqa: F401
    except ImportError:  # PyPy has the module but not its C part
        return False
    return True


CEILING_SCRIPT = RUN_SCRIPT.with_name("ffi_ceiling.py")
#: The workloads ffi_ceiling.py measures as bare ctypes calls.
CEILING_WORKLOADS = {
    "create_close",
    "churn",
    "ping_pong_thread",
    "ping_pong_process",
    "recv_1B_queued",
    "bulk_64KiB",
    "bulk_recv_into",
    "makefile_readline_80B",
    "poll_1_idle_1_ready",
    "poll_64_idle_1_ready",
    "interval_now",
    "e2e_poll_server",
}


@pytest.mark.skipif(not _nspr_backend_loads(), reason="the nspr backend does not load")
def test_the_ffi_ceiling_measures_every_bare_workload() -> None:
    measured = _ceiling_rows([], "bare ctypes", CEILING_WORKLOADS)
    assert set(measured) == CEILING_WORKLOADS


#: The workloads ffi_ceiling.py --exact-sends measures as bare calls that
#: send inside the exact-count window.
EXACT_SENDS_WORKLOADS = {
    "ping_pong_thread",
    "ping_pong_process",
    "makefile_readline_80B",
}


@pytest.mark.skipif(not _nspr_backend_loads(), reason="the nspr backend does not load")
def test_the_exact_sends_ceiling_measures_every_workload_it_lists() -> None:
    measured = _ceiling_rows(
        ["--exact-sends"], "exact-count ctypes", EXACT_SENDS_WORKLOADS
    )
    assert set(measured) == EXACT_SENDS_WORKLOADS


#: The workloads ffi_ceiling.py --plain-socket measures as plain socket calls.
PLAIN_SOCKET_WORKLOADS = {
    "ping_pong_thread",
    "ping_pong_process",
    "bulk_64KiB",
    "bulk_recv_into",
    "makefile_readline_80B",
    "e2e_poll_server",
}


def test_the_plain_socket_ceiling_measures_every_plain_workload() -> None:
    measured = _ceiling_rows(["--plain-socket"], "plain socket", PLAIN_SOCKET_WORKLOADS)
    assert set(measured) == PLAIN_SOCKET_WORKLOADS


def _ceiling_rows(
    options: List[str], floor: str, workloads: Set[str]
) -> Dict[str, List[str]]:
    """The table rows of ``ffi_ceiling.py --quick`` with ``options``, by
    workload, from a table whose floor is ``floor``; each checked to have both
    the floor's calls and the library timed."""
    result = subprocess.run(
        [sys.executable, str(CEILING_SCRIPT), "--quick", *options],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| %s ns/call |" % floor in result.stdout
    measured = {}
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] in workloads:
            measured[cells[0]] = cells
    for name, cells in measured.items():
        floor_ns, library_ns = cells[2], cells[3]
        # Both the floor's calls and the library were timed (a number of ns).
        assert float(floor_ns.replace(",", "")) > 0, name
        assert float(library_ns.replace(",", "")) > 0, name
    return measured
