"""The ctypes layer: structure layouts, the prototype table, the loader."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
from pathlib import Path
from typing import Any, Dict, Optional, Set, Tuple

import pytest

from nspr_ctypes.backends import _ENV_LIBRARY as ENV_LIBRARY
from nspr_ctypes.backends import _nspr_ffi as ffi
from nspr_ctypes.backends import load_backend
from nspr_ctypes.backends import nspr as nspr_backend
from nspr_ctypes.backends._base import SockAddr
from nspr_ctypes.backends.errors import (
    BackendUnavailable,
    LibraryIncompatible,
    LibraryLoadFailed,
    LibraryNotFound,
    LibraryTooOld,
)
from nspr_ctypes.constants import PR_AF_INET, PR_DESC_SOCKET_TCP
from nspr_ctypes.error import PR_NOT_IMPLEMENTED_ERROR, NSPRError

# Functions that return void, deliberately declared with restype None.
VOID_FUNCTIONS = {"PR_FreeAddrInfo"}


@pytest.fixture(scope="module")
def lib() -> ffi.NSPRLibrary:
    try:
        return ffi.load_library()
    except BackendUnavailable as exc:  # pragma: no cover - machine without NSPR
        pytest.skip("NSPR not loadable: %s" % exc)


def _field_types(cls: Any) -> Dict[str, Any]:
    return {name: ctype for name, ctype in cls._fields_}


# -- (a) structure layouts, x86-64 Linux (design.md section 4) -----------------

only_64bit = pytest.mark.skipif(
    ctypes.sizeof(ctypes.c_void_p) != 8, reason="layouts pinned for 64-bit"
)


@only_64bit
@pytest.mark.parametrize(
    "name, size, align",
    [
        ("PRIPv6Addr", 16, 8),
        ("PRNetAddr", 112, 8),
        ("PRPollDesc", 16, 8),
        ("PRLinger", 8, 4),
        ("PRMcastRequest", 224, 8),
        ("PRSocketOptionData", 232, 8),
        ("PRHostEnt", 32, 8),
        ("PRProtoEnt", 24, 8),
    ],
)
def test_structure_size_and_alignment(name: str, size: int, align: int) -> None:
    cls = getattr(ffi, name)
    assert (ctypes.sizeof(cls), ctypes.alignment(cls)) == (size, align)


def test_ipv6_addr_has_u64_member() -> None:
    union = _field_types(ffi.PRIPv6Addr)["_S6_un"]
    members = _field_types(union)
    assert members["_S6_u64"] == ctypes.c_uint64 * 2
    assert ctypes.sizeof(union) == 16


@only_64bit
def test_netaddr_offsets() -> None:
    members = _field_types(ffi.PRNetAddr)
    inet, ipv6, local, raw = (
        members["inet"],
        members["ipv6"],
        members["local"],
        members["raw"],
    )
    assert (inet.family.offset, inet.port.offset, inet.ip.offset) == (0, 2, 4)
    assert ctypes.sizeof(inet) == 16
    assert (ipv6.port.offset, ipv6.flowinfo.offset) == (2, 4)
    assert (ipv6.ip.offset, ipv6.scope_id.offset) == (8, 24)
    assert (local.path.offset, local.path.size) == (2, 104)
    assert (raw.family.offset, raw.data.offset) == (0, 2)
    for name in ("raw", "inet", "ipv6", "local"):
        assert getattr(ffi.PRNetAddr, name).offset == 0


@only_64bit
def test_other_offsets() -> None:
    poll = ffi.PRPollDesc
    assert (poll.fd.offset, poll.in_flags.offset, poll.out_flags.offset) == (0, 8, 10)
    assert (poll.in_flags.size, poll.out_flags.size) == (2, 2)
    assert (ffi.PRLinger.polarity.offset, ffi.PRLinger.linger.offset) == (0, 4)
    mreq = ffi.PRMcastRequest
    assert (mreq.mcaddr.offset, mreq.ifaddr.offset) == (0, 112)
    opt = ffi.PRSocketOptionData
    assert (opt.option.offset, opt.value.offset) == (0, 8)
    value = _field_types(opt)["value"]
    assert ctypes.sizeof(value) == 224
    host = ffi.PRHostEnt
    assert (
        host.h_name.offset,
        host.h_aliases.offset,
        host.h_addrtype.offset,
        host.h_length.offset,
        host.h_addr_list.offset,
    ) == (0, 8, 16, 20, 24)
    assert (host.h_addrtype.size, host.h_length.size) == (4, 4)
    proto = ffi.PRProtoEnt
    assert (proto.p_name.offset, proto.p_aliases.offset, proto.p_num.offset) == (
        0,
        8,
        16,
    )


# -- (b) the prototype table -----------------------------------------------------


def test_table_entries_are_complete() -> None:
    names = [p.name for p in ffi.PROTOTYPES]
    assert len(names) == len(set(names))
    for proto in ffi.PROTOTYPES:
        assert isinstance(proto.argtypes, tuple), proto.name
        assert proto.restype is not None or proto.name in VOID_FUNCTIONS, proto.name
        if proto.min_version is not None:
            ffi.parse_version(proto.min_version)


def test_every_entry_is_bound(lib: ffi.NSPRLibrary) -> None:
    assert lib.stand_ins == []
    for proto in ffi.PROTOTYPES:
        func = getattr(lib.cdll, proto.name)
        assert getattr(lib, proto.name) is func, proto.name
        assert tuple(func.argtypes) == proto.argtypes, proto.name
        assert func.restype is proto.restype, proto.name


def test_unknown_function_name(lib: ffi.NSPRLibrary) -> None:
    with pytest.raises(AttributeError, match="prototype table"):
        lib.PR_NoSuchFunction  # noqa: B018


def test_version(lib: ffi.NSPRLibrary) -> None:
    assert lib.version_tuple >= ffi.parse_version(ffi.MIN_NSPR_VERSION)
    assert lib.version == lib.PR_GetVersion().decode()
    assert os.path.isabs(lib.path)
    assert lib.path == os.path.realpath(lib.path)


def test_parse_version() -> None:
    assert ffi.parse_version("4.35") == (4, 35)
    assert ffi.parse_version("4.8.9 Beta") == (4, 8, 9)
    with pytest.raises(ValueError):
        ffi.parse_version("beta")


# -- (c) loader errors -----------------------------------------------------------


def test_nonexistent_path(tmp_path: Path) -> None:
    path = str(tmp_path / "no-such-libnspr4.so")
    with pytest.raises(LibraryNotFound) as info:
        ffi.load_library(path)
    assert path in str(info.value)
    assert "NSPR_CTYPES_LIBRARY" in str(info.value)


def test_env_variable_is_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "missing.so")
    monkeypatch.setenv(ENV_LIBRARY, path)
    with pytest.raises(LibraryNotFound) as info:
        load_backend("nspr")
    assert path in str(info.value)
    assert ENV_LIBRARY in str(info.value)


def test_explicit_path_wins_over_env(
    lib: ffi.NSPRLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_LIBRARY, str(tmp_path / "missing.so"))
    backend = load_backend("nspr", library=lib.path)
    assert backend.library_path == lib.path


def test_every_load_makes_its_own_cdll(lib: ffi.NSPRLibrary) -> None:
    other = ffi.load_library(lib.path)
    assert other.path == lib.path
    # one CDLL per instance: nothing cached across loads
    assert other.cdll is not lib.cdll


def test_the_loader_does_not_read_the_environment(
    lib: ffi.NSPRLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The registry reads NSPR_CTYPES_LIBRARY and passes it down as library=.
    monkeypatch.setenv(ENV_LIBRARY, str(tmp_path / "missing.so"))
    assert os.path.isabs(ffi.load_library().path)


def _libc_path() -> Optional[str]:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    if os.path.isabs(name):
        return os.path.realpath(name)
    for directory in (
        "/lib/x86_64-linux-gnu",
        "/usr/lib/x86_64-linux-gnu",
        "/lib64",
        "/usr/lib64",
        "/lib",
        "/usr/lib",
    ):
        candidate = os.path.join(directory, name)
        if os.path.exists(candidate):
            return os.path.realpath(candidate)
    return None


def test_libc_is_incompatible() -> None:
    path = _libc_path()
    if path is None:  # pragma: no cover
        pytest.skip("libc not found as a file")
    with pytest.raises(LibraryIncompatible) as info:
        ffi.load_library(path)
    message = str(info.value)
    assert path in message
    assert "PR_GetError" in message


def test_non_elf_file_fails_to_load(tmp_path: Path) -> None:
    path = tmp_path / "libnspr4.so"
    path.write_bytes(b"this is not a shared library\n" * 10)
    with pytest.raises(OSError) as loader:
        ctypes.CDLL(str(path))
    with pytest.raises(LibraryLoadFailed) as info:
        ffi.load_library(str(path))
    message = str(info.value)
    assert str(path) in message
    # the loader's own text is quoted (e.g. "invalid ELF header")
    assert str(loader.value).split(": ")[-1] in message


def test_min_version_too_high(lib: ffi.NSPRLibrary) -> None:
    with pytest.raises(LibraryTooOld) as info:
        ffi.load_library(lib.path, min_version="99.0")
    assert "99.0" in str(info.value)
    assert lib.version in str(info.value)


def test_min_version_just_above_loaded(lib: ffi.NSPRLibrary) -> None:
    major, minor = lib.version_tuple[:2]
    with pytest.raises(LibraryTooOld):
        ffi.load_library(lib.path, min_version="%d.%d" % (major, minor + 1))
    # the loaded version itself is accepted
    ffi.load_library(lib.path, min_version="%d.%d" % (major, minor))


def test_auto_search_finds_nspr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_LIBRARY, raising=False)
    try:
        found = ffi.load_library()
    except BackendUnavailable as exc:  # pragma: no cover
        pytest.skip(str(exc))
    assert os.path.isabs(found.path)


# -- (d) stand-ins for functions newer than the loaded NSPR -----------------------


def _with_future_entry(
    lib: ffi.NSPRLibrary, name: str, argtypes: Tuple[Any, ...] = ()
) -> ffi.NSPRLibrary:
    table = (*ffi.PROTOTYPES, ffi.Prototype(name, ctypes.c_int, argtypes, "99.1"))
    return ffi.NSPRLibrary(ctypes.CDLL(lib.path), lib.path, prototypes=table)


@pytest.mark.parametrize("name", ["PR_FromTheFuture", "PR_Sleep2"])
def test_stand_in_raises_not_implemented(lib: ffi.NSPRLibrary, name: str) -> None:
    future = _with_future_entry(lib, name)
    assert future.stand_ins == [name]
    with pytest.raises(NSPRError) as info:
        getattr(future, name)()
    error = info.value
    assert error.errno == PR_NOT_IMPLEMENTED_ERROR
    assert "99.1" in str(error)
    assert lib.version in str(error)
    assert name in str(error)
    # the thread's last error is set too
    assert NSPRError().errno == PR_NOT_IMPLEMENTED_ERROR


def test_existing_symbol_newer_than_loaded_is_a_stand_in(
    lib: ffi.NSPRLibrary,
) -> None:
    # Even when the symbol exists, the declared minimum version decides.
    table = tuple(
        p._replace(min_version="99.1") if p.name == "PR_TicksPerSecond" else p
        for p in ffi.PROTOTYPES
    )
    future = ffi.NSPRLibrary(ctypes.CDLL(lib.path), lib.path, prototypes=table)
    with pytest.raises(NSPRError) as info:
        future.PR_TicksPerSecond()
    assert info.value.errno == PR_NOT_IMPLEMENTED_ERROR


# -- (e) the table is what the binding calls -------------------------------------

SOURCES = Path(ffi.__file__).parent


def _backend_sources() -> str:
    """The backend's code: ``nspr.py`` and its private modules, but the loader."""
    paths = [SOURCES / "nspr.py", *sorted(SOURCES.glob("_nspr_*.py"))]
    return "".join(p.read_text() for p in paths if p.name != "_nspr_ffi.py")


