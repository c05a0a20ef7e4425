"""The one socket-option table (``constants._SOCKOPT_KINDS``) and its readers.

The typing.Literal option types of ``Socket.get_socket_option`` (in the
source and in ``stubs/``) name option numbers by hand, since Literal cannot
name a constant; these tests keep them equal to the table. Every option the
table gives python-nss's API must also be handled by both backends, on the get
and the set path: adding an option or a kind in one place only fails here.
"""

from __future__ import annotations

import ast
import socket
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Set

import pytest
from conftest import ORACLE

from nspr_ctypes import _socket_options, constants
from nspr_ctypes import io as nspr_io
from nspr_ctypes._address import desc_type_name, family_name
from nspr_ctypes.backends import stdlib
from nspr_ctypes.backends._base import Backend, Handle, SockAddr
from nspr_ctypes.constants import (
    _SOCKOPT_KINDS,
    _SOCKOPTS_UNMAPPED,
    _PR_SockOpt_Last,
    _SockOptKind,
)
from nspr_ctypes.error import (
    PR_ADDRESS_IN_USE_ERROR,
    PR_ADDRESS_NOT_AVAILABLE_ERROR,
    PR_INVALID_ARGUMENT_ERROR,
    NSPRError,
)
from nspr_ctypes.pytest_plugin import load_spec

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(_socket_options.__file__)
STUB = ROOT / "stubs" / "nspr_ctypes" / "io.pyi"

KINDS: FrozenSet[int] = frozenset(
    value for name, value in vars(_SockOptKind).items() if not name.startswith("_")
)
#: get_socket_option's Literal option types and the kinds each one stands for.
LITERAL_KINDS: Dict[str, FrozenSet[int]] = {
    "_FlagOption": frozenset((_SockOptKind.FLAG,)),
    "_SizeOption": frozenset((_SockOptKind.SIZE, _SockOptKind.UINT)),
    "_LingerOption": frozenset((_SockOptKind.LINGER,)),
    "_InterfaceOption": frozenset((_SockOptKind.MCAST_IF,)),
    "_MembershipOption": frozenset((_SockOptKind.MREQ,)),
}
#: The options python-nss maps (what Socket accepts), by kind.
MAPPED: Dict[int, int] = {
    option: kind
    for option, kind in _SOCKOPT_KINDS.items()
    if option not in _SOCKOPTS_UNMAPPED
}
#: Options at the IPPROTO_TCP level: the kernel refuses them on a UDP socket.
TCP_ONLY = frozenset((nspr_io.PR_SockOpt_NoDelay, nspr_io.PR_SockOpt_MaxSegment))
LOOPBACK = SockAddr(nspr_io.PR_AF_INET, socket.inet_aton("127.0.0.1"))
GROUP = SockAddr(nspr_io.PR_AF_INET, socket.inet_aton("224.0.0.251"))


