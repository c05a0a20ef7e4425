"""nspr_ctypes.pytest_plugin, run in inner pytest sessions (pytester).

The inner sessions name the plugin with ``-p``: it is then loaded whether or
not nspr_ctypes is installed with its entry point (one registration either way).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest

import nspr_ctypes
from nspr_ctypes import backends, pytest_plugin

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "nspr_ctypes.pytest_plugin")
# The folder that holds the nspr_ctypes under test, for child interpreters.
SOURCE_ROOT = str(Path(nspr_ctypes.__file__).resolve().parents[1])


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No setting of the outer run reaches the inner sessions, and the outer
    default backend is put back after them."""
    for name in list(os.environ):
        if name.startswith("NSPR_CTYPES_") and name != "NSPR_CTYPES_BUILD_CACHE":
            monkeypatch.delenv(name)
    with backends.using_backend(nspr_ctypes.load_backend("stdlib")):
        yield


@pytest.fixture(scope="module")
def nspr() -> nspr_ctypes.Backend:
    """The system NSPR, or a skip where there is none."""
    try:
        return nspr_ctypes.load_backend("nspr")
    except nspr_ctypes.BackendUnavailable as exc:
        pytest.skip("no libnspr4 here: %s" % exc)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # The plugin module is imported already (by this test module), so the
    # inner session cannot rewrite its asserts; it has none.
    return pytester.runpytest(
        *PLUGIN,
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        *args,
    )


ONE_TEST = """
    import nspr_ctypes

    def test_one(nspr_backend):
        assert nspr_ctypes.get_backend() is nspr_backend
"""


# -- parametrization and ids ---------------------------------------------------


def test_one_run_per_named_backend_with_ids_naming_what_loaded(
    pytester: pytest.Pytester, nspr: nspr_ctypes.Backend
) -> None:
    pytester.makepyfile(ONE_TEST)
    result = run(pytester, "-v", "--nspr-backend", "stdlib", "--nspr-backend", "nspr")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*::test_one[[]stdlib[]] PASSED*",
            "*::test_one[[]nspr-%s[]] PASSED*" % nspr.version,
        ]
    )


def test_repeated_backends_are_independent_and_numbered(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        SEEN = []

        def test_one(nspr_backend):
            SEEN.append(nspr_backend)

        def test_instances_differ():
            assert len(SEEN) == 3 and len({id(b) for b in SEEN}) == 3
        """
    )
    result = run(pytester, "-v", *["--nspr-backend=stdlib"] * 3)
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        ["*test_one[[]stdlib[]] PASSED*", "*[[]stdlib-2[]]*", "*[[]stdlib-3[]]*"]
    )


def test_the_ini_option_names_the_backends(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nnspr_backends = stdlib stdlib\n")
    pytester.makepyfile(ONE_TEST)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*[[]stdlib[]] PASSED*", "*[[]stdlib-2[]] PASSED*"])


def test_the_command_line_wins_over_the_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nnspr_backends = stdlib stdlib\n")
    pytester.makepyfile(ONE_TEST)
    result = run(pytester, "-v", "--nspr-backend", "stdlib")
    result.assert_outcomes(passed=1)


def test_without_names_every_registered_backend_is_a_parameter(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_one(nspr_backend):
            pass
        """
    )
    result = run(pytester, "--collect-only", "-q")
    names = [line for line in result.outlines if "::test_one[" in line]
    assert len(names) == len(nspr_ctypes.available_backends())
    assert any(line.endswith("[stdlib]") for line in names)


