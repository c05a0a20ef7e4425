"""errno -> PRErrorCode for the stdlib backend: NSPR's ``unix_errors.c``
tables, the one translation point (:func:`_translate`, :func:`_os_error`) and
the ``with _translating(call):`` blocks of the cold calls.

The table is checked against real NSPR by fault injection in
``tests/unit/test_stdlib_backend.py`` and listed in ``docs/error-mapping.md``.
"""

from __future__ import annotations

import errno as _errno
from types import TracebackType
from typing import Dict, Optional, Tuple, Type

from nspr_ctypes import error as E
from nspr_ctypes.error import NSPRError, nspr_error

# NSPR's _MD_unix_map_default_error (pr/src/md/unix/unix_errors.c), every row
# confirmed on libnspr4 4.35 by making the system call fail with each errno.
# Anything not listed maps to PR_UNKNOWN_ERROR, as in NSPR.
_DEFAULT_MAP: Dict[int, int] = {
    _errno.EPERM: E.PR_NO_ACCESS_RIGHTS_ERROR,
    _errno.ENOENT: E.PR_FILE_NOT_FOUND_ERROR,
    _errno.EIO: E.PR_IO_ERROR,
    _errno.ENXIO: E.PR_FILE_NOT_FOUND_ERROR,
    _errno.EBADF: E.PR_BAD_DESCRIPTOR_ERROR,
    _errno.EAGAIN: E.PR_WOULD_BLOCK_ERROR,
    _errno.EWOULDBLOCK: E.PR_WOULD_BLOCK_ERROR,
    _errno.ENOMEM: E.PR_OUT_OF_MEMORY_ERROR,
    _errno.EACCES: E.PR_NO_ACCESS_RIGHTS_ERROR,
    _errno.EFAULT: E.PR_ACCESS_FAULT_ERROR,
    _errno.EBUSY: E.PR_FILESYSTEM_MOUNTED_ERROR,
    _errno.EEXIST: E.PR_FILE_EXISTS_ERROR,
    _errno.EXDEV: E.PR_NOT_SAME_DEVICE_ERROR,
    _errno.ENODEV: E.PR_FILE_NOT_FOUND_ERROR,
    _errno.ENOTDIR: E.PR_NOT_DIRECTORY_ERROR,
    _errno.EISDIR: E.PR_IS_DIRECTORY_ERROR,
    _errno.EINVAL: E.PR_INVALID_ARGUMENT_ERROR,
    _errno.ENFILE: E.PR_SYS_DESC_TABLE_FULL_ERROR,
    _errno.EMFILE: E.PR_PROC_DESC_TABLE_FULL_ERROR,
    _errno.EFBIG: E.PR_FILE_TOO_BIG_ERROR,
    _errno.ENOSPC: E.PR_NO_DEVICE_SPACE_ERROR,
    _errno.ESPIPE: E.PR_INVALID_METHOD_ERROR,
    _errno.EROFS: E.PR_READ_ONLY_FILESYSTEM_ERROR,
    _errno.EMLINK: E.PR_MAX_DIRECTORY_ENTRIES_ERROR,
    _errno.EPIPE: E.PR_CONNECT_RESET_ERROR,
    _errno.ERANGE: E.PR_INVALID_METHOD_ERROR,
    _errno.EDEADLK: E.PR_DEADLOCK_ERROR,
    _errno.ENAMETOOLONG: E.PR_NAME_TOO_LONG_ERROR,
    _errno.ENOLCK: E.PR_FILE_IS_LOCKED_ERROR,
    _errno.ENOSYS: E.PR_NOT_IMPLEMENTED_ERROR,
    _errno.ELOOP: E.PR_LOOP_ERROR,
    _errno.ENOTSOCK: E.PR_NOT_SOCKET_ERROR,
    _errno.EMSGSIZE: E.PR_INVALID_ARGUMENT_ERROR,
    _errno.EPROTOTYPE: E.PR_ADDRESS_NOT_SUPPORTED_ERROR,
    _errno.ENOPROTOOPT: E.PR_INVALID_ARGUMENT_ERROR,
    _errno.EPROTONOSUPPORT: E.PR_PROTOCOL_NOT_SUPPORTED_ERROR,
    _errno.EOPNOTSUPP: E.PR_NOT_TCP_SOCKET_ERROR,
    _errno.EAFNOSUPPORT: E.PR_ADDRESS_NOT_SUPPORTED_ERROR,
    _errno.EADDRINUSE: E.PR_ADDRESS_IN_USE_ERROR,
    _errno.EADDRNOTAVAIL: E.PR_ADDRESS_NOT_AVAILABLE_ERROR,
    _errno.ENETUNREACH: E.PR_NETWORK_UNREACHABLE_ERROR,
    _errno.ECONNABORTED: E.PR_CONNECT_ABORTED_ERROR,
    _errno.ECONNRESET: E.PR_CONNECT_RESET_ERROR,
    _errno.ENOBUFS: E.PR_INSUFFICIENT_RESOURCES_ERROR,
    _errno.EISCONN: E.PR_IS_CONNECTED_ERROR,
    _errno.ENOTCONN: E.PR_NOT_CONNECTED_ERROR,
    _errno.ETIMEDOUT: E.PR_IO_TIMEOUT_ERROR,
    _errno.ECONNREFUSED: E.PR_CONNECT_REFUSED_ERROR,
    _errno.EHOSTDOWN: E.PR_HOST_UNREACHABLE_ERROR,
    _errno.EHOSTUNREACH: E.PR_HOST_UNREACHABLE_ERROR,
    _errno.EALREADY: E.PR_ALREADY_INITIATED_ERROR,
    _errno.EINPROGRESS: E.PR_IN_PROGRESS_ERROR,
    _errno.EINTR: E.PR_PENDING_INTERRUPT_ERROR,
}
# Linux-only errno names, looked up so the module imports everywhere.
for _name, _code in (
    ("ENOSR", E.PR_INSUFFICIENT_RESOURCES_ERROR),
    ("ENOLINK", E.PR_REMOTE_FILE_ERROR),
    ("EMULTIHOP", E.PR_REMOTE_FILE_ERROR),
    ("EPROTO", E.PR_IO_ERROR),
    ("EBADMSG", E.PR_IO_ERROR),
    ("EOVERFLOW", E.PR_BUFFER_OVERFLOW_ERROR),
    ("EDQUOT", E.PR_NO_DEVICE_SPACE_ERROR),
):
    if hasattr(_errno, _name):
        _DEFAULT_MAP[getattr(_errno, _name)] = _code

