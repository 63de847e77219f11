"""The notice on every page, and the suspension of the house: through the routes, as people see them."""

from datetime import timedelta
from html import unescape

import icalendar
import sqlalchemy as sa

from guesthouse.closing.models import WaitlistEntry
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.rooms.models import FURTHER_NOTICE, Closure

from .conftest import deliver_mail, valid_request_form


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


NOTICE = {
    "text_fr": "La maison est fermée <b>jusqu'à nouvel ordre</b>.",
    "text_en": "The house is closed until further notice.",
    "level": "alert",
    "ends_on": "",
}


# -- the notice --------------------------------------------------------------------------------------
def test_the_notice_is_on_every_page_escaped_in_both_languages(client, auth, form_post, make_room, make_stay):
    make_room(beds=4)
    stay = make_stay()
    kept = client.application.test_client().get("/")  # the home page, kept for visitors
    assert 'class="notice' not in kept.get_data(as_text=True)
    auth.login_admin()
    assert form_post("/staff/notice", NOTICE).status_code == 303
    client.post("/staff/logout", data={"csrf_token": client.get("/").get_data(as_text=True) and ""})
    anonymous = client.application.test_client()
    for path in ("/", "/availability", "/requests/new", f"/requests/{stay.access_token}", "/confidentialite"):
        html = anonymous.get(path).get_data(as_text=True)
        # Typed as plain text: the tags are shown, never interpreted.
        assert "La maison est fermée &lt;b&gt;jusqu&#39;à nouvel ordre&lt;/b&gt;." in html, path
        assert 'class="notice notice-alert" role="alert"' in html, path
    anonymous.get("/lang/en")
    assert "The house is closed until further notice." in text_of(anonymous.get("/"))
    assert "La maison est fermée" not in text_of(anonymous.get("/"))


