"""``python -m nspr_ctypes.compat``: its own options and usage errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ._harness import ALIAS_DIR, run, run_compat, write

BACKEND_PROGRAM = """
    import os
    import nspr_ctypes
    import nss.io
    print(nspr_ctypes.get_backend().name, os.environ["NSPR_CTYPES_BACKEND"])
"""


def test_help_shows_the_usage_and_exits_0(tmp_path: Path, backend: str) -> None:
    result = run_compat(["--help"], backend, tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(
        "usage: python -m nspr_ctypes.compat [-h] [--backend NAME] [--pythonpath] "
        "(SCRIPT | -m MODULE) [ARGS ...]"
    )


def test_no_program_is_a_usage_error(tmp_path: Path, backend: str) -> None:
    result = run_compat([], backend, tmp_path)
    assert result.returncode == 2
    assert "error: a SCRIPT or -m MODULE is required" in result.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path, backend: str) -> None:
    result = run_compat(["--no-such-option", "program.py"], backend, tmp_path)
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr


def test_options_after_the_script_belong_to_the_script(
    tmp_path: Path, backend: str
) -> None:
    script = write(tmp_path, "argv.py", "import sys\nprint(sys.argv[1:])\n")
    result = run_compat([str(script), "--help", "--backend", "x"], backend, tmp_path)
    assert result.stdout.strip() == "['--help', '--backend', 'x']"


def test_pythonpath_prints_the_alias_directory(tmp_path: Path, backend: str) -> None:
    result = run_compat(["--pythonpath"], backend, tmp_path)
    assert result.returncode == 0
    assert result.stdout == ALIAS_DIR + "\n"
    assert os.path.isfile(os.path.join(ALIAS_DIR, "nss", "__init__.py"))


@pytest.mark.parametrize("chosen", ["nspr", "stdlib"])
def test_backend_option_picks_the_backend_for_the_program(
    tmp_path: Path, backend: str, chosen: str
) -> None:
    script = write(tmp_path, "which.py", BACKEND_PROGRAM)
    result = run_compat(["--backend", chosen, str(script)], backend, tmp_path)
    if chosen == "nspr" and "nspr" in result.stderr and result.returncode == 2:
        pytest.skip("the nspr backend does not load here: %s" % result.stderr)
    assert result.stdout.split() == [chosen, chosen], result.stderr


def test_unknown_backend_exits_2(tmp_path: Path, backend: str) -> None:
    script = write(tmp_path, "which.py", BACKEND_PROGRAM)
    result = run_compat(
        ["--backend", "no-such-backend", str(script)], backend, tmp_path
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no-such-backend" in result.stderr


def test_python_nss_already_imported_exits_2(tmp_path: Path, backend: str) -> None:
    # As if site or sitecustomize had imported python-nss before the runner.
    script = write(tmp_path, "program.py", "print('ran')\n")
    starter = """
import runpy, sys, types
real = types.ModuleType("nss")
real.__file__ = "/elsewhere/nss/__init__.py"
sys.modules["nss"] = real
sys.argv = ["nspr_ctypes.compat", %r]
runpy.run_module("nspr_ctypes.compat", run_name="__main__", alter_sys=True)
""" % str(script)
    result = run(["-c", starter], backend, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        "error: python-nss is already imported (nss from /elsewhere/nss/__init__.py)"
        in result.stderr
    )


def test_double_dash_ends_the_runner_options(tmp_path: Path, backend: str) -> None:
    script = write(tmp_path, "argv.py", "import sys\nprint(sys.argv[1:])\n")
    result = run_compat(["--", str(script), "--", "-m"], backend, tmp_path)
    assert result.stdout.strip() == "['--', '-m']", result.stderr
