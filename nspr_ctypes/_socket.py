"""``Socket``: NSPR sockets over a backend's non-blocking primitives.

Every blocking behaviour of NSPR is built here once, for every backend: a
"blocking" call tries the non-blocking primitive, and while it would block,
waits with the backend's poll in short slices until the caller's timeout (in
ticks) runs out. Between slices Python runs its signal handlers (Ctrl-C works)
and the call notices a ``close()`` made by another thread.
"""

from __future__ import annotations

import builtins
import errno as _errno
import io as std_io
import math
import os
import stat
import threading
import time
import warnings
import weakref
from typing import (
    Any,
    Iterator,
    List,
    Literal,
    NoReturn,
    Optional,
    Sequence,
    Tuple,
    Union,
    cast,
    overload,
)

from nspr_ctypes import _args
from nspr_ctypes._address import (
    NetworkAddress,
    check_address_backend,
    desc_type_name,
    family_name,
    foreign_backend_error,
    sockaddr_of,
)
from nspr_ctypes.backends import get_backend
from nspr_ctypes.backends._base import Backend, Handle, OptionValue, SockAddr
from nspr_ctypes.constants import (
    PR_AF_INET,
    PR_AF_INET6,
    PR_AF_LOCAL,
    PR_DESC_SOCKET_TCP,
    PR_DESC_SOCKET_UDP,
    PR_INTERVAL_NO_TIMEOUT,
    PR_POLL_NVAL,
    PR_POLL_READ,
    PR_POLL_WRITE,
    PR_SHUTDOWN_BOTH,
    PR_SockOpt_AddMember,
    PR_SockOpt_Broadcast,
    PR_SockOpt_DropMember,
    PR_SockOpt_IpTimeToLive,
    PR_SockOpt_IpTypeOfService,
    PR_SockOpt_Keepalive,
    PR_SockOpt_Linger,
    PR_SockOpt_MaxSegment,
    PR_SockOpt_McastInterface,
    PR_SockOpt_McastLoopback,
    PR_SockOpt_McastTimeToLive,
    PR_SockOpt_NoDelay,
    PR_SockOpt_Nonblocking,
    PR_SockOpt_RecvBufferSize,
    PR_SockOpt_Reuseaddr,
    PR_SockOpt_SendBufferSize,
)
from nspr_ctypes.error import (
    PR_ADDRESS_NOT_SUPPORTED_ERROR,
    PR_BAD_DESCRIPTOR_ERROR,
    PR_IN_PROGRESS_ERROR,
    PR_INVALID_ARGUMENT_ERROR,
    PR_INVALID_METHOD_ERROR,
    PR_IO_TIMEOUT_ERROR,
    PR_NOT_SOCKET_ERROR,
    PR_WOULD_BLOCK_ERROR,
    NSPRError,
    nspr_error,
)

_CLOSED_MESSAGE = "I/O operation on closed socket"
_CLOSED_FILE_MESSAGE = "I/O operation on closed file."  # as the io module says
# How long one wait may block before Python gets control back (signals, close()).
_SLICE_SECONDS = 0.1
# The most one receive asks of the backend; recv() may return less than asked.
_RECV_CAP = 1 << 20
_READ_CHUNK = 64 * 1024

# Option kinds: how set_socket_option parses its values, get maps its result.
_FLAG_OPTIONS = frozenset(
    (
        PR_SockOpt_Nonblocking,
        PR_SockOpt_Reuseaddr,
        PR_SockOpt_Keepalive,
        PR_SockOpt_McastLoopback,
        PR_SockOpt_NoDelay,
        PR_SockOpt_Broadcast,
    )
)
_NUMBER_OPTIONS = frozenset(
    (
        PR_SockOpt_RecvBufferSize,
        PR_SockOpt_SendBufferSize,
        PR_SockOpt_MaxSegment,
        PR_SockOpt_IpTimeToLive,
        PR_SockOpt_IpTypeOfService,
        PR_SockOpt_McastTimeToLive,
    )
)
_MEMBERSHIP_OPTIONS = frozenset((PR_SockOpt_AddMember, PR_SockOpt_DropMember))
_KNOWN_OPTIONS = (
    _FLAG_OPTIONS
    | _NUMBER_OPTIONS
    | _MEMBERSHIP_OPTIONS
    | frozenset((PR_SockOpt_Linger, PR_SockOpt_McastInterface))
)
# Options NSPR knows but python-nss does not map (Reuseport, DontFrag).
_NSPR_ONLY_OPTIONS = frozenset((16, 17))
_NSPR_OPTION_LIMIT = 18  # PR_SockOpt_Last

# get_socket_option()'s result type by option number (Literal cannot name the
# PR_SockOpt_* constants, so it holds their values; kept equal to the sets above).
_FlagOption = Literal[0, 2, 3, 12, 13, 15]  # _FLAG_OPTIONS: bool
_SizeOption = Literal[4, 5, 6, 7, 11, 14]  # _NUMBER_OPTIONS: int
_LingerOption = Literal[1]  # (polarity, interval)
_InterfaceOption = Literal[10]  # McastInterface: NetworkAddress
_MembershipOption = Literal[8, 9]  # _MEMBERSHIP_OPTIONS: set only, get raises
_OptionResult = Union[bool, int, Tuple[bool, int], NetworkAddress]

# makefile()'s result type by mode (the letters r, w, b in any order).
_TextMode = Literal["", "r", "w", "rw", "wr"]
_ReadBinaryMode = Literal["b", "rb", "br"]
_WriteBinaryMode = Literal["wb", "bw"]
_ReadWriteBinaryMode = Literal["rwb", "rbw", "wrb", "wbr", "brw", "bwr"]
_BinaryMode = Union[_ReadBinaryMode, _WriteBinaryMode, _ReadWriteBinaryMode]
_FileObject = Union[std_io.TextIOWrapper, std_io.BufferedIOBase, std_io.RawIOBase]

# Socket() without a family warns; None is a TypeError as in python-nss.
_FAMILY_OMITTED: int = cast(int, object())

_SOCKET_INIT_WARNING = (
    "Socket initialization will require family parameter in future, default "
    "family parameter of PR_AF_INET is deprecated. Suggest using the family "
    "property of the NetworkAddress object associated with the socket, e.g. "
    "Socket(net_addr.family)"
)


