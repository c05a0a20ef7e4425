"""``benchmarks/run.py --quick`` still runs, so the benchmarks cannot rot.

One quick run in a subprocess (a few seconds) on this interpreter; it must
report every benchmark for each implementation that loads here.
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

    def implementations(self) -> List[str]:
        return ["nspr_ctypes/stdlib", "socket"] + (
            ["nspr_ctypes/nspr"] if _nspr_backend_loads() else []
        )


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    raw_path = tmp_path_factory.mktemp("benchmarks") / "raw.json"
    result = subprocess.run(
        [sys.executable, str(RUN_SCRIPT), "--quick", "--json", str(raw_path)],
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


def test_ratio_convention_is_stated(quick_run: QuickRun) -> None:
    assert "> 1 means slower than the peer" in quick_run.stdout


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
