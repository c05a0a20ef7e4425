"""nspr_ctypes.builds (and its wrapper tools/builds.py): the mirror from the
apt configuration, the cache, the failures, the command. Only the last test
uses the network (through the session fixture)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, List

import pytest

from nspr_ctypes import builds

from .conftest import ROOT, child_env

WRAPPER = str(ROOT / "tools" / "fetch_nspr.py")

DEB822 = """\
# a comment
Types: deb
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/some-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_mirror_from_deb822_sources(tmp_path: Path) -> None:
    origin = _write(tmp_path / "parts" / "debian.sources", DEB822)
    mirrors = builds.read_mirrors(tmp_path / "none", tmp_path / "parts")
    # The security archive (no plain suite) is not a candidate.
    assert mirrors == [
        builds.Mirror(
            "http://mirror.invalid/debian",
            "/usr/share/keyrings/some-keyring.gpg",
            str(origin),
        )
    ]


def test_mirror_from_one_line_sources(tmp_path: Path) -> None:
    sources = _write(
        tmp_path / "sources.list",
        "# deb http://commented.invalid/debian bookworm main\n"
        "deb-src http://source.invalid/debian bookworm main\n"
        "deb http://security.invalid/debian-security bookworm-security main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://one.invalid/debian bookworm main\n"
        "deb http://two.invalid/debian bookworm contrib\n",
    )
    mirrors = builds.read_mirrors(sources, tmp_path / "none")
    assert [(m.uri, m.signed_by) for m in mirrors] == [
        ("http://one.invalid/debian", "/k.gpg")
    ]


def test_disabled_and_source_entries_are_skipped(tmp_path: Path) -> None:
    _write(
        tmp_path / "parts" / "a.sources",
        DEB822.replace(
            "Types: deb\nURIs: http://mirror.invalid/debian\n",
            "Types: deb\nEnabled: no\nURIs: http://mirror.invalid/debian\n",
        ),
    )
    _write(
        tmp_path / "parts" / "b.list.disabled",
        "deb http://x.invalid/debian bookworm main\n",
    )
    assert builds.read_mirrors(tmp_path / "none", tmp_path / "parts") == []
    with pytest.raises(builds.FetchError, match="no Debian archive"):
        builds.debian_mirror(tmp_path / "none", tmp_path / "parts")


def test_the_machine_names_a_mirror() -> None:
    if not Path("/etc/apt").is_dir():
        pytest.skip("no apt configuration on this machine")
    mirror = builds.debian_mirror()
    assert "://" in mirror.uri
    assert mirror.origin.startswith("/etc/apt/")


def test_unknown_version(tmp_path: Path) -> None:
    with pytest.raises(builds.FetchError) as info:
        builds.fetch("4.99", tmp_path)
    assert "no known build of NSPR '4.99'; known: 4.29, 4.36" in str(info.value)


def _forbid_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("fetch ran a command although the build is cached")

    monkeypatch.setattr(builds, "_run", refuse)
    monkeypatch.setattr(builds, "debian_mirror", refuse)


def test_a_cached_build_is_used_without_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = _write(tmp_path / "4.29" / "libnspr4.so", "cached")
    _forbid_network(monkeypatch)
    assert builds.fetch("4.29", tmp_path) == library
    monkeypatch.setenv(builds.ENV_CACHE, str(tmp_path))
    assert builds.fetch("4.29") == library
    assert builds.library_path("4.29") == library


def test_another_process_publishing_first_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def download(build: Any, mirror: Any, work: Path) -> Path:
        return _write(work / "fake.deb", "deb")

    def unpack(build: Any, mirror: Any, deb: Path, tree: Path) -> None:
        _write(tree / "libnspr4.so", "ours")
        # Meanwhile another process publishes the same build.
        _write(tmp_path / build.version / "libnspr4.so", "theirs")

    mirror = builds.Mirror("http://mirror.invalid/debian", None, "test")
    monkeypatch.setattr(builds, "debian_mirror", lambda *a: mirror)
    monkeypatch.setattr(builds, "_download", download)
    monkeypatch.setattr(builds, "_unpack", unpack)
    published = builds.fetch("4.29", tmp_path)
    assert published.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["4.29"]  # no leftovers


def _refused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connections to it are refused


