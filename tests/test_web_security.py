"""Headers, cookies, hosts, sizes: what every response and the production settings guarantee."""

import re
from html import unescape
from pathlib import Path

import pytest

from guesthouse import create_app
from guesthouse.extensions import db

from .conftest import STAFF_PASSWORD, RequestClient, csrf_from, valid_request_form

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def get(client, url: str):
    """GET and close: a static file's response holds the file open until then."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def assert_security_headers(response, referrer: str = "same-origin"):
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == referrer
    assert "Strict-Transport-Security" not in headers  # production only


def test_every_kind_of_response_carries_the_security_headers(client, auth, make_stay):
    stay = make_stay()
    anonymous = ["/", "/requests/new", "/staff/login", "/healthz", "/static/app.css", "/confidentialite"]
    for url in anonymous:
        response = get(client, url)
        assert response.status_code == 200, url
        assert_security_headers(response)
    assert_security_headers(client.get("/nowhere"))  # 404
    assert_security_headers(client.post("/"))  # 405
    assert_security_headers(client.post("/requests/new"))  # 400, no CSRF token
    assert_security_headers(client.get("/staff/"))  # redirect to the login page
    auth.login()
    for url in ("/staff/", f"/staff/requests/{stay.id}", "/staff/password", "/staff/privacy"):
        response = client.get(url)
        assert_security_headers(response)
        assert response.headers["Cache-Control"] == "no-store", url  # personal data: never cached
    assert "no-store" not in get(client, "/static/app.css").headers.get("Cache-Control", "")


def test_private_links_send_no_referrer_and_are_never_cached(client, make_stay):
    stay = make_stay()
    for url in (f"/requests/{stay.access_token}", "/requests/not-the-token"):
        response = client.get(url)
        assert_security_headers(response, referrer="no-referrer")
        assert response.headers["Cache-Control"] == "no-store"
    public = client.get("/")
    assert "no-store" not in public.headers.get("Cache-Control", "")


def test_templates_hold_no_inline_script_or_style(client):
    """The CSP forbids them: a template that used one would break in the browser. A script is a file
    from the site (`<script src=...>`), which the CSP allows.

    Mail templates are read by mail clients, where no CSP applies and inline styles are the only styles.
    """
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "emails":
            continue
        source = path.read_text()
        for pattern in (
            r"<script(?![^>]*\ssrc=\"\{\{ url_for\('static')",
            r"<style",
            r"\sstyle\s*=",
            r"\son[a-z]+\s*=",
            r"javascript:",
        ):
            if re.search(pattern, source, re.IGNORECASE):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_request_bodies_over_the_limit_get_a_clear_413(client, make_room):
    make_room()
    token = csrf_from(client.get("/requests/new").get_data(as_text=True))
    big = {**valid_request_form(purpose="x" * 300_000), "csrf_token": token}
    for url in ("/requests/new", "/staff/login"):
        response = client.post(url, data=big if url == "/requests/new" else {"email": "x" * 300_000})
        assert response.status_code == 413, url
        assert "Envoi trop volumineux" in text(response)
        assert "Raccourcissez les textes" in text(response)


def test_nul_characters_are_refused_with_a_message(client, make_room, make_stay):
    make_room()
    token = csrf_from(client.get("/requests/new").get_data(as_text=True))
    response = client.post("/requests/new", data={**valid_request_form(notes="a\x00b"), "csrf_token": token})
    assert response.status_code == 400 and "caractère nul" in text(response)
    assert client.get("/requests/new?organisation=a%00b").status_code == 400
    assert client.get("/requests/abc%00def").status_code == 400


def test_session_is_renewed_at_login_and_next_stays_on_the_site(client, make_staff):
    user = make_staff()
    client.get("/staff/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    for target in (
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "///evil.example",
        "http://x",
    ):
        token = csrf_from(client.get("/staff/login").get_data(as_text=True))
        response = client.post(
            "/staff/login",
            query_string={"next": target},
            data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/", target
        with client.session_transaction() as session:
            assert "planted" not in session
        client.post("/staff/logout", data={"csrf_token": csrf_from(text(client.get("/staff/")))})
        assert client.get("/staff/").status_code == 302


def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    for secret in (None, "", "dev-only-change-me"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app("production", SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI=url)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SQLALCHEMY_DATABASE_URI=url)


@pytest.fixture
def production(database_url, tmp_path):
    app = create_app(
        "production",
        SECRET_KEY="a-long-random-production-secret-for-the-tests",
        SQLALCHEMY_DATABASE_URI=database_url,
        BASE_URL="https://mpab.angers.example",
        MAIL_SERVER="localhost",
        MAIL_DEFAULT_SENDER="Maison du Partenariat <mpab@angers.example>",
        STAFF_NOTIFICATION_EMAIL="mpab@angers.example",
    )
    app.test_client_class = RequestClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_production_cookies_hsts_and_trusted_hosts(production, make_staff):
    client = production.test_client()
    site = "https://mpab.angers.example"
    assert production.config["TRUSTED_HOSTS"] == ["mpab.angers.example"]

    page = client.get("/staff/login", base_url=site)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=63072000"
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

    user = make_staff()
    response = client.post(
        "/staff/login",
        base_url=site,
        data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": csrf_from(text(page))},
        headers={"Referer": site + "/staff/login"},
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

    forged = client.get("/", base_url="https://evil.example")
    assert forged.status_code == 400
    assert "n'est pas celle du site" in text(forged)
    assert client.get("/healthz", base_url="http://10.0.0.5:8000").status_code == 400


def test_production_behind_a_proxy_counts_the_client_not_the_proxy(database_url):
    app = create_app(
        "production",
        SECRET_KEY="a-long-random-production-secret-for-the-tests",
        SQLALCHEMY_DATABASE_URI=database_url,
        BASE_URL="https://mpab.angers.example",
        MAIL_SERVER="localhost",
        MAIL_DEFAULT_SENDER="Maison du Partenariat <mpab@angers.example>",
        STAFF_NOTIFICATION_EMAIL="mpab@angers.example",
        PROXY_COUNT=1,
        LOGIN_RATE_LIMIT_ADDRESS="2 per hour",
    )
    app.test_client_class = RequestClient
    with app.app_context():
        client = app.test_client()
        site = "https://mpab.angers.example"
        token = csrf_from(text(client.get("/staff/login", base_url=site)))

        def attempt(forwarded_for: str):
            return client.post(
                "/staff/login",
                base_url=site,
                data={"email": f"x{forwarded_for}@y.org", "password": "nope", "csrf_token": token},
                headers={"X-Forwarded-For": forwarded_for, "Referer": site + "/staff/login"},
                environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
            )

        assert [attempt("198.51.100.1").status_code for _ in range(3)] == [401, 401, 429]
        assert attempt("198.51.100.2").status_code == 401
        db.session.remove()
        db.engine.dispose()
