"""Security headers on every response, and the stricter ones of pages reached by a private link."""

from functools import wraps

from flask import Flask, current_app, g, request, session

# No inline script or style anywhere: templates link app.css, and scripts are files under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)


def private_link(view):
    """Mark a view whose URL is the secret (a requester's token, a feed token).

    Such a URL must not leak through the Referer header of a link followed from the page, nor stay in
    a shared cache. The mark is set before the view runs, so a 404 for a wrong token gets it too.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.private_link = True
        return view(*args, **kwargs)

    return wrapped


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors, for browsers without CSP 2
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    private = g.get("private_link", False)
    if private:
        headers["Referrer-Policy"] = "no-referrer"
        # Personal data: never kept by a proxy, nor shown again from the browser's history. A token
        # feed sets its own `private, no-cache`, so calendar clients can still revalidate (304).
        headers.setdefault("Cache-Control", "no-store")
    else:
        headers.setdefault("Referrer-Policy", "same-origin")
    # The session's user id, not the user: no query here, and it holds while the database is down.
    if request.endpoint != "static" and "_user_id" in session:
        headers["Cache-Control"] = "no-store"
    seconds = current_app.config["HSTS_SECONDS"]
    if seconds:
        headers.setdefault("Strict-Transport-Security", f"max-age={seconds}")
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
