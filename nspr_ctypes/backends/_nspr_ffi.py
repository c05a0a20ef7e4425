"""The ctypes layer of the NSPR backend: locate and load ``libnspr4``, declare
its structures, bind its functions from one declarative table, and copy the
hot ones without ``argtypes`` on CPython (:class:`_Unchecked`).

Nothing here is NSPR *behaviour*; :mod:`nspr_ctypes.backends.nspr` builds the
backend on the :class:`NSPRLibrary` returned by :func:`load_library`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import types
from ctypes import (
    POINTER,
    Structure,
    Union,
    addressof,
    c_char,
    c_char_p,
    c_int,
    c_int16,
    c_int32,
    c_size_t,
    c_uint,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from nspr_ctypes.backends._base import _PASSING_COPIES
from nspr_ctypes.backends._version import (
    check_min_version,
    parse_version,
    version_less,
)
from nspr_ctypes.backends.errors import (
    _INSTALL_HINT,
    LibraryIncompatible,
    LibraryLoadFailed,
    LibraryNotFound,
    LibraryTooOld,
)
from nspr_ctypes.error import PR_NOT_IMPLEMENTED_ERROR, nspr_error

__all__ = [
    "MIN_NSPR_VERSION",
    "PROTOTYPES",
    "PR_NETDB_BUF_SIZE",
    "NSPRLibrary",
    "PRAddrInfoPtr",
    "PRFileDescPtr",
    "PRHostEnt",
    "PRIPv6Addr",
    "PRLinger",
    "PRMcastRequest",
    "PRNetAddr",
    "PRPollDesc",
    "PRProtoEnt",
    "PRSocketOptionData",
    "Prototype",
    "check_min_version",
    "load_library",
    "parse_version",
]

#: The oldest NSPR accepted. ``PR_GetVersion`` (bound as a required function:
#: the backend reports the version string) first appeared in NSPR 4.8.9
#: (``NSPR_4.8.9`` section of nspr.def); every other function of the table is
#: from 4.5 or older (docs/versions.md lists them).
MIN_NSPR_VERSION = "4.8.9"

#: Buffer size NSPR asks callers of ``PR_GetHostBy*`` to provide (prnetdb.h).
PR_NETDB_BUF_SIZE = 2048

#: Directories searched last, after the loader and ``find_library``.
WELL_KNOWN_DIRS: Tuple[str, ...] = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
    "/opt/homebrew/lib",
    "/usr/local/opt/nspr/lib",
)
_LIBRARY_FILE_NAMES: Tuple[str, ...] = ("libnspr4.so", "libnspr4.dylib")


# -- structures (x86-64 Linux layouts; pinned by tests/unit/test_nspr_ffi.py) --


class _PRIPv6AddrUnion(Union):
    # The u64 member gives the union (and so PRNetAddr) 8-byte alignment;
    # without it PRNetAddr would be 108/4 and every struct after it shifts.
    _fields_ = [
        ("_S6_u8", c_uint8 * 16),
        ("_S6_u16", c_uint16 * 8),
        ("_S6_u32", c_uint32 * 4),
        ("_S6_u64", c_uint64 * 2),
    ]


class PRIPv6Addr(Structure):
    """``PRIPv6Addr``: 16 bytes, 8-aligned."""

    _fields_ = [("_S6_un", _PRIPv6AddrUnion)]


class _PRNetAddrRaw(Structure):
    _fields_ = [("family", c_uint16), ("data", c_char * 14)]


class _PRNetAddrInet(Structure):
    # port and ip are in network byte order.
    _fields_ = [
        ("family", c_uint16),
        ("port", c_uint16),
        ("ip", c_uint32),
        ("pad", c_char * 8),
    ]


class _PRNetAddrIPv6(Structure):
    _fields_ = [
        ("family", c_uint16),
        ("port", c_uint16),
        ("flowinfo", c_uint32),
        ("ip", PRIPv6Addr),
        ("scope_id", c_uint32),
    ]


class _PRNetAddrLocal(Structure):
    _fields_ = [("family", c_uint16), ("path", c_char * 104)]


class PRNetAddr(Union):
    """``PRNetAddr``: 112 bytes, 8-aligned."""

    _fields_ = [
        ("raw", _PRNetAddrRaw),
        ("inet", _PRNetAddrInet),
        ("ipv6", _PRNetAddrIPv6),
        ("local", _PRNetAddrLocal),
    ]


class PRPollDesc(Structure):
    """``PRPollDesc``: 16 bytes."""

    _fields_ = [("fd", c_void_p), ("in_flags", c_int16), ("out_flags", c_int16)]


class PRLinger(Structure):
    """``PRLinger``: 8 bytes, 4-aligned; ``linger`` is in ticks."""

    _fields_ = [("polarity", c_int), ("linger", c_uint32)]


class PRMcastRequest(Structure):
    """``PRMcastRequest``: 224 bytes."""

    _fields_ = [("mcaddr", PRNetAddr), ("ifaddr", PRNetAddr)]


class _PRSocketOptionValue(Union):
    _fields_ = [
        ("ip_ttl", c_uint),
        ("mcast_ttl", c_uint),
        ("tos", c_uint),
        ("non_blocking", c_int),
        ("reuse_addr", c_int),
        ("reuse_port", c_int),
        ("dont_fragment", c_int),
        ("keep_alive", c_int),
        ("mcast_loopback", c_int),
        ("no_delay", c_int),
        ("broadcast", c_int),
        ("max_segment", c_size_t),
        ("recv_buffer_size", c_size_t),
        ("send_buffer_size", c_size_t),
        ("linger", PRLinger),
        ("add_member", PRMcastRequest),
        ("drop_member", PRMcastRequest),
        ("mcast_if", PRNetAddr),
    ]


class PRSocketOptionData(Structure):
    """``PRSocketOptionData``: 232 bytes; the value union is at offset 8."""

    _fields_ = [("option", c_int), ("value", _PRSocketOptionValue)]


class PRHostEnt(Structure):
    """``PRHostEnt`` (32 bytes). Pointers are kept raw (``c_void_p``) so the
    backend can check that they point into the caller's buffer."""

    _fields_ = [
        ("h_name", c_void_p),
        ("h_aliases", c_void_p),
        ("h_addrtype", c_int32),
        ("h_length", c_int32),
        ("h_addr_list", c_void_p),
    ]


