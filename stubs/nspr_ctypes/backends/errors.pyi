"""Errors raised while choosing or loading a backend.

They form their own tree under BackendError, a subclass of ImportError (a
backend that cannot load is a missing import); each message lists what was
tried.
"""

from typing import List, Sequence

__all__ = [
    "BackendError",
    "BackendUnavailable",
    "LibraryIncompatible",
    "LibraryLoadFailed",
    "LibraryNotFound",
    "LibraryTooOld",
    "UnknownBackend",
]

class BackendError(ImportError):
    """BackendError(message, attempts=())

    A backend could not be chosen or loaded.
    """

    reason: str
    """The message without the list of attempts."""
    attempts: List[str]
    """What was tried, one line each."""

    def __init__(self, message: str, attempts: Sequence[str] = ()) -> None: ...

class UnknownBackend(BackendError):
    """No backend of that name is registered."""

class BackendUnavailable(BackendError):
    """The backend exists but cannot be used on this machine."""

class LibraryNotFound(BackendUnavailable):
    """No libnspr4 file was found."""

class LibraryLoadFailed(BackendUnavailable):
    """A libnspr4 file exists but the system loader refused it."""

class LibraryIncompatible(BackendUnavailable):
    """The file loaded but is not NSPR (required symbols are missing)."""

class LibraryTooOld(BackendUnavailable):
    """The NSPR library is older than required."""
