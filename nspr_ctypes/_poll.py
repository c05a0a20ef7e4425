"""``Socket.poll()`` (a base class of ``Socket``) and its plans.

A plan is the parsed, resolved and packed socket set of a thread's last poll:
``Socket.poll`` reuses it when the same set is polled again, and polls it
first without waiting, then in slices (none when something is ready at once,
one when the timeout is within a slice).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Tuple, Type

from nspr_ctypes import _args
from nspr_ctypes._address import foreign_backend_error
from nspr_ctypes._engine import Channel as _Channel
from nspr_ctypes._engine import Deadline, close_epoch, poll_pins, timing_of
from nspr_ctypes.backends import get_backend
from nspr_ctypes.backends._base import Backend
from nspr_ctypes.constants import PR_POLL_NVAL
from nspr_ctypes.error import NSPRError

if TYPE_CHECKING:
    from nspr_ctypes._socket import Socket


class _SocketPoll:
    """``Socket.poll`` (a base class of ``Socket``)."""

    __slots__ = ()

    @staticmethod
    def poll(
        poll_descs: Sequence[Sequence[Any]],
        timeout: int,
        *,
        backend: Optional[Backend] = None,
    ) -> Tuple[int, ...]:
        """poll(poll_descs, timeout) -> (flags, ...)

        Wait until at least one of the sockets is ready for the PR_POLL_*
        flags given with it, or ``timeout`` passes. Return the flags that hold
        for each socket, in order; 0 for a socket that is not ready.

        All sockets must belong to one backend (``backend`` when given, which
        also serves a poll without open sockets); else ValueError.
        """
        try:
            plan: Optional[_PollPlan] = _POLL_PLANS.last
        except AttributeError:  # this thread's first poll
            plan = None
        if (
            plan is None
            or plan.busy  # a signal handler polling inside this thread's poll
            or plan.backend_argument is not backend
            or plan.kind is not type(poll_descs)
            or plan.descs != poll_descs
            or (plan.epoch != close_epoch[0] and plan.lost_a_socket())
        ):
            plan = _PollPlan(poll_descs, backend)
            _POLL_PLANS.last = plan
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        first = plan.slice if timeout > plan.slice else timeout  # ticks of a wait
        if plan.wait_first:  # lately a first try found nothing ready
            plan.wait_first -= 1
            ticks = first
        else:
            # A first try that does not wait: a set polled because something
            # is ready is answered without the OS arming a timer (120-150
            # ns a poll), and the nspr backend keeps the GIL for it.
            ticks = 0
        deadline: Optional[Deadline] = None
        pin = plan.pin
        while True:
            # One bounded poll. The plan's socket set is pinned for the slice
            # (``_engine.poll_pins``), so none is released under the poll; one
            # closed meanwhile by another thread reports PR_POLL_NVAL.
            epoch = plan.epoch
            plan.busy = True
            poll_pins.append(pin)
            try:
                # Read after pinning: a close this misses sees the pin.
                epoch = close_epoch[0]
                if epoch != plan.epoch:
                    closed = plan.closed_flags()
                    if closed is not None:
                        return closed
                    plan.epoch = epoch  # another socket closed: this set is whole
                result = plan.poll_set.poll(ticks)
            finally:
                plan.busy = False
                poll_pins.remove(pin)
                if close_epoch[0] != epoch:
                    plan.release_closed()
            if result is not None:
                return result
            # Nothing ready in this slice: the deadline decides the next one.
            if deadline is None:
                if timeout == ticks:  # no waiting, or a timeout within one slice
                    return (0,) * plan.size
                if not ticks:  # the first try found nothing: wait from here
                    plan.wait_first = _WAIT_FIRST_POLLS
                    ticks = first
                    continue
                deadline = Deadline(plan.backend, timeout, ticks)
            try:
                ticks = deadline.next_slice()
            except NSPRError:
                return (0,) * plan.size


# Socket, for the check of poll_descs: imported with the first plan, since
# _socket imports this module (an import in _parse_poll_descs would cost a
# plan made anew for every poll, as for a list of lists, a tenth of it).
_socket_class: Optional[Type[Socket]] = None


def _import_socket_class() -> Type[Socket]:
    global _socket_class
    from nspr_ctypes._socket import Socket

    _socket_class = Socket
    return Socket


def _parse_poll_descs(poll_descs: Any) -> Tuple[List[Socket], List[int]]:
    """Check every ``(socket, flags)`` entry; the sockets and the flags."""
    socket_class = _socket_class or _import_socket_class()
    kind = type(poll_descs)
    if (
        isinstance(poll_descs, dict)
        or not hasattr(kind, "__getitem__")
        or not hasattr(kind, "__len__")
    ):
        raise TypeError("poll_descs is not a suitable sequence")
    socks: List[Socket] = []
    flags_list: List[int] = []
    for index in range(len(poll_descs)):
        item = poll_descs[index]
        sock = item[0]
        if not isinstance(sock, socket_class):
            raise TypeError("Invalid content of poll_descs")
        flags = item[1]
        flags = _args.c_long(flags)
        if not _args.SHORT_MIN <= flags <= _args.SHORT_MAX:
            raise TypeError("Invalid content of poll_descs")
        socks.append(sock)
        flags_list.append(flags)
    return socks, flags_list


class _PollPlan:
    """What a poll of one ``poll_descs`` needs, checked and resolved once.

    Kept per thread for the next poll: an event loop polls the same list over
    and over, and then the list compares equal (in C), no socket closed since
    (``close_epoch``), and nothing is parsed, resolved or packed again. The
    plan holds the caller's entries, so the sockets of a thread's last poll
    live until it polls another set.
    """

    __slots__ = (
        "backend",
        "backend_argument",
        "busy",
        "channels",
        "descs",
        "epoch",
        "kind",
        "live",
        "pin",
        "poll_set",
        "size",
        "slice",
        "wait_first",
    )

    def __init__(self, poll_descs: Any, backend: Optional[Backend]) -> None:
        # The epoch first: a close after this point is seen by the next poll.
        self.epoch = close_epoch[0]
        socks, flags = _parse_poll_descs(poll_descs)
        self.backend_argument = backend
        # Exact tuples of a list or tuple only: other entries could compare
        # equal to a different set, and are checked anew each time.
        self.kind: Optional[type] = None
        self.descs: Any = None
        if type(poll_descs) in (list, tuple) and all(
            type(item) is tuple for item in poll_descs
        ):
            self.kind = type(poll_descs)
            self.descs = type(poll_descs)(poll_descs)
        channels: List[Optional[_Channel]] = []
        append = channels.append
        # Which poll_descs entry (or the backend= argument) set the backend.
        backend_source = "the backend= argument"
        for index, sock in enumerate(socks):
            channel = sock._ch
            if channel is None or channel.closed:
                append(None)  # a closed socket is skipped and reports 0
                continue
            if channel.backend is not backend:
                if backend is None:
                    backend = channel.backend
                    backend_source = "the Socket of poll_descs[%d]" % index
                else:
                    raise foreign_backend_error(
                        "Socket.poll()",
                        "the Socket of poll_descs[%d]" % index,
                        channel.backend,
                        backend_source,
                        backend,
                    )
            append(channel)
        if backend is None:
            backend = get_backend()
        self.backend: Backend = backend
        self.slice = timing_of(backend)[1]
        self.channels = channels
        self.live = [channel for channel in channels if channel is not None]
        self.pin = frozenset(self.live)
        self.size = len(channels)
        self.poll_set = backend.poll_set(
            [
                (None if channel is None else channel.handle, wanted)
                for channel, wanted in zip(channels, flags)
            ]
        )
        self.busy = False
        #: Polls left that wait at once, without the first try: set when a
        #: first try found nothing ready (an event loop that waits for its
        #: sockets then pays the try once in a run, not at every poll).
        self.wait_first = 0

    def lost_a_socket(self) -> bool:
        """One of the sockets was closed since the plan was made."""
        return any(channel.closed for channel in self.live)

    def closed_flags(self) -> Optional[Tuple[int, ...]]:
        """The poll's result when a socket of it is closed (PR_POLL_NVAL for
        each closed one, 0 for the others), else None."""
        channels = self.channels
        if any(channel is not None and channel.closed for channel in channels):
            return tuple(
                PR_POLL_NVAL if channel is not None and channel.closed else 0
                for channel in channels
            )
        return None

    def release_closed(self) -> None:
        """Release the sockets closed while this poll pinned them (their
        release was left to the poll)."""
        for channel in self.live:
            if channel.closed:
                channel.release_if_idle()


_POLL_PLANS = threading.local()
#: The run of polls that skip the first try after one found nothing ready.
_WAIT_FIRST_POLLS = 8
