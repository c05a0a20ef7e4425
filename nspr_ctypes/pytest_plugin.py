"""pytest plugin: run a test suite once per nspr_ctypes backend or NSPR build.

Installed with nspr_ctypes (entry point ``pytest11``), and inert until used: it
loads no backend and adds no header line unless a test requests the
``nspr_backend`` fixture or the run names backends. Nothing here is imported by
``import nspr_ctypes``; pytest stays an optional dependency.

* ``nspr_backend``: a fixture parametrized over the backends of the run: each
  parameter is its own instance (:func:`nspr_ctypes.load_backend`), made the
  process default for the test (:func:`nspr_ctypes.backends.using_backend`) and
  restored after. Test ids name what loaded: ``[nspr-4.35]``, ``[stdlib]``,
  ``[nspr-4.29]`` (``-2``, ``-3`` for repeats).
* ``--nspr-backend SPEC`` (repeatable) or the ini option ``nspr_backends``
  names them; SPEC is ``NAME`` (a registered backend: ``nspr``, ``stdlib``, a
  plugin's), ``NAME:LIBRARY`` (that libnspr4 file) or ``nspr-build:VERSION``
  (a build of :mod:`nspr_ctypes.builds`, fetched on demand). Default: every
  registered backend (:func:`nspr_ctypes.available_backends`).
* A parameter that cannot load is skipped with the loader's message, or fails
  under ``--nspr-strict`` (ini ``nspr_strict = true``, or
  ``NSPR_CTYPES_REQUIRE_BACKENDS=1``).
* Markers: ``nspr_skip(*backends, reason=)``, ``nspr_xfail(*backends,
  reason=, raises=, strict=, run=)`` and ``nspr_min_version(version, reason=)``.

docs/testing-your-code.md has the recipe, with a tox matrix.
"""

from __future__ import annotations

import os
from typing import Dict, Iterator, List, Optional, Sequence, Set, Union

import pytest

from nspr_ctypes.backends import Backend, available_backends, load_backend
from nspr_ctypes.backends import using_backend as _using_backend
from nspr_ctypes.backends._version import parse_version, version_less
from nspr_ctypes.backends.errors import BackendError

__all__ = [
    "BUILD_PREFIX",
    "ENV_STRICT",
    "FIXTURE",
    "format_backend",
    "load_spec",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_report_header",
]

#: The fixture's name.
FIXTURE = "nspr_backend"
#: ``NSPR_CTYPES_REQUIRE_BACKENDS=1``: a backend that cannot load fails its tests.
ENV_STRICT = "NSPR_CTYPES_REQUIRE_BACKENDS"
#: ``nspr-build:4.29``: the NSPR 4.29 build of :mod:`nspr_ctypes.builds`.
BUILD_PREFIX = "nspr-build:"

_MARKERS = (
    "nspr_skip(*backends, reason=None): skip the test on these nspr_backend "
    "parameters (a backend name such as 'stdlib', a test id such as "
    "'nspr-4.29', or a --nspr-backend spec); no backends: on every one",
    "nspr_xfail(*backends, reason=None, raises=None, strict=False, run=True): "
    "an expected failure on these nspr_backend parameters (as nspr_skip)",
    "nspr_min_version(version, reason=None): skip the test on nspr_backend "
    "parameters whose NSPR is older than version (e.g. '4.32'); emulations "
    "(no NSPR library) run it",
)


class _Param:
    """One parameter of ``nspr_backend``: a spec and what loading it gave."""

    def __init__(
        self, spec: str, backend: Optional[Backend], error: Optional[str]
    ) -> None:
        self.spec = spec
        self.backend = backend
        self.error = error
        self.id = _base_id(spec, backend)

    @property
    def name(self) -> str:
        """The backend's registry name (from the spec if it did not load)."""
        if self.backend is not None:
            return self.backend.name
        if self.spec.startswith(BUILD_PREFIX):
            return "nspr"
        return self.spec.split(":", 1)[0]

    def __repr__(self) -> str:
        return "<nspr_backend %s>" % self.id


_PARAMS = pytest.StashKey[List[_Param]]()
_LOADED_BY_SPEC = pytest.StashKey[Dict[str, _Param]]()


def _base_id(spec: str, backend: Optional[Backend]) -> str:
    if backend is not None:
        if backend.version:
            return "%s-%s" % (backend.name, backend.version)
        return backend.name
    if spec.startswith(BUILD_PREFIX):
        return "nspr-%s" % spec[len(BUILD_PREFIX) :]
    return spec