class PRProtoEnt(Structure):
    """``PRProtoEnt`` (24 bytes), raw pointers as in :class:`PRHostEnt`."""

    _fields_ = [
        ("p_name", c_void_p),
        ("p_aliases", c_void_p),
        ("p_num", c_int32),
    ]


if TYPE_CHECKING:
    _Pointer = ctypes._SimpleCData[Optional[int]]
else:
    _Pointer = ctypes._SimpleCData


class PRFileDescPtr(_Pointer):
    """``PRFileDesc*``, opaque: a pointer value as in ``c_void_p``, but without
    the instance ``__dict__`` and weak-reference slot that ``c_void_p`` (a
    Python subclass) gives every instance, so a socket's handle (a subclass)
    costs 112 bytes instead of 136. A C function declared with this type
    takes a handle as it is, an int, or None (NULL)."""

    _type_ = "P"
    __slots__ = ()


#: ``PRAddrInfo*`` is opaque.
PRAddrInfoPtr = c_void_p

_PRStatus = c_int  # PR_SUCCESS 0, PR_FAILURE -1
_PRBool = c_int
_PRIntervalTime = c_uint32
_NetAddrP = POINTER(PRNetAddr)


# -- the prototype table -----------------------------------------------------


class Prototype(NamedTuple):
    """One function of the table. ``restype`` None means ``void``."""

    name: str
    restype: Any
    argtypes: Tuple[Any, ...]
    #: The NSPR release that introduced the function (its section of NSPR's
    #: nspr.def); None for NSPR 4.0. Entries newer than the loaded NSPR
    #: become stand-ins; the newest entry sets MIN_NSPR_VERSION.
    min_version: Optional[str] = None


