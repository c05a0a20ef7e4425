"""nspr_ctypes.error: NSPRError, the error codes, the descriptions (see usage_support)."""

from __future__ import annotations

from typing import Literal, Optional

from usage_support import assert_type

from nspr_ctypes import error, io


def nsprerror(sock: io.Socket) -> None:
    assert_type(error.NSPRError(), error.NSPRError)
    assert_type(error.NSPRError("lookup failed"), error.NSPRError)
    assert_type(
        error.NSPRError("timed out", error.PR_IO_TIMEOUT_ERROR), error.NSPRError
    )
    assert_type(error.NSPRError(error_message=None, error_code=-1), error.NSPRError)
    failure: Exception = error.NSPRError()
    try:
        sock.recv(10, io.PR_INTERVAL_NO_WAIT)
    except error.NSPRError as exc:
        assert_type(exc.errno, int)
        assert_type(exc.error_code, int)
        # None only for an NSPRError made by __new__ without __init__.
        assert_type(exc.strerror, Optional[str])
        assert_type(exc.error_desc, Optional[str])
        assert_type(exc.error_message, Optional[str])
        assert_type(exc.bytes_sent, Optional[int])
        failure = exc
    assert_type(failure, Exception)
    error.NSPRError(error.PR_IO_TIMEOUT_ERROR)  # type: ignore[arg-type]
    error.NSPRError("message", "PR_IO_TIMEOUT_ERROR")  # type: ignore[arg-type]


def nsprerror_attributes_are_read_only(exc: error.NSPRError) -> None:
    exc.errno = 0  # type: ignore[misc]
    exc.error_desc = ""  # type: ignore[misc]


def descriptions_and_nspr_error() -> None:
    assert_type(error.get_nspr_error_string(error.PR_IO_TIMEOUT_ERROR), Optional[str])
    assert_type(error.get_nspr_error_string(0), Optional[str])
    error.get_nspr_error_string("PR_IO_ERROR")  # type: ignore[arg-type]
    # For backends: the error of a failed operation, to raise.
    assert_type(error.nspr_error(error.PR_CONNECT_REFUSED_ERROR), error.NSPRError)
    assert_type(error.nspr_error(error.PR_IO_ERROR, "read"), error.NSPRError)


