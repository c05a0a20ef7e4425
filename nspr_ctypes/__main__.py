"""``python -m nspr_ctypes``: which backend, why, which NSPR; then a round trip.

Prints the backend report of :func:`nspr_ctypes.diagnose`, then runs a
loopback echo (server and client sockets in this process, through the public
``io`` API) and prints its result. Exits 0 when the round trip succeeds.
``--json`` prints the same report as one JSON object, for bug reports and
scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from typing import Any, Dict, List, Optional

import nspr_ctypes
from nspr_ctypes import error, io
from nspr_ctypes.backends import Backend

_MESSAGE = b"hello from nspr_ctypes\n"
_TIMEOUT_MS = 5000


def echo_round_trip() -> str:
    """Send a line to a loopback echo server and read it back; describe it."""
    timeout = io.milliseconds_to_interval(_TIMEOUT_MS)
    with io.Socket(io.PR_AF_INET) as server:
        server.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
        server.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
        server.listen()
        address = server.get_sock_name()
        failures: List[BaseException] = []

        def serve() -> None:
            try:
                conn, _peer = server.accept(timeout)
                with conn:
                    line = conn.readline(timeout=timeout)
                    conn.sendall(line, timeout)
            except BaseException as exc:  # reported by the caller
                failures.append(exc)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        started = time.perf_counter()
        with io.Socket(address.family) as client:
            client.connect(address, timeout)
            client.sendall(_MESSAGE, timeout)
            reply = client.readline(timeout=timeout)
        elapsed = time.perf_counter() - started
        thread.join(_TIMEOUT_MS / 1000)
        if failures:
            raise failures[0]
    if reply != _MESSAGE:
        raise RuntimeError("echo mismatch: sent %r, got %r" % (_MESSAGE, reply))
    return "echo round trip via %s: sent and received %d bytes in %.2f ms: OK" % (
        address,
        len(reply),
        elapsed * 1000,
    )


def _same_version(loaded: str, expected: str) -> bool:
    # "4.29" matches "4.29" and "4.29.1", not "4.291".
    return loaded == expected or loaded.startswith(expected + ".")


def expectation_failures(
    backend: Backend,
    name: Optional[str] = None,
    version: Optional[str] = None,
    library: Optional[str] = None,
) -> List[str]:
    """Say how ``backend`` differs from what was expected; empty when it does not.

    ``name`` is a backend name, ``version`` an NSPR version or its prefix
    (``"4.29"``), ``library`` a path compared after resolving symbolic links.
    """
    failures = []
    if name and backend.name != name:
        failures.append("expected backend %r, loaded %r" % (name, backend.name))
    if version and not _same_version(backend.version or "(none)", version):
        failures.append(
            "expected NSPR %s, loaded %s" % (version, backend.version or "(none)")
        )
    if library:
        loaded = backend.library_path
        if loaded is None or os.path.realpath(loaded) != os.path.realpath(library):
            failures.append(
                "expected library %s, loaded %s" % (library, loaded or "(none)")
            )
    return failures


def _program_name() -> str:
    # "nspr-ctypes" when run as the console script, else the -m form.
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if not name or name in ("__main__.py", "-c"):
        return "python -m nspr_ctypes"
    return name


def json_report(
    report: Optional[nspr_ctypes.Diagnosis],
    error_text: Optional[str],
    echo: Optional[Dict[str, Any]],
) -> Dict[str, Any]:
    """The report of ``--json``: what the text report says, as plain values."""
    chosen = report.chosen if report is not None else None
    return {
        "nspr_ctypes": nspr_ctypes.__version__,
        "backend": chosen.name if chosen is not None else None,
        "library": chosen.library_path if chosen is not None else None,
        "nspr_version": chosen.version if chosen is not None else None,
        "error": error_text,
        "candidates": [
            {
                "name": candidate.name,
                "origin": candidate.origin,
                "priority": candidate.priority,
                "status": candidate.status,
                "reason": candidate.reason,
                "library": candidate.library_path,
                "version": candidate.version,
            }
            for candidate in (report.candidates if report is not None else ())
        ],
        "environment": dict(report.environment) if report is not None else {},
        "python": {
            "implementation": platform.python_implementation(),
            "version": platform.python_version(),
            "executable": sys.executable,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "libc": " ".join(part for part in platform.libc_ver() if part) or None,
        },
        "echo": echo,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description="Show which nspr_ctypes backend is used and why, then run a "
        "loopback echo round trip through it.",
    )
    parser.add_argument(
        "--backend", help="use this backend (as NSPR_CTYPES_BACKEND would)"
    )
    parser.add_argument(
        "--library", help="use this libnspr4 file (as NSPR_CTYPES_LIBRARY would)"
    )
    parser.add_argument(
        "--expect-backend",
        metavar="NAME",
        help="exit with status 3 unless the backend in use is NAME",
    )
    parser.add_argument(
        "--expect-version",
        metavar="VERSION",
        help="exit with status 3 unless the NSPR version is VERSION (or VERSION.x)",
    )
    parser.add_argument(
        "--expect-library",
        metavar="PATH",
        help="exit with status 3 unless the libnspr4 file in use is PATH",
    )
    parser.add_argument(
        "--no-echo", action="store_true", help="skip the echo round trip"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the report as one JSON object (exit statuses unchanged)",
    )
    args = parser.parse_args(argv)
    # In JSON mode nothing but the object goes to standard output.
    say = (lambda text: None) if args.json else print

    def finish(
        status: int,
        report: Optional[nspr_ctypes.Diagnosis] = None,
        error_text: Optional[str] = None,
        echo: Optional[Dict[str, Any]] = None,
    ) -> int:
        if args.json:
            print(json.dumps(json_report(report, error_text, echo), indent=2))
        return status

    say("nspr_ctypes %s" % nspr_ctypes.__version__)
    try:
        if args.backend or args.library:
            nspr_ctypes.use_backend(args.backend or "nspr", library=args.library)
        report = nspr_ctypes.diagnose()
    except nspr_ctypes.BackendError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return finish(2, error_text=str(exc))
    say(report)
    if report.chosen is None:
        return finish(2, report, "no backend could be loaded")
    failures = expectation_failures(
        nspr_ctypes.get_backend(),
        args.expect_backend,
        args.expect_version,
        args.expect_library,
    )
    for failure in failures:
        print("not as expected: %s" % failure, file=sys.stderr)
    if failures:
        return finish(3, report, "; ".join(failures))
    if args.no_echo:
        return finish(0, report)
    try:
        result = echo_round_trip()
    except (error.NSPRError, OSError, RuntimeError, ValueError) as exc:
        failure = "%s: %s" % (type(exc).__name__, exc)
        say("echo round trip FAILED: %s" % failure)
        return finish(1, report, echo={"ok": False, "detail": failure})
    say(result)
    return finish(0, report, echo={"ok": True, "detail": result})


if __name__ == "__main__":
    sys.exit(main())
