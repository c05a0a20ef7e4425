"""The four ways a chosen libnspr4 can fail to load, each with its own class
and a message that says what was tried.

* a missing file: LibraryNotFound;
* a file that is not NSPR (libc): LibraryIncompatible;
* an NSPR older than required: LibraryTooOld. The binding's own floor
  (4.8.9) cannot be shown with a real older build: no Debian suite apt
  reaches carries one, so the floor is raised to meet the real 4.29 build,
  and ``min_version=`` is shown on both real builds;
* a file the system loader refuses: LibraryLoadFailed, with the loader's own
  reason (trixie's NSPR 4.36 needs glibc 2.38).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import pytest

import nspr_ctypes
from nspr_ctypes.backends import _nspr_ffi as ffi

from .conftest import child_env

OLD = "4.29"
UNLOADABLE = "4.36"
INSTALL_WORDS = ("apt-get install libnspr4", "dnf install nspr", "NSPR_CTYPES_LIBRARY")


def _run(code: str, env: Optional[Dict[str, str]] = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _libc_path() -> str:
    """The C library this process runs on, as a file."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "/libc.so" in path or "/libc-" in path:
                    return path
    except OSError:  # pragma: no cover - not Linux
        pass
    pytest.skip("the C library file of this process is unknown")


# -- a missing file ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nowhere" / "libnspr4.so")
    with pytest.raises(nspr_ctypes.LibraryNotFound) as info:
        nspr_ctypes.load_backend("nspr", library=path)
    message = str(info.value)
    assert "NSPR library %s (library= argument) does not exist" % path in message
    for words in INSTALL_WORDS:
        assert words in message
    assert info.value.attempts == ["%s: no such file" % path]


def test_missing_file_named_by_the_environment(tmp_path: Path) -> None:
    path = str(tmp_path / "libnspr4.so")
    out = _run(
        "import nspr_ctypes\n"
        "try:\n"
        "    nspr_ctypes.get_backend()\n"
        "except nspr_ctypes.LibraryNotFound as exc:\n"
        "    print(exc)\n",
        {"NSPR_CTYPES_LIBRARY": path},
    )
    assert "NSPR_CTYPES_LIBRARY=%s was requested, and it cannot be used" % path in out
    assert "does not exist" in out
    assert "Tried:\n  - %s: no such file" % path in out


def test_missing_file_on_the_command_line(tmp_path: Path) -> None:
    path = str(tmp_path / "libnspr4.so")
    result = subprocess.run(
        [sys.executable, "-m", "nspr_ctypes", "--library", path],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "error: NSPR library %s" % path in result.stderr
    assert "does not exist" in result.stderr
    assert "echo round trip" not in result.stdout


# -- a file that is not NSPR ----------------------------------------------------------


def test_not_nspr() -> None:
    path = _libc_path()
    with pytest.raises(nspr_ctypes.LibraryIncompatible) as info:
        nspr_ctypes.load_backend("nspr", library=path)
    message = str(info.value)
    assert "%s is not an NSPR library" % os.path.realpath(path) in message
    assert (
        "lacks %d of the %d NSPR functions"
        % (
            len(ffi.PROTOTYPES),
            len(ffi.PROTOTYPES),
        )
        in message
    )
    missing = ", ".join(p.name for p in ffi.PROTOTYPES[:5])
    assert "(%s and %d more)" % (missing, len(ffi.PROTOTYPES) - 5) in message
    assert "PR_GetVersion" in message


# -- an NSPR older than required -----------------------------------------------------


def _too_old(library: str, min_version: Optional[str]) -> str:
    with pytest.raises(nspr_ctypes.LibraryTooOld) as info:
        nspr_ctypes.load_backend("nspr", library=library, min_version=min_version)
    return str(info.value)


def test_min_version_above_the_system_nspr(system_library: str) -> None:
    version = nspr_ctypes.load_backend("nspr", library=system_library).version
    assert version is not None
    major, minor = ffi.parse_version(version)[:2]
    wanted = "%d.%d" % (major, minor + 1)
    message = _too_old(system_library, wanted)
    assert "%s is NSPR %s" % (system_library, version) in message
    assert "NSPR %s or later is required (min_version=%r)" % (wanted, wanted) in message


def test_min_version_above_the_old_nspr(nspr_build: Callable[[str], str]) -> None:
    path = os.path.realpath(nspr_build(OLD))
    message = _too_old(path, "4.30")
    assert "%s is NSPR 4.29; NSPR 4.30 or later is required" % path in message
    assert "min_version='4.30'" in message
    # Its own version and older are accepted.
    for accepted in ("4.29", "4.8.9", "4"):
        backend = nspr_ctypes.load_backend("nspr", library=path, min_version=accepted)
        assert backend.version == OLD


def test_the_floor_refuses_an_older_nspr(
    nspr_build: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = os.path.realpath(nspr_build(OLD))
    monkeypatch.setattr(ffi, "MIN_NSPR_VERSION", "4.30")
    message = _too_old(path, None)
    assert "%s is NSPR 4.29; NSPR 4.30 or later is required" % path in message
    assert "the oldest NSPR nspr_ctypes supports" in message


@pytest.mark.parametrize("nonsense", ["", "new", "v4.29"])
def test_min_version_must_be_a_version(nonsense: str) -> None:
    with pytest.raises(ValueError, match="min_version must be a version string"):
        nspr_ctypes.load_backend("nspr", min_version=nonsense)


def test_min_version_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="not float"):
        nspr_ctypes.load_backend("nspr", min_version=4.29)  # type: ignore[arg-type]


# -- a library the system loader refuses --------------------------------------------------


def _glibc_is_older_than(wanted: Tuple[int, int]) -> bool:
    name, version = platform.libc_ver()
    if name != "glibc" or not version:
        return False
    return ffi.parse_version(version)[:2] < wanted


def test_library_the_system_cannot_load(nspr_build: Callable[[str], str]) -> None:
    path = nspr_build(UNLOADABLE)
    if not _glibc_is_older_than((2, 38)):
        pytest.skip(
            "this system's C library (%s) can load NSPR %s"
            % (" ".join(platform.libc_ver()), UNLOADABLE)
        )
    with pytest.raises(nspr_ctypes.LibraryLoadFailed) as info:
        nspr_ctypes.load_backend("nspr", library=path)
    message = str(info.value)
    assert "the system loader refused %s (library= argument)" % path in message
    # The loader's own reason, quoted.
    assert "version `GLIBC_2.38' not found" in message
    assert "built for a newer C library than this system's glibc" in message
    assert info.value.attempts and "GLIBC_2.38" in info.value.attempts[0]


def test_library_the_system_cannot_load_is_strict(
    nspr_build: Callable[[str], str],
) -> None:
    path = nspr_build(UNLOADABLE)
    if not _glibc_is_older_than((2, 38)):
        pytest.skip("this system's C library can load NSPR %s" % UNLOADABLE)
    out = _run(
        "import nspr_ctypes\n"
        "try:\n"
        "    nspr_ctypes.get_backend()\n"
        "except nspr_ctypes.LibraryLoadFailed as exc:\n"
        "    print(exc)\n",
        {"NSPR_CTYPES_LIBRARY": path},
    )
    # No fallback to another library or to the emulation.
    assert "NSPR_CTYPES_LIBRARY=%s was requested, and it cannot be used" % path in out
    assert "GLIBC_2.38" in out
