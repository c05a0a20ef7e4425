"""The blocking engine: how a call uses a socket's handle, and how it waits.

Every blocking behaviour of NSPR is built here once, for every backend. A
backend primitive waits by itself, bounded (see ``backends/_base.py``): a
blocking call makes its first try with the whole time it may wait, up to one
slice of :data:`SLICE_SECONDS`, and most calls end there, in one backend call.
Only when a slice runs out does Python get control back: it notices a
``close()`` made by another thread, runs signal handlers (Ctrl-C works), and
computes the next slice from the caller's timeout, so the timeout is exact.

The guard that keeps a handle alive while a call uses it is lock-free; see
:class:`Channel`.
"""

from __future__ import annotations

import math
import os
import threading
import time
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    List,
    Optional,
    Protocol,
    Tuple,
    TypeVar,
    Union,
)

from nspr_ctypes.backends._base import Backend, Handle
from nspr_ctypes.constants import PR_INTERVAL_NO_TIMEOUT
from nspr_ctypes.error import (
    PR_IO_TIMEOUT_ERROR,
    PR_WOULD_BLOCK_ERROR,
    NSPRError,
    nspr_error,
)

CLOSED_MESSAGE = "I/O operation on closed socket"
CLOSED_FILE_MESSAGE = "I/O operation on closed file."  # as the io module says
#: How long one wait may block before Python gets control back (signals, close()).
SLICE_SECONDS = 0.1

_T = TypeVar("_T")

# -- fork -----------------------------------------------------------------------

#: Bumped in a forked child: a channel made in an older generation belongs to
#: the parent, and a child dropping it must not close the parent's descriptor.
#: (A counter read per drop, not ``os.getpid()``: a syscall per socket.)
_fork_generation = [0]


def _after_fork_in_child() -> None:
    _fork_generation[0] += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

# Channels of sockets a forked child inherited and dropped, kept for the
# child's lifetime: a backend's handle object (a stdlib socket) may close its
# descriptor when it is freed.
_INHERITED_CHANNELS: List[Channel] = []

# Taken only to release a handle, so that exactly one party closes it.
_RELEASE_LOCK = threading.Lock()
_lock_releases = _RELEASE_LOCK.acquire
_unlock_releases = _RELEASE_LOCK.release

#: The number of open makefile() files of each channel that has any, changed
#: under _RELEASE_LOCK. Few sockets have files: a count in every channel
#: would cost every socket 8 bytes.
_file_counts: Dict[Channel, int] = {}

#: Bumped by every close (and drop) of a socket: a poll's cached socket set
#: is known open while this has not moved.
close_epoch = [0]
#: The channel sets of the polls waiting right now. A poll pins its whole set
#: with one append instead of entering every channel; ``close()`` of a pinned
#: channel leaves the release to the poll, which releases after its slice.
poll_pins: List[FrozenSet[Channel]] = []

# Ticks per second and ticks per slice of each backend, looked up once per
# socket (keyed by the backend object: its hash is its identity).
_TIMING: Dict[Backend, Tuple[int, int]] = {}


def timing_of(backend: Backend) -> Tuple[int, int]:
    """``(ticks_per_second, slice_ticks)`` of ``backend``."""
    found = _TIMING.get(backend)
    if found is None:
        tps = backend.ticks_per_second()
        found = (tps, max(1, int(SLICE_SECONDS * tps)))
        if len(_TIMING) >= 64:  # backends made and dropped in a loop
            _TIMING.clear()
        _TIMING[backend] = found
    return found


