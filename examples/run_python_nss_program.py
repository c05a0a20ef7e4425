"""Running a python-nss program, unchanged, on nspr_ctypes.

Shows the three parts of the ``nss`` alias (docs/porting.md):

1. ``python -m nspr_ctypes.compat python_nss_program.py``: the runner, here
   in a child process started with ``sys.executable``;
2. ``nspr_ctypes.compat.install()`` in this process, after which
   ``import nss.io`` gives ``nspr_ctypes.io`` and the same program runs
   in-process;
3. ``import nss.ssl`` failing with an ImportError that says why: the alias
   provides ``nss.io`` and ``nss.error`` only, not NSS proper.

Run it::

    python examples/run_python_nss_program.py
    NSPR_CTYPES_BACKEND=stdlib python examples/run_python_nss_program.py
"""

from __future__ import annotations

import os
import subprocess
import sys

import nspr_ctypes
import nspr_ctypes.compat

PROGRAM = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "python_nss_program.py"
)
TIMEOUT_SECONDS = 60


def run_with_runner() -> None:
    """``python -m nspr_ctypes.compat PROGRAM`` in a child process."""
    # The child must import this same nspr_ctypes: put its directory on
    # PYTHONPATH (an installed nspr_ctypes is found anyway). The child
    # inherits NSPR_CTYPES_BACKEND, so it runs on the same backend.
    package_root = os.path.dirname(
        os.path.dirname(os.path.abspath(nspr_ctypes.__file__))
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (package_root, env.get("PYTHONPATH")) if part
    )
    command = [sys.executable, "-m", "nspr_ctypes.compat", PROGRAM]
    print("1. $ python -m nspr_ctypes.compat %s" % os.path.basename(PROGRAM))
    result = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    for line in (result.stdout + result.stderr).splitlines():
        print("   | " + line)
    if result.returncode != 0:
        raise SystemExit("the program exited with status %d" % result.returncode)


def run_with_install() -> None:
    """install() in this process, then the program's main()."""
    print("2. nspr_ctypes.compat.install(), then the program in this process")
    nspr_ctypes.compat.install()
    import nss.io

    print("   nss.io is nspr_ctypes.io: %s" % (nss.io is nspr_ctypes.io))
    import python_nss_program  # next to this file; its "import nss.io" is ours

    status = python_nss_program.main()
    if status != 0:
        raise SystemExit("the program's main() returned %d" % status)


def show_nss_ssl_missing() -> None:
    """``import nss.ssl`` under the alias: an ImportError naming the module."""
    print("3. import nss.ssl")
    try:
        import nss.ssl  # noqa: F401
    except ImportError as exc:
        print("   ImportError (name=%r): %s" % (exc.name, exc))
    else:
        raise SystemExit("import nss.ssl worked: this is not the alias")


def main() -> int:
    print("backend: %s" % nspr_ctypes.get_backend().describe())
    run_with_runner()
    run_with_install()
    show_nss_ssl_missing()
    print("OK: the python-nss program ran unchanged, in a child and in-process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