def load_spec(spec: str) -> Backend:
    """A new backend instance for ``spec``: ``NAME``, ``NAME:LIBRARY`` or
    ``nspr-build:VERSION`` (fetched by :mod:`nspr_ctypes.builds` if needed).

    Raises :class:`nspr_ctypes.BackendError` when it cannot load, and
    :class:`nspr_ctypes.builds.FetchError` when a build cannot be fetched.
    """
    if spec.startswith(BUILD_PREFIX):
        # Imported here: the fetcher (subprocess, apt) is needed by this form only.
        from nspr_ctypes import builds

        fetched = builds.fetch(spec[len(BUILD_PREFIX) :])
        return load_backend("nspr", library=str(fetched))
    name, sep, library = spec.partition(":")
    return load_backend(name, library=library if sep else None)


def _load(spec: str) -> _Param:
    from nspr_ctypes import builds

    try:
        return _Param(spec, load_spec(spec), None)
    except (BackendError, builds.FetchError) as exc:
        return _Param(spec, None, str(exc))


def format_backend(backend: Backend) -> str:
    """``backend=nspr library=/usr/lib/.../libnspr4.so version=4.35``."""
    return "backend=%s library=%s version=%s" % (
        backend.name,
        backend.library_path or "(none)",
        backend.version or "(emulated)",
    )


