"""A public module holds its API and nothing else public.

``dir(module)`` less the names starting with ``_`` is exactly ``__all__``:
the helpers a module imports (``typing`` names, other modules, internal
functions) go under private aliases, so tab completion, ``help()`` and
``from module import *`` show the API only. A package also holds the
submodules the import system binds on it once they are imported.
"""

from __future__ import annotations

import importlib
import types
from typing import Set

import pytest

from unit.test_public_names import PUBLIC_MODULES

MODULES = (*PUBLIC_MODULES, "nspr_ctypes.constants")


def public(names: object) -> Set[str]:
    """The names a user can type: identifiers not starting with ``_`` (pytest's
    assertion rewriting, which covers an installed package that provides a
    pytest plugin, adds ``@py_builtins``-style globals no one can write)."""
    assert isinstance(names, (list, tuple))
    return {
        str(name)
        for name in names
        if str(name).isidentifier() and not str(name).startswith("_")
    }


def bound_submodules(module: types.ModuleType) -> Set[str]:
    """Names of ``module`` that are its own submodules."""
    return {
        name
        for name, value in vars(module).items()
        if isinstance(value, types.ModuleType)
        and value.__name__ == "%s.%s" % (module.__name__, name)
    }


@pytest.mark.parametrize("name", MODULES)
def test_public_names_of_dir_are_all(name: str) -> None:
    module = importlib.import_module(name)
    # Bind the submodules that other tests may or may not have imported.
    importlib.import_module("nspr_ctypes.constants")
    importlib.import_module("nspr_ctypes.backends")
    exported = public(module.__all__)
    extra = public(dir(module)) - exported - bound_submodules(module)
    assert not extra, "%s holds public names outside __all__: %s" % (
        name,
        sorted(extra),
    )
    assert exported <= set(dir(module))


def test_io_reexports_every_constant() -> None:
    io = importlib.import_module("nspr_ctypes.io")
    constants = importlib.import_module("nspr_ctypes.constants")
    assert set(constants.__all__) <= set(io.__all__)
    for name in constants.__all__:
        assert getattr(io, name) is getattr(constants, name)


def test_constants_all_is_every_constant_it_defines() -> None:
    constants = importlib.import_module("nspr_ctypes.constants")
    defined = {name for name in vars(constants) if name.startswith("PR_")}
    assert set(constants.__all__) == defined
    assert len(constants.__all__) == len(defined)
