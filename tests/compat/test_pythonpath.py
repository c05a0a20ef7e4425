"""The alias directory on ``PYTHONPATH``: a plain ``python`` gets nspr_ctypes as ``nss``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ._harness import ALIAS_DIR, ORACLE_PYTHON, TIMEOUT, child_env, run, write

PROBE = """
    import nss
    import nss.error
    import nss.io
    import nspr_ctypes
    print(nss.__file__)
    print(nss.io is nspr_ctypes.io, nss.error is nspr_ctypes.error)
"""


def test_plain_python_imports_the_alias_from_pythonpath(
    tmp_path: Path, backend: str
) -> None:
    script = write(tmp_path, "probe.py", PROBE)
    result = run([str(script)], backend, tmp_path, pythonpath=[ALIAS_DIR])
    assert result.stdout.splitlines() == [
        os.path.join(ALIAS_DIR, "nss", "__init__.py"),
        "True True",
    ], result.stderr


def test_alias_without_nspr_ctypes_says_what_is_missing(tmp_path: Path) -> None:
    # Only the alias directory on PYTHONPATH, nspr_ctypes nowhere: -S keeps
    # site-packages (where an installed nspr_ctypes lives) off sys.path.
    result = subprocess.run(
        [sys.executable, "-S", "-c", "import nss.io"],
        cwd=str(tmp_path),
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": ALIAS_DIR},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 1
    assert (
        "ImportError: the nss alias at %s needs nspr_ctypes"
        % os.path.join(ALIAS_DIR, "nss")
        in result.stderr
    )


def _python_nss_is_importable() -> bool:
    if not os.path.exists(ORACLE_PYTHON):
        return False
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    probe = subprocess.run(
        [ORACLE_PYTHON, "-c", "import nss.io"],
        env=env,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    return probe.returncode == 0


def test_alias_shadows_an_installed_python_nss(tmp_path: Path, backend: str) -> None:
    if not _python_nss_is_importable():
        pytest.skip("python-nss is not importable by %s" % ORACLE_PYTHON)
    nspr_ctypes_there = subprocess.run(
        [ORACLE_PYTHON, "-c", "import nspr_ctypes.io"],
        env=child_env(backend),
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    if nspr_ctypes_there.returncode != 0:
        pytest.skip("%s cannot import this nspr_ctypes" % ORACLE_PYTHON)
    script = write(tmp_path, "probe.py", PROBE)
    result = run(
        [str(script)], backend, tmp_path, python=ORACLE_PYTHON, pythonpath=[ALIAS_DIR]
    )
    assert result.stdout.splitlines() == [
        os.path.join(ALIAS_DIR, "nss", "__init__.py"),
        "True True",
    ], result.stderr


def test_runner_under_the_system_python_uses_the_alias(
    tmp_path: Path, backend: str
) -> None:
    if not _python_nss_is_importable():
        pytest.skip("python-nss is not importable by %s" % ORACLE_PYTHON)
    script = write(tmp_path, "probe.py", PROBE)
    result = run(
        ["-m", "nspr_ctypes.compat", str(script)],
        backend,
        tmp_path,
        python=ORACLE_PYTHON,
    )
    if "No module named nspr_ctypes" in result.stderr:
        pytest.skip("%s cannot import this nspr_ctypes" % ORACLE_PYTHON)
    assert result.stdout.splitlines() == [
        os.path.join(ALIAS_DIR, "nss", "__init__.py"),
        "True True",
    ], result.stderr
