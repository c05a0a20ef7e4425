"""``python -m nspr_ctypes.compat``: an unmodified python-nss program runs on nspr_ctypes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from pathlib import Path

import pytest

from ._harness import ALIAS_DIR, lines, run_compat, write

# A python-nss program, as its authors wrote it: a loopback exchange, an
# NSPRError caught, a child Python started with sys.executable.
PROGRAM = """
    import os
    import subprocess
    import sys

    import nss
    import nss.error
    import nss.io
    from nss import io
    from nss.error import NSPRError

    print("name", __name__)
    print("argv", sys.argv)
    print("file", __file__)
    print("path0", sys.path[0])
    print("io", nss.io.__name__, io is nss.io)
    print("error", nss.error.__name__, NSPRError is nss.error.NSPRError)
    if sys.argv[1:] == ["exit"]:
        sys.exit(3)
    if sys.argv[1:] == ["raise"]:
        raise LookupError("raised by the program")

    timeout = io.seconds_to_interval(10)
    server = io.Socket(io.PR_AF_INET)
    server.set_socket_option(io.PR_SockOpt_Reuseaddr, True)
    server.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    server.listen()
    client = io.Socket(io.PR_AF_INET)
    client.connect(server.get_sock_name(), timeout)
    conn, _peer = server.accept(timeout)
    client.send(b"ping", timeout)
    received = b""
    while len(received) < 4:
        received += conn.recv(4 - len(received), timeout)
    print("received", received.decode())

    unconnected = io.Socket(io.PR_AF_INET)
    try:
        unconnected.get_peer_name()
    except NSPRError as exc:
        print("caught", exc.errno == nss.error.PR_NOT_CONNECTED_ERROR, type(exc).__module__)
    for sock in (conn, client, server, unconnected):
        sock.close()

    child = subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(__file__), "child.py")],
        capture_output=True, text=True, timeout=60,
    )
    print(child.stdout.strip())
    print("child-status", child.returncode)
"""

CHILD = """
    import nss
    import nss.io
    print("child", nss.io.__name__, nss.__file__)
