"""The backend registry: which backends exist, and which one is used.

Built-ins are ``nspr`` (libnspr4 through ctypes; preferred) and ``stdlib`` (an
emulation on the standard library; the fallback). On PyPy, where ctypes calls
cost far more, ``nspr`` ranks below ``stdlib`` (docs/backends.md has the
measurements). Third-party backends
register in the entry-point group ``nspr_ctypes.backends``: the entry point's
name is the backend name, its object a factory
``factory(library=None, min_version=None) -> Backend``; an optional
``priority`` attribute on the factory (default 50) orders the automatic
choice. A plugin that fails to load is recorded, never fatal.

Nothing is loaded at import. The default backend is chosen on first use:

* ``NSPR_CTYPES_BACKEND=name`` is strict: that backend or an error with the reason;
* ``NSPR_CTYPES_LIBRARY=/path/libnspr4.so`` picks the library file of the
  ``nspr`` backend, and is strict too;
* otherwise (or ``NSPR_CTYPES_BACKEND=auto``) every candidate is tried in
  priority order and the first that loads is used; the reason for each
  candidate, chosen or not, is kept for :func:`diagnose`.
"""

from __future__ import annotations as _annotations

import contextlib as _contextlib
import importlib as _importlib
import os as _os
import sys as _sys
import threading as _threading
from typing import Any as _Any
from typing import Callable as _Callable
from typing import Dict as _Dict
from typing import Final as _Final
from typing import Iterator as _Iterator
from typing import List as _List
from typing import NamedTuple as _NamedTuple
from typing import Optional as _Optional
from typing import Tuple as _Tuple
from typing import Union as _Union

from nspr_ctypes.backends._base import Backend, PollSet
from nspr_ctypes.backends.errors import BackendError as _BackendError
from nspr_ctypes.backends.errors import BackendUnavailable as _BackendUnavailable
from nspr_ctypes.backends.errors import UnknownBackend as _UnknownBackend

__all__ = [
    "ENTRY_POINT_GROUP",
    "Backend",
    "Candidate",
    "Diagnosis",
    "PollSet",
    "available_backends",
    "diagnose",
    "get_backend",
    "load_backend",
    "use_backend",
    "using_backend",
]

ENTRY_POINT_GROUP: _Final = "nspr_ctypes.backends"
_ENV_BACKEND = "NSPR_CTYPES_BACKEND"
_ENV_LIBRARY = "NSPR_CTYPES_LIBRARY"
#: The backend whose ``library=`` defaults to ``$NSPR_CTYPES_LIBRARY``.
_LIBRARY_BACKEND = "nspr"

_Factory = _Callable[..., Backend]


class _Registration(_NamedTuple):
    name: str
    target: str  # "module:attribute"
    priority: int
    origin: str  # "built-in" or "entry point"


#: On PyPy the nspr backend is slower than the stdlib one at every measured
#: workload (docs/backends.md): it ranks last there, so that the emulation and
#: any plugin come first, and says why.
_NSPR_LAST = _sys.implementation.name == "pypy"
_NSPR_LAST_REASON = (
    "on PyPy the stdlib backend is 1.1 to 9 x faster (ctypes calls cost more "
    "there); NSPR_CTYPES_BACKEND=nspr selects NSPR"
)

_BUILTINS: _Tuple[_Registration, ...] = (
    _Registration(
        "nspr",
        "nspr_ctypes.backends.nspr:create_backend",
        -100 if _NSPR_LAST else 100,
        "built-in",
    ),
    _Registration(
        "stdlib", "nspr_ctypes.backends.stdlib:create_backend", 0, "built-in"
    ),
)
_DEFAULT_PLUGIN_PRIORITY = 50


class Candidate(_NamedTuple):
    """One backend considered by the choice, with what happened to it."""

    name: str
    origin: str
    priority: int
    status: str  # "chosen", "available", "unavailable", "not tried"
    reason: str
    library_path: _Optional[str] = None
    version: _Optional[str] = None

    def __str__(self) -> str:
        where = ""
        if self.library_path is not None:
            where = " [%s, NSPR %s]" % (self.library_path, self.version)
        return "%-8s %-11s %s%s" % (self.name, self.status, self.reason, where)