class Channel(List[None]):
    """The OS resource behind one Socket, shared with its makefile() files.

    ``closed`` says the Socket was closed: its own methods refuse to work.
    Its open makefile() files (counted in ``_file_counts``) work on after that.
    The channel itself, a list, holds one entry per call using the handle
    (a separate list would cost every socket 56 more bytes). The handle is
    released once the Socket and every file are closed and no call uses it,
    by whoever comes last, so no call ever touches a freed descriptor.

    The guard is lock-free (Dekker's protocol over two variables): a call
    appends to the channel and then reads ``closed``; ``close()`` sets
    ``closed`` and then reads the channel's length. In every interleaving one
    of them sees the other: either the call refuses, or the closer leaves the
    release to the last call out. ``list.append``/``pop`` are atomic and each
    bytecode sees the writes before it, which the GIL gives (CPython 3.8 to
    3.13, PyPy); the release itself is under a lock, so exactly one party
    closes the handle.

    A poll guards its whole socket set at once instead (``poll_pins``,
    ``close_epoch``): the same protocol with the set as the unit.

    Hot paths write the guard inline (``channel.append(None)`` before
    ``try``; ``channel.pop()`` and, if closed, :meth:`release_if_idle` in
    ``finally``); cold ones use ``with channel as handle``.

    Channels compare and hash by identity, as objects do (poll pins are sets
    of channels): two idle channels are not one.
    """

    __slots__ = (
        "backend",
        "closed",
        "first_wait",
        "generation",
        "handle",
    )

    __hash__ = object.__hash__  # type: ignore[assignment]
    __eq__ = object.__eq__
    __ne__ = object.__ne__

    def __init__(self, backend: Backend, handle: Handle) -> None:
        # list.__init__ is not called: the list starts empty.
        self.backend = backend
        self.handle: Optional[Handle] = handle
        self.closed = False
        self.generation = _fork_generation[0]
        timing = _TIMING.get(backend)
        if timing is None:
            timing = timing_of(backend)
        #: Ticks the first try of a call may wait: one slice of the backend's
        #: clock; 0 once the descriptor is non-blocking (its calls never wait).
        #: The mode belongs here, with the descriptor its files share.
        self.first_wait = timing[1]

    def set_nonblocking(self, nonblocking: bool) -> None:
        """Record the descriptor's mode (the backend has switched it)."""
        self.first_wait = 0 if nonblocking else timing_of(self.backend)[1]

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        files = _file_counts.get(self, 0)
        return "<Channel %s, %d in use, %d files>" % (state, len(self), files)

    def __enter__(self) -> Handle:
        self.append(None)
        if self.closed:
            self.leave()
            raise ValueError(CLOSED_MESSAGE)
        return self.handle

    def __exit__(self, *exc_info: Any) -> None:
        self.pop()
        if self.closed:
            self.release_if_idle()

    def leave(self) -> None:
        """End a call entered by hand (``channel.append``)."""
        self.pop()
        if self.closed:
            self.release_if_idle()

    def enter_file(self) -> Handle:
        """Enter for a makefile() file, which outlives ``close()``: only a
        released handle refuses. Leave with :meth:`leave`."""
        self.append(None)
        handle = self.handle
        if handle is None:
            self.leave()
            raise ValueError(CLOSED_MESSAGE)
        return handle

    def add_file(self) -> None:
        """Count a new makefile() file of the open socket."""
        with _RELEASE_LOCK:
            if self.closed:
                raise ValueError(CLOSED_MESSAGE)
            _file_counts[self] = _file_counts.get(self, 0) + 1

    def release_file(self) -> None:
        """Uncount a closed makefile() file; the last reference releases."""
        with _RELEASE_LOCK:
            left = _file_counts.pop(self) - 1
            if left:
                _file_counts[self] = left
        self.release_if_idle()

    def _take_if_idle(self) -> Optional[Handle]:
        if self or not self.closed or (_file_counts and self in _file_counts):
            return None
        if poll_pins and self._pinned():
            return None
        # acquire/release rather than ``with``: 57 against 93 ns (3.11), on
        # every close.
        _lock_releases()
        try:
            handle = self.handle
            if handle is None or self or self in _file_counts:
                return None
            self.handle = None
        finally:
            _unlock_releases()
        return handle

    def _pinned(self) -> bool:
        """A poll waiting now holds this channel (see ``poll_pins``)."""
        for pin in tuple(poll_pins):
            if self in pin:
                return True
        return False

    def release_if_idle(self) -> None:
        """Release the handle of a closed channel nobody uses any more
        (errors of the close go nowhere: this runs after the last call)."""
        handle = self._take_if_idle()
        if handle is not None:
            try:
                self.backend.close(handle)
            except NSPRError:
                pass

    def close(self) -> None:
        """Close: release now if nobody uses the handle, else the last user
        does. The close error, if any, is raised here."""
        if self.closed:
            return
        self.closed = True
        close_epoch[0] += 1  # after ``closed``: a poll that missed it sees this
        handle = self._take_if_idle()  # else the last user releases
        if handle is not None:
            self.backend.close(handle)

    def drop(self) -> bool:
        """The Socket was garbage-collected without ``close()``: close the
        channel; True if this released an open handle (worth a warning)."""
        if self.closed:
            return False
        if self.generation != _fork_generation[0]:
            # A forked child must not close its parent's descriptors.
            _INHERITED_CHANNELS.append(self)
            return False
        self.closed = True
        close_epoch[0] += 1
        handle = self._take_if_idle()
        if handle is None:
            return False
        try:
            self.backend.close(handle)
        except NSPRError:
            pass
        return True