# What _Channel.enter_all gives for a channel closed before it could be entered.
_CLOSED_HANDLE: Handle = object()

# Channels of sockets a forked child inherited and dropped, kept for the
# child's lifetime (see _Channel.finalize_dropped).
_INHERITED_CHANNELS: List[_Channel] = []


class _Channel:
    """The OS resource behind one Socket, shared with its finalizer and its
    makefile() files.

    ``closed`` says the Socket was closed: its own methods refuse to work.
    ``io_refs`` counts the open makefile() files, which work on after that;
    ``in_flight`` counts calls using the handle. The handle is released once
    the Socket and every file are closed and no call is in flight, by whoever
    comes last, so no call ever touches a freed descriptor.
    """

    __slots__ = (
        "backend",
        "closed",
        "finalizer",
        "handle",
        "in_flight",
        "io_refs",
        "lock",
        "pid",
    )

    def __init__(self, backend: Backend, handle: Handle) -> None:
        self.backend = backend
        self.handle: Optional[Handle] = handle
        self.lock = threading.Lock()
        self.in_flight = 0
        self.io_refs = 0
        self.closed = False
        self.pid = os.getpid()
        self.finalizer: Optional[weakref.finalize[Any, Any]] = None

    def __enter__(self) -> Handle:
        with self.lock:
            if self.closed:
                raise ValueError(_CLOSED_MESSAGE)
            self.in_flight += 1
            return self.handle

    def add_file(self) -> None:
        """Count a new makefile() file of the open socket."""
        with self.lock:
            if self.closed:
                raise ValueError(_CLOSED_MESSAGE)
            self.io_refs += 1

    def enter_file(self) -> Handle:
        """Like entering, for a makefile() file, which outlives ``close()``:
        only a released handle refuses."""
        with self.lock:
            if self.handle is None:
                raise ValueError(_CLOSED_MESSAGE)
            self.in_flight += 1
            return self.handle

    def leave(self, *exc_info: Any) -> None:
        """End a call (also the ``with`` exit); the last user of a closed
        channel releases the handle."""
        with self.lock:
            self.in_flight -= 1
            if not self.closed:  # the common case: nothing to release
                return
            handle = self._take_if_released()
        if handle is not None:
            self._close_quietly(handle)

    __exit__ = leave

    @staticmethod
    def enter_all(
        channels: Sequence[Optional[_Channel]], handles: List[Optional[Handle]]
    ) -> bool:
        """Enter every open channel of ``channels`` as ``__enter__`` does (for
        a poll: one loop, not a call per socket), appending the handles to
        ``handles`` as it goes, so that the caller's ``leave_all`` leaves
        exactly those entered even if this is interrupted. None stands for a
        channel that is None, ``_CLOSED_HANDLE`` for one closed meanwhile;
        True if there is one of those."""
        append = handles.append
        closed_meanwhile = False
        for channel in channels:
            if channel is None:
                append(None)
                continue
            with channel.lock:
                if channel.closed:
                    append(_CLOSED_HANDLE)
                    closed_meanwhile = True
                    continue
                channel.in_flight += 1
                append(channel.handle)
        return closed_meanwhile

    @staticmethod
    def leave_all(
        channels: Sequence[Optional[_Channel]], handles: Sequence[Optional[Handle]]
    ) -> None:
        """Leave the channels ``enter_all`` entered, as ``leave`` does."""
        for channel, handle in zip(channels, handles):
            if channel is None or handle is _CLOSED_HANDLE:
                continue
            with channel.lock:
                channel.in_flight -= 1
                if not channel.closed:
                    continue
                released = channel._take_if_released()
            if released is not None:
                channel._close_quietly(released)

    def _take_if_released(self) -> Optional[Handle]:
        if not self.closed or self.in_flight or self.io_refs or self.handle is None:
            return None
        handle = self.handle
        self.handle = None
        if self.finalizer is not None:
            self.finalizer.detach()
        return handle

    def _close_quietly(self, handle: Handle) -> None:
        try:
            self.backend.close(handle)
        except NSPRError:
            pass

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            handle = self._take_if_released()
        if handle is not None:
            self.backend.close(handle)

    def release_file(self) -> None:
        """Uncount a closed makefile() file; the last reference releases."""
        with self.lock:
            self.io_refs -= 1
            handle = self._take_if_released()
        if handle is not None:
            self._close_quietly(handle)

    @staticmethod
    def finalize_dropped(channel: _Channel, family: int, desc_type: int) -> None:
        """Close a socket that was garbage-collected without ``close()``."""
        if channel.pid != os.getpid():
            # A forked child must not close its parent's descriptors: the
            # handle is kept, as a backend's handle object (a stdlib socket)
            # may close its descriptor when it is freed.
            _INHERITED_CHANNELS.append(channel)
            return
        with channel.lock:
            if channel.closed:
                return
            channel.closed = True
            handle = channel._take_if_released()
        if handle is None:
            return
        # Formatted only now: a string kept per open socket would cost more
        # memory than the rest of an idle socket's Python objects but one.
        description = "nspr_ctypes.io.Socket family=%s type=%s" % (
            family_name(family),
            desc_type_name(desc_type),
        )
        warnings.warn("unclosed %s" % description, ResourceWarning, stacklevel=1)
        channel._close_quietly(handle)


class _Deadline:
    """A timeout in ticks turned into slices of waiting.

    The clock starts at the first wait, as NSPR's does when it starts polling,
    so a call that never has to wait costs no clock read and no backend call.
    """

    __slots__ = ("backend", "end", "started", "timeout", "tps")

    def __init__(self, backend: Backend, timeout: int) -> None:
        self.backend = backend
        self.timeout = timeout
        self.started = False
        self.tps = 0
        self.end: Optional[float] = None

    def next_slice(self) -> int:
        """Ticks to wait now; raises PR_IO_TIMEOUT_ERROR once time is up."""
        if self.timeout == 0:
            raise nspr_error(PR_IO_TIMEOUT_ERROR)
        if not self.started:
            self.started = True
            self.tps = self.backend.ticks_per_second()
            if self.timeout != PR_INTERVAL_NO_TIMEOUT:
                self.end = time.monotonic() + self.timeout / self.tps
        slice_ticks = max(1, int(_SLICE_SECONDS * self.tps))
        if self.end is None:
            return slice_ticks
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise nspr_error(PR_IO_TIMEOUT_ERROR)
        return max(1, min(slice_ticks, math.ceil(remaining * self.tps)))


