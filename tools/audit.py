"""Vulnerability audit of the installed environment: pip-audit, with a fallback where it cannot look up.

pip-audit asks PyPI for the advisories of each installed version. Where that per-version lookup is not
reachable (the build machines reach PyPI's index and project pages, not its per-version pages, nor OSV),
pip-audit skips every package and still exits 0, which would read as "no known vulnerability" when
nothing was checked. This script runs pip-audit, then, for each package it skipped, reads the project's
PyPI page, whose `vulnerabilities` list is that of the project's latest release: a package installed at
that release is checked that way. Any other stays unchecked, and the script says why and what to do:
pinned below the latest release (`make lock` with `--upgrade-package` brings it up to date, and then it is
checked), or already at the newest release this Python can install (a later line dropped Python 3.11: no
advisory source this machine reaches covers it). Any known vulnerability fails the run.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

BIN = Path(sys.executable).parent
PYTHON = platform.python_version()
PYTHON_LINE = ".".join(PYTHON.split(".")[:2])


@dataclass
class Project:
    """What PyPI's project page says: its latest release, that release's advisories, every release."""

    latest: str
    vulnerabilities: list[dict]
    releases: dict[str, list[dict]]

    def newest_for_this_python(self) -> str | None:
        """The newest release, not yanked, with a file that this interpreter can install."""
        candidates = []
        for version, files in self.releases.items():
            try:
                parsed = Version(version)
            except InvalidVersion:
                continue
            if not parsed.is_prerelease and any(installable(f) for f in files):
                candidates.append(parsed)
        return str(max(candidates)) if candidates else None


def installable(file: dict) -> bool:
    if file.get("yanked"):
        return False
    try:
        return PYTHON in SpecifierSet(file.get("requires_python") or "")
    except InvalidSpecifier:
        return True  # a malformed marker: pip would not rule the file out either


def pip_audit() -> dict:
    result = subprocess.run(  # noqa: S603 - a fixed command line of our own virtualenv
        [str(BIN / "pip-audit"), "--skip-editable", "--format", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        sys.exit(f"pip-audit did not run: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout)


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def pypi_project(name: str) -> Project | None:
    url = f"https://pypi.org/pypi/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - a fixed https URL
            data = json.load(response)
    except (OSError, ValueError):
        return None
    # A withdrawn advisory was published by mistake: it concerns no version.
    advisories = [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return Project(data["info"]["version"], advisories, data.get("releases") or {})


def why_unchecked(name: str, version: str, project: Project) -> str:
    """Why the latest release's advisories say nothing of `version`, and what to do about it."""
    newest = project.newest_for_this_python()
    if newest is not None and Version(newest) <= Version(version):
        return (
            f"{name} {version}: the newest release for Python {PYTHON_LINE}; the only advisories reachable "
            f"are those of the latest release ({project.latest}), which this Python cannot install"
        )
    return (
        f"{name} {version}: the advisories reachable are those of the latest release only "
        f'({project.latest}); move the pin with `make lock LOCK_FLAGS="--upgrade-package {name}"`'
    )


def main() -> int:
    report = pip_audit()
    found, unchecked, fallback = [], [], 0
    dependencies = [d for d in report.get("dependencies", []) if d["name"] != "guesthouse"]  # this project
    for dependency in dependencies:
        name = dependency["name"]
        version = dependency.get("version") or installed_version(name)
        for vulnerability in dependency.get("vulns", []):
            found.append(
                f"{name} {version}: {vulnerability['id']} (fixed in {vulnerability.get('fix_versions')})"
            )
        if "skip_reason" not in dependency:
            continue
        if version is None:
            unchecked.append(f"{name}: {dependency['skip_reason']}")
            continue
        project = pypi_project(name)
        if project is None:
            unchecked.append(f"{name} {version}: PyPI's project page did not answer")
        elif Version(project.latest) != Version(version):
            unchecked.append(why_unchecked(name, version, project))
        else:
            fallback += 1
            found += [
                f"{name} {version}: {v.get('id')} (fixed in {v.get('fixed_in')})"
                for v in project.vulnerabilities
            ]
    audited = len(dependencies) - len(unchecked)
    print(
        f"audit: {audited} of {len(dependencies)} packages checked ({audited - fallback} by pip-audit, "
        f"{fallback} through PyPI's project data), {len(found)} known vulnerabilities"
    )
    for line in unchecked:
        print(f"audit: NOT CHECKED {line}")
    for line in found:
        print(f"audit: VULNERABLE {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