class _File(Protocol):
    """What the wait loops read of a makefile() file."""

    @property
    def closed(self) -> bool: ...


def check_open(channel: Channel, file: Optional[_File]) -> None:
    """Between two slices of a wait: a call made through the socket ends once
    the socket is closed; one made through a makefile() file (``file`` not
    None), once that file is (closing the socket leaves its files working, as
    in the stdlib)."""
    if file is None:
        if channel.closed:
            raise ValueError(CLOSED_MESSAGE)
    elif file.closed:
        raise ValueError(CLOSED_FILE_MESSAGE)


def first_slice(channel: Channel, timeout: int) -> int:
    """Ticks the first try of a call may wait: all of ``timeout`` up to one
    slice; 0 in non-blocking mode."""
    wait = channel.first_wait
    return wait if timeout > wait else timeout


class Deadline:
    """The rest of a call's timeout, handed out in slices.

    Made when a call has to go on waiting; ``elapsed`` ticks (what the first
    try waited) already count.
    """

    __slots__ = ("end", "slice", "tps")

    def __init__(
        self,
        channel_or_backend: Union[Channel, Backend],
        timeout: int,
        elapsed: int = 0,
        started: Optional[float] = None,
    ) -> None:
        if isinstance(channel_or_backend, Channel):
            channel_or_backend = channel_or_backend.backend
        self.tps, self.slice = timing_of(channel_or_backend)
        self.end: Optional[float] = None
        if timeout != PR_INTERVAL_NO_TIMEOUT:
            if started is None:
                started = time.monotonic()
            self.end = started + (timeout - elapsed) / self.tps

    def next_slice(self) -> int:
        """Ticks to wait now; raises PR_IO_TIMEOUT_ERROR once time is up."""
        end = self.end
        if end is None:
            return self.slice
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise nspr_error(PR_IO_TIMEOUT_ERROR)
        return max(1, min(self.slice, math.ceil(remaining * self.tps)))

    def seconds(self, ticks: int) -> float:
        return ticks / self.tps


def keep_trying(
    channel: Channel,
    attempt: Callable[..., Optional[_T]],
    args: Tuple[Any, ...],
    timeout: int,
    first: int,
    file: Optional[_File] = None,
) -> _T:
    """The rest of a blocking call whose first try, ``attempt(*args, first)``,
    came back empty: the one wait loop of the library.

    Non-blocking mode fails with PR_WOULD_BLOCK_ERROR; a timeout the first try
    used up fails with PR_IO_TIMEOUT_ERROR; otherwise try again in slices
    until a result, the deadline, a ``close()`` or a signal.
    """
    if not channel.first_wait:
        raise nspr_error(PR_WOULD_BLOCK_ERROR)
    if timeout == first:  # PR_INTERVAL_NO_WAIT, or a timeout within one slice
        raise nspr_error(PR_IO_TIMEOUT_ERROR)
    return _slices(Deadline(channel, timeout, first), channel, attempt, args, file)


def call_blocking(
    channel: Channel,
    attempt: Callable[..., Optional[_T]],
    args: Tuple[Any, ...],
    timeout: int,
    deadline: Optional[Deadline] = None,
) -> _T:
    """``attempt(*args, ticks)`` as a blocking call: within ``deadline`` when
    the call has one (several steps share it), else a first try of up to one
    slice and, if it came back empty, :func:`keep_trying`. (``Socket.recv``
    writes this inline: it is the hottest call.)"""
    if deadline is not None:
        return try_until(deadline, channel, attempt, args)
    first = first_slice(channel, timeout)
    result = attempt(*args, first)
    if result is None:
        result = keep_trying(channel, attempt, args, timeout, first)
    return result


