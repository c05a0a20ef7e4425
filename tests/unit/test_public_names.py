"""The public names agree: at runtime, in the stubs, in docs/api.md, and in python-nss.

Rules (one per side; a mismatch lists the names each side lacks):

* Runtime. A public module's API is its ``__all__``. ``__all__`` names only
  things the module has, and holds every public name the module *defines* (a
  module-level ``def``, ``class`` or assignment, read with ``ast`` from its
  source) except the few internal names in ``INTERNAL``. Imported names
  (modules, typing constructs, names used in annotations) are public only when
  ``__all__`` re-exports them. So ``__all__`` is ``dir(module)`` less private
  names, modules, and imports it does not re-export.
* Stubs. ``stubs/nspr_ctypes/**.pyi``: the stub's ``__all__`` if it has one,
  else its public definitions plus the ``import x as x`` re-exports (PEP 484).
* Documents. docs/api.md has one ``## `module``` section per public module; a
  name is documented by a ``### `name``` heading or a table row whose first
  cell is ``name`` in backticks, a class member by ``#### `Class.member``` or
  a row with ``Class.member``.
  Where a table row gives a constant's value, it is the value at runtime.
* Classes. The public members a class defines itself (its own namespace and
  the ``self.x`` attributes its methods assign; inherited ones belong to the
  base, except those of the package's private base classes, such as
  ``Socket``'s, which are the class's own) are the same in the three places,
  checked under the class's home module: the longest-named public module that
  exports it.
* python-nss. ``nss.io`` and ``nss.error`` have exactly the names of
  ``nspr_ctypes.io`` and ``nspr_ctypes.error`` less the additions in
  ``ADDITIONS``; the classes have the same public members, less those in
  ``MEMBER_ADDITIONS``. (tests/unit/test_error_table.py compares the error
  codes' values and texts.)
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import types
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

import pytest

from ._oracle import ask_oracle

ROOT = Path(__file__).resolve().parents[2]
STUBS = ROOT / "stubs"
API_DOC = ROOT / "docs" / "api.md"

PUBLIC_MODULES = (
    "nspr_ctypes",
    "nspr_ctypes.io",
    "nspr_ctypes.error",
    "nspr_ctypes.backends",
    "nspr_ctypes.backends.errors",
    "nspr_ctypes.compat",
)

# Names a public module defines for the package's own use, not for callers.
INTERNAL: Dict[str, Dict[str, str]] = {}

# nspr_ctypes's names that python-nss does not have, and why.
ADDITIONS: Dict[str, Dict[str, str]] = {
    "nspr_ctypes.io": {},
    "nspr_ctypes.error": {
        "PR_OPERATION_ABORTED_ERROR": "NSPR has it; python-nss lacks it "
        "(docs/differences.md, Values)",
        "nspr_error": "builds the NSPRError of a failed operation, for "
        "backends (docs/backends.md, Writing a plugin)",
    },
}

# Members nspr_ctypes's classes have and python-nss's lack, and why.
_BYTES_SENT = (
    "the count a failed send transmitted (docs/differences.md, Reading and writing)"
)
MEMBER_ADDITIONS: Dict[str, Dict[str, str]] = {
    "Socket": {
        "pending": "the bytes buffered in the object, for event loops "
        "(docs/differences.md, Additions)",
        "recv_into": "receives into the caller's buffer with no allocation "
        "(docs/differences.md, Additions)",
    },
    "NSPRError": {"bytes_sent": _BYTES_SENT},
    "CertVerifyError": {"bytes_sent": "inherited from NSPRError: " + _BYTES_SENT},
}


def _diff(sides: Dict[str, Set[str]]) -> str:
    """For every side, the names the other sides have and it lacks."""
    union = set().union(*sides.values())
    lines = []
    for side, names in sides.items():
        missing = sorted(union - names)
        if missing:
            lines.append("missing in %s: %s" % (side, ", ".join(missing)))
    return "\n".join(lines)


def _assert_same(what: str, sides: Dict[str, Set[str]]) -> None:
    differences = _diff(sides)
    assert not differences, "%s differ:\n%s" % (what, differences)


# -- runtime -------------------------------------------------------------------


def _module(name: str) -> types.ModuleType:
    return importlib.import_module(name)


def _source_tree(path: str) -> ast.Module:
    with open(path, encoding="utf-8") as handle:
        return ast.parse(handle.read(), path)


def _module_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """The module's statements, including those inside module-level ``if``
    and ``try`` blocks (version checks, optional imports)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        yield node
        if isinstance(node, ast.If):
            pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                pending.extend(handler.body)


