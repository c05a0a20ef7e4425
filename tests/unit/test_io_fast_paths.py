"""The one-frame paths of ``io`` give what python-nss's general conversions give.

The interval functions convert an int without asking the backend when it
counts 1000 ticks per second; a backend counting other ticks is asked.
NetworkAddress builds the constant addresses inline, and keeps each value it
built for the next address of the same port; an object made by ``__new__``
alone reads as unset.
"""

from __future__ import annotations

from typing import Callable, Dict, List

import pytest

from nspr_ctypes import _address, backends, io
from nspr_ctypes.backends import Backend, get_backend, using_backend
from nspr_ctypes.backends.stdlib import StdlibBackend

MOD = 2**32

#: python-nss's formulas (NSPR's), for any ticks per second.
FORMULAS: Dict[str, Callable[[int, int], int]] = {
    "seconds_to_interval": lambda v, tps: v % MOD * tps % MOD,
    "milliseconds_to_interval": lambda v, tps: (v % MOD * tps + 500) // 1000 % MOD,
    "microseconds_to_interval": lambda v, tps: (
        (v % MOD * tps + 500000) // 1000000 % MOD
    ),
    "interval_to_seconds": lambda v, tps: v % MOD // tps,
    "interval_to_milliseconds": lambda v, tps: (v % MOD * 1000 + tps // 2) // tps % MOD,
    "interval_to_microseconds": lambda v, tps: (
        (v % MOD * 1000000 + tps // 2) // tps % MOD
    ),
}

VALUES: List[int] = [
    0,
    1,
    499,
    500,
    999,
    1000,
    4294967,
    4294968,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**32 + 1,
    2**40 + 123,
    -1,
    -499,
    -500,
    -(2**31),
    -(2**32),
    -(2**64) - 7,
]


class TenMicrosecondTicks(StdlibBackend):
    """The stdlib backend, counting 100000 ticks per second."""

    def ticks_per_second(self) -> int:
        return 100000


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_millisecond_tick_conversion_matches_the_formula(name: str) -> None:
    backend = StdlibBackend()
    convert = getattr(io, name)
    expected = [FORMULAS[name](v, 1000) for v in VALUES]
    assert [convert(v, backend=backend) for v in VALUES] == expected


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_other_ticks_per_second_are_asked_of_the_backend(name: str) -> None:
    backend = TenMicrosecondTicks()
    convert = getattr(io, name)
    expected = [FORMULAS[name](v, 100000) for v in VALUES]
    assert [convert(v, backend=backend) for v in VALUES] == expected


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_int_subclass_converts_as_its_value(name: str) -> None:
    class Ticks(int):
        pass

    convert = getattr(io, name)
    assert convert(Ticks(2**32 + 1500)) == convert(2**32 + 1500)


def test_default_backend_shortcut_agrees_with_its_ticks() -> None:
    backend: Backend = get_backend()
    assert backend._millisecond_ticks == (backend.ticks_per_second() == 1000)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_conversions_follow_a_change_of_the_default(name: str) -> None:
    # io keeps a view of the default (its ticks, its clock): a default of
    # other ticks must switch the shortcut off, and the old default's back on.
    convert = getattr(io, name)
    before = [convert(v) for v in VALUES]
    with using_backend(TenMicrosecondTicks()):
        assert [convert(v) for v in VALUES] == [
            FORMULAS[name](v, 100000) for v in VALUES
        ]
    assert [convert(v) for v in VALUES] == before


def test_interval_now_follows_a_change_of_the_default() -> None:
    class FixedClock(StdlibBackend):
        def interval_now(self) -> int:
            return 12345

    other = FixedClock()
    with using_backend(other):
        assert io.interval_now() == 12345
    assert io.interval_now(backend=other) == 12345
    assert io._default_interval_now == get_backend().interval_now


def test_interval_now_chooses_the_default_on_first_use() -> None:
    # Before any default is chosen, interval_now() must choose one (the
    # view then follows it), not fail or read a stale clock.
    with using_backend(StdlibBackend()):
        backends._reset_for_tests()
        try:
            value = io.interval_now()
            assert backends._default is not None
            assert type(value) is int and 0 <= value < MOD
            assert io._default_interval_now == backends._default.interval_now
        finally:
            backends._reset_for_tests()


class Index:
    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


@pytest.mark.parametrize("name", ["htonl", "ntohl"])
def test_long_swap_of_index_object_is_that_of_its_value(name: str) -> None:
    assert getattr(io, name)(Index(0x01020304)) == getattr(io, name)(0x01020304)


@pytest.mark.parametrize("name", ["htonl", "ntohl"])
def test_long_swap_error_has_no_context(name: str) -> None:
    with pytest.raises(OverflowError) as info:
        getattr(io, name)(-1)
    assert info.value.__context__ is None


@pytest.mark.parametrize("name", ["htons", "ntohs"])
def test_short_swap_of_index_object_is_that_of_its_value(name: str) -> None:
    assert getattr(io, name)(Index(-2)) == getattr(io, name)(0xFFFE)


def test_constant_address_belongs_to_the_given_backend() -> None:
    backend = StdlibBackend()
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80, backend=backend)
    assert na._backend is backend


def test_constant_address_follows_a_change_of_the_default() -> None:
    before = get_backend()
    backend = StdlibBackend()
    with using_backend(backend):
        inside = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    after = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    assert inside._backend is backend
    assert after._backend is before
    assert inside._sa is after._sa  # the kept value serves every backend


def test_constant_address_has_no_hostname() -> None:
    assert io.NetworkAddress(io.PR_IpAddrAny, 80, io.PR_AF_INET6).hostname is None


@pytest.mark.parametrize("constant", [io.PR_IpAddrAny, io.PR_IpAddrLoopback])
@pytest.mark.parametrize("family", [io.PR_AF_INET, io.PR_AF_INET6])
def test_constant_address_of_a_port_seen_before_is_the_same_value(
    constant: int, family: int
) -> None:
    first = io.NetworkAddress(constant, 8080, family)
    second = io.NetworkAddress(constant, 8080, family)
    assert second._sa is first._sa  # looked up, not built again
    expected = "[::1]:8080" if family == io.PR_AF_INET6 else "127.0.0.1:8080"
    if constant == io.PR_IpAddrAny:
        expected = "[::]:8080" if family == io.PR_AF_INET6 else "0.0.0.0:8080"
    assert str(second) == expected
    assert (second.family, second.port) == (family, 8080)


def test_changing_one_address_leaves_others_of_its_port_alone() -> None:
    first = io.NetworkAddress(io.PR_IpAddrLoopback, 8080)
    second = io.NetworkAddress(io.PR_IpAddrLoopback, 8080)
    first.port = 9090
    assert (first.port, second.port) == (9090, 8080)
    assert io.NetworkAddress(io.PR_IpAddrLoopback, 8080).port == 8080


def test_ports_kept_are_bounded_and_values_stay_right_past_the_bound() -> None:
    kept = _address._CONSTANT_SOCKADDRS[io.PR_AF_INET][io.PR_IpAddrAny]
    for port in range(3 * _address._PORTS_KEPT):
        assert io.NetworkAddress(io.PR_IpAddrAny, port).port == port
        assert len(kept) <= _address._PORTS_KEPT


@pytest.mark.parametrize(
    ("port", "expected"), [(-1, 0xFFFF), (0x12345, 0x2345), (True, 1)]
)
def test_port_is_truncated_as_python_nss_does_seen_before_or_not(
    port: int, expected: int
) -> None:
    for _ in range(2):  # the second time, a value kept (or refused) before
        assert io.NetworkAddress(io.PR_IpAddrLoopback, port).port == expected


@pytest.mark.parametrize("port", [2**31, -(2**31) - 1, 2**64])
def test_port_out_of_c_int_range_is_refused_each_time(port: int) -> None:
    for _ in range(2):
        with pytest.raises(OverflowError):
            io.NetworkAddress(io.PR_IpAddrLoopback, port)
    assert port not in _address._CONSTANT_SOCKADDRS[io.PR_AF_INET][io.PR_IpAddrLoopback]


def test_port_of_another_type_than_int_is_not_looked_up() -> None:
    io.NetworkAddress(io.PR_IpAddrLoopback, 8080)  # kept
    with pytest.raises(TypeError):
        io.NetworkAddress(io.PR_IpAddrLoopback, 8080.0)  # type: ignore[arg-type]


def _refuse_checked_path(self: io.NetworkAddress, *args: object) -> None:
    raise AssertionError("took the checked path")


@pytest.mark.parametrize("family", [io.PR_AF_INET, io.PR_AF_INET6])
def test_null_address_of_a_new_object_is_the_kept_any_value(
    family: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    any_address = io.NetworkAddress(io.PR_IpAddrAny, 8080, family)
    monkeypatch.setattr(io.NetworkAddress, "_init_checked", _refuse_checked_path)
    null = io.NetworkAddress(port=8080, family=family)
    assert null._sa is any_address._sa  # zeros, as PR_IpAddrAny's
    assert null._backend is get_backend()
    assert (null.hostname, null.port, null.family) == (None, 8080, family)
    assert io.NetworkAddress().port == 0


def test_null_address_of_an_object_made_before_takes_the_checked_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    na = io.NetworkAddress(io.PR_IpAddrLoopback, 80)
    monkeypatch.setattr(io.NetworkAddress, "_init_checked", _refuse_checked_path)
    with pytest.raises(AssertionError, match="checked path"):
        io.NetworkAddress.__init__(na, io.PR_IpAddrNull, 5)  # keeps 127.0.0.1


def test_uninitialised_address_equals_another() -> None:
    first = io.NetworkAddress.__new__(io.NetworkAddress)
    second = io.NetworkAddress.__new__(io.NetworkAddress)
    assert first == second
    assert hash(first) == hash(second)


def test_uninitialised_address_is_not_the_default_address() -> None:
    assert io.NetworkAddress.__new__(io.NetworkAddress) != io.NetworkAddress()


def test_uninitialised_address_family_is_unspec() -> None:
    na = io.NetworkAddress.__new__(io.NetworkAddress)
    assert na.family == io.PR_AF_UNSPEC


def test_uninitialised_address_is_refused_by_connect() -> None:
    na = io.NetworkAddress.__new__(io.NetworkAddress)
    with io.Socket(io.PR_AF_INET) as sock:
        with pytest.raises(ValueError) as info:
            sock.connect(na, 0)
    assert "NetworkAddress family (PR_AF_UNSPEC)" in str(info.value)
