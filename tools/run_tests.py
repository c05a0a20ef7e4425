#!/usr/bin/env python3
"""Run every tox env this machine can run, and say what it could not run and why.

    python3 tools/run_tests.py [TOX ARGS...]

The README's test command. It needs only a Python 3.8+ with the ``venv``
module (Debian/Ubuntu: ``apt-get install python3-venv``):

1. tox comes from the running interpreter if it has it (4.x), else from a
   virtual environment of its own in ``.cache/test-venv`` (never a ``pip
   install`` into the system Python, which PEP 668 refuses);
2. the envs of tox.ini's ``env_list`` are run with ``-p auto`` (one env per
   CPU at a time);
3. then the example project's own matrix (``examples/tox-matrix``: a user's
   suite on the stdlib backend, the system NSPR and NSPR 4.29), as a user's
   CI would run it;
4. an env whose needs are missing is not run: an interpreter tox cannot
   find (tox's own skip), python-nss for ``/usr/bin/python3`` (the oracle),
   apt for fetching other NSPR builds. The summary at the end lists each one
   with the reason and what to install.

With ``NSPR_CTYPES_REQUIRE_ALL=1`` (CI sets it) nothing may be missing: every
env is run, and one that cannot run fails the whole run. Other arguments are
passed to tox (``-e ENV`` chooses envs). Exit status: tox's, or 1 when
something required is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
TEST_VENV = ROOT / ".cache" / "test-venv"
REQUIRE_ALL = "NSPR_CTYPES_REQUIRE_ALL"
ORACLE_PYTHON = "/usr/bin/python3"
EXAMPLE_MATRIX = ROOT / "examples" / "tox-matrix" / "tox.ini"
# tox's line for an env whose interpreter it could not find.
_SKIP_LINE = re.compile(r"^\s*(?P<env>[\w.-]+): SKIP\b")


def _tox_command() -> List[str]:
    """A command that runs tox 4, making a private venv for it if needed."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tox, sys; sys.exit(int(tox.__version__[0]) < 4)",
        ],
        capture_output=True,
    )
    if probe.returncode == 0:
        return [sys.executable, "-m", "tox"]
    python = TEST_VENV / "bin" / "python"
    if not python.exists():
        print("creating %s for tox" % TEST_VENV, flush=True)
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(TEST_VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SystemExit(
                "cannot create a virtual environment for tox (%s); on Debian/Ubuntu: "
                "apt-get install python3-venv" % exc
            ) from exc
    have = subprocess.run(
        [str(python), "-c", "import tox, sys; sys.exit(int(tox.__version__[0]) < 4)"],
        capture_output=True,
    )
    if have.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "tox>=4"], check=True
        )
    return [str(python), "-m", "tox"]


def _default_envs(tox: Sequence[str]) -> List[str]:
    listed = subprocess.run(
        [*tox, "-l"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line.strip() for line in listed.stdout.splitlines() if line.strip()]


def _missing_needs(env: str) -> Optional[str]:
    """Why ``env`` cannot run here (beyond a missing interpreter, which tox
    itself detects), or None."""
    if env == "oracle":
        if not os.path.exists(ORACLE_PYTHON):
            return "no %s (the interpreter python-nss is packaged for)" % ORACLE_PYTHON
        found = subprocess.run(
            [ORACLE_PYTHON, "-c", "import nss.io, ensurepip"], capture_output=True
        )
        if found.returncode != 0:
            return (
                "python-nss or venv is not installed for %s "
                "(apt-get install python3-nss python3-venv)" % ORACLE_PYTHON
            )
    if env.startswith("nspr-4.") and shutil.which("apt-get") is None:
        return "other NSPR builds are fetched with apt, and this machine has no apt-get"
    if env == "typing-py38" and shutil.which("python3.9") is None:
        return "mypy 1.16.1 runs from a Python 3.9 venv, and python3.9 is not on PATH"
    return None


def _run_streaming(command: List[str], not_run: Dict[str, str], prefix: str) -> int:
    """Run tox, echoing its output and noting the envs it skipped."""
    print("$ " + " ".join(command), flush=True)
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        match = _SKIP_LINE.match(line)
        if match:
            not_run[prefix + match.group("env")] = (
                "its interpreter was not found (see tox.ini)"
            )
    return process.wait()


def _example_matrix(tox: Sequence[str], strict: bool, not_run: Dict[str, str]) -> int:
    """The example project's matrix, one env at a time (each installs
    nspr_ctypes from this tree); fetched builds shared with the main run."""
    os.environ.setdefault("NSPR_CTYPES_BUILD_CACHE", str(ROOT / ".cache" / "nspr"))
    listed = subprocess.run(
        [*tox, "-c", str(EXAMPLE_MATRIX), "-l"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    envs = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
    runnable = []
    for env in envs:
        reason = _missing_needs(env)
        if reason is None:
            runnable.append(env)
        else:
            not_run["examples/tox-matrix " + env] = reason
    if strict and len(runnable) < len(envs):
        return 1
    command = [*tox, "-c", str(EXAMPLE_MATRIX), "-e", ",".join(runnable)]
    if not strict:
        command.append("--skip-missing-interpreters=true")
    return _run_streaming(command, not_run, "examples/tox-matrix ")


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    strict = os.environ.get(REQUIRE_ALL, "") not in ("", "0")
    tox = _tox_command()
    chosen_by_user = "-e" in args or any(a.startswith("-e") for a in args)
    envs = [] if chosen_by_user else _default_envs(tox)
    not_run: Dict[str, str] = {}
    for env in envs:
        reason = _missing_needs(env)
        if reason is not None:
            not_run[env] = reason
    if strict and not_run:
        for env, reason in not_run.items():
            print("cannot run %s: %s" % (env, reason), file=sys.stderr)
        print("%s is set: every env must run" % REQUIRE_ALL, file=sys.stderr)
        return 1
    command = [*tox, "-p", "auto"]
    if not strict:
        command.append("--skip-missing-interpreters=true")
    if envs:
        command += ["-e", ",".join(env for env in envs if env not in not_run)]
    command += args
    status = _run_streaming(command, not_run, "")
    if not chosen_by_user:
        status = _example_matrix(tox, strict, not_run) or status
    if not_run:
        print("\nnot run on this machine:")
        for env, reason in sorted(not_run.items()):
            print("  %-16s %s" % (env, reason))
        if strict:
            return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
