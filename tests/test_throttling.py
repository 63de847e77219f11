"""Rate limits on staff login and on the public request form, and the form's honeypot."""

import re
from html import unescape

import sqlalchemy as sa

from guesthouse.bookings.models import StayRequest
from guesthouse.extensions import db

from .conftest import STAFF_PASSWORD, csrf_from, valid_request_form


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


class LoginAttempts:
    def __init__(self, client):
        self.client = client
        self.token = csrf_from(client.get("/staff/login").get_data(as_text=True))

    def __call__(self, email: str, password: str = "pas le bon mot de passe", address: str = "192.0.2.1"):
        return self.client.post(
            "/staff/login",
            data={"email": email, "password": password, "csrf_token": self.token},
            environ_base={"REMOTE_ADDR": address},
        )


def test_failed_logins_are_throttled_per_account_the_same_whether_it_exists_or_not(client, make_staff):
    user = make_staff(email="agent@angers.example")
    attempt = LoginAttempts(client)
    answers = {}
    for email in (user.email, "personne@angers.example"):
        for i in range(5):  # 5 per minute, from five different addresses
            assert attempt(email, address=f"198.51.100.{i}").status_code == 401
        answers[email] = attempt(email, address="198.51.100.99")
    existing, unknown = answers.values()
    assert existing.status_code == unknown.status_code == 429
    assert "Trop de tentatives" in text(existing)
    assert without_tokens(text(existing)) == without_tokens(text(unknown))
    assert sorted(dict(existing.headers)) == sorted(dict(unknown.headers))
    assert 0 < int(existing.headers["Retry-After"]) <= 60
    # even the right password waits, and the account's email in another case is the same account
    assert attempt(user.email.upper(), STAFF_PASSWORD, address="203.0.113.7").status_code == 429
    # other accounts are not affected
    other = make_staff(email="collegue@angers.example")
    assert attempt(other.email, STAFF_PASSWORD).status_code == 303


def test_successful_logins_do_not_count(client, make_staff):
    user = make_staff()
    attempt = LoginAttempts(client)
    for _ in range(8):
        assert attempt(user.email, STAFF_PASSWORD).status_code == 303
        client.post("/staff/logout", data={"csrf_token": csrf_from(text(client.get("/staff/")))})
        attempt = LoginAttempts(client)


def test_failed_logins_are_throttled_per_address(app, client):
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "3 per hour"  # 30 by default; 3 to keep the test short
    attempt = LoginAttempts(client)
    for i in range(3):
        assert attempt(f"inconnu{i}@angers.example", address="192.0.2.50").status_code == 401
    throttled = attempt("encore@angers.example", address="192.0.2.50")
    assert throttled.status_code == 429 and "Trop de tentatives" in text(throttled)
    assert attempt("encore@angers.example", address="192.0.2.51").status_code == 401


def test_the_default_login_limits_are_the_documented_ones(app):
    assert app.config["LOGIN_RATE_LIMIT_ACCOUNT"] == "5 per minute;20 per hour"
    assert app.config["LOGIN_RATE_LIMIT_ADDRESS"] == "30 per hour"
    assert app.config["PUBLIC_FORM_RATE_LIMIT"] == "10 per hour"


def count_requests() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest))


def post_request(client, token: str, address: str = "192.0.2.10", **overrides):
    return client.post(
        "/requests/new",
        data={**valid_request_form(**overrides), "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_request_form_is_limited_per_address(client, make_room):
    make_room(beds=4)
    token = csrf_from(client.get("/requests/new").get_data(as_text=True))
    for _ in range(10):
        assert post_request(client, token).status_code == 303
    throttled = post_request(client, token)
    assert throttled.status_code == 429
    assert "Trop de tentatives" in text(throttled) and "Patientez" in text(throttled)
    assert count_requests() == 10
    assert post_request(client, token, address="192.0.2.11").status_code == 303


def test_mistakes_do_not_use_up_the_request_limit_but_a_flood_does(app, client, make_room):
    make_room(beds=4)
    app.config["PUBLIC_FORM_ATTEMPT_LIMIT"] = "15 per hour"  # 60 by default
    token = csrf_from(client.get("/requests/new").get_data(as_text=True))
    for _ in range(12):  # an honest person correcting a form, more than the 10 submissions allowed
        assert post_request(client, token, contact_name="").status_code == 400
    assert post_request(client, token).status_code == 303
    for _ in range(2):
        assert post_request(client, token, contact_name="").status_code == 400
    assert post_request(client, token, contact_name="").status_code == 429


def test_honeypot_refuses_like_an_invalid_form_stores_nothing_and_counts(app, client, make_room):
    make_room(beds=4)
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "3 per hour"  # 10 by default
    html = text(client.get("/requests/new"))
    # hidden from people: out of sight (CSS), out of the tab order, out of the accessibility tree
    assert re.search(r'<div class="field hp" aria-hidden="true">\s*<label for="website">', html)
    assert 'tabindex="-1"' in html
    token = csrf_from(html)
    response = post_request(client, token, website="http://spam.example")
    assert response.status_code == 400
    page = text(response)
    assert "La demande n'a pas été envoyée" in page
    assert "Laissez ce champ vide" in page
    assert 'class="field hp"' not in page  # shown, so that a person can empty it
    assert "Awa Traoré" in page  # nothing typed is lost
    assert count_requests() == 0
    assert post_request(client, token).status_code == 303  # emptied: accepted
    assert post_request(client, token, website="x").status_code == 400
    assert post_request(client, token, website="x").status_code == 429  # robots use up the limit
    assert count_requests() == 1


def test_throttled_json_clients_get_json(app, client, make_room):
    make_room(beds=4)
    app.config["PUBLIC_FORM_ATTEMPT_LIMIT"] = "1 per hour"
    token = csrf_from(client.get("/requests/new").get_data(as_text=True))
    post_request(client, token, contact_name="")
    response = client.post(
        "/requests/new",
        data={"csrf_token": token},
        headers={"Accept": "application/json"},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    assert response.status_code == 429
    assert response.get_json()["error"] == "Trop de tentatives"
