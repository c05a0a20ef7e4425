"""``python -m nspr_ctypes``: which backend, why, which NSPR; then a round trip.

Prints the report of diagnose(), checks the --expect-* options against the
backend in use, then runs a loopback echo through the public io API.
"""

from typing import List, Optional

from nspr_ctypes.backends._base import Backend

def echo_round_trip() -> str:
    """echo_round_trip() -> string

    Send a line to a loopback echo server and read it back; describe it.
    """

def expectation_failures(
    backend: Backend,
    name: Optional[str] = None,
    version: Optional[str] = None,
    library: Optional[str] = None,
) -> List[str]:
    """expectation_failures(backend, name=None, version=None, library=None) -> [string]

    How ``backend`` differs from the expected backend name, NSPR version (or
    its prefix) and library path; empty when it does not.
    """

def main(argv: Optional[List[str]] = None) -> int:
    """main(argv=None) -> exit status

    The command line: 0 when the round trip succeeds, 1 when it fails, 2 when
    no backend loads, 3 when an --expect-* option does not hold.
    """