def test_a_notice_ends_after_its_last_day_and_can_be_taken_down(client, auth, form_post, app):
    auth.login_admin()
    last_day = today() + timedelta(days=2)
    data = {**NOTICE, "level": "info", "ends_on": last_day.isoformat()}
    assert form_post("/staff/notice", data).status_code == 303
    assert "Information\u00a0:" in text_of(client.get("/"))
    past = form_post("/staff/notice", {**data, "ends_on": (today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400
    assert "Ce jour est passé" in text_of(past)
    assert form_post("/staff/notice/remove", {}, page="/staff/notice").status_code == 303
    assert "notice-alert" not in text_of(client.get("/")) and "Information\u00a0:" not in text_of(
        client.get("/")
    )


def test_an_approver_cannot_write_the_notice(client, auth):
    auth.login()
    assert client.get("/staff/notice").status_code == 403


def test_the_notice_heads_the_mails_to_requesters_only_when_asked(
    client, auth, form_post, make_room, smtp_server, app
):
    make_room(beds=4)
    admin = app.test_client()
    from .conftest import Auth

    Auth(admin, auth.make_staff).login_admin()
    page = admin.get("/staff/notice").get_data(as_text=True)
    from .conftest import csrf_from

    response = admin.post("/staff/notice", data={**NOTICE, "in_mails": "y", "csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert form_post("/requests/new", valid_request_form(contact_email="fr@example.org")).status_code == 303
    client.get("/lang/en")
    assert form_post("/requests/new", valid_request_form(contact_email="en@example.org")).status_code == 303
    deliver_mail()
    french = plain(smtp_server.one("fr@example.org", "Demande de séjour reçue"))
    assert "La maison est fermée <b>jusqu'à nouvel ordre</b>." in french.split("\n")[3]
    english = smtp_server.one("en@example.org", "Stay request received")
    assert "The house is closed until further notice." in plain(english)
    assert "The house is closed until further notice." in english.get_body(("html",)).get_content()
    service = smtp_server.to(app.config["STAFF_NOTIFICATION_EMAIL"])
    assert service and all("fermée" not in plain(message) for message in service)


# -- the suspension ----------------------------------------------------------------------------------
SUSPENSION = {
    "reason_fr": "Sur avis du ministère des Affaires étrangères, la maison n'accueille plus de voyageurs",
    "reason_en": "On the French foreign ministry's advice, the house takes no travellers",
}


def suspend(form_post, start, end=None):
    data = {**SUSPENSION, "start_date": start.isoformat(), "end_date": end.isoformat() if end else ""}
    response = form_post("/staff/suspension", data)
    assert response.status_code == 303, text_of(response)


def test_an_open_ended_suspension_closes_the_form_the_availability_and_the_feed(
    client, auth, form_post, make_room
):
    make_room(beds=4)
    auth.login_admin()
    start = today() + timedelta(days=15)
    suspend(form_post, start)
    closure = db.session.scalar(sa.select(Closure))
    assert (closure.room_id, closure.end_date, closure.is_suspension) == (None, FURTHER_NOTICE, True)
    page = text_of(client.get("/staff/suspension"))
    assert "jusqu'à nouvel ordre" in page

    client.post("/staff/logout", data={"csrf_token": ""})
    visitor = client.application.test_client()
    # After the suspension starts: refused, with the public wording, and the reopening offered.
    response = visitor.post(
        "/requests/new",
        data={**valid_request_form(), "csrf_token": _token(visitor)},
    )
    assert response.status_code == 400
    html = text_of(response)
    assert f"La maison est fermée à ces dates\u00a0: {SUSPENSION['reason_fr']}." in html
    assert 'href="/waitlist/reopening"' in html
    visitor.get("/lang/en")
    html = text_of(
        visitor.post("/requests/new", data={**valid_request_form(), "csrf_token": _token(visitor)})
    )
    assert f"The house is closed on those dates: {SUSPENSION['reason_en']}." in html
    # Before it: accepted as ever.
    early = valid_request_form(
        arrival=(today() + timedelta(days=5)).isoformat(), departure=(today() + timedelta(days=8)).isoformat()
    )
    assert visitor.post("/requests/new", data={**early, "csrf_token": _token(visitor)}).status_code == 303

    month = start.strftime("%Y-%m")
    assert "closed" in visitor.get(f"/availability?month={month}").get_data(as_text=True)
    feed = icalendar.Calendar.from_ical(visitor.get("/calendar/occupancy.ics").data)
    [event] = feed.walk("VEVENT")
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == FURTHER_NOTICE


def _token(client) -> str:
    from .conftest import csrf_from

    return csrf_from(client.get("/requests/new").get_data(as_text=True))


def test_lifting_or_shortening_is_one_action_and_tells_the_reopening_list_once(
    client, auth, form_post, make_room, smtp_server
):
    make_room(beds=4)
    start = today() + timedelta(days=5)
    visitor = client.application.test_client()
    for email, language in (("awa@example.org", "fr"), ("jane@example.org", "en")):
        token = _csrf(visitor, "/waitlist/reopening")
        data = {"contact_name": "", "email": email, "locale": language, "website": "", "csrf_token": token}
        assert visitor.post("/waitlist/reopening", data=data).status_code == 303
    auth.login_admin()
    suspend(form_post, start)
    closure = db.session.scalar(sa.select(Closure))
    reopen = f"/staff/suspension/{closure.id}/reopen"
    later = today() + timedelta(days=30)
    response = form_post(reopen, {"reopen_on": later.isoformat()}, page="/staff/suspension")
    assert response.status_code == 303
    db.session.refresh(closure)
    assert closure.end_date == later  # shortened: closed until then, open after
    deliver_mail()
    french = plain(smtp_server.one("awa@example.org", "rouvre"))
    assert "accueille de nouveau des voyageurs à partir du" in french
    assert "/waitlist/" in french
    assert "Angers-Bamako takes travellers again from" in plain(
        smtp_server.one("jane@example.org", "reopens")
    )
    # Lifted altogether later: nobody is told twice.
    assert form_post(reopen, {"reopen_on": today().isoformat()}, page="/staff/suspension").status_code == 303
    deliver_mail()
    assert len(smtp_server.messages) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Closure)) == 0  # before its first night
    assert all(entry.told_at for entry in db.session.scalars(sa.select(WaitlistEntry)))


def _csrf(client, path: str) -> str:
    from .conftest import csrf_from

    return csrf_from(client.get(path).get_data(as_text=True))


def test_a_room_closure_is_not_a_suspension(client, auth, make_closure, form_post):
    closure = make_closure()
    auth.login_admin()
    response = form_post(
        f"/staff/suspension/{closure.id}/reopen", {"reopen_on": today().isoformat()}, page="/staff/suspension"
    )
    assert response.status_code == 404


def test_a_suspension_deleted_from_the_closures_page_is_lifted_too(
    client, auth, form_post, make_room, smtp_server
):
    make_room(beds=4)
    visitor = client.application.test_client()
    token = _csrf(visitor, "/waitlist/reopening")
    data = {
        "contact_name": "Awa",
        "email": "awa@example.org",
        "locale": "fr",
        "website": "",
        "csrf_token": token,
    }
    assert visitor.post("/waitlist/reopening", data=data).status_code == 303
    auth.login_admin()
    suspend(form_post, today() + timedelta(days=5))
    closure = db.session.scalar(sa.select(Closure))
    assert "jusqu'à nouvel ordre" in text_of(client.get("/staff/closures"))
    deleted = form_post(f"/staff/closures/{closure.id}/delete", {"confirm": "yes"}, page="/staff/closures")
    assert deleted.status_code == 303
    deliver_mail()
    assert "accueille de nouveau des voyageurs" in plain(smtp_server.one("awa@example.org", "rouvre"))