def try_until(
    deadline: Deadline,
    channel: Channel,
    attempt: Callable[..., Optional[_T]],
    args: Tuple[Any, ...],
    file: Optional[_File] = None,
) -> _T:
    """``attempt(*args, ticks)`` within a deadline the call already has (its
    timeout covers several steps): a first try even when no time is left."""
    end = deadline.end
    nonblocking = not channel.first_wait
    if nonblocking or (end is not None and end <= time.monotonic()):
        result = attempt(*args, 0)
        if result is not None:
            return result
        if nonblocking:
            raise nspr_error(PR_WOULD_BLOCK_ERROR)
        raise nspr_error(PR_IO_TIMEOUT_ERROR)
    result = attempt(*args, deadline.next_slice())
    if result is not None:
        return result
    return _slices(deadline, channel, attempt, args, file)


def _slices(
    deadline: Deadline,
    channel: Channel,
    attempt: Callable[..., Optional[_T]],
    args: Tuple[Any, ...],
    file: Optional[_File],
) -> _T:
    while True:
        ticks = deadline.next_slice()
        check_open(channel, file)
        result = attempt(*args, ticks)
        if result is not None:
            return result


def with_bytes_sent(error: NSPRError, sent: int) -> NSPRError:
    error.bytes_sent = sent
    return error


def send_all(
    channel: Channel,
    data: bytes,
    timeout: int,
    partial: bool,
    file: Optional[_File] = None,
) -> int:
    """Send ``data``: every byte, or in non-blocking mode what fits when
    ``partial`` allows it. A failure carries ``bytes_sent``.

    The first try does not wait: there is room for most sends, which then
    end here, reading no clock. :func:`send_rest` sends the rest.
    (``Socket.send`` writes this inline.)
    """
    try:
        count = channel.backend.send_at(channel.handle, data, 0, 0)
        if count is None and not channel.first_wait:
            raise nspr_error(PR_WOULD_BLOCK_ERROR)
    except NSPRError as error:
        raise with_bytes_sent(error, 0) from None
    if count is not None and (
        count >= len(data) or (partial and not channel.first_wait)
    ):
        return count
    return send_rest(channel, data, timeout, count or 0, file)


def send_rest(
    channel: Channel,
    data: bytes,
    timeout: int,
    sent: int,
    file: Optional[_File] = None,
) -> int:
    """The rest of :func:`send_all` after its first try sent ``sent`` bytes
    but not all: more tries that do not wait (in non-blocking mode, where
    only sendall() comes here), or that wait in slices within ``timeout``.

    One buffer and a growing offset: a retry costs what it sends.
    """
    backend = channel.backend
    handle = channel.handle
    send_at = backend.send_at
    total = len(data)
    deadline: Optional[Deadline] = None
    first = channel.first_wait  # first_slice(), inline: a frame less a send
    nonblocking = not first
    if timeout < first:
        first = timeout
    started: Optional[float] = None
    if first and timeout != PR_INTERVAL_NO_TIMEOUT:
        # A send may wait part of a slice and return short: the clock starts
        # now (the deadline itself is made only if one more try is needed).
        started = time.monotonic()
    try:
        count = send_at(handle, data, sent, first)
        while True:
            if count is not None:
                sent += count
                if sent >= total:
                    return sent
            elif nonblocking:
                raise nspr_error(PR_WOULD_BLOCK_ERROR)
            elif timeout == first:
                raise nspr_error(PR_IO_TIMEOUT_ERROR)
            if deadline is None:
                deadline = Deadline(channel, timeout, started=started)
            ticks = 0 if nonblocking else deadline.next_slice()
            check_open(channel, file)
            count = send_at(handle, data, sent, ticks)
    except NSPRError as error:
        raise with_bytes_sent(error, sent) from None


def acquire_waiting(
    lock: Any, channel: Channel, timeout: int, file: Optional[_File] = None
) -> Optional[Deadline]:
    """Take ``lock`` (another thread is using the read-ahead buffer). Waiting
    for it is waiting like any other: in slices, within the call's timeout,
    noticing close() and signals; in non-blocking mode it fails. The deadline
    made for it, if any, serves the rest of the call."""
    if lock.acquire(False):
        return None
    if not channel.first_wait:
        raise nspr_error(PR_WOULD_BLOCK_ERROR)
    if timeout == 0:
        raise nspr_error(PR_IO_TIMEOUT_ERROR)
    deadline = Deadline(channel, timeout)
    while True:
        ticks = deadline.next_slice()
        check_open(channel, file)
        if lock.acquire(True, deadline.seconds(ticks)):
            return deadline
