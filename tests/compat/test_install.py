"""``nspr_ctypes.compat.install()`` and ``uninstall()`` in a running program.

Each test runs its program in a child process (``_harness``): the program
states its expectations with ``assert`` and prints ``ok`` at the end.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ._harness import run, write


def check(tmp_path: Path, backend: str, source: str) -> None:
    script = write(tmp_path, "program.py", textwrap.dedent(source) + "print('ok')\n")
    result = run([str(script)], backend, tmp_path)
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stderr


def test_importing_compat_installs_nothing(tmp_path: Path, backend: str) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys
        import nspr_ctypes.compat
        assert "nss" not in sys.modules
        try:
            import nss
        except ImportError:
            pass
        else:
            assert not hasattr(nss, "__nspr_ctypes_alias__")
        """,
    )


def test_importing_nspr_ctypes_does_not_import_compat(
    tmp_path: Path, backend: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys
        import nspr_ctypes
        assert "nspr_ctypes.compat" not in sys.modules
        """,
    )


def test_install_makes_nss_io_and_nss_error_nspr_ctypes_modules(
    tmp_path: Path, backend: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import nspr_ctypes
        import nspr_ctypes.compat
        nspr_ctypes.compat.install()
        import nss.io
        import nss.error
        from nss import io
        from nss.error import NSPRError
        assert nss.io is io is nspr_ctypes.io
        assert nss.error is nspr_ctypes.error
        assert NSPRError is nspr_ctypes.error.NSPRError
        """,
    )


def test_install_returns_the_nss_package(tmp_path: Path, backend: str) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys
        import nspr_ctypes
        import nspr_ctypes.compat
        nss = nspr_ctypes.compat.install()
        assert nss is sys.modules["nss"]
        assert nss.io is nspr_ctypes.io and nss.error is nspr_ctypes.error
        assert nss.__version__ == "1.0.1"
        assert nss.__nspr_ctypes_version__ == nspr_ctypes.__version__
        """,
    )


def test_install_twice_returns_the_same_package(tmp_path: Path, backend: str) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys
        import nspr_ctypes.compat
        first = nspr_ctypes.compat.install()
        import nss.io
        assert nspr_ctypes.compat.install() is first is sys.modules["nss"]
        assert sys.modules["nss.io"] is first.io
        """,
    )


def test_install_refuses_when_python_nss_is_imported(
    tmp_path: Path, backend: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys, types
        import nspr_ctypes.compat
        real = types.ModuleType("nss")
        real.__file__ = "/elsewhere/nss/__init__.py"
        sys.modules["nss"] = real
        try:
            nspr_ctypes.compat.install()
        except nspr_ctypes.compat.AliasConflict as exc:
            assert isinstance(exc, ImportError)
            assert (exc.name, exc.path) == ("nss", "/elsewhere/nss/__init__.py")
            assert str(exc).startswith("python-nss is already imported")
        else:
            raise AssertionError("install() mixed the alias with python-nss")
        assert sys.modules["nss"] is real
        """,
    )


def test_install_refuses_when_a_python_nss_submodule_is_imported(
    tmp_path: Path, backend: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys, types
        import nspr_ctypes.compat
        sys.modules["nss.ssl"] = types.ModuleType("nss.ssl")
        try:
            nspr_ctypes.compat.install()
        except nspr_ctypes.compat.AliasConflict as exc:
            assert exc.name == "nss.ssl"
        else:
            raise AssertionError("install() mixed the alias with python-nss")
        assert "nss" not in sys.modules
        """,
    )


def test_nss_io_is_found_again_after_its_entry_is_removed(
    tmp_path: Path, backend: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys
        import nspr_ctypes
        import nspr_ctypes.compat
        nspr_ctypes.compat.install()
        del sys.modules["nss.io"], sys.modules["nss.error"]
        import nss.io, nss.error
        assert nss.io is nspr_ctypes.io and nss.error is nspr_ctypes.error
        """,
    )


def test_uninstall_forgets_the_alias(tmp_path: Path, backend: str) -> None:
    check(
        tmp_path,
        backend,
        """
        import sys
        import nspr_ctypes
        import nspr_ctypes.compat
        nspr_ctypes.compat.install()
        import nss.io
        nspr_ctypes.compat.uninstall()
        assert not [n for n in sys.modules if n == "nss" or n.startswith("nss.")]
        assert sys.modules["nspr_ctypes.io"] is nspr_ctypes.io
        """,
    )


def test_install_after_uninstall_installs_again(tmp_path: Path, backend: str) -> None:
    check(
        tmp_path,
        backend,
        """
        import nspr_ctypes
        import nspr_ctypes.compat
        nspr_ctypes.compat.install()
        nspr_ctypes.compat.uninstall()
        assert nspr_ctypes.compat.install().io is nspr_ctypes.io
        """,
    )


def test_install_for_children_puts_the_alias_first_on_pythonpath(
    tmp_path: Path, backend: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import os, sys
        import nspr_ctypes.compat
        before = os.environ["PYTHONPATH"]
        nspr_ctypes.compat.install(children=True)
        alias = nspr_ctypes.compat.alias_path()
        assert os.environ["PYTHONPATH"] == alias + os.pathsep + before
        assert sys.path.index(alias) == 1
        nspr_ctypes.compat.uninstall()
        assert os.environ["PYTHONPATH"] == before
        assert alias not in sys.path
        """,
    )


def test_install_without_children_leaves_pythonpath_alone(
    tmp_path: Path, backend: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import os, sys
        import nspr_ctypes.compat
        before, path = os.environ["PYTHONPATH"], list(sys.path)
        nspr_ctypes.compat.install()
        assert (os.environ["PYTHONPATH"], sys.path) == (before, path)
        """,
    )


@pytest.mark.parametrize("name", ["nss.nss", "nss.ssl"])
def test_nss_proper_raises_import_error_after_install(
    tmp_path: Path, backend: str, name: str
) -> None:
    check(
        tmp_path,
        backend,
        """
        import importlib
        import nspr_ctypes.compat
        nspr_ctypes.compat.install()
        try:
            importlib.import_module(%r)
        except ImportError as exc:
            assert exc.name == %r
            assert "nspr_ctypes provides only nss.io and nss.error" in str(exc)
        else:
            raise AssertionError("imported NSS proper")
        """
        % (name, name),
    )
