"""nspr_ctypes.io's NetworkAddress, AddrInfo and HostEntry (see usage_support)."""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

from usage_support import assert_type

from nspr_ctypes import Backend, io


def network_address(backend: Backend) -> None:
    assert_type(io.NetworkAddress(), io.NetworkAddress)
    assert_type(io.NetworkAddress(io.PR_IpAddrLoopback, 80), io.NetworkAddress)
    assert_type(
        io.NetworkAddress(io.PR_IpAddrAny, 0, io.PR_AF_INET6), io.NetworkAddress
    )
    assert_type(
        io.NetworkAddress(addr=io.PR_IpAddrNull, port=8080, family=io.PR_AF_INET),
        io.NetworkAddress,
    )
    # Deprecated, as in python-nss, but typed: a host name or numeric address.
    assert_type(io.NetworkAddress("localhost", 80), io.NetworkAddress)
    assert_type(io.NetworkAddress("127.0.0.1", backend=backend), io.NetworkAddress)
    io.NetworkAddress(b"localhost")  # type: ignore[arg-type]
    io.NetworkAddress(io.PR_IpAddrAny, "80")  # type: ignore[arg-type]


def network_address_members(addr: io.NetworkAddress, other: object) -> None:
    assert_type(addr.address, str)
    assert_type(addr.port, int)
    addr.port = 443
    assert_type(addr.family, int)
    assert_type(addr.hostname, Optional[str])
    assert_type(addr.hostentry, io.HostEntry)
    addr.set_from_string("localhost")
    addr.set_from_string(b"localhost", io.PR_AF_UNSPEC)
    assert_type(addr == other, bool)
    assert_type(hash(addr), int)
    assert_type(str(addr), str)
    addr.address = "127.0.0.1"  # type: ignore[misc]
    addr.family = io.PR_AF_INET6  # type: ignore[misc]
    addr.port = "80"  # type: ignore[assignment]


def addr_info(backend: Backend) -> None:
    info = io.AddrInfo("localhost")
    assert_type(info, io.AddrInfo)
    assert_type(
        io.AddrInfo(
            "localhost", io.PR_AF_INET, io.PR_AI_ADDRCONFIG | io.PR_AI_NOCANONNAME
        ),
        io.AddrInfo,
    )
    assert_type(io.AddrInfo(b"localhost", backend=backend), io.AddrInfo)
    assert_type(info.hostname, str)
    assert_type(info.canonical_name, Optional[str])
    assert_type(len(info), int)
    assert_type(info[0], io.NetworkAddress)
    assert_type(iter(info), Iterator[io.NetworkAddress])
    for net_addr in info:
        assert_type(net_addr, io.NetworkAddress)
    io.AddrInfo(42)  # type: ignore[arg-type]


def host_entry(addr: io.NetworkAddress, backend: Backend) -> None:
    by_name = io.HostEntry("localhost")
    assert_type(by_name, io.HostEntry)
    assert_type(io.HostEntry(addr), io.HostEntry)
    assert_type(io.HostEntry(addr, backend=backend), io.HostEntry)
    assert_type(by_name.hostname, str)
    assert_type(by_name.aliases, Optional[Tuple[str, ...]])
    assert_type(by_name.family, int)
    assert_type(len(by_name), int)
    assert_type(by_name[0], io.NetworkAddress)
    for net_addr in by_name:
        assert_type(net_addr, io.NetworkAddress)
    assert_type(
        by_name.get_network_addresses(), Optional[Tuple[io.NetworkAddress, ...]]
    )
    assert_type(
        by_name.get_network_addresses(port=80),
        Optional[Tuple[io.NetworkAddress, ...]],
    )
    assert_type(by_name.get_network_address(), Optional[io.NetworkAddress])
    assert_type(by_name.get_network_address(443), Optional[io.NetworkAddress])
    io.HostEntry(b"localhost")  # type: ignore[arg-type]
