"""``HostEntry`` (§6): IPv4 forward and reverse lookups, members, deprecated methods."""

from __future__ import annotations

import copy
import pickle
import re
import warnings
from typing import Any, List

import pytest

BAD_NAME = "nspr-ctypes-no-such-host.invalid"


def localhost_str(he: Any) -> str:
    """``str()`` of localhost's HostEntry ``he``: its address reads as its own str()."""
    return "name=localhost family=PR_AF_INET aliases=() addresses=(%s)" % he[0]


def address_parts(he: Any) -> List[str]:
    """The addresses ``str(he)`` shows, from its ``addresses=(...)`` part."""
    match = re.search(r" addresses=\((.*)\)$", str(he))
    assert match is not None
    return match.group(1).split(", ")


@pytest.fixture
def he(io: Any) -> Any:
    return io.HostEntry("localhost")


def silently(func: Any, *args: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return func(*args)


# --- forward lookup ---------------------------------------------------------------


def test_localhost_str(he: Any) -> None:
    assert str(he) == localhost_str(he)


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_str_shows_each_address_as_its_str(io: Any, name: str) -> None:
    he = io.HostEntry(name)
    assert address_parts(he) == [str(na) for na in he]


def test_str_follows_a_changed_entry_port(he: Any) -> None:
    he[0].port = 443
    assert address_parts(he) == [str(he[0])]


@pytest.mark.difference("an address in str(HostEntry) reads 'address:port' [7]")
def test_str_shows_address_and_port(he: Any) -> None:
    assert (
        str(he) == "name=localhost family=PR_AF_INET aliases=() addresses=(127.0.0.1:0)"
    )


def test_localhost_members(io: Any, he: Any) -> None:
    assert he.hostname == "localhost"
    assert he.aliases == ()
    assert he.family == io.PR_AF_INET
    assert type(he.hostname) is str
    assert type(he.aliases) is tuple
    assert type(he.family) is int


def test_localhost_has_one_address(he: Any) -> None:
    assert len(he) == 1


def test_entry_is_a_network_address(io: Any, he: Any) -> None:
    na = he[0]
    assert isinstance(na, io.NetworkAddress)
    assert na.address == "127.0.0.1"
    assert na.port == 0
    assert na.family == io.PR_AF_INET
    assert na.hostname is None


def test_numeric_ipv4(io: Any) -> None:
    he = io.HostEntry("127.0.0.1")
    assert he.hostname == "127.0.0.1"
    assert (
        str(he) == "name=127.0.0.1 family=PR_AF_INET aliases=() addresses=(%s)" % he[0]
    )


def test_keyword_addr(io: Any) -> None:
    he = io.HostEntry(addr="localhost")
    assert str(he) == localhost_str(he)


def test_uppercase_name_gives_official_name(io: Any) -> None:
    he = io.HostEntry("LOCALHOST")
    assert he.hostname == "localhost"
    assert str(he) == localhost_str(he)


def test_no_deprecation_warning_at_construction(io: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        io.HostEntry("localhost")
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]


# --- reverse lookup ----------------------------------------------------------------


def test_reverse_lookup_of_loopback(io: Any) -> None:
    he = io.HostEntry(io.NetworkAddress(io.PR_IpAddrLoopback, 80))
    assert he.hostname == "localhost"
    assert str(he) == localhost_str(he)


def test_reverse_lookup_of_subclass_instance(io: Any) -> None:
    sub = type("SubAddress", (io.NetworkAddress,), {})
    he = io.HostEntry(sub(io.PR_IpAddrLoopback))
    assert str(he) == localhost_str(he)


# --- failures ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["::1", BAD_NAME, ""])
def test_forward_lookup_failure(io: Any, error: Any, name: str) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.HostEntry(name)
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR


def test_reverse_lookup_failure(io: Any, error: Any) -> None:
    # '::' has no hosts entry, and glibc answers it without asking DNS.
    with pytest.raises(error.NSPRError) as info:
        io.HostEntry(io.NetworkAddress(io.PR_IpAddrAny, 0, io.PR_AF_INET6))
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR


@pytest.mark.parametrize("addr", [b"localhost", 5, None, 1.5, ["localhost"]])
def test_addr_type(io: Any, addr: object) -> None:
    with pytest.raises(TypeError):
        io.HostEntry(addr)


def test_addr_is_required(io: Any) -> None:
    with pytest.raises(TypeError):
        io.HostEntry()


# --- sequence protocol -----------------------------------------------------------


def test_same_objects_on_every_access(he: Any) -> None:
    assert he[0] is he[0]


def test_negative_index(he: Any) -> None:
    assert he[-1] is he[0]


@pytest.mark.parametrize("index", [1, -2])
def test_index_out_of_range(he: Any, index: int) -> None:
    with pytest.raises(IndexError):
        he[index]


@pytest.mark.parametrize("index", [slice(0, 1), "0"])
def test_index_must_be_int(he: Any, index: object) -> None:
    with pytest.raises(TypeError):
        he[index]


def test_iteration(he: Any) -> None:
    entries = list(he)
    assert len(entries) == 1
    assert entries[0] is he[0]


def test_bool_is_true(he: Any) -> None:
    assert bool(he)


# --- deprecated methods -------------------------------------------------------------


def test_get_network_addresses_warns(he: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"^Use iteration instead"):
        he.get_network_addresses()


def test_get_network_addresses_returns_the_addresses(io: Any, he: Any) -> None:
    addresses = silently(he.get_network_addresses)
    assert type(addresses) is tuple
    assert len(addresses) == 1
    assert isinstance(addresses[0], io.NetworkAddress)
    assert addresses[0].address == "127.0.0.1"
    assert addresses[0].port == 0


def test_get_network_addresses_port_type(he: Any) -> None:
    with pytest.raises(TypeError):
        silently(he.get_network_addresses, "x")


def test_get_network_address_port_type(he: Any) -> None:
    with pytest.raises(TypeError):
        silently(he.get_network_address, "x")


@pytest.mark.difference("get_network_addresses(port) honours the port")
def test_get_network_addresses_honours_port(he: Any) -> None:
    addresses = silently(he.get_network_addresses, 80)
    assert [(na.address, na.port) for na in addresses] == [("127.0.0.1", 80)]
    assert he[0].port == 0


@pytest.mark.difference(
    "get_network_address() is safe (no stolen reference)", crashes=True
)
def test_get_network_address_warns_and_returns_first(he: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"^Use indexing instead"):
        na = he.get_network_address()
    assert (na.address, na.port, na.family) == ("127.0.0.1", 0, 2)


@pytest.mark.difference(
    "get_network_address() is safe (no stolen reference)", crashes=True
)
def test_get_network_address_leaves_entry_usable(he: Any) -> None:
    for _ in range(5):
        na = silently(he.get_network_address)
        del na
    import gc

    gc.collect()
    assert he[0].address == "127.0.0.1"
    assert str(he) == localhost_str(he)


@pytest.mark.difference("get_network_address(port) honours the port", crashes=True)
def test_get_network_address_honours_port(he: Any) -> None:
    na = silently(he.get_network_address, 80)
    assert (na.address, na.port) == ("127.0.0.1", 80)
    assert he[0].port == 0


# --- attributes and dunders -------------------------------------------------------


@pytest.mark.parametrize("name", ["hostname", "aliases", "family"])
def test_read_only_member(he: Any, name: str) -> None:
    with pytest.raises(AttributeError):
        setattr(he, name, 1)


def test_repr_is_the_default(he: Any) -> None:
    text = repr(he)
    assert text.startswith("<")
    assert "HostEntry object at 0x" in text


def test_cannot_be_pickled(he: Any) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(he)


def test_cannot_be_copied(he: Any) -> None:
    with pytest.raises(TypeError):
        copy.copy(he)


# --- uninitialised object ------------------------------------------------------------


@pytest.fixture
def bare(io: Any) -> Any:
    return io.HostEntry.__new__(io.HostEntry)


def test_uninitialised_str(bare: Any) -> None:
    assert str(bare) == "name=None family=PR_AF_UNSPEC aliases=None addresses=None"


def test_uninitialised_aliases_and_family(bare: Any) -> None:
    assert bare.aliases is None
    assert bare.family == 0


def test_uninitialised_len(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        len(bare)


def test_uninitialised_index(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        bare[0]


def test_uninitialised_get_network_addresses_is_none(bare: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"^Use iteration instead"):
        assert bare.get_network_addresses() is None


def test_uninitialised_get_network_address_is_none(bare: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"^Use indexing instead"):
        assert bare.get_network_address() is None


@pytest.mark.difference("uninitialised HostEntry.hostname: ValueError", crashes=True)
def test_uninitialised_hostname(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        bare.hostname  # noqa: B018