def test_unreachable_mirror_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not Path("/usr/bin/apt-get").exists():
        pytest.skip("no apt-get on this machine")
    monkeypatch.setattr(builds, "ACQUIRE_RETRIES", 0)
    parts = tmp_path / "parts"
    _write(
        parts / "loopback.sources",
        "Types: deb\nURIs: http://127.0.0.1:%d/debian\nSuites: bookworm\n"
        "Components: main\n" % _refused_port(),
    )
    cache = tmp_path / "cache"
    with pytest.raises(builds.FetchError) as info:
        builds.fetch("4.29", cache, sources=tmp_path / "none", parts=parts)
    message = str(info.value)
    assert "could not fetch NSPR 4.29 (Debian bullseye, libnspr4 2:4.29-1)" in message
    assert "read from %s" % (parts / "loopback.sources") in message
    assert "did not get the package index of suite bullseye" in message
    assert "127.0.0.1" in message  # apt's own lines are quoted
    assert list(cache.iterdir()) == []  # nothing half-published


def test_apt_runs_on_private_state(tmp_path: Path) -> None:
    command = builds._apt_command(tmp_path, tmp_path / "sources.list")
    options = {}
    for flag, value in zip(command, command[1:]):
        if flag == "-o":
            key, _, setting = value.partition("=")
            options[key] = setting
    assert options["Dir::State::status"] == "/dev/null"
    assert options["Dir::Etc::SourceList"] == str(tmp_path / "sources.list")
    for key in (
        "Dir::State",
        "Dir::State::Lists",
        "Dir::Cache",
        "Dir::Etc::SourceParts",
    ):
        assert options[key].startswith(str(tmp_path) + os.sep), key


def test_the_default_cache_is_per_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(builds.ENV_CACHE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert builds.cache_dir() == tmp_path / "xdg" / "nspr_ctypes" / "nspr"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert builds.cache_dir() == tmp_path / "home" / ".cache" / "nspr_ctypes" / "nspr"
    monkeypatch.setenv(builds.ENV_CACHE, str(tmp_path / "mine"))
    assert builds.cache_dir() == tmp_path / "mine"


def test_without_apt_the_error_says_how_to_get_a_build_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(builds.FetchError) as info:
        builds.fetch("4.29", tmp_path)
    message = str(info.value)
    assert "this machine has no apt-get and no dpkg" in message
    assert "To get it by hand: download Debian's libnspr4 package 2:4.29-1" in message
    assert "--nspr-backend nspr:PATH" in message
    assert list(tmp_path.iterdir()) == []


def _cli(*args: str, wrapper: bool = False) -> subprocess.CompletedProcess[str]:
    command = [WRAPPER] if wrapper else ["-m", "nspr_ctypes.builds"]
    return subprocess.run(
        [sys.executable, *command, *args],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_unknown_version_exits_1(tmp_path: Path) -> None:
    result = _cli("fetch", "--cache", str(tmp_path), "4.99")
    assert result.returncode == 1
    assert "nspr_ctypes.builds: error: no known build of NSPR '4.99'" in result.stderr


def test_cli_without_a_command_is_a_usage_error() -> None:
    result = _cli()
    assert result.returncode == 2
    assert "COMMAND" in result.stderr


def test_cli_fetch_prints_version_and_cached_path(tmp_path: Path) -> None:
    library = _write(tmp_path / "4.29" / "libnspr4.so", "cached")
    result = _cli("--cache", str(tmp_path), "fetch", "4.29")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "4.29 %s\n" % library


def test_cli_path_prints_only_the_path(tmp_path: Path) -> None:
    library = _write(tmp_path / "4.29" / "libnspr4.so", "cached")
    result = _cli("path", "4.29", "--cache", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "%s\n" % library


def test_cli_path_cached_of_a_missing_build_exits_1(tmp_path: Path) -> None:
    result = _cli("path", "--cached", "4.29", "--cache", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "python -m nspr_ctypes.builds fetch 4.29" in result.stderr


def test_cli_list_shows_every_known_build_and_the_cache(tmp_path: Path) -> None:
    library = _write(tmp_path / "4.29" / "libnspr4.so", "cached")
    result = _cli("list", "--cache", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "cache: %s" % tmp_path
    assert any(line.startswith("4.29 ") and str(library) in line for line in lines)
    assert any(line.startswith("4.36 ") and "(not fetched)" in line for line in lines)


def test_the_tools_wrapper_fetches_with_the_same_output(tmp_path: Path) -> None:
    library = _write(tmp_path / "4.29" / "libnspr4.so", "cached")
    result = _cli("--cache", str(tmp_path), "4.29", wrapper=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "4.29 %s\n" % library


def test_a_fetched_build_has_its_tree_and_stable_path(
    nspr_build: Callable[[str], str],
) -> None:
    path = Path(nspr_build("4.29"))
    assert path.name == "libnspr4.so" and path.parent.name == "4.29"
    assert path.is_symlink() and not os.path.isabs(os.readlink(str(path)))
    assert path.resolve().is_file()
    provenance: List[str] = (path.parent / "BUILD.txt").read_text().splitlines()
    assert provenance[0] == "NSPR 4.29 (Debian bullseye, libnspr4 2:4.29-1)"