class Diagnosis(_NamedTuple):
    """What :func:`diagnose` found: the backend in use and every candidate."""

    chosen: _Optional[Backend]
    candidates: _Tuple[Candidate, ...]
    environment: _Tuple[_Tuple[str, _Optional[str]], ...]

    def __str__(self) -> str:
        lines = []
        if self.chosen is None:
            lines.append("backend: none could be loaded")
        else:
            lines.append("backend: %s" % self.chosen.name)
            lines.append("library: %s" % (self.chosen.library_path or "(none)"))
            lines.append("NSPR version: %s" % (self.chosen.version or "(emulated)"))
        for key, value in self.environment:
            lines.append("%s=%s" % (key, "(unset)" if value is None else value))
        lines.append("candidates:")
        lines.extend("  " + str(candidate) for candidate in self.candidates)
        return "\n".join(lines)


_lock = _threading.RLock()
_default: _Optional[Backend] = None
#: Called (under ``_lock``) with every new default, or None when it is
#: forgotten: :mod:`nspr_ctypes.io` keeps the few facts its interval
#: functions need on their common path as globals of its own.
_default_watchers: _List[_Callable[[_Optional[Backend]], None]] = []
_candidates: _Dict[str, Candidate] = {}
# Instances made by use_backend()/the automatic choice, reused per (name, library).
_instances: _Dict[_Tuple[str, _Optional[str]], Backend] = {}


def _entry_points() -> _List[_Any]:
    from importlib import metadata

    eps: _Any = metadata.entry_points()
    if hasattr(eps, "select"):
        return list(eps.select(group=ENTRY_POINT_GROUP))
    return list(eps.get(ENTRY_POINT_GROUP, ()))  # Python 3.8 and 3.9: a dict


def _registrations() -> _Dict[str, _Registration]:
    found = {reg.name: reg for reg in _BUILTINS}
    try:
        entry_points = _entry_points()
    except Exception as exc:  # a broken installation must not break the choice
        _candidates.setdefault(
            "(plugins)",
            Candidate("(plugins)", "entry point", 0, "unavailable", "%s" % exc),
        )
        return found
    for ep in entry_points:
        if ep.name in found:
            continue  # built-ins win; a plugin cannot replace them
        found[ep.name] = _Registration(
            ep.name, ep.value, _DEFAULT_PLUGIN_PRIORITY, "entry point"
        )
    return found


def available_backends() -> _List[str]:
    """The names of every registered backend (loaded or not), by priority."""
    regs = _registrations()
    return [reg.name for reg in sorted(regs.values(), key=_priority_key)]


def _priority_key(reg: _Registration) -> _Tuple[int, str]:
    return (-_priority_of(reg), reg.name)


def _priority_of(reg: _Registration) -> int:
    if reg.origin == "built-in":
        return reg.priority
    try:
        factory = _resolve(reg)
    except Exception:
        return reg.priority
    priority = getattr(factory, "priority", reg.priority)
    return priority if isinstance(priority, int) else reg.priority


def _resolve(reg: _Registration) -> _Factory:
    module_name, _, attribute = reg.target.partition(":")
    module = _importlib.import_module(module_name)
    found: _Any = module
    for part in attribute.split("."):
        found = getattr(found, part)
    if not callable(found):
        raise TypeError("%s is not callable" % reg.target)
    factory: _Factory = found
    return factory


def _library_from_environment() -> _Optional[str]:
    """``$NSPR_CTYPES_LIBRARY``, or None when unset or blank: the one place the
    variable is read; the file it names goes down as ``library=``."""
    return _os.environ.get(_ENV_LIBRARY, "").strip() or None


