"""A real "no libnspr4" process: automatic fallback, strict failure, the CLI.

Each test runs a child interpreter in which libnspr4 genuinely cannot be
loaded. The library is hidden in a private mount namespace (``unshare -rm``):
every directory holding a ``libnspr4*`` file is replaced, for the child only,
by a directory of symlinks to all of its other entries (the original stays
reachable under a private bind mount, so libc and friends still load). The
library is then absent for every search step of the loader: the environment
variable (removed), ``CDLL("libnspr4.so")`` through ld.so.cache (its path no
longer exists), ``ctypes.util.find_library`` and the well-known directories.

On a machine without libnspr4 no hiding is needed and the child runs directly.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import pytest

from nspr_ctypes.backends import _nspr_ffi

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
NO_NAMESPACES = "platform lacks user/mount namespaces"

# The child's report is the last line of its stdout, after this marker.
MARKER = "@@RESULT@@ "

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def _child_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NSPR_CTYPES_")
    }
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def _ldconfig_paths() -> List[str]:
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    try:
        out = subprocess.run(
            [ldconfig, "-p"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return re.findall(r"^\s*libnspr4\S*\s.*=>\s*(\S+)\s*$", out, re.MULTILINE)


def _library_dirs() -> List[str]:
    """Real directories holding a libnspr4 file any search step could find."""
    candidates: List[str] = list(_nspr_ffi.WELL_KNOWN_DIRS)
    candidates.extend(os.path.dirname(path) for path in _ldconfig_paths())
    found = ctypes.util.find_library("nspr4")
    if found and os.sep in found:
        candidates.append(os.path.dirname(found))
    dirs: List[str] = []
    for directory in candidates:
        real = os.path.realpath(directory)
        if real in dirs or not os.path.isdir(real):
            continue
        if any(name.startswith("libnspr4") for name in os.listdir(real)):
            dirs.append(real)
    return dirs


def _build_shadows(base: Path, dirs: Sequence[str]) -> str:
    """Prepare the shadow directories; return the shell script mounting them."""
    steps: List[str] = []
    shadows: List[str] = []
    for index, directory in enumerate(dirs):
        original = base / ("orig%d" % index)
        shadow = base / ("shadow%d" % index)
        original.mkdir()
        shadow.mkdir()
        for name in os.listdir(directory):
            if not name.startswith("libnspr4"):
                os.symlink(original / name, shadow / name)
        # Keep the real directory reachable before covering it.
        steps.append("mount --bind %s %s" % (shlex.quote(directory), original))
        shadows.append("mount --bind %s %s" % (shadow, shlex.quote(directory)))
    return " && ".join([*steps, *shadows, 'exec "$@"'])


@pytest.fixture(scope="module")
def run_without_nspr(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """A function running ``python ARGS`` where libnspr4 cannot be loaded."""
    dirs = _library_dirs()
    prefix: List[str] = []
    if dirs:
        unshare = shutil.which("unshare")
        if unshare is None:
            pytest.skip(NO_NAMESPACES + " (no unshare command)")
        script = _build_shadows(tmp_path_factory.mktemp("hide-nspr"), dirs)
        prefix = [unshare, "-rm", "sh", "-c", script, "sh"]
        try:
            trial = subprocess.run(
                [*prefix, "true"],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.skip("%s (%s)" % (NO_NAMESPACES, exc))
        if trial.returncode != 0:
            pytest.skip("%s (%s)" % (NO_NAMESPACES, trial.stderr.strip()))

    def run(
        *args: str, env: Optional[Dict[str, str]] = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, *args],
            env=_child_env(env),
            cwd=str(ROOT),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )

    return run


def _run_code(
    run: Runner, code: str, env: Optional[Dict[str, str]] = None
) -> Dict[str, Any]:
    result = run("-c", textwrap.dedent(code), env=env)
    assert result.returncode == 0, "child failed:\n%s\n%s" % (
        result.stdout,
        result.stderr,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARKER)]
    assert lines, "no result from the child:\n%s\n%s" % (result.stdout, result.stderr)
    report: Dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    return report


def test_library_is_really_hidden(run_without_nspr: Runner) -> None:
    report = _run_code(
        run_without_nspr,
        """
        import ctypes, ctypes.util, json, os
        from nspr_ctypes.backends import _nspr_ffi
        paths = [
            os.path.join(d, n)
            for d in _nspr_ffi.WELL_KNOWN_DIRS
            for n in _nspr_ffi._LIBRARY_FILE_NAMES
        ]
        found = ctypes.util.find_library("nspr4")
        try:
            ctypes.CDLL(found or "libnspr4.so")
            loadable = True
        except OSError:
            loadable = False
        print("@@RESULT@@ " + json.dumps({
            "existing": [p for p in paths if os.path.exists(p)],
            "loadable": loadable,
        }))
        """,
    )
    assert report == {"existing": [], "loadable": False}


def test_automatic_choice_falls_back_to_stdlib(run_without_nspr: Runner) -> None:
    report = _run_code(
        run_without_nspr,
        """
        import json
        import nspr_ctypes
        from nspr_ctypes import io

        backend = nspr_ctypes.get_backend()
        diagnosis = nspr_ctypes.diagnose()
        candidates = {
            c.name: {"status": c.status, "reason": c.reason}
            for c in diagnosis.candidates
        }
        timeout = io.seconds_to_interval(10)
        with io.Socket(io.PR_AF_INET) as server:
            server.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
            server.listen()
            address = server.get_sock_name()
            with io.Socket(io.PR_AF_INET) as client:
                client.connect(address, timeout)
                conn, _peer = server.accept(timeout)
                with conn:
                    client.sendall(b"ping\\n", timeout)
                    line = conn.readline(timeout=timeout)
                    conn.sendall(b"pong\\n", timeout)
                    reply = client.readline(timeout=timeout)
        print("@@RESULT@@ " + json.dumps({
            "backend": backend.name,
            "chosen": diagnosis.chosen.name if diagnosis.chosen else None,
            "library_path": backend.library_path,
            "candidates": candidates,
            "line": line.decode(),
            "reply": reply.decode(),
            "address": address.address,
        }))
        """,
    )
    assert report["backend"] == "stdlib"
    assert report["chosen"] == "stdlib"
    assert report["library_path"] is None
    nspr = report["candidates"]["nspr"]
    assert nspr["status"] == "unavailable"
    assert "libnspr4" in nspr["reason"]
    assert "not found" in nspr["reason"]
    stdlib = report["candidates"]["stdlib"]
    assert stdlib["status"] == "chosen"
    if sys.implementation.name == "pypy":
        # stdlib comes first there: nspr is not a candidate it falls back from
        assert "on PyPy" in stdlib["reason"]
    else:
        assert "fallback" in stdlib["reason"]
        assert "libnspr4" in stdlib["reason"]  # says what it falls back from
    assert (report["line"], report["reply"]) == ("ping\n", "pong\n")
    assert report["address"] == "127.0.0.1"


def test_strict_nspr_request_fails_loudly(run_without_nspr: Runner) -> None:
    report = _run_code(
        run_without_nspr,
        """
        import json
        import nspr_ctypes
        from nspr_ctypes import io

        def describe(call):
            try:
                call()
            except BaseException as exc:
                return {
                    "type": type(exc).__name__,
                    "not_found": isinstance(exc, nspr_ctypes.LibraryNotFound),
                    "import_error": isinstance(exc, ImportError),
                    "message": str(exc),
                    "attempts": list(getattr(exc, "attempts", [])),
                }
            return None

        print("@@RESULT@@ " + json.dumps({
            "get_backend": describe(nspr_ctypes.get_backend),
            "socket": describe(lambda: io.Socket(io.PR_AF_INET).close()),
            "load_backend": describe(lambda: nspr_ctypes.load_backend("nspr")),
            "stdlib_still_loads": nspr_ctypes.load_backend("stdlib").name,
        }))
        """,
        env={"NSPR_CTYPES_BACKEND": "nspr"},
    )
    for key in ("get_backend", "socket", "load_backend"):
        failure = report[key]
        assert failure is not None, "%s did not fail" % key
        assert failure["type"] == "LibraryNotFound", failure
        assert failure["not_found"] and failure["import_error"], failure
        message = failure["message"]
        assert "libnspr4" in message
        assert "NSPR_CTYPES_LIBRARY" in message
        assert "apt-get install libnspr4" in message
        assert "dnf install nspr" in message
        assert "\nTried:\n" in message
        # What was tried is listed in the message, one "  - " line each.
        tried = message.split("\nTried:\n", 1)[1].splitlines()
        assert all(line.startswith("  - ") for line in tried), message
        assert any(line.startswith("  - libnspr4.so:") for line in tried), message
        assert "  - /usr/lib/x86_64-linux-gnu/libnspr4.so: no such file" in tried
        for attempt in failure["attempts"]:
            assert "  - " + attempt in tried
    for key in ("get_backend", "socket"):
        assert "NSPR_CTYPES_BACKEND=nspr was requested" in report[key]["message"]
    assert report["stdlib_still_loads"] == "stdlib"


def test_main_module_reports_stdlib_and_round_trips(run_without_nspr: Runner) -> None:
    result = run_without_nspr("-m", "nspr_ctypes")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "backend: stdlib" in lines, result.stdout
    assert "NSPR version: (emulated)" in lines, result.stdout
    assert any(
        re.match(r"\s*nspr\s+unavailable\s.*libnspr4", line) for line in lines
    ), result.stdout
    assert re.search(
        r"^echo round trip via 127\.0\.0\.1:\d+: sent and received \d+ bytes "
        r"in [\d.]+ ms: OK$",
        result.stdout,
        re.MULTILINE,
    ), result.stdout


def test_main_module_strict_nspr_exits_with_the_reason(
    run_without_nspr: Runner,
) -> None:
    result = run_without_nspr("-m", "nspr_ctypes", "--backend", "nspr")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: " in result.stderr
    assert "libnspr4" in result.stderr
    assert "NSPR_CTYPES_LIBRARY" in result.stderr
    assert "echo round trip" not in result.stdout
