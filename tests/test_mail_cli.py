"""`flask mail reminders` and `flask mail digest`, against a real SMTP server."""

from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import sqlalchemy as sa

from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage

from .conftest import deliver_mail

SERVICE = "mpab@localhost"


def run(runner, *args) -> str:
    result = runner.invoke(args=["mail", *args])
    assert result.exit_code == 0, result.output
    return result.output


def text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def approved_stay(make_stay, staff, room, *, in_days: int, decided_days_ago: int = 30, **overrides):
    stay = make_stay(start=today() + timedelta(days=in_days), **overrides)
    stay.approve(by=staff, rooms=[room])
    stay.decided_at = utcnow() - timedelta(days=decided_days_ago)
    db.session.commit()
    return stay


def test_reminders_go_once_to_stays_arriving_soon(app, auth, make_room, make_stay, runner, smtp_server):
    staff = auth.make_staff()
    rooms = [make_room() for _ in range(5)]
    soon = approved_stay(make_stay, staff, rooms[0], in_days=3, contact_email="soon@example.org")
    edge = approved_stay(make_stay, staff, rooms[1], in_days=7, contact_email="edge@example.org")
    approved_stay(make_stay, staff, rooms[2], in_days=8, contact_email="later@example.org")
    # Confirmed two days ago for an arrival in four: the confirmation said it all already.
    approved_stay(
        make_stay, staff, rooms[3], in_days=4, decided_days_ago=2, contact_email="fresh@example.org"
    )
    approved_stay(make_stay, staff, rooms[4], in_days=0, contact_email="today@example.org")
    make_stay(start=today() + timedelta(days=2), contact_email="pending@example.org")
    run(runner, "send")  # the acknowledgements and confirmations, out of the way
    smtp_server.messages.clear()
    smtp_server.envelopes.clear()

    assert "2 reminders queued for arrivals within 7 days." in run(runner, "reminders")
    deliver_mail()
    assert sorted(rcpt for _from, [rcpt] in smtp_server.envelopes) == ["edge@example.org", "soon@example.org"]
    mail = smtp_server.one("soon@example.org", "Votre arrivée à Bamako")
    assert soon.reference in mail["Subject"]
    body = text(mail)
    assert "est prévue dans 3 jours" in body
    assert "fièvre jaune" in body and "Ariane" in body and "Arrivée à partir de 14:00" in body
    assert rooms[0].name in body
    link = next(word for word in body.split() if word.startswith("http://mpab.test/"))
    assert app.test_client().get(urlsplit(link).path).status_code == 200
    db.session.refresh(soon)
    db.session.refresh(edge)
    assert soon.reminder_sent_at is not None and edge.reminder_sent_at is not None

    assert "0 reminders" in run(runner, "reminders")  # once per stay
    deliver_mail()
    assert len(smtp_server.messages) == 2
    assert "1 reminder queued for arrivals within 8 days." in run(runner, "reminders", "--days", "8")


def test_reminder_for_tomorrow_says_tomorrow(auth, make_room, make_stay, runner, smtp_server):
    approved_stay(make_stay, auth.make_staff(), make_room(), in_days=1)
    run(runner, "reminders")
    deliver_mail()
    assert "est prévue demain" in text(smtp_server.one("claire@example.org", "Votre arrivée"))


def test_digest_lists_requests_pending_too_long(client, auth, make_room, make_stay, runner, smtp_server):
    old = make_stay(organisation="Université d'Angers")
    older = make_stay(organisation="CHU d'Angers")
    make_stay(organisation="Nouvelle association")
    decided = make_stay(organisation="Déjà refusée")
    decided.reject(by=auth.make_staff(), reason="Complet.")
    old.created_at = utcnow() - timedelta(days=4)
    older.created_at = utcnow() - timedelta(days=10)
    decided.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    run(runner, "send")
    smtp_server.messages.clear()
    smtp_server.envelopes.clear()

    assert "Digest of 2 requests pending for more than 3 days queued." in run(runner, "digest")
    deliver_mail()
    [digest] = smtp_server.messages
    assert digest["Subject"] == "2 demandes en attente depuis plus de 3 jours"
    body = text(digest)
    assert "2 demandes attendent une réponse depuis plus de 3 jours" in body
    assert body.index(older.reference) < body.index(old.reference)  # the longest wait first
    assert "Nouvelle association" not in body and "Déjà refusée" not in body
    auth.login()
    link = next(word for word in body.split() if word.endswith(f"/staff/requests/{older.id}"))
    assert "CHU d'Angers" in unescape(client.get(urlsplit(link).path).get_data(as_text=True))


def test_no_digest_when_nothing_waits(make_stay, runner, smtp_server):
    make_stay()
    run(runner, "send")
    smtp_server.messages.clear()
    assert "no digest sent" in run(runner, "digest")
    deliver_mail()
    assert smtp_server.messages == []
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert "staff_digest" not in kinds