def codes_are_final_literals() -> None:
    assert_type(error.SUCCESS, Literal[0])
    assert_type(error.PR_ACCESS_FAULT_ERROR, Literal[-5997])
    assert_type(error.PR_ADDRESS_IN_USE_ERROR, Literal[-5982])
    assert_type(error.PR_ADDRESS_NOT_AVAILABLE_ERROR, Literal[-5986])
    assert_type(error.PR_ADDRESS_NOT_SUPPORTED_ERROR, Literal[-5985])
    assert_type(error.PR_ALREADY_INITIATED_ERROR, Literal[-5933])
    assert_type(error.PR_BAD_ADDRESS_ERROR, Literal[-5983])
    assert_type(error.PR_BAD_DESCRIPTOR_ERROR, Literal[-5999])
    assert_type(error.PR_BUFFER_OVERFLOW_ERROR, Literal[-5962])
    assert_type(error.PR_CALL_ONCE_ERROR, Literal[-5925])
    assert_type(error.PR_CONNECT_ABORTED_ERROR, Literal[-5928])
    assert_type(error.PR_CONNECT_REFUSED_ERROR, Literal[-5981])
    assert_type(error.PR_CONNECT_RESET_ERROR, Literal[-5961])
    assert_type(error.PR_CONNECT_TIMEOUT_ERROR, Literal[-5979])
    assert_type(error.PR_DEADLOCK_ERROR, Literal[-5959])
    assert_type(error.PR_DEVICE_IS_LOCKED_ERROR, Literal[-5940])
    assert_type(error.PR_DIRECTORY_CORRUPTED_ERROR, Literal[-5944])
    assert_type(error.PR_DIRECTORY_LOOKUP_ERROR, Literal[-5973])
    assert_type(error.PR_DIRECTORY_NOT_EMPTY_ERROR, Literal[-5947])
    assert_type(error.PR_DIRECTORY_OPEN_ERROR, Literal[-5988])
    assert_type(error.PR_END_OF_FILE_ERROR, Literal[-5938])
    assert_type(error.PR_FILESYSTEM_MOUNTED_ERROR, Literal[-5946])
    assert_type(error.PR_FILE_EXISTS_ERROR, Literal[-5943])
    assert_type(error.PR_FILE_IS_BUSY_ERROR, Literal[-5936])
    assert_type(error.PR_FILE_IS_LOCKED_ERROR, Literal[-5958])
    assert_type(error.PR_FILE_NOT_FOUND_ERROR, Literal[-5950])
    assert_type(error.PR_FILE_SEEK_ERROR, Literal[-5937])
    assert_type(error.PR_FILE_TOO_BIG_ERROR, Literal[-5957])
    assert_type(error.PR_FIND_SYMBOL_ERROR, Literal[-5975])
    assert_type(error.PR_GROUP_EMPTY_ERROR, Literal[-5932])
    assert_type(error.PR_HOST_UNREACHABLE_ERROR, Literal[-5927])
    assert_type(error.PR_ILLEGAL_ACCESS_ERROR, Literal[-5995])
    assert_type(error.PR_INSUFFICIENT_RESOURCES_ERROR, Literal[-5974])
    assert_type(error.PR_INVALID_ARGUMENT_ERROR, Literal[-5987])
    assert_type(error.PR_INVALID_DEVICE_STATE_ERROR, Literal[-5941])
    assert_type(error.PR_INVALID_METHOD_ERROR, Literal[-5996])
    assert_type(error.PR_INVALID_STATE_ERROR, Literal[-5931])
    assert_type(error.PR_IN_PROGRESS_ERROR, Literal[-5934])
    assert_type(error.PR_IO_ERROR, Literal[-5991])
    assert_type(error.PR_IO_PENDING_ERROR, Literal[-5989])
    assert_type(error.PR_IO_TIMEOUT_ERROR, Literal[-5990])
    assert_type(error.PR_IS_CONNECTED_ERROR, Literal[-5984])
    assert_type(error.PR_IS_DIRECTORY_ERROR, Literal[-5953])
    assert_type(error.PR_LIBRARY_NOT_LOADED_ERROR, Literal[-5926])
    assert_type(error.PR_LOAD_LIBRARY_ERROR, Literal[-5977])
    assert_type(error.PR_LOOP_ERROR, Literal[-5952])
    assert_type(error.PR_MAX_DIRECTORY_ENTRIES_ERROR, Literal[-5942])
    assert_type(error.PR_MAX_ERROR, Literal[-5924])
    assert_type(error.PR_NAME_TOO_LONG_ERROR, Literal[-5951])
    assert_type(error.PR_NETWORK_DOWN_ERROR, Literal[-5930])
    assert_type(error.PR_NETWORK_UNREACHABLE_ERROR, Literal[-5980])
    assert_type(error.PR_NOT_CONNECTED_ERROR, Literal[-5978])
    assert_type(error.PR_NOT_DIRECTORY_ERROR, Literal[-5949])
    assert_type(error.PR_NOT_IMPLEMENTED_ERROR, Literal[-5992])
    assert_type(error.PR_NOT_SAME_DEVICE_ERROR, Literal[-5945])
    assert_type(error.PR_NOT_SOCKET_ERROR, Literal[-5969])
    assert_type(error.PR_NOT_TCP_SOCKET_ERROR, Literal[-5968])
    assert_type(error.PR_NO_ACCESS_RIGHTS_ERROR, Literal[-5966])
    assert_type(error.PR_NO_DEVICE_SPACE_ERROR, Literal[-5956])
    assert_type(error.PR_NO_MORE_FILES_ERROR, Literal[-5939])
    assert_type(error.PR_NO_SEEK_DEVICE_ERROR, Literal[-5954])
    assert_type(error.PR_OPERATION_ABORTED_ERROR, Literal[-5935])
    assert_type(error.PR_OPERATION_NOT_SUPPORTED_ERROR, Literal[-5965])
    assert_type(error.PR_OUT_OF_MEMORY_ERROR, Literal[-6000])
    assert_type(error.PR_PENDING_INTERRUPT_ERROR, Literal[-5993])
    assert_type(error.PR_PIPE_ERROR, Literal[-5955])
    assert_type(error.PR_PROC_DESC_TABLE_FULL_ERROR, Literal[-5971])
    assert_type(error.PR_PROTOCOL_NOT_SUPPORTED_ERROR, Literal[-5964])
    assert_type(error.PR_RANGE_ERROR, Literal[-5960])
    assert_type(error.PR_READ_ONLY_FILESYSTEM_ERROR, Literal[-5948])
    assert_type(error.PR_REMOTE_FILE_ERROR, Literal[-5963])
    assert_type(error.PR_SOCKET_ADDRESS_IS_BOUND_ERROR, Literal[-5967])
    assert_type(error.PR_SOCKET_SHUTDOWN_ERROR, Literal[-5929])
    assert_type(error.PR_SYS_DESC_TABLE_FULL_ERROR, Literal[-5970])
    assert_type(error.PR_TPD_RANGE_ERROR, Literal[-5972])
    assert_type(error.PR_UNKNOWN_ERROR, Literal[-5994])
    assert_type(error.PR_UNLOAD_LIBRARY_ERROR, Literal[-5976])
    assert_type(error.PR_WOULD_BLOCK_ERROR, Literal[-5998])


def codes_cannot_be_rebound() -> None:
    error.PR_IO_TIMEOUT_ERROR = 0  # type: ignore[misc]