"""


@pytest.fixture
def program(tmp_path: Path) -> Path:
    write(tmp_path, "child.py", CHILD)
    return write(tmp_path, "program.py", PROGRAM)


def test_program_runs_as_main(program: Path, backend: str) -> None:
    result = run_compat([str(program), "arg1", "arg2"], backend, program.parent)
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout)["name"] == "__main__"


def test_program_gets_its_path_and_arguments_in_argv(
    program: Path, backend: str
) -> None:
    result = run_compat(["program.py", "arg1", "--help"], backend, program.parent)
    assert lines(result.stdout)["argv"] == "['program.py', 'arg1', '--help']"


def test_program_file_is_as_python_sets_it(program: Path, backend: str) -> None:
    result = run_compat(["program.py"], backend, program.parent)
    # Python 3.9 and newer make __main__.__file__ absolute.
    expected = str(program) if sys.version_info >= (3, 9) else "program.py"
    assert lines(result.stdout)["file"] == expected


def test_program_directory_is_first_on_sys_path(
    program: Path, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("cwd")
    result = run_compat([str(program)], backend, elsewhere)
    assert lines(result.stdout)["path0"] == os.path.realpath(str(program.parent))


def test_nss_io_is_nspr_ctypes_io(program: Path, backend: str) -> None:
    result = run_compat([str(program)], backend, program.parent)
    assert lines(result.stdout)["io"] == "nspr_ctypes.io True"


def test_nss_error_is_nspr_ctypes_error(program: Path, backend: str) -> None:
    result = run_compat([str(program)], backend, program.parent)
    assert lines(result.stdout)["error"] == "nspr_ctypes.error True"


def test_program_exchanges_bytes_over_loopback(program: Path, backend: str) -> None:
    result = run_compat([str(program)], backend, program.parent)
    assert lines(result.stdout)["received"] == "ping"


def test_program_catches_nspr_error_by_its_nss_name(
    program: Path, backend: str
) -> None:
    result = run_compat([str(program)], backend, program.parent)
    assert lines(result.stdout)["caught"] == "True nspr_ctypes.error"


def test_child_python_started_by_the_program_gets_the_alias(
    program: Path, backend: str
) -> None:
    result = run_compat([str(program)], backend, program.parent)
    found = lines(result.stdout)
    assert found["child-status"] == "0", result.stdout
    assert found["child"] == "nspr_ctypes.io %s" % os.path.join(
        ALIAS_DIR, "nss", "__init__.py"
    )


def test_sys_exit_status_is_the_exit_status(program: Path, backend: str) -> None:
    result = run_compat([str(program), "exit"], backend, program.parent)
    assert result.returncode == 3


def test_uncaught_exception_exits_1(program: Path, backend: str) -> None:
    result = run_compat([str(program), "raise"], backend, program.parent)
    assert result.returncode == 1


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="no SIGINT here")
def test_uncaught_keyboard_interrupt_ends_the_process_by_sigint(
    tmp_path: Path, backend: str
) -> None:
    # As python does, so that a shell sees the interrupt.
    script = write(tmp_path, "interrupted.py", "raise KeyboardInterrupt\n")
    result = run_compat([str(script)], backend, tmp_path)
    assert result.returncode == -signal.SIGINT
    assert result.stderr.splitlines()[-1] == "KeyboardInterrupt"


def test_uncaught_exception_traceback_starts_in_the_program(
    program: Path, backend: str
) -> None:
    result = run_compat([str(program), "raise"], backend, program.parent)
    trace = result.stderr.splitlines()
    assert trace[0] == "Traceback (most recent call last):"
    assert trace[1].startswith('  File "%s", line ' % program)
    assert trace[-1] == "LookupError: raised by the program"


@pytest.mark.parametrize(
    "statement", ["import nss.ssl", "import nss.nss", "from nss import ssl"]
)
def test_nss_proper_is_not_provided(
    tmp_path: Path, backend: str, statement: str
) -> None:
    name = "nss." + statement.split()[-1].split(".")[-1]
    script = write(
        tmp_path,
        "nss_proper.py",
        """
        try:
            %s
        except ImportError as exc:
            print(type(exc).__name__, exc.name)
            print(exc)
        """
        % statement,
    )
    result = run_compat([str(script)], backend, tmp_path)
    kind, message = result.stdout.splitlines()
    assert kind == "ImportError %s" % name
    assert message.startswith(
        "%s is not provided: nspr_ctypes provides only nss.io and nss.error" % name
    )
    assert "not NSS proper (certificates, SSL" in message
    assert "run this program with the real python-nss" in message


def test_module_runs_as_python_m_runs_it(tmp_path: Path, backend: str) -> None:
    package = tmp_path / "nss_tool"
    package.mkdir()
    write(package, "__init__.py", "")
    write(
        package,
        "__main__.py",
        """
        import sys
        import nss.io
        print("name", __name__)
        print("argv", sys.argv[1:])
        print("path0", sys.path[0])
        print("io", nss.io.__name__)
        sys.exit(4)
        """,
    )
    result = run_compat(["-m", "nss_tool", "a", "-m", "b"], backend, tmp_path)
    assert result.returncode == 4, result.stderr
    assert lines(result.stdout) == {
        "name": "__main__",
        "argv": "['a', '-m', 'b']",
        "path0": str(tmp_path),
        "io": "nspr_ctypes.io",
    }


def test_missing_module_is_reported_as_python_does(
    tmp_path: Path, backend: str
) -> None:
    result = run_compat(["-m", "no_such_module_here"], backend, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(": No module named no_such_module_here")


def test_missing_script_is_reported_as_python_does(
    tmp_path: Path, backend: str
) -> None:
    result = run_compat(["no_such_script.py"], backend, tmp_path)
    assert result.returncode == 2
    assert "can't open file" in result.stderr


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_multiprocessing_child_gets_the_alias(
    tmp_path: Path, backend: str, method: str
) -> None:
    script = write(
        tmp_path,
        "workers.py",
        """
        import multiprocessing
        import sys
        import nss.io

        def work(queue):
            import nss.error
            queue.put((nss.io.__name__, nss.error.__name__))

        if __name__ == "__main__":
            context = multiprocessing.get_context(sys.argv[1])
            queue = context.Queue()
            process = context.Process(target=work, args=(queue,))
            process.start()
            print(*queue.get(timeout=60))
            process.join(60)
            print("exitcode", process.exitcode)
        """,
    )
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip("no %s start method here" % method)
    result = run_compat([str(script), method], backend, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "nspr_ctypes.io nspr_ctypes.error",
        "exitcode 0",
    ]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_forked_child_shares_the_alias(tmp_path: Path, backend: str) -> None:
    script = write(
        tmp_path,
        "forks.py",
        """
        import os
        import nss.io

        pid = os.fork()
        if pid == 0:
            import nss.error
            good = nss.error.__name__ == "nspr_ctypes.error"
            os._exit(0 if good and nss.io.__name__ == "nspr_ctypes.io" else 7)
        _pid, status = os.waitpid(pid, 0)
        print("child", os.WEXITSTATUS(status) if os.WIFEXITED(status) else status)
        """,
    )
    result = run_compat([str(script)], backend, tmp_path)
    assert result.stdout.strip() == "child 0", result.stderr


def test_directory_with_main_runs_as_python_runs_it(
    tmp_path: Path, backend: str
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    write(
        app,
        "__main__.py",
        """
        import sys
        import nss.io
        print("path0", sys.path[0])
        print("io", nss.io.__name__)
        """,
    )
    result = run_compat([str(app)], backend, tmp_path)
    assert lines(result.stdout) == {"path0": str(app), "io": "nspr_ctypes.io"}, (
        result.stderr
    )