def test_a_test_may_name_its_own_specs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("nspr_backend", ["stdlib"], indirect=True)
        def test_one(nspr_backend):
            assert nspr_backend.name == "stdlib"
        """
    )
    result = run(pytester, "-v", "--nspr-backend", "stdlib", "--nspr-backend", "x")
    result.assert_outcomes(passed=1)


# -- the default backend ---------------------------------------------------------


def test_the_default_is_the_parameter_during_the_test_and_restored_after(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    outer = nspr_ctypes.load_backend("stdlib")
    monkeypatch.setenv("OUTER_BACKEND_ID", str(id(outer)))
    pytester.makepyfile(
        """
        import os
        import nspr_ctypes

        OUTER = int(os.environ["OUTER_BACKEND_ID"])

        def test_a(nspr_backend):
            assert nspr_ctypes.get_backend() is nspr_backend
            assert id(nspr_backend) != OUTER

        def test_b_after():
            assert id(nspr_ctypes.get_backend()) == OUTER
        """
    )
    with backends.using_backend(outer):
        result = run(pytester, "--nspr-backend", "stdlib", "--nspr-backend", "stdlib")
        assert nspr_ctypes.get_backend() is outer
    result.assert_outcomes(passed=3)


# -- the header -------------------------------------------------------------------


def test_the_header_lists_every_backend_with_library_and_version(
    pytester: pytest.Pytester, nspr: nspr_ctypes.Backend
) -> None:
    pytester.makepyfile(ONE_TEST)
    missing = str(pytester.path / "missing" / "libnspr4.so")
    result = run(
        pytester,
        "--nspr-backend=stdlib",
        "--nspr-backend=nspr",
        "--nspr-backend=nspr:" + missing,
    )
    result.stdout.fnmatch_lines(
        [
            "nspr_ctypes backends (nspr_backend): 3",
            "  [[]stdlib[]] stdlib: backend=stdlib library=(none) version=(emulated)",
            "  [[]nspr-%s[]] nspr: backend=nspr library=%s version=%s"
            % (nspr.version, nspr.library_path, nspr.version),
            "  [[]nspr:%s[]] nspr:%s: NOT AVAILABLE: NSPR library %s *does not exist*"
            % (missing, missing, missing),
        ]
    )


def test_the_header_says_strict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ONE_TEST)
    result = run(pytester, "--nspr-backend=stdlib", "--nspr-strict")
    result.stdout.fnmatch_lines(["nspr_ctypes backends (nspr_backend, strict): 1"])


# -- backends that cannot load ------------------------------------------------------


def test_a_backend_that_cannot_load_is_skipped_with_the_loaders_message(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(ONE_TEST)
    missing = str(pytester.path / "missing" / "libnspr4.so")
    result = run(pytester, "-rs", "--nspr-backend", "nspr:" + missing)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED * nspr_ctypes backend nspr:%s cannot be loaded: "
            "NSPR library %s (library= argument) does not exist*" % (missing, missing)
        ]
    )


def test_an_unknown_build_is_skipped_with_the_fetchers_message(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(ONE_TEST)
    result = run(pytester, "-v", "-rs", "--nspr-backend", "nspr-build:4.99")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*test_one[[]nspr-4.99[]] SKIPPED*", "*no known build of NSPR '4.99'*"]
    )


@pytest.mark.parametrize(
    "how", ["--nspr-strict", "ini nspr_strict", "NSPR_CTYPES_REQUIRE_BACKENDS=1"]
)
def test_strictness_makes_it_a_failure(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    pytester.makepyfile(ONE_TEST)
    args = ["--nspr-backend", "nspr:" + str(pytester.path / "nope.so")]
    if how.startswith("--"):
        args.append(how)
    elif how.startswith("ini"):
        pytester.makeini("[pytest]\nnspr_strict = true\n")
    else:
        monkeypatch.setenv(pytest_plugin.ENV_STRICT, "1")
    result = run(pytester, *args)
    result.assert_outcomes(errors=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*nspr_ctypes backend nspr:*nope.so cannot be loaded: *", "(strict: *"]
    )


# -- markers ----------------------------------------------------------------------


def test_nspr_skip_skips_the_named_backend_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.nspr_skip("stdlib-2", reason="not this one")
        def test_one(nspr_backend):
            pass
        """
    )
    result = run(pytester, "-v", "-rs", *["--nspr-backend=stdlib"] * 2)
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*[[]stdlib-2[]] SKIPPED*", "*not this one*"])


