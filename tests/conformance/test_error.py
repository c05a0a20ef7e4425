"""``nss.error`` (§8, §10): codes, texts, ``NSPRError`` and ``CertVerifyError``.

tests/unit/test_error_table.py compares every code with python-nss; here a
few NSS codes stand for the rest, on every target.
"""

from __future__ import annotations

import pickle
import threading
from typing import Any, Callable, List, Tuple

import pytest

# (name, value, get_nspr_error_string(value)) for every PR_* code of python-nss.
PR_CODES: List[Tuple[str, int, str]] = [
    ("PR_OUT_OF_MEMORY_ERROR", -6000, "Memory allocation attempt failed."),
    ("PR_BAD_DESCRIPTOR_ERROR", -5999, "Invalid file descriptor."),
    ("PR_WOULD_BLOCK_ERROR", -5998, "The operation would have blocked."),
    ("PR_ACCESS_FAULT_ERROR", -5997, "Invalid memory address argument."),
    ("PR_INVALID_METHOD_ERROR", -5996, "Invalid function for file type."),
    ("PR_ILLEGAL_ACCESS_ERROR", -5995, "Invalid memory address argument."),
    ("PR_UNKNOWN_ERROR", -5994, "Some unknown error has occurred."),
    ("PR_PENDING_INTERRUPT_ERROR", -5993, "Operation interrupted by another thread."),
    ("PR_NOT_IMPLEMENTED_ERROR", -5992, "function not implemented."),
    ("PR_IO_ERROR", -5991, "I/O function error."),
    ("PR_IO_TIMEOUT_ERROR", -5990, "I/O operation timed out."),
    ("PR_IO_PENDING_ERROR", -5989, "I/O operation on busy file descriptor."),
    ("PR_DIRECTORY_OPEN_ERROR", -5988, "The directory could not be opened."),
    ("PR_INVALID_ARGUMENT_ERROR", -5987, "Invalid function argument."),
    (
        "PR_ADDRESS_NOT_AVAILABLE_ERROR",
        -5986,
        "Network address not available (in use?).",
    ),
    ("PR_ADDRESS_NOT_SUPPORTED_ERROR", -5985, "Network address type not supported."),
    ("PR_IS_CONNECTED_ERROR", -5984, "Already connected."),
    ("PR_BAD_ADDRESS_ERROR", -5983, "Network address is invalid."),
    ("PR_ADDRESS_IN_USE_ERROR", -5982, "Local Network address is in use."),
    ("PR_CONNECT_REFUSED_ERROR", -5981, "Connection refused by peer."),
    (
        "PR_NETWORK_UNREACHABLE_ERROR",
        -5980,
        "Network address is presently unreachable.",
    ),
    ("PR_CONNECT_TIMEOUT_ERROR", -5979, "Connection attempt timed out."),
    ("PR_NOT_CONNECTED_ERROR", -5978, "Network file descriptor is not connected."),
    ("PR_LOAD_LIBRARY_ERROR", -5977, "Failure to load dynamic library."),
    ("PR_UNLOAD_LIBRARY_ERROR", -5976, "Failure to unload dynamic library."),
    (
        "PR_FIND_SYMBOL_ERROR",
        -5975,
        "Symbol not found in any of the loaded dynamic libraries.",
    ),
    ("PR_INSUFFICIENT_RESOURCES_ERROR", -5974, "Insufficient system resources."),
    (
        "PR_DIRECTORY_LOOKUP_ERROR",
        -5973,
        "A directory lookup on a network address has failed.",
    ),
    ("PR_TPD_RANGE_ERROR", -5972, "Attempt to access a TPD key that is out of range."),
    ("PR_PROC_DESC_TABLE_FULL_ERROR", -5971, "Process open FD table is full."),
    ("PR_SYS_DESC_TABLE_FULL_ERROR", -5970, "System open FD table is full."),
    (
        "PR_NOT_SOCKET_ERROR",
        -5969,
        "Network operation attempted on non-network file descriptor.",
    ),
    (
        "PR_NOT_TCP_SOCKET_ERROR",
        -5968,
        ("TCP-specific function attempted on a non-TCP file descriptor."),
    ),
    (
        "PR_SOCKET_ADDRESS_IS_BOUND_ERROR",
        -5967,
        "TCP file descriptor is already bound.",
    ),
    ("PR_NO_ACCESS_RIGHTS_ERROR", -5966, "Access Denied."),
    (
        "PR_OPERATION_NOT_SUPPORTED_ERROR",
        -5965,
        "The requested operation is not supported by the platform.",
    ),
    (
        "PR_PROTOCOL_NOT_SUPPORTED_ERROR",
        -5964,
        ("The host operating system does not support the protocol requested."),
    ),
    ("PR_REMOTE_FILE_ERROR", -5963, "Access to the remote file has been severed."),
    (
        "PR_BUFFER_OVERFLOW_ERROR",
        -5962,
        ("The value requested is too large to be stored in the data buffer provided."),
    ),
    ("PR_CONNECT_RESET_ERROR", -5961, "TCP connection reset by peer."),
    ("PR_RANGE_ERROR", -5960, "Unused."),
    ("PR_DEADLOCK_ERROR", -5959, "The operation would have deadlocked."),
    ("PR_FILE_IS_LOCKED_ERROR", -5958, "The file is already locked."),
    (
        "PR_FILE_TOO_BIG_ERROR",
        -5957,
        "Write would result in file larger than the system allows.",
    ),
    ("PR_NO_DEVICE_SPACE_ERROR", -5956, "The device for storing the file is full."),
    ("PR_PIPE_ERROR", -5955, "Unused."),
    ("PR_NO_SEEK_DEVICE_ERROR", -5954, "Unused."),
    (
        "PR_IS_DIRECTORY_ERROR",
        -5953,
        "Cannot perform a normal file operation on a directory.",
    ),
    ("PR_LOOP_ERROR", -5952, "Symbolic link loop."),
    ("PR_NAME_TOO_LONG_ERROR", -5951, "File name is too long."),
    ("PR_FILE_NOT_FOUND_ERROR", -5950, "File not found."),
    (
        "PR_NOT_DIRECTORY_ERROR",
        -5949,
        "Cannot perform directory operation on a normal file.",
    ),
    (
        "PR_READ_ONLY_FILESYSTEM_ERROR",
        -5948,
        "Cannot write to a read-only file system.",
    ),
    (
        "PR_DIRECTORY_NOT_EMPTY_ERROR",
        -5947,
        "Cannot delete a directory that is not empty.",
    ),
    (
        "PR_FILESYSTEM_MOUNTED_ERROR",
        -5946,
        ("Cannot delete or rename a file object while the file system is busy."),
    ),
    (
        "PR_NOT_SAME_DEVICE_ERROR",
        -5945,
        "Cannot rename a file to a file system on another device.",
    ),
    (
        "PR_DIRECTORY_CORRUPTED_ERROR",
        -5944,
        "The directory object in the file system is corrupted.",
    ),
    (
        "PR_FILE_EXISTS_ERROR",
        -5943,
        "Cannot create or rename a filename that already exists.",
    ),
    (
        "PR_MAX_DIRECTORY_ENTRIES_ERROR",
        -5942,
        "Directory is full.  No additional filenames may be added.",
    ),
    (
        "PR_INVALID_DEVICE_STATE_ERROR",
        -5941,
        "The required device was in an invalid state.",
    ),
    ("PR_DEVICE_IS_LOCKED_ERROR", -5940, "The device is locked."),
    ("PR_NO_MORE_FILES_ERROR", -5939, "No more entries in the directory."),
    ("PR_END_OF_FILE_ERROR", -5938, "Encountered end of file."),
    ("PR_FILE_SEEK_ERROR", -5937, "Seek error."),
    ("PR_FILE_IS_BUSY_ERROR", -5936, "The file is busy."),
    (
        "PR_IN_PROGRESS_ERROR",
        -5934,
        ("Operation is still in progress (probably a non-blocking connect)."),
    ),
    (
        "PR_ALREADY_INITIATED_ERROR",
        -5933,
        ("Operation has already been initiated (probably a non-blocking connect)."),
    ),
    ("PR_GROUP_EMPTY_ERROR", -5932, "The wait group is empty."),
    ("PR_INVALID_STATE_ERROR", -5931, "Object state improper for request."),
    ("PR_NETWORK_DOWN_ERROR", -5930, "Network is down."),
    ("PR_SOCKET_SHUTDOWN_ERROR", -5929, "The socket was previously shut down."),
    ("PR_CONNECT_ABORTED_ERROR", -5928, "TCP Connection aborted."),
    ("PR_HOST_UNREACHABLE_ERROR", -5927, "Host is unreachable."),
    ("PR_LIBRARY_NOT_LOADED_ERROR", -5926, "The library is not loaded."),
    (
        "PR_CALL_ONCE_ERROR",
        -5925,
        (
            "The one-time function was previously called "
            "and failed. Its error code is no longer available."
        ),
    ),
    ("PR_MAX_ERROR", -5924, "Placeholder for the end of the list"),
]

