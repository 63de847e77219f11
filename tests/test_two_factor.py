"""Two-factor sign-in through the routes: enrolment, login with a code or a recovery code, replays,
throttling, the roles that require it, and an admin's reset."""

import re
import time
from html import unescape

import pyotp
import sqlalchemy as sa

from guesthouse.extensions import db
from guesthouse.staff.models import RecoveryCode, Role, StaffUser

from .conftest import STAFF_PASSWORD, Auth, csrf_from


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def post_form(client, page: str, url: str, data: dict):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def enrol(client) -> tuple[pyotp.TOTP, list[str]]:
    """Set two-factor up as a member would: read the key on the page, type the app's code, read the
    recovery codes shown once."""
    page = text(client.get("/staff/two-factor"))
    assert "<svg" in page and "QR code à scanner avec votre application" in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    totp = pyotp.TOTP(secret)
    response = post_form(client, "/staff/two-factor", "/staff/two-factor", {"code": totp.now()})
    assert response.status_code == 303, text(response)
    shown = text(client.get(response.headers["Location"]))
    assert "Double authentification activée" in shown
    assert "ils ne seront plus jamais affichés" in shown
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", shown)
    assert len(codes) == 10
    return totp, codes


def next_code(totp: pyotp.TOTP, steps: int = 1) -> str:
    """The code of a coming time step: still accepted (a phone's clock may be ahead), and not yet used."""
    return totp.at(time.time() + steps * totp.interval)


def give_password(client, user: StaffUser):
    return post_form(
        client, "/staff/login", "/staff/login", {"email": user.email, "password": STAFF_PASSWORD}
    )


def give_code(client, code: str):
    return post_form(client, "/staff/login/code", "/staff/login/code", {"code": code})


def sign_out(client):
    return post_form(client, "/staff/profile", "/staff/logout", {})


def test_enrolment_then_login_asks_for_the_code_after_the_password(client, auth):
    user = auth.login()
    totp, _codes = enrol(client)
    assert "Active depuis le" in text(client.get("/staff/two-factor"))
    assert "active" in text(client.get("/staff/profile"))
    # The recovery codes were shown once: the page no longer has them.
    assert "<li><code>" not in text(client.get("/staff/two-factor"))
    db.session.expire_all()
    assert all(c.code_hash.startswith("$argon2id$") for c in user.recovery_codes)
    sign_out(client)

    response = give_password(client, user)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login/code"
    assert client.get("/staff/").status_code == 302  # not signed in yet
    assert "Code de connexion" in text(client.get("/staff/login/code"))

    response = give_code(client, next_code(totp))
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert "Tableau de bord" in text(client.get("/staff/"))


def test_a_wrong_first_code_does_not_turn_two_factor_on(client, auth):
    user = auth.login()
    response = post_form(client, "/staff/two-factor", "/staff/two-factor", {"code": "000000"})
    assert response.status_code == 400
    assert "Ce code ne correspond pas" in text(response)
    db.session.expire_all()
    assert not user.has_two_factor


def test_a_code_is_accepted_once(client, auth):
    user = auth.login()
    totp, _codes = enrol(client)
    sign_out(client)
    code = next_code(totp)
    give_password(client, user)
    assert give_code(client, code).status_code == 303
    sign_out(client)

    give_password(client, user)
    response = give_code(client, code)
    assert response.status_code == 401
    assert "Code incorrect ou déjà utilisé" in text(response)
    assert client.get("/staff/").status_code == 302
    # The code of enrolment, older still, is refused as well.
    assert give_code(client, totp.now()).status_code == 401


def test_a_recovery_code_signs_in_once_then_stops_working(client, auth):
    user = auth.login()
    _totp, codes = enrol(client)
    sign_out(client)

    give_password(client, user)
    typed = codes[3].upper().replace("-", " ")  # as read from paper
    response = give_code(client, typed)
    assert response.status_code == 303, text(response)
    assert "Il vous reste 9 codes de secours." in text(client.get("/staff/two-factor"))
    sign_out(client)

    give_password(client, user)
    response = give_code(client, codes[3])
    assert response.status_code == 401
    assert client.get("/staff/").status_code == 302
    assert give_code(client, codes[4]).status_code == 303


def test_new_recovery_codes_replace_the_old_ones(client, auth):
    user = auth.login()
    totp, old = enrol(client)
    response = post_form(
        client, "/staff/two-factor", "/staff/two-factor/recovery-codes", {"code": next_code(totp)}
    )
    assert response.status_code == 303
    page = text(client.get("/staff/two-factor"))
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    sign_out(client)
    give_password(client, user)
    assert give_code(client, old[0]).status_code == 401
    assert give_code(client, new[0]).status_code == 303


def test_wrong_codes_are_throttled_with_the_passwords_of_the_account(app, client, auth):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per minute"
    user = auth.login()
    enrol(client)
    sign_out(client)
    give_password(client, user)
    assert [give_code(client, "123456").status_code for _ in range(3)] == [401, 401, 401]
    throttled = give_code(client, "654321")
    assert throttled.status_code == 429
    assert "Trop de tentatives" in text(throttled)
    # The same counter as the account's passwords: going back to the first step gains nothing.
    assert give_password(client, user).status_code == 429


def test_the_code_page_without_a_password_given_leads_to_the_login_page(client):
    response = client.get("/staff/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    assert "Saisissez d'abord votre adresse e-mail et votre mot de passe." in text(client.get("/staff/login"))


def test_a_required_role_is_sent_to_enrol_before_anything_else(app, client, auth, make_staff):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ["admin"]
    auth.login_admin()
    for path in ("/staff/", "/staff/accounts", "/staff/requests"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/staff/two-factor", path
    page = text(client.get("/staff/two-factor"))
    assert "Votre rôle demande la double authentification\u00a0: activez-la pour continuer." in page
    enrol(client)
    assert client.get("/staff/accounts").status_code == 200

    # An approver's role does not require it.
    other = client.application.test_client()
    token = csrf_from(other.get("/staff/login").get_data(as_text=True))
    other.post(
        "/staff/login",
        data={"email": make_staff().email, "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert other.get("/staff/").status_code == 200


def test_an_admin_resets_a_members_two_factor_and_it_is_recorded(app, client, auth, make_staff):
    member = make_staff(name="Oumar Sangaré")
    auth.login(member)
    enrol(client)
    admin_browser = app.test_client()
    admin = Auth(admin_browser, make_staff).login_admin()
    assert "active depuis le" in text(admin_browser.get(f"/staff/accounts/{member.id}"))

    response = post_form(
        admin_browser, f"/staff/accounts/{member.id}", f"/staff/accounts/{member.id}/reset-two-factor", {}
    )
    assert response.status_code == 303
    page = text(admin_browser.get(f"/staff/accounts/{member.id}"))
    assert "Double authentification de Oumar Sangaré désactivée" in page
    assert f"par {admin.name}" in page and "non activée" in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    # The member's sessions ended; the password alone signs them in again, to set two-factor up anew.
    assert client.get("/staff/").status_code == 302
    response = give_password(client, member)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert "QR code" in text(client.get("/staff/two-factor"))


def test_an_admin_cannot_reset_their_own_two_factor(client, auth):
    admin = auth.login(auth.make_staff(role=Role.ADMIN))
    enrol(client)
    response = post_form(client, "/staff/profile", f"/staff/accounts/{admin.id}/reset-two-factor", {})
    assert response.status_code == 403
