"""``Socket``: NSPR sockets over a backend's bounded primitives.

The methods check their arguments, enter the socket's channel (the guard that
keeps the handle alive while they use it) and make one backend call; when that
call comes back empty, the blocking engine (:mod:`nspr_ctypes._engine`) goes
on waiting in slices.
"""

from __future__ import annotations

import builtins
import errno as _errno
import os
import stat
import sys
import threading
import warnings
from typing import (
    TYPE_CHECKING,
    Any,
    Iterator,
    List,
    Optional,
    Tuple,
    TypeVar,
    cast,
)

from nspr_ctypes import _args

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
from nspr_ctypes import backends as _backends
from nspr_ctypes._address import (
    NetworkAddress,
    check_address_backend,
    desc_type_name,
    family_name,
    sockaddr_of,
)
from nspr_ctypes._address import check_address as _check_address
from nspr_ctypes._engine import CLOSED_MESSAGE as _CLOSED_MESSAGE
from nspr_ctypes._engine import Channel as _Channel
from nspr_ctypes._engine import (
    Deadline,
    acquire_waiting,
    call_blocking,
    first_slice,
    keep_trying,
    send_all,
    send_rest,
    try_until,
    with_bytes_sent,
)
from nspr_ctypes._poll import _SocketPoll
from nspr_ctypes._readahead import ReadAhead
from nspr_ctypes._socket_files import _SocketFiles
from nspr_ctypes._socket_options import _SocketOptions
from nspr_ctypes.backends import get_backend
from nspr_ctypes.backends._base import _RECV_CAP, Backend, Handle, SockAddr
from nspr_ctypes.constants import (
    PR_AF_INET,
    PR_AF_INET6,
    PR_AF_LOCAL,
    PR_DESC_SOCKET_TCP,
    PR_DESC_SOCKET_UDP,
    PR_INTERVAL_NO_TIMEOUT,
    PR_SHUTDOWN_BOTH,
)
from nspr_ctypes.error import (
    PR_ADDRESS_NOT_SUPPORTED_ERROR,
    PR_BAD_DESCRIPTOR_ERROR,
    PR_IN_PROGRESS_ERROR,
    PR_INVALID_ARGUMENT_ERROR,
    PR_INVALID_METHOD_ERROR,
    PR_NOT_SOCKET_ERROR,
    PR_WOULD_BLOCK_ERROR,
    NSPRError,
    nspr_error,
)

# _RECV_CAP: the most one receive asks of the backend; recv() may return less.
_READ_CHUNK = 64 * 1024
# The int arguments of the hot calls skip the conversion frame when already
# in range (the usual case); _args converts and checks the others.
_LONG_MIN = _args.LONG_MIN
_LONG_MAX = _args.LONG_MAX

_T = TypeVar("_T")
_new_object = object.__new__
# Serialises the lazy creation of a socket's read-ahead buffer (once per socket).
_READER_SETUP_LOCK = threading.Lock()

# Socket() without a family warns; None is a TypeError as in python-nss.
_FAMILY_OMITTED: int = cast(int, object())

_SOCKET_INIT_WARNING = (
    "Socket initialization will require family parameter in future, default "
    "family parameter of PR_AF_INET is deprecated. Suggest using the family "
    "property of the NetworkAddress object associated with the socket, e.g. "
    "Socket(net_addr.family)"
)


def _connected(backend: Backend, handle: Handle, ticks: int) -> Optional[bool]:
    """A slice of waiting for a connection in progress: True once set up."""
    return True if backend.connect_continue(handle, ticks) else None


_SOCKET_FAMILIES = (PR_AF_INET, PR_AF_INET6, PR_AF_LOCAL)


def _sockaddr_for_call(addr: NetworkAddress) -> SockAddr:
    try:
        sa = addr._sa
    except AttributeError:  # made by NetworkAddress.__new__ alone: unset
        sa = sockaddr_of(addr)
    if sa.family not in _SOCKET_FAMILIES:
        raise nspr_error(PR_ADDRESS_NOT_SUPPORTED_ERROR)
    return sa


