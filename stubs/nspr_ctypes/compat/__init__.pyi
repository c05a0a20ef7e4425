"""``nss.io`` and ``nss.error`` as names of nspr_ctypes, for python-nss programs.

Never active by itself: ``python -m nspr_ctypes.compat SCRIPT``, the
directory alias_path() on PYTHONPATH, or install() switch it on. The alias
provides only ``nss.io`` (nspr_ctypes.io) and ``nss.error``
(nspr_ctypes.error); ``nss.nss`` and ``nss.ssl`` raise ImportError.
"""

import types

__all__ = ["AliasConflict", "alias_path", "install", "uninstall"]

class AliasConflict(ImportError):
    """python-nss itself is already imported, so the alias cannot be installed.

    ``name`` is the module found (``"nss"`` or a submodule), ``path`` its file.
    """

def alias_path() -> str:
    """alias_path() -> string

    The directory holding the alias package ``nss``, for ``PYTHONPATH``.
    """

def install(*, children: bool = False) -> types.ModuleType:
    """install(*, children=False) -> the nss module

    Make ``import nss``, ``nss.io`` and ``nss.error`` give nspr_ctypes;
    idempotent. ``children=True`` also puts alias_path() first on PYTHONPATH
    and in sys.path, for the Python processes this one starts. Raises
    AliasConflict when python-nss itself is already imported.
    """

def uninstall() -> None:
    """uninstall() -> None

    Undo install(): forget the alias's ``nss`` modules and its PYTHONPATH /
    sys.path entries.
    """