PR_NAMES = [name for name, _, _ in PR_CODES]

# Some of NSS's codes (security library, SSL library, XP_): the first and last
# of each block and those programs test for most.
NSS_CODES: List[Tuple[str, int, str]] = [
    ("SEC_ERROR_IO", -8192, "An I/O error occurred during security authorization."),
    ("SEC_ERROR_BAD_DATABASE", -8174, "security library: bad database."),
    (
        "SEC_ERROR_UNTRUSTED_ISSUER",
        -8172,
        "Peer's certificate issuer has been marked as not trusted by the user.",
    ),
    ("SEC_ERROR_EXPIRED_CERTIFICATE", -8181, "Peer's Certificate has expired."),
    (
        "SEC_ERROR_APPLICATION_CALLBACK_ERROR",
        -8014,
        "The certificate was rejected by extra checks in the application.",
    ),
    (
        "XP_SEC_FORTEZZA_BAD_CARD",
        -8142,
        "Fortezza card has not been properly initialized.  "
        "Please remove it and return it to your issuer.",
    ),
    (
        "XP_JAVA_CERT_NOT_EXISTS_ERROR",
        -8118,
        "This principal doesn't have a certificate",
    ),
    (
        "SSL_ERROR_EXPORT_ONLY_SERVER",
        -12288,
        "Unable to communicate securely.  Peer does not support high-grade encryption.",
    ),
    (
        "SSL_ERROR_NO_CERTIFICATE",
        -12285,
        "Unable to find the certificate or key necessary for authentication.",
    ),
    (
        "SSL_ERROR_BAD_CERT_DOMAIN",
        -12276,
        "Unable to communicate securely with peer: requested domain name "
        "does not match the server's certificate.",
    ),
    (
        "SSL_ERROR_INAPPROPRIATE_FALLBACK_ALERT",
        -12157,
        "The server rejected the handshake because the client downgraded to "
        "a lower TLS version than the server supports.",
    ),
]

