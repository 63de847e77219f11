"""Vulnerability audit of the installed environment: pip-audit, with a fallback where it cannot look up.

pip-audit asks PyPI's per-version JSON (or OSV) for each installed package. Where that lookup is not
reachable (some build machines only reach the package index), pip-audit skips the package and still
exits 0, which would read as "no known vulnerability" when nothing was checked. This script runs
pip-audit, then, for each package it could not audit, reads the project's PyPI JSON, whose
`vulnerabilities` list covers the latest release: a package installed at that release is checked that way;
any other is reported as unchecked. Any known vulnerability fails the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

BIN = Path(sys.executable).parent


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


def latest_release_vulnerabilities(name: str) -> tuple[str, list[dict]] | None:
    url = f"https://pypi.org/pypi/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - a fixed https URL
            data = json.load(response)
    except OSError:
        return None
    return data["info"]["version"], data.get("vulnerabilities") or []


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
        latest = latest_release_vulnerabilities(name)
        if latest is None:
            unchecked.append(f"{name} {version}: no vulnerability data reachable")
        elif latest[0] != version:
            unchecked.append(f"{name} {version}: only the latest release ({latest[0]}) could be checked")
        else:
            fallback += 1
            found += [f"{name} {version}: {v.get('id')} ({v.get('summary', '')})" for v in latest[1]]
    audited = len(dependencies) - len(unchecked)
    print(
        f"audit: {audited} packages checked ({fallback} through PyPI's project data), {len(found)} known vulnerabilities"
    )
    for line in unchecked:
        print(f"audit: NOT CHECKED {line}")
    for line in found:
        print(f"audit: VULNERABLE {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
