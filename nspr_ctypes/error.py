"""Error codes, their descriptions, :class:`NSPRError` and :class:`CertVerifyError`.

This module defines the NSPR errors and provides functions to manipulate
them, as ``nss.error`` does: NSPR's ``PR_*`` codes and NSS's ``SEC_*``,
``SSL_*`` and ``XP_*`` codes, all with python-nss's values and texts.
"""

from __future__ import annotations as _annotations

import operator as _operator
import threading as _threading
from typing import Any as _Any
from typing import Final as _Final
from typing import List as _List
from typing import Optional as _Optional
from typing import SupportsIndex as _SupportsIndex
from typing import Tuple as _Tuple
from typing import Type as _Type

from nspr_ctypes import _args

# The codes (re-exported) and their descriptions: one table, generated from
# python-nss's (tools/error_table.py).
from nspr_ctypes._error_table import *  # noqa: F403
from nspr_ctypes._error_table import _DESCRIPTIONS, _NAMES

__all__: _Final[_List[str]] = [
    *sorted(_NAMES.values()),
    "CertVerifyError",
    "NSPRError",
    "get_nspr_error_string",
    "nspr_error",
]

# The calling thread's last NSPR error, as NSPR's PR_GetError() keeps it:
# set by every failing operation, never reset by a successful one.
_thread_state = _threading.local()


def _last_error() -> int:
    code: int = getattr(_thread_state, "code", 0)
    return code


def _set_last_error(code: int) -> None:
    _thread_state.code = code


def get_nspr_error_string(number: int) -> str | None:
    """get_nspr_error_string(number) -> string or None

    Return the description of the error code ``number`` (an NSPR or NSS code
    of this module), or None when the code is not a known one.
    """
    return _DESCRIPTIONS.get(_args.c_int(number))


def _describe(code: int) -> str:
    name = _NAMES.get(code)
    if name is None:
        return "error (%d) unknown" % code
    return "(%s) %s" % (name, _DESCRIPTIONS[code])


class NSPRError(Exception):
    """NSPRError(error_message=None, error_code=None)

    An error reported by NSPR or NSS. ``error_code`` (alias ``errno``) is one
    of the error codes of this module; when it is omitted, None or -1,
    the calling thread's last NSPR error is used. ``error_desc`` (alias
    ``strerror``) reads ``'(NAME) description'``; ``error_message`` holds the
    message given, or None. ``str()`` is ``'message: description'`` or just
    the description.

    When a send fails part way, ``bytes_sent`` says how many bytes were
    transmitted before the failure (None when the error is not about a send).
    """

    __module__ = "nspr_ctypes.error"

    # What an instance made by __new__ alone reads, as in python-nss: code 0,
    # no description, no message (and its str() raises ValueError).
    _error_code: int = 0
    _error_message: _Optional[str] = None
    _error_desc: _Optional[str] = None
    bytes_sent: _Optional[int] = None

    def __init__(
        self, error_message: _Optional[str] = None, error_code: _Optional[int] = None
    ) -> None:
        _check_types(error_message, error_code)
        # ``args`` stays what BaseException.__new__ set: the positional
        # arguments only, as python-nss has it.
        if error_code is None or error_code == -1:
            code = _last_error()
        else:  # a C long, then cast to the C int NSPR keeps
            code = _args.wrap_c_int(_args.c_long(error_code))
        self._set_state(code, error_message)

    def _set_state(self, code: int, message: _Optional[str]) -> None:
        self._error_code = code
        self._error_message = message
        self._error_desc = _describe(code)
        self.bytes_sent = None

    @property
    def error_code(self) -> int:
        """The error code (one of the codes of this module, or any other)."""
        return self._error_code

    @property
    def errno(self) -> int:
        """Alias of :attr:`error_code`."""
        return self._error_code

    @property
    def error_desc(self) -> _Optional[str]:
        """``'(NAME) description'`` of the error code (None when uninitialised)."""
        return self._error_desc

    @property
    def strerror(self) -> _Optional[str]:
        """Alias of :attr:`error_desc`."""
        return self._error_desc

    @property
    def error_message(self) -> _Optional[str]:
        """The message given to the constructor, or None."""
        return self._error_message

    def __str__(self) -> str:
        if self._error_desc is None:
            raise ValueError(
                "%s.%s is uninitialized" % (self.__module__, type(self).__name__)
            )
        if self._error_message is not None:
            return "%s: %s" % (self._error_message, self._error_desc)
        return self._error_desc

    def __reduce__(self) -> _Tuple[_Any, ...]:
        # Keep the code itself: rebuilding from ``args`` alone would take the
        # unpickling thread's last error for errors raised internally.
        return (
            _rebuild_error,
            (type(self), self._error_message, self._error_code, self.args),
            self.__dict__,
        )


