"""``python -m nspr_ctypes.compat``: run a python-nss program on nspr_ctypes, unchanged.

``python -m nspr_ctypes.compat SCRIPT [ARGS...]`` runs SCRIPT as ``python
SCRIPT [ARGS...]`` would (``sys.argv``, ``__name__ == "__main__"``,
``__file__``, ``sys.path[0]``, the exit status, the traceback of an uncaught
exception), and ``-m MODULE [ARGS...]`` as ``python -m MODULE`` would, with
``import nss.io`` and ``import nss.error`` giving nspr_ctypes's modules. The
alias is installed in this process and put first on ``PYTHONPATH`` (and in
``sys.path``), so the Python processes the program starts have it too: the
program runs as under ``PYTHONPATH=<alias_path()>:$PYTHONPATH python SCRIPT``.
"""

from __future__ import annotations

import argparse
import builtins
import importlib.machinery
import io
import os
import runpy
import signal
import sys
import types
import zipfile
from typing import Dict, List, Optional, Tuple

import nspr_ctypes
from nspr_ctypes.compat import AliasConflict, alias_path, install

_PROG = "python -m nspr_ctypes.compat"
_USAGE = (
    "%s [-h] [--backend NAME] [--pythonpath] (SCRIPT | -m MODULE) [ARGS ...]" % _PROG
)
# The runner's options that take a value (the first argument that is not an
# option, or -m, ends the runner's options: the rest belongs to the program).
_VALUED = ("--backend",)
# The runner's frames, left out of the traceback of the program's exception.
_RUNNER_GLOBALS: Tuple[Dict[str, object], ...] = (globals(), vars(runpy))
# The runner's own __main__ module, kept alive once the program's replaces it.
_replaced_main: List[types.ModuleType] = []


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG,
        usage=_USAGE,
        description="Run a program written for python-nss on nspr_ctypes, "
        "unchanged: 'import nss.io' and 'import nss.error' give nspr_ctypes.io "
        "and nspr_ctypes.error, in the program and in the Python processes it "
        "starts. nss.nss and nss.ssl (NSS proper) are not provided.",
        epilog="For a whole shell or service, put the directory that --pythonpath "
        "prints first on PYTHONPATH instead (docs/porting.md).",
    )
    parser.add_argument(
        "--backend",
        metavar="NAME",
        help="the nspr_ctypes backend (nspr, stdlib, ...); sets "
        "NSPR_CTYPES_BACKEND for the program and its children",
    )
    parser.add_argument(
        "--pythonpath",
        action="store_true",
        help="print the directory to put on PYTHONPATH for the alias, and exit",
    )
    parser.add_argument(
        "-m", dest="module", metavar="MODULE", help="run library module MODULE"
    )
    parser.add_argument("script", metavar="SCRIPT", nargs="?", help="the program")
    parser.add_argument(
        "args", metavar="ARGS", nargs="*", help="the program's arguments"
    )
    return parser


def _split(argv: List[str]) -> Tuple[List[str], List[str]]:
    """The runner's part of ``argv`` (up to SCRIPT or ``-m MODULE``) and the
    program's arguments after it."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            return argv[: index + 2], argv[index + 2 :]
        if arg == "-m":
            return argv[: index + 2], argv[index + 2 :]
        if arg.startswith("-m") and not arg.startswith("--"):
            return [*argv[:index], "-m", arg[2:]], argv[index + 1 :]
        if arg in _VALUED:
            index += 2
            continue
        if not arg.startswith("-") or arg == "-":
            return argv[: index + 1], argv[index + 1 :]
        index += 1
    return argv, []


def _program_traceback(
    traceback: Optional[types.TracebackType],
) -> Optional[types.TracebackType]:
    """``traceback`` without the runner's own frames in front."""
    while traceback is not None and any(
        traceback.tb_frame.f_globals is runner for runner in _RUNNER_GLOBALS
    ):
        traceback = traceback.tb_next
    return traceback


def _report_uncaught(exc: BaseException) -> int:
    """Do what the interpreter does with an exception the program let escape."""
    traceback = _program_traceback(exc.__traceback__)
    # The interpreter's excepthook prints the exception's own traceback.
    exc.with_traceback(traceback)
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, traceback
    sys.excepthook(type(exc), exc, traceback)
    if isinstance(exc, KeyboardInterrupt) and hasattr(signal, "SIGINT"):
        # As the interpreter: die of SIGINT, so the parent sees the interrupt.
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return 1


