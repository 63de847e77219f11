"""Building and checking URLs."""

from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter

from .forms import CONTROL_CHARACTERS

# The largest id a row can have: PostgreSQL's INTEGER is 32-bit, and a larger number in a query is an
# error there (on SQLite, past 64 bits).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number no row can have does not match, so it answers 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: never another host or scheme."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        # A line break cannot go into the Location header (and nobody's path holds one).
        and not CONTROL_CHARACTERS.search(target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default


def external_url(endpoint: str, **values) -> str:
    """The absolute address of an endpoint for a mail, a feed or a page to copy: `BASE_URL` + its path.

    Never the request's Host header, which a client chooses; and no request is needed (the mail worker
    writes mails outside any), which url_for(_external=True) would need, or SERVER_NAME.
    """
    base = current_app.config["BASE_URL"].rstrip("/")
    # Bound to no host at all: only the path is built from the URL map.
    path = current_app.url_map.bind("", url_scheme="https").build(endpoint, values, force_external=False)
    return base + path


def register(app: Flask) -> None:
    """Before any route, since a rule takes its converter when it is added."""
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.globals["external_url"] = external_url