NSS_NAMES = [name for name, _, _ in NSS_CODES]

UNTRUSTED = -8172
UNTRUSTED_DESC = (
    "(SEC_ERROR_UNTRUSTED_ISSUER) "
    "Peer's certificate issuer has been marked as not trusted by the user."
)

# The first positional argument of NSPRError is the message, the second the code.
REFUSED = -5981
REFUSED_DESC = "(PR_CONNECT_REFUSED_ERROR) Connection refused by peer."
TIMEOUT = -5990
TIMEOUT_DESC = "(PR_IO_TIMEOUT_ERROR) I/O operation timed out."
ABORTED_TEXT = "The I/O operation was aborted."


def _fail_invalid_argument(io: Any, error: Any) -> None:
    """A failing io call that sets the thread's error to PR_INVALID_ARGUMENT_ERROR."""
    with pytest.raises(error.NSPRError):
        io.NetworkAddress(io.PR_IpAddrV4Mapped)


def _fail_lookup(io: Any, error: Any) -> None:
    """A failing io call that sets the thread's error to PR_DIRECTORY_LOOKUP_ERROR."""
    with pytest.raises(error.NSPRError):
        io.AddrInfo("nspr-ctypes-sticky.invalid")


def _in_thread(func: Callable[[], Any]) -> Any:
    results: List[Any] = []

    def run() -> None:
        try:
            results.append(("ok", func()))
        except BaseException as exc:  # reported in the calling thread
            results.append(("exc", exc))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    kind, value = results[0]
    if kind == "exc":
        raise value
    return value