def _defined_names(tree: ast.Module) -> Set[str]:
    """Names bound at module level by def, class or assignment (not imports)."""
    names: Set[str] = set()
    for node in _module_level(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(_target_names(target))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            names.update(_target_names(node.target))
    return names


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)


def runtime_names(name: str) -> Set[str]:
    module = _module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, "%s has no __all__" % name
    assert len(set(exported)) == len(exported), "%s.__all__ has duplicates" % name
    return set(exported)


def _home_modules() -> Dict[str, Tuple[str, type]]:
    """Each public class by name, with its home: the longest-named public
    module whose ``__all__`` exports it."""
    homes: Dict[str, Tuple[str, type]] = {}
    for module_name in PUBLIC_MODULES:
        module = _module(module_name)
        for name in runtime_names(module_name):
            value = getattr(module, name, None)
            if not isinstance(value, type):
                continue
            current = homes.get(name)
            if current is None or len(module_name) > len(current[0]):
                homes[name] = (module_name, value)
    return homes


def _class_node(cls: type) -> ast.ClassDef:
    """The ``class`` statement of ``cls``, found in the files its functions
    come from (``__module__`` may name the re-exporting module instead, and
    a NamedTuple has functions made by ``collections``)."""
    paths: List[str] = []
    for value in vars(cls).values():
        function = value.fget if isinstance(value, property) else value
        function = getattr(function, "__func__", function)
        code = getattr(function, "__code__", None)
        if code is not None and os.path.isfile(code.co_filename):
            paths.append(code.co_filename)
    module = importlib.import_module(cls.__module__)
    if module.__file__ is not None:
        paths.append(module.__file__)
    for path in dict.fromkeys(paths):
        for node in ast.walk(_source_tree(path)):
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                return node
    raise AssertionError("no class %s in %s" % (cls.__name__, paths))


def _own_parts(cls: type) -> List[type]:
    """``cls`` and the private base classes of this package it is written in
    (``Socket``'s methods live in a few such bases)."""
    return [
        part
        for part in cls.__mro__
        if part is cls
        or (
            part.__name__.startswith("_")
            and part.__module__.split(".")[0] == "nspr_ctypes"
        )
    ]


def runtime_members(cls: type) -> Set[str]:
    """Public names of the namespaces of the class and its private bases, and
    the ``self.x`` attributes their methods assign."""
    names: Set[str] = set()
    for part in _own_parts(cls):
        names |= {name for name in vars(part) if not name.startswith("_")}
        names |= _assigned_attributes(part)
    return names


def _assigned_attributes(cls: type) -> Set[str]:
    """The public ``self.x`` attributes the methods of ``cls`` assign."""
    names: Set[str] = set()
    for node in ast.walk(_class_node(cls)):
        targets: List[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and not target.attr.startswith("_")
            ):
                names.add(target.attr)
    return names


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_dir_less_private_names_modules_and_imports(name: str) -> None:
    module = _module(name)
    exported = runtime_names(name)
    assert module.__file__ is not None
    defined = _defined_names(_source_tree(module.__file__))
    public_defined = {n for n in defined if not n.startswith("_")}
    internal = set(INTERNAL.get(name, {}))
    assert internal <= public_defined, "stale INTERNAL entries: %s" % sorted(
        internal - public_defined
    )
    assert not internal & exported, "INTERNAL names exported: %s" % sorted(
        internal & exported
    )
    unknown = sorted(n for n in exported if not hasattr(module, n))
    assert not unknown, "%s.__all__ names what it lacks: %s" % (name, unknown)
    modules = sorted(
        n for n in exported if isinstance(getattr(module, n), types.ModuleType)
    )
    if name != "nspr_ctypes":  # only the package re-exports its submodules
        assert not modules, "%s.__all__ lists modules: %s" % (name, modules)
    unexported = sorted(public_defined - internal - exported)
    assert not unexported, (
        "%s defines public names that __all__ lacks (export them, make them "
        "private, or list them in INTERNAL with a reason): %s" % (name, unexported)
    )


