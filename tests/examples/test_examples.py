"""Every program of ``examples/`` runs by itself, on each backend, to ``OK: ...``.

The programs are found, not listed: a new ``examples/NAME.py`` is tested
without a change here. Each runs in a child process (``sys.executable``,
bounded) from the system's temporary directory, with ``NSPR_CTYPES_BACKEND`` naming the
backend under test and the nspr_ctypes under test on ``PYTHONPATH``. The
convention every example follows: exit status 0, and a last line starting
with ``OK: ``. A program that imports ``nss`` (a python-nss program) is run
as the examples say, through ``python -m nspr_ctypes.compat``; the others
also print ``backend: NAME``.

The examples use nspr_ctypes only, so nothing here runs on the oracle.
"""

from __future__ import annotations

import ast
import functools
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Dict, List, Optional, Sequence

import pytest

import nspr_ctypes
from nspr_ctypes import builds

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PROGRAMS = sorted(path.name for path in EXAMPLES.glob("*.py"))
# The directory that holds the nspr_ctypes package under test.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(nspr_ctypes.__file__)))
# Seconds a child may take; every child is bounded.
TIMEOUT = 60
REQUIRE_BUILDS = "NSPR_CTYPES_REQUIRE_BUILDS"
# The children's working directory: neither the repository nor examples/, so
# an example works from wherever it is started.
CWD = tempfile.gettempdir()

# Fetched NSPR builds: the repository's cache unless NSPR_CTYPES_BUILD_CACHE
# names another (as tests/versions does).
BUILD_CACHE = Path(
    os.environ.get(builds.ENV_CACHE, "").strip() or ROOT / ".cache" / "nspr"
)


@pytest.fixture
def backend(target: str) -> str:
    """The backend the examples run on (``NSPR_CTYPES_BACKEND``)."""
    if target == "oracle":
        pytest.skip("the examples run on nspr_ctypes, not on python-nss")
    return target


def child_env(backend: str, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment of an example: ``backend`` and no other NSPR_CTYPES_*
    setting, and the nspr_ctypes under test importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NSPR_CTYPES_")}
    env.pop("OTHER_NSPR_LIBRARY", None)  # switch_nspr_versions.py's second build
    env["NSPR_CTYPES_BACKEND"] = backend
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")) if part
    )
    env.update(extra or {})
    return env


def imports_nss(name: str) -> bool:
    """Whether the example imports python-nss's ``nss`` package."""
    tree = ast.parse((EXAMPLES / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module]
        else:
            continue
        if any(module.split(".")[0] == "nss" for module in modules):
            return True
    return False


def command(name: str, args: Sequence[str] = ()) -> List[str]:
    """How the examples say to run ``name``."""
    path = str(EXAMPLES / name)
    if imports_nss(name):
        return [sys.executable, "-m", "nspr_ctypes.compat", path, *args]
    return [sys.executable, path, *args]


def run(
    name: str,
    backend: str,
    args: Sequence[str] = (),
    extra_env: Optional[Dict[str, str]] = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(name, args),
        cwd=CWD,
        env=child_env(backend, extra_env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@functools.lru_cache(maxsize=None)
def run_alone(name: str, backend: str) -> subprocess.CompletedProcess[str]:
    """``python examples/NAME`` with no arguments, once per backend."""
    return run(name, backend)


def last_line(output: str) -> str:
    lines = output.strip().splitlines()
    return lines[-1] if lines else ""


def account(result: subprocess.CompletedProcess[str]) -> str:
    return "exit status %d\n--- stdout\n%s--- stderr\n%s" % (
        result.returncode,
        result.stdout,
        result.stderr,
    )


def test_examples_are_found() -> None:
    assert {"echo_client.py", "echo_server.py", "poll_server.py"} <= set(PROGRAMS)


@pytest.mark.parametrize("name", PROGRAMS)
def test_example_runs_alone_to_ok(backend: str, name: str) -> None:
    result = run_alone(name, backend)
    assert result.returncode == 0, account(result)
    assert last_line(result.stdout).startswith("OK: "), account(result)


@pytest.mark.parametrize("name", [name for name in PROGRAMS if not imports_nss(name)])
def test_example_prints_its_backend(backend: str, name: str) -> None:
    result = run_alone(name, backend)
    assert re.search(r"^(default )?backend: %s\b" % backend, result.stdout, re.M), (
        account(result)
    )


@pytest.mark.parametrize("name", PROGRAMS)
def test_example_says_how_to_run_it(name: str) -> None:
    tree = ast.parse((EXAMPLES / name).read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree) or ""
    assert "examples/%s" % name in docstring


@pytest.mark.parametrize("name", PROGRAMS)
def test_example_is_in_the_readme(name: str) -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert "`%s`" % name in readme


def forward_lines(stream: IO[str], lines: queue.Queue[str]) -> None:
    """Put every line of ``stream`` in ``lines``, until EOF."""
    for line in stream:
        lines.put(line)


def test_echo_client_talks_to_a_separate_echo_server(backend: str) -> None:
    server = subprocess.Popen(
        command(
            "echo_server.py", ["--port", "0", "--max-clients", "1", "--idle", "30"]
        ),
        cwd=CWD,
        env=child_env(backend),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        server_lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(
            target=forward_lines, args=(server.stdout, server_lines), daemon=True
        )
        reader.start()
        port = None
        while port is None:
            line = server_lines.get(timeout=TIMEOUT)
            match = re.match(r"listening on 127\.0\.0\.1:(\d+)$", line.strip())
            port = match.group(1) if match else None
        client = run("echo_client.py", backend, ["--port", port, "one", "two"])
        assert server.wait(TIMEOUT) == 0
        reader.join(TIMEOUT)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(TIMEOUT)
    assert client.returncode == 0, account(client)
    assert last_line(client.stdout) == "OK: 2 line(s) echoed"
    server_output = []
    while not server_lines.empty():
        server_output.append(server_lines.get_nowait())
    assert "OK: echo server stopped after 1 client(s)" in "".join(server_output)


def test_switch_nspr_versions_runs_two_nspr_builds(backend: str) -> None:
    try:
        library = str(builds.fetch("4.29", BUILD_CACHE))
    except builds.FetchError as exc:
        if os.environ.get(REQUIRE_BUILDS) == "1":
            pytest.fail("NSPR 4.29 is required (%s=1): %s" % (REQUIRE_BUILDS, exc))
        pytest.skip("NSPR 4.29 cannot be fetched: %s" % exc)
    result = run("switch_nspr_versions.py", backend, ["--library", library])
    assert result.returncode == 0, account(result)
    assert re.search(r"^second: nspr \(.*, NSPR 4\.29\)$", result.stdout, re.M)
    assert last_line(result.stdout).startswith("OK: ")