def _option_literals(path: Path) -> Dict[str, Set[int]]:
    """The ints of each ``_*Option = Literal[...]`` assignment in ``path``."""
    found: Dict[str, Set[int]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or not target.id.endswith("Option"):
            continue
        found[target.id] = {
            item.value
            for item in ast.walk(node.value)
            if isinstance(item, ast.Constant) and type(item.value) is int
        }
    return found


# -- the table ----------------------------------------------------------------


def test_table_has_every_nspr_option_number() -> None:
    assert set(_SOCKOPT_KINDS) == set(range(_PR_SockOpt_Last))


def test_table_kinds_are_sockopt_kinds() -> None:
    assert set(_SOCKOPT_KINDS.values()) <= KINDS


def test_mapped_options_are_the_public_constants() -> None:
    public = {
        getattr(constants, name)
        for name in constants.__all__
        if name.startswith("PR_SockOpt_")
    }
    assert set(MAPPED) == public


def test_socket_takes_the_mapped_options_of_the_table() -> None:
    assert _socket_options._OPTION_KINDS == MAPPED


# -- the Literal option types -------------------------------------------------


@pytest.mark.parametrize("path", [SOURCE, STUB], ids=["source", "stub"])
def test_literal_option_types_are_the_table(path: Path) -> None:
    literals = _option_literals(path)
    assert set(literals) == set(LITERAL_KINDS)
    for alias, kinds in LITERAL_KINDS.items():
        expected = {option for option, kind in MAPPED.items() if kind in kinds}
        assert literals[alias] == expected, alias


def test_literal_option_types_cover_every_kind() -> None:
    covered: Set[int] = set()
    for kinds in LITERAL_KINDS.values():
        covered |= kinds
    assert covered == KINDS


# -- both backends handle every option ------------------------------------------


def test_stdlib_names_every_option_that_reaches_a_backend() -> None:
    # Nonblocking is the socket's mode: Socket keeps it and never passes it on.
    expected = set(MAPPED) - {nspr_io.PR_SockOpt_Nonblocking}
    assert set(stdlib._OPTION_NAMES) == expected


@pytest.fixture(scope="module")
def backend(target: str) -> Backend:
    if target == ORACLE:
        pytest.skip("the backend primitives are nspr_ctypes's")
    return load_spec(target)


@pytest.fixture
def open_socket(backend: Backend) -> Iterator[Callable[[int], Handle]]:
    handles: List[Handle] = []

    def open_one(option: int) -> Handle:
        desc_type = (
            nspr_io.PR_DESC_SOCKET_TCP
            if option in TCP_ONLY
            else nspr_io.PR_DESC_SOCKET_UDP
        )
        handle = backend.open_socket(nspr_io.PR_AF_INET, desc_type)
        handles.append(handle)
        return handle

    yield open_one
    for handle in handles:
        backend.close(handle)


def _check_flag(backend: Backend, handle: Handle, option: int) -> None:
    before = backend.get_option(handle, option)
    assert type(before) is bool
    backend.set_option(handle, option, not before)
    assert backend.get_option(handle, option) is (not before)


def _check_size(backend: Backend, handle: Handle, option: int) -> None:
    backend.set_option(handle, option, 8192)
    value = backend.get_option(handle, option)
    assert type(value) is int
    assert value > 0


def _check_uint(backend: Backend, handle: Handle, option: int) -> None:
    backend.set_option(handle, option, 8)
    assert backend.get_option(handle, option) == 8


def _check_linger(backend: Backend, handle: Handle, option: int) -> None:
    backend.set_option(handle, option, (True, 2000))
    assert backend.get_option(handle, option) == (True, 2000)


def _check_interface(backend: Backend, handle: Handle, option: int) -> None:
    backend.set_option(handle, option, LOOPBACK)
    assert backend.get_option(handle, option) == LOOPBACK


def _check_membership(backend: Backend, handle: Handle, option: int) -> None:
    # The request reaches the kernel (a drop without a join is refused there,
    # with another code than an option the backend does not know).
    try:
        backend.set_option(handle, option, (GROUP, LOOPBACK))
    except NSPRError as exc:
        assert exc.errno in (PR_ADDRESS_NOT_AVAILABLE_ERROR, PR_ADDRESS_IN_USE_ERROR)
    with pytest.raises(NSPRError) as info:
        backend.get_option(handle, option)
    assert info.value.errno == PR_INVALID_ARGUMENT_ERROR


CHECKS: Dict[int, Callable[[Backend, Handle, int], None]] = {
    _SockOptKind.FLAG: _check_flag,
    _SockOptKind.SIZE: _check_size,
    _SockOptKind.UINT: _check_uint,
    _SockOptKind.LINGER: _check_linger,
    _SockOptKind.MCAST_IF: _check_interface,
    _SockOptKind.MREQ: _check_membership,
}


def test_every_kind_has_a_backend_check() -> None:
    assert set(CHECKS) == KINDS


@pytest.mark.parametrize(
    "option",
    sorted(set(MAPPED) - {nspr_io.PR_SockOpt_Nonblocking}),
    ids=lambda option: "option%d" % option,
)
def test_backend_gets_and_sets_option(
    backend: Backend, open_socket: Callable[[int], Handle], option: int
) -> None:
    CHECKS[MAPPED[option]](backend, open_socket(option), option)


@pytest.mark.parametrize("option", sorted(_SOCKOPTS_UNMAPPED))
def test_socket_refuses_unmapped_option(io: Any, option: int) -> None:
    sock = io.Socket(io.PR_AF_INET)
    try:
        with pytest.raises(ValueError, match="unknown option"):
            sock.get_socket_option(option)
        with pytest.raises(ValueError, match="unknown option"):
            sock.set_socket_option(option, True)
    finally:
        sock.close()


# -- names derived from the constants -------------------------------------------


@pytest.mark.parametrize(
    "prefix, name_of",
    [("PR_AF_", family_name), ("PR_DESC_", desc_type_name)],
    ids=["family", "desc_type"],
)
def test_every_constant_has_its_own_name(
    prefix: str, name_of: Callable[[int], str]
) -> None:
    names = [name for name in constants.__all__ if name.startswith(prefix)]
    assert names
    assert {name_of(getattr(constants, name)) for name in names} == set(names)