# -- stubs ---------------------------------------------------------------------


def _stub_path(module_name: str) -> Path:
    parts = module_name.split(".")
    package = STUBS.joinpath(*parts) / "__init__.pyi"
    if package.exists():
        return package
    return STUBS.joinpath(*parts[:-1]) / (parts[-1] + ".pyi")


def _stub_tree(module_name: str) -> ast.Module:
    path = _stub_path(module_name)
    if not path.exists():
        pytest.fail("no stub for %s: %s" % (module_name, path.relative_to(ROOT)))
    return _source_tree(str(path))


def _literal_all(tree: ast.Module) -> Optional[List[str]]:
    for node in _module_level(tree):
        value: Optional[ast.expr] = None
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = node.value
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "__all__"
        ):
            value = node.value
        if value is not None:
            names = ast.literal_eval(value)
            assert isinstance(names, (list, tuple)), "__all__ must be a literal list"
            return [str(n) for n in names]
    return None


def _stub_bindings(
    module_name: str, tree: ast.Module
) -> Tuple[Set[str], Set[str], Dict[str, str]]:
    """(defined names, re-exported names, imported name -> source module)."""
    defined = _defined_names(tree)
    reexported: Set[str] = set()
    origins: Dict[str, str] = {}
    package = module_name.split(".")
    if _stub_path(module_name).name != "__init__.pyi":
        package = package[:-1]
    for node in _module_level(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                bound = alias.asname or alias.name
                origins[bound] = source
                if alias.asname == alias.name:
                    reexported.add(bound)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None and alias.asname == alias.name:
                    reexported.add(alias.asname)
    return defined, reexported, origins


def stub_names(module_name: str) -> Set[str]:
    tree = _stub_tree(module_name)
    defined, reexported, origins = _stub_bindings(module_name, tree)
    listed = _literal_all(tree)
    if listed is not None:
        bound = defined | set(origins) | reexported
        unbound = sorted(set(listed) - bound)
        assert not unbound, "the stub's __all__ names what it lacks: %s" % unbound
        return set(listed)
    return {n for n in defined if not n.startswith("_")} | reexported


def _stub_class(module_name: str, class_name: str) -> ast.ClassDef:
    """The stub's class statement, following ``from x import Class``."""
    seen: Set[str] = set()
    while module_name not in seen:
        seen.add(module_name)
        tree = _stub_tree(module_name)
        for node in _module_level(tree):
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                return node
        origin = _stub_bindings(module_name, tree)[2].get(class_name)
        if origin is None:
            break
        module_name = origin
    raise AssertionError("no stub class %s (from %s)" % (class_name, module_name))


def stub_members(module_name: str, class_name: str) -> Set[str]:
    names: Set[str] = set()
    for node in _stub_class(module_name, class_name).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.update(_target_names(node.target))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(_target_names(target))
    return {n for n in names if not n.startswith("_")}


# -- docs/api.md ---------------------------------------------------------------

_SECTION = re.compile(r"^## `([\w.]+)`\s*$")
_HEADING = re.compile(r"^#{3,4} `([\w.]+)`\s*$")
_ROW = re.compile(r"^\|\s*`([\w.]+)`\s*\|")


def _doc_sections() -> Dict[str, Set[str]]:
    """Module name -> every name and ``Class.member`` documented under it."""
    sections: Dict[str, Set[str]] = {}
    current: Optional[Set[str]] = None
    in_code = False
    for line in API_DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        section = _SECTION.match(line)
        if section:
            assert section.group(1) not in sections, "two sections " + line
            current = sections.setdefault(section.group(1), set())
            continue
        if line.startswith("## "):
            current = None
            continue
        match = _HEADING.match(line) or _ROW.match(line)
        if match and current is not None:
            current.add(match.group(1))
    return sections


def doc_names(module_name: str) -> Set[str]:
    sections = _doc_sections()
    assert module_name in sections, "docs/api.md has no section for " + module_name
    return {n for n in sections[module_name] if "." not in n}


def doc_members(module_name: str, class_name: str) -> Set[str]:
    prefix = class_name + "."
    return {
        n[len(prefix) :] for n in _doc_sections()[module_name] if n.startswith(prefix)
    }


_VALUE_ROW = re.compile(r"^\|\s*`(\w+)`\s*\|\s*(-?\d+)\s*\|")


def test_documented_constant_values_are_the_runtime_values() -> None:
    module: Optional[types.ModuleType] = None
    checked = 0
    wrong = []
    for line in API_DOC.read_text(encoding="utf-8").splitlines():
        section = _SECTION.match(line)
        if section:
            module = _module(section.group(1))
            continue
        row = _VALUE_ROW.match(line)
        if row and module is not None:
            name, value = row.group(1), int(row.group(2))
            checked += 1
            if getattr(module, name, None) != value:
                wrong.append("%s.%s: %d" % (module.__name__, name, value))
    assert not wrong, "docs/api.md gives wrong values: %s" % wrong
    # Every int constant of io and error has its row with the value.
    constants = [
        name
        for module_name in ("nspr_ctypes.io", "nspr_ctypes.error")
        for name in runtime_names(module_name)
        if type(getattr(_module(module_name), name)) is int
    ]
    assert checked == len(constants)


def test_docs_have_a_section_per_public_module_only() -> None:
    assert set(_doc_sections()) == set(PUBLIC_MODULES)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_runtime_stub_and_docs_name_the_same(name: str) -> None:
    _assert_same(
        "public names of %s" % name,
        {
            "runtime __all__": runtime_names(name),
            "stub": stub_names(name),
            "docs/api.md": doc_names(name),
        },
    )


def _classes() -> List[Tuple[str, str]]:
    return sorted((home, name) for name, (home, _cls) in _home_modules().items())


@pytest.mark.parametrize(("home", "class_name"), _classes())
def test_runtime_stub_and_docs_give_a_class_the_same_members(
    home: str, class_name: str
) -> None:
    cls = getattr(_module(home), class_name)
    _assert_same(
        "members of %s.%s" % (home, class_name),
        {
            "runtime": runtime_members(cls),
            "stub": stub_members(home, class_name),
            "docs/api.md": doc_members(home, class_name),
        },
    )


def _names_used_in_usage_examples() -> Set[str]:
    used: Set[str] = set()
    for path in sorted((ROOT / "tests" / "typing").glob("usage_*.py")):
        for node in ast.walk(_source_tree(str(path))):
            if isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.alias):
                used.add(node.asname or node.name)
    return used