def _called_functions() -> Set[str]:
    """The NSPR functions the binding calls: ``lib.PR_*`` in the backend, and
    the loader's own ``cdll.PR_*`` (its version checks)."""
    backend = _backend_sources()
    loader = (SOURCES / "_nspr_ffi.py").read_text()
    return set(re.findall(r"\blib\.(PR_[A-Za-z0-9]+)\b", backend)) | set(
        re.findall(r"\bcdll\.(PR_[A-Za-z0-9]+)\b", loader)
    )


def test_the_table_is_exactly_what_the_binding_calls() -> None:
    called = _called_functions()
    assert "PR_Recv" in called and "PR_GetVersion" in called  # the scan works
    assert {p.name for p in ffi.PROTOTYPES} == called


def test_the_backend_reaches_nspr_only_through_library_attributes() -> None:
    backend = _backend_sources()
    assert "functions[" not in backend
    assert not re.search(r"""\(\s*["']PR_[A-Za-z]+["']""", backend)


class _LibraryLacking:
    """A loaded libnspr4 that hides some of its symbols, as an NSPR build
    without them would."""

    def __init__(self, cdll: ctypes.CDLL, absent: Set[str]) -> None:
        self._cdll = cdll
        self._absent = absent

    def __getattr__(self, name: str) -> Any:
        if name in self._absent:
            raise AttributeError(name)
        return getattr(self._cdll, name)

    def __getitem__(self, name: str) -> Any:
        if name in self._absent:
            raise AttributeError(name)
        return self._cdll[name]


