"""``python -m nspr_ctypes``: which backend, why, which NSPR; then a round trip.

Prints the report of diagnose(), checks the --expect-* options against the
backend in use, then runs a loopback echo through the public io API.
"""

from typing import Any, Dict, List, Optional

from nspr_ctypes.backends import Diagnosis
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

def json_report(
    report: Optional[Diagnosis],
    error_text: Optional[str],
    echo: Optional[Dict[str, Any]],
) -> Dict[str, Any]:
    """json_report(report, error_text, echo) -> dict

    The object that --json prints: the backend, library and NSPR version in
    use, every candidate with its reason, the environment, Python, platform
    and the echo result, as plain values.
    """

def main(argv: Optional[List[str]] = None) -> int:
    """main(argv=None) -> exit status

    The command line: 0 when the round trip succeeds, 1 when it fails, 2 when
    no backend loads, 3 when an --expect-* option does not hold. --json prints
    the report as one JSON object instead, with the same exit status.
    """