# --- the code table -----------------------------------------------------------


def test_table_has_76_codes_without_operation_aborted() -> None:
    values = [value for _, value, _ in PR_CODES]
    assert len(values) == 76
    assert sorted(values) == [v for v in range(-6000, -5923) if v != -5935]


@pytest.mark.parametrize("name,value,text", PR_CODES, ids=PR_NAMES)
def test_pr_code_constant_value(error: Any, name: str, value: int, text: str) -> None:
    constant = getattr(error, name)
    assert type(constant) is int
    assert constant == value


@pytest.mark.parametrize("name,value,text", PR_CODES, ids=PR_NAMES)
def test_get_nspr_error_string_of_code(
    error: Any, name: str, value: int, text: str
) -> None:
    assert error.get_nspr_error_string(value) == text


@pytest.mark.parametrize("name,value,text", PR_CODES, ids=PR_NAMES)
def test_nsprerror_desc_of_code(error: Any, name: str, value: int, text: str) -> None:
    exc = error.NSPRError(None, value)
    assert exc.error_desc == "(%s) %s" % (name, text)
    assert str(exc) == "(%s) %s" % (name, text)


def test_success_is_zero(error: Any) -> None:
    assert error.SUCCESS == 0
    assert type(error.SUCCESS) is int


def test_get_nspr_error_string_of_success(error: Any) -> None:
    assert error.get_nspr_error_string(0) == "Success"


def test_pr_codes_are_all_different(error: Any) -> None:
    values = [getattr(error, name) for name in PR_NAMES]
    assert len(set(values)) == len(values)


@pytest.mark.parametrize(
    "code",
    [1, -1, -6001, -5923, -8193, -8013, -12289, -12156, 12345, 2**31 - 1, -(2**31)],
)
def test_get_nspr_error_string_of_unknown_code_is_none(error: Any, code: int) -> None:
    assert error.get_nspr_error_string(code) is None


def test_get_nspr_error_string_accepts_bool(error: Any) -> None:
    assert error.get_nspr_error_string(False) == "Success"
    assert error.get_nspr_error_string(True) is None


@pytest.mark.parametrize("code", [2**31, -(2**31) - 1, 2**64])
def test_get_nspr_error_string_outside_c_int_overflows(error: Any, code: int) -> None:
    with pytest.raises(OverflowError):
        error.get_nspr_error_string(code)


@pytest.mark.parametrize("code", ["x", -5990.0, None])
def test_get_nspr_error_string_rejects_non_int(error: Any, code: object) -> None:
    with pytest.raises(TypeError):
        error.get_nspr_error_string(code)


def test_get_nspr_error_string_requires_an_argument(error: Any) -> None:
    with pytest.raises(TypeError):
        error.get_nspr_error_string()


@pytest.mark.parametrize("name,value,text", NSS_CODES, ids=NSS_NAMES)
def test_nss_code_constant_value(error: Any, name: str, value: int, text: str) -> None:
    constant = getattr(error, name)
    assert type(constant) is int
    assert constant == value


@pytest.mark.parametrize("name,value,text", NSS_CODES, ids=NSS_NAMES)
def test_get_nspr_error_string_of_nss_code(
    error: Any, name: str, value: int, text: str
) -> None:
    assert error.get_nspr_error_string(value) == text


@pytest.mark.parametrize("name,value,text", NSS_CODES, ids=NSS_NAMES)
def test_nsprerror_desc_of_nss_code(
    error: Any, name: str, value: int, text: str
) -> None:
    exc = error.NSPRError(error_code=value)
    assert exc.errno == value
    assert exc.error_desc == "(%s) %s" % (name, text)
    assert exc.strerror == "(%s) %s" % (name, text)
    assert str(exc) == "(%s) %s" % (name, text)


def test_nsprerror_str_of_nss_code_with_message(error: Any) -> None:
    exc = error.NSPRError("verify", error.SEC_ERROR_UNTRUSTED_ISSUER)
    assert str(exc) == "verify: " + UNTRUSTED_DESC


# --- PR_OPERATION_ABORTED_ERROR (difference) ------------------------------------


