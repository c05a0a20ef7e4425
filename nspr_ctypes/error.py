"""NSPR error codes, their descriptions, and :class:`NSPRError`.

This module defines the NSPR errors and provides functions to manipulate
them, as ``nss.error`` does for the NSPR part of its table.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, Final, List, Optional, Tuple, Type

from nspr_ctypes import _args

# fmt: off
SUCCESS: Final = 0
PR_OUT_OF_MEMORY_ERROR: Final = -6000
PR_BAD_DESCRIPTOR_ERROR: Final = -5999
PR_WOULD_BLOCK_ERROR: Final = -5998
PR_ACCESS_FAULT_ERROR: Final = -5997
PR_INVALID_METHOD_ERROR: Final = -5996
PR_ILLEGAL_ACCESS_ERROR: Final = -5995
PR_UNKNOWN_ERROR: Final = -5994
PR_PENDING_INTERRUPT_ERROR: Final = -5993
PR_NOT_IMPLEMENTED_ERROR: Final = -5992
PR_IO_ERROR: Final = -5991
PR_IO_TIMEOUT_ERROR: Final = -5990
PR_IO_PENDING_ERROR: Final = -5989
PR_DIRECTORY_OPEN_ERROR: Final = -5988
PR_INVALID_ARGUMENT_ERROR: Final = -5987
PR_ADDRESS_NOT_AVAILABLE_ERROR: Final = -5986
PR_ADDRESS_NOT_SUPPORTED_ERROR: Final = -5985
PR_IS_CONNECTED_ERROR: Final = -5984
PR_BAD_ADDRESS_ERROR: Final = -5983
PR_ADDRESS_IN_USE_ERROR: Final = -5982
PR_CONNECT_REFUSED_ERROR: Final = -5981
PR_NETWORK_UNREACHABLE_ERROR: Final = -5980
PR_CONNECT_TIMEOUT_ERROR: Final = -5979
PR_NOT_CONNECTED_ERROR: Final = -5978
PR_LOAD_LIBRARY_ERROR: Final = -5977
PR_UNLOAD_LIBRARY_ERROR: Final = -5976
PR_FIND_SYMBOL_ERROR: Final = -5975
PR_INSUFFICIENT_RESOURCES_ERROR: Final = -5974
PR_DIRECTORY_LOOKUP_ERROR: Final = -5973
PR_TPD_RANGE_ERROR: Final = -5972
PR_PROC_DESC_TABLE_FULL_ERROR: Final = -5971
PR_SYS_DESC_TABLE_FULL_ERROR: Final = -5970
PR_NOT_SOCKET_ERROR: Final = -5969
PR_NOT_TCP_SOCKET_ERROR: Final = -5968
PR_SOCKET_ADDRESS_IS_BOUND_ERROR: Final = -5967
PR_NO_ACCESS_RIGHTS_ERROR: Final = -5966
PR_OPERATION_NOT_SUPPORTED_ERROR: Final = -5965
PR_PROTOCOL_NOT_SUPPORTED_ERROR: Final = -5964
PR_REMOTE_FILE_ERROR: Final = -5963
PR_BUFFER_OVERFLOW_ERROR: Final = -5962
PR_CONNECT_RESET_ERROR: Final = -5961
PR_RANGE_ERROR: Final = -5960
PR_DEADLOCK_ERROR: Final = -5959
PR_FILE_IS_LOCKED_ERROR: Final = -5958
PR_FILE_TOO_BIG_ERROR: Final = -5957
PR_NO_DEVICE_SPACE_ERROR: Final = -5956
PR_PIPE_ERROR: Final = -5955
PR_NO_SEEK_DEVICE_ERROR: Final = -5954
PR_IS_DIRECTORY_ERROR: Final = -5953
PR_LOOP_ERROR: Final = -5952
PR_NAME_TOO_LONG_ERROR: Final = -5951
PR_FILE_NOT_FOUND_ERROR: Final = -5950
PR_NOT_DIRECTORY_ERROR: Final = -5949
PR_READ_ONLY_FILESYSTEM_ERROR: Final = -5948
PR_DIRECTORY_NOT_EMPTY_ERROR: Final = -5947
PR_FILESYSTEM_MOUNTED_ERROR: Final = -5946
PR_NOT_SAME_DEVICE_ERROR: Final = -5945
PR_DIRECTORY_CORRUPTED_ERROR: Final = -5944
PR_FILE_EXISTS_ERROR: Final = -5943
PR_MAX_DIRECTORY_ENTRIES_ERROR: Final = -5942
PR_INVALID_DEVICE_STATE_ERROR: Final = -5941
PR_DEVICE_IS_LOCKED_ERROR: Final = -5940
PR_NO_MORE_FILES_ERROR: Final = -5939
PR_END_OF_FILE_ERROR: Final = -5938
PR_FILE_SEEK_ERROR: Final = -5937
PR_FILE_IS_BUSY_ERROR: Final = -5936
PR_OPERATION_ABORTED_ERROR: Final = -5935
PR_IN_PROGRESS_ERROR: Final = -5934
PR_ALREADY_INITIATED_ERROR: Final = -5933
PR_GROUP_EMPTY_ERROR: Final = -5932
PR_INVALID_STATE_ERROR: Final = -5931
PR_NETWORK_DOWN_ERROR: Final = -5930
PR_SOCKET_SHUTDOWN_ERROR: Final = -5929
PR_CONNECT_ABORTED_ERROR: Final = -5928
PR_HOST_UNREACHABLE_ERROR: Final = -5927
PR_LIBRARY_NOT_LOADED_ERROR: Final = -5926
PR_CALL_ONCE_ERROR: Final = -5925
PR_MAX_ERROR: Final = -5924
# fmt: on

# python-nss's own description texts (not NSPR's PR_ErrorToString, which
# differs in wording and has no final period).
_DESCRIPTIONS: Final[Dict[int, str]] = {
    SUCCESS: "Success",
    PR_OUT_OF_MEMORY_ERROR: "Memory allocation attempt failed.",
    PR_BAD_DESCRIPTOR_ERROR: "Invalid file descriptor.",
    PR_WOULD_BLOCK_ERROR: "The operation would have blocked.",
    PR_ACCESS_FAULT_ERROR: "Invalid memory address argument.",
    PR_INVALID_METHOD_ERROR: "Invalid function for file type.",
    PR_ILLEGAL_ACCESS_ERROR: "Invalid memory address argument.",
    PR_UNKNOWN_ERROR: "Some unknown error has occurred.",
    PR_PENDING_INTERRUPT_ERROR: "Operation interrupted by another thread.",
    PR_NOT_IMPLEMENTED_ERROR: "function not implemented.",
    PR_IO_ERROR: "I/O function error.",
    PR_IO_TIMEOUT_ERROR: "I/O operation timed out.",
    PR_IO_PENDING_ERROR: "I/O operation on busy file descriptor.",
    PR_DIRECTORY_OPEN_ERROR: "The directory could not be opened.",
    PR_INVALID_ARGUMENT_ERROR: "Invalid function argument.",
    PR_ADDRESS_NOT_AVAILABLE_ERROR: "Network address not available (in use?).",
    PR_ADDRESS_NOT_SUPPORTED_ERROR: "Network address type not supported.",
    PR_IS_CONNECTED_ERROR: "Already connected.",
    PR_BAD_ADDRESS_ERROR: "Network address is invalid.",
    PR_ADDRESS_IN_USE_ERROR: "Local Network address is in use.",
    PR_CONNECT_REFUSED_ERROR: "Connection refused by peer.",
    PR_NETWORK_UNREACHABLE_ERROR: "Network address is presently unreachable.",
    PR_CONNECT_TIMEOUT_ERROR: "Connection attempt timed out.",
    PR_NOT_CONNECTED_ERROR: "Network file descriptor is not connected.",
    PR_LOAD_LIBRARY_ERROR: "Failure to load dynamic library.",
    PR_UNLOAD_LIBRARY_ERROR: "Failure to unload dynamic library.",
    PR_FIND_SYMBOL_ERROR: "Symbol not found in any of the loaded dynamic libraries.",
    PR_INSUFFICIENT_RESOURCES_ERROR: "Insufficient system resources.",
    PR_DIRECTORY_LOOKUP_ERROR: "A directory lookup on a network address has failed.",
    PR_TPD_RANGE_ERROR: "Attempt to access a TPD key that is out of range.",
    PR_PROC_DESC_TABLE_FULL_ERROR: "Process open FD table is full.",
    PR_SYS_DESC_TABLE_FULL_ERROR: "System open FD table is full.",
    PR_NOT_SOCKET_ERROR: "Network operation attempted on non-network file descriptor.",
    PR_NOT_TCP_SOCKET_ERROR: "TCP-specific function attempted on a non-TCP file descriptor.",
    PR_SOCKET_ADDRESS_IS_BOUND_ERROR: "TCP file descriptor is already bound.",
    PR_NO_ACCESS_RIGHTS_ERROR: "Access Denied.",
    PR_OPERATION_NOT_SUPPORTED_ERROR: "The requested operation is not supported by the platform.",
    PR_PROTOCOL_NOT_SUPPORTED_ERROR: "The host operating system does not support the protocol requested.",
    PR_REMOTE_FILE_ERROR: "Access to the remote file has been severed.",
    PR_BUFFER_OVERFLOW_ERROR: "The value requested is too large to be stored in the data buffer provided.",
    PR_CONNECT_RESET_ERROR: "TCP connection reset by peer.",
    PR_RANGE_ERROR: "Unused.",
    PR_DEADLOCK_ERROR: "The operation would have deadlocked.",
    PR_FILE_IS_LOCKED_ERROR: "The file is already locked.",
    PR_FILE_TOO_BIG_ERROR: "Write would result in file larger than the system allows.",
    PR_NO_DEVICE_SPACE_ERROR: "The device for storing the file is full.",
    PR_PIPE_ERROR: "Unused.",
    PR_NO_SEEK_DEVICE_ERROR: "Unused.",
    PR_IS_DIRECTORY_ERROR: "Cannot perform a normal file operation on a directory.",
    PR_LOOP_ERROR: "Symbolic link loop.",
    PR_NAME_TOO_LONG_ERROR: "File name is too long.",
    PR_FILE_NOT_FOUND_ERROR: "File not found.",
    PR_NOT_DIRECTORY_ERROR: "Cannot perform directory operation on a normal file.",
    PR_READ_ONLY_FILESYSTEM_ERROR: "Cannot write to a read-only file system.",
    PR_DIRECTORY_NOT_EMPTY_ERROR: "Cannot delete a directory that is not empty.",
    PR_FILESYSTEM_MOUNTED_ERROR: "Cannot delete or rename a file object while the file system is busy.",
    PR_NOT_SAME_DEVICE_ERROR: "Cannot rename a file to a file system on another device.",
    PR_DIRECTORY_CORRUPTED_ERROR: "The directory object in the file system is corrupted.",
    PR_FILE_EXISTS_ERROR: "Cannot create or rename a filename that already exists.",
    PR_MAX_DIRECTORY_ENTRIES_ERROR: "Directory is full.  No additional filenames may be added.",
    PR_INVALID_DEVICE_STATE_ERROR: "The required device was in an invalid state.",
    PR_DEVICE_IS_LOCKED_ERROR: "The device is locked.",
    PR_NO_MORE_FILES_ERROR: "No more entries in the directory.",
    PR_END_OF_FILE_ERROR: "Encountered end of file.",
    PR_FILE_SEEK_ERROR: "Seek error.",
    PR_FILE_IS_BUSY_ERROR: "The file is busy.",
    PR_OPERATION_ABORTED_ERROR: "The I/O operation was aborted.",
    PR_IN_PROGRESS_ERROR: "Operation is still in progress (probably a non-blocking connect).",
    PR_ALREADY_INITIATED_ERROR: "Operation has already been initiated (probably a non-blocking connect).",
    PR_GROUP_EMPTY_ERROR: "The wait group is empty.",
    PR_INVALID_STATE_ERROR: "Object state improper for request.",
    PR_NETWORK_DOWN_ERROR: "Network is down.",
    PR_SOCKET_SHUTDOWN_ERROR: "The socket was previously shut down.",
    PR_CONNECT_ABORTED_ERROR: "TCP Connection aborted.",
    PR_HOST_UNREACHABLE_ERROR: "Host is unreachable.",
    PR_LIBRARY_NOT_LOADED_ERROR: "The library is not loaded.",
    PR_CALL_ONCE_ERROR: "The one-time function was previously called and failed. Its error code is no longer available.",
    PR_MAX_ERROR: "Placeholder for the end of the list",
}

_NAMES: Final[Dict[int, str]] = {
    code: name
    for name, code in list(globals().items())
    if (name.startswith("PR_") or name == "SUCCESS") and isinstance(code, int)
}


__all__: Final[List[str]] = [
    "SUCCESS",
    "NSPRError",
    "get_nspr_error_string",
    "nspr_error",
    *sorted(name for name in _NAMES.values() if name != "SUCCESS"),
]

# The calling thread's last NSPR error, as NSPR's PR_GetError() keeps it:
# set by every failing operation, never reset by a successful one.
_thread_state = threading.local()


def _last_error() -> int:
    code: int = getattr(_thread_state, "code", 0)
    return code


def _set_last_error(code: int) -> None:
    _thread_state.code = code


def get_nspr_error_string(number: int) -> Optional[str]:
    """get_nspr_error_string(number) -> string or None

    Return the description of the NSPR error code ``number``, or None when the
    code is not a known NSPR error.
    """
    return _DESCRIPTIONS.get(_args.c_int(number))


def _describe(code: int) -> str:
    name = _NAMES.get(code)
    if name is None:
        return "error (%d) unknown" % code
    return "(%s) %s" % (name, _DESCRIPTIONS[code])


class NSPRError(Exception):
    """NSPRError(error_message=None, error_code=None)

    An error reported by NSPR. ``error_code`` (alias ``errno``) is one of the
    ``PR_*_ERROR`` constants of this module; when it is omitted, None or -1,
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
    _error_message: Optional[str] = None
    _error_desc: Optional[str] = None
    bytes_sent: Optional[int] = None

    def __init__(
        self, error_message: Optional[str] = None, error_code: Optional[int] = None
    ) -> None:
        if error_message is not None and not isinstance(error_message, str):
            raise TypeError(
                "must be a string or None, not %s" % type(error_message).__name__
            )
        if error_code is not None and not isinstance(error_code, int):
            raise TypeError("must be int or None, not %s" % type(error_code).__name__)
        # ``args`` stays what BaseException.__new__ set: the positional
        # arguments only, as python-nss has it.
        if error_code is None or error_code == -1:
            code = _last_error()
        else:  # a C long, then cast to the C int NSPR keeps
            code = _args.wrap_c_int(_args.c_long(error_code))
        self._set_state(code, error_message)

    def _set_state(self, code: int, message: Optional[str]) -> None:
        self._error_code = code
        self._error_message = message
        self._error_desc = _describe(code)
        self.bytes_sent = None

    @property
    def error_code(self) -> int:
        """The NSPR error code (a ``PR_*_ERROR`` constant)."""
        return self._error_code

    @property
    def errno(self) -> int:
        """Alias of :attr:`error_code`."""
        return self._error_code

    @property
    def error_desc(self) -> Optional[str]:
        """``'(NAME) description'`` of the error code (None when uninitialised)."""
        return self._error_desc

    @property
    def strerror(self) -> Optional[str]:
        """Alias of :attr:`error_desc`."""
        return self._error_desc

    @property
    def error_message(self) -> Optional[str]:
        """The message given to the constructor, or None."""
        return self._error_message

    def __str__(self) -> str:
        if self._error_desc is None:
            raise ValueError("%s.NSPRError is uninitialized" % self.__module__)
        if self._error_message is not None:
            return "%s: %s" % (self._error_message, self._error_desc)
        return self._error_desc

    def __reduce__(self) -> Tuple[Any, ...]:
        # Keep the code itself: rebuilding from ``args`` alone would take the
        # unpickling thread's last error for errors raised internally.
        return (
            _rebuild_error,
            (type(self), self._error_message, self._error_code, self.args),
            self.__dict__,
        )


def _rebuild_error(
    cls: Type[NSPRError], message: Optional[str], code: int, args: Tuple[Any, ...]
) -> NSPRError:
    error: NSPRError = cls.__new__(cls, *args)
    error._set_state(code, message)
    return error


def nspr_error(code: int, message: Optional[str] = None) -> NSPRError:
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
