#!/usr/bin/env python3
"""Fetch other real NSPR builds into the repository's ``.cache/nspr``.

    python tools/fetch_nspr.py 4.29 4.36

The same as ``python -m nspr_ctypes.builds fetch 4.29 4.36`` (the fetcher lives
in the package: :mod:`nspr_ctypes.builds`), except that the cache folder
defaults to ``<repo>/.cache/nspr`` instead of the per-user cache, and that the
nspr_ctypes of this source tree is used when none is installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = REPO_ROOT / ".cache" / "nspr"


def main(argv: Optional[List[str]] = None) -> int:
    try:
        from nspr_ctypes import builds
    except ImportError:
        sys.path.insert(0, str(REPO_ROOT))
        from nspr_ctypes import builds

    if not os.environ.get(builds.ENV_CACHE, "").strip():
        os.environ[builds.ENV_CACHE] = str(DEFAULT_CACHE)
    return builds.main(["fetch", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