def test_nspr_skip_by_backend_name(
    pytester: pytest.Pytester, nspr: nspr_ctypes.Backend
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.nspr_skip("stdlib")
        def test_one(nspr_backend):
            assert nspr_backend.name == "nspr"
        """
    )
    result = run(pytester, "--nspr-backend=stdlib", "--nspr-backend=nspr")
    result.assert_outcomes(passed=1, skipped=1)


def test_nspr_xfail_is_an_expected_failure_on_the_named_backend(
    pytester: pytest.Pytester, nspr: nspr_ctypes.Backend
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.nspr_xfail("nspr", reason="known", strict=True)
        def test_one(nspr_backend):
            assert nspr_backend.name == "stdlib"
        """
    )
    result = run(pytester, "-rxX", "--nspr-backend=stdlib", "--nspr-backend=nspr")
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*nspr_xfail(nspr-%s): known*" % nspr.version])


def test_nspr_xfail_strict_fails_an_unexpected_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.nspr_xfail("stdlib", strict=True)
        def test_one(nspr_backend):
            pass
        """
    )
    result = run(pytester, "--nspr-backend=stdlib")
    result.assert_outcomes(failed=1)


def test_nspr_min_version_skips_older_nspr_and_runs_emulations(
    pytester: pytest.Pytester, nspr: nspr_ctypes.Backend
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.nspr_min_version("99.0", reason="needs the future")
        def test_new(nspr_backend):
            assert nspr_backend.name == "stdlib"

        @pytest.mark.nspr_min_version("4.0")
        def test_old(nspr_backend):
            pass
        """
    )
    result = run(pytester, "-rs", "--nspr-backend=stdlib", "--nspr-backend=nspr")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED * NSPR %s is older than 99.0 (nspr_min_version): needs the future"
            % nspr.version
        ]
    )


def test_nspr_min_version_without_a_version_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.nspr_min_version("soon")
        def test_one(nspr_backend):
            pass
        """
    )
    result = run(pytester, "--nspr-backend=stdlib")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*nspr_min_version('soon'): not a version*"])


def test_the_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.nspr_skip(*backends, reason=None)*",
            "@pytest.mark.nspr_xfail(*backends, *",
            "@pytest.mark.nspr_min_version(version, reason=None)*",
        ]
    )


# -- inert unless used --------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NSPR_CTYPES_")}
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (SOURCE_ROOT, env.get("PYTHONPATH", "")) if part
    )
    return env


def test_unused_it_loads_nothing_and_adds_no_header(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_of_nspr_ctypes_is_loaded():
            loaded = [
                name for name in ("nspr_ctypes.backends.nspr",
                                  "nspr_ctypes.backends.stdlib",
                                  "nspr_ctypes.builds", "ctypes")
                if name in sys.modules
            ]
            assert loaded == []
        """
    )
    for name, value in _child_env().items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not any(line.startswith("nspr_ctypes backends") for line in result.outlines)


def test_the_package_imports_without_pytest() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pytest"] = None  # import pytest now fails
        import nspr_ctypes, nspr_ctypes.io, nspr_ctypes.builds
        try:
            import nspr_ctypes.pytest_plugin
        except ImportError:
            print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_the_installed_entry_point_is_the_plugin_module() -> None:
    from importlib import metadata

    try:
        dist = metadata.distribution("nspr_ctypes")
    except metadata.PackageNotFoundError:
        pytest.skip("nspr_ctypes is not installed (run from the source tree)")
    entry_points = [ep for ep in dist.entry_points if ep.group == "pytest11"]
    assert [(ep.name, ep.value) for ep in entry_points] == [
        ("nspr_ctypes.pytest_plugin", "nspr_ctypes.pytest_plugin")
    ]
