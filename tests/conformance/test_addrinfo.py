"""``AddrInfo`` (§5): lookup, sequence protocol, properties, failures."""

from __future__ import annotations

import copy
import pickle
import re
from typing import Any, List

import pytest

LOOKUP_TEXT = (
    "(PR_DIRECTORY_LOOKUP_ERROR) A directory lookup on a network address has failed."
)
BAD_NAME = "nspr-ctypes-no-such-host.invalid"


@pytest.fixture
def ai(io: Any) -> Any:
    return io.AddrInfo("localhost")


def address_parts(ai: Any) -> List[str]:
    """The addresses ``str(ai)`` shows, from its ``addr[i]=...`` parts."""
    parts = re.findall(r" addr\[(\d+)\]=(\S*)", str(ai))
    assert [int(index) for index, _text in parts] == list(range(len(ai)))
    return [text for _index, text in parts]


# --- construction and contents -----------------------------------------------------


def test_localhost_str(ai: Any) -> None:
    assert str(ai) == "host=localhost canonical=localhost (1 addrs) addr[0]=%s" % ai[0]


@pytest.mark.parametrize("hostname", ["localhost", "127.0.0.1", "::1"])
def test_str_shows_each_address_as_its_str(io: Any, hostname: str) -> None:
    ai = io.AddrInfo(hostname)
    assert address_parts(ai) == [str(na) for na in ai]


def test_str_follows_a_changed_entry_port(ai: Any) -> None:
    ai[0].port = 443
    assert address_parts(ai) == [str(ai[0])]


@pytest.mark.difference("an address in str(AddrInfo) reads 'address:port' [7]")
def test_str_shows_ipv4_address_and_port(ai: Any) -> None:
    assert str(ai) == "host=localhost canonical=localhost (1 addrs) addr[0]=127.0.0.1:0"


@pytest.mark.difference("an address in str(AddrInfo) reads '[address]:port' [7]")
def test_str_shows_ipv6_address_in_brackets_and_port(io: Any) -> None:
    assert str(io.AddrInfo("::1")) == "host=::1 canonical=::1 (1 addrs) addr[0]=[::1]:0"


def test_localhost_has_one_address(ai: Any) -> None:
    assert len(ai) == 1


def test_localhost_hostname_and_canonical_name(ai: Any) -> None:
    assert ai.hostname == "localhost"
    assert ai.canonical_name == "localhost"
    assert type(ai.hostname) is str
    assert type(ai.canonical_name) is str


def test_entry_is_a_fresh_network_address(io: Any, ai: Any) -> None:
    na = ai[0]
    assert isinstance(na, io.NetworkAddress)
    assert na.address == "127.0.0.1"
    assert na.port == 0
    assert na.family == io.PR_AF_INET
    assert na.hostname is None


def test_inet_family(io: Any) -> None:
    ai = io.AddrInfo("localhost", io.PR_AF_INET)
    assert str(ai) == "host=localhost canonical=localhost (1 addrs) addr[0]=%s" % ai[0]


def test_keyword_arguments(io: Any) -> None:
    ai = io.AddrInfo(
        hostname="localhost", family=io.PR_AF_INET, flags=io.PR_AI_ADDRCONFIG
    )
    assert ai.hostname == "localhost"
    assert ai[0].address == "127.0.0.1"


@pytest.mark.parametrize("hostname", [b"localhost", bytearray(b"localhost")])
def test_bytes_hostname(io: Any, hostname: Any) -> None:
    ai = io.AddrInfo(hostname)
    assert ai.hostname == "localhost"
    assert type(ai.hostname) is str
    assert ai[0].address == "127.0.0.1"


def test_nocanonname(io: Any) -> None:
    ai = io.AddrInfo(
        "localhost", io.PR_AF_UNSPEC, io.PR_AI_ADDRCONFIG | io.PR_AI_NOCANONNAME
    )
    assert ai.canonical_name is None
    assert str(ai) == "host=localhost canonical=None (1 addrs) addr[0]=%s" % ai[0]


def test_hostname_keeps_case_canonical_does_not(io: Any) -> None:
    ai = io.AddrInfo("LOCALHOST")
    assert ai.hostname == "LOCALHOST"
    assert ai.canonical_name == "localhost"
    assert str(ai) == "host=LOCALHOST canonical=localhost (1 addrs) addr[0]=%s" % ai[0]


def test_numeric_ipv4(io: Any) -> None:
    ai = io.AddrInfo("127.0.0.1")
    assert ai.hostname == "127.0.0.1"
    assert ai.canonical_name == "127.0.0.1"
    assert str(ai) == "host=127.0.0.1 canonical=127.0.0.1 (1 addrs) addr[0]=%s" % ai[0]


def test_numeric_ipv6_with_unspec(io: Any) -> None:
    ai = io.AddrInfo("::1")
    assert len(ai) == 1
    assert ai[0].family == io.PR_AF_INET6
    assert ai[0].address == "::1"
    assert ai.canonical_name == "::1"
    assert str(ai) == "host=::1 canonical=::1 (1 addrs) addr[0]=%s" % ai[0]


# --- sequence protocol ---------------------------------------------------------


def test_same_objects_on_every_access(ai: Any) -> None:
    assert ai[0] is ai[0]


def test_negative_index(ai: Any) -> None:
    assert ai[-1] is ai[0]


