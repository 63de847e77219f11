"""Fail early, with what to do, when pyproject.toml names a dependency that requirements.lock does not pin.

`make install` installs requirements.lock only (what CI tested), so a dependency added to pyproject.toml
without `make lock` would otherwise surface later as an ImportError.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {normalise(m) for m in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock, re.MULTILINE)}
    missing = sorted({normalise(re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0]) for r in wanted} - pinned)
    if missing:
        print(
            f"requirements.lock does not pin {', '.join(missing)} (named in pyproject.toml): "
            "run `make lock` and commit requirements.lock.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
