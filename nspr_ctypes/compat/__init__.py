"""``nss.io`` and ``nss.error`` as names of nspr_ctypes, for python-nss programs.

Programs written for python-nss spell ``import nss.io`` and ``from nss.error
import NSPRError``, often in code their user does not own. This module makes
those imports give nspr_ctypes's modules, with no change to the program. It is
never active by itself; switch it on in one of three ways:

* ``python -m nspr_ctypes.compat SCRIPT [ARGS...]`` (or ``-m MODULE``) runs a
  program as ``python`` would, with the alias on, in the program and in the
  Python processes it starts;
* put :func:`alias_path` on ``PYTHONPATH`` (``python -m nspr_ctypes.compat
  --pythonpath`` prints it) for a shell or a service: that directory holds an
  ``nss`` package whose ``nss.io`` is ``nspr_ctypes.io`` and whose
  ``nss.error`` is ``nspr_ctypes.error``, found before an installed
  python-nss because ``PYTHONPATH`` precedes site-packages;
* :func:`install` in a running program, before anything imports ``nss``.

All three load the same package, from :func:`alias_path`. It provides only
``nss.io`` and ``nss.error``: ``import nss.nss`` and ``import nss.ssl`` (NSS
proper: certificates, SSL) raise an ``ImportError`` that says so.

Why a package directory rather than a ``sys.meta_path`` finder: a directory on
``PYTHONPATH`` reaches every Python process, including those a program starts
with ``sys.executable`` or through ``multiprocessing``, with no code run at
their start-up; :func:`install` loads the very same package, so there is one
alias, not two that could drift apart.
"""

from __future__ import annotations as _annotations

import importlib.util as _importlib_util
import os as _os
import sys as _sys
import threading as _threading
import types as _types
from typing import List as _List
from typing import Tuple as _Tuple

__all__ = ["AliasConflict", "alias_path", "install", "uninstall"]

# The directory to put on PYTHONPATH: it holds the package ``nss``.
_ALIAS_DIR = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "_alias")
# The module attribute that tells the alias package from python-nss.
_MARKER = "__nspr_ctypes_alias__"
# The only modules of the alias that are not errors.
_PROVIDED = ("nss.io", "nss.error")
_lock = _threading.Lock()


class AliasConflict(ImportError):
    """python-nss itself is already imported, so the alias cannot be installed.

    ``name`` is the module found (``"nss"`` or one of its submodules), ``path``
    its file. An ``ImportError``, because it is the answer to "which module
    does ``import nss`` give", and a program that falls back when the alias is
    unavailable catches ``ImportError`` already.
    """


def alias_path() -> str:
    """The directory holding the alias package ``nss``, for ``PYTHONPATH``."""
    return _ALIAS_DIR


def _is_alias(module: object) -> bool:
    return getattr(module, _MARKER, False) is True


def _foreign_nss_modules() -> _List[_Tuple[str, _types.ModuleType]]:
    """The modules ``nss`` and ``nss.*`` in ``sys.modules`` that are not ours."""
    import nspr_ctypes

    ours = (nspr_ctypes.io, nspr_ctypes.error)
    found = []
    for name, module in list(_sys.modules.items()):
        if name != "nss" and not name.startswith("nss."):
            continue
        if module is None or _is_alias(module) or module in ours:
            continue
        found.append((name, module))
    return sorted(found, key=lambda item: item[0])


def _not_provided(name: str) -> ImportError:
    """The error of importing ``name``, a module of NSS proper, from the alias."""
    return ImportError(
        "%s is not provided: nspr_ctypes provides only nss.io and nss.error "
        "(NSPR's sockets and errors), not NSS proper (certificates, SSL: nss.nss, "
        "nss.ssl). To use them, run this program with the real python-nss: "
        "without 'python -m nspr_ctypes.compat', without %s on PYTHONPATH, and "
        "without nspr_ctypes.compat.install()." % (name, _ALIAS_DIR),
        name=name,
    )