@pytest.mark.difference("PR_OPERATION_ABORTED_ERROR is included")
def test_operation_aborted_constant(error: Any) -> None:
    assert error.PR_OPERATION_ABORTED_ERROR == -5935


@pytest.mark.difference("PR_OPERATION_ABORTED_ERROR is included, with NSPR's text")
def test_get_nspr_error_string_of_operation_aborted(error: Any) -> None:
    assert error.get_nspr_error_string(-5935) == ABORTED_TEXT


@pytest.mark.difference("PR_OPERATION_ABORTED_ERROR is included, with NSPR's text")
def test_nsprerror_desc_of_operation_aborted(error: Any) -> None:
    exc = error.NSPRError(None, -5935)
    assert exc.error_desc == "(PR_OPERATION_ABORTED_ERROR) " + ABORTED_TEXT


# --- NSPRError: class -----------------------------------------------------------


def test_nsprerror_is_an_exception(error: Any) -> None:
    assert issubclass(error.NSPRError, Exception)
    assert error.NSPRError.__mro__[1:] == (Exception, BaseException, object)


def test_nsprerror_is_not_an_oserror(error: Any) -> None:
    assert not issubclass(error.NSPRError, OSError)


def test_nsprerror_is_subclassable(error: Any) -> None:
    sub = type("SubError", (error.NSPRError,), {})
    exc = sub("x", TIMEOUT)
    assert isinstance(exc, error.NSPRError)
    assert exc.errno == TIMEOUT
    assert str(exc) == "x: " + TIMEOUT_DESC


# --- NSPRError: construction ---------------------------------------------------


def test_nsprerror_with_message_and_code(error: Any) -> None:
    exc = error.NSPRError("msg", error.PR_CONNECT_REFUSED_ERROR)
    assert exc.errno == REFUSED
    assert exc.error_code == REFUSED
    assert exc.strerror == REFUSED_DESC
    assert exc.error_desc == REFUSED_DESC


def test_nsprerror_str_with_message(error: Any) -> None:
    exc = error.NSPRError("msg", REFUSED)
    assert str(exc) == "msg: " + REFUSED_DESC


def test_nsprerror_str_with_empty_message(error: Any) -> None:
    assert str(error.NSPRError("", TIMEOUT)) == ": " + TIMEOUT_DESC


def test_nsprerror_str_without_message(error: Any) -> None:
    assert str(error.NSPRError(None, TIMEOUT)) == TIMEOUT_DESC


def test_nsprerror_args_are_the_positional_arguments(error: Any) -> None:
    assert error.NSPRError("msg", REFUSED).args == ("msg", REFUSED)
    assert error.NSPRError("msg").args == ("msg",)
    assert error.NSPRError(None, None).args == (None, None)


def test_nsprerror_keyword_arguments_are_not_in_args(error: Any) -> None:
    exc = error.NSPRError(error_code=TIMEOUT)
    assert exc.args == ()
    assert exc.errno == TIMEOUT


def test_nsprerror_keyword_message_and_code(error: Any) -> None:
    exc = error.NSPRError(error_message="hi", error_code=TIMEOUT)
    assert str(exc) == "hi: " + TIMEOUT_DESC
    assert exc.errno == TIMEOUT


def test_nsprerror_repr_with_arguments(error: Any) -> None:
    assert repr(error.NSPRError("msg", REFUSED)) == "NSPRError('msg', -5981)"


def test_nsprerror_repr_without_arguments(error: Any) -> None:
    assert repr(error.NSPRError()) == "NSPRError()"


def test_nsprerror_unknown_code(error: Any) -> None:
    exc = error.NSPRError("m", 12345)
    assert exc.errno == 12345
    assert exc.error_desc == "error (12345) unknown"
    assert str(exc) == "m: error (12345) unknown"


def test_nsprerror_success_code(error: Any) -> None:
    exc = error.NSPRError(None, 0)
    assert exc.errno == 0
    assert exc.error_desc == "(SUCCESS) Success"


def test_nsprerror_code_is_cut_to_c_int(error: Any) -> None:
    assert error.NSPRError(None, 2**40).errno == 0
    assert error.NSPRError(None, 2**32 + TIMEOUT % 2**32).errno == TIMEOUT