# NSPR's call-specific _MD_unix_map_<call>_error overrides.
_OVERRIDES: Dict[str, Dict[int, int]] = {
    "bind": {_errno.EINVAL: E.PR_SOCKET_ADDRESS_IS_BOUND_ERROR},
    "connect": {_errno.ENXIO: E.PR_IO_ERROR},
    "accept": {_errno.ENODEV: E.PR_NOT_TCP_SOCKET_ERROR},
    "socket": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "socketpair": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "getsockname": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "getpeername": {_errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR},
    "getsockopt": {
        _errno.EINVAL: E.PR_BUFFER_OVERFLOW_ERROR,
        _errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR,
    },
    "setsockopt": {
        _errno.EINVAL: E.PR_BUFFER_OVERFLOW_ERROR,
        _errno.ENOMEM: E.PR_INSUFFICIENT_RESOURCES_ERROR,
    },
    "poll": {_errno.EAGAIN: E.PR_INSUFFICIENT_RESOURCES_ERROR},
}

#: The system calls whose errors are translated (each uses the default table
#: plus its overrides).
CALLS: Tuple[str, ...] = (
    "socket",
    "socketpair",
    "close",
    "bind",
    "listen",
    "connect",
    "accept",
    "recv",
    "send",
    "recvfrom",
    "sendto",
    "shutdown",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "poll",
)

_MAPS: Dict[str, Dict[int, int]] = {
    call: {**_DEFAULT_MAP, **_OVERRIDES.get(call, {})} for call in CALLS
}


def _translate(call: str, errnum: Optional[int]) -> int:
    """The ``PR_*_ERROR`` code NSPR reports when ``call`` fails with ``errnum``."""
    if errnum is None:
        return E.PR_UNKNOWN_ERROR
    return _MAPS[call].get(errnum, E.PR_UNKNOWN_ERROR)


def _os_error(call: str, exc: OSError) -> NSPRError:
    """The one translation point from an ``OSError`` to an ``NSPRError``."""
    return nspr_error(_translate(call, exc.errno))


def _errno_error(call: str, errnum: int) -> NSPRError:
    return nspr_error(_translate(call, errnum))


class _Translating:
    """``with _translating("bind"):``: an ``OSError`` leaving the block leaves
    it as the ``NSPRError`` NSPR reports for that call (:func:`_os_error`).
    With ``code``, any of ``kinds`` leaving the block is that code instead (the
    lookups, which NSPR reports as one error whatever the cause). The cold
    calls go through this; the hot ones write the same ``try`` inline."""

    __slots__ = ("call", "code", "kinds")

    def __init__(
        self,
        call: str,
        code: Optional[int] = None,
        kinds: Tuple[Type[BaseException], ...] = (OSError,),
    ) -> None:
        self.call = call
        self.code = code
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        if exc is None or not isinstance(exc, self.kinds):
            return  # nothing raised, or not ours: it goes on as it is
        if self.code is not None:
            raise nspr_error(self.code) from None
        assert isinstance(exc, OSError)
        raise _os_error(self.call, exc) from None


#: ``_translating(call)``: the block translating the ``OSError`` of system
#: call ``call`` (made once per call; a dict lookup in C, no Python frame).
_translating = {call: _Translating(call) for call in CALLS}.__getitem__


#: A failed lookup, whatever the cause (an OS error, a name the codec or the
#: resolver refuses), is PR_DIRECTORY_LOOKUP_ERROR, as NSPR reports it.
_LOOKUP_FAILS = _Translating(
    "lookup", E.PR_DIRECTORY_LOOKUP_ERROR, (OSError, UnicodeError, ValueError)
)
