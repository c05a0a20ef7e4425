"""``nss.io`` is ``nspr_ctypes.io``.

Importing ``nss`` registers ``nspr_ctypes.io`` as ``nss.io`` already; this file
serves only if that entry was removed from ``sys.modules``. A module that puts
another in its place in ``sys.modules`` is what ``import`` returns.
"""

import sys

from nspr_ctypes import io

sys.modules[__name__] = io
