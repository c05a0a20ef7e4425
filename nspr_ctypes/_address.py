"""Network addresses and name lookups: ``NetworkAddress``, ``AddrInfo``, ``HostEntry``.

A :class:`NetworkAddress` holds a value (family, address bytes, port, and for
IPv6 flow info and scope id) and belongs to one backend: the one given as
``backend=``, else the default backend when it was made. Lookups go through
that backend, and a socket of another backend refuses it with ValueError
(:func:`foreign_backend_error`).
"""

from __future__ import annotations

import socket
import warnings
from typing import Any, Dict, Iterator, Optional, Tuple, Union

from nspr_ctypes import _args
from nspr_ctypes import backends as _backends
from nspr_ctypes.backends import get_backend
from nspr_ctypes.backends._base import Backend, HostEnt, SockAddr, _new_sockaddr
from nspr_ctypes.constants import (
    _DESC_TYPE_NAMES,
    _FAMILY_NAMES,
    PR_AF_INET,
    PR_AF_INET6,
    PR_AF_LOCAL,
    PR_AF_UNSPEC,
    PR_AI_ADDRCONFIG,
    PR_AI_NOCANONNAME,
    PR_IpAddrAny,
    PR_IpAddrLoopback,
    PR_IpAddrNull,
    PR_IpAddrV4Mapped,
)
from nspr_ctypes.error import (
    PR_DIRECTORY_LOOKUP_ERROR,
    PR_INVALID_ARGUMENT_ERROR,
    nspr_error,
)

_ADDR_LENGTH = {PR_AF_INET: 4, PR_AF_INET6: 16}
_ANY = {PR_AF_INET: bytes(4), PR_AF_INET6: bytes(16)}
_LOOPBACK = {PR_AF_INET: b"\x7f\0\0\x01", PR_AF_INET6: bytes(15) + b"\x01"}
_UNSET = SockAddr(PR_AF_UNSPEC, b"", 0)
#: The values made so far of ``NetworkAddress(constant, port, family)`` for
#: the int constants that need no lookup: by family, then constant, then port.
#: A loop making addresses of one port looks the value up instead of building
#: it (a SockAddr is an immutable tuple, so addresses share it); at most
#: :data:`_PORTS_KEPT` ports a constant and family, dropped together when full.
#: PR_IpAddrNull shares PR_IpAddrAny's values, the zeros a new object holds.
_CONSTANT_SOCKADDRS: Dict[int, Dict[int, Dict[int, SockAddr]]] = {}
for _family in (PR_AF_INET, PR_AF_INET6):
    _zeros: Dict[int, SockAddr] = {}
    _CONSTANT_SOCKADDRS[_family] = {
        PR_IpAddrAny: _zeros,
        PR_IpAddrLoopback: {},
        PR_IpAddrNull: _zeros,
    }
del _family, _zeros
_PORTS_KEPT = 256

#: The default backend (None before the first choice), kept here by the
#: registry at every change: a global read instead of a module attribute.
_default_backend: Optional[Backend] = None


def _follow_default(backend: Optional[Backend]) -> None:
    global _default_backend
    _default_backend = backend


_backends._watch_default(_follow_default)

_STRING_INIT_WARNING = (
    "NetworkAddress initialization from a string parameter only works for IPv4, "
    "use AddrInfo instead."
)
_HOSTENTRY_WARNING = (
    "HostEntry objects only support IPv4, this property will be removed, "
    "use AddrInfo instead"
)


def _constant_name(names: Dict[int, str], value: int) -> str:
    name = names.get(value)
    if name is None:  # python-nss formats the C int as unsigned
        return "unknown(%#x)" % (value % _args.UINT32_MOD)
    return name


def family_name(family: int) -> str:
    """The ``PR_AF_*`` name of ``family``, or ``'unknown(0x..)'``."""
    return _constant_name(_FAMILY_NAMES, family)


def desc_type_name(desc_type: int) -> str:
    """The ``PR_DESC_*`` name of ``desc_type``, or ``'unknown(0x..)'``."""
    return _constant_name(_DESC_TYPE_NAMES, desc_type)


