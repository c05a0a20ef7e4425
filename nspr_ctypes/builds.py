"""Real NSPR builds of other versions (Debian's libnspr4), for tests across versions.

    python -m nspr_ctypes.builds list
    python -m nspr_ctypes.builds fetch 4.29
    python -m nspr_ctypes.builds path 4.29      # prints only the library's path

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

``<cache>`` is ``$NSPR_CTYPES_BUILD_CACHE``, else ``$XDG_CACHE_HOME/nspr_ctypes/nspr``,
else ``~/.cache/nspr_ctypes/nspr``. A build already in the cache is used as it
is, without network. The library path is what ``NSPR_CTYPES_LIBRARY``,
``load_backend("nspr", library=...)`` and the pytest plugin's
``--nspr-backend nspr:PATH`` take (the plugin also takes ``nspr-build:VERSION``).
Exit status: 0 when every build asked for is there, 1 when one could not be
fetched (the message says why, what was tried, and how to get one by hand),
2 for a usage error.
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
    "default_cache_dir",
    "fetch",
    "library_path",
    "main",
    "read_mirrors",
]

#: Environment variable overriding the cache folder.
ENV_CACHE = "NSPR_CTYPES_BUILD_CACHE"
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
#: The programs a fetch runs.
REQUIRED_PROGRAMS = ("apt-get", "dpkg")


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


def default_cache_dir() -> Path:
    """The per-user cache folder: ``$XDG_CACHE_HOME/nspr_ctypes/nspr``, else
    ``~/.cache/nspr_ctypes/nspr``."""
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    # The XDG rule: a relative path is invalid and is ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "nspr_ctypes" / "nspr"


def cache_dir(cache: Optional[Path] = None) -> Path:
    """The cache folder: ``cache``, else ``$NSPR_CTYPES_BUILD_CACHE``, else
    :func:`default_cache_dir`."""
    # Absolute: the paths printed are handed to other processes.
    if cache is not None:
        return Path(os.path.abspath(str(cache)))
    configured = os.environ.get(ENV_CACHE, "").strip()
    return Path(os.path.abspath(configured)) if configured else default_cache_dir()


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
        "%s\nfetched by python -m nspr_ctypes.builds from %s (suite %s), file %s\n%s\n"
        % (_describe(build), mirror.uri, build.suite, deb.name, build.note)
    )


def _by_hand(build: Build) -> str:
    """How to get the library of ``build`` without this fetcher."""
    return (
        "To get it by hand: download Debian's %s package %s (suite %s) on any "
        "machine, unpack it (dpkg -x FILE.deb DIR, or ar x FILE.deb and tar xf "
        "data.tar.*), or build NSPR %s from source; then pass the path of its "
        "libnspr4.so to --nspr-backend nspr:PATH, NSPR_CTYPES_LIBRARY or "
        "load_backend('nspr', library=PATH), or put it at %s."
        % (
            PACKAGE,
            build.package_version,
            build.suite,
            build.version,
            "<cache>/%s/%s" % (build.version, LIBRARY_NAME),
        )
    )


def _missing_programs() -> List[str]:
    return [name for name in REQUIRED_PROGRAMS if shutil.which(name) is None]


def fetch(
    version: str,
    cache: Optional[Path] = None,
    *,
    sources: Path = APT_SOURCES,
    parts: Path = APT_SOURCE_PARTS,
) -> Path:
    """The stable path of the library of NSPR ``version``, fetched if needed.

    A build already in the cache is returned without any network access.
    Raises :class:`FetchError` when it cannot be fetched; the message says
    why, what was tried, and how to get the build by hand.
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
    missing = _missing_programs()
    if missing:
        raise FetchError(
            "could not fetch %s: this machine has no %s (the fetcher downloads "
            "Debian packages with apt-get and unpacks them with dpkg). %s"
            % (_describe(build), " and no ".join(missing), _by_hand(build))
        )
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
            "could not fetch %s: %s\n%s"
            % (_describe(build, mirror), exc, _by_hand(build))
        ) from None
    except OSError as exc:
        raise FetchError(
            "could not fetch %s: %s\n%s"
            % (_describe(build, mirror), exc, _by_hand(build))
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


# -- the command ------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    known = ", ".join("%s (%s)" % (b.version, b.suite) for b in KNOWN_BUILDS.values())
    parser = argparse.ArgumentParser(
        prog="python -m nspr_ctypes.builds",
        description="Real NSPR builds of other versions (Debian's libnspr4), "
        "fetched into a cache folder, for tests across NSPR versions. Known: %s."
        % known,
    )
    cache_help = (
        "cache folder (default: $%s, else $XDG_CACHE_HOME/nspr_ctypes/nspr, "
        "else ~/.cache/nspr_ctypes/nspr)" % ENV_CACHE
    )
    parser.add_argument("--cache", type=Path, help=cache_help)
    # --cache is accepted after the command too; SUPPRESS keeps the value
    # given before it when it is not repeated.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--cache", type=Path, default=argparse.SUPPRESS, help=cache_help
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    commands.add_parser(
        "list",
        parents=[common],
        help="the known builds, and where each one is if fetched",
    )
    fetch_command = commands.add_parser(
        "fetch",
        parents=[common],
        help="fetch builds (default: all known) and print 'VERSION PATH' for each",
    )
    fetch_command.add_argument("versions", nargs="*", metavar="VERSION")
    path_command = commands.add_parser(
        "path",
        parents=[common],
        help="print only the library path of one build, fetching it first "
        "unless --cached is given",
    )
    path_command.add_argument("version", metavar="VERSION")
    path_command.add_argument(
        "--cached",
        action="store_true",
        help="do not fetch: exit 1 when the build is not in the cache",
    )
    return parser


def _list(cache: Optional[Path]) -> int:
    print("cache: %s" % cache_dir(cache))
    for version in sorted(KNOWN_BUILDS):
        build = KNOWN_BUILDS[version]
        found = cached_library(version, cache)
        print(
            "%-6s Debian %-9s %s %-10s %s"
            % (
                version,
                build.suite,
                PACKAGE,
                build.package_version,
                found if found is not None else "(not fetched)",
            )
        )
        print("       %s" % build.note)
    return 0


def _error(message: str) -> None:
    print("nspr_ctypes.builds: error: %s" % message, file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m nspr_ctypes.builds``: the exit status (module docstring)."""
    args = _parser().parse_args(argv)
    cache: Optional[Path] = args.cache
    if args.command == "list":
        return _list(cache)
    if args.command == "path":
        version: str = args.version
        if args.cached:
            found = cached_library(version, cache)
            if found is None:
                _error(
                    "NSPR %s is not in %s; fetch it with: python -m "
                    "nspr_ctypes.builds fetch %s" % (version, cache_dir(cache), version)
                )
                return 1
            print(found)
            return 0
        try:
            print(fetch(version, cache))
        except FetchError as exc:
            _error(str(exc))
            return 1
        return 0
    status = 0
    for version in args.versions or sorted(KNOWN_BUILDS):
        try:
            path = fetch(version, cache)
        except FetchError as exc:
            _error(str(exc))
            status = 1
            continue
        print("%s %s" % (version, path))
    return status


if __name__ == "__main__":
    sys.exit(main())
