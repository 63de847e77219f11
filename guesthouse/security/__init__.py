"""Defences every feature shares: response headers, trusted hosts behind proxies, hostile input.

Nothing here is a blueprint: `register(app)` attaches app-wide hooks, so a route added by any feature
gets the headers and the input checks without doing anything.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import headers, inputs


def register(app: Flask) -> None:
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        # Trust exactly this many X-Forwarded-* hops: the client address the rate limits count, and
        # the scheme and host checked against TRUSTED_HOSTS, come from the proxy, not from the client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    headers.register(app)
    inputs.register(app)