def _format_address(sa: SockAddr) -> str:
    if sa.family == PR_AF_UNSPEC:
        return "<unset>"
    if sa.family == PR_AF_INET:
        return socket.inet_ntop(socket.AF_INET, sa.addr)
    if sa.family == PR_AF_INET6:
        text = socket.inet_ntop(socket.AF_INET6, sa.addr)
        if sa.scope_id:
            text += "%" + _scope_name(sa.addr, sa.scope_id)
        return text
    if sa.family == PR_AF_LOCAL:
        return "localhost"  # what getnameinfo() says for a local socket
    raise nspr_error(PR_INVALID_ARGUMENT_ERROR)


def _scope_name(addr: bytes, scope_id: int) -> str:
    # getnameinfo(NI_NUMERICHOST) names the interface of link-local scopes only.
    link_local = addr[0] == 0xFE and addr[1] & 0xC0 == 0x80
    multicast_link_local = addr[0] == 0xFF and addr[1] & 0x0F == 0x02
    if link_local or multicast_link_local:
        try:
            return socket.if_indextoname(scope_id)
        except OSError:
            pass
    return str(scope_id)


def _decode_idna(raw: bytes) -> str:
    return raw.decode("idna")


def _c_string_name(text: str) -> bytes:
    """``text`` idna-encoded and passed on as a C string, as python-nss does
    for ``NetworkAddress(name)`` and ``HostEntry(name)``: a NUL ends the name."""
    return text.encode("idna").split(b"\0", 1)[0]


#: How to make an address on the right backend, for the error messages.
REMAKE_ADDRESS_HINT = (
    "make the address on that backend, e.g. "
    "NetworkAddress(addr.address, addr.port, addr.family, backend=...)"
)


def foreign_backend_error(
    context: str, owned: str, owner: Backend, expected: str, backend: Backend
) -> ValueError:
    """The error for an object of one backend handed to another.

    ``owned`` (e.g. "the NetworkAddress") belongs to ``owner``; ``expected``
    (e.g. "the Socket") to ``backend``.
    """
    owner_text = owner.describe()
    backend_text = backend.describe()
    if owner_text == backend_text:
        # Two instances of one library: say so, or the message reads as a no-op.
        owner_text += " [instance 0x%x]" % id(owner)
        backend_text += " [another instance, 0x%x]" % id(backend)
    return ValueError(
        "%s: %s belongs to backend %s, but %s belongs to backend %s; objects of "
        "one backend cannot be used with another"
        % (context, owned, owner_text, expected, backend_text)
    )


def sockaddr_of(addr: NetworkAddress) -> SockAddr:
    """The value of ``addr``: unset for an object made by ``__new__`` alone."""
    try:
        return addr._sa
    except AttributeError:
        return _UNSET


def check_address(addr: Any, method: str) -> NetworkAddress:
    """``addr`` if it is a NetworkAddress, else the TypeError of ``method``."""
    if not isinstance(addr, NetworkAddress):
        raise TypeError(
            "%s() argument must be nspr_ctypes.io.NetworkAddress, not %s"
            % (method, type(addr).__name__)
        )
    return addr


def check_address_backend(
    addr: NetworkAddress, backend: Backend, context: str, expected: str
) -> None:
    """Raise ValueError unless ``addr`` belongs to ``backend``.

    An uninitialised address (made with ``__new__`` only) has no backend yet
    and is accepted: it holds no value a backend could disagree with.
    """
    owner = getattr(addr, "_backend", None)
    if owner is not None and owner is not backend:
        error = foreign_backend_error(
            context, "the NetworkAddress", owner, expected, backend
        )
        raise ValueError("%s; %s" % (error, REMAKE_ADDRESS_HINT))


def _constant_sockaddr(constant: int, port: int, family: int) -> Optional[SockAddr]:
    """The value of ``NetworkAddress(constant, port, family)``, now kept in
    :data:`_CONSTANT_SOCKADDRS`; None when ``constant`` or ``family`` is not
    in it, or ``port`` is out of the C int range: the checked path decides."""
    by_port = _CONSTANT_SOCKADDRS.get(family, {}).get(constant)
    if by_port is None or not -0x80000000 <= port <= 0x7FFFFFFF:
        return None
    # PR_IpAddrAny's zeros for PR_IpAddrNull too (a new object's bytes)
    raw = _LOOPBACK[family] if constant == PR_IpAddrLoopback else _ANY[family]
    sa: SockAddr = _new_sockaddr(SockAddr, (family, raw, port & 0xFFFF, 0, 0))
    if len(by_port) >= _PORTS_KEPT:
        by_port.clear()
    by_port[port] = sa
    return sa