@pytest.mark.parametrize("message", [b"msg", 5, ["m"]])
def test_nsprerror_message_must_be_str_or_none(error: Any, message: object) -> None:
    with pytest.raises(TypeError):
        error.NSPRError(message, TIMEOUT)


@pytest.mark.parametrize("code", ["x", 1.5, b"1"])
def test_nsprerror_code_must_be_int_or_none(error: Any, code: object) -> None:
    with pytest.raises(TypeError):
        error.NSPRError("m", code)


def test_nsprerror_takes_at_most_two_arguments(error: Any) -> None:
    with pytest.raises(TypeError):
        error.NSPRError("m", 1, 2)


def test_nsprerror_rejects_unknown_keyword(error: Any) -> None:
    with pytest.raises(TypeError):
        error.NSPRError(foo=1)


def test_nsprerror_error_message_is_none_without_message(error: Any) -> None:
    assert error.NSPRError(None, TIMEOUT).error_message is None
    assert error.NSPRError().error_message is None


@pytest.mark.difference("error_message holds the message given to NSPRError")
def test_nsprerror_error_message_holds_the_message(error: Any) -> None:
    assert error.NSPRError("msg", REFUSED).error_message == "msg"


@pytest.mark.difference("error_message holds the message given to NSPRError")
def test_nsprerror_error_message_by_keyword(error: Any) -> None:
    exc = error.NSPRError(error_message="my message", error_code=TIMEOUT)
    assert exc.error_message == "my message"


@pytest.mark.parametrize(
    "attribute", ["errno", "error_code", "error_desc", "strerror", "error_message"]
)
def test_nsprerror_attribute_is_read_only(error: Any, attribute: str) -> None:
    exc = error.NSPRError("msg", REFUSED)
    with pytest.raises(AttributeError):
        setattr(exc, attribute, 1)


def test_nsprerror_accepts_new_attributes(error: Any) -> None:
    exc = error.NSPRError("msg", REFUSED)
    exc.extra = 1
    assert exc.extra == 1


def test_nsprerror_can_be_raised_and_caught_as_exception(error: Any) -> None:
    with pytest.raises(Exception) as info:
        raise error.NSPRError("msg", TIMEOUT)
    caught: Any = info.value
    assert caught.errno == TIMEOUT


def test_nsprerror_pickle_round_trip(error: Any) -> None:
    exc = pickle.loads(pickle.dumps(error.NSPRError("msg", REFUSED)))
    assert type(exc) is error.NSPRError
    assert exc.errno == REFUSED
    assert exc.args == ("msg", REFUSED)
    assert str(exc) == "msg: " + REFUSED_DESC


# --- CertVerifyError ---------------------------------------------------------------


def test_cert_verify_error_is_an_nsprerror(error: Any) -> None:
    assert error.CertVerifyError.__mro__[1:] == (
        error.NSPRError,
        Exception,
        BaseException,
        object,
    )


def test_cert_verify_error_is_caught_as_nsprerror(error: Any) -> None:
    with pytest.raises(error.NSPRError) as info:
        raise error.CertVerifyError("verify", UNTRUSTED, 5)
    assert info.value.errno == UNTRUSTED


def test_cert_verify_error_attributes(error: Any) -> None:
    exc = error.CertVerifyError("verify", UNTRUSTED, 5, "the log")
    assert exc.errno == UNTRUSTED
    assert exc.error_code == UNTRUSTED
    assert exc.error_desc == UNTRUSTED_DESC
    assert exc.strerror == UNTRUSTED_DESC
    assert exc.usages == 5
    assert exc.log == "the log"


def test_cert_verify_error_str_ends_with_the_usages_in_hex(error: Any) -> None:
    exc = error.CertVerifyError("verify", UNTRUSTED, 0xAB)
    assert str(exc) == "verify: " + UNTRUSTED_DESC + " usages=0xab"


def test_cert_verify_error_str_without_message(error: Any) -> None:
    assert str(error.CertVerifyError(None, TIMEOUT, 0)) == TIMEOUT_DESC + " usages=0x0"


def test_cert_verify_error_defaults(error: Any) -> None:
    exc = error.CertVerifyError(None, TIMEOUT)
    assert exc.usages == 0
    assert exc.log is None