def _instantiate(
    name: str, library: _Optional[str], min_version: _Optional[str]
) -> Backend:
    if library is None and name == _LIBRARY_BACKEND:
        library = _library_from_environment()
        if library is not None:
            try:
                return _instantiate(name, library, min_version)
            except _BackendError as exc:
                raise type(exc)(
                    "%s=%s was requested, and it cannot be used: %s"
                    % (_ENV_LIBRARY, library, exc.reason),
                    exc.attempts,
                ) from exc
    regs = _registrations()
    reg = regs.get(name)
    if reg is None:
        raise _UnknownBackend(
            "unknown nspr_ctypes backend %r; registered: %s"
            % (name, ", ".join(sorted(regs)))
        )
    try:
        factory = _resolve(reg)
    except _BackendError:
        raise
    except Exception as exc:
        raise _BackendUnavailable(
            "backend %r (%s %s) could not be imported: %s: %s"
            % (name, reg.origin, reg.target, type(exc).__name__, exc)
        ) from exc
    kwargs: _Dict[str, _Any] = {}
    if library is not None:
        kwargs["library"] = library
    if min_version is not None:
        kwargs["min_version"] = min_version
    try:
        backend = factory(**kwargs)
    except _BackendError:
        raise
    except Exception as exc:
        raise _BackendUnavailable(
            "backend %r failed to load: %s: %s" % (name, type(exc).__name__, exc)
        ) from exc
    if not isinstance(backend, Backend):
        raise _BackendUnavailable(
            "backend %r: factory %s returned %r, not a Backend"
            % (name, reg.target, type(backend).__name__)
        )
    return backend


def load_backend(
    name: str, *, library: _Optional[str] = None, min_version: _Optional[str] = None
) -> Backend:
    """Load a new, independent instance of the backend ``name``.

    ``library`` is the libnspr4 file to use (``nspr`` backend), ``min_version``
    the oldest NSPR version to accept (a string such as ``"4.29"``; else
    TypeError or ValueError). Raises a :class:`BackendError` subclass that
    says what was tried. The default backend is not changed: pass the
    instance as ``backend=`` to the public API (docs/versions.md).
    """
    # Imported here: importing nspr_ctypes loads only what it must.
    from nspr_ctypes.backends._version import check_min_version

    check_min_version(min_version)
    return _instantiate(name, library, min_version)


def _shared_instance(name: str, library: _Optional[str]) -> Backend:
    key = (name, library)
    backend = _instances.get(key)
    if backend is None:
        backend = _instantiate(name, library, None)
        _instances[key] = backend
    return backend


def _record(
    name: str, status: str, reason: str, backend: _Optional[Backend] = None
) -> None:
    regs = _registrations()
    reg = regs.get(name)
    origin = reg.origin if reg is not None else "?"
    priority = _priority_of(reg) if reg is not None else 0
    _candidates[name] = Candidate(
        name,
        origin,
        priority,
        status,
        reason,
        None if backend is None else backend.library_path,
        None if backend is None else backend.version,
    )


def use_backend(
    backend: _Union[str, Backend], *, library: _Optional[str] = None
) -> Backend:
    """Make ``backend`` (a name or an instance) the default and return it.

    Loading by name is strict: a backend that cannot load raises.
    """
    with _lock:
        if isinstance(backend, Backend):
            chosen = backend
        else:
            try:
                chosen = _shared_instance(backend, library)
            except _BackendError as exc:
                _record(backend, "unavailable", _first_line(exc))
                raise
        if _default is not None and _default is not chosen:
            _record(_default.name, "available", "loaded; replaced by use_backend()")
        _set_default(chosen)
        _record(chosen.name, "chosen", "chosen by use_backend()", chosen)
        return chosen


@_contextlib.contextmanager
def using_backend(
    backend: _Union[str, Backend], *, library: _Optional[str] = None
) -> _Iterator[Backend]:
    """``with using_backend(backend) as chosen:`` the default is ``backend``
    (a name or an instance, as for :func:`use_backend`) inside the block.

    On exit the registry is put back as it was: the previous default, or none
    chosen yet (then the next use chooses as on first use), and the reasons
    :func:`diagnose` reports. Objects made inside the block keep their
    backend. The default is process-wide: do not overlap such blocks in
    several threads.
    """
    with _lock:
        previous = _default
        previous_candidates = dict(_candidates)
        chosen = use_backend(backend, library=library)
    try:
        yield chosen
    finally:
        with _lock:
            _set_default(previous)
            _candidates.clear()
            _candidates.update(previous_candidates)


