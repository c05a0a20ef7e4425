"""The python-nss alias: install, uninstall, alias_path, AliasConflict (see usage_support)."""

from __future__ import annotations

import types
from typing import Optional

from usage_support import assert_type

import nspr_ctypes.compat
from nspr_ctypes.compat import AliasConflict


def alias() -> None:
    assert_type(nspr_ctypes.compat.alias_path(), str)
    assert_type(nspr_ctypes.compat.install(), types.ModuleType)
    assert_type(nspr_ctypes.compat.install(children=True), types.ModuleType)
    assert_type(nspr_ctypes.compat.uninstall(), None)


def conflict() -> None:
    try:
        nspr_ctypes.compat.install()
    except AliasConflict as exc:
        assert_type(exc, AliasConflict)
        assert_type(exc.name, Optional[str])
        assert_type(exc.path, Optional[str])
