"""The memory the NSPR backend hands C, and what it reads back.

On CPython a receive writes into a fresh ``bytes`` object and a resumed send
points C into the caller's ``bytes`` at the offset; elsewhere (PyPy, whose
ctypes copies a ``bytes`` argument byte by byte) a receive uses a new ctypes
array and one copy, and a send hands C a copied window.
"""

from __future__ import annotations

import ctypes
import sys
from ctypes import c_char, c_char_p, c_void_p

from nspr_ctypes.backends._base import _PASSING_COPIES, SendData

#: CPython's ctypes hands C the storage of a bytes object itself (no copy; the
#: object cannot move). PyPy's copies a bytes argument byte by byte (about
#: 35 ms per MiB), so there the bytes to send are first copied into a C array
#: with one memcpy, a window at a time (_base._send_in_windows).
_BYTES_SHARED_WITH_C = not _PASSING_COPIES
#: On CPython a receive writes into a fresh bytes object and returns it: the
#: object is new, unshared and unhashed until the call returns it (never
#: ``b''``, the one shared empty object: sizes are at least 1). Up to this size
#: ``bytes(n)`` (a zeroed allocation) is the cheapest fresh object; above it
#: ``PyBytes_FromStringAndSize(NULL, n)`` skips the zero fill.
_FRESH_BYTES = sys.implementation.name == "cpython" and hasattr(ctypes, "pythonapi")
_ZERO_FILL_MAX = 16384
#: A receive above _ZERO_FILL_MAX that comes back short returns a copy of
#: what came, and its buffer is kept (one per backend, up to this size) for
#: the next receive of the same size: no new allocation, which through
#: ``ctypes.pythonapi`` costs more than the rest of the receive. A kept
#: buffer is owned by one receive at a time (taken with ``list.pop``), only
#: ever copied from, never returned or hashed, until a receive fills it
#: whole and returns it as its result.
_SPARE_MAX = 262144


def _copy_for_c(data: SendData) -> ctypes.Array[c_char]:
    """A C array holding a copy of ``data`` (not empty), made with one
    memcpy; for PyPy, whose ctypes copies a bytes argument byte by byte.

    Not ``from_buffer_copy``: with it, PyPy 7.3.11 corrupted memory in the
    concurrent UDP test (a set's table overwritten by received datagrams).
    The array keeps the bytearray alive.
    """
    copy = bytearray(data)
    return (c_char * len(copy)).from_buffer(copy)


def _received(buf: ctypes.Array[c_char], count: int) -> bytes:
    """The first ``count`` bytes of ``buf`` as a bytes object."""
    if _BYTES_SHARED_WITH_C:
        # Slicing the c_char array copies just ``count`` bytes.
        data: bytes = buf[:count]  # type: ignore[assignment]
        return data
    # PyPy slices a c_char array byte by byte (about 0.3 s per MiB); ``raw``
    # is one memcpy, of the whole array, so a small part goes through a view.
    if count * 8 >= len(buf):
        return buf.raw[:count]
    return (c_char * count).from_buffer(buf).raw


if _FRESH_BYTES:
    _bytes_of_size = ctypes.pythonapi.PyBytes_FromStringAndSize
    # A new reference: ctypes takes it over (py_object results are owned).
    _bytes_of_size.restype = ctypes.py_object
    _bytes_of_size.argtypes = (c_void_p, ctypes.c_ssize_t)


def _fresh_buffer(size: int) -> bytes:
    """A new bytes object of ``size`` (>= 1) bytes that C may write into
    before anyone else sees it (CPython only)."""
    if size <= _ZERO_FILL_MAX:
        return bytes(size)
    data: bytes = _bytes_of_size(None, size)
    return data


def _bytes_address(data: bytes, offset: int) -> c_void_p:
    """A pointer ``offset`` bytes into the storage of ``data`` (CPython: the
    object's own storage; the caller keeps ``data`` alive during the call)."""
    base: int = ctypes.cast(c_char_p(data), c_void_p).value or 0
    return c_void_p(base + offset)
