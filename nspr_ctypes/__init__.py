"""nspr_ctypes: python-nss's ``nss.io`` / ``nss.error`` API with no build step.

``from nspr_ctypes import io, error`` gives the same classes, functions and
constants as ``nss.io`` and ``nss.error``. They run on a *backend*: libnspr4
loaded through ctypes (``nspr``), or an emulation on the standard library
(``stdlib``) when NSPR is absent. Importing loads nothing; the backend is
chosen on first use, from ``NSPR_CTYPES_BACKEND`` / ``NSPR_CTYPES_LIBRARY`` or
automatically, and :func:`diagnose` says which and why.
"""

from __future__ import annotations as _annotations

from nspr_ctypes import error, io
from nspr_ctypes.backends import (
    Backend,
    Diagnosis,
    available_backends,
    diagnose,
    get_backend,
    load_backend,
    use_backend,
)
from nspr_ctypes.backends.errors import (
    BackendError,
    BackendUnavailable,
    LibraryIncompatible,
    LibraryLoadFailed,
    LibraryNotFound,
    LibraryTooOld,
    UnknownBackend,
)

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Diagnosis",
    "LibraryIncompatible",
    "LibraryLoadFailed",
    "LibraryNotFound",
    "LibraryTooOld",
    "UnknownBackend",
    "__version__",
    "available_backends",
    "diagnose",
    "error",
    "get_backend",
    "io",
    "load_backend",
    "use_backend",
]
