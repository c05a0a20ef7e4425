"""The backend registry: lazy loading, strict choices, plugins, diagnose()."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

import nspr_ctypes
from nspr_ctypes import backends

ROOT = Path(__file__).resolve().parents[2]


def run_python(
    code: str, env: Optional[Dict[str, str]] = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with nspr_ctypes importable."""
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NSPR_CTYPES_")
    }
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), full_env.get("PYTHONPATH", "")]
    )
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """Forget the default backend before and after the test."""
    backends._reset_for_tests()
    yield
    backends._reset_for_tests()


def test_import_loads_no_backend_and_no_ctypes() -> None:
    result = run_python(
        """
        import sys
        import nspr_ctypes
        from nspr_ctypes import io, error
        loaded = sorted(m for m in sys.modules if m.startswith("nspr_ctypes.backends."))
        print(loaded, "ctypes" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['nspr_ctypes.backends._base', 'nspr_ctypes.backends.errors'] False"
    )


def test_backend_env_is_strict_and_recorded() -> None:
    result = run_python(
        """
        import nspr_ctypes
        backend = nspr_ctypes.get_backend()
        report = nspr_ctypes.diagnose()
        chosen = [c for c in report.candidates if c.status == "chosen"]
        print(backend.name, chosen[0].name, chosen[0].reason)
        """,
        env={"NSPR_CTYPES_BACKEND": "nspr"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nspr nspr requested by NSPR_CTYPES_BACKEND=nspr"


def test_unknown_backend_name_raises_import_error_listing_registered() -> None:
    result = run_python(
        """
        import nspr_ctypes
        try:
            nspr_ctypes.get_backend()
        except ImportError as exc:
            print(type(exc).__name__)
            print(exc)
        """,
        env={"NSPR_CTYPES_BACKEND": "nosuch"},
    )
    assert result.returncode == 0, result.stderr
    name, message = result.stdout.split("\n", 1)
    assert name == "UnknownBackend"
    assert "NSPR_CTYPES_BACKEND=nosuch" in message
    assert "'nosuch'" in message and "nspr" in message


def test_missing_library_error_lists_attempts_and_install_hints() -> None:
    result = run_python(
        """
        from nspr_ctypes import io
        try:
            io.Socket(io.PR_AF_INET)
        except ImportError as exc:
            print(type(exc).__name__)
            print(exc)
        """,
        env={"NSPR_CTYPES_LIBRARY": "/nonexistent/dir/libnspr4.so"},
    )
    assert result.returncode == 0, result.stderr
    name, message = result.stdout.split("\n", 1)
    assert name == "LibraryNotFound"
    assert "/nonexistent/dir/libnspr4.so" in message
    assert "NSPR_CTYPES_LIBRARY" in message
    for hint in ("libnspr4", "Debian", "Fedora", "nspr", "Homebrew"):
        assert hint in message


def test_library_not_found_is_an_import_error_subclass() -> None:
    assert issubclass(nspr_ctypes.LibraryNotFound, nspr_ctypes.BackendUnavailable)
    assert issubclass(nspr_ctypes.BackendUnavailable, nspr_ctypes.BackendError)
    assert issubclass(nspr_ctypes.BackendError, ImportError)
    for cls in (
        nspr_ctypes.LibraryLoadFailed,
        nspr_ctypes.LibraryIncompatible,
        nspr_ctypes.LibraryTooOld,
    ):
        assert issubclass(cls, nspr_ctypes.BackendUnavailable)


def test_load_backend_returns_an_independent_instance(fresh_registry: None) -> None:
    default = nspr_ctypes.use_backend("nspr")
    other = nspr_ctypes.load_backend("nspr")
    assert other is not default
    assert other.name == "nspr" and other.version == default.version
    assert nspr_ctypes.get_backend() is default


def test_use_backend_accepts_an_instance(fresh_registry: None) -> None:
    backend = nspr_ctypes.load_backend("nspr")
    assert nspr_ctypes.use_backend(backend) is backend
    assert nspr_ctypes.get_backend() is backend


def test_use_backend_by_name_reuses_one_instance(fresh_registry: None) -> None:
    assert nspr_ctypes.use_backend("nspr") is nspr_ctypes.use_backend("nspr")


def test_using_backend_restores_the_previous_default(fresh_registry: None) -> None:
    before = nspr_ctypes.use_backend("stdlib")
    other = nspr_ctypes.load_backend("stdlib")
    with backends.using_backend(other) as chosen:
        assert chosen is other
        assert nspr_ctypes.get_backend() is other
    assert nspr_ctypes.get_backend() is before


def test_using_backend_restores_the_not_yet_chosen_state(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NSPR_CTYPES_BACKEND", "stdlib")
    with backends.using_backend(nspr_ctypes.load_backend("stdlib")):
        pass
    assert backends._default is None
    # The next use chooses as on first use, and says why.
    assert nspr_ctypes.get_backend().name == "stdlib"
    chosen = [c for c in nspr_ctypes.diagnose().candidates if c.status == "chosen"]
    assert chosen[0].reason == "requested by NSPR_CTYPES_BACKEND=stdlib"


def test_using_backend_restores_after_an_exception(fresh_registry: None) -> None:
    before = nspr_ctypes.use_backend("stdlib")
    with pytest.raises(KeyError):
        with backends.using_backend(nspr_ctypes.load_backend("stdlib")):
            raise KeyError("in the block")
    assert nspr_ctypes.get_backend() is before


def test_using_backend_by_an_unknown_name_changes_nothing(
    fresh_registry: None,
) -> None:
    before = nspr_ctypes.use_backend("stdlib")
    with pytest.raises(nspr_ctypes.UnknownBackend):
        with backends.using_backend("nosuch"):
            pass  # pragma: no cover - not entered
    assert nspr_ctypes.get_backend() is before


def test_load_backend_of_unknown_name(fresh_registry: None) -> None:
    with pytest.raises(nspr_ctypes.UnknownBackend, match="registered: "):
        nspr_ctypes.load_backend("nosuch")


def test_diagnose_reports_backend_library_version(fresh_registry: None) -> None:
    nspr_ctypes.use_backend("nspr")
    report = nspr_ctypes.diagnose()
    assert report.chosen is not None and report.chosen.name == "nspr"
    text = str(report)
    assert "backend: nspr" in text
    assert "library: %s" % report.chosen.library_path in text
    assert "NSPR version: %s" % report.chosen.version in text
    names = [candidate.name for candidate in report.candidates]
    assert "nspr" in names
    for candidate in report.candidates:
        assert candidate.reason
        assert candidate.status in ("chosen", "available", "unavailable", "not tried")


def test_automatic_choice_prefers_nspr_except_on_pypy() -> None:
    # On PyPy ctypes calls cost far more, and the stdlib backend is the
    # faster one (docs/backends.md): there it comes first, and both
    # candidates say why.
    result = run_python(
        """
        import nspr_ctypes
        report = nspr_ctypes.diagnose()
        print(report.chosen.name)
        for c in report.candidates:
            print(c.name, c.status, c.reason)
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = {line.split(" ", 1)[0]: line for line in lines[1:]}
    if sys.implementation.name == "pypy":
        assert lines[0] == "stdlib"
        assert rows["stdlib"].startswith("stdlib chosen automatic choice: on PyPy")
        assert "NSPR_CTYPES_BACKEND=nspr selects NSPR" in rows["nspr"]
        assert rows["nspr"].startswith("nspr available ")
    else:
        assert lines[0] == "nspr"
        assert rows["nspr"].startswith("nspr chosen automatic choice")
        assert "PyPy" not in result.stdout


PLUGIN_MODULE = """
from nspr_ctypes.backends.nspr import create_backend as _create_nspr

def create_backend(library=None, min_version=None):
    backend = _create_nspr(library=library, min_version=min_version)
    backend.name = "fakeplugin"
    return backend

create_backend.priority = 500

def broken(library=None, min_version=None):
    raise RuntimeError("this plugin is broken on purpose")
"""


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    """A directory with an installed-looking distribution that registers two
    backends through the entry-point group: one that works, one that fails."""
    (tmp_path / "fake_nspr_plugin.py").write_text(PLUGIN_MODULE)
    dist = tmp_path / "fake_nspr_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-nspr-plugin\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[nspr_ctypes.backends]\n"
        "fakeplugin = fake_nspr_plugin:create_backend\n"
        "brokenplugin = fake_nspr_plugin:broken\n"
        "missingplugin = no_such_module_anywhere:create_backend\n"
    )
    return tmp_path