def _search_path_index() -> int:
    """Where ``PYTHONPATH``'s first entry sits in ``sys.path``: after the
    script's directory, unless the interpreter adds none (-I, -P)."""
    if _sys.flags.isolated or getattr(_sys.flags, "safe_path", False):
        return 0
    return min(1, len(_sys.path))


def _add_for_children() -> None:
    # PYTHONPATH reaches processes started with sys.executable; sys.path reaches
    # multiprocessing's spawn and forkserver children, which take the parent's.
    entries = [e for e in _os.environ.get("PYTHONPATH", "").split(_os.pathsep) if e]
    if not entries or entries[0] != _ALIAS_DIR:
        _os.environ["PYTHONPATH"] = _os.pathsep.join(
            [_ALIAS_DIR] + [e for e in entries if e != _ALIAS_DIR]
        )
    if _ALIAS_DIR not in _sys.path:
        _sys.path.insert(_search_path_index(), _ALIAS_DIR)


def _remove_for_children() -> None:
    entries = _os.environ.get("PYTHONPATH", "").split(_os.pathsep)
    if _ALIAS_DIR in entries:
        kept = [e for e in entries if e != _ALIAS_DIR]
        if any(kept):
            _os.environ["PYTHONPATH"] = _os.pathsep.join(kept)
        else:
            del _os.environ["PYTHONPATH"]
    while _ALIAS_DIR in _sys.path:
        _sys.path.remove(_ALIAS_DIR)


def install(*, children: bool = False) -> _types.ModuleType:
    """Make ``import nss``, ``nss.io`` and ``nss.error`` give nspr_ctypes; return ``nss``.

    ``nss.io`` is then ``nspr_ctypes.io`` and ``nss.error`` is
    ``nspr_ctypes.error``; ``nss.nss`` and ``nss.ssl`` raise ``ImportError``.
    Calling it again does nothing more and returns the same module. With
    ``children=True`` the alias also reaches the Python processes this one
    starts: :func:`alias_path` goes first on ``PYTHONPATH`` (and into
    ``sys.path``, which multiprocessing's spawn and forkserver children copy).

    Raises :class:`AliasConflict` when python-nss itself is already imported:
    the two are never mixed in one process.
    """
    with _lock:
        foreign = _foreign_nss_modules()
        if foreign:
            name, found = foreign[0]
            where = getattr(found, "__file__", None)
            raise AliasConflict(
                "python-nss is already imported (%s from %s): nspr_ctypes will not "
                "mix it with its nss alias. Install the alias before anything "
                "imports nss, or use python-nss alone." % (name, where or repr(found)),
                name=name,
                path=where,
            )
        module = _sys.modules.get("nss")
        if module is None:
            module = _load_alias()
        if children:
            _add_for_children()
        return module


def _load_alias() -> _types.ModuleType:
    package_dir = _os.path.join(_ALIAS_DIR, "nss")
    spec = _importlib_util.spec_from_file_location(
        "nss",
        _os.path.join(package_dir, "__init__.py"),
        submodule_search_locations=[package_dir],
    )
    if spec is None or spec.loader is None:  # pragma: no cover - shipped file
        raise ImportError("the nss alias is missing from %s" % _ALIAS_DIR)
    module = _importlib_util.module_from_spec(spec)
    _sys.modules["nss"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del _sys.modules["nss"]
        raise
    return module


def uninstall() -> None:
    """Undo :func:`install`: forget the alias's ``nss`` modules (and its
    ``PYTHONPATH`` / ``sys.path`` entries). ``nspr_ctypes.io`` and
    ``nspr_ctypes.error`` stay as they are; python-nss's modules, if any,
    are left alone."""
    import nspr_ctypes

    ours = (nspr_ctypes.io, nspr_ctypes.error)
    with _lock:
        for name, module in list(_sys.modules.items()):
            if name != "nss" and not name.startswith("nss."):
                continue
            if _is_alias(module) or module in ours:
                del _sys.modules[name]
        _remove_for_children()
