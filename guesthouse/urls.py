"""Building and checking URLs."""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: never another host or scheme."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default