class Socket(_SocketFiles, _SocketOptions, _SocketPoll):
    """Socket(family=PR_AF_INET, type=PR_DESC_SOCKET_TCP)

    Create a new NSPR socket. ``family`` is PR_AF_INET, PR_AF_INET6 or
    PR_AF_LOCAL; ``type`` PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP. Timeouts
    are NSPR intervals (ticks); PR_INTERVAL_NO_TIMEOUT waits for ever.
    """

    __module__ = "nspr_ctypes.io"
    __slots__ = (
        "__weakref__",
        "_ahead",
        "_ch",
        "_desc_type",
        "_family",
        "_netaddr",
    )
    _ahead: Optional[ReadAhead]
    _ch: Optional[_Channel]
    _family: int
    _desc_type: int
    _netaddr: Optional[NetworkAddress]

    def __new__(cls, *args: Any, **kwargs: Any) -> Socket:
        # A Socket made without __init__ behaves as a closed one. (object's
        # __new__ directly: super() would look through the private bases.)
        self: Socket = _new_object(cls)
        self._ch = None
        self._family = 0
        self._desc_type = 0
        self._netaddr = None
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
        elif builtins.type(family) is not int:  # the usual case skips the checks
            if not isinstance(family, int):
                raise TypeError(
                    "family must be int, not %s" % builtins.type(family).__name__
                )
            family = _args.wrap_c_int(family)
        elif not _args.INT_MIN <= family <= _args.INT_MAX:
            family = _args.wrap_c_int(family)
        desc_type = type
        if builtins.type(desc_type) is not int or not 0 <= desc_type <= 0xFFFF:
            desc_type = _args.c_int(desc_type)
        # Re-initialisation replaces the descriptor: as in python-nss, the old
        # one is closed once the arguments parse, even if their values are bad.
        if self._ch is not None:
            self._discard_channel()
        if desc_type not in (PR_DESC_SOCKET_TCP, PR_DESC_SOCKET_UDP):
            raise ValueError("type must be PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP")
        if backend is None:
            backend = _backends._default or get_backend()
        if family not in _SOCKET_FAMILIES:
            raise nspr_error(PR_ADDRESS_NOT_SUPPORTED_ERROR)
        # (_wrap's stores, inline: one frame less per socket)
        self._ch = _Channel(backend, backend.open_socket(family, desc_type))
        self._family = family
        self._desc_type = desc_type
        self._netaddr = None
        self._ahead = None

    def __del__(self) -> None:
        # The safety net for a socket dropped without close(): warn, release.
        # (A finalizer object per socket would cost more than the socket.)
        try:
            channel = self._ch
        except AttributeError:  # __new__ failed part way
            return
        if channel is None or channel.closed or not channel.drop():
            return
        try:
            # Formatted only now: a string kept per open socket would cost
            # more memory than the socket.
            warnings.warn(
                "unclosed nspr_ctypes.io.Socket family=%s type=%s"
                % (family_name(self._family), desc_type_name(self._desc_type)),
                ResourceWarning,
                stacklevel=1,
                source=self,
            )
        except Exception:  # interpreter shutdown: modules half torn down
            pass

    @classmethod
    def _wrap(cls, backend: Backend, handle: Handle, family: int) -> Socket:
        sock: Socket = _new_object(Socket)  # no __new__ frame: all set here
        sock._ch = _Channel(backend, handle)
        sock._family = family
        sock._desc_type = PR_DESC_SOCKET_TCP
        sock._netaddr = None
        # No read-ahead buffer (and no read lock) until a call needs one:
        # readline(), read(-1), readlines(), iteration, a makefile() read.
        sock._ahead = None
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
        if type(addr) is not NetworkAddress:  # the usual case skips the frame
            _check_address(addr, "connect")
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        channel = self._ch
        # The checks of _check_family, _check_backend and _sockaddr_for_call,
        # inline for a plain address of this socket's family and backend (a
        # connection set-up runs through here); the methods themselves check
        # and raise, in that order, for anything else.
        sa: Optional[SockAddr] = None
        if type(addr) is NetworkAddress:
            sa = getattr(addr, "_sa", None)
        if (
            sa is None
            or sa.family != self._family
            or channel is None
            or channel.closed
            or getattr(addr, "_backend", None) is not channel.backend
            or sa.family not in _SOCKET_FAMILIES
        ):
            self._check_family(addr)
            self._check_backend(addr, "connect")
            self._netaddr = addr  # kept even when the socket turns out closed
            channel = self._channel()
            if channel.closed:
                raise ValueError(_CLOSED_MESSAGE)
            sa = None  # _sockaddr_for_call below, inside the guard
        else:
            self._netaddr = addr
        channel.append(None)  # the guard (see _engine.Channel), written inline
        try:
            if channel.closed:
                raise ValueError(_CLOSED_MESSAGE)
            if sa is None:
                sa = _sockaddr_for_call(addr)
            backend = channel.backend
            handle = channel.handle
            first = first_slice(channel, timeout)
            if backend.connect(handle, sa, first):
                return
            if not channel.first_wait:  # non-blocking
                raise nspr_error(PR_IN_PROGRESS_ERROR)
            keep_trying(channel, _connected, (backend, handle), timeout, first)
        finally:
            channel.pop()
            if channel.closed:
                channel.release_if_idle()

    def _accepted(
        self, backend: Backend, accepted: Tuple[Handle, SockAddr]
    ) -> Tuple[Socket, NetworkAddress]:
        new_handle, peer = accepted
        sock = Socket._wrap(backend, new_handle, self._family)
        return sock, NetworkAddress._from_sockaddr(peer, backend)

    def accept(
        self, timeout: int = PR_INTERVAL_NO_TIMEOUT
    ) -> Tuple[Socket, NetworkAddress]:
        """accept(timeout=PR_INTERVAL_NO_TIMEOUT) -> (Socket, NetworkAddress)

        Accept the first pending connection of this listening socket.
        """
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        channel = self._ch
        if channel is None:
            raise ValueError(_CLOSED_MESSAGE)
        channel.append(None)  # the guard (see _engine.Channel), written inline
        try:
            if channel.closed:
                raise ValueError(_CLOSED_MESSAGE)
            if self._desc_type == PR_DESC_SOCKET_UDP:
                raise nspr_error(PR_INVALID_METHOD_ERROR)
            backend = channel.backend
            handle = channel.handle
            first = first_slice(channel, timeout)
            accepted = backend.accept(handle, first)
            if accepted is None:
                accepted = keep_trying(
                    channel, backend.accept, (handle,), timeout, first
                )
        finally:
            channel.pop()
            if channel.closed:
                channel.release_if_idle()
        new_handle, peer = accepted
        sock = Socket._wrap(backend, new_handle, self._family)
        return sock, NetworkAddress._from_sockaddr(peer, backend)

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
            if not channel.first_wait:  # NSPR refuses accept_read when non-blocking
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
            if self._desc_type == PR_DESC_SOCKET_UDP:
                raise nspr_error(PR_INVALID_METHOD_ERROR)
            backend = channel.backend
            deadline = Deadline(channel, timeout)
            accepted = try_until(deadline, channel, backend.accept, (handle,))
            sock, peer = self._accepted(backend, accepted)
            try:
                new_channel = sock._channel()
                ask = min(amount, _RECV_CAP)
                data = try_until(
                    deadline,
                    new_channel,
                    backend.recv,
                    (new_channel.handle, ask),
                )
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
    # recv() goes straight to the backend until a call needs the read-ahead
    # buffer (readline(), read(-1), readlines(), iteration, a makefile()
    # read); from then on every receive takes the buffer's read lock and
    # empties the buffer first, so that no two callers see bytes out of
    # order. readline() of a line already received takes no lock: see
    # nspr_ctypes._readahead.

    def _read_ahead(self) -> ReadAhead:
        """The read-ahead buffer, made on first use."""
        ahead = self._ahead
        if ahead is None:
            with _READER_SETUP_LOCK:
                ahead = self._ahead
                if ahead is None:
                    ahead = self._ahead = ReadAhead()
        return ahead

    def _buffered_call(
        self, channel: _Channel, timeout: int
    ) -> Tuple[ReadAhead, Optional[Deadline]]:
        """Enter ``channel`` and take the read lock: the buffer, and the
        deadline made while waiting for the lock. End with
        :meth:`_end_buffered_call`."""
        ahead = self._read_ahead()
        channel.__enter__()
        try:
            deadline = acquire_waiting(ahead.lock, channel, timeout)
        except BaseException:
            channel.leave()
            raise
        return ahead, deadline

    @staticmethod
    def _end_buffered_call(channel: _Channel, ahead: ReadAhead) -> None:
        ahead.lock.release()
        channel.leave()

    def _recv_buffered(self, channel: _Channel, amount: int, timeout: int) -> bytes:
        """recv() once the read-ahead buffer exists: buffered bytes first,
        else one receive; waiting for another reader counts in the timeout."""
        ahead, deadline = self._buffered_call(channel, timeout)
        try:
            if amount:
                data = ahead.take(amount)
                if data:
                    return data
            elif ahead.pending():
                return b""
            ask = amount if amount < _RECV_CAP else _RECV_CAP
            return call_blocking(
                channel,
                channel.backend.recv,
                (channel.handle, ask),
                timeout,
                deadline,
            )
        finally:
            self._end_buffered_call(channel, ahead)

    def _recv_into_buffered(
        self, channel: _Channel, view: memoryview, timeout: int
    ) -> int:
        """recv_into() once the read-ahead buffer exists: buffered bytes
        first, else one receive into ``view``."""
        ahead, deadline = self._buffered_call(channel, timeout)
        try:
            count = ahead.take_into(view)
            if count:
                return count
            return call_blocking(
                channel,
                channel.backend.recv_into,
                (channel.handle, view),
                timeout,
                deadline,
            )
        finally:
            self._end_buffered_call(channel, ahead)

    def recv(self, amount: int, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> bytes:
        """recv(amount, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Receive at most ``amount`` bytes, blocking until some arrive. Bytes
        already buffered by readline() are returned first, without waiting.
        ``b''`` means the connection is closed.
        """
        # 0..cap compares two small ints (cheaper); other ints still pass
        if type(amount) is not int or not 0 <= amount <= _RECV_CAP:
            amount = _args.c_long(amount)
            if amount > _RECV_CAP:
                amount = _RECV_CAP
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        channel = self._ch
        if channel is None or channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        if amount < 0:
            raise ValueError("negative buffersize in recv")
        if self._ahead is not None:
            return self._recv_buffered(channel, amount, timeout)
        channel.append(None)  # the guard (see _engine.Channel), written inline
        try:
            if channel.closed:
                raise ValueError(_CLOSED_MESSAGE)
            backend = channel.backend
            handle = channel.handle
            first = channel.first_wait  # first_slice(), inline
            if timeout < first:
                first = timeout
            data = backend.recv(handle, amount, first)
            if data is None:
                data = keep_trying(
                    channel, backend.recv, (handle, amount), timeout, first
                )
            return data
        finally:
            channel.pop()
            if channel.closed:
                channel.release_if_idle()

    def recv_into(
        self,
        buffer: WriteableBuffer,
        nbytes: int = 0,
        timeout: int = PR_INTERVAL_NO_TIMEOUT,
    ) -> int:
        """recv_into(buffer, nbytes=0, timeout=PR_INTERVAL_NO_TIMEOUT) -> int

        Receive at most ``nbytes`` bytes (all of ``buffer`` when 0) into the
        writable bytes-like object ``buffer``, without allocating, and return
        how many arrived; 0 means the connection is closed (or ``buffer`` is
        empty). Otherwise as recv(), including bytes buffered by readline().
        Not in python-nss: as ``socket.socket.recv_into``.
        """
        with memoryview(buffer) as raw:
            if raw.readonly:
                raise TypeError(
                    "recv_into() argument 'buffer' must be read-write "
                    "bytes-like object, not %s" % type(buffer).__name__
                )
            with raw.cast("B") as view:
                return self._recv_into(view, nbytes, timeout)

    def _recv_into(self, view: memoryview, nbytes: int, timeout: int) -> int:
        if type(nbytes) is not int or not _LONG_MIN <= nbytes <= _LONG_MAX:
            nbytes = _args.c_long(nbytes)
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        channel = self._ch
        if channel is None or channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        if nbytes < 0:
            raise ValueError("negative buffersize in recv_into")
        size = len(view)
        if nbytes == 0:
            nbytes = size
        elif nbytes > size:
            raise ValueError("buffer too small for requested bytes")
        if nbytes == 0:
            return 0
        if nbytes > _RECV_CAP:
            nbytes = _RECV_CAP
        target = view if nbytes == size else view[:nbytes]
        if self._ahead is not None:
            return self._recv_into_buffered(channel, target, timeout)
        # As recv(): the guard and the first try inline (a bulk reader's loop)
        channel.append(None)
        try:
            if channel.closed:
                raise ValueError(_CLOSED_MESSAGE)
            backend = channel.backend
            handle = channel.handle
            first = channel.first_wait  # first_slice(), inline
            if timeout < first:
                first = timeout
            count = backend.recv_into(handle, target, first)
            if count is None:
                count = keep_trying(
                    channel, backend.recv_into, (handle, target), timeout, first
                )
            return count
        finally:
            channel.pop()
            if channel.closed:
                channel.release_if_idle()

    def read(self, size: int = -1, *, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> bytes:
        """read(size=-1, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        With ``size`` >= 0, as recv(size). With a negative ``size``, read until
        EOF. A timeout raises NSPRError PR_IO_TIMEOUT_ERROR and keeps what was
        read for the next call.
        """
        size = _args.c_long(size)
        timeout = _args.c_uint_mask(timeout)
        if size >= 0:
            return self.recv(size, timeout)
        channel = self._open_channel()
        ahead, deadline = self._buffered_call(channel, timeout)
        try:
            if deadline is None:
                deadline = Deadline(channel, timeout)
            recv = channel.backend.recv
            args = (channel.handle, _READ_CHUNK)
            parts = [ahead.take_all()]
            try:
                while True:
                    data = call_blocking(channel, recv, args, timeout, deadline)
                    if not data:
                        return b"".join(parts)
                    parts.append(data)
            except BaseException:
                ahead.feed(b"".join(parts))  # nothing is lost: all back in front
                raise
        finally:
            self._end_buffered_call(channel, ahead)

    def _readline_locked(
        self, channel: _Channel, ahead: ReadAhead, size: int, deadline: Deadline
    ) -> bytes:
        """The next line (``size`` > 0: at most ``size`` bytes; EOF: the
        rest, ``b''`` when none): from ``ahead``, else receive until it is
        whole. Needs the read lock; what it received stays in ``ahead``."""
        recv = channel.backend.recv
        args = (channel.handle, _READ_CHUNK)
        while True:
            line = ahead.take_line(size)
            if line:
                return line
            data = call_blocking(channel, recv, args, 0, deadline)
            if not data:
                return ahead.take_all()
            ahead.feed(data)

    def readline(
        self, size: int = 0, *, timeout: int = PR_INTERVAL_NO_TIMEOUT
    ) -> bytes:
        """readline(size=0, *, timeout=PR_INTERVAL_NO_TIMEOUT) -> buf

        Read one line, up to and including ``\\n``; with ``size`` > 0 at most
        ``size`` bytes. ``b''`` at EOF. A timeout raises NSPRError
        PR_IO_TIMEOUT_ERROR and keeps the bytes read so far.
        """
        if type(size) is not int or type(timeout) is not int:
            size = _args.c_long(size)
            timeout = _args.c_uint_mask(timeout)
        channel = self._ch
        if channel is None or channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        ahead = self._ahead
        if ahead is not None:
            # A whole line already received: one C call, no lock.
            try:
                line: bytes = ahead.lines.readline(size or -1)
            except OverflowError:  # sizes past C's: converted below
                line = b""
            if line:
                return line
        return self._readline_waiting(channel, size, timeout)

    def _readline_waiting(self, channel: _Channel, size: int, timeout: int) -> bytes:
        """readline() when no whole line is buffered: under the read lock,
        receive (waiting in slices) until one is."""
        if type(size) is not int or not _LONG_MIN <= size <= _LONG_MAX:
            size = _args.c_long(size)
        if size < 0:
            size = 0
        elif size > sys.maxsize:
            size = sys.maxsize  # no line is that long
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        ahead, deadline = self._buffered_call(channel, timeout)
        try:
            if deadline is None:
                deadline = Deadline(channel, timeout)
            return self._readline_locked(channel, ahead, size, deadline)
        finally:
            self._end_buffered_call(channel, ahead)

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
        ahead, deadline = self._buffered_call(channel, timeout)
        try:
            if deadline is None:
                deadline = Deadline(channel, timeout)
            # The lines are read from a private buffer, which no lock-free
            # readline() sees: on an error they go back in front, whole and
            # in order, with what came after them.
            mine = ReadAhead()
            mine.feed(ahead.take_all())
            lines: List[bytes] = []
            total = 0
            try:
                while True:
                    line = self._readline_locked(channel, mine, 0, deadline)
                    if not line:
                        return lines
                    lines.append(line)
                    total += len(line)
                    if 0 < sizehint <= total:
                        ahead.feed(mine.take_all())
                        return lines
            except BaseException:
                ahead.feed(b"".join(lines) + mine.take_all())
                raise
        finally:
            self._end_buffered_call(channel, ahead)

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
        ahead = self._ahead
        return 0 if ahead is None else ahead.pending()

    def __iter__(self) -> Iterator[bytes]:
        channel = self._channel()
        if channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        return self

    def __next__(self) -> bytes:
        channel = self._ch
        if channel is None or channel.closed:
            raise ValueError(_CLOSED_MESSAGE)
        ahead = self._ahead
        if ahead is not None:
            line: bytes = ahead.lines.readline()  # as readline(): no lock
            if line:
                return line
        line = self._readline_waiting(channel, 0, PR_INTERVAL_NO_TIMEOUT)
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
        # The usual arguments are checked inline (a datagram server's loop)
        if type(amount) is not int or not 0 <= amount <= _args.INT_MAX:
            amount = _args.c_int(amount)
        _check_address(addr, "recv_from")
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        self._check_family(addr)
        self._check_backend(addr, "recv_from")
        channel = self._ch
        if channel is None:
            raise ValueError(_CLOSED_MESSAGE)
        with channel as handle:
            self._netaddr = addr
            if amount < 0:
                raise ValueError("negative buffersize in recv_from")
            data, sender = call_blocking(
                channel,
                channel.backend.recv_from,
                (handle, amount),
                timeout,
            )
            addr._sa = sender
            return data

    # -- sending --------------------------------------------------------------

    def send(self, buf: bytes, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> int:
        """send(buf, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send ``buf``, blocking until every byte is sent (in non-blocking mode,
        what fits now). On a timeout or error NSPRError is raised, with the
        count already sent in ``bytes_sent``.
        """
        # The checks of need_bytes() and _channel(), inline for plain bytes
        data = buf if type(buf) is bytes else _args.need_bytes(buf, "send")
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        channel = self._ch
        if channel is None:
            raise ValueError(_CLOSED_MESSAGE)
        channel.append(None)  # the guard (see _engine.Channel), written inline
        try:
            if channel.closed:
                raise ValueError(_CLOSED_MESSAGE)
            # send_all(), inline: its first try, which does not wait, is all
            # that most sends take, then with a frame less
            try:
                count = channel.backend.send_at(channel.handle, data, 0, 0)
                if count is None and not channel.first_wait:
                    raise nspr_error(PR_WOULD_BLOCK_ERROR)
            except NSPRError as error:
                raise with_bytes_sent(error, 0) from None
            if count is not None and (count >= len(data) or not channel.first_wait):
                return count
            return send_rest(channel, data, timeout, count or 0)
        finally:
            channel.pop()
            if channel.closed:
                channel.release_if_idle()

    def sendall(self, buf: bytes, timeout: int = PR_INTERVAL_NO_TIMEOUT) -> int:
        """sendall(buf, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send every byte of ``buf`` or raise NSPRError, whose ``bytes_sent``
        says how much was sent before the failure.
        """
        # As send(): the checks and the guard inline (http.client sends each
        # request with sendall)
        data = buf if type(buf) is bytes else _args.need_bytes(buf, "sendall")
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        channel = self._ch
        if channel is None:
            raise ValueError(_CLOSED_MESSAGE)
        channel.append(None)  # the guard (see _engine.Channel), written inline
        try:
            if channel.closed:
                raise ValueError(_CLOSED_MESSAGE)
            return send_all(channel, data, timeout, False)
        finally:
            channel.pop()
            if channel.closed:
                channel.release_if_idle()

    def send_to(
        self,
        buf: bytes,
        addr: NetworkAddress,
        timeout: int = PR_INTERVAL_NO_TIMEOUT,
    ) -> int:
        """send_to(buf, addr, timeout=PR_INTERVAL_NO_TIMEOUT) -> amount

        Send ``buf`` as one datagram to ``addr``.
        """
        # The usual arguments are checked inline (a datagram server's loop)
        data = buf if type(buf) is bytes else _args.need_bytes(buf, "send_to")
        _check_address(addr, "send_to")
        if type(timeout) is not int or not 0 <= timeout <= 0xFFFFFFFF:
            timeout = _args.c_uint_mask(timeout)
        self._check_family(addr)
        self._check_backend(addr, "send_to")
        self._netaddr = addr
        channel = self._ch
        if channel is None:
            raise ValueError(_CLOSED_MESSAGE)
        with channel as handle:
            return call_blocking(
                channel,
                channel.backend.send_to,
                (handle, data, _sockaddr_for_call(addr)),
                timeout,
            )

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


__all__ = ["Socket"]
