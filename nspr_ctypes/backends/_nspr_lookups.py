"""The host and protocol lookups of the NSPR backend: ``PR_GetAddrInfoByName``,
``PR_GetHostByName``/``ByAddr``, ``PR_GetProtoByName``/``ByNumber``, and the
reader of the buffers NSPR fills for them. Results are copied into Python
values at once and NSPR's memory freed.
"""

from __future__ import annotations

import ctypes
import struct
from ctypes import addressof, byref, c_char, create_string_buffer
from typing import Any, Callable, List, Optional, Tuple

from nspr_ctypes.backends import _nspr_ffi as ffi
from nspr_ctypes.backends._base import HostEnt, SockAddr
from nspr_ctypes.backends._nspr_addr import netaddr_to_sockaddr, sockaddr_to_netaddr
from nspr_ctypes.constants import PR_AI_NOCANONNAME
from nspr_ctypes.error import PR_DIRECTORY_LOOKUP_ERROR, NSPRError, nspr_error

_POINTER = struct.Struct("@P")


class _BadPointer(Exception):
    pass


class _BufferReader:
    """Reads strings and pointer lists out of a lookup buffer, refusing any
    pointer that does not point into it (NSPR may hand back garbage)."""

    __slots__ = ("base", "raw", "size")

    def __init__(self, buf: ctypes.Array[c_char]) -> None:
        self.raw = buf.raw
        self.base = addressof(buf)
        self.size = len(self.raw)

    def _offset(self, pointer: Optional[int], length: int) -> int:
        if not pointer:
            raise _BadPointer()
        offset = pointer - self.base
        if offset < 0 or offset + length > self.size:
            raise _BadPointer()
        return offset

    def cstring(self, pointer: Optional[int]) -> bytes:
        offset = self._offset(pointer, 1)
        end = self.raw.find(b"\0", offset)
        if end < 0:
            raise _BadPointer()
        return self.raw[offset:end]

    def cstrings(self, pointer: Optional[int]) -> Tuple[bytes, ...]:
        """The strings of a NULL-terminated array of pointers (NULL: none)."""
        if not pointer:
            return ()
        return tuple(self.cstring(p) for p in self.pointers(pointer))

    def data(self, pointer: Optional[int], length: int) -> bytes:
        offset = self._offset(pointer, length)
        return self.raw[offset : offset + length]

    def pointers(self, pointer: Optional[int]) -> List[int]:
        """A NULL-terminated array of pointers."""
        result: List[int] = []
        offset = self._offset(pointer, _POINTER.size)
        while True:
            if offset + _POINTER.size > self.size:
                raise _BadPointer()
            value: int = _POINTER.unpack_from(self.raw, offset)[0]
            if value == 0:
                return result
            result.append(value)
            offset += _POINTER.size


class _NSPRLookups:
    """The lookups of :class:`~nspr_ctypes.backends.nspr.NSPRBackend`, which
    gives them its library and its error reader."""

    lib: ffi.NSPRLibrary
    _error: Callable[[], NSPRError]

    def get_addr_info(
        self, host: bytes, family: int, flags: int
    ) -> Tuple[Optional[bytes], List[SockAddr]]:
        """``PR_GetAddrInfoByName``; results copied, then freed."""
        if b"\0" in host:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        lib = self.lib
        info: Optional[int] = lib.PR_GetAddrInfoByName(host, family, flags)
        if not info:
            raise self._error()
        try:
            canonical: Optional[bytes] = None
            if not flags & PR_AI_NOCANONNAME:
                canonical = lib.PR_GetCanonNameFromAddrInfo(info)
            enumerate_ = lib.PR_EnumerateAddrInfo
            addresses: List[SockAddr] = []
            net = ffi.PRNetAddr()
            cursor: Optional[int] = None
            while True:
                cursor = enumerate_(cursor, info, 0, byref(net))
                if not cursor:
                    break
                addresses.append(netaddr_to_sockaddr(net))
        finally:
            lib.PR_FreeAddrInfo(info)
        return canonical, addresses

    def _lookup(
        self, function: Callable[..., int], key: Any, entry: Any
    ) -> _BufferReader:
        """``function(key, buf, size, &entry)``, a ``PR_Get*By*`` lookup, into a
        new buffer: a reader of the buffer the entry's pointers point into."""
        buf = create_string_buffer(ffi.PR_NETDB_BUF_SIZE)
        if function(key, buf, ffi.PR_NETDB_BUF_SIZE, byref(entry)) != 0:
            raise self._error()
        return _BufferReader(buf)

    def _host_entry(self, function: Callable[..., int], first: Any) -> HostEnt:
        entry = ffi.PRHostEnt()
        reader = self._lookup(function, first, entry)
        try:
            name = reader.cstring(entry.h_name) if entry.h_name else b""
            aliases = reader.cstrings(entry.h_aliases)
            length = int(entry.h_length)
            if length not in (4, 16):
                raise _BadPointer()
            addresses = (
                tuple(
                    reader.data(p, length) for p in reader.pointers(entry.h_addr_list)
                )
                if entry.h_addr_list
                else ()
            )
        except _BadPointer:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR) from None
        return HostEnt(name, aliases, int(entry.h_addrtype), addresses)

    def get_host_by_name(self, name: bytes) -> HostEnt:
        """``PR_GetHostByName`` (IPv4)."""
        if b"\0" in name:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        return self._host_entry(self.lib.PR_GetHostByName, name)

    def get_host_by_addr(self, addr: SockAddr) -> HostEnt:
        """``PR_GetHostByAddr``."""
        return self._host_entry(
            self.lib.PR_GetHostByAddr, byref(sockaddr_to_netaddr(addr))
        )

    def _proto_entry(
        self, function: Callable[..., int], key: Any
    ) -> Tuple[bytes, Tuple[bytes, ...], int]:
        entry = ffi.PRProtoEnt()
        # NSPR reports success for unknown names and numbers and leaves the
        # last line of /etc/protocols (or nothing) in the entry: every pointer
        # is checked against the buffer, and the caller checks the match.
        reader = self._lookup(function, key, entry)
        try:
            name = reader.cstring(entry.p_name)
            aliases = reader.cstrings(entry.p_aliases)
        except _BadPointer:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR) from None
        return name, aliases, int(entry.p_num)

    def get_proto_by_name(self, name: bytes) -> int:
        """The protocol number of ``name`` (the name or one of its aliases)."""
        if b"\0" in name:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        p_name, aliases, number = self._proto_entry(self.lib.PR_GetProtoByName, name)
        if name != p_name and name not in aliases:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        return number

    def get_proto_by_number(self, number: int) -> Tuple[bytes, Tuple[bytes, ...]]:
        """``(name, aliases)`` of protocol ``number``."""
        p_name, aliases, p_num = self._proto_entry(self.lib.PR_GetProtoByNumber, number)
        if p_num != number:
            raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
        return p_name, aliases