UNCALLED = {"PR_GetOSError", "PR_Sleep", "PR_GetDescType", "PR_Cleanup"}


def test_a_library_lacking_uncalled_functions_loads_and_works(
    lib: ffi.NSPRLibrary,
) -> None:
    assert not UNCALLED & {p.name for p in ffi.PROTOTYPES}
    cdll = _LibraryLacking(ctypes.CDLL(lib.path), UNCALLED)
    lacking = ffi.NSPRLibrary(cdll, lib.path)  # type: ignore[arg-type]
    backend = nspr_backend.NSPRBackend(lacking)
    handle = backend.open_socket(PR_AF_INET, PR_DESC_SOCKET_TCP)
    try:
        backend.bind(handle, SockAddr(PR_AF_INET, bytes((127, 0, 0, 1)), 0))
        assert backend.get_sock_name(handle).port > 0
    finally:
        backend.close(handle)


def test_a_library_lacking_a_called_function_is_refused(
    lib: ffi.NSPRLibrary,
) -> None:
    cdll = _LibraryLacking(ctypes.CDLL(lib.path), {"PR_Bind"})
    with pytest.raises(LibraryIncompatible, match="PR_Bind"):
        ffi.NSPRLibrary(cdll, lib.path)  # type: ignore[arg-type]