def test_cert_verify_error_keyword_arguments(error: Any) -> None:
    exc = error.CertVerifyError(
        error_message="m", error_code=UNTRUSTED, usages=3, log="log"
    )
    assert (exc.errno, exc.usages, exc.log) == (UNTRUSTED, 3, "log")


def test_cert_verify_error_args_are_always_empty(error: Any) -> None:
    assert error.CertVerifyError("verify", UNTRUSTED, 5, None).args == ()
    assert repr(error.CertVerifyError("verify", UNTRUSTED)) == "CertVerifyError()"


@pytest.mark.parametrize(
    "usages,expected",
    [(-1, 0xFFFFFFFF), (2**32, 0), (2**32 + 7, 7), (2**70 + 1, 1), (True, 1)],
)
def test_cert_verify_error_usages_are_cut_to_c_unsigned_int(
    error: Any, usages: int, expected: int
) -> None:
    assert error.CertVerifyError(None, 0, usages).usages == expected


@pytest.mark.parametrize("usages", [None, 1.5, "1"])
def test_cert_verify_error_usages_must_be_int(error: Any, usages: object) -> None:
    with pytest.raises(TypeError):
        error.CertVerifyError(None, 0, usages)


def test_cert_verify_error_checks_usages_before_the_code_range(error: Any) -> None:
    with pytest.raises(TypeError):
        error.CertVerifyError("m", 2**70, "x")


def test_cert_verify_error_message_must_be_str_or_none(error: Any) -> None:
    with pytest.raises(TypeError):
        error.CertVerifyError(b"m", UNTRUSTED)


def test_cert_verify_error_code_must_be_int_or_none(error: Any) -> None:
    with pytest.raises(TypeError):
        error.CertVerifyError("m", "x")


def test_cert_verify_error_takes_at_most_four_arguments(error: Any) -> None:
    with pytest.raises(TypeError):
        error.CertVerifyError("m", 1, 2, 3, 4)


def test_cert_verify_error_rejects_unknown_keyword(error: Any) -> None:
    with pytest.raises(TypeError):
        error.CertVerifyError(foo=1)


@pytest.mark.parametrize(
    "attribute",
    ["usages", "log", "errno", "error_code", "error_desc", "strerror", "error_message"],
)
def test_cert_verify_error_attribute_is_read_only(error: Any, attribute: str) -> None:
    exc = error.CertVerifyError("m", UNTRUSTED, 1)
    with pytest.raises(AttributeError):
        setattr(exc, attribute, 1)


def test_cert_verify_error_without_code_reports_last_failure(
    io: Any, error: Any
) -> None:
    _fail_invalid_argument(io, error)
    assert error.CertVerifyError().errno == error.PR_INVALID_ARGUMENT_ERROR
    assert error.CertVerifyError(None, -1, 2).errno == error.PR_INVALID_ARGUMENT_ERROR


@pytest.mark.difference("error_message holds the message given to CertVerifyError")
def test_cert_verify_error_error_message_holds_the_message(error: Any) -> None:
    assert error.CertVerifyError("verify", UNTRUSTED).error_message == "verify"


@pytest.mark.difference("CertVerifyError with a code beyond a C long: OverflowError")
def test_cert_verify_error_code_beyond_c_long_overflows(error: Any) -> None:
    with pytest.raises(OverflowError):
        error.CertVerifyError("m", 2**70)


@pytest.mark.difference("str() of an uninitialised CertVerifyError: ValueError")
def test_cert_verify_error_uninitialised_str_raises_value_error(error: Any) -> None:
    exc = error.CertVerifyError.__new__(error.CertVerifyError)
    assert (exc.errno, exc.error_desc, exc.usages, exc.log) == (0, None, 0, None)
    with pytest.raises(ValueError, match=r"CertVerifyError is uninitialized$"):
        str(exc)


@pytest.mark.difference("CertVerifyError pickles with its code, usages and log")
def test_cert_verify_error_pickle_round_trip(error: Any) -> None:
    exc = pickle.loads(pickle.dumps(error.CertVerifyError("m", UNTRUSTED, 5, "log")))
    assert type(exc) is error.CertVerifyError
    assert (exc.errno, exc.usages, exc.log) == (UNTRUSTED, 5, "log")
    assert str(exc) == "m: " + UNTRUSTED_DESC + " usages=0x5"


