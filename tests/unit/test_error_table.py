"""nspr_ctypes.error against python-nss's nss.error, code by code.

Every public name of ``nss.error``, every code's value and text, the
description ``NSPRError`` gives each code, what both say of codes without a
name, and ``CertVerifyError``. The oracle's facts come as JSON from the
system Python (``_oracle.ask_oracle``), so these tests run in every test
environment; the backend does not matter (the table is the same for all).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import pytest

from nspr_ctypes import error

from ._oracle import ask_oracle

# Codes nspr_ctypes has and python-nss lacks (docs/differences.md, Values).
ADDITIONS = {"PR_OPERATION_ABORTED_ERROR": -5935}

# Around every block of codes, and around 0: the numbers whose description is
# compared, named or not (-1 is left out: NSPRError reads it as "the last error").
PROBED = sorted(
    (
        set(range(-12400, -12000))
        | set(range(-8300, -7900))
        | set(range(-6100, -5800))
        | set(range(-10, 11))
        | {2**31 - 1, -(2**31), 12345}
    )
    - {-1}
)

# (error_message, error_code, usages, log) given to CertVerifyError; the log
# is a plain string, all nspr_ctypes can offer in place of a CertVerifyLog.
CERT_VERIFY_CASES: List[List[Any]] = [
    [None, 0, 0, None],
    ["verify", -8172, 5, None],
    ["", -8174, 255, "log"],
    [None, -12285, -1, None],
    ["big", -5990, 2**32 + 3, None],
    [None, 12345, 2**70 + 1, None],
]

_ORACLE_SCRIPT = """
import json
import nss.error as error

probed = json.loads(PROBED)
cases = json.loads(CASES)

def described(code):
    exc = error.NSPRError(error_code=code)
    return {
        "errno": exc.errno,
        "error_code": exc.error_code,
        "error_desc": exc.error_desc,
        "strerror": exc.strerror,
        "str": str(exc),
        "repr": repr(exc),
        "args": list(exc.args),
    }

def cert_verify(case):
    exc = error.CertVerifyError(*case)
    return {
        "errno": exc.errno,
        "error_desc": exc.error_desc,
        "usages": exc.usages,
        "log": exc.log,
        "str": str(exc),
        "repr": repr(exc),
        "args": list(exc.args),
    }

