"""Absolute links for mails and feeds, built from BASE_URL and never from the request's Host header."""

from flask import Flask, current_app


def external_url(endpoint: str, **values) -> str:
    """`BASE_URL` + the endpoint's path: a forged Host header, or no request at all (a command run from
    cron), changes nothing."""
    base = current_app.config["BASE_URL"].rstrip("/")
    # Bound to no host at all: only the path is built from the URL map.
    path = current_app.url_map.bind("", url_scheme="https").build(endpoint, values, force_external=False)
    return base + path


def register(app: Flask) -> None:
    app.jinja_env.globals["external_url"] = external_url
