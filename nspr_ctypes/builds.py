#!/usr/bin/env python3
"""Fetch other real NSPR builds (Debian's libnspr4 of other suites) for tests.

    python tools/fetch_nspr.py 4.29 4.36

Each known build is downloaded with ``apt-get download`` from the Debian
mirror that this machine's own apt configuration names
(``/etc/apt/sources.list.d/*.sources``, ``*.list`` and ``/etc/apt/sources.list``),
through a temporary sources list and private apt state and cache folders:
nothing is installed and nothing of the system's apt state changes. The
package is unpacked with ``dpkg -x`` and published atomically (unpacked into a
temporary folder, then renamed), so concurrent callers are safe:

    <cache>/<version>/usr/...          the package's files
    <cache>/<version>/libnspr4.so      stable path of the library (a symlink)
    <cache>/<version>/BUILD.txt        where it came from

``<cache>`` is ``$NSPR_CTYPES_BUILD_CACHE``, else ``<repo>/.cache/nspr``. A
build already in the cache is used as it is, without network. Exit status: 0
when every build asked for is there, 1 when one could not be fetched (the
message says why and what was tried), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence

__all__ = [
    "ENV_CACHE",
    "KNOWN_BUILDS",
    "Build",
    "FetchError",
    "Mirror",
    "cache_dir",
    "cached_library",
    "debian_mirror",
    "fetch",
    "library_path",
    "main",
    "read_mirrors",
]

#: Environment variable overriding the cache folder.
ENV_CACHE = "NSPR_CTYPES_BUILD_CACHE"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = REPO_ROOT / ".cache" / "nspr"
PACKAGE = "libnspr4"
LIBRARY_NAME = "libnspr4.so"
APT_SOURCES = Path("/etc/apt/sources.list")
APT_SOURCE_PARTS = Path("/etc/apt/sources.list.d")
#: The keyring used when the configuration names none (or an inline key).
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
#: Upper bound for one apt-get or dpkg run, in seconds.
COMMAND_TIMEOUT = 600.0
#: apt's Acquire::Retries; None keeps apt's own setting.
ACQUIRE_RETRIES: Optional[int] = None


class Build(NamedTuple):
    """One NSPR build: which Debian package version of which suite."""

    version: str  # the NSPR version, as PR_GetVersion() reports it
    suite: str
    package_version: str
    note: str


KNOWN_BUILDS: Dict[str, Build] = {
    build.version: build
    for build in (
        Build("4.29", "bullseye", "2:4.29-1", "loads on Debian 12 (glibc 2.36)"),
        Build(
            "4.36",
            "trixie",
            "2:4.36-1",
            "needs glibc 2.38: the system loader refuses it on older systems",
        ),
    )
}


class FetchError(Exception):
    """A build could not be fetched; the message says why and what was tried."""


class Mirror(NamedTuple):
    """A Debian archive named by the apt configuration."""

    uri: str
    signed_by: Optional[str]  # a keyring file, or None for apt's trusted keys
    origin: str  # the file it was read from


# -- the cache ------------------------------------------------------------------


def cache_dir(cache: Optional[Path] = None) -> Path:
    """The cache folder: ``cache``, ``$NSPR_CTYPES_BUILD_CACHE`` or the default."""
    if cache is not None:
        return Path(cache)
    configured = os.environ.get(ENV_CACHE, "").strip()
    return Path(configured) if configured else DEFAULT_CACHE


def library_path(version: str, cache: Optional[Path] = None) -> Path:
    """The stable path of the library of ``version`` (present or not)."""
    return cache_dir(cache) / version / LIBRARY_NAME


def cached_library(version: str, cache: Optional[Path] = None) -> Optional[Path]:
    """The library of ``version`` if it is in the cache, else None."""
    path = library_path(version, cache)
    return path if path.exists() else None


# -- the apt configuration ------------------------------------------------------


def _fields_of_stanza(lines: Sequence[str]) -> Dict[str, str]:
    fields: Dict[str, str] = {}
    key: Optional[str] = None
    for line in lines:
        if line[:1] in (" ", "\t") and key is not None:
            fields[key] += "\n" + line.strip()  # a continuation line
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        fields[key] = value.strip()
    return fields


def _deb822_entries(text: str) -> List[Dict[str, str]]:
    stanzas: List[List[str]] = [[]]
    for raw in text.splitlines():
        if raw.lstrip().startswith("#"):
            continue
        if not raw.strip():
            if stanzas[-1]:
                stanzas.append([])
            continue
        stanzas[-1].append(raw)
    return [_fields_of_stanza(lines) for lines in stanzas if lines]


def _keyring(value: Optional[str]) -> Optional[str]:
    """A keyring file named by Signed-By, or the Debian keyring, or None."""
    if value and "\n" not in value and value.startswith("/"):
        return value.split()[0]
    # No Signed-By, or an inline key: the Debian archive keyring if present.
    return str(DEBIAN_KEYRING) if DEBIAN_KEYRING.exists() else None


def _is_main_archive(suites: Sequence[str], components: Sequence[str]) -> bool:
    # The main archive carries a plain codename ("bookworm"); the security
    # and updates archives carry "bookworm-security", "bookworm-updates".
    plain = any("-" not in suite and "/" not in suite for suite in suites)
    return plain and "main" in components


def _mirrors_from_deb822(text: str, origin: str) -> List[Mirror]:
    mirrors = []
    for fields in _deb822_entries(text):
        if fields.get("enabled", "yes").lower() == "no":
            continue
        if "deb" not in fields.get("types", "").split():
            continue
        if not _is_main_archive(
            fields.get("suites", "").split(), fields.get("components", "").split()
        ):
            continue
        keyring = _keyring(fields.get("signed-by"))
        for uri in fields.get("uris", "").split():
            mirrors.append(Mirror(uri, keyring, origin))
    return mirrors


def _mirrors_from_one_line(text: str, origin: str) -> List[Mirror]:
    mirrors = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        words = line.split()
        if not words or words[0] != "deb":
            continue
        options: Dict[str, str] = {}
        rest = words[1:]
        if rest and rest[0].startswith("["):
            option_words: List[str] = []
            while rest:
                word = rest.pop(0)
                option_words.append(word.strip("[]"))
                if word.endswith("]"):
                    break
            for option in option_words:
                name, _, value = option.partition("=")
                options[name.lower()] = value
        if len(rest) < 2 or not _is_main_archive([rest[1]], rest[2:]):
            continue
        mirrors.append(Mirror(rest[0], _keyring(options.get("signed-by")), origin))
    return mirrors


def read_mirrors(
    sources: Path = APT_SOURCES, parts: Path = APT_SOURCE_PARTS
) -> List[Mirror]:
    """The main Debian archives named by the apt configuration, in apt's order."""
    mirrors: List[Mirror] = []
    if sources.is_file():
        mirrors += _mirrors_from_one_line(sources.read_text(), str(sources))
    if parts.is_dir():
        for path in sorted(parts.iterdir()):
            if path.suffix == ".list":
                mirrors += _mirrors_from_one_line(path.read_text(), str(path))
            elif path.suffix == ".sources":
                mirrors += _mirrors_from_deb822(path.read_text(), str(path))
    return mirrors


