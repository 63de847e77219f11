"""Staff sessions kept on the server: logout ends this browser's session, and only it."""

import json
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import BookingEvent, StayRequest
from guesthouse.database import utcnow
from guesthouse.extensions import db
from guesthouse.staff.models import Role, StaffSession

from .conftest import STAFF_PASSWORD, RequestClient, csrf_from

NEW_PASSWORD = "une autre phrase de passe assez longue"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def device(app, address: str = "198.51.100.77", user_agent: str = FIREFOX) -> RequestClient:
    """A browser of its own: its own cookies, address and description."""
    app.test_client_class = RequestClient
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": user_agent})
    return client


def sign_in(client, user, password: str = STAFF_PASSWORD):
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, text(response)
    return response


def sign_out(client):
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    return client.post("/staff/logout", data={"csrf_token": token})


def copy_of(app, client) -> RequestClient:
    """Another browser holding a copy of this one's session cookie, as a thief would."""
    thief = device(app, address="203.0.113.9")
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def assert_sent_to_login(response):
    assert response.status_code == 302, text(response)
    assert response.headers["Location"].startswith("/staff/login")


def assert_on_login_page(client, path: str = "/staff/"):
    response = client.get(path)
    assert_sent_to_login(response)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Connectez-vous pour accéder à l'espace du service" in text(page)
    assert "Se connecter" in text(page)


def sessions_of(user) -> list[StaffSession]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(StaffSession).where(StaffSession.user_id == user.id)))


def test_login_opens_one_session_and_logout_deletes_it(app, make_staff):
    user = make_staff()
    laptop = device(app)
    sign_in(laptop, user)
    [opened] = sessions_of(user)
    assert opened.browser == FIREFOX
    assert opened.place == "198.51.100.0/24"  # the network, not the address
    assert opened.created_at > utcnow() - timedelta(minutes=1)
    assert len(opened.secret_hash) == 64
    assert opened.secret_hash not in laptop.get_cookie("session").value

    response = sign_out(laptop)
    assert response.status_code == 303
    assert "Vous êtes déconnecté" in text(laptop.get(response.headers["Location"]))
    assert sessions_of(user) == []


def test_an_ipv6_session_keeps_a_48_prefix_and_a_short_browser_description(app, make_staff):
    user = make_staff()
    sign_in(device(app, address="2001:db8:abcd:12::1", user_agent="Navigateur " + "x" * 1000), user)
    [opened] = sessions_of(user)
    assert opened.place == "2001:db8:abcd::/48"
    assert opened.browser.startswith("Navigateur ") and len(opened.browser) == 200


def test_a_cookie_copied_before_logout_leads_to_the_login_page_and_its_posts_are_refused(
    app, make_staff, make_stay
):
    user = make_staff()
    stay = make_stay()
    laptop = device(app)
    sign_in(laptop, user)
    token = csrf_from(laptop.get(f"/staff/requests/{stay.id}").get_data(as_text=True))
    stolen = copy_of(app, laptop)
    assert stolen.get("/staff/").status_code == 200  # the copy works as long as the session lasts

    assert sign_out(laptop).status_code == 303

    assert_on_login_page(stolen)
    assert_on_login_page(stolen, f"/staff/requests/{stay.id}")
    events = db.session.scalar(sa.select(sa.func.count()).select_from(BookingEvent))
    refused = stolen.post(
        f"/staff/requests/{stay.id}/reject", data={"reason": "Complet", "csrf_token": token}
    )
    assert_sent_to_login(refused)
    db.session.expire_all()
    assert db.session.get(StayRequest, stay.id).status == StayStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BookingEvent)) == events
    assert sessions_of(user) == []


def test_logging_out_on_one_device_leaves_the_others_signed_in(app, make_staff):
    user = make_staff()
    laptop, phone = device(app), device(app, address="2001:db8:abcd:12::1", user_agent="Téléphone")
    sign_in(laptop, user)
    sign_in(phone, user)
    assert len(sessions_of(user)) == 2

    sign_out(laptop)

    assert_on_login_page(laptop)
    assert phone.get("/staff/").status_code == 200
    assert [s.browser for s in sessions_of(user)] == ["Téléphone"]