@pytest.mark.parametrize("index", [1, -2, 100])
def test_index_out_of_range(ai: Any, index: int) -> None:
    with pytest.raises(IndexError):
        ai[index]


@pytest.mark.parametrize("index", [slice(0, 1), "0", 0.0])
def test_index_must_be_int(ai: Any, index: object) -> None:
    with pytest.raises(TypeError):
        ai[index]


def test_iteration(io: Any, ai: Any) -> None:
    entries = list(ai)
    assert len(entries) == 1
    assert entries[0] is ai[0]


def test_reversed(ai: Any) -> None:
    assert list(reversed(ai)) == [ai[0]]


def test_contains_its_entries(ai: Any) -> None:
    assert ai[0] in ai


def test_bool_is_true(ai: Any) -> None:
    assert bool(ai)


def test_entries_are_shared(ai: Any) -> None:
    ai[0].port = 5
    assert ai[0].port == 5
    assert next(iter(ai)).port == 5


# --- argument errors -------------------------------------------------------------


@pytest.mark.parametrize("hostname", [5, None, 1.5])
def test_hostname_type(io: Any, hostname: object) -> None:
    with pytest.raises(TypeError):
        io.AddrInfo(hostname)


def test_hostname_with_nul(io: Any) -> None:
    with pytest.raises(TypeError):
        io.AddrInfo("local\x00host")


def test_non_ascii_bytes_hostname(io: Any) -> None:
    with pytest.raises(UnicodeDecodeError):
        io.AddrInfo(b"\xc3\xa9")


def test_empty_label_is_unicode_error(io: Any) -> None:
    with pytest.raises(UnicodeError):
        io.AddrInfo("a..b")


@pytest.mark.parametrize("args", [("localhost", 2**31), ("localhost", 0, 2**31)])
def test_family_and_flags_outside_c_int_overflow(io: Any, args: Any) -> None:
    with pytest.raises(OverflowError):
        io.AddrInfo(*args)


@pytest.mark.parametrize("args", [("localhost", "x"), ("localhost", 0, "x")])
def test_family_and_flags_must_be_int(io: Any, args: Any) -> None:
    with pytest.raises(TypeError):
        io.AddrInfo(*args)


def test_hostname_is_required(io: Any) -> None:
    with pytest.raises(TypeError):
        io.AddrInfo()


@pytest.mark.parametrize("family", [10, 1, 99])
def test_unsupported_family(io: Any, error: Any, family: int) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.AddrInfo("localhost", family)
    assert info.value.errno == error.PR_INVALID_ARGUMENT_ERROR


@pytest.mark.parametrize("flags", [0, 0x8, 0x30, 0x10, 0x8000])
def test_unsupported_flags(io: Any, error: Any, flags: int) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.AddrInfo("localhost", 0, flags)
    assert info.value.errno == error.PR_INVALID_ARGUMENT_ERROR


# --- lookup failures ------------------------------------------------------------


@pytest.mark.parametrize("hostname", [BAD_NAME, "", "x.y.invalid"])
def test_lookup_failure(io: Any, error: Any, hostname: str) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.AddrInfo(hostname)
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR
    assert str(info.value) == LOOKUP_TEXT


def test_ipv6_literal_in_inet_family_fails(io: Any, error: Any) -> None:
    with pytest.raises(error.NSPRError) as info:
        io.AddrInfo("::1", io.PR_AF_INET)
    assert info.value.errno == error.PR_DIRECTORY_LOOKUP_ERROR


def test_failed_reinit_keeps_old_addresses_new_hostname(io: Any, error: Any) -> None:
    ai = io.AddrInfo("localhost")
    with pytest.raises(error.NSPRError):
        ai.__init__(BAD_NAME)
    assert ai.hostname == BAD_NAME
    assert len(ai) == 1
    assert ai[0].address == "127.0.0.1"


# --- other dunders and attributes -------------------------------------------------


@pytest.mark.parametrize("name", ["hostname", "canonical_name"])
def test_read_only_property(ai: Any, name: str) -> None:
    with pytest.raises(AttributeError):
        setattr(ai, name, "x")


def test_repr_is_the_default(ai: Any) -> None:
    text = repr(ai)
    assert text.startswith("<")
    assert "AddrInfo object at 0x" in text


def test_cannot_be_pickled(ai: Any) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(ai)


def test_cannot_be_copied(ai: Any) -> None:
    with pytest.raises(TypeError):
        copy.copy(ai)


def test_subclass(io: Any) -> None:
    sub = type("SubAddrInfo", (io.AddrInfo,), {})
    ai = sub("localhost")
    assert isinstance(ai, io.AddrInfo)
    assert ai[0].address == "127.0.0.1"


# --- uninitialised object ----------------------------------------------------------


@pytest.fixture
def bare(io: Any) -> Any:
    return io.AddrInfo.__new__(io.AddrInfo)


def test_uninitialised_len(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        len(bare)


def test_uninitialised_str(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        str(bare)


def test_uninitialised_index(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        bare[0]


@pytest.mark.difference("uninitialised AddrInfo.hostname: ValueError", crashes=True)
def test_uninitialised_hostname(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        bare.hostname  # noqa: B018


@pytest.mark.difference(
    "uninitialised AddrInfo.canonical_name: ValueError", crashes=True
)
def test_uninitialised_canonical_name(bare: Any) -> None:
    with pytest.raises(ValueError, match=r"is uninitialized$"):
        bare.canonical_name  # noqa: B018