class NetworkAddress:
    """NetworkAddress(addr=PR_IpAddrNull, port=0, family=PR_AF_INET)

    An IPv4 or IPv6 address with a port. ``addr`` may be one of the
    ``PR_IpAddr*`` constants, or (deprecated) a host name or numeric address
    string, looked up with :class:`AddrInfo`; the first address of ``family``
    is used. ``str()`` gives ``'address:port'`` (``'[address]:port'`` for IPv6).

    The address belongs to ``backend`` (keyword only; default: the default
    backend at creation); sockets of another backend refuse it.
    """

    __module__ = "nspr_ctypes.io"
    # No Python __new__ (it would cost every construction): the slots of an
    # object made by __new__ alone stay empty, and read as python-nss's
    # zeroed object, an unset address (see sockaddr_of and its inline uses).
    __slots__ = ("__weakref__", "_backend", "_hostentry", "_hostname", "_sa")
    _sa: SockAddr
    _hostname: Optional[str]
    _hostentry: Optional[HostEntry]
    _backend: Optional[Backend]

    def __init__(
        self,
        addr: Union[int, str] = PR_IpAddrNull,
        port: int = 0,
        family: int = PR_AF_INET,
        *,
        backend: Optional[Backend] = None,
    ) -> None:
        # The usual calls, NetworkAddress(PR_IpAddrLoopback or PR_IpAddrAny,
        # port[, family]) and NetworkAddress([PR_IpAddrNull, ]port), are
        # checked inline (one Python frame): a port seen before is a valid
        # one. Anything else takes _init_checked, python-nss's checks in its
        # order. PR_IpAddrNull (0) keeps the address bytes the object holds:
        # zeros in a new object, so the table's; an __init__ again takes the
        # checked path. (Other types equal to an int are not looked up.)
        if (
            type(port) is int
            and type(addr) is int
            and type(family) is int
            and (addr or getattr(self, "_sa", None) is None)
        ):
            try:
                sa: Optional[SockAddr] = _CONSTANT_SOCKADDRS[family][addr][port]
            except KeyError:  # a new port, or no family or constant of the table
                sa = _constant_sockaddr(addr, port, family)
            if sa is not None:
                # Bound now: a later change of the default does not move it.
                if backend is None:
                    backend = _default_backend or get_backend()
                self._backend = backend
                self._hostname = None
                self._hostentry = None
                self._sa = sa
                return
        self._init_checked(addr, port, family, backend)

    def _init_checked(
        self,
        addr: Union[int, str],
        port: int,
        family: int,
        backend: Optional[Backend],
    ) -> None:
        port = _args.c_int(port)
        family = _args.c_int(family)
        if not isinstance(addr, (int, str)):
            raise ValueError("addr must be an int or a string")
        if isinstance(addr, int) and addr not in (
            PR_IpAddrNull,
            PR_IpAddrAny,
            PR_IpAddrLoopback,
            PR_IpAddrV4Mapped,
        ):
            raise ValueError(
                "addr is an int, must be PR_IpAddrNull, PR_IpAddrAny, "
                "PR_IpAddrLoopback or PR_IpAddrV4Mapped"
            )
        if family not in (PR_AF_INET, PR_AF_INET6):
            raise ValueError("family must be PR_AF_INET or PR_AF_INET6")
        # Bound now: a later change of the default does not move the address.
        self._backend = get_backend() if backend is None else backend
        self._hostname = None
        self._hostentry = None
        port &= 0xFFFF
        if isinstance(addr, str):
            self._sa = SockAddr(family, self._sa_bytes_for(family), port)
            warnings.warn(_STRING_INIT_WARNING, DeprecationWarning, stacklevel=3)
            self._set_from_name(_c_string_name(addr), addr, family)
            return
        if addr == PR_IpAddrV4Mapped:  # NSPR refuses it for either family
            raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
        if addr == PR_IpAddrNull:
            self._sa = SockAddr(family, self._sa_bytes_for(family), port)
            return
        # PR_IpAddrAny or PR_IpAddrLoopback of a checked family and port: the
        # kept value, as the inline path finds it
        sa = _constant_sockaddr(addr, port, family)
        assert sa is not None
        self._sa = sa

    def _sa_bytes_for(self, family: int) -> bytes:
        # PR_IpAddrNull keeps the address bytes the object already holds.
        current = sockaddr_of(self).addr
        length = _ADDR_LENGTH[family]
        return (current + bytes(length))[:length]

    @classmethod
    def _from_sockaddr(
        cls, sa: SockAddr, backend: Optional[Backend] = None
    ) -> NetworkAddress:
        self = cls.__new__(cls)
        self._sa = sa
        self._backend = backend
        self._hostname = None
        self._hostentry = None
        return self

    def _lookup_backend(self) -> Backend:
        backend = getattr(self, "_backend", None)
        if backend is None:  # made with __new__ only: bound at first use
            backend = self._backend = get_backend()
        return backend

    def _set_from_name(self, raw: bytes, text: str, family: int) -> None:
        """Look ``raw`` (idna-encoded ``text``) up; keep the first address of
        ``family`` (any family for PR_AF_UNSPEC), or zero the object."""
        backend = self._lookup_backend()
        canonical, addresses = backend.get_addr_info(
            raw, PR_AF_UNSPEC, PR_AI_ADDRCONFIG
        )
        match = next(
            (a for a in addresses if family == PR_AF_UNSPEC or a.family == family),
            None,
        )
        if match is None:
            self._sa = _UNSET
            raise ValueError(
                'no address for "%s" in family %s' % (text, family_name(family))
            )
        self._sa = match._replace(port=sockaddr_of(self).port)
        self._hostname = _decode_idna(canonical) if canonical else text

    # -- properties -----------------------------------------------------------

    @property
    def address(self) -> str:
        """address as string"""
        return _format_address(sockaddr_of(self))

    @property
    def port(self) -> int:
        """network address port"""
        try:
            return self._sa.port
        except AttributeError:  # made by __new__ alone: unset
            return 0

    @port.setter
    def port(self, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError("The port attribute value must be an integer")
        if not _args.LONG_MIN <= value <= _args.LONG_MAX:
            raise OverflowError("Python int too large to convert to C long")
        # As PR_SetNetAddr(PR_IpAddrNull, ...): IPv6 flow info and scope reset.
        self._sa = sockaddr_of(self)._replace(
            port=value & 0xFFFF, flowinfo=0, scope_id=0
        )

    @port.deleter
    def port(self) -> None:
        raise TypeError("Cannot delete the port attribute")

    @property
    def family(self) -> int:
        """address family (e.g. PR_AF_INET, etc.)"""
        try:
            return self._sa.family
        except AttributeError:  # made by __new__ alone: unset
            return PR_AF_UNSPEC

    @property
    def hostname(self) -> Optional[str]:
        """The canonical host name when built from a string, else None."""
        return getattr(self, "_hostname", None)

    @property
    def hostentry(self) -> HostEntry:
        """HostEntry object representing this NetworkAddress
        (Warning: Deprecated, use AddrInfo instead)"""
        warnings.warn(_HOSTENTRY_WARNING, DeprecationWarning, stacklevel=2)
        entry = getattr(self, "_hostentry", None)
        if entry is None:
            entry = self._hostentry = HostEntry(
                self, backend=getattr(self, "_backend", None)
            )
        return entry

    def set_from_string(
        self, addr: Union[str, bytes, bytearray], family: int = PR_AF_INET
    ) -> None:
        """set_from_string(addr, family=PR_AF_INET)

        Reinitializes the NetworkAddress object given a string (deprecated:
        use AddrInfo instead). ``family`` may also be ``PR_AF_UNSPEC``.
        """
        raw = _args.idna_name(addr, "set_from_string")
        family = _args.c_int(family)
        warnings.warn(_STRING_INIT_WARNING, DeprecationWarning, stacklevel=2)
        self._hostname = None
        self._hostentry = None
        text = addr if isinstance(addr, str) else _decode_idna(raw)
        self._set_from_name(raw, text, family)

    # -- value protocol -------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NetworkAddress):
            return NotImplemented
        try:
            return self._sa == other._sa
        except AttributeError:  # made by __new__ alone: unset
            return sockaddr_of(self) == sockaddr_of(other)

    def __hash__(self) -> int:
        try:
            return hash(self._sa)
        except AttributeError:  # made by __new__ alone: unset
            return hash(_UNSET)

    def __str__(self) -> str:
        try:
            sa = self._sa
        except AttributeError:  # made by __new__ alone: unset
            sa = _UNSET
        if sa.family == PR_AF_INET:  # the usual case: no call (inet_ntop's is a third)
            raw = sa.addr
            return "%d.%d.%d.%d:%d" % (raw[0], raw[1], raw[2], raw[3], sa.port)
        text = _format_address(sa)
        if sa.family == PR_AF_INET6:
            return "[%s]:%d" % (text, sa.port)
        return text

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__qualname__, self)

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle %r object" % type(self).__name__)