# --- errors raised by io ----------------------------------------------------------


def test_error_raised_by_io_has_no_args(io: Any, error: Any) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.NetworkAddress(io.PR_IpAddrV4Mapped)
    exc = info.value
    assert exc.args == ()
    assert repr(exc) == "NSPRError()"
    assert exc.error_message is None


def test_error_raised_by_io_carries_the_code(io: Any, error: Any) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.NetworkAddress(io.PR_IpAddrV4Mapped)
    exc = info.value
    assert exc.errno == error.PR_INVALID_ARGUMENT_ERROR
    assert exc.error_code == error.PR_INVALID_ARGUMENT_ERROR
    assert exc.strerror == "(PR_INVALID_ARGUMENT_ERROR) Invalid function argument."
    assert str(exc) == "(PR_INVALID_ARGUMENT_ERROR) Invalid function argument."


@pytest.mark.difference("NSPRError pickles with its error code")
def test_error_raised_by_io_unpickles_with_its_code(io: Any, error: Any) -> None:
    def make() -> bytes:
        try:
            io.NetworkAddress(io.PR_IpAddrV4Mapped)
        except error.NSPRError as exc:
            return pickle.dumps(exc)
        raise AssertionError("no NSPRError")

    data = _in_thread(make)
    exc = _in_thread(lambda: pickle.loads(data))
    assert exc.errno == error.PR_INVALID_ARGUMENT_ERROR


# --- the sticky thread-local last error -------------------------------------------


def test_error_without_code_reports_last_failure(io: Any, error: Any) -> None:
    _fail_invalid_argument(io, error)
    assert error.NSPRError().errno == error.PR_INVALID_ARGUMENT_ERROR


def test_error_with_none_code_reports_last_failure(io: Any, error: Any) -> None:
    _fail_lookup(io, error)
    assert error.NSPRError("m", None).errno == error.PR_DIRECTORY_LOOKUP_ERROR
    assert error.NSPRError("m").errno == error.PR_DIRECTORY_LOOKUP_ERROR


def test_error_with_minus_one_code_reports_last_failure(io: Any, error: Any) -> None:
    _fail_invalid_argument(io, error)
    assert error.NSPRError(None, -1).errno == error.PR_INVALID_ARGUMENT_ERROR


def test_error_without_code_describes_last_failure(io: Any, error: Any) -> None:
    _fail_lookup(io, error)
    exc = error.NSPRError("lookup")
    assert exc.error_desc == (
        "(PR_DIRECTORY_LOOKUP_ERROR) A directory lookup on a network address "
        "has failed."
    )


def test_last_error_survives_a_successful_call(io: Any, error: Any) -> None:
    _fail_invalid_argument(io, error)
    io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    io.AddrInfo("localhost")
    assert error.NSPRError().errno == error.PR_INVALID_ARGUMENT_ERROR


def test_last_error_unchanged_by_value_error(io: Any, error: Any) -> None:
    _fail_invalid_argument(io, error)
    with pytest.raises(ValueError):
        io.NetworkAddress(4)
    assert error.NSPRError().errno == error.PR_INVALID_ARGUMENT_ERROR


def test_last_error_is_replaced_by_the_next_failure(io: Any, error: Any) -> None:
    _fail_invalid_argument(io, error)
    _fail_lookup(io, error)
    assert error.NSPRError().errno == error.PR_DIRECTORY_LOOKUP_ERROR


def test_last_error_is_zero_in_a_fresh_thread(error: Any) -> None:
    assert _in_thread(lambda: error.NSPRError().errno) == 0


def test_last_error_in_a_fresh_thread_describes_success(error: Any) -> None:
    assert _in_thread(lambda: error.NSPRError().error_desc) == "(SUCCESS) Success"


def test_last_error_is_per_thread(io: Any, error: Any) -> None:
    _fail_invalid_argument(io, error)

    def other() -> int:
        _fail_lookup(io, error)
        code: int = error.NSPRError().errno
        return code

    assert _in_thread(other) == error.PR_DIRECTORY_LOOKUP_ERROR
    assert error.NSPRError().errno == error.PR_INVALID_ARGUMENT_ERROR
