"""``python -m nspr_ctypes``: the expectation checks that CI envs rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import nspr_ctypes
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


def test_json_report_is_one_object_with_the_echo_result() -> None:
    result = _run("--json")
    assert result.returncode == 0, result
    report = json.loads(result.stdout)
    assert report["backend"] == "stdlib"
    assert report["library"] is None and report["nspr_version"] is None
    assert report["error"] is None
    assert report["echo"]["ok"] is True
    assert report["echo"]["detail"].endswith("OK")
    assert {"nspr", "stdlib"} <= {c["name"] for c in report["candidates"]}
    assert report["environment"]["NSPR_CTYPES_BACKEND"] == "stdlib"
    assert report["python"]["executable"] == sys.executable
    assert report["platform"]["system"]


def test_json_report_keeps_the_exit_status_and_says_why() -> None:
    result = _run("--json", "--no-echo", "--expect-backend", "nspr")
    assert result.returncode == 3, result
    report = json.loads(result.stdout)
    assert report["echo"] is None
    assert report["error"] == "expected backend 'nspr', loaded 'stdlib'"


def test_json_report_of_an_unknown_backend() -> None:
    result = _run("--json", "--backend", "no-such-backend")
    assert result.returncode == 2, result
    report = json.loads(result.stdout)
    assert report["backend"] is None
    assert "no-such-backend" in report["error"]


def test_help_names_the_console_script_as_it_was_called(tmp_path: Path) -> None:
    # The console script's argv[0] is its own path; -m gives __main__.py.
    script = tmp_path / "nspr-ctypes"
    script.write_text(
        "import sys\nfrom nspr_ctypes.__main__ import main\nsys.exit(main())\n"
    )
    package_parent = os.path.dirname(os.path.dirname(nspr_ctypes.__file__))
    as_script = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=package_parent),
    )
    assert as_script.stdout.startswith("usage: nspr-ctypes "), as_script
    as_module = _run("--help")
    assert as_module.stdout.startswith("usage: python -m nspr_ctypes "), as_module