def test_usage_examples_use_every_public_name() -> None:
    # tests/typing states the type of every public name (its members too; a
    # Backend's abstract primitives are for backends, not for programs).
    used = _names_used_in_usage_examples()
    unused: List[str] = []
    for module_name in PUBLIC_MODULES:
        unused.extend(
            "%s.%s" % (module_name, name)
            for name in sorted(runtime_names(module_name) - used)
        )
    for home, class_name in _classes():
        cls = getattr(_module(home), class_name)
        members = runtime_members(cls) - set(getattr(cls, "__abstractmethods__", ()))
        unused.extend(
            "%s.%s.%s" % (home, class_name, name) for name in sorted(members - used)
        )
    assert not unused, "no usage example in tests/typing for: %s" % unused


def test_every_public_class_is_checked() -> None:
    # The classes python-nss users meet, and those of the loading machinery.
    expected = {
        "AddrInfo",
        "AliasConflict",
        "Backend",
        "BackendError",
        "BackendUnavailable",
        "Candidate",
        "CertVerifyError",
        "Diagnosis",
        "HostEntry",
        "LibraryIncompatible",
        "LibraryLoadFailed",
        "LibraryNotFound",
        "LibraryTooOld",
        "NSPRError",
        "NetworkAddress",
        "PollSet",
        "Socket",
        "UnknownBackend",
    }
    assert {name for _home, name in _classes()} == expected