names = [n for n in dir(error) if not n.startswith("_")]
codes = {n: getattr(error, n) for n in names if type(getattr(error, n)) is int}
print(json.dumps({
    "names": names,
    "codes": codes,
    "texts": {n: error.get_nspr_error_string(v) for n, v in codes.items()},
    "described": {n: described(v) for n, v in codes.items()},
    "probed": [[c, error.get_nspr_error_string(c), described(c)] for c in probed],
    "cert_verify_mro": [c.__name__ for c in error.CertVerifyError.__mro__],
    "cert_verify": [cert_verify(case) for case in cases],
    "doc": error.__doc__,
}))
"""


@pytest.fixture(scope="module")
def oracle() -> Dict[str, Any]:
    script = "PROBED = %r\nCASES = %r\n%s" % (
        json.dumps(PROBED),
        json.dumps(CERT_VERIFY_CASES),
        _ORACLE_SCRIPT,
    )
    found = ask_oracle(script)
    assert isinstance(found, dict)
    return found


def _described(code: int) -> Dict[str, Any]:
    exc = error.NSPRError(error_code=code)
    return {
        "errno": exc.errno,
        "error_code": exc.error_code,
        "error_desc": exc.error_desc,
        "strerror": exc.strerror,
        "str": str(exc),
        "repr": repr(exc),
        "args": list(exc.args),
    }


def _ours(name: str) -> Optional[int]:
    value = getattr(error, name, None)
    return value if type(value) is int else None


def _mismatches(theirs: Dict[str, Any], ours: Dict[str, Any]) -> List[str]:
    return [
        "%s: python-nss %r, nspr_ctypes %r" % (key, theirs[key], ours.get(key))
        for key in sorted(theirs)
        if ours.get(key) != theirs[key]
    ]


def test_the_oracle_has_every_kind_of_code(oracle: Dict[str, Any]) -> None:
    prefixes = {name.split("_")[0] for name in oracle["codes"]}
    assert prefixes == {"PR", "SEC", "SSL", "XP", "SUCCESS"}
    assert len(oracle["codes"]) == 388


def test_public_names_are_those_of_nss_error(oracle: Dict[str, Any]) -> None:
    ours = set(error.__all__) - set(ADDITIONS) - {"nspr_error"}
    missing = sorted(set(oracle["names"]) - ours)
    extra = sorted(ours - set(oracle["names"]))
    assert (missing, extra) == ([], [])


def test_code_values_are_those_of_nss_error(oracle: Dict[str, Any]) -> None:
    ours = {name: _ours(name) for name in oracle["codes"]}
    assert _mismatches(oracle["codes"], ours) == []


def test_only_the_additions_are_codes_python_nss_lacks(
    oracle: Dict[str, Any],
) -> None:
    ours = {name for name in error.__all__ if _ours(name) is not None}
    assert {name: _ours(name) for name in ours - set(oracle["codes"])} == ADDITIONS


def test_descriptions_are_those_of_nss_error(oracle: Dict[str, Any]) -> None:
    ours = {
        name: error.get_nspr_error_string(value)
        for name, value in oracle["codes"].items()
    }
    assert _mismatches(oracle["texts"], ours) == []


def test_nsprerror_describes_every_code_as_nss_error(oracle: Dict[str, Any]) -> None:
    wrong = [
        "%s: %s" % (name, difference)
        for name, theirs in oracle["described"].items()
        for difference in _mismatches(theirs, _described(oracle["codes"][name]))
    ]
    assert wrong == []


def test_descriptions_around_the_codes_are_those_of_nss_error(
    oracle: Dict[str, Any],
) -> None:
    wrong = [
        "%d: python-nss %r, nspr_ctypes %r"
        % (code, text, error.get_nspr_error_string(code))
        for code, text, _described_code in oracle["probed"]
        if code not in ADDITIONS.values() and error.get_nspr_error_string(code) != text
    ]
    assert wrong == []


def test_nsprerror_describes_the_numbers_around_the_codes_as_nss_error(
    oracle: Dict[str, Any],
) -> None:
    wrong = [
        "%d: %s" % (code, difference)
        for code, _text, theirs in oracle["probed"]
        if code not in ADDITIONS.values()
        for difference in _mismatches(theirs, _described(code))
    ]
    assert wrong == []


def test_cert_verify_error_class_hierarchy_is_that_of_nss_error(
    oracle: Dict[str, Any],
) -> None:
    assert [cls.__name__ for cls in error.CertVerifyError.__mro__] == oracle[
        "cert_verify_mro"
    ]


@pytest.mark.parametrize("index", range(len(CERT_VERIFY_CASES)))
def test_cert_verify_error_is_that_of_nss_error(
    oracle: Dict[str, Any], index: int
) -> None:
    exc = error.CertVerifyError(*CERT_VERIFY_CASES[index])
    ours = {
        "errno": exc.errno,
        "error_desc": exc.error_desc,
        "usages": exc.usages,
        "log": exc.log,
        "str": str(exc),
        "repr": repr(exc),
        "args": list(exc.args),
    }
    assert _mismatches(oracle["cert_verify"][index], ours) == []


def test_module_doc_is_that_of_nss_error_with_the_additions(
    oracle: Dict[str, Any],
) -> None:
    addition_lines = {
        "%s: %s" % (name, error.get_nspr_error_string(code))
        for name, code in ADDITIONS.items()
    }
    ours = (error.__doc__ or "").split("\n\n")
    theirs = oracle["doc"].split("\n\n")
    assert [part for part in ours if part not in addition_lines] == theirs
