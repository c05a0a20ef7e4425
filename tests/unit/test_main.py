"""``python -m nspr_ctypes``: the expectation checks that CI envs rely on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from nspr_ctypes import load_backend
from nspr_ctypes.__main__ import expectation_failures


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("NSPR_CTYPES_LIBRARY", None)
    env["NSPR_CTYPES_BACKEND"] = "stdlib"
    return subprocess.run(
        [sys.executable, "-m", "nspr_ctypes", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_nothing_expected_means_no_failure() -> None:
    assert expectation_failures(load_backend("stdlib")) == []


def test_wrong_backend_name_is_reported() -> None:
    failures = expectation_failures(load_backend("stdlib"), name="nspr")
    assert failures == ["expected backend 'nspr', loaded 'stdlib'"]


def test_emulation_has_no_version_and_no_library() -> None:
    failures = expectation_failures(
        load_backend("stdlib"), version="4.35", library="/x/libnspr4.so"
    )
    assert failures == [
        "expected NSPR 4.35, loaded (none)",
        "expected library /x/libnspr4.so, loaded (none)",
    ]


@pytest.mark.parametrize(
    ("expected", "matches"),
    [("4", True), ("4.35", True), ("4.3", False), ("4.29", False)],
)
def test_version_matches_whole_components_only(expected: str, matches: bool) -> None:
    try:
        backend = load_backend("nspr")
    except ImportError as exc:
        pytest.skip("no libnspr4 here: %s" % exc)
    assert backend.version is not None
    if not backend.version.startswith("4.35"):
        pytest.skip("this check is written for NSPR 4.35, loaded %s" % backend.version)
    failures: List[str] = expectation_failures(backend, version=expected)
    assert (failures == []) is matches


def test_library_is_compared_after_resolving_links(
    tmp_path: Path,
) -> None:
    try:
        backend = load_backend("nspr")
    except ImportError as exc:
        pytest.skip("no libnspr4 here: %s" % exc)
    assert backend.library_path is not None
    link = str(tmp_path / "libnspr4.so")
    os.symlink(backend.library_path, link)
    assert expectation_failures(backend, library=link) == []
    other = str(tmp_path / "other.so")
    assert expectation_failures(backend, library=other) != []


def test_cli_exits_3_and_says_why_when_not_as_expected() -> None:
    result = _run("--no-echo", "--expect-backend", "nspr")
    assert result.returncode == 3, result
    assert "not as expected: expected backend 'nspr', loaded 'stdlib'" in result.stderr
    assert "backend: stdlib" in result.stdout


def test_cli_passes_when_as_expected_and_skips_the_echo() -> None:
    result = _run("--no-echo", "--expect-backend", "stdlib")
    assert result.returncode == 0, result
    assert "echo round trip" not in result.stdout


def test_cli_runs_the_echo_by_default() -> None:
    result = _run()
    assert result.returncode == 0, result
    assert "echo round trip" in result.stdout and result.stdout.rstrip().endswith("OK")