def debian_mirror(
    sources: Path = APT_SOURCES, parts: Path = APT_SOURCE_PARTS
) -> Mirror:
    """The first main Debian archive of the apt configuration."""
    mirrors = read_mirrors(sources, parts)
    if not mirrors:
        raise FetchError(
            "no Debian archive (a 'deb' entry with a plain suite and component "
            "main) in the apt configuration: read %s and %s/*.list, *.sources"
            % (sources, parts)
        )
    return mirrors[0]


# -- fetching -------------------------------------------------------------------


def _run(command: Sequence[str], cwd: Optional[Path] = None) -> str:
    """Run ``command``; its output, or FetchError quoting it."""
    try:
        result = subprocess.run(
            list(command),
            cwd=None if cwd is None else str(cwd),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise FetchError("%s is not installed on this machine" % command[0]) from None
    except subprocess.TimeoutExpired:
        raise FetchError(
            "%s did not finish within %d s" % (" ".join(command[:1]), COMMAND_TIMEOUT)
        ) from None
    if result.returncode != 0:
        raise FetchError(
            "%s failed (exit status %d):\n%s"
            % (_short(command), result.returncode, _tail(result.stdout))
        )
    return result.stdout


def _short(command: Sequence[str]) -> str:
    # The long list of -o options says nothing useful in a message.
    return " ".join(word for word in command if not word.startswith("Dir::"))


def _tail(output: str, lines: int = 15) -> str:
    return "\n".join("    " + line for line in output.strip().splitlines()[-lines:])


def _apt_command(work: Path, sources_list: Path) -> List[str]:
    """apt-get with private state, lists, cache and sources (see module doc)."""
    empty = work / "empty.d"
    for folder in (
        empty,
        work / "state",
        work / "lists" / "partial",
        work / "cache" / "archives" / "partial",
    ):
        folder.mkdir(parents=True, exist_ok=True)
    options = {
        "Dir::State": work / "state",
        "Dir::State::Lists": work / "lists",
        # No installed packages: apt must not prefer the installed version.
        "Dir::State::status": "/dev/null",
        "Dir::Cache": work / "cache",
        "Dir::Etc::SourceList": sources_list,
        "Dir::Etc::SourceParts": empty,
        "Dir::Etc::Preferences": "/dev/null",
        "Dir::Etc::PreferencesParts": empty,
        "Acquire::Languages": "none",
    }
    if ACQUIRE_RETRIES is not None:
        options["Acquire::Retries"] = str(ACQUIRE_RETRIES)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # The private folders are not readable by apt's "_apt" user.
        options["APT::Sandbox::User"] = "root"
    command = ["apt-get", "-q"]
    for name, value in options.items():
        command += ["-o", "%s=%s" % (name, value)]
    return command


def _describe(build: Build, mirror: Optional[Mirror] = None) -> str:
    text = "NSPR %s (Debian %s, %s %s)" % (
        build.version,
        build.suite,
        PACKAGE,
        build.package_version,
    )
    if mirror is not None:
        text += " from %s (read from %s)" % (mirror.uri, mirror.origin)
    return text


def _download(build: Build, mirror: Mirror, work: Path) -> Path:
    """Download the package of ``build`` into ``work``; the .deb file."""
    sources_list = work / "sources.list"
    options = "[signed-by=%s] " % mirror.signed_by if mirror.signed_by else ""
    sources_list.write_text("deb %s%s %s main\n" % (options, mirror.uri, build.suite))
    apt = _apt_command(work, sources_list)
    update_output = _run([*apt, "update"])
    # apt-get update exits 0 when an index could not be fetched: check.
    if not any((work / "lists").glob("*_dists_%s_*Packages*" % build.suite)):
        raise FetchError(
            "apt-get update did not get the package index of suite %s:\n%s"
            % (build.suite, _tail(update_output))
        )
    download = work / "download"
    download.mkdir()
    _run([*apt, "download", "%s=%s" % (PACKAGE, build.package_version)], download)
    debs = sorted(download.glob("*.deb"))
    if len(debs) != 1:
        raise FetchError(
            "apt-get download left %d .deb files in %s" % (len(debs), download)
        )
    return debs[0]


def _unpack(build: Build, mirror: Mirror, deb: Path, tree: Path) -> None:
    """``dpkg -x`` the package into ``tree`` and add the stable library path."""
    _run(["dpkg", "-x", str(deb), str(tree)])
    found = sorted(tree.glob("usr/lib/**/%s" % LIBRARY_NAME)) or sorted(
        tree.glob("**/%s" % LIBRARY_NAME)
    )
    if not found:
        raise FetchError("%s holds no %s" % (deb.name, LIBRARY_NAME))
    (tree / LIBRARY_NAME).symlink_to(found[0].relative_to(tree))
    (tree / "BUILD.txt").write_text(
        "%s\nfetched by tools/fetch_nspr.py from %s (suite %s), file %s\n%s\n"
        % (_describe(build), mirror.uri, build.suite, deb.name, build.note)
    )


def fetch(
    version: str,
    cache: Optional[Path] = None,
    *,
    sources: Path = APT_SOURCES,
    parts: Path = APT_SOURCE_PARTS,
) -> Path:
    """The stable path of the library of NSPR ``version``, fetched if needed.

    A build already in the cache is returned without any network access.
    Raises :class:`FetchError` when it cannot be fetched.
    """
    build = KNOWN_BUILDS.get(version)
    if build is None:
        raise FetchError(
            "no known build of NSPR %r; known: %s"
            % (version, ", ".join(sorted(KNOWN_BUILDS)))
        )
    existing = cached_library(version, cache)
    if existing is not None:
        return existing
    root = cache_dir(cache)
    target = root / version
    try:
        root.mkdir(parents=True, exist_ok=True)
        # Work next to the target: publishing is a rename on one file system.
        work = Path(tempfile.mkdtemp(prefix=".partial-%s-" % version, dir=str(root)))
    except OSError as exc:
        raise FetchError(
            "cannot use the cache folder %s (%s): %s" % (root, ENV_CACHE, exc)
        ) from exc
    mirror: Optional[Mirror] = None
    try:
        mirror = debian_mirror(sources, parts)
        deb = _download(build, mirror, work)
        tree = work / "tree"
        _unpack(build, mirror, deb, tree)
        try:
            os.rename(str(tree), str(target))
        except OSError as exc:
            # Another process published first: its copy is as good as ours.
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    except FetchError as exc:
        raise FetchError(
            "could not fetch %s: %s" % (_describe(build, mirror), exc)
        ) from None
    except OSError as exc:
        raise FetchError(
            "could not fetch %s: %s" % (_describe(build, mirror), exc)
        ) from exc
    finally:
        shutil.rmtree(str(work), ignore_errors=True)
    published = cached_library(version, cache)
    if published is None:
        raise FetchError(
            "%s exists but holds no %s; remove it and fetch again"
            % (target, LIBRARY_NAME)
        )
    return published


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/fetch_nspr.py",
        description="Fetch real NSPR builds of other Debian suites into the "
        "cache folder, for tests across NSPR versions. Known: %s."
        % ", ".join("%s (%s)" % (b.version, b.suite) for b in KNOWN_BUILDS.values()),
    )
    parser.add_argument(
        "versions", nargs="*", help="NSPR versions to fetch (default: all known)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="cache folder (default: $%s, else %s)" % (ENV_CACHE, DEFAULT_CACHE),
    )
    args = parser.parse_args(argv)
    status = 0
    for version in args.versions or sorted(KNOWN_BUILDS):
        try:
            path = fetch(version, args.cache)
        except FetchError as exc:
            print("fetch_nspr: error: %s" % exc, file=sys.stderr)
            status = 1
            continue
        print("%s %s" % (version, path))
    return status


if __name__ == "__main__":
    sys.exit(main())
