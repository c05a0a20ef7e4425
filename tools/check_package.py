#!/usr/bin/env python3
"""Build the sdist and the wheel, and check them as an index and a user would.

    python tools/check_package.py [--keep DIR]

1. ``python -m build`` makes both from the source tree;
2. ``twine check --strict`` accepts them;
3. the wheel is pure Python (``py3-none-any``) with the license file, a
   ``License-Expression`` and no deprecated license classifier;
4. the sdist carries what a packager needs to run the tests;
5. the wheel installs into a fresh virtual environment with no compiler
   (``CC=/bin/false``) and ``python -m nspr_ctypes --json`` prints a report
   whose echo round trip succeeded.

Exit status 0 when every check holds; otherwise 1, naming each failure.
"""

from __future__ import annotations

import argparse
import email.parser
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
SDIST_MUST_HAVE = (
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "tox.ini",
    "pyproject.toml",
    "tests/conftest.py",
    "docs/usage.md",
    "stubs/nspr_ctypes/io.pyi",
    "nspr_ctypes/io.py",
)


def _run(
    command: List[str],
    env: Optional[Dict[str, str]] = None,
    cwd: Optional[Path] = None,
) -> subprocess.CompletedProcess[str]:
    print("$ " + " ".join(command), flush=True)
    return subprocess.run(
        command, text=True, capture_output=True, timeout=600, env=env, cwd=cwd
    )


def check(out: Path) -> List[str]:
    failures: List[str] = []
    built = _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    if built.returncode != 0:
        return ["python -m build failed:\n" + built.stdout + built.stderr]
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return ["expected one wheel and one sdist, found %s" % sorted(out.iterdir())]
    wheel, sdist = wheels[0], sdists[0]

    twine = _run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)]
    )
    if twine.returncode != 0:
        failures.append("twine check --strict failed:\n" + twine.stdout + twine.stderr)

    if not wheel.name.endswith("-py3-none-any.whl"):
        failures.append("the wheel is not pure Python: %s" % wheel.name)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(
            archive.read(metadata_name).decode("utf-8")
        )
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        failures.append("the wheel has no licenses/LICENSE")
    if metadata.get("License-Expression") != "MPL-2.0":
        failures.append(
            "License-Expression is %r, not 'MPL-2.0'"
            % metadata.get("License-Expression")
        )
    if metadata.get("License") is not None:
        failures.append("the deprecated License field is still written")
    license_classifiers = [
        c for c in metadata.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    if license_classifiers:
        failures.append("deprecated license classifiers: %s" % license_classifiers)

    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    failures.extend(
        "the sdist lacks %s" % name for name in SDIST_MUST_HAVE if name not in members
    )

    environment = out / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = str(environment / "bin" / "python")
    no_compiler = dict(os.environ, CC="/bin/false", CXX="/bin/false")
    installed = _run(
        [python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        env=no_compiler,
    )
    if installed.returncode != 0:
        failures.append("the wheel does not install:\n" + installed.stderr)
        return failures
    report = _run([python, "-m", "nspr_ctypes", "--json"], cwd=out)
    try:
        parsed = json.loads(report.stdout)
    except ValueError:
        failures.append("--json printed no JSON:\n" + report.stdout + report.stderr)
    else:
        if report.returncode != 0 or not (parsed.get("echo") or {}).get("ok"):
            failures.append("the installed self-check failed:\n" + report.stdout)
        else:
            print("installed wheel: backend %s, echo OK" % parsed["backend"])
    return failures


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/check_package.py")
    parser.add_argument("--keep", metavar="DIR", help="build into DIR and keep it")
    args = parser.parse_args(argv)
    if args.keep:
        out = Path(args.keep)
        out.mkdir(parents=True, exist_ok=True)
        failures = check(out)
    else:
        with tempfile.TemporaryDirectory() as folder:
            failures = check(Path(folder))
    for failure in failures:
        print("FAILED: %s" % failure, file=sys.stderr)
    if not failures:
        print("package checks: all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