def _set_script_directory(directory: Optional[str]) -> None:
    """Put ``directory`` first on ``sys.path`` where ``python -m`` put the
    current directory, as ``python SCRIPT`` does (``None``: take it away).
    Under -I or -P the interpreter adds neither."""
    if sys.flags.isolated or getattr(sys.flags, "safe_path", False):
        return
    if directory is None:
        del sys.path[0]
    else:
        sys.path[0] = directory


def _run_source_file(path: str) -> None:
    """Run the Python source file ``path`` as the ``__main__`` module.

    As the interpreter does, and unlike ``runpy.run_path`` (whose
    ``sys.argv[0]`` and ``__file__`` are one and the same string):
    ``sys.argv[0]`` stays the path as given while ``__file__`` and the code's
    file name are absolute (from Python 3.9 on), and the module stays
    ``__main__`` after the program, for ``atexit`` handlers and threads.
    """
    file_name = os.path.abspath(path) if sys.version_info >= (3, 9) else path
    with io.open_code(path) as handle:
        source = handle.read()
    code = compile(source, file_name, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=file_name,
        __cached__=None,
        __loader__=importlib.machinery.SourceFileLoader("__main__", file_name),
        __package__=None,
        __spec__=None,
        __builtins__=builtins,
    )
    _replaced_main.append(sys.modules["__main__"])
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


def _run_script(script: str) -> None:
    if os.path.isdir(script) or zipfile.is_zipfile(script):
        # A directory or zip file with __main__.py: runpy puts it first on
        # sys.path itself, as python does, and the current directory goes.
        _set_script_directory(None)
        runpy.run_path(script, run_name="__main__")
        return
    _set_script_directory(os.path.dirname(os.path.realpath(script)))
    if os.path.isfile(script) and not script.endswith((".pyc", ".pyo")):
        _run_source_file(script)
    else:
        # Compiled code, or a missing file (runpy's OSError says so).
        runpy.run_path(script, run_name="__main__")


def _cannot_run(message: str, status: int) -> int:
    print("%s: %s" % (sys.executable, message), file=sys.stderr)
    return status


def main(argv: Optional[List[str]] = None) -> int:
    """Run the program the command line names; return its exit status.

    2 for a usage error, an unknown backend or python-nss already imported;
    otherwise what ``python SCRIPT`` would exit with (``sys.exit()`` in the
    program raises ``SystemExit`` through this function, as it would there).
    """
    if argv is None:
        argv = sys.argv[1:]
    runner_args, program_args = _split(argv)
    parser = _parser()
    args = parser.parse_args(runner_args)
    if args.pythonpath:
        if args.script or args.module:
            parser.error("--pythonpath takes no SCRIPT or -m MODULE")
        print(alias_path())
        return 0
    if not args.script and not args.module:
        parser.error("a SCRIPT or -m MODULE is required")
    if args.backend:
        os.environ["NSPR_CTYPES_BACKEND"] = args.backend
        try:
            nspr_ctypes.use_backend(args.backend)
        except nspr_ctypes.BackendError as exc:
            print("%s: error: %s" % (_PROG, exc), file=sys.stderr)
            return 2
    try:
        install(children=True)
    except AliasConflict as exc:
        print("%s: error: %s" % (_PROG, exc), file=sys.stderr)
        return 2
    target: str = args.module or args.script
    sys.argv = [target, *program_args]
    try:
        if args.module:
            runpy.run_module(args.module, run_name="__main__", alter_sys=True)
        else:
            try:
                _run_script(args.script)
            except OSError as exc:
                if _program_traceback(exc.__traceback__) is not None:
                    raise
                name = (
                    os.path.abspath(args.script)
                    if sys.version_info >= (3, 9)
                    else args.script
                )
                return _cannot_run(
                    "can't open file %r: [Errno %s] %s"
                    % (name, exc.errno, exc.strerror),
                    2,
                )
    except SystemExit:
        raise
    except ImportError as exc:
        if args.module and _program_traceback(exc.__traceback__) is None:
            return _cannot_run(str(exc), 1)  # python -m: "No module named ..."
        return _report_uncaught(exc)
    except BaseException as exc:
        return _report_uncaught(exc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
