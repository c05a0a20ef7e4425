"""The child side of the fuzz test (``test_fuzz``): run one program of calls.

A *program* is JSON: ``{"backend": name, "ops": [op, ...]}``. Each op is a
list ``[kind, ...]`` whose arguments are *tagged* values (``["i", 5]`` is the
int 5, ``["sock", "c"]`` the socket in slot ``c``; see ``decode``), so the
parent can generate and print programs without importing the library.

The child builds a small world (a listener with a connected pair, a
``new_tcp_pair``, two bound UDP sockets, unbound IPv4 and IPv6 sockets),
then runs the ops in order. Before each op it prints ``> index``; after it,
``= index outcome`` (so a child that dies is known to have died in the last
op it started). An op must end in a value or in one of the ``ALLOWED``
exceptions; anything else is printed as ``! index ...``. At the end it
closes everything, collects garbage and compares its number of open file
descriptors with the number before the world was built (``! leak ...``).

Run by hand, from tests/: ``PYTHONPATH=.. python -m safety._fuzz_program < program.json``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
import warnings
from typing import Any, Dict, List, Optional, Sequence

from ._harness import Index, load_target

# What an operation may raise (by class name): the argument errors
# python-nss raises, its NSPRError, and IndexError for short poll items and
# indexes out of range.
ALLOWED = frozenset(
    {
        "TypeError",
        "ValueError",
        "OverflowError",
        "NSPRError",
        "IndexError",
        "UnicodeError",
        "UnicodeEncodeError",
        "UnicodeDecodeError",
    }
)

SOCKET_SLOTS = ("L", "c", "a", "p", "q", "u", "v", "x", "y", "n")
ADDRESS_NAMES = (
    "lo4",
    "lo6",
    "any4",
    "listen",
    "udp",
    "refused",
    "mcast",
    "bare",
    "made",
)


class World:
    """The sockets (by slot) and addresses (by name) a program works on."""

    def __init__(self, io: Any, error: Any) -> None:
        self.io = io
        self.error = error
        self.sockets: Dict[str, Any] = {}
        self.addresses: Dict[str, Any] = {}
        self.files: List[Any] = []
        self.imported = False
        loopback = io.PR_IpAddrLoopback
        listener = self._socket("L", io.PR_AF_INET)
        listener.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
        listener.bind(io.NetworkAddress(loopback, 0))
        listener.listen()
        listen_port = listener.get_sock_name().port
        client = self._socket("c", io.PR_AF_INET)
        client.connect(io.NetworkAddress(loopback, listen_port), 5000)
        self.sockets["a"], _peer = listener.accept(5000)
        self.sockets["p"], self.sockets["q"] = io.Socket.new_tcp_pair()
        for slot in ("u", "v"):
            udp = self._socket(slot, io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
            udp.bind(io.NetworkAddress(loopback, 0))
        self._socket("x", io.PR_AF_INET)
        self._socket("y", io.PR_AF_INET6)
        refused = io.Socket(io.PR_AF_INET)
        refused.bind(io.NetworkAddress(loopback, 0))
        refused_port = refused.get_sock_name().port
        refused.close()
        mcast = io.NetworkAddress()
        mcast.set_from_string("224.0.0.251")
        self.addresses = {
            "lo4": io.NetworkAddress(loopback, 0),
            "lo6": io.NetworkAddress(loopback, 0, io.PR_AF_INET6),
            "any4": io.NetworkAddress(io.PR_IpAddrAny, 0),
            "listen": io.NetworkAddress(loopback, listen_port),
            "udp": io.NetworkAddress(loopback, self.sockets["u"].get_sock_name().port),
            "refused": io.NetworkAddress(loopback, refused_port),
            "mcast": mcast,
            "bare": io.NetworkAddress.__new__(io.NetworkAddress),
            "made": io.NetworkAddress(loopback, 7),
        }

    def _socket(self, slot: str, family: int, kind: Optional[int] = None) -> Any:
        io = self.io
        sock = io.Socket(family, io.PR_DESC_SOCKET_TCP if kind is None else kind)
        self.sockets[slot] = sock
        return sock

    def adopt(self, value: Any) -> None:
        """Keep the first socket in ``value`` in slot ``n``."""
        if type(value).__name__ == "Socket":
            self.sockets["n"] = value
        elif isinstance(value, tuple):
            for item in value:
                if type(item).__name__ == "Socket":
                    self.sockets["n"] = item
                    return

    def close_all(self) -> List[str]:
        """Close everything; the exceptions that are not allowed."""
        wrong = []
        for item in [*self.files, *self.sockets.values()]:
            try:
                item.close()
            except Exception as exc:  # e.g. a descriptor closed behind its back
                if type(exc).__name__ not in ALLOWED:
                    wrong.append("%s: %s" % (type(exc).__name__, _describe(str(exc))))
        self.files.clear()
        self.sockets.clear()
        self.addresses.clear()
        return wrong


def decode(tagged: Any, world: World) -> Any:
    """The value a tagged argument stands for."""
    tag = tagged[0]
    if tag == "i":
        return int(tagged[1])
    if tag == "N":
        return None
    if tag == "s":
        return str(tagged[1])
    if tag == "b":
        return bytes.fromhex(tagged[1])
    if tag == "ba":
        return bytearray.fromhex(tagged[1])
    if tag == "mv":
        return memoryview(bytes.fromhex(tagged[1]))
    if tag == "big":
        return bytes(int(tagged[1]))
    if tag == "f":
        return float(tagged[1])
    if tag == "x":
        return Index(int(tagged[1]))
    if tag == "o":
        return object()
    if tag == "sock":
        return world.sockets.get(tagged[1], world.io.Socket.__new__(world.io.Socket))
    if tag == "addr":
        return world.addresses[tagged[1]]
    if tag == "list":
        return [decode(item, world) for item in tagged[1]]
    if tag == "tuple":
        return tuple(decode(item, world) for item in tagged[1])
    raise AssertionError("unknown tag %r" % (tag,))


def run_op(op: Sequence[Any], world: World) -> Any:
    """Run one op; its value (exceptions propagate)."""
    kind = op[0]
    io = world.io
    if kind == "call":  # ["call", slot, method, [args], {kwargs}]
        sock = decode(["sock", op[1]], world)
        args = [decode(arg, world) for arg in op[3]]
        kwargs = {key: decode(arg, world) for key, arg in op[4].items()}
        result = getattr(sock, op[2])(*args, **kwargs)
        world.adopt(result)
        return result
    if kind == "get":  # ["get", slot, attribute]
        return getattr(decode(["sock", op[1]], world), op[2])
    if kind == "set-family":
        decode(["sock", op[1]], world).family = decode(op[2], world)
        return None
    if kind == "text":
        sock = decode(["sock", op[1]], world)
        return (str(sock), repr(sock)[:1])
    if kind == "iter":
        sock = decode(["sock", op[1]], world)
        return iter(sock) is sock
    if kind == "reinit":  # Socket.__init__ on a slot, or a new socket in it
        args = [decode(arg, world) for arg in op[2]]
        sock = world.sockets.get(op[1])
        if sock is None:
            world.sockets[op[1]] = io.Socket(*args)
        else:
            sock.__init__(*args)
        return None
    if kind == "new-pair":
        world.sockets["p"], world.sockets["q"] = io.Socket.new_tcp_pair()
        return None
    if kind == "import-dup":  # a duplicate of a slot's descriptor
        number = decode(["sock", op[1]], world).fileno()
        try:
            fd = os.dup(number)
        except OSError:
            if world.imported:
                # Two Sockets shared a descriptor (an "import" of another's
                # number) and one closed it: the other's number is stale, a
                # misuse the program chose, not a failure of the library.
                return "stale descriptor"
            raise
        try:
            world.sockets["n"] = io.Socket.import_tcp_socket(fd)
        except BaseException:
            os.close(fd)
            raise
        return None
    if kind == "import":
        sock = io.Socket.import_tcp_socket(decode(op[1], world))
        world.imported = True  # two Sockets may now share a descriptor
        world.sockets["n"] = sock
        return None
    if kind == "poll":
        return io.Socket.poll(decode(op[1], world), decode(op[2], world))
    if kind == "makefile":
        sock = decode(["sock", op[1]], world)
        handle = sock.makefile(*[decode(arg, world) for arg in op[2]])
        if handle is not sock:
            world.files.append(handle)
            handle.close()
        return None
    if kind == "module":  # ["module", function, [args]]
        module = world.error if op[1] == "get_nspr_error_string" else io
        return getattr(module, op[1])(*[decode(arg, world) for arg in op[2]])
    if kind == "address":  # NetworkAddress(...) into "made"
        made = io.NetworkAddress(*[decode(arg, world) for arg in op[1]])
        world.addresses["made"] = made
        return str(made)
    if kind == "address-port":
        decode(["addr", op[1]], world).port = decode(op[2], world)
        return world.addresses[op[1]].port
    if kind == "address-from-string":
        address = decode(["addr", op[1]], world)
        address.set_from_string(*[decode(arg, world) for arg in op[2]])
        return str(address)
    if kind == "address-text":
        address = decode(["addr", op[1]], world)
        return (str(address), address.address, address.port, address.family)
    if kind == "addrinfo":  # ["addrinfo", [args], index]
        info = io.AddrInfo(*[decode(arg, world) for arg in op[1]])
        return (len(info), str(info), str(info[decode(op[2], world)]))
    if kind == "hostentry":  # ["hostentry", arg, index]
        entry = io.HostEntry(decode(op[1], world))
        return (str(entry), entry.hostname, str(entry[decode(op[2], world)]))
    if kind == "signal":  # only for the runner's own test: die by a signal
        os.kill(os.getpid(), int(op[1]))
        return None
    if kind == "sleep":  # only for the runner's own test: hang
        time.sleep(float(op[1]))
        return None
    if kind == "error":
        made = world.error.NSPRError(*[decode(arg, world) for arg in op[1]])
        return (made.errno, str(made))
    raise AssertionError("unknown op %r" % (kind,))


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _open_fds() -> List[str]:
    names = []
    for name in sorted(os.listdir("/proc/self/fd"), key=int):
        try:
            names.append("%s->%s" % (name, os.readlink("/proc/self/fd/%s" % name)))
        except OSError:
            pass  # the descriptor of the listing itself
    return names


def run_program(program: Dict[str, Any], out: Any) -> None:
    warnings.simplefilter("ignore")
    io, error = load_target(program["backend"])
    # Warm the backend up, so what it opens once is not counted as a leak.
    first, second = io.Socket.new_tcp_pair()
    io.Socket.poll([(first, io.PR_POLL_READ)], 0)
    first.close()
    second.close()
    gc.collect()
    before = _open_fds()
    world = World(io, error)
    for index, op in enumerate(program["ops"]):
        out.write("> %d\n" % index)
        out.flush()
        try:
            value = run_op(op, world)
        except Exception as exc:
            name = type(exc).__name__
            if name not in ALLOWED:
                out.write("! %d %s: %s\n" % (index, name, _describe(str(exc))))
            out.write(
                "= %d %s %s\n" % (index, name, _describe(getattr(exc, "errno", "")))
            )
        else:
            out.write("= %d %s\n" % (index, _describe(value)))
        out.flush()
    for wrong in world.close_all():
        out.write("! close %s\n" % wrong)
    imported = world.imported
    del world
    for _ in range(3):  # PyPy frees what finalizers released on later passes
        gc.collect()
    after = _open_fds()
    if len(after) > len(before) and not imported:
        leaked = sorted(set(after) - set(before))
        out.write("! leak %d descriptors: %s\n" % (len(after) - len(before), leaked))
    out.write("done\n")
    out.flush()


def main() -> None:
    run_program(json.load(sys.stdin), sys.stdout)


if __name__ == "__main__":
    main()