def test_a_password_change_ends_every_session_but_the_one_it_was_made_in(app, make_staff):
    user = make_staff()
    laptop, phone = device(app), device(app, user_agent="Téléphone")
    sign_in(laptop, user)
    sign_in(phone, user)
    laptop_before = copy_of(app, laptop)

    token = csrf_from(laptop.get("/staff/password").get_data(as_text=True))
    response = laptop.post(
        "/staff/password",
        data={
            "current_password": STAFF_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 303

    assert "Mot de passe changé" in text(laptop.get("/staff/"))
    assert_on_login_page(phone)
    assert_on_login_page(laptop_before)  # the laptop's cookie from before the change, too
    [kept] = sessions_of(user)
    assert kept.browser == FIREFOX


def test_deactivation_ends_every_session_and_reactivation_brings_none_back(app, make_staff):
    admin = make_staff(role=Role.ADMIN, email="admin@angers.example")
    member = make_staff(email="valideur@angers.example")
    laptop, phone = device(app), device(app, user_agent="Téléphone")
    sign_in(laptop, member)
    sign_in(phone, member)
    office = device(app, address="192.0.2.10")
    sign_in(office, admin)

    token = csrf_from(office.get(f"/staff/accounts/{member.id}").get_data(as_text=True))
    response = office.post(f"/staff/accounts/{member.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 303
    assert sessions_of(member) == []
    assert_on_login_page(laptop)
    assert_on_login_page(phone)

    office.post(f"/staff/accounts/{member.id}/reactivate", data={"csrf_token": token})
    assert_on_login_page(laptop)
    assert office.get("/staff/").status_code == 200  # the admin's own session is untouched


def test_a_cookie_of_the_form_used_before_server_sessions_leads_to_the_login_page(app, make_staff):
    user = make_staff()
    old = device(app)
    with old.session_transaction() as session:
        session["_user_id"] = f"{user.id}:1"  # "<id>:<session_version>", as issued before
        session["_fresh"] = True
    assert_on_login_page(old)


def test_last_seen_is_written_only_when_a_few_minutes_old(app, make_staff):
    user = make_staff()
    laptop = device(app)
    sign_in(laptop, user)

    def seen(ago: timedelta):
        [row] = sessions_of(user)
        row.last_seen_at = utcnow() - ago
        db.session.commit()
        assert laptop.get("/staff/").status_code == 200
        return sessions_of(user)[0].last_seen_at

    assert seen(timedelta(minutes=10)) > utcnow() - timedelta(minutes=1)
    assert seen(timedelta(minutes=2)) < utcnow() - timedelta(minutes=1)  # recent enough: no write


def test_a_session_idle_for_30_days_ends_and_the_purge_deletes_it(app, runner, make_staff):
    user = make_staff()
    idle, used = device(app), device(app, user_agent="Téléphone")
    sign_in(idle, user)
    sign_in(used, user)
    for row in sessions_of(user):
        if row.browser == FIREFOX:
            row.last_seen_at = utcnow() - timedelta(days=30, minutes=1)
    db.session.commit()

    assert_on_login_page(idle)
    assert used.get("/staff/").status_code == 200

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 staff session unused for over 30 days" in result.output
    assert [s.browser for s in sessions_of(user)] == ["Téléphone"]
    assert used.get("/staff/").status_code == 200


def test_the_export_of_a_staff_account_lists_its_sessions_without_their_secret(app, make_staff):
    user = make_staff(email="awa@angers.example")
    laptop = device(app)
    sign_in(laptop, user)
    token = csrf_from(laptop.get("/staff/privacy").get_data(as_text=True))
    response = laptop.post("/staff/privacy/export", data={"email": user.email, "csrf_token": token})
    assert response.status_code == 200
    [account] = json.loads(response.get_data(as_text=True))["staff_accounts"]
    [exported] = account["sessions"]
    assert exported["browser"] == FIREFOX and exported["place"] == "198.51.100.0/24"
    assert set(exported) == {"created_at", "last_seen_at", "browser", "place"}
    assert sessions_of(user)[0].secret_hash not in response.get_data(as_text=True)


def test_the_sessions_page_lists_them_and_ends_one_or_all_the_others(app, make_staff):
    user = make_staff()
    laptop = device(app)
    phone = device(app, address="2001:db8:abcd:12::1", user_agent="Téléphone")
    tablet = device(app, address="192.0.2.44", user_agent="Tablette")
    for browser in (laptop, phone, tablet):
        sign_in(browser, user)
    page = text(laptop.get("/staff/sessions"))
    assert "Téléphone" in page and "2001:db8:abcd::/48" in page and "198.51.100.0/24" in page
    assert page.count("ce navigateur") == 1 and "Firefox" in page

    [phone_session] = [s for s in sessions_of(user) if s.browser == "Téléphone"]
    token = csrf_from(page)
    response = laptop.post(f"/staff/sessions/{phone_session.id}/end", data={"csrf_token": token})
    assert response.status_code == 303
    assert "Session fermée." in text(laptop.get("/staff/sessions"))
    assert_on_login_page(phone)
    assert tablet.get("/staff/").status_code == 200

    token = csrf_from(laptop.get("/staff/sessions").get_data(as_text=True))
    assert laptop.post("/staff/sessions/end-others", data={"csrf_token": token}).status_code == 303
    assert "Vos autres sessions sont fermées." in text(laptop.get("/staff/sessions"))
    assert_on_login_page(tablet)
    assert [s.browser for s in sessions_of(user)] == [FIREFOX]


def test_nobody_ends_a_session_of_someone_else(app, make_staff):
    user, colleague = make_staff(), make_staff()
    mine, theirs = device(app), device(app, user_agent="Téléphone")
    sign_in(mine, user)
    sign_in(theirs, colleague)
    [their_session] = sessions_of(colleague)
    token = csrf_from(mine.get("/staff/sessions").get_data(as_text=True))
    assert mine.post(f"/staff/sessions/{their_session.id}/end", data={"csrf_token": token}).status_code == 404
    assert theirs.get("/staff/").status_code == 200


def test_ending_this_browsers_own_session_signs_it_out(app, make_staff):
    user = make_staff()
    laptop = device(app)
    sign_in(laptop, user)
    [mine] = sessions_of(user)
    token = csrf_from(laptop.get("/staff/sessions").get_data(as_text=True))
    response = laptop.post(f"/staff/sessions/{mine.id}/end", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    assert_on_login_page(laptop)
    assert sessions_of(user) == []
