"""nspr_ctypes: python-nss's ``nss.io`` / ``nss.error`` API with no build step.

``from nspr_ctypes import io, error`` gives the same classes, functions and
constants as ``nss.io`` and ``nss.error``, on a backend: libnspr4 loaded
through ctypes (``nspr``), or an emulation on the standard library
(``stdlib``). The backend is chosen on first use; diagnose() says which and why.
"""

from nspr_ctypes import error as error, io as io
from nspr_ctypes.backends import (
    Backend as Backend,
    Diagnosis as Diagnosis,
    available_backends as available_backends,
    diagnose as diagnose,
    get_backend as get_backend,
    load_backend as load_backend,
    use_backend as use_backend,
)
from nspr_ctypes.backends.errors import (
    BackendError as BackendError,
    BackendUnavailable as BackendUnavailable,
    LibraryIncompatible as LibraryIncompatible,
    LibraryLoadFailed as LibraryLoadFailed,
    LibraryNotFound as LibraryNotFound,
    LibraryTooOld as LibraryTooOld,
    UnknownBackend as UnknownBackend,
)

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

__version__: str
