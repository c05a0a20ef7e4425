"""``nss.error`` is ``nspr_ctypes.error``.

Importing ``nss`` registers ``nspr_ctypes.error`` as ``nss.error`` already; this
file serves only if that entry was removed from ``sys.modules``. A module that
puts another in its place in ``sys.modules`` is what ``import`` returns.
"""

import sys

from nspr_ctypes import error

sys.modules[__name__] = error