#: Exactly the functions the binding calls (the backend, and the loader's
#: version check): every entry is required of a library, so a function nothing
#: calls does not belong here (tests/unit/test_nspr_ffi.py checks both ways).
# fmt: off
PROTOTYPES: Tuple[Prototype, ...] = (
    # version and errors (prinit.h, prerror.h)
    Prototype("PR_GetVersion", c_char_p, (), "4.8.9"),
    Prototype("PR_VersionCheck", _PRBool, (c_char_p,)),
    Prototype("PR_GetError", c_int32, ()),
    # time (prinrval.h)
    Prototype("PR_TicksPerSecond", c_uint32, ()),
    Prototype("PR_IntervalNow", _PRIntervalTime, ()),
    # sockets (prio.h, private/pprio.h)
    Prototype("PR_OpenTCPSocket", PRFileDescPtr, (c_int,)),
    Prototype("PR_OpenUDPSocket", PRFileDescPtr, (c_int,)),
    Prototype("PR_Close", _PRStatus, (PRFileDescPtr,)),
    Prototype("PR_FileDesc2NativeHandle", c_int32, (PRFileDescPtr,)),
    Prototype("PR_Bind", _PRStatus, (PRFileDescPtr, _NetAddrP)),
    Prototype("PR_Listen", _PRStatus, (PRFileDescPtr, c_int)),
    Prototype("PR_Connect", _PRStatus, (PRFileDescPtr, _NetAddrP, _PRIntervalTime)),
    Prototype("PR_ConnectContinue", _PRStatus, (PRFileDescPtr, c_int16), "4.1"),
    Prototype("PR_Accept", PRFileDescPtr, (PRFileDescPtr, _NetAddrP, _PRIntervalTime)),
    Prototype("PR_Recv", c_int32,
              (PRFileDescPtr, c_void_p, c_int32, c_int, _PRIntervalTime)),
    Prototype("PR_Send", c_int32,
              (PRFileDescPtr, c_void_p, c_int32, c_int, _PRIntervalTime)),
    Prototype("PR_RecvFrom", c_int32,
              (PRFileDescPtr, c_void_p, c_int32, c_int, _NetAddrP, _PRIntervalTime)),
    Prototype("PR_SendTo", c_int32,
              (PRFileDescPtr, c_void_p, c_int32, c_int, _NetAddrP, _PRIntervalTime)),
    Prototype("PR_Shutdown", _PRStatus, (PRFileDescPtr, c_int)),
    Prototype("PR_GetSockName", _PRStatus, (PRFileDescPtr, _NetAddrP)),
    Prototype("PR_GetPeerName", _PRStatus, (PRFileDescPtr, _NetAddrP)),
    Prototype("PR_GetSocketOption", _PRStatus,
              (PRFileDescPtr, POINTER(PRSocketOptionData))),
    Prototype("PR_SetSocketOption", _PRStatus,
              (PRFileDescPtr, POINTER(PRSocketOptionData))),
    Prototype("PR_Poll", c_int32, (POINTER(PRPollDesc), c_int, _PRIntervalTime)),
    Prototype("PR_NewTCPSocketPair", _PRStatus, (POINTER(PRFileDescPtr),)),
    Prototype("PR_ImportTCPSocket", PRFileDescPtr, (c_int32,)),
    # lookups (prnetdb.h)
    Prototype("PR_GetHostByName", _PRStatus,
              (c_char_p, c_void_p, c_int, POINTER(PRHostEnt))),
    Prototype("PR_GetHostByAddr", _PRStatus,
              (_NetAddrP, c_void_p, c_int, POINTER(PRHostEnt))),
    Prototype("PR_GetProtoByName", _PRStatus,
              (c_char_p, c_void_p, c_int32, POINTER(PRProtoEnt))),
    Prototype("PR_GetProtoByNumber", _PRStatus,
              (c_int32, c_void_p, c_int32, POINTER(PRProtoEnt))),
    Prototype("PR_GetAddrInfoByName", PRAddrInfoPtr,
              (c_char_p, c_uint16, c_int), "4.5"),
    Prototype("PR_EnumerateAddrInfo", c_void_p,
              (c_void_p, PRAddrInfoPtr, c_uint16, _NetAddrP), "4.5"),
    Prototype("PR_GetCanonNameFromAddrInfo", c_char_p, (PRAddrInfoPtr,), "4.5"),
    Prototype("PR_FreeAddrInfo", None, (PRAddrInfoPtr,), "4.5"),
)
# fmt: on


