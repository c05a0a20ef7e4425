"""NSPR error codes, their descriptions, and NSPRError.

This module defines the NSPR errors and provides functions to manipulate
them, as ``nss.error`` does for the NSPR part of its table.
"""

from typing import Any, Final, Optional, Tuple

__all__ = [
    "PR_ACCESS_FAULT_ERROR",
    "PR_ADDRESS_IN_USE_ERROR",
    "PR_ADDRESS_NOT_AVAILABLE_ERROR",
    "PR_ADDRESS_NOT_SUPPORTED_ERROR",
    "PR_ALREADY_INITIATED_ERROR",
    "PR_BAD_ADDRESS_ERROR",
    "PR_BAD_DESCRIPTOR_ERROR",
    "PR_BUFFER_OVERFLOW_ERROR",
    "PR_CALL_ONCE_ERROR",
    "PR_CONNECT_ABORTED_ERROR",
    "PR_CONNECT_REFUSED_ERROR",
    "PR_CONNECT_RESET_ERROR",
    "PR_CONNECT_TIMEOUT_ERROR",
    "PR_DEADLOCK_ERROR",
    "PR_DEVICE_IS_LOCKED_ERROR",
    "PR_DIRECTORY_CORRUPTED_ERROR",
    "PR_DIRECTORY_LOOKUP_ERROR",
    "PR_DIRECTORY_NOT_EMPTY_ERROR",
    "PR_DIRECTORY_OPEN_ERROR",
    "PR_END_OF_FILE_ERROR",
    "PR_FILESYSTEM_MOUNTED_ERROR",
    "PR_FILE_EXISTS_ERROR",
    "PR_FILE_IS_BUSY_ERROR",
    "PR_FILE_IS_LOCKED_ERROR",
    "PR_FILE_NOT_FOUND_ERROR",
    "PR_FILE_SEEK_ERROR",
    "PR_FILE_TOO_BIG_ERROR",
    "PR_FIND_SYMBOL_ERROR",
    "PR_GROUP_EMPTY_ERROR",
    "PR_HOST_UNREACHABLE_ERROR",
    "PR_ILLEGAL_ACCESS_ERROR",
    "PR_INSUFFICIENT_RESOURCES_ERROR",
    "PR_INVALID_ARGUMENT_ERROR",
    "PR_INVALID_DEVICE_STATE_ERROR",
    "PR_INVALID_METHOD_ERROR",
    "PR_INVALID_STATE_ERROR",
    "PR_IN_PROGRESS_ERROR",
    "PR_IO_ERROR",
    "PR_IO_PENDING_ERROR",
    "PR_IO_TIMEOUT_ERROR",
    "PR_IS_CONNECTED_ERROR",
    "PR_IS_DIRECTORY_ERROR",
    "PR_LIBRARY_NOT_LOADED_ERROR",
    "PR_LOAD_LIBRARY_ERROR",
    "PR_LOOP_ERROR",
    "PR_MAX_DIRECTORY_ENTRIES_ERROR",
    "PR_MAX_ERROR",
    "PR_NAME_TOO_LONG_ERROR",
    "PR_NETWORK_DOWN_ERROR",
    "PR_NETWORK_UNREACHABLE_ERROR",
    "PR_NOT_CONNECTED_ERROR",
    "PR_NOT_DIRECTORY_ERROR",
    "PR_NOT_IMPLEMENTED_ERROR",
    "PR_NOT_SAME_DEVICE_ERROR",
    "PR_NOT_SOCKET_ERROR",
    "PR_NOT_TCP_SOCKET_ERROR",
    "PR_NO_ACCESS_RIGHTS_ERROR",
    "PR_NO_DEVICE_SPACE_ERROR",
    "PR_NO_MORE_FILES_ERROR",
    "PR_NO_SEEK_DEVICE_ERROR",
    "PR_OPERATION_ABORTED_ERROR",
    "PR_OPERATION_NOT_SUPPORTED_ERROR",
    "PR_OUT_OF_MEMORY_ERROR",
    "PR_PENDING_INTERRUPT_ERROR",
    "PR_PIPE_ERROR",
    "PR_PROC_DESC_TABLE_FULL_ERROR",
    "PR_PROTOCOL_NOT_SUPPORTED_ERROR",
    "PR_RANGE_ERROR",
    "PR_READ_ONLY_FILESYSTEM_ERROR",
    "PR_REMOTE_FILE_ERROR",
    "PR_SOCKET_ADDRESS_IS_BOUND_ERROR",
    "PR_SOCKET_SHUTDOWN_ERROR",
    "PR_SYS_DESC_TABLE_FULL_ERROR",
    "PR_TPD_RANGE_ERROR",
    "PR_UNKNOWN_ERROR",
    "PR_UNLOAD_LIBRARY_ERROR",
    "PR_WOULD_BLOCK_ERROR",
    "SUCCESS",
    "NSPRError",
    "get_nspr_error_string",
    "nspr_error",
]

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

def get_nspr_error_string(number: int) -> Optional[str]:
    """get_nspr_error_string(number) -> string or None

    Given an NSPR error number, returns its description, or None if the
    number is not a known NSPR error.
    """

class NSPRError(Exception):
    """NSPRError(error_message=None, error_code=None)

    An error reported by NSPR. ``error_code`` (alias ``errno``) is one of the
    PR_*_ERROR constants; when omitted, None or -1, the calling thread's last
    NSPR error is used. ``str()`` is ``'error_message: error_desc'``, or just
    the error_desc.
    """

    bytes_sent: Optional[int]
    """How many bytes a failed send transmitted before the failure; None when
    the error is not about a send."""

    def __init__(
        self, error_message: Optional[str] = None, error_code: Optional[int] = None
    ) -> None: ...
    @property
    def error_code(self) -> int:
        """NSPR error code (a PR_*_ERROR constant)"""
    @property
    def errno(self) -> int:
        """NSPR error code, alias of error_code"""
    @property
    def error_desc(self) -> Optional[str]:
        """error description: ``'(PR_NAME) description'`` (None for an NSPRError
        never initialized)"""
    @property
    def strerror(self) -> Optional[str]:
        """error description, alias of error_desc"""
    @property
    def error_message(self) -> Optional[str]:
        """the message given to the constructor, or None"""
    def __reduce__(self) -> Tuple[Any, ...]: ...

def nspr_error(code: int, message: Optional[str] = None) -> NSPRError:
    """nspr_error(code, message=None) -> NSPRError

    Build the NSPRError of a failed operation (``args == ()``, as python-nss's
    own errors) and record ``code`` as the calling thread's last NSPR error.
    For backends, which raise it.
    """