def _check_not_closed(channel: _Channel, file: Optional[_SocketFile]) -> None:
    """Between two slices of a wait: a call made through the socket ends once
    the socket is closed; one made through a makefile() file, once that file
    is (closing the socket leaves its files working, as in the stdlib)."""
    if file is None:
        if channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
    elif file.closed:
        raise ValueError(_CLOSED_FILE_MESSAGE)


def _check_address(addr: Any, method: str) -> NetworkAddress:
    if not isinstance(addr, NetworkAddress):
        raise TypeError(
            "%s() argument must be nspr_ctypes.io.NetworkAddress, not %s"
            % (method, type(addr).__name__)
        )
    return addr


def _sockaddr_for_call(addr: NetworkAddress) -> SockAddr:
    try:
        sa = addr._sa
    except AttributeError:  # made by NetworkAddress.__new__ alone: unset
        sa = sockaddr_of(addr)
    if sa.family not in (PR_AF_INET, PR_AF_INET6, PR_AF_LOCAL):
        raise nspr_error(PR_ADDRESS_NOT_SUPPORTED_ERROR)
    return sa


def _with_bytes_sent(error: NSPRError, sent: int) -> NSPRError:
    error.bytes_sent = sent
    return error


class Socket:
    """Socket(family=PR_AF_INET, type=PR_DESC_SOCKET_TCP)

    Create a new NSPR socket. ``family`` is PR_AF_INET, PR_AF_INET6 or
    PR_AF_LOCAL; ``type`` PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP. Timeouts
    are NSPR intervals (ticks); PR_INTERVAL_NO_TIMEOUT waits for ever.
    """

    __module__ = "nspr_ctypes.io"
    __slots__ = (
        "__weakref__",
        "_ch",
        "_desc_type",
        "_family",
        "_netaddr",
        "_nonblocking",
        "_rbuf",
        "_read_lock",
    )
    _ch: Optional[_Channel]
    _family: int
    _desc_type: int
    _netaddr: Optional[NetworkAddress]
    _nonblocking: bool
    _rbuf: bytearray
    _read_lock: threading.Lock

    def __new__(cls, *args: Any, **kwargs: Any) -> Socket:
        # A Socket made without __init__ behaves as a closed one.
        self = super().__new__(cls)
        self._ch = None
        self._family = 0
        self._desc_type = 0
        self._netaddr = None
        self._nonblocking = False
        self._rbuf = bytearray()
        self._read_lock = threading.Lock()
        return self

    def __init__(
        self,
        family: int = _FAMILY_OMITTED,
        type: int = PR_DESC_SOCKET_TCP,
        *,
        backend: Optional[Backend] = None,
    ) -> None:
        if family is _FAMILY_OMITTED:
            warnings.warn(_SOCKET_INIT_WARNING, DeprecationWarning, stacklevel=2)
            family = PR_AF_INET
        elif not isinstance(family, int):
            raise TypeError(
                "family must be int, not %s" % builtins.type(family).__name__
            )
        family = _args.wrap_c_int(family)
        desc_type = _args.c_int(type)
        # Re-initialisation replaces the descriptor: as in python-nss, the old
        # one is closed once the arguments parse, even if their values are bad.
        if self._ch is not None:
            self._discard_channel()
        if desc_type not in (PR_DESC_SOCKET_TCP, PR_DESC_SOCKET_UDP):
            raise ValueError("type must be PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP")
        if backend is None:
            backend = get_backend()
        if family not in (PR_AF_INET, PR_AF_INET6, PR_AF_LOCAL):
            raise nspr_error(PR_ADDRESS_NOT_SUPPORTED_ERROR)
        handle = backend.open_socket(family, desc_type)
        self._attach(backend, handle, family, desc_type)

    def _attach(
        self, backend: Backend, handle: Handle, family: int, desc_type: int
    ) -> None:
        channel = _Channel(backend, handle)
        finalizer = weakref.finalize(
            self, _Channel.finalize_dropped, channel, family, desc_type
        )
        finalizer.atexit = False
        channel.finalizer = finalizer
        self._ch = channel
        self._family = family
        self._desc_type = desc_type
        self._netaddr = None
        self._nonblocking = False
        if self._rbuf:  # re-initialised: bytes of the old connection go
            self._rbuf = bytearray()

    @classmethod
    def _wrap(cls, backend: Backend, handle: Handle, family: int) -> Socket:
        sock = Socket.__new__(Socket)
        sock._attach(backend, handle, family, PR_DESC_SOCKET_TCP)
        return sock

    def _discard_channel(self) -> None:
        channel = self._ch
        if channel is None:
            return
        try:
            if not channel.closed:
                with channel as handle:
                    channel.backend.shutdown(handle, PR_SHUTDOWN_BOTH)
        except (NSPRError, ValueError):
            pass
        try:
            channel.close()
        except NSPRError:
            pass

    def _channel(self) -> _Channel:
        channel = self._ch
        if channel is None:
            raise ValueError(_CLOSED_MESSAGE)
        return channel

    def _open_channel(self) -> _Channel:
        """The channel of an open socket, else the closed error. Checked
        without the lock, for calls that may need no I/O (bytes already
        buffered); a call that uses the handle enters the channel, which
        checks again under the lock."""
        channel = self._ch
        if channel is None or channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        return channel

    # -- waiting --------------------------------------------------------------

    def _wait(
        self,
        channel: _Channel,
        handle: Handle,
        flags: int,
        deadline: _Deadline,
        file: Optional[_SocketFile] = None,
    ) -> int:
        """Wait until ``handle`` is ready for ``flags``; return the out flags.

        In non-blocking mode an operation that would block fails instead.
        ``file`` is the makefile() file the call was made through, if any.
        """
        if self._nonblocking:
            raise nspr_error(PR_WOULD_BLOCK_ERROR)
        backend = channel.backend
        entry = [(handle, flags)]
        while True:
            ticks = deadline.next_slice()
            _check_not_closed(channel, file)
            ready, out_flags = backend.poll(entry, ticks)
            if ready:
                return out_flags[0]

    def _lock_reading(
        self,
        channel: _Channel,
        deadline: _Deadline,
        file: Optional[_SocketFile] = None,
    ) -> None:
        """Take the read lock. Waiting for it (another thread is receiving)
        is waiting like any other: in slices, within the call's timeout,
        noticing close() and signals; in non-blocking mode it fails."""
        lock = self._read_lock
        if lock.acquire(False):
            return
        if self._nonblocking:
            raise nspr_error(PR_WOULD_BLOCK_ERROR)
        while True:
            ticks = deadline.next_slice()
            _check_not_closed(channel, file)
            if lock.acquire(True, ticks / deadline.tps):
                return

    # -- properties -----------------------------------------------------------

    @property
    def family(self) -> int:
        """socket family: PR_AF_INET, PR_AF_INET6, PR_AF_LOCAL, PR_AF_UNSPEC"""
        return self._family

    @family.setter
    def family(self, value: int) -> None:
        number = _args.c_long(value)
        if not _args.INT_MIN <= number <= _args.INT_MAX:
            warnings.warn("Truncation of value to int", RuntimeWarning, stacklevel=2)
            number = _args.wrap_c_int(number)
        self._family = number

    @family.deleter
    def family(self) -> None:
        raise TypeError("can't delete numeric/char attribute")

    @property
    def desc_type(self) -> int:
        """socket description: PR_DESC_FILE, PR_DESC_SOCKET_TCP, PR_DESC_SOCKET_UDP,
        PR_DESC_LAYERED, PR_DESC_PIPE"""
        channel = self._channel()
        if channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        return self._desc_type

    @property
    def netaddr(self) -> Optional[NetworkAddress]:
        """NetworkAddress object bound to this socket (the last address passed
        to bind, connect, send_to or recv_from)"""
        return self._netaddr

    def _check_family(self, addr: NetworkAddress) -> None:
        if addr.family != self._family:
            raise ValueError(
                "Socket family (%s) does not match NetworkAddress family (%s)"
                % (family_name(self._family), family_name(addr.family))
            )

    def _check_backend(self, addr: NetworkAddress, method: str) -> None:
        """ValueError unless ``addr`` belongs to this socket's backend.

        A closed socket skips the check: the call reports the closed socket.
        """
        channel = self._ch
        if channel is not None and not channel.closed:
            check_address_backend(
                addr, channel.backend, "Socket.%s()" % method, "the Socket"
            )

    # -- connection set-up ----------------------------------------------------

    def bind(self, addr: NetworkAddress) -> None:
        """bind(addr)

        Assign the network address ``addr`` to the socket.
        """
        _check_address(addr, "bind")
        self._check_family(addr)
        self._check_backend(addr, "bind")
        self._netaddr = addr
        channel = self._channel()
        with channel as handle:
            channel.backend.bind(handle, _sockaddr_for_call(addr))

    def listen(self, backlog: int = 5) -> None:
        """listen(backlog=5)

        Turn the socket into a rendezvous socket listening for connections.
        """
        backlog = _args.c_uint_as_int(backlog)
        channel = self._channel()
        with channel as handle:
            channel.backend.listen(handle, backlog)

    def connect(
        self, addr: NetworkAddress, timeout: int = PR_INTERVAL_NO_TIMEOUT
    ) -> None:
        """connect(addr, timeout=PR_INTERVAL_NO_TIMEOUT)

        Connect to ``addr``. Raises NSPRError PR_IO_TIMEOUT_ERROR when the
        connection is not set up within ``timeout``.
        """
        _check_address(addr, "connect")
        timeout = _args.c_uint_mask(timeout)
        self._check_family(addr)
        self._check_backend(addr, "connect")
        self._netaddr = addr
        channel = self._channel()
        with channel as handle:
            backend = channel.backend
            if backend.connect(handle, _sockaddr_for_call(addr), 0):
                return
            if self._nonblocking:
                raise nspr_error(PR_IN_PROGRESS_ERROR)
            deadline = _Deadline(backend, timeout)
            while True:
                ticks = deadline.next_slice()
                _check_not_closed(channel, None)
                if backend.connect_continue(handle, ticks):
                    return

    def _accept_with(
        self, channel: _Channel, handle: Handle, deadline: _Deadline
    ) -> Tuple[Socket, NetworkAddress]:
        backend = channel.backend
        if self._desc_type == PR_DESC_SOCKET_UDP:
            raise nspr_error(PR_INVALID_METHOD_ERROR)
        while True:
            accepted = backend.accept(handle, 0)
            if accepted is not None:
                new_handle, peer = accepted
                sock = Socket._wrap(backend, new_handle, self._family)
                return sock, NetworkAddress._from_sockaddr(peer, backend)
            self._wait(channel, handle, PR_POLL_READ, deadline)

    def accept(
        self, timeout: int = PR_INTERVAL_NO_TIMEOUT
    ) -> Tuple[Socket, NetworkAddress]:
        """accept(timeout=PR_INTERVAL_NO_TIMEOUT) -> (Socket, NetworkAddress)

        Accept the first pending connection of this listening socket.
        """
        timeout = _args.c_uint_mask(timeout)
        channel = self._channel()
        with channel as handle:
            deadline = _Deadline(channel.backend, timeout)
            sock, peer = self._accept_with(channel, handle, deadline)
            return sock, peer

    def accept_read(
        self, amount: int, timeout: int = PR_INTERVAL_NO_TIMEOUT
    ) -> Tuple[Socket, NetworkAddress, bytes]:
        """accept_read(amount, timeout=PR_INTERVAL_NO_TIMEOUT) -> (Socket, NetworkAddress, buf)

        Accept a connection, then receive up to ``amount`` bytes from it; the
        timeout covers the whole call. If the read fails, the new connection
        is closed and the error raised.
        """
        amount = _args.c_int(amount)
        timeout = _args.c_uint_mask(timeout)
        channel = self._channel()
        with channel as handle:
            if amount < 0:
                raise ValueError("negative buffersize in accept_read")
            if self._nonblocking:  # NSPR refuses accept_read on those
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
            deadline = _Deadline(channel.backend, timeout)
            sock, peer = self._accept_with(channel, handle, deadline)
            try:
                data = sock._recv_fresh(sock._channel(), amount, deadline)
            except BaseException:
                sock.close()
                raise
            return sock, peer, data

    def shutdown(self, how: int = PR_SHUTDOWN_BOTH) -> None:
        """shutdown(how=PR_SHUTDOWN_BOTH)

        Disallow further receives (PR_SHUTDOWN_RCV), sends (PR_SHUTDOWN_SEND)
        or both (PR_SHUTDOWN_BOTH).
        """
        how = _args.c_uint_as_int(how)
        channel = self._channel()
        with channel as handle:
            if how not in (0, 1, 2):
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
            channel.backend.shutdown(handle, how)

    def close(self) -> None:
        """close()

        Close the socket. Closing a closed socket does nothing. Files from
        makefile() keep the descriptor open, and keep working, until they are
        closed too.
        """
        channel = self._ch
        if channel is not None:
            channel.close()

    # -- receiving ------------------------------------------------------------

    def _take_buffered(self, amount: int) -> bytes:
        buffer = self._rbuf
        data = bytes(buffer[:amount])
        del buffer[:amount]
        return data

    def _recv_fresh(
        self,
        channel: _Channel,
        amount: int,
        deadline: Optional[_Deadline],
        timeout: int = PR_INTERVAL_NO_TIMEOUT,
        file: Optional[_SocketFile] = None,
    ) -> bytes:
        """One receive from the backend, waiting while it would block.

        ``deadline`` is the call's, or None when it has not waited yet: then
        one is made from ``timeout`` at the first wait (most receives find
        data at once and never need one). ``file`` as for ``_wait``.
        """
        backend = channel.backend
        handle = channel.handle
        ask = min(amount, _RECV_CAP)
        while True:
            data = backend.recv(handle, ask, 0)
            if data is not None:
                return data
            if deadline is None:
                deadline = _Deadline(backend, timeout)
            self._wait(channel, handle, PR_POLL_READ, deadline, file)

    def _fill(self, channel: _Channel, deadline: _Deadline) -> bool:
        """Append one receive to the read-ahead buffer; False at EOF."""
        data = self._recv_fresh(channel, _READ_CHUNK, deadline)
        if not data:
            return False
        self._rbuf += data
        return True

    def _recv(self, channel: _Channel, amount: int, timeout: int) -> bytes:
        """recv() on an open channel: buffered bytes first, else one receive."""
        read_lock = self._read_lock
        if read_lock.acquire(False):
            try:
                if self._rbuf:  # no I/O: the channel is not needed
                    return self._take_buffered(amount)
                with channel:
                    return self._recv_fresh(channel, amount, None, timeout)
            finally:
                read_lock.release()
        # Another thread is receiving: waiting for it counts in the timeout.
        with channel:
            deadline = _Deadline(channel.backend, timeout)
            self._lock_reading(channel, deadline)
            try:
                if self._rbuf:
                    return self._take_buffered(amount)
                return self._recv_fresh(channel, amount, deadline)
            finally:
                read_lock.release()

    def recv(self, amount: int, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> bytes:
        """recv(amount, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Receive at most ``amount`` bytes, blocking until some arrive. Bytes
        already buffered by readline() are returned first, without waiting.
        ``b''`` means the connection is closed.
        """
        amount = _args.c_long(amount)
        timeout = _args.c_uint_mask(timeout)
        channel = self._open_channel()
        if amount < 0:
            raise ValueError("negative buffersize in recv")
        return self._recv(channel, amount, timeout)

    def read(self, size: int = -1, *, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> bytes:
        """read(size=-1, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        With ``size`` >= 0, as recv(size). With a negative ``size``, read until
        EOF. A timeout raises NSPRError PR_IO_TIMEOUT_ERROR and keeps what was
        read for the next call.
        """
        size = _args.c_long(size)
        timeout = _args.c_uint_mask(timeout)
        channel = self._open_channel()
        if size >= 0:
            return self._recv(channel, size, timeout)
        with channel:
            deadline = _Deadline(channel.backend, timeout)
            self._lock_reading(channel, deadline)
            try:
                while self._fill(channel, deadline):
                    pass
                return self._take_buffered(len(self._rbuf))
            finally:
                self._read_lock.release()

    def _line_in_buffer(self, size: int, searched: int = 0) -> Optional[bytes]:
        """Take the next line if the buffer holds all of it: up to and
        including a newline, at most ``size`` bytes when positive; else None.
        The first ``searched`` bytes hold no newline. Needs the read lock."""
        buffer = self._rbuf
        if size <= 0:
            newline = buffer.find(b"\n", searched)  # (no end: a faster find)
            return None if newline < 0 else self._take_buffered(newline + 1)
        newline = buffer.find(b"\n", searched, min(size, len(buffer)))
        if newline >= 0:
            return self._take_buffered(newline + 1)
        if len(buffer) >= size:
            return self._take_buffered(size)
        return None

    def _readline(self, channel: _Channel, size: int, deadline: _Deadline) -> bytes:
        searched = 0
        while True:
            line = self._line_in_buffer(size, searched)
            if line is not None:
                return line
            searched = len(self._rbuf)
            if not self._fill(channel, deadline):
                return self._take_buffered(searched)  # EOF: the rest, if any

    def readline(
        self, size: int = 0, *, timeout: int = PR_INTERVAL_NO_TIMEOUT
    ) -> bytes:
        """readline(size=0, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Read one line, up to and including ``\\n``; with ``size`` > 0 at most
        ``size`` bytes. ``b''`` at EOF. A timeout raises NSPRError
        PR_IO_TIMEOUT_ERROR and keeps the bytes read so far.
        """
        size = _args.c_long(size)
        timeout = _args.c_uint_mask(timeout)
        channel = self._open_channel()
        read_lock = self._read_lock
        if read_lock.acquire(False):
            # A line already buffered needs no I/O, so neither the channel
            # nor a deadline: the common case when lines arrive in batches.
            try:
                line = self._line_in_buffer(size)
            finally:
                read_lock.release()
            if line is not None:
                return line
        with channel:
            deadline = _Deadline(channel.backend, timeout)
            self._lock_reading(channel, deadline)
            try:
                return self._readline(channel, size, deadline)
            finally:
                read_lock.release()

    def readlines(
        self, sizehint: int = 0, *, timeout: int = PR_INTERVAL_NO_TIMEOUT
    ) -> List[bytes]:
        """readlines(sizehint=0, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> [buf]

        Read lines until EOF, or until about ``sizehint`` bytes when it is
        positive. The timeout covers the whole call.
        """
        sizehint = _args.c_long(sizehint)
        timeout = _args.c_uint_mask(timeout)
        channel = self._channel()
        lines: List[bytes] = []
        total = 0
        with channel:
            deadline = _Deadline(channel.backend, timeout)
            self._lock_reading(channel, deadline)
            try:
                while True:
                    line = self._readline(channel, 0, deadline)
                    if not line:
                        return lines
                    lines.append(line)
                    total += len(line)
                    if 0 < sizehint <= total:
                        return lines
            except BaseException:
                # Nothing is lost: the lines read so far go back to the buffer.
                self._rbuf[:0] = b"".join(lines)
                raise
            finally:
                self._read_lock.release()

    def pending(self) -> int:
        """pending() -> int

        Return the number of bytes already received and buffered in this
        object (by readline(), readlines(), iteration or read()), which
        recv(), read() and readline() return before receiving more; 0 when
        none. The descriptor's readiness does not show them: in an event
        loop, drain pending() before waiting on fileno() again. Bytes still
        queued in the operating system are not counted.
        """
        self._open_channel()
        # A snapshot, without the read lock: a receive in another thread
        # holds it while it waits, and pending() must never wait.
        return len(self._rbuf)

    def __iter__(self) -> Iterator[bytes]:
        channel = self._channel()
        if channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def recv_from(
        self,
        amount: int,
        addr: NetworkAddress,
        timeout: int = PR_INTERVAL_NO_TIMEOUT,
    ) -> bytes:
        """recv_from(amount, addr, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Receive one datagram of at most ``amount`` bytes; ``addr`` is filled
        with the sender's address.
        """
        amount = _args.c_int(amount)
        _check_address(addr, "recv_from")
        timeout = _args.c_uint_mask(timeout)
        self._check_family(addr)
        self._check_backend(addr, "recv_from")
        channel = self._channel()
        with channel as handle:
            self._netaddr = addr
            if amount < 0:
                raise ValueError("negative buffersize in recv_from")
            backend = channel.backend
            deadline: Optional[_Deadline] = None  # made only at the first wait
            while True:
                received = backend.recv_from(handle, amount, 0)
                if received is not None:
                    data, sender = received
                    addr._sa = sender
                    return data
                if deadline is None:
                    deadline = _Deadline(backend, timeout)
                self._wait(channel, handle, PR_POLL_READ, deadline)

    # -- sending --------------------------------------------------------------

    def _send(
        self,
        channel: _Channel,
        data: bytes,
        timeout: int,
        partial: bool,
        file: Optional[_SocketFile] = None,
    ) -> int:
        """Send ``data``; in non-blocking mode return a partial count when
        ``partial`` allows it. Errors carry ``bytes_sent``. ``file`` as for
        ``_wait``."""
        backend = channel.backend
        handle = channel.handle
        total = len(data)  # 0 still reaches the OS: UDP sends an empty datagram
        sent = 0
        deadline: Optional[_Deadline] = None  # made only at the first wait
        try:
            while True:
                # One buffer and an offset: a retry costs what it sends, never
                # a copy of the rest.
                count = backend.send_at(handle, data, sent, 0)
                if count is not None:
                    sent += count
                    if sent >= total or (self._nonblocking and partial):
                        return sent
                    continue
                if deadline is None:
                    deadline = _Deadline(backend, timeout)
                self._wait(channel, handle, PR_POLL_WRITE, deadline, file)
        except NSPRError as error:
            raise _with_bytes_sent(error, sent) from None

    def send(self, buf: bytes, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> int:
        """send(buf, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send ``buf``, blocking until every byte is sent (in non-blocking mode,
        what fits now). On a timeout or error NSPRError is raised, with the
        count already sent in ``bytes_sent``.
        """
        data = _args.need_bytes(buf, "send")
        timeout = _args.c_uint_mask(timeout)
        channel = self._channel()
        with channel:
            return self._send(channel, data, timeout, partial=True)

    def sendall(self, buf: bytes, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> int:
        """sendall(buf, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send every byte of ``buf`` or raise NSPRError, whose ``bytes_sent``
        says how much was sent before the failure.
        """
        data = _args.need_bytes(buf, "sendall")
        timeout = _args.c_uint_mask(timeout)
        channel = self._channel()
        with channel:
            return self._send(channel, data, timeout, partial=False)

    def send_to(
        self,
        buf: bytes,
        addr: NetworkAddress,
        timeout: int = PR_INTERVAL_NO_TIMEOUT,
    ) -> int:
        """send_to(buf, addr, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send ``buf`` as one datagram to ``addr``.
        """
        data = _args.need_bytes(buf, "send_to")
        _check_address(addr, "send_to")
        timeout = _args.c_uint_mask(timeout)
        self._check_family(addr)
        self._check_backend(addr, "send_to")
        self._netaddr = addr
        channel = self._channel()
        with channel as handle:
            backend = channel.backend
            sa = _sockaddr_for_call(addr)
            deadline: Optional[_Deadline] = None  # made only at the first wait
            while True:
                count = backend.send_to(handle, data, sa, 0)
                if count is not None:
                    return count
                if deadline is None:
                    deadline = _Deadline(backend, timeout)
                self._wait(channel, handle, PR_POLL_WRITE, deadline)

    # -- names and options ----------------------------------------------------

    def fileno(self) -> int:
        """fileno() -> integer

        Return the integer file descriptor of the socket.
        """
        channel = self._channel()
        with channel as handle:
            return channel.backend.fileno(handle)

    def get_sock_name(self) -> NetworkAddress:
        """get_sock_name() -> NetworkAddress

        Return the network address for this socket.
        """
        channel = self._channel()
        with channel as handle:
            sa = channel.backend.get_sock_name(handle)
            return NetworkAddress._from_sockaddr(sa, channel.backend)

    def get_peer_name(self) -> NetworkAddress:
        """get_peer_name() -> NetworkAddress

        Return the network address for the connected peer socket.
        """
        channel = self._channel()
        with channel as handle:
            sa = channel.backend.get_peer_name(handle)
            return NetworkAddress._from_sockaddr(sa, channel.backend)

    @overload
    def get_socket_option(self, option: _FlagOption) -> bool: ...
    @overload
    def get_socket_option(self, option: _SizeOption) -> int: ...
    @overload
    def get_socket_option(self, option: _LingerOption) -> Tuple[bool, int]: ...
    @overload
    def get_socket_option(self, option: _InterfaceOption) -> NetworkAddress: ...
    @overload
    def get_socket_option(self, option: _MembershipOption) -> NoReturn: ...
    @overload
    def get_socket_option(self, option: int) -> _OptionResult: ...
    def get_socket_option(self, option: int) -> _OptionResult:
        """get_socket_option(option)

        The value of ``option``: a bool for flag options, an int for sizes,
        TTLs and TOS, ``(polarity, interval)`` for PR_SockOpt_Linger, a
        NetworkAddress for PR_SockOpt_McastInterface.
        """
        option = _args.c_int(option)
        channel = self._channel()
        with channel as handle:
            if option == PR_SockOpt_Nonblocking:
                return self._nonblocking
            if not 0 <= option < _NSPR_OPTION_LIMIT or option in _MEMBERSHIP_OPTIONS:
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)  # as NSPR refuses them
            if option in _NSPR_ONLY_OPTIONS:
                raise ValueError("get_socket_option: unknown option")
            value = channel.backend.get_option(handle, option)
            if option == PR_SockOpt_McastInterface:
                assert isinstance(value, SockAddr)
                return NetworkAddress._from_sockaddr(value, channel.backend)
            return cast(_OptionResult, value)  # flag, size or linger: no SockAddr

    def set_socket_option(self, option: int, *values: Any) -> None:
        """set_socket_option(option, ...)

        Set ``option``; the values depend on it: a bool for flag options, an
        int for sizes, TTLs and TOS, ``polarity, interval`` for
        PR_SockOpt_Linger, ``mcaddr, ifaddr`` for PR_SockOpt_AddMember and
        PR_SockOpt_DropMember, ``ifaddr`` for PR_SockOpt_McastInterface.
        """
        if not isinstance(option, int):
            raise TypeError("set_socket_option: option must be an int")
        if option not in _KNOWN_OPTIONS:
            raise ValueError("set_socket_option: unknown option")
        value = _parse_option_value(option, values)
        for item in values:
            if isinstance(item, NetworkAddress):
                self._check_backend(item, "set_socket_option")
        channel = self._channel()
        with channel as handle:
            if option == PR_SockOpt_Nonblocking:
                self._nonblocking = bool(value)
                return
            channel.backend.set_option(handle, option, value)

    # -- files ----------------------------------------------------------------
    # A makefile() file keeps the channel's handle (io_refs) and works on
    # after close(); it reads and writes through these two methods, which
    # wait as the socket's methods do with no timeout, until its own close.

    def _file_recv(self, channel: _Channel, file: _SocketFile, amount: int) -> bytes:
        """A read through ``file``: bytes the read-ahead buffer holds first,
        else one receive."""
        channel.enter_file()
        try:
            read_lock = self._read_lock
            deadline: Optional[_Deadline] = None
            if not read_lock.acquire(False):
                deadline = _Deadline(channel.backend, PR_INTERVAL_NO_TIMEOUT)
                self._lock_reading(channel, deadline, file)
            try:
                if self._rbuf:
                    return self._take_buffered(amount)
                return self._recv_fresh(channel, amount, deadline, file=file)
            finally:
                read_lock.release()
        finally:
            channel.leave()

    def _file_send(self, channel: _Channel, file: _SocketFile, data: bytes) -> int:
        """A write through ``file``: every byte, as sendall()."""
        channel.enter_file()
        try:
            return self._send(
                channel, data, PR_INTERVAL_NO_TIMEOUT, partial=False, file=file
            )
        finally:
            channel.leave()

    @overload
    def makefile(
        self,
        mode: _BinaryMode,
        buffersize: Literal[0],
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> std_io.RawIOBase: ...
    @overload
    def makefile(
        self,
        mode: _ReadBinaryMode,
        buffersize: Literal[-1] = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> std_io.BufferedReader: ...
    @overload
    def makefile(
        self,
        mode: _WriteBinaryMode,
        buffersize: Literal[-1] = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> std_io.BufferedWriter: ...
    @overload
    def makefile(
        self,
        mode: _ReadWriteBinaryMode,
        buffersize: Literal[-1] = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> std_io.BufferedRWPair: ...
    @overload
    def makefile(
        self,
        mode: _BinaryMode,
        buffersize: int,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> Union[std_io.BufferedIOBase, std_io.RawIOBase]: ...
    @overload
    def makefile(
        self,
        mode: _TextMode = "r",
        buffersize: int = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> std_io.TextIOWrapper: ...
    @overload
    def makefile(
        self,
        mode: str,
        buffersize: int = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> _FileObject: ...
    def makefile(
        self,
        mode: str = "r",
        buffersize: int = -1,
        *,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> _FileObject:
        """makefile(mode='r', buffersize=-1) -> file object

        Return a file object reading from and/or writing to the socket;
        ``mode`` and ``buffersize`` are as for the built-in open(). As with
        socket.makefile(), the file keeps working after close(), and the last
        of the socket and its files to close releases the descriptor. Reads
        and writes through the file wait without a timeout (in non-blocking
        mode they raise PR_WOULD_BLOCK_ERROR); closing the file wakes a call
        waiting through it in another thread.
        """
        if not isinstance(mode, str):
            raise TypeError(
                "makefile() argument 1 must be str, not %s" % type(mode).__name__
            )
        buffering = _args.c_int(buffersize)
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError("invalid mode %r (only r, w, b allowed)" % (mode,))
        writing = "w" in mode
        reading = "r" in mode or not writing
        binary = "b" in mode
        channel = self._channel()
        channel.add_file()
        raw = _SocketFile(self, channel, reading, writing)
        if buffering < 0:
            buffering = std_io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if not binary:
                raw.close()
                raise ValueError("unbuffered streams must be binary")
            return raw
        buffer: Union[
            std_io.BufferedRWPair, std_io.BufferedReader, std_io.BufferedWriter
        ]
        if reading and writing:
            buffer = std_io.BufferedRWPair(raw, raw, buffering)
        elif reading:
            buffer = std_io.BufferedReader(raw, buffering)
        else:
            buffer = std_io.BufferedWriter(raw, buffering)
        if binary:
            return buffer
        text = std_io.TextIOWrapper(cast(Any, buffer), encoding, errors, newline)
        text.mode = mode  # type: ignore[misc]  # as socket.makefile() does
        return text

    # -- static methods -------------------------------------------------------

    @staticmethod
    def new_tcp_pair(*, backend: Optional[Backend] = None) -> Tuple[Socket, Socket]:
        """new_tcp_pair() -> (Socket, Socket)

        Return a pair of connected sockets: data written to one can be read
        from the other and vice versa (local, PR_AF_LOCAL, sockets).
        """
        if backend is None:
            backend = get_backend()
        first, second = backend.new_tcp_pair()
        return (
            Socket._wrap(backend, first, PR_AF_LOCAL),
            Socket._wrap(backend, second, PR_AF_LOCAL),
        )

    @staticmethod
    def import_tcp_socket(osfd: int, *, backend: Optional[Backend] = None) -> Socket:
        """import_tcp_socket(osfd) -> Socket

        Return a Socket using the socket file descriptor ``osfd``, which it
        owns from now on. A descriptor that is not a socket raises NSPRError
        and is left untouched.
        """
        osfd = _args.c_int(osfd)
        try:
            mode = os.fstat(osfd).st_mode
        except OSError as exc:
            if exc.errno == _errno.EBADF:
                raise nspr_error(PR_BAD_DESCRIPTOR_ERROR) from None
            raise nspr_error(PR_NOT_SOCKET_ERROR) from None
        if not stat.S_ISSOCK(mode):
            raise nspr_error(PR_NOT_SOCKET_ERROR)
        if backend is None:
            backend = get_backend()
        handle = backend.import_tcp_socket(osfd)
        try:
            family = backend.get_sock_name(handle).family
        except BaseException:
            backend.close(handle)
            raise
        return Socket._wrap(backend, handle, family)

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
        socks, flags = _parse_poll_descs(poll_descs)
        timeout = _args.c_uint_mask(timeout)
        return _poll(socks, flags, timeout, backend)

    # -- dunders --------------------------------------------------------------

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __str__(self) -> str:
        return "family=%s type=%s" % (
            family_name(self._family),
            desc_type_name(self._desc_type),
        )

    def __repr__(self) -> str:
        channel = self._ch
        state = "closed" if channel is None or channel.closed else "open"
        return "<%s %s %s>" % (type(self).__qualname__, state, self)

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle %r object" % type(self).__name__)


def _parse_option_value(option: int, values: Tuple[Any, ...]) -> OptionValue:
    expected = 3 if option in _MEMBERSHIP_OPTIONS or option == PR_SockOpt_Linger else 2
    if len(values) + 1 != expected:
        raise TypeError(
            "set_socket_option() takes exactly %d arguments (%d given)"
            % (expected, len(values) + 1)
        )
    if option in _FLAG_OPTIONS:
        return bool(_args.c_int(values[0]))
    if option in _NUMBER_OPTIONS:
        return _args.c_uint_mask(values[0])
    if option == PR_SockOpt_Linger:
        return (bool(_args.c_int(values[0])), _args.c_uint_mask(values[1]))
    if option == PR_SockOpt_McastInterface:
        return sockaddr_of(_check_address(values[0], "set_socket_option"))
    group = sockaddr_of(_check_address(values[0], "set_socket_option"))
    interface = sockaddr_of(_check_address(values[1], "set_socket_option"))
    return (group, interface)


def _parse_poll_descs(poll_descs: Any) -> Tuple[List[Socket], List[int]]:
    """Check every ``(socket, flags)`` entry; the sockets and the flags."""
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
        if not isinstance(sock, Socket):
            raise TypeError("Invalid content of poll_descs")
        flags = item[1]
        flags = _args.c_long(flags)
        if not _args.SHORT_MIN <= flags <= _args.SHORT_MAX:
            raise TypeError("Invalid content of poll_descs")
        socks.append(sock)
        flags_list.append(flags)
    return socks, flags_list


def _poll(
    socks: List[Socket], flags: List[int], timeout: int, backend: Optional[Backend]
) -> Tuple[int, ...]:
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
    if timeout == 0:  # one look, no waiting
        result = _poll_slice(backend, flags, channels, 0)
        return (0,) * len(flags) if result is None else result
    deadline = _Deadline(backend, timeout)
    while True:
        try:
            ticks = deadline.next_slice()
        except NSPRError:
            return (0,) * len(flags)
        result = _poll_slice(backend, flags, channels, ticks)
        if result is not None:
            return result


def _poll_slice(
    backend: Backend,
    flags: List[int],
    channels: List[Optional[_Channel]],
    ticks: int,
) -> Optional[Tuple[int, ...]]:
    """One bounded poll; the result when something is ready, else None.

    Each live socket is entered for the slice, so none is released under the
    poll; one closed meanwhile by another thread reports PR_POLL_NVAL.
    """
    handles: List[Optional[Handle]] = []
    try:
        if _Channel.enter_all(channels, handles):
            return tuple(
                PR_POLL_NVAL if handle is _CLOSED_HANDLE else 0 for handle in handles
            )
        ready, out_flags = backend.poll(list(zip(handles, flags)), ticks)
    finally:
        _Channel.leave_all(channels, handles)
    if ready:
        return tuple(out_flags)
    return None


class _SocketFile(std_io.RawIOBase):
    """The raw file behind ``Socket.makefile()``.

    It keeps the socket's handle open until it is closed, even after
    ``Socket.close()``; closing it ends a call waiting in it (from another
    thread) within a slice.
    """

    def __init__(
        self, sock: Socket, channel: _Channel, reading: bool, writing: bool
    ) -> None:
        super().__init__()
        self._sock = sock
        self._channel_ref = channel
        self._reading = reading
        self._writing = writing

    def readable(self) -> bool:
        return self._reading

    def writable(self) -> bool:
        return self._writing

    def readinto(self, buffer: Any) -> int:
        self._checkClosed()
        if not self._reading:
            raise std_io.UnsupportedOperation("not readable")
        view = memoryview(buffer).cast("B")
        data = self._sock._file_recv(self._channel_ref, self, len(view))
        view[: len(data)] = data
        return len(data)

    def write(self, buffer: Any) -> int:
        self._checkClosed()
        if not self._writing:
            raise std_io.UnsupportedOperation("not writable")
        return self._sock._file_send(self._channel_ref, self, bytes(buffer))

    def fileno(self) -> int:
        self._checkClosed()
        channel = self._channel_ref
        handle = channel.enter_file()
        try:
            return channel.backend.fileno(handle)
        finally:
            channel.leave()

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        self._channel_ref.release_file()


__all__ = ["Socket"]