def _make_stand_in(name: str, required: str, loaded: str) -> Callable[..., Any]:
    message = "%s needs NSPR %s or later; the loaded NSPR is %s" % (
        name,
        required,
        loaded,
    )

    def stand_in(*args: Any) -> Any:
        # nspr_error also records the code as the thread's last error.
        raise nspr_error(PR_NOT_IMPLEMENTED_ERROR, message)

    stand_in.__name__ = name
    stand_in.__qualname__ = name
    stand_in.__doc__ = message
    return stand_in


class NSPRLibrary:
    """One loaded libnspr4 file and its bound functions.

    Functions are attributes named as in C (``lib.PR_Recv``), bound once from
    the table: the one way the backend reaches NSPR. Each instance owns its
    own ``CDLL``: no cache is shared between files or instances.
    """

    cdll: ctypes.CDLL
    path: str
    version: str
    version_tuple: Tuple[int, ...]
    #: names replaced by stand-ins because the loaded NSPR is too old
    stand_ins: List[str]

    def __init__(
        self,
        cdll: ctypes.CDLL,
        path: str,
        prototypes: Sequence[Prototype] = PROTOTYPES,
        min_version: Optional[str] = None,
    ) -> None:
        self.cdll = cdll
        self.path = path
        self.stand_ins = []
        floor = MIN_NSPR_VERSION
        floor_source = "the oldest NSPR nspr_ctypes supports"
        check_min_version(min_version)
        if min_version is not None and version_less(
            parse_version(floor), parse_version(min_version)
        ):
            floor = min_version
            floor_source = "min_version=%r" % (min_version,)
        floor_tuple = parse_version(floor)

        # Which symbols are required: every entry not newer than the floor.
        required = [
            p
            for p in prototypes
            if p.min_version is None
            or not version_less(floor_tuple, parse_version(p.min_version))
        ]
        missing = [p.name for p in required if not _has_symbol(cdll, p.name)]
        if missing:
            if missing == ["PR_GetVersion"]:
                # NSPR, but from before PR_GetVersion (4.8.9).
                raise LibraryTooOld(
                    "%s is older than NSPR %s, %s (it has no PR_GetVersion)"
                    % (path, floor, floor_source),
                    ["%s: PR_GetVersion missing" % path],
                )
            raise LibraryIncompatible(
                "%s is not an NSPR library: it loaded, but lacks %d of the %d "
                "NSPR functions nspr_ctypes needs (%s)"
                % (path, len(missing), len(required), _name_list(missing)),
                ["%s: loaded, missing %s" % (path, _name_list(missing))],
            )

        get_version = cdll.PR_GetVersion
        get_version.restype = c_char_p
        get_version.argtypes = ()
        raw_version = get_version()
        self.version = (
            raw_version.decode("ascii", "replace")
            if isinstance(raw_version, bytes)
            else "unknown"
        )
        try:
            self.version_tuple = parse_version(self.version)
        except ValueError:
            raise LibraryIncompatible(
                "%s reports an unreadable NSPR version %r" % (path, self.version),
                ["%s: PR_GetVersion() = %r" % (path, self.version)],
            ) from None

        if version_less(self.version_tuple, floor_tuple):
            raise LibraryTooOld(
                "%s is NSPR %s; NSPR %s or later is required (%s)"
                % (path, self.version, floor, floor_source),
                ["%s: NSPR %s < %s" % (path, self.version, floor)],
            )
        version_check = cdll.PR_VersionCheck
        version_check.restype = _PRBool
        version_check.argtypes = (c_char_p,)
        # NSPR's own answer: a newer NSPR of another major version says no.
        if not version_check(floor.encode("ascii")):
            raise LibraryIncompatible(
                "%s is NSPR %s, which reports itself incompatible with NSPR %s "
                "(PR_VersionCheck: another major version)"
                % (path, self.version, floor),
                ["%s: PR_VersionCheck(%r) is false" % (path, floor)],
            )

        for proto in prototypes:
            if proto.min_version is not None and version_less(
                self.version_tuple, parse_version(proto.min_version)
            ):
                func = _make_stand_in(proto.name, proto.min_version, self.version)
                self.stand_ins.append(proto.name)
            else:
                if not _has_symbol(cdll, proto.name):
                    raise LibraryIncompatible(
                        "%s (NSPR %s) lacks %s" % (path, self.version, proto.name),
                        ["%s: missing %s" % (path, proto.name)],
                    )
                cfunc = getattr(cdll, proto.name)
                cfunc.restype = proto.restype
                cfunc.argtypes = proto.argtypes
                func = cfunc
            setattr(self, proto.name, func)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        # Only reached for names not set in __init__: a clear error, not a
        # raw symbol lookup bypassing the table.
        raise AttributeError("%s is not in the NSPR prototype table" % name)