def _check_index(index: Any) -> int:
    if not isinstance(index, int):
        raise TypeError(
            "sequence index must be integer, not '%s'" % type(index).__name__
        )
    return index


class AddrInfo:
    """AddrInfo(hostname, family=PR_AF_UNSPEC, flags=PR_AI_ADDRCONFIG)

    The addresses of ``hostname``, in the resolver's order, as a sequence of
    NetworkAddress objects (port 0). ``family`` may be PR_AF_UNSPEC or
    PR_AF_INET; ``flags`` PR_AI_ADDRCONFIG, optionally with PR_AI_NOCANONNAME.
    The lookup runs on ``backend`` (keyword only; default: the default
    backend), and the addresses belong to it.
    """

    __module__ = "nspr_ctypes.io"
    __slots__ = ("__weakref__", "_addresses", "_canonical_name", "_hostname")
    _hostname: Optional[str]
    _canonical_name: Optional[str]
    _addresses: Optional[Tuple[NetworkAddress, ...]]

    def __new__(cls, *args: Any, **kwargs: Any) -> AddrInfo:
        self = super().__new__(cls)
        self._hostname = None
        self._canonical_name = None
        self._addresses = None
        return self

    def __init__(
        self,
        hostname: Union[str, bytes, bytearray],
        family: int = PR_AF_UNSPEC,
        flags: int = PR_AI_ADDRCONFIG,
        *,
        backend: Optional[Backend] = None,
    ) -> None:
        raw = _args.idna_name(hostname, "AddrInfo")
        family = _args.c_int(family)
        flags = _args.c_int(flags)
        if not isinstance(hostname, str):
            raw.decode("ascii")  # non-ASCII bytes: UnicodeDecodeError, as python-nss
        decoded = _decode_idna(raw)
        # PR_GetAddrInfoByName's own checks.
        if family not in (PR_AF_UNSPEC, PR_AF_INET) or flags not in (
            PR_AI_ADDRCONFIG,
            PR_AI_ADDRCONFIG | PR_AI_NOCANONNAME,
        ):
            raise nspr_error(PR_INVALID_ARGUMENT_ERROR)
        if backend is None:
            backend = get_backend()
        self._hostname = decoded  # set before the lookup, as python-nss does
        canonical, addresses = backend.get_addr_info(raw, family, flags)
        self._canonical_name = None if canonical is None else _decode_idna(canonical)
        self._addresses = tuple(
            NetworkAddress._from_sockaddr(sa, backend) for sa in addresses
        )

    def _entries(self) -> Tuple[NetworkAddress, ...]:
        if self._addresses is None:
            raise ValueError("%s.AddrInfo is uninitialized" % self.__module__)
        return self._addresses

    @property
    def hostname(self) -> str:
        """Returns the hostname this object was initialized from"""
        self._entries()
        assert self._hostname is not None
        return self._hostname

    @property
    def canonical_name(self) -> Optional[str]:
        """Returns the canonical name associated with the IP address or None if not known"""
        self._entries()
        return self._canonical_name

    def __len__(self) -> int:
        return len(self._entries())

    def __getitem__(self, index: int) -> NetworkAddress:
        return self._entries()[_check_index(index)]

    def __iter__(self) -> Iterator[NetworkAddress]:
        return iter(self._entries())

    def __str__(self) -> str:
        entries = self._entries()
        text = "host=%s canonical=%s (%d addrs)" % (
            self._hostname,
            self._canonical_name,
            len(entries),
        )
        # Each address reads as its own str(), as in python-nss (whose
        # str(NetworkAddress) lacks the port).
        return text + "".join(" addr[%d]=%s" % (i, na) for i, na in enumerate(entries))

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle %r object" % type(self).__name__)


