"""Usage examples of nspr_ctypes's public API, for the type checker only.

The ``usage_*.py`` modules beside this one call every public name the way a
program does and state the type each expression must have with
``assert_type``; ``# type: ignore[code]`` marks calls that must be rejected
(``--strict`` reports an ignore that is no longer needed, so those are checked
too). Nothing here runs: pytest collects no file of this folder (none is named
``test_*.py``), and importing one only defines functions.

They are checked twice, against the two descriptions of the API that must not
drift apart:

* the inline annotations of the package source, with no stubs on the path:
  ``mypy --strict nspr_ctypes tests`` from the project root, where
  ``nspr_ctypes`` resolves to ``./nspr_ctypes``;
* the curated stubs ``stubs/nspr_ctypes`` alone: from a directory that holds
  no copy of the package, ``mypy --config-file <root>/tests/typing/mypy_stubs.ini
  <root>/tests/typing``. That configuration puts ``stubs/`` on the search path
  and ignores site-packages, so a missing stub is an error instead of a silent
  fall-back to the source (``mypy -v`` lists the ``.pyi`` files it read).

``typing_extensions`` is a dependency of the type checks only (``assert_type``
is in ``typing`` from Python 3.11 on), never of the package.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    from typing import assert_type
else:
    from typing_extensions import assert_type

__all__ = ["assert_type"]
