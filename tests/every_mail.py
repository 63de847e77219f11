"""Every kind of mail the house sends, caused the way people cause them, collected from a real SMTP server.

`every_mail(...)` walks a house through the routes and the daily commands so that each kind of mail is
sent at least once — in French, or with `language="en"` to an English requester and, as a house whose
service reads English would, with the service's own mails in English too. It returns each received
message with the outbox row it came from, for the tests that read them (tests/test_mail_layout.py).
"""

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa

from guesthouse.bookings.changes import ChangeRequest
from guesthouse.bookings.models import StayRequest
from guesthouse.database import utcnow
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage
from guesthouse.rooms.models import Closure

from .conftest import Auth, csrf_from, deliver_mail, valid_request_form

KINDS = {
    "request_received",
    "staff_new_request",
    "approved",
    "refused",
    "cancelled",
    "staff_cancelled",
    "change_requested",
    "change_refused",
    "changed",
    "link_renewed",
    "lost_links",
    "reminder",
    "staff_digest",
    "stay_notice",
    "waitlist_free",
    "waitlist_reopened",
}
# A long way to the house: every link in a mail is longer than a phone's line.
LONG_BASE_URL = "https://reservations.ville-angers.example/relations-internationales/maison-du-partenariat/"
# What a requester or staff may type: long names, and an address with no space to break at.
LONG_TEXT = "Voir https://example.org/" + "programme-de-la-mission-" * 6 + ".pdf"


@dataclass
class Mail:
    kind: str
    locale: str
    row: OutboxMessage
    message: EmailMessage

    def part(self, subtype: str) -> str:
        return self.message.get_body(preferencelist=(subtype,)).get_content().replace("\r\n", "\n")


def every_mail(
    app, client, form_post, make_room, make_staff, runner, smtp_server, language="fr"
) -> list[Mail]:
    """Cause every kind of mail at least once; each mail received, with its row."""
    app.config["BASE_URL"] = LONG_BASE_URL
    if language != "fr":
        app.config["BABEL_DEFAULT_LOCALE"] = language  # the service's mails too
    rooms = [make_room(name=name, beds=4) for name in ("Djoliba", "Niger", "Sahel")]
    staff = app.test_client()
    Auth(staff, make_staff).login()

    def staff_post(url: str, data: dict, page: str) -> None:
        token = csrf_from(staff.get(page).get_data(as_text=True))
        response = staff.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 303, (url, response.get_data(as_text=True))

    def submit(**overrides) -> StayRequest:
        client.get(f"/lang/{language}")
        form = valid_request_form(
            organisation="Association des amis de la coopération décentralisée Angers-Bamako",
            purpose=LONG_TEXT,
            notes=LONG_TEXT,
            **overrides,
        )
        assert form_post("/requests/new", form).status_code == 303
        return db.session.scalar(sa.select(StayRequest).order_by(StayRequest.id.desc()))

    kept, refused, dropped, waiting = submit(), submit(), submit(), submit()
    detail = f"/staff/requests/{kept.id}"
    staff_post(f"{detail}/approve", {"rooms": [rooms[0].id], "message": LONG_TEXT}, detail)
    staff_post(f"/staff/requests/{refused.id}/reject", {"reason": LONG_TEXT}, f"/staff/requests/{refused.id}")
    # Staff cancel approved stays only (a pending request is refused).
    dropped_page = f"/staff/requests/{dropped.id}"
    staff_post(f"{dropped_page}/approve", {"rooms": [rooms[2].id]}, dropped_page)
    staff_post(f"{dropped_page}/cancel", {"reason": LONG_TEXT}, dropped_page)

    # The requester asks for a night more; the service refuses, then moves the stay itself.
    page = f"/requests/{kept.access_token}"
    later = kept.departure + timedelta(days=1)
    change = {"arrival": kept.arrival.isoformat(), "departure": later.isoformat(), "guests": "2"}
    assert (
        form_post(
            f"{page}/change", {**change, "travellers": kept.travellers, "message": LONG_TEXT}
        ).status_code
        == 303
    )
    asked = db.session.scalar(sa.select(ChangeRequest))
    staff_post(f"/staff/changes/{asked.id}/refuse", {"message": LONG_TEXT}, detail)
    edit = f"{detail}/edit"
    moved = {**change, "guests_count": "2", "travellers": kept.travellers, "rooms": [rooms[1].id]}
    staff_post(edit, {**moved, "message": LONG_TEXT}, edit)
    staff_post(f"{detail}/revoke-link", {}, detail)
    client.get(f"/lang/{language}")
    assert form_post("/requests/lost", {"contact_email": "awa@example.org"}).status_code == 303

    # The house suspended later on: the service writes to every stay, two people wait for the reopening
    # (one for dates within the suspension), and the suspension is lifted.
    admin = app.test_client()
    Auth(admin, make_staff).login_admin()

    def admin_post(url: str, data: dict, page: str) -> None:
        token = csrf_from(admin.get(page).get_data(as_text=True))
        response = admin.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 303, (url, response.get_data(as_text=True))

    first = utcnow().date() + timedelta(days=1)
    notify = f"/staff/stays/notify?start={first.isoformat()}"
    message = {
        "message_fr": LONG_TEXT,
        "message_en": LONG_TEXT,
        "start": first.isoformat(),
        "action": "notify",
    }
    preview = admin.post(
        "/staff/stays/notify",
        data={**message, "csrf_token": csrf_from(admin.get(notify).get_data(as_text=True))},
    ).get_data(as_text=True)
    admin_post(
        "/staff/stays/notify", {**message, "confirm": preview.split('name="confirm" value="')[1][:40]}, notify
    )
    closed = utcnow().date() + timedelta(days=60)
    suspension = {
        "start_date": closed.isoformat(),
        "end_date": "",
        "reason_fr": "Fermée",
        "reason_en": "Closed",
    }
    admin_post("/staff/suspension", suspension, "/staff/suspension")
    nights = {
        "arrival": (closed + timedelta(days=1)).isoformat(),
        "departure": (closed + timedelta(days=4)).isoformat(),
    }
    who = {"contact_name": "Awa Traoré", "email": "awa@example.org", "locale": language, "website": ""}
    assert form_post("/waitlist/dates", {**who, **nights, "guests": "2"}).status_code == 303
    assert form_post("/waitlist/reopening", who).status_code == 303
    closure = db.session.scalar(sa.select(Closure))
    admin_post(
        f"/staff/suspension/{closure.id}/reopen", {"reopen_on": closed.isoformat()}, "/staff/suspension"
    )

    db.session.refresh(kept)
    kept.decided_at -= timedelta(days=60)  # confirmed long ago: a reminder is due
    waiting.created_at = utcnow() - timedelta(days=10)  # pending too long: in the digest
    db.session.commit()
    assert runner.invoke(args=["mail", "reminders", "--days", "40"]).exit_code == 0
    assert runner.invoke(args=["mail", "digest", "--days", "3"]).exit_code == 0
    page = f"/requests/{kept.access_token}"
    assert form_post(f"{page}/cancel", {"reason": LONG_TEXT}, page=page).status_code == 303

    deliver_mail()
    rows = {row.message_id: row for row in db.session.scalars(sa.select(OutboxMessage))}
    mails = [
        Mail(rows[m["Message-ID"]].kind, rows[m["Message-ID"]].locale, rows[m["Message-ID"]], m)
        for m in smtp_server.messages
    ]
    assert {mail.kind for mail in mails} == KINDS
    assert {mail.locale for mail in mails} == {language}
    return mails