#: Only CPython's ctypes calls a function without ``argtypes`` cheaply. PyPy's
#: reuses a call descriptor only while the converted arguments' types equal
#: the declared argtypes; otherwise it builds a new one at every call (a
#: variadic one without argtypes), some µs each (docs/backends.md, "On PyPy").
#: There the hot copies declare argtypes that every argument converts to
#: exactly: :class:`_Address` for pointers, C ints for ints.
_CHEAP_WITHOUT_ARGTYPES = sys.implementation.name == "cpython"


class _Address(c_void_p):
    """A pointer argument of a hot copy outside CPython. Whatever the call
    passes (a handle of either class, a ``c_void_p``, bytes, a ctypes array
    or structure, ``byref()`` of one, None) converts to an instance of this
    one class, so PyPy's ctypes finds the argument types it built the call's
    descriptor for. Anything else is refused (``TypeError``), as ctypes
    refuses a wrong argument."""

    __slots__ = ()

    @classmethod
    def from_param(cls, value: Any) -> _Address:
        if value is None:
            return cls(None)
        if type(value) is bytes:
            # PyPy's c_void_p takes bytes: a copy that the instance keeps.
            return cls(value)  # type: ignore[arg-type]
        if isinstance(value, (c_void_p, PRFileDescPtr)):  # a handle
            return cls(value.value)
        if isinstance(value, ctypes._Pointer):  # byref() on PyPy
            return cls(addressof(value.contents))
        if isinstance(value, (ctypes.Array, Structure)):
            return cls(addressof(value))
        raise TypeError("a pointer argument, not %s" % type(value).__name__)


def _exact_argtype(argtype: Any) -> Any:
    """The type a hot copy declares outside CPython for one of the table's."""
    if argtype in (c_void_p, PRFileDescPtr) or issubclass(argtype, ctypes._Pointer):
        return _Address
    return argtype


