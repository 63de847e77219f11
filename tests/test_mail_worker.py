"""Requests only promise their mails; `flask mail worker` writes and sends them as they come."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import icalendar
import sqlalchemy as sa

from guesthouse.bookings.models import MAILED_ACTIONS, BookingEvent, StayRequest
from guesthouse.extensions import db
from guesthouse.mail import notifications, outbox
from guesthouse.mail.models import OutboxMessage, OutboxStatus
from guesthouse.mail.outbox import write_pending
from guesthouse.mail.worker import run

from .conftest import deliver_mail, valid_request_form

ROOT = Path(__file__).resolve().parent.parent


def statuses() -> list[str]:
    db.session.expire_all()
    return [m.status for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))]


def attempts() -> list[int]:
    db.session.expire_all()
    return [m.attempts for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))]


def attachment(message) -> bytes:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True)


def wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@contextmanager
def worker_thread(app) -> Iterator[Counter]:
    """`mail.worker.run` in a thread with an app context of its own, as the command runs it; its totals."""
    stop, totals = threading.Event(), Counter()

    def work():
        with app.app_context():
            totals.update(run(stop, poll=0.05))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield totals
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def pending_events() -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(BookingEvent).where(BookingEvent.mail_pending)
    )


def test_requests_leave_their_mails_to_the_worker_which_writes_and_sends_them(
    app, client, form_post, auth, make_room, smtp_server
):
    make_room()
    response = form_post("/requests/new", valid_request_form(), headers={"Accept-Language": "en"})
    assert response.status_code == 303
    # The response has gone out and no mail was even written: the request's event waits for the worker,
    # and admins see it waiting.
    assert smtp_server.messages == [] and statuses() == []
    assert pending_events() == 1
    auth.login_admin()
    page = client.get("/staff/mail/").get_data(as_text=True)
    assert "1 changement attend encore que ses e-mails soient rédigés." in page

    with worker_thread(app) as totals:
        wait_for(lambda: len(smtp_server.messages) == 2)
        # A request made while the worker waits is written and sent on its next look.
        form_post("/requests/new", valid_request_form(contact_email="moussa@example.org"))
        wait_for(lambda: len(smtp_server.messages) == 4)
    assert totals == {"sent": 4}
    stay = db.session.scalar(sa.select(StayRequest).order_by(StayRequest.id))
    # Written in the requester's language, with the reference and the private link.
    ack = smtp_server.one("awa@example.org", stay.reference)
    assert ack["To"] == "Awa Traoré <awa@example.org>"
    assert ack["Subject"] == f"Stay request received — {stay.reference}"
    assert f"http://mpab.test/requests/{stay.access_token}" in ack.get_body(("plain",)).get_content()
    assert smtp_server.one("mpab@localhost", stay.reference)["Subject"].startswith("Nouvelle demande")
    assert len(smtp_server.to("moussa@example.org")) == 1
    assert statuses() == [OutboxStatus.SENT] * 4
    assert pending_events() == 0
    assert "attend encore" not in client.get("/staff/mail/").get_data(as_text=True)


def test_mail_send_writes_what_events_wait_for(app, form_post, make_room, runner, smtp_server):
    make_room()
    form_post("/requests/new", valid_request_form())
    # No worker ran (it stopped, or was never started): the cron command writes and sends them.
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, to retry later 0, failed 0" in result.output
    assert len(smtp_server.messages) == 2 and pending_events() == 0


def test_two_workers_write_each_mail_once(app, form_post, make_room, smtp_server):
    make_room(beds=6)
    for n in range(8):  # under the form's rate limit
        response = form_post("/requests/new", valid_request_form(contact_email=f"guest{n}@example.org"))
        assert response.status_code == 303
    with worker_thread(app) as first, worker_thread(app) as second:
        wait_for(lambda: len(smtp_server.messages) >= 16 and pending_events() == 0)
        time.sleep(0.3)  # a duplicate would arrive now
    assert first["sent"] + second["sent"] == 16
    assert len(smtp_server.messages) == 16
    for n in range(8):
        assert len(smtp_server.to(f"guest{n}@example.org")) == 1
    assert len(smtp_server.to("mpab@localhost")) == 8


def test_two_writers_racing_for_the_same_events_store_their_mails_once(
    app, form_post, make_room, monkeypatch
):
    make_room()
    for n in range(3):
        form_post("/requests/new", valid_request_form(contact_email=f"guest{n}@example.org"))
    # Both writers read and render the same three events before either claims them: the race made
    # certain (the real claim runs, once both are ready).
    both_rendered = threading.Barrier(2, timeout=10)
    claim = outbox.claim_events

    def claim_when_both_rendered(events):
        both_rendered.wait()
        return claim(events)

    monkeypatch.setattr(outbox, "claim_events", claim_when_both_rendered)
    claimed: list[int] = []

    def writer():
        with app.app_context():
            claimed.append(write_pending())

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(claimed) == [0, 3]
    # Three events, two mails each, stored once: the loser's rendering never reached the table.
    assert statuses() == [OutboxStatus.QUEUED] * 6
    assert pending_events() == 0


def test_mails_of_quick_successive_changes_arrive_in_order(
    app, client, form_post, auth, make_room, smtp_server
):
    room = make_room()
    form_post("/requests/new", valid_request_form())
    stay = db.session.scalar(sa.select(StayRequest))
    auth.login()
    page = f"/staff/requests/{stay.id}"
    form_post(f"{page}/approve", {"rooms": [room.id]}, page=page)
    form_post(f"{page}/cancel", {"reason": "Vol annulé."}, page=page)
    assert pending_events() == 3  # submitted, approved, cancelled: nothing written yet
    with worker_thread(app):
        wait_for(lambda: len(smtp_server.messages) == 5)
    subjects = [m["Subject"].split(" — ")[0] for m in smtp_server.to("awa@example.org")]
    assert subjects == ["Demande de séjour reçue", "Séjour confirmé", "Séjour annulé"]
    confirmed, cancelled = smtp_server.to("awa@example.org")[1:]
    # Written after the cancellation, the confirmation still carries the SEQUENCE of the approval, and
    # the cancellation a higher one: a calendar adds the event, then removes it.
    invitation = icalendar.Calendar.from_ical(attachment(confirmed)).walk("VEVENT")[0]
    cancellation = icalendar.Calendar.from_ical(attachment(cancelled)).walk("VEVENT")[0]
    assert invitation["UID"] == cancellation["UID"]
    assert (invitation["SEQUENCE"], invitation["STATUS"]) == (1, "CONFIRMED")
    assert (cancellation["SEQUENCE"], cancellation["STATUS"]) == (2, "CANCELLED")


def test_a_mail_that_cannot_be_written_is_shown_failed_and_the_others_go(
    app, client, form_post, auth, make_room, smtp_server, monkeypatch
):
    make_room()
    form_post("/requests/new", valid_request_form(contact_email="broken@example.org"))
    form_post("/requests/new", valid_request_form(contact_email="moussa@example.org"))
    # A template that breaks on one request (nothing real breaks them: the test plays that part).
    submitted = notifications.ON_EVENT["submitted"]

    def breaks_on_one(stay, event):
        if stay.contact_email == "broken@example.org":
            raise KeyError("house_phone")
        submitted(stay, event)

    monkeypatch.setitem(notifications.ON_EVENT, "submitted", breaks_on_one)
    with worker_thread(app):
        wait_for(lambda: len(smtp_server.messages) == 2 and pending_events() == 0)
    assert len(smtp_server.to("moussa@example.org")) == 1
    assert smtp_server.to("broken@example.org") == []

    broken = db.session.scalar(
        sa.select(StayRequest).where(StayRequest.contact_email == "broken@example.org")
    )
    auth.login_admin()
    page = client.get("/staff/mail/").get_data(as_text=True)
    assert f"E-mail non rédigé — {broken.reference} (submitted)" in page
    assert "rédaction impossible : KeyError: &#39;house_phone&#39;" in page
    # Nothing was written, so nothing can be sent again: admins are told what to do instead.
    [failed] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED))
    response = form_post(f"/staff/mail/{failed.id}/resend", {}, page="/staff/mail/")
    assert response.status_code == 303
    page = client.get("/staff/mail/").get_data(as_text=True)
    assert "Cet e-mail n&#39;a jamais pu être rédigé : il n&#39;y a rien à renvoyer." in page
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == OutboxStatus.FAILED


def test_worker_survives_an_unreachable_relay_and_retries_later(app, form_post, make_room):
    make_room()
    form_post("/requests/new", valid_request_form())
    # The app's relay port refuses connections: both mails, written, are put back for a later attempt.
    with worker_thread(app):
        wait_for(lambda: attempts() == [1, 1])
    db.session.expire_all()
    messages = db.session.scalars(db.select(OutboxMessage)).all()
    assert [m.status for m in messages] == [OutboxStatus.QUEUED] * 2
    assert all("ConnectionRefusedError" in m.last_error for m in messages)


def test_flask_mail_worker_runs_until_sigterm(app, database_url, form_post, make_room, smtp_server):
    make_room()
    form_post("/requests/new", valid_request_form())
    environ = {
        **os.environ,
        "GUESTHOUSE_ENV": "development",
        "DATABASE_URL": database_url,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_WORKER_POLL_SECONDS": "0.1",
    }
    worker = subprocess.Popen(  # noqa: S603 - the test's own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len(smtp_server.messages) == 2, seconds=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "Mail worker started: looking for mail every 0.1 s" in out
    assert "Mail worker stopped: sent 2, to retry later 0, failed 0." in out
    assert statuses() == [OutboxStatus.SENT] * 2


def test_mails_that_cannot_be_written_for_now_never_hold_up_the_others(
    app, form_post, make_room, runner, smtp_server, monkeypatch
):
    make_room()
    form_post("/requests/new", valid_request_form())
    assert write_pending() == 1  # its two mails are written, not sent yet
    form_post("/requests/new", valid_request_form(contact_email="moussa@example.org"))
    # The database fails while the second request's mails are being written (the test plays that
    # part: nothing real fails on demand).
    submitted = notifications.ON_EVENT["submitted"]

    def database_fails(stay, event):
        raise sa.exc.OperationalError("SELECT house_settings", {}, Exception("database is locked"))

    monkeypatch.setitem(notifications.ON_EVENT, "submitted", database_fails)
    result = runner.invoke(args=["mail", "send"])
    # What was written is sent; the command says what it could not do, and fails.
    assert result.exit_code == 1
    assert "the mails of some changes could not be written" in result.output
    assert len(smtp_server.to("awa@example.org")) == 1 and smtp_server.to("moussa@example.org") == []
    assert pending_events() == 1  # a database error is no verdict on the mail: it is written later
    # A lost-link mail asked for meanwhile is written and sent all the same.
    form_post("/requests/lost", {"contact_email": "awa@example.org"})
    with worker_thread(app):
        wait_for(lambda: len(smtp_server.to("awa@example.org")) == 2)
        assert pending_events() == 1  # the worker keeps the event for later
        monkeypatch.setitem(notifications.ON_EVENT, "submitted", submitted)
        wait_for(lambda: len(smtp_server.to("moussa@example.org")) == 1 and pending_events() == 0)
    assert len(smtp_server.messages) == 5


def test_no_web_request_ever_opens_an_smtp_connection(app, client, form_post, auth, make_room, smtp_server):
    room = make_room()
    # Every kind of change through the routes: a submission, its approval, a replaced link, the
    # requester's cancellation, a lost-link request, and an admin sending a failed mail again.
    assert form_post("/requests/new", valid_request_form()).status_code == 303
    stay = db.session.scalar(sa.select(StayRequest))
    auth.login_admin()
    page = f"/staff/requests/{stay.id}"
    assert form_post(f"{page}/approve", {"rooms": [room.id]}, page=page).status_code == 303
    assert form_post(f"{page}/revoke-link", {}, page=page).status_code == 303
    db.session.refresh(stay)
    mine = f"/requests/{stay.access_token}"
    assert form_post(f"{mine}/cancel", {"reason": "Vol annulé."}, page=mine).status_code == 303
    assert form_post("/requests/lost", {"contact_email": "awa@example.org"}).status_code == 303
    assert smtp_server.connections == 0 and smtp_server.messages == []

    # The mail worker's step: every mail of those changes, over its own connections.
    assert deliver_mail() == {"sent": 7}
    assert smtp_server.connections >= 1
    subjects = sorted(m["Subject"].split(" — ")[0] for m in smtp_server.messages)
    assert subjects == [
        "Annulation " + stay.reference,
        "Demande de séjour reçue",
        "Nouveau lien pour votre demande " + stay.reference,
        "Nouvelle demande " + stay.reference,
        "Séjour annulé",
        "Séjour confirmé",
        "Vos demandes de séjour à la Maison du Partenariat Angers-Bamako",
    ]
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "approved"))
    message.status = OutboxStatus.FAILED
    db.session.commit()
    connections = smtp_server.connections
    response = form_post(f"/staff/mail/{message.id}/resend", {}, page="/staff/mail/")
    assert response.status_code == 303
    assert smtp_server.connections == connections and len(smtp_server.messages) == 7
    assert deliver_mail() == {"sent": 1}
    assert len(smtp_server.messages) == 8


def test_every_action_that_causes_mails_is_flagged_for_the_worker():
    # The flag is set where the event is made (bookings), the mails chosen here: the two lists agree.
    assert set(notifications.ON_EVENT) == MAILED_ACTIONS
