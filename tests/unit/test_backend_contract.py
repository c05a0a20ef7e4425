"""The plugin contract is only what the shared layer uses.

Every abstract method of :class:`nspr_ctypes.backends._base.Backend` is work
each plugin must write, so each must be reached by the shared layer (the
modules of ``nspr_ctypes/`` outside ``backends/``): read off a backend object
(``backend.recv``, ``channel.backend.close``, ``_backend(x).interval_now``)
to be called there or handed to the engine. Read from the source, not run.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Dict, List, Set

import nspr_ctypes
from nspr_ctypes.backends._base import Backend

PACKAGE = Path(nspr_ctypes.__file__).resolve().parent
PLUGIN_DOC = Path(__file__).resolve().parents[2] / "docs" / "backends.md"


def shared_layer() -> List[Path]:
    """The modules of the package outside ``backends/``."""
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "backends" not in path.relative_to(PACKAGE).parts
    )


def names_a_backend(node: ast.expr) -> bool:
    """Whether ``node`` reads as a backend object: a name or attribute with
    ``backend`` in it, or a call of such a function (``_backend(x)``)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return "backend" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "backend" in node.attr.lower()
    return False


def backend_members_used(paths: List[Path]) -> Dict[str, Set[str]]:
    """Attribute name -> the modules that read it off a backend object."""
    used: Dict[str, Set[str]] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and names_a_backend(node.value):
                used.setdefault(node.attr, set()).add(path.name)
    return used


def abstract_methods() -> List[str]:
    return sorted(
        name
        for name, member in vars(Backend).items()
        if getattr(member, "__isabstractmethod__", False)
    )


def test_the_shared_layer_is_found() -> None:
    names = {path.name for path in shared_layer()}
    assert {"_socket.py", "_engine.py", "_address.py", "io.py"} <= names
    assert "_base.py" not in names


def test_backend_has_abstract_methods() -> None:
    # Guards the next test against passing on an empty list.
    assert "recv" in abstract_methods()
    assert inspect.isabstract(Backend)


def test_every_abstract_method_is_used_by_the_shared_layer() -> None:
    used = backend_members_used(shared_layer())
    unused = [name for name in abstract_methods() if name not in used]
    assert unused == [], (
        "abstract methods of Backend that no module of nspr_ctypes outside "
        "backends/ uses (every plugin must write them): %s" % unused
    )


def test_only_reads_off_a_backend_count() -> None:
    source = (
        "backend.recv(h)\nchannel.backend.close(h)\n_backend(b).poll()\nsock.bind(a)\n"
    )
    tree = ast.parse(source)
    seen = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and names_a_backend(node.value)
    }
    assert seen == {"recv", "close", "poll"}


def test_the_plugin_guide_lists_exactly_the_abstract_methods() -> None:
    text = PLUGIN_DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| [a-z ]+ \| (`.*`) \|$", text, re.MULTILINE)
    listed = sorted(re.findall(r"`(\w+)`", " ".join(rows)))
    assert listed == abstract_methods()