class _Unchecked:
    """Copies of functions of one loaded libnspr4 without ``argtypes``: ctypes then
    converts nothing it does not have to (an int goes as a C int, a ctypes
    object or ``bytes`` as a pointer), which saves about 150 ns a call. Only
    for calls whose arguments are checked and are ints that fit a C int,
    handles (:class:`NSPRHandle`), other ``c_void_p`` objects, ctypes arrays
    or ``byref()``, or bytes: never a pointer as a Python int, which C would
    get truncated to 32 bits. Outside CPython the copies declare argtypes
    instead (``_CHEAP_WITHOUT_ARGTYPES``), which those same arguments pass."""

    def __init__(self, lib: NSPRLibrary) -> None:
        # Indexing (not attribute access) makes a new function object.
        self.cdll: ctypes.CDLL = lib.cdll
        self.pydll: Optional[ctypes.CDLL] = None
        handle = getattr(lib.cdll, "_handle", None)
        if handle is not None and hasattr(ctypes, "PyDLL") and not _PASSING_COPIES:
            # The same loaded library (its dlopen handle), not a second dlopen.
            self.pydll = ctypes.PyDLL(lib.path, handle=handle)

    def __call__(
        self, function: Callable[..., Any], restype: Any, keep_gil: bool = False
    ) -> Any:
        """A copy of ``function`` (one of the library's, ``lib.PR_Recv``) with
        ``restype`` and, on CPython, no argtypes; through ``PyDLL`` (keeping
        the GIL: cheaper for a call that never blocks) when ``keep_gil`` and
        ctypes has one (not PyPy's). A stand-in for a function newer than the
        loaded NSPR (a Python function) is returned as it is."""
        if isinstance(function, types.FunctionType):
            return function
        library = self.pydll if keep_gil and self.pydll is not None else self.cdll
        copy = library[function.__name__]
        copy.restype = restype
        if not _CHEAP_WITHOUT_ARGTYPES:
            declared = function.argtypes  # type: ignore[attr-defined]
            copy.argtypes = tuple(_exact_argtype(argtype) for argtype in declared)
        return copy


def _name_list(names: Sequence[str], shown: int = 5) -> str:
    """``a, b, c`` or, for a long list, ``a, b, c, d, e and 32 more``."""
    if len(names) <= shown + 1:
        return ", ".join(names)
    return "%s and %d more" % (", ".join(names[:shown]), len(names) - shown)


def _has_symbol(cdll: ctypes.CDLL, name: str) -> bool:
    try:
        getattr(cdll, name)
    except AttributeError:
        return False
    return True


# -- locating and loading ----------------------------------------------------


def _dlopen_mode() -> int:
    mode = os.RTLD_LOCAL
    # RTLD_DEEPBIND makes the library resolve its own exported symbols first,
    # so two different libnspr4 files can live side by side even if one of
    # them was loaded RTLD_GLOBAL by someone else. Interposers from LD_PRELOAD
    # (sanitizers abort on DEEPBIND, custom mallocs get bypassed) disable it.
    if not os.environ.get("LD_PRELOAD"):
        mode |= getattr(os, "RTLD_DEEPBIND", 0)
    return mode


class _DlInfo(Structure):
    _fields_ = [
        ("dli_fname", c_char_p),
        ("dli_fbase", c_void_p),
        ("dli_sname", c_char_p),
        ("dli_saddr", c_void_p),
    ]


def _loaded_path(cdll: ctypes.CDLL, fallback: str) -> str:
    """The absolute, symlink-free path of the file behind ``cdll``."""
    try:
        address = ctypes.cast(cdll.PR_GetVersion, c_void_p).value
        libc = ctypes.CDLL(None)
        dladdr = getattr(libc, "dladdr", None)
        if dladdr is None:
            libdl = ctypes.util.find_library("dl")
            if libdl is None:
                raise OSError("no dladdr")
            dladdr = ctypes.CDLL(libdl).dladdr
        dladdr.argtypes = (c_void_p, POINTER(_DlInfo))
        dladdr.restype = c_int
        info = _DlInfo()
        if address and dladdr(address, ctypes.byref(info)) and info.dli_fname:
            name = os.fsdecode(info.dli_fname)
            if os.path.isabs(name):
                return os.path.realpath(name)
    except (OSError, AttributeError):
        pass
    return os.path.realpath(fallback) if os.sep in fallback else fallback


def _open(path: str) -> ctypes.CDLL:
    return ctypes.CDLL(path, mode=_dlopen_mode())


