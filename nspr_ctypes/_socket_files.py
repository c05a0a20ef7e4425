"""``Socket.makefile()``: the raw file and the socket's side of it.

``_SocketFiles`` (a base class of ``Socket``) holds ``makefile()`` and the two
methods its files read and write through; ``_SocketFile`` is the raw file.
"""

from __future__ import annotations

import io as std_io
from typing import TYPE_CHECKING, Any, Literal, Optional, Union, cast, overload

from nspr_ctypes import _args
from nspr_ctypes._engine import (
    CLOSED_FILE_MESSAGE,
    acquire_waiting,
    keep_trying,
    send_all,
    try_until,
)
from nspr_ctypes._engine import CLOSED_MESSAGE as _CLOSED_MESSAGE
from nspr_ctypes._engine import Channel as _Channel
from nspr_ctypes._readahead import NO_LINES, ReadAhead
from nspr_ctypes.backends._base import _RECV_CAP
from nspr_ctypes.constants import PR_INTERVAL_NO_TIMEOUT

# makefile()'s result type by mode (the letters r, w, b in any order).
_TextMode = Literal["", "r", "w", "rw", "wr"]
_ReadBinaryMode = Literal["b", "rb", "br"]
_WriteBinaryMode = Literal["wb", "bw"]
_ReadWriteBinaryMode = Literal["rwb", "rbw", "wrb", "wbr", "brw", "bwr"]
_BinaryMode = Union[_ReadBinaryMode, _WriteBinaryMode, _ReadWriteBinaryMode]
_FileObject = Union[std_io.TextIOWrapper, std_io.BufferedIOBase, std_io.RawIOBase]


class _SocketFiles:
    """``makefile()`` and the reads and writes of its files (a base of ``Socket``).

    A makefile() file keeps the channel's handle (each channel's files are
    counted in ``_engine._file_counts``) and works on after close(); it reads
    and writes through ``_file_recv_into`` and ``_file_send``, which wait as
    the socket's methods do with no timeout, until its own close.
    """

    __slots__ = ()

    if TYPE_CHECKING:  # what Socket provides
        _ahead: Optional[ReadAhead]

        def _channel(self) -> _Channel: ...
        def _read_ahead(self) -> ReadAhead: ...

    def _file_recv_into(self, channel: _Channel, file: _SocketFile, buffer: Any) -> int:
        """A read through ``file`` into ``buffer``: bytes the socket's
        read-ahead buffer holds first, else one receive straight into
        ``buffer``; 0 at EOF. Under the read lock, as every receive once a
        file reads: the files and the socket's own readers take turns."""
        if (
            type(buffer) is not memoryview
            or buffer.format != "B"
            or buffer.readonly
            or not buffer.c_contiguous
            or len(buffer) > _RECV_CAP
        ):
            return self._file_recv_into_any(channel, file, buffer)
        # What io.BufferedReader passes: written inline, this is per chunk
        # of every makefile() read.
        if not buffer:
            return 0
        ahead = self._ahead
        if ahead is None:
            ahead = self._read_ahead()
        lock = ahead.lock
        channel.append(None)  # the guard, as Channel.enter_file()
        try:
            handle = channel.handle
            if handle is None:
                raise ValueError(_CLOSED_MESSAGE)
            deadline = None
            if not lock.acquire(False):
                deadline = acquire_waiting(lock, channel, PR_INTERVAL_NO_TIMEOUT, file)
            try:
                if ahead.lines is not NO_LINES or ahead.tail:
                    count = ahead.take_into(buffer)
                    if count:
                        return count
                backend = channel.backend
                if deadline is not None:
                    return try_until(
                        deadline,
                        channel,
                        backend.recv_into,
                        (handle, buffer),
                        file,
                    )
                first = channel.first_wait
                result = backend.recv_into(handle, buffer, first)
                if result is None:
                    result = keep_trying(
                        channel,
                        backend.recv_into,
                        (handle, buffer),
                        PR_INTERVAL_NO_TIMEOUT,
                        first,
                        file,
                    )
                return result
            finally:
                lock.release()
        finally:
            channel.pop()
            if channel.closed:
                channel.release_if_idle()

    def _file_recv_into_any(
        self, channel: _Channel, file: _SocketFile, buffer: Any
    ) -> int:
        """_file_recv_into() of any writable bytes-like object."""
        with memoryview(buffer) as raw:
            if raw.readonly:
                raise TypeError(
                    "readinto() argument must be read-write bytes-like object, "
                    "not %s" % type(buffer).__name__
                )
            with raw.cast("B") as view, view[:_RECV_CAP] as capped:
                return self._file_recv_into(channel, file, capped)

    def _file_send(self, channel: _Channel, file: _SocketFile, data: bytes) -> int:
        """A write through ``file``: every byte, as sendall()."""
        channel.enter_file()
        try:
            return send_all(channel, data, PR_INTERVAL_NO_TIMEOUT, False, file)
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


class _SocketFile(std_io.RawIOBase):
    """The raw file behind ``Socket.makefile()``.

    It keeps the socket's handle open until it is closed, even after
    ``Socket.close()``; closing it ends a call waiting in it (from another
    thread) within a slice. It reads and writes through two methods of its
    socket, ``_file_recv_into`` and ``_file_send``.
    """

    # ``closed`` is a slot over IOBase's property: io.BufferedReader reads the
    # raw file's ``closed`` at every call, readline() included. The property
    # costs three times what a class attribute does, and a slot (a data
    # descriptor, read without a look into the instance's dict) 3-5 ns a line
    # less again. close() sets it. With every attribute a slot, a file makes
    # no instance dict (http.client makes a file for every response).
    __slots__ = (
        "_channel_ref",
        "_reading",
        "_recv_into",
        "_send",
        "_writing",
        "closed",
    )
    closed: bool

    def __init__(
        self, sock: _SocketFiles, channel: _Channel, reading: bool, writing: bool
    ) -> None:
        self.closed = False  # first: IOBase's finalizer reads it
        super().__init__()
        self._recv_into = sock._file_recv_into
        self._send = sock._file_send
        self._channel_ref = channel
        self._reading = reading
        self._writing = writing

    def readable(self) -> bool:
        return self._reading

    def writable(self) -> bool:
        return self._writing

    def readinto(self, buffer: Any) -> int:
        if self.closed:
            raise ValueError(CLOSED_FILE_MESSAGE)
        if not self._reading:
            raise std_io.UnsupportedOperation("not readable")
        return self._recv_into(self._channel_ref, self, buffer)

    def write(self, buffer: Any) -> int:
        if self.closed:
            raise ValueError(CLOSED_FILE_MESSAGE)
        if not self._writing:
            raise std_io.UnsupportedOperation("not writable")
        return self._send(self._channel_ref, self, bytes(buffer))

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
        try:
            super().close()
        finally:
            self.closed = True
            self._channel_ref.release_file()
