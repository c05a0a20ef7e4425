"""Differential test: the ``nspr`` and ``stdlib`` backends side by side.

A seeded random sequence of operations is applied, in lock step, to two
identical little worlds of sockets, one per backend (a listener, a bound
port nobody listens on, TCP clients, accepted sockets, two UDP sockets, a
``new_tcp_pair`` and a scratch socket). Each step's outcome is normalised
(values; addresses as family, address and the *role* of the port; errors as
their class plus ``errno`` for NSPRError and the message for ValueError) and
the two outcomes must be equal.

Determinism: the next operation is chosen from the seed and a model of the
world (bytes in flight, pending connections, EOFs), never from timing. Before
each step the harness *settles* both worlds: it waits (bounded) until every
byte, datagram, connection and FIN the model expects has reached the kernel
queue of its socket. So a receive meant to succeed sees everything sent, and
one meant to time out (after 20 ticks) has nothing pending. Operations whose
outcome depends on timing by nature are not generated; each such exclusion
is commented where it is made.

``NSPR_CTYPES_DIFF_SEEDS`` (number of seeds) and ``NSPR_CTYPES_DIFF_STEPS``
(steps per seed) enlarge the run; ``NSPR_CTYPES_DIFF_SEED0`` moves the first
seed.
"""

from __future__ import annotations

import fcntl
import os
import random
import select
import struct
import termios
import time
import warnings
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import pytest

import nspr_ctypes
from nspr_ctypes import io
from nspr_ctypes.backends import Backend
from nspr_ctypes.error import NSPRError

SEEDS = int(os.environ.get("NSPR_CTYPES_DIFF_SEEDS", "4"))
STEPS = int(os.environ.get("NSPR_CTYPES_DIFF_STEPS", "150"))
SEED0 = int(os.environ.get("NSPR_CTYPES_DIFF_SEED0", "1000"))

SHORT = 20  # ticks: a wait that must expire (nothing is pending)
LONG = 2000  # ticks: a wait that must succeed (everything has arrived)
SETTLE_SECONDS = 2.0
MAX_PENDING = 2000  # bytes queued towards one socket; far below any buffer
MAX_BACKLOG = 3  # listen(5): never more pending connections than this
MAX_DATAGRAMS = 3
HISTORY = int(os.environ.get("NSPR_CTYPES_DIFF_HISTORY", "15"))

CLIENTS = ("c0", "c1", "c2", "c3")
ACCEPTED = ("a0", "a1", "a2", "a3")
PAIR = ("p0", "p1")
UDP = ("u0", "u1")
# L: listener; D: bound TCP socket that never listens (connects are refused);
# x: a scratch socket of any family and type, replaced by "open".
ALL_SLOTS = ("L", "D", "x", *CLIENTS, *ACCEPTED, *PAIR, *UDP)
STREAMS = (*CLIENTS, *ACCEPTED, *PAIR)

FLAG_OPTIONS = (
    io.PR_SockOpt_Reuseaddr,
    io.PR_SockOpt_Keepalive,
    io.PR_SockOpt_NoDelay,
    io.PR_SockOpt_Broadcast,
    io.PR_SockOpt_McastLoopback,
)
NUMBER_OPTIONS = (
    io.PR_SockOpt_IpTimeToLive,
    io.PR_SockOpt_IpTypeOfService,
    io.PR_SockOpt_McastTimeToLive,
    io.PR_SockOpt_MaxSegment,
)
BUFFER_OPTIONS = (io.PR_SockOpt_RecvBufferSize, io.PR_SockOpt_SendBufferSize)
GET_OPTIONS = (
    io.PR_SockOpt_Nonblocking,
    *FLAG_OPTIONS,
    *NUMBER_OPTIONS,
    *BUFFER_OPTIONS,
    io.PR_SockOpt_Linger,
    io.PR_SockOpt_McastInterface,
    io.PR_SockOpt_AddMember,  # not gettable: an error
    -1,
    16,  # Reuseport: NSPR knows it, python-nss does not map it
    17,
    18,
    2**40,
)


