"""``python -m nspr_ctypes.builds``: real NSPR builds of other versions.

Debian's libnspr4 of other suites, downloaded with the machine's apt
configuration (nothing installed), unpacked into a cache folder:
``$NSPR_CTYPES_BUILD_CACHE``, else ``$XDG_CACHE_HOME/nspr_ctypes/nspr``, else
``~/.cache/nspr_ctypes/nspr``. ``<cache>/<version>/libnspr4.so`` is the stable
path of a build's library.
"""

from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence

__all__ = [
    "ENV_CACHE",
    "KNOWN_BUILDS",
    "Build",
    "FetchError",
    "Mirror",
    "cache_dir",
    "cached_library",
    "debian_mirror",
    "default_cache_dir",
    "fetch",
    "library_path",
    "main",
    "read_mirrors",
]

ENV_CACHE: str

class Build(NamedTuple):
    """One NSPR build: which Debian package version of which suite."""

    version: str
    suite: str
    package_version: str
    note: str

KNOWN_BUILDS: Dict[str, Build]

class FetchError(Exception):
    """A build could not be fetched; the message says why, what was tried,
    and how to get the build by hand."""

class Mirror(NamedTuple):
    """A Debian archive named by the apt configuration."""

    uri: str
    signed_by: Optional[str]
    origin: str

def default_cache_dir() -> Path:
    """default_cache_dir() -> Path

    ``$XDG_CACHE_HOME/nspr_ctypes/nspr``, else ``~/.cache/nspr_ctypes/nspr``.
    """

def cache_dir(cache: Optional[Path] = None) -> Path:
    """cache_dir(cache=None) -> Path

    ``cache``, else ``$NSPR_CTYPES_BUILD_CACHE``, else default_cache_dir(),
    as an absolute path.
    """

def library_path(version: str, cache: Optional[Path] = None) -> Path:
    """library_path(version, cache=None) -> Path

    The stable path of the library of ``version`` (present or not).
    """

def cached_library(version: str, cache: Optional[Path] = None) -> Optional[Path]:
    """cached_library(version, cache=None) -> Path or None

    The library of ``version`` if it is in the cache.
    """

def read_mirrors(sources: Path = ..., parts: Path = ...) -> List[Mirror]:
    """read_mirrors(sources=/etc/apt/sources.list, parts=/etc/apt/sources.list.d) -> [Mirror]

    The main Debian archives named by the apt configuration, in apt's order.
    """

def debian_mirror(sources: Path = ..., parts: Path = ...) -> Mirror:
    """debian_mirror(sources=..., parts=...) -> Mirror

    The first main Debian archive of the apt configuration; FetchError if none.
    """

def fetch(
    version: str,
    cache: Optional[Path] = None,
    *,
    sources: Path = ...,
    parts: Path = ...,
) -> Path:
    """fetch(version, cache=None) -> Path

    The stable path of the library of NSPR ``version``, fetched if needed (a
    cached build without network). Raises FetchError.
    """

def main(argv: Optional[Sequence[str]] = None) -> int:
    """main(argv=None) -> exit status

    The command line: list, fetch VERSION..., path VERSION; 0 when every build
    asked for is there, 1 when one could not be fetched, 2 for a usage error.
    """
