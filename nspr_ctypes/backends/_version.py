"""NSPR version strings: parsing and checking, with no library loaded."""

from __future__ import annotations

import re
from typing import Optional, Tuple

__all__ = ["check_min_version", "parse_version", "version_less"]

_VERSION_RE = re.compile(r"\s*(\d+(?:\.\d+)*)")


def parse_version(text: str) -> Tuple[int, ...]:
    """``"4.35"`` -> ``(4, 35)``; trailing words (``" Beta"``) are ignored.

    Raises ValueError when ``text`` does not start with a number.
    """
    match = _VERSION_RE.match(text)
    if match is None:
        raise ValueError("not a version: %r" % (text,))
    return tuple(int(part) for part in match.group(1).split("."))


def version_less(a: Tuple[int, ...], b: Tuple[int, ...]) -> bool:
    """``a < b``, where missing components count as 0 (4.29 == 4.29.0)."""
    width = max(len(a), len(b), 3)
    return a + (0,) * (width - len(a)) < b + (0,) * (width - len(b))


def check_min_version(min_version: Optional[str]) -> None:
    """Reject a ``min_version`` that is not a version string, before loading."""
    if min_version is None:
        return
    if not isinstance(min_version, str):
        raise TypeError(
            "min_version must be a version string such as '4.29', not %s"
            % type(min_version).__name__
        )
    try:
        parse_version(min_version)
    except ValueError:
        raise ValueError(
            "min_version must be a version string such as '4.29', not %r"
            % (min_version,)
        ) from None
