"""The backend under test for the alias tests: every target but the oracle."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend(target: str) -> str:
    """The backend the children use (``NSPR_CTYPES_BACKEND``)."""
    if target == "oracle":
        pytest.skip("the alias runs programs on nspr_ctypes, not on python-nss")
    return target
