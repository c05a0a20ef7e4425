"""Two NSPR builds side by side in one process, chosen at run time.

Shows ``nspr_ctypes.load_backend("nspr", library=...)``: each call loads an
independent backend; objects are made on one with ``backend=``, and keep
it. A server runs on the system's libnspr4, a client on a second build, and
they talk over the loopback. Handing an object of one backend to another
raises ``ValueError``; ``nspr_ctypes.diagnose()`` says what the default
backend is and why.

The second build is ``--library PATH`` or ``$OTHER_NSPR_LIBRARY``, e.g. NSPR
4.29 fetched by the repository's tool::

    python tools/fetch_nspr.py 4.29
    python examples/switch_nspr_versions.py --library .cache/nspr/4.29/libnspr4.so

Without one, the stdlib backend stands in as the second::

    python examples/switch_nspr_versions.py
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

import nspr_ctypes
from nspr_ctypes import io

ENV_OTHER_LIBRARY = "OTHER_NSPR_LIBRARY"
TIMEOUT_SECONDS = 10


def load_system_nspr() -> nspr_ctypes.Backend:
    """The system's libnspr4, found as usual; the stdlib backend where
    there is none."""
    try:
        return nspr_ctypes.load_backend("nspr")
    except nspr_ctypes.BackendUnavailable as exc:
        print("no system NSPR (%s); using the stdlib backend instead" % exc)
        return nspr_ctypes.load_backend("stdlib")


def load_second(library: Optional[str]) -> nspr_ctypes.Backend:
    """The build at ``library``; the stdlib backend when none is given."""
    if library:
        # Strict: that file or a BackendError saying why not.
        return nspr_ctypes.load_backend("nspr", library=library)
    print(
        "no second NSPR build given: the stdlib backend stands in. To get one:\n"
        "    python tools/fetch_nspr.py 4.29\n"
        "    python examples/switch_nspr_versions.py"
        " --library .cache/nspr/4.29/libnspr4.so"
    )
    return nspr_ctypes.load_backend("stdlib")


def talk(
    server_backend: nspr_ctypes.Backend, client_backend: nspr_ctypes.Backend
) -> bytes:
    """A server socket on one backend, a client on the other: send one line
    from the client and return what the server read."""
    server_timeout = io.seconds_to_interval(TIMEOUT_SECONDS, backend=server_backend)
    client_timeout = io.seconds_to_interval(TIMEOUT_SECONDS, backend=client_backend)
    with io.Socket(io.PR_AF_INET, backend=server_backend) as listener:
        listener.bind(
            io.NetworkAddress(io.PR_IpAddrLoopback, 0, backend=server_backend)
        )
        listener.listen()
        port = listener.get_sock_name().port
        with io.Socket(io.PR_AF_INET, backend=client_backend) as client:
            # The address is made on the client's backend, as the socket is.
            address = io.NetworkAddress(
                io.PR_IpAddrLoopback, port, backend=client_backend
            )
            client.connect(address, client_timeout)
            conn, _peer = listener.accept(server_timeout)
            with conn:
                client.sendall(
                    b"hello from %s\n" % client_backend.describe().encode(),
                    client_timeout,
                )
                return conn.readline(timeout=server_timeout)


def mix(
    server_backend: nspr_ctypes.Backend, client_backend: nspr_ctypes.Backend
) -> str:
    """Connect a socket of one backend to an address of the other: the
    ValueError's message."""
    address = io.NetworkAddress(io.PR_IpAddrLoopback, 9, backend=server_backend)
    with io.Socket(io.PR_AF_INET, backend=client_backend) as sock:
        try:
            sock.connect(address, io.seconds_to_interval(1, backend=client_backend))
        except ValueError as exc:
            return str(exc)
    raise RuntimeError("an address of another backend was accepted")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--library",
        default=os.environ.get(ENV_OTHER_LIBRARY),
        help="a second libnspr4 file (default: $%s)" % ENV_OTHER_LIBRARY,
    )
    args = parser.parse_args(argv)
    print("default backend: %s" % nspr_ctypes.get_backend().name)
    first = load_system_nspr()
    try:
        second = load_second(args.library)
    except nspr_ctypes.BackendError as exc:
        print("cannot use %s: %s" % (args.library, exc), file=sys.stderr)
        return 2
    print("first:  %s" % first.describe())
    print("second: %s" % second.describe())

    line = talk(first, second)
    print("server on the first read: %r" % line)

    print("mixing the two raises ValueError:\n  %s" % mix(first, second))

    print("diagnose():")
    for report_line in str(nspr_ctypes.diagnose()).splitlines():
        print("  " + report_line)
    print("OK: %s and %s talked in one process" % (first.describe(), second.describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
