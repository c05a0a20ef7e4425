"""Ask python-nss (the oracle), installed for the system Python, for facts as JSON.

The test environments do not have python-nss; ``/usr/bin/python3`` does (the
``python3-nss`` package). :func:`ask_oracle` runs a script there and returns
what it printed as JSON. Without python-nss the calling test is skipped with
the reason, unless ``NSPR_CTYPES_REQUIRE_ORACLE=1`` (set in CI): then it fails,
so a run never passes silently without the comparison.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Dict

import pytest

ORACLE_PYTHON = "/usr/bin/python3"
REQUIRE_ORACLE = "NSPR_CTYPES_REQUIRE_ORACLE"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ORACLE) == "1":
        pytest.fail("python-nss is required (%s=1): %s" % (REQUIRE_ORACLE, reason))
    pytest.skip(reason)


def _environment() -> Dict[str, str]:
    # The test run's PYTHONPATH and the like are not for the system Python.
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def ask_oracle(script: str) -> object:
    """The JSON value ``script`` prints when run by the oracle's Python."""
    if not os.path.exists(ORACLE_PYTHON):
        _unavailable("no %s to ask python-nss" % ORACLE_PYTHON)
    probe = subprocess.run(
        [ORACLE_PYTHON, "-c", "import nss.io, nss.error"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(),
        check=False,
    )
    if probe.returncode != 0:
        _unavailable(
            "python-nss is not importable by %s: %s"
            % (ORACLE_PYTHON, probe.stderr.strip().splitlines()[-1:])
        )
    result = subprocess.run(
        [ORACLE_PYTHON, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(),
        check=False,
    )
    assert result.returncode == 0, "the oracle script failed:\n" + result.stderr
    found: object = json.loads(result.stdout)
    return found