def test_entry_point_plugins_are_registered_and_failures_contained(
    plugin_path: Path,
) -> None:
    result = run_python(
        """
        import nspr_ctypes
        print(nspr_ctypes.available_backends())
        print(nspr_ctypes.get_backend().name)
        report = nspr_ctypes.diagnose()
        for c in report.candidates:
            print(c.name, c.status, c.reason)
        """,
        env={"PYTHONPATH": os.pathsep.join([str(plugin_path), str(ROOT)])},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("['fakeplugin', ")
    assert "brokenplugin" in lines[0] and "missingplugin" in lines[0]
    # The plugin's priority (500) beats the built-in nspr (100).
    assert lines[1] == "fakeplugin"
    rows = {line.split(" ", 1)[0]: line for line in lines[2:]}
    assert "brokenplugin unavailable" in rows["brokenplugin"]
    assert "broken on purpose" in rows["brokenplugin"]
    assert "missingplugin unavailable" in rows["missingplugin"]
    assert "no_such_module_anywhere" in rows["missingplugin"]


def test_strict_plugin_choice_fails_with_its_reason(plugin_path: Path) -> None:
    result = run_python(
        """
        import nspr_ctypes
        try:
            nspr_ctypes.get_backend()
        except nspr_ctypes.BackendUnavailable as exc:
            print(exc)
        """,
        env={
            "PYTHONPATH": os.pathsep.join([str(plugin_path), str(ROOT)]),
            "NSPR_CTYPES_BACKEND": "brokenplugin",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "NSPR_CTYPES_BACKEND=brokenplugin" in result.stdout
    assert "broken on purpose" in result.stdout


def test_main_reports_backend_and_round_trip() -> None:
    result = run_python(
        "import runpy; runpy.run_module('nspr_ctypes', run_name='__main__')",
        env={"NSPR_CTYPES_BACKEND": "nspr"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "backend: nspr" in out
    assert "library: /" in out and "libnspr4" in out
    assert "NSPR version: 4." in out
    assert "echo round trip via 127.0.0.1:" in out and out.rstrip().endswith("OK")
