"""python-nss's ``nss`` package, provided by nspr_ctypes: ``nss.io`` and ``nss.error`` only.

This directory is nspr_ctypes's alias for programs written for python-nss
(see ``nspr_ctypes.compat``). ``nss.io`` is ``nspr_ctypes.io`` and
``nss.error`` is ``nspr_ctypes.error``, the same module objects.
``nss.nss`` and ``nss.ssl`` (NSS proper: certificates, SSL) are not provided;
importing them raises ``ImportError``.
"""

import sys as _sys

try:
    import nspr_ctypes as _nspr_ctypes
    from nspr_ctypes import error, io
except ImportError as exc:
    raise ImportError(
        "the nss alias at %s needs nspr_ctypes, which this Python (%s) cannot "
        "import: install nspr_ctypes for it, or put the directory holding the "
        "nspr_ctypes package on PYTHONPATH too (%s)"
        % (__path__[0], _sys.executable, exc),
        name=__name__,
    ) from exc

# The version of python-nss whose nss.io / nss.error API this is, for programs
# that check nss.__version__; nspr_ctypes's own is __nspr_ctypes_version__.
__version__ = "1.0.1"
__nspr_ctypes_version__ = _nspr_ctypes.__version__
# Tells this package from python-nss (nspr_ctypes.compat.install() reads it).
__nspr_ctypes_alias__ = True

# nss.io and nss.error are nspr_ctypes's modules themselves: registered here so
# that "import nss.io" finds them, bound here so that "nss.io" works at once.
_sys.modules[__name__ + ".io"] = io
_sys.modules[__name__ + ".error"] = error