def _load_file(path: str, min_version: Optional[str], source: str) -> NSPRLibrary:
    """Load one named file, strictly (``library=``, also how the registry
    passes ``NSPR_CTYPES_LIBRARY``)."""
    if not os.path.exists(path):
        raise LibraryNotFound(
            "NSPR library %s (%s) does not exist. %s" % (path, source, _INSTALL_HINT),
            ["%s: no such file" % path],
        )
    try:
        # Absolute, so that the loader (dladdr) reports the file unambiguously.
        cdll = _open(os.path.abspath(path))
    except OSError as exc:
        raise LibraryLoadFailed(
            "the system loader refused %s (%s): %s%s"
            % (path, source, exc, _loader_hint(str(exc))),
            ["%s: %s" % (path, exc)],
        ) from exc
    library = NSPRLibrary(cdll, _loaded_path(cdll, path), min_version=min_version)
    _loaded_by_path.add(library.path)
    return library


#: Real paths of the files loaded by an explicit path. Once one is loaded, the
#: loader answers a request by name ("libnspr4.so") with it, whatever file the
#: name would find in a fresh process: the automatic search must not take it.
_loaded_by_path: Set[str] = set()


def _loader_hint(reason: str) -> str:
    """A word on the commonest refusal: a build for a newer C library."""
    if "GLIBC_" not in reason:
        return ""
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        glibc = None
    return " (the file was built for a newer C library than this system's%s)" % (
        " " + glibc if glibc else ""
    )


def _auto_candidates() -> List[Tuple[str, bool]]:
    """(name or path, is_path) in search order."""
    candidates: List[Tuple[str, bool]] = [("libnspr4.so", False)]
    found = ctypes.util.find_library("nspr4")
    if found:
        candidates.append((found, os.sep in found))
    for directory in WELL_KNOWN_DIRS:
        for file_name in _LIBRARY_FILE_NAMES:
            candidates.append((os.path.join(directory, file_name), True))
    return candidates


def load_library(
    path: Optional[str] = None, min_version: Optional[str] = None
) -> NSPRLibrary:
    """Locate and load libnspr4: ``path`` -> the loader's ``libnspr4.so`` ->
    ``find_library("nspr4")`` -> well-known dirs.

    An explicit path is strict: only that file is tried. The registry reads
    ``NSPR_CTYPES_LIBRARY`` and passes it here as ``path``. Raises the loading
    errors of :mod:`nspr_ctypes.backends.errors`.
    """
    check_min_version(min_version)
    if path is not None:
        return _load_file(os.fspath(path), min_version, "library= argument")

    attempts: List[str] = []
    seen: Dict[str, str] = {}
    first_error: Optional[Exception] = None
    load_failed = False
    for name, is_path in _auto_candidates():
        if is_path and not os.path.exists(name):
            attempts.append("%s: no such file" % name)
            continue
        try:
            cdll = _open(name)
        except OSError as exc:
            attempts.append("%s: %s" % (name, exc))
            load_failed = load_failed or is_path
            continue
        try:
            real = _loaded_path(cdll, name)
        except Exception:  # pragma: no cover - dladdr is best effort
            real = name
        if real in seen:
            attempts.append("%s: same file as %s" % (name, seen[real]))
            continue
        if not is_path and real in _loaded_by_path:
            attempts.append(
                "%s: the loader returned %s, loaded earlier by its path; "
                "searching by path instead" % (name, real)
            )
            continue
        seen[real] = name
        try:
            return NSPRLibrary(cdll, real, min_version=min_version)
        except (LibraryIncompatible, LibraryTooOld) as exc:
            attempts.extend(exc.attempts or [str(exc)])
            if first_error is None:
                first_error = exc
    if first_error is not None:
        raise type(first_error)(str(first_error).split("\nTried:")[0], attempts)
    if load_failed:
        raise LibraryLoadFailed(
            "libnspr4 files were found but the system loader refused them", attempts
        )
    raise LibraryNotFound(
        "the NSPR library (libnspr4) was not found. %s" % _INSTALL_HINT, attempts
    )
