"""``Socket``'s descriptor, names and options (a base class of ``Socket``).

Calls that read or set the socket's state with one backend call and never
wait: ``fileno``, ``get_sock_name``, ``get_peer_name``, ``get_socket_option``
and ``set_socket_option``, with the option types and the parsing of
``set_socket_option``'s values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NoReturn, Tuple, Union, cast, overload

from nspr_ctypes import _args
from nspr_ctypes._address import NetworkAddress, check_address, sockaddr_of
from nspr_ctypes.backends._base import OptionValue, SockAddr
from nspr_ctypes.constants import (
    _SOCKOPT_KINDS,
    _SOCKOPTS_UNMAPPED,
    PR_SockOpt_Nonblocking,
    _SockOptKind,
)
from nspr_ctypes.error import PR_INVALID_ARGUMENT_ERROR, nspr_error

if TYPE_CHECKING:
    from nspr_ctypes._engine import Channel as _Channel

# The options set_socket_option takes (python-nss's), by kind: the shared
# table (constants._SOCKOPT_KINDS) less NSPR's options python-nss lacks.
_OPTION_KINDS = {
    option: kind
    for option, kind in _SOCKOPT_KINDS.items()
    if option not in _SOCKOPTS_UNMAPPED
}

# get_socket_option()'s result type by option number (Literal cannot name the
# PR_SockOpt_* constants, so it holds their values; tests/unit/
# test_option_table.py keeps them equal to the _SockOptKind of each option).
_FlagOption = Literal[0, 2, 3, 12, 13, 15]  # FLAG: bool
_SizeOption = Literal[4, 5, 6, 7, 11, 14]  # SIZE and UINT: int
_LingerOption = Literal[1]  # LINGER: (polarity, interval)
_InterfaceOption = Literal[10]  # MCAST_IF: NetworkAddress
_MembershipOption = Literal[8, 9]  # MREQ: set only, get raises
_OptionResult = Union[bool, int, Tuple[bool, int], NetworkAddress]


class _SocketOptions:
    """The descriptor, names and options of a ``Socket`` (its base class)."""

    __slots__ = ()

    if TYPE_CHECKING:  # what Socket provides

        def _channel(self) -> _Channel: ...
        def _check_backend(self, addr: NetworkAddress, method: str) -> None: ...

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
                return not channel.first_wait
            kind = _SOCKOPT_KINDS.get(option)
            if kind is None or kind == _SockOptKind.MREQ:
                raise nspr_error(PR_INVALID_ARGUMENT_ERROR)  # as NSPR refuses them
            if option in _SOCKOPTS_UNMAPPED:
                raise ValueError("get_socket_option: unknown option")
            value = channel.backend.get_option(handle, option)
            if kind == _SockOptKind.MCAST_IF:
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
        kind = _OPTION_KINDS.get(option)
        if kind is None:
            raise ValueError("set_socket_option: unknown option")
        value = _parse_option_value(kind, values)
        for item in values:
            if isinstance(item, NetworkAddress):
                self._check_backend(item, "set_socket_option")
        channel = self._channel()
        with channel as handle:
            if option == PR_SockOpt_Nonblocking:
                nonblocking = bool(value)
                channel.backend.set_nonblocking(handle, nonblocking)
                channel.set_nonblocking(nonblocking)
                return
            channel.backend.set_option(handle, option, value)


def _parse_option_value(kind: int, values: Tuple[Any, ...]) -> OptionValue:
    """set_socket_option's ``values`` for an option of ``kind`` (a _SockOptKind)."""
    expected = 3 if kind == _SockOptKind.MREQ or kind == _SockOptKind.LINGER else 2
    if len(values) + 1 != expected:
        raise TypeError(
            "set_socket_option() takes exactly %d arguments (%d given)"
            % (expected, len(values) + 1)
        )
    if kind == _SockOptKind.FLAG:
        return bool(_args.c_int(values[0]))
    if kind == _SockOptKind.SIZE or kind == _SockOptKind.UINT:
        return _args.c_uint_mask(values[0])
    if kind == _SockOptKind.LINGER:
        return (bool(_args.c_int(values[0])), _args.c_uint_mask(values[1]))
    if kind == _SockOptKind.MCAST_IF:
        return sockaddr_of(check_address(values[0], "set_socket_option"))
    if kind == _SockOptKind.MREQ:
        group = sockaddr_of(check_address(values[0], "set_socket_option"))
        interface = sockaddr_of(check_address(values[1], "set_socket_option"))
        return (group, interface)
    # A kind added to the table but not here.
    raise ValueError("set_socket_option: unknown option")
