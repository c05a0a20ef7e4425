"""``NetworkAddress`` (§4): constructor, string path, properties, dunders."""

from __future__ import annotations

import copy
import pickle
import warnings
from typing import Any, Tuple

import pytest

INIT_WARNING = (
    "NetworkAddress initialization from a string parameter only works for IPv4, "
    "use AddrInfo instead."
)
HOSTENTRY_WARNING = (
    "HostEntry objects only support IPv4, this property will be removed, "
    "use AddrInfo instead"
)
ADDR_TYPE_MESSAGE = "addr must be an int or a string"
ADDR_INT_MESSAGE = (
    "addr is an int, must be PR_IpAddrNull, PR_IpAddrAny, PR_IpAddrLoopback "
    "or PR_IpAddrV4Mapped"
)
FAMILY_MESSAGE = "family must be PR_AF_INET or PR_AF_INET6"
LOOKUP_TEXT = (
    "(PR_DIRECTORY_LOOKUP_ERROR) A directory lookup on a network address has failed."
)
BAD_NAME = "nspr-ctypes-no-such-host.invalid"


def state(na: Any) -> Tuple[Any, Any, Any, Any]:
    return (na.address, na.port, na.family, na.hostname)


def from_string(io: Any, *args: Any, **kwargs: Any) -> Any:
    """``NetworkAddress`` built from a string, checking its DeprecationWarning."""
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        return io.NetworkAddress(*args, **kwargs)


