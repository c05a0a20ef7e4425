"""tools/error_table.py and what it wrote agree: the table module, the stub,
docs/api.md and the typing examples hold exactly what it renders from the
committed table (so none of them was edited by hand alone)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from nspr_ctypes import _error_table

ROOT = Path(__file__).resolve().parents[2]

if TYPE_CHECKING:
    from tools import error_table
else:
    # Loaded from its file: the repository root is not put on sys.path, so
    # the installed nspr_ctypes (not the source tree) stays the one tested.
    _spec = importlib.util.spec_from_file_location(
        "nspr_ctypes_tools_error_table", ROOT / "tools" / "error_table.py"
    )
    error_table = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = error_table
    _spec.loader.exec_module(error_table)


def _printed(what: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert error_table.main([what]) == 0
    return out.getvalue()


def test_table_module_is_what_the_tool_renders_from_its_entries() -> None:
    entries = [
        (name, code, _error_table._DESCRIPTIONS[code])
        for code, name in _error_table._NAMES.items()
    ]
    source = (ROOT / "nspr_ctypes" / "_error_table.py").read_text(encoding="utf-8")
    assert error_table.render_module(entries) == source


@pytest.mark.parametrize(
    ("what", "path"),
    [
        ("stub", "stubs/nspr_ctypes/error.pyi"),
        ("doc", "docs/api.md"),
        ("usage", "tests/typing/usage_error.py"),
    ],
)
def test_file_holds_the_lines_the_tool_prints(what: str, path: str) -> None:
    assert _printed(what) in (ROOT / path).read_text(encoding="utf-8")