def _check_types(error_message: object, error_code: object) -> None:
    if error_message is not None and not isinstance(error_message, str):
        raise TypeError(
            "must be a string or None, not %s" % type(error_message).__name__
        )
    if error_code is not None and not isinstance(error_code, int):
        raise TypeError("must be int or None, not %s" % type(error_code).__name__)


class CertVerifyError(NSPRError):
    """CertVerifyError(error_message=None, error_code=None, usages=0, log=None)

    The :class:`NSPRError` of a failed certificate verification, as python-nss
    raises it, with what the verification returned besides the error:
    ``usages``, the bitmask of the usages that were validated (a C unsigned
    int: other ints are cut to their low 32 bits), and ``log``, the
    verification log given, or None. ``str()`` is NSPRError's followed by
    ``' usages=0x...'``; ``args`` is always ``()``, as in python-nss.

    Nothing in nspr_ctypes raises it (certificates belong to NSS); it exists
    so that programs written for python-nss can name and build it.
    """

    __module__ = "nspr_ctypes.error"

    _usages: int = 0
    _log: _Any = None

    def __new__(cls, *args: _Any, **kwargs: _Any) -> CertVerifyError:
        # python-nss keeps no arguments in ``args``: it is always ().
        error: CertVerifyError = super().__new__(cls)
        return error

    def __init__(
        self,
        error_message: _Optional[str] = None,
        error_code: _Optional[int] = None,
        usages: _SupportsIndex = 0,
        log: _Any = None,
    ) -> None:
        # python-nss checks the types, then usages, then the code's range.
        _check_types(error_message, error_code)
        mask = _operator.index(usages) & 0xFFFFFFFF
        super().__init__(error_message, error_code)
        self._usages = mask
        self._log = log

    @property
    def usages(self) -> int:
        """The bitmask of the usages the verification validated."""
        return self._usages

    @property
    def log(self) -> _Any:
        """The verification log given to the constructor, or None."""
        return self._log

    def __str__(self) -> str:
        return "%s usages=0x%x" % (super().__str__(), self._usages)


def _rebuild_error(
    cls: _Type[NSPRError], message: _Optional[str], code: int, args: _Tuple[_Any, ...]
) -> NSPRError:
    error: NSPRError = cls.__new__(cls, *args)
    error._set_state(code, message)
    return error


def nspr_error(code: int, message: _Optional[str] = None) -> NSPRError:
    """Build the NSPRError for a failed operation and record it as the calling
    thread's last error (what ``NSPRError()`` with no code reports).

    Like python-nss's internally raised errors, the result has ``args == ()``.
    """
    _set_last_error(code)
    return _rebuild_error(NSPRError, message, code, ())


def _module_doc() -> str:
    entries = "".join(
        "%s: %s\n\n" % (_NAMES[code], _DESCRIPTIONS[code]) for code in sorted(_NAMES)
    )
    return (
        "This module defines the NSPR errors and provides functions to\n"
        "manipulate them.\nNSPR Error Constants:\n\n" + entries
    )


__doc__ = _module_doc()
