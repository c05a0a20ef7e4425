"""Errors raised while choosing or loading a backend.

They form their own tree under :class:`BackendError`, a subclass of
:class:`ImportError` (a backend that cannot load is a missing import), and
each message lists what was tried.
"""

from __future__ import annotations as _annotations

from typing import List as _List
from typing import Sequence as _Sequence

__all__ = [
    "BackendError",
    "BackendUnavailable",
    "LibraryIncompatible",
    "LibraryLoadFailed",
    "LibraryNotFound",
    "LibraryTooOld",
    "UnknownBackend",
]

_INSTALL_HINT = (
    "Install NSPR (Debian/Ubuntu: apt-get install libnspr4; Fedora/RHEL: "
    "dnf install nspr; Homebrew: brew install nspr), or point "
    "NSPR_CTYPES_LIBRARY at a libnspr4 file."
)


class BackendError(ImportError):
    """A backend could not be chosen or loaded.

    ``attempts`` lists what was tried, one line each.
    """

    def __init__(self, message: str, attempts: _Sequence[str] = ()) -> None:
        #: The message without the list of attempts.
        self.reason = message
        self.attempts: _List[str] = list(attempts)
        if self.attempts:
            message += "\nTried:\n" + "\n".join("  - " + line for line in self.attempts)
        super().__init__(message)


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