def _set_default(backend: _Optional[Backend]) -> None:
    """The one place the default changes (under ``_lock``)."""
    global _default
    _default = backend
    for watcher in _default_watchers:
        watcher(backend)


def _watch_default(watcher: _Callable[[_Optional[Backend]], None]) -> None:
    """Call ``watcher`` with the default now and at every change."""
    with _lock:
        _default_watchers.append(watcher)
        watcher(_default)


def _first_line(exc: BaseException) -> str:
    return str(exc).split("\n", 1)[0]


def _choose() -> Backend:
    requested = _os.environ.get(_ENV_BACKEND, "").strip()
    library = _library_from_environment()
    if requested and requested != "auto":
        return _choose_strict(requested, library, "%s=%s" % (_ENV_BACKEND, requested))
    if library is not None:
        return _choose_strict("nspr", library, "%s=%s" % (_ENV_LIBRARY, library))
    attempts = []
    regs = _registrations()
    chosen: _Optional[Backend] = None
    for reg in sorted(regs.values(), key=_priority_key):
        if chosen is not None:
            reason = "a backend of higher priority was chosen"
            if reg.name == "nspr" and _NSPR_LAST:
                reason = _NSPR_LAST_REASON
            _record(reg.name, "not tried", reason)
            continue
        try:
            chosen = _shared_instance(reg.name, None)
        except _BackendError as exc:
            reason = _first_line(exc)
            _record(reg.name, "unavailable", reason)
            attempts.append("%s: %s" % (reg.name, str(exc).replace("\n", "\n    ")))
            continue
        reason = "automatic choice (highest priority that loads)"
        if reg.name == "stdlib" and _NSPR_LAST:
            reason = "automatic choice: " + _NSPR_LAST_REASON
        if attempts:
            reason = "automatic fallback: " + "; ".join(
                line.split("\n", 1)[0] for line in attempts
            )
        _record(reg.name, "chosen", reason, chosen)
    if chosen is None:
        raise _BackendUnavailable("no nspr_ctypes backend could be loaded", attempts)
    return chosen


def _choose_strict(name: str, library: _Optional[str], why: str) -> Backend:
    try:
        backend = _shared_instance(name, library)
    except _BackendError as exc:
        _record(name, "unavailable", "%s: %s" % (why, _first_line(exc)))
        raise type(exc)(
            "%s was requested, and it cannot be used: %s" % (why, exc.reason),
            exc.attempts,
        ) from exc
    _record(name, "chosen", "requested by %s" % why, backend)
    return backend


def get_backend() -> Backend:
    """The default backend, chosen on first use (see the module docstring)."""
    backend = _default
    if backend is not None:
        return backend
    return _get_backend_locked()


def _get_backend_locked() -> Backend:
    with _lock:
        backend = _default
        if backend is None:
            backend = _choose()
            _set_default(backend)
        return backend


def diagnose() -> Diagnosis:
    """Report the backend in use and every candidate with its reason.

    Candidates not tried by the choice are loaded now to say whether they
    would work; the default backend is not changed (except that it is chosen,
    as on first use, if that has not happened yet).
    """
    with _lock:
        chosen: _Optional[Backend]
        try:
            chosen = get_backend()
        except _BackendError:
            chosen = None
        for reg in _registrations().values():
            current = _candidates.get(reg.name)
            if current is not None and current.status in ("chosen", "unavailable"):
                continue
            try:
                backend = _shared_instance(reg.name, None)
            except _BackendError as exc:
                _record(reg.name, "unavailable", _first_line(exc))
                continue
            reason = current.reason if current is not None else "loads"
            _record(reg.name, "available", reason, backend)
        candidates = tuple(
            sorted(_candidates.values(), key=lambda c: (-c.priority, c.name))
        )
        environment = tuple(
            (key, _os.environ.get(key)) for key in (_ENV_BACKEND, _ENV_LIBRARY)
        )
        return Diagnosis(chosen, candidates, environment)


def _reset_for_tests() -> None:
    """Forget the default and every recorded reason (tests only)."""
    with _lock:
        _set_default(None)
        _candidates.clear()
        _instances.clear()
