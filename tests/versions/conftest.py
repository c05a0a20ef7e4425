"""Fixtures for the tests across NSPR versions and backend instances.

Real NSPR builds of other Debian suites come from :mod:`nspr_ctypes.builds`
(through :func:`nspr_build`), in ``$NSPR_CTYPES_BUILD_CACHE``, else in the
repository's ``.cache/nspr``. When a build cannot be fetched (no apt, no
network) the tests needing it are skipped with the reason, unless
``NSPR_CTYPES_REQUIRE_BUILDS=1``: then they fail, so CI never passes silently
without them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Union

import pytest

import nspr_ctypes
from nspr_ctypes import builds
from nspr_ctypes.backends import Backend

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_BUILDS = "NSPR_CTYPES_REQUIRE_BUILDS"
#: Where this repository keeps fetched builds unless NSPR_CTYPES_BUILD_CACHE says.
REPO_BUILD_CACHE = ROOT / ".cache" / "nspr"

__all__ = ["REPO_BUILD_CACHE", "ROOT", "build_cache", "child_env"]

BuildGetter = Callable[[str], str]


def build_cache() -> Path:
    """The cache folder of the fetched builds of this test run."""
    configured = os.environ.get(builds.ENV_CACHE, "").strip()
    return Path(configured) if configured else REPO_BUILD_CACHE


def child_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment of a child interpreter: no NSPR_CTYPES_* settings but
    ``extra``, and this nspr_ctypes importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NSPR_CTYPES_")}
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(ROOT), os.environ.get("PYTHONPATH", "")) if part
    )
    env.update(extra or {})
    return env


@pytest.fixture(scope="session")
def nspr_build() -> BuildGetter:
    """``nspr_build("4.29")``: the path of that NSPR build's libnspr4.so,
    fetched once per session; skip (or fail, see the module doc) without it."""
    results: Dict[str, Union[Path, str]] = {}

    def get(version: str) -> str:
        if version not in results:
            try:
                results[version] = builds.fetch(version, build_cache())
            except builds.FetchError as exc:
                results[version] = str(exc)
        result = results[version]
        if isinstance(result, Path):
            return str(result)
        if os.environ.get(REQUIRE_BUILDS) == "1":
            pytest.fail(
                "NSPR %s is required (%s=1) but cannot be fetched: %s"
                % (version, REQUIRE_BUILDS, result)
            )
        pytest.skip("NSPR %s cannot be fetched: %s" % (version, result))

    return get


@pytest.fixture(scope="session")
def system_library() -> str:
    """The libnspr4 the automatic search finds (the loader reads no
    NSPR_CTYPES_LIBRARY, which may name another build in this run)."""
    from nspr_ctypes.backends import _nspr_ffi

    try:
        return _nspr_ffi.load_library().path
    except nspr_ctypes.BackendUnavailable as exc:
        pytest.skip("no system libnspr4: %s" % exc)


@pytest.fixture
def loaded() -> Iterator[Callable[..., Backend]]:
    """``loaded(name, library=None)``: :func:`nspr_ctypes.load_backend`, or a
    skip when that backend cannot load on this machine."""
    made: List[Backend] = []

    def load(name: str, library: Optional[str] = None) -> Backend:
        try:
            backend = nspr_ctypes.load_backend(name, library=library)
        except nspr_ctypes.BackendUnavailable as exc:
            pytest.skip("backend %s cannot load here: %s" % (name, exc))
        made.append(backend)
        return backend

    yield load