# -- python-nss ----------------------------------------------------------------

_ORACLE_SCRIPT = """
import json, types
import nss.error, nss.io

def names(module):
    return sorted(
        n for n in dir(module)
        if not n.startswith("_") and not isinstance(getattr(module, n), types.ModuleType)
    )

def members(cls, base):
    return sorted(n for n in dir(cls) if not n.startswith("_") and n not in dir(base))

print(json.dumps({
    "io": names(nss.io),
    "error": names(nss.error),
    "classes": {
        "Socket": members(nss.io.Socket, object),
        "NetworkAddress": members(nss.io.NetworkAddress, object),
        "AddrInfo": members(nss.io.AddrInfo, object),
        "HostEntry": members(nss.io.HostEntry, object),
        "NSPRError": members(nss.error.NSPRError, Exception),
        "CertVerifyError": members(nss.error.CertVerifyError, Exception),
    },
}))
"""


@pytest.fixture(scope="module")
def oracle() -> Dict[str, object]:
    found = ask_oracle(_ORACLE_SCRIPT)
    assert isinstance(found, dict)
    return found


def test_io_has_exactly_the_names_of_nss_io(oracle: Dict[str, object]) -> None:
    theirs = oracle["io"]
    assert isinstance(theirs, list)
    ours = runtime_names("nspr_ctypes.io") - set(ADDITIONS["nspr_ctypes.io"])
    _assert_same("names of io", {"nss.io": set(theirs), "nspr_ctypes.io": ours})


def test_error_has_exactly_the_names_of_nss_error(oracle: Dict[str, object]) -> None:
    theirs = oracle["error"]
    assert isinstance(theirs, list)
    assert len(theirs) > 380, "the oracle's names look wrong: %s" % theirs
    additions = set(ADDITIONS["nspr_ctypes.error"])
    ours = runtime_names("nspr_ctypes.error")
    assert additions <= ours
    assert not additions & set(theirs), "no longer additions: %s" % sorted(
        additions & set(theirs)
    )
    _assert_same(
        "names of error",
        {"nss.error": set(theirs), "nspr_ctypes.error": ours - additions},
    )


@pytest.mark.parametrize(
    ("module_name", "class_name"),
    [
        ("nspr_ctypes.io", "Socket"),
        ("nspr_ctypes.io", "NetworkAddress"),
        ("nspr_ctypes.io", "AddrInfo"),
        ("nspr_ctypes.io", "HostEntry"),
        ("nspr_ctypes.error", "NSPRError"),
        ("nspr_ctypes.error", "CertVerifyError"),
    ],
)
def test_classes_have_the_members_of_python_nss(
    oracle: Dict[str, object], module_name: str, class_name: str
) -> None:
    classes = oracle["classes"]
    assert isinstance(classes, dict)
    cls = getattr(_module(module_name), class_name)
    base = Exception if issubclass(cls, Exception) else object
    ours = {n for n in dir(cls) if not n.startswith("_") and n not in dir(base)}
    additions = set(MEMBER_ADDITIONS.get(class_name, {}))
    assert additions <= ours
    _assert_same(
        "members of %s" % class_name,
        {"python-nss": set(classes[class_name]), "nspr_ctypes": ours - additions},
    )
