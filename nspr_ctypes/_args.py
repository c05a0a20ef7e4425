"""Argument conversions with python-nss's rules (its ``PyArg_Parse`` codes).

Each function checks one argument in Python, before any backend sees it, and
raises the exception class python-nss raises for the same value.
"""

from __future__ import annotations

import operator
from typing import Any, Final

INT_MIN: Final = -(2**31)
INT_MAX: Final = 2**31 - 1
LONG_MIN: Final = -(2**63)
LONG_MAX: Final = 2**63 - 1
UINT32_MOD: Final = 2**32
SHORT_MIN: Final = -(2**15)
SHORT_MAX: Final = 2**15 - 1


def c_int(value: Any) -> int:
    """Code ``i``: any int in the C ``int`` range, else OverflowError/TypeError."""
    number = operator.index(value)
    if number > INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if number < INT_MIN:
        raise OverflowError("signed integer is less than minimum")
    return number


def c_uint_mask(value: Any) -> int:
    """Code ``I``: any int, reduced mod 2**32 (so -1 is 0xFFFFFFFF)."""
    if type(value) is int and 0 <= value < UINT32_MOD:
        return value  # the usual timeout: nothing to convert (a hot path)
    return operator.index(value) % UINT32_MOD


def c_uint_as_int(value: Any) -> int:
    """Code ``I`` read back as a C ``int`` (-1 stays -1, 2**40 becomes 0)."""
    number = c_uint_mask(value)
    return number - UINT32_MOD if number > INT_MAX else number


def c_long(value: Any) -> int:
    """Code ``l``: any int in the C ``long`` range."""
    if type(value) is int and LONG_MIN <= value <= LONG_MAX:
        return value  # the usual size: nothing to convert (a hot path)
    number = operator.index(value)
    if not LONG_MIN <= number <= LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return number


def wrap_c_int(value: int) -> int:
    """What a C cast to ``int`` makes of ``value`` (``2**40`` -> 0)."""
    return (value - INT_MIN) % UINT32_MOD + INT_MIN


def need_str(value: Any, function: str) -> str:
    """Code ``s``: a str without NUL characters."""
    if not isinstance(value, str):
        raise TypeError(
            "%s() argument 1 must be str, not %s" % (function, type(value).__name__)
        )
    if "\0" in value:
        raise ValueError("embedded null character")
    return value


def idna_name(value: Any, function: str) -> bytes:
    """Code ``et`` with the idna codec: str is idna-encoded, bytes and
    bytearray pass through raw; NUL bytes are refused."""
    if isinstance(value, str):
        if "\0" in value:
            raise TypeError(
                "%s() argument 1 must be encoded string without null bytes, not str"
                % function
            )
        return value.encode("idna")
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        if b"\0" in raw:
            raise TypeError(
                "%s() argument 1 must be encoded string without null bytes, not %s"
                % (function, type(value).__name__)
            )
        return raw
    raise TypeError(
        "%s() argument 1 must be str, bytes or bytearray, not %s"
        % (function, type(value).__name__)
    )


def need_bytes(value: Any, function: str) -> bytes:
    """Code ``y#``: a read-only bytes object."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        raise TypeError("a bytes-like object is required, not 'str'")
    raise TypeError(
        "%s() argument 1 must be read-only bytes-like object, not %s"
        % (function, type(value).__name__)
    )


operator_index = operator.index