def silently(func: Any, *args: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return func(*args)


# --- constructor: int initialisers ---------------------------------------------


def test_no_arguments_gives_inet_any_port_0(io: Any) -> None:
    na = io.NetworkAddress()
    assert state(na) == ("0.0.0.0", 0, io.PR_AF_INET, None)


@pytest.mark.parametrize(
    "addr,family,address",
    [
        (0, 2, "0.0.0.0"),
        (1, 2, "0.0.0.0"),
        (2, 2, "127.0.0.1"),
        (0, 10, "::"),
        (1, 10, "::"),
        (2, 10, "::1"),
    ],
)
def test_int_initialiser(io: Any, addr: int, family: int, address: str) -> None:
    na = io.NetworkAddress(addr, 80, family)
    assert na.address == address
    assert na.port == 80
    assert na.family == family
    assert na.hostname is None


def test_loopback_inet(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    assert state(na) == ("127.0.0.1", 80, io.PR_AF_INET, None)


def test_loopback_inet6(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 443, io.PR_AF_INET6)
    assert state(na) == ("::1", 443, io.PR_AF_INET6, None)


def test_null_equals_port_only(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrNull, 123)
    other = io.NetworkAddress(port=123)
    assert state(na) == state(other) == ("0.0.0.0", 123, io.PR_AF_INET, None)


def test_bool_addr_is_an_int(io: Any) -> None:
    assert io.NetworkAddress(True).address == "0.0.0.0"
    assert io.NetworkAddress(False, 5, io.PR_AF_INET6).address == "::"


def test_keyword_arguments(io: Any) -> None:
    na = io.NetworkAddress(addr=io.PR_IpAddrLoopback, port=7, family=io.PR_AF_INET6)
    assert state(na) == ("::1", 7, io.PR_AF_INET6, None)


def test_keyword_port_and_family_only(io: Any) -> None:
    na = io.NetworkAddress(port=7, family=io.PR_AF_INET6)
    assert state(na) == ("::", 7, io.PR_AF_INET6, None)


def test_result_types(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    assert type(na.address) is str
    assert type(na.port) is int
    assert type(na.family) is int


@pytest.mark.parametrize("family", [2, 10])
def test_v4mapped_is_rejected(io: Any, error: Any, family: int) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.NetworkAddress(io.PR_IpAddrV4Mapped, 0, family)
    assert info.value.errno == error.PR_INVALID_ARGUMENT_ERROR


# --- constructor: port --------------------------------------------------------


@pytest.mark.parametrize(
    "port,expected",
    [
        (0, 0),
        (80, 80),
        (65535, 65535),
        (-1, 65535),
        (65536, 0),
        (65537, 1),
        (70000, 4464),
        (2**31 - 1, 65535),
        (-(2**31), 0),
        (True, 1),
    ],
)
def test_port_is_cut_to_16_bits(io: Any, port: int, expected: int) -> None:
    assert io.NetworkAddress(io.PR_IpAddrLoopback, port).port == expected


@pytest.mark.parametrize("port", [2**31, -(2**31) - 1, 2**63])
def test_port_outside_c_int_overflows(io: Any, port: int) -> None:
    with pytest.raises(OverflowError):
        io.NetworkAddress(io.PR_IpAddrLoopback, port)


@pytest.mark.parametrize("port", ["80", 80.0, b"80"])
def test_port_must_be_int(io: Any, port: object) -> None:
    with pytest.raises(TypeError):
        io.NetworkAddress(io.PR_IpAddrLoopback, port)


# --- constructor: argument checks and their order ---------------------------------


@pytest.mark.parametrize("addr", [None, 1.0, b"127.0.0.1", bytearray(b"x"), [], ()])
def test_addr_of_wrong_type_is_value_error(io: Any, addr: object) -> None:
    with pytest.raises(ValueError) as info:
        io.NetworkAddress(addr)
    assert str(info.value) == ADDR_TYPE_MESSAGE


@pytest.mark.parametrize("addr", [4, 5, 100, -1, 2**64, -(2**64)])
def test_addr_int_out_of_range_is_value_error(io: Any, addr: int) -> None:
    with pytest.raises(ValueError) as info:
        io.NetworkAddress(addr)
    assert str(info.value) == ADDR_INT_MESSAGE


@pytest.mark.difference("NetworkAddress(2**40) raises ValueError, no C truncation")
@pytest.mark.parametrize("addr", [2**40, 2**32 + 2])
def test_addr_int_is_not_truncated(io: Any, addr: int) -> None:
    with pytest.raises(ValueError) as info:
        io.NetworkAddress(addr)
    assert str(info.value) == ADDR_INT_MESSAGE


@pytest.mark.parametrize("family", [0, 1, 3, 99, -1])
def test_family_must_be_inet_or_inet6(io: Any, family: int) -> None:
    with pytest.raises(ValueError) as info:
        io.NetworkAddress(io.PR_IpAddrAny, 0, family)
    assert str(info.value) == FAMILY_MESSAGE


def test_family_checked_before_string_lookup(io: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError) as info:
            io.NetworkAddress("localhost", 0, io.PR_AF_LOCAL)
    assert str(info.value) == FAMILY_MESSAGE
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]


def test_addr_type_checked_before_family(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        io.NetworkAddress(None, 0, 99)
    assert str(info.value) == ADDR_TYPE_MESSAGE


def test_addr_int_range_checked_before_family(io: Any) -> None:
    with pytest.raises(ValueError) as info:
        io.NetworkAddress(4, 0, 0)
    assert str(info.value) == ADDR_INT_MESSAGE


def test_port_type_checked_before_addr(io: Any) -> None:
    with pytest.raises(TypeError):
        io.NetworkAddress(None, "x")


def test_port_overflow_checked_before_family(io: Any) -> None:
    with pytest.raises(OverflowError):
        io.NetworkAddress(io.PR_IpAddrAny, 2**31, 0)


def test_family_must_be_int(io: Any) -> None:
    with pytest.raises(TypeError):
        io.NetworkAddress(io.PR_IpAddrAny, 0, "2")


def test_too_many_arguments(io: Any) -> None:
    with pytest.raises(TypeError):
        io.NetworkAddress(1, 0, 2, 4)


def test_reinit_changes_the_object_in_place(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    na.__init__(io.PR_IpAddrAny, 5, io.PR_AF_INET6)
    assert state(na) == ("::", 5, io.PR_AF_INET6, None)


@pytest.mark.parametrize(
    ("family", "again", "expected"),
    [
        ("PR_AF_INET", "PR_AF_INET", "127.0.0.1"),
        ("PR_AF_INET6", "PR_AF_INET6", "::1"),
        ("PR_AF_INET6", "PR_AF_INET", "0.0.0.0"),  # the first 4 bytes of ::1
    ],
)
def test_reinit_with_null_keeps_the_address_bytes(
    io: Any, family: str, again: str, expected: str
) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80, getattr(io, family))
    na.__init__(io.PR_IpAddrNull, 5, getattr(io, again))
    assert state(na) == (expected, 5, getattr(io, again), None)


def test_null_addresses_are_zeros_whatever_was_made_before(io: Any) -> None:
    io.NetworkAddress(io.PR_IpAddrLoopback, 6)
    for family, zeros in (("PR_AF_INET", "0.0.0.0"), ("PR_AF_INET6", "::")):
        for _ in range(2):
            na = io.NetworkAddress(port=6, family=getattr(io, family))
            assert state(na) == (zeros, 6, getattr(io, family), None)


def test_subclass_instance(io: Any) -> None:
    sub = type("SubAddress", (io.NetworkAddress,), {})
    na = sub(io.PR_IpAddrLoopback, 3)
    assert isinstance(na, io.NetworkAddress)
    assert state(na) == ("127.0.0.1", 3, io.PR_AF_INET, None)


# --- constructor: the string path ---------------------------------------------


def test_string_localhost(io: Any) -> None:
    na = from_string(io, "localhost", 8)
    assert state(na) == ("127.0.0.1", 8, io.PR_AF_INET, "localhost")


def test_string_emits_deprecation_warning_text(io: Any) -> None:
    with pytest.warns(DeprecationWarning) as record:
        io.NetworkAddress("localhost", 8)
    messages = [str(w.message) for w in record if w.category is DeprecationWarning]
    assert messages == [INIT_WARNING]


def test_string_numeric_ipv4(io: Any) -> None:
    na = from_string(io, "127.0.0.1", 8)
    assert state(na) == ("127.0.0.1", 8, io.PR_AF_INET, "127.0.0.1")


def test_string_numeric_ipv6(io: Any) -> None:
    na = from_string(io, "::1", 8, io.PR_AF_INET6)
    assert state(na) == ("::1", 8, io.PR_AF_INET6, "::1")


def test_string_hostname_is_the_canonical_name(io: Any) -> None:
    assert from_string(io, "LOCALHOST").hostname == "localhost"


def test_string_by_keyword(io: Any) -> None:
    na = from_string(io, addr="localhost", port=9)
    assert state(na) == ("127.0.0.1", 9, io.PR_AF_INET, "localhost")


def test_string_port_is_cut_to_16_bits(io: Any) -> None:
    assert from_string(io, "localhost", 70000).port == 4464


def test_string_ipv6_in_inet_family_is_value_error(io: Any) -> None:
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        with pytest.raises(ValueError) as info:
            io.NetworkAddress("::1")
    assert str(info.value) == 'no address for "::1" in family PR_AF_INET'


def test_string_ipv4_in_inet6_family_is_value_error(io: Any) -> None:
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        with pytest.raises(ValueError) as info:
            io.NetworkAddress("127.0.0.1", 0, io.PR_AF_INET6)
    assert str(info.value) == 'no address for "127.0.0.1" in family PR_AF_INET6'


@pytest.mark.parametrize("name", [BAD_NAME, "999.1.1.1.invalid", "", "a.b.invalid"])
def test_string_lookup_failure(io: Any, error: Any, name: str) -> None:
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        with pytest.raises(error.NSPRError) as info:
            io.NetworkAddress(name)
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR
    assert str(info.value) == LOOKUP_TEXT


def test_string_with_empty_label_is_unicode_error(io: Any) -> None:
    with pytest.raises(UnicodeError):
        silently(io.NetworkAddress, "a..b")


# --- properties ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["address", "family", "hostname", "hostentry"])
def test_read_only_property(io: Any, name: str) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    with pytest.raises(AttributeError):
        setattr(na, name, 1)


def test_read_only_property_cannot_be_deleted(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    with pytest.raises(AttributeError):
        del na.address


def test_no_new_attributes(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    with pytest.raises(AttributeError):
        na.foo = 1


@pytest.mark.parametrize(
    "value,expected",
    [
        (1, 1),
        (True, 1),
        (0, 0),
        (65535, 65535),
        (-1, 65535),
        (65536, 0),
        (70000, 4464),
        (-65536, 0),
        (2**31, 0),
        (2**40 + 5, 5),
        (2**63 - 1, 65535),
    ],
)
def test_port_setter_wraps(io: Any, value: int, expected: int) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    na.port = value
    assert na.port == expected
    assert na.address == "127.0.0.1"
    assert na.family == io.PR_AF_INET


@pytest.mark.parametrize("value", ["1", 1.0, None, b"1"])
def test_port_setter_rejects_non_int(io: Any, value: object) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    with pytest.raises(TypeError):
        na.port = value
    assert na.port == 80


def test_port_cannot_be_deleted(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    with pytest.raises(TypeError):
        del na.port
    assert na.port == 80


def test_port_setter_keeps_ipv6_address(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80, io.PR_AF_INET6)
    na.port = 5
    assert state(na) == ("::1", 5, io.PR_AF_INET6, None)


def test_port_setter_keeps_hostname(io: Any) -> None:
    na = from_string(io, "localhost", 8)
    na.port = 9
    assert state(na) == ("127.0.0.1", 9, io.PR_AF_INET, "localhost")


@pytest.mark.difference("port = v with abs(v) >= 2**63 raises OverflowError at once")
@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 2**64])
def test_port_setter_huge_value_overflows_at_once(io: Any, value: int) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    try:
        na.port = value
    except OverflowError:
        pass
    else:
        raise AssertionError("no OverflowError")
    assert na.port == 80


def test_hostname_is_none_for_int_initialiser(io: Any) -> None:
    assert io.NetworkAddress(io.PR_IpAddrLoopback).hostname is None


def test_hostentry_emits_deprecation_warning(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback)
    with pytest.warns(DeprecationWarning) as record:
        na.hostentry  # noqa: B018
    messages = [str(w.message) for w in record if w.category is DeprecationWarning]
    assert messages == [HOSTENTRY_WARNING]


def test_hostentry_is_reverse_lookup(io: Any) -> None:
    he = silently(getattr, io.NetworkAddress(io.PR_IpAddrLoopback, 80), "hostentry")
    assert isinstance(he, io.HostEntry)
    assert he.hostname == "localhost"
    assert he.family == io.PR_AF_INET


def test_hostentry_is_cached(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback)
    first = silently(getattr, na, "hostentry")
    with pytest.warns(DeprecationWarning, match="HostEntry objects only support IPv4"):
        second = na.hostentry
    assert first is second


def test_hostentry_of_any_address_fails(io: Any, error: Any) -> None:
    # '::' has no hosts entry, and glibc answers it without asking DNS.
    na = io.NetworkAddress(io.PR_IpAddrAny, 0, io.PR_AF_INET6)
    with pytest.warns(DeprecationWarning, match="HostEntry objects only support IPv4"):
        with pytest.raises(error.NSPRError) as info:
            na.hostentry  # noqa: B018
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR


@pytest.mark.difference("hostentry is a complete HostEntry")
def test_hostentry_is_complete(io: Any) -> None:
    he = silently(getattr, io.NetworkAddress(io.PR_IpAddrLoopback, 80), "hostentry")
    assert he.aliases == ()
    assert len(he) == 1
    assert he[0].address == "127.0.0.1"
    assert (
        str(he) == "name=localhost family=PR_AF_INET aliases=() addresses=(%s)" % he[0]
    )


# --- set_from_string -----------------------------------------------------------


def test_set_from_string_keeps_port(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrAny, 9)
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        result = na.set_from_string("localhost")
    assert result is None
    assert state(na) == ("127.0.0.1", 9, io.PR_AF_INET, "localhost")


def test_set_from_string_warning_text(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrAny, 9)
    with pytest.warns(DeprecationWarning) as record:
        na.set_from_string("127.0.0.1")
    messages = [str(w.message) for w in record if w.category is DeprecationWarning]
    assert messages == [INIT_WARNING]


@pytest.mark.parametrize("addr", [b"127.0.0.1", bytearray(b"127.0.0.1"), "127.0.0.1"])
def test_set_from_string_accepts_str_bytes_bytearray(io: Any, addr: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrAny, 9)
    silently(na.set_from_string, addr)
    assert state(na) == ("127.0.0.1", 9, io.PR_AF_INET, "127.0.0.1")


@pytest.mark.parametrize("addr", [5, None, 1.5])
def test_set_from_string_rejects_other_types(io: Any, addr: object) -> None:
    na = io.NetworkAddress(io.PR_IpAddrAny, 9)
    with pytest.raises(TypeError):
        silently(na.set_from_string, addr)


def test_set_from_string_unspec_takes_any_family(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrAny, 9)
    silently(na.set_from_string, "::1", io.PR_AF_UNSPEC)
    assert state(na) == ("::1", 9, io.PR_AF_INET6, "::1")


def test_set_from_string_keywords(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrAny, 9)
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        na.set_from_string(addr="::1", family=io.PR_AF_INET6)
    assert state(na) == ("::1", 9, io.PR_AF_INET6, "::1")


def test_set_from_string_lookup_failure_keeps_address_clears_hostname(
    io: Any, error: Any
) -> None:
    na = from_string(io, "localhost", 9)
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        with pytest.raises(error.NSPRError) as info:
            na.set_from_string(BAD_NAME)
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR
    assert state(na) == ("127.0.0.1", 9, io.PR_AF_INET, None)


def test_set_from_string_family_mismatch_zeroes_the_object(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 9)
    with pytest.warns(DeprecationWarning, match="only works for IPv4"):
        with pytest.raises(ValueError) as info:
            na.set_from_string("::1")
    assert str(info.value) == 'no address for "::1" in family PR_AF_INET'
    assert state(na) == ("<unset>", 0, 0, None)
    assert str(na) == "<unset>"


def test_set_from_string_unknown_family_never_matches(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 9)
    with pytest.raises(ValueError) as info:
        silently(na.set_from_string, "localhost", 99)
    assert str(info.value) == 'no address for "localhost" in family unknown(0x63)'


# --- uninitialised object ----------------------------------------------------------


def test_uninitialised_object_is_unset(io: Any) -> None:
    na = io.NetworkAddress.__new__(io.NetworkAddress)
    assert state(na) == ("<unset>", 0, 0, None)
    assert str(na) == "<unset>"


def test_uninitialised_object_port_can_be_set(io: Any) -> None:
    na = io.NetworkAddress.__new__(io.NetworkAddress)
    na.port = 5
    assert state(na) == ("<unset>", 5, 0, None)


# --- dunders -----------------------------------------------------------------------


@pytest.mark.difference("repr() shows the address and port")
def test_repr_shows_the_address(io: Any) -> None:
    assert (
        repr(io.NetworkAddress(io.PR_IpAddrLoopback, 80))
        == "<NetworkAddress 127.0.0.1:80>"
    )


@pytest.mark.difference("str() is 'address:port' as documented")
def test_str_inet_has_port(io: Any) -> None:
    assert str(io.NetworkAddress(io.PR_IpAddrLoopback, 80)) == "127.0.0.1:80"


@pytest.mark.difference("str() is '[address]:port' for IPv6 as documented")
def test_str_inet6_has_brackets_and_port(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80, io.PR_AF_INET6)
    assert str(na) == "[::1]:80"


@pytest.mark.difference("str() is 'address:port' as documented")
def test_format_and_percent_s_have_port(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrAny, 0)
    assert "%s" % na == "0.0.0.0:0"
    assert format(na) == "0.0.0.0:0"
    assert f"{na}" == "0.0.0.0:0"


@pytest.mark.difference("str() is 'address:port' as documented")
def test_str_of_string_initialised_address(io: Any) -> None:
    assert str(from_string(io, "localhost", 8)) == "127.0.0.1:8"


def test_equal_to_itself(io: Any) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    assert na == na
    assert hash(na) == hash(na)


def test_different_ports_compare_unequal(io: Any) -> None:
    a = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    b = io.NetworkAddress(io.PR_IpAddrLoopback, 81)
    assert a != b


def test_different_families_compare_unequal(io: Any) -> None:
    a = io.NetworkAddress(io.PR_IpAddrAny, 80)
    b = io.NetworkAddress(io.PR_IpAddrAny, 80, io.PR_AF_INET6)
    assert a != b


def test_ordering_is_not_supported(io: Any) -> None:
    a = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    b = io.NetworkAddress(io.PR_IpAddrLoopback, 81)
    with pytest.raises(TypeError):
        a < b  # noqa: B015


@pytest.mark.difference("NetworkAddress compares by value")
def test_equal_values_compare_equal(io: Any) -> None:
    a = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    b = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    assert a == b
    assert not (a != b)


@pytest.mark.difference("NetworkAddress hashes by value")
def test_equal_values_hash_equal(io: Any) -> None:
    a = io.NetworkAddress(io.PR_IpAddrLoopback, 80, io.PR_AF_INET6)
    b = io.NetworkAddress(io.PR_IpAddrLoopback, 80, io.PR_AF_INET6)
    assert hash(a) == hash(b)
    assert len({a, b}) == 1


@pytest.mark.difference("NetworkAddress compares by value")
def test_string_and_int_initialised_compare_equal(io: Any) -> None:
    a = from_string(io, "127.0.0.1", 80)
    b = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    assert a == b


def test_cannot_be_pickled(io: Any) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(io.NetworkAddress(io.PR_IpAddrLoopback, 80))


def test_cannot_be_copied(io: Any) -> None:
    with pytest.raises(TypeError):
        copy.copy(io.NetworkAddress(io.PR_IpAddrLoopback, 80))
