"""The pytest plugin of nspr_ctypes (entry point ``pytest11``).

The ``nspr_backend`` fixture runs a test once per backend the run names
(``--nspr-backend SPEC``, ini ``nspr_backends``), each the process default
during its test; ``--nspr-strict`` makes a backend that cannot load a failure;
the markers ``nspr_skip``, ``nspr_xfail`` and ``nspr_min_version`` select
parameters. Inert unless used. See docs/testing-your-code.md.
"""

from typing import List

import pytest

from nspr_ctypes.backends._base import Backend

__all__ = [
    "BUILD_PREFIX",
    "ENV_STRICT",
    "FIXTURE",
    "format_backend",
    "load_spec",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_report_header",
]

FIXTURE: str
ENV_STRICT: str
BUILD_PREFIX: str

def load_spec(spec: str) -> Backend:
    """load_spec(spec) -> Backend

    A new backend instance for ``NAME``, ``NAME:LIBRARY`` or
    ``nspr-build:VERSION``. Raises BackendError, or builds.FetchError.
    """

def format_backend(backend: Backend) -> str:
    """format_backend(backend) -> ``'backend=NAME library=PATH version=VERSION'``"""

def pytest_addoption(parser: pytest.Parser) -> None: ...
def pytest_configure(config: pytest.Config) -> None: ...
def pytest_report_header(config: pytest.Config) -> List[str]: ...
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None: ...
def pytest_collection_modifyitems(
    config: pytest.Config, items: List[pytest.Item]
) -> None: ...
