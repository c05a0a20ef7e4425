"""Hostile input: every argument of the public API given values it does not expect.

The cases, and the rules they follow, are in ``_hostile_cases``. Each must end
in exactly the outcome it names; nothing may crash, hang or raise anything
else. On python-nss each runs in a child process.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._harness import Case, case_params, check_case
from ._hostile_cases import CASES

MODULE = "safety._hostile_cases"


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", case_params(CASES))
def test_hostile_input(case: Case, target: str, io: Any, error: Any) -> None:
    problem = check_case(case, target, io, error, MODULE)
    assert problem is None, problem
