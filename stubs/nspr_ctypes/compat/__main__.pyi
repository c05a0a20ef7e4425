"""``python -m nspr_ctypes.compat``: run a python-nss program on nspr_ctypes, unchanged.

``SCRIPT [ARGS...]`` runs as ``python SCRIPT`` would, ``-m MODULE [ARGS...]``
as ``python -m MODULE`` would, with the nss alias installed in this process
and first on PYTHONPATH for the processes the program starts.
"""

from typing import List, Optional

def main(argv: Optional[List[str]] = None) -> int:
    """main(argv=None) -> exit status

    2 for a usage error, an unknown backend or python-nss already imported;
    otherwise what ``python SCRIPT`` would exit with (``sys.exit()`` in the
    program raises SystemExit through it).
    """
