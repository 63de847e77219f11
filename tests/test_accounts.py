"""Staff accounts: one's own password, and the admins' management of accounts."""

import re
from html import unescape

import sqlalchemy as sa

from guesthouse.extensions import db
from guesthouse.staff.models import Role, StaffUser

from .conftest import STAFF_PASSWORD, RequestClient, csrf_from

NEW_PASSWORD = "une autre phrase de passe assez longue"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def change_password(client, form_post, **overrides):
    data = {"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data.update(overrides)
    return form_post("/staff/password", data)


def other_client(app) -> RequestClient:
    app.test_client_class = RequestClient
    return app.test_client()


def login(client, email: str, password: str):
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={"email": email, "password": password, "csrf_token": token})


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, auth, form_post):
    user = auth.login()
    elsewhere = other_client(app)
    assert login(elsewhere, user.email, STAFF_PASSWORD).status_code == 303
    assert elsewhere.get("/staff/").status_code == 200

    response = change_password(client, form_post)
    assert response.status_code == 303
    dashboard = client.get("/staff/")
    assert dashboard.status_code == 200  # this browser is still logged in
    assert "Mot de passe changé" in text(dashboard)
    assert elsewhere.get("/staff/").status_code == 302  # the other session is over

    fresh = other_client(app)
    assert login(fresh, user.email, STAFF_PASSWORD).status_code == 401
    assert login(fresh, user.email, NEW_PASSWORD).status_code == 303
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")


def test_password_change_rules_say_what_to_do(client, auth, form_post):
    auth.login()
    cases = {
        "wrong current": ({"current_password": "pas le bon mot de passe"}, "Mot de passe actuel incorrect"),
        "short": ({"new_password": "court", "confirm": "court"}, "de 12 à 128 caractères"),
        "too long": ({"new_password": "x" * 129, "confirm": "x" * 129}, "de 12 à 128 caractères"),
        "mismatch": ({"confirm": NEW_PASSWORD + "!"}, "Les deux saisies diffèrent"),
        "same": ({"new_password": STAFF_PASSWORD, "confirm": STAFF_PASSWORD}, "différent de l'actuel"),
        "empty": ({"current_password": ""}, "Ce champ est obligatoire"),
    }
    for name, (overrides, message) in cases.items():
        response = change_password(client, form_post, **overrides)
        assert response.status_code == 400, name
        assert message in text(response), name
    # Long passphrases are welcome: 64 characters at the least, and 128 are accepted
    assert change_password(client, form_post, new_password="p" * 128, confirm="p" * 128).status_code == 303


def test_wrong_current_passwords_are_throttled(client, auth, form_post):
    auth.login()
    for _attempt in range(5):
        assert (
            change_password(client, form_post, current_password="pas le bon mot de passe").status_code == 400
        )
    response = change_password(client, form_post)  # even the right one, for now
    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)


def test_admin_creates_an_account_with_a_generated_password_shown_once(app, client, auth, form_post):
    auth.login_admin()
    response = form_post(
        "/staff/accounts",
        {
            "name": "Awa Traoré",
            "email": " Awa@Angers.example ",
            "role": "approver",
            "password_mode": "generate",
        },
    )
    assert response.status_code == 200
    html = text(response)
    assert "il ne sera plus affiché" in html
    password = re.search(r"<code>([^<]+)</code>", html).group(1)
    assert len(password) >= 20
    assert response.headers["Cache-Control"] == "no-store"
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "awa@angers.example"))
    assert user.role == Role.APPROVER and user.active
    assert password not in text(client.get(f"/staff/accounts/{user.id}"))
    assert password not in text(client.get("/staff/accounts"))
    assert login(other_client(app), "awa@angers.example", password).status_code == 303


