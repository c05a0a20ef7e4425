"""poll(2) for the stdlib backend: ``PR_POLL_*`` flags to poll(2) events and
back (NSPR's ``_pr_poll_with_poll``, as tables), the tick (poll(2)'s
millisecond) and the :class:`~nspr_ctypes.backends.PollSet` of
``Backend.poll_set``.
"""

from __future__ import annotations

import select
import time
from typing import Dict, List, Optional, Protocol, Sequence, Tuple

from nspr_ctypes import constants as C
from nspr_ctypes._args import INT_MAX
from nspr_ctypes.backends._base import PollSet
from nspr_ctypes.backends._stdlib_errors import _os_error

# NSPR's PR_TicksPerSecond() on Linux (pthreads build, _PR_UNIX_TicksPerSecond:
# CLOCK_MONOTONIC in milliseconds) is 1000; checked against libnspr4 by the
# tests. StdlibBackend.interval_now counts in the same unit, and the waits hand
# ticks to poll(2) as they are.
_TICKS_PER_SECOND = 1000

_POLLIN = select.POLLIN
_POLLOUT = select.POLLOUT
_POLLPRI = select.POLLPRI
_POLLERR = select.POLLERR
_POLLHUP = select.POLLHUP
_POLLNVAL = select.POLLNVAL

# PR_POLL_READ/WRITE/EXCEPT (the low three bits) -> poll(2) events.
_EVENTS: Tuple[int, ...] = tuple(
    (_POLLIN if bits & C.PR_POLL_READ else 0)
    | (_POLLOUT if bits & C.PR_POLL_WRITE else 0)
    | (_POLLPRI if bits & C.PR_POLL_EXCEPT else 0)
    for bits in range(8)
)


def _out_flags(in_flags: int, revents: int) -> int:
    """PR_Poll's out_flags for one entry (NSPR's _pr_poll_with_poll)."""
    if revents & _POLLNVAL:
        return C.PR_POLL_NVAL
    out = 0
    if revents & _POLLIN and in_flags & C.PR_POLL_READ:
        out |= C.PR_POLL_READ
    if revents & _POLLOUT and in_flags & C.PR_POLL_WRITE:
        out |= C.PR_POLL_WRITE
    if revents & _POLLPRI and in_flags & C.PR_POLL_EXCEPT:
        out |= C.PR_POLL_EXCEPT
    if revents & _POLLERR:
        out |= C.PR_POLL_ERR
    if revents & _POLLHUP:
        out |= C.PR_POLL_HUP
    return out


# _out_flags as a table: _OUT_FLAGS[(in_flags & 7) * _REVENTS_SPAN +
# (revents & _REVENTS_MASK)], for the poll loop to look up in C.
_REVENTS_MASK = _POLLIN | _POLLPRI | _POLLOUT | _POLLERR | _POLLHUP | _POLLNVAL
_REVENTS_SPAN = _REVENTS_MASK + 1
_OUT_FLAGS: Tuple[int, ...] = tuple(
    _out_flags(index // _REVENTS_SPAN, index % _REVENTS_SPAN & _REVENTS_MASK)
    for index in range(8 * _REVENTS_SPAN)
)

_MAX_POLL_MS = INT_MAX


class _Pollable(Protocol):
    """What a poll set reads of a handle (the backend's ``_Handle``)."""

    def fileno(self) -> int: ...


#: Of one entry: its position in the set and its row of ``_OUT_FLAGS``.
_Entry = Tuple[int, int]


class _PollSet(PollSet):
    """A ``select.poll`` registered for fixed entries (one registration per
    fd, with the events of all its entries) and the plan of their out flags;
    entries with no handle or no flags are left out (they report 0)."""

    __slots__ = ("count", "entries_of", "entry_of", "poller")

    def __init__(self, entries: Sequence[Tuple[Optional[_Pollable], int]]) -> None:
        events: Dict[int, int] = {}
        entries_of: Dict[int, List[_Entry]] = {}
        for index, (handle, flags) in enumerate(entries):
            if handle is not None and flags:
                fd = handle.fileno()
                events[fd] = events.get(fd, 0) | _EVENTS[flags & 7]
                entries_of.setdefault(fd, []).append(
                    (index, (flags & 7) * _REVENTS_SPAN)
                )
        # A handle another thread's close() released while io made the set
        # reads -1 (poll(2) refuses it): io sees that close before the set's
        # first poll, and never polls it.
        events.pop(-1, None)
        entries_of.pop(-1, None)
        poller = select.poll()
        for fd, mask in events.items():
            poller.register(fd, mask)
        self.count = len(entries)
        self.entries_of = entries_of
        # Each fd once, as sets usually are: a ready fd's entry is then one
        # lookup, without an inner loop (25 ns less a ready fd).
        self.entry_of: Optional[Dict[int, _Entry]] = None
        if all(len(on_fd) == 1 for on_fd in entries_of.values()):
            self.entry_of = {fd: on_fd[0] for fd, on_fd in entries_of.items()}
        self.poller = poller

    def poll(self, timeout: int) -> Optional[Tuple[int, ...]]:
        """One poll(2), flags translated as NSPR does."""
        count = self.count
        if not count:
            # PR_Poll with no descriptors is PR_Sleep(timeout).
            time.sleep(timeout / _TICKS_PER_SECOND)
            return None
        ms = timeout if timeout < _MAX_POLL_MS else _MAX_POLL_MS  # ticks are ms
        try:
            ready = self.poller.poll(ms)
        except OSError as exc:
            raise _os_error("poll", exc) from None
        if not ready:
            return None
        # One pollfd per entry in NSPR: an entry sees only the events it asked
        # for, plus ERR/HUP/NVAL.
        out = [0] * count
        entry_of = self.entry_of
        if entry_of is not None:
            for fd, revents in ready:
                index, row = entry_of[fd]
                out[index] = _OUT_FLAGS[row + (revents & _REVENTS_MASK)]
        else:
            entries_of = self.entries_of
            for fd, revents in ready:
                for index, row in entries_of[fd]:
                    out[index] = _OUT_FLAGS[row + (revents & _REVENTS_MASK)]
        if out.count(0) == count:
            return None
        return tuple(out)
