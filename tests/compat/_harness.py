"""Running programs through the nss alias, in child processes.

Every test of this folder runs Python in a child process: the alias changes
what ``import nss`` means for a whole process, which must not happen to the
process running the tests (the oracle target imports python-nss there). The
children import the nspr_ctypes under test: its directory goes on
``PYTHONPATH``, and ``NSPR_CTYPES_BACKEND`` names the target's backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import nspr_ctypes
from nspr_ctypes.compat import alias_path

# Seconds a child may take; every child is bounded.
TIMEOUT = 60
# The directory that holds the nspr_ctypes package under test.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(nspr_ctypes.__file__)))
ALIAS_DIR = alias_path()
ORACLE_PYTHON = "/usr/bin/python3"


def child_env(backend: str, pythonpath: Sequence[str] = ()) -> Dict[str, str]:
    """The environment of a child: the backend, and ``pythonpath`` followed by
    the directory of the nspr_ctypes under test on ``PYTHONPATH``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NSPR_CTYPES_BACKEND"] = backend
    env["PYTHONPATH"] = os.pathsep.join([*pythonpath, PACKAGE_ROOT])
    return env


def write(directory: Path, name: str, source: str) -> Path:
    """Write the program ``source`` (dedented) as ``directory / name``."""
    path = directory / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def run(
    args: Sequence[str],
    backend: str,
    cwd: Path,
    python: Optional[str] = None,
    pythonpath: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run ``python args...`` in ``cwd`` and wait for it (bounded)."""
    command: List[str] = [python or sys.executable, *args]
    return subprocess.run(
        command,
        cwd=str(cwd),
        env=child_env(backend, pythonpath),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def run_compat(
    args: Sequence[str], backend: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nspr_ctypes.compat args...`` in ``cwd``."""
    return run(["-m", "nspr_ctypes.compat", *args], backend, cwd)


def lines(output: str) -> Dict[str, str]:
    """The ``key value`` lines a program printed, as a dict."""
    found = {}
    for line in output.splitlines():
        key, _, value = line.partition(" ")
        found[key] = value
    return found