def test_admin_creates_an_account_with_a_chosen_password(app, client, auth, form_post):
    auth.login_admin()
    data = {"name": "Moussa Keita", "email": "moussa@angers.example", "role": "admin", "password_mode": "set"}
    short = form_post("/staff/accounts", {**data, "password": "court", "confirm": "court"})
    assert short.status_code == 400 and "de 12 à 128 caractères" in text(short)
    missing = form_post("/staff/accounts", data)
    assert missing.status_code == 400 and "Saisissez le mot de passe" in text(missing)
    response = form_post("/staff/accounts", {**data, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert "Compte de Moussa Keita créé" in text(client.get("/staff/accounts"))
    duplicate = form_post(
        "/staff/accounts", {**data, "email": "MOUSSA@angers.example", "password_mode": "generate"}
    )
    assert duplicate.status_code == 400 and "Un compte utilise déjà cette adresse" in text(duplicate)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 2
    assert login(other_client(app), "moussa@angers.example", NEW_PASSWORD).status_code == 303


def test_deactivation_ends_the_session_at_once_and_reactivation_lets_in_again(app, client, auth, make_staff):
    approver = make_staff(email="valideur@angers.example")
    theirs = other_client(app)
    assert login(theirs, approver.email, STAFF_PASSWORD).status_code == 303
    assert theirs.get("/staff/").status_code == 200

    auth.login_admin()
    token = csrf_from(client.get(f"/staff/accounts/{approver.id}").get_data(as_text=True))
    response = client.post(f"/staff/accounts/{approver.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 303
    assert "ses sessions sont fermées" in text(client.get(response.headers["Location"]))

    assert theirs.get("/staff/").status_code == 302  # the very next request
    refused = login(other_client(app), approver.email, STAFF_PASSWORD)
    assert refused.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in text(refused)  # nothing says "deactivated"

    client.post(f"/staff/accounts/{approver.id}/reactivate", data={"csrf_token": token})
    assert theirs.get("/staff/").status_code == 302  # old sessions stay closed
    assert login(other_client(app), approver.email, STAFF_PASSWORD).status_code == 303


def test_role_change_and_password_reset(app, client, auth, make_staff):
    approver = make_staff(email="valideur@angers.example")
    theirs = other_client(app)
    login(theirs, approver.email, STAFF_PASSWORD)
    assert theirs.get("/staff/rooms").status_code == 403

    auth.login_admin()
    token = csrf_from(client.get(f"/staff/accounts/{approver.id}").get_data(as_text=True))
    bad = client.post(f"/staff/accounts/{approver.id}/role", data={"role": "emperor", "csrf_token": token})
    assert bad.status_code == 400 and "Choisissez un rôle dans la liste" in text(bad)
    client.post(f"/staff/accounts/{approver.id}/role", data={"role": "admin", "csrf_token": token})
    assert theirs.get("/staff/rooms").status_code == 200  # the role is read at each request

    reset = client.post(f"/staff/accounts/{approver.id}/reset-password", data={"csrf_token": token})
    assert reset.status_code == 200
    password = re.search(r"<code>([^<]+)</code>", text(reset)).group(1)
    assert theirs.get("/staff/").status_code == 302
    assert login(other_client(app), approver.email, password).status_code == 303


def test_admins_cannot_demote_or_deactivate_themselves(client, auth):
    admin = auth.login_admin()
    page = client.get(f"/staff/accounts/{admin.id}")
    assert page.status_code == 200 and "C'est votre compte" in text(page)
    assert "Désactiver le compte" not in text(page)
    token = csrf_from(text(client.get("/staff/accounts")))
    for action, data in (("deactivate", {}), ("role", {"role": "approver"}), ("reset-password", {})):
        response = client.post(f"/staff/accounts/{admin.id}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == 403, action
    db.session.refresh(admin)
    assert admin.active and admin.role == Role.ADMIN
    assert client.get("/staff/").status_code == 200


def test_unknown_account_is_404(client, auth):
    auth.login_admin()
    assert client.get("/staff/accounts/999").status_code == 404
