"""The backend registry: which backends exist, and which one is used.

Built-ins are ``nspr`` (libnspr4 through ctypes; preferred) and ``stdlib`` (an
emulation on the standard library; the fallback). Third-party backends
register in the entry-point group ``nspr_ctypes.backends`` with a factory
``factory(library=None, min_version=None) -> Backend``. Nothing is loaded at
import; the default backend is chosen on first use, from NSPR_CTYPES_BACKEND /
NSPR_CTYPES_LIBRARY or automatically, and diagnose() says which and why.
"""

from contextlib import AbstractContextManager
from typing import Final, List, NamedTuple, Optional, Tuple, Union

from nspr_ctypes.backends._base import Backend as Backend, PollSet as PollSet

__all__ = [
    "ENTRY_POINT_GROUP",
    "Backend",
    "Candidate",
    "Diagnosis",
    "PollSet",
    "available_backends",
    "diagnose",
    "get_backend",
    "load_backend",
    "use_backend",
    "using_backend",
]

ENTRY_POINT_GROUP: Final = "nspr_ctypes.backends"

class Candidate(NamedTuple):
    """One backend considered by the choice, with what happened to it.

    ``origin`` is ``"built-in"`` or ``"entry point"``; ``status`` one of
    ``"chosen"``, ``"available"``, ``"unavailable"``, ``"not tried"``.
    """

    name: str
    origin: str
    priority: int
    status: str
    reason: str
    library_path: Optional[str] = None
    version: Optional[str] = None

class Diagnosis(NamedTuple):
    """What diagnose() found: the backend in use (None if none could be
    loaded), every candidate, and the environment variables that steer the
    choice. ``str()`` is the report ``python -m nspr_ctypes`` prints."""

    chosen: Optional[Backend]
    candidates: Tuple[Candidate, ...]
    environment: Tuple[Tuple[str, Optional[str]], ...]

def available_backends() -> List[str]:
    """available_backends() -> [name]

    The names of every registered backend (loaded or not), by priority.
    """

def load_backend(
    name: str, *, library: Optional[str] = None, min_version: Optional[str] = None
) -> Backend:
    """load_backend(name, *, library=None, min_version=None) -> Backend

    Load a new, independent instance of the backend ``name``; ``library`` is
    the libnspr4 file to use, ``min_version`` the oldest NSPR version to
    accept. Raises a BackendError subclass that says what was tried.
    """

def use_backend(
    backend: Union[str, Backend], *, library: Optional[str] = None
) -> Backend:
    """use_backend(backend, *, library=None) -> Backend

    Make ``backend`` (a name or an instance) the default and return it.
    Loading by name is strict: a backend that cannot load raises BackendError.
    """

def using_backend(
    backend: Union[str, Backend], *, library: Optional[str] = None
) -> AbstractContextManager[Backend]:
    """using_backend(backend, *, library=None) -> context manager of Backend

    ``with using_backend(backend) as chosen:`` the default is ``backend``
    (a name or an instance) inside the block; on exit the previous default
    (or none chosen yet) and diagnose()'s reasons are put back.
    """

def get_backend() -> Backend:
    """get_backend() -> Backend

    The default backend, chosen on first use.
    """

def diagnose() -> Diagnosis:
    """diagnose() -> Diagnosis

    Report the backend in use and every candidate with its reason; candidates
    the choice did not try are loaded to say whether they would work.
    """