class SockModel:
    """What one socket is expected to hold; shared by both worlds."""

    def __init__(self, slot: str, generation: int, kind: str, state: str) -> None:
        self.role = "%s#%d" % (slot, generation)
        self.kind = kind  # "tcp", "tcp6", "udp", "udp6", "local"
        self.state = state  # fresh, bound, listening, connected, refused, closed
        self.peer: Optional[SockModel] = None
        self.pending = bytearray()  # bytes sent to it, not yet received
        self.datagrams: List[bytes] = []
        self.eof = False  # the peer will send no more (FIN expected)
        self.rd_shut = False
        self.wr_shut = False
        self.peer_gone = False
        self.nonblocking = False
        self.shut_unconnected = False  # a shutdown() tried before any connect

    @property
    def open(self) -> bool:
        return self.state != "closed"

    def can_receive_more(self) -> bool:
        return (
            self.open
            and not self.rd_shut
            and not self.peer_gone
            and len(self.pending) < MAX_PENDING
        )


class Model:
    def __init__(self) -> None:
        self.slots: Dict[str, SockModel] = {}
        self.generations: Dict[str, int] = {}
        self.backlog: List[SockModel] = []  # connected clients not yet accepted

    def new(self, slot: str, kind: str, state: str) -> SockModel:
        generation = self.generations.get(slot, 0) + 1
        self.generations[slot] = generation
        sock = SockModel(slot, generation, kind, state)
        self.slots[slot] = sock
        return sock

    def get(self, slot: str) -> Optional[SockModel]:
        return self.slots.get(slot)

    def closed(self, sock: SockModel) -> None:
        sock.state = "closed"
        if sock.peer is not None:
            sock.peer.eof = True
            sock.peer.peer_gone = True


def _fionread(fd: int) -> int:
    raw = fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
    value: int = struct.unpack("i", raw)[0]
    return value


def _has_bytes(fd: int, expected: int) -> bool:
    return _fionread(fd) >= expected


# Linux's poll flag for "the peer shut down writing"; PyPy's select module
# does not name it, and its poll() passes it to the kernel all the same.
POLLRDHUP = getattr(select, "POLLRDHUP", 0x2000)


def _readable(fd: int, events: int) -> bool:
    poller = select.poll()
    poller.register(fd, events)
    return any(revents & events for _fd, revents in poller.poll(0))


def _wait_until(predicate: Callable[[], bool], deadline: float, slot: str) -> None:
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("harness: %s never settled" % slot)
        time.sleep(0.0002)