# -- options -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options ``--nspr-backend``, ``--nspr-strict`` and their ini twins."""
    group = parser.getgroup("nspr_ctypes", "nspr_ctypes backends (nspr_backend)")
    group.addoption(
        "--nspr-backend",
        action="append",
        dest="nspr_backends",
        metavar="SPEC",
        default=None,
        help="run tests using the nspr_backend fixture on this backend: NAME "
        "(nspr, stdlib, ...), NAME:LIBRARY (a libnspr4 file) or "
        "nspr-build:VERSION (fetched by python -m nspr_ctypes.builds); "
        "repeatable. Default: the ini option nspr_backends, else every "
        "registered backend.",
    )
    group.addoption(
        "--nspr-strict",
        action="store_true",
        dest="nspr_strict",
        default=False,
        help="a backend that cannot be loaded fails its tests instead of "
        "skipping them (also: ini nspr_strict, %s=1)" % ENV_STRICT,
    )
    parser.addini(
        "nspr_backends",
        "nspr_backend parameters (SPECs as for --nspr-backend), space separated",
        type="args",
        default=[],
    )
    parser.addini(
        "nspr_strict",
        "a backend that cannot be loaded fails its tests (as --nspr-strict)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers (they do nothing without ``nspr_backend``)."""
    for line in _MARKERS:
        config.addinivalue_line("markers", line)


def _named_specs(config: pytest.Config) -> List[str]:
    """The specs the run names: the command line, else the ini option."""
    given: Optional[List[str]] = config.getoption("nspr_backends", None)
    if given:
        return list(given)
    return [str(spec) for spec in config.getini("nspr_backends")]


def _strict(config: pytest.Config) -> bool:
    return bool(
        config.getoption("nspr_strict", False)
        or config.getini("nspr_strict")
        or os.environ.get(ENV_STRICT, "") == "1"
    )


def _params(config: pytest.Config) -> List[_Param]:
    """The parameters of this run, loaded once (on first need)."""
    params = config.stash.get(_PARAMS, None)
    if params is None:
        specs = _named_specs(config) or available_backends()
        params = [_load(spec) for spec in specs]
        seen: Dict[str, int] = {}
        for param in params:
            count = seen.get(param.id, 0) + 1
            seen[param.id] = count
            if count > 1:
                param.id = "%s-%d" % (param.id, count)
        config.stash[_PARAMS] = params
    return params


def _param_of_spec(config: pytest.Config, spec: str) -> _Param:
    """A parameter for a spec a test gave itself (indirect parametrize)."""
    loaded = config.stash.setdefault(_LOADED_BY_SPEC, {})
    if spec not in loaded:
        loaded[spec] = _load(spec)
    return loaded[spec]


def pytest_report_header(config: pytest.Config) -> List[str]:
    """Every backend the run names, with its library and NSPR version."""
    if not _named_specs(config):
        return []  # inert: nothing named, nothing loaded
    params = _params(config)
    lines = [
        "nspr_ctypes backends (nspr_backend%s): %d"
        % (", strict" if _strict(config) else "", len(params))
    ]
    for param in params:
        if param.backend is not None:
            detail = format_backend(param.backend)
        else:
            detail = "NOT AVAILABLE: %s" % (param.error or "").split("\n", 1)[0]
        lines.append("  [%s] %s: %s" % (param.id, param.spec, detail))
    return lines


# -- parametrization -----------------------------------------------------------


def _parametrized_by_test(metafunc: pytest.Metafunc) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names: Union[str, Sequence[str]] = marker.args[0] if marker.args else ""
        if isinstance(names, str):
            names = [name.strip() for name in names.split(",")]
        if FIXTURE in names:
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test that uses ``nspr_backend``."""
    if FIXTURE not in metafunc.fixturenames or _parametrized_by_test(metafunc):
        return
    params = _params(metafunc.config)
    metafunc.parametrize(
        FIXTURE, params, ids=[param.id for param in params], indirect=True
    )


def _param_of(item: pytest.Item) -> Optional[_Param]:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    value = callspec.params.get(FIXTURE)
    if isinstance(value, str):
        return _param_of_spec(item.config, value)
    return value if isinstance(value, _Param) else None


def _selected(param: _Param, selectors: Sequence[object]) -> bool:
    if not selectors:
        return True
    names: Set[str] = {param.name, param.id, param.spec}
    return any(str(selector) in names for selector in selectors)


def _reason(marker: pytest.Mark, default: str) -> str:
    reason = marker.kwargs.get("reason")
    return default if reason is None else "%s: %s" % (default, reason)


def pytest_collection_modifyitems(
    config: pytest.Config, items: List[pytest.Item]
) -> None:
    """Turn the nspr_* markers into skips and xfails of the matching parameters."""
    for item in items:
        param = _param_of(item)
        if param is None:
            continue
        for marker in item.iter_markers("nspr_skip"):
            if _selected(param, marker.args):
                item.add_marker(
                    pytest.mark.skip(reason=_reason(marker, "nspr_skip(%s)" % param.id))
                )
        for marker in item.iter_markers("nspr_xfail"):
            if _selected(param, marker.args):
                options = {k: v for k, v in marker.kwargs.items() if k != "reason"}
                item.add_marker(
                    pytest.mark.xfail(
                        reason=_reason(marker, "nspr_xfail(%s)" % param.id), **options
                    )
                )
        version = None if param.backend is None else param.backend.version
        for marker in item.iter_markers("nspr_min_version"):
            if not marker.args:
                raise pytest.UsageError(
                    "%s: nspr_min_version needs a version, e.g. "
                    "@pytest.mark.nspr_min_version('4.32')" % item.nodeid
                )
            wanted = str(marker.args[0])
            try:
                floor = parse_version(wanted)
            except ValueError as exc:
                raise pytest.UsageError(
                    "%s: nspr_min_version(%r): %s" % (item.nodeid, wanted, exc)
                ) from None
            too_old = version is not None and version_less(
                parse_version(version), floor
            )
            if too_old:
                item.add_marker(
                    pytest.mark.skip(
                        reason=_reason(
                            marker,
                            "NSPR %s is older than %s (nspr_min_version)"
                            % (version, wanted),
                        )
                    )
                )


# -- the fixture ---------------------------------------------------------------


@pytest.fixture(name=FIXTURE)
def _nspr_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """The backend of this parameter, the process default during the test."""
    value = getattr(request, "param", None)
    param = _param_of_spec(request.config, value) if isinstance(value, str) else value
    if not isinstance(param, _Param):
        pytest.fail(
            "%s is parametrized by the nspr_ctypes plugin: request it as an "
            "argument of the test or of a fixture (not by getfixturevalue), or "
            "parametrize it with specs, indirect=True" % FIXTURE,
            pytrace=False,
        )
    if param.backend is None:
        message = "nspr_ctypes backend %s cannot be loaded: %s" % (
            param.spec,
            param.error,
        )
        if _strict(request.config):
            pytest.fail(
                "%s\n(strict: --nspr-strict, ini nspr_strict or %s=1)"
                % (message, ENV_STRICT),
                pytrace=False,
            )
        pytest.skip(message)
    with _using_backend(param.backend) as backend:
        yield backend
