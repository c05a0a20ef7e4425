"""tools/run_tests.py: the README's test command says what it cannot run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parents[2]

if TYPE_CHECKING:
    from tools import run_tests
else:
    # Loaded from its file: the repository root is not on sys.path.
    _spec = importlib.util.spec_from_file_location(
        "nspr_ctypes_tools_run_tests", ROOT / "tools" / "run_tests.py"
    )
    run_tests = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = run_tests
    _spec.loader.exec_module(run_tests)


def test_oracle_without_its_interpreter_says_which(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(run_tests, "ORACLE_PYTHON", str(tmp_path / "python3"))
    reason = run_tests._missing_needs("oracle")
    assert reason is not None and str(tmp_path / "python3") in reason


def test_oracle_without_python_nss_names_the_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An interpreter that exists but has no nss module.
    monkeypatch.setattr(run_tests, "ORACLE_PYTHON", sys.executable)
    reason = run_tests._missing_needs("oracle")
    assert reason is not None and "apt-get install python3-nss" in reason


def test_other_nspr_builds_need_apt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    reason = run_tests._missing_needs("nspr-4.29")
    assert reason is not None and "apt-get" in reason


def test_envs_without_extra_needs_run() -> None:
    for env in ("py311-nspr", "lint", "docs"):
        assert run_tests._missing_needs(env) is None


@pytest.mark.parametrize(
    ("line", "env"),
    [("  py38-nspr: SKIP (0.32 seconds)", "py38-nspr"), ("lint: OK (1 s)", None)],
)
def test_tox_skip_lines_are_recognised(line: str, env: str) -> None:
    match = run_tests._SKIP_LINE.match(line)
    assert (match.group("env") if match else None) == env