class HostEntry:
    """HostEntry(addr)

    The official name, aliases, family and addresses of a host (IPv4 only):
    ``addr`` is a host name (as GetHostByName) or a NetworkAddress (as
    GetHostByAddr). Deprecated: use AddrInfo instead. The lookup runs on
    ``backend`` (keyword only; default: the address's own backend, or the
    default backend for a name), and the addresses belong to it.
    """

    __module__ = "nspr_ctypes.io"
    __slots__ = ("__weakref__", "_addresses", "_entry")
    _entry: Optional[HostEnt]
    _addresses: Optional[Tuple[NetworkAddress, ...]]

    def __new__(cls, *args: Any, **kwargs: Any) -> HostEntry:
        self = super().__new__(cls)
        self._entry = None
        self._addresses = None
        return self

    def __init__(
        self,
        addr: Union[str, NetworkAddress],
        *,
        backend: Optional[Backend] = None,
    ) -> None:
        if isinstance(addr, NetworkAddress):
            if backend is None:
                backend = addr._lookup_backend()
            else:
                check_address_backend(
                    addr, backend, "HostEntry()", "the backend= argument"
                )
            if addr.family not in (PR_AF_INET, PR_AF_INET6):
                raise nspr_error(PR_DIRECTORY_LOOKUP_ERROR)
            entry = backend.get_host_by_addr(sockaddr_of(addr))
        elif isinstance(addr, str):
            raw = _c_string_name(addr)
            if backend is None:
                backend = get_backend()
            entry = backend.get_host_by_name(raw)
        else:
            raise TypeError("addr must be string, unicode or NetworkAddress object")
        self._entry = entry
        self._addresses = tuple(
            NetworkAddress._from_sockaddr(SockAddr(entry.family, raw_addr, 0), backend)
            for raw_addr in entry.addresses
        )

    def _entries(self) -> Tuple[NetworkAddress, ...]:
        if self._addresses is None:
            raise ValueError("%s.HostEntry is uninitialized" % self.__module__)
        return self._addresses

    @property
    def hostname(self) -> str:
        """official name of host"""
        if self._entry is None:
            raise ValueError("%s.HostEntry is uninitialized" % self.__module__)
        return _decode_idna(self._entry.name)

    @property
    def aliases(self) -> Optional[Tuple[str, ...]]:
        """tuple of aliases for host"""
        if self._entry is None:
            return None
        return tuple(_decode_idna(alias) for alias in self._entry.aliases)

    @property
    def family(self) -> int:
        """address family (e.g. PR_AF_INET, etc.)"""
        return PR_AF_UNSPEC if self._entry is None else self._entry.family

    def __len__(self) -> int:
        return len(self._entries())

    def __getitem__(self, index: int) -> NetworkAddress:
        return self._entries()[_check_index(index)]

    def __iter__(self) -> Iterator[NetworkAddress]:
        return iter(self._entries())

    def get_network_addresses(
        self, port: int = 0
    ) -> Optional[Tuple[NetworkAddress, ...]]:
        """get_network_addresses(port=0)

        Return a tuple of every network address of this HostEntry, as new
        NetworkAddress objects with ``port``. Deprecated: iterate instead.
        """
        port = _args.c_int(port)
        warnings.warn(
            "Use iteration instead (e.g. for net_addr in hostentry)",
            DeprecationWarning,
            stacklevel=2,
        )
        if self._addresses is None:
            return None
        return tuple(self._with_port(na, port) for na in self._addresses)

    def get_network_address(self, port: int = 0) -> Optional[NetworkAddress]:
        """get_network_address(port=0)

        Return the first network address of this HostEntry as a new
        NetworkAddress with ``port``, or None when it has no address.
        Deprecated: index instead.
        """
        port = _args.c_int(port)
        warnings.warn(
            "Use indexing instead (e.g. hostentry[i])", DeprecationWarning, stacklevel=2
        )
        if not self._addresses:
            return None
        return self._with_port(self._addresses[0], port)

    @staticmethod
    def _with_port(na: NetworkAddress, port: int) -> NetworkAddress:
        return NetworkAddress._from_sockaddr(
            na._sa._replace(port=port & 0xFFFF), na._backend
        )

    def __str__(self) -> str:
        entry = self._entry
        name = "None" if entry is None else entry.name.decode("utf-8", "replace")
        family = family_name(self.family)
        aliases = (
            "None"
            if entry is None
            else "("
            + ", ".join(a.decode("utf-8", "replace") for a in entry.aliases)
            + ")"
        )
        addresses = (
            "None"
            if self._addresses is None
            else "(" + ", ".join(str(na) for na in self._addresses) + ")"
        )
        return "name=%s family=%s aliases=%s addresses=%s" % (
            name,
            family,
            aliases,
            addresses,
        )

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle %r object" % type(self).__name__)