class World:
    """The sockets of one backend, and the roles of their ports."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.socks: Dict[str, io.Socket] = {}
        self.roles: Dict[int, str] = {}

    def close_all(self) -> None:
        for sock in self.socks.values():
            sock.close()

    def register(self) -> None:
        """Name the (OS-chosen) ports of the live IP sockets by their slot.

        Accepted sockets share the listener's port: the first slot of
        ALL_SLOTS holding a port names it.
        """
        live: Dict[int, str] = {}
        for slot in ALL_SLOTS:
            sock = self.socks.get(slot)
            if sock is None or sock.family == io.PR_AF_LOCAL:
                continue
            try:
                port = sock.get_sock_name().port
            except (NSPRError, ValueError):
                continue  # closed, or not bound yet
            if port:
                live.setdefault(port, slot)
        self.roles.update(live)

    def settle(self, model: Model) -> None:
        """Wait until every queue holds what the model says is on its way."""
        deadline = time.monotonic() + SETTLE_SECONDS
        for slot, sock_model in model.slots.items():
            sock = self.socks.get(slot)
            if sock is None or not sock_model.open:
                continue
            fd = sock.fileno()
            if sock_model.datagrams or (slot == "L" and model.backlog):
                _wait_until(partial(_readable, fd, select.POLLIN), deadline, slot)
                continue
            expected = len(sock_model.pending) - sock.pending()
            if expected > 0:
                _wait_until(partial(_has_bytes, fd, expected), deadline, slot)
            if sock_model.eof:
                _wait_until(partial(_readable, fd, POLLRDHUP), deadline, slot)

    def norm(self, value: Any) -> Any:
        if isinstance(value, io.NetworkAddress):
            port = value.port
            role = self.roles.get(port, "port %d" % port) if port else 0
            return ("NetworkAddress", value.family, value.address, role)
        if isinstance(value, io.Socket):
            return ("Socket", value.family)
        if isinstance(value, (tuple, list)):
            return tuple(self.norm(item) for item in value)
        return value


Action = Callable[[World], Any]
Update = Callable[[Any], None]


def _outcome(world: World, action: Action) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = action(world)
        world.register()
        return ("ok", world.norm(result))
    except NSPRError as exc:
        return ("NSPRError", exc.errno, exc.error_desc)
    except ValueError as exc:
        return ("ValueError", str(exc))
    except Exception as exc:
        return (type(exc).__name__,)


def _no_update(outcome: Any) -> None:
    pass


class Planner:
    """Chooses the next step from the seed and the model."""

    def __init__(self, seed: int, model: Model) -> None:
        self.rng = random.Random(seed)
        self.model = model

    def payload(self) -> bytes:
        size = self.rng.choice((1, 2, 7, 40, 300))
        return bytes(self.rng.choice(b"abc\n") for _ in range(size))

    def next_step(self) -> Tuple[str, Action, Update]:
        kinds: Sequence[Callable[[], Tuple[str, Action, Update]]] = (
            self.open_client,
            self.open_scratch,
            self.bind_scratch,
            self.connect,
            self.connect,
            self.accept,
            self.send,
            self.send,
            self.send,
            self.recv,
            self.recv,
            self.readline,
            self.readline,
            self.udp_send,
            self.udp_recv,
            self.shutdown,
            self.close,
            self.names,
            self.get_option,
            self.set_option,
            self.set_option,
            self.poll,
            self.bad_argument,
        )
        return self.rng.choice(kinds)()

    def slot(self, choices: Sequence[str]) -> Tuple[str, Optional[SockModel]]:
        name = self.rng.choice(choices)
        return name, self.model.get(name)

    # -- sockets ----------------------------------------------------------------

    def open_client(self) -> Tuple[str, Action, Update]:
        name, current = self.slot(CLIENTS)
        if current is not None and current.open:
            return self.close_slot(name, current)

        def action(world: World) -> Any:
            world.socks[name] = io.Socket(io.PR_AF_INET, backend=world.backend)
            return world.socks[name]

        def update(outcome: Any) -> None:
            if outcome[0] == "ok":
                self.model.new(name, "tcp", "fresh")

        return "open %s" % name, action, update

    def open_scratch(self) -> Tuple[str, Action, Update]:
        family = self.rng.choice((io.PR_AF_INET, io.PR_AF_INET6))
        desc = self.rng.choice((io.PR_DESC_SOCKET_TCP, io.PR_DESC_SOCKET_UDP))
        current = self.model.get("x")

        def action(world: World) -> Any:
            if "x" in world.socks:
                world.socks["x"].close()
            world.socks["x"] = io.Socket(family, desc, backend=world.backend)
            sock = world.socks["x"]
            return (sock.family, sock.desc_type)

        def update(outcome: Any) -> None:
            if current is not None:
                self.model.closed(current)
            if outcome[0] != "ok":
                return
            kind = "tcp" if desc == io.PR_DESC_SOCKET_TCP else "udp"
            kind += "6" if family == io.PR_AF_INET6 else ""
            self.model.new("x", kind, "fresh")

        return "open x family=%d type=%d" % (family, desc), action, update

    def bind_scratch(self) -> Tuple[str, Action, Update]:
        current = self.model.get("x")
        choice = self.rng.choice(("any", "listener port", "v4", "v6", "listen"))
        backlog = self.rng.choice((0, 1, 5, -1))

        def action(world: World) -> Any:
            sock = world.socks["x"]
            if choice == "listen":
                sock.listen(backlog)
                return sock.get_sock_name()
            if choice == "listener port":
                port = world.socks["L"].get_sock_name().port
                addr = io.NetworkAddress(
                    io.PR_IpAddrLoopback, port, backend=world.backend
                )
            elif choice == "v6":
                addr = io.NetworkAddress(
                    io.PR_IpAddrLoopback, 0, io.PR_AF_INET6, backend=world.backend
                )
            elif choice == "any":
                addr = io.NetworkAddress(
                    io.PR_IpAddrLoopback, 0, sock.family, backend=world.backend
                )
            else:
                addr = io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=world.backend)
            sock.bind(addr)
            return sock.get_sock_name()

        def update(outcome: Any) -> None:
            if current is not None and outcome[0] == "ok" and current.state == "fresh":
                current.state = "bound"

        if current is None:
            return self.open_scratch()
        return "x: %s" % choice, action, update

    def connect(self) -> Tuple[str, Action, Update]:
        name, current = self.slot(CLIENTS)
        if current is None:
            return self.open_client()
        if current.nonblocking and current.state == "fresh":
            # A non-blocking connect completes in the background: what the
            # next operations see depends on when. Not generated.
            return self.names()
        if current.state not in ("fresh", "connected", "closed"):
            # Connecting again after a refusal starts a new attempt whose
            # outcome the model does not follow.
            return self.names()
        if current.shut_unconnected:
            # Linux keeps the shutdown of a socket that was not connected
            # (the call fails with PR_NOT_CONNECTED_ERROR): a later connect
            # reaches the listener, and after shutdown(2) fails with
            # PR_CONNECT_RESET_ERROR (NSPR, python-nss and both backends
            # alike), leaving a connection the model does not follow.
            # Not generated.
            return self.names()
        target = "L" if len(self.model.backlog) < MAX_BACKLOG else "D"
        if self.rng.random() < 0.2:
            target = "D"

        def action(world: World) -> Any:
            addr = world.socks[target].get_sock_name()
            world.socks[name].connect(addr, LONG)
            return world.socks[name].get_peer_name()

        def update(outcome: Any) -> None:
            if current.state != "fresh":
                return
            if outcome[0] == "ok":
                current.state = "connected"
                self.model.backlog.append(current)
            else:
                current.state = "refused"

        return "connect %s to %s" % (name, target), action, update

    def accept(self) -> Tuple[str, Action, Update]:
        name = self.rng.choice(("L", "L", "L", "D", "u0", "c0"))
        if name not in self.model.slots:
            name = "L"
        free = [
            slot
            for slot in ACCEPTED
            if self.model.get(slot) is None or not self.model.slots[slot].open
        ]
        if name == "L" and self.model.backlog and not free:
            return self.close_slot(*self.slot(ACCEPTED))
        expecting = name == "L" and bool(self.model.backlog)
        target = free[0] if free else "a0"
        listener = self.model.slots.get(name)

        def action(world: World) -> Any:
            sock = world.socks[name]
            if expecting and listener is not None and listener.nonblocking:
                io.Socket.poll([(sock, io.PR_POLL_READ)], LONG)
            new, peer = sock.accept(LONG if expecting else SHORT)
            world.socks[target] = new
            return (new, peer, new.get_sock_name())

        def update(outcome: Any) -> None:
            if outcome[0] != "ok" or not self.model.backlog:
                return
            client = self.model.backlog.pop(0)
            server = self.model.new(target, "tcp", "connected")
            if client.open:
                client.peer = server
                server.peer = client
                server.eof = client.wr_shut
            else:
                server.eof = server.peer_gone = True

        return "accept on %s into %s" % (name, target), action, update

    # -- data -------------------------------------------------------------------

    def send(self) -> Tuple[str, Action, Update]:
        name, current = self.slot((*STREAMS, "u0", "L"))
        if current is None:
            return self.names()
        data = self.payload()
        if current.state == "connected" and not current.wr_shut:
            peer = current.peer
            if peer is None or not peer.can_receive_more():
                # Unaccepted (peer unknown), or a peer that is gone: data sent
                # to a closed socket comes back as a reset at a moment the
                # model cannot predict. Not generated.
                return self.recv()
        method = self.rng.choice(("send", "sendall"))

        def action(world: World) -> Any:
            sock = world.socks[name]
            if method == "send":
                return sock.send(data, LONG)
            return sock.sendall(data, LONG)

        def update(outcome: Any) -> None:
            if outcome[0] == "ok" and current.peer is not None:
                current.peer.pending += data

        return "%s %r on %s" % (method, data, name), action, update

    def recv(self) -> Tuple[str, Action, Update]:
        name, current = self.slot((*STREAMS, *UDP, "L"))
        if current is None:
            return self.names()
        amount = self.rng.choice((0, 1, 5, 64, 1000))
        if amount == 0:
            # A known difference, pinned by test_recv_of_zero_bytes below:
            # generating it here would only repeat that failure.
            amount = 1
        expect = bool(
            current.pending or current.datagrams or current.eof or current.rd_shut
        )
        timeout = LONG if expect else SHORT
        use_read = self.rng.random() < 0.25 and current.kind not in ("udp",)

        def action(world: World) -> Any:
            sock = world.socks[name]
            if use_read:
                return sock.read(amount, timeout=timeout)
            return sock.recv(amount, timeout)

        def update(outcome: Any) -> None:
            if outcome[0] != "ok":
                return
            if current.kind == "udp":
                if current.datagrams:
                    current.datagrams.pop(0)
                return
            del current.pending[: len(outcome[1])]

        return (
            "%s(%d, %d) on %s"
            % ("read" if use_read else "recv", amount, timeout, name),
            action,
            update,
        )

    def readline(self) -> Tuple[str, Action, Update]:
        name, current = self.slot(STREAMS)
        if current is None:
            return self.names()
        size = self.rng.choice((0, 0, 1, 3, 10, 100))
        window = current.pending[:size] if size > 0 else current.pending
        complete = (
            b"\n" in window
            or (size > 0 and len(current.pending) >= size)
            or current.eof
            or current.rd_shut
        )
        timeout = LONG if complete else SHORT

        def action(world: World) -> Any:
            return world.socks[name].readline(size, timeout=timeout)

        def update(outcome: Any) -> None:
            if outcome[0] == "ok":
                del current.pending[: len(outcome[1])]

        return "readline(%d, %d) on %s" % (size, timeout, name), action, update

    def udp_send(self) -> Tuple[str, Action, Update]:
        source = self.rng.choice(UDP)
        dest = self.rng.choice((*UDP, "D"))
        dest_model = self.model.slots[dest]
        if dest != "D" and len(dest_model.datagrams) >= MAX_DATAGRAMS:
            return self.udp_recv()
        data = self.payload()

        def action(world: World) -> Any:
            addr = world.socks[dest].get_sock_name()
            return world.socks[source].send_to(data, addr, LONG)

        def update(outcome: Any) -> None:
            if outcome[0] == "ok" and dest != "D":
                # D is a TCP port: a datagram to it is dropped (ICMP errors
                # are not reported on an unconnected UDP socket).
                dest_model.datagrams.append(data)

        return "send_to %r from %s to %s" % (data, source, dest), action, update

    def udp_recv(self) -> Tuple[str, Action, Update]:
        name = self.rng.choice(UDP)
        current = self.model.slots[name]
        amount = self.rng.choice((0, 3, 100, 1000))
        timeout = LONG if current.datagrams else SHORT
        family = self.rng.choice((io.PR_AF_INET, io.PR_AF_INET, io.PR_AF_INET6))

        def action(world: World) -> Any:
            addr = io.NetworkAddress(io.PR_IpAddrAny, 0, family, backend=world.backend)
            data = world.socks[name].recv_from(amount, addr, timeout)
            return (data, addr)

        def update(outcome: Any) -> None:
            if outcome[0] == "ok" and current.datagrams:
                current.datagrams.pop(0)

        return "recv_from(%d, %d) on %s" % (amount, timeout, name), action, update

    def shutdown(self) -> Tuple[str, Action, Update]:
        # Not on L or D: shutdown() of a listening socket disconnects it on
        # Linux, after which the pending connections are reset at moments
        # the model cannot predict.
        name, current = self.slot((*STREAMS, *UDP, "x"))
        if current is None:
            return self.names()
        how = self.rng.choice((0, 1, 2, 2, 3, -1))

        def action(world: World) -> Any:
            world.socks[name].shutdown(how)

        def update(outcome: Any) -> None:
            if current.state == "fresh" and how in (0, 1, 2):
                current.shut_unconnected = True
            if outcome[0] != "ok" or current.state != "connected":
                return
            if how in (0, 2):
                current.rd_shut = True
            if how in (1, 2):
                current.wr_shut = True
                if current.peer is not None:
                    current.peer.eof = True

        return "shutdown(%d) on %s" % (how, name), action, update

    def close(self) -> Tuple[str, Action, Update]:
        return self.close_slot(*self.slot((*STREAMS, *UDP, "x")))

    def close_slot(
        self, name: str, current: Optional[SockModel]
    ) -> Tuple[str, Action, Update]:
        if current is None:
            return self.names()
        # Unread data makes close() send a reset, which the peer sees at an
        # unpredictable moment: read everything first (part of the outcome).
        drain = current.state == "connected" and bool(current.pending)
        wanted = len(current.pending)

        def action(world: World) -> Any:
            sock = world.socks[name]
            data = b""
            if drain:
                if current.nonblocking:
                    sock.set_socket_option(io.PR_SockOpt_Nonblocking, False)
                while len(data) < wanted:
                    chunk = sock.recv(wanted - len(data), LONG)
                    if not chunk:
                        break
                    data += chunk
            sock.close()
            sock.close()  # a second close does nothing
            return data

        def update(outcome: Any) -> None:
            if outcome[0] != "ok":
                return
            del current.pending[: len(outcome[1])]
            if current in self.model.backlog:
                current.wr_shut = True
            self.model.closed(current)

        return "close %s" % name, action, update

    def names(self) -> Tuple[str, Action, Update]:
        name = self.rng.choice(ALL_SLOTS)
        which = self.rng.choice(("sock", "peer", "desc", "fileno"))
        if name not in self.model.slots:
            name = "L"

        def action(world: World) -> Any:
            sock = world.socks[name]
            if which == "sock":
                return sock.get_sock_name()
            if which == "peer":
                return sock.get_peer_name()
            if which == "desc":
                return (sock.desc_type, sock.family, str(sock))
            return sock.fileno() >= 0

        return "%s name of %s" % (which, name), action, _no_update

    # -- options ----------------------------------------------------------------

    def get_option(self) -> Tuple[str, Action, Update]:
        name = self.rng.choice(ALL_SLOTS)
        if name not in self.model.slots:
            name = "L"
        option = self.rng.choice(GET_OPTIONS)

        def action(world: World) -> Any:
            return world.socks[name].get_socket_option(option)

        return "get option %d on %s" % (option, name), action, _no_update

    def set_option(self) -> Tuple[str, Action, Update]:
        name = self.rng.choice(ALL_SLOTS)
        current = self.model.get(name)
        if current is None:
            return self.get_option()
        rng = self.rng
        kind = rng.choice(
            ("flag", "number", "buffer", "linger", "nonblocking", "mcast", "bad")
        )
        option: int
        values: Tuple[Any, ...]
        if kind == "flag":
            option = rng.choice(FLAG_OPTIONS)
            values = (rng.choice((True, False, 0, 1, 7, 2**40, "yes", None)),)
        elif kind == "number":
            option = rng.choice(NUMBER_OPTIONS)
            values = (rng.choice((1, 64, 255, 256, 0, -1, 536, 2**40, 1.5, "x")),)
        elif kind == "buffer":
            option = rng.choice(BUFFER_OPTIONS)
            choices: Tuple[Any, ...] = (65536, 131072, -1, 2**32 + 65536, "big")
            if name in ("L", "D"):
                # Small buffers only where no data flows: a tiny receive
                # buffer stalls the sender at moments the model cannot see.
                choices += (0, 1, 4096)
            values = (rng.choice(choices),)
        elif kind == "linger":
            option = io.PR_SockOpt_Linger
            # (True, 0) is excluded: it makes close() send a reset, which the
            # peer sees at an unpredictable moment.
            values = rng.choice(
                ((False, 0), (True, 1000), (False, 2500), (True, 3000), (1,), ("a", 1))
            )
        elif kind == "nonblocking":
            option = io.PR_SockOpt_Nonblocking
            values = (rng.choice((True, False, 0, 1)),)
            if name == "L":
                values = (False,)
        elif kind == "mcast":
            option = rng.choice(
                (
                    io.PR_SockOpt_McastInterface,
                    io.PR_SockOpt_AddMember,
                    io.PR_SockOpt_DropMember,
                )
            )
            values = ("addr",)
        else:
            option, values = rng.choice(
                (
                    (-1, (1,)),
                    (18, (1,)),
                    (16, (True,)),
                    (io.PR_SockOpt_NoDelay, ()),
                    (io.PR_SockOpt_NoDelay, (1, 2)),
                    (io.PR_SockOpt_McastInterface, ("127.0.0.1",)),
                )
            )
        loopback_if = rng.random() < 0.7

        def action(world: World) -> Any:
            sock = world.socks[name]
            args = values
            if values == ("addr",):
                iface = io.NetworkAddress(
                    io.PR_IpAddrLoopback if loopback_if else io.PR_IpAddrAny,
                    0,
                    backend=world.backend,
                )
                if option == io.PR_SockOpt_McastInterface:
                    args = (iface,)
                else:
                    group = io.NetworkAddress("224.0.0.251", backend=world.backend)
                    args = (group, iface)
            sock.set_socket_option(option, *args)
            if option == io.PR_SockOpt_AddMember or option == io.PR_SockOpt_DropMember:
                return None
            return sock.get_socket_option(option)

        def update(outcome: Any) -> None:
            if outcome[0] == "ok" and option == io.PR_SockOpt_Nonblocking:
                current.nonblocking = bool(outcome[1])

        return "set option %d %r on %s" % (option, values, name), action, update

    # -- poll and bad arguments -------------------------------------------------

    def poll(self) -> Tuple[str, Action, Update]:
        count = self.rng.choice((1, 2, 3, 4))
        chosen = [self.rng.choice(ALL_SLOTS) for _ in range(count)]
        chosen = [name if name in self.model.slots else "L" for name in chosen]
        flags = [
            self.rng.choice(
                (
                    io.PR_POLL_READ,
                    io.PR_POLL_WRITE,
                    io.PR_POLL_READ | io.PR_POLL_WRITE,
                    io.PR_POLL_EXCEPT,
                    io.PR_POLL_READ | io.PR_POLL_EXCEPT,
                    0,
                )
            )
            for _ in chosen
        ]

        def action(world: World) -> Any:
            descs = [(world.socks[name], flag) for name, flag in zip(chosen, flags)]
            return io.Socket.poll(descs, 0)

        return "poll %s" % list(zip(chosen, flags)), action, _no_update

    def bad_argument(self) -> Tuple[str, Action, Update]:
        name, current = self.slot((*STREAMS, *UDP, "L"))
        if current is None:
            name = "L"
        calls: Tuple[Tuple[str, Callable[[io.Socket, World], Any]], ...] = (
            ("recv('x')", lambda s, w: s.recv("x")),  # type: ignore[arg-type]
            ("recv(-1)", lambda s, w: s.recv(-1, SHORT)),
            ("recv(2**70)", lambda s, w: s.recv(2**70, SHORT)),
            ("recv timeout 'x'", lambda s, w: s.recv(1, "x")),  # type: ignore[arg-type]
            ("send('str')", lambda s, w: s.send("str")),  # type: ignore[arg-type]
            ("send(bytearray)", lambda s, w: s.send(bytearray(b"x"))),  # type: ignore[arg-type]
            ("readline(2**70)", lambda s, w: s.readline(2**70, timeout=SHORT)),
            ("read(timeout=1.5)", lambda s, w: s.read(1, timeout=1.5)),  # type: ignore[arg-type]
            ("shutdown(7)", lambda s, w: s.shutdown(7)),
            ("shutdown('x')", lambda s, w: s.shutdown("x")),  # type: ignore[arg-type]
            ("listen('x')", lambda s, w: s.listen("x")),  # type: ignore[arg-type]
            ("bind('addr')", lambda s, w: s.bind("addr")),  # type: ignore[arg-type]
            (
                "bind(v6 address)",
                lambda s, w: s.bind(
                    io.NetworkAddress(
                        io.PR_IpAddrLoopback, 0, io.PR_AF_INET6, backend=w.backend
                    )
                ),
            ),
            ("connect(None)", lambda s, w: s.connect(None)),  # type: ignore[arg-type]
            ("accept(timeout='x')", lambda s, w: s.accept("x")),  # type: ignore[arg-type]
            (
                "set option 'a'",
                lambda s, w: s.set_socket_option("a", 1),  # type: ignore[arg-type]
            ),
            ("set option 999", lambda s, w: s.set_socket_option(999, 1)),
            ("get option 2**40", lambda s, w: s.get_socket_option(2**40)),
            ("get option 'a'", lambda s, w: s.get_socket_option("a")),  # type: ignore[call-overload]
            ("poll({})", lambda s, w: io.Socket.poll({}, 0)),  # type: ignore[arg-type]
            ("poll([(1, 1)])", lambda s, w: io.Socket.poll([(1, 1)], 0)),
            ("poll flags 2**20", lambda s, w: io.Socket.poll([(s, 2**20)], 0)),
            (
                "Socket(999)",
                lambda s, w: io.Socket(999, backend=w.backend),
            ),
            (
                "Socket(type=99)",
                lambda s, w: io.Socket(io.PR_AF_INET, 99, backend=w.backend),
            ),
            ("makefile('q')", lambda s, w: s.makefile("q")),
            (
                "send_to(str)",
                lambda s, w: s.send_to("x", io.NetworkAddress()),  # type: ignore[arg-type]
            ),
            (
                "recv_from(-1)",
                lambda s, w: s.recv_from(
                    -1, io.NetworkAddress(backend=w.backend), SHORT
                ),
            ),
        )
        label, call = self.rng.choice(calls)

        def action(world: World) -> Any:
            return call(world.socks[name], world)

        return "%s on %s" % (label, name), action, _no_update


def _build(world: World) -> None:
    backend = world.backend
    loopback = io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=backend)
    listener = io.Socket(io.PR_AF_INET, backend=backend)
    world.socks["L"] = listener
    listener.bind(loopback)
    listener.listen(5)
    dead = io.Socket(io.PR_AF_INET, backend=backend)
    world.socks["D"] = dead
    dead.bind(loopback)
    for name in UDP:
        udp = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=backend)
        world.socks[name] = udp
        udp.bind(loopback)
    world.socks["p0"], world.socks["p1"] = io.Socket.new_tcp_pair(backend=backend)


def _initial_model() -> Model:
    model = Model()
    model.new("L", "tcp", "listening")
    model.new("D", "tcp", "bound")
    for name in UDP:
        model.new(name, "udp", "bound")
    first = model.new("p0", "local", "connected")
    second = model.new("p1", "local", "connected")
    first.peer, second.peer = second, first
    return model


def run_seed(seed: int, steps: int) -> None:
    """Drive both backends with one seed; fail on the first mismatch."""
    names = ("nspr", "stdlib")
    worlds = [World(nspr_ctypes.load_backend(name)) for name in names]
    model = _initial_model()
    planner = Planner(seed, model)
    history: List[str] = []
    try:
        assert [io.ticks_per_second(backend=w.backend) for w in worlds] == [1000] * 2
        for world in worlds:
            _build(world)
            world.register()
        for index in range(steps):
            description, action, update = planner.next_step()
            outcomes = []
            for world in worlds:
                world.settle(model)
                outcomes.append(_outcome(world, action))
            history.append("%3d %s -> %r" % (index, description, outcomes[0]))
            if outcomes[0] != outcomes[1]:
                pytest.fail(
                    "backends differ: seed %d, step %d: %s\n  nspr:   %r\n  stdlib: %r\n"
                    "last steps:\n%s"
                    % (
                        seed,
                        index,
                        description,
                        outcomes[0],
                        outcomes[1],
                        "\n".join(history[-HISTORY:-1]),
                    ),
                    pytrace=False,
                )
            update(outcomes[0])
    finally:
        for world in worlds:
            world.close_all()


@pytest.mark.parametrize("seed", range(SEED0, SEED0 + SEEDS))
def test_backends_agree(seed: int) -> None:
    run_seed(seed, STEPS)


def _zero_byte_reads(name: str, kind: str, how: str) -> Tuple[Any, ...]:
    backend = nspr_ctypes.load_backend(name)
    loopback = io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=backend)
    sockets: List[io.Socket] = []
    try:
        if kind == "udp":
            reader = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP, backend=backend)
            sockets.append(reader)
            reader.bind(loopback)
            writer = reader
        elif kind == "pair":
            reader, writer = io.Socket.new_tcp_pair(backend=backend)
            sockets += [reader, writer]
        else:
            listener = io.Socket(io.PR_AF_INET, backend=backend)
            writer = io.Socket(io.PR_AF_INET, backend=backend)
            sockets += [listener, writer]
            listener.bind(loopback)
            listener.listen()
            writer.connect(listener.get_sock_name(), LONG)
            reader, _peer = listener.accept(LONG)
            sockets.append(reader)

        def receive() -> Any:
            try:
                if how == "recv":
                    return reader.recv(0, SHORT)
                return reader.read(0, timeout=SHORT)
            except NSPRError as exc:
                return ("NSPRError", exc.errno)

        empty = receive()  # nothing pending
        if kind == "udp":
            writer.send_to(b"hello", reader.get_sock_name(), LONG)
        else:
            writer.sendall(b"hello", LONG)
        io.Socket.poll([(reader, io.PR_POLL_READ)], LONG)
        pending = receive()  # a datagram or bytes pending
        left = io.Socket.poll([(reader, io.PR_POLL_READ)], 0)
        return (empty, pending, left)
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize("kind", ["tcp", "pair", "udp"])
@pytest.mark.parametrize("how", ["recv", "read"])
def test_recv_of_zero_bytes(kind: str, how: str) -> None:
    """recv(0) / read(0): NSPR's PR_Recv asks the OS for 0 bytes, which waits
    until something is readable (so it times out on an empty socket) and, on
    a UDP socket, consumes the datagram. Both backends must agree."""
    nspr = _zero_byte_reads("nspr", kind, how)
    stdlib = _zero_byte_reads("stdlib", kind, how)
    assert nspr == stdlib, "(empty, pending, still readable): nspr %r, stdlib %r" % (
        nspr,
        stdlib,
    )
