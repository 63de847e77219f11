"""Never lost, never blocking: the outbox survives a dead or hung SMTP server and sends each mail once."""

import threading
import time
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from guesthouse import create_app
from guesthouse.database import utcnow
from guesthouse.extensions import db
from guesthouse.mail.delivery import claim, deliver
from guesthouse.mail.models import OutboxMessage, OutboxStatus
from guesthouse.mail.outbox import write_pending

from .conftest import csrf_from, deliver_mail


def rows(kind: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def approve_timed(client, form_post, auth, stay, room) -> float:
    auth.login()
    page = client.get(f"/staff/requests/{stay.id}").get_data(as_text=True)
    started = time.monotonic()
    response = client.post(
        f"/staff/requests/{stay.id}/approve", data={"rooms": [room.id], "csrf_token": csrf_from(page)}
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 303, response.get_data(as_text=True)
    return elapsed


def send(runner, *args) -> str:
    result = runner.invoke(args=["mail", "send", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_smtp_down_approval_succeeds_then_mail_send_delivers_each_message_once(
    client, form_post, auth, make_room, make_stay, app, runner, smtp_server, closed_port
):
    app.config.update(MAIL_PORT=closed_port)
    room = make_room()
    stay = make_stay()
    elapsed = approve_timed(client, form_post, auth, stay, room)
    assert elapsed < 3
    assert rows() == []  # the request only promised its mails: the mail worker writes and sends them
    assert deliver_mail() == {"retry": 3}
    [approval] = rows("approved")
    assert approval.status == OutboxStatus.QUEUED and approval.attempts == 1
    assert "ConnectionRefusedError" in approval.last_error
    assert client.get(f"/staff/requests/{stay.id}").status_code == 200  # the stay is approved
    assert smtp_server.messages == []

    app.config["MAIL_PORT"] = smtp_server.port  # the server is back, and the retries are due
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert "Sent 3," in send(runner)
    assert "Sent 0," in send(runner)
    received = [m["Message-ID"] for m in smtp_server.messages]
    assert sorted(received) == sorted(row.message_id for row in rows())  # each one, once
    assert {row.status for row in rows()} == {OutboxStatus.SENT}


def test_hung_smtp_server_never_holds_up_a_request_and_costs_the_worker_one_timeout(
    client, form_post, auth, make_room, make_stay, app, silent_smtp_port
):
    app.config.update(MAIL_PORT=silent_smtp_port, MAIL_TIMEOUT=30)
    room = make_room()
    stay = make_stay()
    elapsed = approve_timed(client, form_post, auth, stay, room)
    assert elapsed < 2  # a request that waited for the server would take MAIL_TIMEOUT
    app.config["MAIL_TIMEOUT"] = 1
    started = time.monotonic()
    assert deliver_mail() == {"retry": 3}
    assert 0.9 < time.monotonic() - started < 3  # the worker did try, and gave up after MAIL_TIMEOUT
    [approval] = rows("approved")
    assert approval.status == OutboxStatus.QUEUED
    assert "timed out" in approval.last_error


def test_retries_back_off_then_give_up_and_show_on_the_admin_page(
    client, form_post, auth, make_stay, app, runner
):
    app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=60)
    make_stay()
    assert "to retry later 2" in send(runner)
    first = rows()
    assert all(r.attempts == 1 and r.status == OutboxStatus.QUEUED for r in first)
    wait = (first[0].next_attempt_at - utcnow()).total_seconds()
    assert 55 < wait <= 60
    assert "Sent 0, to retry later 0" in send(runner)  # not due yet: untouched
    assert all(r.attempts == 1 for r in rows())

    for expected_wait in (120, None):
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        send(runner)
        if expected_wait:
            wait = (rows()[0].next_attempt_at - utcnow()).total_seconds()
            assert expected_wait - 5 < wait <= expected_wait  # doubled
    assert [(r.status, r.attempts) for r in rows()] == [(OutboxStatus.FAILED, 3)] * 2

    auth.login_admin()
    page = unescape(client.get("/staff/mail/").get_data(as_text=True))
    assert "E-mails non envoyés" in page
    assert "claire@example.org" in page and "ConnectionRefusedError" in page
    assert "2 e-mails n'ont pas pu être envoyés" in unescape(client.get("/staff/").get_data(as_text=True))


def test_admins_resend_a_failed_message_once_the_server_is_back(
    client, form_post, auth, make_stay, app, smtp_server
):
    make_stay()
    assert write_pending() == 1
    for row in rows():
        row.status, row.attempts, row.last_error = OutboxStatus.FAILED, 5, "SMTPRecipientsRefused"
    db.session.commit()
    failed = rows("request_received")[0]
    auth.login_admin()
    response = form_post(f"/staff/mail/{failed.id}/resend", {}, page="/staff/mail/")
    assert response.status_code == 303
    assert "Message remis en file" in unescape(client.get("/staff/mail/").get_data(as_text=True))
    assert smtp_server.messages == []  # queued again: the mail worker sends it
    assert deliver_mail() == {"sent": 1}
    [mail] = smtp_server.messages
    assert mail["Message-ID"] == failed.message_id  # the same message, recognisable downstream
    assert rows("request_received")[0].status == OutboxStatus.SENT
    page = unescape(client.get("/staff/mail/").get_data(as_text=True))
    assert "claire@example.org" not in page and "mpab@localhost" in page  # only the other one left

    # Resending twice (a double click, a stale page) sends nothing more.
    response = form_post(f"/staff/mail/{failed.id}/resend", {}, page="/staff/mail/")
    assert response.status_code == 303
    deliver_mail()
    assert len(smtp_server.messages) == 1


def test_failed_mail_page_is_for_admins_only(client, auth, make_stay):
    make_stay()
    assert client.get("/staff/mail/").status_code == 302  # anonymous: to the login page
    auth.login()
    assert client.get("/staff/mail/").status_code == 403
    assert client.post("/staff/mail/1/resend").status_code == 400  # no CSRF token


def test_refused_recipient_fails_at_once_and_others_still_go(
    client, form_post, make_stay, runner, smtp_server
):
    smtp_server.refuse.add("claire@example.org")
    make_stay()
    send(runner)
    refused, notice = rows()
    assert refused.status == OutboxStatus.FAILED and refused.attempts == 1  # a 550 will not get better
    assert "550" in refused.last_error
    assert notice.status == OutboxStatus.SENT
    assert [m["To"] for m in smtp_server.messages] == [smtp_server.messages[0]["To"]]
    assert "mpab@localhost" in smtp_server.messages[0]["To"]


def test_a_claimed_message_is_not_sent_by_another_run(make_stay, runner, smtp_server):
    make_stay()
    assert write_pending() == 1
    ids = [row.id for row in rows()]
    outgoing, refused = claim(ids)  # another sender has them in flight
    assert [o.id for o in outgoing] == ids and refused == []
    assert "Sent 0," in send(runner)
    assert smtp_server.messages == []


def test_concurrent_senders_send_each_message_exactly_once(app, make_stay, smtp_server):
    for index in range(6):
        make_stay(contact_email=f"traveller{index}@example.org")
    assert write_pending() == 6
    db.session.remove()
    errors = []

    def run():
        with app.app_context():
            try:
                deliver(limit=100)
            except Exception as error:  # surfaced below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    received = [m["Message-ID"] for m in smtp_server.messages]
    assert len(received) == 12 == len(set(received))
    assert {row.status for row in rows()} == {OutboxStatus.SENT}


def test_sent_messages_are_deleted_after_the_retention_period(make_stay, runner, smtp_server):
    make_stay()
    send(runner)
    old, recent = rows()
    old.sent_at = utcnow() - timedelta(days=91)
    db.session.commit()
    assert "Sent messages older than 90 days deleted: 1." in send(runner)
    assert [row.id for row in rows()] == [recent.id]


def test_console_backend_prints_keeps_and_shows_mails(
    client, form_post, auth, make_room, app, tmp_path, capsys
):
    from .conftest import valid_request_form

    app.config["MAIL_BACKEND"] = "console"
    make_room(beds=4)
    assert form_post("/requests/new", valid_request_form()).status_code == 303
    assert deliver_mail() == {"sent": 2}
    printed = capsys.readouterr().out
    assert "Subject: Demande de séjour reçue" in printed and "Nous avons bien reçu votre demande" in printed
    kept = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(kept) == 2
    assert {row.status for row in rows()} == {OutboxStatus.SENT}

    assert client.get("/staff/mail/dev").status_code == 302  # staff only
    auth.login()
    listing = unescape(client.get("/staff/mail/dev").get_data(as_text=True))
    assert "Demande de séjour reçue" in listing and "Nouvelle demande" in listing
    name = kept[0].name
    page = unescape(client.get(f"/staff/mail/dev/{name}").get_data(as_text=True))
    assert "Nous avons bien reçu votre demande" in page and "Message-ID" in page
    html = client.get(f"/staff/mail/dev/{name}/html")
    assert html.status_code == 200 and "sandbox" in html.headers["Content-Security-Policy"]
    raw = client.get(f"/staff/mail/dev/{name}/raw")
    assert raw.mimetype == "message/rfc822" and raw.data == kept[0].read_bytes()
    for bad in ("..%2Fdemo-credentials.txt", "nothing.eml", "20260101-000000-000001-x.eml"):
        assert client.get(f"/staff/mail/dev/{bad}").status_code == 404

    app.config["MAIL_BACKEND"] = "smtp"  # production and testing: the page does not exist
    assert client.get("/staff/mail/dev").status_code == 404
    assert client.get(f"/staff/mail/dev/{name}").status_code == 404


def test_console_backend_and_unknown_backends_are_refused_where_they_would_lose_mail(database_url):
    with pytest.raises(RuntimeError, match="production needs smtp"):
        create_app(
            "production",
            SECRET_KEY="x" * 40,
            SQLALCHEMY_DATABASE_URI=database_url,
            BASE_URL="https://mpab.angers.example",
            MAIL_SERVER="localhost",
            MAIL_DEFAULT_SENDER="mpab@angers.example",
            STAFF_NOTIFICATION_EMAIL="mpab@angers.example",
            MAIL_BACKEND="console",
        )
    with pytest.raises(RuntimeError, match="MAIL_BACKEND must be"):
        create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAIL_BACKEND="sendmail")
